"""Version 1 of the JSON API: /api/v1/, its schema at /api/v1/openapi.json and its
interactive docs at /api/v1/docs.

Promise: within v1 nothing is removed or renamed and no field changes meaning; new
endpoints and new fields may appear. A breaking change is a new version beside this one.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from api import problems
from api.auth import BearerAuth, PrincipalThrottle, SessionAuth
from api.routers import account, bookings, donations, spaces, staff, visits


class VendoredSwagger(DocsBase):
    """Swagger UI from static/api/swagger-ui (no CDN), started by a script file, so the
    page works under the site's Content Security Policy."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        return render(
            request, "api/docs.html", {"openapi_url": self.get_openapi_url(api, kwargs), "api": api}
        )


class Api(NinjaAPI):
    def set_default_exception_handlers(self) -> None:
        super().set_default_exception_handlers()
        problems.install(self)

    def get_openapi_schema(self, *args, **kwargs):
        """Error answers are application/problem+json, as sent."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for path in schema["paths"].values():
            for operation in path.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {problems.CONTENT_TYPE: content["application/json"]}
        return schema


api = Api(
    title="Coworking API",
    version="1",
    description=__doc__,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs=VendoredSwagger(),
    docs_url="/docs",
    # A bearer token first: a browser that also sends its session cookie is not asked
    # for a CSRF token when it authenticates with a token.
    auth=[BearerAuth(), SessionAuth()],
    throttle=[PrincipalThrottle()],
)
for module in (account, spaces, bookings, visits, donations, staff):
    api.add_router("", module.router)
