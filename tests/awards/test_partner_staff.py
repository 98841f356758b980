"""An issuer's admins staff the universities that offer its credit: the page, who may open it, and the
invitation (an existing account joins; a new address gets an account and a link to choose its password)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.services import password_reset_request
from awards.models import Partner, PartnerMembership
from awards.services import partner_staff_invite
from catalog.models import Credential
from core.errors import InvalidInput, NotAllowed
from core.models import AuditEvent
from notifications.models import Email
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

URL = "/awards/issuers/educators-rising/partners/"


@pytest.fixture
def er_admin(other_issuer_admin: User, partners: dict[str, Partner]) -> User:
    """Otto, admin of Educators Rising, whose credential names two partner universities."""
    return other_issuer_admin


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _post(client: Client, partner: Partner, email: str, name: str = "Uma University") -> Any:
    return client.post(URL, {"partner": partner.pk, "email": email, "name": name}, follow=True)


def test_the_admin_sees_the_partners_their_offers_and_their_staff(
    er_admin: User, partner_staff: User, partners: dict[str, Partner]
) -> None:
    response = _client(er_admin).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Demo State University (demonstration partner)" in html
    assert "Demo College of Education (demonstration partner)" in html
    assert "Collaboration (1 credit)" in html
    assert "Collaboration (0.5 credits)" in html
    assert "Uma University (uma@demo-state.example)" in html
    assert "No staff yet: nobody can decide applications to Demo College of Education" in html


def test_a_new_address_gets_an_account_and_a_link_to_choose_its_password(
    er_admin: User, partners: dict[str, Partner], django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(er_admin)
    state = partners["demo-state-university"]
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, state, "  Rae@State.Example ", "Rae Registrar")
    assert "rae@state.example is on Demo State University (demonstration partner)&#x27;s staff" in (
        response.content.decode()
    )
    rae = User.objects.get(email="rae@state.example")
    assert rae.name == "Rae Registrar"
    assert rae.email_verified_at is None
    assert PartnerMembership.objects.filter(user=rae, partner=state).exists()
    event = AuditEvent.objects.get(action="partner_staff.invited")
    assert (event.actor, event.issuer_id, event.data["new_account"]) == (
        er_admin,
        state.offers.get().credential.issuer_id,
        True,
    )

    [message] = mail.outbox
    assert message.to == ["rae@state.example"]
    assert (
        message.subject
        == "You are on Demo State University (demonstration partner)'s graduate-credit staff at microcred"
    )
    assert "Otto Admin of Educators Rising has added you" in str(message.body)
    link = re.search(r"http://testserver:8000(/accounts/password/reset/\S+/)", str(message.body))
    assert link, message.body
    # Should the link expire, "Forgot your password?" sends Rae a reset link, not "no account uses this address".
    password_reset_request(email="rae@state.example")
    assert Email.objects.filter(to="rae@state.example").latest("pk").name == "password_reset"

    # The link sets the password, which also confirms the address; Rae then signs in and sees the applications.
    visitor = Client()
    form_url = visitor.get(link.group(1), follow=True).redirect_chain[-1][0]
    response = visitor.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD}, follow=True)
    assert response.status_code == 200
    rae.refresh_from_db()
    assert rae.check_password(PASSWORD)
    assert rae.email_verified_at is not None
    visitor.force_login(rae)
    assert visitor.get("/awards/partner/").status_code == 200


def test_an_existing_account_joins_and_is_told_and_a_second_invitation_changes_nothing(
    er_admin: User, educator: User, partners: dict[str, Partner], django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(er_admin)
    college = partners["demo-college-of-education"]
    password = educator.password
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, college, educator.email.upper(), "Someone Else")
    assert "We emailed them to say so" in response.content.decode()
    educator.refresh_from_db()
    assert (educator.password, educator.name) == (password, "Edna Educator")
    assert PartnerMembership.objects.filter(user=educator, partner=college).exists()
    [message] = mail.outbox
    assert "Sign in with your existing account" in str(message.body)
    assert "/accounts/password/reset/" not in str(message.body).split("Forgot")[0]

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, college, educator.email)
    assert "is already on Demo College of Education (demonstration partner)&#x27;s staff" in response.content.decode()
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="partner_staff.invited").count() == 1


def test_bad_input_is_named_beside_its_field(er_admin: User, partners: dict[str, Partner]) -> None:
    client = _client(er_admin)
    response = client.post(URL, {"partner": "", "email": "not an address", "name": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose the university the person works for" in html
    assert "Enter an email address such as name@university.edu" in html
    assert "Enter the person&#x27;s name" in html
    assert not PartnerMembership.objects.exists()


def test_only_a_partner_offering_the_issuers_credit_can_be_staffed(
    er_admin: User, issuer_admin: User, partners: dict[str, Partner], classkick: Credential
) -> None:
    state = partners["demo-state-university"]
    with pytest.raises(NotAllowed):
        partner_staff_invite(actor=issuer_admin, issuer=classkick.issuer, partner=state, email="x@y.example", name="X")
    er = state.offers.get().credential.issuer
    with pytest.raises(NotAllowed):
        partner_staff_invite(actor=issuer_admin, issuer=er, partner=state, email="x@y.example", name="X")
    with pytest.raises(InvalidInput, match="email"):
        partner_staff_invite(actor=er_admin, issuer=er, partner=state, email="nobody", name="X")
    # A university posted that is not one of this issuer's partners is refused by the form.
    other = Partner.objects.create(slug="elsewhere", name="Elsewhere U", contact_email="e@elsewhere.example")
    response = _post(_client(er_admin), other, "x@y.example")
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(email="x@y.example").exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("educator", 404),
        ("reviewer_staff", 404),
        ("partner_staff", 404),
        ("issuer_admin", 404),  # Classkick's admin, on Educators Rising's page
        ("er_admin", 200),
        ("platform_admin", 200),
    ],
)
def test_who_may_open_and_post_the_page(
    persona: str, status: int, request: pytest.FixtureRequest, partners: Any
) -> None:
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = _client(user)
    response = client.get(URL)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")
    posted = client.post(URL, {"partner": partners["demo-state-university"].pk, "email": "m@x.example", "name": "M"})
    assert posted.status_code == (302 if status == 200 else status)
    assert User.objects.filter(email="m@x.example").exists() == (status == 200)
    assert client.get("/awards/issuers/no-such-issuer/partners/").status_code == (302 if user is None else 404)
