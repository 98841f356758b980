"""The submission form to fill offline: generated from the definition (Word and PDF), filled as a person fills it,
uploaded back through the page, and every answer either placed in the draft or reported by its question."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from accounts.models import IssuerMembership, User
from catalog.loader import credential_load
from catalog.models import Credential
from submissions.models import Draft, Submission
from submissions.offline_form import MAX_FORM_BYTES
from submissions.services import submission_start
from submissions.services.offline_form import SEP  # the separator of a question's place, as reported
from tests.conftest import CLASSKICK, EDUCATORS_RISING
from tests.submissions import files
from tests.submissions.helpers import save
from tests.submissions.offline_filler import DELIVERED, Filler, words

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def strip_ids(value: Any) -> Any:
    if isinstance(value, list):
        return [strip_ids(v) for v in value]
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "id"}
    return value


def form_of(client: Client, submission: Submission) -> bytes:
    response = client.get(reverse("submissions:form_docx", args=[submission.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    return response.content


def upload(client: Client, submission: Submission, data: bytes, name: str = "my-form.docx") -> Any:
    return client.post(
        reverse("submissions:form_upload", args=[submission.pk]), {"form": SimpleUploadedFile(name, data)}
    )


def report_refs(response: Any) -> tuple[set[str], dict[str, str]]:
    report = response.context["report"]
    return {o.ref for o in report.placed}, {o.where: o.message for o in report.not_placed}


@pytest.fixture
def er_draft(educator: User, educators_rising: Credential) -> Submission:
    return submission_start(educator=educator, credential=educators_rising)[0]


@pytest.fixture
def edna(educator: User) -> Client:
    return signed_in(educator)


# ----- the round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("slug", [EDUCATORS_RISING, CLASSKICK])
def test_every_answer_typed_into_the_form_lands_in_the_draft(credentials, educator, slug):
    credential = credentials[slug]
    submission = submission_start(educator=educator, credential=credential)[0]
    client = signed_in(educator)
    filler = Filler(form_of(client, submission), credential.current_version.spec)
    expected, ratings = filler.fill_everything()

    response = upload(client, submission, filler.save())

    assert response.status_code == 200
    placed, not_placed = report_refs(response)
    assert not_placed == {}
    draft = Draft.objects.get(pk=submission.pk)
    for ref, value in expected.items():
        assert strip_ids(draft.value(ref)) == value, ref
        assert ref in placed, ref
    assert draft.self_evaluation == ratings
    assert {f"self_evaluation.{c}" for c in ratings} <= placed
    assert len(placed) == len(expected) + len(ratings)
    page = response.content.decode()
    assert f"{len(placed)} answers placed in your draft" in page
    assert "It fills only the answers your draft does not have yet" in page


def test_a_form_filled_again_changes_nothing_and_says_so(edna, er_draft):
    filler = Filler(form_of(edna, er_draft), er_draft.version.spec)
    filler.fill_everything()
    data = filler.save()
    upload(edna, er_draft, data)
    revision = Draft.objects.get(pk=er_draft.pk).revision

    response = upload(edna, er_draft, data)

    report = response.context["report"]
    assert report.placed == []
    assert report.not_placed == []
    assert {o.ref for o in report.unchanged} >= {"artifacts.planning_log", "reflection.essay"}
    assert Draft.objects.get(pk=er_draft.pk).revision == revision


def test_what_the_form_could_not_place_is_reported_by_question(edna, educator, er_draft):
    save(er_draft, educator, {"overview.subject": "History"})
    filler = Filler(form_of(edna, er_draft), er_draft.version.spec)
    filler.type("overview.subject", "Mathematics")  # the draft already says History
    filler.pick("overview.grade_band", ["Primary", "High school"])  # two marks for one choice
    filler.type("overview.setting", "A submarine")  # not an option
    filler.type("artifacts.delivered_on", "next Tuesday")  # not a date
    filler.type("overview.learner_count", "ten")  # not the pattern
    filler.type("reflection.essay", words(520, "essay"))  # over the 500-word limit: placed, and said
    filler.under_heading("overview.lesson_topic", "Fractions with pizza")  # typed under the heading
    filler.rows(
        "artifacts.planning_log",
        [
            ["2025-03-03", "A peer or group of peers", "My colleague", "", "In person", "Pizzas", "Yes"],
            ["the third", "A chef", "Someone", "", "In person", "Ideas", "No"],
        ],
    )
    stray = filler.doc.paragraphs[0].insert_paragraph_before("Edna Educator, Lincoln High")
    stray.style = filler.doc.styles["Normal"]

    response = upload(edna, er_draft, filler.save())

    assert response.status_code == 200
    placed, not_placed = report_refs(response)
    by_question = {where.split(SEP, 1)[-1]: message for where, message in not_placed.items()}
    assert "never replaced" in by_question["Subject or content area"]
    grade_band = by_question["Grade band of the learners you taught"]
    assert "more than one option is marked (Primary, High school)" in grade_band
    assert "“A submarine” is not one of the options" in by_question["Learning setting"]
    assert "could not read “next Tuesday” as a date" in by_question["Date you delivered the lesson"]
    assert "not in the expected form" in by_question["Number of learners"]
    assert "could not read “the third” as a date" in by_question[SEP.join(["Planning log", "entry 2", "Date"])]
    who = by_question[SEP.join(["Planning log", "entry 2", "Who you collaborated with"])]
    assert "“A chef” is not one of the options" in who
    assert "text outside the answer spaces" in not_placed["Outside any answer space"]
    assert {"overview.lesson_topic", "reflection.essay", "artifacts.planning_log"} <= placed
    essay = next(o for o in response.context["report"].placed if o.ref == "reflection.essay")
    assert "520 words, over the limit of 500" in essay.message

    draft = Draft.objects.get(pk=er_draft.pk)
    assert draft.value("overview.subject") == "History"
    assert draft.value("overview.lesson_topic") == "Fractions with pizza"
    assert draft.value("overview.grade_band") is None
    assert draft.value("artifacts.delivered_on") is None
    entries = strip_ids(draft.value("artifacts.planning_log"))
    assert entries[0]["kind"] == "peer"
    assert entries[0]["held_on"] == "2025-03-03"
    assert entries[1] == {"with_whom": "Someone", "format": "in_person", "ideas": "Ideas", "used_in_lesson": "not_used"}
    page = response.content.decode()
    assert "Not placed: copy these in on the platform" in page
    assert "A submarine" in page


def test_a_form_without_its_properties_is_still_recognised_by_its_form_id_line(edna, er_draft):
    filler = Filler(form_of(edna, er_draft), er_draft.version.spec)
    filler.type("artifacts.delivered_on", DELIVERED)
    filler.doc.core_properties.identifier = ""

    response = upload(edna, er_draft, filler.save())

    assert response.status_code == 200
    assert Draft.objects.get(pk=er_draft.pk).value("artifacts.delivered_on") == DELIVERED


# ----- refusals ----------------------------------------------------------------------------------


def _word_document(text: str) -> bytes:
    doc = Document()
    doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_word_document("My lesson plan"), "is not a submission form from this platform"),
        (files.pdf(), "is not a Word document (.docx)"),
        (b"PK\x03\x04 not really a zip", "is not a Word document (.docx)"),
        (files.office("xlsx"), "is not a Word document (.docx)"),
        (files.zip_bomb(), "is not a Word document (.docx)"),
    ],
)
def test_a_file_that_is_not_our_form_is_refused_and_nothing_changes(edna, er_draft, content, message):
    response = upload(edna, er_draft, content, name="form.docx")
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Draft.objects.get(pk=er_draft.pk).revision == 0


def test_another_credentials_form_is_refused_by_name(edna, educator, er_draft, classkick):
    classkick_form = edna.get(reverse("catalog:form_docx", args=[CLASSKICK])).content
    response = upload(edna, er_draft, classkick_form)
    assert response.status_code == 422
    assert f"the form of another credential ({CLASSKICK})" in response.content.decode()


def test_a_file_over_the_size_limit_is_refused(edna, er_draft):
    response = upload(edna, er_draft, b"PK\x03\x04" + b"\0" * (MAX_FORM_BYTES + 1))
    assert response.status_code == 413
    assert "larger than 10 MB" in response.content.decode()


def test_no_file_chosen_is_asked_for(edna, er_draft):
    response = edna.post(reverse("submissions:form_upload", args=[er_draft.pk]), {})
    assert response.status_code == 422
    assert "Choose the filled form (.docx) to upload." in response.content.decode()


# ----- the documents themselves ------------------------------------------------------------------


def test_the_word_form_says_what_each_question_asks(client, educators_rising):
    response = client.get(reverse("catalog:form_docx", args=[EDUCATORS_RISING]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{EDUCATORS_RISING}-submission-form.docx"'
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    spec = educators_rising.current_version.spec
    assert spec.title in text
    assert spec.issuer.name in text
    assert "To complete the application for this micro-credential" in text
    assert "Up to 500 words" in text
    assert "Draft wording from the platform, for the issuer to revise" in text
    assert "Going forward, how do you specifically intend to use collaboration" in text
    assert "Attach on the platform: Lesson plan document (optional), accepted types: PDF document" in text
    assert "Optional" in text
    assert "Required" in text
    assert "☐ A clear goal and objective" in cells
    check = spec.checks[0]
    assert f"Required before you can submit: {check.message}" in text
    for column in ("Date", "Who you collaborated with", "With whom (their role)", "Format", "Ideas that came up"):
        assert column in cells


def test_the_pdf_form_is_a_pdf_with_the_prompts_and_limits(client, educators_rising):
    response = client.get(reverse("catalog:form_pdf", args=[EDUCATORS_RISING]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())
    prompt = "In what specific ways did the collaborative planning process you undertook improve your instruction?"
    assert prompt in text
    assert "Up to 500 words" in text
    assert "Attach on the platform: Lesson plan document (optional)" in text
    assert "Draft wording from the platform, for the issuer to revise" in text
    assert "Who you collaborated with" in text
    again = client.get(reverse("catalog:form_pdf", args=[EDUCATORS_RISING]), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_pages_link_to_the_form(client, edna, er_draft):
    credential_page = client.get(reverse("catalog:detail", args=[EDUCATORS_RISING])).content.decode()
    assert reverse("catalog:form_docx", args=[EDUCATORS_RISING]) in credential_page
    assert reverse("catalog:form_pdf", args=[EDUCATORS_RISING]) in credential_page
    draft_page = edna.get(reverse("submissions:detail", args=[er_draft.pk])).content.decode()
    for name in ("form_docx", "form_pdf", "form_upload"):
        assert reverse(f"submissions:{name}", args=[er_draft.pk]) in draft_page


# ----- who may ------------------------------------------------------------------------------------


def test_the_credentials_form_is_public_as_its_page_is(client, educators_rising):
    assert client.get(reverse("catalog:form_docx", args=[EDUCATORS_RISING])).status_code == 200
    assert client.get(reverse("catalog:form_docx", args=["no-such-credential"])).status_code == 404


@pytest.fixture
def outsiders(educator2, make_user, educators_rising, reviewer_staff) -> dict[str, User]:
    admin = make_user("otto@educatorsrising.example", "Otto Admin", is_staff=True)
    IssuerMembership.objects.create(user=admin, issuer=educators_rising.issuer, role=IssuerMembership.Role.ADMIN)
    platform = make_user("pat@microcred.example", "Pat Platform", is_staff=True, is_superuser=True)
    return {"other educator": educator2, "reviewer": reviewer_staff, "issuer admin": admin, "platform admin": platform}


def test_only_the_drafts_owner_downloads_its_form_or_uploads_to_it(client, edna, er_draft, outsiders):
    urls = [reverse(f"submissions:{name}", args=[er_draft.pk]) for name in ("form_docx", "form_upload")]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to sign in
        assert edna.get(url).status_code == 200
    filler = Filler(form_of(edna, er_draft), er_draft.version.spec)
    filler.type("artifacts.delivered_on", DELIVERED)
    data = filler.save()
    for who, user in outsiders.items():
        other = signed_in(user)
        for url in urls:
            assert other.get(url).status_code == 404, who
        assert upload(other, er_draft, data).status_code == 404, who
    assert client.post(urls[1], {"form": SimpleUploadedFile("f.docx", data)}).status_code == 302
    assert Draft.objects.get(pk=er_draft.pk).revision == 0


def test_a_submitted_draft_takes_no_form(edna, er_draft):
    Submission.objects.filter(pk=er_draft.pk).update(status="submitted")
    response = edna.get(reverse("submissions:form_upload", args=[er_draft.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("submissions:detail", args=[er_draft.pk])


def test_the_api_serves_the_form_too(client, educators_rising):
    docx = client.get(reverse("api-v1:credential_form_docx", args=[EDUCATORS_RISING]))
    assert docx.status_code == 200
    assert docx["Content-Type"] == DOCX_TYPE
    assert Document(io.BytesIO(docx.content)).core_properties.identifier.startswith("microcred-submission-form:1:")
    missing = client.get(reverse("api-v1:credential_form_pdf", args=["no-such-credential"]))
    assert missing.status_code == 404
    assert missing.json()["detail"]


def test_a_form_of_a_newer_version_fills_an_older_draft_question_by_question(edna, er_draft, educators_rising):
    spec = er_draft.version.spec
    changed = spec.model_copy(update={"summary": spec.summary + " Revised."}, deep=True)
    credential_load(definition=changed, source_name="educators-rising-collaboration.yaml")
    newer = edna.get(reverse("catalog:form_docx", args=[EDUCATORS_RISING])).content
    assert (
        Document(io.BytesIO(newer)).core_properties.identifier
        != Document(io.BytesIO(form_of(edna, er_draft))).core_properties.identifier
    )
    filler = Filler(newer, changed)
    filler.type("reflection.essay", "What went well.")

    response = upload(edna, er_draft, filler.save())

    assert "made for another version of the credential" in response.context["report"].notes[0]
    assert Draft.objects.get(pk=er_draft.pk).value("reflection.essay") == "What went well."


def test_words_typed_into_the_forms_own_lines_are_found_too(edna, er_draft):
    filler = Filler(form_of(edna, er_draft), er_draft.version.spec)
    guidance = next(p for p in filler.doc.paragraphs if p.text.startswith('For example, "Mathematics"'))
    guidance.add_run(" Science and maths")  # typed at the end of the question's own guidance line
    title_row = filler.boxes["overview.grade_level"][0].cell(0, 0).paragraphs[0]
    title_row.add_run(" Grade 7")  # typed into the box's title instead of the box
    filler.doc.paragraphs[1].add_run(" by Edna")  # typed into the form's heading lines, under no question

    response = upload(edna, er_draft, filler.save())

    draft = Draft.objects.get(pk=er_draft.pk)
    assert draft.value("overview.subject") == "Science and maths"
    assert draft.value("overview.grade_level") == "Grade 7"
    _, not_placed = report_refs(response)
    assert "text outside the answer spaces" in not_placed["Outside any answer space"]
    assert "by Edna" in response.content.decode()


def test_rows_beyond_the_lists_limit_are_reported_and_the_rest_placed(edna, er_draft):
    filler = Filler(form_of(edna, er_draft), er_draft.version.spec)
    row = ["2025-03-03", "A peer or group of peers", "A colleague", "", "In person", "Ideas", "Yes"]
    filler.rows("artifacts.planning_log", [row] * 32)

    response = upload(edna, er_draft, filler.save())

    assert len(Draft.objects.get(pk=er_draft.pk).value("artifacts.planning_log")) == 30
    _, not_placed = report_refs(response)
    for number in (31, 32):
        where = SEP.join(["Part 2. Artifacts", "Planning log", f"entry {number}"])
        assert "at most 30 entries" in not_placed[where]


def test_a_form_through_an_editor_that_drops_styles_and_shows_hidden_text_still_reads(edna, er_draft):
    filler = Filler(form_of(edna, er_draft), er_draft.version.spec)
    filler.type("reflection.essay", "It went well.")
    filler.pick("overview.grade_band", ["Middle school"])
    filler.rows("artifacts.planning_log", [["2025-03-03", "peer", "A colleague", "", "in person", "Ideas", "yes"]])
    normal = filler.doc.styles["Normal"]
    cells = [c for t in filler.doc.tables for row in t.rows for c in row.cells]
    for paragraph in [*filler.doc.paragraphs, *(p for c in cells for p in c.paragraphs)]:
        paragraph.style = normal
        for run in paragraph.runs:
            run.font.hidden = False
    filler.doc.core_properties.identifier = ""

    response = upload(edna, er_draft, filler.save())

    placed, not_placed = report_refs(response)
    assert not_placed == {}
    assert placed == {"reflection.essay", "overview.grade_band", "artifacts.planning_log"}
    draft = Draft.objects.get(pk=er_draft.pk)
    assert draft.value("overview.grade_band") == "middle_school"
    assert strip_ids(draft.value("artifacts.planning_log")) == [
        {
            "held_on": "2025-03-03",
            "kind": "peer",
            "with_whom": "A colleague",
            "format": "in_person",
            "ideas": "Ideas",
            "used_in_lesson": "yes_fully",
        }
    ]


def test_a_question_the_drafts_form_does_not_have_is_reported(edna, er_draft):
    filler = Filler(form_of(edna, er_draft), er_draft.version.spec)
    box = filler.boxes["overview.subject"][0]
    for run in box.cell(0, 0).paragraphs[0].runs:  # as a form of a version with another question would say
        run.text = run.text.replace("[mc:overview.subject]", "[mc:overview.favourite_colour]")
    box._tbl.tblPr.remove(box._tbl.tblPr[-1])
    filler.type("overview.subject", "Teal")

    response = upload(edna, er_draft, filler.save())

    _, not_placed = report_refs(response)
    assert "has no such question" in not_placed["A question not in your draft's form (overview.favourite_colour)"]
    assert "Teal" in response.content.decode()


def test_a_self_evaluation_fills_what_is_missing_and_keeps_what_is_there(educator, classkick):
    submission = submission_start(educator=educator, credential=classkick)[0]
    criteria = [c.id for c in classkick.current_version.spec.rubric.criteria]
    save(submission, educator, ratings={criteria[0]: {"level": "accomplished"}})
    client = signed_in(educator)
    filler = Filler(form_of(client, submission), submission.version.spec)
    first, second = (f"self_evaluation.{c}" for c in criteria[:2])
    filler.pick(first, ["Exemplary"])
    filler.type(first, "My students' work shows it.", box=1)
    filler.pick(second, ["Exemplary", "Developing"])

    response = upload(client, submission, filler.save())

    rating = Draft.objects.get(pk=submission.pk).self_evaluation[criteria[0]]
    assert rating == {"level": "accomplished", "justification": "My students' work shows it."}
    _, not_placed = report_refs(response)
    title = [c.title for c in classkick.current_version.spec.rubric.criteria]
    assert "never replaced" in not_placed[SEP.join(["Self-evaluation", title[0], "your level"])]
    two = not_placed[SEP.join(["Self-evaluation", title[1], "your level"])]
    assert "more than one option is marked (Exemplary, Developing)" in two
