from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from api.models import PersonalAccessToken


def tokens_list_for_user(*, user: User) -> QuerySet[PersonalAccessToken]:
    return PersonalAccessToken.objects.filter(user_id=user.pk).order_by("-created_at", "-id")


def token_get_for_user(*, user: User, token_id: int) -> PersonalAccessToken:
    token = PersonalAccessToken.objects.filter(pk=token_id, user_id=user.pk).first()
    if token is None:
        raise Http404("no such token")
    return token
