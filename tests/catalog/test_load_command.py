"""`manage.py load_credentials` (awards/management/commands): what it reports, that a bad file fails the
command, and that a definition's graduate-credit partners exist as soon as it loads."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from awards.models import Partner, PartnerOffer
from catalog.models import Credential, CredentialVersion
from core.models import AuditEvent
from tests.conftest import CLASSKICK, EDUCATORS_RISING

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("load_credentials", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _broken_classkick(directory: Path) -> Path:
    data = yaml.safe_load((settings.CREDENTIALS_DIR / f"{CLASSKICK}.yaml").read_text(encoding="utf-8"))
    data["parts"][0]["fields"][0]["max_words"] = "lots"
    path = directory / f"{CLASSKICK}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_it_reports_one_new_version_per_program_then_unchanged() -> None:
    out, err = _run()
    assert err == ""
    lines = out.splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        f"{CLASSKICK}: v1 new version",
        f"{EDUCATORS_RISING}: v1 new version",
        f"{EDUCATORS_RISING}: graduate credit with demo-state-university, demo-college-of-education",
    ]
    hashes = {v.credential.slug: v.content_hash[:12] for v in CredentialVersion.objects.select_related("credential")}
    assert lines[0].endswith(f"({hashes[CLASSKICK]})")
    out, err = _run()
    assert [line.split(" (")[0] for line in out.splitlines()] == [
        f"{CLASSKICK}: v1 unchanged",
        f"{EDUCATORS_RISING}: v1 unchanged",
        f"{EDUCATORS_RISING}: graduate credit with demo-state-university, demo-college-of-education",
    ]
    assert CredentialVersion.objects.count() == 2


def test_the_partners_exist_when_the_definition_loads_and_follow_the_file(tmp_path: Path) -> None:
    _run()
    offers = {o.partner.slug: o for o in PartnerOffer.objects.select_related("partner", "credential")}
    assert set(offers) == {"demo-state-university", "demo-college-of-education"}
    state = offers["demo-state-university"]
    assert (state.credential.slug, str(state.credits), str(state.fee_usd)) == (EDUCATORS_RISING, "1.00", "75.00")
    assert state.partner.contact_email == "graduate-credit@demo-state-university.example"
    assert state.is_demonstration
    assert state.is_current
    assert AuditEvent.objects.filter(action="partners.synced").count() == 1

    # Loading the same files again changes nothing and records nothing.
    _run()
    assert PartnerOffer.objects.count() == 2
    assert AuditEvent.objects.filter(action="partners.synced").count() == 1

    # A partner dropped from the file keeps its row (applications point at it) but is no longer offered.
    shutil.copy(settings.CREDENTIALS_DIR / f"{CLASSKICK}.yaml", tmp_path)
    data = yaml.safe_load((settings.CREDENTIALS_DIR / f"{EDUCATORS_RISING}.yaml").read_text(encoding="utf-8"))
    data["graduate_credit"]["partners"] = data["graduate_credit"]["partners"][:1]
    # Its name's translation goes with it: a translation of text the definition no longer has is refused.
    data["translations"]["es"]["text"].pop("graduate_credit.partners.demo-college-of-education.name")
    (tmp_path / f"{EDUCATORS_RISING}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out, _ = _run("--dir", str(tmp_path))
    assert f"{EDUCATORS_RISING}: graduate credit with demo-state-university" in out.splitlines()
    current = PartnerOffer.objects.filter(is_current=True).values_list("partner__slug", flat=True)
    assert list(current) == ["demo-state-university"]
    assert Partner.objects.filter(slug="demo-college-of-education").exists()
    assert AuditEvent.objects.filter(action="partners.synced").count() == 2


def test_it_fails_on_a_bad_file_naming_the_file_the_path_and_the_problem(tmp_path: Path) -> None:
    shutil.copy(settings.CREDENTIALS_DIR / f"{EDUCATORS_RISING}.yaml", tmp_path)
    _broken_classkick(tmp_path)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 definition file refused"):
        call_command("load_credentials", "--dir", str(tmp_path), stdout=out, stderr=err)
    assert err.getvalue().strip() == (
        f"refused {CLASSKICK}.yaml: parts[0].fields[0].max_words: unknown key 'max_words'; "
        "the keys allowed here are: id, label, guidance, required, prompts, draft, kind, options, multiple"
    )
    # The good file still loaded; the bad one left nothing behind.
    assert out.getvalue().startswith(f"{EDUCATORS_RISING}: v1 new version")
    assert list(Credential.objects.values_list("slug", flat=True)) == [EDUCATORS_RISING]


def test_it_refuses_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not a folder of credential definitions"):
        _run("--dir", str(tmp_path / "missing"))


def test_it_exits_non_zero_from_the_command_line_on_a_bad_file(tmp_path: Path) -> None:
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    _broken_classkick(definitions)
    # A throwaway SQLite file and var folder, so the child process never touches a shared database.
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MICROCRED_VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": "test-only-secret-key-for-the-load-credentials-command",
        "MICROCRED_ENV": "development",
    }
    completed = subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "load_credentials", "--dir", str(definitions)],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=120,
        check=False,
    )
    assert completed.returncode != 0
    assert f"refused {CLASSKICK}.yaml: parts[0].fields[0].max_words: unknown key 'max_words'" in completed.stderr
    assert "1 definition file refused; nothing of it was loaded" in completed.stderr
