"""Likely copies between educators' narrative texts, found without comparing every pair.

Which texts: every top-level `text` field with `multiline: true` (the schema's default, used for the
narratives, reflections and explanations the programs ask to be individual); one-line texts and list
entries are too short to say anything. Texts with fewer than MIN_SHINGLES shingles are skipped.

How (written here with hashlib.blake2b and numpy, which the project already has):
1. A text becomes the set of its 5-word shingles (words as `values.words` counts them, lower-cased,
   punctuation dropped), each hashed to 64 bits.
2. A MinHash signature of NUM_PERM values estimates the Jaccard similarity of two shingle sets.
3. The signature is cut into BANDS bands of ROWS values; each band's hash is a bucket key stored in
   CopyBucket. Two texts become candidates only when they share a bucket. With 32 bands of 4 rows,
   a pair at Jaccard 0.5 shares a bucket with probability 1 - (1 - 0.5**4)**32 ≈ 0.87, a pair at
   0.7 with ≈ 0.9997, and an unrelated pair (Jaccard near 0) practically never.
4. Candidates are confirmed by the exact Jaccard of their shingle sets, recomputed from the other
   attempt's frozen text; a pair at or above THRESHOLD is recorded as a CopyFinding for reviewers.

Only attempts by other educators count: a resubmission reusing one's own earlier text is expected.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from catalog.schema import CredentialDefinition, TextField
from submissions.models import Attempt, AttemptText, CopyBucket, CopyFinding
from submissions.values import words

K = 5
NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
THRESHOLD = 0.5
MIN_SHINGLES = 10
_PRIME = (1 << 61) - 1


def _permutations() -> list[tuple[int, int]]:
    # Fixed, derived from a constant: signatures stored years apart must stay comparable.
    out = []
    for i in range(NUM_PERM):
        digest = hashlib.blake2b(f"microcred-minhash-{i}".encode(), digest_size=16).digest()
        out.append((int.from_bytes(digest[:8], "big") % (_PRIME - 1) + 1, int.from_bytes(digest[8:], "big") % _PRIME))
    return out


_PERMS = _permutations()


def shingles(text: str) -> set[int]:
    tokens = ["".join(ch for ch in word.lower() if ch.isalnum()) for word in words(text)]
    return {
        int.from_bytes(hashlib.blake2b(" ".join(tokens[i : i + K]).encode(), digest_size=8).digest(), "big")
        for i in range(len(tokens) - K + 1)
    }


# The same permutations as numpy columns. Each signature value is min over the shingles of (a*x + b) mod P: in
# Python's integers that is NUM_PERM products a shingle, 40-60 ms for 1,500 shingles (a long narrative) at each
# submit, and a fraction of that here. numpy has no 122-bit product, so `_times_mod` splits each factor into
# 32-bit halves and folds the parts with 2**61 = 1 (mod P); every intermediate stays below 2**63.
# tests/submissions/test_copies.py holds it equal to the integer formula, extremes included.
_A = np.array([a for a, _ in _PERMS], dtype=np.uint64)[:, None]
_B = np.array([b for _, b in _PERMS], dtype=np.uint64)[:, None]
_P = np.uint64(_PRIME)
_LOW32 = np.uint64(0xFFFFFFFF)
_LOW29 = np.uint64((1 << 29) - 1)
_COLUMNS = 256  # shingles a step: a 128-by-256 array of 64-bit values (256 KiB) stays in a core's cache


def _mod(v: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """v mod P for any 64-bit v: v = q * 2**61 + r is q + r (mod P), and q + r < P + 9."""
    v = (v & _P) + (v >> np.uint64(61))
    return np.where(v >= _P, v - _P, v)


def _times_mod(a: NDArray[np.uint64], x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """a * x mod P, for a and x below 2**61 (broadcast)."""
    a_high, a_low = a >> np.uint64(32), a & _LOW32
    x_high, x_low = x >> np.uint64(32), x & _LOW32
    high = a_high * x_high  # < 2**58, counts 2**64 = 8 (mod P)
    # < 2**62, counts 2**32: middle * 2**32 = (middle >> 29) * 2**61 + (middle & LOW29) * 2**32
    middle = a_high * x_low + a_low * x_high
    low = a_low * x_low  # < 2**64
    folded = (
        (high << np.uint64(3))
        + (middle >> np.uint64(29))
        + ((middle & _LOW29) << np.uint64(32))
        + (low & _P)
        + (low >> np.uint64(61))
    )
    return _mod(folded)


def signature(shingle_set: set[int]) -> list[int]:
    """NUM_PERM values: for each permutation (a, b), the least (a * x + b) mod P over the shingles x."""
    if not shingle_set:
        raise ValueError("a signature needs at least one shingle")
    shingled = _mod(np.fromiter(shingle_set, dtype=np.uint64, count=len(shingle_set)))
    least: NDArray[np.uint64] | None = None
    for start in range(0, len(shingled), _COLUMNS):
        step = _mod(_times_mod(_A, shingled[None, start : start + _COLUMNS]) + _B).min(axis=1)
        least = step if least is None else np.minimum(least, step)
    assert least is not None
    return [int(value) for value in least]


def band_keys(sig: list[int]) -> list[int]:
    keys = []
    for band in range(BANDS):
        rows = sig[band * ROWS : (band + 1) * ROWS]
        payload = band.to_bytes(2, "big") + b"".join(value.to_bytes(8, "big") for value in rows)
        keys.append(int.from_bytes(hashlib.blake2b(payload, digest_size=8).digest(), "big", signed=True))
    return keys


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def narrative_refs(definition: CredentialDefinition) -> list[str]:
    return [
        f"{part.id}.{spec.id}"
        for part in definition.parts
        for spec in part.fields
        if isinstance(spec, TextField) and spec.multiline
    ]


@dataclass(frozen=True)
class CopyScan:
    texts: int  # this attempt's texts indexed
    compared: int  # candidate pairs confirmed by exact Jaccard
    findings: list[CopyFinding]


def _text_of(attempt: Attempt, ref: str) -> str:
    part_id, _, field_id = ref.partition(".")
    value = attempt.responses.get(part_id, {}).get(field_id)
    return value if isinstance(value, str) else ""


def copies_record(*, attempt: Attempt) -> CopyScan:
    """Index the attempt's narrative texts and record likely copies of other educators' attempts.

    Runs inside attempt_submit's transaction, so an attempt is never left half indexed."""
    submission = attempt.submission
    compared = 0
    indexed = 0
    findings: list[CopyFinding] = []
    # A text pasted by a cohort comes back as a candidate once per copy: its shingles are worked out once.
    known: dict[str, set[int]] = {}
    for ref in narrative_refs(attempt.version.spec):
        mine = shingles(_text_of(attempt, ref))
        if len(mine) < MIN_SHINGLES:
            continue
        sig = signature(mine)
        keys = band_keys(sig)
        text = AttemptText.objects.create(attempt=attempt, field_ref=ref, shingle_count=len(mine), signature=sig)
        indexed += 1
        # The texts sharing a band with this one, each once: a semi-join on their ids rather than DISTINCT over
        # the joined rows, which would compare every candidate attempt's whole answers (PostgreSQL sorted
        # each attempt's JSON to do it) to drop the duplicates of a text found in several bands.
        sharing = AttemptText.objects.filter(
            buckets__credential_id=submission.credential_id, buckets__key__in=keys
        ).exclude(attempt__submission__educator_id=submission.educator_id)
        candidates = AttemptText.objects.filter(pk__in=sharing.values("pk")).select_related("attempt")
        for candidate in candidates:
            compared += 1
            theirs = _text_of(candidate.attempt, candidate.field_ref)
            if theirs not in known:
                known[theirs] = shingles(theirs)
            overlap = jaccard(mine, known[theirs])
            if overlap >= THRESHOLD:
                findings.append(
                    CopyFinding(
                        attempt=attempt,
                        field_ref=ref,
                        other_attempt=candidate.attempt,
                        other_field_ref=candidate.field_ref,
                        overlap=round(overlap, 4),
                    )
                )
        CopyBucket.objects.bulk_create(
            [CopyBucket(credential_id=submission.credential_id, key=key, text=text) for key in keys]
        )
    # One insert for all: a text pasted by a whole cohort finds every earlier copy at once.
    CopyFinding.objects.bulk_create(findings)
    return CopyScan(texts=indexed, compared=compared, findings=findings)
