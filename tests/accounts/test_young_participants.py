"""Young participants: the age bracket at sign-up, the guardian's consent and the advisor's approval through an
emailed link, submitting only once they are given, and a minor's credential kept private unless sharing was agreed.

Personas besides the shared ones: Tia, a participant aged 13 to 17 (`minor`); Gwen, her guardian; Abe, her
chapter advisor.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AgeBracket, ParticipationConsent, User
from accounts.participants import (
    ParticipationRequired,
    consent_answer,
    consent_request,
    participation_refusal,
)
from awards.models import Visibility
from awards.services import badge_issue, badge_visibility_set
from catalog.models import Credential
from core.errors import InvalidInput, InvalidState, NotAllowed, NotFound, TooSoon
from core.models import AuditEvent
from notifications.models import Email
from submissions.models import EventKind, Submission
from submissions.services import attempt_transition, submission_start
from tests.accounts.conftest import link_in
from tests.submissions.helpers import answers_for, ratings_for, required_uploads, save, upload
from workflow.services import attempt_submit

GUARDIAN = ParticipationConsent.Kind.GUARDIAN
ADVISOR = ParticipationConsent.Kind.ADVISOR
PARTICIPATION = reverse("accounts:participation")


@pytest.fixture(autouse=True)
def _site(settings: LazySettings, tmp_path: Path) -> None:
    settings.SITE_URL = "http://testserver"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def minor(make_user: Callable[..., User]) -> User:
    return make_user("tia@example.org", "Tia Teen", age_bracket=AgeBracket.TEEN, email_verified_at=timezone.now())


def ask(user: User, kind: str = GUARDIAN, email: str = "gwen@example.org") -> str:
    """Ask as the participant and return the token of the emailed link (the queued email's context holds it)."""
    consent_request(user=user, kind=kind, contact_name="Gwen Guardian", contact_email=email)
    row = Email.objects.filter(to=email).order_by("-pk").first()
    assert row is not None
    return str(row.context["answer_url"]).rstrip("/").rsplit("/", 1)[1]


def fill(educator: User, credential: Credential) -> Submission:
    assert credential.current_version is not None
    definition = credential.current_version.spec
    submission, _ = submission_start(educator=educator, credential=credential)
    save(submission, educator, answers_for(definition), ratings_for(definition) or None)
    for field, name, content in required_uploads(definition):
        upload(submission, educator, field, name, content)
    return submission


def wait_out_the_throttle(user: User) -> None:
    ParticipationConsent.objects.filter(user=user).update(sent_at=timezone.now() - timedelta(hours=1))


# ----- sign-up ---------------------------------------------------------------------------------------------


SIGNUP = {
    "name": "Tia Teen",
    "email": "tia@example.org",
    "password1": "a long pass phrase",
    "password2": "a long pass phrase",
}


@pytest.mark.django_db
def test_sign_up_records_the_age_bracket(client: Client) -> None:
    assert client.post(reverse("accounts:signup"), {**SIGNUP, "age_bracket": "13_17"}).status_code == 302

    assert User.objects.get(email="tia@example.org").is_minor


@pytest.mark.django_db
def test_it_refuses_under_13_kindly_and_makes_no_account(client: Client) -> None:
    response = client.post(reverse("accounts:signup"), {**SIGNUP, "age_bracket": "under_13"})

    assert response.status_code == 200
    [error] = response.context["form"].errors["age_bracket"]
    assert error.startswith("Thank you for wanting to join. microcred is for people aged 13 and over")
    assert not User.objects.filter(email="tia@example.org").exists()


@pytest.mark.django_db
def test_an_account_without_a_bracket_counts_as_an_adult(educator: User, classkick: Credential) -> None:
    assert educator.age_bracket == ""
    assert participation_refusal(user=educator, definition=classkick.current_version.spec) is None  # type: ignore[union-attr]


# ----- what applies -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_platform_setting_asks_a_guardian_on_every_credential(
    settings: LazySettings, minor: User, classkick: Credential, educators_rising: Credential
) -> None:
    classkick_spec = classkick.current_version.spec  # type: ignore[union-attr]
    rising_spec = educators_rising.current_version.spec  # type: ignore[union-attr]

    refusal = participation_refusal(user=minor, definition=classkick_spec)
    assert refusal is not None
    assert "a parent's or guardian's consent: ask for it" in refusal
    assert "http://testserver/accounts/participation/" in refusal
    assert "advisor" not in refusal

    settings.GUARDIAN_CONSENT_UNDER_18 = False
    assert participation_refusal(user=minor, definition=classkick_spec) is None
    # Educators Rising's definition asks for both itself: a chapter program.
    refusal = participation_refusal(user=minor, definition=rising_spec)
    assert refusal is not None
    assert "guardian" in refusal
    assert "chapter advisor's approval" in refusal


# ----- asking and answering --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_guardian_is_emailed_a_link_whose_token_is_stored_only_hashed(
    minor: User, committed: Any, outbox: list[Any]
) -> None:
    with committed():
        consent_request(user=minor, kind=GUARDIAN, contact_name="Gwen Guardian", contact_email="Gwen@Example.org")

    [message] = outbox
    assert message.to == ["gwen@example.org"]
    assert message.subject == "Tia Teen asks for your consent on microcred"
    link = link_in(message, "/accounts/consent/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    consent = ParticipationConsent.objects.get(user=minor)
    assert consent.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not ParticipationConsent.objects.filter(token_hash=token).exists()
    assert AuditEvent.objects.filter(action="participation.requested", actor=minor).count() == 1


@pytest.mark.django_db
def test_asking_again_is_throttled_and_a_new_link_replaces_the_old(minor: User) -> None:
    first = ask(minor)
    with pytest.raises(TooSoon, match="ask again in 10 minutes"):
        consent_request(user=minor, kind=GUARDIAN, contact_name="Gwen", contact_email="gwen@example.org")

    wait_out_the_throttle(minor)
    second = ask(minor)

    assert second != first
    with pytest.raises(NotFound):
        consent_answer(token=first, give=True, signed_name="Gwen Guardian")
    consent_answer(token=second, give=True, signed_name="Gwen Guardian")


@pytest.mark.django_db
def test_only_a_minor_asks_and_not_with_their_own_address(educator: User, minor: User) -> None:
    with pytest.raises(NotAllowed):
        consent_request(user=educator, kind=GUARDIAN, contact_name="G", contact_email="g@example.org")
    with pytest.raises(InvalidInput) as refusal:
        consent_request(user=minor, kind=GUARDIAN, contact_name="G", contact_email="TIA@example.org")
    assert refusal.value.errors[0].field == "contact_email"


@pytest.mark.django_db
def test_an_answer_is_recorded_once_with_its_scopes_and_audited(minor: User) -> None:
    token = ask(minor)

    consent = consent_answer(token=token, give=True, signed_name="Gwen Guardian", share_outside=True)

    assert (consent.status, consent.share_outside, consent.signed_name) == ("given", True, "Gwen Guardian")
    assert consent.decided_at is not None
    event = AuditEvent.objects.get(action="participation.answered")
    assert (event.old, event.new) == ("pending", "given")
    assert event.data["sharing_outside"] is True
    assert event.data["taking_part"] is True
    assert "Gwen" not in str(event.data)
    with pytest.raises(InvalidState, match="already been recorded; the link works only once"):
        consent_answer(token=token, give=False, signed_name="Someone Else")
    assert ParticipationConsent.objects.get().status == "given"


@pytest.mark.django_db
def test_an_expired_link_records_nothing(minor: User) -> None:
    token = ask(minor)
    ParticipationConsent.objects.update(token_expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(InvalidState, match="expired"):
        consent_answer(token=token, give=True, signed_name="Gwen Guardian")
    assert ParticipationConsent.objects.get().status == "pending"


# ----- submitting ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_submitting_waits_for_the_guardian_then_works(minor: User, classkick: Credential) -> None:
    submission = fill(minor, classkick)
    with pytest.raises(ParticipationRequired, match=r"you are under 18.*consent: ask for it"):
        attempt_submit(submission=submission, actor=minor)

    token = ask(minor)
    with pytest.raises(ParticipationRequired, match=r"gwen@example\.org, who has not answered yet"):
        attempt_submit(submission=submission, actor=minor)

    consent_answer(token=token, give=True, signed_name="Gwen Guardian")
    assert attempt_submit(submission=submission, actor=minor).number == 1


@pytest.mark.django_db
def test_a_declined_consent_blocks_submitting_and_says_how_to_ask_again(minor: User, classkick: Credential) -> None:
    submission = fill(minor, classkick)
    consent_answer(token=ask(minor), give=False, signed_name="Gwen Guardian")

    with pytest.raises(ParticipationRequired, match=r"Gwen Guardian declined on .*you can ask again"):
        attempt_submit(submission=submission, actor=minor)

    wait_out_the_throttle(minor)
    ask(minor)
    assert ParticipationConsent.objects.get().status == "pending"


@pytest.mark.django_db
def test_a_chapter_program_also_needs_the_advisor(minor: User, educators_rising: Credential) -> None:
    submission = fill(minor, educators_rising)
    consent_answer(token=ask(minor), give=True, signed_name="Gwen Guardian")
    with pytest.raises(ParticipationRequired, match="chapter advisor's approval: ask for it"):
        attempt_submit(submission=submission, actor=minor)

    consent_answer(token=ask(minor, ADVISOR, "abe@school.example"), give=True, signed_name="Abe Advisor")
    assert attempt_submit(submission=submission, actor=minor).number == 1


@pytest.mark.django_db
def test_the_summary_page_shows_what_is_missing_before_submit(
    client: Client, minor: User, classkick: Credential
) -> None:
    submission = fill(minor, classkick)
    client.force_login(minor)

    page = client.get(reverse("submissions:summary", args=[submission.pk])).content.decode()
    assert "Before you submit: consent for participants under 18" in page
    assert "<strong>not asked yet</strong>" in page
    assert f'href="{PARTICIPATION}"' in page

    refused = client.post(reverse("submissions:submit", args=[submission.pk]), follow=True)
    assert refused.redirect_chain[-1][0] == reverse("submissions:summary", args=[submission.pk])
    assert "Your submission was not sent: you are under 18" in refused.content.decode()


# ----- badges -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_minors_badge_is_private_and_sharing_needs_the_guardians_tick(
    client: Client, minor: User, classkick: Credential
) -> None:
    token = ask(minor)
    consent_answer(token=token, give=True, signed_name="Gwen Guardian", share_outside=False)
    attempt = attempt_submit(submission=fill(minor, classkick), actor=minor)
    attempt_transition(attempt=attempt, actor=None, kind=EventKind.IN_REVIEW)
    attempt_transition(attempt=attempt, actor=None, kind=EventKind.EARNED)
    badge = badge_issue(attempt=attempt)
    assert badge.visibility == Visibility.PRIVATE
    assert Client().get(reverse("awards:detail", args=[badge.uuid])).status_code == 404

    client.force_login(minor)
    page = client.get(reverse("awards:detail", args=[badge.uuid])).content.decode()
    assert "Add to LinkedIn profile" not in page
    response = client.post(reverse("awards:visibility", args=[badge.uuid]), {"visibility": "public"}, follow=True)
    assert "Not changed: you are under 18, so your credential stays private" in response.content.decode()
    badge.refresh_from_db()
    assert badge.visibility == Visibility.PRIVATE

    wait_out_the_throttle(minor)
    consent_answer(token=ask(minor), give=True, signed_name="Gwen Guardian", share_outside=True)
    badge_visibility_set(earner=minor, badge=badge, visibility=Visibility.PUBLIC)
    assert "Add to LinkedIn profile" in Client().get(reverse("awards:detail", args=[badge.uuid])).content.decode()


# ----- who may open the pages -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_minor_opens_the_consent_request_page(
    client: Client, minor: User, educator: User, reviewer_staff: User, issuer_admin: User, platform_admin: User
) -> None:
    assert client.get(PARTICIPATION).status_code == 302  # anonymous: to sign in
    for person in (educator, reviewer_staff, issuer_admin, platform_admin):
        client.force_login(person)
        assert client.get(PARTICIPATION).status_code == 404, person
        assert client.post(reverse("accounts:participation_ask", args=["guardian"]), {}).status_code == 404
    client.force_login(minor)
    assert client.get(PARTICIPATION).status_code == 200

    response = client.post(
        reverse("accounts:participation_ask", args=["guardian"]),
        {"guardian-contact_name": "Gwen Guardian", "guardian-contact_email": "gwen@example.org"},
        follow=True,
    )
    assert "We emailed gwen@example.org a link to answer." in response.content.decode()
    missing = client.post(reverse("accounts:participation_ask", args=["advisor"]), {"advisor-contact_email": ""})
    assert missing.status_code == 422
    assert "Enter their email address." in missing.content.decode()


@pytest.mark.django_db
def test_the_guardian_page_opens_only_with_a_valid_token(client: Client, minor: User, educator: User) -> None:
    token = ask(minor)
    url = reverse("accounts:consent_answer", args=[token])

    assert client.get(reverse("accounts:consent_answer", args=["not-a-token"])).status_code == 404
    assert client.get(url).status_code == 200  # anonymous, with the link
    client.force_login(educator)
    assert client.get(url).status_code == 200  # whoever holds the link, signed in or not
    client.force_login(minor)
    assert client.get(url).status_code == 403  # not the participant themself
    client.logout()

    bad = client.post(url, {"answer": "give"})
    assert bad.status_code == 422
    assert "Type your full name to sign your answer." in bad.content.decode()
    done = client.post(url, {"answer": "give", "signed_name": "Gwen Guardian", "share_outside": "on"})
    assert "Your answer is recorded: you agreed" in done.content.decode()
    assert ParticipationConsent.objects.get().share_outside is True
    again = client.get(url)  # used once
    assert again.status_code == 410
    assert "already been recorded" in again.content.decode()
