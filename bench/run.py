"""`make bench`: every benchmark, each in its own process (each gets a fresh Django), then one table of every
figure as a ratio to its reference measured in the same run, with its target and whether it is met.

    python bench/run.py            # everything (`make bench`)
    python bench/run.py --quick    # shorter loads, 1k vs 10k rows, no first-run clone (`make bench BENCH=quick`)
    python bench/run.py --only scale verify_repeat   # some of them
    python bench/run.py --no-cache # the template and the grown databases made afresh (bench/throwaway.py)

The references: Digital Bazaar's JavaScript stack for issuing and verifying (installed from npm into a cache
folder; skipped, and said so, without npm), a bare Django view over one query served the same way for the pages
and autosave ("the floor"), the same pages at 1k rows for 100k, MD5 for sign-in. Autosave's p95 at 50 typists
runs against PostgreSQL (skipped, and said so, where it cannot be reached). The machine may be shared: the ratios
are what to read, each reference having been measured in interleaved rounds beside what it is compared with.

What takes long and is not measured, the migrated template and the 100k-row database, is kept in the bench's
cache folder under a digest of the sources it was made from (bench/throwaway.py), so a second run at the same
sources starts measuring at once; --no-cache makes both afresh.
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
from bench.throwaway import NO_CACHE, TEMPLATE  # noqa: E402

FULL: dict[str, list[str]] = {
    "credentials": ["bench_credentials.py", "--n", "30", "--rounds", "3"],
    "verify_repeat": ["bench_verify_repeat.py", "--seconds", "2"],
    "signin": ["bench_signin.py", "--n", "15"],
    # 5 rounds of 3 s loads: each round is 13 loads (the floor between every two pages), so the loads are most
    # of the run's length. With one thread per worker a page's rounds agree to within a few hundredths; the
    # table's figure is their median, printed with the lowest and highest.
    "pages": ["bench_pages.py", "--seconds", "3", "--rounds", "5"],
    # Growing 100k attempts is kept between runs (bench/throwaway.py), so more rounds cost seconds: a round is
    # every page once at each size, about half a second.
    "scale": ["bench_scale.py", "--small", "1000", "--large", "100000", "--n", "15"],
    # The same on PostgreSQL, grown afresh each run (about half a minute): production's planner, not SQLite's.
    "scale_pg": ["bench_scale.py", "--db", "pg", "--small", "1000", "--large", "100000", "--n", "15"],
    "autosave": ["load_autosave.py", "--target", "postgres", "--clients", "50", "--seconds", "15", "--think", "0.8"],
    "first_run": ["first_run.py"],
}
QUICK: dict[str, list[str]] = {
    "credentials": ["bench_credentials.py", "--n", "10", "--rounds", "3"],
    "verify_repeat": ["bench_verify_repeat.py", "--seconds", "1"],
    "signin": ["bench_signin.py", "--n", "5"],
    "pages": ["bench_pages.py", "--seconds", "5", "--rounds", "1"],
    "scale": ["bench_scale.py", "--small", "1000", "--large", "10000", "--n", "3"],
    "scale_pg": ["bench_scale.py", "--db", "pg", "--small", "1000", "--large", "10000", "--n", "3"],
    "autosave": ["load_autosave.py", "--target", "postgres", "--clients", "50", "--seconds", "8", "--think", "0.8"],
}


def _run(name: str, command: list[str], folder: Path, env: dict[str, str]) -> tuple[dict[str, Any] | None, float]:
    """One benchmark in its own process: its figures (None if it gave none) and how long it took."""
    out = folder / f"{name}.json"
    print(f"\n== {command[0]} {' '.join(command[1:])}", flush=True)
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(HERE / command[0]), *command[1:], "--json", str(out)], env=env)
    seconds = time.monotonic() - started
    print(f"   ({seconds:.0f} s)", flush=True)
    if not out.exists():
        print(f"   {command[0]} gave no figures (exit status {done.returncode})")
        return None, seconds
    figures: dict[str, Any] = json.loads(out.read_text())
    return figures, seconds


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f}, {five:.1f}, {fifteen:.1f} on {os.cpu_count()} cores"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a shorter run: about a third of the time")
    parser.add_argument("--only", nargs="*", help="run only these (credentials, pages, scale, autosave, ...)")
    parser.add_argument(
        "--no-cache", action="store_true", help="make the template and the grown databases afresh, and keep neither"
    )
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    if args.only:
        plan = {name: command for name, command in plan.items() if name in args.only}
    started = time.monotonic()
    print(f"Starting with the machine at {_load()}", flush=True)
    results: dict[str, Any] = {}
    durations: dict[str, float] = {}
    env = dict(os.environ)
    if args.no_cache:
        env[NO_CACHE] = "1"
    with tempfile.TemporaryDirectory(prefix="microcred-bench-run-") as name:
        folder = Path(name)
        print("Preparing the throwaway database every benchmark starts from (its tables, the programs)…", flush=True)
        made = subprocess.run(
            [sys.executable, str(HERE / "throwaway.py"), "--template", str(folder)],
            capture_output=True,
            text=True,
            env=env,
        )
        durations["template"] = time.monotonic() - started
        if made.returncode == 0:
            *said, path = made.stdout.strip().splitlines()
            env[TEMPLATE] = path
            print("".join(f"  {line}\n" for line in said) + f"   ({durations['template']:.0f} s)", flush=True)
        else:
            print(f"  (could not: each benchmark makes its own)\n{made.stderr[-2000:]}")
        for key, command in plan.items():
            results[key], durations[key] = _run(key, command, folder, env)
    rows: list[Row] = rows_for(results)
    minutes = (time.monotonic() - started) / 60
    kind = ("quick" if args.quick else "full") + (f", only {' '.join(args.only)}" if args.only else "")
    steps = ", ".join(f"{key} {seconds:.0f} s" for key, seconds in durations.items())
    print(f"\n{kind} run, {minutes:.1f} min ({steps}), ending at {_load()}")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
