"""Scoring: autosave against the frozen rubric, the comment rule below the passing level, a final submit,
and what a reviewer can see (the attempt anonymised, their own scores only)."""

from __future__ import annotations

import json

import pytest
from django.http import Http404

from core.errors import InvalidInput, InvalidState, NotAllowed
from reviews.models import AssignmentState, Review, ReviewState
from reviews.selectors import assignments_for_reviewer, attempt_get_for_reviewer
from reviews.services import MIN_COMMENT_WORDS, SaveOrder, review_save
from submissions.models import CopyFinding
from tests.reviews.helpers import IDENTITY_TEXT, open_assignments, scores, submit_attempt
from workflow.services import review_submit


@pytest.fixture
def sams(ck_attempt):
    return open_assignments(ck_attempt)["sam@classkick.example"]


def saved(assignment):
    review = Review.objects.filter(assignment=assignment).first()
    return {s.criterion: (s.level, s.reasoning, s.suggestion) for s in review.scores.all()} if review else {}


def test_autosave_merges_what_is_sent_and_keeps_the_rest(sams):
    review_save(assignment=sams, reviewer=sams.reviewer, scores={"balance": {"level": "developing", "reasoning": "Ha"}})
    review_save(assignment=sams, reviewer=sams.reviewer, scores={"analysis": {"level": "exemplary"}})
    review_save(assignment=sams, reviewer=sams.reviewer, scores={"balance": {"suggestion": "Meet weekly"}})
    assert saved(sams) == {
        "balance": ("developing", "Ha", "Meet weekly"),
        "analysis": ("exemplary", "", ""),
    }
    review_save(assignment=sams, reviewer=sams.reviewer, scores={"analysis": {"level": None}})
    assert saved(sams)["analysis"] == ("", "", "")


def test_a_save_that_arrives_after_a_newer_one_from_the_same_page_changes_nothing(sams):
    me = sams.reviewer
    review_save(assignment=sams, reviewer=me, scores={"balance": {"level": "developing"}}, order=SaveOrder("p1", 1))
    review_save(assignment=sams, reviewer=me, scores={"balance": {"level": "exemplary"}}, order=SaveOrder("p1", 3))
    # Step 2 was sent before step 3 but reached the server after it: it would put back the older level.
    review_save(assignment=sams, reviewer=me, scores={"balance": {"level": None}}, order=SaveOrder("p1", 2))
    assert saved(sams)["balance"][0] == "exemplary"
    review_save(assignment=sams, reviewer=me, scores={"balance": {"level": "beginning"}}, order=SaveOrder("p1", 3))
    assert saved(sams)["balance"][0] == "exemplary"  # the same save twice is applied once

    # Another page (a second tab, or the page drawn again) counts from its own start; the latest page's save wins.
    review_save(assignment=sams, reviewer=me, scores={"balance": {"level": "accomplished"}}, order=SaveOrder("p2", 1))
    assert saved(sams)["balance"][0] == "accomplished"
    # Saves without an order (the API, a final submit with scores) are applied as they come.
    review_save(assignment=sams, reviewer=me, scores={"balance": {"level": "developing"}})
    assert saved(sams)["balance"][0] == "developing"
    with pytest.raises(InvalidInput) as refused:
        review_save(assignment=sams, reviewer=me, scores={"balance": {"level": None}}, order=SaveOrder("p2", -1))
    assert [e.field for e in refused.value.errors] == ["save_step"]
    assert saved(sams)["balance"][0] == "developing"


@pytest.mark.parametrize(
    ("sent", "field", "words"),
    [
        ({"teamwork": {"level": "exemplary"}}, "scores.teamwork", "is not a criterion of this rubric"),
        ({"balance": {"level": "highly_skilled"}}, "scores.balance.level", "is not a level of this rubric"),
        ({"balance": {"level": 3}}, "scores.balance.level", "is not a level of this rubric"),
        ({"balance": {"mark": "A"}}, "scores.balance.mark", "is not a score field"),
        ({"balance": {"reasoning": ["a", "list"]}}, "scores.balance.reasoning", "must be text"),
        ({"balance": {"reasoning": "x" * 5001}}, "scores.balance.reasoning", "keep it under 5000"),
        ({"balance": "exemplary"}, "scores.balance", "send an object"),
    ],
)
def test_bad_scores_are_refused_naming_the_field_and_nothing_is_saved(sams, sent, field, words):
    review_save(assignment=sams, reviewer=sams.reviewer, scores={"analysis": {"level": "exemplary"}})
    with pytest.raises(InvalidInput) as refused:
        review_save(assignment=sams, reviewer=sams.reviewer, scores={**sent, "implementation": {"level": "exemplary"}})
    assert [(e.field, words in e.message) for e in refused.value.errors] == [(field, True)]
    assert saved(sams) == {"analysis": ("exemplary", "", "")}


def test_levels_are_those_of_the_attempts_frozen_rubric(ck_attempt, er_panel, educator2, educators_rising):
    er_attempt = submit_attempt(educator2, educators_rising)
    anns = open_assignments(er_attempt)["ann@assessors.example"]
    with pytest.raises(InvalidInput, match="'exemplary' is not a level"):
        review_save(assignment=anns, reviewer=anns.reviewer, scores={"instructional_context": {"level": "exemplary"}})
    review_save(assignment=anns, reviewer=anns.reviewer, scores={"instructional_context": {"level": "commendable"}})


def test_submitting_names_every_missing_level_and_comment(sams):
    review_save(
        assignment=sams,
        reviewer=sams.reviewer,
        scores={
            "implementation": {"level": "accomplished"},  # passing: no comment needed
            "balance": {"level": "developing", "reasoning": "They only met once.", "suggestion": "Meet"},
        },
    )
    with pytest.raises(InvalidInput) as refused:
        review_submit(assignment=sams, reviewer=sams.reviewer)
    assert [e.field for e in refused.value.errors] == [
        "scores.balance.suggestion",
        "scores.analysis.level",
        "scores.evidence.level",
    ]
    assert refused.value.errors[0].message == (
        f"Balance is rated Developing, below Accomplished: suggest how to improve it in at least "
        f"{MIN_COMMENT_WORDS} words"
    )
    sams.refresh_from_db()
    assert sams.state == AssignmentState.OPEN
    assert Review.objects.get(assignment=sams).state == ReviewState.DRAFT


def test_scores_sent_with_a_refused_submit_are_kept(sams):
    with pytest.raises(InvalidInput):
        review_submit(assignment=sams, reviewer=sams.reviewer, scores={"balance": {"level": "beginning"}})
    assert saved(sams) == {"balance": ("beginning", "", "")}


def test_a_level_below_passing_needs_reasoning_and_a_suggestion(sams, classkick):
    full = scores(classkick, balance="developing")
    full["balance"] = {"level": "developing", "reasoning": "", "suggestion": ""}
    with pytest.raises(InvalidInput) as refused:
        review_submit(assignment=sams, reviewer=sams.reviewer, scores=full)
    assert [e.field for e in refused.value.errors] == ["scores.balance.reasoning", "scores.balance.suggestion"]
    full["balance"] = {
        "level": "developing",
        "reasoning": "Planning was informal and occasional.",
        "suggestion": "Put a weekly planning slot on the calendar.",
    }
    review = review_submit(assignment=sams, reviewer=sams.reviewer, scores=full)
    assert review.state == ReviewState.SUBMITTED


def test_a_submitted_review_is_final(sams, classkick):
    review_submit(assignment=sams, reviewer=sams.reviewer, scores=scores(classkick))
    sams.refresh_from_db()
    assert sams.state == AssignmentState.SUBMITTED
    with pytest.raises(InvalidState, match="can no longer change"):
        review_save(assignment=sams, reviewer=sams.reviewer, scores={"balance": {"level": "beginning"}})
    with pytest.raises(InvalidState):
        review_submit(assignment=sams, reviewer=sams.reviewer, scores=scores(classkick))


def test_only_the_assigned_reviewer_may_score(sams, ck_panel, classkick):
    with pytest.raises(NotAllowed):
        review_save(assignment=sams, reviewer=ck_panel["sid"], scores=scores(classkick))


def test_a_reviewer_never_sees_another_reviewers_scores(ck_attempt, ck_panel, classkick):
    assignments = open_assignments(ck_attempt)
    mias = assignments["mia@mentors.example"]
    review_submit(assignment=mias, reviewer=mias.reviewer, scores=scores(classkick, "exemplary"))
    sams = assignments["sam@classkick.example"]
    review_save(assignment=sams, reviewer=sams.reviewer, scores={"balance": {"level": "accomplished"}})
    view = attempt_get_for_reviewer(user=ck_panel["sam"], assignment_id=sams.pk)
    assert view.my_scores == {"balance": {"level": "accomplished", "reasoning": "", "suggestion": ""}}
    assert "exemplary" not in json.dumps(view.my_scores)
    text = json.dumps(view.as_dict(), default=str)
    assert '"my_review_state": "draft"' in text
    with pytest.raises(Http404):
        attempt_get_for_reviewer(user=ck_panel["sam"], assignment_id=mias.pk)


def test_the_reviewer_sees_the_attempt_without_the_candidates_identity(
    make_reviewer, classkick, samples, educator, educator2, ck_panel, issuer_admin
):
    # Eli's earlier attempt shares Edna's explanation, so a copy finding is recorded on hers.
    shared = IDENTITY_TEXT + " " + " ".join(f"word{i}" for i in range(40))
    submit_attempt(educator2, classkick, changes={"evidence.explanation": shared})
    attempt = submit_attempt(
        educator, classkick, changes={"evidence.explanation": shared, "evidence.balance": IDENTITY_TEXT}
    )
    assert CopyFinding.objects.filter(attempt=attempt).exists()
    sams = open_assignments(attempt)
    assert sams, "the panel is seated"
    _reviewer_email, assignment = next(iter(sams.items()))
    view = attempt_get_for_reviewer(user=assignment.reviewer, assignment_id=assignment.pk)
    text = json.dumps(view.as_dict(), default=str)
    for identity in ("Edna", "Educator", "edna@example.org", "edna", "Lincoln High School", "Lincoln"):
        assert identity not in text, identity
    assert "[name removed]" in text
    assert "evidence.pdf" not in text  # files are labelled by field, never by their name
    assert [e.label for e in view.evidence] == [
        "Evidence of collaboration: lessons, rosters or grades, file 1 (PDF document)"
    ]
    # The generated answers are alike for both educators, so more than the shared explanation overlaps.
    assert ("evidence.explanation", True) in [(f.field, f.overlap > 0.5) for f in view.copy_findings]
    assert [c["id"] for c in view.rubric["criteria"]] == ["implementation", "balance", "analysis", "evidence"]
    assert view.rubric["criteria"][1]["descriptors"][0]["label"] == "Exemplary"
    assert [s["criterion"] for s in view.self_evaluation] == ["implementation", "balance", "analysis", "evidence"]
    balance = next(f for p in view.parts for f in p.fields if f.ref == "evidence.balance")
    assert balance.value.startswith("I am [name removed] and I teach at [school removed]")


def test_the_queue_is_one_query_however_long_it_is(
    make_reviewer, classkick, samples, educator, ck_panel, issuer_admin, django_assert_num_queries, make_user
):
    from django.utils import timezone

    submit_attempt(educator, classkick)
    for n in range(3):
        someone = make_user(f"e{n}@example.org", organisation=f"School {n}", email_verified_at=timezone.now())
        submit_attempt(someone, classkick)
    with django_assert_num_queries(1):
        rows = list(assignments_for_reviewer(user=ck_panel["sam"]))
    assert len(rows) == 4
    assert {getattr(r, "credential_title", None) for r in rows} == {"Collaboration"}
    assert all(getattr(r, "review_state", "?") is None for r in rows)
