"""Digital Bazaar's JavaScript stack as the reference for issuing and verifying: the npm kit, and the documents,
key and contexts it is handed.

The kit is `@digitalbazaar/vc` with the eddsa-rdfc-2022 cryptosuite, pinned in bench/js/package-lock.json and
installed with `npm ci` into a cache folder outside the checkout (MICROCRED_BENCH_CACHE, else
$XDG_CACHE_HOME/microcred-bench or ~/.cache/microcred-bench), once per lock; bench/js/ob3.mjs drives it. The
contexts it is given are microcred's own shipped files (awards/contexts/), and the DID document and status lists
are the issuer's own, so neither side fetches anything.

Everything but `kit` needs Django set up (bench.throwaway, or the test suite's database).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.throwaway import cache_root

JS = Path(__file__).resolve().parent / "js"
SCRIPT = "ob3.mjs"
# What a control character in an earner's name looks like once pasted: RDFC-1.0 escapes both.
CONTROL_NAME = "Ada\x01 Lovelace\x7f"


def kit(*, say: Callable[[str], None] = print) -> Path | None:
    """The folder holding Digital Bazaar's stack and the driving script, installed on first use; None (and the
    reason said) where node or npm is missing or the registry cannot be reached."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        say("Digital Bazaar's stack: skipped, node and npm are not on PATH (Debian: apt-get install nodejs npm)")
        return None
    pins = hashlib.sha256((JS / "package-lock.json").read_bytes() + (JS / "package.json").read_bytes())
    folder = cache_root() / f"npm-{pins.hexdigest()[:12]}"
    if not (folder / ".installed").exists():
        say(f"Installing Digital Bazaar's stack from npm (npm ci, pinned in bench/js/package-lock.json) into {folder}")
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(JS / name, folder / name)
        try:
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        except subprocess.TimeoutExpired:
            say("Digital Bazaar's stack: skipped, npm ci took over 5 minutes (is the npm registry reachable?)")
            return None
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            say("Digital Bazaar's stack: skipped, npm ci failed (is the npm registry reachable?): " + " / ".join(tail))
            return None
        (folder / ".installed").touch()
    # The script is ours and may have changed since the install; node resolves its imports from where it lies.
    shutil.copy2(JS / SCRIPT, folder / SCRIPT)
    return folder


def node_call(folder: Path, request: dict[str, Any], *, cpu: int | None = None, timeout: float = 900) -> dict[str, Any]:
    """Run bench/js/ob3.mjs on one request; with `cpu`, pinned to that core (as the Python side is)."""
    command = ["node", str(folder / SCRIPT)]
    if cpu is not None and shutil.which("taskset"):
        command = ["taskset", "-c", str(cpu), *command]
    done = subprocess.run(
        command, input=json.dumps(request), capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench/js/{SCRIPT} failed:\n{done.stderr[-3000:]}")
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


# ----- what the reference is handed (needs Django) --------------------------------------------------------


@dataclass
class Signer:
    """The issuer's active Ed25519 key, as microcred signs with it and as Digital Bazaar's Multikey reads it."""

    private: Any  # cryptography's Ed25519PrivateKey
    verification_method: str
    multikey: dict[str, str]


def signer_for(issuer: Any) -> Signer:
    from cryptography.hazmat.primitives import serialization

    from awards import keys as keyring
    from awards.multibase import encode_base58btc
    from awards.services.keys import active_keys

    signing, _ = active_keys(issuer)
    private = keyring.ed25519_private(signing)
    raw = serialization.Encoding.Raw
    seed = private.private_bytes(raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = private.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
    method = keyring.verification_method_id(signing)
    return Signer(
        private=private,
        verification_method=method,
        multikey={
            "id": method,
            "controller": keyring.did_for_issuer(issuer.slug),
            "publicKeyMultibase": signing.public_key_multibase,
            # ed25519-priv multicodec (0x1300 as a varint) before the seed and public key, as Multikey writes it
            "secretKeyMultibase": encode_base58btc(b"\x80\x26" + seed + public),
        },
    )


def served_documents(issuer: Any) -> dict[str, Any]:
    """The shipped contexts and the issuer's DID document and signed status lists, by the URL each is served at."""
    from awards.jsonld import SHIPPED, context_document
    from awards.keys import did_document, did_for_issuer
    from awards.models import IssuerKey, StatusList
    from awards.services.status_lists import status_list_url

    keys = list(IssuerKey.objects.filter(issuer=issuer).select_related("issuer").order_by("number"))
    documents: dict[str, Any] = {did_for_issuer(issuer.slug): did_document(slug=issuer.slug, keys=keys)}
    for status_list in StatusList.objects.filter(issuer=issuer).select_related("issuer"):
        if status_list.document:
            documents[status_list_url(status_list)] = status_list.document
    return {"contexts": {url: context_document(url) for url in SHIPPED}, "documents": documents}


def unsigned(signed: dict[str, Any]) -> dict[str, Any]:
    """A signed document as it was before its proof, with the proof's created time, as the kit takes it."""
    return {"credential": {k: v for k, v in signed.items() if k != "proof"}, "created": signed["proof"]["created"]}


@dataclass
class CrossCheck:
    name: str
    theirs_verify_ours: bool
    ours_verify_theirs: bool
    same_signature: bool  # Ed25519 is deterministic: the same canonical bytes give the same proofValue
    detail: str

    @property
    def passed(self) -> bool:
        return self.theirs_verify_ours and self.ours_verify_theirs and self.same_signature


def cross_verify(folder: Path, badges: dict[str, Any]) -> list[CrossCheck]:
    """Each badge's signed credential verified by Digital Bazaar, and Digital Bazaar's signature of the same
    unsigned credential (same key, same proof options) verified by microcred. `badges`: {name: Badge}."""
    from awards.verify import verify_credential

    issuers = {badge.issuer_id: badge.issuer for badge in badges.values()}
    if len(issuers) != 1:
        raise ValueError("cross_verify takes badges of one issuer")
    issuer = next(iter(issuers.values()))
    request = {
        **served_documents(issuer),
        "key": signer_for(issuer).multikey,
        "verify": {name: badge.document for name, badge in badges.items()},
        "sign": {name: unsigned(badge.document) for name, badge in badges.items()},
    }
    answer = node_call(folder, request)
    out = []
    for name, badge in badges.items():
        theirs = answer["signed"][name]
        verdict = answer["verified"][name]
        details = []
        if not verdict["verified"]:
            details.append(f"Digital Bazaar: {verdict['error']}")
        if "error" in theirs:
            details.append(f"Digital Bazaar could not sign it: {theirs['error']}")
            ours_ok, same = False, False
        else:
            report = verify_credential(json.dumps(theirs))
            ours_ok = report.valid
            if not ours_ok:
                failed = [f"{c.label}: {c.detail}" for c in report.checks if not c.passed]
                details.append("microcred: " + (report.error or "; ".join(failed)))
            same = theirs["proof"] == badge.document["proof"]
        out.append(CrossCheck(name, bool(verdict["verified"]), ours_ok, same, "; ".join(details)))
    return out
