"""The definition schema refuses each kind of mistake with a message an author can act on.

Every broken definition is a real program file with one thing broken, so each test shows that
the schema (not some unrelated gap in a made-up file) catches that one mistake, and that the
message names the file, the path inside it and what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from catalog.loader import DefinitionError, credentials_load_dir, definition_read
from catalog.models import Credential, CredentialVersion
from tests.conftest import CLASSKICK, EDUCATORS_RISING

Data = dict[str, Any]


def _real(slug: str) -> Data:
    data: Data = yaml.safe_load((settings.CREDENTIALS_DIR / f"{slug}.yaml").read_text(encoding="utf-8"))
    return data


def _real_text(slug: str) -> str:
    return (settings.CREDENTIALS_DIR / f"{slug}.yaml").read_text(encoding="utf-8")


def _write(directory: Path, data: Data, name: str) -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _refusal(path: Path) -> str:
    with pytest.raises(DefinitionError) as info:
        definition_read(path)
    return str(info.value)


def _at(items: list[Data], item_id: str, key: str = "id") -> int:
    return next(index for index, item in enumerate(items) if item[key] == item_id)


def _field(data: Data, part_id: str, field_id: str) -> tuple[int, int, Data]:
    p = _at(data["parts"], part_id)
    f = _at(data["parts"][p]["fields"], field_id)
    return p, f, data["parts"][p]["fields"][f]


# Each breaks one thing in a real definition and returns (the path the message must name, what it must say).


def unknown_key(d: Data) -> tuple[str, str]:
    p = _at(d["parts"], "artifacts")
    d["parts"][p]["titel"] = "Artifacts"
    return f"parts[{p}].titel", "unknown key 'titel'; did you mean 'title'?"


def missing_required_key(d: Data) -> tuple[str, str]:
    p, f, narrative = _field(d, "artifacts", "narrative")
    del narrative["label"]
    return f"parts[{p}].fields[{f}].label", "is required but missing; add it"


def wrong_type(d: Data) -> tuple[str, str]:
    p, f, narrative = _field(d, "artifacts", "narrative")
    narrative["max_words"] = "five hundred"
    return f"parts[{p}].fields[{f}].max_words", "must be a whole number, not 'five hundred'"


def yes_read_as_true(d: Data) -> tuple[str, str]:
    p, f, log = _field(d, "artifacts", "planning_log")
    i = _at(log["item_fields"], "used_in_lesson")
    log["item_fields"][i]["options"][0]["label"] = True  # what an unquoted `label: Yes` becomes
    return (
        f"parts[{p}].fields[{f}].item_fields[{i}].options[0].label",
        "must be text, not True (YAML reads yes, no, on, off, true and false as true/false: put the text in quotes)",
    )


def bad_slug(d: Data) -> tuple[str, str]:
    d["slug"] = "Educators_Rising"
    return "slug", "must be lowercase letters and digits in words joined by single hyphens"


def bad_identifier(d: Data) -> tuple[str, str]:
    p, f, field = _field(d, "artifacts", "narrative")
    field["id"] = "Narrative"
    return f"parts[{p}].fields[{f}].id", "must be a lowercase letter followed by lowercase letters, digits or"


def duplicate_field_ids(d: Data) -> tuple[str, str]:
    p, f, upload = _field(d, "artifacts", "lesson_plan_file")
    upload["id"] = "lesson_plan"
    return f"parts[{p}].fields[{f}].id", "field id 'lesson_plan' appears more than once"


def duplicate_option_ids(d: Data) -> tuple[str, str]:
    p, f, band = _field(d, "overview", "grade_band")
    band["options"][1]["id"] = "primary"
    return f"parts[{p}].fields[{f}].options[1].id", "option id 'primary' appears more than once"


def unknown_field_kind(d: Data) -> tuple[str, str]:
    p, f, plan = _field(d, "artifacts", "lesson_plan")
    plan["kind"] = "essay"
    return f"parts[{p}].fields[{f}].kind", "'essay' is not a known kind; use one of: text, choice, checklist"


def passing_level_not_a_level(d: Data) -> tuple[str, str]:
    d["rubric"]["passing_level"] = "proficient"
    return (
        "rubric.passing_level",
        "passing_level 'proficient' is not one of the levels: highly_skilled, commendable, developing, not_yet_evident",
    )


def missing_descriptor(d: Data) -> tuple[str, str]:
    criterion = d["rubric"]["criteria"][0]
    del criterion["descriptors"]["developing"]
    return "rubric.criteria[0].descriptors", f"criterion {criterion['id']!r} needs one descriptor per level; missing"


def criterion_of_a_missing_part(d: Data) -> tuple[str, str]:
    d["rubric"]["criteria"][0]["part"] = "part_one"
    return "rubric.criteria[0].part", "names part 'part_one', which does not exist; the parts are"


def check_of_a_missing_field(d: Data) -> tuple[str, str]:
    c = _at(d["checks"], "three_kinds_of_interaction")
    d["checks"][c]["field"] = "artifacts.interaction_log"
    return f"checks[{c}].field", "'artifacts.interaction_log': part 'artifacts' has no field 'interaction_log'"


def dates_before_on_a_text(d: Data) -> tuple[str, str]:
    c = _at(d["checks"], "planning_before_delivery")
    d["checks"][c]["before"] = "artifacts.narrative"
    return f"checks[{c}].before", "artifacts.narrative must be a date field"


def list_has_each_value_not_an_option(d: Data) -> tuple[str, str]:
    c = _at(d["checks"], "three_kinds_of_interaction")
    d["checks"][c]["values"].append("podcast")
    return (
        f"checks[{c}].values[3]",
        "'podcast' is not an option of artifacts.planning_log.kind (its options are peer, expert, online_network)",
    )


def min_words_above_max_words(d: Data) -> tuple[str, str]:
    p, f, narrative = _field(d, "artifacts", "narrative")
    narrative["min_words"] = 600
    return f"parts[{p}].fields[{f}].min_words", "min_words (600) is larger than max_words (500)"


def graduate_credit_without_partners(d: Data) -> tuple[str, str]:
    d["graduate_credit"]["partners"] = []
    return "graduate_credit.partners", "graduate credit is available, so at least one partner is needed"


def adjudicated_without_adjudication(d: Data) -> tuple[str, str]:
    del d["review_policy"]["adjudication"]
    return "review_policy.adjudication", "pass_rule all_criteria_adjudicated needs an adjudication seat"


def page_order_without_rubric(d: Data) -> tuple[str, str]:
    d["page_order"].remove("rubric")
    return "page_order", "page_order must include 'rubric'"


def page_order_with_an_unknown_section(d: Data) -> tuple[str, str]:
    d["page_order"].append("faq")
    return f"page_order[{len(d['page_order']) - 1}]", "'faq' is not allowed here; use one of:"


def issuer_url_not_a_url(d: Data) -> tuple[str, str]:
    d["issuer"]["url"] = "educatorsrising"
    return "issuer.url", "must be a full web address such as https://example.org/"


def mentor_matching_without_a_grade_band_field(d: Data) -> tuple[str, str]:
    p, f, _ = _field(d, "method", "grade_band")
    del d["parts"][p]["fields"][f]
    return "parts", "a review seat matches mentors by grade band, so a part needs a choice field 'grade_band'"


def grade_band_option_not_offered(d: Data) -> tuple[str, str]:
    d["grade_bands"].remove("college")
    p, f, band = _field(d, "method", "grade_band")
    o = _at(band["options"], "college")
    return f"parts[{p}].fields[{f}].options[{o}].id", "offers 'college', which is not among the credential's"


def unknown_seat_kind(d: Data) -> tuple[str, str]:
    d["review_policy"]["seats"][1]["kind"] = "volunteer"
    return "review_policy.seats[1].kind", "'volunteer' is not allowed here; use one of: 'issuer_staff', 'mentor'"


BREAKS: list[Any] = [
    pytest.param(EDUCATORS_RISING, unknown_key, id="unknown key"),
    pytest.param(EDUCATORS_RISING, missing_required_key, id="missing required key"),
    pytest.param(EDUCATORS_RISING, wrong_type, id="wrong type"),
    pytest.param(EDUCATORS_RISING, yes_read_as_true, id="yes read as true"),
    pytest.param(EDUCATORS_RISING, bad_slug, id="bad slug"),
    pytest.param(EDUCATORS_RISING, bad_identifier, id="bad identifier"),
    pytest.param(EDUCATORS_RISING, duplicate_field_ids, id="duplicate field ids"),
    pytest.param(EDUCATORS_RISING, duplicate_option_ids, id="duplicate option ids"),
    pytest.param(EDUCATORS_RISING, unknown_field_kind, id="unknown field kind"),
    pytest.param(EDUCATORS_RISING, passing_level_not_a_level, id="passing level not a level"),
    pytest.param(EDUCATORS_RISING, missing_descriptor, id="missing descriptor"),
    pytest.param(EDUCATORS_RISING, criterion_of_a_missing_part, id="criterion of a missing part"),
    pytest.param(EDUCATORS_RISING, check_of_a_missing_field, id="check of a missing field"),
    pytest.param(EDUCATORS_RISING, dates_before_on_a_text, id="dates_before on a non-date"),
    pytest.param(EDUCATORS_RISING, list_has_each_value_not_an_option, id="list_has_each value not an option"),
    pytest.param(EDUCATORS_RISING, min_words_above_max_words, id="min_words above max_words"),
    pytest.param(EDUCATORS_RISING, graduate_credit_without_partners, id="graduate credit without partners"),
    pytest.param(EDUCATORS_RISING, adjudicated_without_adjudication, id="adjudicated rule without adjudication"),
    pytest.param(EDUCATORS_RISING, page_order_without_rubric, id="page order without rubric"),
    pytest.param(EDUCATORS_RISING, page_order_with_an_unknown_section, id="page order with an unknown section"),
    pytest.param(EDUCATORS_RISING, issuer_url_not_a_url, id="issuer url not a url"),
    pytest.param(CLASSKICK, mentor_matching_without_a_grade_band_field, id="mentor matching without grade band"),
    pytest.param(CLASSKICK, grade_band_option_not_offered, id="grade band option not offered"),
    pytest.param(CLASSKICK, unknown_seat_kind, id="unknown seat kind"),
]


@pytest.mark.parametrize("slug", [CLASSKICK, EDUCATORS_RISING])
def test_it_accepts_each_real_definition_rewritten_unchanged(tmp_path: Path, slug: str) -> None:
    # The control for the cases below: the round trip through yaml.safe_dump alone breaks nothing.
    definition = definition_read(_write(tmp_path, _real(slug), f"{slug}.yaml"))
    assert definition.slug == slug


@pytest.mark.parametrize(("slug", "break_it"), BREAKS)
def test_it_refuses_a_broken_definition_naming_the_file_the_path_and_the_problem(
    tmp_path: Path, slug: str, break_it: Callable[[Data], tuple[str, str]]
) -> None:
    data = _real(slug)
    path, problem = break_it(data)
    message = _refusal(_write(tmp_path, data, f"{slug}.yaml"))
    prefix = f"{slug}.yaml: {path}: "
    lines = [line for line in message.splitlines() if line.startswith(prefix)]
    assert lines, f"no line starts with {prefix!r} in:\n{message}"
    assert any(problem in line for line in lines), f"{problem!r} not in:\n{message}"


def test_it_reports_every_schema_problem_of_a_file_at_once(tmp_path: Path) -> None:
    data = _real(EDUCATORS_RISING)
    first_path, first_problem = unknown_key(data)
    second_path, second_problem = wrong_type(data)
    message = _refusal(_write(tmp_path, data, f"{EDUCATORS_RISING}.yaml"))
    assert f"{EDUCATORS_RISING}.yaml: {first_path}: {first_problem}" in message
    assert f"{EDUCATORS_RISING}.yaml: {second_path}: {second_problem}" in message


def test_it_refuses_a_key_written_twice_naming_both_lines(tmp_path: Path) -> None:
    lines = _real_text(CLASSKICK).splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if line.startswith("title: "))
    lines.insert(first + 1, "title: Collaboration, again\n")
    path = tmp_path / f"{CLASSKICK}.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    message = _refusal(path)
    assert message == (
        f"{CLASSKICK}.yaml: line {first + 2}, column 1: the key 'title' appears twice in the same mapping "
        f"(first on line {first + 1}); keep only one of them"
    )


def test_it_refuses_a_yaml_syntax_error_naming_its_line(tmp_path: Path) -> None:
    lines = _real_text(CLASSKICK).splitlines(keepends=True)
    broken = next(i for i, line in enumerate(lines) if line == "  slug: classkick\n")
    lines[broken] = "\tslug: classkick\n"  # YAML forbids tabs for indentation
    path = tmp_path / f"{CLASSKICK}.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    message = _refusal(path)
    assert message.startswith(f"{CLASSKICK}.yaml: line {broken + 1}, column 1: YAML syntax error: ")
    assert "'\\t'" in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(
            "- slug: one\n- slug: two\n", "must be a YAML mapping of keys to values, but it holds a list", id="list"
        ),
        pytest.param(
            "just some words\n", "must be a YAML mapping of keys to values, but it holds a single value", id="text"
        ),
        pytest.param("# only a comment\n", "the file is empty", id="empty"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_mapping(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "not-a-mapping.yaml"
    path.write_text(text, encoding="utf-8")
    message = _refusal(path)
    assert message.startswith("not-a-mapping.yaml: ")
    assert problem in message


def test_it_refuses_a_slug_that_differs_from_the_file_name(tmp_path: Path) -> None:
    message = _refusal(_write(tmp_path, _real(CLASSKICK), "collaboration.yaml"))
    assert message == (
        "collaboration.yaml: slug: is 'classkick-collaboration' but the file is named 'collaboration'; "
        "name the file after its slug"
    )


def test_it_refuses_a_file_that_is_not_utf8_naming_the_line(tmp_path: Path) -> None:
    text = _real_text(CLASSKICK)
    line = text[: text.index("kind_label:")].count("\n") + 1
    raw = text.encode("utf-8").replace(b"kind_label: Certification challenge", b"kind_label: D\xe9fi", 1)
    path = tmp_path / f"{CLASSKICK}.yaml"
    path.write_bytes(raw)
    message = _refusal(path)
    assert message.startswith(f"{CLASSKICK}.yaml: line {line}: the file is not UTF-8 text (")
    assert message.endswith("save it as UTF-8")


THIRD_ISSUER = """\
# One file is all a new issuer writes: no code, no migration.
slug: lab-safety-briefing
title: Lab Safety Briefing
issuer:
  slug: harbor-science-network
  name: Harbor Science Network
  url: https://harbor-science.example/
  description: A network of science teachers sharing safe laboratory practice.
summary: Run a pre-lab safety briefing and show how students took it up.
grade_bands: [middle_school, high_school]
page_order: [competency_statement, submission, rubric]
competency_statement: The educator prepares students to work safely in the laboratory.
parts:
  - id: briefing
    title: Your briefing
    fields:
      - id: plan
        kind: text
        label: Briefing plan
        max_words: 300
rubric:
  levels:
    - {id: met, label: Met}
    - {id: not_met, label: Not met}
  passing_level: met
  criteria:
    - id: clarity
      part: briefing
      title: Clarity
      descriptors:
        met: Hazards and procedures are explained so students can act on them.
        not_met: Hazards or procedures are missing or unclear.
review_policy:
  seats: [{kind: any, count: 1}]
  pass_rule: all_reviewers_all_criteria
"""


@pytest.mark.django_db
def test_a_third_issuer_publishes_a_credential_by_writing_one_file(tmp_path: Path) -> None:
    (tmp_path / "lab-safety-briefing.yaml").write_text(THIRD_ISSUER, encoding="utf-8")
    results, errors = credentials_load_dir(tmp_path)
    assert errors == []
    assert [(r.slug, r.version, r.created) for r in results] == [("lab-safety-briefing", 1, True)]
    credential = Credential.objects.select_related("issuer", "current_version").get(slug="lab-safety-briefing")
    assert credential.title == "Lab Safety Briefing"
    assert credential.issuer.name == "Harbor Science Network"
    assert credential.grade_band_list() == ["middle_school", "high_school"]
    assert credential.is_published
    version = CredentialVersion.objects.get(credential=credential)
    assert credential.current_version == version
    assert version.spec.parts[0].fields[0].label == "Briefing plan"
    assert version.spec.review_policy.panel_size == 1


def test_a_self_evaluation_placed_after_a_missing_part_is_refused(tmp_path):
    import yaml as _yaml

    from catalog.loader import DefinitionError, definition_parse

    data = _yaml.safe_load((settings.CREDENTIALS_DIR / "classkick-collaboration.yaml").read_text())
    data["self_evaluation"]["after_part"] = "no_such_part"
    with pytest.raises(DefinitionError, match=r"self_evaluation\.after_part names part 'no_such_part'"):
        definition_parse(_yaml.safe_dump(data), source="classkick-collaboration.yaml")
