"""The programs as written, for dates: Educators Rising's educator delivers the lesson and then reflects, so the
delivery date and every planning date have passed by the time they write (`not_after: today`); planning
after the delivery is refused; "should plan at least one to two days before" is advice unless a definition
makes it required."""

from __future__ import annotations

import copy
import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest

from accounts.models import User
from catalog.loader import definition_parse
from catalog.models import Credential
from core.errors import InvalidInput
from submissions.checks import findings_for, is_blocked
from submissions.errors import NotReady
from submissions.models import Draft, Submission
from submissions.services import completeness_check, submission_start
from submissions.services.completeness import draft_state
from submissions.values import clean_change, latest_today
from tests.submissions.helpers import answers_for, required_uploads, save, upload
from workflow.services import attempt_submit

ER_FILE = Path(__file__).resolve().parents[2] / "credentials" / "educators-rising-collaboration.yaml"
DELIVERED = "artifacts.delivered_on"
LOG = "artifacts.planning_log"


@pytest.fixture
def er_draft(educator: User, educators_rising: Credential) -> Submission:
    submission, _ = submission_start(educator=educator, credential=educators_rising)
    definition = submission.version.spec
    save(submission, educator, answers_for(definition))
    for field, name, content in required_uploads(definition):
        upload(submission, educator, field, name, content)
    return submission


def _log(submission: Submission) -> list[dict[str, str]]:
    return copy.deepcopy(Draft.objects.get(pk=submission.pk).responses["artifacts"]["planning_log"])


def _store(submission: Submission, **values: object) -> None:
    """Write values straight into the stored draft, as a draft saved before the rule existed would hold them."""
    draft = Draft.objects.get(pk=submission.pk)
    draft.responses["artifacts"].update(values)
    draft.save()


def test_autosave_refuses_a_delivery_date_after_today_naming_the_field(er_draft, educator):
    future = (latest_today() + timedelta(days=1)).isoformat()
    with pytest.raises(InvalidInput) as refused:
        save(er_draft, educator, {DELIVERED: future})
    (error,) = refused.value.errors
    assert error.field == DELIVERED
    assert error.message.startswith(
        f"Date you delivered the lesson: {future} is after today; enter the date it happened"
    )
    assert Draft.objects.get(pk=er_draft.pk).responses["artifacts"]["delivered_on"] == "2025-03-10"  # kept


def test_autosave_refuses_a_planning_date_after_today_naming_the_list_entry(er_draft, educator):
    log = _log(er_draft)
    log[1]["held_on"] = "2027-01-15"
    with pytest.raises(InvalidInput) as refused:
        save(er_draft, educator, {LOG: log})
    (error,) = refused.value.errors
    assert (error.field, error.entry) == (f"{LOG}.held_on", 2)
    assert error.message.startswith("Planning log, entry 2: Date: 2027-01-15 is after today")


def test_today_anywhere_on_earth_is_accepted_and_the_day_after_is_not(educators_rising):
    definition = educators_rising.current_version.spec
    # An educator east of the server's timezone may already be on the next day: their today is never refused.
    assert clean_change(definition, DELIVERED, latest_today().isoformat()) == latest_today().isoformat()
    with pytest.raises(InvalidInput):
        clean_change(definition, DELIVERED, (latest_today() + timedelta(days=1)).isoformat())


def test_future_planning_and_delivery_dates_stored_anyway_block_the_check_naming_each_field(er_draft, educator):
    # The issue as it was found: a planning log dated in the future and a delivery date in 2027, ordered
    # consistently, passed the completeness check.
    log = _log(er_draft)
    for entry in log:
        entry["held_on"] = "2027-03-01"
    _store(er_draft, delivered_on="2027-03-05", planning_log=log)
    findings = [f for f in completeness_check(submission=er_draft) if f.check == "not_after"]
    assert [(f.severity, f.field, f.entry) for f in findings] == [
        ("blocking", DELIVERED, None),
        *[("blocking", f"{LOG}.held_on", n) for n in range(1, len(log) + 1)],
    ]
    assert findings[0].message.startswith("Date you delivered the lesson: 2027-03-05 is after today")
    assert findings[1].message.startswith("Planning log, entry 1: Date: 2027-03-01 is after today")
    with pytest.raises(NotReady):
        attempt_submit(submission=er_draft, actor=educator)


def test_planning_after_the_delivery_date_blocks_naming_the_entry(er_draft, educator):
    log = _log(er_draft)
    log[2]["held_on"] = "2025-03-11"  # the day after the delivery
    save(er_draft, educator, {LOG: log})
    findings = completeness_check(submission=er_draft)
    (late,) = [f for f in findings if f.check == "planning_before_delivery"]
    assert (late.severity, late.field, late.entry) == ("blocking", f"{LOG}.held_on", 3)
    assert "Planning log, entry 3: Date is 2025-03-11; Date you delivered the lesson is 2025-03-10." in late.message
    assert is_blocked(findings)


def test_planning_only_on_the_delivery_day_is_advice_and_does_not_block(er_draft, educator):
    log = _log(er_draft)
    for entry in log:
        entry["held_on"] = "2025-03-10"
    save(er_draft, educator, {LOG: log})
    findings = completeness_check(submission=er_draft)
    (advice,) = [f for f in findings if f.check == "planning_starts_in_advance"]
    assert advice.severity == "advisory"
    assert advice.message.startswith("The lesson should be planned at least one or two days in advance")
    assert not is_blocked(findings)
    assert attempt_submit(submission=er_draft, actor=educator).number == 1


def test_a_definition_may_make_the_timing_rule_required(er_draft):
    text = ER_FILE.read_text()
    advisory = '    # The program says "should be planned at least one or two days in advance": advice, not a rule.\n'
    advisory += "    severity: advisory\n"
    assert advisory in text
    strict = definition_parse(text.replace(advisory, "    severity: blocking\n"), source=ER_FILE.name)
    state = draft_state(er_draft, Draft.objects.get(pk=er_draft.pk))
    responses = copy.deepcopy(state.responses)
    for entry in responses["artifacts"]["planning_log"]:
        entry["held_on"] = "2025-03-10"
    findings = findings_for(strict, dataclasses.replace(state, responses=responses))
    (rule,) = [f for f in findings if f.check == "planning_starts_in_advance"]
    assert rule.severity == "blocking"
    assert is_blocked(findings)
