"""Explorers: a grid of precomputed states a student drives with controls, offline.

A player replays one run; an explorer lets the reader pick the run. The course's figure
function computes nothing the page has to work out: it hands over, for every state of
its controls (a step size and a step, a width, a seed and a step ...), the shapes to
draw, already in the axes' coordinates, and the sentence that names the state. The
page's script (assets/js/explorer.js) only looks the state up and moves the shapes, so
what a reader sees for any state is what the build computed, and a state change costs
a few attribute writes.

A figure function returns an ``Explorer`` (the short form, like returning a matplotlib
Figure):

    ex = Explorer([Control("Step size α", ["0.1", "0.2"]), Control("GD step", steps)])
    loss = ex.panel("The loss", Axis("θ", -2, 4, [-2, 0, 2, 4]), Axis("L(θ)", 0, 9, [0, 4, 8]))
    ex.line(loss, "loss", curve)                          # static: shape (points, 2)
    ex.dots(loss, "gd", iterates[:, :, None, :], dims=(0, 1))  # (α, step, 1 point, xy)
    ex.describe("α = {0}, step {1}: loss {2}", (0,), alphas, (1,), steps, (0, 1), losses)
    ex.print_states = [(0, 50), (1, 50)]

Every layer's data is an array of shape ``[*sizes of its dims, count, points, 2]``
(``count`` and ``points`` may be left out for one shape of one point), in the data's
units: the toolkit turns it into fractions of the panel's axes, 16 bits each, in one
binary file (``figure.explorer.bin``). NaN marks a point that is not there (a line
skips it, a dot is not drawn); a value off the axes is drawn at its edge, up to a
tenth beyond, and clipped there. ``when`` shows a layer only for one value of a
control (say, the layers of width 20 when the width control is on 20), so layers of
different sizes need no padding.

The build writes, beside ``figure.json`` (the page's facts): ``figure.explorer.json``
(the controls, panels, styles, layers and texts), ``figure.explorer.bin``, their
script copies for pages opened from disk (``.js``), and ``figure.print.svg`` and its
dark rendering ``figure-dark.print.svg``: a small multiple of ``print_states``, which print, and readers without
scripts, see in its place.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coursegen.figures import schemes
from coursegen.figures.style import BLUE, DARK_GREY, GREEN, ORANGE, VERMILLION, _write_json
from coursegen.script_copy import script_copy

SCALE = 10_000  # a fraction of an axis, in 16-bit steps
MISSING = -32_768
EDGE = 0.1  # how far beyond an axis a shape is still drawn (then clipped)
_FIELD = re.compile(r"\{([0-9]+)\}")  # what the page's script fills in (explorer.js), as str.format does
_ODD = re.compile(r"\{[^{}]*\}?|\}")
MAX_BYTES = 6_000_000  # what one explorer fetches (shapes, controls, sentences): a page's budget
MAX_STATES = 1_000_000

# A panel's size in the page's pixels, and its plot area inside it.
PANEL_W, PANEL_H = 360, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 10, 26, 40
TEXT_PX = 12
# The small multiple's text: printed, its states side by side take the handout's text
# width (about 718 CSS px for three 360 px columns), and 13 px text still prints at
# 6.5 pt (coursegen.site.paper.SMALLEST_TEXT_PT is 6).
PRINT_TEXT_PX = 13

# The looks a layer may take (light scheme; the dark one is derived as for figures).
STYLES = {
    "data": {"stroke": "none", "fill": ORANGE, "r": 2.5},
    "truth": {"stroke": BLUE, "width": 1.5, "dash": "5 4"},
    "curve": {"stroke": DARK_GREY, "width": 1.5},
    "gd": {"stroke": BLUE, "width": 2, "fill": BLUE, "r": 5},
    "gd_trail": {"stroke": BLUE, "width": 1, "fill": BLUE, "r": 2.5, "opacity": 0.55},
    "sgd": {"stroke": VERMILLION, "width": 1.5, "dash": "4 3", "fill": "#ffffff", "r": 4.5},
    "band": {"stroke": "none", "fill": VERMILLION, "opacity": 0.22},
    "fit": {"stroke": GREEN, "width": 2.5},
    "unit": {"stroke": DARK_GREY, "width": 1, "dash": "2 2"},
    "elbow": {"stroke": "none", "fill": DARK_GREY, "r": 2.5},
    "cursor": {"stroke": DARK_GREY, "width": 1, "dash": "1 3"},
}


@dataclass(frozen=True)
class Control:
    """One slider: what it moves through and the label of each of its values."""

    label: str
    values: tuple[str, ...]
    initial: int = 0

    def __post_init__(self):
        object.__setattr__(self, "values", tuple(str(v) for v in self.values))
        if not self.values or len(set(self.values)) != len(self.values):
            raise ValueError(f"control {self.label!r}: give distinct labels, one per value")
        if not 0 <= self.initial < len(self.values):
            raise ValueError(f"control {self.label!r}: initial {self.initial} is not one of its values")


@dataclass(frozen=True)
class Axis:
    label: str
    lo: float
    hi: float
    ticks: tuple[float, ...]
    tick_format: str = "g"

    def fraction(self, values: np.ndarray) -> np.ndarray:
        return (np.asarray(values, dtype=np.float64) - self.lo) / (self.hi - self.lo)


@dataclass
class Panel:
    title: str
    x: Axis
    y: Axis


@dataclass
class Layer:
    panel: int
    kind: str  # "line", "dots" or "area"
    style: str
    dims: tuple[int, ...]
    shape: tuple[int, int]  # count, points
    data: np.ndarray  # int16, [*dims, count, points, 2]
    upto: int | None
    when: tuple[tuple[int, int], ...]


@dataclass
class Explorer:
    controls: list[Control]
    panels: list[Panel] = field(default_factory=list)
    layers: list[Layer] = field(default_factory=list)
    template: str = ""
    parts: list[tuple[tuple[int, ...], np.ndarray]] = field(default_factory=list)
    print_states: list[tuple[int, ...]] = field(default_factory=list)

    def __post_init__(self):
        if int(np.prod([len(c.values) for c in self.controls])) > MAX_STATES:
            raise ValueError(f"more than {MAX_STATES:,} states; use fewer or coarser controls")

    def panel(self, title: str, x: Axis, y: Axis) -> int:
        self.panels.append(Panel(title, x, y))
        return len(self.panels) - 1

    def line(self, panel: int, style: str, xy, dims=(), upto=None, when=()) -> None:
        """Polylines: [*dims, count, points, 2]. ``upto=c`` draws a line's points up to
        control c's value (a trail that grows with the step)."""
        self._add(panel, "line", style, xy, dims, upto, when)

    def dots(self, panel: int, style: str, xy, dims=(), when=()) -> None:
        self._add(panel, "dots", style, xy, dims, None, when)

    def area(self, panel: int, style: str, xy, dims=(), when=()) -> None:
        """Filled polygons, e.g. a band: its upper edge forwards, its lower edge back."""
        self._add(panel, "area", style, xy, dims, None, when)

    def describe(self, template: str, *dims_and_values) -> None:
        """The sentence naming a state, for screen readers and beside the controls:
        ``template`` with {0}, {1}, ... each filled from a string array indexed by the
        given controls' values (every number already formatted by the figure)."""
        pairs = list(zip(dims_and_values[::2], dims_and_values[1::2], strict=True))
        unescaped = template.replace("{{", "").replace("}}", "")
        fields, left = [int(k) for k in _FIELD.findall(unescaped)], _FIELD.sub("", unescaped)
        if "{" in left or "}" in left or any(k >= len(pairs) for k in fields):
            wrong = next((f"{{{k}}}" for k in fields if k >= len(pairs)), None) or _ODD.search(left)[0]
            raise ValueError(
                f"describe: the template's fields are {{0}} to {{{len(pairs) - 1}}}, one per array of strings, "
                f"each number formatted already (the page fills them in as they are; write a brace as {{{{ or }}}}); "
                f"got {wrong!r}"
            )
        self.template = template
        self.parts = []
        for dims, values in pairs:
            values = np.asarray(values, dtype=object)
            self._check_dims(tuple(dims), values.shape, "describe", exact=True)
            self.parts.append((tuple(dims), values))

    # ------------------------------------------------------------------ checks, coding

    def _add(self, panel, kind, style, xy, dims, upto, when) -> None:
        if style not in STYLES:
            raise ValueError(f"style {style!r} is unknown; one of: {', '.join(STYLES)}")
        if not 0 <= panel < len(self.panels):
            raise ValueError(f"panel {panel} does not exist; make it with explorer.panel(...)")
        dims = tuple(dims)
        xy = np.asarray(xy, dtype=np.float64)
        while xy.ndim < len(dims) + 3:  # one point, or one shape: add the axes left out
            xy = xy[..., None, :] if xy.ndim == len(dims) + 1 else xy[..., None, :, :]
        self._check_dims(dims, xy.shape[: len(dims)], kind)
        if xy.ndim != len(dims) + 3 or xy.shape[-1] != 2:
            raise ValueError(f"{kind}: expected [*dims, count, points, 2], got shape {xy.shape}")
        when = tuple((int(c), int(v)) for c, v in dict(when).items())
        if upto is not None and upto not in range(len(self.controls)):
            raise ValueError(f"{kind}: upto={upto} is not a control")
        p = self.panels[panel]
        fractions = np.stack([p.x.fraction(xy[..., 0]), p.y.fraction(xy[..., 1])], axis=-1)
        coded = np.where(np.isnan(fractions), MISSING, np.round(np.clip(fractions, -EDGE, 1 + EDGE) * SCALE)).astype(
            "<i2"
        )
        self.layers.append(Layer(panel, kind, style, dims, xy.shape[-3:-1], coded, upto, when))

    def _check_dims(self, dims, shape, what, exact=False) -> None:
        for d in dims:
            if d not in range(len(self.controls)):
                names = ", ".join(c.label for c in self.controls)
                raise ValueError(f"{what}: control {d} does not exist: it has {len(self.controls)} ({names}), from 0")
        sizes = tuple(len(self.controls[d].values) for d in dims)
        if tuple(shape[: len(dims)]) != sizes or (exact and len(shape) != len(dims)):
            raise ValueError(f"{what}: dims {dims} need leading sizes {sizes}, got shape {tuple(shape)}")

    def describe_state(self, state: tuple[int, ...]) -> str:
        return self.template.format(*(values[tuple(state[d] for d in dims)] for dims, values in self.parts))

    def spec_and_data(self) -> tuple[dict, bytes]:
        """The JSON the page's script reads and the binary it indexes."""
        if not self.template:
            raise ValueError("an explorer needs describe(...): the text that names each state")
        chunks, offset, layers = [], 0, []
        for layer in self.layers:
            raw = np.ascontiguousarray(layer.data).tobytes()
            layers.append(
                {
                    "panel": layer.panel,
                    "kind": layer.kind,
                    "style": layer.style,
                    "dims": list(layer.dims),
                    "count": layer.shape[0],
                    "points": layer.shape[1],
                    "offset": offset // 2,
                    "upto": layer.upto,
                    "when": [list(w) for w in layer.when],
                }
            )
            chunks.append(raw)
            offset += len(raw)
        spec = {
            "scale": SCALE,
            "missing": MISSING,
            "size": [PANEL_W, PANEL_H],
            "plot": [LEFT, TOP, PANEL_W - LEFT - RIGHT, PANEL_H - TOP - BOTTOM],
            "controls": [{"label": c.label, "values": list(c.values), "initial": c.initial} for c in self.controls],
            "panels": [{"title": p.title, "x": _axis(p.x), "y": _axis(p.y)} for p in self.panels],
            "styles": {"light": STYLES, "dark": {k: _dark_style(v) for k, v in STYLES.items()}},
            "layers": layers,
            "text": {
                "template": self.template,
                "parts": [{"dims": list(d), "values": v.ravel().tolist()} for d, v in self.parts],
            },
        }
        return spec, b"".join(chunks)

    def initial_state(self) -> tuple[int, ...]:
        return tuple(c.initial for c in self.controls)


def _axis(axis: Axis) -> dict:
    ticks = [[round(float(axis.fraction(t)), 4), format(t, axis.tick_format)] for t in axis.ticks]
    return {"label": axis.label, "ticks": [t for t in ticks if -1e-9 <= t[0] <= 1 + 1e-9]}


def _dark_style(style: dict) -> dict:
    out = dict(style)
    for key in ("stroke", "fill"):
        if out.get(key, "none") != "none":
            out[key] = _dark(out[key])
    return out


def _dark(color: str) -> str:
    rgb = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.uint8)
    return "#" + "".join(f"{c:02x}" for c in schemes.dark_colors(rgb))


# ---------------------------------------------------------------------------- saving


def save_explorer(explorer: Explorer, out: Path) -> None:
    """The explorer's files (module docstring), named after the stem ``out``."""
    printed = explorer.print_states or [explorer.initial_state()]
    spec, data = explorer.spec_and_data()
    text = json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    fetched = len(data) + len((text + "\n").encode())
    if fetched > MAX_BYTES:
        raise ValueError(
            f"{fetched:,} bytes to fetch ({len(data):,} of shapes, {fetched - len(data):,} of controls and "
            f"sentences), over {MAX_BYTES:,}; use fewer states or shapes, or shorter sentences"
        )
    stem = out.with_name(out.name + ".explorer")
    Path(f"{stem}.json").write_text(text + "\n", encoding="utf-8")
    Path(f"{stem}.bin").write_bytes(data)
    for suffix, payload in ((".json", (text + "\n").encode()), (".bin", data)):
        Path(f"{stem}{suffix}.js").write_text(script_copy(payload, "cgFiles"), encoding="ascii")
    svg, size = print_svg(explorer, printed, spec, data)
    out.with_name(out.name + ".print.svg").write_text(svg, encoding="utf-8")
    out.with_name(out.name + "-dark.print.svg").write_text(schemes.dark_svg(svg), encoding="utf-8")
    states = int(np.prod([len(c.values) for c in explorer.controls]))
    _write_json(
        out.with_suffix(".json"),
        {
            "explorer": {
                "states": states,
                "print_states": len(printed),
                "print_labels": [state_label(explorer, state) for state in printed],
                "data_bytes": len(data),
                "initial": explorer.describe_state(explorer.initial_state()),
            },
            "width_px": PANEL_W * len(explorer.panels),
            "height_px": PANEL_H,
            "print_px": size,
            "text_pt": TEXT_PX * 0.75,
            "width_pt": PANEL_W * 0.75,  # one panel: the panels stack on a phone
        },
    )


def layer_points(spec: dict, data: bytes, layer: dict, state: tuple[int, ...]) -> np.ndarray | None:
    """A layer's shapes in a state, [count, points, 2] fractions (NaN: missing); None if
    the layer is not shown there."""
    if any(state[c] != v for c, v in layer["when"]):
        return None
    sizes = [len(spec["controls"][d]["values"]) for d in layer["dims"]]
    index = 0
    for d, size in zip(layer["dims"], sizes, strict=True):
        index = index * size + state[d]
    n = layer["count"] * layer["points"] * 2
    raw = np.frombuffer(data, dtype="<i2")[layer["offset"] + index * n : layer["offset"] + (index + 1) * n].astype(
        np.float64
    )
    raw[raw == MISSING] = np.nan
    shapes = raw.reshape(layer["count"], layer["points"], 2) / spec["scale"]
    if layer["upto"] is not None:
        shapes = shapes[:, : state[layer["upto"]] + 1]
    return shapes


def print_svg(explorer: Explorer, printed: list[tuple[int, ...]], spec: dict, data: bytes) -> tuple[str, list[int]]:
    """The small multiple: one column per print state, named above it by its controls'
    values, its panels one under the other, drawn from the very data the page's script
    draws."""
    left, top, pw, ph = spec["plot"]
    caption_h = 2 * (PRINT_TEXT_PX + 2) + 6
    width = PANEL_W * len(printed)
    height = caption_h + PANEL_H * len(spec["panels"])
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="DejaVu Sans, sans-serif" font-size="{PRINT_TEXT_PX}">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for c, state in enumerate(printed):
        x0 = c * PANEL_W
        label = _wrap(state_label(explorer, state), PANEL_W // 8, lines=2)  # under 8 px a character
        for i, line in enumerate(label):
            out.append(
                f'<text x="{x0 + 8}" y="{PRINT_TEXT_PX + 2 + i * (PRINT_TEXT_PX + 2)}" fill="#000000">{_esc(line)}</text>'
            )
        for k, panel in enumerate(spec["panels"]):
            ox, oy = x0, caption_h + k * PANEL_H
            out += _panel_frame(panel, ox, oy, left, top, pw, ph)
            clip = f"c{c}-{k}"
            out.append(
                f'<clipPath id="{clip}"><rect x="{ox + left - 6}" y="{oy + top - 6}" width="{pw + 12}" height="{ph + 12}"/></clipPath>'
            )
            out.append(f'<g clip-path="url(#{clip})">')
            for layer in spec["layers"]:
                if layer["panel"] != k:
                    continue
                shapes = layer_points(spec, data, layer, state)
                if shapes is None:
                    continue
                out += _shapes(layer, shapes, spec["styles"]["light"][layer["style"]], ox + left, oy + top, pw, ph)
            out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n", [width, height]


def state_label(explorer: Explorer, state: tuple[int, ...]) -> str:
    """A state named by its controls' values: "Step size α 0.1, GD step t 50"."""
    return ", ".join(f"{c.label} {c.values[i]}" for c, i in zip(explorer.controls, state, strict=True))


def _panel_frame(panel, ox, oy, left, top, pw, ph) -> list[str]:
    x0, y0 = ox + left, oy + top
    out = [
        f'<text x="{ox + PANEL_W / 2:.1f}" y="{oy + PRINT_TEXT_PX + 4}" text-anchor="middle" fill="#000000">{_esc(panel["title"])}</text>',
        f'<rect x="{x0}" y="{y0}" width="{pw}" height="{ph}" fill="none" stroke="#000000" stroke-width="1"/>',
        f'<text x="{x0 + pw / 2:.1f}" y="{y0 + ph + 32}" text-anchor="middle" fill="#000000">{_esc(panel["x"]["label"])}</text>',
        f'<text x="{ox + 12}" y="{y0 + ph / 2:.1f}" text-anchor="middle" fill="#000000" '
        f'transform="rotate(-90 {ox + 12} {y0 + ph / 2:.1f})">{_esc(panel["y"]["label"])}</text>',
    ]
    for f, label in panel["x"]["ticks"]:
        x = x0 + f * pw
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y0 + ph}" y2="{y0 + ph + 4}" stroke="#000000"/>')
        out.append(f'<text x="{x:.1f}" y="{y0 + ph + 16}" text-anchor="middle" fill="#000000">{_esc(label)}</text>')
    for f, label in panel["y"]["ticks"]:
        y = y0 + (1 - f) * ph
        out.append(f'<line x1="{x0 - 4}" x2="{x0}" y1="{y:.1f}" y2="{y:.1f}" stroke="#000000"/>')
        out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#000000">{_esc(label)}</text>')
    return out


def _shapes(layer, shapes, style, x0, y0, pw, ph) -> list[str]:
    paint = _paint(style, layer["kind"])
    out = []
    for shape in shapes:
        keep = ~np.isnan(shape[:, 0]) & ~np.isnan(shape[:, 1])
        pts = [(x0 + fx * pw, y0 + (1 - fy) * ph) for fx, fy in shape[keep]]
        if not pts:
            continue
        if layer["kind"] == "dots":
            r = style.get("r", 3)
            out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" {paint}/>' for x, y in pts]
        else:
            tag = "polygon" if layer["kind"] == "area" else "polyline"
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            out.append(f'<{tag} points="{coords}" {paint}/>')
    return out


def _paint(style: dict, kind: str) -> str:
    if kind == "dots":
        fill, stroke = style.get("fill", "#000000"), style.get("stroke", "none")
        attrs = f'fill="{fill}" stroke="{stroke}"' + (' stroke-width="1.5"' if stroke != "none" else "")
    elif kind == "area":
        attrs = f'fill="{style.get("fill", "#000000")}" stroke="none"'
    else:
        attrs = f'fill="none" stroke="{style["stroke"]}" stroke-width="{style.get("width", 1)}"'
        if style.get("dash"):
            attrs += f' stroke-dasharray="{style["dash"]}"'
    if "opacity" in style:
        attrs += f' opacity="{style["opacity"]}"'
    return attrs


def _wrap(text: str, width: int, lines: int = 3) -> list[str]:
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return (out + [line])[:lines]


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
