"""A member's own bookings: the list, one booking, cancelling or releasing, .ics, the
calendar feed.

Every booking is fetched with the member as a condition, so another member's booking
is a 404 by any URL.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from bookings import again, grid, services
from bookings import ics as ical
from bookings.models import Booking, CalendarFeed
from bookings.rows import when as booking_when
from coworking.navigation import widgets
from coworking.pager import page_of

# Cancelled bookings stay in the feed this long, so subscribed calendars drop them.
FEED_KEEPS_DAYS = 30


def _own_bookings(request: HttpRequest):
    return Booking.objects.filter(user=request.user).select_related("building", "desk__room", "room")


def _own_booking(request: HttpRequest, pk: int) -> Booking:
    return get_object_or_404(_own_bookings(request), pk=pk)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    own = _own_bookings(request)
    # Both lists grow (a series books months ahead): each is paged on its own. The
    # buildings' rule overrides come along, for the cancel policies.
    upcoming = own.upcoming(now).select_related("building__booking_rules").order_by("start", "pk")
    upcoming = page_of(upcoming, request, param="upcoming")
    services.with_cancel_policies(upcoming.object_list, by=request.user, now=now)
    context = {
        "upcoming": upcoming,
        "history": page_of(own.past_or_cancelled(now), request),
        "now": now,
        "had_last_week": again.last_week(request.user, now).exists(),
    }
    return render(request, "bookings/mine.html", context)


@login_required
@require_POST
def repeat_last_week(request: HttpRequest) -> HttpResponse:
    """ "Same as last week": last week's bookings again, a week later."""
    result = again.repeat_last_week(request.user, timezone.now())
    if result.booked:
        count = len(result.booked)
        messages.success(
            request,
            ngettext("%(count)d booking made for this week.", "%(count)d bookings made for this week.", count)
            % {"count": count},
        )
    for booking, reason in result.refused:
        messages.warning(request, f"{grid.place_label(booking.resource)}, {booking_when(booking)}: {reason}")
    if not result.booked and not result.refused:
        messages.info(request, _("Last week's bookings are already booked for this week."))
    return redirect("bookings:mine")


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _own_booking(request, pk)
    following = 0
    if booking.series_id and booking.is_active:
        following = (
            Booking.objects.active()
            .filter(series_id=booking.series_id, start__gt=booking.start, user=request.user)
            .count()
        )
    now = timezone.now()
    context = {
        "booking": booking,
        "following": following,
        "now": now,
        "policy": services.cancel_policy(booking, by=request.user, now=now),
        "actions": widgets("booking_actions"),
    }
    context["past"] = booking.end <= now or not booking.is_active
    return render(request, "bookings/detail.html", context)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _own_booking(request, pk)
    try:
        if request.POST.get("scope") == "following" and booking.series_id:
            count = services.cancel_series_from(booking, by=request.user)
            message = ngettext(
                "%(count)d booking of the series cancelled.",
                "%(count)d bookings of the series cancelled.",
                count,
            ) % {"count": count}
        else:
            services.cancel_booking(booking, by=request.user)
            message = _("Booking cancelled. The place is free for others again.")
    except services.BookingError as error:
        messages.error(request, error.message)
        return redirect("bookings:detail", booking.pk)
    messages.success(request, message)
    return redirect("bookings:mine")


@login_required
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    """ "I won't come": free a booking that can no longer be cancelled, without penalty."""
    booking = _own_booking(request, pk)
    try:
        services.release_booking(booking, by=request.user)
    except services.BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you for letting us know. The place is free for others again."))
    return redirect("bookings:detail", booking.pk)


def _calendar_response(content: bytes, filename: str = "") -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def ics(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _own_booking(request, pk)
    return _calendar_response(ical.calendar([booking]), f"booking-{booking.pk}.ics")


@login_required
def feed_settings(request: HttpRequest) -> HttpResponse:
    # Only a POST makes a link: a secret must not appear because a page was prefetched.
    calendar_feed = CalendarFeed.objects.filter(user=request.user).first()
    if request.method == "POST":
        if calendar_feed is None:
            CalendarFeed.objects.create(user=request.user)
            messages.success(request, _("Your calendar link is ready."))
        else:
            calendar_feed.regenerate()
            messages.success(request, _("New calendar link made. The old one no longer works."))
        return redirect("bookings:feed_settings")
    context = {}
    if calendar_feed is not None:
        url = request.build_absolute_uri(reverse("bookings:feed", args=[calendar_feed.token]))
        context = {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}
    return render(request, "bookings/feed_settings.html", context)


@cache_control(private=True)  # the address is a member's secret, so no shared cache keeps it
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The member's bookings for calendar apps: no login, the secret token is the key.

    Bookings that ended in the last days stay, so calendars keep them as history; those
    cancelled recently are published as CANCELLED so calendars remove them.
    """
    calendar_feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    user = calendar_feed.user
    if not user.is_active:
        raise Http404
    since = timezone.now() - dt.timedelta(days=FEED_KEEPS_DAYS)
    bookings = (
        Booking.objects.filter(user=user)
        .filter(
            Q(status=Booking.Status.CONFIRMED, end__gt=since)
            | Q(status=Booking.Status.CANCELLED, cancelled_at__gte=since)
        )
        .select_related("building", "desk__room", "room")
        .order_by("start")
    )
    with translation.override(user.language or settings.LANGUAGE_CODE):
        name = _("%(space)s: my bookings") % {"space": settings.SPACE_NAME}
        return _calendar_response(ical.calendar(bookings, name=name))
