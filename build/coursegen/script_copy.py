"""A file's bytes as a script, for pages opened from disk (file://).

There a page may not fetch() its own files, and Chromium ignores a link's ``download``
attribute, but a page may still load a ``<script>``. The copy files the bytes (base64)
under its own address in a global table, which the script that added it knows: the
animations' ``.gif.js`` (``window.cgGifs``) and the notebooks' ``.ipynb.js`` and
explorers' ``.explorer.*.js`` (``window.cgFiles``), all read by player.js's
``cgLoadBytes`` (also for explorer.js and download.js).
"""

import base64


def script_copy(data: bytes, table: str) -> str:
    """The script that files ``data`` under its own address in ``window[table]``."""
    encoded = base64.b64encode(data).decode("ascii")
    return f'(window.{table} = window.{table} || {{}})[document.currentScript.src] = "{encoded}";\n'
