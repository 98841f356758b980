"""The reliability figures (reviews.selectors.reliability) from real Score rows: Krippendorff's own worked
example with his published values, generated panels checked against the `krippendorff` package called
directly, severity and its drift by hand, the degenerate cases, the filters, and a flat query count."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime
from itertools import combinations

import krippendorff
import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from catalog.models import Credential
from reviews.selectors.reliability import Filters, criterion_alpha, reliability_data, reliability_for_admin
from tests.reviews.reliability_panels import decided_attempt, five_level_version, level_of

NAN = np.nan
# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), section C: four observers, twelve units,
# values 1 to 5, "." where an observer gave none. Published: nominal .743, ordinal .815, interval .849,
# ratio .797 (the `krippendorff` package's own tests and docs cite the same figures).
KRIPPENDORFF_2011: dict[str, list[int | None]] = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}
PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


@pytest.fixture
def observers(make_user: Callable[..., User]) -> dict[str, User]:
    return {key: make_user(f"observer-{key.lower()}@reviewers.example", f"Observer {key}") for key in "ABCD"}


def test_krippendorffs_worked_example_gives_his_published_values(
    classkick: Credential, issuer_admin: User, educator: User, observers: dict[str, User]
) -> None:
    version = five_level_version(classkick)
    criterion = version.spec.rubric.criteria[0].id
    for unit in range(12):
        levels = {
            observers[key]: {criterion: level_of(version, value)}
            for key, values in KRIPPENDORFF_2011.items()
            if (value := values[unit]) is not None
        }
        decided_attempt(classkick, educator, levels)

    figures = reliability_for_admin(user=issuer_admin, slug=classkick.issuer.slug, filters=Filters())
    first = figures.criteria[0]
    assert first.id == criterion
    assert first.alpha is not None
    assert round(first.alpha, 3) == PUBLISHED["ordinal"]
    assert first.reading == "good"
    assert first.units == 11  # the twelfth unit has one value: nothing to pair it with
    # The other criteria were not scored at all.
    assert {c.reading for c in figures.criteria[1:]} == {"not_enough_data"}
    assert all(c.alpha is None for c in figures.criteria[1:])

    _, _, _, matrices = reliability_data(credential=classkick, filters=Filters())
    for measurement, published in PUBLISHED.items():
        alpha, _ = criterion_alpha(matrices[criterion], level_of_measurement=measurement)  # type: ignore[arg-type]
        assert alpha is not None, measurement
        assert round(alpha, 3) == published, measurement


def _pairs(table: dict[int, dict[int, int]]) -> tuple[float, float]:
    pairs = exact = adjacent = 0
    for given in table.values():
        for a, b in combinations(list(given.values()), 2):
            pairs += 1
            exact += a == b
            adjacent += abs(a - b) <= 1
    return exact / pairs, adjacent / pairs


@pytest.mark.parametrize("seed", [11, 2026])
def test_generated_panels_match_the_krippendorff_package(
    seed: int, classkick: Credential, issuer_admin: User, educator: User, make_user: Callable[..., User]
) -> None:
    rng = random.Random(seed)
    version = classkick.current_version
    assert version is not None
    criteria = [c.id for c in version.spec.rubric.criteria]
    reviewers = [make_user(f"r{i}@reviewers.example", f"Reviewer {i}") for i in range(6)]
    # unit -> criterion -> reviewer -> rank, kept here to build the package's input independently of ours.
    expected: dict[str, dict[int, dict[int, int]]] = {c: {} for c in criteria}
    for _ in range(30):
        panel = rng.sample(reviewers, rng.randint(2, 4))
        truth = rng.randint(1, 4)
        levels: dict[User, dict[str, str]] = {}
        for reviewer in panel:
            given: dict[str, str] = {}
            for criterion in criteria:
                if rng.random() < 0.1:
                    continue  # left unscored: a missing value
                rank = min(4, max(1, truth + rng.choice([-1, 0, 0, 0, 1]) + (1 if reviewer == reviewers[0] else 0)))
                given[criterion] = level_of(version, rank)
            levels[reviewer] = given
        attempt = decided_attempt(classkick, educator, levels)
        for reviewer, given in levels.items():
            for criterion, level in given.items():
                rank = 4 - [lv.id for lv in version.spec.rubric.levels].index(level)
                expected[criterion].setdefault(attempt.pk, {})[reviewer.pk] = rank

    figures = reliability_for_admin(user=issuer_admin, slug=classkick.issuer.slug, filters=Filters())
    assert figures.attempts == 30
    ids = sorted(r.pk for r in reviewers)
    for found in figures.criteria:
        table = expected[found.id]
        units = sorted(table)
        data = [[table[u].get(r, NAN) for u in units] for r in ids]
        direct = krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal", value_domain=[1, 2, 3, 4])
        assert found.alpha == pytest.approx(direct, abs=1e-12)
        exact, adjacent = _pairs(table)
        assert found.exact == pytest.approx(exact)
        assert found.adjacent == pytest.approx(adjacent)
        assert found.units == sum(1 for u in units if len(table[u]) >= 2)


def test_severity_is_the_mean_distance_from_the_median_of_the_others_and_drifts_by_month(
    classkick: Credential, issuer_admin: User, educator: User, make_user: Callable[..., User]
) -> None:
    version = classkick.current_version
    assert version is not None
    first, second = (c.id for c in version.spec.rubric.criteria[:2])
    ann, bob, cat = (make_user(f"{n}@reviewers.example", n.title()) for n in ("ann", "bob", "cat"))

    def lv(rank: int) -> str:
        return level_of(version, rank)

    # January: Ann 4 against Bob's and Cat's 2 on the first criterion (Ann +2, Bob 2 - median(4, 2) = -1, Cat -1);
    # all three at 3 on the second (0 each).
    decided_attempt(
        classkick,
        educator,
        {ann: {first: lv(4), second: lv(3)}, bob: {first: lv(2), second: lv(3)}, cat: {first: lv(2), second: lv(3)}},
        at=datetime(2026, 1, 15, 12, tzinfo=UTC),
    )
    # March: Ann and Bob only, Ann 1 against Bob's 3 on the first (Ann -2, Bob +2); Cat's review of another
    # attempt alone has no panel to compare with.
    decided_attempt(
        classkick, educator, {ann: {first: lv(1)}, bob: {first: lv(3)}}, at=datetime(2026, 3, 10, 12, tzinfo=UTC)
    )
    decided_attempt(classkick, educator, {cat: {first: lv(4)}}, at=datetime(2026, 3, 11, 12, tzinfo=UTC))

    figures = reliability_for_admin(user=issuer_admin, slug=classkick.issuer.slug, filters=Filters())
    by_name = {r.name: r for r in figures.reviewers}
    assert [r.name for r in figures.reviewers] == ["Ann", "Bob", "Cat"]
    assert by_name["Ann"].severity == pytest.approx((2 + 0 - 2) / 3)
    assert (by_name["Ann"].reviews, by_name["Ann"].scores) == (2, 3)
    assert [(p.period, p.severity, p.scores) for p in by_name["Ann"].drift] == [
        ("2026-01", 1.0, 2),
        ("2026-03", -2.0, 1),
    ]
    assert by_name["Bob"].severity == pytest.approx((-1 + 0 + 2) / 3)
    assert [(p.period, p.severity) for p in by_name["Bob"].drift] == [("2026-01", -0.5), ("2026-03", 2.0)]
    assert by_name["Cat"].severity == pytest.approx(-0.5)
    assert (by_name["Cat"].reviews, by_name["Cat"].scores) == (1, 2)
    # No threshold in the definition: nobody is flagged, whatever their severity.
    assert figures.threshold is None
    assert not any(r.flagged for r in figures.reviewers)

    # The date range takes decisions made within it: March alone.
    march = reliability_for_admin(
        user=issuer_admin,
        slug=classkick.issuer.slug,
        filters=Filters(decided_from=date(2026, 3, 1), decided_to=date(2026, 3, 31)),
    )
    assert march.attempts == 2
    assert {r.name: r.severity for r in march.reviewers} == {"Ann": -2.0, "Bob": 2.0, "Cat": None}


def test_degenerate_data_reads_as_not_enough_variation_or_data_never_nan(
    classkick: Credential, issuer_admin: User, educator: User, make_user: Callable[..., User]
) -> None:
    version = classkick.current_version
    assert version is not None
    first = version.spec.rubric.criteria[0].id
    ann, bob = make_user("ann@reviewers.example", "Ann"), make_user("bob@reviewers.example", "Bob")
    same = level_of(version, 3)
    empty = reliability_for_admin(user=issuer_admin, slug=classkick.issuer.slug, filters=Filters())
    assert empty.attempts == 0
    assert empty.reviewers == []
    assert {c.reading for c in empty.criteria} == {"not_enough_data"}

    # One reviewer alone: nothing to pair.
    decided_attempt(classkick, educator, {ann: {first: same}})
    alone = reliability_for_admin(user=issuer_admin, slug=classkick.issuer.slug, filters=Filters())
    assert alone.criteria[0].reading == "not_enough_data"
    assert alone.criteria[0].alpha is None
    assert alone.criteria[0].exact is None

    # Everybody agrees on one level: alpha is 0/0, shown as not enough variation.
    for _ in range(3):
        decided_attempt(classkick, educator, {ann: {first: same}, bob: {first: same}})
    flat = reliability_for_admin(user=issuer_admin, slug=classkick.issuer.slug, filters=Filters())
    assert flat.criteria[0].reading == "not_enough_variation"
    assert flat.criteria[0].alpha is None
    assert "Not enough variation" in flat.criteria[0].reading_text
    assert flat.criteria[0].exact == 1.0
    assert flat.criteria[0].adjacent == 1.0


def test_only_panel_reviews_of_decided_attempts_of_the_version_count(
    classkick: Credential, issuer_admin: User, educator: User, make_user: Callable[..., User]
) -> None:
    version = classkick.current_version
    assert version is not None
    first = version.spec.rubric.criteria[0].id
    ann, bob, lea = (make_user(f"{n}@reviewers.example", n.title()) for n in ("ann", "bob", "lea"))
    decided_attempt(
        classkick,
        educator,
        {ann: {first: level_of(version, 4)}, bob: {first: level_of(version, 1)}},
        adjudicator=(lea, {first: level_of(version, 4)}),
    )
    figures = reliability_for_admin(user=issuer_admin, slug=classkick.issuer.slug, filters=Filters())
    assert [r.name for r in figures.reviewers] == ["Ann", "Bob"]  # the adjudicator is not a panel member
    assert figures.criteria[0].pairs == 1
    assert figures.criteria[0].exact == 0.0

    five = five_level_version(classkick)
    decided_attempt(classkick, educator, {ann: {first: level_of(five, 5)}, lea: {first: level_of(five, 5)}})
    assert reliability_for_admin(user=issuer_admin, slug=classkick.issuer.slug, filters=Filters()).attempts == 2
    only_two = reliability_for_admin(user=issuer_admin, slug=classkick.issuer.slug, filters=Filters(version=2))
    assert only_two.attempts == 1
    assert only_two.versions == [1, 2]
    assert only_two.criteria[0].exact == 1.0


def test_the_figures_take_the_same_queries_for_few_and_many_attempts(
    classkick: Credential, issuer_admin: User, educator: User, make_user: Callable[..., User]
) -> None:
    version = classkick.current_version
    assert version is not None
    criteria = [c.id for c in version.spec.rubric.criteria]
    reviewers = [make_user(f"q{i}@reviewers.example", f"Q {i}") for i in range(8)]
    rng = random.Random(5)

    def add(n: int) -> None:
        for _ in range(n):
            panel = rng.sample(reviewers, 3)
            decided_attempt(
                classkick, educator, {r: {c: level_of(version, rng.randint(1, 4)) for c in criteria} for r in panel}
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            reliability_for_admin(user=issuer_admin, slug=classkick.issuer.slug, filters=Filters())
        return len(queries)

    add(3)
    few = count()
    add(60)
    assert count() == few
