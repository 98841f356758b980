from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app stands on: the one error hierarchy and the one append-only audit log."""

    name = "core"
    verbose_name = "Audit log"
