"""Where reviewers stand with calibration: the samples in force for a credential's current rubric, each
reviewer's latest result on them, and whether that makes them calibrated (which panel filling asks too).

A reviewer sent back through calibration for a credential (reviews.models.Recalibration) loses every result
recorded up to then on that credential's samples: every read here goes through `counting`, so the roster,
the reviewer's own calibration page and panel eligibility all see them as not calibrated until they score
the samples again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from accounts.models import ReviewerRole, User
from catalog.definition_text import definition_shown
from catalog.models import Credential, CredentialVersion
from core.compiled import CompiledRows
from core.errors import InvalidState
from reviews.anonymise import Redactor
from reviews.calibration import rubric_hash
from reviews.models import CalibrationResult, CalibrationSample, Recalibration
from reviews.selectors.access import Viewer, active_user, active_user_id
from reviews.selectors.reviewer_view import PartView, parts_view, rubric_view


@dataclass(frozen=True)
class CalibrationStatus:
    """Where a reviewer stands with a credential's samples for one rubric."""

    required: bool
    agreement_needed: float
    samples: int
    scored: int
    matches: int
    total: int

    @property
    def agreement(self) -> float:
        return self.matches / self.total if self.total else 0.0

    @property
    def calibrated(self) -> bool:
        if not self.required:
            return True
        return self.samples > 0 and self.scored >= self.samples and self.agreement >= self.agreement_needed


def samples_in_force(credential_id: int, hash_: str) -> QuerySet[CalibrationSample]:
    """The samples a reviewer must score for this rubric (retired ones no longer count)."""
    return CalibrationSample.objects.filter(credential_id=credential_id, rubric_hash=hash_, retired_at__isnull=True)


def counting(results: QuerySet[CalibrationResult]) -> QuerySet[CalibrationResult]:
    """The results that still count: those recorded after the reviewer was last sent back through
    calibration for the sample's credential (all of them for someone never sent back). One subquery, so the
    callers' query counts do not change."""
    return results.filter(
        ~Exists(
            Recalibration.objects.filter(
                reviewer_id=OuterRef("reviewer_id"),
                credential_id=OuterRef("sample__credential_id"),
                sent_at__gte=OuterRef("submitted_at"),
            )
        )
    )


# One reviewer's results for a rubric, oldest first, built once: every calibration sample scored answers where its
# reviewer stands (calibration_status), and building the queries was most of that answer's time.
_SAMPLES_IN_FORCE = CompiledRows(
    lambda credential_id, hash_: samples_in_force(credential_id, hash_).values_list("pk"),
    int,
    str,
)
_RESULTS_OF_ONE = CompiledRows(
    lambda reviewer_id, hash_: (
        counting(CalibrationResult.objects.filter(reviewer_id=reviewer_id, rubric_hash=hash_))
        .order_by("submitted_at", "id")
        .values_list("reviewer_id", "sample_id", "matches", "total")
    ),
    int,
    str,
)


def calibration_by_reviewer(
    *, credential_id: int, hash_: str, reviewer_ids: Iterable[int], required: bool, agreement: float
) -> dict[int, CalibrationStatus]:
    """Each reviewer's calibration for this rubric, in two queries however many reviewers are asked about.

    Calibrated means: a result on every sample in force, and over the latest result on each, at least
    `agreement` of all the criteria scored match the agreed level exactly."""
    ids = list(reviewer_ids)
    # Counts only: a sample's texts and a result's levels are the bulk of their rows, and nothing here reads them.
    samples = {pk for (pk,) in _SAMPLES_IN_FORCE.fetch(credential_id, hash_)}
    latest: dict[tuple[int, int], tuple[int, int]] = {}
    results: Iterable[tuple[int, int, int, int]]
    if len(ids) == 1:
        # Indexed by reviewer and rubric (calibration_result_reviewer); a few rows, kept to the samples in force here.
        results = [row for row in _RESULTS_OF_ONE.fetch(ids[0], hash_) if row[1] in samples]
    else:
        results = (
            counting(CalibrationResult.objects.filter(reviewer_id__in=ids, sample_id__in=samples, rubric_hash=hash_))
            .order_by("submitted_at", "id")
            .values_list("reviewer_id", "sample_id", "matches", "total")
        )
    for reviewer_id, sample_id, matches, total in results:
        latest[(reviewer_id, sample_id)] = (matches, total)  # later rows win
    out = {}
    for reviewer_id in ids:
        mine = [counts for (who, _), counts in latest.items() if who == reviewer_id]
        out[reviewer_id] = CalibrationStatus(
            required=required,
            agreement_needed=agreement,
            samples=len(samples),
            scored=len(mine),
            matches=sum(matches for matches, _ in mine),
            total=sum(total for _, total in mine),
        )
    return out


def calibration_status(*, reviewer: User, credential: Credential, for_rubric: str | None = None) -> CalibrationStatus:
    """The reviewer's calibration for the credential's current rubric (or the rubric with hash `for_rubric`)."""
    version = credential.current_version
    if version is None:
        raise InvalidState(gettext("this credential has no version loaded"))
    spec = version.spec.review_policy.calibration
    hash_ = for_rubric or rubric_hash(version.definition)
    return calibration_by_reviewer(
        credential_id=credential.pk,
        hash_=hash_,
        reviewer_ids=[reviewer.pk],
        required=spec.required,
        agreement=spec.agreement,
    )[reviewer.pk]


@dataclass(frozen=True)
class SampleView:
    id: int
    key: str
    title: str
    draft: bool
    parts: list[PartView]
    evidence_note: str
    my_levels: dict[str, str] | None  # the latest levels this reviewer gave, if any
    matches: int | None
    total: int | None
    agreed: dict[str, str] | None  # shown once the reviewer has scored the sample, to learn from
    rationale: dict[str, str] | None


@dataclass(frozen=True)
class CalibrationView:
    credential: str
    credential_slug: str
    rubric: dict[str, Any]
    samples: list[SampleView]
    status: CalibrationStatus
    calibrated: bool
    agreement: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def credential_get_for_calibration(*, user: Viewer | None, slug: str) -> Credential:
    """A credential the user reviews for (an active reviewer holding a role at its issuer); 404 otherwise."""
    reviewer = active_user(user)
    credential = (
        Credential.objects.select_related("current_version", "issuer")
        .filter(slug=slug, current_version__isnull=False)
        .first()
    )
    if (
        reviewer is None
        or credential is None
        or not ReviewerRole.objects.filter(
            user=reviewer, issuer_id=credential.issuer_id, user__reviewer_profile__is_active=True
        ).exists()
    ):
        raise Http404("no such credential")
    return credential


def calibration_for_reviewer(*, user: Viewer | None, slug: str) -> CalibrationView:
    """The samples in force for the credential's current rubric, with the reviewer's latest result on each."""
    credential = credential_get_for_calibration(user=user, slug=slug)
    reviewer = active_user(user)
    # The access check above passed: a signed-in reviewer, a credential with a version.
    assert reviewer is not None
    assert credential.current_version is not None
    version = credential.current_version
    definition = version.spec
    hash_ = rubric_hash(version.definition)
    samples = list(
        CalibrationSample.objects.filter(credential=credential, rubric_hash=hash_, retired_at__isnull=True).order_by(
            "key"
        )
    )
    latest: dict[int, CalibrationResult] = {}
    for result in counting(CalibrationResult.objects.filter(reviewer=reviewer, sample__in=samples)).order_by(
        "submitted_at", "id"
    ):
        latest[result.sample_id] = result
    nobody = Redactor(User(name="", email="", organisation=""))
    views = []
    for sample in samples:
        mine = latest.get(sample.pk)
        views.append(
            SampleView(
                id=sample.pk,
                key=sample.key,
                title=sample.title,
                draft=sample.draft,
                parts=parts_view(definition, sample.responses, nobody),
                evidence_note=sample.evidence_note,
                my_levels=mine.levels if mine else None,
                matches=mine.matches if mine else None,
                total=mine.total if mine else None,
                agreed=sample.agreed if mine else None,
                rationale=sample.rationale if mine else None,
            )
        )
    status = calibration_status(reviewer=reviewer, credential=credential)
    return CalibrationView(
        credential=credential.title,
        credential_slug=credential.slug,
        rubric=rubric_view(definition_shown(definition)),
        samples=views,
        status=status,
        calibrated=status.calibrated,
        agreement=status.agreement,
    )


def calibration_sample_get(*, user: Viewer | None, slug: str, sample_id: int) -> tuple[Credential, CalibrationSample]:
    credential = credential_get_for_calibration(user=user, slug=slug)
    sample = CalibrationSample.objects.filter(pk=sample_id, credential=credential, retired_at__isnull=True).first()
    if sample is None:
        raise Http404("no such calibration sample")
    return credential, sample


@dataclass(frozen=True)
class ReviewerCredential:
    slug: str
    title: str
    issuer: str
    status: CalibrationStatus


# A version never changes once saved, so each process hashes a version's rubric once: the queue, read on every
# visit, then skips reading the definition (the largest column it would load) altogether. Keyed by the content hash
# too, as catalog.models keeps a version's spec.
_RUBRIC_HASHES: dict[tuple[int, str], str] = {}
_RUBRIC_HASHES_KEPT = 512


def _version_rubric_hash(version: CredentialVersion) -> str:
    key = (version.pk, version.content_hash)
    found = _RUBRIC_HASHES.get(key)
    if found is None:
        if len(_RUBRIC_HASHES) >= _RUBRIC_HASHES_KEPT:
            _RUBRIC_HASHES.clear()
        found = _RUBRIC_HASHES[key] = rubric_hash(version.definition)  # a deferred column: read here, once
    return found


def credentials_for_reviewer(*, user: Viewer | None) -> list[ReviewerCredential]:
    """The published credentials of the issuers the user actively reviews for, each with the user's calibration
    on its current rubric. Three queries however many credentials and results there are: the credentials, the
    samples in force for their rubrics, and the user's results on those samples."""
    uid = active_user_id(user)
    if uid is None:
        return []
    credentials = list(
        Credential.objects.filter(
            issuer__reviewer_roles__user_id=uid,
            issuer__reviewer_roles__user__reviewer_profile__is_active=True,
            current_version__isnull=False,
        )
        .select_related("current_version", "issuer")
        .defer("current_version__definition")
        .distinct()
        .order_by("title", "issuer__name")
    )
    if not credentials:
        return []
    hashes = {c.pk: _version_rubric_hash(c.current_version) for c in credentials if c.current_version}
    in_force: dict[int, set[int]] = {c.pk: set() for c in credentials}
    sample_credential: dict[int, int] = {}
    for sample_id, credential_id, hash_ in CalibrationSample.objects.filter(
        credential_id__in=list(hashes), retired_at__isnull=True
    ).values_list("pk", "credential_id", "rubric_hash"):
        if hashes.get(credential_id) == hash_:
            in_force[credential_id].add(sample_id)
            sample_credential[sample_id] = credential_id
    latest: dict[int, CalibrationResult] = {}
    for result in counting(
        CalibrationResult.objects.filter(reviewer_id=uid, sample_id__in=list(sample_credential))
    ).order_by("submitted_at", "id"):
        latest[result.sample_id] = result  # the latest result on each sample counts, as in calibration_status
    out = []
    for credential in credentials:
        assert credential.current_version is not None
        spec = credential.current_version.spec.review_policy.calibration
        mine = [latest[s] for s in in_force[credential.pk] if s in latest]
        out.append(
            ReviewerCredential(
                slug=credential.slug,
                title=credential.title,
                issuer=credential.issuer.name,
                status=CalibrationStatus(
                    required=spec.required,
                    agreement_needed=spec.agreement,
                    samples=len(in_force[credential.pk]),
                    scored=len(mine),
                    matches=sum(r.matches for r in mine),
                    total=sum(r.total for r in mine),
                ),
            )
        )
    return out
