"""The first `make run` on a fresh checkout, timed to the first page: the virtualenv made from requirements.lock
alone (uv where it is on PATH, as the Makefile chooses), the database migrated, the programs and demo accounts
loaded, gunicorn serving. Prints each stage as `make run` does, and the seconds until /healthz and the catalog
answer. The checkout is made by the caller (tests/ops/test_first_run.py clones HEAD; `python bench/first_run.py`
clones it too). Nothing outside the checkout is written but uv's and pip's own download caches.
    python bench/first_run.py
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60
# Kept from the machine: how to find make, python and uv, their caches, and how this machine reaches the package
# index (certificates, proxies, index settings); nothing that configures microcred.
KEPT = (
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "XDG_CACHE_HOME",
    "PYENV_ROOT",
    "PYENV_VERSION",
    "REQUESTS_CA_BUNDLE",
)
KEPT_PREFIXES = (
    "UV_",
    "PIP_",
    "SSL_CERT_",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
)


@dataclass
class FirstRun:
    seconds: float = 0.0  # from `make run` to the catalog's first answer
    statuses: dict[str, int] = field(default_factory=dict)  # path -> status
    output: str = ""  # what `make run` printed
    dev_tools: list[str] = field(default_factory=list)  # test or lint tools found in the virtualenv (none wanted)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _status(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def clone(target: Path) -> None:
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True, timeout=120)


def first_run(checkout: Path, *, timeout: float = 900) -> FirstRun:
    """`make run` in `checkout` until the catalog answers, then stopped; what it took and what answered."""
    result = FirstRun()
    port = free_port()
    env = {name: value for name, value in os.environ.items() if name in KEPT or name.startswith(KEPT_PREFIXES)}
    log = checkout / "first-run.log"
    started = time.monotonic()
    with log.open("wb") as output:
        # Its own session, so that stopping it stops make, gunicorn and its workers together.
        make = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=checkout,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        while time.monotonic() - started < timeout:
            if make.poll() is not None:
                break
            try:
                if _status(port, "/healthz") == 200:
                    result.statuses["/credentials/"] = _status(port, "/credentials/")
                    result.seconds = time.monotonic() - started
                    result.statuses["/healthz"] = 200
                    break
            except OSError:
                pass  # not listening yet
            time.sleep(0.2)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGINT)  # what Ctrl-C sends
            try:
                make.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(make.pid, signal.SIGKILL)
                make.wait()
    result.output = log.read_text(errors="replace")
    bin_dir = checkout / ".venv" / "bin"
    result.dev_tools = [tool for tool in ("pytest", "ruff", "mypy", "playwright") if (bin_dir / tool).exists()]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file, for bench/run.py")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="microcred-first-run-") as folder:
        checkout = Path(folder) / "microcred"
        clone(checkout)
        print(f"first run: `make run` on a fresh clone of HEAD in {checkout}", flush=True)
        result = first_run(checkout)
    print("  " + "\n  ".join(line for line in result.output.splitlines() if line.strip())[:3000])
    if not result.seconds:
        print("  the site never answered")
        return 1
    if args.json:
        args.json.write_text(json.dumps({"seconds": result.seconds, "statuses": result.statuses}))
    target = f"target {TARGET_SECONDS} s plus download time"
    print(f"  first page after {result.seconds:.0f} s ({target}): {result.statuses}")
    if result.dev_tools:
        print(f"  development tools were installed too: {', '.join(result.dev_tools)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
