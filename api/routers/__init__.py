# No "from __future__ import annotations" in the routers: django-ninja reads the real annotations.
