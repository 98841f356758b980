"""The two programs, as published: every requirement of their texts, checked against the loaded definitions.

The expected values are written out here on purpose (not read from the program texts), so that a
change to a credential file that drops or alters a requirement fails a test that names it.
"""

from __future__ import annotations

import pytest

from catalog.models import Credential
from catalog.schema import (
    ChecklistField,
    ChoiceField,
    CredentialDefinition,
    DateField,
    DatesBeforeCheck,
    EachOfCheck,
    FileField,
    LinkField,
    ListField,
    OneOfCheck,
    RecentCheck,
    ShortTextField,
    SubmissionField,
    TextField,
)
from tests.conftest import CLASSKICK, EDUCATORS_RISING

ALL_BANDS = ["primary", "intermediate", "middle_school", "high_school", "college"]


def _spec(credentials: dict[str, Credential], slug: str) -> CredentialDefinition:
    version = credentials[slug].current_version
    assert version is not None
    return version.spec


@pytest.fixture
def er(credentials: dict[str, Credential]) -> CredentialDefinition:
    return _spec(credentials, EDUCATORS_RISING)


@pytest.fixture
def ck(credentials: dict[str, Credential]) -> CredentialDefinition:
    return _spec(credentials, CLASSKICK)


def _field(spec: CredentialDefinition, ref: str) -> SubmissionField:
    found = spec.field_at(ref)
    assert found.id == ref.rsplit(".", 1)[-1]
    return found


def _flat(text: str | None) -> str:
    """Prose as one line, so a phrase is found whatever the file's line breaks."""
    return " ".join((text or "").split())


# ----- Educators Rising ---------------------------------------------------------------------------

LESSON_PLAN_ELEMENTS = [
    "A clear goal and objective",
    "Alignment to relevant learning standards",
    "Essential questions",
    "A clear progression of strategically selected activities in the lesson that will maximize engagement "
    "of all learners",
    "A plan to assess learners’ understanding of the content of the lesson",  # noqa: RUF001 - the program's apostrophe
    "A plan to collect relevant data from the lesson to make informed decisions on next steps",
]

THREE_INTERACTIONS = [
    "At least one conversation during planning with a peer or group of peers",
    "At least one conversation during planning with an expert or educator mentor",
    "At least one online interaction during planning with a professional network",
]

AGREEMENTS = [
    "Mutual agreement and engagement toward a common goal",
    "Creation of a positive environment of trust that encourages discussion and reciprocity",
    "Maintenance of open lines of communication that encourage specific, candid feedback",
    "Intentional listening and appropriate responsiveness to feedback given",
]

STRATEGIES = [
    "Provide respectful, constructive feedback.",
    "Be specific when offering suggestions or praise.",
    "Use credible, research-backed resources whenever possible to guide discussions.",
    "Stay focused on the topic or task at hand.",
    "Use appropriate speaking and listening skills.",
    "Ask for help when necessary, including revisiting aspects of the discussion if there is confusion.",
    "Value all suggestions.",
]

STANDARDS = [
    ("I", "Understanding the Profession"),
    ("II", "Learning About Students"),
    ("IV", "Engaging in Responsive Planning"),
    ("V", "Implementing Instruction"),
    ("VI", "Using Assessments and Data"),
    ("VII", "Engaging in Reflective Practice"),
]

REFLECTION_QUESTIONS = [
    "In what specific ways did the collaborative planning process you undertook improve your instruction? "
    "In what specific ways did it not?",
    "If you could go back and redo your collaborative planning process for this lesson, what would you do "
    "differently and why? What would you keep the same and why?",
    "Going forward, how do you specifically intend to use collaboration in your professional practice?",
]

PASS_RULE_TEXT = (
    "must earn a score of “Highly Skilled” or “Commendable” on all components of the Part 1, 2, and 3 rubrics"
)


def test_educators_rising_shows_its_sections_in_the_programs_order(er: CredentialDefinition) -> None:
    assert er.page_order == [
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
        "review_policy",
        "license",
    ]


def test_educators_rising_is_issued_by_educators_rising_with_its_competency_and_key_method(
    er: CredentialDefinition, credentials: dict[str, Credential]
) -> None:
    assert er.title == "Collaboration"
    assert er.issuer.name == "Educators Rising"
    assert credentials[EDUCATORS_RISING].issuer.name == "Educators Rising"
    assert _flat(er.competency_statement) == (
        "The rising educator strategically and successfully seeks out, synthesizes, and incorporates relevant "
        "ideas from other educators into his/her own instructional practice."
    )
    assert _flat(er.key_method) == (
        "Plan and deliver instruction that is informed by proactive efforts to gain effective ideas and new or "
        "challenging perspectives from colleagues and experts."
    )


def test_educators_rising_offers_graduate_credit_through_marked_demo_partners(er: CredentialDefinition) -> None:
    credit = er.graduate_credit
    assert credit.available
    assert "Graduate-level credit is available for this micro-credential." in _flat(credit.summary)
    assert 1 <= len(credit.partners) <= 2
    for partner in credit.partners:
        assert partner.draft, f"{partner.slug} is not in the program text, so it must be marked draft"
        assert partner.credits > 0
        assert partner.fee_usd >= 0
        assert "@" in partner.contact_email
        assert partner.contact_email.endswith(".example"), "a demo partner must not have a real address"


def test_educators_rising_explains_why_collaboration_is_essential(er: CredentialDefinition) -> None:
    [component] = er.method_components
    assert component.title == "Why is Collaboration Essential for Educators?"
    body = _flat(component.body)
    for phrase in [
        "Collaboration is a cross-cutting theme of Educators Rising Standards.",
        "Successful teaching is a team sport",
        "Collaboration requires patience, hard work, and humility",
        "Collaborative planning offers opportunities for peers, colleagues, and experts to refine ideas",
        "critical conversations virtually and in person about teaching practices",
    ]:
        assert phrase in body


def test_educators_rising_suggests_every_activity_of_the_program(er: CredentialDefinition) -> None:
    text = _flat(" ".join(section.body for section in er.suggested_activities))
    assert "planned at least one or two days in advance of its implementation" in text
    assert "deliver the lesson or learning experience in an authentic learning setting" in text
    for phrase in THREE_INTERACTIONS + AGREEMENTS + STRATEGIES:
        assert phrase in text, phrase
    assert "write first drafts of your Collaboration Narrative and Reflection Essay within a day of delivering" in text


def test_educators_rising_aligns_to_six_educators_rising_standards(
    er: CredentialDefinition, credentials: dict[str, Credential]
) -> None:
    assert er.standards is not None
    assert er.standards.framework == "Educators Rising Standards"
    assert [(a.code, a.title) for a in er.standards.alignments] == STANDARDS
    assert credentials[EDUCATORS_RISING].standard_code_list() == [code for code, _ in STANDARDS]


def test_educators_rising_lists_its_research_and_resources_without_invented_addresses(
    er: CredentialDefinition,
) -> None:
    items = [item for group in er.resources for item in group.items]
    citations = [item.citation or "" for item in items if item.kind == "citation"]
    assert len(citations) == 2
    assert citations[0].startswith("Musanti, S., and Pence, L. (2010). Collaboration and teacher development")
    assert citations[1].startswith("Rigelman, N. M., and Ruben, B. (2012). Creating foundations for collaboration")
    assert "Teaching and Teacher Education, 28(7), 979-989." in _flat(citations[1])
    videos = [item.title for item in items if item.kind == "video"]
    assert videos == [
        "Video 4: “Innovations in Professional Collaboration: Making Teaching Public.”",
        "Video 5: “Innovations in Professional Collaboration: A Community of Learners.”",
    ]
    websites = [item.title for item in items if item.kind == "website"]
    assert websites == [
        "Critical Issues in School Reform, Annenberg Learner",
        "What Are Best Practices for Designing Group Projects?",
        "Sharing Feedback: Strategies to Support Collaborative Conversations",
    ]
    assert all(item.url is None for item in items), "the program text gives no addresses"


def test_educators_rising_announces_sample_materials_with_a_note(er: CredentialDefinition) -> None:
    assert [group.title for group in er.sample_materials] == [
        "Sample Unit and Lesson Plans",
        "Sample Videos of Skilled Teaching in Action",
    ]
    for group in er.sample_materials:
        assert group.items == []
        assert group.note


def test_educators_rising_submission_has_the_programs_three_parts(er: CredentialDefinition) -> None:
    assert [(p.id, p.title) for p in er.parts] == [
        ("overview", "Part 1. Overview Questions"),
        ("artifacts", "Part 2. Artifacts"),
        ("reflection", "Part 3: Reflection"),
    ]
    assert not any(p.optional for p in er.parts)
    assert "Complete the questionnaire" in _flat(er.parts[0].intro)
    assert PASS_RULE_TEXT in _flat(er.submission_intro)


def test_educators_rising_overview_asks_for_the_instructional_context_as_platform_drafts(
    er: CredentialDefinition,
) -> None:
    fields = {f.id: f for f in er.parts[0].fields}
    for expected in ["grade_band", "grade_level", "subject", "setting", "learner_count", "learner_needs"]:
        assert expected in fields
        assert fields[expected].required
    assert all(f.draft for f in fields.values()), "the program's questionnaire is not in its text"
    band = fields["grade_band"]
    assert isinstance(band, ChoiceField)
    assert [o.id for o in band.options] == er.grade_bands
    learner_count = fields["learner_count"]
    assert isinstance(learner_count, ShortTextField)
    assert learner_count.pattern


def test_educators_rising_lesson_plan_is_text_with_an_optional_file_and_the_six_elements(
    er: CredentialDefinition,
) -> None:
    plan = _field(er, "artifacts.lesson_plan")
    assert isinstance(plan, TextField)
    assert plan.required
    assert "Submit the fully developed lesson plan that you created." in _flat(plan.guidance)
    upload = _field(er, "artifacts.lesson_plan_file")
    assert isinstance(upload, FileField)
    assert not upload.required
    elements = _field(er, "artifacts.lesson_plan_elements")
    assert isinstance(elements, ChecklistField)
    assert elements.require_all
    assert [_flat(item.label) for item in elements.items] == LESSON_PLAN_ELEMENTS


def test_educators_rising_narrative_is_limited_to_500_words_with_its_prompts(er: CredentialDefinition) -> None:
    narrative = _field(er, "artifacts.narrative")
    assert isinstance(narrative, TextField)
    assert narrative.label == "Collaborative Narrative"
    assert narrative.max_words == 500
    guidance = _flat(narrative.guidance)
    for phrase in THREE_INTERACTIONS:
        assert phrase in guidance
    assert [_flat(prompt) for prompt in narrative.prompts] == [
        "Your collaborative processes (with whom, in what format, what frequency, etc.) for crafting the lesson plan",
        "Specific ideas that emerged from your collaborative efforts and how/why those ideas are represented in the "
        "final lesson plan",
    ]


def test_educators_rising_keeps_a_dated_planning_log_of_the_three_kinds_of_interaction(
    er: CredentialDefinition,
) -> None:
    log = _field(er, "artifacts.planning_log")
    assert isinstance(log, ListField)
    assert log.min_items >= 3
    items = {f.id: f for f in log.item_fields}
    assert list(items) == ["held_on", "kind", "with_whom", "with_whom_name", "format", "ideas", "used_in_lesson"]
    assert isinstance(items["held_on"], DateField)
    kind = items["kind"]
    assert isinstance(kind, ChoiceField)
    assert [(o.id, o.label) for o in kind.options] == [
        ("peer", "A peer or group of peers"),
        ("expert", "An expert or educator mentor"),
        ("online_network", "A professional network (online)"),
    ]
    assert items["with_whom"].required
    assert not items["with_whom_name"].required
    fmt = items["format"]
    assert isinstance(fmt, ChoiceField)
    assert [o.id for o in fmt.options] == ["in_person", "virtual", "online_network"]
    assert isinstance(items["ideas"], TextField)
    used = items["used_in_lesson"]
    assert isinstance(used, ChoiceField)
    assert len(used.options) >= 2
    assert isinstance(_field(er, "artifacts.delivered_on"), DateField)


def test_educators_rising_reflection_is_a_500_word_essay_on_the_three_questions(er: CredentialDefinition) -> None:
    [essay] = er.parts[2].fields
    assert isinstance(essay, TextField)
    assert essay.max_words == 500
    assert [_flat(prompt) for prompt in essay.prompts] == REFLECTION_QUESTIONS


def test_educators_rising_checks_the_interactions_and_their_timing(er: CredentialDefinition) -> None:
    [each] = [c for c in er.checks if isinstance(c, EachOfCheck)]
    assert (each.field, each.item, each.values, each.severity) == (
        "artifacts.planning_log",
        "kind",
        ["peer", "expert", "online_network"],
        "blocking",
    )
    before = {c.which: c for c in er.checks if isinstance(c, DatesBeforeCheck)}
    assert before["all"].field == before["earliest"].field == "artifacts.planning_log.held_on"
    assert before["all"].before == before["earliest"].before == "artifacts.delivered_on"
    assert before["earliest"].days >= 1
    # Planning after the delivery cannot be right; "should be planned at least one or two days in advance"
    # is the program's advice, so only that one is advisory.
    assert (before["all"].severity, before["earliest"].severity) == ("blocking", "advisory")
    # Both dates record what has happened: the educator delivers the lesson, then writes.
    for ref in ("artifacts.delivered_on", "artifacts.planning_log.held_on"):
        dated = _field(er, ref)
        assert isinstance(dated, DateField)
        assert dated.not_after == "today", ref
    # The checks are the platform's way of stating the program's prose: each is marked a draft.
    assert all(check.draft for check in er.checks)
    recent = {c.field: c for c in er.checks if isinstance(c, RecentCheck)}
    narrative = recent["artifacts.narrative"]
    assert (narrative.after, narrative.days, narrative.severity) == ("artifacts.delivered_on", 1, "advisory")


def test_educators_rising_rubric_passes_commendable_and_above_on_every_component(
    er: CredentialDefinition,
) -> None:
    rubric = er.rubric
    assert [(level.id, level.label, level.draft) for level in rubric.levels] == [
        ("highly_skilled", "Highly Skilled", False),
        ("commendable", "Commendable", False),
        ("developing", "Developing", True),
        ("not_yet_evident", "Not Yet Evident", True),
    ]
    assert rubric.passing_level == "commendable"
    assert rubric.passing_levels() == ["highly_skilled", "commendable"]
    assert PASS_RULE_TEXT in _flat(rubric.note)
    by_part = {part.id: [c.id for c in er.part_criteria(part.id)] for part in er.parts}
    assert by_part["overview"]
    assert by_part["reflection"]
    artifacts = set(by_part["artifacts"])
    assert {"goal_and_standards", "questions_and_activities", "assessment_and_data"} <= artifacts
    assert {"collaborative_process", "ideas_in_the_plan"} <= artifacts
    for criterion in rubric.criteria:
        assert criterion.part is not None
        assert criterion.draft, f"{criterion.id}: the program's scoring guide is not in its text"
        assert list(criterion.descriptors) == [level.id for level in rubric.levels]


def test_educators_rising_is_judged_by_two_assessors_and_a_lead_when_they_disagree(
    er: CredentialDefinition,
) -> None:
    policy = er.review_policy
    assert policy.draft
    assert policy.blind
    assert [(s.kind, s.count) for s in policy.seats] in ([("any", 2)], [("issuer_staff", 2)])
    assert policy.panel_size == 2
    assert policy.pass_rule == "all_criteria_adjudicated"
    assert policy.adjudication is not None
    assert policy.adjudication.seat.count == 1
    # The lead seat takes only someone Educators Rising made its lead assessor, not any of its staff.
    assert (policy.adjudication.seat.kind, policy.adjudication.seat.title) == ("lead_assessor", "Lead assessor")
    assert policy.adjudication.rule == "lead_decides"
    assert policy.attempt_limit == 3
    assert policy.calibration.required
    assert policy.calibration.agreement == 0.8
    assert PASS_RULE_TEXT in _flat(policy.description)
    assert "encouraged to reflect on where the submission fell short" in _flat(policy.feedback)
    assert "resubmit" in _flat(policy.feedback)


def test_educators_rising_has_no_self_evaluation(er: CredentialDefinition) -> None:
    assert not er.self_evaluation.enabled
    assert "self_evaluation" not in er.page_order


def test_educators_rising_is_licensed_cc_by_nc_nd(er: CredentialDefinition) -> None:
    assert er.license is not None
    assert er.license.name == (
        "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International (CC BY-NC-ND 4.0)"
    )
    assert er.license.spdx == "CC-BY-NC-ND-4.0"
    assert str(er.license.url) == "https://creativecommons.org/licenses/by-nc-nd/4.0/"
    assert "Educators Rising" in (er.license.attribution or "")


def test_educators_rising_is_offered_for_the_k12_grade_bands(
    er: CredentialDefinition, credentials: dict[str, Credential]
) -> None:
    assert er.grade_bands == ["primary", "intermediate", "middle_school", "high_school"]
    assert credentials[EDUCATORS_RISING].grade_band_list() == er.grade_bands


# ----- Classkick ----------------------------------------------------------------------------------

DEFINITIONS = {
    "implementation": (
        "Creating time to collaborate with other educators leveraging resources, ideas, learning opportunities "
        "and helping students make connections."
    ),
    "balance": (
        "Scheduled time for collaborative planning with multiple educators participating encouraging innovation "
        "based on understanding students."
    ),
    "analysis": (
        "Purposefully considering student data from collaborative efforts when making future decisions to bring "
        "topics to the team."
    ),
}

CK_REFLECTION_QUESTIONS = [
    "What went well and why?",
    "What could have gone better and why?",
    "What do I want to remember for the future?",
]


def test_classkick_shows_its_sections_in_the_programs_order(ck: CredentialDefinition) -> None:
    assert ck.page_order == [
        "introduction",
        "submission",
        "self_evaluation",
        "rubric",
        "resources",
        "sample_materials",
        "review_policy",
        "notes",
        "license",
    ]


def test_classkick_is_a_certification_challenge_by_classkick(
    ck: CredentialDefinition, credentials: dict[str, Credential]
) -> None:
    assert ck.title == "Collaboration"
    assert ck.kind_label == "Certification challenge"
    assert ck.issuer.name == "Classkick"
    assert credentials[CLASSKICK].issuer.name == "Classkick"


def test_classkick_introduces_the_challenge_with_the_math_gains_quote(ck: CredentialDefinition) -> None:
    text = _flat(" ".join(section.body for section in ck.introduction))
    assert "Collaboration amongst teachers results in higher student achievement." in text
    assert "higher gains in math when their teachers report" in text
    assert "a feeling of trust or closeness among teachers" in text
    assert "demonstrating how they planned assignments, co-taught, or graded student work together" in text
    assert "how collaborating improved student performance" in text


def test_classkick_first_step_chooses_one_of_four_methods_and_the_grade_band(ck: CredentialDefinition) -> None:
    first = ck.parts[0]
    method = _field(ck, f"{first.id}.method")
    assert isinstance(method, ChoiceField)
    assert method.required
    assert not method.multiple
    assert [o.label for o in method.options] == ["Sharing goals", "Classroom instruction", "Feedback", "Evaluation"]
    band = _field(ck, f"{first.id}.grade_band")
    assert isinstance(band, ChoiceField)
    assert band.required
    assert not band.multiple
    assert [o.id for o in band.options] == ALL_BANDS
    intro = _flat(first.intro)
    for definition in DEFINITIONS.values():
        assert definition in intro


def test_classkick_form_asks_for_the_six_items_and_the_evidence_files_in_order(ck: CredentialDefinition) -> None:
    evidence = ck.parts[1]
    assert [f.label for f in evidence.fields] == [
        "Class Code(s) (if applicable)",
        "Explanation/Evidence of Collaboration",
        "Evidence of collaboration: lessons, rosters or grades",
        "Implementation",
        "Balance",
        "Analysis",
        "Any other information that is valuable to understanding the collaboration method",
    ]
    codes = _field(ck, "evidence.class_codes")
    assert isinstance(codes, ShortTextField)
    assert codes.multiple
    assert not codes.required
    assert _field(ck, "evidence.explanation").required
    assert not _field(ck, "evidence.other_information").required


def test_classkick_implementation_balance_and_analysis_carry_the_programs_definitions(
    ck: CredentialDefinition,
) -> None:
    for field_id, definition in DEFINITIONS.items():
        field = _field(ck, f"evidence.{field_id}")
        assert isinstance(field, TextField)
        assert field.required
        assert _flat(field.guidance) == definition


def test_classkick_evidence_files_are_lessons_rosters_or_grades_marked_as_student_data(
    ck: CredentialDefinition,
) -> None:
    files = _field(ck, "evidence.evidence_files")
    assert isinstance(files, FileField)
    assert files.required
    assert files.accept == ["pdf", "docx", "xlsx", "csv", "image"]
    assert files.contains_student_data
    assert "Remove or cover students' names" in _flat(files.guidance)


def test_classkick_asks_for_a_self_evaluation_on_the_rubric(ck: CredentialDefinition) -> None:
    assert ck.self_evaluation.enabled
    assert ck.self_evaluation.justification == "required"
    assert "Complete and submit your own Self-Evaluation in the rubric provided below" in _flat(
        ck.self_evaluation.instructions
    )


def test_classkick_reflection_is_optional_as_text_audio_or_video(ck: CredentialDefinition) -> None:
    reflection = ck.parts[-1]
    assert reflection.optional
    text, audio, video = reflection.fields
    assert isinstance(text, TextField)
    assert text.prompts == CK_REFLECTION_QUESTIONS
    assert isinstance(audio, FileField)
    assert audio.accept == ["audio"]
    assert isinstance(video, LinkField)
    assert video.media == "video"
    assert not any(f.required for f in reflection.fields)
    [check] = [c for c in ck.checks if isinstance(c, OneOfCheck)]
    assert check.fields == [f"{reflection.id}.{f.id}" for f in reflection.fields]
    assert check.only_if_any


def test_classkick_keeps_the_optional_reflection_explanation(ck: CredentialDefinition) -> None:
    [note] = ck.notes
    assert note.title == "Optional Reflection"
    body = _flat(note.body)
    assert body.startswith("Teaching is a high-pressure, fast-paced and highly responsive vocation.")
    assert "there is a growing body of evidence that teacher reflection results in improved teacher quality" in body
    for question in CK_REFLECTION_QUESTIONS:
        assert question in body
    assert "whatever works best for you!" in body
    assert body.endswith("release the highs and lows from a Classkick Certification challenge.")


def test_classkick_lists_its_four_resources_and_examples_without_invented_addresses(
    ck: CredentialDefinition,
) -> None:
    items = [item for group in ck.resources for item in group.items]
    assert [item.title for item in items] == [
        "Video on collaborative teaching for interdisciplinary learning",
        "Blog post on sharing Classkick assignments with other educators",
        "An Algebra Team discussing Teacher Collaboration",
        "The Missing Link in School Reform",
    ]
    assert all(item.url is None for item in items)
    [examples] = ck.sample_materials
    assert examples.title == "Classkick Certified Educator Examples"
    assert examples.items == []
    assert examples.note


def test_classkick_rubric_has_four_levels_and_passes_accomplished(ck: CredentialDefinition) -> None:
    rubric = ck.rubric
    assert [level.label for level in rubric.levels] == ["Exemplary", "Accomplished", "Developing", "Beginning"]
    assert not any(level.draft for level in rubric.levels)
    assert rubric.passing_level == "accomplished"
    assert rubric.passing_levels() == ["exemplary", "accomplished"]
    titles = [c.title for c in rubric.criteria]
    assert titles[:3] == ["Implementation", "Balance", "Analysis"]
    for criterion in rubric.criteria:
        assert criterion.draft, f"{criterion.id}: the descriptors are the platform's"
        assert list(criterion.descriptors) == ["exemplary", "accomplished", "developing", "beginning"]
    for criterion in rubric.criteria[:3]:
        assert _flat(criterion.description) == DEFINITIONS[criterion.id]


def test_classkick_is_judged_by_two_staff_and_two_grade_band_mentors_who_must_all_agree(
    ck: CredentialDefinition,
) -> None:
    policy = ck.review_policy
    assert [(s.kind, s.count, s.match_grade_band, s.title) for s in policy.seats] == [
        ("issuer_staff", 2, False, "Formal educator on the Classkick Team"),
        ("mentor", 2, True, "Grade-band Classkick Mentor"),
    ]
    assert policy.panel_size == 4
    assert policy.pass_rule == "all_reviewers_all_criteria"
    assert policy.adjudication is None
    assert policy.blind
    description = _flat(policy.description)
    assert "four independent evaluators" in description
    assert 'All four evaluators must deem each rubric element to be "Exemplary" or "Accomplished"' in description
    feedback = _flat(policy.feedback)
    assert "detailed feedback will be provided including reasoning and suggestions for improvement" in feedback


def test_classkick_is_offered_for_all_five_grade_bands(
    ck: CredentialDefinition, credentials: dict[str, Credential]
) -> None:
    assert ck.grade_bands == ALL_BANDS
    assert credentials[CLASSKICK].grade_band_list() == ALL_BANDS


def test_classkick_licence_is_marked_for_the_issuer_to_confirm(ck: CredentialDefinition) -> None:
    assert ck.license is not None
    assert "Classkick" in ck.license.name
    assert "confirm" in ck.license.name
    assert ck.license.url is None


# ----- both ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", [CLASSKICK, EDUCATORS_RISING])
def test_each_program_names_its_grade_band_field_the_same_in_its_first_part(
    credentials: dict[str, Credential], slug: str
) -> None:
    spec = _spec(credentials, slug)
    band = spec.grade_band_field()
    assert band is not None
    assert band in spec.parts[0].fields
    assert isinstance(band, ChoiceField)
    assert band.required


@pytest.mark.parametrize("slug", [CLASSKICK, EDUCATORS_RISING])
def test_each_program_loads_as_version_one_with_its_file_as_source(
    credentials: dict[str, Credential], slug: str
) -> None:
    version = credentials[slug].current_version
    assert version is not None
    assert version.number == 1
    assert version.source_name == f"{slug}.yaml"
    assert len(version.content_hash) == 64
