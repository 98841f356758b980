"""Real processes for the scale-out test, all on loopback, each on a free port, all stopped at the end.

Nothing here is mocked in-process: PostgreSQL is the machine's server (a fresh database per run), S3 is
moto's server spoken to over HTTP by django-storages and boto3 exactly as a real bucket would be, the app
servers are gunicorn, the load balancer is Debian's haproxy, and the worker is `manage.py db_worker`.
Every process runs in its own session (process group) so that stopping it stops its children too
(gunicorn's workers), and only by that id.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "microcred-evidence"
S3_REGION = "us-east-1"
S3_ACCESS_KEY_ID = "scaleout-access-key"
S3_SECRET_ACCESS_KEY = "scaleout-secret-key"
DATABASE_PREFIX = "microcred_scaleout_"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ----- HTTP --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def cookies(self) -> dict[str, str]:
        jar = {}
        for line in self.headers.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
        return jar


@dataclass(frozen=True)
class Http:
    """Plain HTTP/1.1 to one port on loopback, one connection a request, redirects not followed.

    Every request says X-Forwarded-Proto: https, as a TLS-terminating load balancer would: the production
    profile trusts that header and redirects anything else to https. Through haproxy the balancer sets it.
    """

    port: int
    headers: dict[str, str] = field(default_factory=dict)

    def with_headers(self, **headers: str) -> Http:
        return Http(self.port, {**self.headers, **headers})

    def request(
        self, method: str, path: str, *, json_body: Any = None, body: bytes | None = None, content_type: str = ""
    ) -> Response:
        headers = {"X-Forwarded-Proto": "https", **self.headers}
        if json_body is not None:
            body, content_type = json.dumps(json_body).encode(), "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            return Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, json_body: Any = None, **kwargs: Any) -> Response:
        return self.request("POST", path, json_body=json_body, **kwargs)

    def patch(self, path: str, json_body: Any) -> Response:
        return self.request("PATCH", path, json_body=json_body)


def multipart(name: str, filename: str, content: bytes, fields: dict[str, str] | None = None) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    plain = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        for key, value in (fields or {}).items()
    )
    head = (
        f'{plain}--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


# ----- processes ---------------------------------------------------------------------------------------------


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    # A command run to its end (provisioning) rather than a service that must stay up.
    one_shot: bool = False

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def signal(self, sig: signal.Signals) -> None:
        # The process group is the one start_new_session made for this process alone: its id is the pid.
        # Only while that pid is ours (not yet reaped), so a group id reused by a stranger is never hit.
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def stop(self, grace: float = 5.0) -> None:
        """Wait for the process to end after SIGTERM; SIGKILL it if it has not within `grace` seconds."""
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.popen.wait(timeout=grace)


class Stack:
    """Starts processes and stops every one of them, newest first, when the `with` block ends however."""

    def __init__(self, workdir: Path, deadline: float) -> None:
        self.workdir = workdir
        self.deadline = deadline
        self.procs: list[Proc] = []

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        failed = exc[0] is not None
        # All at once, so their shutdowns overlap; then each is waited for (and killed if it lingers).
        for proc in reversed(self.procs):
            proc.signal(signal.SIGTERM)
        for proc in reversed(self.procs):
            proc.stop()
        if failed:
            # pytest shows a failed test's captured output: each process's last words say why.
            for proc in self.procs:
                print(f"----- {proc.name} (exit {proc.popen.returncode}) -----\n{proc.tail()}", file=sys.stderr)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> Proc:
        log = self.workdir / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def run(self, name: str, argv: list[str], env: dict[str, str]) -> str:
        """Run a command to its end within the time left; its output, or a failure with the output."""
        proc = self.start(name, argv, env)
        proc.one_shot = True
        try:
            proc.popen.wait(timeout=max(1.0, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{name} did not finish in time:\n{proc.tail()}") from None
        if proc.popen.returncode != 0:
            raise AssertionError(f"{name} failed with exit {proc.popen.returncode}:\n{proc.tail()}")
        return proc.log.read_text()

    def wait_for(self, what: str, ready: Callable[[], bool], timeout: float = 30.0) -> None:
        """Poll until ready() holds; fail at once if a service ended, or when the time is up."""
        until = min(self.deadline, time.monotonic() + timeout)
        while True:
            for proc in self.procs:
                if not proc.one_shot and proc.popen.poll() is not None:
                    raise AssertionError(f"{proc.name} exited ({proc.popen.returncode}) while waiting for {what}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if ready():
                    return
            if time.monotonic() > until:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.1)


def answers(port: int, path: str, status: int = 200) -> Callable[[], bool]:
    return lambda: Http(port).get(path).status == status


def listens(port: int) -> Callable[[], bool]:
    def probe() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True

    return probe


# ----- the parts ---------------------------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL server of server_url, dropped at the end (its connections
    too); yields its URL. Databases an earlier run left behind (its process is gone) are dropped first."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(server_url)
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    name = f"{DATABASE_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(maintenance, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [DATABASE_PREFIX.replace("_", r"\_") + "%"]
        ).fetchall()
        for (leftover,) in rows:
            pid = leftover.removeprefix(DATABASE_PREFIX).split("_")[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(leftover)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def s3_client(endpoint: str) -> Any:
    import boto3  # type: ignore[import-untyped]

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=S3_REGION,
        aws_access_key_id=S3_ACCESS_KEY_ID,
        aws_secret_access_key=S3_SECRET_ACCESS_KEY,
    )


def fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def app_environment(*, database_url: str, s3_endpoint: str, site_url: str, workdir: Path) -> dict[str, str]:
    """The production profile as an operator would set it, identical for every app server and the worker.

    Only the basics of the caller's environment are passed on, so nothing of the test run (its database,
    its settings) leaks in; AWS configuration files are pointed at nothing for the same reason."""
    basics = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL", "TZ") if key in os.environ}
    return {
        **basics,
        "PYTHONUNBUFFERED": "1",
        "MICROCRED_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ISSUER_KEY_ENCRYPTION_KEY": fernet_key(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": site_url,
        "DATABASE_URL": database_url,
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": S3_REGION,
        "S3_ACCESS_KEY_ID": S3_ACCESS_KEY_ID,
        "S3_SECRET_ACCESS_KEY": S3_SECRET_ACCESS_KEY,
        "AWS_CONFIG_FILE": str(workdir / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(workdir / "no-aws-credentials"),
        "TASK_BACKEND": "database",
        "EMAIL_URL": "dummy://",
        "LOG_LEVEL": "WARNING",
    }


def own_var_dir(env: dict[str, str], workdir: Path, name: str) -> dict[str, str]:
    """env with a var/ folder of the process's own: anything a process wrote to local disk (the default
    MEDIA_ROOT is in there) would be invisible to the others, and the test looks for it afterwards."""
    var = workdir / f"var-{name}"
    # The production profile's WhiteNoise expects STATIC_ROOT; the JSON this test reads needs no static files.
    (var / "static").mkdir(parents=True)
    return {**env, "MICROCRED_VAR_DIR": str(var)}


def gunicorn_argv(port: int, access_log: Path) -> list[str]:
    """The production command (the project's gunicorn config) with this server's port and access log.

    One worker process a server keeps two servers' start-up within the budget of a 2-core machine. No control
    socket: gunicorn puts it under $HOME by default, where two servers on one host would take each other's.
    """
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:microcred.gunicorn_config",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--access-logfile",
        str(access_log),
        "--no-control-socket",
        "microcred.wsgi",
    ]


def haproxy_config(*, port: int, servers: dict[str, int]) -> str:
    """Round robin over the app servers, health-checked on /healthz; the balancer terminates "TLS" (sets
    X-Forwarded-Proto) and names the server that answered in X-Served-By, so the test sees the rotation."""
    lines = [
        "global",
        "    maxconn 256",
        "defaults",
        "    mode http",
        "    timeout connect 2s",
        "    timeout client 30s",
        "    timeout server 30s",
        "    timeout check 2s",
        "    option forwardfor",
        "frontend web",
        f"    bind 127.0.0.1:{port}",
        "    http-request set-header X-Forwarded-Proto https",
        "    default_backend app",
        "backend app",
        "    balance roundrobin",
        "    option httpchk",
        "    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1 hdr X-Forwarded-Proto https",
        "    http-check expect status 200",
        "    http-response set-header X-Served-By %[srv_name]",
    ]
    lines += [f"    server {name} 127.0.0.1:{server_port} check inter 500ms" for name, server_port in servers.items()]
    return "\n".join(lines) + "\n"
