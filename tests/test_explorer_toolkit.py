"""The explorer toolkit (coursegen/figures/explorer.py) on its own: what a course's
function hands it comes back exactly (to the 16-bit fraction) for every state, missing
points stay missing, a wrong shape or an unknown style is one clear error, and the
files are the ones the pipeline accepts."""

import json
import re

import numpy as np
import pytest

from coursegen.figures import explorer as ex
from coursegen.figures import style
from coursegen.stages import outputs


def _small():
    e = ex.Explorer([ex.Control("a", ["x", "y", "z"]), ex.Control("t", [str(k) for k in range(4)], 2)])
    p = e.panel("P", ex.Axis("u", -1.0, 3.0, (-1.0, 0.0, 3.0)), ex.Axis("v", 0.0, 10.0, (0.0, 5.0, 10.0)))
    rng = np.random.default_rng(0)
    pts = np.stack([rng.uniform(-1, 3, (3, 4, 2, 5)), rng.uniform(0, 10, (3, 4, 2, 5))], axis=-1)
    pts[1, 2, 0, 3] = np.nan
    e.line(p, "gd", pts, dims=(0, 1))
    e.dots(p, "sgd", pts[:, 0, 0, :2], dims=(0,))
    words = np.array([[f"{a}{t}" for t in range(4)] for a in "xyz"], dtype=object)
    e.describe("state {0}", (0, 1), words)
    return e, pts


def test_every_state_comes_back_to_the_16_bit_fraction():
    e, pts = _small()
    spec, data = e.spec_and_data()
    line = spec["layers"][0]
    for a in range(3):
        for t in range(4):
            got = ex.layer_points(spec, data, line, (a, t))
            want = np.stack([(pts[a, t, ..., 0] + 1) / 4, pts[a, t, ..., 1] / 10], axis=-1)
            assert np.array_equal(np.isnan(got), np.isnan(want))
            assert np.nanmax(np.abs(got - want)) <= 0.5 / ex.SCALE + 1e-12
            assert e.describe_state((a, t)) == f"state {'xyz'[a]}{t}"


def test_shapes_off_the_axes_are_held_a_tenth_beyond_them():
    e = ex.Explorer([ex.Control("a", ["1"])])
    p = e.panel("P", ex.Axis("u", 0, 1, (0, 1)), ex.Axis("v", 0, 1, (0, 1)))
    e.dots(p, "gd", np.array([[[5.0, -7.0]]]), dims=(0,))
    e.describe("{0}", (0,), np.array(["1"], dtype=object))
    spec, data = e.spec_and_data()
    assert ex.layer_points(spec, data, spec["layers"][0], (0,)).tolist() == [[[1.1, -0.1]]]


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda e, p: e.line(p, "gd", np.zeros((2, 4, 1, 3, 2)), dims=(0, 1)),
            r"dims \(0, 1\) need leading sizes \(3, 4\)",
        ),
        (lambda e, p: e.line(p, "purple", np.zeros((3, 1, 3, 2)), dims=(0,)), r"style 'purple' is unknown"),
        (lambda e, p: e.dots(7, "gd", np.zeros((3, 2)), dims=(0,)), r"panel 7 does not exist"),
        (lambda e, p: e.line(p, "gd", np.zeros((3, 1, 3, 2)), dims=(0,), upto=5), r"upto=5 is not a control"),
        (
            lambda e, p: e.describe("{0}", (0,), np.array(["a", "b"], dtype=object)),
            r"dims \(0,\) need leading sizes \(3,\)",
        ),
        (
            lambda e, p: e.dots(p, "gd", np.zeros((3, 2, 2)), dims=(0, 2)),
            r"control 2 does not exist: it has 2 \(a, t\)",
        ),
        (lambda e, p: e.describe("{0:.2f}", (0,), np.array(["a", "b", "c"], dtype=object)), r"'\{0:\.2f\}'"),
        (lambda e, p: e.describe("{a} {0}", (0,), np.array(["a", "b", "c"], dtype=object)), r"'\{a\}'"),
        (lambda e, p: e.describe("{0} {1}", (0,), np.array(["a", "b", "c"], dtype=object)), r"'\{1\}'"),
        (lambda e, p: e.describe("{0!r}", (0,), np.array(["a", "b", "c"], dtype=object)), r"'\{0!r\}'"),
        (lambda e, p: e.describe("{0:}", (0,), np.array(["a", "b", "c"], dtype=object)), r"'\{0:\}'"),
        (lambda e, p: e.describe("{0} }", (0,), np.array(["a", "b", "c"], dtype=object)), r"got '\}'"),
    ],
)
def test_a_wrong_layer_is_one_clear_error(make, message):
    e = ex.Explorer([ex.Control("a", ["x", "y", "z"]), ex.Control("t", ["0", "1", "2", "3"])])
    p = e.panel("P", ex.Axis("u", 0, 1, (0, 1)), ex.Axis("v", 0, 1, (0, 1)))
    with pytest.raises(ValueError, match=message):
        make(e, p)


def test_controls_and_sizes_are_checked():
    with pytest.raises(ValueError, match="distinct labels"):
        ex.Control("a", ["1", "1"])
    with pytest.raises(ValueError, match="initial 3"):
        ex.Control("a", ["1", "2"], 3)
    with pytest.raises(ValueError, match="states"):
        ex.Explorer([ex.Control("a", [str(k) for k in range(1001)]), ex.Control("b", [str(k) for k in range(1001)])])
    e = ex.Explorer([ex.Control("a", ["1"])])
    e.panel("P", ex.Axis("u", 0, 1, (0, 1)), ex.Axis("v", 0, 1, (0, 1)))
    with pytest.raises(ValueError, match="describe"):
        e.spec_and_data()


def test_its_files_are_an_explorer_the_pipeline_accepts():
    e, _ = _small()
    e.print_states = [(0, 0), (2, 3)]
    files = style.draw(lambda res: e, {})
    assert outputs.problem("figures", files) is None
    meta = json.loads(files["figure.json"])
    assert meta["explorer"]["states"] == 12 and meta["explorer"]["print_states"] == 2
    svg = files["figure.print.svg"].decode()
    assert "a z, t 3" in svg and svg.count("<polyline") >= 2
    assert re.search(rb"^\(window\.cgFiles", files["figure.explorer.bin.js"])


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_explorers_dark_looks_are_drawn_for_the_dark_page(solutions_site):
    """Material's slate page (hsl(225, 15%, 14%), computed here): every ink of every
    explorer the build made stands out on it (WCAG's 4.5:1), and a hollow marker,
    filled with the page's white in light, is filled with the slate in dark."""
    import colorsys

    slate = "#" + "".join(f"{round(c * 255):02x}" for c in colorsys.hls_to_rgb(225 / 360, 0.14, 0.15))
    specs = sorted(solutions_site.glob("*/figures/*.explorer.json"))
    assert specs
    for path in specs:
        styles = json.loads(path.read_text(encoding="utf-8"))["styles"]
        for name, dark in styles["dark"].items():
            light = styles["light"][name]
            for ink in ("stroke", "fill"):
                if dark.get(ink, "none") == "none":
                    continue
                if light[ink].lower() == "#ffffff":
                    assert dark[ink].lower() == slate, (path.name, name, ink)
                else:
                    assert _contrast(dark[ink], slate) >= 4.5, (path.name, name, ink, dark[ink])


def test_the_page_budget_counts_the_sentences_and_controls_too(tmp_path):
    """What a student's browser fetches is the spec (controls, sentences) and the shapes:
    sentences of a few kB per state pass the budget with little shape data, and stop the
    figure with one line that says what to cut."""
    values = [f"{k / 1000:.3f}" for k in range(1000)]
    e = ex.Explorer([ex.Control("alpha", values)])
    p = e.panel("P", ex.Axis("u", 0.0, 1.0, (0.0, 1.0)), ex.Axis("v", 0.0, 1.0, (0.0, 1.0)))
    e.dots(p, "gd", np.full((1000, 1, 2), 0.5), dims=(0,))
    e.describe("{0}", (0,), np.array([v * 1500 for v in values], dtype=object))  # 7.5 kB a state
    assert len(e.spec_and_data()[1]) < ex.MAX_BYTES / 1000  # the shapes alone are small
    with pytest.raises(
        ValueError, match=r"bytes to fetch \(4,000 of shapes, 7,5\d\d,\d\d\d of controls and sentences\)"
    ):
        ex.save_explorer(e, tmp_path / "big")
    assert not list(tmp_path.iterdir())  # nothing half written
