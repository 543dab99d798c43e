"""PDF handouts of every worksheet, printed by Chromium from the built site.

``make handout`` (``python -m coursegen handout``) builds the student edition (and the
solutions, or for a scheduled build the scheduled edition) into scratch folders, serves each on
127.0.0.1 and prints every worksheet (its pages one after another, in nav order) to
``site/handouts/<sheet>-<edition>.pdf``,
through the site's print stylesheet (assets/css/print.css): no navigation, animations
replaced by their static frames, solutions open. It then rebuilds ``site/`` with the
home page linking to these files (a plain ``make site`` writes no PDF and links none),
and puts them in ``site/handouts/``.

The student edition writes only the student handouts, a scheduled build the solutions
handouts of released worksheets only, and the folder is left holding
exactly what was written, so a site published as the student edition never carries a
solutions PDF left over from an earlier run.
"""

import datetime as dt
import html
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from coursegen import atomic, errors
from coursegen.errors import BuildError
from coursegen.site import engines
from coursegen.site.paper import MARGIN
from coursegen.site.worksheets import handout_name
from coursegen.stages import editions, executors
from coursegen.stages.editions import Edition
from coursegen.tools import chromium

# The handouts each edition prints: (handout edition, the site edition it is printed
# from). A scheduled build prints the solutions handout of released worksheets only.
PRINTED = {
    Edition.STUDENT: ((Edition.STUDENT, Edition.STUDENT),),
    Edition.SOLUTIONS: ((Edition.STUDENT, Edition.STUDENT), (Edition.SOLUTIONS, Edition.SOLUTIONS)),
    Edition.SCHEDULED: ((Edition.STUDENT, Edition.STUDENT), (Edition.SOLUTIONS, Edition.SCHEDULED)),
}

# A worksheet's other pages (front matter ``pages:``), appended to its first in nav order
# (each under its own title), their math typeset as the site typesets it: one PDF with
# one run of page numbers.
_APPEND = """async (others) => {
  const article = document.querySelector("article");
  for (const href of others) {
    const response = await fetch(href.split("/").map(encodeURIComponent).join("/"));
    if (!response.ok) throw new Error(`${href}: HTTP ${response.status}`);
    const part = new DOMParser().parseFromString(await response.text(), "text/html").querySelector("article");
    const section = document.createElement("section");
    section.className = "cg-handout-page";
    section.append(...[...part.childNodes].map((node) => document.adoptNode(node)));
    article.append(section);
    for (const details of section.querySelectorAll("details")) details.open = true;  // as print opens the first page's
    if (section.querySelector(".arithmatex")) await window.cgTypesetMath(section);
  }
}"""

# Before printing: what a reader's Ctrl+P does (Material opens every <details>, the
# player fetches the static frames), links made absolute, then every image eager and loaded.
_PREPARE = """async () => {
  window.dispatchEvent(new Event("beforeprint"));
  // Links on paper lead somewhere only as full addresses: each relative link is made
  // absolute against the page's canonical address (mkdocs.yml's site_url), when it has one.
  const canonical = document.querySelector('link[rel="canonical"]');
  if (canonical) {
    for (const a of document.querySelectorAll("article a[href]")) {
      const href = a.getAttribute("href");
      if (href.startsWith("#")) continue;  // a place in this page: in the handout too
      if (!/^[a-z][a-z0-9+.-]*:/i.test(href)) a.setAttribute("href", new URL(href, canonical.href).href);
    }
  }
  const printed = [...document.images].filter((img) => img.checkVisibility());  // in print media
  for (const img of printed) img.loading = "eager";
  await Promise.all(printed.map((img) =>
    img.complete ? null : new Promise((done) => { img.onload = img.onerror = done; })));
  await document.fonts.ready;
  return printed.filter((img) => !img.naturalWidth).map((img) => img.getAttribute("src"));
}"""

# The paper's margins; the running footer (page number, edition) is printed in the bottom one.

_FOOTER = (
    '<div style="font-size:8px;width:100%;margin:0 12mm;display:flex;justify-content:space-between;'
    'font-family:sans-serif;color:#555"><span class="title"></span><span>{edition} edition</span>'
    '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
)


def write_handouts(
    sites: dict[str, Path],
    out_dir: Path,
    pages: dict[str, list[str]],
    clock: dt.datetime,
    browser=None,
    sheets: dict[str, list[str]] | None = None,
) -> list[Path]:
    """Print every worksheet of each edition's built site into ``out_dir``.

    ``sites`` maps a handout edition to its built site folder; ``pages`` a worksheet to
    its other pages (``optimizers.md``), printed after its first; ``clock``: the build's,
    which dates each PDF; ``sheets``, optionally, an edition to the worksheets to print
    from it (default: all). ``out_dir`` ends up holding exactly the PDFs written here.
    ``browser``: a Playwright Browser to reuse (tests).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with chromium.browser(browser) as launched:
        for edition, site_dir in sites.items():
            found = chromium.worksheets(site_dir)
            if not found:
                raise BuildError(f"{site_dir}: no worksheet pages to print")
            wanted = (sheets or {}).get(edition, found)
            with chromium.serve(site_dir) as url:
                for sheet in [s for s in found if s in wanted]:
                    path = out_dir / handout_name(sheet, edition)
                    others = [str(Path(name).with_suffix(".html")) for name in pages.get(sheet, [])]
                    _print(launched, f"{url}/{sheet}/index.html", others, path, edition, clock)
                    written.append(path)
    for stale in out_dir.glob("*.pdf"):
        if stale not in written:
            stale.unlink()
    return written


# Chromium dates a PDF by the machine's clock: "/CreationDate (D:20261207210815+00'00')".
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[+-]\d\d'\d\d'\)")


def dated(pdf: bytes, clock: dt.datetime) -> bytes:
    """The PDF dated by the build's clock instead, in UTC: two builds of one commit print
    the same bytes. The date keeps its length, so the file's byte offsets hold."""
    utc = clock.astimezone(dt.UTC)
    stamp = f"{utc.year:04d}{utc:%m%d%H%M%S}".encode()  # %Y gives 999 for the year 999
    return _PDF_DATE.sub(lambda m: b"/" + m[1] + b" (D:" + stamp + b"+00'00')", pdf)


def _print(launched, url: str, others: list[str], path: Path, edition: str, clock: dt.datetime) -> None:
    page = chromium.new_page(launched)
    try:
        page.goto(url, wait_until="load")
        page.emulate_media(media="print")
        page.wait_for_function(chromium.MATH_TYPESET, timeout=30_000)
        page.evaluate(_APPEND, others)
        missing = page.evaluate(_PREPARE)
        if missing:
            raise BuildError(f"{url}: images that did not load for printing: {', '.join(missing)}")
        if page.external:
            raise BuildError(f"{url} requested other hosts: {', '.join(sorted(set(page.external)))}")
        tmp = path.with_name(f".tmp-{path.name}")
        pdf = page.pdf(
            format="Letter",
            print_background=True,
            margin=MARGIN,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=_FOOTER.format(edition=html.escape(edition.capitalize())),
        )
        tmp.write_bytes(dated(pdf, clock))
        tmp.replace(path)
    finally:
        page.context.close()


def make_handouts(paths, args, log) -> int:
    """The ``handout`` command: build the editions into scratch folders, print them."""
    from coursegen.commands import build as commands

    in_site = not args.out
    out = Path(args.out).resolve() if args.out else paths.root / "site" / "handouts"
    with commands.build_lock(paths):  # never write into a site/ that a killed swap left missing
        atomic.recover_tree(out.parent)
    shown = editions.publication(args.edition, args.as_of, paths.root)
    with tempfile.TemporaryDirectory(prefix=".tmp-handout-", dir=paths.root) as scratch:
        sites, sheets = {}, {}
        for handout_edition, site_edition in PRINTED[shown.edition]:
            site_dir = Path(scratch) / site_edition
            built = commands.build_into(
                paths, replace(shown, edition=site_edition), site_dir, executors.Options.of(args), log
            )
            sites[handout_edition] = site_dir
            sheets[handout_edition] = [
                s.name for s in built if shown.of(s) is Edition.SOLUTIONS or handout_edition == Edition.STUDENT
            ]
        printed = Path(scratch) / "handouts"
        others = {s.name: [name for name, _ in s.meta.pages] for s in built}
        written = write_handouts(sites, printed, others, shown.clock, sheets=sheets)
        if in_site:  # the site itself, now with the home page linking the handouts
            links = {s: [e for e in sites if s in sheets[e]] for s in sheets["student"]}
            commands.build_into(paths, shown, commands.site_dir(paths, None), executors.Options.of(args), log, links)
        out.mkdir(parents=True, exist_ok=True)
        # An earlier run's handout this one did not write (a solutions handout, once the
        # edition changed) goes; in a folder of the user's own (--out), nothing else does.
        ours = {handout_name(sheet, edition) for sheet in others for edition in (Edition.STUDENT, Edition.SOLUTIONS)}
        kept = {p.name for p in written}
        for stale in out.glob("*.pdf"):
            if (in_site or stale.name in ours) and stale.name not in kept:
                stale.unlink()
        written = [path.replace(out / path.name) for path in written]
        if in_site:  # the site's mark lists its handouts too: the next build may replace them
            engines.mark_site(out.parent, paths.config)
    for path in written:
        print(f"handout: {errors.shown(path, paths.root)} ({path.stat().st_size // 1024} KiB)")
    return 0
