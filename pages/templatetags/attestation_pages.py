"""The step page's panel of confirmations by collaborators (templates/attestations/_step_panel.html)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template
from django.utils.translation import gettext, ngettext

from catalog.definition_text import definition_shown
from catalog.schema import ListField
from pages.submissions.answers import answer_for
from submissions.attestations import EntryState, entry_states
from submissions.models import Submission

register = template.Library()


@dataclass
class PanelEntry:
    state: EntryState
    legend: str  # in the page's language, as the step's own entries are named
    summary: str

    def __getattr__(self, name: str) -> Any:
        # The template reads the state's fields through the entry (legend, status, attestation, …).
        return getattr(self.state, name)


@dataclass
class PanelList:
    label: str
    required: str
    entries: list[PanelEntry] = field(default_factory=list)


def _summary(spec: ListField, state: EntryState) -> str:
    """The entry's shown dates and choices in words ("3 March 2025 · A peer or group of peers")."""
    shown = spec.attestation.show if spec.attestation is not None else []
    bits: list[str] = []
    for item in spec.item_fields:
        if item.id in shown and item.kind in ("date", "choice"):
            answer = answer_for(item, state.entry.get(item.id), ref=f"{state.ref}.{item.id}")
            bits += [answer.text] if answer.text else answer.items
    return " · ".join(str(bit) for bit in bits)


def _required(spec: ListField) -> str:
    rule = spec.attestation
    if rule is None:
        return ""
    words = []
    if rule.required_confirmed:
        words.append(
            ngettext(
                "This credential needs at least %(count)s confirmed entry.",
                "This credential needs at least %(count)s confirmed entries.",
                rule.required_confirmed,
            )
            % {"count": rule.required_confirmed}
        )
    if rule.required_each is not None:
        choice = next((f for f in spec.item_fields if f.id == rule.required_each.item), None)
        labels = {o.id: o.label for o in getattr(choice, "options", [])}
        values = "; ".join(str(labels.get(v, v)) for v in rule.required_each.values)
        words.append(gettext("It needs a confirmed entry for each of: %(values)s.") % {"values": values})
    return " ".join(words)


@register.simple_tag(takes_context=True)
def attestation_panel(context: template.Context) -> list[PanelList] | None:
    """The attested lists of this step with their saved entries; None where there are none (any other step, and
    the authoring preview, which draws the step without a submission)."""
    submission = context.get("submission")
    step = context.get("step")
    part = getattr(step, "part", None)
    if not isinstance(submission, Submission) or part is None:
        return None
    definition = submission.version.spec
    shown = definition_shown(definition)
    refs = {f"{part.id}.{spec.id}" for spec in part.fields if isinstance(spec, ListField) and spec.attestation}
    if not refs:
        return None
    states = entry_states(submission=submission, definition=definition, responses=submission.draft.responses)
    out = []
    for ref in sorted(refs, key=lambda r: [f"{part.id}.{s.id}" for s in part.fields].index(r)):
        spec = shown.field_at(ref)
        assert isinstance(spec, ListField)
        out.append(
            PanelList(
                label=spec.label,
                required=_required(spec),
                entries=[
                    PanelEntry(state, f"{spec.item_label} {state.position}", _summary(spec, state))
                    for state in states.get(ref, [])
                ],
            )
        )
    return out
