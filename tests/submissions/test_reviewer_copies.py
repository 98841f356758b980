"""Reviewers get evidence without the details that name its maker; its owner gets the upload unchanged.

The corpus (tests/submissions/identity_corpus.py) has one educator's name, email and school in every metadata
field of every format evidence may take. Each file is uploaded, submitted and downloaded by the assigned
reviewer through every route that serves evidence (the API's review route, the API's file route, the page
route); none of the bytes the reviewer receives may hold any of the three, read in any encoding and inside
any zip part, PDF object or compressed chunk. The owner's downloads are byte for byte the upload.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from io import StringIO
from pathlib import Path
from typing import Any

import mutagen
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from docx import Document
from PIL import Image, ImageChops
from pypdf import PdfReader

from accounts.models import User
from catalog.models import Credential
from reviews.models import Assignment
from submissions.evidence import sniff
from submissions.models import Evidence, ReviewerCopy, Submission
from submissions.scrub import Uncleanable, scrub
from submissions.services import evidence_orphans_sweep, evidence_remove, submission_start
from tests.submissions import files
from tests.submissions import identity_corpus as corpus
from tests.submissions.conftest import load_fixture
from tests.submissions.helpers import portfolio_answers, portfolio_ratings, save, upload
from tests.submissions.test_pages import open_step, part_url, text_of
from workflow.services import attempt_submit

FIELD = "plan.lesson_files"
KEYS = list(corpus.CORPUS)


@pytest.fixture(scope="module")
def built() -> dict[str, bytes]:
    """Each corpus file, built once for the module."""
    return {key: build() for key, (_, build, _, _) in corpus.CORPUS.items()}


def _content(response: Any) -> bytes:
    assert response.status_code == 200, response.content[:300] if hasattr(response, "content") else response
    return b"".join(response.streaming_content)


# ----- the corpus and the check ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_every_corpus_file_is_what_it_says_and_carries_the_whole_identity(key, built):
    _, _, kind, detail = corpus.CORPUS[key]
    sniffed = sniff(io.BytesIO(built[key]))
    assert (sniffed.kind, sniffed.detail) == (kind, detail)
    # The check finds the name, the email and the school in the original: it can see what a copy must lack.
    assert corpus.leaks(built[key]) == set(corpus.NEEDLES)


def test_the_check_reads_utf16_diacritics_and_compressed_parts():
    assert corpus.leaks("DÁNA WHITFÍELD".encode("utf-16-be")) >= {"dana whitfield", "whitfield"}
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("docProps/core.xml", f"<x>{corpus.SCHOOL * 20}</x>")
    assert corpus.SCHOOL.encode() not in packed.getvalue(), "compressed: invisible in the raw bytes"
    assert "oak ridge middle school" in corpus.leaks(packed.getvalue())


# ----- the cleaners, one format at a time ------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_the_reviewers_copy_holds_none_of_it_and_is_still_the_same_kind_of_file(key, built):
    _, _, kind, detail = corpus.CORPUS[key]
    result = scrub(kind, detail, io.BytesIO(built[key]))
    assert result.content is not None
    copy = result.content.read()

    assert corpus.leaks(copy) == set()
    sniffed = sniff(io.BytesIO(copy))
    assert (sniffed.kind, sniffed.detail) == (kind, detail)
    assert result.removed, "the educator is told what was taken out"


def test_a_pdf_keeps_its_pages_and_its_picture(built):
    result = scrub("pdf", "pdf", io.BytesIO(built["pdf"]))
    assert result.content is not None
    reader = PdfReader(result.content)
    assert len(reader.pages) == 1
    [picture] = reader.pages[0].images
    assert picture.image is not None
    assert picture.image.size == (40, 20)
    assert reader.metadata is None
    assert "comment authors" in result.removed
    assert "files attached inside the PDF" in result.removed


def test_an_office_package_keeps_every_part_and_still_opens(built):
    for key in ("docx", "xlsx", "pptx"):
        result = scrub(key, key, io.BytesIO(built[key]))
        assert result.content is not None
        copy = result.content.read()
        names = zipfile.ZipFile(io.BytesIO(built[key])).namelist()
        assert zipfile.ZipFile(io.BytesIO(copy)).namelist() == names
    document = Document(io.BytesIO(scrub("docx", "docx", io.BytesIO(built["docx"])).content.read()))  # type: ignore[union-attr]
    assert document.paragraphs[0].text.startswith("Lesson plan: fractions with pizzas.")
    assert document.core_properties.author == ""
    assert len(document.inline_shapes) == 1, "the picture is still there"


def test_a_photo_is_turned_the_way_its_exif_said_and_keeps_its_picture(built):
    result = scrub("image", "jpeg", io.BytesIO(built["jpeg"]))
    assert result.content is not None
    with Image.open(result.content) as image:
        # Orientation 6: the 40 by 20 picture, red left and blue right, stands 20 by 40, red on top.
        assert image.size == (20, 40)
        red, blue = image.getpixel((10, 5)), image.getpixel((10, 35))
        assert isinstance(red, tuple)
        assert isinstance(blue, tuple)
        assert red[0] > 180
        assert red[2] < 80
        assert blue[2] > 180
        assert blue[0] < 80


@pytest.mark.parametrize("key", ["png", "gif", "webp-lossless"])
def test_a_lossless_image_keeps_every_pixel(key, built):
    _, _, kind, detail = corpus.CORPUS[key]
    result = scrub(kind, detail, io.BytesIO(built[key]))
    assert result.content is not None
    with Image.open(io.BytesIO(built[key])) as before, Image.open(result.content) as after:
        if key == "webp-lossless":  # stored with orientation 6, applied in the copy
            assert after.size == (20, 40)
            return
        assert after.size == before.size
        assert getattr(after, "n_frames", 1) == getattr(before, "n_frames", 1)
        assert ImageChops.difference(before.convert("RGB"), after.convert("RGB")).getbbox() is None


@pytest.mark.parametrize("key", ["mp3", "m4a", "wav", "ogg"])
def test_a_recording_keeps_its_sound(key, built):
    _, _, kind, detail = corpus.CORPUS[key]
    result = scrub(kind, detail, io.BytesIO(built[key]))
    assert result.content is not None
    copy = result.content.read()
    if key == "mp3":
        assert copy == corpus.mpeg_frames(), "exactly the frames, without the tags around them"
        return
    before, after = mutagen.File(io.BytesIO(built[key])), mutagen.File(io.BytesIO(copy))
    assert after is not None
    assert before is not None
    assert after.info.length == before.info.length
    assert not after.tags
    if key == "wav":
        assert copy.endswith(files.wav()[44:]), "the samples are untouched"
    if key == "m4a":
        assert len(copy) == len(built[key]), "tags are blanked in place, so every chunk offset stays true"


def test_text_needs_no_copy():
    assert scrub("csv", "text", io.BytesIO(b"name,grade\nA,3\n")).content is None


def test_a_pdf_locked_only_against_changes_is_cleaned_and_one_needing_a_password_to_open_is_not():
    result = scrub("pdf", "pdf", io.BytesIO(corpus.pdf_locked(user_password="")))
    assert result.content is not None
    assert corpus.leaks(result.content.read()) == set()
    with pytest.raises(Uncleanable, match="protected by a password"):
        scrub("pdf", "pdf", io.BytesIO(corpus.pdf_locked(user_password="secret")))


@pytest.mark.parametrize(
    ("kind", "detail", "content", "says"),
    [
        ("pdf", "pdf", b"%PDF-1.4\nnothing else", "could not be read through as a PDF"),
        (
            "docx",
            "docx",
            files.office(
                "docx", extra={"word/embeddings/oleObject1.bin": bytes.fromhex("d0cf11e0a1b11ae1") + bytes(500)}
            ),
            "embedded object, oleObject1.bin,",
        ),
        ("image", "png", b"\x89PNG\r\n\x1a\n" + bytes(40), "could not be read"),
        ("audio", "m4a", b"\0\0\0\x1cftypM4A \0\0\0\0M4A mp42isom\0\0\xff\xffmoov", "structure is damaged"),
    ],
)
def test_what_cannot_be_cleaned_says_why(kind, detail, content, says):
    with pytest.raises(Uncleanable, match=says.replace("(", r"\(").replace(")", r"\)")):
        scrub(kind, detail, io.BytesIO(content))


# ----- through upload, submission and every route a reviewer downloads from --------------------------------


@pytest.fixture
def roomy(portfolio: Credential) -> Credential:
    """The Practice Portfolio with a lesson-files field that takes every kind, as many files as the corpus,
    reviewed without calibration (it has no samples), so its one seat goes to Rita when it is submitted."""
    return load_fixture(
        "practice-portfolio",
        replace={
            "  pass_rule: median\n": "  pass_rule: median\n  calibration:\n    required: false\n",
            "accept: [pdf, docx, xlsx, pptx, csv, txt, image]\n        max_size_mb: 1\n        max_files: 2": (
                "accept: [pdf, docx, xlsx, pptx, csv, txt, image, audio]\n        max_size_mb: 1\n        max_files: 20"
            ),
        },
    )


@pytest.fixture
def sent(built: dict[str, bytes]) -> dict[str, bytes]:
    """What the educator uploads: the corpus, a CSV (nothing to clean) and a PDF only its author can open."""
    return {**built, "csv": b"name,grade\nA,3\n", "locked": corpus.pdf_locked(user_password="secret")}


NAMES = {**{key: name for key, (name, _, _, _) in corpus.CORPUS.items()}, "csv": "roster.csv", "locked": "locked.pdf"}


@pytest.fixture
def uploaded(
    roomy: Credential, educator: User, north_reviewer: User, sent: dict[str, bytes]
) -> tuple[Submission, dict[str, Evidence]]:
    submission, _ = submission_start(educator=educator, credential=roomy)
    save(submission, educator, portfolio_answers(), portfolio_ratings())
    items = {key: upload(submission, educator, FIELD, NAMES[key], content) for key, content in sent.items()}
    return submission, items


@pytest.fixture
def assigned(uploaded, educator: User) -> tuple[Assignment, dict[str, Evidence]]:
    submission, items = uploaded
    attempt = attempt_submit(submission=submission, actor=educator)
    assignment = Assignment.objects.select_related("reviewer").get(attempt=attempt)
    return assignment, items


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_upload_records_its_reviewer_copy(uploaded, private_media):
    _, items = uploaded
    for key in KEYS:
        item = items[key]
        assert item.reviewer_copy == ReviewerCopy.CLEANED, (key, item.reviewer_copy_problem)
        assert item.reviewer_file.name
        assert item.reviewer_file.name != item.file.name
        assert item.reviewer_copy_removed
    assert items["csv"].reviewer_copy == ReviewerCopy.SAME
    assert items["csv"].reviewer_file.name == items["csv"].file.name, "text shares the stored file"
    locked = items["locked"]
    assert (locked.reviewer_copy, locked.reviewer_file.name) == (ReviewerCopy.WITHHELD, "")
    assert "locked.pdf could not be cleaned of the details that could identify you" in locked.owner_notice()
    assert "protected by a password" in locked.owner_notice()
    assert "Reviewers will not be able to open it" in locked.owner_notice()


def test_the_reviewer_gets_only_clean_bytes_on_every_route_and_the_owner_the_upload(assigned, educator, sent):
    assignment, items = assigned
    reviewer = _signed_in(assignment.reviewer)
    owner = _signed_in(educator)
    for key in [*KEYS, "csv"]:
        item = items[key]
        routes = [
            reverse("api-v1:reviews_evidence", kwargs={"assignment_id": assignment.pk, "evidence_id": item.pk}),
            reverse("api-v1:submission_evidence_file", kwargs={"evidence_id": item.pk}),
            reverse("submissions:evidence", args=[item.pk]),
        ]
        for route in routes:
            response = reviewer.get(route)
            received = _content(response)
            assert corpus.leaks(received) == set(), (key, route)
            assert received == item.reviewer_file.open("rb").read()
            assert response["Content-Disposition"].startswith('attachment; filename="evidence-')
        for route in routes[1:]:
            assert _content(owner.get(route)) == sent[key], (key, route)


def test_a_withheld_file_is_refused_to_the_reviewer_with_the_reason_and_served_to_its_owner(assigned, educator, sent):
    assignment, items = assigned
    locked = items["locked"]
    reviewer = _signed_in(assignment.reviewer)
    api = reviewer.get(
        reverse("api-v1:reviews_evidence", kwargs={"assignment_id": assignment.pk, "evidence_id": locked.pk})
    )
    assert api.status_code == 404
    assert "could not be cleaned of details that could identify the candidate" in api.json()["detail"]
    page = reviewer.get(reverse("submissions:evidence", args=[locked.pk]))
    assert page.status_code == 404
    assert b"%PDF" not in page.content
    assert _content(_signed_in(educator).get(reverse("submissions:evidence", args=[locked.pk]))) == sent["locked"]
    score = reviewer.get(reverse("reviews:score", args=[assignment.pk]))
    assert score.status_code == 200
    assert "withheld, because it could not be cleaned" in score.content.decode()


def test_the_educator_is_told_at_upload_through_the_api_and_the_page(roomy, educator, built):
    submission, _ = submission_start(educator=educator, credential=roomy)
    client = _signed_in(educator)
    response = client.post(
        f"/api/v1/submissions/{submission.pk}/evidence?field={FIELD}",
        {"file": io.BytesIO(corpus.pdf_locked(user_password="secret")), "student_data": "false"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reviewer_copy"] == "withheld"
    assert "could not be cleaned" in body["notice"]
    cleaned = client.post(
        f"/api/v1/submissions/{submission.pk}/evidence?field={FIELD}",
        {"file": io.BytesIO(built["docx"]), "student_data": "false"},
    )
    assert cleaned.json()["reviewer_copy"] == "cleaned"
    assert "comment authors" in cleaned.json()["reviewer_copy_removed"]
    assert cleaned.json()["notice"] == ""


def test_the_step_page_says_so_at_upload_and_keeps_the_file_marked(roomy, educator, built):
    submission, _ = submission_start(educator=educator, credential=roomy)
    client = _signed_in(educator)
    url = part_url(submission, "plan")
    _, hidden = open_step(client, url)
    locked = SimpleUploadedFile("locked plan.pdf", corpus.pdf_locked(user_password="secret"))

    response = client.post(url, {**hidden, "action": "save", FIELD: locked, f"student_data.{FIELD}": "no"}, follow=True)

    page = text_of(response)
    notice = "locked plan.pdf could not be cleaned of the details that could identify you"
    assert page.count(notice) == 2, "once as the message of the upload, once beside the file in the list"
    assert "Reviewers will not be able to open it" in page
    # With htmx, the field's own status line says it as the file arrives.
    _, hidden = open_step(client, url)
    again = SimpleUploadedFile("second.pdf", corpus.pdf_locked(user_password="secret"))
    answer = client.post(
        url, {**hidden, "action": "save", FIELD: again, f"student_data.{FIELD}": "no"}, headers={"HX-Request": "true"}
    )
    assert "second.pdf is attached to Lesson materials. second.pdf could not be cleaned" in text_of(answer)
    # A file that was cleaned says what its reviewers' copy leaves out.
    _, hidden = open_step(client, url)
    plan = SimpleUploadedFile("plan.docx", built["docx"])
    listed = text_of(
        client.post(url, {**hidden, "action": "save", FIELD: plan, f"student_data.{FIELD}": "no"}, follow=True)
    )
    assert "Reviewers get a copy without its document properties" in listed
    assert "; comment authors" in listed
    assert "; tracked-change authors" in listed


# ----- files stored before copies were made ----------------------------------------------------------------


def _as_before_copies(item: Evidence) -> Evidence:
    """The row as the migration leaves one stored before copies were made: pending, with no copy stored."""
    stored = item.reviewer_file.name or ""
    Evidence.objects.filter(pk=item.pk).update(
        reviewer_file="", reviewer_copy=ReviewerCopy.PENDING, reviewer_copy_removed=[]
    )
    item.reviewer_file.storage.delete(stored)
    return Evidence.objects.get(pk=item.pk)


def test_an_old_file_gets_its_copy_at_the_first_reviewer_download_never_the_original(assigned, built):
    assignment, items = assigned
    old = _as_before_copies(items["docx"])
    received = _content(
        _signed_in(assignment.reviewer).get(
            reverse("api-v1:reviews_evidence", kwargs={"assignment_id": assignment.pk, "evidence_id": old.pk})
        )
    )
    assert corpus.leaks(received) == set()
    assert received != built["docx"]
    old.refresh_from_db()
    assert old.reviewer_copy == ReviewerCopy.CLEANED
    assert old.reviewer_file.open("rb").read() == received


def test_the_command_makes_every_missing_copy(uploaded):
    _, items = uploaded
    for key in ("pdf", "png"):
        _as_before_copies(items[key])
    Evidence.objects.filter(pk__in=[items["locked"].pk, items["csv"].pk]).update(
        reviewer_copy=ReviewerCopy.PENDING, reviewer_file=""
    )
    out = StringIO()
    call_command("evidence_reviewer_copies", stdout=out)
    assert "reviewer copies: 2 cleaned, 1 needing no cleaning, 1 withheld" in out.getvalue()
    assert f"withheld evidence {items['locked'].pk}: it is protected by a password" in out.getvalue()
    assert not Evidence.objects.filter(reviewer_copy=ReviewerCopy.PENDING).exists()
    assert corpus.leaks(Evidence.objects.get(pk=items["pdf"].pk).reviewer_file.open("rb").read()) == set()


# ----- storage: removal and the sweep -----------------------------------------------------------------------


def _stored(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_removing_a_file_deletes_its_reviewer_copy_too(
    draft, educator, private_media, django_capture_on_commit_callbacks
):
    item = upload(draft, educator, FIELD, "plan.pdf", files.pdf())
    assert _stored(private_media) == {item.file.name, item.reviewer_file.name}
    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(evidence=item, actor=educator)
    assert _stored(private_media) == set()


def test_the_sweep_keeps_reviewer_copies_and_removes_orphaned_ones(draft, educator, private_media):
    kept = upload(draft, educator, FIELD, "plan.pdf", files.pdf())
    orphaned = upload(draft, educator, FIELD, "board.png", files.png())
    orphan_copy = orphaned.reviewer_file.name
    Evidence.objects.filter(pk=orphaned.pk).update(reviewer_file="", reviewer_copy=ReviewerCopy.PENDING)
    two_hours_ago = time.time() - 2 * 60 * 60
    for name in _stored(private_media):
        os.utime(private_media / name, (two_hours_ago, two_hours_ago))

    assert evidence_orphans_sweep() == [orphan_copy]
    assert _stored(private_media) == {kept.file.name, kept.reviewer_file.name, orphaned.file.name}
