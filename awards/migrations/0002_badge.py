"""AwardedCredential becomes Badge, and CreditApplication.awarded becomes .badge: one word for the earned thing.

Renames only, so every row stays as it is (the table and the column are renamed in place). The unique
constraint over (awarded, partner) is dropped and made again around the field's rename, because a
migration's state does not follow a renamed field into a constraint's field list.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0001_initial"),
        ("catalog", "0001_initial"),
        ("submissions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel(old_name="AwardedCredential", new_name="Badge"),
        migrations.AlterField(
            model_name="badge",
            name="attempt",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT, related_name="badge", to="submissions.attempt"
            ),
        ),
        migrations.AlterField(
            model_name="badge",
            name="earner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="badges", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AlterField(
            model_name="badge",
            name="credential",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="badges", to="catalog.credential"
            ),
        ),
        migrations.AlterField(
            model_name="badge",
            name="version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="badges", to="catalog.credentialversion"
            ),
        ),
        migrations.AlterField(
            model_name="badge",
            name="issuer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="badges", to="catalog.issuer"
            ),
        ),
        migrations.RenameIndex(model_name="badge", new_name="badge_earner_recent", old_name="awarded_earner_recent"),
        migrations.RenameIndex(model_name="badge", new_name="badge_status_revoked", old_name="awarded_status_revoked"),
        migrations.RemoveConstraint(model_name="badge", name="awarded_unique_status_index"),
        migrations.AddConstraint(
            model_name="badge",
            constraint=models.UniqueConstraint(
                fields=("status_list", "status_index"), name="badge_unique_status_index"
            ),
        ),
        migrations.RemoveConstraint(model_name="creditapplication", name="application_one_per_partner"),
        migrations.RenameField(model_name="creditapplication", old_name="awarded", new_name="badge"),
        migrations.AddConstraint(
            model_name="creditapplication",
            constraint=models.UniqueConstraint(fields=("badge", "partner"), name="application_one_per_partner"),
        ),
    ]
