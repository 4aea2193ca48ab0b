"""The site's URLs plus two views that fail, to see the error pages a bug would show."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from coworking.urls import handler403, handler500
from coworking.urls import urlpatterns as site_urlpatterns

__all__ = ["handler403", "handler500", "urlpatterns"]


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [path("broken/", broken), path("forbidden/", forbidden), *site_urlpatterns]
