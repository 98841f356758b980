"""A reviewer scores a calibration sample: the result is kept, and becoming calibrated may let waiting
seats be filled (tried after commit). A reviewer whose scoring drifted from their panels is sent back through
calibration (`reviewer_recalibrate`): their results so far stop counting for that credential. Where a reviewer
stands is read by reviews.selectors.calibration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import ReviewerRole, User
from catalog.models import Credential
from core.audit import audit_record
from core.errors import FieldError, InvalidInput, InvalidState, NotAllowed
from notifications.models import NotificationKind
from notifications.services import notification_send
from reviews import links
from reviews.calibration import rubric_hash
from reviews.models import CalibrationResult, CalibrationSample, Recalibration
from reviews.selectors.calibration import CalibrationStatus, calibration_status
from reviews.services.panels import seats_fill_waiting_after_commit


def _reviewer_check(user: User, credential: Credential) -> None:
    if not ReviewerRole.objects.filter(
        user=user, issuer_id=credential.issuer_id, user__reviewer_profile__is_active=True
    ).exists():
        raise NotAllowed(gettext("only an active reviewer for this credential's issuer can calibrate for it"))


def calibration_submit(
    *, reviewer: User, credential: Credential, sample: CalibrationSample, levels: Mapping[str, Any]
) -> tuple[CalibrationResult, CalibrationStatus]:
    """Record the reviewer's levels on one sample; answers the result and where their calibration stands.

    Every criterion of the sample's rubric needs a level of that rubric. Results are kept (a reviewer
    may score a sample again; the latest counts). Becoming calibrated may let waiting seats be filled:
    that is tried after commit."""
    _reviewer_check(reviewer, credential)
    if sample.credential_id != credential.pk or sample.retired_at is not None:
        raise InvalidState(gettext("this calibration sample is not in force for this credential; reload the samples"))
    version = credential.current_version
    if version is None or rubric_hash(version.definition) != sample.rubric_hash:
        raise InvalidState(
            gettext("the credential's rubric has changed since this sample was shown; reload the samples")
        )
    rubric = version.spec.rubric
    level_ids = [level.id for level in rubric.levels]
    errors: list[FieldError] = []
    unknown = [key for key in levels if key not in sample.agreed]
    errors += [FieldError(f"levels.{key}", gettext("is not a criterion of this rubric")) for key in unknown]
    for criterion in rubric.criteria:
        given = levels.get(criterion.id)
        if given in (None, ""):
            errors.append(
                FieldError(
                    f"levels.{criterion.id}",
                    gettext("choose a level for %(title)s") % {"title": criterion.title},
                )
            )
        elif given not in level_ids:
            errors.append(
                FieldError(
                    f"levels.{criterion.id}",
                    gettext("%(given)s is not a level; choose one of %(level_ids)s")
                    % {
                        "given": repr(given),
                        "level_ids": ", ".join(level_ids),
                    },
                )
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


def reviewer_recalibrate(
    *,
    reviewer: User,
    credential: Credential,
    actor: User | None,
    severity: float | None,
    reviews: int,
    reason: str = "",
) -> Recalibration:
    """Send a reviewer back through calibration for this credential: every calibration result they recorded on
    its samples until now stops counting, so panel filling gives them no new seat on it (their open reviews
    stay theirs) until they score the samples again and pass. `severity` and `reviews` are what the
    reliability page judged them on; `actor` None is the nightly command. Audited, and the reviewer is
    emailed a link to their calibration.

    Refused when it would change nothing: calibration is not required for the credential, or the reviewer is
    not calibrated for it now (never, or already sent back and not yet through it again)."""
    version = credential.current_version
    if version is None:
        raise InvalidState(gettext("this credential has no version loaded"))
    who = reviewer.name or reviewer.email
    if not version.spec.review_policy.calibration.required:
        raise InvalidState(
            gettext(
                "%(title)s does not require calibration, so sending %(who)s back would change nothing; "
                "make calibration required in its review policy first"
            )
            % {"title": credential.title, "who": who}
        )
    now = timezone.now()
    with transaction.atomic():
        # Two admins pressing at once would each see the reviewer calibrated; the second row is harmless (it
        # voids the same results), so no lock is taken.
        if not calibration_status(reviewer=reviewer, credential=credential).calibrated:
            raise InvalidState(
                gettext(
                    "%(who)s is not calibrated for %(title)s now, so they already get no new seats on it; "
                    "they will once they pass its calibration"
                )
                % {"who": who, "title": credential.title}
            )
        row = Recalibration.objects.create(
            reviewer=reviewer,
            credential=credential,
            sent_at=now,
            sent_by=actor,
            severity=severity,
            reviews=reviews,
            reason=reason.strip(),
        )
        audit_record(
            action="calibration.sent_back",
            subject=row,
            actor=actor,
            new=reviewer.email,
            data={
                "reviewer": reviewer.pk,
                "credential": credential.slug,
                "severity": round(severity, 3) if severity is not None else None,
                "reviews": reviews,
                "reason": row.reason,
                "by": "admin" if actor is not None else "nightly command",
            },
            issuer_id=credential.issuer_id,
            at=now,
        )
        # In the reviewer's notifications as well as by email: their queue stops filling until they calibrate.
        notification_send(
            user=reviewer,
            kind=NotificationKind.REVIEWER_RECALIBRATION,
            context={
                "credential": credential.title,
                "issuer": credential.issuer.name,
                "severity": f"{abs(severity):.2f}" if severity is not None else "",
                "direction": "lower" if severity is not None and severity < 0 else "higher",
                "reviews": reviews,
            },
            url=links.calibration_path(credential.slug),
        )
    return row
