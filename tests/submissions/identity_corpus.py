"""Files of every evidence format with one person's identity in every metadata field the format has.

The files are real: made with the libraries that write each format (Pillow, pypdf, python-docx, mutagen), or
byte by byte after the specification where no library here writes it (MP4, Ogg, RIFF chunks, IPTC, the Office
parts python-docx does not make). None carries the identity in its visible content, only in metadata, so a
clean copy must carry none of it. The identity and the check that finds it are in tests/submissions/identity.py.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.submissions.identity import EMAIL, NAME, NEEDLES, SCHOOL, leaks
from tests.submissions.identity_files_audio import m4a, mp3, mpeg_frames, ogg, wav
from tests.submissions.identity_files_media import gif, jpeg, pdf, pdf_locked, png, webp
from tests.submissions.identity_files_office import docx, pptx, xlsx

__all__ = ["CORPUS", "EMAIL", "NAME", "NEEDLES", "SCHOOL", "leaks", "mpeg_frames", "pdf_locked"]

# name: (file name, builder, FILE_TYPES kind, detail as sniffed)
CORPUS: dict[str, tuple[str, Callable[[], bytes], str, str]] = {
    "pdf": ("plan.pdf", pdf, "pdf", "pdf"),
    "docx": ("plan.docx", docx, "docx", "docx"),
    "xlsx": ("grades.xlsx", xlsx, "xlsx", "xlsx"),
    "pptx": ("slides.pptx", pptx, "pptx", "pptx"),
    "png": ("board.png", png, "image", "png"),
    "jpeg": ("class.jpg", jpeg, "image", "jpeg"),
    "gif": ("loop.gif", gif, "image", "gif"),
    "webp-lossless": ("chart.webp", webp, "image", "webp"),
    "webp-lossy": ("photo.webp", lambda: webp(lossless=False), "image", "webp"),
    "mp3": ("reflection.mp3", mp3, "audio", "mp3"),
    "m4a": ("reflection.m4a", m4a, "audio", "m4a"),
    "wav": ("reflection.wav", wav, "audio", "wav"),
    "ogg": ("reflection.ogg", ogg, "audio", "ogg"),
}
