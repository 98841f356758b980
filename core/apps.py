from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate


def _install_changes(sender: Any, using: str = "default", **_: Any) -> None:
    from core.changes import install

    install(using)


def _uninstall_changes(sender: Any, using: str = "default", **_: Any) -> None:
    from core.changes import uninstall

    uninstall(using)


class CoreConfig(AppConfig):
    """What every app stands on: the one error hierarchy, the one append-only audit log, and the change log kept
    pages are checked against."""

    name = "core"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from core.sqlite import keep_open

        connection_created.connect(keep_open, dispatch_uid="core.sqlite.keep_open")
        # Around every migrate, once each (for this app): the watched tables' triggers dropped, then made again
        # (core/changes.py).
        pre_migrate.connect(_uninstall_changes, sender=self, dispatch_uid="core.changes.uninstall")
        post_migrate.connect(_install_changes, sender=self, dispatch_uid="core.changes.install")
