"""The steps of a submission, and the element ids every page of it links to.

A submission's steps come from its definition: one per part, the self-evaluation where the definition puts it,
then "Check and submit". Element ids follow one scheme, which error summaries, completeness findings and conflict
panels link to: a field's focus target is `f-<part>-<field>`, an item of a list entry `f-<part>-<list>-<n>-<item>`
(n counted from 1, as findings count entries) and a self-evaluation rating `se-<criterion>`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.definition_text import definition_shown
from catalog.schema import CredentialDefinition, Part
from submissions.models import Submission

SELF_EVALUATION = "self-evaluation"
SUMMARY = "summary"


@dataclass(frozen=True)
class Step:
    number: int
    key: str  # a part id, SELF_EVALUATION or SUMMARY
    title: str
    url: str
    part: Part | None = None


def steps_for(submission: Submission) -> list[Step]:
    """One step per part, the self-evaluation where the definition puts it (after its `after_part`, else
    after every part) when it asks for one, then the summary."""
    sid = submission.pk

    def url(key: str) -> str:
        if key == SELF_EVALUATION:
            return reverse("submissions:self_evaluation", args=[sid])
        if key == SUMMARY:
            return reverse("submissions:summary", args=[sid])
        return reverse("submissions:part", args=[sid, key])

    return steps_from(definition_shown(submission.version.spec), url)


def steps_from(spec: CredentialDefinition, url: Callable[[str], str]) -> list[Step]:
    """The steps of any definition, a saved version's or a draft's (the authoring preview), each at `url(key)`."""
    rating: tuple[str, str, str, Part | None] | None = None
    if spec.self_evaluation.enabled:
        rating = (SELF_EVALUATION, _("Self-evaluation"), url(SELF_EVALUATION), None)
    entries: list[tuple[str, str, str, Part | None]] = []
    for part in spec.parts:
        entries.append((part.id, part.title, url(part.id), part))
        if rating is not None and spec.self_evaluation.after_part == part.id:
            entries.append(rating)
            rating = None
    if rating is not None:
        entries.append(rating)
    entries.append((SUMMARY, _("Check and submit"), url(SUMMARY), None))
    return [Step(number, *entry) for number, entry in enumerate(entries, start=1)]


def step_of(steps: Sequence[Step], key: str) -> Step | None:
    return next((s for s in steps if s.key == key), None)


def field_id(ref: str, entry: int | None = None) -> str:
    """The id of the element a link to this field (or list item, in entry n) should focus."""
    bits = ref.split(".")
    if entry is not None and len(bits) == 3:
        return f"f-{bits[0]}-{bits[1]}-{entry}-{bits[2]}"
    if len(bits) == 3:  # a list item named without its entry: go to the list
        return f"f-{bits[0]}-{bits[1]}"
    return "f-" + "-".join(bits)


def criterion_id(criterion: str) -> str:
    return f"se-{criterion}"


def part_of(ref: str) -> str:
    return ref.split(".", 1)[0]
