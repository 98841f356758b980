"""Who may open an attempt's evidence files, and for how long: the assigned reviewers until the decision (the
adjudicating lead included), then nobody but the owner; issuer admins from the attempt's record, never a file
holding student data; every opening by anyone but the owner recorded in the audit log."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from awards.models import Partner
from awards.services import partner_staff_add, partners_sync
from catalog.models import Credential
from core.models import AuditEvent
from reviews.models import Decision
from reviews.selectors.admin_evidence import STUDENT_DATA_ADMIN
from reviews.selectors.reviewer_view import EVIDENCE_ENDED
from submissions.models import Attempt, Evidence, Submission
from submissions.services import evidence_add, submission_start
from tests.reviews.helpers import open_assignments, review, submit_attempt
from tests.submissions import files
from tests.submissions.api_client import as_session
from tests.submissions.helpers import answers_for, ratings_for, save, upload
from workflow.services import attempt_submit

FIELD = "evidence.evidence_files"


def as_user(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return unescape(response.content.decode())


def attempt_with_files(educator: User, credential: Credential, field: str) -> Attempt:
    """An attempt with two files in `field`: a lesson plan declared free of student data, and a photo of the
    class declared to hold students' faces, with the school's consent confirmed."""
    submission, _ = submission_start(educator=educator, credential=credential)
    definition = submission.version.spec
    answers = answers_for(definition)
    if definition.grade_band_field() is not None:
        part = next(p for p in definition.parts if definition.grade_band_field() in p.fields)
        answers[f"{part.id}.grade_band"] = "middle_school"
    save(submission, educator, answers, ratings_for(definition) or None)
    upload(submission, educator, field, "plan.pdf", files.pdf())
    evidence_add(
        submission=submission,
        actor=educator,
        field_ref=field,
        upload=SimpleUploadedFile("class photo.png", files.png()),
        student_data=True,
        student_data_consent=True,
    )
    return attempt_submit(submission=Submission.objects.get(pk=submission.pk), actor=educator)


@pytest.fixture
def attempt(educator: User, classkick: Credential, ck_panel: dict[str, User], issuer_admin: User) -> Attempt:
    return attempt_with_files(educator, classkick, FIELD)


def _files(attempt: Attempt) -> tuple[Evidence, Evidence]:
    plan = Evidence.objects.get(attempts=attempt, original_name="plan.pdf")
    photo = Evidence.objects.get(attempts=attempt, original_name="class photo.png")
    return plan, photo


def _decide(attempt: Attempt, credential: Credential) -> None:
    for assignment in open_assignments(attempt).values():
        review(assignment, credential, balance="developing")
    assert Decision.objects.filter(attempt=attempt).exists()


def _opened(attempt: Attempt, actor: User) -> list[dict[str, Any]]:
    return list(
        AuditEvent.objects.filter(
            action="evidence.viewed", subject_type="attempt", subject_id=attempt.pk, actor=actor
        ).values_list("data", flat=True)
    )


def test_reviewer_access_to_evidence_ends_at_the_decision_on_every_route(attempt, classkick, ck_panel, educator):
    sam = next(iter(open_assignments(attempt).values()))
    reviewer = sam.reviewer
    plan, photo = _files(attempt)
    routes = [
        reverse("api-v1:reviews_evidence", kwargs={"assignment_id": sam.pk, "evidence_id": plan.pk}),
        reverse("api-v1:reviews_evidence", kwargs={"assignment_id": sam.pk, "evidence_id": photo.pk}),
        reverse("api-v1:submission_evidence_file", kwargs={"evidence_id": photo.pk}),
        reverse("submissions:evidence", args=[photo.pk]),
    ]
    # In review: the assigned reviewer opens both, the student-data photo too, and each opening is recorded.
    for route in routes:
        assert as_session(reviewer).get(route).status_code == 200, route
    opened = _opened(attempt, reviewer)
    assert len(opened) == len(routes)
    assert {entry["evidence"] for entry in opened} == {plan.pk, photo.pk}
    assert all(entry["student_data"] == (entry["evidence"] == photo.pk) for entry in opened)
    event = AuditEvent.objects.filter(action="evidence.viewed", actor=reviewer).first()
    assert event is not None
    assert event.issuer_id == classkick.issuer_id
    view = as_session(reviewer).get(f"/api/v1/reviews/assignments/{sam.pk}").json()
    assert view["evidence_available"] is True
    assert {e["id"]: e["student_data"] for e in view["evidence"]} == {plan.pk: False, photo.pk: True}

    _decide(attempt, classkick)

    for route in routes:
        response = as_session(reviewer).get(route)
        assert response.status_code == 404, route
    answer = as_session(reviewer).get(routes[0]).json()
    assert answer["detail"] == EVIDENCE_ENDED
    assert len(_opened(attempt, reviewer)) == len(routes), "a refused opening is not an opening"
    # The reviewer keeps their review: the page opens with their scores and comments, the files listed unlinked.
    page = as_user(reviewer).get(reverse("reviews:score", args=[sam.pk]))
    assert page.status_code == 200
    html = text_of(page)
    assert str(EVIDENCE_ENDED) in html
    assert "planning happened only once" in html, "their own comment is still there"
    assert "/evidence/" not in html
    assert "no longer available" in html
    assert "Contains student data" in html
    view = as_session(reviewer).get(f"/api/v1/reviews/assignments/{sam.pk}").json()
    assert (view["evidence_available"], view["evidence_notice"]) == (False, EVIDENCE_ENDED)
    assert all(e["download_path"] == "" for e in view["evidence"])
    # The owner still has their own files, and opening them is not recorded.
    owner = as_session(educator).get(routes[2])
    assert owner.status_code == 200
    assert not _opened(attempt, educator)


def test_the_adjudicating_lead_opens_the_files_until_the_lead_decides(er_panel, educators_rising, educator2):
    attempt = attempt_with_files(educator2, educators_rising, "artifacts.lesson_plan_file")
    assignments = open_assignments(attempt)
    review(assignments["ann@assessors.example"], educators_rising, "commendable")
    review(
        assignments["bob@educatorsrising.example"],
        educators_rising,
        "highly_skilled",
        effect_on_instruction="developing",
    )
    lead = open_assignments(attempt)["lea@educatorsrising.example"]
    item = attempt.evidence_manifest[0]
    route = reverse("api-v1:reviews_evidence", kwargs={"assignment_id": lead.pk, "evidence_id": item["id"]})
    assert as_session(er_panel["lea"]).get(route).status_code == 200
    # The assessors, whose reviews are in, keep access too: there is no decision yet.
    assert as_session(er_panel["ann"]).get(f"/api/v1/submissions/evidence/{item['id']}/file").status_code == 200

    review(lead, educators_rising, "commendable")

    assert Decision.objects.filter(attempt=attempt).exists()
    assert as_session(er_panel["lea"]).get(route).status_code == 404
    assert as_session(er_panel["ann"]).get(f"/api/v1/submissions/evidence/{item['id']}/file").status_code == 404


# ----- issuer admins ------------------------------------------------------------------------------------------


def test_an_issuer_admin_opens_files_without_student_data_from_the_record_and_it_is_logged(
    attempt, classkick, issuer_admin
):
    plan, photo = _files(attempt)
    record = as_user(issuer_admin).get(reverse("reviews:attempt_record", args=[attempt.pk]))
    html = text_of(record)
    plan_link = reverse("reviews:attempt_evidence", kwargs={"attempt_id": attempt.pk, "evidence_id": plan.pk})
    photo_link = reverse("reviews:attempt_evidence", kwargs={"attempt_id": attempt.pk, "evidence_id": photo.pk})
    assert plan_link in html
    assert photo_link not in html
    assert STUDENT_DATA_ADMIN in html

    response = as_user(issuer_admin).get(plan_link)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="evidence-{plan.pk}.pdf"'
    [opened] = AuditEvent.objects.filter(action="evidence.viewed", actor=issuer_admin)
    assert (opened.subject_type, opened.subject_id, opened.issuer_id) == ("attempt", attempt.pk, classkick.issuer_id)
    assert opened.data == {"evidence": plan.pk, "field": FIELD, "student_data": False}
    # ...and after the decision too (handling an override or a complaint), still logged; the record shows it.
    _decide(attempt, classkick)
    assert as_user(issuer_admin).get(plan_link).status_code == 200
    assert len(_opened(attempt, issuer_admin)) == 2
    assert "Evidence file opened" in text_of(
        as_user(issuer_admin).get(reverse("reviews:attempt_record", args=[attempt.pk]))
    )

    # The student-data photo is refused even to someone who has its address (the record shows why, not a link).
    assert as_user(issuer_admin).get(photo_link).status_code == 404
    assert len(_opened(attempt, issuer_admin)) == 2


@pytest.fixture
def partner_staff(make_user: Any, educators_rising: Credential) -> User:
    assert educators_rising.current_version is not None
    partners_sync(version=educators_rising.current_version)
    user = make_user("uma@demo-state.example", "Uma University")
    partner_staff_add(partner=Partner.objects.get(slug="demo-state-university"), user=user)
    return user


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("partner_staff", 404),
        ("educator", 404),
        ("educator2", 404),
        ("reviewer", 404),
        ("other_issuer_admin", 404),
        ("issuer_admin", 200),
        ("platform_admin", 200),
    ],
)
def test_the_admin_evidence_route_by_persona(attempt, ck_panel, who, status, request):
    plan, _ = _files(attempt)
    if who is None:
        user = None
    elif who == "reviewer":
        user = next(iter(open_assignments(attempt).values())).reviewer
    else:
        user = request.getfixturevalue(who)
    link = reverse("reviews:attempt_evidence", kwargs={"attempt_id": attempt.pk, "evidence_id": plan.pk})
    response = as_user(user).get(link)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("accounts:login"))
    assert AuditEvent.objects.filter(action="evidence.viewed").count() == (1 if status == 200 else 0)
    # The student-data photo is out of reach of every one of them.
    photo = reverse("reviews:attempt_evidence", kwargs={"attempt_id": attempt.pk, "evidence_id": _files(attempt)[1].pk})
    assert as_user(user).get(photo).status_code == (302 if user is None else 404)


def test_an_admin_cannot_reach_a_file_of_another_attempt_through_this_one(attempt, issuer_admin, educator2, classkick):
    other = submit_attempt(educator2, classkick)
    foreign = other.evidence_manifest[0]["id"]
    link = reverse("reviews:attempt_evidence", kwargs={"attempt_id": attempt.pk, "evidence_id": foreign})
    assert as_user(issuer_admin).get(link).status_code == 404
