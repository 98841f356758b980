"""Loading credential definitions from YAML files into immutable, content-hashed versions.

The problems found in a definition are told in the active language, when they are made: an issuer admin in the
authoring workspace reads them in the language of the request. `manage.py load_credentials` (and `make run`'s
load) has no request, so they are told in LANGUAGE_CODE, English: an operator's tool, whose output is pasted
into logs and tickets, reads the same on every server. Paths and key names stay as the author wrote them.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from catalog.models import Credential, CredentialVersion, Issuer
from catalog.schema import IDENT, SLUG, CredentialDefinition, SchemaProblem


class DefinitionError(Exception):
    """A definition file that cannot be loaded; the message names the file, the path inside it and the problem."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: {path}: {problem}" if path else f"{source}: {problem}" for path, problem in problems]
        super().__init__("\n".join(lines))


class _DuplicateKeyError(yaml.constructor.ConstructorError):
    pass


class _StrictLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys without a word; a definition must not lose text that way."""


# The same, on libyaml's parser where PyYAML was built with it (its wheels are): ten times faster on a program,
# which every load of a definition feels (the authoring form's checks, each test's program). Its syntax errors
# point at where it gave up rather than at the line at fault, so text it refuses is read again by the pure-Python
# loader above, whose marks name the line the author has to fix.
_FastStrictLoader: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = (
    type("_FastStrictLoader", (yaml.CSafeLoader,), {}) if hasattr(yaml, "CSafeLoader") else _StrictLoader
)


def _construct_mapping(
    loader: yaml.SafeLoader | yaml.CSafeLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise _DuplicateKeyError(
                None,
                None,
                _("the key %(key)s appears twice in the same mapping (first on line %(line)s); keep only one of them")
                % {"key": repr(key), "line": seen[key].start_mark.line + 1},
                key_node.start_mark,
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
if _FastStrictLoader is not _StrictLoader:
    _FastStrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# ----- turning pydantic's errors into the author's terms ---------------------------------------


def _unwrap(annotation: Any) -> Any:
    """The type that holds the keys, with Annotated[...] and `| None` taken off."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _tagged_member(union: Any, tag: str) -> type[BaseModel] | None:
    """The member of a union of models, told apart by `kind`, whose kind is `tag`."""
    if get_origin(union) not in (Union, UnionType):
        return None
    for member in get_args(union):
        is_model = isinstance(member, type) and issubclass(member, BaseModel) and "kind" in member.model_fields
        if is_model and tag in get_args(member.model_fields["kind"].annotation):
            return member
    return None


def _walk(loc: tuple[int | str, ...]) -> tuple[str, Any]:
    """The path as the author wrote it, and the schema type found there (None once the walk is lost).

    pydantic puts the `kind` of the union member it tried into an error's location (parts.0.fields.1.text.label);
    the author never wrote that tag, so it is dropped from the path.
    """
    node: Any = CredentialDefinition
    out = ""
    for bit in loc:
        node = _unwrap(node)
        if isinstance(bit, str):
            member = _tagged_member(node, bit)
            if member is not None:
                node = member
                continue
            if bit[:1].isupper():  # a model's class name, which pydantic adds for untagged unions
                continue
        out += f"[{bit}]" if isinstance(bit, int) else (f".{bit}" if out else bit)
        node = _step(node, bit)
    return out or "(top level)", node  # a path, as the API names fields: never translated


def _step(node: Any, bit: int | str) -> Any:
    origin = get_origin(node)
    if isinstance(bit, int) and origin is list:
        return get_args(node)[0]
    if origin is dict:
        return get_args(node)[1]
    if isinstance(node, type) and issubclass(node, BaseModel) and isinstance(bit, str) and bit in node.model_fields:
        return node.model_fields[bit].annotation
    return None


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _pattern_hint(pattern: str) -> str | None:
    if pattern == SLUG:
        return _("lowercase letters and digits in words joined by single hyphens, such as 'my-credential'")
    if pattern == IDENT:
        return _("a lowercase letter followed by lowercase letters, digits or underscores, such as 'lesson_plan'")
    return None


def _limit_problem(kind: str, ctx: dict[str, Any], given: Any) -> str | None:
    """pydantic's length and range errors, said in the author's terms."""
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("must not be empty; write the text or remove the key")
        return _("must be at least %(count)s characters long") % {"count": ctx.get("min_length")}
    if kind == "string_too_long":
        return _("must be at most %(count)s characters long; shorten it") % {"count": ctx.get("max_length")}
    if kind == "too_short":
        return _("must have at least %(count)s entries") % {"count": ctx.get("min_length")}
    if kind == "too_long":
        return _("must have at most %(count)s entries") % {"count": ctx.get("max_length")}
    bounds = {
        "greater_than_equal": (_("must be %(limit)s or more, not %(value)s"), "ge"),
        "greater_than": (_("must be more than %(limit)s, not %(value)s"), "gt"),
        "less_than_equal": (_("must be %(limit)s or less, not %(value)s"), "le"),
        "less_than": (_("must be less than %(limit)s, not %(value)s"), "lt"),
    }
    if kind in bounds:
        text, key = bounds[kind]
        return text % {"limit": ctx.get(key), "value": _show(given)}
    return None


def _problem(error: ErrorDetails) -> tuple[str, str]:
    """(path, what is wrong and what to do) for one pydantic error."""
    loc = tuple(error["loc"])
    kind = error["type"]
    given = error.get("input")
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    cause = ctx.get("error")
    if isinstance(cause, SchemaProblem):
        return _walk(loc + cause.at)[0], str(cause)
    if kind in {"union_tag_invalid", "union_tag_not_found"}:
        key = str(ctx.get("discriminator", "kind")).strip("'")
        path = _walk((*loc, key))[0]
        expected = str(ctx.get("expected_tags", "")).replace("'", "")
        if kind == "union_tag_not_found":
            return path, _("is missing; say which kind this is, one of: %(kinds)s") % {"kinds": expected}
        return path, _("%(kind)s is not a known kind; use one of: %(kinds)s") % {
            "kind": repr(ctx.get("tag")),
            "kinds": expected,
        }
    path = _walk(loc)[0]
    if kind == "extra_forbidden":
        parent = _unwrap(_walk(loc[:-1])[1])
        key = str(loc[-1])
        if isinstance(parent, type) and issubclass(parent, BaseModel):
            allowed = list(parent.model_fields)
            close = difflib.get_close_matches(key, allowed, n=1)
            if close:
                return path, _("unknown key %(key)s; did you mean %(close)s?") % {
                    "key": repr(key),
                    "close": repr(close[0]),
                }
            return path, _("unknown key %(key)s; the keys allowed here are: %(allowed)s") % {
                "key": repr(key),
                "allowed": ", ".join(allowed),
            }
        return path, _("unknown key %(key)s; check its spelling or remove it") % {"key": repr(key)}
    if kind == "missing":
        return path, _("is required but missing; add it")
    shown = {"value": _show(given)}
    if kind == "string_type":
        if isinstance(given, bool):
            return path, _(
                "must be text, not %(value)s (YAML reads yes, no, on, off, true and false as true/false: put the "
                "text in quotes)"
            ) % shown
        return path, _("must be text, not %(value)s") % shown
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return path, _("must be a whole number, not %(value)s") % shown
    if kind in {"float_type", "float_parsing"}:
        return path, _("must be a number, not %(value)s") % shown
    if kind in {"bool_type", "bool_parsing"}:
        return path, _("must be true or false, not %(value)s") % shown
    if kind == "list_type":
        return path, _("must be a list (lines starting with '- '), not %(value)s") % shown
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return path, _("must be a mapping of keys to values, not %(value)s") % shown
    if kind == "string_pattern_mismatch":
        hint = _pattern_hint(str(ctx.get("pattern")))
        if hint:
            return path, _("must be %(shape)s, not %(value)s") % {"shape": hint, **shown}
    if kind == "literal_error":
        return path, _("%(value)s is not allowed here; use one of: %(allowed)s") % {
            **shown,
            "allowed": ctx.get("expected"),
        }
    if kind.startswith("url_"):
        return path, _("must be a full web address such as https://example.org/, not %(value)s") % shown
    limit = _limit_problem(kind, ctx, given)
    if limit is not None:
        return path, limit
    return path, error["msg"].removeprefix("Value error, ")


def definition_problems(error: ValidationError) -> list[tuple[str, str]]:
    """Each of a validation error's problems as (path as the author wrote it, what is wrong and what to do): the
    words the loader reports for a file, for anyone else validating a definition (the browser editor)."""
    return [_problem(e) for e in error.errors()]


def definition_validate(data: Any) -> tuple[CredentialDefinition | None, list[tuple[str, str]]]:
    """Validate a definition already read into Python values: the definition, or None and every problem."""
    if not isinstance(data, dict):
        return None, [
            (
                "",
                _("a definition must be a mapping of keys to values, but this holds %(found)s")
                % {"found": _found(data)},
            )
        ]
    try:
        return CredentialDefinition.model_validate(data), []
    except ValidationError as error:
        return None, definition_problems(error)


def _found(data: Any) -> str:
    if isinstance(data, list):
        return _("a list")
    return _("a single value (%(value)s)") % {"value": _show(data)}


def yaml_read_strict(text: str) -> Any:
    """YAML text as Python values, safely and strictly: a key repeated in one mapping is an error. On libyaml where
    it can; yaml.YAMLError with the mark of the line at fault otherwise (the definitions' and the calibration
    files' reader)."""
    try:
        return yaml.load(text, Loader=_FastStrictLoader)  # noqa: S506 - a safe loader
    except _DuplicateKeyError:
        raise
    except yaml.YAMLError:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass


def definition_yaml_read(text: str, *, source: str) -> dict[str, Any]:
    """The YAML text as Python values, read strictly (a repeated key is an error); DefinitionError naming
    `source` and the line for anything that is not a YAML mapping."""
    try:
        data = yaml_read_strict(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = (
            _("line %(line)s, column %(column)s") % {"line": mark.line + 1, "column": mark.column + 1} if mark else ""
        )
        problem = getattr(error, "problem", None) or str(error)
        if isinstance(error, _DuplicateKeyError):
            raise DefinitionError(source, [(where, problem)]) from None
        context = getattr(error, "context", None)
        detail = f"{problem} ({context})" if context else problem
        raise DefinitionError(source, [(where, _("YAML syntax error: %(detail)s") % {"detail": detail})]) from None
    if data is None:
        raise DefinitionError(source, [("", _("the file is empty; a definition is a YAML mapping of keys to values"))])
    if not isinstance(data, dict):
        message = _("the file must be a YAML mapping of keys to values, but it holds %(found)s")
        raise DefinitionError(source, [("", message % {"found": _found(data)})])
    return data


def definition_parse(text: str, *, source: str) -> CredentialDefinition:
    """Validate one definition's text; DefinitionError names `source`, where in it and what is wrong."""
    data = definition_yaml_read(text, source=source)
    definition, problems = definition_validate(data)
    if definition is None:
        raise DefinitionError(source, problems)
    expected = Path(source).stem
    if Path(source).suffix in {".yaml", ".yml"} and definition.slug != expected:
        raise DefinitionError(
            source,
            [
                (
                    "slug",
                    _("is %(slug)s but the file is named %(name)s; name the file after its slug")
                    % {"slug": repr(definition.slug), "name": repr(expected)},
                )
            ],
        )
    return definition


def definition_read(path: Path) -> CredentialDefinition:
    """Read and validate one definition file; DefinitionError for anything wrong with it, encoding included."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DefinitionError(
            path.name,
            [
                (
                    _("line %(line)s") % {"line": line},
                    _("the file is not UTF-8 text (%(reason)s); save it as UTF-8") % {"reason": error.reason},
                )
            ],
        ) from None
    return definition_parse(text, source=path.name)


def definition_hash(definition: CredentialDefinition) -> str:
    """Hash of the validated content, so reformatting a file does not make a new version.

    Values left at their defaults are not hashed: adding an optional key to the schema must not turn
    every loaded credential into a "new" version. The stored definition keeps the full dump, so a
    version still says exactly what was in force. (Changing a default's value is a schema change:
    bump schema_version.)
    """
    content = definition.model_dump(mode="json", exclude_defaults=True)
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# The source_name prefix of a version an issuer admin published in the browser (authoring), as against a file.
BROWSER_SOURCE = "browser:"


@dataclass(frozen=True)
class LoadResult:
    slug: str
    version: int
    created: bool
    content_hash: str
    # True when the loaded text matched an older version and a newer one published in the browser stayed current.
    kept_newer: bool = False


def credential_load(*, definition: CredentialDefinition, source_name: str) -> LoadResult:
    """Make `definition` the credential's current version: an existing version with the same content hash, or a
    new immutable one numbered after the last.

    One exception, because `make run` loads every file on each start: a text equal to an older version V does
    not move the current version back when some version after V was published in the browser (its
    source_name starts with BROWSER_SOURCE). The unchanged file is then simply behind the browser, and
    nothing (version, credential columns, issuer) is touched. A file whose content is new still makes a new
    version and becomes current, as does a browser publish of any content, older or not: both are deliberate
    edits, where an untouched file is not.
    """
    content_hash = definition_hash(definition)
    with transaction.atomic():
        credential = Credential.objects.select_for_update().filter(slug=definition.slug).first()
        if credential is not None and not source_name.startswith(BROWSER_SOURCE):
            same = CredentialVersion.objects.filter(credential=credential, content_hash=content_hash).first()
            current = credential.current_version
            if (
                same is not None
                and current is not None
                and current.number > same.number
                and credential.versions.filter(number__gt=same.number, source_name__startswith=BROWSER_SOURCE).exists()
            ):
                return LoadResult(
                    slug=definition.slug,
                    version=current.number,
                    created=False,
                    content_hash=current.content_hash,
                    kept_newer=True,
                )
        issuer, _made = Issuer.objects.update_or_create(
            slug=definition.issuer.slug,
            defaults={
                "name": definition.issuer.name,
                "url": str(definition.issuer.url),
                "description": definition.issuer.description,
                "email": definition.issuer.email or "",
                "colour": definition.issuer.colour,
                "accent_colour": definition.issuer.accent_colour,
            },
        )
        if credential is None:
            credential, _made = Credential.objects.select_for_update().get_or_create(
                slug=definition.slug,
                defaults={"issuer": issuer, "title": definition.title, "summary": definition.summary},
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
    bits = [
        definition.title,
        definition.summary,
        definition.issuer.name,
        definition.competency_statement,
        definition.key_method or "",
        definition.kind_label,
    ]
    if definition.standards:
        bits += [f"{a.code} {a.title}" for a in definition.standards.alignments]
    return "\n".join(bits).lower()


def credentials_load_dir(directory: Path) -> tuple[list[LoadResult], list[DefinitionError]]:
    """Load every *.yaml file; a bad file is refused whole and reported, the good ones still load."""
    results: list[LoadResult] = []
    errors: list[DefinitionError] = []
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        try:
            definition = definition_read(path)
        except DefinitionError as error:
            errors.append(error)
            continue
        results.append(credential_load(definition=definition, source_name=path.name))
    return results, errors
