"""The writes that change the dashboard's pathways panel (pathways.selectors.progress_for_dashboard_state), as the
change log notes them (core/changes.py):

- "earner:<id>": one person's badges and pathway awards, which decide which pathways the panel shows them and how
  far along each is.
- PATHWAYS: the pathways and the credentials each stacks; a write there is a change for every person's panel.
- The names of credentials and issuers the panel shows are the NAMES scope the reviewing pages watch already
  (reviews/changes.py).

An update of a badge counts only when a column the panel reads changed: its earner, credential or attempt, its
revocation, its signed form being written (an issue in progress has none yet), its issue date or expiry.
"""

from __future__ import annotations

from core.changes import watch
from reviews.changes import NAMES

PATHWAYS = "pathways"


def earner_scope(user_id: int) -> str:
    return f"earner:{user_id}"


def dashboard_scopes(user_id: int) -> tuple[str, ...]:
    """Every scope the pathways panel of this person's dashboard is drawn from."""
    return earner_scope(user_id), PATHWAYS, NAMES


def watch_dashboard() -> None:
    """Registers the watches (PathwaysConfig.ready); the triggers are made by the next `migrate`."""
    watch(
        "awards_badge",
        "'earner:' || {row}.earner_id",
        columns=(
            "earner_id",
            "credential_id",
            "attempt_id",
            "revoked_at",
            "document_text",
            "issued_at",
            "valid_until",
            "uuid",
        ),
    )
    watch("pathways_pathwayaward", "'earner:' || {row}.earner_id")
    watch(
        "pathways_pathway",
        f"'{PATHWAYS}'",
        columns=("is_published", "issuer_id", "slug", "title", "rule", "required_count"),
    )
    watch("pathways_pathway_credentials", f"'{PATHWAYS}'")
