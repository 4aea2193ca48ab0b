from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from accounts import sso_views
from api.v1 import api as api_v1
from coworking import health, metrics, views
from visits.views import codes as visit_codes

# Staff sign in through the same rate-limited allauth login as members.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = settings.SPACE_NAME
admin.site.site_title = settings.SPACE_NAME

# 404 is Django's own view rendering templates/404.html.
handler400 = views.bad_request
handler403 = views.permission_denied
handler500 = views.server_error

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    path("favicon.ico", views.favicon),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    # allauth's provider login, answering "unreachable" instead of 500 when the provider is down.
    path("accounts/oidc/<str:provider_id>/login/", sso_views.oidc_login),
    path("accounts/", include("allauth.urls")),
    path("", views.home, name="home"),
    path("", include("accounts.urls")),
    path("spaces/", include("spaces.urls")),
    path("bookings/", include("bookings.urls")),
    path("visits/", include("visits.urls")),
    # The short address a desk's or room's QR code opens.
    path("q/<str:token>/", visit_codes.scan, name="scan"),
    path("donations/", include("donations.urls")),
    path("staff/", include("staff.urls")),
    path("api/v1/", api_v1.urls),
    path("api/", include("api.urls")),
]
if settings.DEBUG and not settings.AWS_STORAGE_BUCKET_NAME:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
