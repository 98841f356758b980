"""Coaching before submitting: a draft shared with a named coach, comments anchored to a field."""

from django.db import models  # noqa: F401
