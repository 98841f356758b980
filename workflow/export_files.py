"""An export as a file, CSV or XLSX, answered to the pages and the API alike.

A small export (up to SMALL_ROWS rows) is built whole with tablib, which gives the response a length and needs
no temporary file. A bigger one is never held whole: tablib's Dataset keeps every row in memory, so past
SMALL_ROWS the CSV streams a row at a time through the standard csv module (a StreamingHttpResponse over the
query's iterator), and the XLSX goes through openpyxl's write-only workbook (tablib's own XLSX engine), which
writes each row to its sheet file as it comes, spooled to a temporary file that the response then sends.
The rows were made safe for spreadsheets by core.spreadsheet.cell_safe (through workflow.exports) before they get here.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import Any, Literal

import tablib  # type: ignore[import-untyped]
from django.http import FileResponse, HttpResponse, StreamingHttpResponse

from workflow.exports import ExportTable, Row

FORMATS = ("csv", "xlsx")
Format = Literal["csv", "xlsx"]
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SMALL_ROWS = 500
# Past this size the spooled XLSX moves from memory to a file on disk.
SPOOL_BYTES = 256 * 2**10


class _Line:
    """A file-like object that hands back what is written to it: csv.writer then makes one line per row."""

    def write(self, value: str) -> str:
        return value


def csv_lines(headers: Iterable[str], rows: Iterable[Row]) -> Iterator[str]:
    """The CSV, a line at a time (with a byte-order mark first, so that spreadsheets read it as UTF-8)."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(list(headers))
    for row in rows:
        yield writer.writerow(row)


def xlsx_spool(title: str, headers: Iterable[str], rows: Iterable[Row]) -> Any:
    """The XLSX in a temporary file (memory while small, disk past SPOOL_BYTES), rewound to its start."""
    from openpyxl import Workbook  # type: ignore[import-untyped]  # here: a quarter of a second to load, at every start

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the response closes it
    book.save(spool)
    spool.seek(0)
    return spool


def _attachment(response: HttpResponse | StreamingHttpResponse | FileResponse, filename: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"


def export_response(table: ExportTable, fmt: Format) -> HttpResponse | StreamingHttpResponse | FileResponse:
    """The export as a download. The first SMALL_ROWS + 1 rows are read to tell a small export from a big one; a
    big one goes on from the same iterator, so either way the rows come from one query."""
    filename = f"{table.filename}.{fmt}"
    headers = list(table.export.headers)
    first = list(islice(table.rows, SMALL_ROWS + 1))
    response: HttpResponse | StreamingHttpResponse | FileResponse
    if len(first) <= SMALL_ROWS:
        dataset = tablib.Dataset(*first, headers=headers, title=str(table.export.title)[:31])
        if fmt == "csv":
            response = HttpResponse("\ufeff" + dataset.export("csv"), content_type=CONTENT_TYPES["csv"])
        else:
            response = HttpResponse(dataset.export("xlsx"), content_type=CONTENT_TYPES["xlsx"])
    else:
        rows = chain(first, table.rows)
        if fmt == "csv":
            response = StreamingHttpResponse(csv_lines(headers, rows), content_type=CONTENT_TYPES["csv"])
        else:
            spool = xlsx_spool(str(table.export.title), headers, rows)
            response = FileResponse(spool, content_type=CONTENT_TYPES["xlsx"])
    _attachment(response, filename)
    return response
