"""A reviewer beyond the definition's `recalibrate_when` is flagged; sent back through calibration (by an admin
or the nightly command) they get no new seat until they pass it again; audited and emailed."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from accounts.models import User
from catalog.loader import credential_load, definition_hash
from catalog.models import Credential
from catalog.schema import CredentialDefinition
from core.errors import InvalidState
from core.models import AuditEvent
from notifications.models import Email, Notification
from reviews.models import Recalibration, Seat
from reviews.selectors import calibration_status, roster_for_admin
from reviews.selectors.reliability import Filters, reliability_for_admin
from reviews.services import reviewer_recalibrate
from tests.reviews.conftest import calibrate
from tests.reviews.helpers import submit_attempt
from tests.reviews.reliability_panels import decided_attempt, level_of, with_threshold


@pytest.fixture
def history(classkick: Credential, ck_panel: dict[str, User], make_user: Callable[..., User]) -> dict[str, User]:
    """Three decided attempts on which Sam gives the lowest level where Sid, Mia and Max give the highest: Sam's
    severity is -3 levels, the others' 0 (the median of the others always includes two highest levels)."""
    with_threshold(classkick, severity_beyond=0.75, min_reviews=3)
    version = classkick.current_version
    assert version is not None
    criteria = [c.id for c in version.spec.rubric.criteria]
    past = make_user("past@example.org", "Past Educator")
    for _ in range(3):
        decided_attempt(
            classkick,
            past,
            {
                person: {c: level_of(version, 1 if key == "sam" else 4) for c in criteria}
                for key, person in ck_panel.items()
            },
        )
    return ck_panel


def _figures(admin: User, credential: Credential) -> dict[str, Any]:
    return {
        r.email: r for r in reliability_for_admin(user=admin, slug=credential.issuer.slug, filters=Filters()).reviewers
    }


def _staff_on_panel(attempt: Any) -> set[str | None]:
    return {
        seat.reviewer.email if seat.reviewer else None
        for seat in Seat.objects.filter(attempt=attempt, kind="issuer_staff").select_related("reviewer")
    }


def test_a_flagged_reviewer_sent_back_gets_no_new_seat_until_they_pass_calibration_again(
    classkick: Credential,
    history: dict[str, User],
    issuer_admin: User,
    educator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    sam = history["sam"]
    figures = _figures(issuer_admin, classkick)
    assert figures[sam.email].flagged
    assert figures[sam.email].flag_severity == pytest.approx(-3.0)
    assert figures[sam.email].flag_reviews == 3
    assert [email for email, r in figures.items() if r.flagged] == [sam.email]

    row = reviewer_recalibrate(
        reviewer=sam, credential=classkick, actor=issuer_admin, severity=-3.0, reviews=3, reason="scores low"
    )

    # Audited, and the reviewer is emailed through the outbox with a link to their calibration.
    event = AuditEvent.objects.get(action="calibration.sent_back")
    assert (event.actor_id, event.issuer_id, event.subject_id) == (issuer_admin.pk, classkick.issuer_id, row.pk)
    assert event.data["credential"] == classkick.slug
    assert event.data["severity"] == -3.0
    email = Email.objects.get(name="reviewer_recalibration")
    assert email.to == sam.email
    assert email.context["url"].endswith(f"/reviews/calibration/{classkick.slug}/")
    # And in their notifications, linking to the same page.
    note = Notification.objects.get(user=sam, kind="reviewer_recalibration")
    assert (note.url, note.email_id) == (f"/reviews/calibration/{classkick.slug}/", email.pk)
    # The existing calibration reads see it with no code of their own: the status, the roster.
    assert not calibration_status(reviewer=sam, credential=classkick).calibrated
    roster = {r.email: r for r in roster_for_admin(user=issuer_admin, slug=classkick.issuer.slug).reviewers}
    assert not roster[sam.email].calibration[0].status.calibrated
    assert roster["sid@classkick.example"].calibration[0].status.calibrated
    # Back on the page: no longer flagged (nothing reviewed since), shown as sent back and not calibrated.
    after = _figures(issuer_admin, classkick)[sam.email]
    assert (after.flagged, after.calibrated, after.sent_back_at) == (False, False, row.sent_at)
    assert after.severity == pytest.approx(-3.0)  # the history is still shown

    # A new attempt: the staff seats go to Sid and one waits, Sam being ineligible.
    attempt = submit_attempt(educator, classkick)
    assert _staff_on_panel(attempt) == {"sid@classkick.example", None}

    # Sam scores the samples again and passes: the waiting seat is theirs.
    with django_capture_on_commit_callbacks(execute=True):
        calibrate(sam, classkick)
    assert calibration_status(reviewer=sam, credential=classkick).calibrated
    assert _staff_on_panel(attempt) == {"sid@classkick.example", sam.email}


def test_sending_back_is_refused_when_it_would_change_nothing(
    classkick: Credential, history: dict[str, User], issuer_admin: User
) -> None:
    sam = history["sam"]
    reviewer_recalibrate(reviewer=sam, credential=classkick, actor=issuer_admin, severity=-3.0, reviews=3)
    with pytest.raises(InvalidState, match="not calibrated for"):
        reviewer_recalibrate(reviewer=sam, credential=classkick, actor=issuer_admin, severity=-3.0, reviews=3)
    assert Recalibration.objects.count() == 1

    assert classkick.current_version is not None
    data = classkick.current_version.spec.model_dump(mode="json", exclude_defaults=True)
    data["review_policy"]["calibration"]["required"] = False
    credential_load(definition=CredentialDefinition.model_validate(data), source_name="optional.yaml")
    classkick.refresh_from_db()
    with pytest.raises(InvalidState, match="does not require calibration"):
        reviewer_recalibrate(reviewer=history["sid"], credential=classkick, actor=issuer_admin, severity=0, reviews=3)


def test_the_nightly_command_sends_back_the_flagged_once(
    classkick: Credential, history: dict[str, User], educators_rising: Credential
) -> None:
    out = StringIO()
    call_command("reviews_recalibrate_flagged", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        f"would send back {classkick.slug}: sam@classkick.example (severity -3.00 over 3 reviews)"
    ]
    assert not Recalibration.objects.exists()

    out = StringIO()
    call_command("reviews_recalibrate_flagged", stdout=out)
    assert "1 sent back" in out.getvalue()
    row = Recalibration.objects.get()
    assert (row.reviewer, row.sent_by, row.reviews) == (history["sam"], None, 3)
    event = AuditEvent.objects.get(action="calibration.sent_back")
    assert event.actor_id is None
    assert event.data["by"] == "nightly command"

    out = StringIO()
    call_command("reviews_recalibrate_flagged", stdout=out)
    assert "0 sent back" in out.getvalue()


def test_the_threshold_is_validated_and_absent_by_default_so_existing_definitions_hash_the_same(
    classkick: Credential,
) -> None:
    assert classkick.current_version is not None
    spec = classkick.current_version.spec
    assert spec.review_policy.calibration.recalibrate_when is None
    assert definition_hash(spec) == classkick.current_version.content_hash
    data = spec.model_dump(mode="json", exclude_defaults=True)
    data["review_policy"]["calibration"] = {"recalibrate_when": {"severity_beyond": 0, "min_reviews": 0}}
    with pytest.raises(ValueError, match="recalibrate_when") as refused:
        CredentialDefinition.model_validate(data)
    text = str(refused.value)
    assert "severity_beyond" in text
    assert "min_reviews" in text
