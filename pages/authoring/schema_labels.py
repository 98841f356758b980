"""The authoring editor's words for the definition schema: a label for every key, a word for every fixed value
(a field's kind, a check's severity, a file type) and the hints under inputs, all translatable.

The keys themselves stay as the YAML spells them (they are the inputs' names and the loader's paths); only what a
person reads is translated. A key without a label here still gets one made from its name, in English; the test of
the Spanish editor (tests/i18n/test_editor_labels_es.py) holds every schema key to having one.
The context "schema key" keeps these apart from the same English words used elsewhere with another sense.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from pydantic import HttpUrl

from catalog.schema import GRADE_BANDS

KEY_LABELS: dict[str, Promise] = {
    "accent_colour": pgettext_lazy("schema key", "Accent colour"),
    "accept": pgettext_lazy("schema key", "Accept"),
    "adjudication": pgettext_lazy("schema key", "Adjudication"),
    "advisor_approval": pgettext_lazy("schema key", "Advisor approval"),
    "after": pgettext_lazy("schema key", "After"),
    "after_days": pgettext_lazy("schema key", "After days"),
    "after_part": pgettext_lazy("schema key", "After part"),
    "agreement": pgettext_lazy("schema key", "Agreement"),
    "alignments": pgettext_lazy("schema key", "Alignments"),
    "allowed": pgettext_lazy("schema key", "Allowed"),
    "appeals": pgettext_lazy("schema key", "Appeals"),
    "attempt_limit": pgettext_lazy("schema key", "Attempt limit"),
    "attestation": pgettext_lazy("schema key", "Attestation"),
    "attribution": pgettext_lazy("schema key", "Attribution"),
    "available": pgettext_lazy("schema key", "Available"),
    "before": pgettext_lazy("schema key", "Before"),
    "blind": pgettext_lazy("schema key", "Blind"),
    "body": pgettext_lazy("schema key", "Body"),
    "calibration": pgettext_lazy("schema key", "Calibration"),
    "checks": pgettext_lazy("schema key", "Checks"),
    "citation": pgettext_lazy("schema key", "Citation"),
    "code": pgettext_lazy("schema key", "Code"),
    "colour": pgettext_lazy("schema key", "Colour"),
    "competency_statement": pgettext_lazy("schema key", "Competency statement"),
    "contact_email": pgettext_lazy("schema key", "Contact email"),
    "contains_student_data": pgettext_lazy("schema key", "Contains student data"),
    "count": pgettext_lazy("schema key", "Count"),
    "credits": pgettext_lazy("schema key", "Credits"),
    "criteria": pgettext_lazy("schema key", "Criteria"),
    "days": pgettext_lazy("schema key", "Days"),
    "description": pgettext_lazy("schema key", "Description"),
    "descriptors": pgettext_lazy("schema key", "Descriptors"),
    "draft": gettext_lazy("Draft: written by the platform for the issuer to revise"),
    "draft_fields": pgettext_lazy("schema key", "Draft fields"),
    "due_days": pgettext_lazy("schema key", "Due days"),
    "email": pgettext_lazy("schema key", "Email"),
    "enabled": pgettext_lazy("schema key", "Enabled"),
    "evidence_days_after_decision": pgettext_lazy("schema key", "Evidence days after decision"),
    "fee_usd": gettext_lazy("Fee (US dollars)"),
    "feedback": pgettext_lazy("schema key", "Feedback"),
    "field": pgettext_lazy("schema key", "Field"),
    "fields": pgettext_lazy("schema key", "Fields"),
    "framework": pgettext_lazy("schema key", "Framework"),
    "grace_days": pgettext_lazy("schema key", "Grace days"),
    "grade_bands": pgettext_lazy("schema key", "Grade bands"),
    "graduate_credit": pgettext_lazy("schema key", "Graduate credit"),
    "guardian_consent_under_18": pgettext_lazy("schema key", "Guardian consent under 18"),
    "guidance": pgettext_lazy("schema key", "Guidance"),
    "id": gettext_lazy("Id"),
    "instructions": pgettext_lazy("schema key", "Instructions"),
    "intro": pgettext_lazy("schema key", "Intro"),
    "introduction": pgettext_lazy("schema key", "Introduction"),
    "issuer": pgettext_lazy("schema key", "Issuer"),
    "item": pgettext_lazy("schema key", "Item"),
    "item_fields": pgettext_lazy("schema key", "Item fields"),
    "item_label": pgettext_lazy("schema key", "Item label"),
    "items": pgettext_lazy("schema key", "Items"),
    "justification": pgettext_lazy("schema key", "Justification"),
    "justification_max_words": pgettext_lazy("schema key", "Justification max words"),
    "key_method": pgettext_lazy("schema key", "Key method"),
    "kind": pgettext_lazy("schema key", "Kind"),
    "kind_label": gettext_lazy("Kind of credential (as the pages name it)"),
    "label": pgettext_lazy("schema key", "Label"),
    "language": pgettext_lazy("schema key", "Language"),
    "levels": pgettext_lazy("schema key", "Levels"),
    "license": pgettext_lazy("schema key", "License"),
    "match_grade_band": pgettext_lazy("schema key", "Match grade band"),
    "max_files": pgettext_lazy("schema key", "Max files"),
    "max_items": pgettext_lazy("schema key", "Max items"),
    "max_length": pgettext_lazy("schema key", "Max length"),
    "max_links": pgettext_lazy("schema key", "Max links"),
    "max_size_mb": gettext_lazy("Largest file (MB)"),
    "max_words": pgettext_lazy("schema key", "Max words"),
    "media": pgettext_lazy("schema key", "Media"),
    "message": pgettext_lazy("schema key", "Message"),
    "method_components": pgettext_lazy("schema key", "Method components"),
    "min": pgettext_lazy("schema key", "Min"),
    "min_items": pgettext_lazy("schema key", "Min items"),
    "min_reviews": pgettext_lazy("schema key", "Min reviews"),
    "min_words": pgettext_lazy("schema key", "Min words"),
    "multiline": pgettext_lazy("schema key", "Multiline"),
    "multiple": pgettext_lazy("schema key", "Multiple"),
    "name": pgettext_lazy("schema key", "Name"),
    "not_after": pgettext_lazy("schema key", "Not after"),
    "note": pgettext_lazy("schema key", "Note"),
    "notes": pgettext_lazy("schema key", "Notes"),
    "only_if_any": pgettext_lazy("schema key", "Only if any"),
    "optional": pgettext_lazy("schema key", "Optional"),
    "options": pgettext_lazy("schema key", "Options"),
    "page_order": pgettext_lazy("schema key", "Page order"),
    "part": pgettext_lazy("schema key", "Part"),
    "participants": pgettext_lazy("schema key", "Participants"),
    "partners": pgettext_lazy("schema key", "Partners"),
    "parts": pgettext_lazy("schema key", "Parts"),
    "pass_rule": pgettext_lazy("schema key", "Pass rule"),
    "passing_level": pgettext_lazy("schema key", "Passing level"),
    "pattern": pgettext_lazy("schema key", "Pattern"),
    "pattern_hint": pgettext_lazy("schema key", "Pattern hint"),
    "pd_hours": pgettext_lazy("schema key", "Professional development hours"),
    "prompts": pgettext_lazy("schema key", "Prompts"),
    "recalibrate_when": pgettext_lazy("schema key", "Recalibrate when"),
    "reminder_days_before": pgettext_lazy("schema key", "Reminder days before"),
    "renewal": pgettext_lazy("schema key", "Renewal"),
    "require_all": pgettext_lazy("schema key", "Require all"),
    "required": pgettext_lazy("schema key", "Required"),
    "required_confirmed": pgettext_lazy("schema key", "Required confirmed"),
    "required_each": pgettext_lazy("schema key", "Required each"),
    "resources": pgettext_lazy("schema key", "Resources"),
    "retention": pgettext_lazy("schema key", "Retention"),
    "review_policy": pgettext_lazy("schema key", "Review policy"),
    "reviewer_kind": pgettext_lazy("schema key", "Reviewer kind"),
    "rubric": pgettext_lazy("schema key", "Rubric"),
    "rule": pgettext_lazy("schema key", "Rule"),
    "sample_materials": pgettext_lazy("schema key", "Sample materials"),
    "schema_version": pgettext_lazy("schema key", "Schema version"),
    "seat": pgettext_lazy("schema key", "Seat"),
    "seats": pgettext_lazy("schema key", "Seats"),
    "self_evaluation": pgettext_lazy("schema key", "Self evaluation"),
    "severity": pgettext_lazy("schema key", "Severity"),
    "severity_beyond": pgettext_lazy("schema key", "Severity beyond"),
    "show": pgettext_lazy("schema key", "Show"),
    "slug": pgettext_lazy("schema key", "Slug"),
    "spdx": pgettext_lazy("schema key", "SPDX identifier"),
    "standards": pgettext_lazy("schema key", "Standards"),
    "submission_intro": pgettext_lazy("schema key", "Submission intro"),
    "suggested_activities": pgettext_lazy("schema key", "Suggested activities"),
    "summary": pgettext_lazy("schema key", "Summary"),
    "text": pgettext_lazy("schema key", "Text"),
    "title": pgettext_lazy("schema key", "Title"),
    "translations": pgettext_lazy("schema key", "Translations"),
    "url": gettext_lazy("Web address"),
    "validity_days": pgettext_lazy("schema key", "Validity days"),
    "values": pgettext_lazy("schema key", "Values"),
    "when": pgettext_lazy("schema key", "When"),
    "which": pgettext_lazy("schema key", "Which"),
    "window_days": pgettext_lazy("schema key", "Window days"),
}

# The fixed values a select offers (Literal types and the kinds a union is told apart by). Values that are also
# key names (page_order, draft_fields) read as the key's label.
VALUE_LABELS: dict[str, Promise] = {
    "advisory": pgettext_lazy("schema value", "advisory"),
    "all": pgettext_lazy("schema value", "all"),
    "all_criteria_adjudicated": pgettext_lazy("schema value", "all criteria adjudicated"),
    "all_reviewers_all_criteria": pgettext_lazy("schema value", "all reviewers all criteria"),
    "any": pgettext_lazy("schema value", "any"),
    "article": pgettext_lazy("schema value", "article"),
    "at_least_one": pgettext_lazy("schema value", "at least one"),
    "audio": pgettext_lazy("schema value", "audio"),
    "audio_or_video": pgettext_lazy("schema value", "audio or video"),
    "blocking": pgettext_lazy("schema value", "blocking"),
    "checklist": pgettext_lazy("schema value", "checklist"),
    "choice": pgettext_lazy("schema value", "choice"),
    "citation": pgettext_lazy("schema value", "citation"),
    "date": pgettext_lazy("schema value", "date"),
    "dates_before": pgettext_lazy("schema value", "dates before"),
    "disagreement_on_pass": pgettext_lazy("schema value", "disagreement on pass"),
    "document": pgettext_lazy("schema value", "document"),
    "earliest": pgettext_lazy("schema value", "earliest"),
    "example": pgettext_lazy("schema value", "example"),
    "file": pgettext_lazy("schema value", "file"),
    "image": pgettext_lazy("schema value", "image"),
    "issuer_staff": pgettext_lazy("schema value", "issuer staff"),
    "lead_assessor": pgettext_lazy("schema value", "lead assessor"),
    "lead_decides": pgettext_lazy("schema value", "lead decides"),
    "link": pgettext_lazy("schema value", "link"),
    "list": pgettext_lazy("schema value", "list"),
    "list_has_each": pgettext_lazy("schema value", "list has each"),
    "majority": pgettext_lazy("schema value", "majority"),
    "median": pgettext_lazy("schema value", "median"),
    "mentor": pgettext_lazy("schema value", "mentor"),
    "none": pgettext_lazy("schema value", "none"),
    "optional": pgettext_lazy("schema value", "optional"),
    "required": pgettext_lazy("schema value", "required"),
    "short_text": pgettext_lazy("schema value", "short text"),
    "submission": pgettext_lazy("schema value", "submission"),
    "text": pgettext_lazy("schema value", "text"),
    "today": pgettext_lazy("schema value", "today"),
    "video": pgettext_lazy("schema value", "video"),
    "website": pgettext_lazy("schema value", "website"),
    "written_within": pgettext_lazy("schema value", "written within"),
}
# File types keep their short names (PDF, DOCX…): the same in both languages, and what the author writes.
FILE_TYPE_VALUES = {"pdf", "docx", "xlsx", "pptx", "csv", "txt"}


def key_label(name: str) -> str:
    label = KEY_LABELS.get(name)
    return str(label) if label is not None else name.replace("_", " ").capitalize()


def value_label(value: str) -> str:
    """What a select shows for one fixed value of the schema, in the active language."""
    if value in GRADE_BANDS:
        return gettext(GRADE_BANDS[value])
    if value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    if value in FILE_TYPE_VALUES:
        return value.upper()
    if value in KEY_LABELS:
        return key_label(value)
    return value.replace("_", " ")


def field_hint(base: Any, limits: dict[str, Any], *, long_text: bool, default: Any, shown_default: bool) -> str:
    """The hint under an input: what it takes (a number's range, a text's shape and length) and its default."""
    bits: list[str] = []
    if base is int or base is float:
        low = limits.get("ge", limits.get("gt"))
        high = limits.get("le")
        if low is not None and high is not None:
            text = (
                gettext("A whole number from %(low)s to %(high)s")
                if base is int
                else gettext("A number from %(low)s to %(high)s")
            )
            bits.append(text % {"low": low, "high": high})
        elif low is not None and "gt" in limits:
            text = (
                gettext("A whole number, more than %(low)s") if base is int else gettext("A number, more than %(low)s")
            )
            bits.append(text % {"low": low})
        elif low is not None:
            text = gettext("A whole number, at least %(low)s") if base is int else gettext("A number, at least %(low)s")
            bits.append(text % {"low": low})
        else:
            bits.append(gettext("A whole number") if base is int else gettext("A number"))
    elif base is str:
        pattern = str(limits.get("pattern", ""))
        if "a-z0-9]+(?:-" in pattern:
            bits.append(gettext("Lowercase words joined by hyphens, such as my-credential"))
        elif pattern.startswith("^[a-z][a-z0-9_]"):
            bits.append(
                gettext("A lowercase letter, then lowercase letters, digits or underscores, such as lesson_plan")
            )
        elif "#" in pattern:
            bits.append(gettext("A colour as #rrggbb"))
        if "max_length" in limits:
            bits.append(gettext("at most %(count)s characters") % {"count": limits["max_length"]})
        if long_text:
            bits.append(gettext("Markdown allowed"))
    elif base is HttpUrl:
        bits.append(gettext("A full web address, such as https://example.org/"))
    if shown_default:
        labelled = isinstance(default, str) and (default in VALUE_LABELS or default in GRADE_BANDS)
        shown = value_label(default) if labelled else default
        bits.append(gettext("default: %(value)s") % {"value": shown})
    text = "; ".join(bits)
    return text[:1].upper() + text[1:] if text else ""
