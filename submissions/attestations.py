"""Collaborators' confirmations of list entries (a planning log's conversations): the rules, and the reads.

A list field whose definition carries `attestation` lets the educator ask the collaborator of each saved entry,
by email, to confirm it (the writes: submissions/services/attestations.py). The rules:

- The collaborator's address is kept on the `Attestation` row only: never in the draft's answers (which
  reviewers and exports read) nor in the audit log. The emailed link's token is stored as its digest, works
  once and for LINK_VALID.
- The collaborator is shown the entry's items the definition lists in `show`, and the educator's name and the
  credential's title; nothing else of the draft, and never an item holding student data (the schema refuses it).
- A confirmation stands while the entry is as it was answered: `entry_digest` covers every item of the entry
  (its id aside), so any change, even to an item the collaborator was not shown, sets it aside ("changed
  since"), and the educator asks again.
- An attempt records the entries whose confirmation stood when it was frozen (`AttemptAttestation`), and a
  confirmation that arrives later counts for it too when it is of exactly the frozen entry and the attempt is
  not yet decided. That record, with nothing of who confirmed, is all reviewers see: "Confirmed by the
  collaborator" or "Not confirmed" per entry. The collaborator's note is the educator's to read, never a
  reviewer's.
- What a definition requires (`required_confirmed`, `required_each`) is a blocking finding of the completeness
  check, naming the entries and where each stands.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.email_links import link_digest
from catalog.schema import ChoiceField, CredentialDefinition, ListField
from core.errors import NotAllowed, NotFound
from submissions.checks import Finding
from submissions.models import Attempt, AttemptAttestation, Attestation, Submission
from submissions.values import is_filled

LINK_VALID = timedelta(days=14)
# The same entry is emailed again at most this often; accounts' throttles bound each address and educator.
RESEND_INTERVAL = timedelta(minutes=10)

State = Attestation.State


def attested_lists(definition: CredentialDefinition) -> list[tuple[str, ListField]]:
    """The list fields whose entries may be confirmed, by reference ("part.field")."""
    return [
        (f"{part.id}.{spec.id}", spec)
        for part in definition.parts
        for spec in part.fields
        if isinstance(spec, ListField) and spec.attestation is not None
    ]


def attested_list(definition: CredentialDefinition, ref: str) -> ListField | None:
    return next((spec for found, spec in attested_lists(definition) if found == ref), None)


def entry_digest(entry: Mapping[str, Any]) -> str:
    """The entry's content as one digest: every item but its id, in a canonical form."""
    content = {key: value for key, value in entry.items() if key != "id"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def filled_entries(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The entries a page shows, numbered as it numbers them ("Planning interaction 2"): filled ones only."""
    entries = [e for e in (value if isinstance(value, list) else []) if isinstance(e, dict) and is_filled(e)]
    return list(enumerate(entries, start=1))


def _value(responses: Mapping[str, Any], ref: str) -> Any:
    part_id, _dot, field_id = ref.partition(".")
    part = responses.get(part_id)
    return part.get(field_id) if isinstance(part, Mapping) else None


def entry_find(responses: Mapping[str, Any], ref: str, entry_id: str) -> tuple[int, dict[str, Any]] | None:
    return next(((n, e) for n, e in filled_entries(_value(responses, ref)) if e.get("id") == entry_id), None)


@dataclass(frozen=True)
class EntryState:
    """Where one saved entry stands: `status` is not_asked, waiting, expired, confirmed, changed or declined."""

    ref: str
    entry_id: str
    position: int
    legend: str
    entry: dict[str, Any]
    status: str
    attestation: Attestation | None = None

    @property
    def stands(self) -> bool:
        return self.status == "confirmed"


def _status(row: Attestation | None, digest: str) -> str:
    if row is None:
        return "not_asked"
    if row.state == State.WAITING:
        return "expired" if row.expires_at <= timezone.now() else "waiting"
    if row.state == State.CONFIRMED:
        return "confirmed" if row.entry_digest == digest else "changed"
    return "declined"


def entry_states(
    *, submission: Submission, definition: CredentialDefinition, responses: Mapping[str, Any]
) -> dict[str, list[EntryState]]:
    """Every saved entry of every attested list, by list reference, with where it stands (one query)."""
    lists = attested_lists(definition)
    if not lists:
        return {}
    rows = {(a.field_ref, a.entry_id): a for a in Attestation.objects.filter(submission=submission)}
    out: dict[str, list[EntryState]] = {}
    for ref, spec in lists:
        states = []
        for position, entry in filled_entries(_value(responses, ref)):
            entry_id = str(entry.get("id", ""))
            row = rows.get((ref, entry_id))
            states.append(
                EntryState(
                    ref=ref,
                    entry_id=entry_id,
                    position=position,
                    legend=f"{spec.item_label} {position}",
                    entry=entry,
                    status=_status(row, entry_digest(entry)),
                    attestation=row,
                )
            )
        out[ref] = states
    return out


def requires_confirmation(definition: CredentialDefinition) -> bool:
    for _ref, spec in attested_lists(definition):
        rule = spec.attestation
        if rule is not None and (rule.required_confirmed or rule.required_each):
            return True
    return False


_WHERE = {
    "not_asked": gettext_lazy("not asked yet"),
    "waiting": gettext_lazy("waiting for an answer"),
    "expired": gettext_lazy("the link expired before an answer"),
    "changed": gettext_lazy("changed since it was confirmed"),
    "declined": gettext_lazy("declined"),
}


def _where(state: EntryState) -> str:
    return _("%(legend)s (%(where)s)") % {"legend": state.legend, "where": _WHERE[state.status]}


def _holds(state: EntryState, item: str, value: str) -> bool:
    chosen = state.entry.get(item)
    return value in chosen if isinstance(chosen, list) else chosen == value


def attestation_findings(
    definition: CredentialDefinition, states: Mapping[str, list[EntryState]], active_parts: set[str]
) -> list[Finding]:
    """The blocking findings for what a definition requires to be confirmed, naming the entries not confirmed."""
    out: list[Finding] = []
    for ref, spec in attested_lists(definition):
        rule = spec.attestation
        if rule is None or ref.partition(".")[0] not in active_parts:
            continue
        entries = states.get(ref, [])
        confirmed = [s for s in entries if s.stands]
        pending = [s for s in entries if not s.stands]
        if len(confirmed) < rule.required_confirmed:
            message = ngettext(
                "%(list)s: at least %(min)s entry must be confirmed by the collaborator it records, and %(count)s is.",
                "%(list)s: at least %(min)s entries must be confirmed by the collaborators they record, and "
                "%(count)s are.",
                rule.required_confirmed,
            ) % {"list": spec.label, "min": rule.required_confirmed, "count": len(confirmed)}
            if pending:
                message += " " + _("Not confirmed: %(entries)s.") % {"entries": "; ".join(_where(s) for s in pending)}
            first = pending[0].position if pending else None
            out.append(Finding("attestation_confirmed", "blocking", message, ref, first))
        each = rule.required_each
        if each is None:
            continue
        choice = next((f for f in spec.item_fields if f.id == each.item), None)
        labels = {o.id: o.label for o in choice.options} if isinstance(choice, ChoiceField) else {}
        for value in each.values:
            if any(_holds(s, each.item, value) for s in confirmed):
                continue
            candidates = [s for s in pending if _holds(s, each.item, value)]
            message = _("%(list)s: an entry for “%(value)s” must be confirmed by the collaborator it records.") % {
                "list": spec.label,
                "value": labels.get(value, value),
            }
            if candidates:
                message += " " + _("Not confirmed: %(entries)s.") % {
                    "entries": "; ".join(_where(s) for s in candidates)
                }
            first = candidates[0].position if candidates else None
            out.append(Finding("attestation_each", "blocking", message, ref, first))
    return out


# ----- the emailed link -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttestationLink:
    """What an emailed link leads to: the request and its entry, or why the link no longer works."""

    attestation: Attestation | None
    problem: str = ""
    spec: ListField | None = None
    entry: dict[str, Any] | None = None
    legend: str = ""
    position: int = 0

    @property
    def digest(self) -> str:
        return entry_digest(self.entry) if self.entry is not None else ""


def attestation_link_get(*, token: str, viewer: Any = None) -> AttestationLink:
    """The request behind an emailed link. NotFound unless the token is one we sent; NotAllowed to the educator
    who asked (the link is their collaborator's). Opening it records nothing: mail scanners open links."""
    row = (
        Attestation.objects.select_related("submission__educator", "submission__version", "submission__credential")
        .filter(token_digest=link_digest(token))
        .first()
        if token
        else None
    )
    if row is None:
        raise NotFound(_("this link is not one we sent, or it has been replaced by a newer one"))
    educator = row.submission.educator
    if getattr(viewer, "pk", None) == educator.pk:
        raise NotAllowed(_("this link is for your collaborator to open, not for you"))
    if row.state != State.WAITING:
        return AttestationLink(None, _("This answer has already been recorded; the link works only once."))
    if row.expires_at <= timezone.now():
        return AttestationLink(
            None, _("This link has expired. %(name)s can send you a new one.") % {"name": educator.name}
        )
    definition = row.submission.version.spec
    spec = attested_list(definition, row.field_ref)
    found = entry_find(row.submission.draft.responses, row.field_ref, row.entry_id) if spec is not None else None
    if spec is None or found is None or not row.submission.is_open:
        return AttestationLink(
            None, _("%(name)s no longer needs this answer: the entry was removed.") % {"name": educator.name}
        )
    position, entry = found
    return AttestationLink(row, spec=spec, entry=entry, legend=f"{spec.item_label} {position}", position=position)


def attempt_confirmed_entries(*, attempt: Attempt) -> dict[str, set[str]]:
    """The entry ids of the attempt confirmed by their collaborators, by list reference (for reviewers)."""
    out: dict[str, set[str]] = {}
    for ref, entry_id in AttemptAttestation.objects.filter(attempt=attempt).values_list("field_ref", "entry_id"):
        out.setdefault(ref, set()).add(entry_id)
    return out
