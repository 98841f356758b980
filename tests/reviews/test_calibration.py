"""Calibration: samples are data files; reviewers must agree with the agreed levels before live work, and
again after the rubric changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import ReviewerRole
from catalog.loader import credential_load, definition_parse
from core.errors import InvalidInput, InvalidState, NotAllowed
from reviews.calibration import (
    CALIBRATION_DIR,
    CalibrationFileError,
    calibration_load,
    calibration_load_dir,
    calibration_parse,
    rubric_hash,
)
from reviews.models import CalibrationResult, CalibrationSample
from reviews.selectors import calibration_status
from reviews.services import calibration_submit
from tests.reviews.conftest import calibrate

MENTOR = ReviewerRole.Kind.MENTOR
CK_FILE = Path(settings.CREDENTIALS_DIR) / "classkick-collaboration.yaml"


def reload_classkick(old: str, new: str) -> None:
    """Load a changed copy of the Classkick definition (a new version), then the calibration files again."""
    text = CK_FILE.read_text()
    assert old in text
    credential_load(definition=definition_parse(text.replace(old, new), source=CK_FILE.name), source_name=CK_FILE.name)
    _loads, errors = calibration_load_dir(settings.CREDENTIALS_DIR / CALIBRATION_DIR)
    assert not errors


def load_text(text: str) -> None:
    calibration_load(spec=calibration_parse(text, source="classkick-collaboration.yaml"), source_name="x.yaml")


def test_both_programs_ship_calibration_samples_marked_as_platform_drafts(samples, classkick, educators_rising):
    assert len(samples["classkick-collaboration"]) == 3
    assert len(samples["educators-rising-collaboration"]) == 2
    for credential in (classkick, educators_rising):
        expected = rubric_hash(credential.current_version.definition)
        criteria = {c.id for c in credential.current_version.spec.rubric.criteria}
        for sample in samples[credential.slug]:
            assert sample.draft
            assert sample.rubric_hash == expected
            assert set(sample.agreed) == criteria


def test_loading_the_same_files_again_changes_nothing(samples):
    loads, errors = calibration_load_dir(settings.CREDENTIALS_DIR / CALIBRATION_DIR)
    assert not errors
    assert [(load.created, load.retired) for load in loads] == [(0, 0), (0, 0)]


def test_a_changed_sample_retires_the_old_one(samples, tmp_path, classkick):
    text = (settings.CREDENTIALS_DIR / CALIBRATION_DIR / "classkick-collaboration.yaml").read_text()
    changed = text.replace(
        "agreed:\n      implementation: accomplished\n      balance: developing",
        "agreed:\n      implementation: accomplished\n      balance: beginning",
    )
    assert changed != text
    (tmp_path / "classkick-collaboration.yaml").write_text(changed)
    loads, errors = calibration_load_dir(tmp_path)
    assert not errors
    assert (loads[0].created, loads[0].retired) == (1, 1)
    live = CalibrationSample.objects.get(credential=classkick, key="shared_lesson_once", retired_at__isnull=True)
    assert live.agreed["balance"] == "beginning"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("balance: developing", "balance: excellent"), "samples[1].agreed.balance: 'excellent' is not a level"),
        (("        grade_band: middle_school", "        band: middle_school"), "samples[1].responses.method.band"),
        (("      evidence: developing\n", ""), "samples[1].agreed: add the agreed level for evidence"),
        (("credential: classkick-collaboration", "credential: classkick-other"), "name the file after"),
        (("  - key: shared_lesson_once", "  - key: Shared Lesson"), "samples.1.key"),
    ],
)
def test_a_bad_calibration_file_is_refused_naming_where(samples, change, problem):
    text = (settings.CREDENTIALS_DIR / CALIBRATION_DIR / "classkick-collaboration.yaml").read_text()
    old, new = change
    assert old in text
    bad = text.replace(old, new, 1)
    with pytest.raises(CalibrationFileError) as refused:
        load_text(bad)
    assert problem in str(refused.value)


def test_a_reviewer_who_matches_the_agreed_levels_is_calibrated(make_reviewer, classkick, samples):
    mia = make_reviewer("mia@mentors.example", MENTOR, classkick, calibrated=False)
    assert not calibration_status(reviewer=mia, credential=classkick).calibrated
    calibrate(mia, classkick)
    status = calibration_status(reviewer=mia, credential=classkick)
    assert (status.calibrated, status.matches, status.total, status.scored) == (True, 12, 12, 3)


@pytest.mark.parametrize(("wrong", "calibrated"), [(2, True), (3, False)])
def test_eighty_percent_exact_agreement_is_the_threshold(make_reviewer, classkick, samples, wrong, calibrated):
    """Classkick: 3 samples x 4 criteria = 12 levels; 10 of 12 (83%) is enough, 9 of 12 (75%) is not."""
    mia = make_reviewer("mia@mentors.example", MENTOR, classkick, calibrated=False)
    calibrate(mia, classkick, wrong=wrong)
    status = calibration_status(reviewer=mia, credential=classkick)
    assert status.matches == 12 - wrong
    assert status.calibrated is calibrated


def test_every_sample_must_be_scored(make_reviewer, classkick, samples):
    mia = make_reviewer("mia@mentors.example", MENTOR, classkick, calibrated=False)
    first, second, _ = samples["classkick-collaboration"]
    for sample in (first, second):
        calibration_submit(reviewer=mia, credential=classkick, sample=sample, levels=sample.agreed)
    status = calibration_status(reviewer=mia, credential=classkick)
    assert (status.agreement, status.scored, status.calibrated) == (1.0, 2, False)


def test_the_latest_result_on_a_sample_counts_and_all_are_kept(make_reviewer, classkick, samples):
    mia = make_reviewer("mia@mentors.example", MENTOR, classkick, calibrated=False)
    calibrate(mia, classkick, wrong=4)
    assert not calibration_status(reviewer=mia, credential=classkick).calibrated
    calibrate(mia, classkick)
    assert calibration_status(reviewer=mia, credential=classkick).calibrated
    assert CalibrationResult.objects.filter(reviewer=mia).count() == 6


def test_a_changed_rubric_asks_for_recalibration(make_reviewer, classkick, samples):
    mia = make_reviewer("mia@mentors.example", MENTOR, classkick)
    old_hash = rubric_hash(classkick.current_version.definition)
    reload_classkick("beginning: Planning is done alone", "beginning: Planning is done alone, without colleagues,")
    classkick.refresh_from_db()
    new_hash = rubric_hash(classkick.current_version.definition)
    assert new_hash != old_hash
    assert CalibrationSample.objects.filter(credential=classkick, rubric_hash=new_hash).count() == 3

    assert not calibration_status(reviewer=mia, credential=classkick).calibrated
    # The results on the old rubric are kept and still say she was calibrated for it.
    assert calibration_status(reviewer=mia, credential=classkick, for_rubric=old_hash).calibrated
    calibrate(mia, classkick)
    assert calibration_status(reviewer=mia, credential=classkick).calibrated


def test_a_new_version_with_the_same_rubric_keeps_calibration(make_reviewer, classkick, samples):
    mia = make_reviewer("mia@mentors.example", MENTOR, classkick)
    before = classkick.current_version_id
    reload_classkick("  Show how you planned assignments", "  Show how you have planned assignments")
    classkick.refresh_from_db()
    assert classkick.current_version_id != before
    assert calibration_status(reviewer=mia, credential=classkick).calibrated


def test_a_calibration_answer_names_each_missing_or_unknown_level(make_reviewer, classkick, samples):
    mia = make_reviewer("mia@mentors.example", MENTOR, classkick, calibrated=False)
    sample = samples["classkick-collaboration"][0]
    with pytest.raises(InvalidInput) as refused:
        calibration_submit(
            reviewer=mia,
            credential=classkick,
            sample=sample,
            levels={"implementation": "stellar", "balance": "exemplary", "analysis": "", "extra": "exemplary"},
        )
    assert {e.field for e in refused.value.errors} == {
        "levels.implementation",
        "levels.analysis",
        "levels.evidence",
        "levels.extra",
    }
    assert not CalibrationResult.objects.exists()


def test_only_a_reviewer_for_the_issuer_can_calibrate(make_reviewer, educators_rising, classkick, samples, educator):
    ola = make_reviewer("ola@educatorsrising.example", MENTOR, educators_rising, calibrated=False)
    sample = samples["classkick-collaboration"][0]
    for someone in (ola, educator):
        with pytest.raises(NotAllowed):
            calibration_submit(reviewer=someone, credential=classkick, sample=sample, levels=sample.agreed)


def test_a_retired_sample_cannot_be_scored(make_reviewer, classkick, samples):
    mia = make_reviewer("mia@mentors.example", MENTOR, classkick, calibrated=False)
    sample = samples["classkick-collaboration"][0]
    reload_classkick("beginning: Planning is done alone", "beginning: Planning is done alone, without colleagues,")
    classkick.refresh_from_db()
    with pytest.raises(InvalidState, match="rubric has changed"):
        calibration_submit(reviewer=mia, credential=classkick, sample=sample, levels=sample.agreed)


def test_a_key_repeated_in_a_calibration_file_is_refused_naming_its_lines():
    # PyYAML would keep the second `title` without a word, and the first sample's text would be lost.
    text = (
        "credential: classkick-collaboration\n"
        "samples:\n"
        "  - key: first\n"
        "    title: One title\n"
        "    title: Another title\n"
    )
    with pytest.raises(CalibrationFileError) as refused:
        calibration_parse(text, source="classkick-collaboration.yaml")
    assert "'title' appears twice" in str(refused.value)
    assert "first on line 4" in str(refused.value)
