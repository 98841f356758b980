"""pylti1p3 wired to our database: registrations and deployments from our tables, nonces kept in the database.

pylti1p3 keeps nonces and launch state in a cache it only asks "is this known?", and accepts the same id_token
again once its state is marked valid (so a page reload works). We want neither: a nonce here is a row, checked
while the launch is validated and used up by a conditional UPDATE as its last step, so one id_token is
accepted once across every process, and a launch is never restored from cache.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, cast

import requests
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.registration import Registration
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfAbstract

from core.errors import MicrocredError
from lti.keys import private_pem
from lti.models import LaunchNonce, PlatformDeployment, PlatformRegistration

logger = logging.getLogger(__name__)

NONCE_LIFETIME = timedelta(minutes=10)
# Every call to a platform (its key set, token and grade endpoints) gives up after this many seconds.
PLATFORM_TIMEOUT = 10


class LaunchRefused(MicrocredError):
    """A launch or login initiation that we do not accept; the message says why, for the person launching."""

    status_code = 403


class _TimeoutSession(requests.Session):
    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", PLATFORM_TIMEOUT)
        return super().request(method, url, *args, **kwargs)


def platform_session() -> requests.Session:
    session = _TimeoutSession()
    session.headers["User-Agent"] = "microcred-lti"
    return session


class ToolRegistration(Registration):
    """pylti1p3's registration read from our row; `row` is kept for the views."""

    def __init__(self, row: PlatformRegistration) -> None:
        self.row = row
        self.set_issuer(row.issuer).set_client_id(row.client_id).set_key_set_url(row.key_set_url)
        self.set_auth_token_url(row.auth_token_url).set_auth_login_url(row.auth_login_url)
        self.set_tool_public_key(row.tool_public_key_pem)
        if row.auth_audience:
            self.set_auth_audience(row.auth_audience)

    def get_tool_private_key(self) -> str:
        # Decrypted only when something is signed, never held on the object.
        return private_pem(self.row)

    def get_kid(self) -> str:
        return self.row.tool_kid


class ToolConf(ToolConfAbstract[Any]):
    """Registrations by (issuer, client id); an issuer may have several client ids here."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> ToolRegistration | None:  # type: ignore[override]
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(  # type: ignore[override]
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> ToolRegistration | None:
        rows = PlatformRegistration.objects.filter(issuer=iss, is_active=True)
        if client_id:
            rows = rows.filter(client_id=client_id)
        found = list(rows[:2])
        # Without a client id (login initiation may omit it) the issuer alone must name one registration.
        return ToolRegistration(found[0]) if len(found) == 1 else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return None

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        known = PlatformDeployment.objects.filter(
            registration__issuer=iss,
            registration__client_id=client_id,
            registration__is_active=True,
            deployment_id=deployment_id,
        ).exists()
        return Deployment().set_deployment_id(deployment_id) if known else None


class NonceSessionService(SessionService):
    """Nonces in the database, single use; no launch data or state kept for a later restore."""

    def __init__(self, request: HttpRequest) -> None:
        # pylti1p3's own keeps its data in the Django session, which the platform's cross-site POST does not
        # carry (SameSite=Lax); nothing here needs it.
        self.request = request

    def save_nonce(self, nonce: str) -> None:
        LaunchNonce.objects.create(nonce=nonce, expires_at=timezone.now() + NONCE_LIFETIME)

    def check_nonce(self, nonce: str) -> bool:
        return LaunchNonce.objects.filter(nonce=nonce, used_at__isnull=True, expires_at__gt=timezone.now()).exists()

    def save_launch_data(self, key: str, jwt_body: Any) -> None:
        return None

    def get_launch_data(self, key: str) -> Any:
        return None

    def save_state_params(self, state: str, params: Any) -> None:
        return None

    def get_state_params(self, state: str) -> Any:
        return {}

    def set_state_valid(self, state: str, id_token_hash: str) -> None:
        return None

    def check_state_is_valid(self, state: str, id_token_hash: str) -> bool:
        # Only the state cookie set at login initiation proves the launch belongs to this browser.
        return False


def nonce_use(*, nonce: str) -> bool:
    """Use a nonce up; False when another request already did, or it expired in between."""
    now = timezone.now()
    used = LaunchNonce.objects.filter(nonce=nonce, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    return used == 1


def nonces_purge() -> int:
    """Delete expired nonces; a used nonce is kept until it expires, which is what refuses its replay."""
    deleted, _by_model = LaunchNonce.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


class ToolMessageLaunch(DjangoMessageLaunch):
    def __init__(self, request: HttpRequest) -> None:
        super().__init__(
            request, ToolConf(), session_service=NonceSessionService(request), requests_session=platform_session()
        )
        # PyJWT checks exp, iat and nbf; the audience is checked below against the registration it names.
        self.set_jwt_verify_options(cast(dict[str, bool], {"verify_aud": False, "require": ["exp", "iat"]}))

    def validate_registration(self) -> ToolMessageLaunch:
        super().validate_registration()
        body: dict[str, Any] = dict(self._get_jwt_body())
        audiences = body.get("aud")
        audiences = audiences if isinstance(audiences, list) else [audiences]
        client_id = self.get_client_id()
        if len(audiences) > 1 and body.get("azp") != client_id:
            raise LtiException("azp does not name the client id among several audiences")
        return self

    def save_launch_data(self) -> ToolMessageLaunch:
        if not nonce_use(nonce=str(self._get_jwt_body().get("nonce", ""))):
            raise LtiException("Invalid Nonce")
        return self

    @property
    def registration_row(self) -> PlatformRegistration:
        registration = self._registration
        assert isinstance(registration, ToolRegistration)
        return registration.row

    def claims(self) -> dict[str, Any]:
        return dict(self.get_launch_data())


def launch_url() -> str:
    return settings.SITE_URL + reverse("lti:launch")


def oidc_login_redirect(request: HttpRequest) -> Any:
    """Answer the platform's login initiation: a redirect to its authentication endpoint with a fresh state
    (also set as a cookie) and nonce (kept in the database)."""
    login = DjangoOIDCLogin(request, ToolConf(), session_service=NonceSessionService(request))
    try:
        return login.redirect(launch_url())
    except (OIDCException, LtiException) as error:
        logger.info("LTI login initiation refused: %s", error)
        raise LaunchRefused(
            _("This course link is not set up for microcred: the platform or its client id is not registered here.")
        ) from error


# What each of pylti1p3's refusals means for the person launching, by the start of its message.
_REASONS = {
    "Missing state": "state",
    "State not found": "state",
    "Invalid Nonce": "nonce",
    '"nonce" is empty': "nonce",
    "Registration not found": "registration",
    "Client id not registered": "registration",
    "azp does not name": "registration",
    "Can't decode id_token": "signature",
    "Unable to find public key": "signature",
    "JWT KID not found": "signature",
    "Error during fetch URL": "keyset",
    "Invalid response from": "keyset",
    "Unable to find deployment": "deployment",
}


def refusal_message(error: Exception) -> str:
    reason = next((kind for start, kind in _REASONS.items() if str(error).startswith(start)), "message")
    messages = {
        "state": _(
            "This launch was not started from this browser, or it took too long. Open the link in your course again."
        ),
        "nonce": _("This launch was already used or has expired. Open the link in your course again."),
        "registration": _("This platform is not registered with microcred for the client id this launch names."),
        "signature": _("The platform's signature on this launch could not be verified, or the launch has expired."),
        "keyset": _("The platform's keys could not be fetched to check this launch. Try again in a few minutes."),
        "deployment": _("This deployment of microcred in your platform is not registered here."),
        "message": _("The launch message from your platform is not valid."),
    }
    return messages[reason]


def launch_validate(request: HttpRequest) -> ToolMessageLaunch:
    """A launch whose id_token passed every check, or LaunchRefused naming the reason."""
    launch = ToolMessageLaunch(request)
    try:
        launch.validate()
    except (LtiException, ValueError, TypeError, AttributeError, KeyError) as error:
        # The last four: a body of the wrong shape (a list for a claim, a number for a string) that
        # pylti1p3's validators read without checking.
        logger.info("LTI launch refused: %s", error)
        raise LaunchRefused(refusal_message(error)) from error
    return launch
