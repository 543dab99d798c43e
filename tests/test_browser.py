"""The worksheet in a real browser with the network cut: math typeset, figures loaded,
solution toggles working, nothing fetched from another host."""

import pytest

from browser import Browser, require_chromium, serve


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = Browser(p)
        yield b
        b.close()


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

    for img in page.locator("figure.cg-figure img").all():
        img.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())

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
