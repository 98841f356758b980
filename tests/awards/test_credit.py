"""Graduate credit: partners synced from the definition, applying, partner staff deciding, and who sees what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from awards.models import ApplicationStatus, CreditApplication, Partner, PartnerOffer
from awards.services import application_decide, application_submit, badge_revoke
from core.audit import audit_trail
from core.errors import InvalidInput, InvalidState, NotAllowed


def test_issuing_syncs_the_partners_from_the_current_definition(badge_er):
    offers = {o.partner.slug: o for o in PartnerOffer.objects.select_related("partner")}
    assert set(offers) == {"demo-state-university", "demo-college-of-education"}
    state = offers["demo-state-university"]
    assert (state.credits, state.fee_usd, state.is_demonstration, state.is_current) == (
        Decimal("1.00"),
        Decimal("75.00"),
        True,
        True,
    )
    assert state.partner.contact_email == "graduate-credit@demo-state-university.example"


def test_a_credential_without_graduate_credit_offers_none(badge):
    assert not PartnerOffer.objects.filter(credential=badge.credential).exists()


def test_the_earner_applies_and_the_partner_is_emailed(
    badge_er, educator, partners, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(
            earner=educator, badge=badge_er, partner=partners["demo-state-university"], message="Thank you"
        )
    assert (application.status, application.credits, application.fee_usd) == (
        "submitted",
        Decimal("1.00"),
        Decimal("75.00"),
    )
    assert mail.outbox[-1].to == ["graduate-credit@demo-state-university.example"]
    assert f"/awards/partner/applications/{application.pk}/" in mail.outbox[-1].body
    (event,) = audit_trail(subject=application)
    assert (event.action, event.actor, event.new) == ("credit_application.submitted", educator, "submitted")
    assert event.issuer_id == badge_er.issuer_id
    assert event.data == {"badge_id": badge_er.pk, "partner": "demo-state-university"}


def test_applying_is_refused_to_others_twice_to_one_partner_and_with_a_revoked_credential(
    badge_er, badge, educator, educator2, partners, other_issuer_admin
):
    state = partners["demo-state-university"]
    with pytest.raises(NotAllowed):
        application_submit(earner=educator2, badge=badge_er, partner=state)
    with pytest.raises(InvalidInput, match="does not offer credit") as caught:
        application_submit(earner=educator, badge=badge, partner=state)  # Classkick has no partners
    assert [e.field for e in caught.value.errors] == ["partner"]
    application_submit(earner=educator, badge=badge_er, partner=state)
    with pytest.raises(InvalidInput, match="already applied"):
        application_submit(earner=educator, badge=badge_er, partner=state)
    badge_revoke(admin=other_issuer_admin, badge=badge_er, reason="Withdrawn by the issuer.")
    with pytest.raises(InvalidState, match="revoked"):
        application_submit(earner=educator, badge=badge_er, partner=partners["demo-college-of-education"])


def test_partner_staff_decide_and_the_earner_is_notified(
    badge_er, educator, partners, partner_staff, django_capture_on_commit_callbacks
):
    application = application_submit(earner=educator, badge=badge_er, partner=partners["demo-state-university"])
    with django_capture_on_commit_callbacks(execute=True):
        application_decide(staff=partner_staff, application=application, decision="accepted", note="Welcome!")
    assert mail.outbox[-1].to == [educator.email]
    assert "Accepted" in mail.outbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        application_decide(staff=partner_staff, application=application, decision="credit_awarded")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CREDIT_AWARDED
    assert application.decided_by == partner_staff
    assert "Credit awarded" in mail.outbox[-1].subject
    with pytest.raises(InvalidState, match="cannot become declined"):
        application_decide(staff=partner_staff, application=application, decision="declined", note="Changed our mind")
    events = audit_trail(subject=application, actions=("credit_application.decided",))
    assert [(e.old, e.new, e.actor) for e in events] == [
        ("submitted", "accepted", partner_staff),
        ("accepted", "credit_awarded", partner_staff),
    ]


def test_declining_needs_a_note_and_other_partners_staff_cannot_decide(
    badge_er, educator, partners, partner_staff, other_partner_staff
):
    application = application_submit(earner=educator, badge=badge_er, partner=partners["demo-state-university"])
    with pytest.raises(NotAllowed):
        application_decide(staff=other_partner_staff, application=application, decision="accepted")
    with pytest.raises(InvalidInput, match="say why") as caught:
        application_decide(staff=partner_staff, application=application, decision="declined")
    assert [e.field for e in caught.value.errors] == ["note"]
    assert CreditApplication.objects.get(pk=application.pk).status == "submitted"


def _apply_both(educator, badge_er, partners):
    return [
        application_submit(earner=educator, badge=badge_er, partner=partners[slug])
        for slug in ("demo-state-university", "demo-college-of-education")
    ]


def test_partner_staff_see_only_applications_to_their_university(
    client, badge_er, educator, partners, partner_staff, other_partner_staff
):
    mine, theirs = _apply_both(educator, badge_er, partners)
    client.force_login(partner_staff)
    html = client.get("/awards/partner/").content.decode()
    assert f"/awards/partner/applications/{mine.pk}/" in html
    assert f"/applications/{theirs.pk}/" not in html
    assert client.get(f"/awards/partner/applications/{mine.pk}/").status_code == 200
    assert client.get(f"/awards/partner/applications/{theirs.pk}/").status_code == 404
    assert client.post(f"/awards/partner/applications/{theirs.pk}/", {"decision": "accepted"}).status_code == 404


@pytest.mark.parametrize("persona", ["educator", "educator2", "issuer_admin", "platform_admin"])
def test_people_who_are_not_partner_staff_see_no_applications(client, badge_er, educator, partners, persona, request):
    mine, _ = _apply_both(educator, badge_er, partners)
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/awards/partner/").status_code == 404
    assert client.get(f"/awards/partner/applications/{mine.pk}/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, badge_er, educator, partners):
    mine, _ = _apply_both(educator, badge_er, partners)
    for url in ("/awards/partner/", f"/awards/partner/applications/{mine.pk}/", f"/awards/{badge_er.uuid}/apply/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_staff_verify_in_one_click_and_record_a_decision(client, badge_er, educator, partners, partner_staff):
    mine, _ = _apply_both(educator, badge_er, partners)
    client.force_login(partner_staff)
    url = f"/awards/partner/applications/{mine.pk}/"
    html = client.post(url, {"action": "verify"}).content.decode()
    assert "Verified: every check passed." in html
    response = client.post(url, {"action": "decide", "decision": "declined", "note": ""})
    assert "say why the application is declined" in response.content.decode()
    response = client.post(url, {"action": "decide", "decision": "accepted", "note": "See you in class."}, follow=True)
    assert "Recorded: accepted." in response.content.decode()
    assert CreditApplication.objects.get(pk=mine.pk).status == "accepted"


def test_the_partner_list_keeps_a_flat_query_count(
    client, badge_er, educator, partners, partner_staff, django_assert_num_queries, educator2, educators_rising
):
    from awards.services import badge_issue
    from tests.awards.conftest import earn

    application_submit(earner=educator, badge=badge_er, partner=partners["demo-state-university"])
    client.force_login(partner_staff)
    client.get("/awards/partner/")
    # The session with its person (one statement, accounts/sessions.py), then the page's own reads.
    with django_assert_num_queries(3):
        client.get("/awards/partner/")
    other = badge_issue(attempt=earn(educator2, educators_rising))
    application_submit(earner=educator2, badge=other, partner=partners["demo-state-university"])
    with django_assert_num_queries(3):
        assert client.get("/awards/partner/").content.decode().count("/awards/partner/applications/") == 2


def test_the_earner_applies_through_the_page(client, badge_er, educator, partners, educator2):
    url = f"/awards/{badge_er.uuid}/apply/"
    client.force_login(educator2)
    assert client.get(url).status_code == 404
    client.force_login(educator)
    html = client.get(url).content.decode()
    assert "Demo State University (demonstration partner): 1 graduate credit, fee $75.00" in html
    response = client.post(url, {})
    assert "Choose the university to apply to" in response.content.decode()
    state = Partner.objects.get(slug="demo-state-university")
    response = client.post(url, {"partner": state.pk, "message": "Please"}, follow=True)
    assert "Your application to Demo State University" in response.content.decode()
    assert CreditApplication.objects.get().message == "Please"
