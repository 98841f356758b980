"""The decision: a pure function from a review policy, the frozen rubric and the panel's scores.

`decide(policy, rubric, reviews)` reads nothing and writes nothing; the services call it inside the
transaction that records the last required review and store what it answers with its inputs. It is
tested with a table of cases (tests/reviews/test_policy.py).

Terms. A criterion *passes* for one reviewer when the level they gave is `rubric.passing_level` or a
level above it (`rubric.levels` runs from highest to lowest). Reviews are numbered 1, 2, ... in the
order given (the services give them in seat order), which is how feedback names reviewers.

Outcomes:
- ``incomplete``: not every panel seat has a review yet, or a review lacks a level for some criterion,
  or gives a level id the rubric does not have (counted as missing: a bad id must never earn).
- ``needs_adjudication``: only under ``all_criteria_adjudicated``, when the panel disagrees on
  whether some criterion passes and no adjudicator has reviewed yet.
- ``earned`` when every criterion passes under the rule, otherwise ``not_yet_earned``.

Rules (`policy.pass_rule`):
- ``all_reviewers_all_criteria`` (Classkick): a criterion passes when every panel reviewer passes it.
- ``all_criteria_adjudicated`` (Educators Rising): for each criterion, if the panel reviewers all agree
  on whether it passes, that is its result (agreeing that it fails included: no adjudication then). If
  they disagree on any criterion, the decision waits for the adjudication seat
  (``needs_adjudication``). Once the adjudicator's review is in, it decides exactly the disputed
  criteria: a disputed criterion passes when the adjudicator passes it (with several adjudicators,
  when every one of them does). Undisputed criteria keep the panel's result; the adjudicator's levels
  on them are shown but change nothing.
- ``median``: per criterion, the median of the levels given; with an even number of reviewers the
  lower of the two middle levels (so a split panel never rounds up). It passes when that level passes.
- ``majority``: per criterion, it passes when strictly more than half of the reviewers pass it; a tie
  does not pass.
Adjudicator reviews only count under ``all_criteria_adjudicated``; other rules ignore them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from catalog.schema import ReviewPolicy, Rubric

Outcome = Literal["earned", "not_yet_earned", "needs_adjudication", "incomplete"]
Role = Literal["panel", "adjudicator"]


@dataclass(frozen=True)
class ReviewInput:
    """One reviewer's scores: criterion id -> level id (None or absent: not scored)."""

    scores: Mapping[str, str | None]
    role: Role = "panel"
    seat_kind: str = "any"


@dataclass(frozen=True)
class LevelGiven:
    reviewer: int  # 1-based, in the order the reviews were given
    role: Role
    level: str | None  # None: not scored, or not a level of the rubric


@dataclass(frozen=True)
class CriterionResult:
    criterion: str
    levels: tuple[LevelGiven, ...]
    passed: bool | None  # None while it cannot be said (scores missing, or waiting for adjudication)
    disputed: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    criteria: tuple[CriterionResult, ...]
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def disputed(self) -> tuple[str, ...]:
        return tuple(c.criterion for c in self.criteria if c.disputed)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _label(rubric: Rubric, level_id: str) -> str:
    return next((level.label for level in rubric.levels if level.id == level_id), level_id)


def _names(numbers: Sequence[int]) -> str:
    names = [f"Reviewer {n}" for n in numbers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def decide(policy: ReviewPolicy, rubric: Rubric, reviews: Sequence[ReviewInput]) -> Decision:
    """The decision the policy makes on these reviews (see the module's docstring for every rule).

    Raises ValueError when there are more panel reviews than the policy has panel seats: that is a
    caller's bug, never a decision.
    """
    rank = {level.id: index for index, level in enumerate(rubric.levels)}
    passing_rank = rank[rubric.passing_level]
    passing_label = _label(rubric, rubric.passing_level)
    numbered = list(enumerate(reviews, start=1))
    panel = [(n, r) for n, r in numbered if r.role == "panel"]
    leads = [(n, r) for n, r in numbered if r.role == "adjudicator"]
    if len(panel) > policy.panel_size:
        raise ValueError(f"{len(panel)} panel reviews for a panel of {policy.panel_size} seats")
    adjudicated = policy.pass_rule == "all_criteria_adjudicated"
    counted = numbered if adjudicated else panel

    def level_of(review: ReviewInput, criterion: str) -> str | None:
        level = review.scores.get(criterion)
        return level if level in rank else None

    def passes(level: str) -> bool:
        return rank[level] <= passing_rank

    reasons: list[str] = []
    if len(panel) < policy.panel_size:
        reasons.append(f"{len(panel)} of {policy.panel_size} reviews are in")
    problems: dict[str, list[str]] = {}
    for criterion in rubric.criteria:
        for n, review in panel:
            given = review.scores.get(criterion.id)
            if given is None or given == "":
                problems.setdefault(criterion.id, []).append(f"Reviewer {n} has not scored it")
            elif given not in rank:
                problems.setdefault(criterion.id, []).append(
                    f"Reviewer {n} gave {given!r}, which is not a level of this rubric"
                )

    results: list[CriterionResult] = []
    waiting = False
    for criterion in rubric.criteria:
        cid = criterion.id
        shown = tuple(LevelGiven(n, r.role, level_of(r, cid)) for n, r in counted)
        if cid in problems:
            results.append(CriterionResult(cid, shown, None, reason="; ".join(problems[cid])))
            continue
        levels = [(n, level_of(r, cid) or "") for n, r in panel]
        below = [n for n, level in levels if not passes(level)]
        if not panel:
            results.append(CriterionResult(cid, shown, None, reason="no reviews yet"))
        elif policy.pass_rule == "all_reviewers_all_criteria":
            if below:
                low = ", ".join(f"Reviewer {n} rated it {_label(rubric, lv)}" for n, lv in levels if n in below)
                results.append(CriterionResult(cid, shown, False, reason=f"{low}, below {passing_label}"))
            else:
                reason = f"all {len(panel)} reviewers rated it {passing_label} or higher"
                results.append(CriterionResult(cid, shown, True, reason=reason))
        elif adjudicated:
            if not below or len(below) == len(levels):
                verdict = not below
                reason = f"the {len(panel)} assessors agree it {'reaches' if verdict else 'is below'} {passing_label}"
                results.append(CriterionResult(cid, shown, verdict, reason=reason))
                continue
            split = (
                f"{_names(below)} rated it below {passing_label}, "
                f"{_names([n for n, _ in levels if n not in below])} at or above"
            )
            if not leads:
                waiting = True
                results.append(
                    CriterionResult(cid, shown, None, disputed=True, reason=f"{split}: a lead assessor decides")
                )
                continue
            lead_levels = [(n, level_of(r, cid)) for n, r in leads]
            missing = [n for n, level in lead_levels if level is None]
            if missing:
                problems.setdefault(cid, []).append(f"{_names(missing)} (lead) has not scored it")
                results.append(CriterionResult(cid, shown, None, disputed=True, reason="; ".join(problems[cid])))
                continue
            verdict = all(passes(level) for _, level in lead_levels if level is not None)
            lead_text = ", ".join(f"{_names([n])} (lead) rated it {_label(rubric, lv or '')}" for n, lv in lead_levels)
            results.append(
                CriterionResult(
                    cid,
                    shown,
                    verdict,
                    disputed=True,
                    reason=f"{split}; {lead_text}, so it {'passes' if verdict else 'does not pass'}",
                )
            )
        elif policy.pass_rule == "median":
            ordered = sorted(rank[level] for _, level in levels)
            median = rubric.levels[ordered[len(ordered) // 2]].id
            verdict = passes(median)
            reason = (
                f"the median level is {_label(rubric, median)}, {'at or above' if verdict else 'below'} {passing_label}"
            )
            results.append(CriterionResult(cid, shown, verdict, reason=reason))
        else:  # majority
            ayes = len(levels) - len(below)
            verdict = ayes * 2 > len(levels)
            reason = (
                f"{ayes} of {len(levels)} reviewers rated it {passing_label} or higher: "
                f"{'a majority' if verdict else 'not a strict majority'}"
            )
            results.append(CriterionResult(cid, shown, verdict, reason=reason))

    if reasons or problems:
        reasons += [f"{cid}: {'; '.join(texts)}" for cid, texts in problems.items()]
        return Decision("incomplete", tuple(results), tuple(reasons))
    if waiting:
        disputed = [r.criterion for r in results if r.disputed]
        return Decision(
            "needs_adjudication",
            tuple(results),
            (f"the assessors disagree on whether {', '.join(disputed)} passes; a lead assessor decides",),
        )
    failed = [r for r in results if not r.passed]
    if failed:
        return Decision(
            "not_yet_earned", tuple(results), tuple(f"{r.criterion} does not pass: {r.reason}" for r in failed)
        )
    return Decision("earned", tuple(results), ("every criterion passes",))
