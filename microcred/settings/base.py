"""microcred settings: every deploy-time value comes from the environment through microcred.env.

MICROCRED_ENV=production turns on the strict profile: SECRET_KEY required, DEBUG off,
HTTPS-only cookies and HSTS, so that `manage.py check --deploy` reports nothing.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor  # type: ignore[import-untyped]

from microcred.env import (
    env_bool,
    env_choice,
    env_database,
    env_email,
    env_fernet_keys,
    env_hosts,
    env_int,
    env_list,
    env_required,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("MICROCRED_VAR_DIR") or BASE_DIR / "var")

ENVIRONMENT = env_choice("MICROCRED_ENV", ["development", "production"], "development")
PRODUCTION = ENVIRONMENT == "production"


def _development_secret_key() -> str:
    # Generated once and kept out of git, so a dev checkout never shares a key with anyone.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env_required("SECRET_KEY", why="production needs its own secret key (50+ random characters)")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production")
else:
    SECRET_KEY = env_str("SECRET_KEY") or _development_secret_key()


def _development_issuer_key_encryption_key() -> str:
    # Like SECRET_KEY: made once per dev checkout under var/, so issuer private keys are encrypted at rest
    # even in development and a copied database is useless without this file.
    path = VAR_DIR / "issuer_key_encryption_key"
    if not path.exists():
        import base64

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


# Encrypts issuer signing keys at rest (Fernet). Comma-separated keys rotate it: the first encrypts, all decrypt.
if PRODUCTION:
    ISSUER_KEY_ENCRYPTION_KEY = ",".join(
        env_fernet_keys("ISSUER_KEY_ENCRYPTION_KEY")
        or [env_required("ISSUER_KEY_ENCRYPTION_KEY", why="production encrypts issuer signing keys with it")]
    )
else:
    ISSUER_KEY_ENCRYPTION_KEY = ",".join(
        env_fernet_keys("ISSUER_KEY_ENCRYPTION_KEY") or [_development_issuer_key_encryption_key()]
    )

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "DEBUG must be off in production (unset it or set DEBUG=0): its error pages show settings, code and data "
        "to whoever causes an error"
    )
ALLOWED_HOSTS = env_hosts(
    "ALLOWED_HOSTS",
    [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"],
    allow_wildcard=not PRODUCTION,
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production, as in ALLOWED_HOSTS=microcred.example.org")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The public origin is baked into credentials, DIDs and emails; it must not depend on a request's Host header.
SITE_URL = (env_str("SITE_URL") or ("" if PRODUCTION else f"http://127.0.0.1:{env_int('PORT', 8000)}")).rstrip("/")
if PRODUCTION and not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured("SITE_URL must be set to the https:// origin in production")

# --- the verifier: fetching other issuers' DID documents, status lists and OB 2.0 assertions (awards.fetch) ------
# Off by default: the verifier then judges did:key and this platform's own issuers offline and says it cannot
# resolve the rest. When on, only https and public addresses are fetched, within these limits.
VERIFY_FETCH_REMOTE = env_bool("VERIFY_FETCH_REMOTE", False)
VERIFY_FETCH_TIMEOUT_SECONDS = env_int("VERIFY_FETCH_TIMEOUT_SECONDS", 5, minimum=1, maximum=30)
VERIFY_FETCH_MAX_BYTES = env_int("VERIFY_FETCH_MAX_BYTES", 512 * 1024, minimum=1024, maximum=8 * 1024 * 1024)
VERIFY_FETCH_CACHE_SECONDS = env_int("VERIFY_FETCH_CACHE_SECONDS", 300, minimum=0, maximum=86400)
# A CA bundle to trust instead of the system's (empty: the system's).
VERIFY_FETCH_CA_FILE = env_str("VERIFY_FETCH_CA_FILE") or ""
# Networks exempt from the public-address rule. Tests set it to reach their own servers on 127.0.0.1; it is never
# read from the environment, and awards.fetch ignores it in production.
VERIFY_FETCH_ALLOW_NETWORKS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # ninja as an app serves the API docs page's Swagger assets from its package, not from a CDN.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "axes",
    # django-allauth: sign-up, sign-in, email verification, passwords, sign-in with other providers, MFA.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.mfa",
    "allauth.usersessions",
    "core",
    "accounts",
    "catalog",
    "notifications",
    "authoring",
    "submissions",
    "reviews",
    "awards",
    "coaching",
    "cohorts",
    "pathways",
    "gallery",
    "workflow",
    "api",
    "pages",
    "dbbackup",
    "ops",
    # LTI 1.3 (lti/): launches from an LMS course, deep linking and grades back, with pylti1p3.
    "lti",
    # The OAuth 2.0 authorization server behind the Open Badges 3.0 API (ob3/): authorization code with PKCE.
    "oauth2_provider",
    "ob3",
    # District sign-in (sso/): each district's OpenID Connect or SAML provider, or the platform's Google or Microsoft.
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.microsoft",
    "sso",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # django-csp's, with the policy of the settings built once per process (core/content_policy.py).
    "core.content_policy.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware (Django's order): the language from the cookie or the browser.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user as the person itself, not a lazy stand-in read through a proxy (accounts/sessions.py).
    "accounts.sessions.ResolvedUserMiddleware",
    # A signed-in person's saved language wins over the cookie and the browser (needs request.user).
    "core.locale.UserLanguageMiddleware",
    "accounts.sessions.SessionTimeoutMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Django's messages, for the pages: the API shows none (pages/messages.py).
    "pages.messages.PageMessageMiddleware",
    # Reviewers, issuer admins and staff without a second factor are sent to set one up (accounts/mfa.py).
    "accounts.mfa.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pages.errors.ErrorPageMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "microcred.urls"
WSGI_APPLICATION = "microcred.wsgi.application"
ASGI_APPLICATION = "microcred.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'microcred.sqlite3'}")}
# Each process's own memory (Django's default backend): what is kept there (core/fragments.py) is drawn again
# wherever it is missing, so nothing needs sharing. Room for the public pages and the kept pages of the people
# signed in at one time (a few kB to a few tens of kB each): Django's default of 300 entries would have each new
# person's dashboard push a catalog page out.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 3000}}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
# Our catalogs (locale/<lang>/LC_MESSAGES/django.po, compiled by `manage.py compile_translations` in the install
# step); Django's and the packages' own come with them.
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates per language (microcred/formats/<lang>/formats.py); templates name a format, never a pattern.
FORMAT_MODULE_PATH = ["microcred.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC") or "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Django's two finders, the apps' one leaving out of collectstatic what no page loads (core/staticfiles.py).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "core.staticfiles.UsedAppFilesFinder",
]

# Evidence and other uploads are private: never under a public URL, always through an access-checked view.
MEDIA_STORAGE = env_choice("MEDIA_STORAGE", ["local", "s3"], "local")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "private-media")
if MEDIA_STORAGE == "s3":
    _media: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_required("S3_BUCKET", why="MEDIA_STORAGE=s3 stores files in that bucket"),
            "endpoint_url": env_str("S3_ENDPOINT_URL"),
            "region_name": env_str("S3_REGION"),
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _media = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(MEDIA_ROOT)}}
STORAGES = {
    "default": _media,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Source maps are fetched only by a developer's browser tools. Compressing them (Brotli at its slowest, for the
# plain and the hashed name alike) took most of collectstatic's time in a production setup.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

_email = env_email("EMAIL_URL", "console://")
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
EMAIL_FILE_PATH = _email.file_path
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "microcred <no-reply@microcred.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASK_BACKEND = env_choice("TASK_BACKEND", ["immediate", "database", "dummy"], "immediate")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
        }[TASK_BACKEND],
    }
}

CREDENTIALS_DIR = Path(env_str("CREDENTIALS_DIR") or BASE_DIR / "credentials")
# A participant under 18 needs a parent's or guardian's consent before submitting, on every credential; off,
# only where a definition asks for it (participants.guardian_consent_under_18). accounts/participants.py.
GUARDIAN_CONSENT_UNDER_18 = env_bool("GUARDIAN_CONSENT_UNDER_18", True)

# Requests larger than this are refused before a view reads them; evidence uploads have their own per-field limits.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Sign-in (accounts, allauth, second factors, throttles, districts, the OAuth server) is in signin.py.

# How long evidence files are kept after the decision on the latest attempt that includes them, where a
# definition does not say (its `retention`); `manage.py evidence_retention_purge` deletes them after that.
EVIDENCE_RETENTION_DAYS = env_int("EVIDENCE_RETENTION_DAYS", 365, minimum=1, maximum=36500)

# An educator who deletes their account can cancel within this many days; `manage.py accounts_erase_due` erases
# it after that (workflow/erasure.py). 0 erases at the next run.
ACCOUNT_DELETION_GRACE_DAYS = env_int("ACCOUNT_DELETION_GRACE_DAYS", 14, minimum=0, maximum=365)

# Personal access tokens (api/services.py): a token lives at most this long; without an expiry it gets the default.
API_TOKEN_MAX_DAYS = 365
API_TOKEN_DEFAULT_DAYS = 90

# django-csp: nothing inline and nothing from elsewhere, on every response. htmx is set up for it
# (templates/submissions/_htmx_head.html) and the admin site runs under it unchanged; only the API's Swagger
# page adds data: images, for its stylesheet's icons (api/api.py). tests/browser checks every page against it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
# django-permissions-policy: no page here needs a device or sensor, so none may ask for one.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture",
        "encrypted-media", "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone",
        "midi", "payment", "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip
# WebAuthn, a second factor (allauth.mfa), asks the browser for a security key on this site only.
PERMISSIONS_POLICY["publickey-credentials-get"] = ["self"]
PERMISSIONS_POLICY["publickey-credentials-create"] = ["self"]
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", ["DEBUG", "INFO", "WARNING", "ERROR"], "INFO")},
    # WeasyPrint narrates every rendering step at INFO; only its warnings are worth an operator's attention.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-tasks logs every state change of every task at INFO; failures still come through.
        "django_tasks": {"level": "WARNING"},
    },
}

# --- backups: manage.py backup and restore (ops/), through django-dbbackup ----------------------------------
# Each backup is a folder under BACKUP_DIR holding the database, the evidence files and a manifest. The issuer
# key encryption key is never written into it: keep that apart, and a restore checks it opens every issuer key.
BACKUP_DIR = Path(env_str("BACKUP_DIR") or VAR_DIR / "backups")
# dbbackup's own commands (listbackups, and dbbackup run by hand) use the same folder.
STORAGES["dbbackup"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(BACKUP_DIR)},
}
# dbbackup restores SQLite by writing over the file, which corrupts a WAL database whose -wal file remains;
# ops.sqlite restores through SQLite's backup API instead.
DBBACKUP_CONNECTOR_MAPPING = {
    "django.db.backends.sqlite3": "ops.sqlite.SqliteOnlineBackupConnector",
    "core.backends.sqlite3": "ops.sqlite.SqliteOnlineBackupConnector",
}
# A restore lands on another instance, whose database role may have another name than the one that made the dump.
DBBACKUP_CONNECTORS = {"default": {"PG_OPTIONS": "--no-owner --no-privileges"}}
# Failures surface as the command's own error and exit status, for the scheduler that runs it to report.
DBBACKUP_SEND_EMAIL = False
