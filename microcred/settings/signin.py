"""Sign-in settings: accounts and django-allauth, second factors, django-axes, sessions and throttles, the OAuth 2.0
server behind the Open Badges 3.0 API, and district sign-in. Every deploy-time value through microcred.env, as in
base.py, whose names this module reads."""

from __future__ import annotations

from microcred.env import env_bool, env_int
from microcred.settings.base import PRODUCTION
from ob3.conf import OAUTH2_PROVIDER as OAUTH2_PROVIDER  # a plain dict: importing it loads no app

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Then the network-wide throttle that axes' per-account count cannot be (password spraying).
    "accounts.backends.NetworkThrottleBackend",
    # allauth's in place of Django's ModelBackend, which it extends (permissions, hash upgrades): it also finds a
    # person by email= as allauth asks. Listing both would check a wrong password twice.
    "accounts.backends.AccountBackend",
]
# The first hashes every new password; the rest only verify older hashes, which Django re-hashes with the
# first on their owner's next sign-in. The first also handles every "argon2" hash (accounts/hashers.py), so
# Django's own Argon2 hasher is not listed: its parameters would take over that algorithm name.
PASSWORD_HASHERS = [
    "accounts.hashers.OwaspArgon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "catalog:list"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# --- django-allauth: accounts, email addresses, MFA -------------------------------------------------------
# People sign in with their email address; allauth's EmailAddress is where an address is verified
# (accounts/allauth_adapter.py keeps User.email_verified_at, which the submit guard reads, in step with it).
ACCOUNT_ADAPTER = "accounts.allauth_adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# One address per account, the one people sign in with (User.email); allauth's "add another address" page is
# closed by this, since the submit guard and emails read User.email only.
ACCOUNT_MAX_EMAIL_ADDRESSES = 1
# Optional: an unconfirmed account signs in; what depends on the address (submitting) asks for it.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
# A session lasts SESSION_COOKIE_AGE from its last use (accounts/sessions.py), not until the browser closes.
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_FORMS = {"login": "pages.accounts.auth_forms.SignInForm", "signup": "pages.accounts.auth_forms.SignupForm"}
# django-axes and accounts/throttle.py count sign-ins, sign-ups and resets in the database, exact across
# workers; allauth's own limits live in the cache, per process. Only its count of wrong MFA codes per person
# is kept (it shares the name "login_failed"; the adapter skips it for passwords, which axes counts).
ACCOUNT_RATE_LIMITS = {
    "change_password": None,
    "change_phone": None,
    "manage_email": None,
    "reset_password": None,
    "reauthenticate": "10/m/user",
    "reset_password_from_key": None,
    "signup": None,
    "login": None,
    "request_login_code": None,
    "login_failed": "5/300s/key",
    "confirm_email": None,
    "verify_phone": None,
}
MFA_ADAPTER = "accounts.allauth_adapter.MfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "microcred"
# A phone's clock a little off still signs in: the codes of the 30-second steps either side count too.
MFA_TOTP_TOLERANCE = 1
# WebAuthn needs a secure origin; development serves plain http on 127.0.0.1.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
MFA_PASSKEY_LOGIN_ENABLED = False
# Reviewers, issuer admins and staff must set up a second factor before reaching their pages (accounts/mfa.py).
# On in production; elsewhere off unless set, so `make run`'s demo reviewers sign in with a password alone.
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", PRODUCTION)
USERSESSIONS_TRACK_ACTIVITY = False

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours: a locked account frees itself after 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# allauth authenticates with `email=`, the admin and the test client with `username=`: axes counts either.
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"
AXES_VERBOSE = False

# --- sign-in hardening: sessions, proxies, throttles (the Content-Security-Policy is in base.py) -----------

# A session ends after this long without a request (accounts.sessions keeps a used one alive), and after
# SESSION_ABSOLUTE_AGE however busy it was.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30, minimum=5) * 60
SESSION_ABSOLUTE_AGE = env_int("SESSION_ABSOLUTE_HOURS", 12, minimum=1) * 60 * 60
# Django's database sessions, read by a query compiled once (every signed-in request reads its session first).
SESSION_ENGINE = "accounts.sessions"

# Throttles and django-axes count by client address. Behind a load balancer REMOTE_ADDR is the balancer's
# own, which would make every visitor one; set this to the number of proxies that append to X-Forwarded-For.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_ip"

# accounts/throttle.py: at most `limit` in `window` seconds. A school's staff may share one address, so the
# per-network limits leave room for a workshop signing up together; per-address limits cap the email one
# inbox can be sent.
ACCOUNT_THROTTLES: dict[str, dict[str, int]] = {
    # Different accounts failing to sign in from one network (password spraying); then all sign-in pauses.
    "signin_network": {"limit": env_int("THROTTLE_SIGNIN_ACCOUNTS", 10, minimum=1), "window": 15 * 60},
    "signup_network": {"limit": env_int("THROTTLE_SIGNUPS_PER_HOUR", 30, minimum=1), "window": 60 * 60},
    "signup_address": {"limit": 3, "window": 60 * 60},
    "reset_network": {"limit": env_int("THROTTLE_RESETS_PER_HOUR", 20, minimum=1), "window": 60 * 60},
    "reset_address": {"limit": 3, "window": 60 * 60},
}

# --- Open Badges 3.0 API (ob3/): OAUTH2_PROVIDER, django-oauth-toolkit's settings with their reasons, is ob3/conf.py's
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"  # named: ob3's migration points at it
# Open client registration is anyone's: counted per network, as sign-up is (accounts/throttle.py).
ACCOUNT_THROTTLES["oauth_register_network"] = {"limit": env_int("THROTTLE_REGISTRATIONS_PER_HOUR", 20), "window": 3600}
# A collaborator asked to confirm a planning entry (submissions/services/attestations.py): one address is emailed at
# most 5 times a day whoever asks, and one educator sends at most 30 such requests a day, so nobody is flooded.
ACCOUNT_THROTTLES["attestation_address"] = {"limit": 5, "window": 24 * 3600}
ACCOUNT_THROTTLES["attestation_educator"] = {"limit": 30, "window": 24 * 3600}

# --- district sign-in (sso/): providers are set per district by the platform admin, never here --------------
SOCIALACCOUNT_ADAPTER = "sso.adapter.SocialAccountAdapter"
# A provider's sign-in may find an existing account by email and be connected to it; sso.adapter allows that only
# where the provider verified the address and the account holder verified it here too.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# Sign-in is all microcred asks of a provider: its access tokens are not kept.
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
# DOT warns of any http redirect URI (oauth2_provider.W008); ob3/registration.py accepts http only on a loopback
# address, a native app's redirect (RFC 8252 §7.3), which a wallet on the earner's own computer needs.
SILENCED_SYSTEM_CHECKS = ["oauth2_provider.W008"]
