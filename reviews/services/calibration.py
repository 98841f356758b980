"""A reviewer scores a calibration sample: the result is kept, and becoming calibrated may let waiting
seats be filled (tried after commit). Where a reviewer stands is read by reviews.selectors.calibration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import ReviewerRole, User
from catalog.models import Credential
from core.audit import audit_record
from core.errors import FieldError, InvalidInput, InvalidState, NotAllowed
from reviews.calibration import rubric_hash
from reviews.models import CalibrationResult, CalibrationSample
from reviews.selectors.calibration import CalibrationStatus, calibration_status
from reviews.services.panels import seats_fill_waiting_after_commit


def _reviewer_check(user: User, credential: Credential) -> None:
    if not ReviewerRole.objects.filter(
        user=user, issuer_id=credential.issuer_id, user__reviewer_profile__is_active=True
    ).exists():
        raise NotAllowed("only an active reviewer for this credential's issuer can calibrate for it")


def calibration_submit(
    *, reviewer: User, credential: Credential, sample: CalibrationSample, levels: Mapping[str, Any]
) -> tuple[CalibrationResult, CalibrationStatus]:
    """Record the reviewer's levels on one sample; answers the result and where their calibration stands.

    Every criterion of the sample's rubric needs a level of that rubric. Results are kept (a reviewer
    may score a sample again; the latest counts). Becoming calibrated may let waiting seats be filled:
    that is tried after commit."""
    _reviewer_check(reviewer, credential)
    if sample.credential_id != credential.pk or sample.retired_at is not None:
        raise InvalidState("this calibration sample is not in force for this credential; reload the samples")
    version = credential.current_version
    if version is None or rubric_hash(version.definition) != sample.rubric_hash:
        raise InvalidState("the credential's rubric has changed since this sample was shown; reload the samples")
    rubric = version.spec.rubric
    level_ids = [level.id for level in rubric.levels]
    errors: list[FieldError] = []
    unknown = [key for key in levels if key not in sample.agreed]
    errors += [FieldError(f"levels.{key}", "is not a criterion of this rubric") for key in unknown]
    for criterion in rubric.criteria:
        given = levels.get(criterion.id)
        if given in (None, ""):
            errors.append(FieldError(f"levels.{criterion.id}", f"choose a level for {criterion.title}"))
        elif given not in level_ids:
            errors.append(
                FieldError(f"levels.{criterion.id}", f"{given!r} is not a level; choose one of {', '.join(level_ids)}")
            )
    if errors:
        raise InvalidInput(errors)
    clean = {c.id: str(levels[c.id]) for c in rubric.criteria}
    matches = sum(1 for cid, level in clean.items() if sample.agreed.get(cid) == level)
    now = timezone.now()
    with transaction.atomic():
        result = CalibrationResult.objects.create(
            reviewer=reviewer,
            sample=sample,
            rubric_hash=sample.rubric_hash,
            levels=clean,
            matches=matches,
            total=len(clean),
            submitted_at=now,
        )
        audit_record(
            action="calibration.recorded",
            subject=result,
            actor=reviewer,
            data={"sample": sample.key, "credential": credential.slug, "matches": matches, "total": len(clean)},
            issuer_id=credential.issuer_id,
            at=now,
        )
        status = calibration_status(reviewer=reviewer, credential=credential, for_rubric=sample.rubric_hash)
        if status.calibrated:
            seats_fill_waiting_after_commit()
    return result, status
