"""Starting a submission and saving its draft: every value is checked against its field definition,
nothing is half-saved, and two tabs cannot silently overwrite each other."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from core.errors import Conflict, InvalidInput, InvalidState, NotAllowed
from submissions.errors import StartRefused
from submissions.models import Draft, Status, Submission
from submissions.services import draft_save, submission_start
from submissions.values import HARD_WORD_CAP, FieldErrors, clean_change, word_count
from tests.submissions.helpers import history, portfolio_answers, save, words


def errors_of(excinfo: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {e.field: e.message for e in excinfo.value.errors}


# ----- start --------------------------------------------------------------------------------------


def test_starting_creates_a_draft_on_the_current_version_with_a_started_event(educator, portfolio):
    submission, created = submission_start(educator=educator, credential=portfolio)
    assert created
    assert submission.version == portfolio.current_version
    assert submission.status == Status.STARTED
    assert Draft.objects.get(pk=submission.pk).revision == 0
    assert list(history(submission).values_list("action", "new")) == [("submission.started", "started")]


def test_starting_again_while_one_is_open_is_refused_naming_it(educator, portfolio):
    first, _ = submission_start(educator=educator, credential=portfolio)
    with pytest.raises(StartRefused) as refused:
        submission_start(educator=educator, credential=portfolio)
    assert (refused.value.submission, refused.value.reason, refused.value.status_code) == (first, "open", 409)
    assert refused.value.message == (
        f"You already have a submission in progress for “Practice Portfolio” by North Academy: continue it "
        f"(submission {first.pk}) rather than start another."
    )
    assert Submission.objects.filter(educator=educator).count() == 1


def test_two_educators_each_get_their_own_submission(educator, educator2, portfolio):
    mine, _ = submission_start(educator=educator, credential=portfolio)
    theirs, _ = submission_start(educator=educator2, credential=portfolio)
    assert mine != theirs


def test_it_refuses_to_start_an_unpublished_credential(educator, portfolio):
    portfolio.is_published = False
    portfolio.save()
    with pytest.raises(InvalidState, match="not open"):
        submission_start(educator=educator, credential=portfolio)


# ----- saving -------------------------------------------------------------------------------------


def test_it_saves_every_kind_of_field_and_moves_to_in_progress(draft, educator):
    saved = save(draft, educator, portfolio_answers())
    assert saved.revision == 1
    assert saved.responses["context"]["grade_band"] == "middle_school"
    assert saved.responses["plan"]["plan_elements"] == ["goal", "standards", "questions"]
    assert saved.responses["plan"]["resources"] == ["https://example.org/fractions"]
    entries = saved.responses["plan"]["interactions"]
    assert [e["kind"] for e in entries] == ["peer", "mentor", "network"]
    assert all(len(e["id"]) == 12 for e in entries), "every list entry gets a stable id"
    draft.refresh_from_db()
    assert draft.status == Status.IN_PROGRESS
    assert history(draft, kind="saved").count() == 1
    save(draft, educator, {"plan.lesson_plan": "changed"})
    assert history(draft, kind="saved").count() == 1, "later autosaves are not events"


def test_list_entry_ids_stay_stable_across_saves(draft, educator):
    first = save(draft, educator, {"plan.interactions": [{"kind": "peer"}, {"kind": "mentor"}]})
    ids = [e["id"] for e in first.responses["plan"]["interactions"]]
    entries = [dict(e) for e in first.responses["plan"]["interactions"]]
    entries[1]["with_whom"] = "Coach"
    second = save(draft, educator, {"plan.interactions": entries})
    assert [e["id"] for e in second.responses["plan"]["interactions"]] == ids


def test_null_clears_a_field(draft, educator):
    save(draft, educator, {"context.school_name": "Lincoln"})
    cleared = save(draft, educator, {"context.school_name": None})
    assert "context" not in cleared.responses


def test_saving_identical_values_does_not_bump_the_revision(draft, educator):
    save(draft, educator, {"context.school_name": "Lincoln"})
    again = save(draft, educator, {"context.school_name": "Lincoln"})
    assert again.revision == 1


@pytest.mark.parametrize(
    ("ref", "value", "says"),
    [
        ("context.grade_band", "kindergarten", "not one of the options (primary, middle_school, high_school)"),
        ("context.grade_band", ["primary"], "send option ids"),
        ("context.subjects", ["maths", "history"], "'history' is not one of the options"),
        ("plan.plan_elements", ["goal", "glitter"], "'glitter' is not one of the items"),
        ("plan.delivery_date", "10/03/2025", "enter a date as YYYY-MM-DD"),
        ("plan.delivery_date", "2025-02-30", "is not a real date"),
        ("plan.delivery_date", "1850-01-01", "outside the years 1900 to 2100"),
        ("plan.resources", "javascript:alert(1)", "is not a web address"),
        ("plan.resources", "ftp://files.example/a", "is not a web address"),
        ("plan.resources", ["https://a.example", "https://b.example", "https://c.example"], "at most 2 links"),
        ("context.class_codes", ["ab12cd"], "use six capital letters or digits"),
        ("context.class_codes", ["ABCDEFGH"], "the most is 6"),
        ("context.school_name", 42, "send text"),
        ("plan.lesson_plan", {"html": "<b>"}, "send the answer as text"),
        ("plan.interactions", {"kind": "peer"}, "send a list of entries"),
        ("plan.lesson_files", "plan.pdf", "takes files: upload them as evidence"),
        ("plan.nonsense", "x", "there is no such field"),
        ("planning.narrative", "x", "there is no such field"),
        ("plan", "x", "name a field as part_id.field_id"),
        ("plan.interactions.kind", "peer", "name a field as part_id.field_id"),
    ],
)
def test_it_refuses_a_bad_value_naming_the_field(draft, educator, ref, value, says):
    with pytest.raises(InvalidInput) as excinfo:
        save(draft, educator, {ref: value})
    assert says in errors_of(excinfo)[ref]


def test_it_names_the_list_item_and_entry_at_fault(draft, educator):
    with pytest.raises(InvalidInput) as excinfo:
        save(draft, educator, {"plan.interactions": [{"kind": "peer"}, {"kind": "alien", "colour": "red"}]})
    problems = {(e.field, e.entry) for e in excinfo.value.errors}
    assert problems == {("plan.interactions.kind", 2), ("plan.interactions.colour", 2)}


def test_it_refuses_more_list_entries_than_allowed(draft, educator):
    with pytest.raises(InvalidInput) as excinfo:
        save(draft, educator, {"plan.interactions": [{"kind": "peer"}] * 11})
    assert "at most 10 entries" in errors_of(excinfo)["plan.interactions"]


def test_a_bad_value_refuses_the_whole_save_and_leaves_the_draft_untouched(draft, educator):
    save(draft, educator, {"context.school_name": "Lincoln"})
    with pytest.raises(InvalidInput):
        save(draft, educator, {"context.school_name": "Roosevelt", "context.grade_band": "nope"})
    stored = Draft.objects.get(pk=draft.pk)
    assert stored.responses == {"context": {"school_name": "Lincoln"}}
    assert stored.revision == 1


def test_text_keeps_html_as_plain_text_and_drops_control_characters(draft, educator):
    saved = save(draft, educator, {"plan.lesson_plan": "<script>alert('x')</script>\x00 Fractions\x07\r\nnext\tline"})
    assert saved.responses["plan"]["lesson_plan"] == "<script>alert('x')</script> Fractions\nnext\tline"


def test_short_text_is_kept_on_one_line(draft, educator):
    saved = save(draft, educator, {"context.school_name": "  Lincoln\n  High \x00 "})
    assert saved.responses["context"]["school_name"] == "Lincoln High"


def test_it_refuses_text_with_invalid_unicode(draft, educator):
    with pytest.raises(InvalidInput) as excinfo:
        save(draft, educator, {"plan.lesson_plan": "broken \ud800 text"})
    assert "not valid Unicode" in errors_of(excinfo)["plan.lesson_plan"]


def test_a_50000_word_answer_is_refused_naming_the_field_and_the_limit(draft, educator):
    with pytest.raises(InvalidInput) as excinfo:
        save(draft, educator, {"plan.narrative": " ".join(["word"] * 50_000)})
    message = errors_of(excinfo)["plan.narrative"]
    assert "50,000 words" in message
    assert f"{HARD_WORD_CAP:,}" in message
    assert "at most 60" in message


def test_the_word_cap_holds_for_the_shortest_words(draft, educator):
    # One letter and one space a word: the fewest characters that many words can take.
    saved = save(draft, educator, {"plan.narrative": " ".join(["a"] * HARD_WORD_CAP)})
    assert word_count(saved.responses["plan"]["narrative"]) == HARD_WORD_CAP
    with pytest.raises(InvalidInput) as excinfo:
        save(draft, educator, {"plan.narrative": " ".join(["a"] * (HARD_WORD_CAP + 1))})
    assert f"{HARD_WORD_CAP + 1:,} words" in errors_of(excinfo)["plan.narrative"]


def test_a_text_over_its_own_limit_is_still_saved(draft, educator):
    saved = save(draft, educator, {"plan.narrative": words(80)})
    assert word_count(saved.responses["plan"]["narrative"]) == 80


def test_only_the_owner_may_save(draft, educator2):
    with pytest.raises(NotAllowed):
        draft_save(submission=draft, actor=educator2, base_revision=0, changes={"context.school_name": "X"})


def test_it_refuses_a_revision_from_the_future(draft, educator):
    with pytest.raises(InvalidInput) as excinfo:
        draft_save(submission=draft, actor=educator, base_revision=5, changes={"context.school_name": "X"})
    assert "does not exist yet" in errors_of(excinfo)["base_revision"]


def test_first_written_at_records_when_a_text_first_held_words(draft, educator):
    before = timezone.now()
    save(draft, educator, {"plan.narrative": "first words"})
    first = Draft.objects.get(pk=draft.pk).first_written_at["plan.narrative"]
    save(draft, educator, {"plan.narrative": "second words"})
    stored = Draft.objects.get(pk=draft.pk).first_written_at
    assert stored["plan.narrative"] == first
    assert before - timedelta(seconds=1) <= datetime.fromisoformat(first) <= timezone.now()
    assert "context.school_name" not in stored, "only text fields are tracked"


# ----- self-evaluation ----------------------------------------------------------------------------


def test_it_saves_a_self_evaluation_rating(draft, educator):
    saved = save(draft, educator, ratings={"planning": {"level": "exemplary", "justification": "Three partners."}})
    assert saved.self_evaluation == {"planning": {"level": "exemplary", "justification": "Three partners."}}


@pytest.mark.parametrize(
    ("criterion", "value", "says"),
    [
        ("planning", {"level": "superb"}, "not a level of the rubric"),
        ("planning", {"level": "exemplary", "score": 3}, "send an object with a level and a justification"),
        ("teamwork", {"level": "exemplary"}, "no such rubric element"),
    ],
)
def test_it_refuses_a_bad_rating(draft, educator, criterion, value, says):
    with pytest.raises(InvalidInput) as excinfo:
        save(draft, educator, ratings={criterion: value})
    assert says in errors_of(excinfo)[f"self_evaluation.{criterion}"]


def test_a_credential_without_self_evaluation_refuses_ratings(educator, short_answer):
    submission, _ = submission_start(educator=educator, credential=short_answer)
    with pytest.raises(InvalidInput) as excinfo:
        save(submission, educator, ratings={"answered": {"level": "pass"}})
    assert "no self-evaluation" in errors_of(excinfo)["self_evaluation"]


# ----- two tabs -----------------------------------------------------------------------------------


def test_changes_to_different_fields_from_two_tabs_merge(draft, educator):
    draft_save(submission=draft, actor=educator, base_revision=0, changes={"plan.lesson_plan": "Tab A's plan"})
    # Tab B still thinks the draft is at revision 0 and changes another field: no conflict.
    merged = draft_save(submission=draft, actor=educator, base_revision=0, changes={"plan.narrative": "Tab B"})
    assert merged.revision == 2
    assert merged.responses["plan"] == {"lesson_plan": "Tab A's plan", "narrative": "Tab B"}


def test_a_stale_save_of_the_same_field_is_a_conflict_carrying_both_texts(draft, educator):
    draft_save(submission=draft, actor=educator, base_revision=0, changes={"plan.narrative": "Written in tab A"})
    with pytest.raises(Conflict) as excinfo:
        draft_save(
            submission=draft,
            actor=educator,
            base_revision=0,
            changes={"plan.narrative": "Written in tab B", "context.school_name": "B's school"},
        )
    conflict = excinfo.value
    assert conflict.revision == 1
    assert [(c.field, c.yours, c.theirs) for c in conflict.conflicts] == [
        ("plan.narrative", "Written in tab B", "Written in tab A")
    ]
    stored = Draft.objects.get(pk=draft.pk)
    assert stored.responses == {"plan": {"narrative": "Written in tab A"}}, "nothing of the stale save is stored"
    # Having seen both, tab B saves on top of revision 1 and wins.
    resolved = draft_save(submission=draft, actor=educator, base_revision=1, changes={"plan.narrative": "Merged"})
    assert resolved.responses["plan"]["narrative"] == "Merged"


def test_a_stale_save_of_the_same_value_is_no_conflict(draft, educator):
    draft_save(submission=draft, actor=educator, base_revision=0, changes={"plan.narrative": "Same"})
    same = draft_save(submission=draft, actor=educator, base_revision=0, changes={"plan.narrative": "Same"})
    assert same.revision == 1


def test_a_stale_self_evaluation_is_a_conflict_too(draft, educator):
    draft_save(
        submission=draft,
        actor=educator,
        base_revision=0,
        changes={},
        self_evaluation={"overall": {"level": "exemplary"}},
    )
    with pytest.raises(Conflict) as excinfo:
        draft_save(
            submission=draft,
            actor=educator,
            base_revision=0,
            changes={},
            self_evaluation={"overall": {"level": "developing"}},
        )
    (conflict,) = excinfo.value.conflicts
    assert (conflict.section, conflict.field) == ("self_evaluation", "overall")
    assert conflict.theirs == {"level": "exemplary"}
    assert conflict.yours == {"level": "developing"}


def test_an_endless_single_token_is_refused_by_its_length(draft, educator):
    with pytest.raises(InvalidInput) as excinfo:
        save(draft, educator, {"plan.lesson_plan": "x" * 400_000})
    assert "400,000 characters long" in errors_of(excinfo)["plan.lesson_plan"]


def test_a_value_refused_by_the_cleaner_is_invalid_input_naming_the_field(portfolio):
    # The forms clean values one at a time; an uncaught refusal still answers 422 naming the field.
    with pytest.raises(InvalidInput) as excinfo:
        clean_change(portfolio.current_version.spec, "plan.delivery_date", "2025-02-30")
    assert isinstance(excinfo.value, FieldErrors)
    assert excinfo.value.status_code == 422
    assert errors_of(excinfo) == {"plan.delivery_date": "Date the lesson was delivered: 2025-02-30 is not a real date"}
