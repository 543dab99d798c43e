"""The weight of a worksheet page: the bytes a reader's browser transfers.

``page_weight(site_dir)`` serves the built site on 127.0.0.1, opens the first worksheet
page in Chromium at a laptop's window size and counts every response's transferred bytes
(headers and body, as the network sends them) twice:

- ``first_load_bytes``: the page as it opens, until the network is idle. Images and
  animations below the fold are lazy, so they are not part of it.
- ``total_bytes``: everything the page can load: scrolled to the bottom figure by
  figure, every animation player started, every static frame for printing fetched.

Budgets (tests/test_print.py): at most 3 MB on first load, 12 MB in all.
"""

from pathlib import Path

from coursegen import chromium
from coursegen.errors import BuildError

VIEWPORT = {"width": 1280, "height": 800}

# Everything the page can load: each figure scrolled into view (lazy images load, the
# players set themselves up and fetch their GIFs), each player started, then what a
# reader's Ctrl+P would fetch.
_LOAD_ALL = """async () => {
  const idle = (ms) => new Promise((done) => setTimeout(done, ms));
  for (const el of document.querySelectorAll("article img, article figure, .cg-player")) {
    el.scrollIntoView({ block: "center" });
    await idle(50);
  }
  window.scrollTo(0, document.documentElement.scrollHeight);
  const players = [...document.querySelectorAll(".cg-player")];
  for (let t = 0; t < 300 && players.some((p) => p.dataset.ready === "loading"); t++) await idle(50);
  for (const p of players) {
    if (p.dataset.ready === "true" && p.dataset.playing !== "true") p.querySelector("button").click();
  }
  window.dispatchEvent(new Event("beforeprint"));
  window.dispatchEvent(new Event("afterprint"));
  for (const img of document.images) img.loading = "eager";
}"""


def page_weight(site_dir: Path, page: str | None = None, browser=None) -> dict:
    """Transferred bytes of a page of ``site_dir`` (default: the first worksheet's):
    ``{"first_load_bytes": int, "total_bytes": int}``. ``browser``: a Playwright
    Browser to reuse (tests); otherwise Chromium is launched for the measurement."""
    site_dir = Path(site_dir)
    page = page or f"{chromium.worksheets(site_dir)[0]}/index.html"
    with chromium.browser(browser) as launched, chromium.serve(site_dir) as url:
        tab = chromium.new_page(launched, route=False, viewport=VIEWPORT)  # the HTTP cache on, as for a reader
        try:
            cdp = tab.context.new_cdp_session(tab)
            cdp.send("Network.enable")
            received: dict[str, int] = {}
            cdp.on("Network.loadingFinished", lambda e: received.__setitem__(e["requestId"], e["encodedDataLength"]))
            tab.goto(f"{url}/{page}", wait_until="load")
            tab.wait_for_load_state("networkidle")
            tab.wait_for_function(chromium.MATH_TYPESET, timeout=30_000)
            first = sum(received.values())
            tab.evaluate(_LOAD_ALL)
            tab.wait_for_load_state("networkidle")
            tab.wait_for_timeout(500)  # a late fetch (a player's GIF) gets its chance to start
            tab.wait_for_load_state("networkidle")
            total = sum(received.values())
        finally:
            tab.context.close()
    if tab.external:
        raise BuildError(f"{page} requested other hosts: {', '.join(sorted(set(tab.external)))}")
    return {"first_load_bytes": first, "total_bytes": total}
