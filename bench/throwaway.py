"""The throwaway database every in-process benchmark runs on: a temporary folder holding its own SQLite file,
secret key and issuer-key encryption key, so nothing in var/ is touched and nothing outlives the run.

    with throwaway_django() as folder:   # Django set up, its tables made, the programs loaded
        ...

Django can be set up once per process, so each benchmark that needs a database runs in a process of its own
(bench/run.py starts one per benchmark). Making the tables (from the models, not by replaying the migrations) and
loading the programs takes seconds, yet bench/run.py does it once (`python bench/throwaway.py --template FOLDER`)
and names the result in MICROCRED_BENCH_TEMPLATE; each benchmark then starts from a copy of that file.

What a database made here holds depends only on the project's sources (migrations, models, the commands and
services that load and seed data, the credential definitions), the locks and the Python running them: so such a
database is kept in the bench's cache folder (`cache_root()`) under a digest of all of them (`source_digest`),
and made again only when one of them changes. MICROCRED_BENCH_NO_CACHE=1 (`bench/run.py --no-cache`) makes
everything afresh and keeps nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "MICROCRED_BENCH_TEMPLATE"
NO_CACHE = "MICROCRED_BENCH_NO_CACHE"
NAME = "bench.sqlite3"
# What a folder's Django reads besides its database (microcred/settings/base.py makes them on first use): kept
# with a cached database, since the issuer keys in it are encrypted with the one and sessions signed with the other.
SECRETS = ("secret_key", "issuer_key_encryption_key")
# Not read by migrating, loading or seeding: the tests, the documentation, the browser's static files, the
# bench itself (its seeding code is named by whoever caches what it makes), and what tools and runs leave.
NOT_SOURCES = {
    ".git",
    ".venv",
    "node_modules",
    "var",
    "tests",
    "docs",
    "static",
    "bench",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
}


# The web layer: its views and page templates draw what the data holds and write nothing a benchmark seeds
# (the layers keep everything below them from calling them). Its migrations, and the templates of e-mails and
# notifications, which services render, are sources all the same.
WEB = {"pages": {"migrations"}, "templates": {"emails", "notifications"}}


def cache_root() -> Path:
    """The bench's cache folder: MICROCRED_BENCH_CACHE, else $XDG_CACHE_HOME/microcred-bench or
    ~/.cache/microcred-bench."""
    if os.environ.get("MICROCRED_BENCH_CACHE"):
        return Path(os.environ["MICROCRED_BENCH_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "microcred-bench"


def caching() -> bool:
    return os.environ.get(NO_CACHE, "") in ("", "0")


def source_digest(*also: Path) -> str:
    """A digest of every project file a database made by the bench can depend on, and of `also` (the bench's
    own code that made it): any edit to a migration, a model, a command, a service, a definition or a lock
    gives another digest. Coarse on purpose (the web layer aside): an edit that could not change the data
    only costs one rebuild."""
    hasher = hashlib.sha256(f"python {platform.python_version()}\n".encode())
    paths: list[Path] = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = sorted(name for name in subfolders if name not in NOT_SOURCES and not name.startswith("."))
        parts = Path(folder).relative_to(ROOT).parts
        if parts and parts[0] in WEB and not WEB[parts[0]].intersection(parts):
            continue
        paths.extend(Path(folder) / name for name in files if not name.endswith((".pyc", ".sqlite3", ".log")))
    for path in sorted(paths) + sorted(Path(p).resolve() for p in also):
        hasher.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return hasher.hexdigest()[:16]


def cache_store(kind: str, digest: str, folder: Path, names: list[str]) -> Path | None:
    """Keep `names` from `folder` (and the folder's secrets) as the cached `kind` for `digest`, with the two
    other entries of that kind used last (older ones are removed); None when caching is off or the copy fails
    (the run goes on without it)."""
    if not caching():
        return None
    root = cache_root()
    target = root / f"{kind}-{digest}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        # The two used last are kept besides this one: another checkout's run may be copying from them.
        others = sorted((p for p in root.glob(f"{kind}-*") if p != target), key=lambda p: p.stat().st_mtime)
        for old in others[:-2]:
            shutil.rmtree(old, ignore_errors=True)
        # Made under another name and renamed at once, so a run never finds half an entry.
        staging = Path(tempfile.mkdtemp(prefix=f".{kind}-", dir=root))
        for name in [*names, *SECRETS]:
            if (folder / name).exists():
                shutil.copy2(folder / name, staging / name)
        try:
            staging.rename(target)
        except OSError:  # another run stored the same entry meanwhile
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as error:
        print(f"  (could not keep it in {root}: {error})", flush=True)
        return None
    return target


def cache_find(kind: str, digest: str) -> Path | None:
    """The cached `kind` for `digest`, if there is one and caching is on."""
    found = cache_root() / f"{kind}-{digest}"
    if not caching() or not found.is_dir():
        return None
    found.touch()  # used now: kept over older entries
    return found


def secrets_copy(source: Path, folder: Path) -> None:
    """A cached entry's secrets into `folder`, before Django is set up there."""
    for name in SECRETS:
        if (source / name).exists():
            shutil.copy2(source / name, folder / name)


def template_copy(folder: Path) -> bool:
    """Copy the migrated database bench/run.py made into `folder`, if there is one."""
    template = os.environ.get(TEMPLATE)
    if not template or not Path(template).is_file():
        return False
    shutil.copy2(template, folder / NAME)
    return True


def django_setup(
    folder: Path, *, database_url: str | None = None, programs: bool = True, prepared: bool = False
) -> None:
    """Point Django at `folder` (SQLite there unless a database URL is given), set it up and make its tables; with
    `programs`, load the credential definitions as `make setup` does. A copy of the template, where there is one,
    stands for both (its programs are loaded whether asked for or not: no benchmark minds them); so does
    `prepared`, for a database the caller has put in `folder` already."""
    os.environ["MICROCRED_VAR_DIR"] = str(folder)
    (folder / "static").mkdir(exist_ok=True)  # STATIC_ROOT: WhiteNoise warns where it is missing; nothing is served
    copied = prepared or (database_url is None and template_copy(folder))
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{folder / NAME}"
    os.environ["EMAIL_URL"] = "dummy://"
    os.environ["TASK_BACKEND"] = "dummy"
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["DEBUG"] = "0"  # as production runs: no query log kept, no debug context in templates
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcred.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    if copied:
        return
    # The tables straight from the models, as the test suite makes its databases (tests/test_migrations.py holds
    # the two schemas equal): replaying every migration costs half a minute of CPU and measures nothing here.
    from django.apps import apps
    from django.conf import settings

    settings.MIGRATION_MODULES = {config.label: None for config in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)
    if programs:
        call_command("load_credentials", verbosity=0, stdout=io.StringIO())  # it lists each program it loads


@contextmanager
def throwaway_django(*, programs: bool = True) -> Iterator[Path]:
    """Django on a new SQLite database in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="microcred-bench-") as folder:
        django_setup(Path(folder), programs=programs)
        yield Path(folder)


def checkpoint(database: Path) -> None:
    """Everything of a SQLite database in its main file (none left in its write-ahead log), so one copy is whole."""
    with sqlite3.connect(database) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def template_make(folder: Path) -> Path:
    """A migrated database with the programs loaded, for MICROCRED_BENCH_TEMPLATE: the cached one for the
    sources as they are, else made in `folder` (and cached)."""
    digest = source_digest(Path(__file__))
    cached = cache_find("template", digest)
    if cached is not None and (cached / NAME).is_file():
        print(f"from {cached}, made before from the same sources")
        shutil.copy2(cached / NAME, folder / NAME)
        return folder / NAME
    django_setup(folder)
    from django.db import connection

    connection.close()
    checkpoint(folder / NAME)
    cache_store("template", digest, folder, [NAME])
    return folder / NAME


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Make the migrated database the benchmarks start from.")
    parser.add_argument("--template", type=Path, required=True, help="the folder to make it in")
    print(template_make(parser.parse_args().template))
