"""The editor's pages: the definition's top-level keys grouped into one page per section, so each page stays
manageable. Every key of CredentialDefinition is on exactly one page (tests hold it to that)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class EditorSection:
    slug: str
    title: str | Promise
    keys: tuple[str, ...]


SECTIONS = (
    EditorSection(
        "basics",
        gettext_lazy("Basics"),
        (
            "schema_version",
            "slug",
            "title",
            "kind_label",
            "summary",
            "grade_bands",
            "page_order",
            "validity_days",
            "pd_hours",
            "draft_fields",
            "issuer",
        ),
    ),
    EditorSection(
        "introduction",
        gettext_lazy("Introduction and method"),
        ("introduction", "competency_statement", "key_method", "method_components", "suggested_activities"),
    ),
    EditorSection("standards", gettext_lazy("Standards"), ("standards",)),
    EditorSection("resources", gettext_lazy("Resources and samples"), ("resources", "sample_materials")),
    EditorSection("submission", gettext_lazy("Submission form"), ("submission_intro", "parts")),
    EditorSection("checks", gettext_lazy("Completeness checks"), ("checks",)),
    EditorSection("rubric", gettext_lazy("Rubric"), ("rubric",)),
    EditorSection("self-evaluation", gettext_lazy("Self-evaluation"), ("self_evaluation",)),
    EditorSection("review-policy", gettext_lazy("Review policy and panel"), ("review_policy",)),
    EditorSection("graduate-credit", gettext_lazy("Graduate credit and partners"), ("graduate_credit",)),
    EditorSection("notes-licence", gettext_lazy("Notes and licence"), ("notes", "license")),
    EditorSection(
        "rules", gettext_lazy("Renewal, retention and participants"), ("renewal", "retention", "participants")
    ),
    EditorSection("languages", gettext_lazy("Language and translations"), ("language", "translations")),
)
BY_SLUG = {section.slug: section for section in SECTIONS}
BY_KEY = {key: section for section in SECTIONS for key in section.keys}


def section_for(path: str) -> EditorSection | None:
    """The page a problem's path is on (None for a problem of the whole definition)."""
    found = re.match(r"[^.\[]+", path)
    return BY_KEY.get(found.group(0)) if found else None
