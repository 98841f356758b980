"""Repeated verification of one known credential (the badge page's case): verifications per second of the
same Data Integrity document (as text, and as the parsed object the badge page passes) and of its VC-JWT,
answered from awards.verify_cache after the first call. Each rate is per core: verifications per second of the
process's CPU time, which a busy machine does not change (the rate by the clock is printed beside it).

Runs against a throwaway SQLite database in a temporary folder; nothing in var/ is touched.
    python bench/bench_verify_repeat.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_awards import earned_attempts  # the project root, put on the path above
from bench.throwaway import throwaway_django


def _rate(data: object, seconds: float) -> tuple[float, float]:
    """(per core, by the clock): verifications per second of this process's CPU time, and per second of
    wall time. The loop is one thread, so its CPU time is what the verifications cost, whatever else the
    machine is running; the wall rate says how busy it was."""
    from awards.verify import verify_credential

    if not verify_credential(data).valid:  # type: ignore[arg-type]
        raise SystemExit("the credential failed verification")
    count, start, cpu = 0, time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(100):
            verify_credential(data)  # type: ignore[arg-type]
        count += 100
    return count / (time.process_time() - cpu), count / elapsed


def run(seconds: float) -> dict[str, float]:
    with throwaway_django():
        from awards.services import badge_issue, issuer_keys_create
        from catalog.models import Issuer

        issuer_keys_create(issuer=Issuer.objects.get(slug="classkick"))
        badge = badge_issue(attempt=earned_attempts(1)[0])
        forms = {"JSON text": badge.document_text, "JSON object": badge.document, "VC-JWT": badge.jwt}
        results = {}
        for form, data in forms.items():
            per_core, by_clock = _rate(data, seconds)
            results[f"repeat verify, {form} (/s)"] = per_core
            results[f"repeat verify, {form}, wall (/s)"] = by_clock
    print(f"repeated verification of one credential, {seconds:g} s of each form: per core (CPU time) and by the clock")
    for form in forms:
        per_core, by_clock = results[f"repeat verify, {form} (/s)"], results[f"repeat verify, {form}, wall (/s)"]
        print(f"  {form:<12} {per_core:>9,.0f}/s per core   {by_clock:>9,.0f}/s by the clock")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--json", type=Path, help="also write the figures to this file, for bench/run.py")
    args = parser.parse_args()
    results = run(args.seconds)
    if args.json:
        args.json.write_text(json.dumps(results))
