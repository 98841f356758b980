"""The reviews' own audit table (AuditLog) is folded into the one audit log (core.AuditEvent), then dropped.

Every row is copied with its moment, actor, subject, old and new values and data, under the action name
the services now write ("assignment_created" becomes "assignment.created", "adjudication_requested"
becomes "attempt.adjudication_requested" ...). The subject keeps its type and id: the old table named a
subject the way core.audit does (the model's name in lower case). issuer_id, which the old table did not
have, is the issuer of the credential the subject belongs to, so the issuer's admins can read the copies.
Rows are copied in their order (at, id), so a subject's history reads as before.

Going backwards moves those rows of the audit log back into a recreated AuditLog table.
"""

from django.db import migrations

ACTIONS = {
    "assignment_created": "assignment.created",
    "assignment_declined": "assignment.declined",
    "assignment_reassigned": "assignment.reassigned",
    "assignment_expired": "assignment.expired",
    "assignment_cancelled": "assignment.cancelled",
    "seat_waiting": "seat.waiting",
    "review_submitted": "review.submitted",
    "adjudication_requested": "attempt.adjudication_requested",
    "decision_made": "decision.made",
    "decision_overridden": "decision.overridden",
    "extra_attempt_granted": "submission.extra_attempt_granted",
    "attempt_returned_incomplete": "attempt.returned_incomplete",
    "calibration_recorded": "calibration.recorded",
}
# Each subject type, the app and model it names, and the path from that model to its issuer's id.
SUBJECTS = {
    "attempt": ("submissions", "Attempt", "submission__credential__issuer_id"),
    "submission": ("submissions", "Submission", "credential__issuer_id"),
    "seat": ("reviews", "Seat", "attempt__submission__credential__issuer_id"),
    "assignment": ("reviews", "Assignment", "attempt__submission__credential__issuer_id"),
    "decision": ("reviews", "Decision", "attempt__submission__credential__issuer_id"),
    "calibrationresult": ("reviews", "CalibrationResult", "sample__credential__issuer_id"),
}
BATCH = 2000


def _issuers(apps, AuditLog):
    """(subject_type, subject_id) -> issuer id, one query per subject type found in the log."""
    found = {}
    for subject_type, (app, model, path) in SUBJECTS.items():
        ids = AuditLog.objects.filter(subject_type=subject_type).values("subject_id")
        rows = apps.get_model(app, model).objects.filter(pk__in=ids).values_list("pk", path)
        found.update({(subject_type, pk): issuer_id for pk, issuer_id in rows})
    return found


def copy_to_audit_log(apps, schema_editor):
    AuditLog = apps.get_model("reviews", "AuditLog")
    AuditEvent = apps.get_model("core", "AuditEvent")
    issuers = _issuers(apps, AuditLog)
    batch = []
    for row in AuditLog.objects.order_by("at", "id").iterator(chunk_size=BATCH):
        batch.append(
            AuditEvent(
                at=row.at,
                actor_id=row.actor_id,
                action=ACTIONS.get(row.action, f"reviews.{row.action}"),
                subject_type=row.subject_type,
                subject_id=row.subject_id,
                issuer_id=issuers.get((row.subject_type, row.subject_id)),
                old=row.old,
                new=row.new,
                data=row.data or {},
            )
        )
        if len(batch) >= BATCH:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    AuditLog = apps.get_model("reviews", "AuditLog")
    AuditEvent = apps.get_model("core", "AuditEvent")
    actions = {action: old for old, action in ACTIONS.items()}
    rows = AuditEvent.objects.filter(action__in=actions)
    restored = [
        AuditLog(
            actor_id=row.actor_id,
            action=actions[row.action],
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            old=row.old[:60],
            new=row.new[:60],
            data=row.data,
            at=row.at,
        )
        for row in rows.order_by("at", "id").iterator(chunk_size=BATCH)
    ]
    AuditLog.objects.bulk_create(restored, batch_size=BATCH)
    # The historical model has a plain manager, so the log's append-only guard does not stand in the way
    # of handing these rows back to the table they came from.
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_to_audit_log, copy_back),
        migrations.DeleteModel(name="AuditLog"),
    ]
