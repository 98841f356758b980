"""Recordings with the identity (tests/submissions/identity.py) in every tag their containers hold."""

from __future__ import annotations

import io
import struct

from mutagen import apev2, id3
from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm
from mutagen.oggopus import OggOpus
from mutagen.wave import WAVE

from tests.submissions import files
from tests.submissions.identity import EMAIL, NAME, NAME_ACCENTED, SCHOOL, WHO, XMP
from tests.submissions.identity_files_media import jpeg

# ----- audio -------------------------------------------------------------------------------------------------


def mpeg_frames(count: int = 8) -> bytes:
    # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 417-byte frames of silence.
    return (b"\xff\xfb\x90\x64" + bytes(413)) * count


def mp3() -> bytes:
    file = io.BytesIO(mpeg_frames())
    tags = id3.ID3()
    tags.add(id3.TIT2(encoding=id3.Encoding.UTF16, text=[f"Reflection by {WHO}"]))
    tags.add(id3.TPE1(encoding=id3.Encoding.UTF8, text=[WHO]))
    tags.add(id3.TPE2(encoding=id3.Encoding.LATIN1, text=[NAME]))
    tags.add(id3.TALB(encoding=id3.Encoding.UTF8, text=[SCHOOL]))
    tags.add(id3.TCOM(encoding=id3.Encoding.UTF8, text=[EMAIL]))
    tags.add(id3.TCOP(encoding=id3.Encoding.UTF8, text=[SCHOOL]))
    tags.add(id3.COMM(encoding=id3.Encoding.UTF16, lang="eng", desc="note", text=[WHO]))
    tags.add(id3.TXXX(encoding=id3.Encoding.UTF8, desc="School", text=[SCHOOL]))
    tags.add(id3.USLT(encoding=id3.Encoding.UTF8, lang="eng", desc="", text=WHO))
    tags.add(id3.WOAR(url=f"mailto:{EMAIL}"))
    tags.add(id3.APIC(encoding=id3.Encoding.UTF8, mime="image/jpeg", type=3, desc=NAME, data=jpeg()))
    tags.save(file, v1=2, v2_version=4)
    ape = apev2.APEv2()
    ape["Artist"], ape["Comment"] = WHO, SCHOOL
    file.seek(0)
    ape.save(file)
    return file.getvalue()


def _atom(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full(kind: bytes, payload: bytes, flags: int = 0) -> bytes:
    return _atom(kind, b"\0" + flags.to_bytes(3, "big") + payload)


def _descriptor(tag: int, payload: bytes) -> bytes:
    return bytes([tag, len(payload)]) + payload


def _m4a_untagged() -> bytes:
    """An MP4 audio file after ISO/IEC 14496-12 and -14: one AAC track of one (silent) frame."""
    sample = b"\x21\x10\x04\x60\x8c\x1c"
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _full(
        b"mvhd",
        struct.pack(">IIIIIH", 0, 0, 44100, 1024, 0x10000, 0x100)
        + bytes(10)
        + matrix
        + bytes(24)
        + struct.pack(">I", 2),
    )
    tkhd = _full(
        b"tkhd",
        struct.pack(">IIIII", 0, 0, 1, 0, 1024) + bytes(8) + struct.pack(">HHHH", 0, 0, 0x100, 0) + matrix + bytes(8),
        flags=7,
    )
    mdhd = _full(b"mdhd", struct.pack(">IIIIHH", 0, 0, 44100, 1024, 0x55C4, 0))
    hdlr = _full(b"hdlr", b"\0\0\0\0soun" + bytes(12) + b"SoundHandler\0")
    esds = _full(
        b"esds",
        _descriptor(
            3,
            b"\0\x01\0"
            + _descriptor(4, b"\x40\x15\0\0\0" + struct.pack(">II", 128000, 128000) + _descriptor(5, b"\x12\x10"))
            + _descriptor(6, b"\x02"),
        ),
    )
    mp4a = _atom(
        b"mp4a", bytes(6) + struct.pack(">H", 1) + bytes(8) + struct.pack(">HHHHI", 2, 16, 0, 0, 44100 << 16) + esds
    )
    stsd = _full(b"stsd", struct.pack(">I", 1) + mp4a)
    stts = _full(b"stts", struct.pack(">III", 1, 1, 1024))
    stsc = _full(b"stsc", struct.pack(">IIII", 1, 1, 1, 1))
    stsz = _full(b"stsz", struct.pack(">III", 0, 1, len(sample)))
    ftyp = _atom(b"ftyp", b"M4A \0\0\0\0M4A mp42isom")

    def moov(offset: int) -> bytes:
        stco = _full(b"stco", struct.pack(">II", 1, offset))
        stbl = _atom(b"stbl", stsd + stts + stsc + stsz + stco)
        dinf = _atom(b"dinf", _full(b"dref", struct.pack(">I", 1) + _full(b"url ", b"", flags=1)))
        minf = _atom(b"minf", _full(b"smhd", bytes(4)) + dinf + stbl)
        return _atom(b"moov", mvhd + _atom(b"trak", tkhd + _atom(b"mdia", mdhd + hdlr + minf)))

    offset = len(ftyp) + len(moov(0)) + 8
    return ftyp + moov(offset) + _atom(b"mdat", sample)


def m4a() -> bytes:
    file = io.BytesIO(_m4a_untagged())
    audio = MP4(file)
    audio.add_tags()
    assert audio.tags is not None
    audio.tags.update(
        {
            "\xa9nam": [f"Reflection by {WHO}"],
            "\xa9ART": [WHO],
            "aART": [NAME],
            "\xa9alb": [SCHOOL],
            "\xa9cmt": [EMAIL],
            "\xa9wrt": [NAME_ACCENTED],
            "cprt": [SCHOOL],
            "----:com.apple.iTunes:Teacher": [MP4FreeForm(WHO.encode())],
            "covr": [MP4Cover(jpeg(), imageformat=MP4Cover.FORMAT_JPEG)],
        }
    )
    file.seek(0)
    audio.save(file)
    data = file.getvalue()
    # An XMP uuid atom at the end, as Adobe's programs write one.
    return data + _atom(b"uuid", bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC") + XMP.encode())


def _riff_chunk(name: bytes, payload: bytes) -> bytes:
    return name + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) % 2 else b"")


def wav() -> bytes:
    info = b"INFO" + b"".join(
        _riff_chunk(key, value.encode("utf-8") + b"\0")
        for key, value in ((b"INAM", f"Reflection by {WHO}"), (b"IART", WHO), (b"ICMT", EMAIL), (b"ICOP", SCHOOL))
    )
    bext = (
        WHO.encode("utf-8").ljust(256, b"\0")
        + NAME.encode().ljust(32, b"\0")
        + EMAIL.encode()[:32].ljust(32, b"\0")
        + b"2025-03-01"
        + b"10:00:00"
        + bytes(8 + 2 + 64 + 190)
        + f"A=PCM,T={SCHOOL}\r\n".encode()
    )
    extra = (
        _riff_chunk(b"LIST", info)
        + _riff_chunk(b"bext", bext)
        + _riff_chunk(b"iXML", f"<BWFXML><NOTE>{WHO}</NOTE></BWFXML>".encode())
        + _riff_chunk(b"_PMX", XMP.encode())
    )
    base = files.wav()
    data = base[:12] + extra + base[12:]
    data = data[:4] + struct.pack("<I", len(data) - 8) + data[8:]
    file = io.BytesIO(data)
    audio = WAVE(file)
    audio.add_tags()
    assert audio.tags is not None
    audio.tags.add(id3.TPE1(encoding=id3.Encoding.UTF16, text=[WHO]))
    audio.tags.add(id3.TALB(encoding=id3.Encoding.UTF8, text=[SCHOOL]))
    file.seek(0)
    audio.save(file)
    return file.getvalue()


def ogg() -> bytes:
    """An Ogg Opus file (RFC 7845): its header, its comment header, one frame of silence."""
    from mutagen.ogg import OggPage

    vendor = b"corpus"
    packets = [
        b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 48000, 0, 0),
        b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0),
        b"\xf8\xff\xfe",
    ]
    out = b""
    for sequence, (packet, position) in enumerate(zip(packets, (0, 0, 312 + 960), strict=True)):
        page = OggPage()
        page.serial, page.sequence, page.position, page.packets = 0x4F52, sequence, position, [packet]
        page.first = sequence == 0
        page.last = sequence == len(packets) - 1
        out += page.write()
    file = io.BytesIO(out)
    audio = OggOpus(file)
    assert audio.tags is not None
    audio.tags.update(
        {"title": f"Reflection by {WHO}", "artist": WHO, "album": SCHOOL, "contact": EMAIL, "comment": NAME_ACCENTED}
    )
    file.seek(0)
    audio.save(file)
    return file.getvalue()
