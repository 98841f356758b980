"""An instance's whole content in a form two instances can be compared by: every model's rows with every field,
and each badge's verification. `python -m tests.ops.snapshot` prints it as JSON for the instance its environment
configures, so a test can read a restored instance from outside, as an operator would reach it."""

from __future__ import annotations

import json
import sys
from typing import Any


def _plain(value: Any) -> str:
    # Full precision, unlike DjangoJSONEncoder (which cuts datetimes to milliseconds): equal means equal.
    if hasattr(value, "isoformat"):
        return f"{type(value).__name__}:{value.isoformat()}"
    if isinstance(value, bytes | memoryview):
        return f"bytes:{bytes(value).hex()}"
    return f"{type(value).__name__}:{value}"


def rows() -> dict[str, list[Any]]:
    """Every concrete model's rows, ordered by primary key, each as the list of its columns' values."""
    from django.apps import apps

    found: dict[str, list[Any]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [field.attname for field in model._meta.concrete_fields]
        values = model._base_manager.order_by("pk").values_list(*columns)
        found[model._meta.label] = json.loads(json.dumps([list(row) for row in values], default=_plain))
    return found


def badges() -> dict[str, dict[str, Any]]:
    """Each badge's verification: the signed credential as stored, and its VC-JWT."""
    from awards.models import Badge
    from awards.verify import verify_credential

    found = {}
    for badge in Badge.objects.order_by("pk"):
        reports = {"json": verify_credential(badge.document_text), "jwt": verify_credential(badge.jwt)}
        found[str(badge.uuid)] = {
            form: {"valid": report.valid, "failed": report.failed_labels, "error": report.error}
            for form, report in reports.items()
        }
    return found


def snapshot() -> dict[str, Any]:
    return {"rows": rows(), "badges": badges()}


if __name__ == "__main__":
    import django

    django.setup()
    json.dump(snapshot(), sys.stdout)
