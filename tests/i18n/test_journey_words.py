"""Words the Spanish journey (tests/browser/test_spanish_journey.py) shows that its pages build in Python: what stands
between a review and submitting it, the decision's feedback, and how the verifier names what it read. Each is said
in the reader's language, naming the program's criteria as the page does (its Spanish translation where it has one)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.utils import translation

from accounts.models import ReviewerRole, User
from catalog.definition_text import SourceText
from catalog.models import Credential
from catalog.templatetags.definition_text import in_its_lang
from pages.templatetags.award_pages import credential_form_words, graduate_credits
from reviews.calibration import CALIBRATION_DIR, calibration_load_dir
from reviews.services import review_problems, review_save
from tests.conftest import reviewer_role_give
from tests.reviews.conftest import calibrate
from tests.reviews.helpers import open_assignments, submit_attempt


def test_the_verifier_names_what_it_read_in_the_readers_language() -> None:
    with translation.override("es"):
        assert (
            credential_form_words("svg (jwt)") == "una imagen de insignia SVG que contiene un VC-JWT (JSON Web Token)"
        )
        assert credential_form_words("json") == "una credencial JSON (prueba Data Integrity)"
        assert graduate_credits(Decimal("1.5")) == "1,5 créditos de posgrado"
    with translation.override("en"):
        assert credential_form_words("png (json)") == (
            "a baked PNG badge image holding a JSON credential (Data Integrity proof)"
        )
        assert graduate_credits(Decimal("1.5")) == "1.5 graduate credits"
        assert graduate_credits(3) == "3 graduate credits"


def test_a_program_text_inside_a_translated_sentence_says_its_language() -> None:
    with translation.override("es"):
        assert in_its_lang(SourceText("Balance & <b>", "en")) == '<span lang="en">Balance &amp; &lt;b&gt;</span>'
        assert in_its_lang("Equilibrio") == "Equilibrio"
    with translation.override("en"):
        assert in_its_lang(SourceText("Balance", "en")) == "Balance"


@pytest.fixture
def private_media(settings: LazySettings, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private-media")},
        },
    }


@pytest.mark.django_db
def test_what_stands_before_submitting_a_review_is_said_in_spanish(
    private_media: None, settings: LazySettings, classkick: Credential, educator: User, make_user: Callable[..., Any]
) -> None:
    _, errors = calibration_load_dir(settings.CREDENTIALS_DIR / CALIBRATION_DIR)
    assert not errors
    sam = make_user("sam@classkick.example", "Sam Staff")
    reviewer_role_give(sam, classkick.issuer, ReviewerRole.Kind.ISSUER_STAFF, ["middle_school"])
    calibrate(sam, classkick)
    assignment = open_assignments(submit_attempt(educator, classkick))[sam.email]
    review = review_save(assignment=assignment, reviewer=sam, scores={"balance": {"level": "developing"}})

    with translation.override("es"):
        messages = [problem.message for problem in review_problems(review=review, assignment=assignment)]
    # The criterion the program translated is named in Spanish; the others keep the program's words.
    assert "elija un nivel para Explicación y evidencia de la colaboración" in messages
    assert (
        "Balance tiene el nivel Developing, por debajo de Accomplished: explique su justificación en al menos 4 "
        "palabras" in messages
    )
    with translation.override("en"):
        messages = [problem.message for problem in review_problems(review=review, assignment=assignment)]
    assert "choose a level for Explanation and evidence of collaboration" in messages
    assert "Balance is rated Developing, below Accomplished: suggest how to improve it in at least 4 words" in messages
