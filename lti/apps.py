from django.apps import AppConfig


class LtiConfig(AppConfig):
    """LTI 1.3: launches from an LMS, deep linking and grades back (Assignment and Grade Services)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "lti"
    verbose_name = "LTI"

    def ready(self) -> None:
        from lti.signals import signals_connect

        signals_connect()
