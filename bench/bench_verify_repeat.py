"""Repeated verification of one known credential (the badge page's case): verifications per second of the
same Data Integrity document and of its VC-JWT, answered from awards.verify_cache after the first call.

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


def _rate(data: object, seconds: float) -> float:
    from awards.verify import verify_credential

    if not verify_credential(data).valid:  # type: ignore[arg-type]
        raise SystemExit("the credential failed verification")
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(100):
            verify_credential(data)  # type: ignore[arg-type]
        count += 100
    return count / elapsed


def run(seconds: float) -> dict[str, float]:
    with throwaway_django():
        from awards.services import badge_issue, issuer_keys_create
        from catalog.models import Issuer

        issuer_keys_create(issuer=Issuer.objects.get(slug="classkick"))
        badge = badge_issue(attempt=earned_attempts(1)[0])
        results = {
            "repeat verify, JSON text (/s)": _rate(badge.document_text, seconds),
            "repeat verify, JSON object (/s)": _rate(badge.document, seconds),
            "repeat verify, VC-JWT (/s)": _rate(badge.jwt, seconds),
        }
    for label, value in results.items():
        print(f"  {label:<34} {value:>12,.0f}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--json", type=Path, help="also write the figures to this file, for bench/run.py")
    args = parser.parse_args()
    results = run(args.seconds)
    if args.json:
        args.json.write_text(json.dumps(results))
