"""The reviews API by persona: who may read and do what, the anonymity of what reviewers get, and flat
query counts on the lists."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.models import AssignmentState, Decision
from tests.reviews.helpers import IDENTITY_TEXT, open_assignments, review, scores, submit_attempt
from tests.submissions.api_client import as_session, as_token

API = "/api/v1/reviews"


@pytest.fixture
def attempt(educator, classkick, ck_panel, issuer_admin, unassigned, other_staff):
    return submit_attempt(educator, classkick, changes={"evidence.balance": IDENTITY_TEXT})


@pytest.fixture
def sams(attempt):
    return open_assignments(attempt)["sam@classkick.example"]


def no_identity(text: str, educator) -> None:
    for identity in (educator.name, educator.email, educator.organisation, "Edna", "Lincoln", "edna@"):
        assert identity not in text, identity


def decide(attempt, classkick, **overrides):
    for assignment in open_assignments(attempt).values():
        review(assignment, classkick, **overrides)
    return Decision.objects.get(attempt=attempt)


# ----- reviewers -------------------------------------------------------------------------------------------


def test_a_reviewer_lists_their_queue_and_nothing_names_the_candidate(sams, ck_panel, educator):
    response = as_session(ck_panel["sam"]).get(f"{API}/assignments")
    assert response.status_code == 200
    [row] = response.json()["items"]
    assert (row["id"], row["credential"], row["state"], row["attempt_number"]) == (sams.pk, "Collaboration", "open", 1)
    no_identity(response.content.decode(), educator)


@pytest.mark.parametrize("who", ["unassigned", "other_staff", "educator", "issuer_admin", "other_issuer_admin"])
def test_people_without_the_assignment_have_an_empty_queue(sams, who, request):
    response = as_session(request.getfixturevalue(who)).get(f"{API}/assignments")
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_the_queue_refuses_anonymous_requests(sams):
    assert as_session(None).get(f"{API}/assignments").status_code == 401


def test_the_assigned_reviewer_reads_the_attempt_anonymised_with_a_token_too(sams, ck_panel, educator):
    for client in (as_session(ck_panel["sam"]), as_token(ck_panel["sam"])):
        response = client.get(f"{API}/assignments/{sams.pk}")
        assert response.status_code == 200
        body = response.json()
        assert body["credential"] == "Collaboration"
        assert [c["id"] for c in body["rubric"]["criteria"]] == ["implementation", "balance", "analysis", "evidence"]
        assert body["my_scores"] == {}
        no_identity(response.content.decode(), educator)
        assert "[name removed]" in response.content.decode()


@pytest.mark.parametrize(
    "who", ["unassigned", "other_staff", "educator", "educator2", "issuer_admin", "other_issuer_admin", None]
)
def test_nobody_else_can_open_an_assignment_or_score_it_or_decline_it(sams, who, request, classkick):
    user = request.getfixturevalue(who) if who else None
    client = as_session(user)
    assert client.get(f"{API}/assignments/{sams.pk}").status_code == 404
    assert client.get(f"{API}/assignments/{sams.pk}/review").status_code == 404
    assert client.patch(f"{API}/assignments/{sams.pk}/review", {"scores": scores(classkick)}).status_code == 404
    assert client.post(f"{API}/assignments/{sams.pk}/review/submit", {}).status_code == 404
    assert client.post(f"{API}/assignments/{sams.pk}/decline", {"reason": "mine"}).status_code == 404
    sams.refresh_from_db()
    assert sams.state == AssignmentState.OPEN


def test_scores_are_saved_refused_and_submitted_through_the_api(sams, ck_panel, classkick):
    sam = as_session(ck_panel["sam"])
    saved = sam.patch(f"{API}/assignments/{sams.pk}/review", {"scores": {"balance": {"level": "developing"}}})
    assert saved.status_code == 200
    assert saved.json()["scores"]["balance"]["level"] == "developing"
    assert {p["field"] for p in saved.json()["problems"]} >= {"scores.balance.reasoning", "scores.analysis.level"}

    bad = sam.patch(f"{API}/assignments/{sams.pk}/review", {"scores": {"balance": {"level": "superb"}}})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "scores.balance.level"

    unknown_key = sam.patch(f"{API}/assignments/{sams.pk}/review", {"scores": {}, "grade": "A"})
    assert unknown_key.status_code == 422

    early = sam.post(f"{API}/assignments/{sams.pk}/review/submit", {})
    assert early.status_code == 422
    assert "scores.balance.reasoning" in {e["field"] for e in early.json()["errors"]}

    done = sam.post(f"{API}/assignments/{sams.pk}/review/submit", {"scores": scores(classkick)})
    assert done.status_code == 200
    assert done.json()["state"] == "submitted"
    assert sam.patch(f"{API}/assignments/{sams.pk}/review", {"scores": scores(classkick)}).status_code == 409


def test_a_reviewer_declines_with_a_reason(sams, ck_panel):
    sam = as_session(ck_panel["sam"])
    missing = sam.post(f"{API}/assignments/{sams.pk}/decline", {})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "reason"
    empty = sam.post(f"{API}/assignments/{sams.pk}/decline", {"reason": "  "})
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["field"] == "reason"
    declined = sam.post(f"{API}/assignments/{sams.pk}/decline", {"reason": "A conflict of interest"})
    assert declined.status_code == 200
    assert declined.json() == {"assignment": sams.pk, "state": "declined"}
    # The assignment is gone from the reviewer's reach.
    assert sam.get(f"{API}/assignments/{sams.pk}").status_code == 404


def test_evidence_is_served_to_the_assigned_reviewer_under_a_neutral_name(sams, ck_panel, unassigned, educator):
    view = as_session(ck_panel["sam"]).get(f"{API}/assignments/{sams.pk}").json()
    [item] = view["evidence"]
    response = as_session(ck_panel["sam"]).get(item["download_path"])
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="evidence-{item["id"]}.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    for outsider in (unassigned, educator, None):
        assert as_session(outsider).get(item["download_path"]).status_code == 404
    # The submissions' own evidence endpoint lets the assigned reviewer in as well (the access hook), and
    # it too keeps the original file name, which may name the candidate, to the owner alone.
    through_submissions = as_session(ck_panel["sam"]).get(f"/api/v1/submissions/evidence/{item['id']}/file")
    assert through_submissions.status_code == 200
    assert through_submissions["Content-Disposition"] == f'attachment; filename="evidence-{item["id"]}.pdf"'
    owner_copy = as_session(educator).get(f"/api/v1/submissions/evidence/{item['id']}/file")
    assert owner_copy["Content-Disposition"] != through_submissions["Content-Disposition"]
    assert as_session(unassigned).get(f"/api/v1/submissions/evidence/{item['id']}/file").status_code == 404


def test_a_reviewer_calibrates_through_the_api(make_reviewer, classkick, samples, educator):
    from accounts.models import ReviewerRole

    mo = make_reviewer("mo@mentors.example", ReviewerRole.Kind.MENTOR, classkick, calibrated=False)
    client = as_session(mo)
    page = client.get(f"{API}/calibration/classkick-collaboration")
    assert page.status_code == 200
    body = page.json()
    assert (body["calibrated"], len(body["samples"])) == (False, 3)
    assert body["samples"][0]["agreed"] is None, "agreed levels are shown only after scoring"
    for sample in samples["classkick-collaboration"]:
        answer = client.post(
            f"{API}/calibration/classkick-collaboration/samples/{sample.pk}", {"levels": sample.agreed}
        )
        assert answer.status_code == 200
    assert answer.json()["calibrated"] is True
    bad = client.post(
        f"{API}/calibration/classkick-collaboration/samples/{sample.pk}", {"levels": {"balance": "superb"}}
    )
    assert bad.status_code == 422
    assert "levels.balance" in {e["field"] for e in bad.json()["errors"]}
    assert as_session(educator).get(f"{API}/calibration/classkick-collaboration").status_code == 404
    assert as_session(None).get(f"{API}/calibration/classkick-collaboration").status_code == 404


# ----- educators -------------------------------------------------------------------------------------------


def test_the_candidate_sees_no_scores_before_the_decision_and_the_feedback_after(
    attempt, classkick, educator, educator2, ck_panel
):
    edna = as_session(educator)
    path = f"{API}/feedback/{attempt.submission_id}/{attempt.number}"
    assignments = open_assignments(attempt)
    for email, assignment in list(assignments.items())[:3]:
        review(assignment, classkick, balance="developing" if email.startswith("mia") else None)
    assert edna.get(path).status_code == 404
    own = edna.get(f"/api/v1/submissions/{attempt.submission_id}/attempts/{attempt.number}")
    assert own.status_code == 200
    assert "planning happened only once" not in own.content.decode()
    assert "developing" not in own.content.decode()

    review(assignments["max@mentors.example"], classkick)
    feedback = edna.get(path)
    assert feedback.status_code == 200
    body = feedback.json()
    assert body["outcome"] == "not_yet_earned"
    balance = next(c for c in body["criteria"] if c["id"] == "balance")
    assert [level["reviewer"] for level in balance["levels"]] == [f"Reviewer {n}" for n in (1, 2, 3, 4)]
    for reviewer in ck_panel.values():
        assert reviewer.email not in feedback.content.decode()
    for outsider in (educator2, ck_panel["sam"], None):
        assert as_session(outsider).get(path).status_code == 404


# ----- issuer admins ---------------------------------------------------------------------------------------


def test_the_pipeline_groups_the_admins_attempts_and_hides_other_issuers(
    attempt, classkick, educator, educator2, issuer_admin, other_issuer_admin, platform_admin
):
    waiting = submit_attempt(educator2, classkick)  # the panel's reviewers still have room: seated too
    response = as_session(issuer_admin).get(f"{API}/admin/pipeline")
    assert response.status_code == 200
    body = response.json()
    in_review = {row["attempt_id"] for row in body["in_review"]}
    assert {attempt.pk, waiting.pk} <= in_review | {row["attempt_id"] for row in body["waiting"]}
    row = next(r for r in body["in_review"] + body["waiting"] if r["attempt_id"] == attempt.pk)
    assert row["candidate"] == f"C-{attempt.submission_id}"
    assert {a["reviewer_email"] for a in row["assignments"]} == {
        "sam@classkick.example",
        "sid@classkick.example",
        "mia@mentors.example",
        "max@mentors.example",
    }
    no_identity(response.content.decode(), educator)

    other = as_session(other_issuer_admin).get(f"{API}/admin/pipeline").json()
    assert other["waiting"] == other["in_review"] == other["overdue"] == other["decided"] == []
    everything = as_session(platform_admin).get(f"{API}/admin/pipeline").json()
    assert attempt.pk in {r["attempt_id"] for r in everything["in_review"] + everything["waiting"]}


@pytest.mark.parametrize("who", ["educator", "unassigned", "other_staff"])
def test_the_pipeline_is_for_admins_only(attempt, who, request):
    assert as_session(request.getfixturevalue(who)).get(f"{API}/admin/pipeline").status_code == 404


def test_the_pipeline_asks_anonymous_callers_to_sign_in_as_every_list_does(attempt):
    assert as_session(None).get(f"{API}/admin/pipeline").status_code == 401


def test_the_pipeline_shows_overdue_and_decided_attempts(attempt, classkick, issuer_admin):
    from reviews.models import Assignment

    Assignment.objects.filter(attempt=attempt).update(due_at=timezone.now() - timedelta(days=1))
    body = as_session(issuer_admin).get(f"{API}/admin/pipeline").json()
    assert [r["attempt_id"] for r in body["overdue"]] == [attempt.pk]
    assert body["overdue"][0]["overdue"] == 4
    decision = decide(attempt, classkick)
    body = as_session(issuer_admin).get(f"{API}/admin/pipeline").json()
    assert body["overdue"] == []
    assert [(r["decision_id"], r["outcome"]) for r in body["decided"]] == [(decision.pk, "earned")]


def test_the_pipeline_pages_through_attempts_oldest_first_and_refuses_pages_that_are_not_there(
    attempt, classkick, educator2, issuer_admin
):
    later = submit_attempt(educator2, classkick)
    from reviews.selectors import pipeline_for_admin

    pages = [pipeline_for_admin(user=issuer_admin, page=n, per_page=1) for n in (1, 2)]
    assert [[r.attempt_id for r in p.waiting + p.overdue + p.in_review] for p in pages] == [[attempt.pk], [later.pk]]
    assert [(p.page, p.has_next) for p in pages] == [(1, True), (2, False)]

    admin = as_session(issuer_admin)
    body = admin.get(f"{API}/admin/pipeline?page=1").json()
    assert (body["page"], body["has_next"]) == (1, False)
    assert admin.get(f"{API}/admin/pipeline?page=2").status_code == 404
    for bad in ("0", "abc", "-1"):
        response = admin.get(f"{API}/admin/pipeline?page={bad}")
        assert response.status_code == 422, bad
        assert "page" in response.content.decode(), bad


def _attempts_some_decided(count: int, classkick, make_user) -> None:
    # `count` educators' attempts in review, every second one decided.
    for n in range(count):
        someone = make_user(f"e{n}@example.org", organisation=f"School {n}", email_verified_at=timezone.now())
        done = submit_attempt(someone, classkick)
        if n % 2:
            decide(done, classkick)


@pytest.mark.parametrize("count", [1, 4])
def test_the_pipeline_keeps_a_flat_query_count(
    count, classkick, ck_panel, issuer_admin, make_user, django_assert_num_queries
):
    _attempts_some_decided(count, classkick, make_user)
    from reviews.selectors import pipeline_for_admin

    # The admin's issuers, the first attempts of each status under review (the page's ids), those attempts with
    # counts, their open assignments, decisions.
    with django_assert_num_queries(6):
        pipeline = pipeline_for_admin(user=issuer_admin)
    assert len(pipeline.in_review) + len(pipeline.waiting) + len(pipeline.decided) == count


@pytest.mark.parametrize("count", [1, 4])
def test_the_pipeline_page_reads_its_issuers_with_the_same_scope_in_a_flat_query_count(
    count, classkick, ck_panel, issuer_admin, make_user, django_assert_num_queries
):
    _attempts_some_decided(count, classkick, make_user)
    from reviews.selectors import pipeline_for_admin, pipeline_page_for_admin

    with django_assert_num_queries(6):  # pipeline_for_admin's six: its scope is the issuers the page shows
        pipeline, issuers = pipeline_page_for_admin(user=issuer_admin)
    assert [i.slug for i in issuers] == [classkick.issuer.slug]
    alone = pipeline_for_admin(user=issuer_admin)
    assert [r.decision_id for r in pipeline.decided] == [r.decision_id for r in alone.decided]
    assert [r.attempt_id for r in pipeline.in_review + pipeline.waiting] == [
        r.attempt_id for r in alone.in_review + alone.waiting
    ]
    assert len(pipeline.in_review) + len(pipeline.waiting) + len(pipeline.decided) == count


def test_an_admin_reassigns_and_overrides_through_the_api(
    sams, attempt, classkick, make_reviewer, issuer_admin, other_issuer_admin, ck_panel, educator
):
    from accounts.models import ReviewerRole

    make_reviewer("sue@classkick.example", ReviewerRole.Kind.ISSUER_STAFF, classkick)
    path = f"{API}/admin/assignments/{sams.pk}/reassign"
    for outsider in (other_issuer_admin, ck_panel["sid"], educator, None):
        assert as_session(outsider).post(path, {"reason": "move"}).status_code == 404
    unknown = as_session(issuer_admin).post(path, {"reason": "move", "to_reviewer": "nobody@example.org"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "to_reviewer"
    moved = as_session(issuer_admin).post(path, {"reason": "Sam is away", "to_reviewer": "SUE@classkick.example"})
    assert moved.status_code == 200
    assert moved.json()["reviewer"] == "sue@classkick.example"

    decision = decide(attempt, classkick)
    detail = f"{API}/admin/decisions/{decision.pk}"
    for outsider in (other_issuer_admin, ck_panel["sid"], educator, None):
        assert as_session(outsider).get(detail).status_code == 404
        assert (
            as_session(outsider).post(f"{detail}/override", {"outcome": "not_yet_earned", "reason": "x"}).status_code
            == 404
        )
    shown = as_session(issuer_admin).get(detail).json()
    assert len(shown["inputs"]) == 4
    assert shown["outcome"] == "earned"
    no_reason = as_session(issuer_admin).post(f"{detail}/override", {"outcome": "not_yet_earned", "reason": ""})
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    changed = as_session(issuer_admin).post(f"{detail}/override", {"outcome": "not_yet_earned", "reason": "Appeal"})
    assert changed.status_code == 200
    assert (changed.json()["outcome"], changed.json()["original_outcome"]) == ("not_yet_earned", "earned")

    extra = f"{API}/admin/submissions/{attempt.submission_id}/extra-attempt"
    assert as_session(other_issuer_admin).post(extra, {"reason": "please"}).status_code == 404
    granted = as_session(issuer_admin).post(extra, {"reason": "Coaching done"})
    assert granted.status_code == 201
    assert granted.json()["attempts_allowed"] == 4


def test_an_admin_returns_an_attempt_through_the_api(attempt, issuer_admin, other_issuer_admin, educator):
    path = f"{API}/admin/attempts/{attempt.pk}/return"
    assert as_session(other_issuer_admin).post(path, {"reason": "x"}).status_code == 404
    assert as_session(educator).post(path, {"reason": "x"}).status_code == 404
    returned = as_session(issuer_admin).post(path, {"reason": "The PDF is blank"})
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned_incomplete"


# ----- notifications ---------------------------------------------------------------------------------------


def test_everyone_reads_only_their_own_notifications(sams, ck_panel, educator):
    sam = as_session(ck_panel["sam"])
    body = sam.get("/api/v1/notifications").json()
    assert body["unread"] == 1
    assert [(n["kind"], n["url"]) for n in body["items"]] == [("review_assigned", f"/reviews/assignments/{sams.pk}/")]
    no_identity(json.dumps(body), educator)
    assert sam.post("/api/v1/notifications/read", {}).json() == {"marked": 1}
    assert sam.get("/api/v1/notifications?unread_only=true").json() == {"unread": 0, "items": []}
    assert [n["kind"] for n in as_session(educator).get("/api/v1/notifications").json()["items"]] == [
        "attempt_submitted"
    ]
    assert as_session(None).get("/api/v1/notifications").status_code == 401


def test_the_pipeline_pages_merge_both_statuses_in_submitted_order(classkick, ck_panel, issuer_admin, make_user):
    """The page is chosen from each status under review on its own (in the index's order) and the two merged: every
    attempt under review comes exactly once across the pages, oldest submitted first, whatever its status."""
    from reviews.selectors import pipeline_for_admin
    from submissions.models import Attempt, AttemptStatus

    attempts = []
    for n in range(5):
        someone = make_user(f"m{n}@example.org", organisation=f"School {n}", email_verified_at=timezone.now())
        attempts.append(submit_attempt(someone, classkick))
    base = timezone.now() - timedelta(days=1)
    for n, attempt in enumerate(attempts):
        # Alternate statuses along the submission order, so that a page holds both.
        status = AttemptStatus.SUBMITTED if n % 2 else AttemptStatus.IN_REVIEW
        Attempt.objects.filter(pk=attempt.pk).update(status=status, submitted_at=base + timedelta(minutes=n))
    seen = []
    for page in (1, 2, 3):
        shown = pipeline_for_admin(user=issuer_admin, page=page, per_page=2)
        rows = sorted(shown.waiting + shown.overdue + shown.in_review, key=lambda r: (r.submitted_at, r.attempt_id))
        seen += [r.attempt_id for r in rows]
        assert shown.has_next == (page < 3)
    assert seen == [a.pk for a in attempts]
