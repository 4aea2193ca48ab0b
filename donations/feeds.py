"""The donors wall as an Atom feed for members; anonymous donors stay anonymous in it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from donations.models import Donation
from donations.money import money

FEED_LENGTH = 30


class DonorsFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args, **kwargs):
        return request.user

    def title(self) -> str:
        return _("Donations to %(space)s") % {"space": settings.SPACE_NAME}

    def subtitle(self) -> str:
        return _("Confirmed donations from the community, newest first.")

    def link(self) -> str:
        return reverse("donations:wall")

    def items(self, viewer) -> list[Donation]:
        donations = list(Donation.objects.wall()[:FEED_LENGTH])
        for donation in donations:
            # The feed object is shared by every request; the viewer's names ride on the items.
            donation.shown_name = donation.name_for(viewer)
        return donations

    def item_title(self, item: Donation) -> str:
        return f"{item.shown_name}: {money(item.amount, item.currency)}"

    def item_description(self, item: Donation) -> str:
        # Atom's summary is HTML: escaping first makes a message's markup show as text.
        return linebreaks(escape(item.message)) if item.message else ""

    def item_link(self, item: Donation) -> str:
        return f"{reverse('donations:wall')}#donation-{item.pk}"

    def item_pubdate(self, item: Donation):
        return item.confirmed_at

    def item_updateddate(self, item: Donation):
        return item.confirmed_at
