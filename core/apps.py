from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    """What every app stands on: the one error hierarchy and the one append-only audit log."""

    name = "core"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from core.sqlite import keep_open

        connection_created.connect(keep_open, dispatch_uid="core.sqlite.keep_open")
