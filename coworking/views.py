from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static

from coworking.navigation import widgets


def home(request: HttpRequest) -> HttpResponse:
    """The member's dashboard (each app adds its widgets); a welcome page for visitors."""
    return render(request, "home.html", {"widgets": widgets("home_widgets")})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says."""
    return HttpResponsePermanentRedirect(static("img/logo.svg"))
