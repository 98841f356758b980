"""Earning a pathway: all of its credentials or N of them, each valid; its own Open Badges 3.0 credential issued
exactly once through awards' signing pipeline, verifying like any other and naming what it stacks; the earner
told; a credential revoked afterwards leaves the pathway's credential standing."""

from __future__ import annotations

import pytest
from django.core import mail

from awards.models import Badge
from awards.services import badge_revoke
from awards.verify import verify_credential
from core.errors import InvalidInput
from core.models import AuditEvent
from notifications.models import Notification
from pathways.demo import DEMO_TITLE, demo_pathway_ensure
from pathways.models import PathwayAward, Rule
from pathways.selectors import progress_for
from pathways.services import NotCompleted, PathwayInput, pathway_award_issue, pathway_save, pathways_award_due
from pathways.tasks import pathways_check_on_commit, pathways_issue_due
from tests.awards.conftest import earn


def test_all_of_issues_the_pathway_credential_when_the_last_credential_is_issued_and_it_verifies(
    educator, classkick, ck_more, make_pathway, issue, django_capture_on_commit_callbacks
):
    feedback = ck_more[0]
    pathway = make_pathway([classkick, feedback])
    first = issue(educator, classkick)
    assert pathways_award_due(earner=educator) == []
    (progress,) = progress_for(user=educator, pathways=[pathway])
    assert (progress.held, progress.needed, progress.complete) == (1, 2, False)

    # The last credential's attempt is decided earned: workflow queues the pathways check beside the badge's task;
    # the check issues the badge (idempotently) and then the pathway.
    attempt = earn(educator, feedback)
    with django_capture_on_commit_callbacks(execute=True):
        pathways_check_on_commit(attempt=attempt)

    award = PathwayAward.objects.get()
    badge = award.badge
    second = Badge.objects.get(attempt=attempt)
    assert (award.pathway, award.earner, badge.issuer, badge.is_stacked) == (pathway, educator, classkick.issuer, True)
    assert {b.pk for b in award.stacked.all()} == {first.pk, second.pk}
    document = badge.document
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "LearningProgram"
    assert [a["targetCode"] for a in achievement["alignment"]] == ["classkick-collaboration", "classkick-feedback"]
    assert {a["targetType"] for a in achievement["alignment"]} == {"ceterms:Credential"}
    assert sorted(e["description"].split()[4] for e in document["evidence"]) == sorted(
        f"urn:uuid:{b.uuid}" for b in (first, second)
    )
    # Both signed forms verify like any badge: structure, strict term check, signature, key, status, dates.
    for form in (document, badge.jwt):
        report = verify_credential(form)
        assert report.valid, report.checks
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert document["credentialStatus"]["statusListCredential"].endswith("/awards/status/classkick/1")

    assert Notification.objects.filter(user=educator, kind="pathway_earned").count() == 1
    (email,) = [m for m in mail.outbox if "pathway" in m.subject]
    assert email.subject == "You completed the Collaborator pathway from Classkick"
    assert f"/pathways/credentials/{badge.uuid}/" in email.body
    assert AuditEvent.objects.filter(action="pathway.earned").count() == 1
    assert AuditEvent.objects.filter(action="badge.issued", subject_id=str(badge.pk)).count() == 1


def test_n_of_counts_only_valid_credentials_and_stacks_those_held(
    educator, issuer_admin, classkick, ck_more, make_pathway, issue, django_capture_on_commit_callbacks
):
    feedback, reflection = ck_more
    pathway = make_pathway([classkick, feedback, reflection], rule=Rule.N_OF, n=2)
    collaboration = issue(educator, classkick)
    badge_revoke(admin=issuer_admin, badge=collaboration, reason="The evidence was not the educator's own.")
    issue(educator, feedback)
    # One valid of the two needed: the revoked one does not count.
    assert pathways_award_due(earner=educator) == []
    with pytest.raises(NotCompleted):
        pathway_award_issue(pathway=pathway, earner=educator)

    held = issue(educator, reflection)
    with django_capture_on_commit_callbacks(execute=True):
        (award,) = pathways_award_due(earner=educator)
    assert award.pathway == pathway
    assert len(award.badge.document["evidence"]) == 2
    assert held in award.stacked.all()
    assert collaboration not in award.stacked.all()
    assert (
        "any 2 of these 3 credentials"
        in award.badge.document["credentialSubject"]["achievement"]["criteria"]["narrative"]
    )
    assert verify_credential(award.badge.document).valid


def test_the_pathway_credential_is_issued_exactly_once_however_often_it_is_asked(
    educator, classkick, ck_more, make_pathway, issue, django_capture_on_commit_callbacks
):
    pathway = make_pathway([classkick, ck_more[0]])
    issue(educator, classkick)
    issue(educator, ck_more[0])
    with django_capture_on_commit_callbacks(execute=True):
        first = pathway_award_issue(pathway=pathway, earner=educator)
        again = pathway_award_issue(pathway=pathway, earner=educator)
        assert pathways_award_due(earner=educator) == []
        assert pathways_issue_due() == []
    assert again.pk == first.pk
    assert again.badge_id == first.badge_id
    assert PathwayAward.objects.count() == 1
    assert Badge.objects.filter(attempt__isnull=True).count() == 1
    assert Notification.objects.filter(kind="pathway_earned").count() == 1


def test_the_sweep_issues_a_completed_pathway_whose_check_was_lost_and_an_unpublished_one_is_never_issued(
    educator, issuer_admin, classkick, ck_more, make_pathway, issue
):
    hidden = make_pathway([classkick], title="Hidden")
    pathway_save(
        actor=issuer_admin,
        issuer=classkick.issuer,
        pathway=hidden,
        data=PathwayInput("Hidden", "Not yet.", [classkick.pk], Rule.ALL, None, False),
    )
    shown = make_pathway([classkick, ck_more[1]], title="Shown")
    issue(educator, classkick)
    issue(educator, ck_more[1])  # issued without the pathways check (a lost task)

    (uuid,) = pathways_issue_due()
    assert PathwayAward.objects.get().pathway == shown
    assert str(PathwayAward.objects.get().badge.uuid) == uuid
    with pytest.raises(NotCompleted):
        pathway_award_issue(pathway=hidden, earner=educator)


def test_a_credential_revoked_after_the_pathway_leaves_its_credential_standing(
    educator, issuer_admin, classkick, ck_more, make_pathway, issue
):
    pathway = make_pathway([classkick, ck_more[0]])
    collaboration = issue(educator, classkick)
    issue(educator, ck_more[0])
    award = pathway_award_issue(pathway=pathway, earner=educator)

    badge_revoke(admin=issuer_admin, badge=collaboration, reason="The evidence was not the educator's own.")

    award.badge.refresh_from_db()
    assert award.badge.revoked_at is None
    assert verify_credential(award.badge.document).valid
    assert not verify_credential(collaboration.document).valid


@pytest.mark.parametrize(
    ("rule", "n", "field", "message"),
    [
        (Rule.N_OF, 3, "required_count", "a whole number from 1 to 2"),
        (Rule.N_OF, 0, "required_count", "a whole number from 1 to 2"),
        (Rule.N_OF, None, "required_count", "a whole number from 1 to 2"),
        ("some", None, "rule", "all of the credentials are needed, or a number"),
    ],
)
def test_a_pathway_refuses_a_count_outside_one_to_the_number_of_credentials(
    issuer_admin, classkick, ck_more, rule, n, field, message
):
    data = PathwayInput("Collaborator", "Both.", [classkick.pk, ck_more[0].pk], rule, n, True)
    with pytest.raises(InvalidInput) as refused:
        pathway_save(actor=issuer_admin, issuer=classkick.issuer, data=data)
    assert [(e.field, message in e.message) for e in refused.value.errors] == [(field, True)]


def test_a_pathway_takes_only_the_issuers_own_credentials_and_each_change_is_audited(
    issuer_admin, classkick, educators_rising
):
    data = PathwayInput("Mixed", "Two issuers.", [classkick.pk, educators_rising.pk], Rule.ALL, None, True)
    with pytest.raises(InvalidInput) as refused:
        pathway_save(actor=issuer_admin, issuer=classkick.issuer, data=data)
    assert refused.value.errors[0].field == "credentials"

    made = pathway_save(
        actor=issuer_admin, issuer=classkick.issuer, data=PathwayInput(" Solo ", "One.", [classkick.pk], "all", 5, True)
    )
    assert (made.slug, made.title, made.required_count) == ("solo", "Solo", None)
    pathway_save(
        actor=issuer_admin,
        issuer=classkick.issuer,
        pathway=made,
        data=PathwayInput("Solo", "One.", [classkick.pk], "n_of", 1, False),
    )
    events = list(AuditEvent.objects.filter(action__startswith="pathway.").order_by("pk"))
    assert [(e.action, e.actor_id) for e in events] == [
        ("pathway.created", issuer_admin.pk),
        ("pathway.updated", issuer_admin.pk),
    ]
    assert events[1].old == "all classkick-collaboration; published"
    assert events[1].new == "1 of classkick-collaboration; not published"


def test_the_demo_seed_defines_one_published_pathway_once(classkick):
    first = demo_pathway_ensure(issuer=classkick.issuer)
    again = demo_pathway_ensure(issuer=classkick.issuer)
    assert first is not None
    assert again == first
    assert (first.title, first.is_published, first.rule) == (DEMO_TITLE, True, Rule.ALL)
    assert list(first.credentials.all()) == [classkick]
