"""Likely copies between educators' narratives: found through MinHash/LSH buckets, confirmed by exact
Jaccard, and found without comparing every pair."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from accounts.models import User
from submissions.copies import THRESHOLD, band_keys, copies_record, jaccard, narrative_refs, shingles, signature
from submissions.models import Attempt, AttemptText, CopyBucket, CopyFinding
from submissions.services import attempt_freeze, attempt_withdraw, submission_start
from tests.submissions.helpers import complete_portfolio, save
from workflow.services import attempt_submit

VOCABULARY = [f"{a}{b}{c}" for a in "bcdfglmnprst" for b in "aeiou" for c in "klmnrstvx"]  # 540 words


def essay(seed: int, n: int = 55) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCABULARY) for _ in range(n))


def near_copy(text: str, changes: int = 3) -> str:
    tokens = text.split()
    for i in range(changes):
        tokens[5 + i * 15] = "changed"
    return " ".join(tokens)


def submit_narrative(user: User, credential, narrative: str) -> Attempt:
    submission, _ = submission_start(educator=user, credential=credential)
    complete_portfolio(submission, user)
    save(submission, user, {"plan.narrative": narrative})
    return attempt_submit(submission=submission, actor=user)


def freeze_narrative(user: User, credential, narrative: str) -> Attempt:
    """An attempt frozen and indexed as submit_narrative's is (attempt_freeze runs copies_record), without starting
    its review: for the many attempts a test only needs on file."""
    submission, _ = submission_start(educator=user, credential=credential)
    complete_portfolio(submission, user)
    save(submission, user, {"plan.narrative": narrative})
    return attempt_freeze(submission=submission, actor=user, attempts_allowed=1)


@pytest.fixture
def many_educators(db):
    def make(n: int) -> list[User]:
        # Plain rows: the password machinery is not what is under test.
        now = timezone.now()
        return User.objects.bulk_create(
            [User(email=f"teacher{i}@schools.example", name=f"T{i}", email_verified_at=now) for i in range(n)]
        )

    return make


def test_the_compared_texts_are_the_multiline_text_fields(portfolio):
    assert narrative_refs(portfolio.current_version.spec) == [
        "plan.lesson_plan",
        "plan.narrative",
        "reflection.reflection_text",
    ]


def test_minhash_estimates_jaccard(portfolio):
    a = shingles(essay(1, 300))
    b = shingles(near_copy(essay(1, 300), changes=12))
    exact = jaccard(a, b)
    sig_a, sig_b = signature(a), signature(b)
    estimate = sum(x == y for x, y in zip(sig_a, sig_b, strict=True)) / len(sig_a)
    assert 0.5 < exact < 0.9
    assert abs(estimate - exact) < 0.15
    assert len(set(band_keys(sig_a)) & set(band_keys(sig_b))) > 0
    assert not set(band_keys(sig_a)) & set(band_keys(signature(shingles(essay(2, 300)))))


def test_a_near_copy_of_another_educators_narrative_is_recorded(educator, educator2, portfolio):
    original = submit_narrative(educator, portfolio, essay(7))
    copy = submit_narrative(educator2, portfolio, near_copy(essay(7)))
    finding = CopyFinding.objects.get(attempt=copy)
    assert (finding.field_ref, finding.other_attempt, finding.other_field_ref) == (
        "plan.narrative",
        original,
        "plan.narrative",
    )
    assert THRESHOLD <= finding.overlap < 1
    expected = jaccard(shingles(essay(7)), shingles(near_copy(essay(7))))
    assert finding.overlap == pytest.approx(expected, abs=1e-4)
    assert not CopyFinding.objects.filter(attempt=original).exists(), "recorded on the later attempt"


def test_a_copy_into_a_different_field_is_found_too(educator, educator2, portfolio):
    original = submit_narrative(educator, portfolio, essay(8))
    submission, _ = submission_start(educator=educator2, credential=portfolio)
    complete_portfolio(submission, educator2)
    save(submission, educator2, {"plan.lesson_plan": essay(8)})
    copy = attempt_submit(submission=submission, actor=educator2)
    finding = CopyFinding.objects.get(attempt=copy)
    assert (finding.field_ref, finding.other_attempt, finding.other_field_ref, finding.overlap) == (
        "plan.lesson_plan",
        original,
        "plan.narrative",
        1.0,
    )


def test_an_unrelated_text_is_not_recorded(educator, educator2, portfolio):
    submit_narrative(educator, portfolio, essay(11))
    other = submit_narrative(educator2, portfolio, essay(12))
    assert not CopyFinding.objects.filter(attempt=other).exists()


def test_an_educators_own_earlier_attempt_is_not_a_copy(educator, portfolio):
    first = submit_narrative(educator, portfolio, essay(13))
    attempt_withdraw(attempt=first, actor=educator)
    second = attempt_submit(submission=first.submission, actor=educator)
    assert not CopyFinding.objects.filter(attempt=second).exists()


def test_other_credentials_are_not_compared(educator, educator2, portfolio, short_answer):
    submit_narrative(educator, portfolio, essay(14))
    submission, _ = submission_start(educator=educator2, credential=short_answer)
    save(submission, educator2, {"answer.response": essay(14)})
    attempt = attempt_submit(submission=submission, actor=educator2)
    assert not CopyFinding.objects.filter(attempt=attempt).exists()


def test_short_texts_are_not_indexed(educator, portfolio):
    attempt = submit_narrative(educator, portfolio, "Too short to say anything about copying.")
    assert not AttemptText.objects.filter(attempt=attempt, field_ref="plan.narrative").exists()


@pytest.mark.slow
@pytest.mark.scale
def test_candidates_stay_few_as_attempts_grow(portfolio, many_educators, educator):
    """With 150 attempts on file, a new one is compared with a handful of candidates, not with 150."""
    teachers = many_educators(150)
    for i, teacher in enumerate(teachers):
        freeze_narrative(teacher, portfolio, essay(1000 + i))
    assert AttemptText.objects.filter(field_ref="plan.narrative").count() == 150
    assert CopyBucket.objects.count() >= 150 * 32

    copied = submit_narrative(educator, portfolio, near_copy(essay(1042)))
    texts = AttemptText.objects.filter(attempt=copied).count()
    # Re-run the scan on a fresh copy of the attempt's index to read how many pairs it compared.
    AttemptText.objects.filter(attempt=copied).delete()
    CopyFinding.objects.filter(attempt=copied).delete()
    scan = copies_record(attempt=copied)
    assert scan.texts == texts
    assert [f.other_attempt.submission.educator for f in scan.findings] == [teachers[42]]
    assert scan.compared <= 3, scan.compared


def _signature_by_the_formula(shingle_set: set[int]) -> list[int]:
    """The definition, in Python's integers: what every signature stored so far was made with."""
    from submissions.copies import _PERMS, _PRIME

    reduced = [x % _PRIME for x in shingle_set]
    return [min((a * x + b) % _PRIME for x in reduced) for a, b in _PERMS]


def test_the_signature_is_the_formula_exactly_at_the_extremes_and_for_random_texts():
    prime = (1 << 61) - 1
    edges = {0, 1, 2, prime - 1, prime, prime + 1, 2 * prime, 1 << 61, (1 << 63) - 1, 1 << 63, (1 << 64) - 1}
    rng = random.Random(20261129)
    cases = [edges, {(1 << 64) - 1}, {prime}]
    cases += [{rng.getrandbits(64) for _ in range(rng.randint(1, 300))} for _ in range(40)]
    cases += [shingles(essay(seed, 400)) for seed in range(5)]
    # Many steps of the array: their minima are combined.
    cases.append({rng.getrandbits(64) for _ in range(9000)})
    for case in cases:
        assert signature(case) == _signature_by_the_formula(case)
    with pytest.raises(ValueError, match="at least one shingle"):
        signature(set())
