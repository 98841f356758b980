from django.apps import AppConfig


class CohortsConfig(AppConfig):
    """Cohorts and district groups: an organisation's educators, their consent, progress and vouchers."""

    name = "cohorts"
