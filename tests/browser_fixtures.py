"""Session fixtures for the browser, accessibility and print tests.

A test module that uses them declares ``pytest_plugins = ["browser_fixtures"]``; they are
then registered once for the session, so every test shares one Chromium (Playwright's
sync API cannot run two at a time) and one server per edition.
"""

import pytest

from coursegen import chromium as launcher

from browser import Browser, require_chromium, serve


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session; each check opens its own context."""
    require_chromium()
    with launcher.browser() as launched:
        yield Browser(launched)


@pytest.fixture(scope="session")
def served(solutions_site, student_site):
    """Both editions served on 127.0.0.1: ``{"solutions": url, "student": url}``."""
    with serve(solutions_site) as solutions, serve(student_site) as student:
        yield {"solutions": solutions, "student": student}
