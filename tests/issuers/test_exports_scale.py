"""An export of 10,000 rows streams: the response is a stream (CSV) or a file spooled from openpyxl's write-only
workbook (XLSX), and the memory it takes at its peak does not grow with the rows as holding them all would."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from submissions.models import Attempt, AttemptStatus, Status, Submission


def _attempts(n: int, credential: Any, start: int) -> None:
    """N earned attempts, written directly (a submissions export row each): only the export is measured."""
    users = User.objects.bulk_create(
        [
            User(email=f"scale{i}@export.example", name=f"=Scale Earner {i} " + "x" * 40, password="!")
            for i in range(start, start + n)
        ],
        batch_size=2000,
    )
    submissions = Submission.objects.bulk_create(
        [
            Submission(
                educator=u,
                credential=credential,
                version=credential.current_version,
                status=Status.EARNED,
                is_open=False,
            )
            for u in users
        ],
        batch_size=2000,
    )
    now = timezone.now()
    Attempt.objects.bulk_create(
        [
            Attempt(
                submission=s,
                number=1,
                version=credential.current_version,
                responses={},
                submitted_by=s.educator,
                submitted_at=now,
                status=AttemptStatus.EARNED,
                status_changed_at=now,
            )
            for s in submissions
        ],
        batch_size=2000,
    )


def _download(client: Client, fmt: str) -> tuple[Any, int, int, bytes]:
    """The response, the bytes it sent, the peak memory traced while it was made and read, and its first bytes."""
    path = reverse(f"issuers:export_{fmt}", args=["classkick", "submissions"])
    tracemalloc.start()
    try:
        response: Any = client.get(path)
        size, head = 0, b""
        chunks = response.streaming_content if response.streaming else [response.content]
        for chunk in chunks:  # read as a client would, a chunk at a time, keeping none
            if len(head) < 300:
                head += bytes(chunk[:300])
            size += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return response, size, peak, head


@pytest.mark.slow
@pytest.mark.scale
@pytest.mark.once
def test_an_export_of_10000_rows_streams_in_memory_that_does_not_grow_with_the_rows(issuer_admin, classkick, capsys):
    client = Client()
    client.force_login(issuer_admin)
    _attempts(1000, classkick, 0)
    small = {fmt: _download(client, fmt) for fmt in ("csv", "xlsx")}
    _attempts(9000, classkick, 1000)
    large = {fmt: _download(client, fmt) for fmt in ("csv", "xlsx")}

    for fmt in ("csv", "xlsx"):
        (small_response, small_size, small_peak, _), (response, size, peak, head) = small[fmt], large[fmt]
        with capsys.disabled():
            print(
                f"\n{fmt}: 1,000 rows {small_size:,} bytes, peak {small_peak:,} B; "
                f"10,000 rows {size:,} bytes, peak {peak:,} B"
            )
        # CSV: a StreamingHttpResponse over the query's iterator; XLSX: a FileResponse over the spooled file.
        assert small_response.streaming
        assert response.streaming
        assert size > 8 * small_size  # ten times the rows really went out
        # Holding every row would take ten times the memory; the stream's peak is the rows of one database chunk
        # (CHUNK_ROWS, 1,000; the next chunk may arrive while the last is still held) and the writer's buffers.
        assert peak < 3 * small_peak, (fmt, small_peak, peak)
        assert peak < 16 * 2**20, (fmt, peak)
        if fmt == "csv":
            assert head.decode("utf-8-sig").startswith("attempt_id,candidate,educator_name")
            assert ",'=Scale Earner 0 x" in head.decode("utf-8-sig")  # formula-looking text neutralised
        else:
            assert head.startswith(b"PK")  # a zip, as an XLSX is
