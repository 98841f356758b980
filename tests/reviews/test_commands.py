"""The management commands a scheduler runs, and the loader of the calibration files."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from reviews.models import Assignment, AssignmentState, CalibrationSample, Seat


def test_load_calibration_samples_loads_both_programs_and_is_idempotent(credentials, capsys):
    call_command("load_calibration_samples")
    out = capsys.readouterr().out
    assert "classkick-collaboration: 3 new samples, 0 retired" in out
    assert "educators-rising-collaboration: 2 new samples, 0 retired" in out
    call_command("load_calibration_samples")
    assert "classkick-collaboration: 0 new samples" in capsys.readouterr().out
    assert CalibrationSample.objects.count() == 5


def test_load_calibration_samples_refuses_a_bad_file_and_names_it(credentials, tmp_path, capsys):
    (tmp_path / "classkick-collaboration.yaml").write_text("credential: classkick-collaboration\nsamples: []\n")
    with pytest.raises(CommandError, match="1 calibration file"):
        call_command("load_calibration_samples", "--dir", str(tmp_path))
    assert "classkick-collaboration.yaml: samples" in capsys.readouterr().err
    assert not CalibrationSample.objects.exists()


def test_reviews_tick_marks_overdue_work(ck_attempt, capsys):
    Assignment.objects.filter(attempt=ck_attempt).update(
        remind_at=timezone.now() - timedelta(days=4), due_at=timezone.now() - timedelta(hours=1)
    )
    call_command("reviews_tick")
    assert "reminded 0, overdue 4, reassigned 0" in capsys.readouterr().out
    assert Assignment.objects.filter(attempt=ck_attempt, overdue_at__isnull=False).count() == 4


def test_reviews_fill_waiting_seats_fills_what_it_can(ck_attempt, capsys, make_reviewer, classkick):
    from accounts.models import ReviewerRole
    from reviews.services import assignment_decline
    from tests.reviews.helpers import open_assignments

    sams = open_assignments(ck_attempt)["sam@classkick.example"]
    assignment_decline(assignment=sams, reviewer=sams.reviewer, reason="On leave")
    call_command("reviews_fill_waiting_seats")
    assert "filled 0 seats" in capsys.readouterr().out
    assert Seat.objects.filter(attempt=ck_attempt, reviewer__isnull=True).count() == 1

    # A new staff reviewer calibrates (the after-commit retry does not run inside a test transaction).
    sue = make_reviewer("sue@classkick.example", ReviewerRole.Kind.ISSUER_STAFF, classkick)
    call_command("reviews_fill_waiting_seats")
    assert "filled 1 seat" in capsys.readouterr().out
    assert Assignment.objects.get(seat=sams.seat_id, state=AssignmentState.OPEN).reviewer == sue
