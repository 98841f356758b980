"""The awards' own audit table (AwardEvent) is folded into the one audit log (core.AuditEvent), then dropped.

Every row is copied with its moment, actor, old and new values and data. An old row pointed at a badge, a
credit application or only an issuer; the copy names the most precise subject it can find: the
application, else the badge, else the issuer key a key event names ("#key-3"), else the issuer's status
list when it has exactly one, else the issuer. A subject other than the badge keeps the badge's id in
data["badge_id"], so nothing the old row said is lost. issuer_id is the row's issuer, or the badge's.

Going backwards moves the awards' rows of the audit log back into a recreated AwardEvent table.
"""

import re

from django.db import migrations

ACTIONS = {
    "key_created": "issuer_key.created",
    "key_retired": "issuer_key.retired",
    "issued": "badge.issued",
    "revoked": "badge.revoked",
    "visibility": "badge.visibility_changed",
    "status_list_signed": "status_list.signed",
    "applied": "credit_application.submitted",
    "decided": "credit_application.decided",
    "partners_synced": "partners.synced",
}
KEY_EVENTS = {"key_created", "key_retired"}
_KEY_FRAGMENT = re.compile(r"#key-(\d+)")


def _subject(event, keys, lists):
    if event.application_id is not None:
        return "creditapplication", event.application_id
    if event.awarded_id is not None:
        return "badge", event.awarded_id
    if event.kind in KEY_EVENTS:
        found = _KEY_FRAGMENT.search(event.old_value or event.new_value)
        key_id = keys.get((event.issuer_id, int(found.group(1)))) if found else None
        if key_id is not None:
            return "issuerkey", key_id
    if event.kind == "status_list_signed" and len(lists.get(event.issuer_id, [])) == 1:
        return "statuslist", lists[event.issuer_id][0]
    if event.issuer_id is not None:
        return "issuer", event.issuer_id
    return "awardevent", event.pk


def copy_to_audit_log(apps, schema_editor):
    AwardEvent = apps.get_model("awards", "AwardEvent")
    AuditEvent = apps.get_model("core", "AuditEvent")
    Badge = apps.get_model("awards", "Badge")
    IssuerKey = apps.get_model("awards", "IssuerKey")
    StatusList = apps.get_model("awards", "StatusList")
    CreditApplication = apps.get_model("awards", "CreditApplication")

    keys = {
        (issuer_id, number): pk for pk, issuer_id, number in IssuerKey.objects.values_list("pk", "issuer_id", "number")
    }
    lists = {}
    for pk, issuer_id in StatusList.objects.values_list("pk", "issuer_id").order_by("number"):
        lists.setdefault(issuer_id, []).append(pk)
    badge_issuer = dict(Badge.objects.values_list("pk", "issuer_id"))
    application_badge = dict(CreditApplication.objects.values_list("pk", "badge_id"))

    batch = []
    for event in AwardEvent.objects.order_by("at", "id").iterator(chunk_size=2000):
        badge_id = event.awarded_id
        if badge_id is None and event.application_id is not None:
            badge_id = application_badge.get(event.application_id)
        subject_type, subject_id = _subject(event, keys, lists)
        data = dict(event.data or {})
        if badge_id is not None and subject_type != "badge":
            data["badge_id"] = badge_id
        batch.append(
            AuditEvent(
                at=event.at,
                actor_id=event.actor_id,
                action=ACTIONS.get(event.kind, f"award.{event.kind}"),
                subject_type=subject_type,
                subject_id=subject_id,
                issuer_id=event.issuer_id if event.issuer_id is not None else badge_issuer.get(badge_id),
                old=event.old_value,
                new=event.new_value,
                data=data,
            )
        )
        if len(batch) >= 2000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    AwardEvent = apps.get_model("awards", "AwardEvent")
    AuditEvent = apps.get_model("core", "AuditEvent")
    kinds = {action: kind for kind, action in ACTIONS.items()}
    rows = AuditEvent.objects.filter(action__in=kinds)
    restored = []
    for row in rows.order_by("at", "id").iterator(chunk_size=2000):
        data = dict(row.data or {})
        badge_id = row.subject_id if row.subject_type == "badge" else data.pop("badge_id", None)
        restored.append(
            AwardEvent(
                kind=kinds[row.action],
                actor_id=row.actor_id,
                at=row.at,
                issuer_id=row.issuer_id,
                awarded_id=badge_id,
                application_id=row.subject_id if row.subject_type == "creditapplication" else None,
                old_value=row.old,
                new_value=row.new,
                data=data,
            )
        )
    AwardEvent.objects.bulk_create(restored, batch_size=2000)
    # The historical model has a plain manager, so the log's append-only guard does not stand in the way
    # of handing these rows back to the table they came from.
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0002_badge"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_to_audit_log, copy_back),
        migrations.DeleteModel(name="AwardEvent"),
    ]
