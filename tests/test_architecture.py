"""The floor plan holds: what `lint-imports` cannot see about the layers, and rooms that stay small.

`make lint` runs import-linter's layers contract (pyproject.toml). An import written inside a function
body is still an import, and import-linter counts it; these tests add what it does not say: that no
cross-app import hides in a function to dodge the order, that hand-written modules stay one concern
each, and that our own script stays small beside htmx.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
LONG_ALLOWED: set[str] = set()
MAX_MODULE_LINES = 500
MAX_OWN_SCRIPT_LINES = 400


def _our_modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and "__pycache__" not in path.parts
    )


def _imported_apps(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return [] if node.level else [(node.module or "").split(".")[0]]
    return [alias.name.split(".")[0] for alias in node.names]


def test_no_cross_app_import_hides_in_a_function_body() -> None:
    hidden = []
    for path in _our_modules():
        own = path.relative_to(ROOT).parts[0]
        tree = ast.parse(path.read_text(), filename=str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    others = [app for app in _imported_apps(node) if app in APPS and app != own]
                    if others:
                        hidden.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {', '.join(others)}")
    assert hidden == []


def test_the_layer_list_names_every_app() -> None:
    # A new app left out of root_packages would be outside the contract, free to import anything.
    apps_on_disk = {path.parent.name for path in ROOT.glob("*/apps.py")} | {"microcred"}
    assert apps_on_disk <= set(APPS)
    assert len(_our_modules()) > 100  # the walk really found the code


def test_each_hand_written_module_is_one_room_of_at_most_500_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in _our_modules()
        if (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert set(long) <= LONG_ALLOWED, long


def test_our_own_javascript_stays_small_beside_htmx() -> None:
    scripts = sorted((ROOT / "static" / "js").glob("*.js"))
    assert scripts
    total = sum(len(path.read_text().splitlines()) for path in scripts)
    assert total < MAX_OWN_SCRIPT_LINES, {p.name: len(p.read_text().splitlines()) for p in scripts}
