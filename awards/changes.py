"""The writes that change a badge's verification as its public page shows it, as the change log notes them
(core/changes.py): "keys:<issuer id>", one issuer's signing keys and status lists.

The rest of what the page shows, the badge's own row and the rows read with it (issuer, credential, version), is read
on every view all the same (pages/awards/badge_page.py), as is the clock. A status list counts only when it is signed
again (a revocation, a reinstatement) or moved: allocating a credential's index is no change to any page.
"""

from __future__ import annotations

from core.changes import watch


def keys_scope(issuer_id: int) -> str:
    return f"keys:{issuer_id}"


def watch_verification() -> None:
    """Registers the watches (AwardsConfig.ready); the triggers are made by the next `migrate`."""
    watch("awards_issuerkey", "'keys:' || {row}.issuer_id")
    watch(
        "awards_statuslist",
        "'keys:' || {row}.issuer_id",
        columns=("document_text", "issuer_id", "number", "purpose"),
    )
