"""Browser tests: Debian's Chromium driven by Playwright, axe-core run on every page load.

Without Chromium these tests skip with the reason; with REQUIRE_BROWSER=1 (as .ci/run sets)
a missing browser fails them instead, so CI can never pass without having run them.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

# Playwright's sync API runs an event loop in this thread; Django's guard would otherwise refuse
# the test's own database calls made between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


class AxeViolation(AssertionError):
    pass


def axe_check(page: Any) -> None:
    """Run axe-core on the page as it is now; raise listing every WCAG 2.2 A/AA violation."""
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations = result["violations"]
    if violations:
        lines = [f"axe found {len(violations)} violation(s) on {page.url}:"]
        for violation in violations:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} -> {json.dumps(targets)}")
        raise AxeViolation("\n".join(lines))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM:
        reason = "Chromium is not installed (apt-get install chromium); browser tests need it"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " and REQUIRE_BROWSER=1 forbids skipping them")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser context whose every page load is checked by axe.

    Playwright runs the load handler concurrently with the test's next steps, so `page.axe_settle()`
    waits for pending checks; the fixture settles and checks the final page before it closes.
    """
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    context.add_init_script(script=_axe_source())
    tab = context.new_page()
    failures: list[str] = []
    checked: list[str] = []
    pending: list[str] = []

    def on_load(loaded: Any) -> None:
        pending.append(loaded.url)
        try:
            axe_check(loaded)
            checked.append(loaded.url)
        except AxeViolation as violation:
            failures.append(str(violation))
        except PlaywrightError as error:
            # The test navigated on before axe finished; the next page's own load event checks that one.
            if not _navigated_away(error):
                failures.append(f"axe could not run on {loaded.url}: {error}")
        finally:
            pending.remove(loaded.url)

    def settle() -> list[str]:
        for _ in range(600):
            if not pending:
                break
            tab.wait_for_timeout(25)
        return checked

    tab.on("load", on_load)
    tab.axe_checked = checked
    tab.axe_settle = settle
    yield tab
    if not tab.is_closed():
        settle()
        if not checked or checked[-1] != tab.url:
            try:
                axe_check(tab)
            except AxeViolation as violation:
                failures.append(str(violation))
    context.close()
    if failures:
        pytest.fail("\n\n".join(dict.fromkeys(failures)), pytrace=False)


def _navigated_away(error: Exception) -> bool:
    text = str(error)
    return "Execution context was destroyed" in text or "has been closed" in text or "navigation" in text.lower()


@pytest.fixture(autouse=True)
def _browser_marker(request: pytest.FixtureRequest) -> None:
    request.node.add_marker(pytest.mark.browser)
