"""Apps connected through the OB 3.0 API lose their access when the earner's password changes or the account is
closed or erased, as personal access tokens do (api/signals.py): a changed password is what someone does who
fears another has it, and an app that person connected must stop too."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.erasure import account_closed, account_erased
from accounts.models import User, password_saved
from ob3.services import connected_apps_revoke_all


@receiver(post_save, sender=User, dispatch_uid="ob3.apps_on_password_change")
def apps_revoke_on_password_change(
    sender: type[User], instance: User, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    if not password_saved(instance, created=created, raw=raw, update_fields=kwargs.get("update_fields")):
        return
    connected_apps_revoke_all(user=instance, reason="the password was changed")


@receiver(account_closed, dispatch_uid="ob3.apps_on_account_closed")
def apps_revoke_on_account_closed(sender: type[User], user: User, **kwargs: Any) -> None:
    connected_apps_revoke_all(user=user, reason="the account is being deleted")


@receiver(account_erased, dispatch_uid="ob3.apps_on_account_erased")
def apps_revoke_on_account_erased(sender: type[User], user: User, **kwargs: Any) -> None:
    connected_apps_revoke_all(user=user, reason="the account was erased")
