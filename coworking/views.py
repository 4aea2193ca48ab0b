from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from api.problems import problem_response
from coworking.decorators import StaffOnly
from coworking.navigation import widgets


def home(request: HttpRequest) -> HttpResponse:
    """The member's dashboard (each app adds its widgets); a welcome page for visitors.
    Staff whose role shows today's board see it first; a member never reaches the
    permission backend (two queries a page)."""
    user = request.user
    context = {
        "widgets": widgets("home_widgets"),
        "today_board": user.is_staff and user.has_perm("staff.view_dashboard"),
    }
    return render(request, "home.html", context)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says."""
    return HttpResponsePermanentRedirect(static("img/logo.svg"))


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 page (templates/400.html); an API client gets the API's problem+json,
    whatever refused the request before the API saw it (a NUL byte in the address)."""
    if request.path_info.startswith("/api/"):
        return problem_response(400, "bad_request", _("Bad request"))
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 403 page, which tells a member who followed a staff link what the page is for."""
    return render(request, "403.html", {"staff_only": isinstance(exception, StaffOnly)}, status=403)


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token: mostly a form left open past its session
    (a sign-in in another tab, a logout). Say so in the site's layout and language."""
    return render(request, "403_csrf.html", status=403)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page in the site's layout, rendered without context processors: they read
    the session and the user, and the error may be that the database is down."""
    context = {
        "request": request,
        "csrf_token": get_token(request),
        "csp_nonce": get_nonce(request),
        "SPACE_NAME": settings.SPACE_NAME,
    }
    return HttpResponseServerError(render_to_string("500.html", context))
