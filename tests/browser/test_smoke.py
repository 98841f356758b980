import pytest

from tests.browser.conftest import AxeViolation, axe_check


@pytest.mark.django_db(transaction=True)
def test_axe_checks_every_loaded_page(page):
    page.goto("/no-such-page/")
    page.goto("/another-missing-page/")
    checked = page.axe_settle()
    assert any(url.endswith("/another-missing-page/") for url in checked)


@pytest.mark.django_db(transaction=True)
def test_axe_reports_a_violation(page):
    page.goto("/no-such-page/")
    page.axe_settle()
    # An image without alternative text is a WCAG 1.1.1 failure; the checker must say so.
    page.evaluate("""document.querySelector('main').insertAdjacentHTML('beforeend', '<img src="data:,">')""")
    with pytest.raises(AxeViolation, match="image-alt"):
        axe_check(page)
    page.evaluate("document.querySelector('main img').remove()")
