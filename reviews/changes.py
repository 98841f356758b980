"""The writes that change the reviewer's queue and the issuer admin's pipeline, as the change log notes them
(core/changes.py): every table either page's state is read from (reviews.selectors.queue_page_state,
pipeline_page_state), with the scopes a write to it touches.

- "reviewer:<id>": one reviewer's queue (their assignments, reviews, roles, calibration).
- "issuer:<id>": one issuer's pipeline (its attempts under review, their seats, assignments and decisions).
- NAMES: what many pages show or are scoped by and rarely changes (titles, names, memberships, samples); a write
  there is a change for every queue and pipeline.

An update counts only when a column either page reads changed (a reminder sent, a draft review autosaved or an
account signing in is no change to them); inserts and deletes always count, except on tables whose new or removed
rows no page shows until another watched row points at them.

A scope found by reading other rows (the reviewers on a seat, the issuer of an attempt) is read in the writer's
snapshot: on PostgreSQL a write that changed that mapping and is not committed yet is not seen. The columns that
could race so (a seat's title or role, a credential's issuer, an attempt's number) are written once, when the row is
made, by everything in the project; a script that changes them while others write should run `migrate` (which
makes every kept page stale) or expect those pages to show the old value until their next change.
"""

from __future__ import annotations

from core.changes import watch

NAMES = "names"


def reviewer_scope(user_id: int) -> str:
    return f"reviewer:{user_id}"


def issuer_scope(issuer_id: int) -> str:
    return f"issuer:{issuer_id}"


def _issuer(issuer_id: str) -> str:
    # An issuer that cannot be found (a row already gone) touches every page rather than none.
    return f"COALESCE('issuer:' || ({issuer_id}), '{NAMES}')"


_OF_VERSION = (
    "SELECT c.issuer_id FROM catalog_credentialversion v JOIN catalog_credential c ON c.id = v.credential_id "
    "WHERE v.id = {row}.version_id"
)
_OF_ATTEMPT = (
    "SELECT c.issuer_id FROM submissions_attempt a JOIN catalog_credentialversion v ON v.id = a.version_id "
    "JOIN catalog_credential c ON c.id = v.credential_id WHERE a.id = {row}.attempt_id"
)


def watch_pages() -> None:
    """Registers the watches (ReviewsConfig.ready); the triggers are made by the next `migrate`."""
    watch(
        "reviews_assignment",
        "'reviewer:' || {row}.reviewer_id",
        _issuer(_OF_ATTEMPT),
        columns=("seat_id", "attempt_id", "reviewer_id", "state", "due_at", "overdue_at"),
    )
    watch("reviews_review", "'reviewer:' || {row}.reviewer_id", columns=("state", "assignment_id", "reviewer_id"))
    watch(
        "reviews_seat",
        _issuer(_OF_ATTEMPT),
        # Its title and role are shown on the queue of everyone assigned to it.
        ("'reviewer:' || reviewer_id", "FROM reviews_assignment WHERE seat_id = {row}.id"),
        columns=("attempt_id", "position", "role", "title", "reviewer_id", "closed_at"),
    )
    watch(
        "reviews_decision",
        _issuer(_OF_ATTEMPT),
        columns=("attempt_id", "version_id", "outcome", "decided_at", "overridden_at"),
    )
    watch(
        "submissions_attempt",
        _issuer(_OF_VERSION),
        # Its number and credential are shown on the queue of everyone assigned to it.
        ("'reviewer:' || reviewer_id", "FROM reviews_assignment WHERE attempt_id = {row}.id"),
        columns=("status", "submitted_at", "number", "version_id", "submission_id"),
    )
    # A submission is shown through its attempts; a new draft is no change to either page.
    watch("submissions_submission", f"'{NAMES}'", columns=("credential_id",), events=("update",))
    watch(
        "catalog_credential",
        f"'{NAMES}'",
        columns=("slug", "title", "issuer_id", "current_version_id"),
    )
    watch("catalog_issuer", f"'{NAMES}'", columns=("slug", "name"))
    watch(
        "catalog_credentialversion",
        f"'{NAMES}'",
        columns=("content_hash", "credential_id"),
        events=("update", "delete"),
    )
    # Reviewers' names on the pipeline; an account's own page header is drawn from the request's user.
    watch(
        "accounts_user",
        f"'{NAMES}'",
        columns=("name", "email", "is_active", "is_superuser"),
        events=("update", "delete"),
    )
    watch("accounts_issuermembership", f"'{NAMES}'")
    watch("accounts_reviewerrole", "'reviewer:' || {row}.user_id")
    watch("accounts_reviewerprofile", "'reviewer:' || {row}.user_id", columns=("is_active", "user_id"))
    watch("reviews_calibrationsample", f"'{NAMES}'", columns=("credential_id", "rubric_hash", "retired_at"))
    watch("reviews_calibrationresult", "'reviewer:' || {row}.reviewer_id")
    watch("reviews_recalibration", "'reviewer:' || {row}.reviewer_id")
