"""Issue and verify N badges, each an Open Badges 3.0 credential (default 1,000), and print badges per second
for each, beside the raw Ed25519 sign and verify rates measured in the same run.

Runs against a throwaway SQLite database in a temporary folder; nothing in var/ is touched.
    python bench/bench_awards.py [--n 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.throwaway import throwaway_django  # the project root, put on the path above


def earned_attempts(n: int, credential: Any = None) -> list:
    """N earned attempts (of the Classkick challenge unless a credential is given), written directly: setting them
    up is not what is measured. The tests of the status list's index use them too."""
    import secrets

    from django.utils import timezone

    from accounts.models import User
    from catalog.models import Credential
    from submissions.models import Attempt, AttemptStatus, Status, Submission

    if credential is None:
        credential = Credential.objects.select_related("current_version").get(slug="classkick-collaboration")
    tag = secrets.token_hex(4)
    users = User.objects.bulk_create(
        [User(email=f"earner{i}-{tag}@bench.example", name=f"Earner {i}", password="!") for i in range(n)]
    )
    submissions = Submission.objects.bulk_create(
        [
            Submission(
                educator=u,
                credential=credential,
                version=credential.current_version,
                status=Status.EARNED,
                is_open=False,
            )
            for u in users
        ]
    )
    now = timezone.now()
    return Attempt.objects.bulk_create(
        [
            Attempt(
                submission=s,
                number=1,
                version=credential.current_version,
                responses={},
                submitted_by=s.educator,
                submitted_at=now,
                status=AttemptStatus.EARNED,
                status_changed_at=now,
            )
            for s in submissions
        ]
    )


def _raw_ed25519(n: int) -> tuple[float, float]:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    public = key.public_key()
    message = os.urandom(64)  # the cryptosuite signs two SHA-256 digests: 64 bytes
    start = time.perf_counter()
    signatures = [key.sign(message) for _ in range(n)]
    sign_rate = n / (time.perf_counter() - start)
    start = time.perf_counter()
    for signature in signatures:
        public.verify(signature, message)
    return sign_rate, n / (time.perf_counter() - start)


def run(n: int) -> dict[str, float]:
    with throwaway_django():
        from awards.models import Badge
        from awards.services import badge_issue, issuer_keys_create
        from awards.verify import verify_credential
        from catalog.models import Issuer

        issuer_keys_create(issuer=Issuer.objects.get(slug="classkick"))
        attempts = earned_attempts(n)
        badge_issue(attempt=attempts[0])  # warm-up: contexts parsed, status list created and signed
        start = time.perf_counter()
        for attempt in attempts[1:]:
            badge_issue(attempt=attempt)
        issued = (n - 1) / (time.perf_counter() - start)

        documents = list(Badge.objects.values_list("document_text", flat=True))
        start = time.perf_counter()
        for document in documents:
            report = verify_credential(document)
            if not report.valid:
                raise SystemExit(f"a badge failed verification: {report.as_dict()['checks']}")
        verified = len(documents) / (time.perf_counter() - start)
        sign_rate, verify_rate = _raw_ed25519(max(n, 1000))
    results = {
        "issue (badges/s)": issued,
        "verify (badges/s)": verified,
        "raw Ed25519 sign (signatures/s)": sign_rate,
        "raw Ed25519 verify (signatures/s)": verify_rate,
    }
    print(f"awards: {n} badges (Data Integrity eddsa-rdfc-2022 + ES256 VC-JWT each)")
    for label, value in results.items():
        print(f"  {label:<36} {value:>12,.1f}")
    print(
        f"  issuing costs {sign_rate / issued:,.0f}x a raw signature, verifying {verify_rate / verified:,.0f}x a raw "
        "verification: the difference is RDF canonicalisation, the JWT, the term check and the database"
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="how many badges to issue and verify")
    parser.add_argument("--json", type=Path, help="also write the figures to this file, for bench/run.py")
    args = parser.parse_args()
    results = run(args.n)
    if args.json:
        args.json.write_text(json.dumps(results))


if __name__ == "__main__":
    main()
