"""The editor's pages: the definition's top-level keys grouped into one page per section, so each page stays
manageable. Every key of CredentialDefinition is on exactly one page (tests hold it to that)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class EditorSection:
    slug: str
    title: str
    keys: tuple[str, ...]


SECTIONS = (
    EditorSection(
        "basics",
        "Basics",
        (
            "schema_version",
            "slug",
            "title",
            "kind_label",
            "summary",
            "grade_bands",
            "page_order",
            "validity_days",
            "draft_fields",
            "issuer",
        ),
    ),
    EditorSection(
        "introduction",
        "Introduction and method",
        ("introduction", "competency_statement", "key_method", "method_components", "suggested_activities"),
    ),
    EditorSection("standards", "Standards", ("standards",)),
    EditorSection("resources", "Resources and samples", ("resources", "sample_materials")),
    EditorSection("submission", "Submission form", ("submission_intro", "parts")),
    EditorSection("checks", "Completeness checks", ("checks",)),
    EditorSection("rubric", "Rubric", ("rubric",)),
    EditorSection("self-evaluation", "Self-evaluation", ("self_evaluation",)),
    EditorSection("review-policy", "Review policy and panel", ("review_policy",)),
    EditorSection("graduate-credit", "Graduate credit and partners", ("graduate_credit",)),
    EditorSection("notes-licence", "Notes and licence", ("notes", "license")),
    EditorSection("rules", "Renewal, retention and participants", ("renewal", "retention", "participants")),
)
BY_SLUG = {section.slug: section for section in SECTIONS}
BY_KEY = {key: section for section in SECTIONS for key in section.keys}


def section_for(path: str) -> EditorSection | None:
    """The page a problem's path is on (None for a problem of the whole definition)."""
    found = re.match(r"[^.\[]+", path)
    return BY_KEY.get(found.group(0)) if found else None
