"""The shape a reviewer's scores are posted in, checked by a pydantic model against the attempt's rubric.

Posted scores map criterion ids to {"level", "reasoning", "suggestion"}; any of the three may be sent
(autosave merges what is sent), a null or empty level clears it, a null comment is empty. Which criteria
and levels exist depends on the attempt's frozen rubric, so the model is validated with the rubric as its
context. Whether the comments are complete is not checked here but on submit, so a half-written comment is
never refused or lost. Every problem is reported at once, each naming its field ("scores.balance.level").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    RootModel,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from catalog.schema import Rubric
from core.errors import FieldError, InvalidInput

# Long enough for any real explanation; short enough that a pasted document is refused, not stored.
MAX_COMMENT_CHARS = 5000

SCORE_FIELDS = ("level", "reasoning", "suggestion")


def _rubric(info: ValidationInfo) -> Rubric:
    rubric = info.context.get("rubric") if isinstance(info.context, dict) else None
    if not isinstance(rubric, Rubric):
        raise TypeError("validate posted scores with context={'rubric': the attempt's rubric}")
    return rubric


def _criterion(value: str, info: ValidationInfo) -> str:
    criteria = [c.id for c in _rubric(info).criteria]
    if value not in criteria:
        raise PydanticCustomError(
            "unknown_criterion",
            "is not a criterion of this rubric; the criteria are {criteria}",
            {"criteria": ", ".join(criteria)},
        )
    return value


class CriterionScore(BaseModel):
    """One criterion's score as posted. A field left out is not changed; `model_fields_set` says which came."""

    model_config = ConfigDict(extra="forbid", strict=True)

    level: Any = None
    reasoning: str | None = None
    suggestion: str | None = None

    @field_validator("level")
    @classmethod
    def _known_level(cls, value: Any, info: ValidationInfo) -> str:
        if value in (None, ""):
            return ""
        levels = [level.id for level in _rubric(info).levels]
        if not isinstance(value, str) or value not in levels:
            raise PydanticCustomError(
                "unknown_level",
                "{given} is not a level of this rubric; use one of {levels}",
                {"given": repr(value), "levels": ", ".join(levels)},
            )
        return value

    @field_validator("reasoning", "suggestion")
    @classmethod
    def _clean_text(cls, value: str | None) -> str:
        # Control characters other than line breaks and tabs only ever arrive by accident (a paste from a PDF);
        # they are dropped rather than refused.
        text = "".join(ch for ch in value or "" if ch in "\n\t" or ch.isprintable()).strip()
        if len(text) > MAX_COMMENT_CHARS:
            raise PydanticCustomError(
                "too_long",
                "is {length} characters long; keep it under {limit}",
                {"length": len(text), "limit": MAX_COMMENT_CHARS},
            )
        return text

    def changes(self) -> dict[str, str]:
        """The fields that were sent, cleaned."""
        return {key: getattr(self, key) or "" for key in SCORE_FIELDS if key in self.model_fields_set}


class PostedScores(RootModel[dict[Annotated[str, AfterValidator(_criterion)], CriterionScore]]):
    """criterion id -> CriterionScore, every criterion one of the rubric's."""

    model_config = ConfigDict(strict=True)


# What each of pydantic's own error types means for a reviewer's scores; our validators' errors carry theirs.
_MESSAGES = {
    "extra_forbidden": "is not a score field; send level, reasoning or suggestion",
    "string_type": "must be text",
    "model_type": "send an object with level, reasoning and suggestion",
    "dict_type": "send an object of criterion id -> {level, reasoning, suggestion}",
}


def scores_parse(scores: Any, *, rubric: Rubric) -> dict[str, dict[str, str]]:
    """The posted scores, checked against the rubric and cleaned: criterion id -> the fields sent.

    Refused with InvalidInput naming every bad field ("scores", "scores.<criterion>", "scores.<criterion>.level"
    ...); nothing is partly accepted."""
    if not isinstance(scores, Mapping):
        raise InvalidInput([FieldError("scores", _MESSAGES["dict_type"])])
    try:
        parsed = PostedScores.model_validate(dict(scores), context={"rubric": rubric})
    except ValidationError as error:
        raise InvalidInput(_field_errors(error)) from None
    return {cid: entry.changes() for cid, entry in parsed.root.items()}


def _field_errors(error: ValidationError) -> list[FieldError]:
    errors: list[FieldError] = []
    unknown: set[str] = set()
    for detail in error.errors():
        loc = [str(bit) for bit in detail["loc"]]
        if loc[-1:] == ["[key]"]:
            # A criterion that is not the rubric's: its score fields are not worth reporting as well.
            unknown.add(loc[0])
            own = detail["type"] == "unknown_criterion"
            errors.append(FieldError(f"scores.{loc[0]}", detail["msg"] if own else "is not a criterion of this rubric"))
            continue
        if loc and loc[0] in unknown:
            continue
        message = detail["msg"] if detail["type"] not in _MESSAGES else _MESSAGES[detail["type"]]
        errors.append(FieldError(".".join(["scores", *loc]), message))
    return errors
