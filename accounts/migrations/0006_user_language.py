"""A person's language for their pages and emails; blank follows the browser."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_reviewer_pauses_and_invites"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(
                blank=True, choices=[("en", "English"), ("es", "Español")], default="", max_length=8
            ),
        ),
    ]
