"""Filling a downloaded submission form with python-docx the way a person does in a word processor: finding each
question's box by walking the document in order, typing into it, replacing ☐ with ☒ beside a choice and adding
table rows; and the draft values those answers should become."""

from __future__ import annotations

import io
import re
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.table import Table
from docx.text.paragraph import Paragraph

from catalog.offline_form import FormItem, form_parts
from catalog.schema import (
    ChecklistField,
    ChoiceField,
    CredentialDefinition,
    DateField,
    LinkField,
    ShortTextField,
    TextField,
)

DELIVERED = "2025-03-10"
PLANNED = ["2025-03-03", "2025-03-05", "2025-03-07", "2025-03-08"]
DELIVERED_AS_TYPED = "March 10, 2025"  # a date as people write it; the form reads it as 2025-03-10


def words(n: int, word: str) -> str:
    return " ".join(f"{word}{i}" for i in range(n))


def visible(paragraph: Paragraph) -> str:
    return "".join(run.text for run in paragraph.runs if not run.font.hidden)


class Filler:
    def __init__(self, data: bytes, spec: CredentialDefinition) -> None:
        self.doc = Document(io.BytesIO(data))
        self.spec = spec
        self.items = [item for part in form_parts(spec) for item in part.items]
        self.boxes = self._boxes()

    def _boxes(self) -> dict[str, list[Table]]:
        """Each question's answer tables, found as a reader finds them: the tables in order, question by question."""
        tables = iter(self.doc.tables)
        boxes: dict[str, list[Table]] = {}
        for item in self.items:
            count = 0 if item.answer == "file" else (2 if item.answer == "rating" and item.justification_limit else 1)
            boxes[item.ref] = [next(tables) for _ in range(count)]
            for table in boxes[item.ref]:
                header = visible(table.rows[0].cells[0].paragraphs[0])
                first = item.columns[0].label if item.answer == "list" else ("Your", "Why")
                assert header.startswith(first), (item.ref, header)
        assert next(tables, None) is None
        return boxes

    def item(self, ref: str) -> FormItem:
        return next(item for item in self.items if item.ref == ref)

    # ----- what a person does --------------------------------------------------------------

    def type(self, ref: str, text: str, *, box: int = 0) -> None:
        cell = self.boxes[ref][box].cell(1, 0)
        lines = text.split("\n")
        if cell.paragraphs[0].text:  # a box of options: a line of one's own below them
            cell.add_paragraph(lines[0])
        else:
            cell.paragraphs[0].add_run(lines[0])
        for line in lines[1:]:
            cell.add_paragraph(line)

    def pick(self, ref: str, labels: list[str], *, box: int = 0, mark: str = "☒") -> None:
        for paragraph in self.boxes[ref][box].cell(1, 0).paragraphs:
            if visible(paragraph).removeprefix("☐ ") in labels:
                paragraph.runs[0].text = paragraph.runs[0].text.replace("☐", mark, 1)

    def rows(self, ref: str, entries: list[list[str]]) -> None:
        table = self.boxes[ref][0]
        for index, texts in enumerate(entries):
            row = table.rows[1 + index] if 1 + index < len(table.rows) else table.add_row()
            for cell, text in zip(row.cells, texts, strict=True):
                cell.paragraphs[0].add_run(text)

    def under_heading(self, ref: str, text: str) -> None:
        """Type a paragraph right under the question's heading instead of in its box."""
        label = self.item(ref).label
        heading = next(p for p in self.doc.paragraphs if visible(p) == label)
        new = OxmlElement("w:p")
        heading._p.addnext(new)
        Paragraph(new, heading._parent).add_run(text)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

    # ----- every answerable question, typed, with what the draft should hold ---------------

    def fill_everything(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(responses by ref, self-evaluation by criterion) as the draft should hold them after the upload."""
        expected: dict[str, Any] = {}
        ratings: dict[str, Any] = {}
        for item in self.items:
            if item.answer == "file":
                continue
            if item.answer == "rating":
                level = item.options[0]
                self.pick(item.ref, [level.label])
                why = words(12, "because")
                self.type(item.ref, why, box=1)
                ratings[item.ref.split(".", 1)[1]] = {"level": level.id, "justification": why}
                continue
            spec = self.spec.field_at(item.ref)
            if item.answer == "list":
                entries, typed = self._entries(item)
                self.rows(item.ref, typed)
                expected[item.ref] = entries
                continue
            value, typed_text, labels = self._value(spec, DELIVERED)
            if labels is not None:
                self.pick(item.ref, labels)
            else:
                self.type(item.ref, typed_text)
            expected[item.ref] = value
        return expected, ratings

    def _entries(self, item: FormItem) -> tuple[list[dict[str, Any]], list[list[str]]]:
        entries: list[dict[str, Any]] = []
        typed: list[list[str]] = []
        count = item.rows + 1  # one more row than the form draws, added as a person adds one
        for number in range(count):
            entry: dict[str, Any] = {}
            row: list[str] = []
            for column in item.columns:
                spec = column.spec
                value, text, _ = self._value(spec, PLANNED[number % len(PLANNED)], number=number)
                if isinstance(spec, ChoiceField):
                    option = spec.options[number % len(spec.options)]
                    value, text = option.id, option.label
                entry[spec.id] = value
                row.append(text)
            entries.append(entry)
            typed.append(row)
        return entries, typed

    def _value(self, spec: Any, date: str, *, number: int = 0) -> tuple[Any, str, list[str] | None]:
        """(stored value, text typed, option labels to mark or None)."""
        if isinstance(spec, TextField):
            n = min(spec.max_words or 40, 40)
            text = words(max(n, spec.min_words or 0), spec.id)
            if spec.multiline and n > 20:
                text = text.replace(f" {spec.id}20", f"\n{spec.id}20")  # two paragraphs
            return text, text, None
        if isinstance(spec, ChoiceField):
            chosen = spec.options[1:3] if spec.multiple else [spec.options[1]]
            ids = [o.id for o in chosen]
            return (ids if spec.multiple else ids[0]), "", [o.label for o in chosen]
        if isinstance(spec, ChecklistField):
            return [i.id for i in spec.items], "", [i.label for i in spec.items]
        if isinstance(spec, DateField):
            return date, (DELIVERED_AS_TYPED if date == DELIVERED else date), None
        if isinstance(spec, LinkField):
            return ["https://video.example/watch/1"], "https://video.example/watch/1", None
        assert isinstance(spec, ShortTextField)
        fitting = [
            c
            for c in ("Grade 4 maths", "24", "AB12", "Example")
            if len(c) <= spec.max_length and (spec.pattern is None or re.fullmatch(spec.pattern, c))
        ]
        if spec.multiple:
            return ["AB12", "CD34"], "AB12\nCD34", None
        return fitting[0], fitting[0], None
