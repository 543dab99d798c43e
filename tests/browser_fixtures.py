"""Session fixtures for the browser, accessibility and print tests.

A test module that uses them declares ``pytest_plugins = ["browser_fixtures"]``; they are
then registered once for the session, so every test shares one Chromium (Playwright's
sync API cannot run two at a time) and one server per edition.
"""

import datetime as dt
import functools
import shutil
from pathlib import Path

import pytest

from coursegen.commands.build import discover
from coursegen.tools import chromium as launcher
from coursegen.tools import handout

from browser import ARTIFACTS, Browser, require_chromium, serve
from conftest import EPOCH, REPO, shared_folder, shared_site
from visits import visit

EPOCH_CLOCK = dt.datetime.fromtimestamp(int(EPOCH["SOURCE_DATE_EPOCH"]), dt.UTC)  # the handouts' date


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


@pytest.fixture(scope="session")
def handouts(chromium, solutions_site, student_site, tmp_path_factory) -> dict[str, list[Path]]:
    """Both editions' handouts, printed once for the run (``shared_folder``):
    ``{"solutions": [pdf, ...], "student": [...]}``; copied to test-artifacts/handouts."""

    def print_both(out: Path) -> None:
        sheets = discover(REPO / "content", REPO)
        pages = {s.name: [name for name, _ in s.meta.pages] for s in sheets}
        handout.write_handouts(
            {"solutions": solutions_site, "student": student_site}, out, pages, EPOCH_CLOCK, chromium.browser
        )
        shutil.copytree(out, ARTIFACTS / "handouts", dirs_exist_ok=True)

    out = shared_folder(tmp_path_factory, "handouts", print_both)
    return {edition: sorted(out.glob(f"*-{edition}.pdf")) for edition in ("solutions", "student")}


@pytest.fixture(scope="session")
def zensical_site(tmp_path_factory) -> Path:
    """The solutions edition built by the second engine (``--engine zensical``), once."""
    return shared_site(tmp_path_factory, "solutions", "zensical")


@pytest.fixture(scope="session")
def served_zensical(zensical_site):
    with serve(zensical_site) as url:
        yield url


@pytest.fixture(scope="session")
def visits(request, tmp_path_factory):
    """``visits(build, scheme, screen)``: what the checks of that configuration found on
    every page, each configuration visited once in the run (tests/visits.py)."""
    return functools.partial(visit, request, tmp_path_factory)
