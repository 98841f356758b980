from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _sync_issuer_admin_group(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from django.contrib.auth.management import create_permissions

    from accounts.services import issuer_admin_group_sync

    # Django creates each app's permissions in that app's own post_migrate; catalog's come after ours,
    # so make them now (idempotent) rather than leave the group short of them on a fresh database.
    for label in ("catalog", "accounts"):
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)
    issuer_admin_group_sync()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from allauth.account.signals import email_confirmed
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_save

        from accounts.backends import sign_in_failure_count
        from accounts.email_addresses import email_address_on_save, email_address_on_sign_in, email_address_verified
        from accounts.models import User
        from accounts.sessions import forget_fetched_user, session_started

        email_confirmed.connect(email_address_verified, dispatch_uid="accounts.email_address_verified")
        user_logged_in.connect(email_address_on_sign_in, dispatch_uid="accounts.email_address_on_sign_in")
        post_save.connect(email_address_on_save, sender=User, dispatch_uid="accounts.email_address_on_save")
        post_migrate.connect(_sync_issuer_admin_group, sender=self, dispatch_uid="accounts.issuer_admin_group")
        user_login_failed.connect(sign_in_failure_count, dispatch_uid="accounts.sign_in_failure_count")
        user_logged_in.connect(session_started, dispatch_uid="accounts.session_started")
        request_started.connect(forget_fetched_user, dispatch_uid="accounts.forget_fetched_user_started")
        request_finished.connect(forget_fetched_user, dispatch_uid="accounts.forget_fetched_user_finished")
