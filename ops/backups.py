"""Backups: the database (through django-dbbackup), the evidence files and a manifest, in one folder per backup.

The issuer key encryption key is never written into a backup: whoever holds a backup must not hold the issuers'
signing keys with it. The manifest does carry the issuer keys' ciphertexts (the database dump holds them anyway),
so that a restore proves, before it changes anything, that the key configured where it runs opens every one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbbackup.db.base import get_connector
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import ngettext

from awards.keys import IssuerKeyError, decrypt_private
from awards.models import IssuerKey
from catalog.models import Issuer
from submissions.models import Evidence

MANIFEST = "manifest.json"
FORMAT = 1
MEDIA_ARCHIVE = "media.tar.gz"
KEY_NOTE = (
    "ISSUER_KEY_ENCRYPTION_KEY is not in this backup, on purpose. A restore needs the key (or keys) the backed-up "
    "instance used, from wherever it is kept apart from the backups."
)


@dataclass(frozen=True)
class Restored:
    path: Path
    engine: str
    issuer_keys: int
    evidence_files: int


# The kind of database, by the name of Django's backend for it: the SQLite backend in use (core.backends.sqlite3)
# is Django's with a change to how statements are sent, none to what is stored, so a backup names Django's and
# restores across the two.
_ENGINES = {"sqlite": "django.db.backends.sqlite3", "postgresql": "django.db.backends.postgresql"}


def _engine() -> str:
    return _ENGINES.get(connection.vendor, str(connection.settings_dict["ENGINE"]))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _private(path: Path) -> None:
    # Evidence, names, emails and password hashes: readable by the account that runs the backups only.
    path.chmod(0o700 if path.is_dir() else 0o600)


def _issuer_keys() -> list[dict[str, Any]]:
    return [
        {
            "issuer": key.issuer.slug,
            "fragment": key.fragment,
            "algorithm": key.algorithm,
            "private_key_encrypted": key.private_key_encrypted,
        }
        for key in IssuerKey.objects.select_related("issuer").order_by("pk")
    ]


def _applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def _new_folder(directory: Path) -> tuple[Path, Path]:
    """(the folder a backup is written into, the name it takes once complete). The dot keeps an unfinished one
    out of `restore`'s choice of the latest."""
    if not directory.exists():
        directory.mkdir(parents=True)
        _private(directory)
    stamp = timezone.now().strftime("%Y-%m-%d-%H%M%S")
    for attempt in range(1, 100):
        name = f"microcred-{stamp}" + (f"-{attempt}" if attempt > 1 else "")
        final, partial = directory / name, directory / f".{name}.partial"
        if final.exists() or partial.exists():
            continue
        partial.mkdir()
        _private(partial)
        return partial, final
    raise CommandError(f"{directory} already holds 99 backups made this second")


def _write_archives(folder: Path, *, media: bool, quiet: bool) -> tuple[list[dict[str, Any]], str]:
    keys = _issuer_keys()
    database = f"database.{get_connector(DEFAULT_DB_ALIAS).extension}.gz"
    call_command(
        "dbbackup",
        database=DEFAULT_DB_ALIAS,
        output_path=str(folder / database),
        compress=True,
        interactive=False,
        quiet=quiet,
    )
    if media:
        storage = storages["default"]
        if isinstance(storage, FileSystemStorage):
            # An instance nobody has uploaded to yet has no media folder, and dbbackup cannot list a missing one.
            Path(storage.location).mkdir(parents=True, exist_ok=True)
        call_command(
            "mediabackup", output_path=str(folder / MEDIA_ARCHIVE), compress=True, interactive=False, quiet=quiet
        )
    return keys, database


def backup_create(*, directory: Path, media: bool = True, quiet: bool = True) -> Path:
    """Write a backup into a new folder under `directory` and return that folder.

    The database first, then the files: an evidence file is stored before its row is committed, so every row in
    the dump finds its file in the archive made after it (a file uploaded in between is only an orphan)."""
    partial, final = _new_folder(directory)
    try:
        keys, database = _write_archives(partial, media=media, quiet=quiet)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    files = {path.name: _sha256(path) for path in sorted(partial.iterdir())}
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "engine": _engine(),
        "database": database,
        "media": MEDIA_ARCHIVE if media else None,
        "media_storage": settings.MEDIA_STORAGE,
        "files": files,
        "migrations": _applied_migrations(),
        "issuer_keys": keys,
        "key_note": KEY_NOTE,
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    for path in partial.iterdir():
        _private(path)
    partial.rename(final)
    return final


def backup_latest(directory: Path) -> Path:
    complete = sorted(path for path in directory.glob("microcred-*") if path.is_dir() and (path / MANIFEST).is_file())
    if not complete:
        raise CommandError(f"there is no backup in {directory}: name one, as in `manage.py restore PATH`")
    return complete[-1]


def backup_read(path: Path) -> dict[str, Any]:
    """The backup's manifest, once every file it lists is there with the checksum it was written with."""
    try:
        manifest: dict[str, Any] = json.loads((path / MANIFEST).read_text())
    except FileNotFoundError:
        raise CommandError(f"{path} is not a backup: it has no {MANIFEST}") from None
    except ValueError as error:
        raise CommandError(f"{path / MANIFEST} is damaged: {error}") from None
    if manifest.get("format") != FORMAT:
        raise CommandError(f"{path} is a backup of format {manifest.get('format')!r}; this version reads {FORMAT}")
    for name, digest in manifest["files"].items():
        file = path / name
        if not file.is_file():
            raise CommandError(f"{path} is incomplete: {name} is missing")
        if _sha256(file) != digest:
            raise CommandError(f"{path} is damaged: {name} does not match the checksum in {MANIFEST}")
    return manifest


def undecryptable(keys: list[dict[str, Any]]) -> list[str]:
    """The issuer keys, as "issuer #key-N", that ISSUER_KEY_ENCRYPTION_KEY does not open."""
    failed = []
    for key in keys:
        try:
            decrypt_private(key["private_key_encrypted"])
        except IssuerKeyError:
            failed.append(f"{key['issuer']} #{key['fragment']}")
    return failed


def _key_refusal(failed: list[str], total: int) -> str:
    return (
        f"ISSUER_KEY_ENCRYPTION_KEY does not decrypt {len(failed)} of the {total} issuer signing keys in this "
        f"backup ({', '.join(failed)}), so the restored instance could not sign a badge with them. Set it to the key "
        "the backed-up instance used, which is kept apart from the backups (during a rotation: every key still in "
        "use, newest first, comma-separated)."
    )


def _target_holds_data() -> list[str]:
    tables = set(connection.introspection.table_names())
    return [
        str(model._meta.verbose_name_plural)
        for model in (get_user_model(), Issuer, IssuerKey)
        if model._meta.db_table in tables and model._base_manager.exists()
    ]


def _refuse_unknown_migrations(manifest: dict[str, Any]) -> None:
    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise CommandError(
            f"this backup was made by a newer microcred (this checkout lacks the migrations {', '.join(unknown[:5])}"
            f"{' …' if len(unknown) > 5 else ''}): restore with the version that made it, then upgrade. "
            "Nothing was restored."
        )


def _evidence_problems() -> list[str]:
    problems = []
    for name, digest in Evidence.objects.order_by("pk").values_list("file", "sha256"):
        if not default_storage.exists(name):
            problems.append(f"{name} is missing")
            continue
        sha = hashlib.sha256()
        with default_storage.open(name, "rb") as file:
            for block in file.chunks():
                sha.update(block)
        if sha.hexdigest() != digest:
            problems.append(f"{name} differs from the checksum its row records")
    return problems


def backup_restore(path: Path, *, force: bool = False, quiet: bool = True) -> Restored:
    """Restore a backup into this instance's database and media storage, after checking everything that can be
    checked first: the files' checksums, the database engine, the schema version, the encryption key, and that
    the database is empty (unless `force`). Then check the result: every issuer key opens, every evidence file is
    there with its checksum."""
    manifest = backup_read(path)
    engine = _engine()
    if manifest["engine"] != engine:
        raise CommandError(
            f"this backup is of a {manifest['engine']} database and DATABASE_URL points at {engine}: restore into "
            "the same kind of database. Nothing was restored."
        )
    _refuse_unknown_migrations(manifest)
    failed = undecryptable(manifest["issuer_keys"])
    if failed:
        raise CommandError(_key_refusal(failed, len(manifest["issuer_keys"])) + " Nothing was restored.")
    if connection.vendor == "sqlite":
        Path(connection.settings_dict["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    held = _target_holds_data()
    if held and not force:
        raise CommandError(
            f"the database DATABASE_URL points at already holds {', '.join(held)}: restore into a new, empty "
            "database (create it, and run nothing else against it first), or pass --force to replace what it "
            "holds. Nothing was restored."
        )

    call_command(
        "dbrestore",
        database=DEFAULT_DB_ALIAS,
        input_path=str(path / manifest["database"]),
        uncompress=True,
        interactive=False,
        quiet=quiet,
    )
    if manifest["media"]:
        call_command(
            "mediarestore",
            input_path=str(path / manifest["media"]),
            uncompress=True,
            replace=True,
            interactive=False,
            quiet=quiet,
        )

    # The checks before the restore read the manifest; these read what was restored.
    restored_keys = [
        {"issuer": slug, "fragment": f"key-{number}", "private_key_encrypted": token}
        for slug, number, token in IssuerKey.objects.order_by("pk").values_list(
            "issuer__slug", "number", "private_key_encrypted"
        )
    ]
    failed = undecryptable(restored_keys)
    if failed:
        raise CommandError(
            "THE RESTORE IS NOT USABLE: " + _key_refusal(failed, len(restored_keys)) + " The data was restored; "
            "set the right key before the app serves, or issuing and revoking badges will fail."
        )
    problems = _evidence_problems() if manifest["media"] else []
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise CommandError(
            "THE RESTORE IS INCOMPLETE: "
            + ngettext(
                "%(n)d evidence file is not as recorded: %(shown)s",
                "%(n)d evidence files are not as recorded: %(shown)s",
                len(problems),
            )
            % {"n": len(problems), "shown": shown}
        )
    return Restored(
        path=path,
        engine=engine,
        issuer_keys=len(restored_keys),
        evidence_files=Evidence.objects.count() if manifest["media"] else 0,
    )


def media_file_count(path: Path, manifest: dict[str, Any]) -> int:
    if not manifest["media"]:
        return 0
    with tarfile.open(path / manifest["media"], "r:gz") as archive:
        return sum(1 for member in archive if member.isfile())


def folder_size(path: Path) -> str:
    size = sum(os.path.getsize(file) for file in path.iterdir() if file.is_file())
    return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.0f} kB"
