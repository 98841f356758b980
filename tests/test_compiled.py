"""core.compiled refuses a query that would freeze a moment at its first build, and keeps running its keys."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from core.compiled import CompiledModels, CompiledRows, CompiledUpdate
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


def test_converted_rows_are_what_values_list_gives_on_every_backend() -> None:
    """Datetimes, booleans, nullable columns, an aggregate and a join through the fields' own converters, as the ORM
    gives them: on SQLite the driver hands back text and integers for most of these."""
    from django.db.models import Count

    first = User.objects.create_user(email="first@example.org", password="x", name="First")
    User.objects.create_user(email="second@example.org", password="x", name="Second", is_active=False)
    Notification.objects.create(user=first, kind="attempt_submitted", title="Received")

    def build(uid: int) -> Any:
        return (
            User.objects.filter(pk__gte=uid)
            .annotate(notes=Count("notifications"))
            .order_by("pk")
            .values_list("pk", "email", "is_active", "date_joined", "email_verified_at", "notes")
        )

    rows = CompiledRows(build, int)
    expected = list(build(first.pk))
    assert rows.converted(first.pk) == expected
    assert [type(value) for value in rows.converted(first.pk)[0][2:4]] == [bool, type(timezone.now())]
    assert rows.converted(first.pk)[1][5] == 0
    # The raw rows are the same rows as the driver gives them, and converted later they are the same again.
    raw = rows.fetch(first.pk)
    assert len(raw) == 2
    assert rows.convert(raw) == expected


def test_annotations_are_set_on_the_instances_as_the_orm_sets_them() -> None:
    from django.db.models import Count, Exists, OuterRef

    first = User.objects.create_user(email="first@example.org", password="x")
    Notification.objects.create(user=first, kind="attempt_submitted", title="Received")
    Notification.objects.create(user=first, kind="attempt_submitted", title="Again")

    def build(pk: int) -> Any:
        unread = Notification.objects.filter(user_id=OuterRef("pk"), read_at__isnull=True)
        return User.objects.filter(pk=pk).annotate(notes=Count("notifications"), unread=Exists(unread))

    compiled: CompiledModels[Any] = CompiledModels(build, int)
    found = compiled.one(first.pk)
    expected = build(first.pk).get()
    assert found is not None
    assert (found.notes, found.unread) == (expected.notes, expected.unread) == (2, True)
    Notification.objects.update(read_at=timezone.now())
    again = compiled.one(first.pk)
    assert again is not None
    assert again.unread is False


def test_a_guarded_update_writes_only_where_its_columns_hold_what_was_read() -> None:
    person = User.objects.create_user(email="reader@example.org", password="x")
    other = User.objects.create_user(email="other@example.org", password="x")
    notice = Notification.objects.create(user=person, kind="attempt_submitted", title="Before")
    write = CompiledUpdate(Notification, ("title",), guards=("kind", "user"))
    notice.title = "After"
    # The columns as read: written.
    assert write.run(notice, "attempt_submitted", person.pk) == 1
    assert Notification.objects.get(pk=notice.pk).title == "After"
    # Either column changed since: nothing written, and the plan built for the first call serves the rest.
    notice.title = "Stale"
    assert write.run(notice, "review_assigned", person.pk) == 0
    assert write.run(notice, "attempt_submitted", other.pk) == 0
    assert Notification.objects.get(pk=notice.pk).title == "After"
    with pytest.raises(TypeError, match="one expected value per guard"):
        write.run(notice, "attempt_submitted")


def test_a_json_column_is_refused_as_a_guard() -> None:
    from submissions.models import Draft

    with pytest.raises(ValueError, match="guards on plain columns"):
        CompiledUpdate(Draft, ("revision",), guards=("responses",))
