"""What a worksheet page costs a reader's browser: bytes, memory and time to a frame.

``page_weight(site_dir)`` serves the built site on 127.0.0.1 as a static host does (text
gzip-compressed, as GitHub Pages sends it), opens the first worksheet page in Chromium
at a laptop's window size and counts every response twice: as the network sent it
(``encodedDataLength``) and uncompressed (``*_raw_bytes``):

- ``first_load_bytes``: the page as it opens, until the network is idle and its math
  is typeset. Images and animations below the fold are lazy, so they are not part of it.
- ``total_bytes``: everything the page can load: scrolled to the bottom figure by
  figure, every animation player started, every explorer's data fetched, every static
  frame for printing fetched; ``explorer_bytes``, the explorers' share of it.

``player_costs(site_dir)`` opens the same page at a phone's width (390 px), sets up
every player and lets them decode their keyframes, then reports the page's JavaScript
heap after a garbage collection (``js_heap_mb``), the resident memory of Chromium's
renderer process (``renderer_rss_mb``) and how long a jump to a frame takes (``jump_ms``,
the median, and ``jump_ms_worst``, over jumps in a fixed order to frames all over
every animation). Then it brings every explorer into view and moves each of its
sliders through its values: ``explorer_state_ms`` (median) and
``explorer_state_ms_worst`` per state change, layout included, and ``explorer_bytes``,
the explorers' data as sent; the heap is measured after that, all explorers used, and
the renderer's memory again (``renderer_rss_explored_mb``).
"""

from pathlib import Path

from coursegen.errors import BuildError
from coursegen.tools import chromium

VIEWPORT = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# Everything the page can load: each figure scrolled into view (lazy images load, the
# players set themselves up and fetch their GIFs), each player started, then what a
# reader's Ctrl+P would fetch (the static frames; paper shows the light renderings,
# which a reader of the light scheme already has).
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
  const explorers = [...document.querySelectorAll(".cg-explorer[data-explorer]")];
  for (let t = 0; t < 600 && explorers.some((e) => !["true", "failed"].includes(e.dataset.ready)); t++) await idle(50);
  window.dispatchEvent(new Event("beforeprint"));
  window.dispatchEvent(new Event("afterprint"));
  for (const img of document.querySelectorAll("img.cg-print")) img.loading = "eager";
}"""


def page_weight(site_dir: Path, page: str | None = None, browser=None) -> dict:
    """Bytes of a page of ``site_dir`` (default: the first worksheet's), as sent and
    uncompressed. ``browser``: a Playwright Browser to reuse (tests); otherwise
    Chromium is launched for the measurement."""
    site_dir = Path(site_dir)
    page = page or f"{chromium.worksheets(site_dir)[0]}/index.html"
    with chromium.browser(browser) as launched, chromium.serve(site_dir, compress=True) as url:
        tab = chromium.new_page(launched, viewport=VIEWPORT)
        try:
            cdp = tab.context.new_cdp_session(tab)
            cdp.send("Network.enable")
            sent: dict[str, int] = {}
            raw: dict[str, int] = {}
            urls: dict[str, str] = {}
            cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
            cdp.on("Network.loadingFinished", lambda e: sent.__setitem__(e["requestId"], e["encodedDataLength"]))
            cdp.on(
                "Network.dataReceived",
                lambda e: raw.__setitem__(e["requestId"], raw.get(e["requestId"], 0) + e["dataLength"]),
            )
            tab.goto(f"{url}/{page}", wait_until="load")
            tab.wait_for_load_state("networkidle")
            tab.wait_for_function(chromium.MATH_TYPESET, timeout=30_000)
            first, first_raw = sum(sent.values()), _raw(sent, raw)
            tab.evaluate(_LOAD_ALL)
            tab.wait_for_load_state("networkidle")
            tab.wait_for_timeout(500)  # a late fetch (a player's GIF) gets its chance to start
            tab.wait_for_load_state("networkidle")
        finally:
            tab.context.close()
    if tab.external:
        raise BuildError(f"{page} requested other hosts: {', '.join(sorted(set(tab.external)))}")
    return {
        "first_load_bytes": first,
        "total_bytes": sum(sent.values()),
        "first_load_raw_bytes": first_raw,
        "total_raw_bytes": _raw(sent, raw),
        "explorer_bytes": sum(n for r, n in sent.items() if ".explorer." in urls.get(r, "")),
    }


def _raw(sent: dict, raw: dict) -> int:
    """Uncompressed bytes of what came over the network (not of what a player took
    from the browser's cache, which sent nothing)."""
    return sum(raw.get(r, 0) for r, n in sent.items() if n > 0)


# Every player set up and its keyframes decoded (while it is in view and the page idle,
# as when a reader stops at it); then jumps, timed in the page: the slider's input
# handler decodes and draws the frame before it returns.
_SET_UP_ALL = """async () => {
  const idle = (ms) => new Promise((done) => setTimeout(done, ms));
  const players = [...document.querySelectorAll(".cg-player")];
  for (const p of players) {
    p.scrollIntoView({ block: "center" });
    for (let t = 0; t < 600 && !["true", "failed"].includes(p.dataset.ready); t++) await idle(50);
    await idle(600);
  }
  return players.map((p) => p.dataset.ready);
}"""

_JUMPS = """() => {
  const times = [];
  for (const p of document.querySelectorAll(".cg-player")) {
    const slider = p.querySelector("input[type=range]");
    const n = Number(slider.max) + 1;
    for (const f of [1, 0.5, 0, 0.93, 0.07, 0.61, 0.33, 0.99, 0.15, 0.77]) {
      const start = performance.now();
      slider.value = Math.round(f * (n - 1));
      slider.dispatchEvent(new Event("input"));
      times.push(performance.now() - start);
    }
  }
  return times;
}"""


def player_costs(site_dir: Path, page: str | None = None) -> dict:
    """Memory of a worksheet page at 390 px with every player loaded and jumped
    (``renderer_rss_mb``), then with every explorer used too (the JS heap,
    ``renderer_rss_explored_mb``), and the jump and state-change times. Needs its own
    Chromium: precise heap figures, and one renderer to measure."""
    site_dir = Path(site_dir)
    page = page or f"{chromium.worksheets(site_dir)[0]}/index.html"
    flags = ["--enable-precise-memory-info", "--js-flags=--expose-gc"]
    with chromium.browser(extra_args=flags) as launched, chromium.serve(site_dir) as url:
        tab = chromium.new_page(launched, viewport=PHONE)
        try:
            tab.goto(f"{url}/{page}", wait_until="load")
            ready = tab.evaluate(_SET_UP_ALL)
            if set(ready) != {"true"}:
                raise BuildError(f"{page}: players not ready: {ready}")
            times = sorted(tab.evaluate(_JUMPS))
            tab.evaluate("() => { window.gc(); }")
            players_rss = _renderer_rss(launched)  # every player loaded and jumped: the players' bar
            explored = tab.evaluate(_EXPLORE_ALL)
            if set(explored["ready"]) - {"true"}:
                raise BuildError(f"{page}: explorers not ready: {explored['ready']}")
            changes = sorted(explored["times"]) or [0.0]
            tab.evaluate("() => { window.gc(); }")
            heap = tab.evaluate("() => performance.memory.usedJSHeapSize")
            rss = _renderer_rss(launched)
        finally:
            tab.context.close()
    return {
        "js_heap_mb": round(heap / 2**20, 1),
        "renderer_rss_mb": round(players_rss / 2**20, 1),
        "renderer_rss_explored_mb": round(rss / 2**20, 1),
        "jump_ms": round(times[len(times) // 2], 2),
        "jump_ms_worst": round(times[-1], 2),
        "players": len(ready),
        "explorers": len(explored["ready"]),
        "explorer_state_ms": round(changes[len(changes) // 2], 2),
        "explorer_state_ms_worst": round(changes[-1], 2),
        "explorer_bytes": explored["bytes"],
    }


# Every explorer brought into view (its data fetched then), then every slider of each
# moved through all its values (at most 60 per slider), each change timed with the
# layout it causes; and the explorers' data as sent.
_EXPLORE_ALL = """async () => {
  const idle = (ms) => new Promise((done) => setTimeout(done, ms));
  const roots = [...document.querySelectorAll(".cg-explorer[data-explorer]")];
  const ready = [], times = [];
  for (const r of roots) {
    r.scrollIntoView({ block: "center" });
    for (const end = Date.now() + 30000; !["true", "failed"].includes(r.dataset.ready) && Date.now() < end;) await idle(25);
    ready.push(r.dataset.ready);
    if (r.dataset.ready !== "true") continue;
    for (const s of r.querySelectorAll("input[type=range]")) {
      const n = Number(s.max) + 1, stride = Math.max(1, Math.floor(n / 60));
      for (let j = 0; j < n; j += stride) {
        const t = performance.now();
        s.value = j;
        s.dispatchEvent(new Event("input"));
        r.getBoundingClientRect();
        document.body.offsetHeight;
        times.push(performance.now() - t);
      }
    }
  }
  const bytes = performance.getEntriesByType("resource").filter((e) => e.name.includes(".explorer."))
    .reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize), 0);
  return { ready, times, bytes };
}"""


def _renderer_rss(launched) -> int:
    """Resident bytes of the largest renderer process (the page's), from /proc."""
    cdp = launched.new_browser_cdp_session()
    processes = cdp.send("SystemInfo.getProcessInfo")["processInfo"]
    sizes = []
    for p in processes:
        if p["type"] == "renderer":
            status = Path(f"/proc/{p['id']}/status").read_text()
            sizes.append(int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) * 1024)
    if not sizes:
        raise BuildError("no renderer process found")
    return max(sizes)
