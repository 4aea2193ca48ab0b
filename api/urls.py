"""The member's token page, and a problem+json 404 for any other address under /api/.

coworking/urls.py mounts the API itself (api.v1.api.urls) at /api/v1/ beside this:
ninja's URLs carry their own namespace, which DocsBase reverses unnested.
"""

from django.urls import path, re_path

from api import problems, views

app_name = "api"
urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke, name="revoke"),
    re_path(r"^(?P<rest>.*)$", problems.not_found_view),
]
