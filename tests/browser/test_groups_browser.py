"""A district group in Chromium (axe and the 390 px check on every load): the coordinator sees the progress of the
educator who shares it and only the name of the one who does not; the educator stops sharing from their Groups page
and, on the coordinator's next load, their progress is gone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from accounts.services import membership_grant
from cohorts.models import Coordinator, Member, Organisation
from submissions.services import submission_start
from tests.browser.submission_pages import make_educator, prepare_site, sign_in
from tests.conftest import PASSWORD


def _join(organisation: Organisation, educator: User, *, share: bool) -> None:
    now = timezone.now()
    Member.objects.create(
        organisation=organisation,
        email=educator.email,
        educator=educator,
        status=Member.Status.JOINED,
        joined_at=now,
        consent_given_at=now if share else None,
    )


@pytest.mark.django_db(transaction=True)
def test_a_coordinator_sees_only_the_progress_members_share(
    page: Any, settings: Any, tmp_path: Any, live_server: Any
) -> None:
    credentials = prepare_site(settings, tmp_path)
    edna = make_educator()
    eli = make_educator("eli@example.org", "Eli Educator")
    cora = User.objects.create_user(email="cora@lincoln.example", password=PASSWORD, name="Cora Coordinator")
    group = Organisation.objects.create(name="Lincoln USD", slug="lincoln-usd", kind="district")
    Coordinator.objects.create(organisation=group, user=cora)
    _join(group, edna, share=True)
    _join(group, eli, share=False)
    submission_start(educator=edna, credential=credentials["classkick-collaboration"])
    submission_start(educator=eli, credential=credentials["educators-rising-collaboration"])

    sign_in(page, live_server, cora)
    page.goto("/groups/lincoln-usd/", timeout=120_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Members of Lincoln USD")
    table = page.get_by_role("table", name="Members and the progress they share")
    edna_row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile("Edna Educator")))
    eli_row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile("Eli Educator")))
    expect(edna_row).to_contain_text("Collaboration: Started")
    expect(eli_row).to_contain_text("Not shared")
    expect(eli_row).not_to_contain_text("Collaboration")

    page.context.clear_cookies()
    sign_in(page, live_server, edna)
    page.goto("/groups/")
    page.get_by_role("button", name="Stop sharing my progress with Lincoln USD").click()
    expect(page.get_by_text("Lincoln USD's coordinators no longer see your progress.")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, live_server, cora)
    page.goto("/groups/lincoln-usd/")
    edna_row = (
        page.get_by_role("table", name="Members and the progress they share")
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=re.compile("Edna Educator")))
    )
    expect(edna_row).to_contain_text("Not shared")
    expect(edna_row).not_to_contain_text("Collaboration")

    # The other pages of the slice, each drawn once under axe and at 390 px.
    page.goto("/groups/lincoln-usd/vouchers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vouchers of Lincoln USD")
    admin = User.objects.create_user(email="ada@classkick.example", password=PASSWORD, name="Ada Admin")
    membership_grant(actor=None, user=admin, issuer=credentials["classkick-collaboration"].issuer, role="admin")
    page.context.clear_cookies()
    sign_in(page, live_server, admin)
    page.goto("/issuers/classkick/sponsors/")
    page.get_by_role("button", name="Accept vouchers Lincoln USD").click()
    expect(page.get_by_text("Classkick now accepts vouchers from Lincoln USD.")).to_be_visible()
    pat = User.objects.create_superuser(email="pat@microcred.example", password=PASSWORD, name="Pat Platform")
    page.context.clear_cookies()
    sign_in(page, live_server, pat)
    page.goto("/groups/manage/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Groups")
