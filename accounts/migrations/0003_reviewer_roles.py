"""Reviewer roles per issuer: what a profile held globally (kind, issuers, grade bands) becomes one role for
each issuer it reviewed for, with the same kind and bands, so everyone keeps the seats they could take at each
of those issuers. Going back keeps, per person, the kind and bands of their first role and every issuer."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def profiles_to_roles(apps: Any, schema_editor: Any) -> None:
    ReviewerProfile = apps.get_model("accounts", "ReviewerProfile")
    ReviewerRole = apps.get_model("accounts", "ReviewerRole")
    now = timezone.now()
    roles = [
        ReviewerRole(
            user_id=profile.user_id,
            issuer_id=issuer.pk,
            kind=profile.kind,
            grade_bands=profile.grade_bands or "|",
            granted_by=None,
            granted_at=now,
        )
        for profile in ReviewerProfile.objects.prefetch_related("issuers").order_by("pk")
        for issuer in profile.issuers.all()
    ]
    ReviewerRole.objects.bulk_create(roles, batch_size=500)


def roles_to_profiles(apps: Any, schema_editor: Any) -> None:
    ReviewerProfile = apps.get_model("accounts", "ReviewerProfile")
    ReviewerRole = apps.get_model("accounts", "ReviewerRole")
    for profile in ReviewerProfile.objects.order_by("pk"):
        roles = list(ReviewerRole.objects.filter(user_id=profile.user_id).order_by("pk"))
        if not roles:
            continue
        # The old model had two kinds; a lead assessor reviewed as issuer staff.
        profile.kind = "mentor" if roles[0].kind == "mentor" else "issuer_staff"
        profile.grade_bands = roles[0].grade_bands
        profile.save(update_fields=["kind", "grade_bands"])
        profile.issuers.set(sorted({role.issuer_id for role in roles}))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_throttle"),
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReviewerRole",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("issuer_staff", "Issuer staff"),
                            ("mentor", "Mentor"),
                            ("lead_assessor", "Lead assessor"),
                        ],
                        max_length=20,
                    ),
                ),
                ("grade_bands", models.CharField(blank=True, default="|", max_length=200)),
                ("granted_at", models.DateTimeField()),
                (
                    "granted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "issuer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="reviewer_roles", to="catalog.issuer"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reviewer_roles",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["issuer", "kind"], name="reviewer_role_issuer_kind")],
                "constraints": [
                    models.UniqueConstraint(fields=("user", "issuer", "kind"), name="reviewer_role_unique")
                ],
            },
        ),
        migrations.RunPython(profiles_to_roles, roles_to_profiles),
        migrations.RemoveField(model_name="reviewerprofile", name="grade_bands"),
        migrations.RemoveField(model_name="reviewerprofile", name="issuers"),
        migrations.RemoveField(model_name="reviewerprofile", name="kind"),
    ]
