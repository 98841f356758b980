"""core.compiled refuses a query that would freeze a moment at its first build, and keeps running its keys."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from accounts.models import User
from core.compiled import CompiledModels, CompiledRows
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_datetime_parameter_is_refused_when_the_plan_is_made() -> None:
    frozen = CompiledRows(
        lambda uid: Notification.objects.filter(user_id=uid, created_at__lt=timezone.now()).values_list("pk"), int
    )
    with pytest.raises(ValueError, match="frozen"):
        frozen.fetch(1)


def test_a_date_parameter_is_refused_by_a_model_query_too() -> None:
    frozen = CompiledModels(
        lambda uid: Notification.objects.filter(user_id=uid, created_at__date__gte=date.today()), int
    )
    with pytest.raises(ValueError, match="frozen"):
        frozen.all(1)


def test_the_same_plan_runs_each_new_key() -> None:
    first = User.objects.create_user(email="first@example.org", password="x")
    second = User.objects.create_user(email="second@example.org", password="x")
    by_pk = CompiledModels(lambda pk: User._default_manager.filter(pk=pk), int)
    assert [u.pk for u in by_pk.all(first.pk)] == [first.pk]
    assert [u.pk for u in by_pk.all(second.pk)] == [second.pk]
    assert by_pk.one(-1) is None
    emails = CompiledRows(lambda: User.objects.order_by("pk").values_list("email"))
    assert emails.fetch() == [("first@example.org",), ("second@example.org",)]
