"""Issue and verify one Open Badges 3.0 credential, microcred against Digital Bazaar's JavaScript stack
(`@digitalbazaar/vc` with eddsa-rdfc-2022), on the same documents with the same key, in the same run.

The documents are the two microcred signs, made by the real issue path on a throwaway database: an
OpenBadgeCredential and the issuer's Bitstring Status List credential. Both sides sign them with the issuer's
Ed25519 key and the same proof options (so the signatures come out byte for byte the same), and verify the
credential from its JSON, status list included. Timed on microcred's side: `awards.proof.proof_add` for issue
(the signing path alone: no database writes, no VC-JWT) and `awards.verify.verify_credential` on the JSON text
for verify, with the result cache emptied before each call so every check runs. Both sides run on one core
(each pinned to the same one), in interleaved rounds; each figure is the median of the rounds' medians.

Also cross-verifies: Digital Bazaar verifies microcred's credentials, microcred verifies Digital Bazaar's, one
of them with a control character in the earner's name.
    python bench/bench_credentials.py [--n 30] [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import reference  # the project root, put on the path above
from bench.bench_awards import earned_attempts
from bench.throwaway import throwaway_django

TARGET = 2.0  # microcred at least twice as fast as the reference, per core


def _one_core() -> int | None:
    """Pin this process to one core and answer it (the reference is pinned to the same one)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def _timed(function: Any, n: int, before: Any = None) -> list[float]:
    out = []
    for _ in range(n):
        if before is not None:
            before()
        started = time.perf_counter()
        function()
        out.append((time.perf_counter() - started) * 1000)
    return out


def run(n: int, rounds: int) -> dict[str, Any]:
    results: dict[str, Any] = {"skipped": ""}
    folder = reference.kit()
    if folder is None:
        results["skipped"] = "npm or its registry is unreachable"
    with throwaway_django():
        from accounts.models import User
        from awards.models import StatusList
        from awards.proof import proof_add
        from awards.services import badge_issue, issuer_keys_create
        from awards.verify import verify_credential
        from awards.verify_cache import verify_cache_clear
        from catalog.models import Issuer

        issuer = Issuer.objects.get(slug="classkick")
        issuer_keys_create(issuer=issuer)
        plain, control = earned_attempts(2)
        User.objects.filter(pk=control.submission.educator_id).update(name=reference.CONTROL_NAME)
        control.submission.educator.refresh_from_db()
        badges = {"credential": badge_issue(attempt=plain), "control character": badge_issue(attempt=control)}
        status_list = StatusList.objects.get(issuer=issuer)
        signer = reference.signer_for(issuer)
        documents = {"credential": badges["credential"].document, "status list": status_list.document}
        text = badges["credential"].document_text

        def issue(name: str) -> Any:
            entry = reference.unsigned(documents[name])
            created = datetime.fromisoformat(entry["created"].replace("Z", "+00:00"))
            return lambda: proof_add(
                entry["credential"],
                private_key=signer.private,
                verification_method=signer.verification_method,
                created=created,
            )

        def verify() -> None:
            if not verify_credential(text).valid:
                raise SystemExit("microcred could not verify its own credential")

        for name in documents:  # each signs to exactly what the issue path stored
            if issue(name)() != documents[name]:
                raise SystemExit(f"proof_add does not reproduce the stored {name}")
        verify_cache_clear()
        verify()
        request = {
            **reference.served_documents(issuer),
            "key": signer.multikey,
            "n": n,
            "bench": {name: reference.unsigned(document) for name, document in documents.items()},
        }
        cpu = _one_core()
        medians: dict[str, list[float]] = {}
        for number in range(rounds):
            # Alternate who goes first, so that neither always meets the machine in the same mood.
            sides = ["microcred", "reference"] if number % 2 == 0 else ["reference", "microcred"]
            for side in sides:
                if side == "microcred":
                    for name in documents:
                        ms = statistics.median(_timed(issue(name), n))
                        medians.setdefault(f"microcred issue {name}", []).append(ms)
                    # The cache emptied before each (untimed): every check runs, as for a credential seen anew.
                    ms = statistics.median(_timed(verify, n, before=verify_cache_clear))
                    medians.setdefault("microcred verify credential", []).append(ms)
                elif folder is not None:
                    answer = reference.node_call(folder, request, cpu=cpu)
                    for name, timings in answer["bench"].items():
                        if timings["proofValue"] != documents[name]["proof"]["proofValue"]:
                            raise SystemExit(f"Digital Bazaar's signature of the {name} differs from microcred's")
                        medians.setdefault(f"reference issue {name}", []).append(statistics.median(timings["issue_ms"]))
                        if name == "credential":
                            medians.setdefault("reference verify credential", []).append(
                                statistics.median(timings["verify_ms"])
                            )
        results["ms"] = {label: statistics.median(values) for label, values in medians.items()}
        results["cross"] = [] if folder is None else reference.cross_verify(folder, badges)
    _report(results, n, rounds)
    return results


def _report(results: dict[str, Any], n: int, rounds: int) -> None:
    ms = results["ms"]
    print(f"credentials: median of {rounds} interleaved rounds of {n} each, one core, microcred vs Digital Bazaar")
    ratios = {}
    for what in ("issue credential", "issue status list", "verify credential"):
        ours = ms[f"microcred {what}"]
        theirs = ms.get(f"reference {what}")
        if theirs is None:
            print(f"  {what:<20} {ours:8.2f} ms   (Digital Bazaar skipped: {results['skipped']})")
            continue
        ratios[what] = theirs / ours
        print(f"  {what:<20} {ours:8.2f} ms vs {theirs:8.2f} ms   {theirs / ours:5.2f}x (target >= {TARGET:g}x)")
    results["ratios"] = ratios
    for check in results["cross"]:
        verdict = "pass" if check.passed else "FAIL"
        said = {True: "yes", False: "NO"}
        print(
            f"  cross-verify {check.name:<18} {verdict}: Digital Bazaar verifies ours {said[check.theirs_verify_ours]},"
            " "
            f"ours verifies theirs {said[check.ours_verify_theirs]}, same signature {said[check.same_signature]}"
            + (f" ({check.detail})" if check.detail else "")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="issues and verifications per side in each round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures to this file, for bench/run.py")
    args = parser.parse_args()
    results = run(args.n, args.rounds)
    if args.json:
        cross = [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in results["cross"]]
        args.json.write_text(json.dumps({**results, "cross": cross}))


if __name__ == "__main__":
    main()
