from django.apps import AppConfig


class GalleryConfig(AppConfig):
    """The certified examples gallery: earned submissions published with the earner's consent."""

    name = "gallery"
