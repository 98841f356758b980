"""The educator's submission pages, without JavaScript: start, every step of both programs, saving, conflicts,
lists, evidence, the completeness check, submit, attempts, withdraw, the dashboard and who may see what."""

from __future__ import annotations

import re
from datetime import UTC
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.html import escape

from accounts.models import User
from catalog.models import Credential
from catalog.schema import ChoiceField, FileField, ListField, TextField
from core.models import AuditEvent
from pages.submissions.steps import field_id, steps_for
from pages.submissions.widgets import STUDENT_DATA_REMINDER
from submissions.models import Attempt, AttemptStatus, Draft, Evidence, Status, Submission
from submissions.services import attempt_transition, submission_start
from tests.conftest import CLASSKICK, EDUCATORS_RISING
from tests.submissions import files
from tests.submissions.helpers import answers_for, history, ratings_for, required_uploads, save, upload, words
from workflow.services import attempt_submit


class FormReader(HTMLParser):
    """What a browser would post from the step form: every control's current value (the hidden revision,
    fingerprints and entry ids included), leaving out the <template> for new list entries."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self.hidden: dict[str, str] = {}
        self._template = 0
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "template":
            self._template += 1
        if self._template or "name" not in a or a["name"] in ("csrfmiddlewaretoken", "action", "conflicted"):
            return
        if tag == "textarea":
            self._textarea, self._text = a["name"], ""
        elif tag == "input":
            kind = a.get("type", "text")
            if kind == "hidden":
                self.hidden[a["name"]] = a.get("value", "")
            elif kind in ("radio", "checkbox"):
                self.values.setdefault(a["name"], [])
                if "checked" in a:
                    self.values[a["name"]].append(a.get("value", ""))
            elif kind != "file":
                self.values.setdefault(a["name"], []).append(a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._template -= 1
        if tag == "textarea" and self._textarea is not None:
            # The parser drops the one newline that follows <textarea>, as a browser does.
            self.values[self._textarea] = [self._text[1:] if self._text.startswith("\n") else self._text]
            self._textarea = None


def hidden_inputs(html: str) -> dict[str, str]:
    reader = FormReader()
    reader.feed(html)
    return reader.hidden


def form_values(html: str) -> dict[str, Any]:
    reader = FormReader()
    reader.feed(html)
    return {**reader.hidden, **{k: v for k, v in reader.values.items() if v}}


def open_step(client: Client, url: str) -> tuple[str, dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    return html, hidden_inputs(html)


def post_step(client: Client, url: str, values: dict[str, Any], *, action: str = "save", **extra: Any) -> Any:
    """Post a step as the browser would: what the page shows, with the educator's changes laid over it."""
    response = client.get(url)
    assert response.status_code == 200, url
    return client.post(url, {**form_values(response.content.decode()), **values, "action": action}, **extra)


def text_of(response: Any) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def part_url(submission: Submission, part: str) -> str:
    return reverse("submissions:part", args=[submission.pk, part])


@pytest.fixture
def signed_in(client: Client, educator: User) -> Client:
    client.force_login(educator)
    return client


@pytest.fixture
def ck_draft(educator: User, classkick: Credential) -> Submission:
    return submission_start(educator=educator, credential=classkick)[0]


@pytest.fixture
def er_draft(educator: User, educators_rising: Credential) -> Submission:
    return submission_start(educator=educator, credential=educators_rising)[0]


def complete(submission: Submission, educator: User) -> None:
    definition = submission.version.spec
    save(submission, educator, answers_for(definition), ratings_for(definition) or None)
    for ref, name, content in required_uploads(definition):
        upload(submission, educator, ref, name, content)


# ----- start ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "button", "first"),
    [
        (CLASSKICK, "Start this certification challenge", "1. Choose your method of collaboration"),
        (EDUCATORS_RISING, "Start this micro-credential", "Part 1. Overview Questions"),
    ],
)
def test_starting_from_the_credential_page_creates_a_draft_and_opens_step_one(
    signed_in, educator, credentials, slug, button, first
):
    page = signed_in.get(reverse("catalog:detail", args=[slug])).content.decode()
    assert f'action="{reverse("submissions:start", args=[slug])}"' in page
    assert button in page
    response = signed_in.post(reverse("submissions:start", args=[slug]), follow=True)
    submission = Submission.objects.get(educator=educator)
    assert response.redirect_chain[-1][0] == reverse(
        "submissions:part", args=[submission.pk, submission.version.spec.parts[0].id]
    )
    assert f"Step 1 of {len(steps_for(submission))} {first}" in text_of(response)
    assert submission.credential.slug == slug
    assert submission.status == Status.STARTED


def test_with_a_draft_open_the_credential_page_continues_it_at_the_step_last_opened(signed_in, ck_draft):
    signed_in.get(reverse("submissions:self_evaluation", args=[ck_draft.pk]))
    page = signed_in.get(reverse("catalog:detail", args=[CLASSKICK])).content.decode()
    resume = reverse("submissions:resume", args=[ck_draft.pk])
    assert f'<a class="button" href="{resume}">Continue your draft</a>' in page
    assert f'action="{reverse("submissions:start", args=[CLASSKICK])}"' not in page
    assert signed_in.get(resume)["Location"] == reverse("submissions:self_evaluation", args=[ck_draft.pk])


def test_a_second_start_while_a_draft_is_open_is_refused_with_a_link_to_it(signed_in, ck_draft):
    # A stale page or a double click: nothing new is made, and the refusal leads to the open draft.
    response = signed_in.post(reverse("submissions:start", args=[CLASSKICK]))
    assert response.status_code == 409
    assert "You already have a submission in progress for “Collaboration” by Classkick: continue it" in text_of(
        response
    )
    assert f'href="{reverse("submissions:resume", args=[ck_draft.pk])}">Continue your draft</a>' in (
        response.content.decode()
    )
    assert Submission.objects.count() == 1


def test_an_anonymous_visitor_signs_in_first_and_comes_back_to_the_credential(client, credentials):
    page = client.get(reverse("catalog:detail", args=[CLASSKICK])).content.decode()
    detail = reverse("catalog:detail", args=[CLASSKICK])
    assert f'href="{reverse("accounts:login")}?next={detail}"' in page
    assert "Sign in to start this certification challenge" in page
    response = client.post(reverse("submissions:start", args=[CLASSKICK]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    assert not Submission.objects.exists()


def test_opening_the_start_address_after_signing_in_goes_back_to_the_credential_page(signed_in, credentials):
    # A GET must not start anything: the login form's `next` lands here, and the button is on the page.
    response = signed_in.get(reverse("submissions:start", args=[CLASSKICK]))
    assert response["Location"] == reverse("catalog:detail", args=[CLASSKICK])
    assert not Submission.objects.exists()


def test_starting_an_unknown_credential_is_404(signed_in, credentials):
    assert signed_in.post(reverse("submissions:start", args=["no-such-credential"])).status_code == 404


# ----- every step is drawn from the definition -------------------------------------------------------------


@pytest.mark.parametrize("slug", [CLASSKICK, EDUCATORS_RISING])
def test_each_step_renders_every_field_of_the_definition_in_the_programs_words(signed_in, educator, credentials, slug):
    submission, _ = submission_start(educator=educator, credential=credentials[slug])
    definition = submission.version.spec
    steps = steps_for(submission)
    for step in steps:
        if step.part is None:
            continue
        html, hidden = open_step(signed_in, step.url)
        assert f"Step {step.number} of {len(steps)}" in html
        assert f'href="{step.url}" data-step-link aria-current="step"' in html
        assert html.count('aria-current="step"') == 1
        for spec in step.part.fields:
            ref = f"{step.part.id}.{spec.id}"
            assert f'id="{field_id(ref)}"' in html, ref
            assert escape(spec.label) in html, ref
            for prompt in spec.prompts:
                assert escape(prompt) in html, prompt
            if isinstance(spec, TextField) and spec.max_words:
                assert f"0 / {spec.max_words} words" in html
            if isinstance(spec, ChoiceField):
                for option in spec.options:
                    assert escape(option.label) in html
            if isinstance(spec, FileField):
                assert f"Up to {spec.max_size_mb:g} MB each" in html
                assert f'name="{ref}"' in html
                assert 'type="file"' in html
            if isinstance(spec, ListField):
                for item in spec.item_fields:
                    assert f'id="f-{step.part.id}-{spec.id}-1-{item.id}"' in html, item.id
                assert f"{escape(spec.item_label)} {max(spec.min_items, 1)}</legend>" in html
                assert f"Add another {spec.item_label.lower()}" in html
            if not isinstance(spec, FileField):
                assert f"_digest.{ref}" in hidden
        student_data = [f for f in step.part.fields if getattr(f, "contains_student_data", False)]
        assert html.count(STUDENT_DATA_REMINDER) == len(student_data)
        criteria = definition.part_criteria(step.part.id)
        if criteria:
            assert '<details class="rubric-disclosure">' in html
            for criterion in criteria:
                assert escape(criterion.title) in html
                for descriptor in criterion.descriptors.values():
                    assert escape(descriptor.split()[0]) in html


def test_the_self_evaluation_step_offers_every_criterion_with_its_level_descriptors(signed_in, ck_draft):
    definition = ck_draft.version.spec
    html, hidden = open_step(signed_in, reverse("submissions:self_evaluation", args=[ck_draft.pk]))
    assert "Step 3 of 5" in html  # the program's own step 3, before the optional reflection
    for criterion in definition.rubric.criteria:
        assert f'<legend class="rating-legend">{escape(criterion.title)}</legend>' in html
        for level in definition.rubric.levels:
            assert f'name="se.{criterion.id}.level" value="{level.id}"' in html
        assert f'name="se.{criterion.id}.justification"' in html
        assert f"_digest.se.{criterion.id}" in hidden
    assert "0 / 150 words" in html


def test_the_self_evaluation_comes_where_the_program_puts_it(ck_draft):
    # Classkick's text: 1. method, 2. the evidence form, 3. self-evaluation, 4. the optional reflection.
    keys = [step.key for step in steps_for(ck_draft)]
    assert keys == ["method", "evidence", "self-evaluation", "reflection", "summary"]


def test_a_credential_without_self_evaluation_has_no_such_step(signed_in, er_draft):
    assert [s.key for s in steps_for(er_draft)] == ["overview", "artifacts", "reflection", "summary"]
    assert signed_in.get(reverse("submissions:self_evaluation", args=[er_draft.pk])).status_code == 404
    assert signed_in.get(part_url(er_draft, "no_such_part")).status_code == 404


# ----- saving without JavaScript ----------------------------------------------------------------------------


def test_saving_a_step_stores_every_kind_of_value_and_goes_on(signed_in, er_draft):
    url = part_url(er_draft, "artifacts")
    response = post_step(
        signed_in,
        url,
        {
            "artifacts.lesson_plan": "Goal: fractions.\r\nStandards: 4.NF.",
            "artifacts.lesson_plan_elements": ["goal_objective", "essential_questions"],
            "artifacts.delivered_on": "2025-03-10",
            "artifacts.planning_log.1.held_on": "2025-03-03",
            "artifacts.planning_log.1.kind": "peer",
            "artifacts.planning_log.1.with_whom": "My grade team",
            "artifacts.planning_log.1.ideas": "Use fraction walls",
            "artifacts.planning_log.2.kind": "expert",
        },
        action="next",
    )
    assert response.status_code == 302
    assert response["Location"] == part_url(er_draft, "reflection")
    draft = Draft.objects.get(pk=er_draft.pk)
    saved = draft.responses["artifacts"]
    assert saved["lesson_plan"] == "Goal: fractions.\nStandards: 4.NF."
    assert saved["lesson_plan_elements"] == ["goal_objective", "essential_questions"]
    assert saved["delivered_on"] == "2025-03-10"
    log = saved["planning_log"]
    assert [(e.get("kind"), e.get("with_whom")) for e in log] == [("peer", "My grade team"), ("expert", None)]
    assert all(e["id"] for e in log)  # a blank third entry shown on the page is not stored
    html, _ = open_step(signed_in, url)
    assert "Planning interaction 3</legend>" in html  # padded back to the three the definition asks for
    assert (
        '<input type="checkbox" id="f-artifacts-lesson_plan_elements" name="artifacts.lesson_plan_elements" '
        'value="goal_objective" checked>' in html
    )


def test_save_stays_on_the_step_and_says_so(signed_in, ck_draft):
    url = part_url(ck_draft, "method")
    response = post_step(signed_in, url, {"method.method": "feedback", "method.grade_band": "college"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "Step 1 is saved." in text_of(response)
    assert Draft.objects.get(pk=ck_draft.pk).responses == {"method": {"method": "feedback", "grade_band": "college"}}


def test_a_field_left_alone_is_not_sent_so_another_tabs_change_to_it_stands(signed_in, educator, ck_draft):
    url = part_url(ck_draft, "evidence")
    _, hidden = open_step(signed_in, url)  # this tab opens the step at revision 0
    save(ck_draft, educator, {"evidence.balance": "Written in another tab."})
    response = signed_in.post(
        url, {**hidden, "evidence.explanation": "Written here.", "evidence.balance": "", "action": "save"}
    )
    assert response.status_code == 302
    saved = Draft.objects.get(pk=ck_draft.pk).responses["evidence"]
    assert saved == {"balance": "Written in another tab.", "explanation": "Written here."}


def test_a_bad_value_is_refused_naming_the_field_and_what_was_typed_is_kept(signed_in, er_draft):
    url = part_url(er_draft, "overview")
    response = post_step(signed_in, url, {"overview.learner_count": "ten", "overview.subject": "Mathematics"})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'role="alert"' in page
    assert (
        '<a href="#f-overview-learner_count">Number of learners: &#x27;ten&#x27; is not in the expected form; '
        "use A whole number, such as 24.</a>" in page
    )
    assert 'value="ten"' in page
    assert 'value="Mathematics"' in page
    assert 'aria-invalid="true"' in page
    assert Draft.objects.get(pk=er_draft.pk).revision == 0  # nothing was half-saved


def test_an_error_inside_a_list_entry_links_to_that_entry(signed_in, er_draft):
    url = part_url(er_draft, "artifacts")
    response = post_step(
        signed_in,
        url,
        {
            "artifacts.planning_log.1.held_on": "2025-03-03",
            "artifacts.planning_log.2.held_on": "2025-02-30",
        },
    )
    assert response.status_code == 422
    assert (
        '<a href="#f-artifacts-planning_log-2-held_on">Planning log, entry 2: Date: 2025-02-30 is not a real date</a>'
        in response.content.decode()
    )


def test_a_list_entry_is_added_and_removed_without_javascript(signed_in, er_draft):
    url = part_url(er_draft, "artifacts")
    post_step(signed_in, url, {f"artifacts.planning_log.{n}.with_whom": f"Person {n}" for n in (1, 2, 3)})
    response = post_step(signed_in, url, {}, action="add_entry:artifacts.planning_log")
    assert response["Location"] == f"{url}#f-artifacts-planning_log"
    log = Draft.objects.get(pk=er_draft.pk).responses["artifacts"]["planning_log"]
    assert [e.get("with_whom") for e in log] == ["Person 1", "Person 2", "Person 3", None]
    html, _ = open_step(signed_in, url)
    assert "Planning interaction 4</legend>" in html
    assert "Remove planning interaction 4" in html
    # Entry 2 emptied on the page and entry 3 removed: the number on the button is the one on the page.
    response = post_step(
        signed_in, url, {"artifacts.planning_log.2.with_whom": ""}, action="remove_entry:artifacts.planning_log:3"
    )
    assert response.status_code == 302
    log = Draft.objects.get(pk=er_draft.pk).responses["artifacts"]["planning_log"]
    assert [e.get("with_whom") for e in log] == ["Person 1", None, None]


def test_evidence_is_uploaded_checked_by_content_and_removed_without_javascript(signed_in, ck_draft):
    url = part_url(ck_draft, "evidence")
    _, hidden = open_step(signed_in, url)
    pdf = files.pdf()
    response = signed_in.post(
        url,
        {
            **hidden,
            "action": "save",
            "evidence.evidence_files": SimpleUploadedFile("roster.pdf", pdf),
            "student_data.evidence.evidence_files": "no",
        },
    )
    assert response.status_code == 302
    item = Evidence.objects.get(submission=ck_draft)
    assert (item.original_name, item.detected_type, item.field_ref) == ("roster.pdf", "pdf", "evidence.evidence_files")
    html, hidden = open_step(signed_in, url)
    assert f'href="{reverse("submissions:evidence", args=[item.pk])}">roster.pdf</a>' in html
    assert 'Remove<span class="visually-hidden"> roster.pdf</span>' in html

    renamed = SimpleUploadedFile("grades.pdf", files.windows_exe())
    response = signed_in.post(url, {**hidden, "action": "save", "evidence.evidence_files": renamed})
    assert response.status_code == 422
    page = text_of(response)
    assert "Evidence of collaboration: lessons, rosters or grades: grades.pdf was not accepted" in page
    assert Evidence.objects.filter(submission=ck_draft).count() == 1

    response = signed_in.post(url, {**hidden, "action": f"remove_evidence:{item.pk}"}, follow=True)
    assert "roster.pdf is removed." in text_of(response)
    assert not Evidence.objects.filter(submission=ck_draft).exists()


def test_a_refused_file_does_not_stop_the_answers_posted_with_it_from_saving(signed_in, ck_draft):
    url = part_url(ck_draft, "evidence")
    page = signed_in.get(url).content.decode()
    script = SimpleUploadedFile("notes.pdf", b"#!/bin/sh\nrm -rf /\n")
    response = signed_in.post(
        url,
        {
            **form_values(page),
            "evidence.explanation": "Saved despite the bad file.",
            "action": "save",
            "evidence.evidence_files": script,
        },
    )
    assert response.status_code == 422
    assert "notes.pdf was not accepted" in text_of(response)
    draft = Draft.objects.get(pk=ck_draft.pk)
    assert draft.responses["evidence"]["explanation"] == "Saved despite the bad file."
    assert hidden_inputs(response.content.decode())["revision"] == str(draft.revision)


def test_another_educators_file_cannot_be_removed_through_my_step(signed_in, educator2, ck_draft, classkick):
    theirs, _ = submission_start(educator=educator2, credential=classkick)
    item = upload(theirs, educator2, "evidence.evidence_files", "theirs.pdf", files.pdf())
    _, hidden = open_step(signed_in, part_url(ck_draft, "evidence"))
    response = signed_in.post(part_url(ck_draft, "evidence"), {**hidden, "action": f"remove_evidence:{item.pk}"})
    assert response.status_code == 404
    assert Evidence.objects.filter(pk=item.pk, in_draft=True).exists()


# ----- conflicts ---------------------------------------------------------------------------------------------


def test_a_stale_save_of_the_same_answer_shows_both_versions_and_saves_nothing(signed_in, educator, ck_draft):
    url = part_url(ck_draft, "evidence")
    _, hidden = open_step(signed_in, url)
    save(ck_draft, educator, {"evidence.explanation": "The version saved in the other tab."})
    response = signed_in.post(
        url,
        {
            **hidden,
            "evidence.explanation": "The version typed here.",
            "evidence.analysis": "New analysis.",
            "action": "save",
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "This draft changed in another tab or device" in page
    assert "Your version (not saved)" in page
    assert "The version typed here." in page
    assert "The saved version" in page
    assert "The version saved in the other tab." in page
    assert '<input type="hidden" name="conflicted" value="evidence.explanation">' in page
    assert Draft.objects.get(pk=ck_draft.pk).responses["evidence"] == {
        "explanation": "The version saved in the other tab."
    }
    # The form keeps what was typed, with the current revision, so keeping it is a deliberate choice.
    assert ">\nThe version typed here.</textarea>" in page
    assert hidden_inputs(page)["revision"] == str(Draft.objects.get(pk=ck_draft.pk).revision)


def test_keeping_my_version_after_a_conflict_saves_it(signed_in, educator, ck_draft):
    url = part_url(ck_draft, "evidence")
    _, hidden = open_step(signed_in, url)
    save(ck_draft, educator, {"evidence.explanation": "Theirs."})
    page = signed_in.post(url, {**hidden, "evidence.explanation": "Mine.", "action": "save"}).content.decode()
    response = signed_in.post(url, {**hidden_inputs(page), "evidence.explanation": "Mine.", "action": "save"})
    assert response.status_code == 302
    assert Draft.objects.get(pk=ck_draft.pk).responses["evidence"]["explanation"] == "Mine."


def test_using_the_saved_version_keeps_it_and_saves_my_other_changes(signed_in, educator, ck_draft):
    url = part_url(ck_draft, "evidence")
    _, hidden = open_step(signed_in, url)
    save(ck_draft, educator, {"evidence.explanation": "Theirs."})
    typed = {"evidence.explanation": "Mine.", "evidence.analysis": "My analysis."}
    page = signed_in.post(url, {**hidden, **typed, "action": "save"}).content.decode()
    data = {**hidden_inputs(page), **typed, "action": "use_saved", "conflicted": "evidence.explanation"}
    response = signed_in.post(url, data)
    assert response.status_code == 302
    assert Draft.objects.get(pk=ck_draft.pk).responses["evidence"] == {
        "explanation": "Theirs.",
        "analysis": "My analysis.",
    }


def test_a_stale_self_evaluation_is_a_conflict_too(signed_in, educator, ck_draft):
    url = reverse("submissions:self_evaluation", args=[ck_draft.pk])
    _, hidden = open_step(signed_in, url)
    save(ck_draft, educator, ratings={"balance": {"level": "exemplary", "justification": "Saved elsewhere."}})
    response = signed_in.post(
        url, {**hidden, "se.balance.level": "developing", "se.balance.justification": "Typed here.", "action": "save"}
    )
    assert response.status_code == 409
    page = text_of(response)
    assert "Self-evaluation: Balance" in page
    assert "Developing. Typed here." in page
    assert "Exemplary. Saved elsewhere." in page


def test_a_self_evaluation_is_saved_from_its_step(signed_in, ck_draft):
    url = reverse("submissions:self_evaluation", args=[ck_draft.pk])
    response = post_step(
        signed_in,
        url,
        {"se.analysis.level": "accomplished", "se.analysis.justification": "I used the exit-ticket data."},
        action="next",
    )
    assert response["Location"] == part_url(ck_draft, "reflection")  # the program's step 4 comes next
    assert Draft.objects.get(pk=ck_draft.pk).self_evaluation == {
        "analysis": {"level": "accomplished", "justification": "I used the exit-ticket data."}
    }


# ----- check and submit ---------------------------------------------------------------------------------------


def test_the_check_page_lists_findings_by_step_each_linked_to_its_field(signed_in, educator, er_draft):
    save(
        er_draft,
        educator,
        {
            "artifacts.delivered_on": "2025-03-10",
            "artifacts.planning_log": [{"held_on": "2025-03-12", "kind": "peer", "with_whom": "A colleague"}],
        },
    )
    url = part_url(er_draft, "artifacts")
    response = post_step(signed_in, url, {}, action="check")
    assert response["Location"] == reverse("submissions:check", args=[er_draft.pk]) + "?from=artifacts"
    page = signed_in.get(response["Location"]).content.decode()
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "things need to be fixed before you can submit" in text
    assert "<h3>Part 1. Overview Questions</h3>" in page
    assert "<h3>Part 2. Artifacts</h3>" in page
    assert (
        f'<a href="{part_url(er_draft, "overview")}#f-overview-grade_band">Grade band of the learners you taught</a>: '
        "Choose an option." in page
    )
    assert f'href="{url}#f-artifacts-planning_log-1-held_on">Date (Planning interaction 1)</a>' in page
    assert "Must fix before submitting" in text
    assert "Still needed: An expert or educator mentor; A professional network (online)." in text
    assert f'href="{url}">Back to step 2: Part 2. Artifacts</a>' in page


def test_submit_is_refused_with_the_findings_in_an_alert_while_a_blocking_one_stands(signed_in, educator, ck_draft):
    save(ck_draft, educator, {"method.method": "feedback"})
    response = signed_in.post(reverse("submissions:submit", args=[ck_draft.pk]))
    assert response.status_code == 422
    page = response.content.decode()
    alert = page[page.index('role="alert"') : page.index("Read your answers through")]
    assert "Your submission was not sent" in alert
    assert (
        f'href="{part_url(ck_draft, "method")}#f-method-grade_band">Grade band of your class</a>: Choose an option.'
        in alert
    )
    assert (
        f'href="{reverse("submissions:self_evaluation", args=[ck_draft.pk])}#se-implementation">'
        "Self-evaluation: Implementation</a>" in alert
    )
    assert not Attempt.objects.exists()


def test_submit_asks_an_unconfirmed_educator_to_confirm_their_email_first(signed_in, educator, ck_draft):
    complete(ck_draft, educator)
    educator.email_verified_at = None
    educator.save()
    response = signed_in.post(reverse("submissions:submit", args=[ck_draft.pk]), follow=True)
    assert "confirm your email address before you submit" in text_of(response)
    assert educator.email in text_of(response)
    assert not Attempt.objects.exists()


def test_submit_is_accepted_once_complete_and_the_attempt_is_shown_frozen(signed_in, educator, ck_draft):
    complete(ck_draft, educator)
    response = signed_in.post(reverse("submissions:submit", args=[ck_draft.pk]), follow=True)
    attempt = Attempt.objects.get(submission=ck_draft)
    assert response.redirect_chain == [(reverse("submissions:submitted", args=[ck_draft.pk, 1]), 302)]
    assert "Your certification challenge is submitted" in text_of(response)
    # Later edits to the draft do not change the attempt's page.
    explanation = attempt.responses["evidence"]["explanation"]
    response = signed_in.get(reverse("submissions:attempt", args=[ck_draft.pk, 1]))
    text = text_of(response)
    assert "Attempt 1: Collaboration" in text
    assert "Submitted" in text
    assert explanation in text
    assert "evidence.pdf" in text
    assert "Self-evaluation" in text
    history = text[text.index("History") :]
    assert re.search(r"Started .*In progress \(first saved\) .*Submitted \(attempt 1\)", history)
    # The draft cannot be edited while the attempt waits for review.
    response = signed_in.get(part_url(ck_draft, "evidence"))
    assert response["Location"] == reverse("submissions:detail", args=[ck_draft.pk])


def test_advice_is_shown_but_does_not_stop_a_submission(signed_in, educator, er_draft):
    complete(er_draft, educator)  # written now, long after the lesson was delivered on 2025-03-10
    response = signed_in.post(reverse("submissions:submit", args=[er_draft.pk]), follow=True)
    assert Attempt.objects.filter(submission=er_draft).exists()
    text = text_of(response)
    assert "Advice you were given" in text
    assert "You are strongly encouraged to write the first draft of your Collaboration Narrative" in text


def test_the_summary_shows_every_answer_with_a_link_to_change_it(signed_in, educator, er_draft):
    complete(er_draft, educator)
    response = signed_in.get(reverse("submissions:summary", args=[er_draft.pk]))
    page = response.content.decode()
    text = text_of(response)
    assert "Step 4 of 4 Check and submit" in text
    # A summary list: per answer a "Change" link, named for its question, to that field on the step holding it.
    for part in er_draft.version.spec.parts:
        step_page = signed_in.get(part_url(er_draft, part.id)).content.decode()
        for field in part.fields:
            anchor = field_id(f"{part.id}.{field.id}")
            assert (
                f'<a href="{part_url(er_draft, part.id)}#{anchor}">Change'
                f'<span class="visually-hidden"> {escape(field.label)}</span></a>' in page
            )
            assert f'id="{anchor}"' in step_page, f"{field.label}: the Change link lands on no element of its step"
    assert "Planning interaction 3" in text
    assert "A professional network (online)" in text
    assert "10 March 2025" in text
    assert "Submit for review" in text


# ----- attempts and withdraw ----------------------------------------------------------------------------------


@pytest.fixture
def submitted(educator: User, ck_draft: Submission) -> Attempt:
    complete(ck_draft, educator)
    return attempt_submit(submission=ck_draft, actor=educator)


def test_withdrawing_asks_first_then_reopens_the_draft(signed_in, submitted):
    sid = submitted.submission_id
    url = reverse("submissions:withdraw", args=[sid, 1])
    attempt_page = signed_in.get(reverse("submissions:attempt", args=[sid, 1])).content.decode()
    assert f'href="{url}">Withdraw attempt 1</a>' in attempt_page
    confirm = signed_in.get(url)
    assert "Withdraw attempt 1?" in text_of(confirm)
    assert Attempt.objects.get(pk=submitted.pk).status == AttemptStatus.SUBMITTED  # asking changed nothing
    response = signed_in.post(url, follow=True)
    assert "Attempt 1 is withdrawn." in text_of(response)
    assert Attempt.objects.get(pk=submitted.pk).status == AttemptStatus.WITHDRAWN
    assert Submission.objects.get(pk=sid).status == Status.WITHDRAWN
    assert "Withdrawn (attempt 1)" in text_of(response)
    assert signed_in.get(part_url(submitted.submission, "evidence")).status_code == 200


def test_an_attempt_in_review_cannot_be_withdrawn(signed_in, submitted, reviewer_staff):
    attempt_transition(attempt=submitted, actor=reviewer_staff, kind="in_review")
    sid = submitted.submission_id
    assert "Withdraw attempt" not in signed_in.get(reverse("submissions:attempt", args=[sid, 1])).content.decode()
    assert signed_in.get(reverse("submissions:withdraw", args=[sid, 1]))["Location"] == reverse(
        "submissions:attempt", args=[sid, 1]
    )
    response = signed_in.post(reverse("submissions:withdraw", args=[sid, 1]), follow=True)
    assert "Attempt 1 was not withdrawn" in text_of(response)
    assert Attempt.objects.get(pk=submitted.pk).status == AttemptStatus.IN_REVIEW


def test_the_submission_page_shows_status_attempts_and_the_timeline(signed_in, submitted):
    response = signed_in.get(reverse("submissions:detail", args=[submitted.submission_id]))
    page = response.content.decode()
    text = text_of(response)
    assert "Status Submitted" in text
    assert f'href="{reverse("submissions:attempt", args=[submitted.submission_id, 1])}">View attempt 1</a>' in page
    assert '<ol class="timeline">' in page
    assert [e.action for e in history(submitted.submission)] == [
        "submission.started",
        "submission.saved",
        "submission.submitted",
    ]
    assert page.count('<time datetime="') >= 4


# ----- evidence download ---------------------------------------------------------------------------------------


def test_the_owner_downloads_evidence_as_an_attachment_with_its_stored_type(signed_in, educator, ck_draft):
    item = upload(ck_draft, educator, "evidence.evidence_files", "roster.pdf", files.pdf())
    response = signed_in.get(reverse("submissions:evidence", args=[item.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="roster.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == files.pdf()


# ----- dashboard -------------------------------------------------------------------------------------------------


def test_the_dashboard_lists_each_submission_with_status_attempt_and_next_step(
    signed_in, educator, submitted, er_draft
):
    signed_in.get(part_url(er_draft, "reflection"))  # remembered as the step to continue at
    response = signed_in.get(reverse("accounts:dashboard"))
    page = response.content.decode()
    text = text_of(response)
    assert "You have not started" not in text
    assert re.search(r"Collaboration by Educators Rising Started None yet .* Continue step 3", text)
    assert re.search(r"Collaboration by Classkick Submitted 1 .* View attempt 1", text)
    assert f'href="{reverse("submissions:resume", args=[er_draft.pk])}">Continue step 3' in page
    # The saved time is the stored one (the later of the submission's and its draft's), as an aware datetime (rows
    # are read as the database driver returns them).
    saved = Submission.objects.get(pk=er_draft.pk).last_saved_at().astimezone(UTC)
    assert f'<time datetime="{saved.isoformat()}">' in page
    assert signed_in.get(reverse("submissions:resume", args=[er_draft.pk]))["Location"] == part_url(
        er_draft, "reflection"
    )


def _many_submissions(educator: User, template: Credential, count: int, *, start: int = 0) -> None:
    """`count` more submissions on as many credentials, every third one submitted (so with an attempt)."""
    version = template.current_version
    assert version is not None
    credentials = Credential.objects.bulk_create(
        Credential(
            slug=f"copy-{n}", issuer=template.issuer, title=f"Copy {n}", summary="A copy.", current_version=version
        )
        for n in range(start, start + count)
    )
    for n, credential in enumerate(credentials, start=start):
        submission = Submission.objects.create(educator=educator, credential=credential, version=version)
        Draft.objects.create(submission=submission)
        if n % 3 == 0:
            Attempt.objects.create(
                submission=submission, number=1, version=version, responses={}, submitted_by=educator
            )
            Submission.objects.filter(pk=submission.pk).update(status=Status.SUBMITTED)


def _dashboard_queries(client: Client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.scale
def test_the_dashboard_keeps_a_flat_query_count_as_submissions_grow(
    signed_in, educator, classkick, django_assert_num_queries
):
    signed_in.get(reverse("accounts:dashboard"))  # the session is warm, as for any later page
    _many_submissions(educator, classkick, 5)
    with_five = _dashboard_queries(signed_in)
    # The submissions section itself is one query, whatever the number of rows (the coach's way in, one EXISTS
    # over the drafts shared with this person, joins the table too); a dashboard drawn runs it three times (its
    # state read before and after drawing, and the drawing: pages/accounts/dashboard_state.py).
    listing = [sql for sql in with_five if "submissions_submission" in sql and "coaching_coachingshare" not in sql]
    assert len(listing) == 3
    assert len(set(listing)) == 1
    _many_submissions(educator, classkick, 495, start=5)
    with django_assert_num_queries(len(with_five)):
        response = signed_in.get(reverse("accounts:dashboard"))
    text = text_of(response)
    assert text.count("View attempt 1") == len(range(0, 500, 3))
    assert text.count("Continue step 1") == 500 - len(range(0, 500, 3))


# ----- who may see what ------------------------------------------------------------------------------------------


@pytest.fixture
def mine(educator: User, ck_draft: Submission) -> dict[str, str]:
    """Every page of one educator's submission: draft steps, summary, check, attempt, evidence."""
    complete(ck_draft, educator)
    item = Evidence.objects.filter(submission=ck_draft).first()
    assert item is not None
    attempt = attempt_submit(submission=ck_draft, actor=educator)
    attempt_transition(attempt=attempt, actor=None, kind="returned_incomplete")  # editable again, with an attempt
    sid = ck_draft.pk
    return {
        "detail": reverse("submissions:detail", args=[sid]),
        "resume": reverse("submissions:resume", args=[sid]),
        "step": part_url(ck_draft, "evidence"),
        "self_evaluation": reverse("submissions:self_evaluation", args=[sid]),
        "summary": reverse("submissions:summary", args=[sid]),
        "check": reverse("submissions:check", args=[sid]),
        "attempt": reverse("submissions:attempt", args=[sid, 1]),
        "submitted": reverse("submissions:submitted", args=[sid, 1]),
        "withdraw": reverse("submissions:withdraw", args=[sid, 1]),
        "evidence": reverse("submissions:evidence", args=[item.pk]),
    }


def test_the_owner_may_open_every_page_of_their_submission(signed_in, mine):
    for name, url in mine.items():
        response = signed_in.get(url)
        assert response.status_code in (200, 302), name
        if response.status_code == 302:
            assert "login" not in response["Location"], name


@pytest.mark.parametrize(
    "persona",
    ["educator2", "reviewer_staff", "reviewer_mentor", "issuer_admin", "other_issuer_admin", "platform_admin"],
)
def test_anyone_else_gets_404_on_every_page_and_action_of_someone_elses_submission(
    client, request, mine, persona, ck_draft
):
    client.force_login(request.getfixturevalue(persona))
    before = (Draft.objects.get(pk=ck_draft.pk).revision, AuditEvent.objects.count(), Evidence.objects.count())
    for name, url in mine.items():
        assert client.get(url).status_code == 404, (persona, name)
    for name in ("step", "self_evaluation", "withdraw"):
        assert client.post(mine[name], {"action": "save", "revision": "99"}).status_code == 404, (persona, name)
    assert client.post(reverse("submissions:submit", args=[ck_draft.pk])).status_code == 404
    assert (Draft.objects.get(pk=ck_draft.pk).revision, AuditEvent.objects.count(), Evidence.objects.count()) == before


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_page(client, mine, ck_draft):
    for name, url in mine.items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login") + "?next="), name
    response = client.post(reverse("submissions:submit", args=[ck_draft.pk]))
    assert response["Location"].startswith(reverse("accounts:login"))
    assert Attempt.objects.filter(submission=ck_draft).count() == 1


def test_a_draft_save_with_a_missing_revision_is_refused_not_a_500(signed_in, ck_draft):
    response = signed_in.post(part_url(ck_draft, "method"), {"method.method": "feedback", "action": "save"})
    assert response.status_code == 422
    assert "the page was incomplete; reload it and save again" in text_of(response)
    assert Draft.objects.get(pk=ck_draft.pk).revision == 0


def test_an_over_limit_text_is_saved_with_its_count_shown_over_the_limit(signed_in, educator, er_draft):
    save(er_draft, educator, {"artifacts.narrative": words(512)})
    html, _ = open_step(signed_in, part_url(er_draft, "artifacts"))
    assert '<p class="word-count over" id="f-artifacts-narrative-count">512 / 500 words — 12 over the limit</p>' in html


def test_each_page_says_when_a_draft_was_last_saved(signed_in, ck_draft):
    """Autosave moves a submission's own time about once a minute (the draft alone is written between): the pages
    and the API give the later of the two, the draft's time to the save."""
    from datetime import timedelta

    later = Submission.objects.get(pk=ck_draft.pk).updated_at + timedelta(seconds=42)
    Draft.objects.filter(pk=ck_draft.pk).update(updated_at=later)
    stamp = f'<time datetime="{later.astimezone(UTC).isoformat()}">'
    assert stamp in signed_in.get(reverse("submissions:detail", args=[ck_draft.pk])).content.decode()
    # The dashboard and the API's list, too, and they order by it.
    assert stamp in signed_in.get(reverse("accounts:dashboard")).content.decode()
    (row,) = signed_in.get("/api/v1/submissions", HTTP_ACCEPT="application/json").json()["items"]
    assert parse_datetime(row["updated_at"]) == later.replace(microsecond=later.microsecond // 1000 * 1000)
