"""Debian's Chromium, headless and driven by Playwright, on a built site served on 127.0.0.1.

Used by ``make handout`` (print to PDF) and by the page-weight measurement. Every request
to a host other than the loopback fails (the browser resolves no other host), so what
these produce never depends on the network. (The browser tests use the same browser and
pages: tests/browser.py.)
"""

import functools
import gzip
import shutil
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from coursegen.errors import BuildError

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # no other host resolves
]
LOOPBACK = ("http://127.0.0.1", "data:", "blob:", "file:")  # what never leaves the machine


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


# What static hosts (GitHub Pages, nginx's gzip defaults) send compressed: text.
COMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map")


class _GzipHandler(_QuietHandler):
    """Text files gzip-compressed when the browser accepts it, as a static host sends
    them; images as they are (GIF, PNG and fonts are compressed already)."""

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.suffix not in COMPRESSED or not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().do_GET()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve(folder: Path, compress: bool = False):
    """Serve ``folder`` on a free loopback port; yield the base URL. ``compress``:
    send text gzip-compressed, as static hosts do."""
    if not (folder / "index.html").is_file():
        raise BuildError(f"{folder}: no built site here (run `coursegen site`)")
    handler = _GzipHandler if compress else _QuietHandler
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def browser(existing=None, extra_args: tuple = ()):
    """A Playwright ``Browser``: ``existing`` if given (tests share theirs), else a new one
    (with ``extra_args`` besides the usual flags)."""
    if existing is not None:
        yield existing
        return
    if not Path(CHROMIUM).exists():
        raise BuildError("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BuildError(
            "Playwright is missing (handouts print through it): `pip install playwright`; "
            "in coursegen's own checkout `make` installs it"
        ) from None
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *extra_args])
        try:
            yield launched
        finally:
            launched.close()


def new_page(launched, **context_options):
    """A page in a fresh context whose requests may only go to the loopback.

    ``page.external`` lists the requests to other hosts. The browser's host resolver
    rules (ARGS) make every one of them fail before it leaves the machine, by name or
    by address, so nothing has to intercept requests: Playwright's routing would pass
    each through this process and turn the HTTP cache off, half again the browser's
    work on every page.
    """
    context = launched.new_context(**context_options)
    page = context.new_page()
    page.external = []
    context.on("request", lambda r: r.url.startswith(LOOPBACK) or page.external.append(r.url))
    return page


def worksheets(site_dir: Path) -> list[str]:
    """The worksheet folders of a built site (each has an ``index.html``)."""
    return sorted(p.parent.name for p in site_dir.glob("*/index.html") if p.parent.name not in ("assets", "search"))


# The page is ready when every formula is typeset.
MATH_TYPESET = "[...document.querySelectorAll('.arithmatex')].every(e => e.querySelector('.katex'))"
