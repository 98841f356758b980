"""Plain words for definition values, shared by the detail page and the requirements PDF."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from catalog import presentation
from catalog.schema import FILE_TYPES, ItemField, Seat, SubmissionField

register = template.Library()


@register.filter
def field_kind(field: SubmissionField | ItemField) -> str:
    return presentation.field_kind_words(field)


@register.filter
def field_limits(field: SubmissionField | ItemField) -> list[str]:
    return presentation.field_limits(field)


@register.filter
def plain_number(value: float) -> str:
    return presentation.plain_number(value)


@register.filter
def money(value: float) -> str:
    return presentation.money(value)


@register.filter
def seat_title(seat: Seat) -> str:
    return presentation.seat_title(seat)


@register.simple_tag
def seat_who(seat: Seat, issuer_name: str) -> str:
    return presentation.seat_who(seat, issuer_name)


@register.filter
def file_type(kind: str) -> str:
    return _(FILE_TYPES[kind]) if kind in FILE_TYPES else kind


@register.filter
def lookup(mapping: dict[str, str], key: str) -> str:
    return mapping.get(key, "")


@register.filter
def percent(value: float) -> str:
    return number_format(f"{value * 100:g}") + "%"


@register.filter
def resource_kind(kind: str) -> str:
    return {
        "citation": _("Research"),
        "video": _("Video"),
        "article": _("Article"),
        "website": _("Website"),
        "document": _("Document"),
        "example": _("Example"),
    }.get(kind, kind)
