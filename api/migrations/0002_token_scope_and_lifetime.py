from datetime import timedelta

from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone

# As settings.API_TOKEN_MAX_DAYS when this was written; a migration must not change with the settings.
MAX_DAYS = 365


def cap_lifetimes(apps, schema_editor):
    # Tokens made before lifetimes had a limit may never expire; from now on none lives past a year.
    token = apps.get_model("api", "PersonalAccessToken")
    limit = timezone.now() + timedelta(days=MAX_DAYS)
    token.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=limit)).update(expires_at=limit)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        # Tokens that exist were made when every token could write, and their scripts rely on it; new
        # tokens read only unless asked for more (the AlterField below).
        migrations.AddField(
            model_name="personalaccesstoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "Read only"), ("write", "Read and write")],
                default="write",
                help_text="read: GET requests only; write: changes as well.",
                max_length=5,
            ),
        ),
        migrations.AlterField(
            model_name="personalaccesstoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "Read only"), ("write", "Read and write")],
                default="read",
                help_text="read: GET requests only; write: changes as well.",
                max_length=5,
            ),
        ),
        migrations.RunPython(cap_lifetimes, migrations.RunPython.noop),
    ]
