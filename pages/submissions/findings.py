"""Completeness findings as the pages show them: grouped by the step they send the educator to, each naming its
field in a link to it (on that step) and saying what to do. One renderer (templates/submissions/_findings.html)
draws them on the check page, in the check panel htmx swaps into a step, and in a refused submission's alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from catalog.schema import CredentialDefinition, ListField
from pages.submissions.steps import SELF_EVALUATION, SUMMARY, Step, criterion_id, field_id, part_of, step_of
from submissions.checks import Finding
from submissions.models import Submission


@dataclass
class FindingView:
    message: str
    blocking: bool
    target: str  # the field's label (with the entry), as the link names it
    url: str


@dataclass
class FindingGroup:
    key: str
    title: str
    findings: list[FindingView]

    @property
    def blocking(self) -> list[FindingView]:
        return [f for f in self.findings if f.blocking]

    @property
    def advisory(self) -> list[FindingView]:
        return [f for f in self.findings if not f.blocking]


def _target_label(definition: CredentialDefinition, finding: Finding) -> str:
    if finding.criterion:
        title = next((c.title for c in definition.rubric.criteria if c.id == finding.criterion), finding.criterion)
        return _("Self-evaluation: %(title)s") % {"title": title}
    if not finding.field:
        return _("The whole submission")
    try:
        spec = definition.field_at(finding.field)
    except ValueError:
        return finding.field
    if finding.entry is not None and finding.field.count(".") == 2:
        parent = definition.field_at(finding.field.rsplit(".", 1)[0])
        item_label = parent.item_label if isinstance(parent, ListField) else _("Entry")
        return _("%(label)s (%(item)s %(entry)s)") % {"label": spec.label, "item": item_label, "entry": finding.entry}
    return spec.label


def _trimmed(definition: CredentialDefinition, finding: Finding) -> str:
    """The message without the field name it starts with, since the link before it names the field."""
    prefixes: list[str] = []
    if finding.criterion:
        title = next((c.title for c in definition.rubric.criteria if c.id == finding.criterion), "")
        prefixes.append(_("Self-evaluation, %(criterion)s:") % {"criterion": title})
    elif finding.field:
        try:
            label = definition.field_at(finding.field).label
        except ValueError:
            label = ""
        if label:
            prefixes += [_("%(label)s (entry %(entry)s):") % {"label": label, "entry": finding.entry}, f"{label}:"]
    for prefix in prefixes:
        if finding.message.startswith(prefix):
            rest = finding.message[len(prefix) :].strip()
            return rest[:1].upper() + rest[1:]
    return finding.message


def finding_groups(
    definition: CredentialDefinition, findings: Sequence[Finding], steps: Sequence[Step]
) -> list[FindingGroup]:
    """The findings grouped by the step they send the educator to, in step order."""
    groups: dict[str, FindingGroup] = {}
    for step in steps:
        groups[step.key] = FindingGroup(step.key, step.title, [])
    summary = step_of(steps, SUMMARY)
    assert summary is not None
    for finding in findings:
        if finding.criterion:
            step = step_of(steps, SELF_EVALUATION) or summary
            anchor = criterion_id(finding.criterion)
        elif finding.field:
            step = step_of(steps, part_of(finding.field)) or summary
            anchor = field_id(finding.field, finding.entry)
        else:
            step, anchor = summary, "main"
        groups[step.key].findings.append(
            FindingView(
                message=_trimmed(definition, finding),
                blocking=finding.severity == "blocking",
                target=_target_label(definition, finding),
                url=f"{step.url}#{anchor}",
            )
        )
    return [group for group in groups.values() if group.findings]


def grouped_findings(submission: Submission, steps: Sequence[Step], findings: Sequence[Finding]) -> dict[str, Any]:
    """What the findings' templates are drawn with: the groups and how many findings block or advise."""
    groups = finding_groups(submission.version.spec, findings, steps)
    return {
        "groups": groups,
        "blocking_count": sum(len(g.blocking) for g in groups),
        "advisory_count": sum(len(g.advisory) for g in groups),
    }
