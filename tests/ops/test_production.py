"""Production as the README describes it: from a clean checkout, `make production-setup`, then gunicorn; and a
production profile that refuses to start with DEBUG on or a wildcard host.

The checkout is a `git clone` of this repository's HEAD, as CI makes one, whenever the working tree is clean and
always under CI (CI=true): what is tested is exactly what was committed, so a file that works here only because
it was never committed (or is git-ignored, like var/) fails the test. Outside CI, a working tree with uncommitted
changes is copied instead (tracked and untracked files, nothing git ignores), so the work in progress is what
runs. The project's virtualenv is reused rather than installed again: `make -o install` skips that step.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from tests.ops.databases import fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]
HOST = "microcred.example.org"
# What the load balancer sends: the public host, and that the request came over HTTPS (the production profile
# trusts X-Forwarded-Proto, and without it every request would be redirected to https://).
BALANCER_HEADERS = {"Host": HOST, "X-Forwarded-Proto": "https"}
# Kept from the machine: how to find make, git and the database tools, and nothing that configures microcred.
KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


def _production_env(database_url: str | None) -> dict[str, str]:
    env = {name: os.environ[name] for name in KEPT if name in os.environ}
    env.update(
        {
            "MICROCRED_ENV": "production",
            "SECRET_KEY": f"production-check-{uuid.uuid4().hex}{uuid.uuid4().hex}",
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": f"https://{HOST}",
            "ISSUER_KEY_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _checkout(target: Path) -> str:
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    if os.environ.get("CI") or not status.strip():
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True, timeout=60)
        return "clone"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return "copy"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str | None]:
    """A new database of the kind the suite runs on; for SQLite none is named, so the default (under var/) is used."""
    if connection.vendor == "sqlite":
        yield None
        return
    with fresh_postgres_database("production") as url:
        yield url


@dataclass
class Response:
    status: int
    content_type: str
    location: str
    body: bytes


def _get(port: int, path: str) -> Response:
    client = HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        client.request("GET", path, headers=BALANCER_HEADERS)
        reply = client.getresponse()
        return Response(
            reply.status, reply.getheader("Content-Type", ""), reply.getheader("Location", ""), reply.read()
        )
    finally:
        client.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _serve(checkout: Path, env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    # As the README has it, with the project's virtualenv's python standing in for .venv/bin/gunicorn.
    command = [
        sys.executable, "-m", "gunicorn", "--config", "python:microcred.gunicorn_config", "microcred.wsgi",
        "--bind", f"127.0.0.1:{port}",
    ]  # fmt: skip
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=checkout, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            if _get(port, "/healthz").status == 200:
                return server
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    server.kill()
    server.wait()
    pytest.fail(f"gunicorn did not answer /healthz within 60 s:\n{log.read_text()}")


@pytest.mark.slow
@pytest.mark.each_engine
def test_a_clean_checkout_serves_in_production_as_the_readme_says(tmp_path: Path, database_url: str | None) -> None:
    checkout = tmp_path / "microcred"
    method = _checkout(checkout)
    assert not (checkout / "var").exists(), "the checkout starts without any local state"
    env = _production_env(database_url)

    setup = subprocess.run(
        ["make", "-o", "install", "production-setup", f"PY={sys.executable}"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert setup.returncode == 0, f"({method})\n{setup.stdout}\n{setup.stderr}"
    # The one silenced check is DOT's warning of http redirect URIs (microcred/settings/signin.py says why).
    assert "System check identified no issues (1 silenced)." in setup.stdout
    assert "classkick: created Ed25519 #key-1, P-256 #key-2" in setup.stdout

    port = _free_port()
    # One worker process is enough to answer these requests, and starts in half the time.
    server = _serve(checkout, {**env, "WEB_CONCURRENCY": "1"}, port, tmp_path / "gunicorn.log")
    try:
        home = _get(port, "/")
        assert (home.status, home.location) == (302, "/credentials/")
        catalog = _get(port, "/credentials/")
        assert catalog.status == 200
        assert catalog.content_type.startswith("text/html")
        assert b"Collaboration" in catalog.body

        # The page names its stylesheet by the hashed name collectstatic's manifest gave it.
        stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', catalog.body)
        assert stylesheet, catalog.body[:2000]
        css = _get(port, stylesheet.group(1).decode())
        assert css.status == 200
        assert css.content_type.startswith("text/css")
        assert css.body

        api = _get(port, "/api/v1/credentials")
        assert api.status == 200
        assert api.content_type.startswith("application/json")
        assert {"classkick-collaboration", "educators-rising-collaboration"} <= set(
            re.findall(r'"slug": ?"([a-z-]+)"', api.body.decode())
        )

        health = _get(port, "/healthz")
        assert (health.status, health.content_type) == (200, "application/json")

        did = _get(port, "/issuers/classkick/did.json")
        assert did.status == 200
        assert b"#key-1" in did.body

        missing = _get(port, "/no-such-page/")
        assert missing.status == 404
        assert missing.content_type.startswith("text/html")
    finally:
        server.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    log = (tmp_path / "gunicorn.log").read_text()
    assert "Traceback" not in log, log


def _setup_django(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "microcred.settings", "MICROCRED_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_with_debug_on(tmp_path: Path) -> None:
    env = {**_production_env(f"sqlite:///{tmp_path}/db.sqlite3"), "DEBUG": "true"}
    result = _setup_django(env, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG must be off in production" in result.stderr


@pytest.mark.parametrize("hosts", ["*", "microcred.example.org,*"])
def test_production_refuses_to_start_with_a_wildcard_host(hosts: str, tmp_path: Path) -> None:
    env = {**_production_env(f"sqlite:///{tmp_path}/db.sqlite3"), "ALLOWED_HOSTS": hosts}
    result = _setup_django(env, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: ALLOWED_HOSTS=* accepts any Host header, which production refuses" in result.stderr


def test_production_accepts_a_domain_and_its_subdomains(tmp_path: Path) -> None:
    env = {**_production_env(f"sqlite:///{tmp_path}/db.sqlite3"), "ALLOWED_HOSTS": ".example.org", "DEBUG": "0"}
    result = _setup_django(env, tmp_path)
    assert result.returncode == 0, result.stderr
