"""A file no row references (left by a server killed mid-upload) is swept once it is past the grace period."""

from __future__ import annotations

import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from submissions.models import Evidence
from tests.submissions import files
from tests.submissions.helpers import upload

LESSON = "plan.lesson_files"
TWO_HOURS = 2 * 60 * 60


def _age(root: Path, name: str, seconds: int) -> None:
    moment = time.time() - seconds
    os.utime(root / name, (moment, moment))


def _sweep(*args: str) -> str:
    out = StringIO()
    call_command("evidence_sweep_orphans", *args, stdout=out)
    return out.getvalue()


def test_it_removes_an_old_orphan_and_keeps_a_young_one_and_every_referenced_file(private_media, draft, educator):
    kept = upload(draft, educator, LESSON, "plan.pdf", files.pdf())
    referenced = kept.file.name
    assert referenced
    # As a server killed between the storage write and the commit leaves them: a file and no row.
    old_orphan = default_storage.save("evidence/2025/01/killed-mid-upload", ContentFile(b"%PDF-1.4 old"))
    young_orphan = default_storage.save("evidence/2025/01/still-uploading", ContentFile(b"%PDF-1.4 new"))
    _age(private_media, referenced, TWO_HOURS)
    _age(private_media, old_orphan, TWO_HOURS)

    out = _sweep()

    assert f"removed {old_orphan}" in out
    assert "1 orphaned evidence file removed" in out
    assert not (private_media / old_orphan).exists()
    assert (private_media / young_orphan).exists()
    assert (private_media / referenced).read_bytes() == files.pdf()
    assert Evidence.objects.get(pk=kept.pk).file.name == referenced


def test_a_dry_run_names_the_orphan_and_removes_nothing(private_media, db):
    orphan = default_storage.save("evidence/2025/02/orphan", ContentFile(b"x"))
    _age(private_media, orphan, TWO_HOURS)

    out = _sweep("--dry-run")

    assert f"would remove {orphan}" in out
    assert (private_media / orphan).exists()


def test_files_outside_the_evidence_folder_are_not_its_business(private_media, db):
    other = default_storage.save("exports/report.csv", ContentFile(b"a,b"))
    _age(private_media, other, TWO_HOURS)

    assert "0 orphaned evidence files removed" in _sweep("--grace-minutes", "0")
    assert (private_media / other).exists()


def test_it_runs_on_a_storage_that_holds_no_evidence_yet(private_media, db):
    assert not private_media.exists() or not (private_media / "evidence").exists()
    assert "0 orphaned evidence files removed" in _sweep()


def test_it_refuses_a_negative_grace(db):
    with pytest.raises(CommandError, match="negative"):
        _sweep("--grace-minutes", "-5")
