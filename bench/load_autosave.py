"""Load test: many educators autosave their own drafts at once, through the JSON API, over real HTTP.

Each client is an educator with their own draft and personal access token; it PATCHes one text field of
its draft (/api/v1/submissions/<id>/responses with the revision its value is based on, as
static/js/submission.js does) again and again for --seconds: without pause, or --think seconds after each
answer (a typist: the page saves 0.8 s after typing pauses). Typists pause independently of each other, so
with --think each client makes its first save at its own moment within the first pace (a fixed random draw
per client): fifty clients released in the same millisecond would keep arriving in bursts of fifty for many
seconds and measure a queue no class of typists makes. Printed per target: the request count, p50/p95/max
latency as the clients saw it and as the server logged it (gunicorn's own time per request, which leaves out
the load generator's thread scheduling), the server's CPU time per request, errors (every answer that is not
2xx, by status, and broken connections) and LOST WRITES: after the run, the value each client last had
acknowledged must be the value the database holds.

Targets, each on a fresh database that is thrown away afterwards (nothing in var/ is touched):
  sqlite    the server `make run` starts (gunicorn with microcred/gunicorn_config.py), development
            profile, SQLite in a temporary folder;
  postgres  the same server with the production profile (MICROCRED_ENV=production) on PostgreSQL.
            Production redirects plain HTTP to HTTPS; the load balancer's X-Forwarded-Proto: https
            header, which SECURE_PROXY_SSL_HEADER trusts, is what this sends instead of TLS.

Loopback only: every server listens on 127.0.0.1, on a free port.
    python bench/load_autosave.py [--clients 50] [--seconds 60] [--think 0] [--target sqlite|postgres|both]
                                  [--postgres-url postgres://postgres@127.0.0.1:5432/microcred_load_bench]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the project root, for the shared server helpers

from bench.served import (  # noqa: E402
    HOST,
    SERVE,
    cpu_seconds,
    django_run,
    free_port,
    postgres,
    postgres_name,
    stop,
    wait_until_up,
)

EMAIL_DOMAIN = "bench.microcred.test"
# About the length of a paragraph of an answer: enough that a save carries a realistic body.
FILLER = " ".join(["The learners planned the task together and agreed on roles before they began."] * 8)


# --- inside the target's Django (run as a subprocess with the target's environment) -----------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcred.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _prepare(clients: int) -> list[dict[str, Any]]:
    """Educators, each with a started draft and a token, made through the project's own services."""
    _django()
    from django.utils import timezone

    from accounts.models import User
    from api.services import token_create
    from catalog.models import Credential
    from catalog.schema import TextField
    from submissions.services import submission_start

    credential = None
    ref = ""
    for candidate in Credential.objects.filter(is_published=True, current_version__isnull=False).order_by("slug"):
        assert candidate.current_version is not None
        refs = [
            f"{part.id}.{spec.id}"
            for part in candidate.current_version.spec.parts
            for spec in part.fields
            if isinstance(spec, TextField) and spec.multiline
        ]
        if refs:
            credential, ref = candidate, refs[0]
            break
    if credential is None:
        raise SystemExit("no published credential has a text field to autosave")
    out = []
    for number in range(clients):
        user = User.objects.create_user(
            email=f"load{number}@{EMAIL_DOMAIN}",
            password=None,
            name=f"Load Educator {number}",
            email_verified_at=timezone.now(),
        )
        submission, _ = submission_start(educator=user, credential=credential)
        _, secret = token_create(user=user, name="load bench", scope="write")
        out.append({"submission": submission.pk, "token": secret, "field": ref, "revision": submission.draft.revision})
    return out


def _read_back(wanted: dict[str, str]) -> dict[str, Any]:
    """What the database holds in each draft's field: {submission id: value}."""
    _django()
    from submissions.models import Draft

    held: dict[str, Any] = {}
    for draft in Draft.objects.filter(submission_id__in=[int(key) for key in wanted]):
        held[str(draft.submission_id)] = draft.value(wanted[str(draft.submission_id)])
    return held


# --- the load generator ------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, problem: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if problem:
                self.errors[problem] += 1


@dataclass
class Writer:
    submission: int
    token: str
    ref: str  # the field saved, "part.field"
    revision: int
    acknowledged: str | None = None
    # Sent after the last acknowledgement without an answer that says what became of them: the database
    # may hold one of these without any write having been lost.
    in_doubt: list[str] = field(default_factory=list)
    mismatched_answers: int = 0


class Client(threading.Thread):
    def __init__(
        self,
        writer: Writer,
        *,
        port: int,
        https: bool,
        deadline: float,
        tally: Tally,
        think: float = 0.0,
        first_after: float = 0.0,
    ) -> None:
        super().__init__(daemon=True)
        self.writer, self.port, self.deadline, self.tally, self.think = writer, port, deadline, tally, think
        self.first_after = first_after
        self.headers = {
            "Authorization": f"Bearer {writer.token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            # As the submission page asks: the draft as saved, not the whole submission.
            "Prefer": "return=minimal",
        }
        if https:
            self.headers["X-Forwarded-Proto"] = "https"
        self.path = f"/api/v1/submissions/{writer.submission}"
        self.connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        # Longer than the SQLite busy timeout, so a slow answer is measured rather than cut off.
        return http.client.HTTPConnection(HOST, self.port, timeout=60)

    def _send(self, method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        try:
            self.connection.request(method, path, body=body, headers=self.headers)
            response = self.connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = self._connect()
            raise

    def _resync(self) -> None:
        """After a failed save, start again from the draft as it is, as the page does when it reloads."""
        try:
            status, data = self._send("GET", self.path, None)
        except (OSError, http.client.HTTPException):
            return
        if status == 200:
            self.writer.revision = json.loads(data)["revision"]

    def run(self) -> None:
        writer = self.writer
        part, _, field_id = writer.ref.partition(".")
        number = 0
        time.sleep(self.first_after)
        while time.monotonic() < self.deadline:
            if number and self.think:
                time.sleep(self.think)  # a typist: the page saves once typing pauses (its debounce), not nonstop
            number += 1
            text = f"Client {writer.submission}, save {number}. {FILLER}"
            body = json.dumps(
                {"base_revision": writer.revision, "responses": {writer.ref: text}, "self_evaluation": {}}
            ).encode()
            started = time.perf_counter()
            try:
                status, data = self._send("PATCH", f"{self.path}/responses", body)
            except (OSError, http.client.HTTPException) as error:
                self.tally.add(time.perf_counter() - started, f"connection: {type(error).__name__}")
                writer.in_doubt.append(text)
                self._resync()
                continue
            elapsed = time.perf_counter() - started
            if 200 <= status < 300:
                answer = json.loads(data)
                writer.revision = answer["revision"]
                saved = answer["responses"].get(part, {}).get(field_id)
                if saved != text:
                    writer.mismatched_answers += 1
                writer.acknowledged = saved
                writer.in_doubt.clear()
                self.tally.add(elapsed, None)
            else:
                self.tally.add(elapsed, f"HTTP {status}")
                writer.in_doubt.append(text)
                self._resync()
        self.connection.close()


# --- one target ----------------------------------------------------------------------------------


def _environment(target: str, folder: Path, port: int, postgres_url: str) -> dict[str, str]:
    # The developer's own settings must not leak in: this run has its own database, folder and keys.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "MICROCRED_"))}
    env.update({"MICROCRED_VAR_DIR": str(folder), "PORT": str(port), "PYTHONUNBUFFERED": "1"})
    if target == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{folder / 'microcred.sqlite3'}"
        return env
    env.update(
        {
            "MICROCRED_ENV": "production",
            "DATABASE_URL": postgres_url,
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ISSUER_KEY_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": f"https://{HOST}:{port}",
        }
    )
    return env


def _access_log(folder: Path) -> list[str]:
    """gunicorn's access log of this run, one line per request: its method and gunicorn's own time for it, in
    microseconds (from reading the request to the last byte of the answer)."""
    return ["--access-logfile", str(folder / "access.log"), "--access-logformat", "%(m)s %(D)s"]


def _server_seconds(folder: Path) -> list[float]:
    """How long the server took over each save, as its access log has it, ordered."""
    path = folder / "access.log"
    lines = path.read_text().splitlines() if path.exists() else []
    return sorted(int(line.split()[1]) / 1e6 for line in lines if line.startswith("PATCH "))


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _set_up(env: dict[str, str], clients: int) -> list[Writer]:
    """What `make setup` does that the API needs, then the educators."""
    for command in (["migrate", "--noinput"], ["load_credentials"], ["collectstatic", "--noinput"]):
        django_run(env, "manage.py", *command, "--verbosity", "0")
    output = django_run(env, str(Path(__file__).resolve()), "--prepare", str(clients))
    return [Writer(p["submission"], p["token"], p["field"], p["revision"]) for p in json.loads(output.splitlines()[-1])]


def _load(writers: list[Writer], *, port: int, https: bool, seconds: float, think: float) -> tuple[Tally, float]:
    tally = Tally()
    # Where in its first pace each typist's first save falls: drawn once per client, the same every run.
    phases = random.Random(len(writers))
    started = time.monotonic()
    threads = [
        Client(
            w,
            port=port,
            https=https,
            deadline=started + seconds,
            tally=tally,
            think=think,
            first_after=phases.uniform(0, think),
        )
        for w in writers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - started


def _lost_writes(env: dict[str, str], writers: list[Writer]) -> tuple[int, int]:
    """(lost, in doubt): a draft that holds neither its last acknowledged value nor an unanswered save lost one."""
    wanted = json.dumps({str(w.submission): w.ref for w in writers})
    output = django_run(env, str(Path(__file__).resolve()), "--read-back", stdin=wanted)
    held = json.loads(output.splitlines()[-1])
    lost = in_doubt = 0
    for writer in writers:
        value = held.get(str(writer.submission))
        if value == writer.acknowledged:
            continue
        if value in writer.in_doubt:
            in_doubt += 1
        else:
            lost += 1
    return lost, in_doubt


def run_target(
    target: str,
    *,
    clients: int,
    seconds: float,
    postgres_url: str,
    figures: dict[str, Any] | None = None,
    think: float = 0.0,
) -> bool:
    folder = Path(tempfile.mkdtemp(prefix=f"microcred-load-{target}-"))
    port = free_port()
    env = _environment(target, folder, port, postgres_url)
    https = target == "postgres"
    database = postgres_name(postgres_url) if target == "postgres" else ""
    server: subprocess.Popen[bytes] | None = None
    try:
        if database:
            postgres(postgres_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            postgres(postgres_url, f'CREATE DATABASE "{database}"')
        print(f"== {target}: setting up (migrate, load_credentials, collectstatic, {clients} educators)", flush=True)
        writers = _set_up(env, clients)
        with (folder / "server.log").open("wb") as log:
            server = subprocess.Popen(
                [*SERVE, *_access_log(folder)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_up(server, port, https)
        load_before = os.getloadavg()[0]
        print(f"== {target}: {clients} clients autosaving for {seconds:g} s on http://{HOST}:{port}", flush=True)
        cpu_before = cpu_seconds(server.pid)
        tally, elapsed = _load(writers, port=port, https=https, seconds=seconds, think=think)
        server_cpu = cpu_seconds(server.pid) - cpu_before
        load_after = os.getloadavg()[0]
        stop(server)
        lost, in_doubt = _lost_writes(env, writers)

        ordered = sorted(tally.latencies)
        errors = sum(tally.errors.values())
        mismatched = sum(w.mismatched_answers for w in writers)
        print(f"   requests: {len(ordered)} in {elapsed:.1f} s ({len(ordered) / elapsed:.0f}/s)")
        if ordered:
            p50, p95 = _percentile(ordered, 0.5), _percentile(ordered, 0.95)
            print(f"   latency: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms")
            # The clients' figures include their own scheduling (many Python threads on the server's cores);
            # the server's say how much of that is the server. Its queue before a thread picks a request up
            # is in the clients' figures only.
            served = _server_seconds(folder)
            if served:
                print(
                    f"   as the server logged them: p50 {_percentile(served, 0.5) * 1000:.0f} ms, "
                    f"p95 {_percentile(served, 0.95) * 1000:.0f} ms, max {served[-1] * 1000:.0f} ms"
                )
            # What a save costs the server, the figure others' load on a shared machine skews least (latency
            # waits for the cores they hold; CPU time mostly does not).
            cpu_ms = server_cpu / len(ordered) * 1000
            print(f"   server CPU per request: {cpu_ms:.1f} ms (gunicorn's processes; the database's not counted)")
            if figures is not None:
                figures[target] = {
                    "p50_ms": p50 * 1000,
                    "p95_ms": p95 * 1000,
                    "requests": len(ordered),
                    "server_cpu_ms": cpu_ms,
                    "server_p95_ms": _percentile(served, 0.95) * 1000 if served else None,
                }
        by_kind = ", ".join(f"{kind}: {n}" for kind, n in tally.errors.most_common())
        print(f"   errors: {errors}" + (f" ({by_kind})" if errors else ""))
        print(
            f"   LOST WRITES: {lost}"
            + (f" ({in_doubt} drafts hold a save that was never answered)" if in_doubt else "")
        )
        if mismatched:
            print(f"   answers that did not echo the value sent: {mismatched}")
        # The machine is shared: the load average says how much else was running while this measured.
        print(
            f"   load average (1 min) before -> after: {load_before:.2f} -> {load_after:.2f} on {os.cpu_count()} cores"
        )
        server_log = (folder / "server.log").read_text(errors="replace")
        if "Traceback" in server_log or "[ERROR]" in server_log:
            print("   the server logged errors; the end of its log:\n" + server_log[-3000:])
        return lost == 0 and errors == 0 and mismatched == 0
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(folder, ignore_errors=True)
        if database:
            postgres(postgres_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--target", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/microcred_load_bench")
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--read-back", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds each client waits after an answer (0: save nonstop)"
    )
    parser.add_argument("--json", type=Path, help="also write each target's latencies to this file, for bench/run.py")
    args = parser.parse_args()
    if args.prepare is not None:
        print(json.dumps(_prepare(args.prepare)))
        return 0
    if args.read_back:
        print(json.dumps(_read_back(json.load(sys.stdin))))
        return 0
    if not 1 <= args.clients <= 500 or not 0 < args.seconds <= 3600:
        parser.error("--clients must be 1-500 and --seconds at most an hour")
    targets = ["sqlite", "postgres"] if args.target == "both" else [args.target]
    figures: dict[str, Any] = {}
    passed = [
        run_target(
            t,
            clients=args.clients,
            seconds=args.seconds,
            postgres_url=args.postgres_url,
            figures=figures,
            think=args.think,
        )
        for t in targets
    ]
    if args.json:
        summary = {"targets": figures, "passed": all(passed), "clients": args.clients, "think": args.think}
        args.json.write_text(json.dumps(summary))
    return 0 if all(passed) else 1


if __name__ == "__main__":
    sys.exit(main())
