from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.forms import ProfileForm
from accounts.models import User
from coworking.navigation import widgets

KARMA_HISTORY_LENGTH = 20


def _remember_language(response: HttpResponse, language: str) -> None:
    """The cookie Django's set_language writes, with the same attributes."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(
        request.POST or None,
        instance=request.user,
        initial={"language": request.user.language or request.LANGUAGE_CODE},
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        response = redirect("accounts:profile")
        _remember_language(response, form.cleaned_data["language"])
        return response
    karma_entries = request.user.karma_entries.all()[:KARMA_HISTORY_LENGTH]
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "karma_entries": karma_entries, "widgets": widgets("profile_widgets")},
    )


@login_required
def leaderboard(request: HttpRequest) -> HttpResponse:
    """Members who chose to be shown, by karma; the viewer sees their own rank too."""
    leaders = list(
        User.objects.filter(is_active=True, visible_to_members=True).order_by("-karma", "full_name")[:50]
    )
    own_rank = None
    if request.user not in leaders:
        own_rank = User.objects.filter(is_active=True, karma__gt=request.user.karma).count() + 1
    return render(request, "accounts/leaderboard.html", {"leaders": leaders, "own_rank": own_rank})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language; a member's choice is also saved on their profile."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response
