"""The list pages at 1k and at 100k rows: each page's median time and query count with a program of 1,000
attempts, then the same after it grows to 100,000 (bench/seed.py: decided, reviewed and badged in the same
proportions), and the ratio of the two (target: at most 1.5) with the query counts side by side (flat).

Timed in process through Django's test client (the full middleware stack, no network), as the demo admin, the
demo reviewer, and anonymous visitors; the same pages at both sizes, so the ratio is what the growth costs. The two
sizes are two copies of one SQLite database, and the rounds alternate between them (the machine may be shared).
Runs against a throwaway SQLite database in a temporary folder; nothing in var/ is touched. The two databases are
kept in the bench's cache folder once grown (bench/throwaway.py says under what), so a later run with the same
sources measures the same data without growing it again.

With --db pg the same runs on two PostgreSQL databases of the server at --postgres-url (the second made from the
first as a template, each grown, then vacuumed and analysed as autovacuum would have done), dropped afterwards:
production runs PostgreSQL, whose planner chooses differently from SQLite's as tables grow.
    python bench/bench_scale.py [--small 1000] [--large 100000] [--n 7] [--db sqlite|pg]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.throwaway import (  # the project root, put on the path above
    NAME,
    cache_find,
    cache_store,
    checkpoint,
    django_setup,
    secrets_copy,
    source_digest,
)

TARGET = 1.5
WARM_VIEWS = 5  # psycopg's prepare_threshold (microcred/env.py)
LARGE = "large.sqlite3"
HERE = Path(__file__).resolve().parent
# The code the grown databases are made by: an edit to any of them makes them again.
SEEDING = [HERE / "bench_scale.py", HERE / "seed.py", HERE / "bench_awards.py", HERE / "throwaway.py"]
# (what, who views it, path)
PAGES = [
    ("issuer pipeline", "admin", "/reviews/admin/"),
    ("reviewer queue", "reviewer", "/reviews/"),
    ("public badge list", "anonymous", "/awards/"),
    ("catalog", "anonymous", "/credentials/"),
    ("API review assignments", "reviewer", "/api/v1/reviews/assignments?include_submitted=true"),
    ("API pipeline", "admin", "/api/v1/reviews/admin/pipeline"),
    ("API credential list", "anonymous", "/api/v1/credentials"),
]


class _Counter:
    """A database execute wrapper that notes each query (Django keeps no query log with DEBUG off)."""

    def __init__(self, into: list[str]) -> None:
        self.into = into

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.into.append(sql)
        return execute(sql, params, many, context)


def _use(database: Path | str) -> None:
    """Point the default connection at another SQLite file or PostgreSQL database, connected before anything is
    timed."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = str(database)
    connection.ensure_connection()


def _view(client: Any, path: str) -> tuple[Any, int]:
    """One view of a page: the response and how many queries it made."""
    from django.db import connection

    captured: list[str] = []
    with connection.execute_wrapper(_Counter(captured)):
        response = client.get(path)
    return response, len(captured)


def _measure(clients: dict[str, Any], databases: dict[int, Any], n: int) -> dict[int, dict[str, dict[str, float]]]:
    """Each page at each size, in rounds that alternate between the two databases, so that whatever else the
    machine is doing weighs on both sizes alike."""
    times: dict[int, dict[str, list[float]]] = {size: {what: [] for what, _, _ in PAGES} for size in databases}
    out: dict[int, dict[str, dict[str, float]]] = {size: {} for size in databases}
    for size, database in databases.items():
        _use(database)
        for what, who, path in PAGES:
            _view(clients[who], path)  # warm: templates compiled, session read once
            response, queries = _view(clients[who], path)
            if response.status_code != 200:
                raise SystemExit(f"{path} as {who} answered {response.status_code} at {size:,} attempts")
            out[size][what] = {"queries": queries, "kb": len(response.content) / 1024}
    for _ in range(n):
        for size, database in databases.items():
            _use(database)
            # Servers keep their connections (CONN_MAX_AGE), and PostgreSQL prepares a query on its fifth run on one:
            # each page is viewed that often on the new connection before it is timed, so what is timed is a page on
            # a connection in use, not the connection's making.
            for _ in range(WARM_VIEWS):
                for _what, who, path in PAGES:
                    clients[who].get(path)
            for what, who, path in PAGES:
                started = time.perf_counter()
                clients[who].get(path)
                times[size][what].append((time.perf_counter() - started) * 1000)
    for size in databases:
        for what in times[size]:
            out[size][what]["ms"] = statistics.median(times[size][what])
    return out


def _build(folder: Path, small: int, large: int) -> dict[int, Path]:
    """The two databases, seeded alike and grown to each size, made in `folder` (Django set up on the first)."""
    from django.db import connection

    from bench import seed

    people = seed.seed_people(typists=0)
    first = Path(connection.settings_dict["NAME"])
    connection.close()
    checkpoint(first)
    databases = {small: first, large: folder / LARGE}
    shutil.copy2(first, databases[large])
    for size, database in databases.items():
        _use(database)
        started = time.perf_counter()
        seed.grow_to(size, people.reviewer)
        print(f"  ({size:,} attempts seeded in {time.perf_counter() - started:.0f} s)", flush=True)
    connection.close()
    for database in databases.values():
        checkpoint(database)
    return databases


def _signed_in(first: Path | str) -> dict[str, Any]:
    """A client for each persona, signed in on the database `first`."""
    from django.test import Client

    from accounts.models import User
    from bench import seed

    _use(first)
    clients = {"anonymous": Client(HTTP_HOST="127.0.0.1")}
    for who, email in (("admin", seed.ADMIN), ("reviewer", seed.REVIEWER)):
        clients[who] = Client(HTTP_HOST="127.0.0.1")
        clients[who].force_login(User.objects.get(email=email))
    return clients


def _sessions(databases: dict[int, Path]) -> dict[str, Any]:
    """A client for each persona, signed in on the first database, its session copied to the others (the
    databases are built before, and may be older than a session lives)."""
    from django.contrib.sessions.models import Session
    from django.db import connection

    first, *others = databases.values()
    clients = _signed_in(first)
    connection.close()
    table = Session._meta.db_table
    for database in others:
        with sqlite3.connect(database) as raw:
            raw.execute("ATTACH DATABASE ? AS first", (str(first),))
            # The table's name from the model's own metadata.
            raw.execute(f'INSERT OR REPLACE INTO "{table}" SELECT * FROM first."{table}"')
        raw.close()
    return clients


def _sessions_copied(databases: dict[int, str]) -> dict[str, Any]:
    """As _sessions, for PostgreSQL databases: the sessions signed in on the first are written into the others."""
    from django.contrib.sessions.models import Session

    first, *others = databases.values()
    clients = _signed_in(first)
    sessions = list(Session.objects.all())
    for database in others:
        _use(database)
        Session.objects.bulk_create(sessions, ignore_conflicts=True)
    return clients


def _build_postgres(server: str, small: int, large: int) -> dict[int, str]:
    """Two PostgreSQL databases seeded alike (the second a copy of the first), grown to each size, vacuumed and
    analysed."""
    from django.db import connection

    from bench import seed
    from bench.served import postgres

    names = {small: f"microcred_scale_{small}", large: f"microcred_scale_{large}"}
    people = seed.seed_people(typists=0)
    connection.close()
    postgres(server, f'CREATE DATABASE "{names[large]}" TEMPLATE "{names[small]}"')
    for size, name in names.items():
        _use(name)
        started = time.perf_counter()
        seed.grow_to(size, people.reviewer)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(
            f"  ({size:,} attempts seeded, vacuumed and analysed in {time.perf_counter() - started:.0f} s)", flush=True
        )
    return names


def run_postgres(small: int, large: int, n: int, server: str) -> dict[str, Any] | None:
    """The same measure on PostgreSQL (None, having said why, when its server cannot be reached)."""
    import psycopg

    from bench.served import postgres

    names = [f"microcred_scale_{small}", f"microcred_scale_{large}"]
    try:
        for name in names:
            postgres(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.OperationalError as error:
        print(f"  (no PostgreSQL at {server}: {error}; the PostgreSQL scale figures are skipped)")
        return None
    try:
        postgres(server, f'CREATE DATABASE "{names[0]}"')
        with tempfile.TemporaryDirectory(prefix="microcred-bench-") as folder:
            django_setup(Path(folder), database_url=f"{server.rstrip('/')}/{names[0]}")
            databases = _build_postgres(server, small, large)
            sizes = _measure(_sessions_copied(databases), databases, n)
            from django.db import connection

            connection.close()
    finally:
        for name in names:
            postgres(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return _report(sizes, small, large, n, "pg")


def run(small: int, large: int, n: int) -> dict[str, Any]:
    # The grown databases are kept in the bench's cache under a digest of the sources and of the code that seeds
    # them (bench.throwaway): growing 100k attempts is most of this benchmark's time, and none of what it measures.
    digest = source_digest(*SEEDING) + f"-{small}-{large}"
    with tempfile.TemporaryDirectory(prefix="microcred-bench-") as name:
        folder = Path(name)
        cached = cache_find("scale", digest)
        if cached is not None:
            print(f"  (the databases at {small:,} and {large:,} attempts, as seeded before, from {cached})", flush=True)
            secrets_copy(cached, folder)
            shutil.copy2(cached / NAME, folder / NAME)
            shutil.copy2(cached / LARGE, folder / LARGE)
            django_setup(folder, prepared=True)
            databases = {small: folder / NAME, large: folder / LARGE}
        else:
            django_setup(folder)
            databases = _build(folder, small, large)
            cache_store("scale", digest, folder, [NAME, LARGE])
        sizes = _measure(_sessions(databases), databases, n)
    return _report(sizes, small, large, n, "sqlite")


def _report(sizes: dict[int, dict[str, dict[str, float]]], small: int, large: int, n: int, db: str) -> dict[str, Any]:
    on = {"sqlite": "SQLite", "pg": "PostgreSQL"}[db]
    print(
        f"scale ({on}): median of {n} views of each page at {small:,} and at {large:,} attempts (target <= {TARGET:g}x)"
    )
    print(f"  {'page':<24} {small:>9,} {large:>9,}   ratio   queries   size at {large:,}")
    ratios = {}
    for what, _, _ in PAGES:
        a, b = sizes[small][what], sizes[large][what]
        ratios[what] = b["ms"] / a["ms"]
        flat = "flat" if a["queries"] == b["queries"] else "GROWS"
        print(
            f"  {what:<24} {a['ms']:7.1f}ms {b['ms']:7.1f}ms {ratios[what]:6.2f}x  "
            f"{a['queries']:>3} -> {b['queries']:<3} {flat:<5} {b['kb']:6.0f} KB"
        )
    return {"sizes": {str(k): v for k, v in sizes.items()}, "ratios": ratios, "small": small, "large": large, "db": db}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=7, help="views of each page timed at each size")
    parser.add_argument("--json", type=Path, help="also write the figures to this file, for bench/run.py")
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432", help="the server, for --db pg")
    args = parser.parse_args()
    if args.db == "pg":
        found = run_postgres(args.small, args.large, args.n, args.postgres_url)
        results: dict[str, Any] = found if found is not None else {"skipped": "no PostgreSQL server", "db": "pg"}
    else:
        results = run(args.small, args.large, args.n)
    if args.json:
        args.json.write_text(json.dumps(results))


if __name__ == "__main__":
    main()
