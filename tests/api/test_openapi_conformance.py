"""The API does what its OpenAPI document says: schemathesis drives every operation against a live server.

The server is gunicorn on a loopback port, DEBUG off as in production, serving this test's database once it
is seeded (the demo seed, as `make setup` does, plus two drafts); the run calls it with a write token of the
demo educator, so authenticated operations reach their code and not just the 401. Every phase runs (the
schema's examples, boundary values, random cases, and sequences that reuse what responses returned) with
a fixed seed and a bounded number of cases per operation, and the run fails on any failed check: a 5xx, a
response that breaks its documented schema, an undocumented status code or content type, and the rest.

Left out, with reasons (each contradicts a deliberate, documented answer):
- positive_data_acceptance: schema-valid is not acceptable here. A PNG that carries no credential, or a
  draft answer to a field the credential's form does not have, is well-formed and still refused, with a
  documented 400 or 422.
- ignored_auth: an operation about one object answers an anonymous caller 404, not 401 (api/auth.py), so
  that whether an id exists cannot be probed.

The token can be revoked by the run itself (DELETE /tokens/{id}, with an id GET /tokens answered). The auth
provider then makes a new one, as a client would, and schemathesis replays the request that got the 401.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

pytestmark = [pytest.mark.slow, pytest.mark.schemathesis, pytest.mark.once]

ROOT = Path(__file__).resolve().parents[2]

# Cases per operation and phase, and the seed that makes every run try the same ones. Tuned so that the
# whole test, seeding and server start included, stays well under 90 seconds on two cores on either database.
MAX_EXAMPLES = 10
SEED = 20261128
EXCLUDED_CHECKS = "positive_data_acceptance,ignored_auth"

DEMO_EDUCATOR = "educator@demo.microcred.test"


class _Quiet:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _seed() -> None:
    for command in ("load_credentials", "load_calibration_samples", "seed_demo"):
        call_command(command, verbosity=0, stdout=_Quiet(), stderr=_Quiet())
    from accounts.models import User
    from catalog.models import Credential
    from submissions.services import submission_start

    educator = User.objects.get(email=DEMO_EDUCATOR)
    # Drafts with small ids, which the generated ids then hit now and then.
    for credential in Credential.objects.filter(is_published=True).order_by("slug")[:2]:
        submission_start(educator=educator, credential=credential)


def _database_url() -> str:
    """This test's database, as the server process reads it from DATABASE_URL."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def api_server(transactional_db: Any, tmp_path: Path) -> Iterator[str]:
    """gunicorn serving the seeded test database on loopback; stopped (its process group) before teardown."""
    _seed()
    port = _free_port()
    var = tmp_path / "var"
    (var / "static").mkdir(parents=True)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "0",
        # The seed encrypted the issuer keys and signed with these; the server must read them alike.
        "SECRET_KEY": settings.SECRET_KEY,
        "ISSUER_KEY_ENCRYPTION_KEY": settings.ISSUER_KEY_ENCRYPTION_KEY,
        "MICROCRED_VAR_DIR": str(var),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "EMAIL_URL": "locmem://",
    }
    env.pop("MICROCRED_ENV", None)
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "microcred.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "-t", "60"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{url}/healthz", server, log)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited ({server.returncode}):\n{log.read_text(errors='replace')[-4000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within a minute:\n{log.read_text(errors='replace')[-4000:]}")


def _fresh_token() -> str:
    """A new write token of the demo educator, the old ones revoked (a user may hold only so many)."""
    from accounts.models import User
    from api.models import PersonalAccessToken
    from api.services import token_create

    try:
        educator = User.objects.get(email=DEMO_EDUCATOR)
        PersonalAccessToken.objects.filter(user=educator, revoked_at__isnull=True).update(revoked_at=timezone.now())
        _row, secret = token_create(user=educator, name="schemathesis", scope="write")
        return secret
    finally:
        if threading.current_thread() is not threading.main_thread():
            # A schemathesis worker thread opened its own connection: leave none open at teardown.
            connections.close_all()


def test_every_operation_conforms_to_the_openapi_document(
    api_server: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import schemathesis
    from click.testing import CliRunner
    from hypothesis.configuration import set_hypothesis_home_dir
    from schemathesis.cli import schemathesis as st

    # Cached for the whole run; a 401 (the token was revoked) makes a new one and replays the request.
    @schemathesis.auth(refresh_interval=3600, retry_on=[401])
    class _Token:
        def get(self, case: Any, context: Any) -> str:
            return _fresh_token()

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    args = [
        "run",
        f"{api_server}/api/v1/openapi.json",
        "--checks=all",
        f"--exclude-checks={EXCLUDED_CHECKS}",
        f"--max-examples={MAX_EXAMPLES}",
        f"--seed={SEED}",
        "--workers=1",
        "--generation-database=none",
        "--request-timeout=30",
        "--no-color",
    ]
    # Schemathesis keeps failing cases (for `st replay`) under the working directory, and hypothesis its
    # caches under the directory pytest started in, also after the run (it reads constants from modules
    # lazily): both go to pytest's temporary folders for good, not into the checkout.
    monkeypatch.chdir(tmp_path)
    set_hypothesis_home_dir(tmp_path_factory.getbasetemp() / "hypothesis")
    started = time.monotonic()
    try:
        result = CliRunner().invoke(st, args, catch_exceptions=False)
    finally:
        schemathesis.auths.unregister()
    lines = [line.strip() for line in result.output.splitlines()]
    counts = next((line for line in lines if re.match(r"\d+ generated", line)), "no count")
    phases = "; ".join(line.strip("✅❌⏭🚫 ") for line in lines if re.search(r"\(in [0-9.]+s\)$", line))
    print(f"\nschemathesis: {counts} in {time.monotonic() - started:.0f} s, exit {result.exit_code} ({phases})")
    assert result.exit_code == 0, result.output
