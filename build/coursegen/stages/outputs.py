"""What each kind of cache entry must hold, checked when a unit is made and when it is read.

A figure function is free code: it may write nothing, the wrong file type or half an
animation. A cache entry may be damaged or swapped with another. Either way the page
would point at a missing or broken file, so nothing is cached or served unless its files
are one of the shapes below and each file starts the way its type must.
"""

import json
from collections.abc import Mapping

RESULTS = frozenset({"results.npz"})
# What style.save_svg and style.save_animation write: each picture in a light and a dark
# rendering, and the figure's facts for the page (its size and text; a player's labels).
FIGURE_SHAPES = (
    frozenset({"figure.svg", "figure-dark.svg", "figure.json"}),  # a static figure
    frozenset(
        {  # an animation: the GIFs, their script copies (file://), their last frames
            "figure.gif",
            "figure-dark.gif",
            "figure.gif.js",
            "figure-dark.gif.js",
            "figure.png",
            "figure-dark.png",
            "figure.json",
        }
    ),
    frozenset(
        {  # an explorer (figures/explorer.py): its states' spec and data, their script
            # copies (file://), and its small multiple for print and readers without scripts
            "figure.explorer.json",
            "figure.explorer.bin",
            "figure.explorer.json.js",
            "figure.explorer.bin.js",
            "figure.print.svg",
            "figure-dark.print.svg",
            "figure.json",
        }
    ),
)
_MAGIC = {
    ".npz": (b"PK\x03\x04",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".svg": (b"<?xml", b"<svg"),
    ".js": (b"(window.cgGifs", b"(window.cgFiles"),
    ".bin": (b"",),
}


def problem(kind: str, files: Mapping[str, bytes]) -> str | None:
    """Why ``files`` cannot be an entry of ``kind`` ("results" or "figures"), or None."""
    names = frozenset(files)
    shapes = (RESULTS,) if kind == "results" else FIGURE_SHAPES
    if names not in shapes:
        wanted = " or ".join("+".join(sorted(s)) for s in shapes)
        return f"wrote {', '.join(sorted(names)) or 'no file'}; expected {wanted} (named after the stem it is given)"
    for name in sorted(names):
        if not _looks_like(name, files[name]):
            return f"{name} is not a valid {name.rpartition('.')[2].upper()} file"
    return None


def _looks_like(name: str, data: bytes) -> bool:
    suffix = "." + name.rpartition(".")[2]
    if suffix == ".json":
        try:
            return isinstance(json.loads(data), dict)
        except ValueError:
            return False
    return data.lstrip().startswith(_MAGIC[suffix])
