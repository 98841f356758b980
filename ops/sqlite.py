"""A django-dbbackup connector for SQLite that restores through SQLite's backup API."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import IO

from dbbackup.db.sqlite import SqliteBackupConnector


class SqliteOnlineBackupConnector(SqliteBackupConnector):
    """Dumps as dbbackup's own connector does (the backup API, safe while the app writes), and restores the same
    way into the open connection. dbbackup's restore writes over the database file instead: with WAL, the -wal
    file left beside it would then be replayed onto pages it does not belong to, and connections that still
    hold the old file open would carry on writing to it."""

    def restore_dump(self, dump: IO[bytes]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "restore.sqlite3"
            with path.open("wb") as file:
                shutil.copyfileobj(dump, file)
            source = sqlite3.connect(path)
            try:
                self.connection.ensure_connection()
                source.backup(self.connection.connection)
            finally:
                source.close()
