from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from api.signals import tokens_revoke_on_password_change

        post_save.connect(
            tokens_revoke_on_password_change, sender=settings.AUTH_USER_MODEL, dispatch_uid="api.tokens_on_password"
        )
