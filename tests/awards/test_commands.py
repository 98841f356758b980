"""manage.py issuer_keys_create and verify_credential, and the benchmark (run small)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from awards.models import IssuerKey
from core.models import AuditEvent

ROOT = Path(__file__).resolve().parent.parent.parent


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_issuer_keys_create_makes_one_key_of_each_kind_and_is_safe_to_rerun(classkick):
    output = run("issuer_keys_create", "classkick")
    assert "Created Ed25519 key #key-1" in output
    assert "Created P-256 key #key-2" in output
    assert "did:web:testserver%3A8000:issuers:classkick" in output
    assert "already has active keys" in run("issuer_keys_create", "classkick")
    assert IssuerKey.objects.count() == 2


def test_issuer_keys_create_rotate_retires_and_replaces(classkick):
    run("issuer_keys_create", "classkick")
    output = run("issuer_keys_create", "--rotate", "classkick")
    assert "#key-3" in output
    assert "#key-4" in output
    assert list(IssuerKey.objects.filter(is_active=True).values_list("number", flat=True)) == [3, 4]
    retired = AuditEvent.objects.filter(action="issuer_key.retired").order_by("id")
    assert [(e.subject_type, e.old) for e in retired] == [("issuerkey", "#key-1"), ("issuerkey", "#key-2")]
    assert {e.issuer_id for e in retired} == {classkick.issuer_id}


def test_issuer_keys_create_names_the_known_issuers_when_one_is_wrong(classkick):
    with pytest.raises(CommandError, match=r"there is no issuer 'nobody'; the issuers are: .*classkick"):
        run("issuer_keys_create", "nobody")


@pytest.mark.parametrize("form", ["json", "jwt", "png"])
def test_verify_credential_reports_each_check_of_a_file(badge, tmp_path, client, form):
    path = tmp_path / f"credential.{form}"
    if form == "json":
        path.write_text(json.dumps(badge.document))
    elif form == "jwt":
        path.write_text(badge.jwt)
    else:
        path.write_bytes(client.get(f"/awards/{badge.uuid}/badge.png").content)
    output = run("verify_credential", str(path))
    assert output.count("PASS") == 6
    assert "VALID: every check passed" in output


def test_verify_credential_exits_non_zero_for_a_tampered_file(badge, tmp_path):
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(dict(badge.document, name="Forged")))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("verify_credential", str(path), stdout=out)
    assert exited.value.code == 1
    assert "FAIL  Signature" in out.getvalue()
    assert "NOT VALID" in out.getvalue()


def test_verify_credential_explains_unreadable_input(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("verify_credential", str(tmp_path / "missing.json"))
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(CommandError, match="paste a credential as JSON"):
        run("verify_credential", str(path))


@pytest.mark.once
def test_the_benchmark_runs_and_reports_each_rate():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_awards.py"), "--n", "5"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    for label in ("issue (badges/s)", "verify (badges/s)", "raw Ed25519 sign", "raw Ed25519 verify"):
        line = next(line for line in result.stdout.splitlines() if label in line)
        assert float(line.split()[-1].replace(",", "")) > 0


def test_the_admin_shows_awards_read_only_and_never_a_private_key(client, badge, platform_admin, issuer_admin):
    client.force_login(platform_admin)
    for name in ("badge", "issuerkey", "creditapplication", "partner"):
        assert client.get(f"/admin/awards/{name}/").status_code == 200, name
    key = IssuerKey.objects.first()
    assert key is not None
    html = client.get(f"/admin/awards/issuerkey/{key.pk}/change/").content.decode()
    assert key.private_key_encrypted not in html
    assert "issuer_key.created" in html  # its history, from the audit log
    html = client.get(f"/admin/awards/badge/{badge.pk}/change/").content.decode()
    assert "badge.issued" in html
    assert client.get("/admin/awards/badge/add/").status_code == 403
    client.force_login(issuer_admin)
    assert client.get("/admin/awards/partner/").status_code == 403
