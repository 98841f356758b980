"""Reads of the certified examples gallery, each with its access check (404 for anyone not entitled).

Whether an entry is public is decided on every read, from the entry, its badge and its earner together
(`_public`): published by the issuer, not withdrawn, the badge not revoked (account erasure revokes it too), the
earner's account open, and, for a participant under 18, their guardian's consent to sharing still recorded. So a
withdrawal, a revocation or an account closed for deletion takes the page down on the very next request: nothing
about an entry is cached, and its pages are sent `Cache-Control: private, no-store` so no shared cache keeps one.

What an entry shows is the attempt as reviewers see it, built with the reviewer view's own building blocks
(`reviews.selectors.reviewer_view.parts_view` with `reviews.anonymise.Redactor`), less everything that may hold
student data: each field the definition marks `contains_student_data` (list entries' marked sub-fields too) is
left out, and so is every file of such a field and every file the educator said holds students' names, faces or
voices (or uploaded before being asked). The files that remain are served only as the reviewer's copies
(metadata stripped, submissions.scrub), never the originals; a file that could not be cleaned is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import AgeBracket, ParticipationConsent, User
from awards.models import Badge
from awards.selectors import badge_get_for_earner
from catalog.definition_text import definition_shown
from catalog.models import Credential, Issuer
from catalog.schema import FILE_TYPES, CredentialDefinition, ItemField, ListField, SubmissionField
from catalog.selectors import credential_get_published
from gallery.models import Curation, GalleryEntry
from reviews.anonymise import Redactor
from reviews.selectors.reviewer_view import parts_view
from reviews.selectors.roster import issuer_get_for_admin
from submissions.models import Attempt, Evidence, ReviewerCopy

Viewer = User | AnonymousUser | None

PUBLIC_PAGE_SIZE = 20
CURATION_PAGE_SIZE = 25


def _public() -> Q:
    """The one definition of "shown to the public", as a filter on GalleryEntry."""
    guardian_shares = ParticipationConsent.objects.filter(
        user_id=OuterRef("badge__earner_id"),
        kind=ParticipationConsent.Kind.GUARDIAN,
        status=ParticipationConsent.Status.GIVEN,
        share_outside=True,
    )
    return (
        Q(state=Curation.PUBLISHED, withdrawn_at__isnull=True)
        & Q(badge__revoked_at__isnull=True, badge__earner__is_active=True)
        & (~Q(badge__earner__age_bracket=AgeBracket.TEEN) | Q(Exists(guardian_shares)))
    )


def _curatable() -> Q:
    """Offers an issuer's admins can still act on: consent standing and the badge valid."""
    return Q(withdrawn_at__isnull=True, badge__revoked_at__isnull=True, badge__earner__is_active=True)


@dataclass(frozen=True)
class Page:
    """A page of a list, read one row past its end to know whether another follows (nothing is counted)."""

    object_list: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _page(rows: QuerySet[GalleryEntry], number: int, size: int) -> Page:
    got = list(rows[(number - 1) * size : number * size + 1])
    if number > 1 and not got:
        raise Http404("no such page")
    return Page(got[:size], number, len(got) > size)


# ----- the public ---------------------------------------------------------------------------------------------


def gallery_published() -> QuerySet[GalleryEntry]:
    """Every entry the public sees, for a query the credential page builds once and runs on every view."""
    return GalleryEntry.objects.filter(_public())


def gallery_has_published(*, credential: Credential) -> bool:
    """Whether the credential's gallery shows anything yet (the credential page says so)."""
    return GalleryEntry.objects.filter(_public(), credential=credential).exists()


def gallery_page(*, slug: str, number: int) -> tuple[Credential, Page]:
    """A published credential's gallery, a page at a time, newest published first."""
    credential = credential_get_published(slug=slug).credential
    rows = (
        GalleryEntry.objects.filter(_public(), credential=credential)
        .select_related("badge__attempt", "badge__version")
        .only("id", "decided_at", "badge__attempt__grade_band", "badge__version__number")
        .order_by("-decided_at", "-id")
    )
    return credential, _page(rows, number, PUBLIC_PAGE_SIZE)


def _with_attempt(rows: QuerySet[GalleryEntry]) -> QuerySet[GalleryEntry]:
    return rows.select_related(
        "credential", "issuer", "badge__attempt__version", "badge__attempt__submission__educator", "badge__earner"
    )


def entry_get_public(*, slug: str, entry_id: int) -> GalleryEntry:
    """One published entry of the credential's gallery; 404 the moment it stops being public."""
    entry = _with_attempt(GalleryEntry.objects.filter(_public(), pk=entry_id, credential__slug=slug)).first()
    if entry is None:
        raise Http404("no such example")
    return entry


# ----- the earner ---------------------------------------------------------------------------------------------


def entry_for_earner(*, user: Viewer, uuid: str) -> tuple[Badge, GalleryEntry | None]:
    """The earner's own badge (404 for anyone else) and its gallery entry, if it was ever offered."""
    badge = badge_get_for_earner(user=user, uuid=uuid)
    entry = _with_attempt(GalleryEntry.objects.filter(badge=badge)).first()
    return badge, entry


def entry_state_for_earner(*, user: Viewer, badge: Badge) -> GalleryEntry | None:
    """The entry of a badge its earner is looking at (the badge page's panel); None for anyone else."""
    if not isinstance(user, User) or user.pk != badge.earner_id:
        return None
    return GalleryEntry.objects.filter(badge=badge).first()


# ----- the issuer's admins ------------------------------------------------------------------------------------


def entries_for_curation(*, user: Viewer, slug: str, number: int) -> tuple[Issuer, Page]:
    """The issuer's standing offers, waiting ones first then the decided, oldest consent first; for its admins
    and platform admins only (404 for anyone else)."""
    issuer = issuer_get_for_admin(user=user, slug=slug)
    rows = (
        GalleryEntry.objects.filter(_curatable(), issuer=issuer)
        .select_related("credential", "decided_by")
        .alias(decided=Case(When(state=Curation.PENDING, then=Value(0)), default=Value(1)))
        .order_by("decided", "consent_given_at", "id")
    )
    return issuer, _page(rows, number, CURATION_PAGE_SIZE)


def entry_get_for_curation(*, user: Viewer, slug: str, entry_id: int) -> GalleryEntry:
    issuer = issuer_get_for_admin(user=user, slug=slug)
    entry = _with_attempt(GalleryEntry.objects.filter(_curatable(), pk=entry_id, issuer=issuer)).first()
    if entry is None:
        raise Http404("no such example")
    return entry


# ----- what an entry shows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownField:
    ref: str
    spec: SubmissionField
    value: Any


@dataclass(frozen=True)
class ShownPart:
    id: str
    title: str
    fields: list[ShownField]


@dataclass(frozen=True)
class ShownFile:
    evidence_id: int
    number: int  # its place among the entry's shown files, for a neutral download name
    field: str
    label: str
    type: str
    extension: str
    size: int


@dataclass(frozen=True)
class Showcase:
    """Exactly what the public page of an entry shows, and what the issuer previews before publishing."""

    entry_id: int
    credential: str
    issuer: str
    version: int
    grade_band: str
    earned_at: datetime
    parts: list[ShownPart]
    files: list[ShownFile]
    left_out: list[str]  # labels of the fields left out for holding student data
    files_left_out: int


def _student_data(spec: SubmissionField | ItemField) -> bool:
    return bool(getattr(spec, "contains_student_data", False))


def _without_student_data(definition: CredentialDefinition, responses: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in definition.parts:
        answers = dict(responses.get(part.id) or {})
        for spec in part.fields:
            if _student_data(spec):
                answers.pop(spec.id, None)
            elif isinstance(spec, ListField) and isinstance(answers.get(spec.id), list):
                hidden = {item.id for item in spec.item_fields if _student_data(item)}
                answers[spec.id] = [
                    {k: v for k, v in entry.items() if k not in hidden} if isinstance(entry, dict) else entry
                    for entry in answers[spec.id]
                ]
        out[part.id] = answers
    return out


def _shown_spec(spec: SubmissionField) -> SubmissionField:
    if isinstance(spec, ListField) and any(_student_data(item) for item in spec.item_fields):
        kept = [item for item in spec.item_fields if not _student_data(item)]
        return spec.model_copy(update={"item_fields": kept})
    return spec


def _left_out(definition: CredentialDefinition) -> list[str]:
    labels: list[str] = []
    for part in definition.parts:
        for spec in part.fields:
            if _student_data(spec):
                labels.append(spec.label)
            elif isinstance(spec, ListField):
                labels.extend(f"{spec.label}: {item.label}" for item in spec.item_fields if _student_data(item))
    return labels


def _files(definition: CredentialDefinition, attempt: Attempt) -> tuple[list[ShownFile], int]:
    marked = {
        f"{part.id}.{spec.id}"
        for part in definition.parts
        for spec in part.fields
        if spec.kind == "file" and _student_data(spec)
    }
    labels = {f"{part.id}.{spec.id}": spec.label for part in definition.parts for spec in part.fields}
    rows = {item.pk: item for item in Evidence.objects.filter(attempts=attempt)}
    shown: list[ShownFile] = []
    counters: dict[str, int] = {}
    left_out = 0
    for item in attempt.evidence_manifest:
        ref = str(item.get("field", ""))
        row = rows.get(int(item["id"]))
        if (
            row is None
            or ref in marked
            or row.student_data is not False  # a yes, or a file older than the question: both count as marked
            or row.reviewer_copy not in (ReviewerCopy.CLEANED, ReviewerCopy.SAME)
            or not row.reviewer_file.name
            or not row.file.name  # deleted under the retention policy or with the account
        ):
            left_out += 1
            continue
        counters[ref] = counters.get(ref, 0) + 1
        kind = row.detected_type
        shown.append(
            ShownFile(
                evidence_id=row.pk,
                number=len(shown) + 1,
                field=ref,
                label=_("%(field)s, file %(number)s (%(type)s)")
                % {"field": labels.get(ref, ref), "number": counters[ref], "type": _(FILE_TYPES.get(kind, kind))},
                type=kind,
                extension={"image": row.detail, "audio": row.detail}.get(kind, kind),
                size=row.size,
            )
        )
    return shown, left_out


def entry_showcase(*, entry: GalleryEntry) -> Showcase:
    """The entry's content, as reviewers saw the attempt, less student data (see the module's docstring)."""
    attempt = entry.badge.attempt
    assert attempt is not None  # a badge is always issued for an attempt
    definition = definition_shown(attempt.version.spec)
    redact = Redactor(attempt.submission.educator)
    responses = _without_student_data(definition, attempt.responses)
    specs = {f"{part.id}.{spec.id}": spec for part in definition.parts for spec in part.fields}
    parts = []
    for part in parts_view(definition, responses, redact):
        fields = [
            ShownField(view.ref, _shown_spec(specs[view.ref]), view.value)
            for view in part.fields
            if view.ref in specs and not _student_data(specs[view.ref])
        ]
        parts.append(ShownPart(part.id, part.title, fields))
    files, files_left_out = _files(definition, attempt)
    return Showcase(
        entry_id=entry.pk,
        credential=definition.title,
        issuer=definition.issuer.name,
        version=attempt.version.number,
        grade_band=attempt.grade_band,
        earned_at=entry.badge.issued_at,
        parts=parts,
        files=files,
        left_out=_left_out(definition),
        files_left_out=files_left_out,
    )


def entry_file(*, entry: GalleryEntry, evidence_id: int) -> tuple[Evidence, ShownFile]:
    """One of the files the entry shows (the reviewer's copy is what is served); 404 for any other."""
    showcase = entry_showcase(entry=entry)
    shown = next((f for f in showcase.files if f.evidence_id == evidence_id), None)
    if shown is None:
        raise Http404("no such file")
    return Evidence.objects.get(pk=evidence_id), shown
