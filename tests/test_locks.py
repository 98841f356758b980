"""The two locks agree with pyproject.toml and with each other.

`make run` and production install requirements.lock alone; `make test` and `make lint` install
requirements-dev.lock. A dependency added to pyproject.toml but to one lock only, or a pin that differs
between them, would pass CI (dev lock) and fail the first `make run` or deploy (runtime lock).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)")


def _pins(name: str) -> dict[str, str]:
    lines = (ROOT / name).read_text().splitlines()
    return {canonicalize_name(m[1]): m[2] for m in map(PIN.match, lines) if m}


def _requirements(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    texts = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return [Requirement(text) for text in texts]


def test_each_lock_pins_its_dependencies_within_pyprojects_ranges() -> None:
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    for pins, requirements in ((runtime, _requirements()), (dev, _requirements() + _requirements("dev"))):
        for requirement in requirements:
            name = canonicalize_name(requirement.name)
            assert name in pins, f"{name} is in pyproject.toml but not locked: remake the locks (README, Developing)"
            assert requirement.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]}"


def test_the_runtime_lock_is_the_dev_lock_without_the_dev_tools() -> None:
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    differing = {name: (version, dev.get(name)) for name, version in runtime.items() if dev.get(name) != version}
    assert not differing, f"pinned differently in the two locks (runtime, dev): {differing}"
    runtime_names = {canonicalize_name(r.name) for r in _requirements()}
    dev_only = {canonicalize_name(r.name) for r in _requirements("dev")} - runtime_names
    assert dev_only, "the dev extra names tools of its own"
    assert not dev_only & runtime.keys(), "a dev tool is in the runtime lock"
