"""Pathways: credentials stacked into one, its own Open Badges 3.0 credential, and the transcript."""

from django.db import models  # noqa: F401
