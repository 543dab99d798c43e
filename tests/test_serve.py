"""``make serve`` and ``make site`` of another edition at the same time: the preview's
re-render waits for the build (one lock), and each edition keeps its own docs folder, so
the student site never receives the solutions."""

import threading

from conftest import make_mini_checkout

SOLUTION = "The mean of the data."  # the mini course's only solution sentence


def test_a_serve_rerender_during_a_student_build_waits_and_leaks_nothing(tmp_path, monkeypatch):
    from coursegen import cli
    from coursegen.site import engines as site
    from coursegen.site import serve_hook

    root = make_mini_checkout(tmp_path / "course")
    cache = root / ".cache" / "coursegen"
    for name, value in {
        "COURSEGEN_ROOT": root,
        "COURSEGEN_CACHE": cache,
        "COURSEGEN_EDITION": "solutions",
        "COURSEGEN_JOBS": 1,
        "MPLCONFIGDIR": cache / "mplconfig",
        "SOURCE_DATE_EPOCH": 1700000000,
    }.items():
        monkeypatch.setenv(name, str(value))
    rerendered = threading.Event()
    seen = {}
    config = {}  # MkDocs' config, whose nav the hook refreshes

    def edit_while_building(*args, **kwargs):
        """The worst moment: the student pages are written, MkDocs has not read them yet,
        and the reader of `make serve` saves an edit."""
        hook = threading.Thread(target=lambda: (serve_hook.on_pre_build(config), rerendered.set()))
        hook.start()
        seen["hook"] = hook
        seen["waited"] = not rerendered.wait(timeout=5)
        real_build(*args, **kwargs)

    real_build = site.engine_build
    monkeypatch.setattr(site, "engine_build", edit_while_building)
    assert cli.main(["--root", str(root), "-q", "site", "--edition", "student"]) == 0
    seen["hook"].join(timeout=120)
    assert seen["waited"], "the serve hook re-rendered while another build held the lock"
    assert rerendered.is_set()
    assert config["nav"][1] == {"Mini": [{"Worksheet": "mini/index.md"}]}  # and the nav, from the front matter
    student = "\n".join(p.read_text(encoding="utf-8") for p in (root / "site").rglob("*.html"))
    assert SOLUTION not in student
    assert SOLUTION in (root / ".cache/docs/solutions/mini/index.md").read_text()  # the preview's own pages
    assert SOLUTION not in (root / ".cache/docs/student/mini/index.md").read_text()
