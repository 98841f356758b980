"""The whole Classkick journey in Spanish: the educator submits, the panel reviews, the decision reaches the educator,
and the badge is shown and verified. Every page it visits says `lang="es"`, shows no English string of the catalogs
(a msgid whose Spanish says otherwise) and no English text of the program without its `lang`, and passes axe (the
`page` fixture checks each load).

Three of the four reviewers score through the services (the browser would add nothing their pages do not already
show for the fourth); the fourth, the educator and a verifier visit every page type of the journey in the browser.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polib  # type: ignore[import-untyped]
import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect
from pydantic import BaseModel

from accounts.models import ReviewerRole, User
from awards.models import Badge
from catalog.definition_text import SourceText, definition_shown
from catalog.loader import definition_read
from catalog.models import Credential
from core.locale import catalog_paths
from reviews.calibration import CALIBRATION_DIR, calibration_load_dir
from reviews.models import Assignment, Decision, DecisionOutcome
from submissions.models import Attempt
from tests.browser.submission_pages import make_educator, pdf_on_disk, prepare_site, sign_in, words
from tests.browser.test_review_journeys import make_reviewer
from tests.reviews.helpers import open_assignments, review

pytestmark = pytest.mark.slow

# Placeholders and markup split a msgid into the words a reader would see around them.
_SPLIT = re.compile(r"%\(\w+\)[sdf]|%[sdf]|\{\w+\}|<[^>]+>")


def _english_phrases() -> set[str]:
    """Every run of four or more words of a msgid whose Spanish says something else: visible on a Spanish page,
    such a phrase is a string left untranslated."""
    phrases: set[str] = set()
    for path in catalog_paths():
        if path.parent.parent.name != "es":
            continue
        for entry in polib.pofile(str(path)).translated_entries():
            spanish = " ".join([entry.msgstr, *entry.msgstr_plural.values()])
            for source in filter(None, (entry.msgid, entry.msgid_plural)):
                for piece in _SPLIT.split(source):
                    piece = piece.strip(" .,:;—()")
                    if len(piece.split()) >= 4 and piece not in spanish:
                        phrases.add(piece)
    return phrases


ENGLISH = _english_phrases()

# A program's text split into the phrases a reader would see (markdown, punctuation and quotes between them).
_PROGRAM_SPLIT = re.compile(r"[\n*#:;,.()\[\]\"“”]+")


def _program_phrases(slug: str) -> set[str]:
    """The runs of four or more words of the program's text that has no Spanish: shown on a Spanish page, each must
    carry its `lang` (checked like a catalog string, since the walker leaves out what is so marked). The seats' titles
    are left out: reviewers' pages show the copy a panel keeps, which does not know its language."""
    shown = definition_shown(definition_read(django_settings.CREDENTIALS_DIR / f"{slug}.yaml"), "es")
    seats = {seat.title for seat in shown.review_policy.seats}
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, SourceText):
            found.add(str(value))
        elif isinstance(value, BaseModel):
            for key in type(value).model_fields:
                walk(getattr(value, key))
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(shown)
    pieces = (" ".join(piece.split()) for text in found - seats for piece in _PROGRAM_SPLIT.split(text))
    return {piece for piece in pieces if len(piece.split()) >= 4}


PROGRAM = _program_phrases("classkick-collaboration")
assert "Choose your method of collaboration" in PROGRAM


# The visible text the page says is Spanish: a program's own words shown in the language they were written in carry
# their `lang` (catalog/definition_text.py) and are the issuer's to translate, not the platform's.
SPANISH_TEXT = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    const lang = element && element.closest("[lang]");
    if (!lang || lang.getAttribute("lang").split("-")[0] !== "es" || !element.checkVisibility()) continue;
    out.push(walker.currentNode.textContent);
  }
  return out.join(" ");
}"""


def in_spanish(page: Any) -> None:
    """The page as it is now: in Spanish and saying so, with no catalog string left in English and no English text
    of the program's unmarked."""
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "es", page.url
    text = " ".join(page.evaluate(SPANISH_TEXT).split())
    left = sorted(phrase for phrase in ENGLISH | PROGRAM if phrase in text)
    assert left == [], f"English on {page.url}: {left}"


def save_and_continue(page: Any) -> None:
    page.locator("#step-form button[name=action][value=next]").click()


def spanish_panel(classkick: Credential) -> list[User]:
    """The four calibrated Classkick reviewers, each with Spanish as their saved language."""
    _, errors = calibration_load_dir(django_settings.CREDENTIALS_DIR / CALIBRATION_DIR)
    assert not errors, [str(e) for e in errors]
    staff, mentor = ReviewerRole.Kind.ISSUER_STAFF, ReviewerRole.Kind.MENTOR
    panel = [
        make_reviewer(email, name, kind, classkick)
        for email, name, kind in (
            ("sam@classkick.example", "Sam Staff", staff),
            ("sid@classkick.example", "Sid Staff", staff),
            ("mia@mentors.example", "Mia Mentor", mentor),
            ("max@mentors.example", "Max Mentor", mentor),
        )
    ]
    User.objects.filter(pk__in=[user.pk for user in panel]).update(language="es")
    return panel


def educator_submits(page: Any, live_server: Any, educator: User, tmp_path: Path) -> Attempt:
    """From the credential's page, switching to Spanish there, through the five steps to the submitted attempt."""
    sign_in(page, live_server, educator)

    # The header's switcher, by keyboard: the other language, named in itself; the choice is saved to the account.
    page.goto("/credentials/classkick-collaboration/")
    assert page.locator("html").get_attribute("lang") == "en"
    switch = page.get_by_role("button", name="Español")
    switch.focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(re.compile(r"/credentials/classkick-collaboration/$"))
    expect(page.get_by_role("button", name="English")).to_have_attribute("lang", "en")
    in_spanish(page)
    educator.refresh_from_db()
    assert educator.language == "es"

    page.locator(".credential-actions form button[type=submit]").first.click()

    # Step 1: the method and the grade band.
    expect(page.locator("h1 .step-count")).to_have_text("Paso 1 de 5")
    in_spanish(page)
    page.locator('input[name="method.method"][value="classroom_instruction"]').check()
    page.locator('input[name="method.grade_band"][value="middle_school"]').check()
    expect(page.locator("#save-status")).to_have_text("Guardado")
    save_and_continue(page)

    # Step 2: written evidence and a real PDF.
    expect(page.locator("h1 .step-count")).to_have_text("Paso 2 de 5")
    in_spanish(page)
    page.locator('input[name="evidence.class_codes"]').first.fill("ABC123")
    page.locator('textarea[name="evidence.explanation"]').fill(words(40, "colaboración"))
    for field in ("implementation", "balance", "analysis"):
        page.locator(f'textarea[name="evidence.{field}"]').fill(words(20, field))
    expect(page.locator("#save-status")).to_have_text("Guardado")
    files = page.locator(".field-file").first
    files.locator('input[type=radio][value="no"]').check()
    files.locator("input[type=file]").set_input_files(str(pdf_on_disk(tmp_path)))
    expect(files.locator("[data-upload-status]")).to_contain_text("lesson-plan.pdf quedó adjunto a")
    expect(files.get_by_role("link", name="lesson-plan.pdf")).to_be_visible()
    in_spanish(page)
    save_and_continue(page)

    # Step 3: the self-evaluation, every element rated and justified.
    expect(page.locator("h1")).to_contain_text("Paso 3 de 5")
    in_spanish(page)
    for criterion in ("implementation", "balance", "analysis", "evidence"):
        page.locator(f'input[name="se.{criterion}.level"][value="accomplished"]').check()
        page.locator(f'textarea[name="se.{criterion}.justification"]').fill(f"Mi evidencia de {criterion} lo muestra.")
    expect(page.locator("#se-analysis-justification-count")).to_have_text("6 / 150 palabras")
    save_and_continue(page)

    # Step 4: the optional reflection, left empty; then the summary and the check.
    expect(page.locator("h1")).to_contain_text("Paso 4 de 5")
    in_spanish(page)
    save_and_continue(page)
    expect(page.locator("h1")).to_contain_text("Paso 5 de 5")
    in_spanish(page)
    page.get_by_role("link", name="Revisar mi envío").click()
    expect(page.locator("#check-results")).to_contain_text("Nada le impide enviar.")
    in_spanish(page)
    page.get_by_role("button", name="Enviar a revisión").click()

    # Submitted: the confirmation, the frozen attempt, the dashboard and the notification, all in Spanish.
    expect(page.locator("h1")).to_contain_text("Se envió su")
    in_spanish(page)
    attempt = Attempt.objects.get(submission__educator=educator)
    page.get_by_role("link", name="Ver el intento 1").click()
    expect(page.locator("h1")).to_contain_text("Intento 1:")
    expect(page.locator("main")).to_contain_text(" de 20")  # the date, the Spanish way ("28 de noviembre de 2026")
    in_spanish(page)
    page.goto("/accounts/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Le damos la bienvenida, Edna Educator")
    in_spanish(page)
    page.goto("/notifications/")
    expect(page.get_by_role("link", name=re.compile("^Recibimos el intento 1 de "))).to_be_visible()
    in_spanish(page)
    return attempt


def last_reviewer_scores(page: Any, live_server: Any, reviewer: User, assignment: Assignment) -> None:
    """The queue, the scoring page with its script (a save lost on the way is retried, said in Spanish), the error
    summary of an incomplete review, the confirmation, and the queue again with the thanks."""
    page.context.clear_cookies()
    sign_in(page, live_server, reviewer)
    page.goto("/reviews/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Su cola de revisión")
    in_spanish(page)
    page.get_by_role("link", name=re.compile(f"^R-{assignment.pk}")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"R-{assignment.pk}")
    in_spanish(page)

    # The first autosave never arrives: review.js says so in Spanish and retries it a second later.
    lost: list[str] = []

    def lose_first_save(route: Any) -> None:
        if route.request.method == "POST" and not lost:
            lost.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route(re.compile(rf"/reviews/assignments/{assignment.pk}/$"), lose_first_save)
    status = page.locator("#save-status")
    level = 'input[name="score.{}.level"][value="accomplished"]'
    page.locator(level.format("implementation")).check()
    expect(status).to_contain_text("No se guardó")
    in_spanish(page)
    expect(status).to_have_text("Guardado")
    page.unroute(re.compile(rf"/reviews/assignments/{assignment.pk}/$"))
    assert lost

    # Submitted with a criterion unscored: the summary, in Spanish, names it.
    for criterion in ("balance", "analysis"):
        page.locator(level.format(criterion)).check()
    expect(status).to_have_text("Guardado")
    page.get_by_role("button", name="Enviar la revisión…").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Elija un nivel para Explicación y evidencia de la colaboración")
    in_spanish(page)
    page.locator(level.format("evidence")).check()
    page.get_by_role("button", name="Enviar la revisión…").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("¿Enviar su revisión?")
    in_spanish(page)
    page.get_by_role("button", name="Enviar la revisión", exact=True).click()
    expect(page.get_by_text(f"Se envió su revisión R-{assignment.pk}. Gracias.")).to_be_visible()
    in_spanish(page)


def educator_reads_the_decision_and_a_visitor_verifies_the_badge(
    page: Any, live_server: Any, educator: User, badge: Badge
) -> None:
    """The educator: the notification of the decision, the decision on her attempt, her badges and the badge's page.
    Then a visitor whose browser asks for Spanish: the badge's public page and the verifier, given the badge."""
    page.context.clear_cookies()
    sign_in(page, live_server, educator)
    page.goto("/notifications/")
    in_spanish(page)
    page.get_by_role("link", name="Obtuvo Collaboration").click()
    decision = page.get_by_role("region", name=re.compile("^Decisión sobre el intento 1"))
    expect(decision).to_contain_text("Felicitaciones: obtuvo esta credencial.")
    expect(decision).to_contain_text("Explicación y evidencia de la colaboración: se aprueba")
    in_spanish(page)
    page.goto("/awards/mine/")
    in_spanish(page)
    page.get_by_role("link", name="Collaboration", exact=True).click()
    expect(page).to_have_url(re.compile(f"/awards/{badge.uuid}/$"))
    expect(page.get_by_role("heading", name="Quién puede ver esta página")).to_be_visible()
    in_spanish(page)

    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    page.goto(f"/awards/{badge.uuid}/")
    live = page.get_by_role("region", name="Verificación en vivo")
    expect(live.get_by_role("status")).to_have_text("Verificada: se superaron todas las comprobaciones.")
    expect(page.get_by_role("heading", name="Quién puede ver esta página")).to_have_count(0)
    in_spanish(page)
    page.get_by_role("link", name="página de verificación").click()
    expect(page).to_have_url(re.compile("/verify/$"))
    in_spanish(page)
    page.get_by_label("Pegue una credencial (JSON o JWT)").fill(badge.jwt)
    page.get_by_role("button", name="Verificar").click()
    result = page.get_by_role("region", name="Resultado")
    expect(result.get_by_role("status")).to_have_text("Verificada: se superaron todas las comprobaciones.")
    expect(result).to_contain_text("Leída desde un VC-JWT (JSON Web Token).")
    in_spanish(page)


@pytest.mark.django_db(transaction=True)
def test_the_whole_classkick_journey_runs_in_spanish(page, settings, tmp_path, live_server):
    # The longest journey of the suite, each step a full page on a shared machine: more room than the default 10 s.
    page.set_default_timeout(30_000)
    classkick = prepare_site(settings, tmp_path)["classkick-collaboration"]
    settings.SITE_URL = live_server.url  # the public origin baked into the badge and its links
    panel = spanish_panel(classkick)
    educator = make_educator()

    attempt = educator_submits(page, live_server, educator, tmp_path)
    assignments = open_assignments(attempt)
    assert sorted(assignments) == sorted(user.email for user in panel)
    *others, last = panel
    for reviewer in others:
        review(assignments[reviewer.email], classkick)
    last_reviewer_scores(page, live_server, last, assignments[last.email])

    # The last review decided in the live server's request; its on-commit task issued the badge.
    assert Decision.objects.get(attempt=attempt).outcome == DecisionOutcome.EARNED
    badge = Badge.objects.get(attempt=attempt)
    educator_reads_the_decision_and_a_visitor_verifies_the_badge(page, live_server, educator, badge)
