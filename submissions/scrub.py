"""The reviewer's copy of an evidence file: the same content, without the details that name who made it.

A document carries its author outside its visible content: a PDF's document information and XMP, an
Office package's core, app and custom properties and its comment and tracked-change authors, a photo's
EXIF, XMP, IPTC and comments, a recording's tags. Blind review needs all of them gone from what a
reviewer downloads, so every upload gets a copy made here (submissions.services.evidence) and reviewers
are only ever served that copy (submissions.downloads).

`scrub` answers the copy and a list of what it removed, in words an educator reads; it raises
`Uncleanable` with the reason when it cannot be sure the copy is clean (an encrypted or damaged file),
and then reviewers are shown a notice instead of the file. Text files have nothing to remove: their copy
is the original itself.

One module per family of formats: scrub_pdf, scrub_office, scrub_images, scrub_audio (scrub_base holds
what they share).
"""

from __future__ import annotations

from typing import IO

from submissions.scrub_audio import scrub_audio
from submissions.scrub_base import Scrubbed, Uncleanable
from submissions.scrub_images import scrub_image
from submissions.scrub_office import scrub_office
from submissions.scrub_pdf import scrub_pdf

__all__ = ["Scrubbed", "Uncleanable", "scrub"]


def scrub(kind: str, detail: str, source: IO[bytes]) -> Scrubbed:
    """The reviewer's copy of a file whose type was found by its content (submissions.evidence.sniff):
    `kind` is one of catalog.schema.FILE_TYPES, `detail` the precise format (png, mp3, ...)."""
    source.seek(0)
    if kind in ("csv", "txt", "text"):
        return Scrubbed(None)
    if kind == "pdf":
        return scrub_pdf(source)
    if kind in ("docx", "xlsx", "pptx"):
        return scrub_office(source)
    if kind == "image":
        return scrub_image(source, detail)
    if kind == "audio":
        return scrub_audio(source, detail)
    raise Uncleanable(f"there is no cleaner for files of the kind {kind!r}")
