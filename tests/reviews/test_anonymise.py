"""The redactor on its own, as a table: what goes, what stays and what it is replaced with (the choices are
explained in reviews/anonymise.py). No database: a User is only read for its name, email and school."""

from __future__ import annotations

import pytest

from accounts.models import User
from reviews.anonymise import EMAIL_REMOVED, LINK_REMOVED, NAME_REMOVED, SCHOOL_REMOVED, Redactor, fold

N, E, S, L = NAME_REMOVED, EMAIL_REMOVED, SCHOOL_REMOVED, LINK_REMOVED

DANA = Redactor(
    User(name="Dana Whitfield", email="dwhitfield@oakridgems.example", organisation="Oak Ridge Middle School")
)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        # Each part of the name, any case, any accents, with a plural or possessive, at a camel-case hump.
        ("DANA and WHITFIELD", f"{N} and {N}"),
        ("wHiTfIeLd said", f"{N} said"),
        ("Dána Whitfíeld, née Whitfield", f"{N}, née {N}"),
        ("Da\u0301na, decomposed", f"{N}, decomposed"),
        ("Whit\u00adfield with a soft hyphen", f"{N} with a soft hyphen"),
        ("Whitfield's class; the Whitfields", f"{N}'s class; the {N}"),
        ("#TeamWhitfield and MsWhitfield", f"#Team{N} and Ms{N}"),
        ("(Whitfield) “Dana” Whitfield2024", f"({N}) “{N}” {N}2024"),
        # The name whole and initial plus surname are one marker each.
        ("Dana Whitfield, DanaWhitfield, Dana-Whitfield, dana_whitfield", f"{N}, {N}, {N}, {N}"),
        ("D. Whitfield, DWhitfield, d.whitfield and Whitfield, Dana", f"{N}, {N}, {N} and {N}"),
        # The email's local part alone; every email address, whoever's; mailto: links.
        ("my login is dwhitfield", f"my login is {N}"),
        ("d.whitfield@gmail.com, Whitfield.D@Yahoo.example", f"{E}, {E}"),
        ("ask office@classkick.example", f"ask {E}"),
        ("mail mailto:dana@q.example.", f"mail {E}."),
        # Web addresses holding any of it go whole; others stay, since they are evidence.
        ("https://oakridge.example.org/~dwhitfield", L),
        ("see https://video.example/watch?v=7&who=Dana%20Whitfield.", f"see {L}."),
        ("see <https://example.org/staff/ORMS/page>", f"see <{L}>"),
        ("oakridge.example.org/~dwhitfield", L),
        ("https://example.org/u/TeamWhitfield", L),
        ("https://video.example/watch/42", "https://video.example/watch/42"),
        ("https://example.org/?contact=a%40b.example", L),
        # The school, its shorter names and concatenations in any case; its initialisms in capitals.
        ("Oak Ridge Middle School, Oak Ridge Middle, Oak Ridge", f"{S}, {S}, {S}"),
        ("OakRidge, OAKRIDGEMIDDLESCHOOL, oak-ridge", f"{S}, {S}, {S}"),
        ("ORMS, ORM and O.R.M.S. agree", f"{S}, {S} and {S} agree"),
        # What stays: single words of the school's name, lower-case initialisms, ordinary words.
        ("An oak tree on the ridge; planning with other middle school teachers.", None),
        ("orms and Orm stay; I will plan with Ms. Smith.", None),
    ],
)
def test_the_redactor_replaces_variants_and_keeps_ordinary_words(written: str, read: str | None) -> None:
    assert DANA.text(written) == (written if read is None else read)


def test_two_letter_name_parts_go_only_with_a_capital_and_initialisms_only_in_capitals() -> None:
    an = Redactor(User(name="An Li", email="al@x.example", organisation="Central Academy of Technology"))
    assert an.text("An apple. AN LI wrote; an apple, lies.") == f"{N} apple. {N} wrote; an apple, lies."
    assert an.text("The CAT and the C.A.T. team; the cat sat; CAOT.") == f"The {S} and the {S} team; the cat sat; {S}."


def test_titles_are_not_taken_for_part_of_the_name() -> None:
    doctor = Redactor(User(name="Dr. Dana Whitfield Jr.", email="dw@x.example", organisation=""))
    assert doctor.text("Dr. Smith and Ms Whitfield; D. Whitfield") == f"Dr. Smith and Ms {N}; {N}"


def test_a_school_that_shortens_to_one_word_loses_that_word_everywhere() -> None:
    edna = Redactor(User(name="Edna Educator", email="edna@example.org", organisation="Lincoln High School"))
    assert edna.text("At Lincoln High we plan; lincoln's team, LHS.") == f"At {S} we plan; {S}'s team, {S}."


def test_text_around_a_match_keeps_its_accents_and_case() -> None:
    zoe = Redactor(User(name="Zoë Øster", email="z@x.example", organisation=""))
    assert zoe.text("Élève de ZOE OSTER à l\u2019école") == f"Élève de {N} à l\u2019école"
    assert zoe.text("Zoe Oster") == N
    assert fold("Zoë ØSTER ﬁn") == "zoe oster fin"


def test_nested_values_are_redacted_and_keys_and_other_types_kept() -> None:
    value = {"who": ["Dana", {"name": "Whitfield", "count": 3}], "ok": True}
    assert DANA.value(value) == {"who": [N, {"name": N, "count": 3}], "ok": True}


def test_an_educator_with_no_name_email_or_school_still_loses_email_addresses() -> None:
    nobody = Redactor(User(name="", email="", organisation=""))
    assert nobody.text("Dana wrote to d@x.example about https://video.example/1") == (
        f"Dana wrote to {E} about https://video.example/1"
    )
