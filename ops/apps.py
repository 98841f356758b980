from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the platform: production setup, backup and restore. Above every room, since they span them all."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Registers the deploy checks.
        from ops import checks  # noqa: F401
