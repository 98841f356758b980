"""Calibration samples: data files, not code.

Each credential may have `credentials/calibration/<slug>.yaml` (the folder is CALIBRATION_DIR below the
credentials folder) listing a few made-up submissions with the level the issuer agreed for each
criterion. The loader validates a file against the credential's current definition (every part and
field must exist, every criterion of the rubric must have an agreed level that is one of its levels)
and stores each sample against the hash of that rubric. Reviewers score the samples; agreement with
the agreed levels is what `calibrated` means (see reviews.selectors.calibration_status).

A credential whose rubric changes gets a new rubric hash: the file is loaded again for it (it must
still fit the new rubric), and results recorded on the old hash no longer count - recalibration.
A sample whose text or agreed levels change is stored as a new row and the old row is retired, so a
result always refers to exactly what its reviewer saw.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from catalog.loader import yaml_read_strict
from catalog.models import Credential
from catalog.schema import SLUG, CredentialDefinition, Ident
from reviews.models import CalibrationSample

CALIBRATION_DIR = "calibration"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class SampleSpec(_Strict):
    key: Ident
    title: Annotated[str, Field(min_length=1, max_length=200)]
    draft: bool = False  # True where the platform wrote the sample for the issuer to revise
    evidence_note: str | None = None  # what the files of a real submission would show; samples carry none
    responses: dict[Ident, dict[Ident, Any]]
    agreed: dict[Ident, Ident]  # criterion id -> level id
    rationale: dict[Ident, str] = {}


class CalibrationFile(_Strict):
    credential: Annotated[str, Field(pattern=SLUG, max_length=80)]
    samples: Annotated[list[SampleSpec], Field(min_length=1)]


class CalibrationFileError(ValueError):
    """A calibration file that cannot be loaded; the message names the file, where in it, and what to do."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def rubric_hash(definition: dict[str, Any]) -> str:
    """The hash of a stored definition's rubric JSON: equal rubrics, equal hashes, whatever else changed."""
    canonical = json.dumps(definition["rubric"], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _problems(spec: CalibrationFile, definition: CredentialDefinition) -> list[str]:
    problems: list[str] = []
    level_ids = [level.id for level in definition.rubric.levels]
    criteria = [criterion.id for criterion in definition.rubric.criteria]
    keys: set[str] = set()
    for index, sample in enumerate(spec.samples):
        where = f"samples[{index}]"
        if sample.key in keys:
            problems.append(f"{where}.key: {sample.key!r} appears more than once; each sample needs its own key")
        keys.add(sample.key)
        for part_id, fields in sample.responses.items():
            for field_id in fields:
                try:
                    definition.field_at(f"{part_id}.{field_id}")
                except ValueError as error:
                    problems.append(f"{where}.responses.{part_id}.{field_id}: {error}")
        missing = [c for c in criteria if c not in sample.agreed]
        if missing:
            problems.append(f"{where}.agreed: add the agreed level for {', '.join(missing)}")
        for criterion, level in sample.agreed.items():
            if criterion not in criteria:
                problems.append(
                    f"{where}.agreed.{criterion}: not a criterion of the rubric; the criteria are {', '.join(criteria)}"
                )
            elif level not in level_ids:
                problems.append(
                    f"{where}.agreed.{criterion}: {level!r} is not a level; use one of {', '.join(level_ids)}"
                )
        for criterion in sample.rationale:
            if criterion not in criteria:
                problems.append(f"{where}.rationale.{criterion}: not a criterion of the rubric")
    return problems


def calibration_parse(text: str, *, source: str) -> CalibrationFile:
    try:
        # As a definition is read: a repeated key would silently drop a sample's text or its agreed level.
        data = yaml_read_strict(text)
    except yaml.YAMLError as error:
        raise CalibrationFileError(source, [f"YAML syntax error: {error}"]) from None
    if not isinstance(data, dict):
        raise CalibrationFileError(source, ["the file must be a mapping with `credential` and `samples`"])
    try:
        spec = CalibrationFile.model_validate(data)
    except ValidationError as error:
        raise CalibrationFileError(
            source,
            [f"{'.'.join(str(bit) for bit in e['loc']) or '(top level)'}: {e['msg']}" for e in error.errors()],
        ) from None
    if Path(source).suffix in {".yaml", ".yml"} and spec.credential != Path(source).stem:
        raise CalibrationFileError(
            source, [f"credential: is {spec.credential!r}; name the file after the credential's slug"]
        )
    return spec


@dataclass(frozen=True)
class CalibrationLoad:
    credential: str
    rubric_hash: str
    created: int
    retired: int


def calibration_load(*, spec: CalibrationFile, source_name: str) -> CalibrationLoad:
    """Store the samples of one file against the current rubric of its credential."""
    credential = Credential.objects.select_related("current_version").filter(slug=spec.credential).first()
    if credential is None or credential.current_version is None:
        raise CalibrationFileError(source_name, [f"credential: {spec.credential!r} is not loaded; load it first"])
    version = credential.current_version
    problems = _problems(spec, version.spec)
    if problems:
        raise CalibrationFileError(source_name, problems)
    current_hash = rubric_hash(version.definition)
    created = retired = 0
    now = timezone.now()
    with transaction.atomic():
        in_force = CalibrationSample.objects.select_for_update().filter(
            credential=credential, rubric_hash=current_hash, retired_at__isnull=True
        )
        kept: set[int] = set()
        for sample in spec.samples:
            content = sample.model_dump(mode="json")
            content_hash = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
            row = in_force.filter(key=sample.key, content_hash=content_hash).first()
            if row is None:
                row = CalibrationSample.objects.create(
                    credential=credential,
                    rubric_hash=current_hash,
                    key=sample.key,
                    title=sample.title,
                    responses=sample.responses,
                    agreed=sample.agreed,
                    rationale=sample.rationale,
                    evidence_note=sample.evidence_note or "",
                    draft=sample.draft,
                    content_hash=content_hash,
                    source_name=source_name,
                )
                created += 1
            kept.add(row.pk)
        retired = in_force.exclude(pk__in=kept).update(retired_at=now)
    return CalibrationLoad(credential=spec.credential, rubric_hash=current_hash, created=created, retired=retired)


def calibration_load_dir(directory: Path) -> tuple[list[CalibrationLoad], list[CalibrationFileError]]:
    """Load every calibration file in `directory` (a missing folder holds none); a bad file is refused whole."""
    loads: list[CalibrationLoad] = []
    errors: list[CalibrationFileError] = []
    if not directory.is_dir():
        return loads, errors
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        try:
            spec = calibration_parse(path.read_text(encoding="utf-8"), source=path.name)
            loads.append(calibration_load(spec=spec, source_name=path.name))
        except CalibrationFileError as error:
            errors.append(error)
        except UnicodeDecodeError:
            errors.append(CalibrationFileError(path.name, ["the file is not UTF-8 text; save it as UTF-8"]))
    return loads, errors
