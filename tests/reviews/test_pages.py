"""The reviewer's pages without JavaScript, by persona: the queue, the scoring page (anonymised, with its final
confirmation and declining) and calibration. Who may see what, what they see, and flat query counts."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ReviewerProfile, ReviewerRole, User
from catalog.models import Credential
from reviews.models import Assignment, AssignmentState, CalibrationResult, Review, ReviewState
from reviews.services import reviews_tick
from submissions.models import CopyFinding
from tests.reviews.conftest import calibrate
from tests.reviews.helpers import IDENTITY_TEXT, open_assignments, review, submit_attempt

EDNA_IDENTITY = ("Edna Educator", "Edna", "edna@example.org", "edna@", "Lincoln High School", "Lincoln")


def as_user(user: User | None) -> Any:  # a Client whose responses carry the test attributes (url, context)
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text_of(response) -> str:
    return unescape(response.content.decode())


def assert_anonymous(html: str) -> None:
    """Nothing on the page names the candidate: not their name, first name, email or school, in any case."""
    lowered = html.casefold()
    for identity in EDNA_IDENTITY:
        assert identity.casefold() not in lowered, identity


def score_url(assignment: Assignment) -> str:
    return reverse("reviews:score", args=[assignment.pk])


def posted_scores(levels: dict[str, str], comments: dict[str, tuple[str, str]] | None = None) -> dict[str, str]:
    """What the scoring page posts without JavaScript: every criterion's level and both comment boxes."""
    data = {}
    for cid, level in levels.items():
        reasoning, suggestion = (comments or {}).get(cid, ("", ""))
        data[f"score.{cid}.level"] = level
        data[f"score.{cid}.reasoning"] = reasoning
        data[f"score.{cid}.suggestion"] = suggestion
    return data


ALL_ACCOMPLISHED = dict.fromkeys(("implementation", "balance", "analysis", "evidence"), "accomplished")
BALANCE_REASONING = "Planning happened once and one teacher led every meeting alone."
BALANCE_SUGGESTION = "Schedule a weekly planning time and rotate who leads the meeting."


@pytest.fixture
def attempt(educator, classkick, ck_panel, issuer_admin, unassigned, other_staff):
    """Edna's Classkick attempt, whose Balance answer names her, her email and her school."""
    return submit_attempt(educator, classkick, changes={"evidence.balance": IDENTITY_TEXT})


@pytest.fixture
def sams(attempt):
    return open_assignments(attempt)["sam@classkick.example"]


# ----- the queue -------------------------------------------------------------------------------------------


def test_the_queue_lists_the_reviewers_assignments_by_reference_with_due_date_and_status(sams, ck_panel):
    response = as_user(ck_panel["sam"]).get(reverse("reviews:queue"))

    assert response.status_code == 200
    html = text_of(response)
    assert f'href="{score_url(sams)}"' in html
    assert f"R-{sams.pk}" in html
    assert "Collaboration" in html
    assert "by Classkick" in html
    assert sams.due_at.strftime("%-d %B %Y") in html
    assert "Not started" in html
    assert "Overdue" not in html
    assert_anonymous(html)


def test_the_queue_marks_an_assignment_overdue_and_shows_saved_and_submitted_reviews(sams, ck_panel, classkick):
    reviews_tick(now=sams.due_at + timedelta(minutes=1))
    sam = as_user(ck_panel["sam"])
    assert "Overdue" in text_of(sam.get(reverse("reviews:queue")))

    sam.post(score_url(sams), {**posted_scores({"balance": "accomplished"}), "action": "save"})
    assert "Scores saved, not submitted" in text_of(sam.get(reverse("reviews:queue")))

    review(sams, classkick)
    html = text_of(sam.get(reverse("reviews:queue")))
    assert "Review submitted" in html
    assert "Nothing to review now" in html


def test_the_queue_and_the_pipeline_show_a_change_made_behind_their_backs_at_the_next_view(
    sams, ck_panel, classkick, issuer_admin
):
    """Both pages keep what they drew (core.fragments) under the values drawn: a change made by a bulk update,
    with no signal and no invalidation, as another process would, is on the very next view."""
    sam, admin = as_user(ck_panel["sam"]), as_user(issuer_admin)
    queue, pipeline = reverse("reviews:queue"), reverse("reviews:pipeline")
    assert "Overdue" not in text_of(sam.get(queue))
    before = text_of(admin.get(pipeline))
    assert "status-overdue" not in before
    assert "Sam Staff" in before

    Assignment.objects.filter(pk=sams.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    User.objects.filter(pk=ck_panel["sam"].pk).update(name="Samuel Renamed")
    Credential.objects.filter(pk=classkick.pk).update(title="Collaboration, renamed")

    queue_html, pipeline_html = text_of(sam.get(queue)), text_of(admin.get(pipeline))
    assert "Overdue" in queue_html
    assert "Collaboration, renamed" in queue_html
    assert "status-overdue" in pipeline_html
    assert "Samuel Renamed" in pipeline_html
    assert "Sam Staff" not in pipeline_html
    assert "Collaboration, renamed" in pipeline_html


def test_the_queue_state_changes_the_moment_an_assignment_falls_due_with_no_write(sams, ck_panel):
    from reviews.selectors import queue_page_state

    sams.refresh_from_db()
    before = queue_page_state(user=ck_panel["sam"], now=sams.due_at - timedelta(microseconds=1))
    at = queue_page_state(user=ck_panel["sam"], now=sams.due_at)
    assert before is not None
    assert at is not None
    assert before != at
    assert at == queue_page_state(user=ck_panel["sam"], now=sams.due_at + timedelta(days=1))
    assert queue_page_state(user=None, now=sams.due_at) is None


def test_the_queue_state_looks_each_open_assignments_values_up_by_key_alone(sams, ck_panel):
    """Each value of an open assignment is one lookup by key: a lookup that kept its model's default ordering
    joined the attempt and its submission only to sort the one row it finds."""
    from reviews.selectors import queue_page_state

    with CaptureQueriesContext(connection) as captured:
        state = queue_page_state(user=ck_panel["sam"], now=timezone.now())
    assert state is not None
    assert state[1]  # Sam's open assignment was read
    opened = [q["sql"] for q in captured.captured_queries if "reviews_review" in q["sql"] and " LIMIT 1" in q["sql"]]
    assert len(opened) == 1, captured.captured_queries
    # The outer ORDER BY (due first) is the statement's only one: no lookup sorts.
    assert opened[0].count("ORDER BY") == 1, opened[0]
    assert '"updated_at" DESC' not in opened[0]


def test_the_pipeline_state_changes_the_moment_an_assignment_falls_due_with_no_write(sams, issuer_admin):
    from reviews.selectors import pipeline_page_state

    sams.refresh_from_db()
    before = pipeline_page_state(user=issuer_admin, page=1, now=sams.due_at - timedelta(microseconds=1))
    at = pipeline_page_state(user=issuer_admin, page=1, now=sams.due_at)
    assert before != at
    assert at == pipeline_page_state(user=issuer_admin, page=1, now=sams.due_at + timedelta(days=1))
    with pytest.raises(Http404):
        pipeline_page_state(user=issuer_admin, page=2, now=sams.due_at)


def test_a_kept_pipeline_is_not_found_at_the_next_view_once_the_admin_is_no_longer_one(sams, issuer_admin):
    """The kept page is read back only under the state its reads give now: an admin who lost the role gets the same
    404 as anyone who never had it, at the very next view."""
    from accounts.models import IssuerMembership

    admin, pipeline = as_user(issuer_admin), reverse("reviews:pipeline")
    assert admin.get(pipeline).status_code == 200
    assert admin.get(pipeline).status_code == 200  # kept
    IssuerMembership.objects.filter(user=issuer_admin).delete()
    assert admin.get(pipeline).status_code == 404


def test_a_kept_queue_is_not_found_at_the_next_view_once_the_reviewer_reviews_for_nobody(unassigned, classkick):
    una, queue = as_user(unassigned), reverse("reviews:queue")
    assert una.get(queue).status_code == 200
    assert una.get(queue).status_code == 200  # kept
    ReviewerRole.objects.filter(user=unassigned).delete()
    assert una.get(queue).status_code == 404


def test_a_reviewer_never_reads_another_reviewers_queue_as_drawn(sams, ck_panel):
    for who in ("sam", "sid", "sam", "sid"):  # each drawn page read back, in turn, by the other reviewer's visit
        shown = re.findall(r">R-(\d+)<", text_of(as_user(ck_panel[who]).get(reverse("reviews:queue"))))
        assert {int(n) for n in shown} == {a.pk for a in Assignment.objects.filter(reviewer=ck_panel[who])}, who


def test_the_queue_shows_calibration_per_credential_with_a_link_to_calibrate(
    make_reviewer, classkick, educators_rising, samples
):
    newcomer = make_reviewer("nia@classkick.example", ReviewerRole.Kind.ISSUER_STAFF, classkick, calibrated=False)

    html = text_of(as_user(newcomer).get(reverse("reviews:queue")))

    assert "Not yet" in html
    assert f'href="{reverse("reviews:calibration", args=[classkick.slug])}"' in html
    assert "0 of 3" in html  # samples scored
    assert "Educators Rising" not in html  # she reviews for Classkick only

    calibrate(newcomer, classkick)
    assert "Calibrated: you can receive it" in text_of(as_user(newcomer).get(reverse("reviews:queue")))


@pytest.mark.parametrize("who", ["educator", "educator2", "issuer_admin", "other_issuer_admin"])
def test_the_queue_is_not_found_for_people_who_review_for_nobody(sams, who, request):
    assert as_user(request.getfixturevalue(who)).get(reverse("reviews:queue")).status_code == 404


def test_the_queue_sends_anonymous_visitors_to_sign_in(sams):
    response = as_user(None).get(reverse("reviews:queue"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# ----- the scoring page ------------------------------------------------------------------------------------


def test_the_assigned_reviewer_sees_the_attempt_anonymised_with_rubric_evidence_and_self_evaluation(
    sams, ck_panel, attempt
):
    response = as_user(ck_panel["sam"]).get(score_url(sams))

    assert response.status_code == 200
    html = text_of(response)
    assert_anonymous(html)
    assert "[name removed]" in html
    # The program's parts and labels, with the answers in words.
    for words in ("2. Share evidence of your collaboration", "Explanation/Evidence of Collaboration", "Balance"):
        assert words in html
    # Each criterion beside its level descriptors, as a radio group in a fieldset.
    assert '<legend class="levels-legend">Your level for Balance</legend>' in html
    assert "Collaborative planning is scheduled, more than one educator contributes" in html
    assert html.count('name="score.balance.level"') == 4
    # The evidence, by field and never by its file name, through the access-checked download.
    [item] = attempt.evidence_manifest
    assert item["name"] not in html
    link = reverse("api-v1:reviews_evidence", kwargs={"assignment_id": sams.pk, "evidence_id": item["id"]})
    assert f'href="{link}"' in html
    assert "Evidence of collaboration: lessons, rosters or grades, file 1 (PDF document)" in html
    # The candidate's own ratings.
    assert "The candidate's self-evaluation:" in html


def test_the_scoring_page_reports_a_likely_copy_without_naming_the_other_educator(
    educator, educator2, classkick, ck_panel, issuer_admin
):
    submit_attempt(educator2, classkick)  # the same generated answers, submitted first
    attempt = submit_attempt(educator, classkick)
    assert CopyFinding.objects.filter(attempt=attempt).exists()
    assignment = open_assignments(attempt)["sid@classkick.example"]

    html = text_of(as_user(ck_panel["sid"]).get(score_url(assignment)))

    assert "Possible copying" in html
    assert re.search(r"Explanation/Evidence of Collaboration: \d+% of its five-word phrases also appear", html)
    for identity in ("Eli Educator", "eli@example.org", "Roosevelt", *EDNA_IDENTITY):
        assert identity not in html


def test_the_evidence_link_on_the_scoring_page_downloads_for_the_reviewer_only(sams, ck_panel, attempt, unassigned):
    [item] = attempt.evidence_manifest
    link = reverse("api-v1:reviews_evidence", kwargs={"assignment_id": sams.pk, "evidence_id": item["id"]})

    download = as_user(ck_panel["sam"]).get(link)
    assert download.status_code == 200
    assert item["name"] not in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert as_user(unassigned).get(link).status_code == 404


@pytest.mark.parametrize(
    "who", ["unassigned", "other_staff", "educator", "educator2", "issuer_admin", "platform_admin"]
)
def test_nobody_but_the_assigned_reviewer_can_open_score_submit_or_decline(sams, who, request, classkick):
    client = as_user(request.getfixturevalue(who))
    for url in (score_url(sams), reverse("reviews:submit", args=[sams.pk]), reverse("reviews:decline", args=[sams.pk])):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {**posted_scores(ALL_ACCOMPLISHED), "action": "submit"}).status_code == 404, url
    sams.refresh_from_db()
    assert sams.state == AssignmentState.OPEN
    assert not Review.objects.filter(assignment=sams).exists()


def test_anonymous_visitors_are_sent_to_sign_in_from_every_reviewer_page(sams, classkick):
    client = as_user(None)
    for url in (
        score_url(sams),
        reverse("reviews:submit", args=[sams.pk]),
        reverse("reviews:decline", args=[sams.pk]),
        reverse("reviews:calibration", args=[classkick.slug]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:login")), url


def test_saving_without_javascript_keeps_the_scores_and_says_nothing_is_sent(sams, ck_panel):
    sam = as_user(ck_panel["sam"])
    data = posted_scores({"balance": "developing"}, {"balance": ("Only once", "")})

    response = sam.post(score_url(sams), {**data, "action": "save"}, follow=True)

    assert "Your scores are saved. Nothing is sent until you submit the review." in text_of(response)
    review_row = Review.objects.get(assignment=sams)
    assert review_row.state == ReviewState.DRAFT
    assert {s.criterion: (s.level, s.reasoning) for s in review_row.scores.all()}["balance"] == (
        "developing",
        "Only once",
    )
    html = text_of(response)
    assert 'value="developing" checked' in html
    assert "Only once</textarea>" in html


def test_an_autosave_that_arrives_after_submit_review_does_not_undo_it(sams, ck_panel):
    """The page's autosave and its "Submit review…" travel in parallel, and the server may take an autosave sent
    earlier (before the last level was changed) after the submit. The page numbers its saves so that one is ignored."""
    sam = as_user(ck_panel["sam"])
    drawn = re.search(r'name="save_page" value="([0-9a-f]+)"', text_of(sam.get(score_url(sams))))
    assert drawn, "the scoring page names itself for its saves"
    page = drawn.group(1)
    earlier = posted_scores({**ALL_ACCOMPLISHED, "evidence": "developing"})
    ordered = {"save_page": page}

    step = sam.post(
        score_url(sams), {**posted_scores(ALL_ACCOMPLISHED), **ordered, "save_step": "2", "action": "submit"}
    )
    assert step.url == reverse("reviews:submit", args=[sams.pk])
    late = sam.post(score_url(sams), {**earlier, **ordered, "save_step": "1"}, HTTP_HX_REQUEST="true")

    assert late.status_code == 200
    # The answer draws what is kept: Explanation and evidence stays Accomplished, so its comments stay optional.
    assert (
        '<span class="optional" id="score-evidence-reasoning-need" data-comment-need hx-swap-oob="true">(required below'
        in text_of(late)
    )
    assert Review.objects.get(assignment=sams).scores.get(criterion="evidence").level == "accomplished"
    assert "This is final" in text_of(sam.get(step.url))

    # Without its order the same late save is applied, and the confirmation sends the review back: the race is real.
    unordered = sam.post(score_url(sams), earlier, HTTP_HX_REQUEST="true")
    assert "(required: below" in text_of(unordered)
    assert sam.get(step.url).status_code == 422

    for step in ("x", "²", "-3", str(2**31)):
        bad = sam.post(score_url(sams), {**earlier, **ordered, "save_step": step, "action": "save"})
        assert bad.status_code == 422, step
        assert "Send the save's step as a whole number, 0 or more" in text_of(bad)


def test_submitting_an_incomplete_review_lists_every_problem_naming_its_criterion(sams, ck_panel):
    sam = as_user(ck_panel["sam"])
    data = posted_scores({"implementation": "accomplished", "balance": "developing"})

    response = sam.post(score_url(sams), {**data, "action": "submit"})

    assert response.status_code == 422
    html = text_of(response)
    summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    assert '<div class="error-summary" id="error-summary" role="alert"' in html
    assert '<a href="#score-balance-reasoning">Balance is rated Developing, below Accomplished' in summary
    assert '<a href="#score-balance-suggestion">' in summary
    assert '<a href="#score-analysis-level-exemplary">Choose a level for Analysis</a>' in summary
    assert "Choose a level for Explanation and evidence of collaboration" in summary
    assert 'aria-invalid="true"' in html
    # What was chosen is kept and saved.
    assert 'value="developing" checked' in html
    assert Review.objects.get(assignment=sams).state == ReviewState.DRAFT


def test_a_level_that_is_not_in_the_rubric_is_refused_with_its_criterion_named(sams, ck_panel):
    response = as_user(ck_panel["sam"]).post(
        score_url(sams), {**posted_scores({"balance": "superb"}), "action": "save"}
    )
    assert response.status_code == 422
    html = text_of(response)
    assert "Your scores were not saved" in html
    assert "<a href=\"#score-balance-level-exemplary\">Balance: 'superb' is not a level of this rubric" in html
    assert not Review.objects.filter(assignment=sams).exists()


def test_submitting_is_final_only_after_the_confirmation_step(sams, ck_panel, attempt):
    sam = as_user(ck_panel["sam"])
    comments = {"balance": (BALANCE_REASONING, BALANCE_SUGGESTION)}
    levels = {**ALL_ACCOMPLISHED, "balance": "developing"}

    step = sam.post(score_url(sams), {**posted_scores(levels, comments), "action": "submit"})
    assert step.status_code == 302
    assert step.url == reverse("reviews:submit", args=[sams.pk])
    assert Review.objects.get(assignment=sams).state == ReviewState.DRAFT  # not yet sent

    confirm = sam.get(step.url)
    html = text_of(confirm)
    assert "This is final" in html
    assert "Developing" in html
    assert BALANCE_REASONING in html
    assert_anonymous(html)

    done = sam.post(step.url, follow=True)
    assert f"Your review R-{sams.pk} is submitted" in text_of(done)
    sams.refresh_from_db()
    assert sams.state == AssignmentState.SUBMITTED
    assert Review.objects.get(assignment=sams).state == ReviewState.SUBMITTED

    # Read-only afterwards: the reviewer still sees their own scores, and nothing can change them.
    after = text_of(sam.get(score_url(sams)))
    assert "You submitted this review" in after
    assert 'value="developing" checked aria-describedby' in after or 'value="developing" checked' in after
    assert " disabled" in after
    again = sam.post(score_url(sams), {**posted_scores(ALL_ACCOMPLISHED), "action": "save"}, follow=True)
    assert "Your scores were not saved" in text_of(again)
    assert {s.level for s in Review.objects.get(assignment=sams).scores.all()} == {"accomplished", "developing"}


def test_the_confirmation_page_sends_an_incomplete_review_back_with_its_problems(sams, ck_panel):
    sam = as_user(ck_panel["sam"])
    sam.post(score_url(sams), {**posted_scores({"balance": "beginning"}), "action": "save"})

    for response in (
        sam.get(reverse("reviews:submit", args=[sams.pk])),
        sam.post(reverse("reviews:submit", args=[sams.pk])),
    ):
        assert response.status_code == 422
        assert "Balance is rated Beginning, below Accomplished" in text_of(response)
    sams.refresh_from_db()
    assert sams.state == AssignmentState.OPEN


def test_declining_needs_a_reason_and_hands_the_seat_to_someone_else(sams, ck_panel, attempt):
    sam = as_user(ck_panel["sam"])
    url = reverse("reviews:decline", args=[sams.pk])
    assert "Why you decline this review" in text_of(sam.get(url))

    missing = sam.post(url, {"reason": "   "})
    assert missing.status_code == 422
    html = text_of(missing)
    assert 'role="alert"' in html
    assert '<a href="#id_reason">Why you decline this review: Say why you decline this review</a>' in html

    done = sam.post(url, {"reason": "I taught at a school with this team last year."}, follow=True)
    assert f"You declined review R-{sams.pk}" in text_of(done)
    sams.refresh_from_db()
    assert sams.state == AssignmentState.DECLINED
    assert sam.get(score_url(sams)).status_code == 404


# ----- calibration -----------------------------------------------------------------------------------------


@pytest.fixture
def newcomer(make_reviewer, classkick, samples):
    return make_reviewer("nia@classkick.example", ReviewerRole.Kind.ISSUER_STAFF, classkick, calibrated=False)


def test_a_reviewer_scores_the_calibration_samples_and_learns_when_live_work_can_come(newcomer, classkick, samples):
    client = as_user(newcomer)
    index = text_of(client.get(reverse("reviews:calibration", args=[classkick.slug])))
    assert "Not calibrated yet" in index
    current = samples[classkick.slug]
    for sample in current:
        assert reverse("reviews:calibration_sample", args=[classkick.slug, sample.pk]) in index

    first = reverse("reviews:calibration_sample", args=[classkick.slug, current[0].pk])
    page = text_of(client.get(first))
    assert current[0].title in page
    assert '<legend class="rating-legend">Balance</legend>' in page

    refused = client.post(first, {"level.balance": "accomplished"})
    assert refused.status_code == 422
    assert '<a href="#level-implementation-level-exemplary">Choose a level for Implementation</a>' in text_of(refused)
    assert not CalibrationResult.objects.filter(reviewer=newcomer).exists()

    for n, sample in enumerate(current):
        url = reverse("reviews:calibration_sample", args=[classkick.slug, sample.pk])
        response = client.post(url, {f"level.{cid}": level for cid, level in sample.agreed.items()}, follow=True)
        html = text_of(response)
        assert f"{len(sample.agreed)} of {len(sample.agreed)} levels agree" in html
        assert "(agrees)" in html
        if n < len(current) - 1:
            assert "Not calibrated yet" in html
    assert "You are calibrated: you can receive live work." in html
    assert "You are calibrated for Collaboration" in html


@pytest.mark.parametrize("who", ["educator", "other_staff", "other_issuer_admin"])
def test_calibration_is_not_found_for_people_who_do_not_review_the_credential(who, request, classkick, samples):
    client = as_user(request.getfixturevalue(who))
    sample = samples[classkick.slug][0]
    assert client.get(reverse("reviews:calibration", args=[classkick.slug])).status_code == 404
    assert client.get(reverse("reviews:calibration_sample", args=[classkick.slug, sample.pk])).status_code == 404
    assert client.post(reverse("reviews:calibration_sample", args=[classkick.slug, sample.pk]), {}).status_code == 404


# ----- query counts ----------------------------------------------------------------------------------------


def _main(html: str) -> str:
    """The page's own content, from its heading on: the header and the banners above it hold forms whose CSRF
    token is new on every view."""
    return html.split("<h1>", 1)[1].split("</main>", 1)[0]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.slow
def test_the_queue_and_the_pipeline_keep_a_flat_query_count_from_3_to_60_attempts_a_page_at_a_time(
    classkick, ck_panel, issuer_admin, make_user, django_assert_num_queries, monkeypatch
):
    # Submitting 57 attempts can take over a minute on a busy machine, and a signed-in session is saved again
    # once a minute (accounts/sessions.py): that save is not the page's cost, so it must not land in one count.
    monkeypatch.setattr("accounts.sessions.REFRESH_SECONDS", 24 * 3600)
    ReviewerProfile.objects.update(capacity=70)
    educators = [
        make_user(f"teacher{n}@example.org", organisation=f"School {n}", email_verified_at=timezone.now())
        for n in range(60)
    ]
    for teacher in educators[:3]:
        submit_attempt(teacher, classkick)
    sams = Assignment.objects.filter(reviewer=ck_panel["sam"])
    sams.filter(pk=sams.earliest("id").pk).update(state=AssignmentState.SUBMITTED)  # one done: a page of them
    sam, admin = as_user(ck_panel["sam"]), as_user(issuer_admin)
    sam.get(reverse("reviews:queue"))  # a warm session, as for any later page
    admin.get(reverse("reviews:pipeline"))
    # The queue's first page is drawn when its state is new and then kept (pages/reviews/views.py): each way
    # costs its own flat count, the kept page fewer. Drawn again here after a change the change log shows.
    cache.clear()
    sam.get(reverse("reviews:queue"))
    admin.get(reverse("reviews:pipeline"))
    sams.filter(pk=sams.latest("id").pk).update(due_at=F("due_at") + timedelta(minutes=1))
    queue_count = _queries(sam, reverse("reviews:queue"))
    kept_count = _queries(sam, reverse("reviews:queue"))
    assert kept_count < queue_count
    pipeline_count = _queries(admin, reverse("reviews:pipeline"))

    for teacher in educators[3:]:
        submit_attempt(teacher, classkick)
    assert sams.filter(state=AssignmentState.OPEN).count() == 59

    with django_assert_num_queries(queue_count):  # a new state: drawn
        html = text_of(sam.get(reverse("reviews:queue")))
    assert len(re.findall(r">R-\d+<", html)) == 60  # open work is never paged away
    with django_assert_num_queries(kept_count):
        assert _main(text_of(sam.get(reverse("reviews:queue")))) == _main(html)
    with django_assert_num_queries(pipeline_count):
        first = text_of(admin.get(reverse("reviews:pipeline")))
    # A later page is never kept whole: it reads neither the change log's mark nor whether it moved on since.
    with django_assert_num_queries(pipeline_count - 2):
        second = text_of(admin.get(reverse("reviews:pipeline") + "?page=2"))
    on_first, on_second = (set(re.findall(r"C-(\d+), attempt 1", html)) for html in (first, second))
    assert (len(on_first), len(on_second)) == (50, 10)
    assert on_first.isdisjoint(on_second)
    assert "Page 1" in first
    assert 'href="?page=2"' in first
    assert "Page 2" in second
    assert 'href="?page=1"' in second
    assert "?page=3" not in second

    for bad in ("abc", "0", "-1", "1.5", "\uff19", "9" * 30):  # not a page: the first page, never an error
        response = admin.get(reverse("reviews:pipeline"), {"page": bad})
        assert response.status_code == 200, bad
        assert on_first == set(re.findall(r"C-(\d+), attempt 1", text_of(response))), bad
    assert admin.get(reverse("reviews:pipeline"), {"page": "3"}).status_code == 404

    # Submitted reviews only pile up: the queue keeps every open one and pages the rest, newest first.
    still_open = sams.filter(state=AssignmentState.OPEN).order_by("id")
    Assignment.objects.filter(pk__in=[a.pk for a in still_open[:54]]).update(state=AssignmentState.SUBMITTED)
    with django_assert_num_queries(queue_count):
        first = text_of(sam.get(reverse("reviews:queue")))
    with django_assert_num_queries(kept_count):
        assert _main(text_of(sam.get(reverse("reviews:queue")))) == _main(first)
    second = text_of(sam.get(reverse("reviews:queue"), {"page": "2"}))
    assert "Pages of submitted reviews" in first
    assert 'href="?page=2#done-title"' in first
    opened, done = first.split('id="done-title"')
    assert len(re.findall(r">R-\d+<", opened)) == 5
    assert len(re.findall(r">R-\d+<", done)) == 50
    assert len(re.findall(r">R-\d+<", second.split('id="done-title"')[1])) == 5
    not_a_page = text_of(sam.get(reverse("reviews:queue"), {"page": "x"}))
    assert re.findall(r">R-\d+<", not_a_page) == re.findall(r">R-\d+<", first)


def test_the_paths_notifications_link_to_are_these_pages():
    from reviews import links

    assert links.assignment_path(7) == reverse("reviews:score", args=[7])
    assert links.reviewer_queue_path() == reverse("reviews:queue")
    assert links.calibration_path("classkick-collaboration") == reverse(
        "reviews:calibration", args=["classkick-collaboration"]
    )
    assert links.pipeline_path() == reverse("reviews:pipeline")
