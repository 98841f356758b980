"""`make bench`: every benchmark, each in its own process (each gets a fresh Django), then one table of every
figure as a ratio to its reference measured in the same run, with its target and whether it is met.

    python bench/run.py            # everything (`make bench`)
    python bench/run.py --quick    # shorter loads, 1k vs 10k rows, no first-run clone (`make bench BENCH=quick`)

The references: Digital Bazaar's JavaScript stack for issuing and verifying (installed from npm into a cache
folder; skipped, and said so, without npm), a bare Django view over one query served the same way for the pages
and autosave ("the floor"), the same pages at 1k rows for 100k, MD5 for sign-in. Autosave's p95 at 50 typists
runs against PostgreSQL (skipped, and said so, where it cannot be reached). The machine may be shared: the ratios
are what to read, each reference having been measured in interleaved rounds beside what it is compared with.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.table import Row, rows_for, table  # noqa: E402 - the project root, put on the path above

FULL: dict[str, list[str]] = {
    "credentials": ["bench_credentials.py", "--n", "30", "--rounds", "3"],
    "verify_repeat": ["bench_verify_repeat.py", "--seconds", "3"],
    "signin": ["bench_signin.py", "--n", "15"],
    "pages": ["bench_pages.py", "--seconds", "5", "--rounds", "3"],
    "scale": ["bench_scale.py", "--small", "1000", "--large", "100000", "--n", "7"],
    "autosave": ["load_autosave.py", "--target", "postgres", "--clients", "50", "--seconds", "20", "--think", "0.8"],
    "first_run": ["first_run.py"],
}
QUICK: dict[str, list[str]] = {
    "credentials": ["bench_credentials.py", "--n", "10", "--rounds", "3"],
    "verify_repeat": ["bench_verify_repeat.py", "--seconds", "1"],
    "signin": ["bench_signin.py", "--n", "5"],
    "pages": ["bench_pages.py", "--seconds", "5", "--rounds", "1"],
    "scale": ["bench_scale.py", "--small", "1000", "--large", "10000", "--n", "3"],
    "autosave": ["load_autosave.py", "--target", "postgres", "--clients", "50", "--seconds", "8", "--think", "0.8"],
}


def _run(name: str, command: list[str], folder: Path, env: dict[str, str]) -> dict[str, Any] | None:
    out = folder / f"{name}.json"
    print(f"\n== {command[0]} {' '.join(command[1:])}", flush=True)
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(HERE / command[0]), *command[1:], "--json", str(out)], env=env)
    print(f"   ({time.monotonic() - started:.0f} s)", flush=True)
    if not out.exists():
        print(f"   {command[0]} gave no figures (exit status {done.returncode})")
        return None
    figures: dict[str, Any] = json.loads(out.read_text())
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a shorter run: about a third of the time")
    parser.add_argument("--only", nargs="*", help="run only these (credentials, pages, scale, autosave, ...)")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    if args.only:
        plan = {name: command for name, command in plan.items() if name in args.only}
    started = time.monotonic()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="microcred-bench-run-") as name:
        folder = Path(name)
        print("Preparing the throwaway database every benchmark starts from (migrate, load the programs)…", flush=True)
        made = subprocess.run(
            [sys.executable, str(HERE / "throwaway.py"), "--template", str(folder)], capture_output=True, text=True
        )
        env = dict(os.environ)
        if made.returncode == 0:
            env["MICROCRED_BENCH_TEMPLATE"] = made.stdout.strip().splitlines()[-1]
        else:
            print(f"  (could not: each benchmark migrates its own)\n{made.stderr[-2000:]}")
        for key, command in plan.items():
            results[key] = _run(key, command, folder, env)
    rows: list[Row] = rows_for(results)
    minutes = (time.monotonic() - started) / 60
    kind = ("quick" if args.quick else "full") + (f", only {' '.join(args.only)}" if args.only else "")
    print(f"\n{kind} run, {minutes:.1f} min, load average {os.getloadavg()[0]:.1f}")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
