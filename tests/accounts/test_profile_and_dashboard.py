from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import IssuerMembership
from accounts.services import membership_grant
from catalog.models import Issuer
from tests.conftest import reviewer_role_give

PROFILE = reverse("accounts:profile")
DASHBOARD = reverse("accounts:dashboard")


@pytest.mark.django_db
@pytest.mark.parametrize("url", [PROFILE, DASHBOARD])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.django_db
def test_the_profile_shows_the_persons_own_details(client, educator, educator2):
    client.force_login(educator)

    html = client.get(PROFILE).content.decode()

    assert "edna@example.org" in html
    assert 'value="Edna Educator"' in html
    assert 'value="Lincoln High School"' in html
    assert "eli@example.org" not in html
    assert "<strong>Educator</strong>" in html
    assert reverse("admin:index") not in html


@pytest.mark.django_db
def test_editing_the_profile_saves_name_and_organisation_only_for_oneself(client, educator, educator2):
    client.force_login(educator)

    response = client.post(PROFILE, {"name": "  Edna E. Educator ", "organisation": "Hillside High"}, follow=True)

    assert "Your profile is saved." in response.content.decode()
    educator.refresh_from_db()
    educator2.refresh_from_db()
    assert (educator.name, educator.organisation) == ("Edna E. Educator", "Hillside High")
    assert (educator2.name, educator2.organisation) == ("Eli Educator", "Roosevelt Middle School")


@pytest.mark.django_db
def test_the_profile_refuses_an_empty_name_with_a_named_error(client, educator):
    client.force_login(educator)

    response = client.post(PROFILE, {"name": "   ", "organisation": ""})

    assert response.context["form"].errors == {"name": ["Enter your full name."]}
    assert '<a href="#id_name">Full name: Enter your full name.</a>' in response.content.decode()
    educator.refresh_from_db()
    assert educator.name == "Edna Educator"


@pytest.mark.django_db
def test_the_profile_shows_each_reviewer_role_with_its_issuer_and_bands(client, reviewer_staff, reviewer_mentor):
    client.force_login(reviewer_staff)
    html = client.get(PROFILE).content.decode()
    assert "<dt>Issuer staff for Classkick</dt>" in html
    assert "Grade bands: Primary, Intermediate, Middle school, High school, College" in html
    assert "<strong>Issuer staff</strong> of Classkick" in html

    client.force_login(reviewer_mentor)
    html = client.get(PROFILE).content.decode()
    assert "<dt>Mentor for Classkick</dt><dd>Grade bands: Middle school</dd>" in html


@pytest.mark.django_db
def test_the_profile_shows_issuer_admin_and_platform_admin_roles(client, issuer_admin, platform_admin):
    client.force_login(issuer_admin)
    html = client.get(PROFILE).content.decode()
    assert "<strong>Issuer admin</strong> of Classkick" in html
    assert reverse("admin:index") in html
    assert "Platform admin" not in html

    client.force_login(platform_admin)
    html = client.get(PROFILE).content.decode()
    assert "<strong>Platform admin</strong>" in html


@pytest.mark.django_db
def test_the_dashboard_of_an_educator_shows_the_empty_submissions_state(client, educator):
    client.force_login(educator)

    html = client.get(DASHBOARD).content.decode()

    assert "Your submissions" in html
    assert "You have not started a micro-credential yet." in html
    assert f'href="{reverse("catalog:list")}"' in html
    assert "Your review queue" not in html
    assert "Open the admin site" not in html


@pytest.mark.django_db
def test_the_dashboard_of_a_reviewer_announces_the_queue_without_inventing_reviews(client, reviewer_mentor):
    client.force_login(reviewer_mentor)

    html = client.get(DASHBOARD).content.decode()

    assert "Your review queue" in html
    assert "Nothing to review now" in html
    assert "Open the admin site" not in html


@pytest.mark.django_db
def test_the_dashboard_of_an_admin_links_to_the_admin_site(client, issuer_admin, platform_admin):
    client.force_login(issuer_admin)
    html = client.get(DASHBOARD).content.decode()
    assert "You manage Classkick" in html
    assert f'href="{reverse("admin:index")}"' in html

    client.force_login(platform_admin)
    assert "You manage every issuer" in client.get(DASHBOARD).content.decode()


@pytest.mark.django_db
def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_dashboard_and_profile_query_counts_stay_flat_as_roles_grow(
    client, reviewer_staff, django_assert_num_queries, django_assert_max_num_queries
):
    client.force_login(reviewer_staff)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as dashboard_before:
        client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as profile_before:
        client.get(PROFILE)

    for n in range(5):
        issuer = Issuer.objects.create(slug=f"extra-{n}", name=f"Extra {n}", url="https://example.org", description="")
        membership_grant(actor=None, user=reviewer_staff, issuer=issuer, role=IssuerMembership.Role.ADMIN)
        reviewer_role_give(reviewer_staff, issuer, "mentor", ["primary"])

    with django_assert_num_queries(len(dashboard_before.captured_queries)) as dashboard_after:
        html = client.get(DASHBOARD).content.decode()
    assert "Extra 4" in html
    # The roles, and whether the reviewer takes new work, come in one query; the memberships in another. A page
    # drawn reads them three times (its state before and after drawing, and the drawing); one kept, once.
    roles, memberships = '"accounts_reviewerrole"."kind"', '"accounts_issuermembership"."role"'
    for drawn in (dashboard_after.captured_queries, dashboard_before.captured_queries):
        assert sum(roles in q["sql"] for q in drawn) == 3
        assert sum(memberships in q["sql"] for q in drawn) == 3
    with CaptureQueriesContext(connection) as kept:
        again = client.get(DASHBOARD).content.decode()
    # The same page, each response with its own CSRF token.
    assert again != html
    assert _without_tokens(again) == _without_tokens(html)
    assert sum(roles in q["sql"] for q in kept.captured_queries) == 0
    assert sum(memberships in q["sql"] for q in kept.captured_queries) == 0
    assert len(kept.captured_queries) < len(dashboard_after.captured_queries)
    with django_assert_num_queries(len(profile_before.captured_queries)):
        client.get(PROFILE)


@pytest.mark.django_db
def test_a_paused_reviewer_is_shown_paused_at_the_next_view(client, reviewer_mentor):
    from accounts.models import ReviewerProfile

    client.force_login(reviewer_mentor)
    ReviewerProfile.objects.update_or_create(user=reviewer_mentor, defaults={"is_active": True})
    assert "paused: no new reviews are assigned" not in client.get(DASHBOARD).content.decode()

    ReviewerProfile.objects.filter(user=reviewer_mentor).update(is_active=False)
    assert "paused: no new reviews are assigned" in client.get(DASHBOARD).content.decode()
    assert "paused: no new reviews are assigned" in client.get(PROFILE).content.decode()

    # With no profile at all, no new work is assigned either.
    ReviewerProfile.objects.filter(user=reviewer_mentor).delete()
    assert "paused: no new reviews are assigned" in client.get(DASHBOARD).content.decode()
