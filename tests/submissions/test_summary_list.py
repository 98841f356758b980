"""The summary step as a summary list (a "Change" link per answer that lands on its field), single answers shown
as values rather than one-item lists, and check results placed before the buttons that act on them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts.models import User
from catalog.models import Credential
from pages.submissions.steps import SELF_EVALUATION, step_of, steps_for
from submissions.models import Submission
from submissions.services import submission_start
from tests.submissions.helpers import save
from tests.submissions.test_pages import complete, part_url
from tests.submissions.test_pages_htmx import htmx_post


@pytest.fixture
def signed_in(client: Client, educator: User) -> Client:
    client.force_login(educator)
    return client


@pytest.fixture
def ck_draft(educator: User, classkick: Credential) -> Submission:
    return submission_start(educator=educator, credential=classkick)[0]


def test_the_self_evaluation_is_a_summary_list_whose_change_links_land_on_each_criterion(signed_in, educator, ck_draft):
    complete(ck_draft, educator)
    page = signed_in.get(reverse("submissions:summary", args=[ck_draft.pk])).content.decode()
    step = step_of(steps_for(ck_draft), SELF_EVALUATION)
    assert step is not None
    step_page = signed_in.get(step.url).content.decode()
    criteria = ck_draft.version.spec.rubric.criteria
    assert criteria
    for criterion in criteria:
        # The title is the definition's text, in its own element so it can carry its language where the page's
        # differs (here both are English, so the element has no lang).
        link = (
            f'<a href="{step.url}#se-{criterion.id}">Change<span class="visually-hidden"> your rating of '
            f"<span>{escape(criterion.title)}</span></span></a>"
        )
        assert link in page
        assert f'id="se-{criterion.id}"' in step_page
    assert page.count('class="summary-list-row"') >= len(criteria)


def test_a_single_answer_is_shown_as_a_value_and_several_as_a_list(signed_in, educator, ck_draft):
    spec = ck_draft.version.spec
    method = next(part for part in spec.parts if part.id == "method")
    field = method.fields[0]
    assert field.kind == "choice"
    save(ck_draft, educator, {f"method.{field.id}": field.options[0].id})
    page = signed_in.get(reverse("submissions:summary", args=[ck_draft.pk])).content.decode()
    row = page[page.index(f"#f-method-{field.id}") - 2000 : page.index(f"#f-method-{field.id}")]
    value = row[row.rindex('<dd class="summary-list-value">') :]
    assert f"<p>{escape(field.options[0].label)}</p>" in value
    assert "<li>" not in value


def test_the_check_results_come_before_submit_on_the_summary(signed_in, educator, ck_draft):
    complete(ck_draft, educator)
    page = signed_in.get(reverse("submissions:summary", args=[ck_draft.pk])).content.decode()
    assert page.index('id="check-results"') < page.index('class="submit-form"') < page.index("Submit for review")


def test_the_check_results_come_before_the_step_buttons(signed_in, ck_draft):
    html = htmx_post(signed_in, part_url(ck_draft, "method"), {}, action="check").content.decode()
    results = html.index('<section id="check-results"')
    assert results < html.index('value="next">Save and continue</button>')
    assert results < html.index('value="check" class="button button-secondary">Check my submission')
