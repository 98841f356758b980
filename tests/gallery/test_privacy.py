"""A published example gives nothing away: Dana's name, email and school, typed into her answers and stored in her
files' metadata, and her students' names and grades, in the marked answer, the marked roster file and a recording
she said holds their voices, appear nowhere in the public page or in any file it serves."""

from __future__ import annotations

import re

from django.urls import reverse

from core.models import AuditEvent
from gallery.models import GalleryEntry
from reviews.anonymise import EMAIL_REMOVED, NAME_REMOVED, SCHOOL_REMOVED
from submissions.models import Evidence
from tests.gallery.conftest import STUDENTS
from tests.submissions.identity import NEEDLES, fold, leaks

STUDENT_NEEDLES = tuple(fold(s) for s in (*STUDENTS, "gonzalez", "carter", "B+ (87)", "A- (91)"))


def _public_page(client, entry: GalleryEntry) -> str:
    response = client.get(reverse("gallery:entry", args=[entry.credential.slug, entry.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    return response.content.decode()


def test_the_public_example_carries_no_identity_and_no_student_data(client, published):
    html = _public_page(client, published)
    text = fold(html)

    assert not [needle for needle in (*NEEDLES, *STUDENT_NEEDLES) if needle in text]
    # What reviewers see stands in for it: markers where she named herself, the marked answer left out by name.
    assert NAME_REMOVED in html
    assert EMAIL_REMOVED in html
    assert SCHOOL_REMOVED in html
    assert "co-teacher and I planned each unit together" in html
    assert "These answers may hold student data, so they are never shown" in html
    assert "Analysis" in html
    # Three files were submitted; only the recording said to hold no student data is shown.
    links = re.findall(r'href="(/examples/[^"]+/files/\d+/)"', html)
    assert len(links) == 1
    assert "2 files are not shown" in html


def test_the_served_file_is_the_reviewers_copy_without_its_metadata(client, published):
    html = _public_page(client, published)
    (link,) = re.findall(r'href="(/examples/[^"]+/files/\d+/)"', html)
    response = client.get(link)
    body = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav" or response["Content-Type"].startswith("audio/")
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert re.search(r'filename="example-\d+-file-1\.wav"', response["Content-Disposition"])
    original = Evidence.objects.get(pk=int(link.rstrip("/").rsplit("/", 1)[1]))
    assert leaks(original.file.read()), "the original must carry the identity, or this test proves nothing"
    assert not leaks(body)
    assert not [needle for needle in STUDENT_NEEDLES if needle in fold(body.decode("latin-1"))]
    # Opened by a visitor: recorded as every opening of evidence by anyone but its owner is.
    viewed = AuditEvent.objects.get(action="evidence.viewed")
    assert (viewed.actor_id, viewed.data["evidence"], viewed.data["gallery_entry"]) == (None, original.pk, published.pk)


def test_files_left_out_cannot_be_fetched_by_address(client, published):
    shown = re.findall(r"/files/(\d+)/", _public_page(client, published))
    hidden = Evidence.objects.filter(attempts=published.badge.attempt).exclude(pk__in=[int(pk) for pk in shown])
    assert hidden.count() == 2
    for item in hidden:
        url = reverse("gallery:file", args=[published.credential.slug, published.pk, item.pk])
        assert client.get(url).status_code == 404
