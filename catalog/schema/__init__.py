"""The credential-definition schema: what one YAML file under credentials/ may say.

A program is data. Everything a program needs (its pages, its submission form, its
completeness checks, its rubric and its review policy) is described here, and no
program has code of its own. A third issuer publishes a micro-credential by writing
one file that validates against `CredentialDefinition`.

Prose fields are CommonMark (rendered with raw HTML disabled, then sanitised). One module
per section of a definition; this package re-exports every name, so callers import from
`catalog.schema`.
"""

from __future__ import annotations

from catalog.schema.base import (
    FILE_TYPES,
    GRADE_BAND_FIELD,
    GRADE_BANDS,
    IDENT,
    SECTION_KEYS,
    SLUG,
    Alignment,
    FileType,
    GradeBand,
    HexColour,
    Ident,
    Issuer,
    Loc,
    Markdown,
    Resource,
    ResourceGroup,
    SchemaProblem,
    Section,
    SectionKey,
    Standards,
    Strict,
)
from catalog.schema.checks import Check, CheckBase, DatesBeforeCheck, EachOfCheck, OneOfCheck, RecentCheck
from catalog.schema.definition import CredentialDefinition
from catalog.schema.form import (
    Attestation,
    ChecklistField,
    ChoiceField,
    DateField,
    FieldBase,
    FileField,
    ItemField,
    LinkField,
    ListField,
    Option,
    Part,
    ShortTextField,
    SubmissionField,
    TextField,
)
from catalog.schema.policy import Adjudication, Appeals, Calibration, PolicyRule, RecalibrateWhen, ReviewPolicy, Seat
from catalog.schema.rubric import Criterion, Level, Rubric, SelfEvaluation
from catalog.schema.terms import GraduateCredit, License, Participants, Partner, Renewal, Retention
from catalog.schema.translations import LANGUAGE, TEXT_KEYS, LanguageCode, Translation, text_places

__all__ = [
    "FILE_TYPES",
    "GRADE_BANDS",
    "GRADE_BAND_FIELD",
    "IDENT",
    "LANGUAGE",
    "SECTION_KEYS",
    "SLUG",
    "TEXT_KEYS",
    "Adjudication",
    "Alignment",
    "Appeals",
    "Attestation",
    "Calibration",
    "Check",
    "CheckBase",
    "ChecklistField",
    "ChoiceField",
    "CredentialDefinition",
    "Criterion",
    "DateField",
    "DatesBeforeCheck",
    "EachOfCheck",
    "FieldBase",
    "FileField",
    "FileType",
    "GradeBand",
    "GraduateCredit",
    "HexColour",
    "Ident",
    "Issuer",
    "ItemField",
    "LanguageCode",
    "Level",
    "License",
    "LinkField",
    "ListField",
    "Loc",
    "Markdown",
    "OneOfCheck",
    "Option",
    "Part",
    "Participants",
    "Partner",
    "PolicyRule",
    "RecalibrateWhen",
    "RecentCheck",
    "Renewal",
    "Resource",
    "ResourceGroup",
    "Retention",
    "ReviewPolicy",
    "Rubric",
    "SchemaProblem",
    "Seat",
    "Section",
    "SectionKey",
    "SelfEvaluation",
    "ShortTextField",
    "Standards",
    "Strict",
    "SubmissionField",
    "TextField",
    "Translation",
    "text_places",
]
