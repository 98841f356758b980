from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail


def link_in(message: Any, path_prefix: str) -> str:
    """The one link in an email's text body whose path starts with path_prefix (origin included)."""
    links = re.findall(r"https?://[^\s\"<>]+", message.body)
    matches = [link for link in links if path_prefix in link]
    assert len(matches) == 1, f"expected one {path_prefix} link in {message.body!r}"
    return matches[0]


def html_of(message: Any) -> str:
    alternatives = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    assert len(alternatives) == 1, "expected one text/html alternative"
    return str(alternatives[0])


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """Run on_commit callbacks (email delivery) as a real commit would; tests run inside a rolled-back transaction."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def outbox(mailoutbox: list[Any]) -> list[Any]:
    assert mail.outbox is mailoutbox
    return mailoutbox


def without_csrf(html: str) -> str:
    """A page with its CSRF tokens blanked: Django masks the token afresh on every response, so two pages that
    say the same differ there and nowhere else."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', html)
