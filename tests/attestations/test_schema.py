"""The definition schema's `attestation` on a list field: the program as written enables it without requiring any
confirmation and marks it a platform draft; the loader refuses a rule that names what the list does not hold, or
would show a collaborator student data, naming the path inside the file."""

from __future__ import annotations

import pytest
import yaml

from authoring.markers import markers_list
from catalog.loader import DefinitionError, definition_parse
from catalog.schema import ListField
from tests.attestations.conftest import AS_WRITTEN, ER_FILE, REQUIRED

PATH = "parts.artifacts.fields.planning_log.attestation"  # as the draft markers name it
AT = "parts[1].fields[4].attestation"  # as the loader names it


def test_the_program_enables_confirmations_requires_none_and_marks_them_a_platform_draft():
    text = ER_FILE.read_text()
    definition = definition_parse(text, source=ER_FILE.name)
    spec = definition.field_at("artifacts.planning_log")
    assert isinstance(spec, ListField)
    assert spec.attestation is not None
    assert spec.attestation.show == ["held_on", "kind", "format", "ideas"]
    assert (spec.attestation.required_confirmed, spec.attestation.required_each) == (0, None)
    assert PATH in {m.path for m in markers_list(yaml.safe_load(text))}


def test_a_variant_may_require_confirmations_in_all_and_of_a_kind():
    definition = definition_parse(ER_FILE.read_text().replace(AS_WRITTEN, REQUIRED), source=ER_FILE.name)
    spec = definition.field_at("artifacts.planning_log")
    assert isinstance(spec, ListField)
    rule = spec.attestation
    assert rule is not None
    assert rule.required_each is not None
    assert rule.required_confirmed == 1
    assert (rule.required_each.item, rule.required_each.values) == ("kind", ["expert"])


SHOW = "          show: [held_on, kind, format, ideas]\n"


@pytest.mark.parametrize(
    ("old", "new", "where", "says"),
    [
        (SHOW, "          show: [held_on, mood]\n", f"{AT}.show[1]", "'mood' is not an item of this list"),
        (AS_WRITTEN, "          required_confirmed: 31\n", f"{AT}.required_confirmed", "more than max_items (30)"),
        (
            AS_WRITTEN,
            AS_WRITTEN + "          required_each: {item: ideas, values: [x]}\n",
            f"{AT}.required_each.item",
            "'ideas' is not a choice item",
        ),
        (
            AS_WRITTEN,
            AS_WRITTEN + "          required_each: {item: kind, values: [coach]}\n",
            f"{AT}.required_each.values[0]",
            "'coach' is not an option of 'kind'",
        ),
    ],
)
def test_the_loader_refuses_a_rule_naming_what_the_list_does_not_hold(old, new, where, says):
    with pytest.raises(DefinitionError) as refused:
        definition_parse(ER_FILE.read_text().replace(old, new), source=ER_FILE.name)
    assert [(path, problem) for path, problem in refused.value.problems if says in problem] != [], (
        refused.value.problems
    )
    assert any(path == where for path, _problem in refused.value.problems), refused.value.problems


def test_an_item_holding_student_data_is_never_shown_to_a_collaborator():
    text = ER_FILE.read_text()
    ideas = "            label: Ideas that came up\n            max_words: 200\n"
    assert ideas in text
    marked = text.replace(ideas, ideas + "            contains_student_data: true\n")
    with pytest.raises(DefinitionError) as refused:
        definition_parse(marked, source=ER_FILE.name)
    [(path, problem)] = refused.value.problems
    assert path == f"{AT}.show[3]"
    assert "contains student data" in problem
