"""Loading credential definitions from YAML files into immutable, content-hashed versions."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from pydantic import ValidationError

from catalog.models import Credential, CredentialVersion, Issuer
from catalog.schema import CredentialDefinition


class DefinitionError(Exception):
    """A definition file that cannot be loaded; the message names the file, the path inside it and the problem."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: {path}: {problem}" if path else f"{source}: {problem}" for path, problem in problems]
        super().__init__("\n".join(lines))


class _StrictLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys without a word; a definition must not lose text that way."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, f"found the key {key!r} twice", key_node.start_mark
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# pydantic puts the tag of the union member it tried into an error's location; the reader wants the
# path as written in their file, so those tags are left out.
_UNION_TAGS = {"text", "choice", "checklist", "file", "link", "date", "short_text", "list",
               "list_has_each", "dates_before", "at_least_one", "written_within"}


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for bit in loc:
        if isinstance(bit, int):
            out += f"[{bit}]"
        elif bit not in _UNION_TAGS and not bit[:1].isupper():
            out += f".{bit}" if out else bit
    return out or "(top level)"


def definition_parse(text: str, *, source: str) -> CredentialDefinition:
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise DefinitionError(source, [(where, f"YAML syntax: {problem}")]) from None
    if not isinstance(data, dict):
        raise DefinitionError(source, [("", "the file must be a YAML mapping of keys to values")])
    try:
        definition = CredentialDefinition.model_validate(data)
    except ValidationError as error:
        problems = [(_path(tuple(e["loc"])), e["msg"].removeprefix("Value error, ")) for e in error.errors()]
        raise DefinitionError(source, problems) from None
    expected = Path(source).stem
    if Path(source).suffix in {".yaml", ".yml"} and definition.slug != expected:
        raise DefinitionError(source, [("slug", f"is {definition.slug!r} but the file is named {expected!r}; "
                                                 "name the file after its slug")])
    return definition


def definition_hash(definition: CredentialDefinition) -> str:
    """Hash of the validated content, so reformatting a file does not make a new version."""
    canonical = json.dumps(definition.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class LoadResult:
    slug: str
    version: int
    created: bool
    content_hash: str


def credential_load(*, definition: CredentialDefinition, source_name: str) -> LoadResult:
    content_hash = definition_hash(definition)
    with transaction.atomic():
        issuer, _ = Issuer.objects.update_or_create(
            slug=definition.issuer.slug,
            defaults={
                "name": definition.issuer.name,
                "url": str(definition.issuer.url),
                "description": definition.issuer.description,
                "email": definition.issuer.email or "",
            },
        )
        credential, _ = Credential.objects.select_for_update().get_or_create(
            slug=definition.slug, defaults={"issuer": issuer, "title": definition.title, "summary": definition.summary}
        )
        version = CredentialVersion.objects.filter(credential=credential, content_hash=content_hash).first()
        created = version is None
        if version is None:
            last = credential.versions.order_by("-number").first()
            version = CredentialVersion.objects.create(
                credential=credential,
                number=(last.number + 1) if last else 1,
                content_hash=content_hash,
                definition=definition.model_dump(mode="json"),
                source_name=source_name,
            )
        standards = definition.standards
        credential.issuer = issuer
        credential.title = definition.title
        credential.summary = definition.summary
        credential.grade_bands = "|" + "".join(f"{band}|" for band in definition.grade_bands)
        credential.standard_codes = "|" + "".join(f"{a.code}|" for a in (standards.alignments if standards else []))
        credential.standards_framework = standards.framework if standards else ""
        credential.search_text = _search_text(definition)
        credential.current_version = version
        credential.save()
    return LoadResult(slug=definition.slug, version=version.number, created=created, content_hash=content_hash)


def _search_text(definition: CredentialDefinition) -> str:
    bits = [definition.title, definition.summary, definition.issuer.name, definition.competency_statement,
            definition.key_method or "", definition.kind_label]
    if definition.standards:
        bits += [f"{a.code} {a.title}" for a in definition.standards.alignments]
    return "\n".join(bits).lower()


def credentials_load_dir(directory: Path) -> tuple[list[LoadResult], list[DefinitionError]]:
    """Load every *.yaml file; a bad file is refused whole and reported, the good ones still load."""
    results: list[LoadResult] = []
    errors: list[DefinitionError] = []
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        try:
            definition = definition_parse(path.read_text(encoding="utf-8"), source=path.name)
        except DefinitionError as error:
            errors.append(error)
            continue
        except UnicodeDecodeError as error:
            errors.append(DefinitionError(path.name, [("", f"the file is not UTF-8 text ({error.reason})")]))
            continue
        results.append(credential_load(definition=definition, source_name=path.name))
    return results, errors
