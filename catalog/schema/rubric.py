"""The rubric reviewers score against, and the educator's self-evaluation on it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import Field, model_validator

from catalog.schema.base import Ident, Markdown, SchemaProblem, Strict, _require_unique


class Level(Strict):
    id: Ident
    label: Annotated[str, Field(min_length=1, max_length=100)]
    draft: bool = False


class Criterion(Strict):
    id: Ident
    part: Ident | None = None  # the submission part it judges; None when it judges the whole submission
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Markdown | None = None
    descriptors: dict[str, Markdown]  # level id -> what work at that level looks like
    draft: bool = False


class Rubric(Strict):
    levels: Annotated[list[Level], Field(min_length=2)]  # from highest to lowest
    passing_level: Ident  # work at this level or any higher one passes the criterion
    criteria: Annotated[list[Criterion], Field(min_length=1)]
    note: Markdown | None = None

    @model_validator(mode="before")
    @classmethod
    def _descriptors_in_level_order(cls, data: Any) -> Any:
        # PostgreSQL's jsonb stores an object's keys in its own order; putting each criterion's descriptors
        # in the levels' order makes a version read back the same on every database.
        if not isinstance(data, dict) or not isinstance(data.get("levels"), list):
            return data
        order = [level.get("id") for level in data["levels"] if isinstance(level, dict)]
        criteria = data.get("criteria")
        if not isinstance(criteria, list):
            return data
        ordered = []
        for criterion in criteria:
            descriptors = criterion.get("descriptors") if isinstance(criterion, dict) else None
            if isinstance(descriptors, dict):
                rank = {key: order.index(key) if key in order else len(order) for key in descriptors}
                criterion = {**criterion, "descriptors": dict(sorted(descriptors.items(), key=lambda kv: rank[kv[0]]))}
            ordered.append(criterion)
        return {**data, "criteria": ordered}

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        level_ids = [level.id for level in self.levels]
        _require_unique(level_ids, "level id", at=("levels",))
        _require_unique([c.id for c in self.criteria], "criterion id", at=("criteria",))
        if self.passing_level not in level_ids:
            raise SchemaProblem(
                _("passing_level %(level)s is not one of the levels: %(levels)s")
                % {"level": repr(self.passing_level), "levels": ", ".join(level_ids)},
                at=("passing_level",),
            )
        for index, criterion in enumerate(self.criteria):
            missing = [lid for lid in level_ids if lid not in criterion.descriptors]
            extra = [key for key in criterion.descriptors if key not in level_ids]
            if missing or extra:
                raise SchemaProblem(
                    _("criterion %(criterion)s needs one descriptor per level") % {"criterion": repr(criterion.id)}
                    + (_("; missing: %(levels)s") % {"levels": ", ".join(missing)} if missing else "")
                    + (_("; unknown: %(levels)s") % {"levels": ", ".join(extra)} if extra else ""),
                    at=("criteria", index, "descriptors"),
                )
        return self

    def passing_levels(self) -> list[str]:
        ids = [level.id for level in self.levels]
        return ids[: ids.index(self.passing_level) + 1]


class SelfEvaluation(Strict):
    enabled: bool = False
    # The part after which the educator rates themselves, where the program puts it (Classkick: third,
    # before its optional reflection); None: after every part.
    after_part: Ident | None = None
    instructions: Markdown | None = None
    justification: Literal["required", "optional", "none"] = "required"
    justification_max_words: Annotated[int, Field(ge=1, le=2000)] = 150
