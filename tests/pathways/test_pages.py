"""The pathway pages by persona (the public pathway, the progress page, a pathway's credential, the transcript and
its PDF and bundle, the issuer's workspace), what they show, and flat queries as rows grow."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from awards.models import Visibility
from awards.services import badge_revoke, badge_visibility_set
from awards.verify import verify_credential
from core import changes
from pathways.models import Pathway, Rule
from pathways.selectors import progress_for_dashboard_state
from pathways.services import PathwayInput, pathway_award_issue, pathway_save
from tests.conftest import CLASSKICK

PERSONAS = [
    "anonymous",
    "educator",
    "educator2",
    "reviewer_staff",
    "issuer_admin",
    "other_issuer_admin",
    "platform_admin",
]


@pytest.fixture
def earned(educator, classkick, ck_more, make_pathway, issue):
    """Edna holds Collaboration and Feedback, and the pathway that stacks them; a second pathway is unpublished."""
    pathway = make_pathway([classkick, ck_more[0]])
    badges = [issue(educator, classkick), issue(educator, ck_more[0])]
    award = pathway_award_issue(pathway=pathway, earner=educator)
    hidden = make_pathway([ck_more[1]], title="Hidden")
    hidden.is_published = False
    hidden.save(update_fields=["is_published"])
    return {"pathway": pathway, "hidden": hidden, "badges": badges, "award": award}


def _urls(earned, educator) -> dict[str, str]:
    pathway, hidden, award = earned["pathway"], earned["hidden"], earned["award"]
    return {
        "public": reverse("pathways:detail", args=["classkick", pathway.slug]),
        "unpublished": reverse("pathways:detail", args=["classkick", hidden.slug]),
        "progress": reverse("pathways:progress"),
        "credential": reverse("pathways:credential", args=[award.badge.uuid]),
        "transcript": reverse("pathways:transcript", args=[educator.pk]),
        "transcript_pdf": reverse("pathways:transcript_pdf", args=[educator.pk]),
        "bundle": reverse("pathways:transcript_bundle", args=[educator.pk]),
        "workspace": reverse("issuers:pathways", args=["classkick"]),
        "new": reverse("issuers:pathway_new", args=["classkick"]),
        "edit": reverse("issuers:pathway_edit", args=["classkick", pathway.pk]),
    }


# Who gets what: 200, 404, or 302 (to sign in). The transcript is its owner's alone; the workspace the issuer's
# admins' (and the platform admin's); an unpublished pathway is seen by those admins only.
EXPECTED = {
    "anonymous": {
        "public": 200,
        "unpublished": 404,
        "progress": 302,
        "credential": 200,
        "transcript": 302,
        "workspace": 302,
    },
    "educator": {
        "public": 200,
        "unpublished": 404,
        "progress": 200,
        "credential": 200,
        "transcript": 200,
        "workspace": 404,
    },
    "educator2": {
        "public": 200,
        "unpublished": 404,
        "progress": 200,
        "credential": 200,
        "transcript": 404,
        "workspace": 404,
    },
    "reviewer_staff": {
        "public": 200,
        "unpublished": 404,
        "progress": 200,
        "credential": 200,
        "transcript": 404,
        "workspace": 404,
    },
    "issuer_admin": {
        "public": 200,
        "unpublished": 200,
        "progress": 200,
        "credential": 200,
        "transcript": 404,
        "workspace": 200,
    },
    "other_issuer_admin": {
        "public": 200,
        "unpublished": 404,
        "progress": 200,
        "credential": 200,
        "transcript": 404,
        "workspace": 404,
    },
    "platform_admin": {
        "public": 200,
        "unpublished": 200,
        "progress": 200,
        "credential": 200,
        "transcript": 404,
        "workspace": 200,
    },
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_answers_each_persona_as_entitled(client, request, persona, earned, educator):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    urls = _urls(earned, educator)
    expected = EXPECTED[persona]
    groups = {
        "transcript": ["transcript", "transcript_pdf", "bundle"],
        "workspace": ["workspace", "new", "edit"],
    }
    for key, status in expected.items():
        for name in groups.get(key, [key]):
            if name == "transcript_pdf" and status == 200:
                continue  # rendered in its own test below; the PDF is the slow one
            assert client.get(urls[name]).status_code == status, (persona, name)
    # Nobody but the issuer's admins changes a pathway, whatever they post; an admin's incomplete form is shown
    # again with the problem named, and changes nothing either.
    before = Pathway.objects.get(pk=earned["pathway"].pk).title
    response = client.post(urls["edit"], {"title": "Taken", "description": "x", "rule": "all"})
    assert response.status_code == expected["workspace"]
    if response.status_code == 200:
        assert "Choose at least one of your credentials" in response.content.decode()
    assert Pathway.objects.get(pk=earned["pathway"].pk).title == before


@pytest.mark.parametrize("persona", ["anonymous", "educator2", "reviewer_staff", "other_issuer_admin"])
def test_a_private_pathway_credential_is_seen_by_its_earner_and_the_issuers_admins_only(
    client, request, persona, earned, educator, issuer_admin, platform_admin
):
    badge = earned["award"].badge
    badge_visibility_set(earner=educator, badge=badge, visibility=Visibility.PRIVATE)
    url = reverse("pathways:credential", args=[badge.uuid])
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    assert client.get(url).status_code == 404
    for entitled in (educator, issuer_admin, platform_admin):
        client.force_login(entitled)
        assert client.get(url).status_code == 200


def test_the_pathway_credential_page_verifies_and_the_awards_addresses_lead_to_it(client, earned, educator):
    badge = earned["award"].badge
    page = client.get(reverse("pathways:credential", args=[badge.uuid])).content.decode()
    assert "Verified: every check passed." in page
    assert "Collaboration" in page
    assert "Feedback" in page
    assert client.get(reverse("awards:detail", args=[badge.uuid])).url == reverse(
        "pathways:credential", args=[badge.uuid]
    )
    for name in ("png", "svg", "certificate", "ob2_assertion"):
        assert client.get(reverse(f"awards:{name}", args=[badge.uuid])).status_code == 404, name
    assert json.loads(client.get(reverse("awards:json", args=[badge.uuid])).content) == badge.document
    client.force_login(educator)
    mine = client.get(reverse("awards:mine")).content.decode()
    assert mine.count('class="award-card-image"') == 2  # the two credentials; the pathway's is on the transcript
    dashboard = client.get(reverse("accounts:dashboard")).content.decode()
    assert "Your pathways" in dashboard
    assert reverse("pathways:credential", args=[badge.uuid]) in dashboard


def test_the_transcript_adds_up_hours_shows_a_revoked_credential_uncounted_and_prints_it(
    client, earned, educator, issuer_admin
):
    collaboration = earned["badges"][0]
    client.force_login(educator)
    page = client.get(reverse("pathways:transcript", args=[educator.pk])).content.decode()
    assert '<td class="num"><strong>20</strong></td>' in page
    badge_revoke(admin=issuer_admin, badge=collaboration, reason="The evidence was not the educator's own.")

    page = client.get(reverse("pathways:transcript", args=[educator.pk])).content.decode()
    assert '<td class="num"><strong>10</strong></td>' in page
    assert "Revoked (not counted)" in page
    assert "1 credential it stacks has since been revoked" in page
    assert client.get(reverse("pathways:transcript_home")).url == reverse("pathways:transcript", args=[educator.pk])

    response = client.get(reverse("pathways:transcript_pdf", args=[educator.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    for expected in ("Transcript of Edna Educator", "Collaboration", "Feedback", "Revoked (not counted)"):
        assert expected in text, expected
    assert "Total professional-development hours 10" in text
    assert "Pathways completed Pathway Issuer Issued on Status Collaborator Classkick" in text


def test_the_bundle_holds_every_signed_credential_and_each_verifies(client, earned, educator):
    client.force_login(educator)
    response = client.get(reverse("pathways:transcript_bundle", args=[educator.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="credentials-bundle.json"'
    bundle = json.loads(response.content)
    assert bundle["type"] == ["VerifiablePresentation"]
    assert bundle["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    credentials = bundle["verifiableCredential"]
    expected_ids = {f"urn:uuid:{b.uuid}" for b in [*earned["badges"], earned["award"].badge]}
    assert {c["id"] for c in credentials} == expected_ids
    for credential in credentials:
        assert verify_credential(credential).valid, credential["name"]
    export = zipfile.ZipFile(io.BytesIO(client.get(reverse("awards:export")).content))
    assert len(export.namelist()) == 6  # every credential's two forms, the pathway's included


def test_the_issuer_admin_makes_a_pathway_on_the_workspace_and_a_wrong_count_is_named(
    client, issuer_admin, classkick, ck_more
):
    client.force_login(issuer_admin)
    url = reverse("issuers:pathway_new", args=["classkick"])
    ids = [str(classkick.pk), str(ck_more[0].pk)]
    form = {"title": "Collaborator", "description": "Both.", "credentials": ids, "rule": "n_of", "required_count": "3"}
    page = client.post(url, form).content.decode()
    assert "There is a problem" in page
    assert "Enter how many are needed: a whole number from 1 to 2 (the credentials chosen)." in page
    assert not Pathway.objects.exists()

    response = client.post(url, {**form, "required_count": "2", "is_published": "on"})
    assert response.url == reverse("issuers:pathways", args=["classkick"])
    pathway = Pathway.objects.get()
    assert (pathway.rule, pathway.required_count, pathway.is_published) == (Rule.N_OF, 2, True)
    edit = reverse("issuers:pathway_edit", args=["classkick", pathway.pk])
    assert 'value="Collaborator"' in client.get(edit).content.decode()
    client.post(edit, {**form, "title": "Renamed", "rule": "all", "required_count": ""})
    pathway.refresh_from_db()
    assert (pathway.title, pathway.slug, pathway.rule, pathway.required_count) == (
        "Renamed",
        "collaborator",
        "all",
        None,
    )
    listing = client.get(reverse("issuers:pathways", args=["classkick"])).content.decode()
    assert "Renamed" in listing
    assert "All 2 credentials" in listing


def test_the_credential_page_shows_its_professional_development_hours(client, classkick):
    page = client.get(reverse("catalog:detail", args=[CLASSKICK])).content.decode()
    assert "Professional-development hours</dt><dd>10" in page


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_run_the_same_queries_for_three_rows_and_for_thirty(client, educator, issuer_admin, classkick, ck_more):
    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            data = PathwayInput(f"Path {n:02}", "x", [classkick.pk, ck_more[n % 2].pk], Rule.ALL, None, True)
            pathway_save(actor=issuer_admin, issuer=classkick.issuer, data=data)

    add(3, 0)
    client.force_login(educator)
    progress_few = _queries(client, reverse("pathways:progress"))
    client.force_login(issuer_admin)
    workspace_few = _queries(client, reverse("issuers:pathways", args=["classkick"]))
    add(27, 3)
    assert _queries(client, reverse("issuers:pathways", args=["classkick"])) == workspace_few
    client.force_login(educator)
    assert _queries(client, reverse("pathways:progress")) == progress_few


def test_the_transcript_runs_the_same_queries_for_one_credential_and_for_three(
    client, educator, classkick, ck_more, make_pathway, issue
):
    solo = make_pathway([classkick], title="Solo")
    pair = make_pathway(ck_more, title="Pair")
    issue(educator, classkick)
    pathway_award_issue(pathway=solo, earner=educator)
    client.force_login(educator)
    url = reverse("pathways:transcript", args=[educator.pk])
    few = _queries(client, url)
    issue(educator, ck_more[0])
    issue(educator, ck_more[1])
    pathway_award_issue(pathway=pair, earner=educator)
    assert _queries(client, url) == few


def _dashboard_panel(client) -> str:
    html = client.get(reverse("accounts:dashboard")).content.decode()
    start = html.index('id="pathways-title"')
    return html[start : html.index("</section>", start)]


def test_the_dashboard_panel_shows_what_the_progress_page_shows_and_sees_changes_at_the_next_view(
    client, educator, classkick, ck_more, make_pathway, issue
):
    started = make_pathway([classkick, ck_more[0]], title="Started")
    make_pathway([ck_more[1]], title="Not started")
    badge = issue(educator, classkick)
    client.force_login(educator)

    panel = _dashboard_panel(client)
    assert "Started" in panel
    assert "Not started" not in panel
    assert "1 of the 2 credentials needed" in panel
    assert reverse("awards:detail", args=[badge.uuid]) in panel
    assert reverse("catalog:detail", args=[ck_more[0].slug]) in panel

    # Expired, by a bulk update: the step is no longer held, though the pathway stays started.
    type(badge).objects.filter(pk=badge.pk).update(valid_until=timezone.now() - timedelta(days=1))
    panel = _dashboard_panel(client)
    assert "0 of the 2 credentials needed" in panel
    assert reverse("awards:detail", args=[badge.uuid]) not in panel

    Pathway.objects.filter(pk=started.pk).update(title="Renamed", is_published=True)
    assert "Renamed" in _dashboard_panel(client)
    Pathway.objects.filter(pk=started.pk).update(is_published=False)
    assert "Renamed" not in _dashboard_panel(client)


def test_a_badge_expiring_is_on_the_next_dashboard_view_with_no_write(
    client, educator, classkick, ck_more, make_pathway, issue
):
    """The panel is in the part of the dashboard the change log watches: a badge running out is no write, and the
    kept page is drawn again from the moment it does."""
    make_pathway([classkick, ck_more[0]], title="Started")
    badge = issue(educator, classkick)
    expires = timezone.now() + timedelta(seconds=1)
    type(badge).objects.filter(pk=badge.pk).update(valid_until=expires)
    client.force_login(educator)
    assert "1 of the 2 credentials needed" in _dashboard_panel(client)
    with CaptureQueriesContext(connection) as kept:
        assert "1 of the 2 credentials needed" in _dashboard_panel(client)
    assert not any("pathways_" in q["sql"] for q in kept.captured_queries)
    time.sleep(max(0.0, (expires - timezone.now()).total_seconds()) + 0.05)
    assert "0 of the 2 credentials needed" in _dashboard_panel(client)


def test_the_tables_the_dashboard_panel_reads_are_all_watched(educator, classkick, ck_more, make_pathway, issue):
    make_pathway([classkick, ck_more[0]])
    issue(educator, classkick)
    tables = set(connection.introspection.table_names())
    with CaptureQueriesContext(connection) as captured:
        state = progress_for_dashboard_state(user=educator, limit=5, now=timezone.now())
    assert state  # all three of the panel's queries ran
    read = {name for query in captured.captured_queries for name in re.findall(r'"(\w+)"', query["sql"])}
    panel = {"awards_badge", "pathways_pathway", "pathways_pathway_credentials", "pathways_pathwayaward"}
    assert read & tables >= panel
    assert read & tables <= {w.table for w in changes.watches()}


def test_the_dashboard_panel_keeps_its_queries_flat_and_shows_five_pathways(
    client, educator, classkick, ck_more, make_pathway, issue
):
    first = make_pathway([classkick], title="Pathway zero")
    issue(educator, classkick)
    client.force_login(educator)
    client.get(reverse("accounts:dashboard"))
    # Both views measured find the page kept before a change: each asks the log, then reads and draws.
    Pathway.objects.filter(pk=first.pk).update(title="Pathway 0")
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("accounts:dashboard"))

    for n in range(1, 8):
        make_pathway([classkick, *ck_more], title=f"Pathway {n}")
    issue(educator, ck_more[0])

    with CaptureQueriesContext(connection) as after:
        panel = _dashboard_panel(client)
    assert len(after.captured_queries) == len(before.captured_queries)
    # The panel's own reads: the pathways with their credentials, the badges held, the pathways earned; a page
    # drawn reads them three times (the dashboard's state before and after drawing, and the drawing).
    assert sum("pathways_" in q["sql"] for q in after.captured_queries) == 9
    assert panel.count("<progress") == 5
    assert "Pathway 0" in panel
    assert "Pathway 4" in panel
    assert "Pathway 5" not in panel
