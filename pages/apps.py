from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The HTML surface: every page's view, URL and form, the admin site, and the page-only template tags."""

    name = "pages"

    def ready(self) -> None:
        from django.urls import register_converter

        from pages.converters import PositiveIdConverter

        # Before any urls.py is read (the URLconf loads lazily, after every app is ready): <pk:…> in all of them.
        register_converter(PositiveIdConverter, "pk")
        # Connects the sign-in receiver that carries a language chosen before signing in over to the account.
        import pages.accounts.language  # noqa: F401
