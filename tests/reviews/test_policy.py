"""The decision function, table-tested: every pass rule, the threshold boundaries (exactly the passing
level, one below), ties, missing scores, unknown level ids, and the adjudicated split either way.

The rubric has four levels, highest first: exemplary, accomplished (passing), developing, beginning;
and two criteria, a and b. A review is written "a=accomplished b=developing"; "lead:" marks the
adjudicator's review.
"""

from __future__ import annotations

from typing import Any

import pytest

from catalog.schema import ReviewPolicy, Rubric
from reviews.policy import ReviewInput, decide

RUBRIC = Rubric.model_validate(
    {
        "levels": [
            {"id": "exemplary", "label": "Exemplary"},
            {"id": "accomplished", "label": "Accomplished"},
            {"id": "developing", "label": "Developing"},
            {"id": "beginning", "label": "Beginning"},
        ],
        "passing_level": "accomplished",
        "criteria": [
            {
                "id": cid,
                "title": cid.upper(),
                "descriptors": {lv: lv for lv in ("exemplary", "accomplished", "developing", "beginning")},
            }
            for cid in ("a", "b")
        ],
    }
)


def policy(rule: str, seats: int) -> ReviewPolicy:
    data: dict[str, Any] = {"seats": [{"kind": "any", "count": seats}], "pass_rule": rule}
    if rule == "all_criteria_adjudicated":
        data["adjudication"] = {"seat": {"kind": "issuer_staff", "count": 1}}
    return ReviewPolicy.model_validate(data)


def reviews(*specs: str) -> list[ReviewInput]:
    out = []
    for spec in specs:
        role = "panel"
        if spec.startswith("lead:"):
            role, spec = "adjudicator", spec.removeprefix("lead:")
        scores = dict(pair.split("=") for pair in spec.split())
        out.append(ReviewInput(scores=scores, role=role))  # type: ignore[arg-type]
    return out


ALL = "all_reviewers_all_criteria"
ADJ = "all_criteria_adjudicated"
ACC, EX, DEV, BEG = "accomplished", "exemplary", "developing", "beginning"


def r(a: str, b: str) -> str:
    return f"a={a} b={b}"


# (case, rule, seats, reviews, outcome, passed per criterion {a, b} - None where it cannot be said)
TABLE: list[tuple[str, str, int, list[str], str, dict[str, bool | None]]] = [
    # all reviewers, all criteria (Classkick: four evaluators)
    ("all at exactly the passing level earn", ALL, 4, [r(ACC, ACC)] * 4, "earned", {"a": True, "b": True}),
    ("all exemplary earn", ALL, 4, [r(EX, EX)] * 4, "earned", {"a": True, "b": True}),
    (
        "one reviewer one level below on one criterion is not yet earned",
        ALL,
        4,
        [r(EX, EX), r(EX, EX), r(EX, DEV), r(EX, EX)],
        "not_yet_earned",
        {"a": True, "b": False},
    ),
    ("three of four reviews are incomplete", ALL, 4, [r(EX, EX)] * 3, "incomplete", {"a": True, "b": True}),
    (
        "a review missing a criterion is incomplete",
        ALL,
        4,
        [r(EX, EX), r(EX, EX), r(EX, EX), f"a={EX}"],
        "incomplete",
        {"a": True, "b": None},
    ),
    (
        "an unknown level id counts as missing, never as a pass",
        ALL,
        4,
        [r(EX, EX), r(EX, EX), r(EX, EX), r("great", EX)],
        "incomplete",
        {"a": None, "b": True},
    ),
    ("no reviews at all are incomplete", ALL, 4, [], "incomplete", {"a": None, "b": None}),
    # all criteria, adjudicated (Educators Rising: two assessors and a lead)
    ("assessors agreeing everything passes earn", ADJ, 2, [r(ACC, EX), r(EX, ACC)], "earned", {"a": True, "b": True}),
    (
        "assessors agreeing a criterion fails need no adjudication",
        ADJ,
        2,
        [r(DEV, EX), r(BEG, EX)],
        "not_yet_earned",
        {"a": False, "b": True},
    ),
    (
        "assessors split on a criterion need adjudication",
        ADJ,
        2,
        [r(ACC, EX), r(DEV, EX)],
        "needs_adjudication",
        {"a": None, "b": True},
    ),
    (
        "the lead siding with the passing assessor earns",
        ADJ,
        2,
        [r(ACC, EX), r(DEV, EX), "lead:" + r(ACC, EX)],
        "earned",
        {"a": True, "b": True},
    ),
    (
        "the lead siding with the failing assessor is not yet earned",
        ADJ,
        2,
        [r(ACC, EX), r(DEV, EX), "lead:" + r(DEV, EX)],
        "not_yet_earned",
        {"a": False, "b": True},
    ),
    (
        "the lead decides only the disputed criterion, not an agreed one",
        ADJ,
        2,
        [r(ACC, EX), r(DEV, EX), "lead:" + r(ACC, BEG)],
        "earned",
        {"a": True, "b": True},
    ),
    (
        "an agreed failure stands even when the lead passes the disputed criterion",
        ADJ,
        2,
        [r(ACC, DEV), r(DEV, DEV), "lead:" + r(EX, EX)],
        "not_yet_earned",
        {"a": True, "b": False},
    ),
    (
        "a lead who has not scored the disputed criterion leaves it incomplete",
        ADJ,
        2,
        [r(ACC, EX), r(DEV, EX), f"lead:b={EX}"],
        "incomplete",
        {"a": None, "b": True},
    ),
    (
        "one assessor's review alone is incomplete",
        ADJ,
        2,
        [r(ACC, EX)],
        "incomplete",
        {"a": True, "b": True},
    ),
    # median: the lower middle level for an even count
    (
        "median of three at the passing level passes",
        "median",
        3,
        [r(EX, EX), r(ACC, EX), r(DEV, EX)],
        "earned",
        {"a": True, "b": True},
    ),
    (
        "median of three one below passing fails",
        "median",
        3,
        [r(EX, EX), r(DEV, EX), r(BEG, EX)],
        "not_yet_earned",
        {"a": False, "b": True},
    ),
    (
        "an even split takes the lower middle level",
        "median",
        4,
        [r(EX, EX), r(EX, EX), r(DEV, EX), r(DEV, EX)],
        "not_yet_earned",
        {"a": False, "b": True},
    ),
    (
        "an even count whose lower middle passes passes",
        "median",
        4,
        [r(EX, EX), r(ACC, EX), r(ACC, EX), r(DEV, EX)],
        "earned",
        {"a": True, "b": True},
    ),
    (
        "two reviewers split take the lower",
        "median",
        2,
        [r(ACC, EX), r(DEV, EX)],
        "not_yet_earned",
        {"a": False, "b": True},
    ),
    (
        "a median with a missing score is incomplete",
        "median",
        3,
        [r(EX, EX), r(EX, EX), f"b={EX}"],
        "incomplete",
        {"a": None, "b": True},
    ),
    # majority: strictly more than half
    (
        "three of four passing is a majority",
        "majority",
        4,
        [r(ACC, EX), r(ACC, EX), r(ACC, EX), r(DEV, EX)],
        "earned",
        {"a": True, "b": True},
    ),
    (
        "two of four is a tie and does not pass",
        "majority",
        4,
        [r(ACC, EX), r(ACC, EX), r(DEV, EX), r(BEG, EX)],
        "not_yet_earned",
        {"a": False, "b": True},
    ),
    (
        "two of three is a majority",
        "majority",
        3,
        [r(ACC, EX), r(EX, EX), r(DEV, EX)],
        "earned",
        {"a": True, "b": True},
    ),
    (
        "one of three is not",
        "majority",
        3,
        [r(ACC, EX), r(DEV, EX), r(DEV, EX)],
        "not_yet_earned",
        {"a": False, "b": True},
    ),
    (
        "a majority with an unknown level is incomplete",
        "majority",
        3,
        [r(ACC, EX), r(ACC, EX), r(ACC, "best")],
        "incomplete",
        {"a": True, "b": None},
    ),
]


@pytest.mark.parametrize(
    ("rule", "seats", "given", "outcome", "passed"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE]
)
def test_the_decision_table(rule, seats, given, outcome, passed):
    decision = decide(policy(rule, seats), RUBRIC, reviews(*given))
    assert decision.outcome == outcome, decision.reasons
    assert {c.criterion: c.passed for c in decision.criteria} == passed
    assert decision.reasons, "every decision says why"


def test_it_names_the_reviewer_and_the_level_below_the_threshold():
    decision = decide(policy(ALL, 4), RUBRIC, reviews(r(EX, EX), r(EX, EX), r(EX, DEV), r(EX, EX)))
    balance = next(c for c in decision.criteria if c.criterion == "b")
    assert balance.reason == "Reviewer 3 rated it Developing, below Accomplished"
    assert [g.level for g in balance.levels] == [EX, EX, DEV, EX]
    assert decision.reasons == ("b does not pass: Reviewer 3 rated it Developing, below Accomplished",)


def test_it_lists_the_disputed_criteria_and_how_the_lead_decided_them():
    waiting = decide(policy(ADJ, 2), RUBRIC, reviews(r(ACC, DEV), r(DEV, ACC)))
    assert waiting.outcome == "needs_adjudication"
    assert waiting.disputed == ("a", "b")

    decided = decide(policy(ADJ, 2), RUBRIC, reviews(r(ACC, DEV), r(DEV, ACC), "lead:" + r(ACC, DEV)))
    assert decided.outcome == "not_yet_earned"
    assert decided.disputed == ("a", "b")
    a = next(c for c in decided.criteria if c.criterion == "a")
    assert a.reason == (
        "Reviewer 2 rated it below Accomplished, Reviewer 1 at or above; Reviewer 3 (lead) rated it Accomplished, "
        "so it passes"
    )
    assert [(g.reviewer, g.role, g.level) for g in a.levels] == [
        (1, "panel", ACC),
        (2, "panel", DEV),
        (3, "adjudicator", ACC),
    ]


def test_rules_other_than_adjudicated_ignore_an_adjudicator_review():
    decision = decide(policy("majority", 2), RUBRIC, reviews(r(ACC, ACC), r(DEV, ACC), "lead:" + r(EX, EX)))
    assert decision.outcome == "not_yet_earned"  # 1 of 2 is a tie; the lead's pass does not count
    assert all(len(c.levels) == 2 for c in decision.criteria)


def test_it_refuses_more_reviews_than_panel_seats():
    with pytest.raises(ValueError, match="5 panel reviews for a panel of 4 seats"):
        decide(policy(ALL, 4), RUBRIC, reviews(*[r(EX, EX)] * 5))


def test_the_decision_is_pure_and_repeatable():
    given = reviews(r(ACC, EX), r(DEV, EX), "lead:" + r(ACC, EX))
    assert decide(policy(ADJ, 2), RUBRIC, given) == decide(policy(ADJ, 2), RUBRIC, given)
    assert decide(policy(ADJ, 2), RUBRIC, given).as_dict()["outcome"] == "earned"
