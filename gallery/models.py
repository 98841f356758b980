"""The certified examples gallery: earned submissions published with the earner's consent."""

from django.db import models  # noqa: F401
