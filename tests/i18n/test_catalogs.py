"""The translation catalogs: every string the code marks has its Spanish, with the same placeholders, and the
catalogs hold exactly what the code marks (makemessages changes nothing)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import polib  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.core.management import call_command

from core.locale import MAKEMESSAGES_OPTIONS, catalog_paths

# A python-format or brace-format placeholder: what must come through a translation unchanged.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sdf]|\{\w+\}")

Key = tuple[str, str]


def _key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt or "", entry.msgid)


def _spanish_catalogs() -> list[polib.POFile]:
    return [polib.pofile(str(path)) for path in catalog_paths() if path.parent.parent.name == "es"]


def _translated(entry: polib.POEntry) -> bool:
    if entry.obsolete or "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_there_is_a_spanish_catalog():
    assert _spanish_catalogs(), f"no locale/es/LC_MESSAGES/django.po under {settings.LOCALE_PATHS}"


def test_every_msgid_has_a_spanish_translation():
    # A string counts as translated when any of the catalogs (settings.LOCALE_PATHS) has it, as Django reads them.
    entries: dict[Key, list[polib.POEntry]] = {}
    for catalog in _spanish_catalogs():
        for entry in catalog:
            if not entry.obsolete:
                entries.setdefault(_key(entry), []).append(entry)
    missing = sorted(
        f"{context + ' | ' if context else ''}{msgid}"
        for (context, msgid), found in entries.items()
        if not any(_translated(entry) for entry in found)
    )
    assert missing == [], f"{len(missing)} msgids have no Spanish (or only a fuzzy one):\n" + "\n".join(missing)


def test_translations_keep_the_placeholders_of_their_msgid():
    wrong = []
    for catalog in _spanish_catalogs():
        for entry in catalog.translated_entries():
            if entry.msgid_plural:
                plural = _placeholders(entry.msgid_plural)
                one, other = entry.msgstr_plural.get(0, ""), entry.msgstr_plural.get(1, "")
                # The singular may leave its count out ("one file"), never bring a name the msgid lacks.
                if _placeholders(other) != plural or not set(_placeholders(one)) <= set(plural):
                    wrong.append(f"{entry.msgid!r} -> {one!r} / {other!r}")
            elif _placeholders(entry.msgstr) != _placeholders(entry.msgid):
                wrong.append(f"{entry.msgid!r} -> {entry.msgstr!r}")
    assert wrong == []


def _msgids(path: Path) -> set[tuple[str, str, str]]:
    return {(e.msgctxt or "", e.msgid, e.msgid_plural or "") for e in polib.pofile(str(path)) if not e.obsolete}


@pytest.mark.once
def test_makemessages_leaves_the_catalogs_unchanged(tmp_path: Path, settings: Any, monkeypatch: Any):
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.skip("makemessages needs GNU gettext (xgettext, msgmerge)")
    committed = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES" / "django.po"
    before = _msgids(committed)
    copies = []
    for index, root in enumerate(settings.LOCALE_PATHS):
        copy = tmp_path / f"locale{index}"
        if Path(root).is_dir():
            shutil.copytree(root, copy)
        copies.append(copy)
    settings.LOCALE_PATHS = copies
    # makemessages reads the tree under the working folder and writes to the first of LOCALE_PATHS: the copy. It
    # also adopts a `locale` folder it finds in the working folder, and writes there for every file below it: so it
    # runs in a tree of links to the project's folders without that one, and the committed catalog is never touched.
    tree = tmp_path / "tree"
    tree.mkdir()
    for entry in Path(settings.BASE_DIR).iterdir():
        if entry.name != "locale" and not entry.name.startswith("."):
            (tree / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    monkeypatch.chdir(tree)
    call_command("makemessages", symlinks=True, **MAKEMESSAGES_OPTIONS)
    after = _msgids(copies[0] / "es" / "LC_MESSAGES" / "django.po")
    assert _msgids(committed) == before
    assert sorted(after - before) == [], "strings marked in the code but missing from the catalog"
    assert sorted(before - after) == [], "strings in the catalog that the code no longer marks"
