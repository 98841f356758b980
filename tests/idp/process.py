"""Start the test identity provider in its own process, once, for the tests that need it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def idp_running(*, client: dict[str, Any], user: dict[str, str]) -> Iterator[str]:
    """Yield the provider's origin (http://127.0.0.1:<port>) while it runs; stop it and remove its files after."""
    folder = tempfile.mkdtemp(prefix="microcred-idp-")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "PYTEST_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "tests.idp.settings", "IDP_DB": str(Path(folder) / "idp.sqlite3")})
    log_path = Path(folder) / "idp.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.idp.serve", json.dumps({"client": client, "user": user})],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    try:
        assert process.stdout is not None
        # The process prints READY once it serves, or exits (closing stdout) when it cannot start.
        line = process.stdout.readline()
        if not line.startswith("READY "):
            process.wait(timeout=10)
            raise RuntimeError(f"the test identity provider did not start:\n{log_path.read_text()}")
        yield line.split(" ", 1)[1].strip()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
