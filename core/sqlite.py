"""One SQLite connection held open for the life of each process that uses a SQLite file, doing nothing.

Why: in WAL mode the last connection to close checkpoints the write-ahead log into the database and removes it and
its shared-memory index, and the next one to open makes both again. Request connections are kept for CONN_MAX_AGE
(60 s, settings), but each still closes in time: when it reaches that age, when its thread ends (the development
server starts one per request), when a worker restarts. When it was the last, the next request paid for making and
removing two files, and a write for a checkpoint (writing its pages to the database file again and syncing it) on
top of its commit. Held open, the log and its index stay, and checkpoints happen as SQLite schedules them
(wal_autocheckpoint, in the committing connection, a thousand pages at a time). Measured in-process on the bench's
database when every request opened its own connection: a page 0.2 ms faster, an autosave 1.4 ms faster.

The connection runs one read when it opens (what makes SQLite open the log and its index) and nothing after, so it
never holds a snapshot that would keep a checkpoint from finishing. It is made by the process that uses it, after
any fork (a SQLite connection must not cross one: a server's workers each make their own), once per file however
many threads connect at once, and kept until the process ends.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

# (process id, database file) -> the connection kept open for that file in that process.
_KEPT: dict[tuple[int, str], sqlite3.Connection] = {}
_MAKING = threading.Lock()


def keep_open(sender: Any, connection: BaseDatabaseWrapper, **_: Any) -> None:
    """Receives connection_created: the first SQLite connection to a file in this process opens the kept one."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:") or not Path(name).is_file():
        return
    key = (os.getpid(), str(Path(name).resolve()))
    if key in _KEPT:
        return
    with _MAKING:
        if key in _KEPT:
            return
        kept = sqlite3.connect(key[1], check_same_thread=False)
        kept.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        _KEPT[key] = kept


def kept_files() -> list[str]:
    """The database files this process holds a connection open to (for tests and diagnostics)."""
    pid = os.getpid()
    return [name for owner, name in _KEPT if owner == pid]
