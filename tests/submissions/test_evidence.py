"""Evidence files: recognised by content, not by name; limited per field; stored privately."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from core.errors import FileTooLarge, InvalidInput, InvalidState, NotAllowed
from submissions.evidence import Refused, sniff
from submissions.models import Evidence, Submission
from submissions.services import attempt_withdraw, evidence_add, evidence_remove
from tests.submissions import files
from tests.submissions.helpers import complete_portfolio, upload
from workflow.services import attempt_submit

LESSON = "plan.lesson_files"  # accepts pdf, docx, xlsx, pptx, csv, txt, image; 1 MB; 2 files
AUDIO = "reflection.reflection_audio"  # accepts audio only; 1 file


def refusal(excinfo: pytest.ExceptionInfo[InvalidInput]) -> str:
    (error,) = excinfo.value.errors
    return error.message


def test_the_test_pdf_is_a_real_pdf():
    assert len(PdfReader(io.BytesIO(files.pdf())).pages) == 1


@pytest.mark.parametrize(
    ("name", "content", "kind", "detail", "content_type"),
    [
        ("plan.pdf", files.pdf(), "pdf", "pdf", "application/pdf"),
        (
            "plan.docx",
            files.office("docx"),
            "docx",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "grades.xlsx",
            files.office("xlsx"),
            "xlsx",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "slides.pptx",
            files.office("pptx"),
            "pptx",
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("photo.png", files.png(), "image", "png", "image/png"),
        ("photo.jpg", files.jpeg(), "image", "jpeg", "image/jpeg"),
        ("roster.csv", "name,score\nA. B.,3\nÉlodie,4\n".encode(), "csv", "text", "text/csv; charset=utf-8"),
        ("notes.txt", b"Plain notes\n", "txt", "text", "text/plain; charset=utf-8"),
    ],
)
def test_it_accepts_each_document_kind_by_its_content(
    draft, educator, private_media, name, content, kind, detail, content_type
):
    item = upload(draft, educator, LESSON, name, content)
    assert (item.detected_type, item.detail, item.content_type) == (kind, detail, content_type)
    assert item.size == len(content)
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    assert item.original_name == name
    stored = private_media / item.file.name
    assert stored.read_bytes() == content, "the file lands in private storage under MEDIA_ROOT"
    stored_name = item.file.name or ""
    assert name not in stored_name, "the stored path carries nothing of the original name"
    assert len(stored_name.rsplit("/", 1)[1]) >= 40, "and is long enough not to be guessed"


def test_the_name_does_not_decide_the_type(draft, educator):
    item = upload(draft, educator, LESSON, "looks-like-a.docx", files.pdf())
    assert item.detected_type == "pdf"


@pytest.mark.parametrize(
    ("name", "content", "detail"),
    [("r.wav", files.wav(), "wav"), ("r.mp3", files.mp3(), "mp3")],
)
def test_it_accepts_audio_by_its_content(draft, educator, name, content, detail):
    item = upload(draft, educator, AUDIO, name, content)
    assert (item.detected_type, item.detail) == ("audio", detail)


@pytest.mark.parametrize(
    ("head", "detail"),
    [
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "m4a"),
        (b"OggS\x00\x02" + bytes(20), "ogg"),
        (b"fLaC\x00\x00\x00\x22" + bytes(20), "flac"),
    ],
)
def test_other_audio_containers_are_recognised_by_their_magic_bytes(head, detail):
    sniffed = sniff(io.BytesIO(head + bytes(100)))
    assert (sniffed.kind, sniffed.detail) == ("audio", detail)


@pytest.mark.parametrize(
    ("name", "make", "says"),
    [
        ("plan.pdf", files.elf, "this is a Linux program (ELF), not a document"),
        ("plan.docx", files.windows_exe, "this is a Windows program (PE), not a document"),
        ("notes.txt", lambda: b"#!/bin/sh\nrm -rf /\n", "this is a script, not a document"),
        ("bomb.docx", files.zip_bomb, "it looks like a zip bomb"),
        ("drawing.svg", files.svg_with_script, "SVG image, which can carry scripts"),
        ("drawing.png", files.svg_with_script, "SVG image, which can carry scripts"),
        (
            "macro.docx",
            lambda: files.office("docx", main_type="application/vnd.ms-word.document.macroEnabled.main+xml"),
            "not a plain Word, Excel or PowerPoint document",
        ),
        ("macro.xlsx", lambda: files.office("xlsx", extra={"xl/vbaProject.bin": b"\x00" * 10}), "contains macros"),
        ("archive.docx", lambda: b"PK\x03\x04" + bytes(60), "zip file is damaged"),
        ("broken.png", lambda: files.png()[:40], "damaged or not really an image"),
        ("latin1.csv", lambda: "café;crème\n".encode("latin-1"), "not UTF-8 text either"),
        ("nul.txt", lambda: b"abc\x00def", "binary file"),
        ("empty.pdf", lambda: b"", "the file is empty"),
    ],
)
def test_it_refuses_dangerous_or_damaged_files_naming_the_field_and_what_it_accepts(draft, educator, name, make, says):
    with pytest.raises(InvalidInput) as excinfo:
        upload(draft, educator, LESSON, name, make())
    message = refusal(excinfo)
    assert excinfo.value.errors[0].field == LESSON
    assert message.startswith(f"Lesson materials: {name} was not accepted: ")
    assert says in message
    assert "This field accepts: PDF document, Word document (.docx)" in message
    assert not Evidence.objects.exists()


def test_a_zip_that_is_not_an_office_document_is_refused(draft, educator):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(InvalidInput) as excinfo:
        upload(draft, educator, LESSON, "plan.docx", buffer.getvalue())
    assert "a zip archive, not a Word, Excel or PowerPoint document" in refusal(excinfo)


def test_a_zip_with_too_many_entries_is_refused(draft, educator):
    extra = {f"word/media/{i}.xml": b"<a/>" for i in range(2_001)}
    with pytest.raises(InvalidInput) as excinfo:
        upload(draft, educator, LESSON, "plan.docx", files.office("docx", extra=extra))
    assert "more than 2,000" in refusal(excinfo)


def test_an_image_with_too_many_pixels_is_refused(draft, educator):
    # 8,000 by 8,000 one-bit pixels pack into a few kilobytes of PNG: small file, huge image.
    with pytest.raises(InvalidInput) as excinfo:
        upload(draft, educator, LESSON, "huge.png", files.png((8_000, 8_000), mode="1"))
    assert "this image is 8000 by 8000 pixels; the most is 50,000,000 pixels" in refusal(excinfo)


def test_an_image_past_pillows_own_bomb_limit_is_refused_too():
    # Beyond twice Pillow's MAX_IMAGE_PIXELS, opening raises before any size can be read.
    with pytest.raises(Refused, match="more than 50,000,000 pixels"):
        sniff(io.BytesIO(files.png((14_000, 13_000), mode="1")))


def test_a_type_the_field_does_not_accept_is_refused_with_the_accepted_types(draft, educator):
    with pytest.raises(InvalidInput) as excinfo:
        upload(draft, educator, AUDIO, "plan.pdf", files.pdf())
    assert refusal(excinfo) == (
        "Audio reflection: plan.pdf is a PDF document, which this field does not accept. "
        "This field accepts: Audio (MP3, M4A, WAV, OGG)."
    )


def test_a_file_over_the_field_size_limit_is_refused_as_too_large(draft, educator):
    big = files.pdf() + b"%" + b"x" * (1024 * 1024)
    with pytest.raises(FileTooLarge) as excinfo:
        upload(draft, educator, LESSON, "big.pdf", big)
    assert excinfo.value.status_code == 413
    assert "big.pdf is 1.0 MB; the most this field takes is 1 MB per file" in refusal(excinfo)


def test_a_field_holds_at_most_max_files(draft, educator, private_media):
    upload(draft, educator, LESSON, "a.pdf", files.pdf())
    upload(draft, educator, LESSON, "b.pdf", files.pdf())
    with pytest.raises(InvalidInput) as excinfo:
        upload(draft, educator, LESSON, "c.pdf", files.pdf())
    assert "already holds 2 files, the most it takes; remove one" in refusal(excinfo)
    # Each kept upload and its reviewer's copy; nothing of the refused one.
    assert len([p for p in private_media.rglob("*") if p.is_file()]) == 4, "nothing is left behind in storage"


def test_a_refused_file_leaves_nothing_in_storage(draft, educator, private_media):
    with pytest.raises(InvalidInput):
        upload(draft, educator, LESSON, "plan.pdf", files.elf())
    # Submitted from another tab meanwhile: this (stale) copy still says the draft is editable.
    Submission.objects.filter(pk=draft.pk).update(status="submitted")
    with pytest.raises(InvalidState):
        upload(draft, educator, LESSON, "plan.pdf", files.pdf())
    assert not [p for p in private_media.rglob("*") if p.is_file()]


@pytest.mark.parametrize("field", ["plan.narrative", "plan.nope", "plan.interactions.link", "nonsense"])
def test_only_file_fields_take_files(draft, educator, field):
    with pytest.raises(InvalidInput) as excinfo:
        upload(draft, educator, field, "a.pdf", files.pdf())
    assert excinfo.value.errors[0].field == field


def test_an_original_name_with_a_path_or_control_characters_is_cleaned(draft, educator):
    item = upload(draft, educator, LESSON, "../../etc/pass\x00wd.pdf", files.pdf())
    assert item.original_name == "passwd.pdf"


def test_removing_a_file_no_attempt_uses_deletes_it(draft, educator, private_media, django_capture_on_commit_callbacks):
    item = upload(draft, educator, LESSON, "a.pdf", files.pdf())
    stored = private_media / item.file.name
    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(evidence=item, actor=educator)
    assert not Evidence.objects.filter(pk=item.pk).exists()
    assert not stored.exists()


def test_removing_a_file_an_attempt_uses_keeps_it_for_the_attempt(draft, educator, private_media):
    complete_portfolio(draft, educator)
    item = draft.evidence.get()
    attempt = attempt_submit(submission=draft, actor=educator)
    with pytest.raises(InvalidState):
        evidence_remove(evidence=item, actor=educator)  # the draft is locked while submitted
    attempt_withdraw(attempt=attempt, actor=educator)
    evidence_remove(evidence=item, actor=educator)
    item.refresh_from_db()
    assert not item.in_draft
    assert (private_media / item.file.name).exists()
    assert list(attempt.evidence_files.all()) == [item]


def test_only_the_owner_may_upload(draft, educator2):
    with pytest.raises(NotAllowed):
        evidence_add(
            submission=draft,
            actor=educator2,
            field_ref=LESSON,
            upload=SimpleUploadedFile("a.pdf", files.pdf()),
            student_data=False,
        )


def test_sniffing_refuses_a_program_whatever_it_is_called():
    with pytest.raises(Refused, match="ELF"):
        sniff(io.BytesIO(files.elf()))


def test_a_refusal_is_invalid_input_of_the_one_error_hierarchy():
    # A caller that lets a refusal escape still answers 422 with the reason, never a 500.
    with pytest.raises(InvalidInput) as excinfo:
        sniff(io.BytesIO(b""))
    assert isinstance(excinfo.value, Refused)
    assert (excinfo.value.status_code, excinfo.value.message) == (422, "the file is empty")
    assert [e.as_dict() for e in excinfo.value.errors] == [
        {"field": "file", "message": "the file is empty", "entry": None}
    ]
