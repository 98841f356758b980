"""The gallery on a credential's page: a link to its certified examples, and the program's placeholder for them
taken off the page once there is something to show.

A definition may announce its certified examples as a sample-materials group with nothing in it and a note saying
none are published yet (Classkick's "Classkick Certified Educator Examples"). That note is true only while the
gallery is empty, so once an example is published the page is drawn from a copy of the definition whose note points
at the gallery's link below it instead. The definition itself is never changed: the program's text, its version
and the requirements PDF (the definition as written) stay as they are. A placeholder is a group with no items whose
title, as written, names examples.
"""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext

from catalog.schema import CredentialDefinition
from catalog.selectors import PublishedCredential
from gallery.selectors import gallery_has_published

_EXAMPLES = re.compile(r"\bexamples?\b", re.IGNORECASE)


def _placeholders(written: CredentialDefinition) -> set[int]:
    return {
        index
        for index, group in enumerate(written.sample_materials)
        if not group.items and group.note and _EXAMPLES.search(group.title)
    }


def gallery_credential_context(published: PublishedCredential, shown: CredentialDefinition) -> dict[str, Any]:
    """What the credential page adds for the gallery; `shown` is the definition the page draws (its language)."""
    context: dict[str, Any] = {"gallery_url": reverse("gallery:list", args=[published.credential.slug])}
    placeholders = _placeholders(published.spec)
    # Asked only where there is a placeholder to take down, so other credentials' pages cost no query more.
    has_examples = bool(placeholders) and gallery_has_published(credential=published.credential)
    if has_examples:
        groups = [
            group.model_copy(update={"note": gettext("Certified examples are published: follow the link below.")})
            if index in placeholders
            else group
            for index, group in enumerate(shown.sample_materials)
        ]
        context["spec"] = shown.model_copy(update={"sample_materials": groups})
    return context
