from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    """Pathways: credentials stacked into one, its own Open Badges 3.0 credential, and the transcript."""

    name = "pathways"

    def ready(self) -> None:
        from pathways.changes import watch_dashboard

        watch_dashboard()
