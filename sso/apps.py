from typing import Any

from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _provider_addresses_only(sender: Any, instance: Any, created: bool = False, **_: Any) -> None:
    """A new account made by a provider's sign-in gets its addresses from allauth alone, as the provider gave them.

    Every new account otherwise gets its own address as an EmailAddress on save (accounts.email_addresses), and
    allauth's social sign-up, which writes the provider's addresses right after that save, refuses to run over
    existing ones. Connected after accounts' receiver (this app is later in INSTALLED_APPS); the flag is set by
    sso.adapter.populate_user, and where accounts' receiver already skips such an account this removes nothing."""
    if created and getattr(instance, "_email_addresses_from_provider", False):
        from allauth.account.models import EmailAddress

        EmailAddress.objects.filter(user=instance).delete()


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = _("District sign-in")

    def ready(self) -> None:
        post_save.connect(_provider_addresses_only, sender=get_user_model(), dispatch_uid="sso.provider_addresses")
