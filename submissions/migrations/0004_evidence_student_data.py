"""Evidence records whether it shows or names students (names, faces, voices), as the educator declared at
upload, and when they confirmed that the school's consent covers those students.

Rows that exist before this migration keep `student_data` null (never asked): they are handled as files that
may hold student data, which is the safe reading of a question never answered.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0003_evidence_reviewer_copy"),
    ]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="student_data",
            field=models.BooleanField(default=None, null=True),
        ),
        migrations.AddField(
            model_name="evidence",
            name="student_data_consent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
