"""Every rule the platform wrote carries the visible draft marker other platform-written text does, and the
rules a program states itself carry none; the schema keys that say so are checked like any other."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.urls import reverse

from catalog.loader import DefinitionError, definition_parse
from tests.catalog.catalog_helpers import FIXTURE_DIR, RIVERBEND, Html, text_of
from tests.conftest import CLASSKICK, EDUCATORS_RISING

MARKER = "Draft wording from the platform, for the issuer to revise"


def _page(client: Any, slug: str) -> Html:
    response = client.get(reverse("catalog:detail", args=[slug]))
    assert response.status_code == 200
    return Html(response.content)


def _marked(element: Any) -> bool:
    return any(text_of(note) == MARKER for note in element.query_all(".draft-note"))


def _item(page: Html, selector: str, starts: str) -> Any:
    found = [element for element in page.all(selector) if text_of(element).startswith(starts)]
    assert len(found) == 1, f"{starts!r}: {len(found)} matches in {selector}"
    return found[0]


def test_classkick_marks_each_review_rule_the_platform_wrote_and_none_the_program_states(client, credentials):
    page = _page(client, CLASSKICK)
    policy = "#section-review-policy li"
    # The program sets no timings, attempt limit or calibration: each statement carries the marker.
    assert _marked(_item(page, policy, "Reviewers are asked to finish within 14 days"))
    assert _marked(_item(page, policy, "You can submit up to three times in all"))
    assert _marked(_item(page, policy, "Every reviewer is calibrated first"))
    assert _marked(_item(page, policy, "Your evidence files are kept for 365 days"))
    # Its four evaluators and "all four must deem each element Exemplary or Accomplished" are its own words.
    section = page.one("#section-review-policy")
    assert not _marked(page.one("#section-review-policy .pass-rule"))
    assert not list(section.query_all("table .draft-note"))
    assert len(list(section.query_all(".draft-note"))) == 4
    # The message of its one check is the platform's wording.
    assert _marked(_item(page, ".check-list li", "Required before you can submit: You started the optional reflection"))
    # So is the summary under the title.
    assert _marked(page.one(".credential-header .lede"))


def test_educators_rising_marks_its_checks_grade_bands_and_policy_and_gives_timing_as_advice(client, credentials):
    page = _page(client, EDUCATORS_RISING)
    checks = page.all(".check-list li")
    assert len(checks) == 5
    assert all(_marked(check) for check in checks)
    advance = _item(page, ".check-list li", "Advice: The lesson should be planned at least one or two days")
    assert _marked(advance)
    _item(page, ".check-list li", "Required before you can submit: Every planning interaction in your log")
    bands = [dd for dd in page.all(".credential-header dd") if "Primary" in text_of(dd)]
    assert len(bands) == 1
    assert _marked(bands[0])
    # The whole review policy is the platform's: one marker at its top says so.
    section = page.one("#section-review-policy")
    assert len(list(section.query_all(".draft-note"))) == 1
    assert text_of(section).split(MARKER)[0].strip() == "How your submission is reviewed"
    # The dates record what has happened, and the page says so beside the field.
    delivered = _item(page, ".field-spec", "Date you delivered the lesson")
    assert "A date that has passed: today or earlier" in text_of(delivered)


# ----- the schema ---------------------------------------------------------------------------------------------


def _riverbend(**changes: Any) -> str:
    data = yaml.safe_load((FIXTURE_DIR / f"{RIVERBEND}.yaml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key.startswith("review_policy."):
            data["review_policy"][key.split(".", 1)[1]] = value
        else:
            data[key] = value
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        (
            {"review_policy.draft_fields": ["due_days", "deadline"]},
            "review_policy.draft_fields[1]: 'deadline' is not allowed here",
        ),
        ({"review_policy.draft_fields": ["due_days", "due_days"]}, "appears more than once"),
        ({"draft_fields": ["title"]}, "draft_fields[0]: 'title' is not allowed here"),
        ({"renewal": {"allowed": True, "after_days": -1}}, "renewal.after_days"),
        ({"renewal": {"allowed": True, "every": 3}}, "renewal"),
    ],
)
def test_the_schema_refuses_unknown_draft_rules_and_bad_renewals(changes, says):
    with pytest.raises(DefinitionError) as refused:
        definition_parse(_riverbend(**changes), source=f"{RIVERBEND}.yaml")
    assert says in str(refused.value)


def test_renewal_is_not_allowed_unless_a_definition_says_so():
    spec = definition_parse(_riverbend(), source=f"{RIVERBEND}.yaml")
    assert (spec.renewal.allowed, spec.renewal.after_days) == (False, 0)
    renewable = definition_parse(_riverbend(renewal={"allowed": True, "after_days": 365}), source=f"{RIVERBEND}.yaml")
    assert (renewable.renewal.allowed, renewable.renewal.after_days) == (True, 365)
