"""Every account's address as allauth's primary EmailAddress, verified where the account was."""

from django.db import migrations


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    have = set(EmailAddress.objects.values_list("user_id", flat=True))
    rows = [
        EmailAddress(user_id=user_id, email=email.lower(), primary=True, verified=verified_at is not None)
        for user_id, email, verified_at in User.objects.values_list("pk", "email", "email_verified_at").iterator()
        if user_id not in have
    ]
    EmailAddress.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_language"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
