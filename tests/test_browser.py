"""The worksheet in a real browser with the network cut: math typeset, figures loaded,
solution toggles working, nothing fetched from another host."""

import pytest

from browser import serve, settle

pytest_plugins = ["browser_fixtures"]  # the session's one Chromium (fixture `chromium`)


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium


@pytest.fixture(scope="module")
def solutions_url(solutions_site):
    with serve(solutions_site) as url:
        yield url


def test_worksheet_offline(browser, solutions_url):
    page = browser.page()
    page.goto(f"{solutions_url}/dis01/index.html", wait_until="load")
    page.wait_for_function("document.querySelectorAll('.arithmatex .katex').length > 10")

    raw_tex = page.evaluate(
        "[...document.querySelectorAll('.arithmatex')].filter(e => !e.querySelector('.katex')).length"
    )
    assert raw_tex == 0
    assert page.locator(".katex-error").count() == 0

    assert settle(page) == []  # every image loaded, every player drawn (players replace their <img>)

    details = page.locator("details.solution")
    assert details.count() == 2
    first = details.nth(0)
    assert first.get_attribute("open") is None
    assert not first.locator("p, li").first.is_visible()
    first.locator("summary").click()
    assert first.get_attribute("open") is not None
    assert first.locator("li").first.is_visible()

    assert page.errors == []
    assert browser.external == []
