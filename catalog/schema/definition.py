"""The definition as a whole: its top-level keys and the rules that tie its parts together."""

from __future__ import annotations

from typing import Annotated, Literal

from django.utils.translation import gettext as _
from pydantic import Field, model_validator

from catalog.schema.base import (
    GRADE_BAND_FIELD,
    SLUG,
    GradeBand,
    Issuer,
    Loc,
    Markdown,
    ResourceGroup,
    SchemaProblem,
    Section,
    SectionKey,
    Standards,
    Strict,
    _require_unique,
)
from catalog.schema.checks import Check, DatesBeforeCheck, EachOfCheck, OneOfCheck, RecentCheck
from catalog.schema.form import ChoiceField, DateField, ItemField, ListField, Part, SubmissionField
from catalog.schema.policy import ReviewPolicy
from catalog.schema.rubric import Criterion, Rubric, SelfEvaluation
from catalog.schema.terms import GraduateCredit, License, Participants, Renewal, Retention
from catalog.schema.translations import LanguageCode, Translation, text_places, unknown_place_message

# Each definition's fields by reference (CredentialDefinition._fields_by_ref), holding the definition itself so that its
# id is not reused while kept. Versions' definitions are kept per process (catalog.models), so this stays small.
_FIELD_INDEX: dict[int, tuple[CredentialDefinition, list[Part], dict[str, SubmissionField]]] = {}
_FIELD_INDEX_KEPT = 512


class CredentialDefinition(Strict):
    schema_version: Literal[1] = 1
    slug: Annotated[str, Field(pattern=SLUG, max_length=80)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    kind_label: Annotated[str, Field(min_length=1, max_length=80)] = "Micro-credential"
    issuer: Issuer
    summary: Annotated[str, Field(min_length=1, max_length=600)]  # one paragraph for lists and the API
    grade_bands: Annotated[list[GradeBand], Field(min_length=1)]
    page_order: Annotated[list[SectionKey], Field(min_length=1)]

    introduction: list[Section] = []
    competency_statement: Markdown
    key_method: Markdown | None = None
    method_components: list[Section] = []
    suggested_activities: list[Section] = []
    standards: Standards | None = None
    resources: list[ResourceGroup] = []
    sample_materials: list[ResourceGroup] = []
    submission_intro: Markdown | None = None
    parts: Annotated[list[Part], Field(min_length=1)]
    checks: list[Check] = []
    rubric: Rubric
    self_evaluation: SelfEvaluation = SelfEvaluation()
    review_policy: ReviewPolicy
    graduate_credit: GraduateCredit = GraduateCredit()
    notes: list[Section] = []
    license: License | None = None
    validity_days: Annotated[int, Field(ge=1)] | None = None  # None: the credential does not expire
    # Professional-development hours an earner may count for this credential (the transcript adds them up).
    pd_hours: Annotated[float, Field(gt=0, le=1000)] | None = None
    renewal: Renewal = Renewal()
    retention: Retention = Retention()
    participants: Participants = Participants()
    # Top-level keys the platform wrote for the issuer to revise (where the key is text, not an object that
    # can carry `draft: true`); the pages mark them, and a drafted competency statement is never put into
    # a signed badge as the program's own.
    draft_fields: list[Literal["summary", "competency_statement", "grade_bands", "pd_hours"]] = []
    # The language the definition is written in, and other languages' wording of its text (translations.py).
    language: LanguageCode = "en"
    translations: dict[LanguageCode, Translation] = {}

    @model_validator(mode="after")
    def _cross_references(self) -> CredentialDefinition:
        _require_unique(self.page_order, "page_order entry", at=("page_order",), key=None)
        _require_unique([p.id for p in self.parts], "part id", at=("parts",))
        _require_unique([c.id for c in self.checks], "check id", at=("checks",))
        _require_unique(self.draft_fields, "draft_fields entry", at=("draft_fields",), key=None)
        for key in ("submission", "rubric"):
            if key not in self.page_order:
                raise SchemaProblem(
                    _("page_order must include %(key)s: every credential shows it") % {"key": repr(key)},
                    at=("page_order",),
                )
        part_ids = {p.id for p in self.parts}
        if self.self_evaluation.after_part is not None and self.self_evaluation.after_part not in part_ids:
            raise ValueError(
                _("self_evaluation.after_part names part %(part)s, which does not exist")
                % {"part": repr(self.self_evaluation.after_part)}
            )
        for index, criterion in enumerate(self.rubric.criteria):
            if criterion.part is not None and criterion.part not in part_ids:
                raise SchemaProblem(
                    _(
                        "rubric criterion %(criterion)s names part %(part)s, which does not exist; "
                        "the parts are %(parts)s"
                    )
                    % {
                        "criterion": repr(criterion.id),
                        "part": repr(criterion.part),
                        "parts": ", ".join(sorted(part_ids)),
                    },
                    at=("rubric", "criteria", index, "part"),
                )
        for index, check in enumerate(self.checks):
            self._check_fits(check, at=("checks", index))
        self._grade_band_field_fits()
        self._translations_fit()
        return self

    def _translations_fit(self) -> None:
        if not self.translations:
            return
        places = dict(text_places(self))
        for language, translation in self.translations.items():
            if language.split("-")[0] == self.language.split("-")[0]:
                raise SchemaProblem(
                    _(
                        "translations has %(language)s, the language the definition is written in (%(written)s); "
                        "change the text itself, or set `language` to the language it is written in"
                    )
                    % {"language": repr(language), "written": self.language},
                    at=("translations", language),
                )
            for key in translation.text:
                if key not in places:
                    raise SchemaProblem(
                        unknown_place_message(language, key, list(places)), at=("translations", language, "text", key)
                    )

    def _check_fits(self, check: EachOfCheck | DatesBeforeCheck | OneOfCheck | RecentCheck, *, at: Loc) -> None:
        for where, ref in _check_refs(check):
            try:
                self.field_at(ref)
            except ValueError as error:
                raise SchemaProblem(
                    _("check %(check)s: %(error)s") % {"check": repr(check.id), "error": error}, at=(*at, *where)
                ) from None
        if isinstance(check, EachOfCheck):
            item = self.field_at(f"{check.field}.{check.item}")
            if not isinstance(item, ChoiceField):
                raise SchemaProblem(
                    _("check %(check)s: %(ref)s must be a choice field")
                    % {"check": repr(check.id), "ref": f"{check.field}.{check.item}"},
                    at=(*at, "item"),
                )
            option_ids = [o.id for o in item.options]
            for position, value in enumerate(check.values):
                if value not in option_ids:
                    raise SchemaProblem(
                        _("check %(check)s: %(value)s is not an option of %(ref)s (its options are %(options)s)")
                        % {
                            "check": repr(check.id),
                            "value": repr(value),
                            "ref": f"{check.field}.{check.item}",
                            "options": ", ".join(option_ids),
                        },
                        at=(*at, "values", position),
                    )
        if isinstance(check, DatesBeforeCheck):
            for key, ref in (("field", check.field), ("before", check.before)):
                if not isinstance(self.field_at(ref), DateField):
                    raise SchemaProblem(
                        _("check %(check)s: %(ref)s must be a date field (kind: date) to compare dates")
                        % {"check": repr(check.id), "ref": ref},
                        at=(*at, key),
                    )

    def _grade_band_field_fits(self) -> None:
        # Mentors are matched on the band the educator chose in the field named GRADE_BAND_FIELD, so a
        # policy that matches on it cannot work without that field, and an option that is not a band
        # (or one the credential is not offered for) could never find a mentor.
        field = self.grade_band_field()
        if field is None:
            if any(seat.match_grade_band for seat in self.review_policy.all_seats()):
                raise SchemaProblem(
                    _(
                        "a review seat matches mentors by grade band, so a part needs a choice field %(field)s whose "
                        "options are the grade bands"
                    )
                    % {"field": repr(GRADE_BAND_FIELD)},
                    at=("parts",),
                )
            return
        at = self._field_loc(field.id)
        if not isinstance(field, ChoiceField) or field.multiple:
            raise SchemaProblem(
                _("field %(field)s must be a single choice (kind: choice) whose options are grade bands")
                % {"field": repr(GRADE_BAND_FIELD)},
                at=at,
            )
        for index, option in enumerate(field.options):
            if option.id not in self.grade_bands:
                raise SchemaProblem(
                    _("field %(field)s offers %(option)s, which is not among the credential's grade_bands (%(bands)s)")
                    % {
                        "field": repr(GRADE_BAND_FIELD),
                        "option": repr(option.id),
                        "bands": ", ".join(self.grade_bands),
                    },
                    at=(*at, "options", index, "id"),
                )

    def _field_loc(self, field_id: str) -> Loc:
        for part_index, part in enumerate(self.parts):
            for field_index, field in enumerate(part.fields):
                if field.id == field_id:
                    return ("parts", part_index, "fields", field_index)
        return ("parts",)

    def grade_band_field(self) -> SubmissionField | None:
        """The field in which the educator says which grade band the submission belongs to, if any."""
        return next((f for p in self.parts for f in p.fields if f.id == GRADE_BAND_FIELD), None)

    def _fields_by_ref(self) -> dict[str, SubmissionField]:
        """Every "part.field" of the definition: autosave looks up each field it saves, twice. Kept outside the
        model, by its identity and its list of parts: an attribute on it would be copied by model_copy into a
        definition made with other parts (a translated one), and would make two equal definitions unequal."""
        kept = _FIELD_INDEX.get(id(self))
        if kept is None or kept[0] is not self or kept[1] is not self.parts:
            if len(_FIELD_INDEX) >= _FIELD_INDEX_KEPT:
                _FIELD_INDEX.clear()
            index = {f"{part.id}.{field.id}": field for part in self.parts for field in part.fields}
            kept = _FIELD_INDEX[id(self)] = (self, self.parts, index)
        return kept[2]

    def field_at(self, ref: str) -> SubmissionField | ItemField:
        """The field named by "part.field" or "part.list.item"; ValueError naming the reference when absent."""
        found = self._fields_by_ref().get(ref)
        if found is not None:
            return found
        bits = ref.split(".")
        if len(bits) not in (2, 3):
            raise ValueError(
                _("%(ref)s must be written part_id.field_id or part_id.list_id.item_id") % {"ref": repr(ref)}
            )
        part = next((p for p in self.parts if p.id == bits[0]), None)
        if part is None:
            raise ValueError(_("%(ref)s: there is no part %(part)s") % {"ref": repr(ref), "part": repr(bits[0])})
        field = next((f for f in part.fields if f.id == bits[1]), None)
        if field is None:
            raise ValueError(
                _("%(ref)s: part %(part)s has no field %(field)s")
                % {"ref": repr(ref), "part": repr(bits[0]), "field": repr(bits[1])}
            )
        if len(bits) == 2:
            return field
        if not isinstance(field, ListField):
            raise ValueError(
                _("%(ref)s: %(list)s is not a list, so it has no item fields")
                % {"ref": repr(ref), "list": f"{bits[0]}.{bits[1]}"}
            )
        item = next((f for f in field.item_fields if f.id == bits[2]), None)
        if item is None:
            raise ValueError(
                _("%(ref)s: list %(list)s has no item field %(item)s")
                % {"ref": repr(ref), "list": f"{bits[0]}.{bits[1]}", "item": repr(bits[2])}
            )
        return item

    def part_criteria(self, part_id: str) -> list[Criterion]:
        return [c for c in self.rubric.criteria if c.part == part_id]

    def badge_description(self) -> str:
        """What a signed badge says the credential is: the program's competency statement, as one plain
        paragraph, unless the platform wrote it; then the summary."""
        if "competency_statement" in self.draft_fields:
            return self.summary
        return " ".join(self.competency_statement.split())


def _check_refs(check: EachOfCheck | DatesBeforeCheck | OneOfCheck | RecentCheck) -> list[tuple[Loc, str]]:
    """Each field reference a check makes, with the key inside the check that holds it."""
    if isinstance(check, EachOfCheck):
        return [(("field",), check.field)]
    if isinstance(check, DatesBeforeCheck):
        return [(("field",), check.field), (("before",), check.before)]
    if isinstance(check, OneOfCheck):
        return [(("fields", index), ref) for index, ref in enumerate(check.fields)]
    return [(("field",), check.field), (("after",), check.after)]
