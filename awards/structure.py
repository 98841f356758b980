"""A structural check of an OpenBadgeCredential against the Open Badges 3.0 data model.

The official JSON Schema (ob_v3p0_achievementcredential_schema.json) is not shipped in any registry
package we could find, so this is a hand-written validator of the properties the OB 3.0 data model
marks required ([1] or [1..*]) and of their types, for the classes a credential is made of:
AchievementCredential, Profile, AchievementSubject, Achievement, Criteria, IdentityObject, Image,
Alignment, and the status and proof objects. It does not check every optional property's type, nor
the full date-time grammar beyond what Python's ISO parser accepts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

IDENTITY_TYPES = {
    "name",
    "sourcedId",
    "systemId",
    "productId",
    "userName",
    "accountId",
    "emailAddress",
    "nationalIdentityNumber",
    "isbn",
    "issuerId",
    "lisSourcedId",
    "oneRosterSourcedId",
    "sisSourcedId",
    "ltiContextId",
    "ltiDeploymentId",
    "ltiToolId",
    "ltiPlatformId",
    "ltiUserId",
    "identifier",
}


def _types(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return []


def _is_uri(value: Any) -> bool:
    return isinstance(value, str) and ":" in value and not value.startswith(":") and " " not in value


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return parsed.tzinfo is not None


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def require(self, obj: dict[str, Any], key: str, where: str, check: Any = None, what: str = "") -> Any:
        if key not in obj or obj[key] in (None, "", []):
            self.add(f"{where}.{key}", _("is required"))
            return None
        if check is not None and not check(obj[key]):
            self.add(f"{where}.{key}", _("must be %(what)s") % {"what": what})
        return obj[key]


def _object(p: _Problems, value: Any, where: str) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        p.add(where, _("must be an object"))
        return None
    return value


def _profile(p: _Problems, value: Any, where: str) -> None:
    if isinstance(value, str):
        if not _is_uri(value):
            p.add(where, _("must be a URI or a Profile object"))
        return
    profile = _object(p, value, where)
    if profile is None:
        return
    p.require(profile, "id", where, _is_uri, _("a URI"))
    if "Profile" not in _types(profile.get("type")):
        p.add(f"{where}.type", _('must include "Profile"'))


def _achievement(p: _Problems, value: Any, where: str) -> None:
    achievement = _object(p, value, where)
    if achievement is None:
        return
    p.require(achievement, "id", where, _is_uri, _("a URI"))
    if "Achievement" not in _types(achievement.get("type")):
        p.add(f"{where}.type", _('must include "Achievement"'))
    p.require(achievement, "name", where, lambda v: isinstance(v, str), _("a string"))
    p.require(achievement, "description", where, lambda v: isinstance(v, str), _("a string"))
    criteria = p.require(achievement, "criteria", where)
    if criteria is not None:
        criteria_obj = _object(p, criteria, f"{where}.criteria")
        if criteria_obj is not None and not (criteria_obj.get("id") or criteria_obj.get("narrative")):
            p.add(f"{where}.criteria", _("needs an id or a narrative"))
    if "image" in achievement:
        image = _object(p, achievement["image"], f"{where}.image")
        if image is not None:
            p.require(image, "id", f"{where}.image", _is_uri, _("a URI"))
            if image.get("type") != "Image":
                p.add(f"{where}.image.type", _('must be "Image"'))
    alignments = achievement.get("alignment", [])
    if not isinstance(alignments, list):
        p.add(f"{where}.alignment", _("must be a list"))
        alignments = []
    for index, item in enumerate(alignments):
        at = f"{where}.alignment[{index}]"
        alignment = _object(p, item, at)
        if alignment is None:
            continue
        if "Alignment" not in _types(alignment.get("type")):
            p.add(f"{at}.type", _('must include "Alignment"'))
        p.require(alignment, "targetName", at, lambda v: isinstance(v, str), _("a string"))
        p.require(alignment, "targetUrl", at, _is_uri, _("a URL"))


def _identifier(p: _Problems, value: Any, where: str) -> None:
    identity = _object(p, value, where)
    if identity is None:
        return
    if identity.get("type") != "IdentityObject":
        p.add(f"{where}.type", _('must be "IdentityObject"'))
    if not isinstance(identity.get("hashed"), bool):
        p.add(f"{where}.hashed", _("is required and must be true or false"))
    p.require(identity, "identityHash", where, lambda v: isinstance(v, str), _("a string"))
    kind = p.require(identity, "identityType", where)
    if isinstance(kind, str) and kind not in IDENTITY_TYPES and not kind.startswith("ext:"):
        p.add(f"{where}.identityType", _("%(kind)s is not an OB 3.0 identity type") % {"kind": repr(kind)})


def structure_problems(credential: Any) -> list[str]:
    """Every way the credential departs from the required structure of an OB 3.0 AchievementCredential."""
    p = _Problems()
    doc = _object(p, credential, "credential")
    if doc is None:
        return p.items
    contexts = doc.get("@context")
    if not isinstance(contexts, list) or len(contexts) < 2:
        p.add("@context", _("must list the VC 2.0 context and then the OB 3.0 context"))
    else:
        if contexts[0] != "https://www.w3.org/ns/credentials/v2":
            p.add("@context[0]", _("must be https://www.w3.org/ns/credentials/v2"))
        if not (isinstance(contexts[1], str) and contexts[1].startswith("https://purl.imsglobal.org/spec/ob/v3p0/")):
            p.add("@context[1]", _("must be an Open Badges 3.0 context"))
    types = _types(doc.get("type"))
    if "VerifiableCredential" not in types:
        p.add("type", _('must include "VerifiableCredential"'))
    if not {"OpenBadgeCredential", "AchievementCredential"} & set(types):
        p.add("type", _('must include "OpenBadgeCredential" (or "AchievementCredential")'))
    p.require(doc, "id", "credential", _is_uri, _("a URI"))
    p.require(doc, "name", "credential", lambda v: isinstance(v, str), _("a string"))
    if "issuer" not in doc:
        p.add("credential.issuer", _("is required"))
    else:
        _profile(p, doc["issuer"], "credential.issuer")
    p.require(doc, "validFrom", "credential", _is_datetime, _("a date-time with a time zone"))
    if "validUntil" in doc and not _is_datetime(doc["validUntil"]):
        p.add("credential.validUntil", _("must be a date-time with a time zone"))
    subjects = doc.get("credentialSubject")
    if subjects is None:
        p.add("credential.credentialSubject", _("is required"))
    for index, subject_value in enumerate(subjects if isinstance(subjects, list) else [subjects] if subjects else []):
        where = "credential.credentialSubject" + (f"[{index}]" if isinstance(subjects, list) else "")
        subject = _object(p, subject_value, where)
        if subject is None:
            continue
        if "AchievementSubject" not in _types(subject.get("type")):
            p.add(f"{where}.type", _('must include "AchievementSubject"'))
        if "achievement" not in subject:
            p.add(f"{where}.achievement", _("is required"))
        else:
            _achievement(p, subject["achievement"], f"{where}.achievement")
        identifiers = subject.get("identifier", [])
        for position, identity in enumerate(identifiers if isinstance(identifiers, list) else [identifiers]):
            _identifier(p, identity, f"{where}.identifier[{position}]")
        if "id" not in subject and not identifiers:
            p.add(where, _("needs an id or an identifier to say who earned it"))
    status = doc.get("credentialStatus")
    if status is not None:
        status_obj = _object(p, status, "credential.credentialStatus")
        if status_obj is not None:
            p.require(status_obj, "type", "credential.credentialStatus")
            if status_obj.get("type") == "BitstringStatusListEntry":
                p.require(status_obj, "statusPurpose", "credential.credentialStatus")
                p.require(
                    status_obj,
                    "statusListIndex",
                    "credential.credentialStatus",
                    lambda v: isinstance(v, str) and v.isdigit(),
                    _("a string of digits"),
                )
                p.require(status_obj, "statusListCredential", "credential.credentialStatus", _is_uri, _("a URL"))
    return p.items
