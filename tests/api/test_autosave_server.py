"""The server autosave is measured on (gunicorn with microcred/gunicorn_config.py): each worker has imported the
URLconf before its first request, so the first saves after a start, a deploy or a restart do not wait for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import django
django.setup()
from django.conf import settings
from microcred import gunicorn_config
before = settings.ROOT_URLCONF in sys.modules, "api.submissions" in sys.modules
gunicorn_config.post_worker_init(None)
print(before, (settings.ROOT_URLCONF in sys.modules, "api.submissions" in sys.modules))
"""


def test_a_worker_imports_the_urlconf_before_its_first_request(tmp_path: Path) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "microcred.settings", "MICROCRED_VAR_DIR": str(tmp_path)}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # Django alone leaves the URLconf (every view and the API) to the first request; the hook imports it.
    assert done.stdout.split("\n")[-2] == "(False, False) (True, True)", done.stdout
