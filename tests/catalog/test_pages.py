"""The public catalog pages: the list (the site's home) with search and filters, and a credential's page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import IssuerMembership, User
from catalog.loader import credentials_load_dir
from catalog.models import Credential, Issuer
from catalog.presentation import SECTION_TITLES, adjudication_words, pass_rule_words
from catalog.schema import SECTION_KEYS
from tests.catalog.catalog_helpers import (
    HARBOR,
    RIVERBEND,
    Html,
    assert_page_shows_definition,
    fixture_data,
    load_fixture_credentials,
    load_variants,
    text_of,
    write_definition,
)
from tests.conftest import CLASSKICK, EDUCATORS_RISING

LIST_URL = reverse("catalog:list")


def detail_url(slug: str) -> str:
    return reverse("catalog:detail", args=[slug])


@pytest.fixture
def fixture_credentials(db: object) -> dict[str, Credential]:
    return load_fixture_credentials()


@pytest.fixture
def riverbend_admin(make_user: Callable[..., User], fixture_credentials: dict[str, Credential]) -> User:
    user = make_user("rhea@riverbend.example", "Rhea Admin", is_staff=True)
    IssuerMembership.objects.create(
        user=user, issuer=fixture_credentials[RIVERBEND].issuer, role=IssuerMembership.Role.ADMIN
    )
    return user


PERSONAS = ["anonymous", "educator", "riverbend_admin", "platform_admin"]


def _as(persona: str, client: Client, request: pytest.FixtureRequest) -> Client:
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def cards(page: Html) -> list[str]:
    return page.texts(".credential-card h3")


# ----- the list ---------------------------------------------------------------------------


def test_the_site_home_is_the_catalog(client, fixture_credentials):
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == LIST_URL
    assert response.status_code == 200


def test_it_lists_every_published_credential_as_a_card(client, fixture_credentials):
    response = client.get(LIST_URL)
    assert response.status_code == 200
    page = Html(response.content)
    assert cards(page) == [
        "Formative Feedback by Riverbend Teaching Commons",
        "Lab Safety Routines by Harbor Science Network",
    ]
    riverbend, harbor = page.all(".credential-card")
    riverbend_text, harbor_text = text_of(riverbend), text_of(harbor)
    for expected in (
        "Practice badge",
        "Riverbend Teaching Commons",
        "Give learners timely, specific feedback during a unit",
        "Grade bands Middle school, High school",
        "Standards Riverbend Teaching Standards",
        "Graduate credit available",
    ):
        assert expected in riverbend_text
    assert "Micro-credential" in harbor_text
    assert "Grade bands Primary" in harbor_text
    assert "Standards" not in harbor_text
    assert "Graduate credit" not in harbor_text
    assert riverbend.query("a").etree_element.get("href") == detail_url(RIVERBEND)


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_sees_the_same_catalog(client, fixture_credentials, persona, request):
    response = _as(persona, client, request).get(LIST_URL)
    assert response.status_code == 200
    assert len(cards(Html(response.content))) == 2


def test_it_leaves_out_unpublished_credentials(client, fixture_credentials):
    Credential.objects.filter(slug=HARBOR).update(is_published=False)
    page = Html(client.get(LIST_URL).content)
    assert cards(page) == ["Formative Feedback by Riverbend Teaching Commons"]
    # An issuer with nothing published is not offered as a filter either.
    assert "harbor-science" not in [o.etree_element.get("value") for o in page.all("#id_issuer option")]


def test_it_announces_how_many_credentials_it_shows(client, fixture_credentials):
    page = Html(client.get(LIST_URL, {"grade_band": "primary"}).content)
    assert text_of(page.one('[role="status"]')) == "1 credential"
    assert text_of(page.one("title")).startswith("1 credential found")
    page = Html(client.get(LIST_URL).content)
    assert text_of(page.one('[role="status"] h2')) == "2 credentials"


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("FEEDBACK", [RIVERBEND]),  # case-insensitive
        ("safety routine", [HARBOR]),  # every word must match, in any order
        ("routine safety", [HARBOR]),
        ("RTS-5 responsive", [RIVERBEND]),  # standards are searchable
        ("harbor science", [HARBOR]),  # so is the issuer's name
        ("safety feedback", []),
        ("   ", [RIVERBEND, HARBOR]),
    ],
)
def test_it_searches_the_credentials_text(client, fixture_credentials, q, expected):
    page = Html(client.get(LIST_URL, {"q": q}).content)
    slugs = [a.etree_element.get("href") for a in page.all(".credential-card h3 a")]
    assert slugs == [detail_url(slug) for slug in expected]


def test_it_filters_by_issuer(client, fixture_credentials):
    page = Html(client.get(LIST_URL, {"issuer": "harbor-science"}).content)
    assert cards(page) == ["Lab Safety Routines by Harbor Science Network"]
    selected = page.one("#id_issuer option[selected]")
    assert selected.etree_element.get("value") == "harbor-science"


def test_it_filters_by_grade_band(client, fixture_credentials):
    assert cards(Html(client.get(LIST_URL, {"grade_band": "high_school"}).content)) == [
        "Formative Feedback by Riverbend Teaching Commons"
    ]
    page = Html(client.get(LIST_URL, {"grade_band": "college"}).content)
    assert cards(page) == []
    assert "No credentials match your search and filters." in text_of(page.one(".empty-state"))


def test_it_filters_by_standard_code_as_a_whole_code(client, fixture_credentials):
    assert cards(Html(client.get(LIST_URL, {"standard": "RTS-3"}).content)) == [
        "Formative Feedback by Riverbend Teaching Commons"
    ]


def test_it_offers_every_grade_band_and_the_published_issuers_and_standards(client, fixture_credentials):
    page = Html(client.get(LIST_URL).content)
    assert page.texts("#id_grade_band option") == [
        "Any grade band",
        "Primary",
        "Intermediate",
        "Middle school",
        "High school",
        "College",
    ]
    assert page.texts("#id_issuer option") == ["Any issuer", "Harbor Science Network", "Riverbend Teaching Commons"]
    group = page.one("#id_standard optgroup")
    assert group.etree_element.get("label") == "Riverbend Teaching Standards"
    assert page.texts("option", within=group) == ["RTS-3: Assessment for learning", "RTS-5: Responsive instruction"]


def test_it_combines_search_and_filters(client, fixture_credentials):
    params = {"q": "feedback", "issuer": "riverbend-commons", "grade_band": "middle_school", "standard": "RTS-5"}
    assert len(cards(Html(client.get(LIST_URL, params).content))) == 1
    params["grade_band"] = "primary"
    page = Html(client.get(LIST_URL, params).content)
    assert cards(page) == []
    assert page.one(".filter-actions a").etree_element.get("href") == LIST_URL


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"grade_band": "kindergarten"}, "grade_band", "Grade band: Choose a grade band from the list"),
        ({"issuer": "no-such-issuer"}, "issuer", "Issuer: Choose an issuer from the list; “no-such-issuer”"),
        ({"standard": "XYZ-9"}, "standard", "Standard: Choose a standard from the list; no credential is aligned"),
        ({"q": "x" * 201}, "q", "Search: Search for at most 200 characters; you typed 201."),
        ({"q": "feed\x00back"}, "q", "Search: Null characters are not allowed."),
    ],
)
def test_it_explains_a_bad_filter_instead_of_failing(client, fixture_credentials, params, field, message):
    response = client.get(LIST_URL, params)
    assert response.status_code == 400
    page = Html(response.content)
    summary = page.one(".error-summary")
    assert summary.etree_element.get("role") == "alert"
    link = summary.query("li a")
    assert text_of(link).startswith(message)
    assert link.etree_element.get("href") == f"#id_{field}"
    control = page.one(f"#id_{field}")
    assert control.etree_element.get("aria-invalid") == "true"
    assert f"id_{field}_error" in control.etree_element.get("aria-describedby")
    assert page.one(f"#id_{field}_error")
    # The bad filter is left out; the page still lists what the other filters allow.
    assert len(cards(page)) == 2


def test_a_bad_filter_does_not_drop_the_good_ones(client, fixture_credentials):
    response = client.get(LIST_URL, {"grade_band": "nope", "issuer": "harbor-science"})
    assert response.status_code == 400
    assert cards(Html(response.content)) == ["Lab Safety Routines by Harbor Science Network"]


def test_the_grade_band_message_lists_the_bands_to_choose_from(client, fixture_credentials):
    page = Html(client.get(LIST_URL, {"grade_band": "k12"}).content)
    assert "Primary, Intermediate, Middle school, High school, College" in text_of(page.one(".error-summary"))


def test_it_says_so_when_nothing_is_published(client, db):
    page = Html(client.get(LIST_URL).content)
    assert text_of(page.one('[role="status"]')) == "0 credentials"
    assert "No credentials are published yet" in text_of(page.one(".empty-state"))


def test_the_list_only_answers_get(client, fixture_credentials):
    assert client.post(LIST_URL).status_code == 405


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_keeps_a_flat_query_count_as_credentials_grow(client, db, tmp_path, count, django_assert_num_queries):
    load_variants(tmp_path, count)
    cache.clear()  # another test may have drawn the same rows
    # The catalog's version, the filters' choices, the credentials, and the version again (the choices are kept
    # only if nothing changed meanwhile), however many there are; a free-text search is never kept.
    with django_assert_num_queries(4):
        response = client.get(LIST_URL, {"q": "feedback", "grade_band": "middle_school"})
    assert len(cards(Html(response.content))) == count
    with django_assert_num_queries(3):  # the choices come from the cache now
        page = Html(client.get(LIST_URL).content)
    assert len(page.all("#id_standard optgroup")) == count
    with django_assert_num_queries(1):  # the list is drawn once per version of the catalog
        again = Html(client.get(LIST_URL).content)
    assert len(again.all("#id_standard optgroup")) == len(cards(again)) == count


# ----- a credential's page ----------------------------------------------------------------


def test_it_shows_everything_the_definition_says(client, fixture_credentials):
    response = client.get(detail_url(RIVERBEND))
    assert response.status_code == 200
    assert_page_shows_definition(Html(response.content), fixture_credentials[RIVERBEND].current_version.spec)


def test_a_credential_page_takes_one_query(client, fixture_credentials, django_assert_num_queries):
    cache.clear()  # another test may have drawn the same rows
    # Drawn: the page's version, the credential with its definition, and the version again (kept only if unchanged).
    with django_assert_num_queries(3):
        assert client.get(detail_url(RIVERBEND)).status_code == 200
    # Seen again: the page's version alone, the rest from the cache.
    with django_assert_num_queries(1):
        assert client.get(detail_url(RIVERBEND)).status_code == 200


def test_it_shows_the_sections_in_page_order_each_under_its_heading(client, fixture_credentials):
    spec = fixture_credentials[RIVERBEND].current_version.spec
    assert set(spec.page_order) == set(SECTION_KEYS), "the fixture must use every section"
    page = Html(client.get(detail_url(RIVERBEND)).content)
    positions = [page.text.index(f'id="section-{key.replace("_", "-")}"') for key in spec.page_order]
    assert positions == sorted(positions)
    assert page.texts("section.section > h2") == [SECTION_TITLES[key] for key in spec.page_order]
    assert page.texts("nav.contents li") == [SECTION_TITLES[key] for key in spec.page_order]


def test_it_shows_only_the_sections_the_page_order_names(client, fixture_credentials):
    page = Html(client.get(detail_url(HARBOR)).content)
    assert page.texts("section.section > h2") == [
        "Competency",
        "Submission requirements",
        "Rubric: how your work is scored",
        "How your submission is reviewed",
    ]
    assert_page_shows_definition(page, fixture_credentials[HARBOR].current_version.spec)


def test_it_shows_the_credentials_facts_and_version(client, fixture_credentials):
    version = fixture_credentials[RIVERBEND].current_version
    header = text_of(Html(client.get(detail_url(RIVERBEND)).content).one(".credential-header"))
    assert "Practice badge from Riverbend Teaching Commons" in header
    assert f"v1 ({version.content_hash[:12]}," in header
    assert "Valid for 1095 days after it is awarded" in header
    assert "Graduate credit Available" in header
    harbor = text_of(Html(client.get(detail_url(HARBOR)).content).one(".credential-header"))
    assert "Valid for Does not expire" in harbor
    assert "Graduate credit Not available" in harbor


def test_the_rubric_is_a_table_per_part_with_levels_as_columns(client, fixture_credentials):
    spec = fixture_credentials[RIVERBEND].current_version.spec
    page = Html(client.get(detail_url(RIVERBEND)).content)
    tables = page.all("#section-rubric table.rubric")
    assert [text_of(t.query("caption")) for t in tables] == [
        "Rubric for Part 1. Your classroom",
        "Rubric for Part 2. Evidence of feedback",
        "Rubric for Part 3. Reflection",
        "Rubric for The whole submission",
    ]
    for table in tables:
        headers = table.query_all("thead th")
        headers = list(headers)
        assert all(th.etree_element.get("scope") == "col" for th in headers)
        # Passing levels are said in words, not shown by colour alone.
        assert [text_of(th) for th in headers] == [
            "Criterion",
            "Exemplary (passes)",
            "Proficient (passes)",
            "Emerging (does not pass)",
            "Not evident (does not pass)",
        ]
        for row in table.query_all("tbody tr"):
            row_header = row.query("th")
            assert row_header.etree_element.get("scope") == "row"
            assert len(list(row.query_all("td"))) == len(spec.rubric.levels)
    evidence_rows = list(tables[1].query_all("tbody tr"))
    assert [text_of(row.query(".criterion-title")) for row in evidence_rows] == [
        "Timely feedback",
        "Specific next steps",
    ]
    assert [text_of(td) for td in evidence_rows[0].query_all("td")] == [
        "Feedback reaches every learner within a day.",
        "Feedback reaches learners before the next lesson.",
        "Feedback sometimes arrives too late to act on.",
        "Feedback arrives after the unit.",
    ]
    intro = text_of(page.all("#section-rubric > p")[0])
    assert "A criterion passes when it is rated “Exemplary” or “Proficient”." in intro


def test_it_describes_each_submission_field_in_plain_words(client, fixture_credentials):
    page = Html(client.get(detail_url(RIVERBEND)).content)
    fields = {text_of(li.query(".field-label")): text_of(li) for li in page.all(".field-spec")}
    assert "Written response · Required" in fields["Describe your class"]
    assert "50 to 300 words" in fields["Describe your class"]
    assert "Student data:" in fields["Describe your class"]
    assert "Choose one or more of the options · Required" in fields["Subjects the unit covered"]
    assert "Short answers, one or more · Optional" in fields["Class code"]
    assert "Format: Four to twelve capital letters or digits, such as RB1234." in fields["Class code"]
    samples = fields["Samples of learner work with your feedback"]
    assert "File upload · Required" in samples
    assert "Accepted file types: PDF document and Image (PNG, JPEG, GIF, WebP)" in samples
    assert "Up to 10 MB each, up to 6 files" in samples
    assert "Student data:" in samples
    assert "Link to a video · Optional" in fields["Video of a lesson segment"]
    assert "Up to 2 links" in fields["Video of a lesson segment"]
    assert "Checklist: confirm every item" in fields["Your unit plan includes"]
    assert "Planned feedback checkpoints: At least three, spread across the unit." in fields["Your unit plan includes"]
    log = fields["Feedback log"]
    assert "A list of entries, each one a “Feedback point”" in log
    assert "At least 3, at most 12 entries" in log
    # The list's own fields are described inside it.
    assert "Link to an audio recording · Optional" in fields["Recording of the feedback"]
    assert "Written answer on one line · Required" in fields["What the feedback said"]
    assert "Checklist: tick the items that apply" in fields["Steps followed"]
    assert len(page.all(".student-data-note")) == 2
    assert "This part is optional." in text_of(page.one("#part-extension-title").parent)


def test_it_lists_the_completeness_checks_as_what_reviewers_check(client, fixture_credentials):
    page = Html(client.get(detail_url(RIVERBEND)).content)
    assert text_of(page.one("#checks-title")) == "What reviewers check"
    items = page.texts(".check-list li")
    assert items[0].startswith("Required before you can submit: Your feedback log needs")
    assert items[3].startswith("Advice: Write your reflection within two days")


def test_it_explains_the_review_policy_in_words(client, fixture_credentials):
    page = Html(client.get(detail_url(RIVERBEND)).content)
    policy = text_of(page.one("#section-review-policy"))
    rows = [[text_of(cell) for cell in row.query_all("th, td")] for row in page.all("table.panel tbody tr")]
    assert rows == [
        ["Riverbend coach", "1", "A member of the Riverbend Teaching Commons team"],
        ["Grade-band mentor", "2", "A trained mentor who works with the grade band you choose for your submission"],
    ]
    for expected in (
        "The review panel: 3 reviewers score each submission",
        "they do not see your name or your school, nor each other\u2019s scores",
        "You earn this practice badge when every criterion is rated “Exemplary” or “Proficient”.",
        "the Lead coach scores it and that decision counts.",
        "The Lead coach is a member of the Riverbend Teaching Commons team.",
        "finish within 10 days of being assigned; they are reminded 2 days before and allowed 4 days of grace",
        "You can submit up to two times in all: your first submission and one resubmission.",
        "at least 75% of the time",
        "Reviewers explain every rating below Proficient.",
    ):
        assert expected in policy


def test_it_shows_graduate_credit_partners_as_a_table(client, fixture_credentials):
    page = Html(client.get(detail_url(RIVERBEND)).content)
    table = page.one("table.partners")
    assert [text_of(th) for th in table.query_all("thead th")] == [
        "University",
        "Credits",
        "Fee (US dollars)",
        "Contact",
    ]
    rows = [[text_of(cell) for cell in row.query_all("th, td")] for row in table.query_all("tbody tr")]
    assert rows[0] == ["Riverbend State University", "1.5", "$120", "credit@riverbend-state.example"]
    assert rows[1][1:] == ["1", "No fee", "grad@lakeside.example"]
    assert "Draft wording from the platform, for the issuer to revise" in rows[1][0]


def test_it_marks_platform_drafts_for_the_issuer(client, fixture_credentials):
    page = Html(client.get(detail_url(RIVERBEND)).content)
    notes = page.all(".draft-note")
    assert len(notes) == 8
    assert {text_of(note) for note in notes} == {"Draft wording from the platform, for the issuer to revise"}
    # Not on the items the issuer wrote.
    first_intro = page.all("#section-introduction .prose-item")[0]
    assert not list(first_intro.query_all(".draft-note"))


def test_it_shows_the_license_with_its_link(client, fixture_credentials):
    page = Html(client.get(detail_url(RIVERBEND)).content)
    link = page.one("#section-license a")
    assert link.etree_element.get("href") == "https://creativecommons.org/licenses/by/4.0/"
    assert link.etree_element.get("rel") == "license noopener"
    assert "Formative Feedback by Riverbend Teaching Commons." in text_of(page.one("#section-license"))


def test_it_offers_the_requirements_pdf(client, fixture_credentials):
    page = Html(client.get(detail_url(RIVERBEND)).content)
    link = page.one(".credential-actions a[download]")
    assert text_of(link) == "Download the requirements and scoring guide (PDF)"
    assert link.etree_element.get("href") == reverse("catalog:requirements_pdf", args=[RIVERBEND])


def test_it_renders_prose_as_sanitised_markdown(client, fixture_credentials):
    page = Html(client.get(detail_url(RIVERBEND)).content)
    assert "<script" not in page.text.split("<main", 1)[1]
    assert "&lt;script&gt;alert" in page.text
    link = page.one('#section-introduction a[href="https://riverbend.example/research"]')
    assert link.etree_element.get("rel") == "noopener nofollow"
    assert page.all("#section-method-components ol li")


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_may_read_a_published_credential(client, fixture_credentials, persona, request):
    assert _as(persona, client, request).get(detail_url(RIVERBEND)).status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_unpublished_credential_is_not_found_for_anyone(client, fixture_credentials, persona, request):
    Credential.objects.filter(slug=RIVERBEND).update(is_published=False)
    response = _as(persona, client, request).get(detail_url(RIVERBEND))
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_an_unknown_credential_is_not_found(client, fixture_credentials):
    assert client.get(detail_url("no-such-credential")).status_code == 404


def test_a_credential_without_a_loaded_version_is_not_found(client, fixture_credentials):
    issuer = Issuer.objects.get(slug="harbor-science")
    Credential.objects.create(slug="half-made", issuer=issuer, title="Half made", summary="Not loaded yet")
    assert client.get(detail_url("half-made")).status_code == 404
    assert "Half made" not in text_of(Html(client.get(LIST_URL).content).root)


def test_the_page_shows_the_current_version_after_a_change(client, fixture_credentials, tmp_path):
    data = fixture_data(HARBOR)
    data["competency_statement"] = "The educator runs a safety routine every lesson."
    write_definition(tmp_path, data)
    credentials_load_dir(tmp_path)
    page = Html(client.get(detail_url(HARBOR)).content)
    assert "The educator runs a safety routine every lesson." in text_of(page.one("#section-competency-statement"))
    assert "v2 (" in text_of(page.one(".credential-header"))


# ----- the pass rule in words -------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "all_reviewers_all_criteria",
            "You earn this practice badge when all three reviewers rate every criterion “Exemplary” or “Proficient”.",
        ),
        (
            "all_criteria_adjudicated",
            "where they disagree on whether a criterion reaches that level, the Lead coach scores it",
        ),
        ("median", "the middle rating (the median) of the three reviewers counts"),
        (
            "majority",
            "when, on every criterion, more than half of the three reviewers rate it “Exemplary” or “Proficient”.",
        ),
    ],
)
def test_each_pass_rule_is_explained_in_words(fixture_credentials, rule, expected):
    spec = fixture_credentials[RIVERBEND].current_version.spec
    policy = spec.review_policy.model_copy(update={"pass_rule": rule})
    assert expected in pass_rule_words(policy, spec.rubric, spec.kind_label)


def test_an_adjudicator_under_another_rule_is_explained_in_full(fixture_credentials):
    spec = fixture_credentials[RIVERBEND].current_version.spec
    policy = spec.review_policy.model_copy(update={"pass_rule": "majority"})
    assert adjudication_words(policy, spec.issuer.name) == (
        "When reviewers disagree on whether a criterion passes, the Lead coach (a member of the Riverbend Teaching "
        "Commons team) scores it, and that decision counts."
    )
    assert adjudication_words(policy.model_copy(update={"adjudication": None}), spec.issuer.name) == ""


def test_a_one_reviewer_panel_reads_in_the_singular(fixture_credentials):
    spec = fixture_credentials[RIVERBEND].current_version.spec
    seat = spec.review_policy.seats[0]
    policy = spec.review_policy.model_copy(update={"pass_rule": "all_reviewers_all_criteria", "seats": [seat]})
    assert "when the reviewer rates every criterion" in pass_rule_words(policy, spec.rubric, spec.kind_label)


# ----- the real programs under credentials/ -------------------------------------------------

REAL = [CLASSKICK, EDUCATORS_RISING]
REAL_PERSONAS = [
    "anonymous",
    "educator",
    "educator2",
    "reviewer_staff",
    "reviewer_mentor",
    "issuer_admin",
    "other_issuer_admin",
    "platform_admin",
]


@pytest.mark.parametrize("slug", REAL)
def test_it_renders_every_real_program_fully_in_its_page_order(client, credentials, slug):
    spec = credentials[slug].current_version.spec
    page = Html(client.get(detail_url(slug)).content)
    assert_page_shows_definition(page, spec)
    assert page.texts("section.section > h2") == [SECTION_TITLES[key] for key in spec.page_order]
    positions = [page.text.index(f'id="section-{key.replace("_", "-")}"') for key in spec.page_order]
    assert positions == sorted(positions)
    assert len(page.all("table.rubric")) == len({c.part for c in spec.rubric.criteria})


def test_the_catalog_lists_both_programs_told_apart_by_issuer(client, credentials):
    page = Html(client.get(LIST_URL).content)
    assert cards(page) == ["Collaboration by Classkick", "Collaboration by Educators Rising"]
    classkick, educators_rising = (text_of(card) for card in page.all(".credential-card"))
    assert "Certification challenge" in classkick
    assert "Grade bands Primary, Intermediate, Middle school, High school, College" in classkick
    assert "Graduate credit available" not in classkick
    assert "Micro-credential" in educators_rising
    assert "Standards Educators Rising Standards" in educators_rising
    assert "Graduate credit available" in educators_rising


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"grade_band": "college"}, ["Collaboration by Classkick"]),
        ({"grade_band": "middle_school"}, ["Collaboration by Classkick", "Collaboration by Educators Rising"]),
        ({"issuer": "educators-rising"}, ["Collaboration by Educators Rising"]),
        ({"standard": "IV"}, ["Collaboration by Educators Rising"]),
        ({"q": "co-taught"}, ["Collaboration by Classkick"]),
        ({"q": "mentor peers"}, ["Collaboration by Educators Rising"]),
    ],
)
def test_the_real_programs_can_be_found_by_search_and_filters(client, credentials, params, expected):
    assert cards(Html(client.get(LIST_URL, params).content)) == expected


def test_the_educators_rising_page_says_what_its_program_says(client, credentials):
    page = Html(client.get(detail_url(EDUCATORS_RISING)).content)
    captions = [text_of(t.query("caption")) for t in page.all("table.rubric")]
    assert captions == [
        "Rubric for Part 1. Overview Questions",
        "Rubric for Part 2. Artifacts",
        "Rubric for Part 3: Reflection",
    ]
    assert page.texts("table.rubric thead th")[:5] == [
        "Criterion",
        "Highly Skilled (passes)",
        "Commendable (passes)",
        "Developing (does not pass)",
        "Not Yet Evident (does not pass)",
    ]
    fields = {text_of(li.query(".field-label")): text_of(li) for li in page.all(".field-spec")}
    assert "Up to 500 words" in fields["Collaborative Narrative"]
    assert "Up to 500 words" in fields["Reflection Essay"]
    policy = text_of(page.one("#section-review-policy"))
    assert "every criterion is rated “Highly Skilled” or “Commendable”" in policy
    assert "the Lead assessor scores it and that decision counts" in policy
    assert "You can submit up to three times in all: your first submission and two resubmissions." in policy
    assert page.texts("table.standards tbody th") == ["I", "II", "IV", "V", "VI", "VII"]
    assert len(page.all("table.partners tbody tr")) == 2
    license_link = page.one("#section-license a")
    assert license_link.etree_element.get("href") == "https://creativecommons.org/licenses/by-nc-nd/4.0/"


def test_the_classkick_page_says_what_its_program_says(client, credentials):
    spec = credentials[CLASSKICK].current_version.spec
    page = Html(client.get(detail_url(CLASSKICK)).content)
    # Not in its page order, so not shown (it is still searchable).
    assert not page.all("#section-competency-statement")
    assert spec.competency_statement[:40] not in text_of(page.root)
    rows = [[text_of(cell) for cell in row.query_all("th, td")] for row in page.all("table.panel tbody tr")]
    assert rows == [
        ["Formal educator on the Classkick Team", "2", "A member of the Classkick team"],
        [
            "Grade-band Classkick Mentor",
            "2",
            "A trained mentor who works with the grade band you choose for your submission",
        ],
    ]
    policy = text_of(page.one("#section-review-policy"))
    assert (
        "You earn this certification challenge when all four reviewers rate every criterion "
        "“Exemplary” or “Accomplished”." in policy
    )
    assert "For each rating, explain why in up to 150 words" in text_of(page.one("#section-self-evaluation"))
    reflection = page.one("#part-reflection-title").parent
    assert "This part is optional." in text_of(reflection)
    assert [text_of(th) for th in page.all("table.rubric tbody th .criterion-title")] == [
        "Implementation",
        "Balance",
        "Analysis",
        "Explanation and evidence of collaboration",
    ]


@pytest.mark.parametrize("persona", REAL_PERSONAS)
def test_every_persona_may_read_the_catalog_and_its_pages(client, credentials, persona, request):
    client = _as(persona, client, request)
    assert len(cards(Html(client.get(LIST_URL).content))) == 2
    for slug in REAL:
        assert client.get(detail_url(slug)).status_code == 200


@pytest.mark.parametrize("persona", REAL_PERSONAS)
def test_no_persona_sees_an_unpublished_program(client, credentials, persona, request):
    client = _as(persona, client, request)
    Credential.objects.filter(slug=CLASSKICK).update(is_published=False)
    assert client.get(detail_url(CLASSKICK)).status_code == 404
    assert cards(Html(client.get(LIST_URL).content)) == ["Collaboration by Educators Rising"]
