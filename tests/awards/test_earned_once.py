"""An earned badge says what the program says it is, and an earned credential is shown as earned, with its
badge, rather than offered again."""

from __future__ import annotations

import base64
import json
import re
from html import unescape
from typing import Any

from django.urls import reverse

from awards.services import badge_revoke
from awards.verify import verify_credential
from submissions.models import Submission
from tests.conftest import CLASSKICK, EDUCATORS_RISING

ER_COMPETENCY = (
    "The rising educator strategically and successfully seeks out, synthesizes, and incorporates relevant ideas "
    "from other educators into his/her own instructional practice."
)


def _jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_the_signed_badge_describes_the_program_by_its_competency_statement(badge_er, client):
    document = badge_er.document
    assert document["credentialSubject"]["achievement"]["description"] == ER_COMPETENCY
    assert document["description"] == f"Micro-credential awarded by Educators Rising: {ER_COMPETENCY}"
    assert "Plan a lesson with peers" not in json.dumps(document)  # the platform-written summary
    assert verify_credential(document).valid  # the description is signed like every other claim
    assert _jwt_claims(badge_er.jwt)["credentialSubject"]["achievement"]["description"] == ER_COMPETENCY
    badge_class = client.get(reverse("awards:ob2_badge", args=[EDUCATORS_RISING])).json()
    assert badge_class["description"] == ER_COMPETENCY


def test_a_program_without_a_competency_statement_of_its_own_keeps_the_summary(badge, classkick, client):
    # Classkick's competency statement is the platform's draft (draft_fields), so it is not put forward as the
    # program's: the summary stands in.
    spec = classkick.current_version.spec
    assert "competency_statement" in spec.draft_fields
    assert badge.document["credentialSubject"]["achievement"]["description"] == spec.summary
    assert client.get(reverse("awards:ob2_badge", args=[CLASSKICK])).json()["description"] == spec.summary


def test_an_earned_credential_links_to_its_badge_on_the_credential_page_and_the_dashboard(client, badge, educator):
    client.force_login(educator)
    badge_page = reverse("awards:detail", args=[badge.uuid])
    page = client.get(reverse("catalog:detail", args=[CLASSKICK])).content.decode()
    assert f'<a class="button" href="{badge_page}">Earned — view your badge</a>' in page
    assert "Start this certification challenge" not in page
    dashboard = client.get(reverse("accounts:dashboard")).content.decode()
    assert dashboard.count('<th scope="row">') == 1
    assert f'href="{badge_page}">View your badge' in dashboard
    response = client.post(reverse("submissions:start", args=[CLASSKICK]))
    assert response.status_code == 409
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    assert "You have already earned “Collaboration” by Classkick" in text
    assert f'<a class="button" href="{badge_page}">Earned — view your badge</a>' in response.content.decode()
    assert Submission.objects.filter(educator=educator).count() == 1


def test_a_revoked_badge_is_not_linked_as_the_earners_badge(client, badge, educator, issuer_admin):
    badge_revoke(badge=badge, admin=issuer_admin, reason="Issued in error")
    client.force_login(educator)
    page = client.get(reverse("catalog:detail", args=[CLASSKICK])).content.decode()
    assert reverse("awards:detail", args=[badge.uuid]) not in page
    assert "Earned — see your submission" in page
