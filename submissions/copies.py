"""Likely copies between educators' narrative texts, found without comparing every pair.

Which texts: every top-level `text` field with `multiline: true` (the schema's default, used for the
narratives, reflections and explanations the programs ask to be individual); one-line texts and list
entries are too short to say anything. Texts with fewer than MIN_SHINGLES shingles are skipped.

How (written here with hashlib.blake2b, no extra package):
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


def signature(shingle_set: set[int]) -> list[int]:
    reduced = [x % _PRIME for x in shingle_set]
    return [min((a * x + b) % _PRIME for x in reduced) for a, b in _PERMS]


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
        candidates = (
            AttemptText.objects.filter(buckets__credential_id=submission.credential_id, buckets__key__in=keys)
            .exclude(attempt__submission__educator_id=submission.educator_id)
            .select_related("attempt")
            .distinct()
        )
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
