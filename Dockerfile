# Production image for the coworking platform: granian serving Django, static files
# served by whitenoise from the image itself. The same image runs the web replicas, the
# worker, the scheduler and the one-shot migration (docker-compose.yml picks the command).
# `--target backup` builds the small backup/restore image instead.

# ---- backup: pg_dump/pg_restore of the server's major version, boto3 for the bucket ----
FROM postgres:16-bookworm AS backup
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3-boto3 \
    && rm -rf /var/lib/apt/lists/*
COPY docker/backup.sh docker/restore.sh docker/s3mirror.py /usr/local/bin/
USER postgres
WORKDIR /backups
CMD ["backup.sh", "/backups/latest"]

# ---- build: dependencies, compiled translations, collected static files ----
# Both Python stages name the Debian release: the runtime stage installs the shared
# libraries that the packages compiled here link against, by their Debian names.
FROM python:3.12-slim-bookworm AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext (msgfmt) is only needed to compile translations; a compiler and the OpenLDAP
# and SASL headers only to build python-ldap (it ships no wheels). They stay in this stage.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext gcc libc6-dev libldap2-dev libsasl2-dev \
    && rm -rf /var/lib/apt/lists/*

# A virtualenv can be copied whole into the runtime stage, which has no pip leftovers.
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /app
# Requirements first, so code changes reuse the installed-dependencies layer. The LDAP
# sign-in (requirements-ldap.txt) is in every image: LDAP_SERVER_URI turns it on.
COPY requirements.txt requirements-ldap.txt ./
RUN pip install --no-cache-dir -r requirements.txt -r requirements-ldap.txt

COPY . .
# Settings refuse to start with DEBUG off unless a key, hosts and a bucket are set;
# these throwaway values exist only for these two commands. DEBUG must be off so
# collectstatic writes the hashed, compressed files and manifest that the production
# storage serves. DATA_DIR keeps settings from creating the SQLite data directory inside /app.
RUN export DEBUG=false SECRET_KEY=build-only-not-a-secret ALLOWED_HOSTS=localhost \
        AWS_STORAGE_BUCKET_NAME=build-only \
        DATA_DIR=/tmp/build-data \
    && python manage.py compilemessages --ignore=.venv \
    && python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-data \
    && chmod 0755 docker/*.sh

# ---- runtime ----
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH

# The shared libraries python-ldap was built against in the build stage.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libldap-2.5-0 libsasl2-2 \
    && rm -rf /var/lib/apt/lists/*

# A fixed numeric id lets orchestrators verify "runs as non-root" and lets volume
# permissions be set from the host. Only the data directory (SQLite fallback, local
# uploads) is writable; the code stays owned by root.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app \
    && install -d -o app -g app /app/data

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app

WORKDIR /app
USER 10001:10001

EXPOSE 8000

# slim has no curl. Django answers 400 to a Host it does not allow, so the probe sends
# the first allowed host (leading dot stripped, "*" skipped) rather than 127.0.0.1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; hosts = [h.strip().lstrip('.') for h in os.environ.get('ALLOWED_HOSTS', '').split(',')]; host = next((h for h in hosts if h and h != '*'), 'localhost'); u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}), timeout=4)"]

# docker/web.sh reads the web server's tuning variables (WEB_WORKERS, WEB_THREADS,
# WEB_BIND). Migrations are the one-shot migrate service's job (docker/migrate.sh).
CMD ["docker/web.sh"]
