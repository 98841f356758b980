from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The HTML surface: every page's view, URL and form, the admin site, and the page-only template tags."""

    name = "pages"
