"""An issuer's exports for its admins: submissions (attempts), scores, decisions, awards (badges) and credit
applications, with the pipeline's filters (a date range, a credential, a version). The reads span submissions,
reviews and awards, so they live here, above all three.

Each export is one query (`values_list` over the joins it needs) read with `.iterator(chunk_size=...)`, so the
rows go out as the database hands them over and the number of queries does not grow with the rows; the writers
in workflow/export_files.py turn them into CSV or XLSX without holding the whole set. Every text cell passes
through `cell_safe`: a spreadsheet would run a cell starting with = + - @ as a formula (OWASP's "CSV
injection"), and an educator's answer or a reviewer's reasoning is text anyone could have typed.

Access: the issuer's own admins and platform admins (reviews.selectors.issuer_get_for_admin); anyone else 404.
The candidate's identity is in the exports: its readers are the issuer's admins, who hold it already; reviewers
are named, as on the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from awards.models import ApplicationStatus, Badge, CreditApplication, Visibility
from catalog.models import Credential, Issuer
from core.errors import FieldError, InvalidInput
from core.spreadsheet import Cell, cell_safe
from reviews.models import Decision, DecisionOutcome, ReviewState, Score
from reviews.selectors import Viewer, issuer_get_for_admin
from submissions.models import Attempt, AttemptStatus

# Rows fetched from the database at a time: big enough that a 10,000-row export is a handful of round trips,
# small enough that the rows held at once stay a few hundred kilobytes.
CHUNK_ROWS = 1000

Row = tuple[Cell, ...]


@dataclass(frozen=True)
class ExportFilters:
    """The pipeline's and dashboard's filters. The date range is inclusive, in the site's time zone, and applies
    to each export's own date (named in `Export.date_label`)."""

    date_from: date | None = None
    date_to: date | None = None
    credential: str | None = None  # a credential's slug
    version: int | None = None  # a version number of that credential (or of any, without one)

    def as_query(self) -> dict[str, str]:
        """The filters as URL parameters, for the download links."""
        out = {}
        if self.date_from:
            out["date_from"] = self.date_from.isoformat()
        if self.date_to:
            out["date_to"] = self.date_to.isoformat()
        if self.credential:
            out["credential"] = self.credential
        if self.version:
            out["version"] = str(self.version)
        return out


def export_filters_check(*, issuer: Issuer, filters: ExportFilters) -> ExportFilters:
    """The filters, refused naming the field when they cannot select anything sensible at this issuer."""
    errors = []
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors.append(FieldError("date_to", gettext("must be on or after the start date; swap the two dates")))
    if filters.credential and not Credential.objects.filter(issuer=issuer, slug=filters.credential).exists():
        errors.append(
            FieldError(
                "credential",
                gettext("is not one of %(name)s's credentials; choose one from the list") % {"name": issuer.name},
            )
        )
    if filters.version is not None and filters.version < 1:
        errors.append(FieldError("version", gettext("must be a version number, 1 or more")))
    if errors:
        raise InvalidInput(errors)
    return filters


def _date_range(field: str, filters: ExportFilters) -> Q:
    q = Q()
    tz = timezone.get_current_timezone()
    if filters.date_from:
        q &= Q(**{f"{field}__gte": datetime.combine(filters.date_from, time.min, tzinfo=tz)})
    if filters.date_to:
        q &= Q(**{f"{field}__lt": datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=tz)})
    return q


def _filtered(
    queryset: QuerySet[Any], *, issuer: Issuer, filters: ExportFilters, credential: str, version: str, date_field: str
) -> QuerySet[Any]:
    """`credential` and `version` are the paths from the row to its credential and its credential version."""
    queryset = queryset.filter(**{f"{credential}__issuer_id": issuer.pk}).filter(_date_range(date_field, filters))
    if filters.credential:
        queryset = queryset.filter(**{f"{credential}__slug": filters.credential})
    if filters.version is not None:
        queryset = queryset.filter(**{f"{version}__number": filters.version})
    return queryset


def _stream(queryset: QuerySet[Any], fields: tuple[str, ...], shape: Callable[[tuple[Any, ...]], Row]) -> Iterator[Row]:
    for values in queryset.values_list(*fields).iterator(chunk_size=CHUNK_ROWS):
        yield tuple(cell_safe(v) for v in shape(values))


def _label(choices: Any, value: str | None) -> str:
    return str(choices(value).label) if value else ""


# ----- the exports ----------------------------------------------------------------------------------------------


def _submissions(issuer: Issuer, filters: ExportFilters) -> Iterator[Row]:
    rows = _filtered(
        Attempt.objects.all(),
        issuer=issuer,
        filters=filters,
        credential="version__credential",
        version="version",
        date_field="submitted_at",
    ).order_by("submitted_at", "pk")
    fields = (
        "pk",
        "submission_id",
        "submission__educator__name",
        "submission__educator__email",
        "version__credential__slug",
        "version__credential__title",
        "version__number",
        "number",
        "status",
        "grade_band",
        "submitted_at",
        "status_changed_at",
        "decision__outcome",
        "decision__decided_at",
    )

    def shape(v: tuple[Any, ...]) -> Row:
        return (
            v[0],
            f"C-{v[1]}",
            *v[2:8],
            _label(AttemptStatus, v[8]),
            *v[9:12],
            _label(DecisionOutcome, v[12]),
            v[13],
        )

    return _stream(rows, fields, shape)


def _scores(issuer: Issuer, filters: ExportFilters) -> Iterator[Row]:
    rows = _filtered(
        Score.objects.filter(review__state=ReviewState.SUBMITTED),
        issuer=issuer,
        filters=filters,
        credential="review__attempt__version__credential",
        version="review__attempt__version",
        date_field="review__submitted_at",
    ).order_by("review__submitted_at", "review_id", "pk")
    fields = (
        "review__attempt_id",
        "review__attempt__submission_id",
        "review__attempt__version__credential__slug",
        "review__attempt__version__number",
        "review__attempt__number",
        "review_id",
        "review__assignment__seat__title",
        "review__reviewer__name",
        "review__reviewer__email",
        "review__submitted_at",
        "criterion",
        "level",
        "reasoning",
        "suggestion",
    )
    return _stream(rows, fields, lambda v: (v[0], f"C-{v[1]}", *v[2:]))


def _decisions(issuer: Issuer, filters: ExportFilters) -> Iterator[Row]:
    rows = _filtered(
        Decision.objects.all(),
        issuer=issuer,
        filters=filters,
        credential="version__credential",
        version="version",
        date_field="decided_at",
    ).order_by("decided_at", "pk")
    fields = (
        "pk",
        "attempt_id",
        "attempt__submission_id",
        "version__credential__slug",
        "version__number",
        "attempt__number",
        "outcome",
        "original_outcome",
        "decided_at",
        "overridden_at",
        "overridden_by__name",
        "override_reason",
    )

    def shape(v: tuple[Any, ...]) -> Row:
        return (v[0], v[1], f"C-{v[2]}", *v[3:6], _label(DecisionOutcome, v[6]), _label(DecisionOutcome, v[7]), *v[8:])

    return _stream(rows, fields, shape)


def _badge_status(revoked_at: datetime | None, valid_until: datetime | None, now: datetime) -> str:
    if revoked_at is not None:
        return "Revoked"
    if valid_until is not None and valid_until <= now:
        return "Expired"
    return "Issued"


def _awards(issuer: Issuer, filters: ExportFilters) -> Iterator[Row]:
    rows = _filtered(
        Badge.objects.all(),
        issuer=issuer,
        filters=filters,
        credential="credential",
        version="version",
        date_field="issued_at",
    ).order_by("issued_at", "pk")
    fields = (
        "uuid",
        "attempt_id",
        "attempt__submission_id",
        "earner__name",
        "earner__email",
        "credential__slug",
        "title",
        "version__number",
        "issued_at",
        "valid_until",
        "revoked_at",
        "revocation_reason",
        "visibility",
    )
    now = timezone.now()

    def shape(v: tuple[Any, ...]) -> Row:
        status = _badge_status(v[10], v[9], now)
        return (str(v[0]), v[1], f"C-{v[2]}", *v[3:10], status, v[10], v[11], _label(Visibility, v[12]).split(":")[0])

    return _stream(rows, fields, shape)


def _credit_applications(issuer: Issuer, filters: ExportFilters) -> Iterator[Row]:
    rows = _filtered(
        CreditApplication.objects.all(),
        issuer=issuer,
        filters=filters,
        credential="badge__credential",
        version="badge__version",
        date_field="submitted_at",
    ).order_by("submitted_at", "pk")
    fields = (
        "pk",
        "badge__uuid",
        "earner__name",
        "earner__email",
        "badge__credential__slug",
        "badge__version__number",
        "partner__name",
        "credits",
        "fee_usd",
        "status",
        "submitted_at",
        "decided_at",
    )
    return _stream(rows, fields, lambda v: (v[0], str(v[1]), *v[2:9], _label(ApplicationStatus, v[9]), *v[10:]))


@dataclass(frozen=True)
class Export:
    name: str
    title: Any
    description: Any
    date_label: Any  # which date the range filters (lazy: said in the reader's language)
    headers: tuple[str, ...]
    rows: Callable[[Issuer, ExportFilters], Iterator[Row]]


EXPORTS: dict[str, Export] = {
    e.name: e
    for e in (
        Export(
            "submissions",
            gettext_lazy("Submissions"),
            gettext_lazy("Every attempt: its candidate, credential and version, status and dates, and its decision."),
            pgettext_lazy("export date", "submitted"),
            (
                "attempt_id",
                "candidate",
                "educator_name",
                "educator_email",
                "credential",
                "credential_title",
                "version",
                "attempt_number",
                "status",
                "grade_band",
                "submitted_at",
                "status_changed_at",
                "decision",
                "decided_at",
            ),
            _submissions,
        ),
        Export(
            "scores",
            gettext_lazy("Scores"),
            gettext_lazy("Each submitted review's level per criterion, with the reviewer's name and their comments."),
            pgettext_lazy("export date", "review submitted"),
            (
                "attempt_id",
                "candidate",
                "credential",
                "version",
                "attempt_number",
                "review_id",
                "seat",
                "reviewer_name",
                "reviewer_email",
                "review_submitted_at",
                "criterion",
                "level",
                "reasoning",
                "suggestion",
            ),
            _scores,
        ),
        Export(
            "decisions",
            gettext_lazy("Decisions"),
            gettext_lazy("Each decision: the outcome, the outcome first decided, and any override with its reason."),
            pgettext_lazy("export date", "decided"),
            (
                "decision_id",
                "attempt_id",
                "candidate",
                "credential",
                "version",
                "attempt_number",
                "outcome",
                "original_outcome",
                "decided_at",
                "overridden_at",
                "overridden_by",
                "override_reason",
            ),
            _decisions,
        ),
        Export(
            "awards",
            gettext_lazy("Awards"),
            gettext_lazy("Each badge issued: its earner, whether it stands, was revoked or has expired."),
            pgettext_lazy("export date", "issued"),
            (
                "badge_id",
                "attempt_id",
                "candidate",
                "earner_name",
                "earner_email",
                "credential",
                "title",
                "version",
                "issued_at",
                "valid_until",
                "status",
                "revoked_at",
                "revocation_reason",
                "visibility",
            ),
            _awards,
        ),
        Export(
            "credit-applications",
            gettext_lazy("Credit applications"),
            gettext_lazy("The earners' applications for graduate credit with partner universities, and their status."),
            pgettext_lazy("export date", "applied"),
            (
                "application_id",
                "badge_id",
                "earner_name",
                "earner_email",
                "credential",
                "version",
                "partner",
                "credits",
                "fee_usd",
                "status",
                "submitted_at",
                "decided_at",
            ),
            _credit_applications,
        ),
    )
}


@dataclass(frozen=True)
class ExportTable:
    issuer: Issuer
    export: Export
    filters: ExportFilters
    rows: Iterator[Row]  # lazy: the query runs when the first row is read

    @property
    def filename(self) -> str:
        bits = [self.issuer.slug, self.export.name]
        if self.filters.credential:
            bits.append(self.filters.credential)
        if self.filters.version is not None:
            bits.append(f"v{self.filters.version}")
        if self.filters.date_from or self.filters.date_to:
            bits.append(f"{self.filters.date_from or 'start'}-to-{self.filters.date_to or 'now'}")
        return "-".join(bits)


def exports_issuer_get(*, user: Viewer | None, slug: str) -> Issuer:
    """The issuer whose exports this person may read: its admins and platform admins; 404 for anyone else."""
    return issuer_get_for_admin(user=user, slug=slug)


def export_table(*, user: Viewer | None, slug: str, name: str, filters: ExportFilters) -> ExportTable:
    """One export of the issuer, filtered; 404 for anyone but its admins and for an export that does not exist,
    InvalidInput naming the field for filters that do not fit the issuer."""
    issuer = exports_issuer_get(user=user, slug=slug)
    export = EXPORTS.get(name)
    if export is None:
        raise Http404("no such export")
    export_filters_check(issuer=issuer, filters=filters)
    return ExportTable(issuer=issuer, export=export, filters=filters, rows=export.rows(issuer, filters))


def export_credentials(*, issuer: Issuer) -> list[Mapping[str, Any]]:
    """The issuer's credentials (slug and title), for the filter form's choices."""
    return list(Credential.objects.filter(issuer=issuer).order_by("title").values("slug", "title"))
