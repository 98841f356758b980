"""Recordings without their tags: ID3 and APE (MP3), Vorbis comments and pictures (Ogg, FLAC), the MP4
udta/meta/uuid atoms (M4A), and every RIFF chunk a WAV player does not need (INFO, id3, bext, iXML, XMP).

The sound itself is never decoded: the copy is the original's bytes with the tags taken out.
"""

from __future__ import annotations

import shutil
from typing import IO

import mutagen
from django.utils.translation import gettext_noop
from mutagen import apev2, flac, id3

from submissions.scrub_base import Removed, Scrubbed, Uncleanable, spooled

TAGS = gettext_noop("tags (title, artist, album, comments, cover art)")
_CHUNK = 1024 * 1024


def scrub_audio(source: IO[bytes], detail: str) -> Scrubbed:
    copy = spooled()
    shutil.copyfileobj(source, copy, _CHUNK)
    copy.seek(0)
    removed = Removed()
    try:
        if detail == "wav":
            cleaned = _wav(copy, removed)
            copy.close()
            copy = cleaned
        elif detail in ("m4a", "mp4"):
            _mp4(copy, removed)
        elif detail == "mp3":
            _mp3(copy, removed)
        elif detail in ("ogg", "flac"):
            _vorbis_comments(copy, detail, removed)
        else:
            raise Uncleanable(f"recordings of the kind {detail!r} have no cleaner")
        copy.seek(0)
        left = audio_details(copy, detail)
    except Uncleanable:
        copy.close()
        raise
    except (mutagen.MutagenError, OSError, EOFError, ValueError, IndexError):
        copy.close()
        raise Uncleanable(gettext_noop("the recording's tags could not be read; it may be damaged")) from None
    if left:
        copy.close()
        raise Uncleanable(f"its {', '.join(left)} could not be removed")
    copy.seek(0)
    return Scrubbed(copy, removed.labels())


def audio_details(file: IO[bytes], detail: str) -> list[str]:
    """What in this recording could name a person: empty for a clean copy."""
    found = []
    if detail == "mp3":
        file.seek(0)
        head = file.read(3)
        file.seek(max(_size(file) - 128, 0))
        if head == b"ID3" or file.read(3) == b"TAG":
            found.append("ID3 tags")
        file.seek(0)
        try:
            apev2.APEv2(file)
        except apev2.error:
            pass
        else:
            found.append("APE tags")
    elif detail in ("ogg", "flac"):
        file.seek(0)
        audio = mutagen.File(file)
        if audio is None:
            raise Uncleanable(gettext_noop("the recording could not be read"))
        if audio.tags:
            found.append(TAGS)
        if isinstance(audio, flac.FLAC) and audio.pictures:
            found.append("cover art")
    elif detail in ("m4a", "mp4"):
        found += [f"{'/'.join(path)} atom" for path, _, _ in _mp4_atoms_to_blank(file)]
    elif detail == "wav":
        found += [
            f"{name.decode('latin-1').strip()} chunk" for name, _, _ in _riff_chunks(file) if name not in _WAV_KEEP
        ]
    file.seek(0)
    return found


def _size(file: IO[bytes]) -> int:
    here = file.tell()
    file.seek(0, 2)
    size = file.tell()
    file.seek(here)
    return size


# ----- MP3 -------------------------------------------------------------------------------------------------


def _mp3(file: IO[bytes], removed: Removed) -> None:
    # ID3v1, APEv2 and ID3v2 can be stacked in either order at the end; each removal can uncover another.
    for _ in range(4):
        if not audio_details(file, "mp3"):
            return
        removed.add(TAGS)
        apev2.delete(file)
        file.seek(0)
        id3.delete(file, delete_v1=True, delete_v2=True)
        file.seek(0)


# ----- Ogg and FLAC ------------------------------------------------------------------------------------------


def _vorbis_comments(file: IO[bytes], detail: str, removed: Removed) -> None:
    audio = mutagen.File(file)
    if audio is None:
        raise Uncleanable(gettext_noop("the recording could not be read"))
    if audio.tags:
        removed.add(TAGS)
    file.seek(0)
    if isinstance(audio, flac.FLAC):
        if audio.pictures:
            removed.add("cover art")
        audio.clear_pictures()
        if isinstance(audio.tags, flac.VCFLACDict):
            audio.tags.clear()
        # APPLICATION blocks hold whatever the program that wrote them chose to keep.
        audio.metadata_blocks = [block for block in audio.metadata_blocks if block.code != 2]
        audio.save(file, deleteid3=True, padding=lambda info: 0)
    elif audio.tags is not None:
        audio.delete(file)


# ----- MP4 / M4A ---------------------------------------------------------------------------------------------

# Where MP4 keeps descriptive data: iTunes-style ilst under udta/meta, QuickTime's own udta entries (©nam,
# ©ART, Xtra), QuickTime metadata (moov/meta) and XMP (uuid atoms). None of them is needed to play the sound.
_MP4_DESCRIPTIVE = {b"udta", b"meta", b"uuid"}
_MP4_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf"}


def _mp4(file: IO[bytes], removed: Removed) -> None:
    """Turn each descriptive atom into a `free` atom of the same size, filled with zeros.

    Written by hand because mutagen removes only the ilst list, not QuickTime's udta entries or XMP, and
    because keeping every atom's size keeps every chunk offset (stco/co64) true without rewriting them."""
    for _, start, size in _mp4_atoms_to_blank(file):
        header = 16 if _is_large(file, start) else 8
        file.seek(start + 4)
        file.write(b"free")
        remaining = size - header
        file.seek(start + header)
        while remaining > 0:
            step = min(remaining, _CHUNK)
            file.write(bytes(step))
            remaining -= step
        removed.add(TAGS)


def _is_large(file: IO[bytes], start: int) -> bool:
    file.seek(start)
    return int.from_bytes(file.read(4), "big") == 1


def _mp4_atoms_to_blank(file: IO[bytes]) -> list[tuple[tuple[str, ...], int, int]]:
    end = _size(file)
    found: list[tuple[tuple[str, ...], int, int]] = []

    def walk(start: int, stop: int, path: tuple[str, ...]) -> None:
        position = start
        while position + 8 <= stop:
            file.seek(position)
            header = file.read(8)
            size, kind = int.from_bytes(header[:4], "big"), header[4:8]
            header_size = 8
            if size == 1:
                size, header_size = int.from_bytes(file.read(8), "big"), 16
            elif size == 0:
                size = stop - position
            if size < header_size or position + size > stop:
                raise Uncleanable(gettext_noop("the recording's structure is damaged"))
            name = kind.decode("latin-1")
            if kind in _MP4_DESCRIPTIVE:
                found.append(((*path, name), position, size))
            elif kind in _MP4_CONTAINERS:
                walk(position + header_size, position + size, (*path, name))
            position += size

    walk(0, end, ())
    file.seek(0)
    return found


# ----- WAV ---------------------------------------------------------------------------------------------------

# What a player needs; every other chunk (LIST/INFO, id3, bext, iXML, _PMX, cart, LIST/adtl labels) is dropped.
_WAV_KEEP = {b"fmt ", b"fact", b"data", b"cue ", b"smpl", b"inst"}


def _riff_chunks(file: IO[bytes]) -> list[tuple[bytes, int, int]]:
    """The chunks of a RIFF/WAVE file: name, offset of the payload, payload size.

    Written by hand: mutagen reads a WAV's id3 chunk only, not its INFO list or the other chunks."""
    file.seek(0)
    head = file.read(12)
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise Uncleanable(gettext_noop("the recording is not a RIFF/WAVE file"))
    end = _size(file)
    chunks = []
    position = 12
    while position + 8 <= end:
        file.seek(position)
        header = file.read(8)
        name, size = header[:4], int.from_bytes(header[4:8], "little")
        if position + 8 + size > end:
            if name == b"data":  # a recorder stopped mid-write: the sound runs to the end of the file
                size = end - position - 8
            else:
                raise Uncleanable(gettext_noop("the recording's structure is damaged"))
        chunks.append((name, position + 8, size))
        position += 8 + size + (size & 1)
    return chunks


def _wav(file: IO[bytes], removed: Removed) -> IO[bytes]:
    chunks = _riff_chunks(file)
    if not any(name == b"data" for name, _, _ in chunks):
        raise Uncleanable(gettext_noop("the recording holds no sound data"))
    out = spooled()
    out.write(b"RIFF\0\0\0\0WAVE")
    for name, offset, size in chunks:
        if name not in _WAV_KEEP:
            removed.add(
                TAGS if name in (b"LIST", b"id3 ", b"ID3 ") else gettext_noop("recorder details (bext, iXML, XMP)")
            )
            continue
        out.write(name + size.to_bytes(4, "little"))
        file.seek(offset)
        remaining = size
        while remaining > 0:
            block = file.read(min(remaining, _CHUNK))
            if not block:
                raise Uncleanable(gettext_noop("the recording's structure is damaged"))
            out.write(block)
            remaining -= len(block)
        if size & 1:
            out.write(b"\0")
    total = out.tell()
    out.seek(4)
    out.write((total - 8).to_bytes(4, "little"))
    out.seek(0)
    return out
