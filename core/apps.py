from django.apps import AppConfig
from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    """What every app stands on: the one error hierarchy and the one append-only audit log."""

    name = "core"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from core.sqlite import keep_open

        connection_created.connect(keep_open, dispatch_uid="core.sqlite.keep_open")


class StaticFilesConfig(BaseStaticFilesConfig):
    """Django's static files, leaving out of collectstatic the files installed apps ship that no page loads.

    Production collects into hashed, Brotli- and gzip-compressed copies, at the compressors' slowest settings:
    ninja's Redoc bundle (the API docs page is Swagger UI), django-htmx's htmx 4 and its extensions (the pages load
    htmx 2, minified) and the unminified copies of the admin's vendored scripts (the admin loads those only with
    DEBUG on, which production refuses) were more than half of that work, and every deploy repeated it."""

    ignore_patterns = [
        *BaseStaticFilesConfig.ignore_patterns,
        "ninja/redoc*",
        "django_htmx/ext/*",
        "django_htmx/django-htmx.js",
        "django_htmx/htm*x-4*",
        "django_htmx/htmx-2.js",
        "admin/js/vendor/jquery/jquery.js",
        "admin/js/vendor/select2/select2.full.js",
        "admin/js/vendor/xregexp/xregexp.js",
    ]
