"""Editing forms generated from the definition schema (catalog/schema.py), not written one per model.

`form_build` walks the pydantic models' `model_fields` and their annotations and returns a tree of `Node`s that
one recursive template draws: a model is a fieldset, `X | None` of a model is a fieldset with Add/Remove, a list of
models (or of a union told apart by `kind`) is a list of items with Add, Remove, Move up and Move down buttons, a
Literal is a select (a list of Literals, checkboxes), a bool a checkbox, long or Markdown text a textarea.
`form_parse` reads a posted form back into the definition's plain JSON by the same walk, keeping whatever the
author typed, even when it does not fit its type yet (validation reports it; the work is never lost).

Every input is named by its path exactly as the loader names places in its errors (`parts[1].fields[5].max_words`),
so a validation problem lands at its input with no translation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from django.utils.translation import gettext, gettext_lazy
from pydantic import BaseModel, HttpUrl
from pydantic.fields import FieldInfo

from catalog.schema import CredentialDefinition
from pages.authoring.schema_labels import field_hint, key_label, value_label

MISSING: Any = object()
# Keys fixed when a draft starts (see authoring.services.drafts): shown, never read from a form.
FIXED = {"slug", "issuer.slug", "schema_version", "translations"}
# Why a fixed key is not editable here, where it is not the start of the draft that fixed it.
FIXED_HINTS = {"translations": gettext_lazy("Edited in the definition file; shown here as stored")}
# Lists whose order matters though their items are a fixed set: ordered rows instead of checkboxes.
ORDERED = {"page_order"}
LONG_TEXT = {
    "body",
    "description",
    "intro",
    "guidance",
    "citation",
    "note",
    "summary",
    "feedback",
    "instructions",
    "attribution",
    "competency_statement",
    "key_method",
    "submission_intro",
    "message",
}
COUNT = "_n:"  # hidden input: how many entries a list or mapping was drawn with
PRESENT = "_on:"  # hidden input: an optional sub-object was drawn (and so is posted)
KIND = "_kind:"  # select beside a list's Add button: the kind of entry to add
DKEY, DVAL = "_k:", "_v:"  # a mapping's entry: its key and its value


@dataclass
class Node:
    kind: str  # text, textarea, number, url, checkbox, select, choices, fixed, group, list, absent, dict
    path: str
    label: str
    value: Any = None
    hint: str = ""
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # list entries: the title of an item; lists: the kinds one may add (value, label)
    title: str = ""
    item_noun: str = ""
    index: int | None = None
    last: bool = False
    input_type: str = "text"
    step: str = ""
    open: bool = False
    entry: bool = False  # a list or mapping entry (drawn with its Move and Remove buttons)
    key: str = ""  # a mapping entry's key
    add_verb: str = ""  # a list's Add button: add-item (a mapping), add-text (a value) or add-kind (a union)
    slot: str = ""  # a mapping entry's place, `descriptors[2]`, which names its key and value inputs

    @property
    def id(self) -> str:
        return input_id(self.path)

    @property
    def name(self) -> str:
        return self.path

    @property
    def count_name(self) -> str:
        return COUNT + self.path

    @property
    def present_name(self) -> str:
        return PRESENT + self.path

    @property
    def kind_name(self) -> str:
        return KIND + self.path

    @property
    def key_name(self) -> str:
        return DKEY + self.slot

    @property
    def value_name(self) -> str:
        return DVAL + self.slot

    @property
    def key_id(self) -> str:
        return input_id("key-" + self.slot)

    @property
    def described(self) -> str:
        """The ids of the hint and the errors that describe the input."""
        return " ".join([*([f"{self.id}-hint"] if self.hint else []), *([f"{self.id}-error"] if self.errors else [])])

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(child.has_errors for child in self.children)

    def walk(self) -> list[Node]:
        return [self, *(node for child in self.children for node in child.walk())]


def input_id(path: str) -> str:
    """An HTML id for a path: `parts[1].max_words` -> `f-parts-1-max_words`."""
    return "f-" + re.sub(r"[^A-Za-z0-9_-]+", "-", path).strip("-")


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def humanize(name: str) -> str:
    """A key's label in the active language (schema_labels.py)."""
    return key_label(name)


# ----- reading the annotations --------------------------------------------------------------


@dataclass
class Shape:
    """What an annotation holds, with Annotated[...] and `| None` taken off."""

    base: Any
    optional: bool
    metadata: list[Any]


def shape(annotation: Any, metadata: list[Any] | None = None) -> Shape:
    meta = list(metadata or [])
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            args = get_args(annotation)
            annotation, meta = args[0], [*meta, *args[1:]]
        elif origin in (Union, UnionType) and type(None) in get_args(annotation):
            optional = True
            rest = [a for a in get_args(annotation) if a is not type(None)]
            annotation = rest[0] if len(rest) == 1 else Union[tuple(rest)]  # noqa: UP007 - rebuilding a union
        else:
            return Shape(annotation, optional, meta)


def _limits(meta: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in meta:
        items = item.metadata if isinstance(item, FieldInfo) else [item]
        for one in items:
            for key in ("min_length", "max_length", "ge", "le", "gt", "pattern"):
                if getattr(one, key, None) is not None:
                    found[key] = getattr(one, key)
    return found


def union_members(base: Any) -> dict[str, type[BaseModel]]:
    """A union of models told apart by `kind`: each tag and its model (empty for anything else)."""
    if get_origin(base) not in (Union, UnionType):
        return {}
    members: dict[str, type[BaseModel]] = {}
    for member in get_args(base):
        if isinstance(member, type) and issubclass(member, BaseModel) and "kind" in member.model_fields:
            for tag in get_args(member.model_fields["kind"].annotation):
                members[tag] = member
    return members


def _is_model(base: Any) -> bool:
    return isinstance(base, type) and issubclass(base, BaseModel)


def _literal_options(base: Any) -> list[tuple[str, str]]:
    return [(str(value), value_label(str(value))) for value in get_args(base)]


def _hint(base: Any, limits: dict[str, Any], name: str, default: Any) -> str:
    long_text = name in LONG_TEXT or ("min_length" in limits and "max_length" not in limits)
    shown_default = default not in (None, MISSING, [], "") and not _is_model(type(default))
    return field_hint(base, limits, long_text=long_text, default=default, shown_default=shown_default)


# ----- building the tree ------------------------------------------------------------------------


def _item_title(noun: str, index: int, value: Any) -> str:
    title = f"{noun} {index + 1}"
    if isinstance(value, dict):
        name = next((value.get(k) for k in ("id", "slug", "code", "title", "label") if value.get(k)), None)
        if name is not None:
            title += f": {str(name)[:60]}"
        if isinstance(value.get("kind"), str):
            title += f" ({value['kind']})"
    elif value not in (None, ""):
        title += f": {str(value)[:60]}"
    return title


def _noun(name: str) -> str:
    nouns = {
        "parts": gettext("Part"),
        "fields": gettext("Field"),
        "item_fields": gettext("Item field"),
        "checks": gettext("Check"),
        "criteria": gettext("Criterion"),
        "levels": gettext("Level"),
        "seats": gettext("Seat"),
        "partners": gettext("Partner"),
        "alignments": gettext("Alignment"),
        "options": gettext("Option"),
        "items": gettext("Item"),
        "prompts": gettext("Prompt"),
        "resources": gettext("Group"),
        "sample_materials": gettext("Group"),
        "accept": gettext("File type"),
        "values": gettext("Value"),
    }
    return nouns.get(
        name, gettext("Entry") if name not in {"introduction", "method_components", "notes"} else gettext("Section")
    )


def _translation_rows(value: Any) -> list[tuple[str, str]]:
    """A definition's translations as (language and place, text) rows, to read rather than a mapping's repr."""
    if not isinstance(value, dict):
        return []
    rows = []
    for language, translation in value.items():
        texts = translation.get("text", {}) if isinstance(translation, dict) else {}
        rows += [(f"{language} · {place}", str(text)) for place, text in texts.items()]
    return rows


def node_for(name: str, path: str, annotation: Any, meta: list[Any], value: Any, default: Any, required: bool) -> Node:
    form = shape(annotation, meta)
    base = form.base
    label = humanize(name)
    limits = _limits(form.metadata)
    if path in FIXED:
        shown_value = None if value is MISSING else value
        return Node(
            "fixed",
            path,
            label,
            value=shown_value,
            hint=str(FIXED_HINTS.get(path, gettext("Fixed when the draft started"))),
            options=_translation_rows(shown_value) if path == "translations" else [],
        )
    members = union_members(base)
    if members:
        return _union_node(name, path, members, value, label)
    if _is_model(base):
        if form.optional and (value is MISSING or value is None):
            return Node("absent", path, label, title=gettext("Add %(label)s") % {"label": label.lower()})
        node = Node("group", path, label, required=required, open=True)
        node.value = value if isinstance(value, dict) else {}
        node.children = _model_children(base, path, node.value)
        node.hint = "optional" if form.optional else ""  # a mark the template reads, and words its own way
        return node
    origin = get_origin(base)
    if origin is list:
        return _list_node(name, path, get_args(base)[0], value, label, limits, required)
    if origin is dict:
        return _dict_node(name, path, get_args(base)[1], value, label)
    shown = default if value is MISSING else value
    hint = _hint(base, limits, name, default)
    if get_origin(base) is Literal:
        options = _literal_options(base)
        return Node(
            "select", path, label, value=shown, options=options, required=required and not form.optional, hint=hint
        )
    if base is bool:
        return Node("checkbox", path, label, value=bool(shown) if shown is not MISSING else False, hint=hint)
    if base is int or base is float:
        return Node(
            "number", path, label, value=shown, required=required, hint=hint, step="1" if base is int else "any"
        )
    if base is HttpUrl:
        return Node("text", path, label, value=shown, required=required, hint=hint, input_type="url")
    long = (
        name in LONG_TEXT
        or ("min_length" in limits and "max_length" not in limits)
        or limits.get("max_length", 0) > 300
    )
    return Node("textarea" if long else "text", path, label, value=shown, required=required, hint=hint)


def _model_children(model: type[BaseModel], path: str, value: dict[str, Any], *, tagged: bool = False) -> list[Node]:
    children = []
    for key, info in model.model_fields.items():
        child_path = join(path, key)
        if tagged and key == "kind":  # drawn once, as the union's kind select
            continue
        default = MISSING if info.is_required() else info.get_default(call_default_factory=True)
        if isinstance(default, BaseModel):
            default = MISSING
        children.append(
            node_for(
                key,
                child_path,
                info.annotation,
                list(info.metadata),
                value.get(key, MISSING),
                default,
                info.is_required(),
            )
        )
    return children


def _union_node(name: str, path: str, members: dict[str, type[BaseModel]], value: Any, label: str) -> Node:
    value = value if isinstance(value, dict) else {}
    tag = value.get("kind")
    node = Node("group", path, label, open=True, value=value)
    options = [(key, value_label(key)) for key in members]
    if isinstance(tag, str) and tag not in members:
        options.append((tag, gettext("%(kind)s (unknown)") % {"kind": tag}))
    kind = Node(
        "select",
        join(path, "kind"),
        gettext("Kind"),
        value=tag,
        options=options,
        required=True,
        hint=gettext("Changing the kind keeps the settings both kinds share; save to see the new kind's settings"),
    )
    node.children = [kind]
    if isinstance(tag, str) and tag in members:
        node.children += _model_children(members[tag], path, value, tagged=True)
    return node


def _list_node(name: str, path: str, item: Any, value: Any, label: str, limits: dict[str, Any], required: bool) -> Node:
    items = value if isinstance(value, list) else []
    item_shape = shape(item)
    noun = _noun(name)
    hint_bits = []
    if limits.get("min_length"):
        hint_bits.append(gettext("at least %(count)s") % {"count": limits["min_length"]})
    node = Node("list", path, label, required=required, item_noun=noun, hint=("; ".join(hint_bits)).capitalize())
    if get_origin(item_shape.base) is Literal and path not in ORDERED:
        node.kind = "choices"
        node.options = _literal_options(item_shape.base)
        node.value = [str(v) for v in items]
        return node
    members = union_members(item_shape.base)
    if members:
        node.options = [(key, value_label(key)) for key in members]
    node.add_verb = "add-item" if members or _is_model(item_shape.base) else "add-text"
    for index, entry in enumerate(items):
        child = node_for(name, join(path, index), item, [], entry, MISSING, True)
        child.label = _item_title(noun, index, entry)
        child.entry, child.index, child.last = True, index, index == len(items) - 1
        child.open = False
        node.children.append(child)
    return node


def _dict_node(name: str, path: str, item: Any, value: Any, label: str) -> Node:
    entries = value if isinstance(value, dict) else {}
    node = Node(
        "dict",
        path,
        label,
        item_noun=gettext("Entry"),
        hint=gettext("Each entry: a level id and what work at that level looks like") if name == "descriptors" else "",
    )
    for index, (key, entry) in enumerate(entries.items()):
        child = node_for("body", join(path, str(key)), item, [], entry, MISSING, True)
        child.entry, child.index, child.last, child.key = True, index, index == len(entries) - 1, str(key)
        child.slot = join(path, index)
        child.label = gettext("%(what)s for %(key)s") % {
            "what": gettext("Descriptor") if name == "descriptors" else humanize(name),
            "key": key or gettext("(no key)"),
        }
        node.children.append(child)
    return node


def form_build(
    definition: dict[str, Any], keys: list[str], problems: list[tuple[str, str]], opened: str = ""
) -> tuple[list[Node], list[tuple[str, str, str]]]:
    """The nodes of the top-level `keys` of `definition`, with each problem placed at its node (or the closest
    node above it). Returns the nodes and the problems for the summary as (node id, label, message)."""
    nodes = []
    for key in keys:
        info = CredentialDefinition.model_fields[key]
        default = MISSING if info.is_required() else info.get_default(call_default_factory=True)
        if isinstance(default, BaseModel):
            default = MISSING
        nodes.append(
            node_for(
                key,
                key,
                info.annotation,
                list(info.metadata),
                definition.get(key, MISSING),
                default,
                info.is_required(),
            )
        )
    by_path = {node.path: node for top in nodes for node in top.walk()}
    summary: list[tuple[str, str, str]] = []
    for path, message in problems:
        target = path
        while target and target not in by_path:
            target = re.sub(r"(\[[^\]]*\]|\.?[^.\[]+)$", "", target)
        if not target:
            continue
        node = by_path[target]
        shown = message if target == path else f"{path}: {message}"
        node.errors.append(shown)
        summary.append((node.id, node.label, shown))
    for top in nodes:
        _open_where_needed(top, opened)
    return nodes, summary


def _open_where_needed(node: Node, opened: str) -> bool:
    inner = [_open_where_needed(child, opened) for child in node.children]
    wanted = (
        bool(node.errors)
        or any(inner)
        or (
            bool(opened)
            and (opened == node.path or opened.startswith(node.path + ".") or opened.startswith(node.path + "["))
        )
    )
    if node.entry:
        node.open = node.open or wanted
    return wanted
