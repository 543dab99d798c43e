"""The worksheet in a real browser with the network cut: math typeset, figures loaded,
solution toggles working, nothing fetched from another host."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from browser import open_page, serve

pytest_plugins = ["browser_fixtures"]  # the session's one Chromium, servers and visits


def test_worksheet_offline(visits):
    """Discussion 1 with the network cut: every formula typeset, every image loaded and
    player drawn, both solution blocks closed until clicked, nothing asked of another
    host (the solutions edition's visit, tests/visits.py)."""
    visit = visits("solutions", "light", "desktop")
    assert visit.problems("reader") == []
    seen = visit.pages["dis01/index.html"]
    assert seen["text"]["math"] > 10 and seen["text"]["raw_math"] == 0
    assert seen["solutions"] == 6  # two solution blocks and four solution figures, each closed
    assert visit.external == []


class _Witness(BaseHTTPRequestHandler):
    """A server on another loopback address, standing in for the Internet: any request
    that reaches it is recorded (the sandbox may have no network, so a blocked request
    must be shown not to arrive where something does answer)."""

    reached: list[str] = []

    def do_GET(self):
        self.reached.append(self.path)
        self.send_response(200)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_requests_to_other_hosts_are_blocked_and_recorded(chromium, tmp_path):
    """By name and by address, from markup and from script: none arrives, each is listed."""
    witness = ThreadingHTTPServer(("127.0.0.2", 0), _Witness)
    threading.Thread(target=witness.serve_forever, daemon=True).start()
    other = f"http://127.0.0.2:{witness.server_address[1]}"
    (tmp_path / "index.html").write_text(
        f'<img src="{other}/pixel.gif"><link rel="stylesheet" href="https://cdn.example.org/lib.css">'
        f"<script>window.fetched = Promise.allSettled([fetch('{other}/data.json'),"
        " fetch('https://cdn.example.org/lib.js')]).then((r) => r.map((x) => x.status));</script>"
    )
    try:
        with serve(tmp_path) as url, open_page(chromium, f"{url}/index.html") as page:
            assert page.evaluate("window.fetched") == ["rejected", "rejected"]
            page.errors.clear()  # the failures asked for here
    finally:
        witness.shutdown()
        witness.server_close()
    assert _Witness.reached == []
    wanted = [
        f"{other}/pixel.gif",
        f"{other}/data.json",
        "https://cdn.example.org/lib.css",
        "https://cdn.example.org/lib.js",
    ]
    assert sorted(set(chromium.external)) == sorted(wanted)
    chromium.external.clear()  # what this test asked for; the other tests check the list stays empty
