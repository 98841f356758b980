from django.apps import AppConfig


class AwardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "awards"
    verbose_name = "Awards"

    def ready(self) -> None:
        from awards.changes import watch_verification

        watch_verification()
