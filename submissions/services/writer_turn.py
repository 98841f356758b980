"""On SQLite, the turn of the database's one writer, taken in the kernel rather than in SQLite's busy handler."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, router

from submissions.models import Submission

# The SQLite writers' lock file of each database, opened once per process (a forked child opens its own: flock()
# excludes another open file, not a process sharing one), and the lock that queues this process's threads for it.
_TURN_FILES: dict[tuple[int, str], int] = {}
_TURN_THREADS = threading.Lock()


def turn_file_path(name: str) -> str:
    """The lock file of the SQLite database at `name`: in the temporary folder, named by a digest of its absolute
    path, so the database's own folder (where each test run makes a database of its own) gathers nothing. Never the
    database file itself: closing any descriptor of it would drop the POSIX locks SQLite holds on it."""
    digest = hashlib.sha256(os.path.abspath(name).encode()).hexdigest()[:32]
    return os.path.join(tempfile.gettempdir(), f"microcred-sqlite-writers-{digest}.lock")


def _turn_file(name: str) -> int | None:
    key = (os.getpid(), name)
    handle = _TURN_FILES.get(key)
    if handle is None:
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW
        try:
            handle = _TURN_FILES[key] = os.open(turn_file_path(name), flags, 0o600)
        except OSError:
            return None  # another user's file, or no temporary folder: SQLite's busy handler alone, as before
    return handle


@contextmanager
def sqlite_writer_turn() -> Iterator[None]:
    """On SQLite, wait for the database's one writer slot in the kernel rather than in SQLite's busy handler.

    BEGIN IMMEDIATE finding another writer at work makes SQLite sleep 1, 2, 5, 10 ... ms between tries, however
    soon the other commits: with two server processes saving drafts, a busy server's collisions cost
    milliseconds of sleep each for a lock held well under one, and a core stands idle meanwhile. An exclusive
    flock() on the database's lock file (`turn_file_path`), held from before BEGIN until after COMMIT, queues
    autosaves instead and wakes the next one the moment the last one is done; this process's threads queue on a
    lock of their own first. SQLite's own lock still decides: this only orders those who take the file lock
    (other writers meet SQLite's busy handler as before). Nothing happens on other engines, inside an open
    transaction (its BEGIN has been sent), or for a database without a file of its own."""
    connection = connections[router.db_for_write(Submission)]
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or connection.in_atomic_block or name.startswith(("file:", ":memory:")):
        yield
        return
    with _TURN_THREADS:
        handle = _turn_file(name)
        if handle is None:
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
