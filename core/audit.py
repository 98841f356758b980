"""The one way to write the audit log, and the one way to read a subject's history from it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from django.db import models
from django.db.models import QuerySet

from core.models import AuditEvent


class Actor(Protocol):
    """Whoever acted: the user model, seen from below it (core sits under accounts)."""

    @property
    def pk(self) -> Any: ...


def subject_key(subject: models.Model) -> tuple[str, int]:
    """How the log names an object: its model's name and its key ("attempt", 12)."""
    return subject._meta.model_name or type(subject).__name__.lower(), int(subject.pk)


def audit_record(
    *,
    action: str,
    subject: models.Model,
    actor: Actor | None,
    old: str = "",
    new: str = "",
    data: dict[str, Any] | None = None,
    issuer_id: int | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event, in the caller's transaction: if the change rolls back, so does its record."""
    subject_type, subject_id = subject_key(subject)
    fields: dict[str, Any] = {}
    if at is not None:
        fields["at"] = at
    return AuditEvent.objects.create(
        actor_id=actor.pk if actor is not None else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        issuer_id=issuer_id,
        old=old[:200],
        new=new[:200],
        data=data or {},
        **fields,
    )


def audit_trail(*, subject: models.Model, actions: tuple[str, ...] = ()) -> QuerySet[AuditEvent]:
    """A subject's history, oldest first (optionally only some actions)."""
    subject_type, subject_id = subject_key(subject)
    rows = AuditEvent.objects.filter(subject_type=subject_type, subject_id=subject_id)
    if actions:
        rows = rows.filter(action__in=actions)
    return rows.select_related("actor").order_by("at", "id")
