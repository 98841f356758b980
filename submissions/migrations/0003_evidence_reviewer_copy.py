"""Evidence gets a reviewer's copy: the file without the details that name its maker (submissions.scrub).

Rows that exist before this migration start as "pending": reviewers are never served their original. The
copy is made by `manage.py evidence_reviewer_copies` (run it once after deploying) or, for a row it has
not reached yet, at the first reviewer download (submissions.downloads). Files are not read here, so the
migration stays quick and never depends on storage being reachable.
"""

import submissions.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0002_events_to_audit_log"),
    ]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="reviewer_copy",
            field=models.CharField(
                choices=[
                    ("pending", "Not made yet"),
                    ("cleaned", "Cleaned of identifying details"),
                    ("same", "Nothing to clean (the original)"),
                    ("withheld", "Could not be cleaned: withheld from reviewers"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="evidence",
            name="reviewer_copy_problem",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="evidence",
            name="reviewer_copy_removed",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="evidence",
            name="reviewer_file",
            field=models.FileField(blank=True, max_length=255, upload_to=submissions.models._evidence_path),
        ),
    ]
