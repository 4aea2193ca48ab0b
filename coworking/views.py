from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coworking.navigation import widgets


def home(request: HttpRequest) -> HttpResponse:
    """The member's dashboard (each app adds its widgets); a welcome page for visitors."""
    return render(request, "home.html", {"widgets": widgets("home_widgets")})
