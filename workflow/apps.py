from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    """The attempt's life from submit to badge: the one room that calls submissions, reviews and awards."""

    name = "workflow"
