"""Every page of a built site, seen once per configuration by all the checks that read it.

A configuration is a build (the MkDocs build's solutions or student edition, or the
Zensical build of the solutions edition), a colour scheme and a screen. Loading the
worksheet and setting up its players is the dearest thing the browser tests do (a
core-second and a half each time, most of it Chromium laying out ten thousand
elements), and the reader's checks of one configuration (what a page shows on load,
the players it stops out of view, its layout, its figures, axe-core's findings, its
text) do not disturb one another when run in the order of ``_look``. So each
configuration's pages are visited once in a run, whichever pytest-xdist worker asks
first (``shared_folder``), and what each check found is kept; the tests assert on it,
each failing on its own.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from browser import ARTIFACTS, open_page, serve, settle, site_pages, worksheet
from conftest import shared_folder, shared_site

SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
# Material chooses its palette from the reader's colour-scheme preference (mkdocs.yml
# gives each palette a prefers-color-scheme media query), so emulating the preference
# switches it, exactly as for a reader whose system is set to dark.
PALETTES = {"light": "default", "dark": "slate"}

# The builds visited: the MkDocs build's two editions and the Zensical build's two.
BUILDS = ("solutions", "student", "zensical", "zensical-student")

# What each configuration is visited for: (build, scheme, screen) -> checks. axe-core
# checks every build in both palettes on both screens (tests/test_a11y.py).
CHECKS = {
    ("solutions", "light", "desktop"): ("reader", "out_of_view", "layout", "figures", "axe", "text", "fetched"),
    ("solutions", "dark", "desktop"): ("figures", "screenshot", "axe"),
    ("solutions", "dark", "phone"): ("figures", "screenshot", "axe", "captions"),
    ("solutions", "light", "phone"): ("layout", "figures", "axe", "captions"),
    ("student", "light", "desktop"): ("reader", "out_of_view", "axe"),
    ("student", "dark", "desktop"): ("axe",),
    ("student", "light", "phone"): ("figures", "axe", "captions"),
    ("student", "dark", "phone"): ("axe", "captions"),
    ("zensical", "light", "desktop"): ("layout", "figures", "axe", "text"),
    ("zensical", "dark", "desktop"): ("figures", "screenshot", "axe"),
    ("zensical", "light", "phone"): ("layout", "axe", "captions"),
    ("zensical", "dark", "phone"): ("axe", "captions"),
    ("zensical-student", "light", "desktop"): ("axe",),
    ("zensical-student", "dark", "desktop"): ("axe",),
    ("zensical-student", "light", "phone"): ("axe", "captions"),
    ("zensical-student", "dark", "phone"): ("axe", "captions"),
}
SCREENSHOT_BUILDS = ("solutions", "zensical")  # whose worksheet goes to test-artifacts/, as shown

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


@dataclass(frozen=True)
class Visit:
    """What the checks of one configuration found on each page (``pages[rel][check]``),
    and the requests to other hosts made meanwhile."""

    build: str
    scheme: str
    screen: str
    site: Path  # the built site visited
    folder: Path  # the full-page screenshots (``screenshot``) are here
    pages: dict[str, dict]
    external: list[str]

    def problems(self, check: str | None = None) -> list[str]:
        """What stopped a page's visit, figures that did not load or draw, the page's
        console errors and failed requests, and what ``check`` (one that lists problems:
        reader, out_of_view, layout, axe) found: on every page."""
        out = []
        for rel, seen in self.pages.items():
            found = [seen["failed"]] if "failed" in seen else seen["settle"] + (seen[check] if check else [])
            found += [f"console/network: {e}" for e in seen["errors"]]
            out += [f"{rel}: {p}" for p in found]
        return out

    def screenshot(self, rel: str) -> Path:
        return self.folder / self.pages[rel]["screenshot"]


def visit(request, tmp_path_factory, build: str, scheme: str, screen: str) -> Visit:
    """The visit of one configuration, made the first time a test of the run asks for it."""
    checks = CHECKS[(build, scheme, screen)]

    def make(folder: Path) -> None:
        folder.mkdir(parents=True)
        chromium = request.getfixturevalue("chromium")
        if build == "zensical-student":  # served for this visit only: no other check reads it
            site = zensical_student_site(tmp_path_factory)
            with serve(site) as url:
                pages, external = _visit_pages(chromium, site, url, build, scheme, screen, checks, folder)
        else:
            if build == "zensical":
                site, url = request.getfixturevalue("zensical_site"), request.getfixturevalue("served_zensical")
            else:
                site, url = request.getfixturevalue(f"{build}_site"), request.getfixturevalue("served")[build]
            pages, external = _visit_pages(chromium, site, url, build, scheme, screen, checks, folder)
        record = {"site": str(site), "pages": pages, "external": external}
        (folder / "visit.json").write_text(json.dumps(record, indent=1), encoding="utf-8")

    folder = shared_folder(tmp_path_factory, f"visit-{build}-{scheme}-{screen}", make)
    record = json.loads((folder / "visit.json").read_text(encoding="utf-8"))
    return Visit(build, scheme, screen, Path(record["site"]), folder, record["pages"], record["external"])


def _visit_pages(chromium, site: Path, url: str, build, scheme, screen, checks, folder: Path):
    """Every page of ``site`` (served at ``url``) looked at; returns what each check found
    and the requests to other hosts made meanwhile."""
    sheet = worksheet(site)
    known = len(chromium.external)
    pages = {}
    for rel in site_pages(site):
        with open_page(chromium, f"{url}/{rel}", viewport=SCREENS[screen], color_scheme=scheme) as page:
            artifact = f"{'zensical-' if build == 'zensical' else ''}worksheet-{screen}-{scheme}"
            shots = artifact if rel == sheet and build in SCREENSHOT_BUILDS else None
            pages[rel] = _look(page, build, checks, folder / f"{len(pages)}.png", shots)
    return pages, chromium.external[known:]


def zensical_student_site(tmp_path_factory) -> Path:
    """The student edition built by Zensical, once for the run."""
    return shared_site(tmp_path_factory, "student", "zensical")


def _look(page, build: str, checks: tuple[str, ...], shot: Path, artifact: str | None) -> dict:
    """Every check of ``checks`` on the loaded page, in an order where none disturbs the
    next: first what a reader meets on load (solutions closed), then the players (still
    playing), then everything opened for the layout, the figures, the screenshots and
    axe, and last the text (whose player statuses it blanks)."""
    seen = {"palette": page.evaluate("document.body.dataset.mdColorScheme")}
    try:
        seen["settle"] = settle(page)
        if "reader" in checks:
            seen["reader"], seen["solutions"] = _reader(page, student=build.endswith("student"))
        if "out_of_view" in checks:
            seen["out_of_view"], seen["players_checked"] = _out_of_view(page)
        page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        seen["settle"] += [f"opened: {p}" for p in settle(page)]
        if "layout" in checks:
            seen["layout"] = page.evaluate(_LAYOUT)
        if "figures" in checks:
            seen["figures"] = page.evaluate(_SHOWN)
            seen["background"] = page.evaluate(_BACKGROUND)
        if "screenshot" in checks or artifact:
            page.evaluate("() => window.scrollTo(0, 0)")
            png = page.screenshot(full_page=True)
            if "screenshot" in checks:
                shot.write_bytes(png)
                seen["screenshot"] = shot.name
            if artifact:
                ARTIFACTS.mkdir(exist_ok=True)
                (ARTIFACTS / f"{artifact}.png").write_bytes(png)
                page.screenshot(path=str(ARTIFACTS / f"{artifact}-top.png"))
        if "captions" in checks:
            seen["captions"] = page.evaluate(_CAPTIONS)
        if "axe" in checks:
            assert AXE.is_file(), "axe-core is missing: run `npm ci` (it is a devDependency in package.json)"
            page.add_script_tag(path=str(AXE))
            seen["axe"] = page.evaluate(_AXE_RUN)
        if "text" in checks:
            seen["text"] = page.evaluate(_READ)
        if "fetched" in checks:  # every URL the page loaded
            seen["fetched"] = page.evaluate("() => performance.getEntriesByType('resource').map((e) => e.name)")
            seen["katex"] = page.evaluate("() => document.querySelectorAll('.katex').length")
    except Exception as e:  # the tests name it, each for its page
        seen["failed"] = f"visit stopped: {type(e).__name__}: {str(e).splitlines()[0]}"
    seen["errors"] = list(page.errors)
    return seen


# ---- What a reader meets on load -------------------------------------------------------

_ON_LOAD = """() => {
  const out = [];
  const raw = [...document.querySelectorAll('.arithmatex')].filter((e) => !e.querySelector('.katex'));
  if (raw.length) out.push(`${raw.length} formula(s) not typeset: ${raw[0].textContent.slice(0, 60)}`);
  if (document.querySelector('.katex-error')) out.push(`KaTeX error: ${document.querySelector('.katex-error').title}`);
  for (const fig of document.querySelectorAll('figure.cg-figure')) {
    if (fig.closest('details:not([open])')) continue;  // a solution's figure: shown when it opens
    const caption = fig.querySelector('figcaption');
    if (!caption || !caption.textContent.trim() || !caption.checkVisibility()) out.push(`${fig.id}: no visible caption`);
    const media = fig.querySelector('canvas, img:not(.cg-print), .cg-explorer');
    const name = media && (media.getAttribute('alt') || media.getAttribute('aria-label') || '');
    if (name.trim().length < 20) out.push(`${fig.id}: no alt text that says what it shows`);
  }
  for (const player of document.querySelectorAll('.cg-player')) {
    const play = player.querySelector('button[aria-label="Play"], button[aria-label="Pause"]');
    if (!play) out.push(`${player.dataset.gif}: no play/pause button`);
  }
  return out;
}"""


def _reader(page, student: bool) -> tuple[list[str], int]:
    """Math typeset, every figure captioned and described, every player with its play
    button; solutions absent (student edition) or closed until their summary is clicked.
    Returns the problems and the number of solution blocks."""
    found = page.evaluate(_ON_LOAD)
    details = page.query_selector_all("details.solution")  # handles: a locator resolves on each call
    if student:
        if details or 'class="solution"' in page.content():
            found.append("a solution in the student edition")
        return found, len(details)
    for block in details:
        if block.get_attribute("open") is not None:
            found.append("a solution block open on load")
        block.query_selector("summary").click()
        if block.get_attribute("open") is None or not block.query_selector("p, li, .arithmatex").is_visible():
            found.append("a solution block that did not open on click")
    return found, len(details)


# ---- Players out of view ---------------------------------------------------------------

_IN_VIEW = """p => { const r = p.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }"""


def _script_seconds(cdp) -> float:
    """The page's time running scripts so far (Chromium's own count, in seconds)."""
    return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "ScriptDuration")


def _out_of_view(page) -> tuple[list[str], int]:
    """A playing animation the reader has scrolled past stops drawing and decoding (a
    page of players would otherwise keep a core busy: Chromium's count of script time
    says), stays "playing", and goes on from the same frame once it is back in view.
    Returns the problems and the number of players seen going on."""
    players = page.query_selector_all(".cg-player")
    if not players:
        return [], 0
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_timeout(100)  # the observers' callbacks
    away = [p for p in players if not p.evaluate(_IN_VIEW) and p.get_attribute("data-playing") == "true"]
    held = {id(p): int(p.get_attribute("data-frame")) for p in away}
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    before = _script_seconds(cdp)
    page.wait_for_timeout(600)  # several frames' time
    busy = _script_seconds(cdp) - before
    cdp.detach()
    found = [f"{busy * 1000:.0f} ms of script in 600 ms with no player in view"] if busy >= 0.06 else []
    for player in away:
        name = player.get_attribute("data-gif")
        if int(player.get_attribute("data-frame")) != held[id(player)]:
            found.append(f"{name}: drew frames out of view")
        if player.get_attribute("data-playing") != "true":
            found.append(f"{name}: paused itself")
    for player in away:
        player.scroll_into_view_if_needed()
        page.wait_for_function(
            f"p => Number(p.dataset.frame) > {held[id(player)]} || p.dataset.playing === 'false'",
            arg=player,
            timeout=5_000,
        )
    return found, len(away)


# ---- Everything opened: layout, figures, axe, text -------------------------------------

# No page scrolls sideways, and every figure and player control sits in the column.
_LAYOUT = """() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) out.push(`page scrolls sideways: ${doc.scrollWidth} > ${window.innerWidth}`);
  const column = document.querySelector('.md-content__inner').getBoundingClientRect();
  for (const el of document.querySelectorAll('article figure img, article figure canvas, .cg-player__controls')) {
    if (!el.checkVisibility()) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.left < column.left - 1 || r.right > column.right + 1)
      out.push(`${el.tagName.toLowerCase()} ${el.getAttribute('src') || ''} [${r.left}, ${r.right}] outside the column [${column.left}, ${column.right}]`);
  }
  return out;
}"""

# Every figure's visible picture (image or player canvas), with what the page says of
# its text: its smallest text and its width, in pt; where it is on the page (CSS px).
_SHOWN = """() => [...document.querySelectorAll("figure.cg-figure")].map((fig) => {
  const media = [...fig.querySelectorAll("canvas, img:not(.cg-print), svg.cg-explorer__panel")].find((m) => m.checkVisibility());
  let corner = null;
  if (media && media.tagName === "CANVAS") corner = [...media.getContext("2d").getImageData(1, 1, 1, 1).data.slice(0, 3)];
  return {
    id: fig.id, textPt: Number(fig.querySelector("[data-text-pt]").dataset.textPt),
    widthPt: Number(fig.querySelector("[data-width-pt]").dataset.widthPt),
    tag: media ? media.tagName : null, src: media && media.getAttribute("src"),
    shownWidth: media ? media.getBoundingClientRect().width : 0, corner,
    box: media && (({ left, top, right, bottom }) => [left + scrollX, top + scrollY, right + scrollX, bottom + scrollY])(media.getBoundingClientRect()),
  };
})"""

_BACKGROUND = """() => getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number)"""

# Every figure caption reads as running text: upright and set from the left.
_CAPTIONS = """() => [...document.querySelectorAll("figure figcaption")].flatMap((caption) => {
  const style = getComputedStyle(caption), out = [];
  const name = caption.closest("figure").id;
  if (style.fontStyle !== "normal") out.push(`${name}: caption set in ${style.fontStyle}`);
  if (!["left", "start", "justify"].includes(style.textAlign)) out.push(`${name}: caption aligned ${style.textAlign}`);
  return out;
})"""

_AXE_RUN = """async () => {
  const { violations } = await axe.run(document, { resultTypes: ["violations"] });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}; ` + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "));
}"""

# What a reader meets on a page, read in the page: the article's visible text, typeset
# formulas, players set up and drawn, and the article's links.
_READ = """() => {
  const article = document.querySelector("article");
  // a player's status tells the frame it is on, which depends on when it was read
  for (const status of article.querySelectorAll(".cg-player output, .cg-player [aria-live]")) status.textContent = "";
  const players = [...article.querySelectorAll(".cg-player")];
  return {
    text: article.innerText.replace(/\\s+/g, " ").trim(),
    math: article.querySelectorAll(".katex").length,
    raw_math: [...article.querySelectorAll(".arithmatex")].filter((e) => !e.querySelector(".katex")).length,
    players: players.map((p) => p.dataset.gif),
    ready: players.filter((p) => p.dataset.ready === "true").length,
    links: [...article.querySelectorAll("a[href]")].map((a) => a.getAttribute("href")).filter((h) => !h.startsWith("#__")),
  };
}"""
