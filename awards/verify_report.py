"""The verifier's report: one Check per question asked of a credential, each passed, failed or skipped, with a
sentence saying why and, when it failed, a machine-readable reason (which the API returns as is)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

Outcome = Literal["passed", "failed", "skipped"]

# Why a check failed, in the API's words. The key check's reasons come from awards.resolve and awards.fetch.
SIGNATURE_MISMATCH = "signature_mismatch"  # the key was found and the signature computed: it does not match
SIGNATURE_UNCHECKED = "signature_unchecked"  # no key to compute it with
ISSUER_MISMATCH = "issuer_mismatch"  # the key is real but controlled by someone other than the named issuer
REVOKED = "revoked"
STATUS_UNAVAILABLE = "status_unavailable"

# What each reason means, in the words the verify page shows next to a failed check. The key check's reasons are
# named after awards.resolve and awards.fetch (key_unresolved, fetch_disabled, refused_url, refused_address,
# fetch_failed); the OB 2.0 hosted copy adds hosted_mismatch.
REASON_WORDS = {
    SIGNATURE_MISMATCH: gettext_lazy("Signature: computed, and it does not match the credential"),
    SIGNATURE_UNCHECKED: gettext_lazy("Signature: not computed, because the issuer's key was not found"),
    ISSUER_MISMATCH: gettext_lazy("Key resolution: the key belongs to someone other than the named issuer"),
    REVOKED: gettext_lazy("Status: revoked by the issuer"),
    STATUS_UNAVAILABLE: gettext_lazy("Status: the status list could not be read or trusted"),
    "key_unresolved": gettext_lazy("Key resolution: the issuer's key could not be found"),
    "fetch_disabled": gettext_lazy("Key resolution: fetching from other hosts is turned off on this server"),
    "refused_url": gettext_lazy("Refused address: only https:// addresses are fetched"),
    "refused_address": gettext_lazy("Refused address: the host is not on a public address, so nothing was fetched"),
    "fetch_failed": gettext_lazy("Key resolution: the issuer's host did not give a usable answer"),
    "hosted_mismatch": gettext_lazy("Hosted copy: the issuer's copy differs, so this one was changed"),
}


@dataclass
class Check:
    id: str
    label: str
    outcome: Outcome
    detail: str
    reason: str = ""

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"

    @property
    def reason_words(self) -> str:
        return str(REASON_WORDS.get(self.reason, "")) if not self.passed else ""


@dataclass
class Report:
    form: str = ""  # "json", "jwt", "png (json)", "svg (jwt)", …
    credential: dict[str, Any] | None = None
    checks: list[Check] = field(default_factory=list)
    error: str = ""  # set when the input could not be read as a credential at all

    @property
    def valid(self) -> bool:
        return not self.error and bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def failed_labels(self) -> str:
        """The failed checks in words, for the verdict: "signature and issuer key"."""
        names = [check.label.lower() for check in self.checks if not check.passed]
        if len(names) <= 1:
            return names[0] if names else ""
        return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}

    @property
    def failed_reasons(self) -> list[str]:
        return [check.reason for check in self.checks if not check.passed and check.reason]

    def check(self, check_id: str) -> Check:
        return next(c for c in self.checks if c.id == check_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "form": self.form,
            "error": self.error,
            "checks": [asdict(check) for check in self.checks],
            "credential": self.credential,
        }


def time_parse(value: Any) -> datetime | None:
    """An ISO 8601 date-time with its offset, as credentials write them ("Z" included); anything else is None."""
    if not isinstance(value, str):
        return None
    return _time_parse(value)


@lru_cache(maxsize=4096)
def _time_parse(value: str) -> datetime | None:
    # datetimes are immutable: one parse serves every verification of the same credential.
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None
