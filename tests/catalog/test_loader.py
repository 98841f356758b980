"""Loading definitions into versions: content-hashed, idempotent, immutable, and all-or-nothing per file."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from catalog.loader import credentials_load_dir, definition_hash, definition_read
from catalog.models import Credential, CredentialVersion, Issuer
from tests.conftest import CLASSKICK, EDUCATORS_RISING

pytestmark = pytest.mark.django_db


def _copy(slug: str, directory: Path) -> Path:
    return Path(shutil.copy(settings.CREDENTIALS_DIR / f"{slug}.yaml", directory / f"{slug}.yaml"))


def _edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _versions(slug: str) -> list[tuple[int, str]]:
    return list(
        CredentialVersion.objects.filter(credential__slug=slug).order_by("number").values_list("number", "content_hash")
    )


def test_it_loads_every_program_as_version_one() -> None:
    results, errors = credentials_load_dir(settings.CREDENTIALS_DIR)
    assert errors == []
    assert sorted((r.slug, r.version, r.created) for r in results) == [
        (CLASSKICK, 1, True),
        (EDUCATORS_RISING, 1, True),
    ]
    assert set(Issuer.objects.values_list("slug", flat=True)) == {"classkick", "educators-rising"}


def test_loading_twice_creates_nothing_new_and_keeps_the_hash() -> None:
    first, _ = credentials_load_dir(settings.CREDENTIALS_DIR)
    before = {slug: _versions(slug) for slug in (CLASSKICK, EDUCATORS_RISING)}
    second, errors = credentials_load_dir(settings.CREDENTIALS_DIR)
    assert errors == []
    assert [r.created for r in second] == [False, False]
    assert {r.slug: r.content_hash for r in second} == {r.slug: r.content_hash for r in first}
    assert {slug: _versions(slug) for slug in (CLASSKICK, EDUCATORS_RISING)} == before
    assert CredentialVersion.objects.count() == 2
    assert Credential.objects.count() == 2
    assert Issuer.objects.count() == 2


def test_a_changed_file_makes_version_two_and_leaves_version_one_untouched(tmp_path: Path) -> None:
    path = _copy(CLASSKICK, tmp_path)
    [first], _ = credentials_load_dir(tmp_path)
    v1 = CredentialVersion.objects.get(credential__slug=CLASSKICK, number=1)
    v1_definition, v1_loaded_at = v1.definition, v1.loaded_at

    def lower_the_bar(data: dict[str, Any]) -> None:
        data["summary"] = "A changed summary."
        data["review_policy"]["attempt_limit"] = 5

    _edit(path, lower_the_bar)
    [second], errors = credentials_load_dir(tmp_path)
    assert errors == []
    assert (second.version, second.created) == (2, True)
    assert second.content_hash != first.content_hash
    v1.refresh_from_db()
    assert (v1.content_hash, v1.definition, v1.loaded_at) == (first.content_hash, v1_definition, v1_loaded_at)
    assert v1.spec.review_policy.attempt_limit == 3
    credential = Credential.objects.get(slug=CLASSKICK)
    assert credential.current_version is not None
    assert credential.current_version.number == 2
    assert credential.current_version.spec.review_policy.attempt_limit == 5
    assert credential.summary == "A changed summary."


def test_reformatting_a_file_does_not_make_a_new_version(tmp_path: Path) -> None:
    path = _copy(EDUCATORS_RISING, tmp_path)
    [first], _ = credentials_load_dir(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # Keys sorted, other indentation and line width, every comment gone: the same content.
    reformatted = yaml.safe_dump(data, sort_keys=True, indent=4, width=60, allow_unicode=True)
    assert reformatted != path.read_text(encoding="utf-8")
    path.write_text(reformatted, encoding="utf-8")
    [second], errors = credentials_load_dir(tmp_path)
    assert errors == []
    assert (second.version, second.created, second.content_hash) == (1, False, first.content_hash)
    assert CredentialVersion.objects.filter(credential__slug=EDUCATORS_RISING).count() == 1


def test_the_hash_ignores_defaults_written_out_but_not_a_changed_word(tmp_path: Path) -> None:
    path = _copy(CLASSKICK, tmp_path)
    original = definition_hash(definition_read(path))

    def spell_out_a_default(data: dict[str, Any]) -> None:
        data["review_policy"]["blind"] = True  # already the default

    _edit(path, spell_out_a_default)
    assert definition_hash(definition_read(path)) == original

    def change_a_word(data: dict[str, Any]) -> None:
        data["rubric"]["criteria"][0]["descriptors"]["beginning"] += " Try again."

    _edit(path, change_a_word)
    assert definition_hash(definition_read(path)) != original


def test_a_version_cannot_be_saved_twice() -> None:
    credentials_load_dir(settings.CREDENTIALS_DIR)
    version = CredentialVersion.objects.get(credential__slug=CLASSKICK, number=1)
    stored = version.definition
    version.definition = {"tampered": True}
    with pytest.raises(ValueError, match="a credential version is immutable"):
        version.save()
    version.refresh_from_db()
    assert version.definition == stored


def test_a_bad_file_is_refused_whole_while_the_good_files_load(tmp_path: Path) -> None:
    _copy(EDUCATORS_RISING, tmp_path)
    bad = _copy(CLASSKICK, tmp_path)
    _edit(bad, lambda data: data["review_policy"]["seats"][0].update(kind="volunteer"))
    results, errors = credentials_load_dir(tmp_path)
    assert [r.slug for r in results] == [EDUCATORS_RISING]
    [error] = errors
    assert error.source == f"{CLASSKICK}.yaml"
    assert error.problems == [
        (
            "review_policy.seats[0].kind",
            "'volunteer' is not allowed here; use one of: 'issuer_staff', 'mentor', 'lead_assessor' or 'any'",
        )
    ]
    assert not Credential.objects.filter(slug=CLASSKICK).exists()
    assert not Issuer.objects.filter(slug="classkick").exists()
    assert Credential.objects.filter(slug=EDUCATORS_RISING).exists()


def test_a_broken_edit_keeps_the_last_good_version_current(tmp_path: Path) -> None:
    path = _copy(CLASSKICK, tmp_path)
    [first], _ = credentials_load_dir(tmp_path)
    _edit(path, lambda data: data["rubric"].update(passing_level="proficient"))
    results, errors = credentials_load_dir(tmp_path)
    assert results == []
    assert [e.source for e in errors] == [f"{CLASSKICK}.yaml"]
    assert _versions(CLASSKICK) == [(1, first.content_hash)]
    credential = Credential.objects.get(slug=CLASSKICK)
    assert credential.current_version is not None
    assert credential.current_version.content_hash == first.content_hash


def test_a_file_that_is_not_utf8_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "latin.yaml").write_bytes("title: Défi\n".encode("latin-1"))
    results, errors = credentials_load_dir(tmp_path)
    assert results == []
    [error] = errors
    assert str(error).startswith("latin.yaml: line 1: the file is not UTF-8 text")


def test_the_catalog_columns_follow_the_current_version(tmp_path: Path) -> None:
    path = _copy(EDUCATORS_RISING, tmp_path)
    credentials_load_dir(tmp_path)
    credential = Credential.objects.get(slug=EDUCATORS_RISING)
    assert credential.standard_codes == "|I|II|IV|V|VI|VII|"
    assert credential.grade_bands == "|primary|intermediate|middle_school|high_school|"
    assert credential.standards_framework == "Educators Rising Standards"
    assert "educators rising" in credential.search_text

    def drop_a_standard_and_add_college(data: dict[str, Any]) -> None:
        data["standards"]["alignments"] = [a for a in data["standards"]["alignments"] if a["code"] != "VI"]
        data["grade_bands"].append("college")

    _edit(path, drop_a_standard_and_add_college)
    credentials_load_dir(tmp_path)
    credential.refresh_from_db()
    assert credential.standard_codes == "|I|II|IV|V|VII|"
    assert credential.grade_band_list()[-1] == "college"
