"""The throwaway database every in-process benchmark runs on: a temporary folder holding its own SQLite file,
secret key and issuer-key encryption key, so nothing in var/ is touched and nothing outlives the run.

    with throwaway_django() as folder:   # Django set up, migrated, the programs loaded
        ...

Django can be set up once per process, so each benchmark that needs a database runs in a process of its own
(bench/run.py starts one per benchmark). Migrating and loading the programs takes a minute or more on a busy
machine, so bench/run.py does it once (`python bench/throwaway.py --template FOLDER`) and names the result in
MICROCRED_BENCH_TEMPLATE; each benchmark then starts from a copy of that file.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "MICROCRED_BENCH_TEMPLATE"
NAME = "bench.sqlite3"


def template_copy(folder: Path) -> bool:
    """Copy the migrated database bench/run.py made into `folder`, if there is one."""
    template = os.environ.get(TEMPLATE)
    if not template or not Path(template).is_file():
        return False
    shutil.copy2(template, folder / NAME)
    return True


def django_setup(folder: Path, *, database_url: str | None = None, programs: bool = True) -> None:
    """Point Django at `folder` (SQLite there unless a database URL is given), set it up and migrate; with
    `programs`, load the credential definitions as `make setup` does. A copy of the template, where there is one,
    stands for both (its programs are loaded whether asked for or not: no benchmark minds them)."""
    os.environ["MICROCRED_VAR_DIR"] = str(folder)
    (folder / "static").mkdir(exist_ok=True)  # STATIC_ROOT: WhiteNoise warns where it is missing; nothing is served
    copied = database_url is None and template_copy(folder)
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
    call_command("migrate", verbosity=0)
    if programs:
        call_command("load_credentials", verbosity=0, stdout=io.StringIO())  # it lists each program it loads


@contextmanager
def throwaway_django(*, programs: bool = True) -> Iterator[Path]:
    """Django on a new SQLite database in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="microcred-bench-") as folder:
        django_setup(Path(folder), programs=programs)
        yield Path(folder)


def template_make(folder: Path) -> Path:
    """A migrated database with the programs loaded, in `folder`, for MICROCRED_BENCH_TEMPLATE."""
    django_setup(folder)
    from django.db import connection

    connection.close()
    with sqlite3.connect(folder / NAME) as database:  # everything in the main file, so one copy is whole
        database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return folder / NAME


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Make the migrated database the benchmarks start from.")
    parser.add_argument("--template", type=Path, required=True, help="the folder to make it in")
    print(template_make(parser.parse_args().template))
