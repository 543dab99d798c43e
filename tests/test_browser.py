"""The worksheet in a real browser with the network cut: math typeset, figures loaded,
solution toggles working, nothing fetched from another host."""

from browser import open_page, settle

pytest_plugins = ["browser_fixtures"]  # the session's one Chromium and servers (`chromium`, `served`)


def test_worksheet_offline(chromium, served):
    with open_page(chromium, f"{served['solutions']}/dis01/index.html") as page:  # loaded, every formula typeset
        assert page.evaluate("document.querySelectorAll('.arithmatex .katex').length") > 10

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

    assert chromium.external == []
