"""Headless Debian Chromium, driven by Playwright, against a site served on 127.0.0.1.

The browser, its launch flags, the server and the pages that block every request to
another host are coursegen.tools.chromium's (the handouts and page weight use them too); this
adds what tests need: a skip without Chromium, and pages that collect their errors.
"""

import os
import re
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from coursegen.tools import chromium
from coursegen.tools.chromium import CHROMIUM, MATH_TYPESET, serve  # noqa: F401 -- serve: re-exported for tests


def require_chromium() -> None:
    """Skip without Chromium, unless CI asked for the browser tests to be mandatory."""
    if not Path(CHROMIUM).exists():
        reason = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("COURSEGEN_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)


class Browser:
    """One launched Chromium; its pages record their errors, and every request they made
    to another host (which failed) in ``external``, across pages.

    Its one tab is reused from check to check: a fresh context costs each page load its
    renderer process and its compiled scripts, three times the CPU of navigating a tab
    that has them (and the suite is CPU-bound). What one check leaves that another
    could see (storage, emulated media, viewport) is reset: the storage of the one
    origin a check visited is cleared in the page; a check that fails or visited more
    than one origin closes the tab, and the next check opens a new one. (Asking the
    context for its storage on every origin costs the browser a fifth of a page load.)"""

    def __init__(self, launched):
        self.browser = launched
        self.external: list[str] = []
        self._idle = None  # the tab, between checks

    def _new_tab(self):
        page = chromium.new_page(self.browser)
        page.external = self.external  # new_page's request listener appends to the page's list
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        # A request belongs to the check that made it: one the previous page left
        # (a favicon the browser fetches late) fails into nobody's list.
        page.check = 0
        page.origins = set()  # the origins the tab's documents came from, this check
        page.on("framenavigated", lambda f: f.parent_frame or page.origins.add(_origin(f.url)))
        page.on("request", lambda r: setattr(r, "check", page.check))
        page.on("requestfailed", lambda r: r.check == page.check and page.errors.append(f"failed: {r.url}"))
        return page

    @contextmanager
    def page(self, viewport: dict | None = None, color_scheme: str = "light", reduced_motion: str = "no-preference"):
        """A blank tab with these settings, as a new context would have it; back to the
        pool afterwards (a check within a check gets a tab of its own)."""
        page, self._idle = self._idle or self._new_tab(), None
        page.errors, page.check, page.origins = [], page.check + 1, set()
        page.set_viewport_size(viewport or VIEWPORT)
        page.emulate_media(media="null", color_scheme=color_scheme, reduced_motion=reduced_motion)
        try:
            yield page
        except BaseException:
            page.context.close()
            raise
        # What leaving the page cuts off (a worker's script, a late favicon) is no
        # check's: not in the list the check may still hold.
        page.errors, page.check = [], page.check + 1
        page.evaluate(_CLEAR_STORAGE)
        page.goto("about:blank")  # stops the players' timers until the next check
        if len(page.origins - {"null"}) > 1:  # storage on an origin no longer open: start afresh
            page.context.close()
        elif self._idle is None:
            self._idle = page
        else:
            page.context.close()


def _origin(url: str) -> str:
    """``scheme://host:port`` of a document's URL (files share one); "null" for about: and data:."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https", "file") else "null"


VIEWPORT = {"width": 1280, "height": 720}  # Playwright's default for a new context
_CLEAR_STORAGE = "() => { try { localStorage.clear(); sessionStorage.clear(); } catch (e) {} }"


# ---- Shared by the browser, accessibility and print tests ---------------------------
# (Their session fixtures, one Chromium and one server per edition, are in
# browser_fixtures.py.)

EDITIONS = ("solutions", "student")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"  # screenshots, handouts: to look at


def site_pages(site: Path) -> list[str]:
    """Every page of a built site, relative to it (404.html aside)."""
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if p.name != "404.html" and p.relative_to(site).parts[0] not in ("assets", "search")
    )


def worksheet(site: Path) -> str:
    """The first worksheet page (one with question headings)."""
    for rel in site_pages(site):
        if (
            re.search(r'<h3 id="[^"]+"', (site / rel).read_text(encoding="utf-8"))
            and rel.endswith("index.html")
            and "/" in rel
        ):
            return rel
    raise AssertionError(f"{site}: no worksheet page")


@contextmanager
def open_page(browser: Browser, url: str, **settings):
    """A tab on ``url``, loaded and with its math typeset (``settings``: Browser.page's)."""
    with browser.page(**settings) as page:
        page.goto(url, wait_until="load")
        page.wait_for_function(MATH_TYPESET, timeout=20_000)
        yield page


# Scroll every figure into view, as a reader would: lazy images load, players set
# themselves up. Returns what did not work: images not loaded, players that failed or
# whose canvas stayed blank.
_SETTLE = """async () => {
  const idle = (ms) => new Promise((done) => setTimeout(done, ms));
  const until = async (ok, ms) => { for (const end = Date.now() + ms; !ok() && Date.now() < end;) await idle(25); return ok(); };
  const problems = [];
  const article = document.querySelector("article") || document.body;
  for (const el of article.querySelectorAll("img, .cg-player, .cg-explorer")) {
    if (!el.isConnected || !el.checkVisibility()) continue;  // hidden: print-only frames, closed solutions
    el.scrollIntoView({ block: "center" });
    if (el.matches(".cg-player")) {
      const ready = await until(() => el.dataset.ready === "true" || el.dataset.ready === "failed", 15000);
      const canvas = el.querySelector("canvas");
      if (!ready || el.dataset.ready !== "true" || !canvas) { problems.push(`player ${el.dataset.gif}: ${el.dataset.ready}`); continue; }
      const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      let drawn = 0;
      for (let i = 3; i < data.length; i += 4 * 97) drawn += data[i] === 255;
      if (!drawn) problems.push(`player ${el.dataset.gif}: canvas not drawn`);
    } else if (el.matches(".cg-explorer")) {
      const ready = await until(() => el.dataset.ready === "true" || el.dataset.ready === "failed", 30000);
      if (!ready || el.dataset.ready !== "true") problems.push(`explorer ${el.dataset.explorer}: ${el.dataset.ready}`);
    } else if (!el.closest(".cg-player") && !el.closest(".cg-explorer")) {
      await until(() => el.complete, 15000);
      if (!el.naturalWidth) problems.push(`image ${el.getAttribute("src")}: not loaded`);
    }
  }
  window.scrollTo(0, 0);
  return problems;
}"""


def settle(page) -> list[str]:
    """Every figure scrolled into view and loaded; returns the problems found."""
    return page.evaluate(_SETTLE)
