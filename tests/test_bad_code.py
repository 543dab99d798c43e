"""Course code that goes wrong (an experiment or figure function raising, a figure
function writing no file, a file too many or too few, or the wrong type, or breaking the
player's contract) stops the build with one line naming the figure and the code's file
and line; nothing broken is cached."""

import re

import pytest

from coursegen.commands import build as commands
from coursegen.errors import BuildError
from coursegen.figures import style
from coursegen.stages import cache, executors, limits, pipeline, registry

from conftest import make_mini_checkout, run_cli

SVG = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'


def raises(res, out, **options):
    return 1 / 0


def writes_nothing(res, out, **options):
    pass


def writes_a_png_named_svg(res, out, **options):
    out.with_suffix(".svg").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(8))
    out.with_name(out.name + "-dark.svg").write_text(SVG)
    out.with_suffix(".json").write_text("{}")


def writes_half_an_animation(res, out, **options):
    out.with_suffix(".gif").write_bytes(b"GIF89a" + bytes(8))


def writes_an_svg(res, out, **options):
    """What a static figure writes: the light and dark SVGs and the figure's facts."""
    out.with_suffix(".svg").write_text(SVG)
    out.with_name(out.name + "-dark.svg").write_text(SVG)
    out.with_suffix(".json").write_text("{}")


def writes_an_extra_file(res, out, **options):
    writes_an_svg(res, out)
    out.with_suffix(".csv").write_text("x,y\n")


def writes_no_dark_rendering(res, out, **options):
    out.with_suffix(".svg").write_text(SVG)
    out.with_suffix(".json").write_text("{}")


def labels_two_frames_alike(res, out, **options):
    fig = style.new_figure(2.0, 1.5)
    (line,) = fig.subplots().plot([0, 1], [0, 1])
    grabber = style.FrameGrabber(fig, [line])
    style.save_animation(fig, [grabber.grab(), grabber.grab()], out, 100, ["the line", "the line"], slider="frame")


def yields_too_many_frames(res, **options):
    """The short form (a generator): the toolkit stops it past the frame limit, with no
    frame of it running; the line is the function's own."""
    fig = style.new_figure(2.0, 1.5)
    fig.subplots()
    yield fig
    for k in range(limits.MAX_FRAMES + 1):
        yield f"step {k}"


CASES = {
    raises: r"figure 'anim' \(gd_animation\) failed: ZeroDivisionError: division by zero "
    r"\(tests/test_bad_code\.py, line \d+, in raises\)",
    writes_nothing: r"failed: writes_nothing \(tests/test_bad_code\.py, line \d+\) wrote no file; "
    r"expected figure-dark\.svg\+figure\.json\+figure\.svg or figure-dark\.gif\+",
    writes_a_png_named_svg: r"writes_a_png_named_svg \(tests/test_bad_code\.py, line \d+\) figure\.svg is not a valid SVG",
    writes_half_an_animation: r"writes_half_an_animation \(tests/test_bad_code\.py, line \d+\) wrote figure\.gif; expected",
    writes_an_extra_file: r"writes_an_extra_file \(tests/test_bad_code\.py, line \d+\) wrote figure-dark\.svg, "
    r"figure\.csv, figure\.json, figure\.svg; expected figure-dark\.svg\+figure\.json\+figure\.svg or ",
    writes_no_dark_rendering: r"writes_no_dark_rendering \(tests/test_bad_code\.py, line \d+\) wrote figure\.json, "
    r"figure\.svg; expected figure-dark\.svg\+figure\.json\+figure\.svg or ",
    labels_two_frames_alike: r"failed: ValueError: save_animation: frames 0 and 1 have the same label 'the line'; "
    r"labels must differ.* \(tests/test_bad_code\.py, line \d+, in labels_two_frames_alike\)$",
    yields_too_many_frames: r"failed: ValueError: record: \d+ frames, more than the limit.* "
    r"\(tests/test_bad_code\.py, line \d+, in yields_too_many_frames\)$",
}


@pytest.fixture
def mini(tmp_path):
    root = make_mini_checkout(tmp_path / "course")
    return commands.discover(root / "content", root), cache.Store(tmp_path / "cache")


@pytest.mark.parametrize("function", CASES, ids=lambda f: f.__name__)
def test_a_broken_figure_function_is_named_with_its_file_and_line(mini, monkeypatch, function):
    sheets, store = mini
    monkeypatch.setitem(registry.kinds().figures, "gd_animation", function)
    with pytest.raises(BuildError, match=CASES[function]) as failure:
        pipeline.build(sheets, store, executors.Inline())
    assert str(failure.value).startswith("content/mini/params.toml: figure 'anim' (gd_animation)")
    assert "\n" not in str(failure.value)
    assert not list(store.root.glob("figures/*/index.json"))  # nothing cached


def test_a_raising_figure_keeps_its_traceback_for_the_traceback_option(mini, monkeypatch):
    sheets, store = mini
    monkeypatch.setitem(registry.kinds().figures, "gd_animation", raises)
    with pytest.raises(BuildError, match="ZeroDivisionError") as failure:
        pipeline.build(sheets, store, executors.Inline())
    assert re.search(r'File ".*test_bad_code\.py", line \d+, in raises', failure.value.trace)


def test_a_well_behaved_replacement_is_cached(mini, monkeypatch):
    sheets, store = mini
    monkeypatch.setitem(registry.kinds().figures, "gd_animation", writes_an_svg)
    built = pipeline.build(sheets, store, executors.Inline())
    assert [o.path for o in built.outputs if o.path.startswith("figures/")] == [
        "figures/mini/anim-dark.svg",
        "figures/mini/anim.json",
        "figures/mini/anim.svg",
    ]


# Course code that does not even import: the line names the file (with its line), what is
# wrong, and for a missing library which one to install.
UNLOADABLE = {
    "syntax": ("def broken(:\n    pass\n", r"course/experiments/bad\.py, line 1: SyntaxError: invalid syntax"),
    "missing library": (
        "import numpy\nimport nosuchlibrary\n",
        r"No module named 'nosuchlibrary' \(course/experiments/bad\.py, line 2, in <module>\); install 'nosuchlibrary'",
    ),
    "raises on import": ("x = 1 / 0\n", r"ZeroDivisionError: division by zero \(course/experiments/bad\.py, line 1"),
}


@pytest.mark.parametrize("case", UNLOADABLE)
def test_course_code_that_does_not_import_is_named_by_file_and_line(tmp_path, case):
    root = make_mini_checkout(tmp_path / "c", link_code=False)
    source, expected = UNLOADABLE[case]
    (root / "course" / "experiments" / "bad.py").write_text(source)
    result = run_cli(root, "site", own_process=True)
    assert result.returncode == 1 and not (root / "site").exists()
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert re.search(expected, result.stderr), result.stderr


def test_a_missing_result_in_a_figure_function_names_the_results_it_has(mini, monkeypatch):
    sheets, store = mini

    def reads_a_missing_result(res, out, **options):
        return res["tolerance"]

    monkeypatch.setitem(registry.kinds().figures, "gd_animation", reads_a_missing_result)
    with pytest.raises(BuildError) as failure:
        pipeline.build(sheets, store, executors.Inline())
    message = str(failure.value)
    assert "KeyError: \"no result 'tolerance'; the results are: " in message and "theta_star" in message
