"""The coordinator's members page and export: progress (stage, submitted, decided, turnaround, sponsored) for members
who share it and nothing but name and joining day for the others, the filters (a progress filter never matches a
member who does not share), pages of 25 in a flat number of queries, and the CSV and XLSX content with text made
safe from spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl  # type: ignore[import-untyped]
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from catalog.models import Credential
from cohorts.models import Organisation, Voucher
from reviews.models import Decision
from submissions.models import Attempt, Submission
from tests.cohorts.conftest import join
from tests.cohorts.test_members import row

DAY = timedelta(days=1)


def progress(educator: User, credential: Credential, *, status: str, decided_after: timedelta | None = None) -> Attempt:
    """A submission in `status` with one attempt submitted ten days ago (decided `decided_after` later when given):
    rows as the workflow leaves them, for the reads under test."""
    assert credential.current_version is not None
    version = credential.current_version
    sent = timezone.now() - 10 * DAY
    submission = Submission.objects.create(
        educator=educator,
        credential=credential,
        version=version,
        status=status,
        created_at=sent - DAY,
        is_open=status != "earned",
    )
    attempt = Attempt.objects.create(
        submission=submission, number=1, version=version, responses={}, submitted_by=educator, submitted_at=sent
    )
    if decided_after is not None:
        outcome = "earned" if status == "earned" else "not_yet_earned"
        Decision.objects.create(
            attempt=attempt,
            outcome=outcome,
            original_outcome=outcome,
            results={},
            inputs=[],
            version=version,
            policy_hash="p",
            rubric_hash="r",
            decided_at=sent + decided_after,
        )
    return attempt


def test_a_coordinator_sees_shared_progress_with_turnaround_and_only_names_of_the_others(
    client, coordinator, group, sharing, private, educator, educator2, classkick, educators_rising
):
    attempt = progress(educator, classkick, status="earned", decided_after=3 * DAY + timedelta(hours=12))
    Voucher.objects.create(
        organisation=group, credential=classkick, member=sharing, redeemed_attempt=attempt, redeemed_at=timezone.now()
    )
    progress(educator2, educators_rising, status="in_review")
    client.force_login(coordinator)
    response = client.get(reverse("cohorts:members", args=[group.slug]))
    edna, eli = row(response, sharing), row(response, private)
    assert "<strong>Collaboration</strong>: Earned" in edna
    assert "decided in 3.5 days" in edna
    assert "Sponsored" in edna
    assert "Eli Educator" in eli
    assert "Not shared" in eli
    assert "In review" not in eli
    assert "Collaboration" not in eli
    assert "a median of 3.5 days over 1 decided credential" in response.content.decode()


def test_progress_filters_never_match_a_member_who_does_not_share(
    client, coordinator, group, sharing, private, educator, educator2, classkick
):
    progress(educator, classkick, status="in_review")
    progress(educator2, classkick, status="earned", decided_after=DAY)
    client.force_login(coordinator)
    url = reverse("cohorts:members", args=[group.slug])
    earned = client.get(url, {"stage": "earned"}).content.decode()
    assert "Eli Educator" not in earned
    assert "Edna Educator" not in earned
    assert "No member matches." in earned
    submitted = client.get(url, {"stage": "submitted", "credential": classkick.slug}).content.decode()
    assert "Edna Educator" in submitted
    assert "Eli Educator" not in submitted
    private_only = client.get(url, {"sharing": "no"}).content.decode()
    assert "Eli Educator" in private_only
    assert "Edna Educator" not in private_only
    bad = client.get(url, {"stage": "nonsense"})
    assert bad.status_code == 422
    assert "Choose a stage from the list" in bad.content.decode()


def _members(organisation: Organisation, credential: Credential, numbers: range) -> None:
    """Members named "Member NN"; two in three share progress, each of those with a decided attempt."""
    for n in numbers:
        user = User.objects.create_user(email=f"m{n}@example.org", password=None, name=f"Member {n:02}")
        join(organisation, user, share=n % 3 != 0)
        if n % 3 != 0:
            progress(user, credential, status="not_yet_earned", decided_after=2 * DAY)


def test_the_members_page_takes_the_same_queries_for_3_and_30_members_and_pages_by_25(
    client, coordinator, group, classkick
):
    client.force_login(coordinator)
    url = reverse("cohorts:members", args=[group.slug])
    client.get(url)  # the session and the URLconf warmed up
    _members(group, classkick, range(3))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _members(group, classkick, range(3, 30))
    with CaptureQueriesContext(connection) as many:
        first = client.get(url)
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    html = first.content.decode()
    assert "30 members" in html
    assert "Page 1 of 2" in html
    assert "Member 24" in html
    assert "Member 25" not in html
    assert "Member 29" in client.get(url, {"page": "2"}).content.decode()


def test_the_export_holds_shared_progress_only_and_text_safe_from_formulas(
    client, coordinator, group, sharing, private, educator, educator2, classkick
):
    educator.name = '=HYPERLINK("http://evil.example")'
    educator.save(update_fields=["name"])
    progress(educator, classkick, status="earned", decided_after=2 * DAY)
    progress(educator2, classkick, status="in_review")
    client.force_login(coordinator)
    response = client.get(reverse("cohorts:export_csv", args=[group.slug]))
    assert response["Content-Disposition"] == 'attachment; filename="lincoln-usd-members.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_email = {r["Email"]: r for r in rows}
    assert set(by_email) == {"edna@example.org", "eli@example.org"}
    edna, eli = by_email["edna@example.org"], by_email["eli@example.org"]
    assert edna["Name"] == '\'=HYPERLINK("http://evil.example")'
    assert (edna["Credential"], edna["Issuer"], edna["Stage"], edna["Status"]) == (
        "Collaboration",
        "Classkick",
        "Earned",
        "Earned",
    )
    assert (edna["Attempts"], edna["Turnaround (days)"], edna["Shares progress"]) == ("1", "2.0", "yes")
    assert eli["Shares progress"] == "no"
    assert all(eli[key] == "" for key in ("Credential", "Stage", "Status", "First submitted", "Turnaround (days)"))

    xlsx = client.get(reverse("cohorts:export_xlsx", args=[group.slug]), {"sharing": "yes"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("Name", "Email", "Joined", "Shares progress")
    assert [v[1] for v in values[1:]] == ["edna@example.org"]
    assert values[1][0].startswith("'=")
