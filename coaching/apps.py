from django.apps import AppConfig


class CoachingConfig(AppConfig):
    """Coaching before submitting: a draft shared with a named coach, comments anchored to a field."""

    name = "coaching"
