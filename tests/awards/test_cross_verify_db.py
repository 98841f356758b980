"""microcred's credentials against an independent implementation: Digital Bazaar's `@digitalbazaar/vc` with the
eddsa-rdfc-2022 cryptosuite (bench/reference.py installs it from npm into a cache folder; without node, npm or
the registry these skip and say why). Each side verifies the other's credential, signed with the same key and
proof options, including one whose earner's name holds control characters, which RDFC-1.0 escapes."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from awards.models import Badge
from awards.services import badge_issue
from awards.verify import verify_credential
from bench import reference
from catalog.models import Credential
from submissions.models import Attempt

pytestmark = pytest.mark.once


@pytest.fixture(scope="module")
def kit() -> Path:
    said: list[str] = []
    folder = reference.kit(say=said.append)
    if folder is None:
        pytest.skip("; ".join(said))
    return folder


@pytest.fixture
def control_badge(
    make_user: Callable[..., User],
    classkick: Credential,
    earn_attempt: Callable[[User, Credential], Attempt],
    django_capture_on_commit_callbacks: Any,
) -> Badge:
    ada = make_user("ada@example.org", reference.CONTROL_NAME, email_verified_at=timezone.now())
    attempt = earn_attempt(ada, classkick)
    with django_capture_on_commit_callbacks(execute=True):
        return badge_issue(attempt=attempt)


def test_each_side_verifies_the_others_credentials_signed_to_the_same_bytes(
    kit: Path, badge: Badge, control_badge: Badge
) -> None:
    names = [i["identityHash"] for i in control_badge.document["credentialSubject"]["identifier"]]
    assert reference.CONTROL_NAME in names  # the control characters are in what is signed

    checks = reference.cross_verify(kit, {"plain": badge, "control character": control_badge})

    for check in checks:
        assert check.theirs_verify_ours, check.detail
        assert check.ours_verify_theirs, check.detail
        assert check.same_signature, check.name


def test_digital_bazaar_refuses_a_credential_changed_after_signing_as_microcred_does(kit: Path, badge: Badge) -> None:
    changed = copy.deepcopy(badge.document)
    changed["credentialSubject"]["achievement"]["name"] = "Something else"
    request = {
        **reference.served_documents(badge.issuer),
        "key": reference.signer_for(badge.issuer).multikey,
        "verify": {"original": badge.document, "changed": changed},
    }

    verdicts = reference.node_call(kit, request)["verified"]

    assert verdicts["original"]["verified"] is True
    assert verdicts["changed"]["verified"] is False
    assert not verify_credential(json.dumps(changed)).valid
