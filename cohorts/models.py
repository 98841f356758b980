"""Cohorts and district groups: an organisation's educators, their consent, progress and vouchers."""

from django.db import models  # noqa: F401
