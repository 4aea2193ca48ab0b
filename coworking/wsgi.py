"""The WSGI application granian serves (docker/web.sh), and `manage.py runserver` too.

The liveness probe, /healthz, is answered here, before Django: it says that the process
serves requests and nothing more, so it must not cost a session, a user or a database
query, and an orchestrator probing by the pod's address must not need an allowed Host.
Readiness (/readyz, which checks PostgreSQL and the file storage) goes through Django.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coworking.settings")
django_application = get_wsgi_application()

from coworking.health import LIVE_BODY, LIVE_HEADERS  # noqa: E402 (needs the settings)


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
        start_response("200 OK", LIVE_HEADERS)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [LIVE_BODY]
    return django_application(environ, start_response)
