"""Backup and restore: real data made through the services, backed up, restored into an empty instance (a new
database and an empty media folder, in another process, as an operator would run it), and compared.

The data must be committed for pg_dump to see it, hence transactional tests. The suite runs on SQLite and on
PostgreSQL; each test restores into a new database of the same kind."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.conf import LazySettings
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from awards.services import badge_issue, issuer_keys_create
from catalog.models import Credential
from ops.backups import backup_read
from submissions.models import Evidence
from tests.awards.conftest import earn
from tests.ops.databases import fresh_postgres_database
from tests.ops.snapshot import snapshot

ROOT = Path(__file__).resolve().parents[2]
SITE_URL = "http://testserver:8000"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media_root(settings: LazySettings, tmp_path: Path) -> Path:
    root = tmp_path / "private-media"
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    # The did:web in every credential comes from SITE_URL; the restored instance is given the same one.
    settings.SITE_URL = SITE_URL
    return root


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """The DATABASE_URL of a new, empty database of the kind the suite runs on."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'microcred.sqlite3'}"
        return
    with fresh_postgres_database("restore") as url:
        yield url


def _other_instance(database_url: str, media_root: Path, key: str, tmp_path: Path) -> dict[str, str]:
    """The environment of a second instance: its own database, media folder and var folder; nothing inherited
    that would point it back at this test's."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_URL", "MICROCRED_", "MEDIA_", "BACKUP_", "ISSUER_KEY_", "S3_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "microcred.settings",
            "MICROCRED_VAR_DIR": str(tmp_path / "restored-var"),
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(media_root),
            "ISSUER_KEY_ENCRYPTION_KEY": key,
            "SITE_URL": SITE_URL,
        }
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def _backup(tmp_path: Path) -> Path:
    call_command("backup", dir=tmp_path / "backups", stdout=io.StringIO())
    (made,) = (tmp_path / "backups").iterdir()
    return made


def _is_empty(database_url: str) -> bool:
    if database_url.startswith("sqlite:"):
        return not Path(database_url.removeprefix("sqlite://")).exists()
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    return row is not None and row[0] == 0


@pytest.mark.slow
def test_a_restored_instance_holds_the_same_rows_files_and_verifying_badges(
    media_root: Path,
    empty_database: str,
    tmp_path: Path,
    settings: LazySettings,
    educator: User,
    educator2: User,
    classkick: Credential,
    educators_rising: Credential,
    reviewer_staff: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        badge_issue(attempt=earn(educator, classkick))
        # A rotation leaves a retired key behind: the backup must carry it, and its badges must still verify.
        issuer_keys_create(issuer=classkick.issuer, rotate=True)
        badge_issue(attempt=earn(educator2, classkick))
        badge_issue(attempt=earn(educator, educators_rising))
    before = snapshot()
    assert len(before["badges"]) == 3
    assert all(report["valid"] for badge in before["badges"].values() for report in badge.values()), before["badges"]
    evidence = _files(media_root)
    assert evidence, "the earned attempts uploaded evidence files"

    backup = _backup(tmp_path)
    # Named as Django names the backend for this kind of database, as backups made before the project had its own
    # SQLite backend (core/backends/sqlite3) are: those restore into this instance, and this one into theirs.
    django_backend = {"sqlite": "django.db.backends.sqlite3", "postgresql": "django.db.backends.postgresql"}
    assert backup_read(backup)["engine"] == django_backend[connection.vendor]

    # The key that opens the issuer keys is nowhere in the backup, in any file, compressed or not.
    key = settings.ISSUER_KEY_ENCRYPTION_KEY
    for path in backup.iterdir():
        data = path.read_bytes()
        for content in (data, gzip.decompress(data) if path.suffix == ".gz" else b""):
            for part in key.split(","):
                assert part.encode() not in content, f"{path.name} holds the encryption key"

    restored_media = tmp_path / "restored-media"
    env = _other_instance(empty_database, restored_media, key, tmp_path)
    result = _run(["manage.py", "restore", str(backup)], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 issuer keys, each opened with ISSUER_KEY_ENCRYPTION_KEY" in result.stdout
    # Each upload is stored with its reviewer's copy; the restore counts uploads.
    uploads = Evidence.objects.count()
    assert f"{uploads} evidence file{'' if uploads == 1 else 's'}, each matching its checksum" in result.stdout

    result = _run(["-m", "tests.ops.snapshot"], env)
    assert result.returncode == 0, result.stderr
    after = json.loads(result.stdout)

    assert after["rows"].keys() == before["rows"].keys()
    for label, rows in before["rows"].items():
        assert after["rows"][label] == rows, f"{label} differs after the restore"
    assert after["badges"] == before["badges"]
    assert _files(restored_media) == evidence


def test_a_restore_with_another_encryption_key_is_refused_and_changes_nothing(
    media_root: Path, empty_database: str, tmp_path: Path, classkick: Credential
) -> None:
    issuer_keys_create(issuer=classkick.issuer)
    backup = _backup(tmp_path)
    restored_media = tmp_path / "restored-media"
    env = _other_instance(empty_database, restored_media, Fernet.generate_key().decode(), tmp_path)

    result = _run(["manage.py", "restore", str(backup)], env)

    assert result.returncode != 0
    assert (
        "ISSUER_KEY_ENCRYPTION_KEY does not decrypt 2 of the 2 issuer signing keys in this backup "
        "(classkick #key-1, classkick #key-2)"
    ) in result.stderr
    assert "Nothing was restored." in result.stderr
    assert "Traceback" not in result.stderr
    assert not restored_media.exists()
    assert _is_empty(empty_database)
