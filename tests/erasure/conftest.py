"""Fixtures for account deletion: Dana Whitfield (the identity of tests/submissions/identity.py, so the same
check finds her in any stored bytes) with a full history made through the real services.

Dana: a Classkick attempt reviewed by the Classkick panel (Sam, Sid, Mia, Max) and decided earned, its badge
issued; an Educators Rising badge with a graduate-credit application to Demo State University; a DOCX and a
PDF of evidence carrying her name in their metadata; her name and address typed into an answer; an API
token; a guardian's consent; a sign-in (django-axes' log). Eli (`educator2`) has a draft with a file of his
own, which must survive her erasure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ParticipationConsent, User
from api.services import token_create
from awards.models import Badge, CreditApplication
from awards.services import application_submit, badge_issue
from catalog.models import Credential
from submissions.models import Attempt, Evidence
from submissions.services import submission_start
from tests.awards.conftest import earn, partner_staff, partners, site_url  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD
from tests.reviews.conftest import ck_panel, make_reviewer, private_media, samples  # noqa: F401  (fixtures)
from tests.reviews.test_decisions import decide_classkick
from tests.submissions import files
from tests.submissions.helpers import answers_for, ratings_for, required_uploads, save, upload
from tests.submissions.identity import EMAIL, NAME, SCHOOL
from tests.submissions.identity_corpus import CORPUS
from workflow.services import attempt_submit

GUARDIAN = ("Gwen Guardian-Whitfield", "gwen.guardian@family.example")


@dataclass
class History:
    dana: User
    attempt: Attempt
    badge: Badge
    credit_badge: Badge
    application: CreditApplication
    eli_file: Evidence


@pytest.fixture
def dana(make_user: Callable[..., User]) -> User:
    return make_user(EMAIL, NAME, organisation=SCHOOL, email_verified_at=timezone.now())


@pytest.fixture
def history(
    dana: User,
    educator2: User,
    classkick: Credential,
    educators_rising: Credential,
    ck_panel: dict[str, User],  # noqa: F811
    partners: dict[str, Any],  # noqa: F811
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> History:
    assert classkick.current_version is not None
    definition = classkick.current_version.spec
    answers = answers_for(definition)
    answers["evidence.implementation"] += f" Written by {NAME} ({EMAIL})."
    band_field = definition.grade_band_field()
    if band_field is not None:
        part = next(p for p in definition.parts if band_field in p.fields)
        answers[f"{part.id}.grade_band"] = "middle_school"
    with django_capture_on_commit_callbacks(execute=True):
        submission, _ = submission_start(educator=dana, credential=classkick)
        save(submission, dana, answers, ratings_for(definition) or None)
        for field, name, content in required_uploads(definition):
            upload(submission, dana, field, name, content)
        for kind in ("docx", "pdf"):
            name, build, _, _ = CORPUS[kind]
            upload(submission, dana, "evidence.evidence_files", f"{NAME} {name}", build())
        attempt = attempt_submit(submission=submission, actor=dana)
        decide_classkick(attempt, classkick)
    badge = Badge.objects.get(attempt=attempt)
    with django_capture_on_commit_callbacks(execute=True):
        credit_badge = badge_issue(attempt=earn(dana, educators_rising))
        application = application_submit(
            earner=dana,
            badge=credit_badge,
            partner=partners["demo-state-university"],
            message=f"Please consider my credit. {NAME}, {EMAIL}",
        )
    token_create(user=dana, name=f"{NAME}'s laptop")
    now = timezone.now()
    ParticipationConsent.objects.create(
        user=dana,
        kind=ParticipationConsent.Kind.GUARDIAN,
        contact_name=GUARDIAN[0],
        contact_email=GUARDIAN[1],
        signed_name=GUARDIAN[0],
        status=ParticipationConsent.Status.GIVEN,
        requested_at=now,
        sent_at=now,
        decided_at=now,
    )
    signed_in = client.post(reverse("accounts:login"), {"username": EMAIL, "password": PASSWORD})
    assert signed_in.status_code == 302
    eli_draft, _ = submission_start(educator=educator2, credential=classkick)
    eli_file = upload(eli_draft, educator2, "evidence.evidence_files", "eli.pdf", files.pdf())
    return History(dana, attempt, badge, credit_badge, application, eli_file)
