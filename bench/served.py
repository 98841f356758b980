"""The benchmarks' servers: `make run`'s gunicorn command on a free loopback port, started, waited for and stopped,
and a throwaway PostgreSQL database made and dropped beside it (bench/load_autosave.py and bench/bench_pages.py)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
# The command `make run` serves with (its SERVE variable).
SERVE = [str(GUNICORN), "--config", "python:microcred.gunicorn_config", "microcred.wsgi"]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def postgres(url: str, statement: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(
        host=parts.hostname or HOST,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(statement)


def postgres_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"--postgres-url: {name!r} is not a plain database name")
    return name


def django_run(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    return done.stdout


def wait_until_up(server: subprocess.Popen[bytes], port: int, https: bool) -> None:
    headers = {"X-Forwarded-Proto": "https"} if https else {}
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit(f"the server stopped at start-up (exit status {server.returncode})")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz", headers=headers)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer /healthz within a minute")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGINT)  # what Ctrl-C sends `make run`
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # its own session, started above
            server.wait()


def cpu_seconds(root: int) -> float:
    """CPU time (user and system) used so far by the server: its master and each worker process (Linux /proc)."""
    total = 0.0
    pids, seen = [root], set()
    while pids:
        pid = pids.pop()
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except (OSError, IndexError, ValueError):
            continue
        pids.extend(int(child) for child in children if int(child) not in seen)
    return total
