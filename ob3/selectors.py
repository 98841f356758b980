"""Reads for the OB 3.0 API and the connected-apps page, each for the one earner asking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, RefreshToken

from accounts.models import User
from awards.models import Badge


def credentials_for_earner(*, user: User, since: datetime | None = None) -> QuerySet[Badge]:
    """The earner's credentials, newest first (the index badge_earner_recent serves the order). Revoked ones stay
    in the list, as issued: a backpack learns of the revocation from the status list, as every verifier does.
    Those withdrawn with an erased account have no document left and are not listed."""
    badges = Badge.objects.filter(earner=user).exclude(document_text="")
    if since is not None:
        badges = badges.filter(issued_at__gte=since)
    return badges.order_by("-issued_at", "-id")


def badge_for_earner(*, user: User, uuid: str) -> Badge | None:
    return Badge.objects.filter(earner=user, uuid=uuid).exclude(document_text="").first()


@dataclass
class ConnectedApp:
    application: Application
    scopes: list[str]
    since: datetime


def _live(user: User) -> tuple[QuerySet[AccessToken], QuerySet[RefreshToken]]:
    now = timezone.now()
    return (
        AccessToken.objects.filter(user=user, expires__gt=now),
        RefreshToken.objects.filter(user=user, revoked__isnull=True),
    )


def connected_apps(*, user: User) -> list[ConnectedApp]:
    """The apps that can act for the earner now: those holding a live access token or an unrevoked refresh token."""
    access, refresh = _live(user)
    rows: dict[int, ConnectedApp] = {}
    for token in access.select_related("application").order_by("created"):
        app = rows.setdefault(token.application_id, ConnectedApp(token.application, [], token.created))
        app.scopes.extend(s for s in token.scope.split() if s not in app.scopes)
    for refresh_token in refresh.select_related("application", "access_token").order_by("created"):
        app = rows.setdefault(
            refresh_token.application_id, ConnectedApp(refresh_token.application, [], refresh_token.created)
        )
        granted = refresh_token.access_token.scope.split() if refresh_token.access_token else []
        app.scopes.extend(s for s in granted if s not in app.scopes)
    return sorted(rows.values(), key=lambda a: a.since)


def connected_app_get(*, user: User, client_id: str) -> Application:
    """An app the earner is connected to, or 404: nobody disconnects an app from someone else's account."""
    access, refresh = _live(user)
    ids = set(access.values_list("application_id", flat=True)) | set(refresh.values_list("application_id", flat=True))
    app = Application.objects.filter(client_id=client_id, pk__in=ids).first()
    if app is None:
        raise Http404("no such connected app")
    return app
