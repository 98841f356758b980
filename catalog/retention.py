"""How long a credential's evidence files are kept after a decision: the definition's own period, else the
platform's. Workflow deletes by it (workflow.retention) and the pages state it, so both read it here."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import ngettext

from catalog.schema import CredentialDefinition


def evidence_retention_days(spec: CredentialDefinition) -> int:
    """Days evidence is kept after the decision on the latest attempt that includes it."""
    days = spec.retention.evidence_days_after_decision
    return days if days is not None else int(settings.EVIDENCE_RETENTION_DAYS)


def retention_words(spec: CredentialDefinition) -> str:
    days = evidence_retention_days(spec)
    return ngettext(
        "Your evidence files are kept for %(days)s day after the decision on the latest attempt that includes them, "
        "then deleted; your record keeps each file's name, type and size. Download any you want to keep.",
        "Your evidence files are kept for %(days)s days after the decision on the latest attempt that includes them, "
        "then deleted; your record keeps each file's name, type and size. Download any you want to keep.",
        days,
    ) % {"days": days}
