"""Inter-rater reliability of an issuer's reviewers, for its admins: how far the panels agree on each
rubric criterion, and which reviewers score consistently above or below their panels.

What is measured, over the decided attempts of one credential (optionally one version, and decisions made
within a date range), counting only the panel seats' submitted reviews (an adjudicator is called in because a
panel disagreed, so their level would weigh the data towards disagreement):

- Krippendorff's alpha per criterion, ordinal metric, by the `krippendorff` package: reviewers are the
  coders, attempts the units, a reviewer who did not score an attempt is a missing value. A level is its
  rank in the attempt's rubric, lowest 1 to highest k (the definitions list levels highest first).
  Undefined where no attempt has two levels ("not enough data") or every level given is the same ("not
  enough variation": agreement cannot be told from chance); never NaN.
- Exact and adjacent agreement per criterion: of all pairs of reviewers on the same attempt, the share
  giving the same level, and the share within one level of each other (exact included).
- Each reviewer's severity: the mean, over every criterion of every attempt they reviewed with at least one
  other panel member, of their level minus the panel's consensus, which is the median of the other panel
  members' levels on that criterion (in levels; below zero they score lower than their panels). Its drift:
  the same mean per calendar month of their review's submission.
- The flag: the definition's `review_policy.calibration.recalibrate_when`, judged only on reviews submitted
  since the reviewer was last sent back through calibration for the credential.

A constant number of queries whatever the number of attempts, reviewers and scores (the scope, the issuer,
the credentials, the versions, the scores, the send-backs, and two for calibration).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import combinations
from typing import Any, Literal

import krippendorff
import numpy as np
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.models import User
from catalog.models import Credential, CredentialVersion, Issuer
from catalog.schema import RecalibrateWhen
from core.errors import FieldError, InvalidInput
from reviews.calibration import rubric_hash
from reviews.models import Recalibration, ReviewState, Score, SeatRole
from reviews.selectors.access import Viewer
from reviews.selectors.calibration import calibration_by_reviewer
from reviews.selectors.roster import issuer_get_for_admin

Reading = Literal["good", "tentative", "low", "not_enough_data", "not_enough_variation"]
Measurement = Literal["nominal", "ordinal", "interval", "ratio"]

# Krippendorff's conventions (Content Analysis, 2004, p. 241): rely on variables with alpha >= .800; consider
# those between .667 and .800 only for tentative conclusions; below .667, the data are not reliable enough.
GOOD = 0.8
TENTATIVE = 2 / 3
LABELS: dict[str, Any] = {
    "good": gettext_lazy("Good"),
    "tentative": gettext_lazy("Tentative"),
    "low": gettext_lazy("Low"),
    "not_enough_data": gettext_lazy("Not enough data"),
    "not_enough_variation": gettext_lazy("Not enough variation"),
}
READINGS: dict[str, Any] = {
    "good": gettext_lazy("Good: reliable enough to rely on (0.8 or more)."),
    "tentative": gettext_lazy("Tentative: good enough for tentative conclusions only (0.667 to 0.8)."),
    "low": gettext_lazy(
        "Low: the panels do not agree reliably (below 0.667); recalibrate, or sharpen the descriptors."
    ),
    "not_enough_data": gettext_lazy("Not enough data: no attempt has two reviewers' levels on this criterion yet."),
    "not_enough_variation": gettext_lazy(
        "Not enough variation: every level given is the same, so agreement cannot be told from chance."
    ),
}


@dataclass(frozen=True)
class Filters:
    credential: str | None = None  # slug; None: the issuer's first credential by title
    version: int | None = None  # version number; None: every version
    decided_from: date | None = None  # decisions made on or after
    decided_to: date | None = None  # decisions made on or before


@dataclass(frozen=True)
class Matrix:
    """The reliability data of one criterion: `values[c][u]` is coder c's level rank on unit u, NaN if none."""

    coders: list[int]  # reviewer ids
    units: list[int]  # attempt ids
    values: np.ndarray
    domain: list[int]  # 1..k, k the most levels any version in scope has


@dataclass(frozen=True)
class CriterionReliability:
    id: str
    title: str
    alpha: float | None
    reading: Reading
    reading_label: str  # a word or two, for a table cell
    reading_text: str
    units: int  # attempts with at least two levels on this criterion
    pairs: int
    exact: float | None
    adjacent: float | None


@dataclass(frozen=True)
class DriftPoint:
    period: str  # YYYY-MM
    severity: float
    scores: int


@dataclass
class ReviewerReliability:
    user_id: int
    name: str
    email: str
    reviews: int = 0  # reviews compared with a consensus
    scores: int = 0  # criterion levels compared
    severity: float | None = None
    drift: list[DriftPoint] = field(default_factory=list)
    flag_reviews: int = 0  # reviews the flag is judged on: those since they were last sent back
    flag_severity: float | None = None
    flagged: bool = False
    sent_back_at: datetime | None = None
    calibrated: bool = True


@dataclass(frozen=True)
class Reliability:
    issuer: Issuer
    credential: Credential | None
    credentials: list[Credential]
    versions: list[int]
    filters: Filters
    attempts: int  # decided attempts in scope with at least one panel review
    criteria: list[CriterionReliability]
    reviewers: list[ReviewerReliability]
    threshold: RecalibrateWhen | None
    calibration_required: bool


# ----- the figures, from a matrix -------------------------------------------------------------------------


def criterion_alpha(matrix: Matrix, *, level_of_measurement: Measurement = "ordinal") -> tuple[float | None, Reading]:
    """Krippendorff's alpha of one criterion's reliability data, or None with the reason it is undefined."""
    values = matrix.values
    if values.size == 0:
        return None, "not_enough_data"
    pairable = values[:, np.count_nonzero(~np.isnan(values), axis=0) >= 2]
    seen = pairable[~np.isnan(pairable)]
    if seen.size == 0:
        return None, "not_enough_data"
    if np.unique(seen).size < 2:
        return None, "not_enough_variation"
    alpha = float(
        krippendorff.alpha(
            reliability_data=values, level_of_measurement=level_of_measurement, value_domain=matrix.domain
        )
    )
    if alpha >= GOOD:
        return alpha, "good"
    return alpha, "tentative" if alpha >= TENTATIVE else "low"


def pair_agreement(matrix: Matrix) -> tuple[int, float | None, float | None]:
    """(pairs, exact, adjacent): over every pair of reviewers on the same unit, the share at the same level
    and the share within one level of each other; None without a pair."""
    pairs = exact = adjacent = 0
    for column in matrix.values.T:
        given = column[~np.isnan(column)]
        for a, b in combinations(given.tolist(), 2):
            pairs += 1
            exact += a == b
            adjacent += abs(a - b) <= 1
    if not pairs:
        return 0, None, None
    return pairs, exact / pairs, adjacent / pairs


# ----- the data, from the database ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    attempt: int
    reviewer: int
    criterion: str
    rank: int
    submitted_at: datetime


def _ranks(versions: Iterable[CredentialVersion]) -> dict[int, dict[str, int]]:
    """Per version, each level's rank: the lowest level 1, the highest k."""
    out = {}
    for version in versions:
        levels = [level.id for level in version.spec.rubric.levels]
        out[version.pk] = {level: len(levels) - index for index, level in enumerate(levels)}
    return out


def _rows(
    credential: Credential, versions: Sequence[CredentialVersion], filters: Filters
) -> tuple[list[_Row], dict[int, tuple[str, str]]]:
    """The panel levels in scope, in one query, and the names of the reviewers who gave them."""
    ranks = _ranks(versions)
    scores = Score.objects.filter(
        review__state=ReviewState.SUBMITTED,
        review__assignment__seat__role=SeatRole.PANEL,
        review__attempt__version__credential=credential,
        review__attempt__decision__isnull=False,
    ).exclude(level="")
    if filters.version is not None:
        scores = scores.filter(review__attempt__version__number=filters.version)
    if filters.decided_from is not None:
        scores = scores.filter(review__attempt__decision__decided_at__date__gte=filters.decided_from)
    if filters.decided_to is not None:
        scores = scores.filter(review__attempt__decision__decided_at__date__lte=filters.decided_to)
    rows: list[_Row] = []
    names: dict[int, tuple[str, str]] = {}
    for attempt, version, reviewer, name, email, submitted_at, criterion, level in scores.values_list(
        "review__attempt_id",
        "review__attempt__version_id",
        "review__reviewer_id",
        "review__reviewer__name",
        "review__reviewer__email",
        "review__submitted_at",
        "criterion",
        "level",
    ).order_by("review__attempt_id", "review__reviewer_id", "id"):
        rank = ranks.get(version, {}).get(level)
        if rank is None or submitted_at is None:  # a level its own rubric lacks, or never submitted: unplaceable
            continue
        rows.append(_Row(attempt, reviewer, criterion, rank, submitted_at))
        names[reviewer] = (name, email)
    return rows, names


def matrices(rows: Sequence[_Row], domain_size: int) -> dict[str, Matrix]:
    """Per criterion, the reviewers x attempts reliability data of the rows."""
    coders = sorted({row.reviewer for row in rows})
    out: dict[str, Matrix] = {}
    by_criterion: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        by_criterion[row.criterion].append(row)
    coder_at = {coder: index for index, coder in enumerate(coders)}
    for criterion, mine in by_criterion.items():
        units = sorted({row.attempt for row in mine})
        unit_at = {unit: index for index, unit in enumerate(units)}
        values = np.full((len(coders), len(units)), np.nan)
        for row in mine:
            values[coder_at[row.reviewer], unit_at[row.attempt]] = row.rank
        out[criterion] = Matrix(coders, units, values, list(range(1, domain_size + 1)))
    return out


def _deviations(rows: Sequence[_Row]) -> list[tuple[_Row, float]]:
    """Each level with its distance from the median of the other panel members' levels on the same criterion
    of the same attempt (none where the reviewer scored it alone)."""
    panel: dict[tuple[int, str], list[_Row]] = defaultdict(list)
    for row in rows:
        panel[(row.attempt, row.criterion)].append(row)
    out = []
    for members in panel.values():
        for row in members:
            others = [other.rank for other in members if other.reviewer != row.reviewer]
            if others:
                out.append((row, row.rank - statistics.median(others)))
    return out


def _severity(deviations: Sequence[tuple[_Row, float]]) -> tuple[int, int, float | None]:
    """(reviews, scores, mean deviation) of some of one reviewer's deviations."""
    if not deviations:
        return 0, 0, None
    return (
        len({row.attempt for row, _ in deviations}),
        len(deviations),
        sum(d for _, d in deviations) / len(deviations),
    )


def _reviewers(
    rows: Sequence[_Row],
    names: dict[int, tuple[str, str]],
    sent_back: dict[int, datetime],
    threshold: RecalibrateWhen | None,
) -> list[ReviewerReliability]:
    mine: dict[int, list[tuple[_Row, float]]] = defaultdict(list)
    for row, deviation in _deviations(rows):
        mine[row.reviewer].append((row, deviation))
    out = []
    here = timezone.get_current_timezone()
    for user_id, (name, email) in names.items():
        person = ReviewerReliability(user_id=user_id, name=name, email=email, sent_back_at=sent_back.get(user_id))
        person.reviews, person.scores, person.severity = _severity(mine[user_id])
        months: dict[str, list[tuple[_Row, float]]] = defaultdict(list)
        for row, deviation in mine[user_id]:
            months[row.submitted_at.astimezone(here).strftime("%Y-%m")].append((row, deviation))
        for period in sorted(months):
            _, count, severity = _severity(months[period])
            assert severity is not None
            person.drift.append(DriftPoint(period=period, severity=severity, scores=count))
        since = person.sent_back_at
        recent = [(row, d) for row, d in mine[user_id] if since is None or row.submitted_at > since]
        person.flag_reviews, _, person.flag_severity = _severity(recent)
        person.flagged = bool(
            threshold is not None
            and person.flag_severity is not None
            and person.flag_reviews >= threshold.min_reviews
            and abs(person.flag_severity) > threshold.severity_beyond
        )
        out.append(person)
    return sorted(out, key=lambda p: (p.name.casefold(), p.email))


def reliability_data(
    *, credential: Credential, filters: Filters
) -> tuple[list[CredentialVersion], list[_Row], dict[int, tuple[str, str]], dict[str, Matrix]]:
    """The credential's versions, the panel levels in scope, their reviewers' names and each criterion's
    matrix. Below the access check: callers pass a credential reliability_for_admin resolved."""
    versions = list(CredentialVersion.objects.filter(credential=credential).order_by("number"))
    rows, names = _rows(credential, versions, filters)
    scoped = [v for v in versions if filters.version is None or v.number == filters.version]
    domain = max((len(v.spec.rubric.levels) for v in scoped), default=2)
    return versions, rows, names, matrices(rows, domain)


def reliability_for_admin(*, user: Viewer | None, slug: str, filters: Filters) -> Reliability:
    """The issuer's reliability figures for one of its credentials (its first by title unless the filters name
    one); 404 for anyone but its own admins and platform admins. A filter that cannot be used (a credential of
    another issuer, a version the credential does not have, To before From) is refused naming it."""
    issuer = issuer_get_for_admin(user=user, slug=slug)
    credentials = list(
        Credential.objects.filter(issuer=issuer, current_version__isnull=False)
        .select_related("current_version")
        .order_by("title", "slug")
    )
    errors = []
    credential = credentials[0] if credentials else None
    if filters.credential is not None:
        credential = next((c for c in credentials if c.slug == filters.credential), None)
        if credential is None:
            names = ", ".join(c.slug for c in credentials) or "none yet"
            errors.append(
                FieldError(
                    "credential",
                    gettext("is not a credential of %(name)s; choose one of: %(names)s")
                    % {"name": issuer.name, "names": names},
                )
            )
    if filters.decided_from and filters.decided_to and filters.decided_from > filters.decided_to:
        errors.append(FieldError("to", gettext("is before From; choose a date on or after it")))
    if errors:
        raise InvalidInput(errors)
    if credential is None:
        return Reliability(issuer, None, credentials, [], filters, 0, [], [], None, False)
    return _figures(issuer, credentials, credential, filters)


def _figures(issuer: Issuer, credentials: list[Credential], credential: Credential, filters: Filters) -> Reliability:
    assert credential.current_version is not None
    current = credential.current_version
    spec = current.spec.review_policy.calibration
    versions, rows, names, by_criterion = reliability_data(credential=credential, filters=filters)
    if filters.version is not None and filters.version not in {v.number for v in versions}:
        numbers = ", ".join(str(v.number) for v in versions)
        raise InvalidInput(
            [
                FieldError(
                    "version",
                    gettext("%(title)s has no version %(version)s; choose one of %(numbers)s")
                    % {"title": credential.title, "version": filters.version, "numbers": numbers},
                )
            ]
        )
    criteria = []
    for criterion in current.spec.rubric.criteria:
        matrix = by_criterion.get(criterion.id)
        reading: Reading
        if matrix is None:
            alpha, reading = None, "not_enough_data"
            pairs, exact, adjacent, units = 0, None, None, 0
        else:
            alpha, reading = criterion_alpha(matrix)
            pairs, exact, adjacent = pair_agreement(matrix)
            units = int(np.count_nonzero(np.count_nonzero(~np.isnan(matrix.values), axis=0) >= 2))
        criteria.append(
            CriterionReliability(
                criterion.id,
                criterion.title,
                alpha,
                reading,
                str(LABELS[reading]),
                str(READINGS[reading]),
                units,
                pairs,
                exact,
                adjacent,
            )
        )
    sent_back = dict(
        Recalibration.objects.filter(credential=credential, reviewer_id__in=list(names))
        .values("reviewer_id")
        .annotate(last=Max("sent_at"))
        .values_list("reviewer_id", "last")
    )
    reviewers = _reviewers(rows, names, sent_back, spec.recalibrate_when)
    if reviewers:
        statuses = calibration_by_reviewer(
            credential_id=credential.pk,
            hash_=rubric_hash(current.definition),
            reviewer_ids=[r.user_id for r in reviewers],
            required=spec.required,
            agreement=spec.agreement,
        )
        for person in reviewers:
            person.calibrated = statuses[person.user_id].calibrated
    return Reliability(
        issuer=issuer,
        credential=credential,
        credentials=credentials,
        versions=[v.number for v in versions],
        filters=filters,
        attempts=len({row.attempt for row in rows}),
        criteria=criteria,
        reviewers=reviewers,
        threshold=spec.recalibrate_when,
        calibration_required=spec.required,
    )


def reviewer_get_for_recalibration(
    *, user: Viewer | None, slug: str, credential_slug: str, reviewer_id: int
) -> tuple[Credential, User, ReviewerReliability]:
    """A reviewer of one of the issuer's credentials with their figures over all its decided attempts, for
    sending them back through calibration; 404 for anyone but the issuer's admins, and for a person with no
    panel review of that credential."""
    try:
        figures = reliability_for_admin(user=user, slug=slug, filters=Filters(credential=credential_slug))
    except InvalidInput:
        raise Http404("no such credential at this issuer") from None
    found = next((r for r in figures.reviewers if r.user_id == reviewer_id), None)
    reviewer = User.objects.filter(pk=reviewer_id).first() if found is not None else None
    if found is None or reviewer is None or figures.credential is None:
        raise Http404("no such reviewer of this credential")
    return figures.credential, reviewer, found


def flagged_for_recalibration(*, credential: Credential) -> list[ReviewerReliability]:
    """The credential's reviewers beyond its definition's `recalibrate_when` who are still calibrated (for the
    nightly command, which has no viewer to check), over all its decided attempts."""
    figures = _figures(credential.issuer, [credential], credential, Filters(credential=credential.slug))
    return [r for r in figures.reviewers if r.flagged and r.calibrated]
