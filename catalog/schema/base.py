"""The definition schema's shared vocabulary: names, patterns, the strict base model, the issuer and the prose
blocks (sections, standards, resources) that several parts of a definition use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal, get_args

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

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
SECTION_KEYS: tuple[str, ...] = get_args(SectionKey)


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
            raise SchemaProblem(
                _("%(what)s %(value)s appears more than once; each must be unique")
                % {"what": what, "value": repr(value)},
                at=where,
            )
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
