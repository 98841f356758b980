"""Browser tests: Debian's Chromium driven by Playwright, axe-core run on every page load.

Every page also runs under the site's real Content-Security-Policy (never bypassed): each page load
must carry the CSP and Permissions-Policy headers, and any violation the browser reports (a
`securitypolicyviolation` event, or the console's "Refused to ..." error) fails the test.

Every page is drawn in a phone-sized viewport (390 px wide) and must fit it: on each load, beside axe,
`document.documentElement.scrollWidth <= window.innerWidth`, else the test fails naming the page and the
element reaching furthest right.

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
from django.urls import reverse
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


# A phone's width: every page must fit it without sideways scrolling (WCAG 1.4.10 reflow).
PHONE_VIEWPORT = {"width": 390, "height": 844}

# The page's scroll width, and when it is wider than the viewport, the element reaching furthest right
# (the deepest such element, so the report names the culprit rather than its containers).
OVERFLOW_PROBE = """
() => {
  const limit = window.innerWidth;
  const width = document.documentElement.scrollWidth;
  if (width <= limit) return null;
  // Walk the page, but not into an element that scrolls or clips sideways (a table in .table-scroll may be wider
  // than the screen: it scrolls, the page does not); the culprit is the deepest element reaching past the edge.
  let widest = null, right = limit + 0.5;
  const walk = (element) => {
    for (const child of element.children) {
      const box = child.getBoundingClientRect();
      const edge = box.right + window.scrollX;
      if ((box.width > 0 || box.height > 0) && edge >= right) { widest = child; right = edge; }
      if (getComputedStyle(child).overflowX === "visible") walk(child);
    }
  };
  walk(document.body);
  const describe = (element) => {
    if (!element) return "(none found)";
    const parts = [];
    for (let node = element; node && node !== document.body && parts.length < 5; node = node.parentElement) {
      let part = node.tagName.toLowerCase();
      if (node.id) part += "#" + node.id;
      else if (node.classList.length) part += "." + [...node.classList].join(".");
      parts.unshift(part);
    }
    return parts.join(" > ") + " (right edge " + Math.round(right) + " px): " +
      JSON.stringify((element.outerHTML || "").slice(0, 160));
  };
  return {width, limit, widest: describe(widest)};
}
"""


class OverflowViolation(AssertionError):
    pass


def overflow_check(page: Any) -> None:
    """Raise when the page is wider than its viewport, naming the page and the widest element."""
    found = page.evaluate(OVERFLOW_PROBE)
    if found:
        raise OverflowViolation(
            f"{page.url} is {found['width']} px wide in a {found['limit']} px viewport; widest: {found['widest']}"
        )


# Runs in every document before its own scripts: reports each CSP violation to the test through a binding.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation({
    page: document.location.href,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile + ":" + event.lineNumber,
    sample: event.sample,
  });
});
"""
REQUIRED_CSP = ("default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")


def security_headers_problem(url: str, headers: dict[str, str] | None) -> str | None:
    """What is missing from the headers of the page at `url` (None when nothing is)."""
    if headers is None:
        return f"no response was seen for {url}, so its Content-Security-Policy could not be checked"
    policy = headers.get("content-security-policy", "")
    missing = [directive for directive in REQUIRED_CSP if directive not in policy]
    if missing or "unsafe-inline" in policy:
        return f"{url} has no strict Content-Security-Policy (lacks {missing}): {policy!r}"
    if "camera=()" not in headers.get("permissions-policy", ""):
        return f"{url} has no Permissions-Policy header denying the camera"
    return None


# The load handler and a test may both ask for a run on the same document, and axe refuses to start while
# another run is going: each run waits for the one before it.
AXE_RUN = """async (tags) => {
  const run = () => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  const queued = (window.__axeQueue || Promise.resolve()).then(run, run);
  window.__axeQueue = queued.catch(() => null);
  return await queued;
}"""


def axe_check(page: Any) -> None:
    """Run axe-core on the page as it is now; raise listing every WCAG 2.2 A/AA violation."""
    result = page.evaluate(AXE_RUN, AXE_TAGS)
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

    # The live server imports every view module (the API's among them) on its first request, which on a busy
    # machine outlasts a page's 10-second timeout; done here, in the same process, it is done before any page.
    reverse("catalog:list")

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class PolicyWatch:
    """The CSP hooks on one browser context: every violation any of its pages reports, and a check that a
    loaded page came with the CSP and Permissions-Policy headers."""

    def __init__(self, context: Any) -> None:
        self.violations: list[str] = []
        self.header_problems: list[str] = []
        self._documents: dict[str, Any] = {}
        context.expose_binding("__cspViolation", self._on_violation)
        context.add_init_script(script=CSP_LISTENER)
        context.on("console", self._on_console)
        context.on("response", self._on_response)

    def _on_violation(self, _source: Any, report: dict[str, Any]) -> None:
        self.violations.append(f"CSP violation on {report['page']}: {json.dumps(report)}")

    def _on_console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.violations.append(f"CSP violation reported in the console: {message.text}")
        if "Permissions-Policy" in message.text:
            # Chromium warns of a feature it does not know, which it then ignores: keep the header clean.
            self.violations.append(f"the browser refused part of the Permissions-Policy header: {message.text}")

    def _on_response(self, response: Any) -> None:
        # Kept, not read, here: a call to the browser inside this handler would let the page's load event
        # be handled before the headers are stored.
        if response.request.resource_type == "document":
            self._documents[response.url.split("#")[0]] = response

    def check_headers(self, url: str) -> None:
        """For a page's load handler: the document just loaded must carry both headers."""
        if not url.startswith("http"):
            return
        response = self._documents.get(url.split("#")[0])
        problem = security_headers_problem(url, response.all_headers() if response else None)
        if problem:
            self.header_problems.append(problem)

    @property
    def failures(self) -> list[str]:
        return self.header_problems + self.violations


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser context whose every page load is checked by axe and runs under the CSP hooks.

    Playwright runs the load handler concurrently with the test's next steps, so `page.axe_settle()`
    waits for pending checks; the fixture settles and checks the final page before it closes.
    """
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport=PHONE_VIEWPORT)
    context.set_default_timeout(10_000)
    context.add_init_script(script=_axe_source())
    watch = PolicyWatch(context)
    tab = context.new_page()
    failures: list[str] = []
    checked: list[str] = []
    pending: list[str] = []
    handled: list[str] = []

    def on_load(loaded: Any) -> None:
        pending.append(loaded.url)
        try:
            watch.check_headers(loaded.url)
            overflow_check(loaded)
            axe_check(loaded)
            checked.append(loaded.url)
        except (AxeViolation, OverflowViolation) as violation:
            failures.append(str(violation))
        except PlaywrightError as error:
            # The test navigated on before axe finished; the next page's own load event checks that one.
            if not _navigated_away(error):
                failures.append(f"axe could not run on {loaded.url}: {error}")
        finally:
            pending.remove(loaded.url)
            handled.append(_without_fragment(loaded.url))

    def settle() -> list[str]:
        # A heading can be on screen before the load event fires, and the handler starts a moment after it:
        # wait for the current page's own check, not merely for none to be running, or the test's next
        # navigation cuts that check short.
        try:
            tab.wait_for_load_state("load")
        except PlaywrightError:
            return checked
        idle = 0
        for _ in range(600):
            if not pending and handled and handled[-1] == _without_fragment(tab.url):
                break
            # A page may change its address without loading (htmx pushing a URL): after two idle seconds
            # there is no check still to come.
            idle = 0 if pending else idle + 1
            if idle > 80:
                break
            tab.wait_for_timeout(25)
        return checked

    tab.on("load", on_load)
    tab.axe_checked = checked
    tab.axe_settle = settle
    # Tests of the hook itself read and clear these.
    tab.csp_violations = watch.violations
    yield tab
    if not tab.is_closed():
        settle()
        if not checked or checked[-1] != tab.url:
            try:
                # A page still arriving has no stylesheet yet, and its bare links are too small to tap.
                tab.wait_for_load_state("load")
                overflow_check(tab)
                axe_check(tab)
            except (AxeViolation, OverflowViolation) as violation:
                failures.append(str(violation))
    context.close()
    failures.extend(watch.failures)
    if failures:
        pytest.fail("\n\n".join(dict.fromkeys(failures)), pytrace=False)


@pytest.fixture
def library_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """For screens a library draws (Django's admin site, ninja's Swagger UI): the CSP hooks without axe,
    whose findings there are the library's to fix, while the policy they run under is ours."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    watch = PolicyWatch(context)
    tab = context.new_page()
    tab.on("load", lambda loaded: watch.check_headers(loaded.url))
    yield tab
    context.close()
    if watch.failures:
        pytest.fail("\n\n".join(dict.fromkeys(watch.failures)), pytrace=False)


def _without_fragment(url: str) -> str:
    return url.split("#")[0]


def _navigated_away(error: Exception) -> bool:
    text = str(error)
    return "Execution context was destroyed" in text or "has been closed" in text or "navigation" in text.lower()


@pytest.fixture(autouse=True)
def _browser_marker(request: pytest.FixtureRequest) -> None:
    request.node.add_marker(pytest.mark.browser)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Marked at collection too, so `-m 'not browser'` can leave them out (the PostgreSQL pass of CI does).
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
