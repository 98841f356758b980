"""A throwaway PostgreSQL database on the server the suite runs on, for a second instance of the app."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import connection


@contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[str]:
    """Create an empty database beside the test database; answers its DATABASE_URL and drops it after."""
    params = connection.settings_dict
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    server = {"host": params["HOST"], "port": params["PORT"] or 5432, "user": params["USER"]}
    if params["PASSWORD"]:
        server["password"] = params["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = f"{params['USER']}:{params['PASSWORD']}" if params["PASSWORD"] else params["USER"]
    try:
        yield f"postgres://{auth}@{server['host']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
