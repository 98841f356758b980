"""Each program from sign-up to a decision, on the demo exactly as `make run` seeds it, through the pages alone.

The site is set up by the same three commands `make run` runs (load_credentials, load_calibration_samples,
seed_demo); the accounts and the password come from the logins table seed_demo prints. After that nothing is
written behind the pages' back: a new educator signs up (confirming the address from the sent email), fills and
submits the program, each seated demo reviewer signs in with the printed login and scores, and for Educators
Rising the earner applies for graduate credit and the demo partner's staff member accepts it. The only reads
besides the pages are the email outbox (the confirmation link) and, at the end, what was decided.

The browser conftest checks every page load: axe (WCAG 2.2 AA), the Content-Security-Policy and that the page
fits a 390 px phone (scrollWidth <= innerWidth).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from awards.models import CreditApplication
from catalog.models import Credential
from reviews.models import Decision, DecisionOutcome
from submissions.models import Attempt
from tests.browser.submission_pages import attach, pdf_on_disk, words

pytestmark = pytest.mark.slow

EDUCATOR_PASSWORD = "a long and memorable pass phrase"
FAILING_REASONING = "The reflection names no colleague's idea that changed the lesson."
FAILING_SUGGESTION = "Name one idea a colleague gave and show where it changed your plan."


@dataclass(frozen=True)
class Login:
    email: str
    role: str


@dataclass(frozen=True)
class Demo:
    password: str
    logins: list[Login]

    def having(self, *patterns: str) -> list[Login]:
        """The printed logins whose role matches every pattern (case-insensitive)."""
        return [login for login in self.logins if all(re.search(p, login.role, flags=re.IGNORECASE) for p in patterns)]


def seed_as_make_run(settings: Any, tmp_path: Path, live_server: Any) -> Demo:
    """What `make setup` runs after migrate, and the logins table seed_demo prints, read as a person reads it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = live_server.url  # emailed links and the credential's own URLs point at this server
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private-media")},
        },
    }
    quiet, printed = StringIO(), StringIO()
    call_command("load_credentials", stdout=quiet)
    call_command("load_calibration_samples", stdout=quiet)
    call_command("seed_demo", stdout=printed)
    text = printed.getvalue()
    found = re.search(r"^Password for each account created here: (\S+)$", text, flags=re.MULTILINE)
    assert found, text
    logins = [
        Login(email=match.group(1), role=match.group(2).strip())
        for match in re.finditer(r"^  (\S+@\S+)\s{2,}(.+)$", text, flags=re.MULTILINE)
    ]
    assert logins, text
    return Demo(password=found.group(1), logins=logins)


def sign_in(page: Any, email: str, password: str, then: str = "/accounts/dashboard/") -> None:
    """A new browser session (cookies cleared), then the sign-in form, which goes on to `then`."""
    page.context.clear_cookies()
    page.goto(f"/accounts/login/?next={then}")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def sign_up_and_confirm(page: Any, name: str, email: str, school: str, then: str) -> None:
    """Sign up, confirm the address through the link in the sent email, and sign in, going on to `then`."""
    page.context.clear_cookies()
    page.goto("/accounts/signup/")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("School or organisation (optional)").fill(school)
    page.get_by_label("18 or over").check()
    page.locator("#id_password1").fill(EDUCATOR_PASSWORD)
    page.locator("#id_password2").fill(EDUCATOR_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    [message] = [m for m in mail.outbox if m.to == [email]]
    found = re.search(r"https?://\S+/accounts/verify/\S+", str(message.body))
    assert found, message.body
    page.goto(urlparse(found.group(0)).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Email address confirmed")
    sign_in(page, email, EDUCATOR_PASSWORD, then=then)


def choose(page: Any, criterion: str, level: str) -> None:
    page.get_by_role("group", name=f"Your level for {criterion}", exact=True).get_by_role(
        "radio", name=re.compile("^" + level)
    ).check()


def review_if_seated(page: Any, login: Login, demo: Demo, criteria: list[str], levels: dict[str, str]) -> bool:
    """Sign in as a printed demo reviewer; if a review waits in their queue, score it and submit. `levels` maps
    a criterion to its level (the rest get levels["*"]); a failing level gets the reasoning and suggestion
    it requires."""
    sign_in(page, login.email, demo.password, then="/reviews/")
    waiting = page.get_by_role("link", name=re.compile(r"^R-\d+"))
    if waiting.count() == 0:
        return False
    waiting.first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review R-")
    for criterion in criteria:
        level = levels.get(criterion, levels["*"])
        choose(page, criterion, level)
        if criterion in levels and levels[criterion] != levels["*"]:
            page.get_by_label(f"Your reasoning for {criterion}").fill(FAILING_REASONING)
            page.get_by_label(f"Your suggestion for improving {criterion}").fill(FAILING_SUGGESTION)
    # No wait for autosave: "Submit review…" posts the whole form, levels and comments included.
    page.get_by_role("button", name="Submit review…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit your review?")
    page.get_by_role("button", name="Submit review", exact=True).click()
    expect(page.get_by_text(re.compile(r"Your review R-\d+ is submitted"))).to_be_visible()
    return True


def criteria_of(slug: str) -> list[str]:
    credential = Credential.objects.select_related("current_version").get(slug=slug)
    assert credential.current_version is not None
    return [criterion.title for criterion in credential.current_version.spec.rubric.criteria]


def fill_and_submit_classkick(page: Any, tmp_path: Path) -> None:
    """From the credential's page: every required answer, the required file and the self-evaluation."""
    page.get_by_role("button", name="Start this certification challenge").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Step 1 of 5")
    page.get_by_role("radio", name="Classroom instruction").check()
    page.get_by_role("radio", name="Middle school").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Step 2 of 5")
    page.get_by_label("Explanation/Evidence of Collaboration").fill(
        "My grade team planned a fractions unit together and graded the exit tickets as a team."
    )
    page.get_by_label("Implementation", exact=True).fill("We kept a weekly planning hour and shared assignments.")
    page.get_by_label("Balance", exact=True).fill("Three teachers took turns leading the planning meeting.")
    page.get_by_label("Analysis", exact=True).fill("We compared exit-ticket results and chose what to reteach.")
    attach(page, "Evidence of collaboration: lessons, rosters or grades", pdf_on_disk(tmp_path))
    expect(page.get_by_role("link", name="lesson-plan.pdf")).to_be_visible()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Step 3 of 5")
    for title in ("Implementation", "Balance", "Analysis", "Explanation and evidence of collaboration"):
        element = page.get_by_role("group", name=title, exact=True)
        element.get_by_role("radio", name=re.compile(r"^Accomplished")).check()
        element.get_by_label("Why you chose this level").fill(f"My evidence for {title.lower()} shows it.")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Step 4 of 5")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check and submit")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your certification challenge is submitted")


def fill_and_submit_educators_rising(page: Any) -> None:
    """From the credential's page: all three parts, with the three planning interactions the program asks for."""
    page.get_by_role("button", name="Start this micro-credential").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Step 1 of 4")
    page.get_by_role("radio", name="Intermediate").check()
    page.get_by_label("Grade level(s)").fill("Grade 4")
    page.get_by_label("Subject or content area").fill("Mathematics")
    page.get_by_label("Title or topic of the lesson").fill("Comparing fractions")
    page.get_by_role("radio", name="A school classroom").check()
    page.get_by_label("Your role and the setting").fill("A field placement in a fourth-grade class.")
    page.get_by_label("Number of learners").fill("24")
    page.get_by_label("Your learners and their needs").fill("Four English learners needed visuals.")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Step 2 of 4")
    page.get_by_label("Lesson Plan", exact=True).fill(words(300, "plan"))
    for element in (
        "A clear goal and objective",
        "Alignment to relevant learning standards",
        "Essential questions",
        "A clear progression of strategically selected activities",
        "A plan to assess learners\N{RIGHT SINGLE QUOTATION MARK} understanding",
        "A plan to collect relevant data",
    ):
        page.get_by_role("checkbox", name=re.compile("^" + re.escape(element))).check()
    page.get_by_label("Date you delivered the lesson").fill("2025-03-10")
    interactions = [
        ("2025-03-03", "A peer or group of peers", "In person"),
        ("2025-03-05", "An expert or educator mentor", "Virtual (video or phone call)"),
        ("2025-03-07", "A professional network (online)", "Online network (forum, social media or community)"),
    ]
    for number, (held_on, kind, form) in enumerate(interactions, start=1):
        entry = page.get_by_role("group", name=f"Planning interaction {number}", exact=True)
        entry.get_by_label("Date", exact=True).fill(held_on)
        entry.get_by_role("radio", name=kind).check()
        entry.get_by_label("With whom (their role)").fill("My grade-level team")
        entry.get_by_role("radio", name=form).check()
        entry.get_by_label("Ideas that came up").fill(f"Idea number {number}: use fraction strips.")
        entry.get_by_role("radio", name="Yes", exact=True).check()
    page.get_by_label("Collaborative Narrative").fill(words(500, "narrative"))
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Step 3 of 4")
    page.get_by_label("Reflection Essay").fill(words(500, "reflection"))
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check and submit")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your micro-credential is submitted")


@pytest.mark.django_db(transaction=True)
def test_the_classkick_demo_decides_through_the_pages(page: Any, settings: Any, tmp_path: Path, live_server: Any):
    demo = seed_as_make_run(settings, tmp_path, live_server)
    sign_up_and_confirm(
        page, "Noor Newcomer", "noor@newcomer.example", "Cedar Middle School", "/credentials/classkick-collaboration/"
    )
    fill_and_submit_classkick(page, tmp_path)

    # Four independent evaluators: the two Classkick staff and the two middle-school mentors the seed prints.
    panel = demo.having("Classkick", "staff") + demo.having("Classkick", "mentor", "middle school")
    assert len(panel) == 4, demo.logins
    criteria = criteria_of("classkick-collaboration")
    seated = [login.email for login in panel if review_if_seated(page, login, demo, criteria, {"*": "Accomplished"})]
    assert len(seated) == 4, seated

    attempt = Attempt.objects.get(submission__educator__email="noor@newcomer.example")
    assert Decision.objects.get(attempt=attempt).outcome == DecisionOutcome.EARNED

    # The earner sees it earned; Classkick's program offers no graduate credit, so none is offered.
    sign_in(page, "noor@newcomer.example", EDUCATOR_PASSWORD, then="/awards/mine/")
    page.get_by_role("link", name="Collaboration", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Collaboration")
    expect(page.get_by_role("link", name="Apply for graduate credit")).to_have_count(0)
    page.axe_settle()


@pytest.mark.django_db(transaction=True)
def test_the_educators_rising_demo_decides_with_its_lead_and_a_partner_accepts_the_credit(
    page: Any, settings: Any, tmp_path: Path, live_server: Any
):
    demo = seed_as_make_run(settings, tmp_path, live_server)
    sign_up_and_confirm(
        page, "Rafa Rising", "rafa@rising.example", "Birch Elementary", "/credentials/educators-rising-collaboration/"
    )
    fill_and_submit_educators_rising(page)

    # The two assessors disagree on one component, so the lead assessor's seat is used and decides it.
    criteria = criteria_of("educators-rising-collaboration")
    disputed = criteria[-1]
    assessors = demo.having("Educators Rising", "assessor")
    leads = [login for login in assessors if re.search("lead", login.role, flags=re.IGNORECASE)]
    assessors = [login for login in assessors if login not in leads]
    assert len(assessors) >= 2, demo.logins
    assert leads, demo.logins
    first_levels = {"*": "Commendable", disputed: "Developing"}
    seated: list[str] = []
    for login in assessors:
        if review_if_seated(page, login, demo, criteria, {"*": "Commendable"} if seated else first_levels):
            seated.append(login.email)
    assert len(seated) == 2, seated
    attempt = Attempt.objects.get(submission__educator__email="rafa@rising.example")
    assert not Decision.objects.filter(attempt=attempt).exists()
    assert [login.email for login in leads if review_if_seated(page, login, demo, criteria, {"*": "Commendable"})]
    decision = Decision.objects.get(attempt=attempt)
    assert decision.outcome == DecisionOutcome.EARNED
    assert any(c["disputed"] for c in decision.results["criteria"])

    # The earner applies for graduate credit to the demo partner; its seeded staff member accepts.
    sign_in(page, "rafa@rising.example", EDUCATOR_PASSWORD, then="/awards/mine/")
    page.get_by_role("link", name="Collaboration", exact=True).click()
    page.get_by_role("link", name="Apply for graduate credit").click()
    page.get_by_role("radio", name=re.compile("^Demo State University")).check()
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("status").first).to_contain_text("Your application to Demo State University")

    # Educators Rising's admin sees that university's seeded staff, and adds a colleague by email.
    [admin] = demo.having("Issuer admin", "Educators Rising")
    sign_in(page, admin.email, demo.password)
    page.get_by_role("link", name="Partner universities of Educators Rising").click()
    state = page.get_by_role("region", name=re.compile("^Demo State University"))
    expect(state).to_contain_text("Demo State University Registrar")
    page.get_by_role("radio", name=re.compile("^Demo State University")).check()
    page.get_by_label("Their name").fill("Gus Graduate-Office")
    page.get_by_label("Their email address").fill("gus@state.example")
    page.get_by_role("button", name="Add to the staff").click()
    expect(page.get_by_role("status").first).to_contain_text("We made their account and emailed them a link")
    expect(state).to_contain_text("Gus Graduate-Office (gus@state.example)")
    assert any(m.to == ["gus@state.example"] for m in mail.outbox)

    [staff] = demo.having("Demo State University")
    sign_in(page, staff.email, demo.password)
    page.get_by_role("link", name="Graduate credit applications").click()
    page.get_by_role("link", name="Rafa Rising").click()
    page.get_by_role("radio", name=re.compile("^Accepted")).check()
    page.get_by_label("Note to the earner").fill("Welcome: the credit will appear on your transcript.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status").first).to_contain_text("Recorded: accepted.")
    page.axe_settle()
    assert CreditApplication.objects.get().status == "accepted"
