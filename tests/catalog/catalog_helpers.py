"""Helpers for the catalog tests: the fixture definitions, generated variants of them, and HTML queries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cssselect2  # type: ignore[import-untyped]
import tinyhtml5  # type: ignore[import-untyped]
import yaml

from catalog.loader import credentials_load_dir
from catalog.models import Credential
from catalog.presentation import (
    adjudication_words,
    attempt_words,
    field_kind_words,
    field_limits,
    money,
    pass_rule_words,
    policy_drafts,
    seat_title,
)
from catalog.schema import GRADE_BANDS, CredentialDefinition, ListField
from catalog.templatetags.markdown import markdown_render

FIXTURE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "credentials"
RIVERBEND = "riverbend-formative-feedback"
HARBOR = "harbor-lab-safety"


def load_fixture_credentials() -> dict[str, Credential]:
    """The definitions under tests/fixtures/credentials, loaded through the real loader."""
    results, errors = credentials_load_dir(FIXTURE_DIR)
    assert not errors, [str(e) for e in errors]
    assert {r.slug for r in results} == {RIVERBEND, HARBOR}
    return {c.slug: c for c in Credential.objects.select_related("issuer", "current_version")}


def fixture_data(slug: str = RIVERBEND) -> dict[str, Any]:
    return yaml.safe_load((FIXTURE_DIR / f"{slug}.yaml").read_text(encoding="utf-8"))


def write_definition(directory: Path, data: dict[str, Any]) -> Path:
    path = directory / f"{data['slug']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def load_variants(directory: Path, count: int) -> list[str]:
    """`count` distinct credentials (alternating between two issuers, each with its own standards), loaded."""
    directory.mkdir(parents=True, exist_ok=True)
    slugs = []
    for number in range(count):
        data = fixture_data()
        data["slug"] = f"variant-{number}"
        data["title"] = f"Variant {number:03d}"
        data["issuer"] = {**data["issuer"], "slug": f"issuer-{number % 2}", "name": f"Issuer {number % 2}"}
        data["standards"]["framework"] = f"Framework {number}"
        write_definition(directory, data)
        slugs.append(data["slug"])
    results, errors = credentials_load_dir(directory)
    assert not errors, [str(e) for e in errors]
    assert len(results) == count
    return slugs


class Html:
    """A parsed page, queried with CSS selectors (WeasyPrint's own HTML parser and selector engine)."""

    def __init__(self, content: bytes | str) -> None:
        self.text = content.decode() if isinstance(content, bytes) else content
        self.root = cssselect2.ElementWrapper.from_html_root(tinyhtml5.parse(self.text))

    def all(self, selector: str) -> list[cssselect2.ElementWrapper]:
        return list(self.root.query_all(selector))

    def one(self, selector: str) -> cssselect2.ElementWrapper:
        found = self.all(selector)
        assert len(found) == 1, f"{selector!r} matched {len(found)} elements"
        return found[0]

    def texts(self, selector: str, within: cssselect2.ElementWrapper | None = None) -> list[str]:
        scope = within if within is not None else self.root
        return [text_of(element) for element in scope.query_all(selector)]


_BLOCKS = {
    *("p", "div", "li", "dt", "dd", "th", "td", "tr", "caption", "br", "ul", "ol", "section", "header", "nav"),
    *("h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "option", "optgroup", "title"),
}


def text_of(element: cssselect2.ElementWrapper) -> str:
    """The element's text as a reader meets it: block elements are separated, inline ones run on."""
    bits: list[str] = []

    def walk(node: Any) -> None:
        tag = node.tag.rsplit("}", 1)[-1] if isinstance(node.tag, str) else ""
        block = tag in _BLOCKS
        if block:
            bits.append(" ")
        bits.append(node.text or "")
        for child in node:
            walk(child)
            bits.append(child.tail or "")
        if block:
            bits.append(" ")

    walk(element.etree_element)
    return normalise("".join(bits))


def normalise(text: str) -> str:
    return " ".join(text.split())


def drafts_shown(spec: CredentialDefinition) -> int:
    """How many "draft wording" markers the page must show: one per draft item in a section it shows."""
    shown = set(spec.page_order)
    # The header always shows the summary and the grade bands.
    count = sum(key in spec.draft_fields for key in ("summary", "grade_bands"))
    # ...and the professional-development hours, where the definition gives them.
    count += spec.pd_hours is not None and "pd_hours" in spec.draft_fields
    for key in ("introduction", "method_components", "suggested_activities", "notes"):
        if key in shown:
            count += sum(item.draft for item in getattr(spec, key))
    if "graduate_credit" in shown:
        count += sum(partner.draft for partner in spec.graduate_credit.partners)
    if "submission" in shown:
        for part in spec.parts:
            for field in part.fields:
                count += field.draft
                if isinstance(field, ListField):
                    count += sum(item.draft for item in field.item_fields)
        count += sum(check.draft for check in spec.checks)
    if "rubric" in shown:
        count += sum(level.draft for level in spec.rubric.levels)
        count += sum(criterion.draft for criterion in spec.rubric.criteria)
    if "review_policy" in shown:
        count += spec.review_policy.draft
        count += sum(policy_drafts(spec.review_policy).values())
        count += spec.renewal.allowed and spec.renewal.draft
        # A policy wholly the platform's is marked once, at its top, which covers the retention line too.
        count += spec.retention.draft and not spec.review_policy.draft
    return count


def assert_page_shows_definition(page: Html, spec: CredentialDefinition) -> None:
    """Every word of the definition that the page order asks for is on the page (or in the PDF's source HTML)."""
    text = text_of(page.root)
    missing: list[str] = []

    def shows(value: str | None) -> None:
        if value and normalise(value) not in text:
            missing.append(value)

    def shows_markdown(value: str | None, offset: int = 3) -> None:
        if value and markdown_render(value, heading_offset=offset) not in page.text:
            missing.append(f"(markdown) {value}")

    for value in (spec.title, spec.kind_label, spec.summary, spec.issuer.name, spec.issuer.email):
        shows(value)
    shows_markdown(spec.issuer.description)
    for band in spec.grade_bands:
        shows(GRADE_BANDS[band])
    shown = spec.page_order
    for key in ("introduction", "method_components", "suggested_activities", "notes"):
        if key in shown:
            for item in getattr(spec, key):
                shows(item.title)
                shows_markdown(item.body)
    if "competency_statement" in shown:
        shows_markdown(spec.competency_statement)
    if "key_method" in shown:
        shows_markdown(spec.key_method)
    if "graduate_credit" in shown:
        shows_markdown(spec.graduate_credit.summary)
        for partner in spec.graduate_credit.partners:
            for value in (partner.name, f"{partner.credits:g}", money(partner.fee_usd), partner.contact_email):
                shows(value)
    if "standards" in shown and spec.standards:
        shows(spec.standards.framework)
        shows_markdown(spec.standards.intro)
        for alignment in spec.standards.alignments:
            shows(alignment.code)
            shows(alignment.title)
    for key in ("resources", "sample_materials"):
        if key in shown:
            for group in getattr(spec, key):
                for value in (group.title, group.note):
                    shows(value)
                for resource in group.items:
                    for value in (resource.title, resource.citation, resource.description):
                        shows(value)
                    if resource.url and f'href="{resource.url}"' not in page.text:
                        missing.append(str(resource.url))
    if "submission" in shown:
        shows_markdown(spec.submission_intro)
        for part in spec.parts:
            shows(part.title)
            shows_markdown(part.intro)
            for field in part.fields:
                _shows_field(field, shows, shows_markdown)
                if isinstance(field, ListField):
                    for item in field.item_fields:
                        _shows_field(item, shows, shows_markdown)
        for check in spec.checks:
            shows(check.message)
    if "rubric" in shown:
        for level in spec.rubric.levels:
            shows(level.label)
        shows_markdown(spec.rubric.note)
        for criterion in spec.rubric.criteria:
            shows(criterion.title)
            shows_markdown(criterion.description)
            for descriptor in criterion.descriptors.values():
                shows_markdown(descriptor)
    if "self_evaluation" in shown:
        shows_markdown(spec.self_evaluation.instructions)
    if "review_policy" in shown:
        policy = spec.review_policy
        shows_markdown(policy.description)
        shows_markdown(policy.feedback)
        for seat in policy.all_seats():
            shows(seat_title(seat))
        shows(pass_rule_words(policy, spec.rubric, spec.kind_label))
        shows(attempt_words(policy))
        shows(adjudication_words(policy, spec.issuer.name))
    if "license" in shown and spec.license:
        shows(spec.license.name)
        shows(spec.license.attribution)
    assert not missing, "missing from the page:\n" + "\n".join(missing)
    assert len(page.all(".draft-note")) == drafts_shown(spec)


def _shows_field(field: Any, shows: Any, shows_markdown: Any) -> None:
    shows(field.label)
    shows(field_kind_words(field))
    for limit in field_limits(field):
        shows(limit)
    shows_markdown(field.guidance, 4)
    for prompt in field.prompts:
        shows(prompt)
    for option in getattr(field, "options", None) or getattr(field, "items", None) or []:
        shows(option.label)
        shows(option.description)
