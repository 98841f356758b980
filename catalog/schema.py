"""The credential-definition schema: what one YAML file under credentials/ may say.

A program is data. Everything a program needs (its pages, its submission form, its
completeness checks, its rubric and its review policy) is described here, and no
program has code of its own. A third issuer publishes a micro-credential by writing
one file that validates against `CredentialDefinition`.

Prose fields are CommonMark (rendered with raw HTML disabled, then sanitised).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
IDENT = r"^[a-z][a-z0-9_]*$"

GRADE_BANDS: dict[str, str] = {
    "primary": "Primary",
    "intermediate": "Intermediate",
    "middle_school": "Middle school",
    "high_school": "High school",
    "college": "College",
}
GradeBand = Literal["primary", "intermediate", "middle_school", "high_school", "college"]
# The submission field in which an educator chooses the grade band their work belongs to; mentors
# are matched on it, so every program names it the same.
GRADE_BAND_FIELD = "grade_band"

FILE_TYPES: dict[str, str] = {
    "pdf": "PDF document",
    "docx": "Word document (.docx)",
    "xlsx": "Excel workbook (.xlsx)",
    "pptx": "PowerPoint presentation (.pptx)",
    "csv": "CSV spreadsheet",
    "txt": "Plain text",
    "image": "Image (PNG, JPEG, GIF, WebP)",
    "audio": "Audio (MP3, M4A, WAV, OGG)",
}
FileType = Literal["pdf", "docx", "xlsx", "pptx", "csv", "txt", "image", "audio"]

# The names of the top-level page sections, in the order a definition may list them in `page_order`.
SECTION_KEYS = (
    "introduction",
    "competency_statement",
    "graduate_credit",
    "key_method",
    "method_components",
    "suggested_activities",
    "standards",
    "resources",
    "sample_materials",
    "submission",
    "rubric",
    "self_evaluation",
    "review_policy",
    "notes",
    "license",
)
SectionKey = Literal[
    "introduction",
    "competency_statement",
    "graduate_credit",
    "key_method",
    "method_components",
    "suggested_activities",
    "standards",
    "resources",
    "sample_materials",
    "submission",
    "rubric",
    "self_evaluation",
    "review_policy",
    "notes",
    "license",
]


Loc = tuple[str | int, ...]


class SchemaProblem(ValueError):
    """A problem found by a validator, with where it lies below the object being validated.

    pydantic only knows the location of the object a validator runs on; the loader appends `at`
    so the author is sent to the exact key (`checks[1].before`) rather than to the whole file.
    """

    def __init__(self, message: str, *, at: Loc = ()) -> None:
        super().__init__(message)
        self.at = at


def _require_unique(values: Sequence[str], what: str, *, at: Loc = (), key: str | None = "id") -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            where = (*at, index, key) if key else (*at, index)
            raise SchemaProblem(f"{what} {value!r} appears more than once; each must be unique", at=where)
        seen.add(value)


Markdown = Annotated[str, Field(min_length=1)]
Ident = Annotated[str, Field(pattern=IDENT, max_length=60)]


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt key must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# A colour as "#rrggbb": what the generated badge image is drawn in.
HexColour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]


class Issuer(Strict):
    slug: Annotated[str, Field(pattern=SLUG, max_length=60)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    url: HttpUrl
    description: Markdown
    email: str | None = None
    # The default badge image's background and ring; its text is black or white, whichever reads better.
    colour: HexColour = "#084482"
    accent_colour: HexColour = "#ffbf47"


class Section(Strict):
    """A titled block of prose, used for method components, activities, notes and the like."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    body: Markdown
    draft: bool = False  # True where the platform wrote it for the issuer to revise


class Alignment(Strict):
    code: Annotated[str, Field(min_length=1, max_length=40)]
    title: Annotated[str, Field(min_length=1, max_length=300)]
    url: HttpUrl | None = None


class Standards(Strict):
    framework: Annotated[str, Field(min_length=1, max_length=200)]
    intro: Markdown | None = None
    alignments: Annotated[list[Alignment], Field(min_length=1)]


class Resource(Strict):
    title: Annotated[str, Field(min_length=1, max_length=500)]
    kind: Literal["citation", "video", "article", "website", "document", "example"] = "website"
    citation: str | None = None  # the full reference, for research
    url: HttpUrl | None = None
    description: str | None = None


class ResourceGroup(Strict):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    items: list[Resource] = []
    note: str | None = None  # said where a group is announced but has nothing in it yet


# ----- submission form -----------------------------------------------------------------


class FieldBase(Strict):
    id: Ident
    label: Annotated[str, Field(min_length=1, max_length=300)]
    guidance: Markdown | None = None
    required: bool = True
    prompts: list[str] = []  # guiding questions shown beside the field
    draft: bool = False  # True where the platform wrote the question for the issuer to revise


class TextField(FieldBase):
    kind: Literal["text"]
    min_words: Annotated[int, Field(ge=0)] | None = None
    max_words: Annotated[int, Field(ge=1, le=20000)] | None = None
    multiline: bool = True
    contains_student_data: bool = False

    @model_validator(mode="after")
    def _limits_in_order(self) -> TextField:
        if self.min_words is not None and self.max_words is not None and self.min_words > self.max_words:
            raise SchemaProblem(
                f"min_words ({self.min_words}) is larger than max_words ({self.max_words}); make it smaller",
                at=("min_words",),
            )
        return self


class Option(Strict):
    id: Ident
    label: Annotated[str, Field(min_length=1, max_length=300)]
    description: str | None = None


class ChoiceField(FieldBase):
    kind: Literal["choice"]
    options: Annotated[list[Option], Field(min_length=2)]
    multiple: bool = False

    @field_validator("options")
    @classmethod
    def _unique_options(cls, options: list[Option]) -> list[Option]:
        _require_unique([o.id for o in options], "option id")
        return options


class ChecklistField(FieldBase):
    """Items the educator confirms one by one, e.g. the elements a lesson plan must include."""

    kind: Literal["checklist"]
    items: Annotated[list[Option], Field(min_length=1)]
    require_all: bool = True

    @field_validator("items")
    @classmethod
    def _unique_items(cls, items: list[Option]) -> list[Option]:
        _require_unique([o.id for o in items], "item id")
        return items


class FileField(FieldBase):
    kind: Literal["file"]
    accept: Annotated[list[FileType], Field(min_length=1)]
    max_size_mb: Annotated[float, Field(gt=0, le=200)] = 20
    max_files: Annotated[int, Field(ge=1, le=50)] = 5
    contains_student_data: bool = False


class LinkField(FieldBase):
    kind: Literal["link"]
    media: Literal["any", "audio", "video", "audio_or_video"] = "any"
    max_links: Annotated[int, Field(ge=1, le=20)] = 1


class DateField(FieldBase):
    kind: Literal["date"]
    # "today": the date records something that has happened (a lesson delivered, a conversation held), so
    # a date after today is refused when saved and blocks the completeness check.
    not_after: Literal["today"] | None = None


class ShortTextField(FieldBase):
    """One line, such as a class code; `pattern` (a regular expression) checks each value."""

    kind: Literal["short_text"]
    max_length: Annotated[int, Field(ge=1, le=500)] = 200
    pattern: str | None = None
    pattern_hint: str | None = None
    multiple: bool = False

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"pattern is not a valid regular expression: {error}") from None
        return pattern


# A structured list's entries are made of simple fields only.
ItemField = Annotated[
    TextField | ChoiceField | DateField | ShortTextField | LinkField | ChecklistField,
    Field(discriminator="kind"),
]


class ListField(FieldBase):
    """Repeated structured entries, such as dated planning interactions."""

    kind: Literal["list"]
    item_label: Annotated[str, Field(min_length=1, max_length=100)] = "Entry"
    item_fields: Annotated[list[ItemField], Field(min_length=1)]
    min_items: Annotated[int, Field(ge=0)] = 0
    max_items: Annotated[int, Field(ge=1, le=200)] = 50

    @field_validator("item_fields")
    @classmethod
    def _unique_item_fields(cls, fields: list[ItemField]) -> list[ItemField]:
        _require_unique([f.id for f in fields], "item field id")
        return fields


SubmissionField = Annotated[
    TextField | ChoiceField | ChecklistField | FileField | LinkField | DateField | ShortTextField | ListField,
    Field(discriminator="kind"),
]


class Part(Strict):
    id: Ident
    title: Annotated[str, Field(min_length=1, max_length=200)]
    intro: Markdown | None = None
    optional: bool = False
    fields: Annotated[list[SubmissionField], Field(min_length=1)]

    @field_validator("fields")
    @classmethod
    def _unique_fields(cls, fields: list[SubmissionField]) -> list[SubmissionField]:
        _require_unique([f.id for f in fields], "field id")
        return fields


# ----- completeness checks (declarative; run on demand and on submit) -------------------
# A field is referenced as "part_id.field_id"; an item field of a list as "part_id.field_id.item_id".


class CheckBase(Strict):
    id: Ident
    message: Annotated[str, Field(min_length=1, max_length=500)]  # what to do, in the educator's terms
    severity: Literal["blocking", "advisory"] = "blocking"
    draft: bool = False  # True where the platform wrote the rule (or its wording) for the issuer to revise


class EachOfCheck(CheckBase):
    """A list holds at least `min` entries whose `item` choice equals each of `values`."""

    kind: Literal["list_has_each"]
    field: str
    item: str
    values: Annotated[list[str], Field(min_length=1)]
    min: Annotated[int, Field(ge=1)] = 1


class DatesBeforeCheck(CheckBase):
    """Every date in a list (or a date field) falls at least `days` days before another date field."""

    kind: Literal["dates_before"]
    field: str  # a date field or a list's date item: "part.list.item"
    before: str  # a date field
    days: Annotated[int, Field(ge=0)] = 0
    which: Literal["all", "earliest"] = "all"


class OneOfCheck(CheckBase):
    """At least one of several fields has a value (e.g. a reflection as text, audio or video)."""

    kind: Literal["at_least_one"]
    fields: Annotated[list[str], Field(min_length=2)]
    only_if_any: bool = False  # True for an optional part: only checked once something in it is filled in


class RecentCheck(CheckBase):
    """A draft's text was first written within `days` of a date field (advisory by nature)."""

    kind: Literal["written_within"]
    field: str
    after: str
    days: Annotated[int, Field(ge=0)] = 1


Check = Annotated[EachOfCheck | DatesBeforeCheck | OneOfCheck | RecentCheck, Field(discriminator="kind")]


# ----- rubric ---------------------------------------------------------------------------


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
                f"passing_level {self.passing_level!r} is not one of the levels: {', '.join(level_ids)}",
                at=("passing_level",),
            )
        for index, criterion in enumerate(self.criteria):
            missing = [lid for lid in level_ids if lid not in criterion.descriptors]
            extra = [key for key in criterion.descriptors if key not in level_ids]
            if missing or extra:
                raise SchemaProblem(
                    f"criterion {criterion.id!r} needs one descriptor per level"
                    + (f"; missing: {', '.join(missing)}" if missing else "")
                    + (f"; unknown: {', '.join(extra)}" if extra else ""),
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


# ----- review policy --------------------------------------------------------------------


class Seat(Strict):
    # Who may sit: a reviewer to whom the credential's issuer has given this role (accounts.ReviewerRole);
    # `any` takes a reviewer holding any role at that issuer.
    kind: Literal["issuer_staff", "mentor", "lead_assessor", "any"]
    count: Annotated[int, Field(ge=1, le=10)]
    match_grade_band: bool = False
    title: str | None = None  # how the page names this seat, e.g. "Classkick Mentor"


class Adjudication(Strict):
    when: Literal["disagreement_on_pass"] = "disagreement_on_pass"
    seat: Seat
    rule: Literal["lead_decides"] = "lead_decides"


class RecalibrateWhen(Strict):
    """When a reviewer is flagged to go back through calibration, judged from their decided reviews.

    A reviewer's severity is the mean signed distance, in rubric levels, of their level on each criterion
    from the panel's consensus on it (the median of the other panel members' levels on the same attempt):
    below zero they score lower than their panel, above zero higher. They are flagged once at least
    `min_reviews` of their reviews have been compared and their severity is further from zero than
    `severity_beyond` (either way). Sending a flagged reviewer back (their issuer's admin, or
    `manage.py reviews_recalibrate_flagged`) voids their calibration for the credential until they pass it
    again; reviews submitted before that no longer count towards a new flag."""

    severity_beyond: Annotated[float, Field(gt=0, le=10)]
    min_reviews: Annotated[int, Field(ge=1, le=10_000)] = 10


class Calibration(Strict):
    required: bool = True
    agreement: Annotated[float, Field(gt=0, le=1)] = 0.8
    # None: nobody is flagged for recalibration, whatever their severity (the reliability page still shows it).
    recalibrate_when: RecalibrateWhen | None = None


# The rules of a review policy that `draft_fields` may mark one by one as written by the platform.
PolicyRule = Literal[
    "seats",
    "blind",
    "pass_rule",
    "adjudication",
    "due_days",
    "reminder_days_before",
    "grace_days",
    "attempt_limit",
    "calibration",
    "feedback",
]


class ReviewPolicy(Strict):
    description: Markdown | None = None
    seats: Annotated[list[Seat], Field(min_length=1)]
    blind: bool = True
    pass_rule: Literal["all_reviewers_all_criteria", "all_criteria_adjudicated", "median", "majority"]
    adjudication: Adjudication | None = None
    due_days: Annotated[int, Field(ge=1, le=90)] = 14
    reminder_days_before: Annotated[int, Field(ge=0, le=30)] = 3
    grace_days: Annotated[int, Field(ge=0, le=30)] = 3
    attempt_limit: Annotated[int, Field(ge=1, le=20)] = 3
    calibration: Calibration = Calibration()
    feedback: Markdown | None = None
    draft: bool = False  # the whole policy is the platform's
    # The rules the platform wrote where the rest of the policy is the program's own (e.g. timings the
    # program never set); the page marks each of them as a draft.
    draft_fields: list[PolicyRule] = []

    @model_validator(mode="after")
    def _adjudication_fits_rule(self) -> ReviewPolicy:
        _require_unique(self.draft_fields, "draft_fields entry", at=("draft_fields",), key=None)
        if self.pass_rule == "all_criteria_adjudicated" and self.adjudication is None:
            raise SchemaProblem(
                "pass_rule all_criteria_adjudicated needs an adjudication seat; add one or choose another pass_rule",
                at=("adjudication",),
            )
        return self

    @property
    def panel_size(self) -> int:
        return sum(seat.count for seat in self.seats)

    def all_seats(self) -> list[Seat]:
        """The panel's seats and, when there is one, the adjudicator's."""
        return [*self.seats, *([self.adjudication.seat] if self.adjudication else [])]


# ----- graduate credit, licence ---------------------------------------------------------


class Partner(Strict):
    slug: Annotated[str, Field(pattern=SLUG, max_length=60)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    credits: Annotated[float, Field(gt=0, le=12)]
    fee_usd: Annotated[float, Field(ge=0)]
    contact_email: str
    url: HttpUrl | None = None
    draft: bool = False


class GraduateCredit(Strict):
    available: bool = False
    summary: Markdown | None = None
    partners: list[Partner] = []

    @model_validator(mode="after")
    def _partners_when_available(self) -> GraduateCredit:
        if self.available and not self.partners:
            raise SchemaProblem(
                "graduate credit is available, so at least one partner is needed; add one or set available: false",
                at=("partners",),
            )
        _require_unique([p.slug for p in self.partners], "partner slug", at=("partners",), key="slug")
        return self


class Renewal(Strict):
    """Whether an educator who has earned the credential may start a new submission for it (to renew it),
    and how long after earning. Not allowed unless a definition says so."""

    allowed: bool = False
    after_days: Annotated[int, Field(ge=0, le=3650)] = 0
    draft: bool = False


class Participants(Strict):
    """What a participant under 18 needs before submitting (accounts/participants.py): a guardian's consent
    (also required everywhere while the platform's GUARDIAN_CONSENT_UNDER_18 is on) and, for a chapter
    program, the chapter advisor's approval."""

    guardian_consent_under_18: bool = False
    advisor_approval: bool = False


class Retention(Strict):
    """How long evidence files are kept once decided: `evidence_days_after_decision` days after the decision on
    the latest attempt that includes them (an override restarts the count); then they are deleted and only
    their name, type, size and hash remain. Unset, the platform's EVIDENCE_RETENTION_DAYS applies."""

    evidence_days_after_decision: Annotated[int, Field(ge=1, le=36500)] | None = None
    draft: bool = False


class License(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    spdx: str | None = None
    url: HttpUrl | None = None
    attribution: str | None = None


# ----- the definition -------------------------------------------------------------------


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
    renewal: Renewal = Renewal()
    retention: Retention = Retention()
    participants: Participants = Participants()
    # Top-level keys the platform wrote for the issuer to revise (where the key is text, not an object that
    # can carry `draft: true`); the pages mark them, and a drafted competency statement is never put into
    # a signed badge as the program's own.
    draft_fields: list[Literal["summary", "competency_statement", "grade_bands"]] = []

    @model_validator(mode="after")
    def _cross_references(self) -> CredentialDefinition:
        _require_unique(self.page_order, "page_order entry", at=("page_order",), key=None)
        _require_unique([p.id for p in self.parts], "part id", at=("parts",))
        _require_unique([c.id for c in self.checks], "check id", at=("checks",))
        _require_unique(self.draft_fields, "draft_fields entry", at=("draft_fields",), key=None)
        for key in ("submission", "rubric"):
            if key not in self.page_order:
                raise SchemaProblem(f"page_order must include {key!r}: every credential shows it", at=("page_order",))
        part_ids = {p.id for p in self.parts}
        if self.self_evaluation.after_part is not None and self.self_evaluation.after_part not in part_ids:
            raise ValueError(
                f"self_evaluation.after_part names part {self.self_evaluation.after_part!r}, which does not exist"
            )
        for index, criterion in enumerate(self.rubric.criteria):
            if criterion.part is not None and criterion.part not in part_ids:
                raise SchemaProblem(
                    f"rubric criterion {criterion.id!r} names part {criterion.part!r}, which does not exist; "
                    f"the parts are {', '.join(sorted(part_ids))}",
                    at=("rubric", "criteria", index, "part"),
                )
        for index, check in enumerate(self.checks):
            self._check_fits(check, at=("checks", index))
        self._grade_band_field_fits()
        return self

    def _check_fits(self, check: EachOfCheck | DatesBeforeCheck | OneOfCheck | RecentCheck, *, at: Loc) -> None:
        for where, ref in _check_refs(check):
            try:
                self.field_at(ref)
            except ValueError as error:
                raise SchemaProblem(f"check {check.id!r}: {error}", at=(*at, *where)) from None
        if isinstance(check, EachOfCheck):
            item = self.field_at(f"{check.field}.{check.item}")
            if not isinstance(item, ChoiceField):
                raise SchemaProblem(
                    f"check {check.id!r}: {check.field}.{check.item} must be a choice field", at=(*at, "item")
                )
            option_ids = [o.id for o in item.options]
            for position, value in enumerate(check.values):
                if value not in option_ids:
                    raise SchemaProblem(
                        f"check {check.id!r}: {value!r} is not an option of {check.field}.{check.item} "
                        f"(its options are {', '.join(option_ids)})",
                        at=(*at, "values", position),
                    )
        if isinstance(check, DatesBeforeCheck):
            for key, ref in (("field", check.field), ("before", check.before)):
                if not isinstance(self.field_at(ref), DateField):
                    raise SchemaProblem(
                        f"check {check.id!r}: {ref} must be a date field (kind: date) to compare dates",
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
                    f"a review seat matches mentors by grade band, so a part needs a choice field "
                    f"{GRADE_BAND_FIELD!r} whose options are the grade bands",
                    at=("parts",),
                )
            return
        at = self._field_loc(field.id)
        if not isinstance(field, ChoiceField) or field.multiple:
            raise SchemaProblem(
                f"field {GRADE_BAND_FIELD!r} must be a single choice (kind: choice) whose options are grade bands",
                at=at,
            )
        for index, option in enumerate(field.options):
            if option.id not in self.grade_bands:
                raise SchemaProblem(
                    f"field {GRADE_BAND_FIELD!r} offers {option.id!r}, which is not among the credential's "
                    f"grade_bands ({', '.join(self.grade_bands)})",
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

    def field_at(self, ref: str) -> SubmissionField | ItemField:
        """The field named by "part.field" or "part.list.item"; ValueError naming the reference when absent."""
        bits = ref.split(".")
        if len(bits) not in (2, 3):
            raise ValueError(f"{ref!r} must be written part_id.field_id or part_id.list_id.item_id")
        part = next((p for p in self.parts if p.id == bits[0]), None)
        if part is None:
            raise ValueError(f"{ref!r}: there is no part {bits[0]!r}")
        field = next((f for f in part.fields if f.id == bits[1]), None)
        if field is None:
            raise ValueError(f"{ref!r}: part {bits[0]!r} has no field {bits[1]!r}")
        if len(bits) == 2:
            return field
        if not isinstance(field, ListField):
            raise ValueError(f"{ref!r}: {bits[0]}.{bits[1]} is not a list, so it has no item fields")
        item = next((f for f in field.item_fields if f.id == bits[2]), None)
        if item is None:
            raise ValueError(f"{ref!r}: list {bits[0]}.{bits[1]} has no item field {bits[2]!r}")
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
