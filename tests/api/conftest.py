from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Registered here rather than in pyproject's marker list, which another part of the suite owns; the suite
    # runs with --strict-markers, so an unregistered mark would be an error.
    config.addinivalue_line(
        "markers", "schemathesis: checks the live API against its own OpenAPI document (property-based, seeded)"
    )
