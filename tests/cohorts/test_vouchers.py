"""Vouchers: the issuer's admin accepts an organisation's vouchers, the coordinator gives one to a sharing member
(told in the app and by email), and the educator's next submit of that credential uses it, once: the attempt then
says "Sponsored by" to the educator and the issuer's admins. An issuer that does not accept is never charged: the
voucher stays unused. Two redemptions of one voucher at once: one wins (PostgreSQL, with the wait observed)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.urls import reverse

from cohorts.models import Voucher
from cohorts.services import acceptance_set, voucher_candidates, voucher_give, voucher_redeem
from core.errors import InvalidInput
from notifications.models import Notification
from submissions.models import Attempt
from tests.reviews.helpers import submit_attempt
from tests.reviews.test_concurrency import one_waited_for_another


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


def test_a_voucher_pays_for_the_next_attempt_where_the_issuer_accepts_and_says_so(
    client,
    coordinator,
    group,
    sharing,
    educator,
    classkick,
    issuer_admin,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    acceptance_set(actor=issuer_admin, issuer=classkick.issuer, organisation=group, accept=True)
    with django_capture_on_commit_callbacks(execute=True):
        voucher = voucher_give(actor=coordinator, member=sharing, credential=classkick)
    assert Notification.objects.get(user=educator).kind == "voucher_given"
    assert "Lincoln USD gave you a voucher for one attempt at Collaboration" in mailoutbox[-1].body

    attempt = submit_attempt(educator, classkick)
    voucher.refresh_from_db()
    assert voucher.redeemed_attempt == attempt
    assert voucher.redeemed_at is not None

    client.force_login(educator)
    page = client.get(reverse("submissions:attempt", args=[attempt.submission_id, attempt.number])).content.decode()
    assert "Sponsored by Lincoln USD" in page
    client.force_login(issuer_admin)
    record = client.get(reverse("reviews:attempt_record", args=[attempt.pk])).content.decode()
    assert "Sponsored by Lincoln USD" in record
    client.force_login(coordinator)
    listed = client.get(reverse("cohorts:vouchers", args=[group.slug])).content.decode()
    assert "Used " in listed
    sponsors = reverse("issuers:sponsors", args=["classkick"])
    client.force_login(issuer_admin)
    assert "<td>1</td>" in client.get(sponsors).content.decode()


def test_an_issuer_that_does_not_accept_is_never_charged(
    coordinator, group, sharing, educator, classkick, issuer_admin
):
    voucher = voucher_give(actor=coordinator, member=sharing, credential=classkick)
    acceptance_set(actor=issuer_admin, issuer=classkick.issuer, organisation=group, accept=True)
    acceptance_set(actor=issuer_admin, issuer=classkick.issuer, organisation=group, accept=False)
    attempt = submit_attempt(educator, classkick)
    voucher.refresh_from_db()
    assert voucher.is_unused
    assert not Voucher.objects.filter(redeemed_attempt=attempt).exists()


def test_a_voucher_goes_only_to_a_sharing_member_and_once_per_credential(
    client, coordinator, group, sharing, private, classkick
):
    with pytest.raises(InvalidInput) as refused:
        voucher_give(actor=coordinator, member=private, credential=classkick)
    assert refused.value.errors[0].field == "member"
    client.force_login(coordinator)
    url = reverse("cohorts:vouchers", args=[group.slug])
    data = {"member": str(sharing.pk), "credential": classkick.slug}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 422
    assert "already holds an unused voucher" in again.content.decode()
    not_sharing = client.post(url, {"member": str(private.pk), "credential": classkick.slug})
    assert "Choose a member who shares their progress" in not_sharing.content.decode()
    assert Voucher.objects.count() == 1


def _second_attempt(first: Attempt) -> Attempt:
    """Another attempt of the same submission, as a resubmission leaves it (the reads under test need only rows)."""
    return Attempt.objects.create(
        submission=first.submission, number=2, version=first.version, responses={}, submitted_by=first.submitted_by
    )


def test_a_voucher_is_redeemed_once_the_second_update_matching_nothing(
    coordinator, group, sharing, educator, classkick, issuer_admin
):
    first = submit_attempt(educator, classkick)  # nothing to use yet: no voucher
    acceptance_set(actor=issuer_admin, issuer=classkick.issuer, organisation=group, accept=True)
    voucher = voucher_give(actor=coordinator, member=sharing, credential=classkick)
    second = _second_attempt(first)
    assert voucher_redeem(attempt=first) == voucher
    assert voucher_redeem(attempt=second) is None
    voucher.refresh_from_db()
    assert voucher.redeemed_attempt == first


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite lets one writer in at a time: no race there")
@pytest.mark.django_db(transaction=True)
def test_two_redemptions_at_once_one_waits_and_finds_the_voucher_taken(
    coordinator, group, sharing, educator, classkick, issuer_admin
):
    first = submit_attempt(educator, classkick)
    acceptance_set(actor=issuer_admin, issuer=classkick.issuer, organisation=group, accept=True)
    voucher = voucher_give(actor=coordinator, member=sharing, credential=classkick)
    second = _second_attempt(first)
    pids: list[int] = []
    outcomes: dict[str, object] = {}
    first_done, release = threading.Event(), threading.Event()

    def redeem(name: str, attempt: Attempt, hold: bool) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.append(int(cursor.fetchone()[0]))
            with transaction.atomic():
                outcomes[name + "_saw"] = voucher.pk in voucher_candidates(attempt=attempt)
                if not hold:
                    assert first_done.wait(timeout=20)
                outcomes[name] = voucher_redeem(attempt=attempt)
                if hold:
                    first_done.set()
                    assert release.wait(timeout=20)
        except Exception as error:  # reported by the assertions below rather than lost in the thread
            outcomes[name] = repr(error)
        finally:
            connection.close()

    winner = threading.Thread(target=redeem, args=("first", first, True))
    loser = threading.Thread(target=redeem, args=("second", second, False))
    winner.start()
    loser.start()
    # The second's conditional UPDATE blocks on the row the first has updated and not yet committed.
    waited = one_waited_for_another(pids)
    release.set()
    winner.join(timeout=30)
    loser.join(timeout=30)
    assert waited, "the second redemption never waited on the first: no race happened"
    assert outcomes["first_saw"] is True
    assert outcomes["second_saw"] is True  # both read the voucher as free: the race was real
    assert isinstance(outcomes["first"], Voucher)
    assert outcomes["second"] is None
    voucher.refresh_from_db()
    assert voucher.redeemed_attempt_id == first.pk
