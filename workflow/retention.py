"""Retention of evidence after the decision: when each file's time runs out, and deleting it then.

Here because the rule spans rooms: the decisions are reviews', the files and attempts submissions', the
period the definition's (catalog.retention). The rule:
  - a file still in the draft is kept (it may go into the next attempt: "not yet earned" leaves the draft
    open with its files), and so is one in any attempt not decided yet (submitted or in review). A file stays
    marked `in_draft` after its submission is earned, but that draft is closed (`is_open` false) and will not
    be submitted again, so it no longer counts; an override back to "not yet earned" reopens it;
  - otherwise its time runs from the latest decision on an attempt that includes it (a resubmission carries
    files forward, so a file used again counts from the later decision; an override counts from when it was
    made), for the period of that attempt's definition version, the one the educator submitted under;
  - a file only ever in attempts that ended without a decision (withdrawn, returned as incomplete) has no
    decision to count from and is kept.
The daily `manage.py evidence_retention_purge` deletes what has run out through
submissions.evidence_files_delete, which keeps the row's name, type, size and hash and audits the deletion.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.models import CredentialVersion
from catalog.retention import evidence_retention_days
from submissions import services as submissions
from submissions.models import Attempt, AttemptEvidence, AttemptStatus, Evidence
from submissions.selectors import EvidenceDeleted, evidence_deletions

UNDECIDED = frozenset({AttemptStatus.SUBMITTED, AttemptStatus.IN_REVIEW})
DECIDED = frozenset({AttemptStatus.EARNED, AttemptStatus.NOT_YET_EARNED})
_BATCH = 500


@dataclass(frozen=True)
class Retention:
    """When a file's retention runs out: `days` after the decision made at `decided_at` on attempt `attempt_id`."""

    decided_at: datetime
    days: int
    attempt_id: int

    @property
    def delete_at(self) -> datetime:
        return self.decided_at + timedelta(days=self.days)

    @property
    def delete_on(self) -> date:
        return timezone.localdate(self.delete_at)


def evidence_retention(*, evidence_ids: Collection[int]) -> dict[int, Retention]:
    """The retention of each of these files whose time is running (decided, in no open draft and no undecided
    attempt); files still kept open-ended are absent. Deleted files are included: their time ran out."""
    # Per file, each attempt including it: (status, when its decision was last made or overridden, version, id).
    links: dict[int, list[tuple[str, datetime | None, int, int]]] = defaultdict(list)
    rows = (
        AttemptEvidence.objects.filter(evidence_id__in=list(evidence_ids))
        .exclude(evidence__in_draft=True, evidence__submission__is_open=True)
        .values_list(
            "evidence_id",
            "attempt__status",
            "attempt__decision__decided_at",
            "attempt__decision__overridden_at",
            "attempt__version_id",
            "attempt_id",
        )
    )
    for evidence_id, status, decided_at, overridden_at, version_id, attempt_id in rows:
        decision_at = max((t for t in (decided_at, overridden_at) if t is not None), default=None)
        links[evidence_id].append((status, decision_at, version_id, attempt_id))
    versions = {version_id for found in links.values() for _, _, version_id, _ in found}
    days = {v.pk: evidence_retention_days(v.spec) for v in CredentialVersion.objects.filter(pk__in=versions)}
    out: dict[int, Retention] = {}
    for evidence_id, found in links.items():
        if any(status in UNDECIDED for status, *_ in found):
            continue
        decided = [(at, version_id, attempt_id) for _, at, version_id, attempt_id in found if at is not None]
        if not decided:
            continue
        at, version_id, attempt_id = max(decided)
        out[evidence_id] = Retention(decided_at=at, days=days[version_id], attempt_id=attempt_id)
    return out


@dataclass(frozen=True)
class FileRetention:
    """One file of an attempt as its pages show it: deleted (when and why), or when it will be, or neither
    (still in the draft or in an attempt not decided yet)."""

    evidence_id: int
    retention: Retention | None
    deleted: EvidenceDeleted | None


@dataclass(frozen=True)
class AttemptRetention:
    """What an attempt's page says of its evidence files' retention."""

    files: dict[int, FileRetention]
    days: int  # the period of the attempt's definition version
    decided: bool

    @property
    def delete_on(self) -> date | None:
        """The first date one of the attempt's still stored files will be deleted."""
        dates = [f.retention.delete_on for f in self.files.values() if f.retention is not None and f.deleted is None]
        return min(dates, default=None)

    @property
    def dates_differ(self) -> bool:
        dates = {f.retention.delete_on for f in self.files.values() if f.retention is not None and f.deleted is None}
        return len(dates) > 1

    @property
    def mixed(self) -> bool:
        """The files go on different dates (or some have none yet): the pages give each file's date beside it."""
        return self.delete_on is not None and (self.dates_differ or self.kept_longer)

    @property
    def kept_longer(self) -> bool:
        """Some stored files have no date yet: in the draft or in a later attempt not decided yet."""
        return any(f.retention is None and f.deleted is None for f in self.files.values())

    @property
    def all_deleted(self) -> bool:
        return bool(self.files) and all(f.deleted is not None for f in self.files.values())

    def file_notes(self, manifest: list[dict[str, Any]], *, dates: bool = True) -> list[dict[str, Any]]:
        """The attempt's manifest entries with `deleted_on` and `deleted_why` added for deleted files and, with
        `dates`, `delete_on` for the others whose time is running, for the pages."""
        out = []
        for entry in manifest:
            found = self.files.get(entry.get("id", 0))
            extra: dict[str, Any] = {}
            if found is not None and found.deleted is not None:
                extra = {"deleted_on": timezone.localdate(found.deleted.at), "deleted_why": found.deleted.why}
            elif dates and found is not None and found.retention is not None:
                extra = {"delete_on": found.retention.delete_on}
            out.append({**entry, **extra})
        return out


def attempt_retention(*, attempt: Attempt) -> AttemptRetention:
    """The retention of an attempt's evidence files; the caller has already cleared the attempt for its viewer."""
    ids = list(AttemptEvidence.objects.filter(attempt=attempt).values_list("evidence_id", flat=True))
    retention = evidence_retention(evidence_ids=ids)
    deleted = evidence_deletions(evidence_ids=ids)
    return AttemptRetention(
        files={pk: FileRetention(pk, retention.get(pk), deleted.get(pk)) for pk in ids},
        days=evidence_retention_days(attempt.version.spec),
        decided=attempt.status in DECIDED,
    )


# ----- the purge -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Purged:
    """One file the purge deleted (or, in a dry run, would delete)."""

    evidence_id: int
    submission_id: int
    retention: Retention


def _candidates() -> Iterator[list[Evidence]]:
    """Still stored files out of every open draft that some decided attempt includes, in batches by key."""
    last = 0
    while True:
        batch = list(
            Evidence.objects.filter(pk__gt=last, attempts__decision__isnull=False)
            .select_related("submission")
            .exclude(in_draft=True, submission__is_open=True)
            .exclude(file="")
            .distinct()
            .order_by("pk")[:_BATCH]
        )
        if not batch:
            return
        last = batch[-1].pk
        yield batch


def evidence_retention_purge(*, now: datetime | None = None, dry_run: bool = False) -> list[Purged]:
    """Delete every evidence file whose retention has run out by `now`; returns what it deleted (a dry run
    deletes nothing and returns what it would). Each file is looked at again in its own transaction, under
    its submission's lock (the one a resubmission or an override takes), so a file submitted again or a
    decision overridden meanwhile is kept. Running it again deletes nothing more."""
    now = now or timezone.now()
    purged: list[Purged] = []
    for batch in _candidates():
        retention = evidence_retention(evidence_ids=[item.pk for item in batch])
        for item in batch:
            found = retention.get(item.pk)
            if found is None or found.delete_at > now:
                continue
            if dry_run:
                purged.append(Purged(item.pk, item.submission_id, found))
                continue
            with transaction.atomic():
                submissions.submission_lock(submission=item.submission)
                found = evidence_retention(evidence_ids=[item.pk]).get(item.pk)
                if found is None or found.delete_at > now:
                    continue
                deleted = submissions.evidence_files_delete(
                    items=[item],
                    reason=submissions.DeletionReason.RETENTION,
                    data={
                        item.pk: {
                            "attempt": found.attempt_id,
                            "decided_at": found.decided_at.isoformat(),
                            "days": found.days,
                        }
                    },
                )
            if deleted:
                purged.append(Purged(item.pk, item.submission_id, found))
    return purged
