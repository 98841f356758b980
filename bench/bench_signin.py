"""Sign in through the real sign-in page (a POST with the right password, django-axes, the network throttle and
the session included) and print its median time with the production hashers, as a ratio to the same POST with
MD5 (no hashing cost to speak of: the floor for this page) and beside Django's PBKDF2 that it replaced, all
measured in this run, in interleaved rounds so that a busy machine slows each alike.

Runs against a throwaway SQLite database in a temporary folder; nothing in var/ is touched.
    python bench/bench_signin.py [--n 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.throwaway import throwaway_django  # the project root, put on the path above

PASSWORD = "a bench password, long enough"
TARGET_MS = 300


def _sign_in_seconds(email: str, hashers: list[str]) -> float:
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    with override_settings(PASSWORD_HASHERS=hashers):
        started = time.perf_counter()
        response = Client().post(reverse("accounts:login"), {"username": email, "password": PASSWORD})
        elapsed = time.perf_counter() - started
    if response.status_code != 302:
        raise SystemExit(f"signing in as {email} answered {response.status_code}, not a redirect")
    return elapsed


def run(n: int) -> dict[str, float]:
    with throwaway_django(programs=False):
        from django.conf import settings
        from django.test.utils import override_settings

        from accounts.models import User

        kinds = {
            "production": list(settings.PASSWORD_HASHERS),
            "MD5 (floor)": ["django.contrib.auth.hashers.MD5PasswordHasher"],
            "PBKDF2 (before)": ["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
        }
        emails = {}
        for number, (kind, hashers) in enumerate(kinds.items()):
            with override_settings(PASSWORD_HASHERS=hashers):
                emails[kind] = User.objects.create_user(
                    email=f"signin{number}@bench.example", password=PASSWORD, name="Bench"
                ).email
        timings: dict[str, list[float]] = {kind: [] for kind in kinds}
        for attempt in range(-1, n):  # one round to warm up, not counted
            for kind, hashers in kinds.items():
                elapsed = _sign_in_seconds(emails[kind], hashers)
                if attempt >= 0:
                    timings[kind].append(elapsed)
    medians = {kind: statistics.median(values) * 1000 for kind, values in timings.items()}
    floor = medians["MD5 (floor)"]
    print(f"sign-in: median of {n} POSTs to the sign-in page each; first hasher {kinds['production'][0]}")
    for kind, ms in medians.items():
        print(f"  {kind:<18} {ms:>8.1f} ms  {ms / floor:>6.2f}x the floor")
    verdict = "meets" if medians["production"] < TARGET_MS else "MISSES"
    print(f"  production sign-in {verdict} the {TARGET_MS} ms target")
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=15, help="how many sign-ins to time with each hasher")
    parser.add_argument("--json", type=Path, help="also write the figures to this file, for bench/run.py")
    args = parser.parse_args()
    results = run(args.n)
    if args.json:
        args.json.write_text(json.dumps(results))


if __name__ == "__main__":
    main()
