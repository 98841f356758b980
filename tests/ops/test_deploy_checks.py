"""`manage.py check --deploy` names a database whose change-log triggers are missing (ops.E002)."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks

from core import changes

pytestmark = pytest.mark.django_db


def _e002() -> list[str]:
    return [message.msg for message in run_checks(include_deployment_checks=True) if message.id == "ops.E002"]


def test_a_migrated_database_passes():
    assert _e002() == []


def test_missing_triggers_are_named_until_they_are_made_again():
    changes.uninstall()
    (message,) = _e002()
    watched = sorted({watch.table for watch in changes.watches()})
    assert watched
    for table in watched:
        assert table in message
    changes.install()
    assert _e002() == []
