"""Young participants: the age bracket stated at sign-up, and the grown-ups' answers for a participant under 18.

Existing accounts get no bracket (blank), which accounts/participants.py counts as an adult: they never
stated an age, and nothing they made before is held back by the new rules."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_reviewer_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="age_bracket",
            field=models.CharField(
                blank=True,
                choices=[("under_13", "Under 13"), ("13_17", "13 to 17"), ("18_plus", "18 or over")],
                default="",
                max_length=10,
            ),
        ),
        migrations.CreateModel(
            name="ParticipationConsent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("guardian", "Parent or guardian"), ("advisor", "Chapter advisor")], max_length=10
                    ),
                ),
                ("contact_name", models.CharField(blank=True, max_length=150)),
                ("contact_email", models.EmailField(max_length=254)),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "Waiting for an answer"), ("given", "Given"), ("declined", "Declined")],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("share_outside", models.BooleanField(default=False)),
                (
                    "signed_name",
                    models.CharField(blank=True, help_text="The name typed by whoever answered.", max_length=150),
                ),
                ("token_hash", models.CharField(blank=True, max_length=64)),
                ("token_expires_at", models.DateTimeField(blank=True, null=True)),
                ("requested_at", models.DateTimeField()),
                ("sent_at", models.DateTimeField()),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="participation_consents",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["token_hash"], name="participation_token_hash")],
                "constraints": [models.UniqueConstraint(fields=("user", "kind"), name="participation_consent_unique")],
            },
        ),
    ]
