import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("socialaccount", "0006_alter_socialaccount_extra_data"),
    ]

    operations = [
        migrations.CreateModel(
            name="District",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "slug",
                    models.SlugField(
                        help_text="Lowercase letters, digits and hyphens; used in URLs.",
                        max_length=60,
                        unique=True,
                        verbose_name="short name",
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("openid_connect", "OpenID Connect"),
                            ("saml", "SAML 2.0"),
                            ("google", "Google Workspace"),
                            ("microsoft", "Microsoft Entra ID"),
                        ],
                        max_length=20,
                        verbose_name="sign-in method",
                    ),
                ),
                (
                    "vouches_for_domains",
                    models.BooleanField(
                        default=False,
                        help_text="Tick when the district's directory issues these addresses itself. Then a sign-in with one of them may be joined to an existing account whose holder verified the same address here.",
                        verbose_name="the provider vouches for addresses in these domains",
                    ),
                ),
                ("active", models.BooleanField(default=True, verbose_name="offered on the sign-in page")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "social_app",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="districts",
                        to="socialaccount.socialapp",
                        verbose_name="provider",
                    ),
                ),
            ],
            options={
                "verbose_name": "district",
                "verbose_name_plural": "districts",
                "ordering": ("name", "id"),
            },
        ),
        migrations.CreateModel(
            name="DistrictDomain",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("domain", models.CharField(max_length=253, unique=True, verbose_name="email domain")),
                (
                    "district",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="domains", to="sso.district"
                    ),
                ),
            ],
            options={
                "ordering": ("domain",),
            },
        ),
    ]
