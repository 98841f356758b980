"""The Classkick submission journey in Spanish: every page it visits says `lang="es"`, shows no English string of the
catalogs, and passes axe (the `page` fixture checks each load)."""

from __future__ import annotations

import re
from typing import Any

import polib  # type: ignore[import-untyped]
import pytest
from playwright.sync_api import expect

from core.locale import catalog_paths
from submissions.models import Attempt
from tests.browser.submission_pages import make_educator, pdf_on_disk, prepare_site, sign_in, words

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
    """The page as it is now: in Spanish and saying so, with no catalog string left in English."""
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "es", page.url
    text = " ".join(page.evaluate(SPANISH_TEXT).split())
    left = sorted(phrase for phrase in ENGLISH if phrase in text)
    assert left == [], f"English on {page.url}: {left}"


def save_and_continue(page: Any) -> None:
    page.locator("#step-form button[name=action][value=next]").click()


@pytest.mark.django_db(transaction=True)
def test_an_educator_submits_the_classkick_challenge_in_spanish(page, settings, tmp_path, live_server):
    # The longest journey of the suite, each step a full page on a shared machine: more room than the default 10 s.
    page.set_default_timeout(30_000)
    prepare_site(settings, tmp_path)
    educator = make_educator()
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
    assert Attempt.objects.filter(submission__educator=educator).count() == 1
    page.get_by_role("link", name="Ver el intento 1").click()
    expect(page.locator("h1")).to_contain_text("Intento 1:")
    expect(page.locator("main")).to_contain_text(
        " de 20"
    )  # the date, written the Spanish way ("28 de noviembre de 2026")
    in_spanish(page)
    page.goto("/accounts/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Le damos la bienvenida, Edna Educator")
    in_spanish(page)
    page.goto("/notifications/")
    expect(page.get_by_role("link", name=re.compile("^Recibimos el intento 1 de "))).to_be_visible()
    in_spanish(page)
