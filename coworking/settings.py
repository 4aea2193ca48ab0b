"""Settings for the coworking platform.

Every deploy-specific value comes from an environment variable. With no environment at
all the project runs on the embedded default: SQLite in ./data, uploads in ./data/media,
emails printed to the console. See README.md for the production variables.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envsecret(name: str, default: str = "") -> str:
    """Read NAME, or the file named by NAME_FILE (Docker secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None or value == "" else int(value)


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envmap(name: str) -> dict[str, str]:
    """NAME="a=b,c=d" as {"a": "b", "c": "d"} (the value after the last "=")."""
    pairs = [item.rsplit("=", 1) for item in envlist(name)]
    if any(len(pair) != 2 or not all(part.strip() for part in pair) for pair in pairs):
        raise ImproperlyConfigured(f"{name} must read value=role,value=role")
    return {key.strip(): value.strip() for key, value in pairs}


def oidc_origins(providers: dict) -> list[str]:
    """Where the providers' sign-in pages are (their issuers' origins)."""
    return [
        "{0.scheme}://{0.netloc}".format(urlsplit(app["settings"]["server_url"]))
        for app in providers["openid_connect"]["APPS"]
    ]


def oidc_apps(ids: list[str]) -> list[dict]:
    """One allauth OpenID Connect app per id in OIDC_PROVIDERS, from OIDC_<ID>_* variables."""
    apps = []
    for provider_id in ids:
        prefix = "OIDC_" + provider_id.upper().replace("-", "_") + "_"
        issuer, client_id = os.environ.get(prefix + "ISSUER", ""), os.environ.get(prefix + "CLIENT_ID", "")
        if not (issuer and client_id):
            raise ImproperlyConfigured(f"Set {prefix}ISSUER and {prefix}CLIENT_ID for {provider_id}.")
        apps.append(
            {
                "provider_id": provider_id,
                "name": os.environ.get(prefix + "NAME", provider_id),
                "client_id": client_id,
                "secret": envsecret(prefix + "CLIENT_SECRET"),
                "settings": {
                    "server_url": issuer,
                    "token_auth_method": os.environ.get(prefix + "TOKEN_AUTH_METHOD", "client_secret_basic"),
                    "scope": os.environ.get(prefix + "SCOPES", "openid profile email").split(),
                    "roles_claim": os.environ.get(prefix + "ROLES_CLAIM", ""),
                    "roles": envmap(prefix + "ROLES"),
                },
            }
        )
    return apps


DEBUG = envbool("DEBUG", True)
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "data"))

SECRET_KEY = envsecret("SECRET_KEY")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "django-insecure-development-key-do-not-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]", "testserver"]
elif not SECRET_KEY or not ALLOWED_HOSTS:
    raise ImproperlyConfigured("With DEBUG off, set SECRET_KEY (or SECRET_KEY_FILE) and ALLOWED_HOSTS.")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# The name shown in the header, page titles and emails.
SPACE_NAME = os.environ.get("SPACE_NAME", "Коворкинг")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    # Two-factor, passkeys and OpenID Connect; each stays off until configured (see "Sign-in").
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",  # a member's signed-in devices, and signing the others out
    "django.contrib.humanize",  # allauth's passkey list
    "django_htmx",
    "django_tasks_db",
    "corsheaders",
    "coworking",
    "accounts",
    "spaces",
    "bookings",
    "visits",
    "donations",
    "audit",
    "staff",
    "api",
]

MIDDLEWARE = [
    "coworking.logging.RequestLogMiddleware",
    "coworking.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "coworking.middleware.RefuseNulMiddleware",
    "coworking.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.signin.StaffMFAMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "coworking.urls"
WSGI_APPLICATION = "coworking.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coworking.context_processors.site",
                "accounts.context_processors.signin",
            ],
        },
    },
]

# Database: SQLite in DATA_DIR unless DATABASE_URL says otherwise.
DATABASE_URL = envsecret("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = envint("DB_CONNECT_TIMEOUT", 5)
        # A statement running longer than this many seconds is cancelled. docker/web.sh
        # sets it for the web server, where nothing else bounds a request (granian has no
        # request timeout); commands and the tasks worker run unbounded (an index build).
        if statement_timeout := envint("DB_STATEMENT_TIMEOUT", 0):
            options = DATABASES["default"]["OPTIONS"]
            options["options"] = (
                f"{options.get('options', '')} -c statement_timeout={statement_timeout}s".strip()
            )
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "db.sqlite3",
            "OPTIONS": {
                # WAL lets readers work while one request writes; IMMEDIATE takes the
                # write lock when a transaction starts, so concurrent writers queue
                # instead of failing with "database is locked" half-way through.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A database cache is shared by every web server worker, so login rate limits hold
# across processes without another service to run.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    },
    # The day grid's rendered tables (bookings.grid), in each process's memory: their keys
    # change with what they show, so nothing needs telling the other processes. About
    # 80 KB each for 50 rooms, so a worker keeps at most ~16 MB of them.
    "day_tables": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "day-tables",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
    # A place's week table (bookings.week), kept the same way (bookings.kept): about 20 KB
    # each, so at most ~10 MB a worker for the weeks of 500 places.
    "week_tables": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "week-tables",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
    # The places free for a search (bookings.views.member.find), kept the same way: about
    # 30 KB for 50 rooms, so at most ~15 MB a worker.
    "find_places": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "find-places",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}

# Uploads: local files unless an S3 endpoint or bucket is configured.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if not DEBUG and not AWS_STORAGE_BUCKET_NAME:
    raise ImproperlyConfigured(
        "With DEBUG off, uploads must go to S3: set AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (see .env.example). Only the development "
        "server serves uploaded files from DATA_DIR."
    )
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development static files come from the finders; whitenoise need not warn that
# collectstatic has not run.
warnings.filterwarnings("ignore", message="No directory at: ")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config

    STORAGES["default"] = {
        "BACKEND": "coworking.storage.MediaStorage",
        "OPTIONS": {
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            # Where browsers reach the store, when the app reaches it at another address.
            "public_endpoint_url": os.environ.get("AWS_S3_PUBLIC_ENDPOINT_URL") or None,
            "access_key": envsecret("AWS_ACCESS_KEY_ID"),
            "secret_key": envsecret("AWS_SECRET_ACCESS_KEY"),
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": os.environ.get("AWS_S3_REGION_NAME", "us-east-1"),
            # Objects are private; pages link to them with presigned URLs.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": envint("AWS_QUERYSTRING_EXPIRE", 3600),
            "file_overwrite": False,
            # Fail fast so /readyz answers while the object store is down.
            "client_config": Config(
                s3={"addressing_style": "path"},
                signature_version="s3v4",
                connect_timeout=3,
                read_timeout=10,
                retries={"max_attempts": 2},
            ),
        },
    }

# Email: printed to the console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
if EMAIL_HOST:
    MAILERS["default"] = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": EMAIL_HOST,
            "port": envint("EMAIL_PORT", 587),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": envsecret("EMAIL_HOST_PASSWORD"),
            "use_tls": envbool("EMAIL_USE_TLS", True),
            "use_ssl": envbool("EMAIL_USE_SSL", False),
            "timeout": envint("EMAIL_TIMEOUT", 10),
        },
    }
del EMAIL_HOST  # Django 6.1 refuses the old EMAIL_* settings next to MAILERS.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "coworking@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks (emails, periodic jobs). "database" keeps them in a table that
# `manage.py run_worker` works through, so a slow or failing mail server never holds a
# request; "immediate" runs them in the process that enqueues them (the embedded default,
# no second process to start).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND") or ("database" if DATABASE_URL else "immediate")
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be database or immediate, not {TASKS_BACKEND!r}")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND]}}
# An email task is tried this often, waiting 1, 2, 4 ... (at most 60) minutes between tries.
TASK_MAX_ATTEMPTS = envint("TASK_MAX_ATTEMPTS", 8)
TASK_RETRY_DELAY_SECONDS = envint("TASK_RETRY_DELAY_SECONDS", 60)
# A task a killed worker left "running" this long goes back into the queue.
TASKS_STALLED_AFTER_MINUTES = envint("TASKS_STALLED_AFTER_MINUTES", 15)
# Set to run every periodic job at this interval instead of its own (tests, stack checks).
SCHEDULER_INTERVAL_SECONDS = envint("SCHEDULER_INTERVAL_SECONDS", 0)
# Uploads younger than this are never treated as orphans: their row may still be committing.
ORPHAN_UPLOAD_MIN_AGE_MINUTES = envint("ORPHAN_UPLOAD_MIN_AGE_MINUTES", 60)
# Touched while the worker / scheduler is healthy (their container health checks look).
WORKER_HEARTBEAT_FILE = os.environ.get("WORKER_HEARTBEAT_FILE", "/tmp/worker.heartbeat")  # noqa: S108
SCHEDULER_HEARTBEAT_FILE = os.environ.get("SCHEDULER_HEARTBEAT_FILE", "/tmp/scheduler.heartbeat")  # noqa: S108

# Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Members imported from the previous platform arrive with bcrypt hashes; they
    # verify here and are rehashed with Argon2 at their first login.
    "django.contrib.auth.hashers.BCryptPasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# Sends allauth's emails from the background worker.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
# Says so when the LDAP directory is unreachable (accounts.directory).
ACCOUNT_FORMS = {"login": "accounts.signin.LoginForm"}
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SPACE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_RATE_LIMITS = {
    # Five wrong passwords for one account in five minutes, or 20 a minute from one
    # address, and the login form refuses further tries for a while.
    "login_failed": os.environ.get("LOGIN_RATE_LIMIT", "20/m/ip,5/5m/key"),
}

# Sign-in: two-factor, passkeys, OpenID Connect and LDAP. Everything is off unless
# configured; README.md "Sign-in" explains each variable.
MFA_SUPPORTED_TYPES = envlist("MFA_TYPES")
if unknown := set(MFA_SUPPORTED_TYPES) - {"totp", "recovery_codes", "webauthn"}:
    raise ImproperlyConfigured(f"MFA_TYPES may list totp, recovery_codes and webauthn, not {sorted(unknown)}")
MFA_TOTP_ISSUER = SPACE_NAME
MFA_PASSKEY_LOGIN_ENABLED = "webauthn" in MFA_SUPPORTED_TYPES
# Browsers offer passkeys only on https and on localhost; development serves plain http.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# Staff may use staff pages and the admin only once they have a second factor.
MFA_REQUIRED_FOR_STAFF = envbool("MFA_REQUIRED_FOR_STAFF", False)
if MFA_REQUIRED_FOR_STAFF and not {"totp", "webauthn"} & set(MFA_SUPPORTED_TYPES):
    raise ImproperlyConfigured("MFA_REQUIRED_FOR_STAFF needs totp or webauthn in MFA_TYPES.")

# Members get an email (through the task worker) when a second factor, their password or
# their email address changes.
ACCOUNT_EMAIL_NOTIFICATIONS = envbool("SECURITY_EMAILS", False)

SOCIALACCOUNT_ADAPTER = "accounts.signin.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": oidc_apps(envlist("OIDC_PROVIDERS"))}
}
# A provider's login starts with a POST from our login page (no login by a cross-site GET).
SOCIALACCOUNT_LOGIN_ON_GET = False
# An identity provider vouches for the address only when its claim says email_verified.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_STORE_TOKENS = False
# Hide the password form and sign-up: members sign in through the providers only.
SSO_ONLY = envbool("SSO_ONLY", False)
if SSO_ONLY and not SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]:
    raise ImproperlyConfigured("SSO_ONLY needs at least one provider in OIDC_PROVIDERS.")


# LDAP / Active Directory: tried before the local password when LDAP_SERVER_URI is set.
def ldap_settings(env: dict[str, str]) -> dict:
    """django-auth-ldap's AUTH_LDAP_* settings from LDAP_* variables (README "Sign-in")."""
    try:
        import ldap
        from django_auth_ldap.config import GroupOfNamesType, LDAPSearch
    except ImportError as error:
        raise ImproperlyConfigured("LDAP_SERVER_URI needs requirements-ldap.txt installed.") from error
    timeout = int(env.get("LDAP_TIMEOUT_SECONDS") or 5)
    result = {
        "AUTH_LDAP_SERVER_URI": env["LDAP_SERVER_URI"],
        "AUTH_LDAP_BIND_DN": env.get("LDAP_BIND_DN", ""),
        "AUTH_LDAP_BIND_PASSWORD": (
            Path(env["LDAP_BIND_PASSWORD_FILE"]).read_text().strip()
            if env.get("LDAP_BIND_PASSWORD_FILE")
            else env.get("LDAP_BIND_PASSWORD", "")
        ),
        "AUTH_LDAP_START_TLS": env.get("LDAP_START_TLS", "").lower() in ("1", "true", "yes", "on"),
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(
            env.get("LDAP_USER_SEARCH_BASE", ""),
            ldap.SCOPE_SUBTREE,
            env.get("LDAP_USER_FILTER") or "(mail=%(user)s)",
        ),
        "AUTH_LDAP_USER_ATTR_MAP": {"full_name": "cn", "email": "mail"},
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            ldap.OPT_NETWORK_TIMEOUT: timeout,
            ldap.OPT_TIMEOUT: timeout,
            ldap.OPT_REFERRALS: 0,
        },
    }
    if attributes := env.get("LDAP_ATTR_MAP"):
        result["AUTH_LDAP_USER_ATTR_MAP"] = dict(pair.split("=", 1) for pair in attributes.split(","))
    if group_base := env.get("LDAP_GROUP_SEARCH_BASE"):
        groups = LDAPSearch(group_base, ldap.SCOPE_SUBTREE, "(objectClass=groupOfNames)")
        result["AUTH_LDAP_GROUP_SEARCH"] = groups
        result["AUTH_LDAP_GROUP_TYPE"] = GroupOfNamesType()
    if ca_file := env.get("LDAP_CA_FILE"):
        # The CA first, then a new TLS context that reads it.
        tls = {ldap.OPT_X_TLS_CACERTFILE: ca_file, ldap.OPT_X_TLS_NEWCTX: 0}
        result["AUTH_LDAP_CONNECTION_OPTIONS"] |= tls
    return result


if os.environ.get("LDAP_SERVER_URI"):
    AUTHENTICATION_BACKENDS.insert(0, "accounts.directory.LDAPBackend")
    globals().update(ldap_settings(dict(os.environ)))
# Directory group name (cn) = role, as for OpenID Connect: "staff" or a role's group name.
LDAP_ROLES = envmap("LDAP_ROLES")

# Karma: what earns and costs points (see accounts.services.award_karma).
KARMA_POINTS_PER_HOUR = envint("KARMA_POINTS_PER_HOUR", 1)
KARMA_MAX_VISIT_POINTS_PER_DAY = envint("KARMA_MAX_VISIT_POINTS_PER_DAY", 8)
KARMA_DONATION_AMOUNT_PER_POINT = envint("KARMA_DONATION_AMOUNT_PER_POINT", 100)
KARMA_NO_SHOW_PENALTY = envint("KARMA_NO_SHOW_PENALTY", 5)

# Bookings and visits
BOOKING_REMINDER_MINUTES = envint("BOOKING_REMINDER_MINUTES", 60)
CHECKIN_OPENS_MINUTES_BEFORE = envint("CHECKIN_OPENS_MINUTES_BEFORE", 15)
CHECKIN_CLOSES_MINUTES_AFTER = envint("CHECKIN_CLOSES_MINUTES_AFTER", 30)

# Donations
DONATION_CURRENCY = os.environ.get("DONATION_CURRENCY", "RUB")
DONATION_MIN_AMOUNT = os.environ.get("DONATION_MIN_AMOUNT", "50.00")
DONATION_MAX_AMOUNT = os.environ.get("DONATION_MAX_AMOUNT", "1000000.00")
# How members pay a pledge (cash desk, bank details); a default text when empty.
DONATION_PAYMENT_INSTRUCTIONS = os.environ.get("DONATION_PAYMENT_INSTRUCTIONS", "")

# The JSON API (api/): app logins (JWT) last this long; per token or member, at most
# API_THROTTLE_RATE requests (counted in the shared cache, across processes).
API_ACCESS_TOKEN_MINUTES = envint("API_ACCESS_TOKEN_MINUTES", 15)
API_REFRESH_TOKEN_DAYS = envint("API_REFRESH_TOKEN_DAYS", 14)
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "600/m")
# Browser front-ends on other origins that may call the API (https://app.example.org),
# comma-separated; none by default. Only /api/v1/ answers them, and never with cookies:
# such front-ends authenticate with tokens.
CORS_ALLOWED_ORIGINS = envlist("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOW_CREDENTIALS = False

# Internationalization
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

# Security
# Photos come from the object store's address with presigned URLs.
MEDIA_ORIGINS = [
    "{0.scheme}://{0.netloc}".format(urlsplit(url))
    for url in [os.environ.get("AWS_S3_PUBLIC_ENDPOINT_URL") or os.environ.get("AWS_S3_ENDPOINT_URL")]
    if AWS_STORAGE_BUCKET_NAME and url
]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *MEDIA_ORIGINS, *envlist("CSP_IMG_SRC")],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    # Signing in through a provider posts to us, then redirects to its sign-in page.
    "form-action": [CSP.SELF, *oidc_origins(SOCIALACCOUNT_PROVIDERS), *envlist("CSP_FORM_ACTION")],
    "frame-ancestors": [CSP.NONE],
}
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True  # no script reads it
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60  # a visitor's choice outlives the browser session
CSRF_FAILURE_VIEW = "coworking.views.csrf_failure"
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
# Container health checks and the metrics scraper talk plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
if envbool("BEHIND_PROXY", not DEBUG):
    # nginx terminates TLS and says so in X-Forwarded-Proto (it overwrites what a client sent).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Exactly one proxy hop is ours: nginx appends the address it saw to X-Forwarded-For,
    # so allauth's login rate limits count that last entry, never the ones a client wrote.
    # The Host header passes through unchanged, so X-Forwarded-Host is not trusted.
    ALLAUTH_TRUSTED_PROXY_COUNT = 1
X_FRAME_OPTIONS = "DENY"

# Metrics: /metrics answers only to these networks, never through the proxy, and with
# METRICS_TOKEN set only to "Authorization: Bearer <token>".
METRICS_ALLOWED_NETWORKS = envlist(
    "METRICS_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"
)
METRICS_TOKEN = envsecret("METRICS_TOKEN")
# prometheus_client reads it itself; set, the web server's workers share their samples there.
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")

# Logging: one JSON object per line on stdout.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "coworking.logging.JsonFormatter"}},
    "filters": {"request_id": {"()": "coworking.logging.RequestIdFilter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # The request middleware logs every request once; Django's own request log
        # would repeat 4xx/5xx lines.
        "django.request": {"level": "ERROR", "handlers": ["stdout"], "propagate": False},
        "django.server": {"level": "WARNING", "handlers": ["stdout"], "propagate": False},
    },
}
