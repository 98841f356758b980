"""The student-data declaration at upload: the educator says whether a file contains students' names, faces or
voices and, with a yes, confirms the school's consent covers it; refusals name the field, in the service, the
API and the step page alike, and nothing is stored on a refusal."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from catalog.models import Credential
from core.errors import InvalidInput
from submissions.models import Evidence, Submission
from submissions.services import STUDENT_DATA, STUDENT_DATA_CONSENT, evidence_add, submission_start
from tests.submissions import files
from tests.submissions.api_client import as_session

LESSON = "plan.lesson_files"
CK_FIELD = "evidence.evidence_files"


def _stored(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.mark.parametrize(
    ("student_data", "consent", "field"),
    [(None, False, STUDENT_DATA), (None, True, STUDENT_DATA), (True, False, STUDENT_DATA_CONSENT)],
)
def test_the_service_refuses_an_open_question_or_a_yes_without_consent(
    draft, educator, private_media, student_data, consent, field
):
    with pytest.raises(InvalidInput) as refusal:
        evidence_add(
            submission=draft,
            actor=educator,
            field_ref=LESSON,
            upload=SimpleUploadedFile("roster.pdf", files.pdf()),
            student_data=student_data,
            student_data_consent=consent,
        )
    [error] = refusal.value.errors
    assert error.field == field
    assert "roster.pdf" in error.message
    assert not Evidence.objects.exists()
    assert _stored(private_media) == []


def test_a_file_declared_with_student_data_and_consent_is_marked(draft, educator):
    item = evidence_add(
        submission=draft,
        actor=educator,
        field_ref=LESSON,
        upload=SimpleUploadedFile("roster.pdf", files.pdf()),
        student_data=True,
        student_data_consent=True,
    )
    assert item.student_data is True
    assert item.has_student_data
    assert item.student_data_consent_at is not None
    plain = evidence_add(
        submission=draft,
        actor=educator,
        field_ref=LESSON,
        upload=SimpleUploadedFile("plan.pdf", files.pdf()),
        student_data=False,
        student_data_consent=True,  # a confirmation without a yes records nothing
    )
    assert (plain.student_data, plain.has_student_data, plain.student_data_consent_at) == (False, False, None)
    # A file uploaded before the question was asked is handled as holding student data.
    Evidence.objects.filter(pk=plain.pk).update(student_data=None)
    assert Evidence.objects.get(pk=plain.pk).has_student_data


@pytest.mark.parametrize(
    ("parts", "field"),
    [
        ({}, STUDENT_DATA),
        ({"student_data": "maybe"}, STUDENT_DATA),
        ({"student_data": "true"}, STUDENT_DATA_CONSENT),
        ({"student_data": "true", "student_data_consent": "false"}, STUDENT_DATA_CONSENT),
    ],
)
def test_the_api_refuses_naming_the_declaration_field(draft, educator, parts, field):
    response = as_session(educator).client.post(
        f"/api/v1/submissions/{draft.pk}/evidence?field={LESSON}",
        {"file": SimpleUploadedFile("roster.pdf", files.pdf()), **parts},
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert not Evidence.objects.exists()


def test_the_api_takes_the_declaration_and_says_it_back(draft, educator):
    client = as_session(educator)
    response = client.client.post(
        f"/api/v1/submissions/{draft.pk}/evidence?field={LESSON}",
        {"file": SimpleUploadedFile("roster.pdf", files.pdf()), "student_data": "true", "student_data_consent": "true"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["student_data"] is True
    listed = client.get(f"/api/v1/submissions/{draft.pk}").json()["evidence"]
    assert [item["student_data"] for item in listed] == [True]


@pytest.fixture
def ck_draft(educator: User, classkick: Credential) -> Submission:
    return submission_start(educator=educator, credential=classkick)[0]


def test_the_step_page_asks_refuses_beside_the_field_and_marks_the_file(client: Client, educator, ck_draft):
    client.force_login(educator)
    url = reverse("submissions:part", args=[ck_draft.pk, "evidence"])
    page = unescape(client.get(url).content.decode())
    assert "contain any students' names, faces or voices?" in page
    assert f'name="student_data.{CK_FIELD}"' in page
    assert f'name="student_data_consent.{CK_FIELD}"' in page

    def post(**declaration: str) -> str:
        data = {"action": "save", CK_FIELD: SimpleUploadedFile("class photo.png", files.png())}
        data.update({f"{name}.{CK_FIELD}": value for name, value in declaration.items()})
        response = client.post(url, data, headers={"HX-Request": "true"})
        return unescape(response.content.decode())

    unanswered = post()
    assert "say whether class photo.png contains any students' names, faces or voices" in unanswered
    assert not Evidence.objects.exists()
    without_consent = post(student_data="yes")
    assert "confirm that your school's consent covers" in without_consent
    assert not Evidence.objects.exists()
    yes = re.search(
        rf'<input type="radio" name="student_data\.{re.escape(CK_FIELD)}" value="yes"[^>]*>', without_consent
    )
    assert yes is not None
    assert " checked" in yes.group(0), "the yes is kept for the retry"

    accepted = post(student_data="yes", student_data_consent="yes")
    assert "class photo.png is attached" in accepted
    assert "Contains student data" in accepted
    item = Evidence.objects.get()
    assert item.student_data is True
    assert item.student_data_consent_at is not None
