"""Each page's requests per second as a share of the floor's: a bare Django view over one query
(bench/floor_urls.py), served by the same server, in the same run.

One gunicorn (2 sync workers of one thread each, otherwise `make run`'s configuration) serves the site with the
floor added to its URLs, on a throwaway database seeded with bench/seed.py (SQLite under var/bench/, or PostgreSQL
with --db pg). `wrk -t2 -c20` loads the floor and each page in turn: a round is the floor, two pages, the floor,
two pages, ..., the floor, and each page is put against the mean of the floor just before and just after it; each
figure is the median of the rounds, printed with the lowest and highest round. Signed-in pages send their persona's
cookies (session and CSRF, as a signed-in browser does); autosave PATCHes the drafts of many educators, each with
their own session and CSRF token (bench/wrk/autosave.lua). Without wrk a Python load generator stands in (and says
so): it shares the machine's cores with the server, so only its ratios count.
    python bench/bench_pages.py [--seconds 4] [--rounds 3] [--rows 1000] [--db sqlite|pg] [--only NAME]"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_autosave import FILLER  # noqa: E402
from bench.served import HOST, SERVE, free_port, postgres, stop, wait_until_up  # noqa: E402
from bench.throwaway import template_copy  # noqa: E402

TARGET = 0.7
TYPISTS = 40  # drafts autosaved, each its own educator: twice wrk's connections
CONNECTIONS, THREADS = 20, 2


# --- inside the target's Django (a subprocess with the server's environment) ---------------------------


def _prepare(rows: int) -> dict[str, Any]:
    from django.test import Client

    from bench import seed

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.floor_settings")
    import django

    django.setup()
    people = seed.seed_people(typists=TYPISTS)
    seed.grow_to(rows, people.reviewer)
    from core import changes

    # The pages are measured as they run: kept pages checked against the change log the triggers write.
    missing = {w.table for w in changes.watches()} - changes.installed()
    if missing:
        raise SystemExit(f"the change log's triggers are missing on {sorted(missing)}")
    from django.db import connection

    if connection.vendor == "postgresql":
        # A running database has its tables' statistics and visibility maps (autovacuum keeps them); one seeded a
        # moment ago has neither, and PostgreSQL would plan blind: the dashboard's latest-badge subquery took 1.8 ms
        # instead of 0.06 ms.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    def session(user: Any) -> str:
        client = Client(HTTP_HOST=HOST)
        client.force_login(user)
        return str(client.cookies["sessionid"].value)

    def cookies(user: Any) -> str:
        # What a signed-in browser sends: its session, and the CSRF cookie it was given when it signed in.
        return f"sessionid={session(user)}; csrftoken={secrets.token_hex(16)}"

    educator, reviewer, admin = (cookies(p) for p in (people.educator, people.reviewer, people.admin))
    badge = people.public_badge
    pages = [
        ("catalog", "/credentials/", ""),
        ("credential page", "/credentials/classkick-collaboration/", ""),
        ("educator dashboard", "/accounts/dashboard/", educator),
        ("reviewer queue", "/reviews/", reviewer),
        ("issuer pipeline", "/reviews/admin/", admin),
        ("public badge page", f"/awards/{badge.uuid}/", ""),
        ("API credential list", "/api/v1/credentials", ""),
    ]
    drafts = [
        {"id": pk, "field": field, "revision": 0, "session": session(user), "csrf": secrets.token_hex(16)}
        for user, pk, field in people.typists
    ]
    return {"pages": pages, "drafts": drafts}


# --- load -------------------------------------------------------------------------------------------------


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string of ASCII text is a valid Lua string literal


def _write_drafts(path: Path, drafts: list[dict[str, Any]]) -> None:
    rows = ",\n".join(
        "  {" + ", ".join(f"{k} = {_lua_string(v) if isinstance(v, str) else v}" for k, v in d.items()) + "}"
        for d in drafts
    )
    path.write_text(f"return {{filler = {_lua_string(FILLER)}, drafts = {{\n{rows}\n}}}}\n")


def _wrk(
    port: int, path: str, cookie: str, seconds: float, script: Path | None, env: dict[str, str]
) -> dict[str, float]:
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script is not None:
        command += ["-s", str(script)]
    done = subprocess.run(
        [*command, f"http://{HOST}:{port}{path}"], capture_output=True, text=True, env=env, check=False
    )
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    if done.returncode != 0 or rate is None:
        raise SystemExit(f"wrk failed on {path}:\n{done.stdout}{done.stderr}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", done.stdout)
    errors = re.search(r"Socket errors:.*timeout (\d+)", done.stdout)
    return {
        "rps": float(rate.group(1)),
        "bad": float(bad.group(1)) if bad else 0.0,
        "timeouts": float(errors.group(1)) if errors else 0.0,
    }


def _python_load(port: int, path: str, cookie: str, seconds: float) -> dict[str, float]:
    """The stand-in for wrk: CONNECTIONS threads, each one request after another (GET pages only)."""
    count, bad, lock = [0], [0], threading.Lock()
    deadline = time.monotonic() + seconds
    headers = {"Cookie": cookie} if cookie else {}

    def worker() -> None:
        while time.monotonic() < deadline:
            connection = http.client.HTTPConnection(HOST, port, timeout=10)
            connection.request("GET", path, headers=headers)
            status = connection.getresponse().status
            connection.close()
            with lock:
                count[0] += 1
                bad[0] += not 200 <= status < 400

    started = time.monotonic()
    workers = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return {"rps": count[0] / (time.monotonic() - started), "bad": float(bad[0]), "timeouts": 0.0}


def _refresh_revisions(port: int, drafts: list[dict[str, Any]], path: Path) -> None:
    """Each draft's current revision, read as its page would on a reload, written for the next autosave load:
    wrk starts each load from this file, and a save based on the revision the last load began from would be a
    conflict (409)."""
    for draft in drafts:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        connection.request(
            "GET", f"/api/v1/submissions/{draft['id']}", headers={"Cookie": f"sessionid={draft['session']}"}
        )
        response = connection.getresponse()
        answer = response.read()
        connection.close()
        if response.status != 200:
            raise SystemExit(f"reading draft {draft['id']} answered {response.status}: {answer[:300]!r}")
        draft["revision"] = json.loads(answer)["revision"]
    _write_drafts(path, drafts)


def _drain(port: int) -> None:
    """Wait until the server has answered what the last load left queued: a sync worker still serves each
    connection the load generator opened and dropped, which would otherwise be counted against the next target."""
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    connection.request("GET", "/bench/floor/")
    connection.getresponse().read()
    connection.close()


def _check(port: int, path: str, cookie: str) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status} before the load began; the bench's data is wrong")


def _check_autosave(port: int, draft: dict[str, Any]) -> None:
    body = json.dumps({"base_revision": draft["revision"], "responses": {draft["field"]: "First save."}})
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {
        "Cookie": f"sessionid={draft['session']}; csrftoken={draft['csrf']}",
        "X-CSRFToken": draft["csrf"],
        "Content-Type": "application/json",
    }
    connection.request("PATCH", f"/api/v1/submissions/{draft['id']}/responses", body=body, headers=headers)
    response = connection.getresponse()
    answer = response.read()
    if response.status != 200:
        raise SystemExit(f"the autosave PATCH answered {response.status}: {answer[:300]!r}")
    draft["revision"] = json.loads(answer)["revision"]


# --- one run ----------------------------------------------------------------------------------------------


def _environment(folder: Path, port: int, db: str, postgres_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "MICROCRED_"))}
    env.update(
        {
            "MICROCRED_VAR_DIR": str(folder),
            "PORT": str(port),
            "DJANGO_SETTINGS_MODULE": "bench.floor_settings",
            "DEBUG": "0",
            "EMAIL_URL": "dummy://",
            "LOG_LEVEL": "ERROR",
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": postgres_url if db == "pg" else f"sqlite:///{folder / 'bench.sqlite3'}",
            "ISSUER_KEY_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        }
    )
    return env


def _run_django(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    return done.stdout


def run(
    seconds: float, rounds: int, rows: int, db: str, postgres_url: str, only: frozenset[str] = frozenset()
) -> dict[str, Any]:
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="pages-", dir=ROOT / "var" / "bench"))
    port = free_port()
    env = _environment(folder, port, db, postgres_url)
    database = postgres_url.rsplit("/", 1)[-1] if db == "pg" else ""
    server = None
    use_wrk = shutil.which("wrk") is not None
    try:
        if database:
            postgres(postgres_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            postgres(postgres_url, f'CREATE DATABASE "{database}"')
        print(f"  (seeding a throwaway {db} database in {folder.relative_to(ROOT)}: demo accounts, {rows:,} attempts)")
        # The pages are measured, not their static files: collectstatic is left out (an empty STATIC_ROOT).
        (folder / "static").mkdir()
        if database or not template_copy(folder):
            for command in (["migrate", "--noinput"], ["load_credentials"]):
                _run_django(env, "manage.py", *command, "--verbosity", "0")
        plan = json.loads(_run_django(env, str(Path(__file__).resolve()), "--prepare", str(rows)).splitlines()[-1])
        with (folder / "server.log").open("wb") as log:
            server = subprocess.Popen(
                # One thread each: gunicorn turns a sync worker with more threads (the configuration's) into a gthread
                # one, which keeps each keep-alive connection on the worker that accepted it, so that one worker
                # could hold every connection of a load while the other stood idle, halving that load's figure.
                [*SERVE, "--workers", "2", "--worker-class", "sync", "--threads", "1"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_up(server, port, https=False)
        targets = [("floor", "/bench/floor/", "")] + [tuple(p) for p in plan["pages"]]
        for _, path, cookie in targets:
            _check(port, path, cookie)
        _check_autosave(port, plan["drafts"][0])
        drafts_file = folder / "drafts.lua"
        env_wrk = {**env, "BENCH_WRK_DATA": str(drafts_file), "BENCH_WRK_THREADS": str(THREADS)}
        pages = [t for t in targets if t[0] != "floor"] + [("autosave PATCH", "", "")]
        if only:
            pages = [t for t in pages if t[0] in only]
        if not use_wrk:
            print(
                "  wrk is not installed (Debian: apt-get install wrk): a Python load generator stands in, "
                "and autosave is skipped"
            )
            pages = pages[:-1]

        def load(what: str, path: str, cookie: str) -> dict[str, float]:
            if not use_wrk:
                measured = _python_load(port, path, cookie, seconds)
            else:
                script = None
                if what == "autosave PATCH":
                    script = ROOT / "bench" / "wrk" / "autosave.lua"
                    _refresh_revisions(port, plan["drafts"], drafts_file)
                measured = _wrk(port, path or "/", cookie, seconds, script, env_wrk)
            _drain(port)
            return measured

        ratios: dict[str, list[float]] = {what: [] for what, _, _ in pages}
        rates: dict[str, list[float]] = {what: [] for what, _, _ in [("floor", "", ""), *pages]}
        problems: dict[str, float] = {}
        for _ in range(rounds):
            before = load(*targets[0])["rps"]
            rates["floor"].append(before)
            for start in range(0, len(pages), 2):
                measured = [(what, load(what, path, cookie)) for what, path, cookie in pages[start : start + 2]]
                after = load(*targets[0])["rps"]
                rates["floor"].append(after)
                for what, one in measured:
                    rates[what].append(one["rps"])
                    # A page none of whose requests finished within the load's length counts as 0 requests/s.
                    ratios[what].append(one["rps"] / max((before + after) / 2, 1e-9))
                    if one["bad"] or one["timeouts"]:
                        problems[what] = problems.get(what, 0) + one["bad"] + one["timeouts"]
                before = after
        log_text = (folder / "server.log").read_text(errors="replace")
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(folder, ignore_errors=True)
        if database:
            postgres(postgres_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    result: dict[str, Any] = {
        "floor_rps": statistics.median(rates["floor"]),
        "rps": {what: statistics.median(values) for what, values in rates.items()},
        "ratios": {what: statistics.median(values) for what, values in ratios.items()},
        # Each figure's spread over the rounds: a wide one says the machine was not steady while it ran.
        "spread": {what: (min(values), max(values)) for what, values in ratios.items()},
        "problems": problems,
        "load": "wrk" if use_wrk else "python",
    }
    _report(result, seconds, rounds, db)
    if "Traceback" in log_text:
        print("  the server logged errors; the end of its log:\n" + log_text[-3000:])
    return result


def _report(result: dict[str, Any], seconds: float, rounds: int, db: str) -> None:
    tool = f"wrk -t{THREADS} -c{CONNECTIONS} -d{seconds:g}s" if result["load"] == "wrk" else "a Python load generator"
    print(f"pages: {tool}, gunicorn 2 sync workers, {db}; median of {rounds} rounds; floor {result['floor_rps']:.0f}/s")
    for what, ratio in result["ratios"].items():
        problems = result["problems"].get(what)
        note = f"   ({problems:.0f} answers not 2xx/3xx or timed out)" if problems else ""
        low, high = result["spread"][what]
        print(
            f"  {what:<22} {result['rps'][what]:8.1f}/s  {ratio:5.2f}x the floor (target >= {TARGET:g}x)"
            f"  rounds {low:.2f}-{high:.2f}{note}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=4, help="each load's length")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1000, help="Classkick attempts seeded (bench/seed.py)")
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/microcred_pages_bench")
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the figures to this file, for bench/run.py")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help='measure only this page ("autosave PATCH"); repeatable',
    )
    args = parser.parse_args()
    if args.prepare is not None:
        print(json.dumps(_prepare(args.prepare)))
        return
    result = run(args.seconds, args.rounds, args.rows, args.db, args.postgres_url, frozenset(args.only))
    if args.json:
        args.json.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
