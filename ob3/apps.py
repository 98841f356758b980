from django.apps import AppConfig


class Ob3Config(AppConfig):
    name = "ob3"
    verbose_name = "Open Badges 3.0 API"

    def ready(self) -> None:
        from ob3 import signals  # noqa: F401  (connects the receivers)
