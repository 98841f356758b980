"""Account deletion leaves nothing of the person: every table and every stored file are scanned for her name
and address after the erasure (and, so the scan can fail, before it). What others' records need is kept,
pseudonymised: the decision, the reviews, the audit log; her badges are revoked and verify as revoked."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from awards.models import ApplicationStatus, Badge, CreditApplication
from awards.verify import verify_credential
from core.errors import InvalidInput
from core.models import AuditEvent
from reviews.models import Decision, Review
from submissions.models import Attempt, Evidence
from tests.conftest import PASSWORD
from tests.erasure.conftest import GUARDIAN, History
from tests.submissions.identity import EMAIL, NAME, leaks
from workflow.erasure import account_deletion_request, accounts_erase_due
from workflow.models import DeletionRequest

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.FileField)
NEEDLES = (NAME, EMAIL, *GUARDIAN)


def rows_quoting(needles: tuple[str, ...] = NEEDLES) -> list[str]:
    """Every text, char and JSON value of every table (ours, Django's and the libraries') that holds a needle,
    case folded; sessions decoded."""
    folded = [needle.casefold() for needle in needles]
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields:
            continue
        for row in model._base_manager.values_list("pk", *[f.attname for f in fields]).iterator():
            for field, value in zip(fields, row[1:], strict=True):
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if any(needle in (text or "").casefold() for needle in folded):
                    found.append(f"{model._meta.label}.{field.name} #{row[0]}")
    for session in Session.objects.all():
        if any(needle in json.dumps(session.get_decoded()).casefold() for needle in folded):
            found.append(f"session {session.session_key}")
    return found


def stored_leaks(root: Path) -> dict[str, set[str]]:
    """Every stored file that holds the person, looked for in every encoding and inside zip parts and PDFs."""
    return {str(path): found for path in root.rglob("*") if path.is_file() and (found := leaks(path.read_bytes()))}


def _erase(history: History, capture: Any) -> None:
    deletion = account_deletion_request(user=history.dana, password=PASSWORD)
    with capture(execute=True):
        assert accounts_erase_due(now=deletion.erase_after + timedelta(seconds=1)) == [history.dana.pk]


def test_erasure_leaves_no_personal_field_or_file_and_keeps_the_pseudonymised_decision(
    history: History,
    private_media: Path,
    client: Client,
    issuer_admin: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    signed = history.badge.document_text
    jwt = history.badge.jwt
    assert verify_credential(signed).valid
    before_rows, before_files = rows_quoting(), stored_leaks(private_media)
    # The scans can fail: before erasure they find her in the draft, attempt, badge, emails, audit, axes...
    assert {"submissions.Draft", "submissions.Attempt", "awards.Badge", "notifications.Email", "accounts.User"} <= {
        ".".join(hit.split(".")[:2]) for hit in before_rows
    }, before_rows
    assert len(before_files) >= 2, before_files

    _erase(history, django_capture_on_commit_callbacks)

    assert rows_quoting() == []
    assert stored_leaks(private_media) == {}
    assert accounts_erase_due(now=timezone.now() + timedelta(days=400)) == []  # once only
    dana = type(history.dana).objects.get(pk=history.dana.pk)
    assert (dana.email, dana.name, dana.organisation) == (f"erased-{dana.pk}@invalid", "", "")
    assert not dana.is_active
    assert not dana.has_usable_password()
    # Her evidence is gone from storage; Eli's is untouched.
    assert not Evidence.objects.filter(submission__educator=dana).exclude(file="").exists()
    eli_file = Evidence.objects.get(pk=history.eli_file.pk)
    assert eli_file.file.name
    assert eli_file.file.storage.exists(eli_file.file.name)

    # The decision stands, on an attempt that still exists, pointing at the pseudonymous account.
    decision = Decision.objects.get(attempt=history.attempt)
    assert decision.outcome == "earned"
    attempt = Attempt.objects.get(pk=history.attempt.pk)
    assert attempt.submission.educator_id == dana.pk
    assert attempt.responses == {}
    assert Review.objects.filter(attempt=attempt, state="submitted").count() == 4
    # The issuer's record of the attempt still opens, showing what was kept and nothing of her.
    client.force_login(issuer_admin)
    record = client.get(reverse("reviews:attempt_record", kwargs={"attempt_id": attempt.pk}))
    assert record.status_code == 200
    assert not any(needle.casefold() in record.content.decode().casefold() for needle in NEEDLES)
    client.logout()

    # Both badges are revoked at her request; the copy an employer holds verifies as revoked, both forms.
    for badge in Badge.objects.filter(earner=dana):
        assert badge.revocation_reason == "holder request"
        assert badge.revoked_at is not None
        assert badge.document_text == ""
        assert badge.jwt == ""
    for copy in (signed, jwt):
        report = verify_credential(copy)
        status = next(check for check in report.checks if check.id == "status")
        assert not report.valid
        assert status.outcome == "failed"
        assert "revoked" in status.detail

    # The credit application is kept as the partner's record, closed and without her message.
    application = CreditApplication.objects.get(pk=history.application.pk)
    assert application.status == ApplicationStatus.DECLINED
    assert application.message == ""

    # Her pages are gone: 410 saying why; the OB 2.0 assertion says revoked.
    uuid = history.badge.uuid
    for name in ("detail", "json", "jwt", "png", "certificate"):
        response = client.get(reverse(f"awards:{name}", kwargs={"uuid": uuid}))
        assert response.status_code == 410, name
    page = client.get(reverse("awards:detail", kwargs={"uuid": uuid}))
    assert "withdrawn at the holder&#x27;s request" in page.content.decode()
    assertion = client.get(reverse("awards:ob2_assertion", kwargs={"uuid": uuid}))
    assert assertion.status_code == 410
    assert assertion.json()["revoked"] is True


def test_the_command_erases_only_what_is_due_and_again_does_nothing(
    issuer_admin: User, reviewer_staff: User, django_capture_on_commit_callbacks: Any
) -> None:
    """Staff too (without open reviews): their roles end, through the audited services."""
    for user in (issuer_admin, reviewer_staff):
        account_deletion_request(user=user, password=PASSWORD)
    assert accounts_erase_due() == []  # still within the grace period
    DeletionRequest.objects.update(erase_after=timezone.now())
    out, again = io.StringIO(), io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("accounts_erase_due", stdout=out)
    assert out.getvalue().startswith("2 accounts erased")
    call_command("accounts_erase_due", stdout=again)
    assert again.getvalue().strip() == "0 accounts erased"
    assert not DeletionRequest.objects.filter(erased_at__isnull=True).exists()
    for user in (issuer_admin, reviewer_staff):
        user.refresh_from_db()
        assert user.email == f"erased-{user.pk}@invalid"
        assert not user.memberships.exists()
        assert not user.reviewer_roles.exists()
    assert AuditEvent.objects.filter(action="membership.revoked", data__user_id=issuer_admin.pk).exists()


def test_a_wrong_password_deletes_nothing(educator: User) -> None:
    with pytest.raises(InvalidInput) as refusal:
        account_deletion_request(user=educator, password="not it")
    assert refusal.value.errors[0].field == "password"
    educator.refresh_from_db()
    assert educator.is_active
    assert not DeletionRequest.objects.exists()


def test_an_accepted_reviewer_invitation_keeps_nothing_of_the_person(
    issuer_admin: User, classkick: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    from accounts.reviewer_invites import reviewer_invite, reviewer_invite_accept

    with django_capture_on_commit_callbacks(execute=True):
        reviewer_invite(
            actor=issuer_admin, issuer=classkick.issuer, email=EMAIL, name=NAME, kinds=["mentor"], grade_bands=[]
        )
    token = re.search(r"/issuers/invitations/([\w-]+)/", str(mailoutbox[-1].body))
    assert token is not None
    person, _ = reviewer_invite_accept(token=token.group(1), name=NAME, password=PASSWORD)
    assert rows_quoting((EMAIL,))  # the invitation and the account hold the address until erasure
    account_deletion_request(user=person, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        accounts_erase_due(now=timezone.now() + timedelta(days=60))
    assert rows_quoting() == []
