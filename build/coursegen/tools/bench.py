"""``make bench``: the speed figures, as one JSON line on stdout, for whichever course it
runs in. What a course has nothing to measure for (no network training, no naive
drawing, no notebook, no manifest yet) is listed under ``skipped`` with the reason.

- Training: every experiment that trains networks (parameters with ``seeds`` and
  ``steps``: Discussion 1's ``relu_sgd`` sweep) on a 2-process pool whose workers ran
  each such kind once first (numba compiles then): ``sweep_seconds`` (wall),
  ``us_per_network_step`` (worker CPU time per network per SGD step) and each
  experiment's CPU seconds (``sweep_cpu_s``: which runs cost what); then, timed alone,
  the runs each summary compares (``sweep_seconds_by_summary``: one of Discussion 1's
  is the notebook's 180 networks, 3 widths x 2 regimes x 30 seeds).
- Rebuilds, measured as staff meet them, as whole ``coursegen site`` runs in a scratch
  copy of the course sharing this checkout's cache: nothing changed, a sentence added
  to the first worksheet, one of its experiment parameters changed (``*_rebuild_s``,
  wall, MkDocs included; ``edits`` says which).
- Rendering: every animation drawn and encoded again, ``ms_per_frame`` over all their
  frames (``ms_per_frame_worst``: the slowest animation), ``largest_gif_bytes``.
  ``naive_ms_per_frame``: the figure the course's ``course/naive.py`` picks, drawn as a
  notebook would, in the same run; ``naive_ratio`` = naive / ours. Both ways are timed
  in a process that has drawn before (a small animation of the toolkit's own, untimed,
  as the sweep's workers train first): neither pays matplotlib's first use.
- Page weight of the worksheet, as sent and uncompressed (``first_load_bytes``,
  ``total_bytes``, ``*_raw_bytes``), and with every player loaded at 390 px: renderer
  memory and jump time (``renderer_rss_mb``, ``jump_ms``, ``jump_ms_worst``), then with
  every explorer used too: JS heap, renderer memory, state-change times
  (``js_heap_mb``, ``renderer_rss_explored_mb``, ``explorer_*``); coursegen.tools.weight.
- Cold builds: ``coursegen site`` from an empty cache and ``coursegen check``
  (``cold_site_s``, ``cold_check_s``, wall).
- The companion notebook of each worksheet executed headless as the site ships it
  (nbclient, a local kernel; ``notebook_s``: the slowest worksheet's, wall), its size
  (``notebook_code_chars``) and whether each printed its page's numbers
  (``notebooks_agree_with_pages``).
"""

import dataclasses
import importlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from coursegen.commands import build as commands
from coursegen.course import copy_course
from coursegen.figures import style
from coursegen.stages import cache, pipeline, registry, results, units
from coursegen.tools.weight import page_weight, player_costs


def _cli(course: Path, cache_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "coursegen", "--root", str(course), "--cache", str(cache_dir), "-q", *args]


def _site_seconds(paths, course: Path, cache_dir: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(_cli(course, cache_dir or paths.cache, "site", "--jobs", "2"), check=True)
    return round(time.perf_counter() - start, 2)


def _first_sheet(course: Path) -> Path:
    return course / "content" / commands.discover(course / "content", course)[0].name


def prose_edit(course: Path) -> str:
    """A sentence added at the end of the first worksheet's page, as staff add one."""
    page = _first_sheet(course) / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n\nA sentence staff just added.\n", encoding="utf-8")
    return f"{page.relative_to(course).as_posix()}: a sentence added"


_TABLE = re.compile(r"^\s*\[experiments\.([\w-]+)\]")
_NUMBER = re.compile(r"^(\s*([\w-]+)\s*=\s*)(-?\d+(\.\d+)?)(?=\s*(#|$))")


def param_edit(course: Path) -> str | None:
    """One parameter of the first worksheet changed as staff change one: its first
    decimal field of an experiment (times 1.25), else its first whole number (plus 1).
    Returns what was changed, or None when no experiment states a number."""
    sheet = _first_sheet(course)
    found = {}  # "float" / "int" -> (path, lines, line number, match, table)
    for path in sorted(sheet.glob("*.toml")):
        lines, table = path.read_text(encoding="utf-8").split("\n"), None
        for i, line in enumerate(lines):
            if line.lstrip().startswith("["):
                table = m.group(1) if (m := _TABLE.match(line)) else None
            elif table and (m := _NUMBER.match(line)):
                found.setdefault("float" if m.group(4) else "int", (path, lines, i, m, table))
    if not found:
        return None
    path, lines, i, m, table = found.get("float") or found["int"]
    old = m.group(3)
    new = repr(float(old) * 1.25) if m.group(4) else str(int(old) + 1)
    lines[i] = m.group(1) + new + lines[i][m.end(3) :]
    path.write_text("\n".join(lines), encoding="utf-8")
    return f"{path.relative_to(course).as_posix()}: experiments.{table}.{m.group(2)} {old} -> {new}"


def rebuild_times(paths, course: Path) -> dict:
    """Whole rebuilds of ``course`` (a scratch copy, edited here): nothing changed, prose
    edited, one parameter changed; ``edits`` says what was edited."""
    _site_seconds(paths, course)  # warm: whatever is not cached yet
    times = {"noop_rebuild_s": _site_seconds(paths, course), "edits": [prose_edit(course)]}
    times["prose_edit_rebuild_s"] = _site_seconds(paths, course)
    changed = param_edit(course)
    if changed is None:
        times["skipped"] = {"one_param_rebuild_s": "no experiment of the first worksheet states a number"}
    else:
        times["edits"].append(changed)
        times["one_param_rebuild_s"] = _site_seconds(paths, course)
    return times


def _naive():
    """The course's notebook-way drawing (``course/naive.py``: ``compares(kind, results)``
    picks the figure, ``naive_seconds_per_frame(results)`` times it), if it has one."""
    try:
        return importlib.import_module(f"{registry.PACKAGE}.naive")
    except ModuleNotFoundError as e:
        if e.name not in (registry.PACKAGE, f"{registry.PACKAGE}.naive"):
            raise
        return None


def animations(paths, site_dir: Path) -> dict:
    """Draw and encode every animation again from cached results, timing each frame;
    then the figure the course's ``naive`` module picks drawn its naive way, timed in
    the same run. ``ms_per_frame`` counts the time of both renderings (light and dark)
    against the frames of one."""
    naive_way = _naive()
    store = cache.Store(paths.cache)
    runtime = units.Runtime.here()
    seconds, frames, worst, naive = 0.0, 0, 0.0, None
    _draw_a_small_animation()
    for sheet in commands.discover(paths.content, paths.root):
        for fig in sheet.figures.values():
            inputs = [store.get("results", pipeline.experiment_key(sheet.experiments[n])) for n in fig.experiments]
            npzs = [entry.paths["results.npz"].read_bytes() for entry in inputs]
            files, took = units.run(units.Unit.of(fig), runtime, npzs)
            if "figure.gif" not in files:
                continue
            n = len(json.loads(files["figure.json"])["labels"])
            seconds, frames, worst = seconds + took, frames + n, max(worst, took / n)
            if naive_way and naive is None and naive_way.compares(fig.kind, res := results.Lazy(npzs[0])):
                naive = naive_way.naive_seconds_per_frame(res)
    if not frames:
        return {"skipped": {"ms_per_frame": "the course has no animation"}}
    ms = seconds / frames * 1e3
    times = {
        "ms_per_frame": round(ms, 2),
        "ms_per_frame_worst": round(worst * 1e3, 2),
        "largest_gif_bytes": max(p.stat().st_size for p in site_dir.rglob("*.gif")),
    }
    if naive is None:
        why = "no course/naive.py" if naive_way is None else "course/naive.py compares no figure of the course"
        times["skipped"] = {"naive_ms_per_frame": why}
    else:
        times.update(naive_ms_per_frame=round(naive * 1e3, 2), naive_ratio=round(naive * 1e3 / ms, 1))
    return times


def _draw_a_small_animation() -> None:
    """An animation of the toolkit's own (a point, a text board, two frames), drawn
    untimed before the course's: the process's first use of the Agg canvas, fonts and
    math is not counted against whichever animation comes first, and no figure of the
    course is drawn twice (its caches would then be warm)."""
    fig = style.new_figure(2.0, 1.5)
    ax = fig.subplots()
    (point,) = ax.plot([], [], marker="o")
    board = style.TextBoard(ax, [["step 0"], ["step 1"]])
    ax.set(xlabel="$x$", ylabel="$y$", xlim=(0, 2), ylim=(0, 1), title="warm")
    grabber = style.FrameGrabber(fig, [point])
    frames = []
    for k in range(2):
        point.set_data([k], [0.5])
        frames.append(grabber.grab())
        board.draw(frames[-1], [f"step {k}"])
    with tempfile.TemporaryDirectory(prefix="coursegen-bench-") as tmp:
        style.save_animation(fig, frames, Path(tmp) / "warm", 100, ["step 0", "step 1"], "step")


def cold_build(paths, scratch: Path) -> dict:
    """``coursegen site`` and ``coursegen check`` from an empty cache (wall seconds), in
    a fresh copy of the course (the rebuild timings edited theirs)."""
    course = copy_course(paths.root, scratch / "cold")
    site_s = _site_seconds(paths, course, cache_dir=scratch / "cold-cache")
    if not paths.manifest.is_file():
        return {"cold_site_s": site_s, "skipped": {"cold_check_s": "no manifest.json (coursegen lock-figures)"}}
    shutil.copy2(paths.manifest, course / "manifest.json")
    start = time.perf_counter()
    checked = subprocess.run(
        _cli(course, paths.cache, "check", "--jobs", "2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return {
        "cold_site_s": site_s,
        "cold_check_s": round(time.perf_counter() - start, 2),
        "cold_check_matches": checked.returncode == 0,
    }


def notebook_times(site_dir: Path) -> dict:
    """Wall seconds to execute each worksheet's notebook as the site ships it (the
    slowest worksheet's, ``notebook_s``), its characters of code (``notebook_code_chars``,
    the largest), and whether every run printed its page's numbers
    (``notebooks_agree_with_pages``: the tests run Section 2 on fewer steps only; a
    cell's error is in ``notebook_errors``)."""
    notebooks = sorted(site_dir.glob("*/*.ipynb"))
    if not notebooks:
        return {"skipped": {"notebook_s": "no worksheet has a companion notebook"}}
    try:  # tools of the tests (requirements-dev.lock), not of a course's site
        import nbclient
        import nbformat
        from nbclient.exceptions import CellExecutionError
    except ImportError as e:
        return {"skipped": {"notebook_s": f"{e.name.split('.')[0]} is not installed (pip install nbclient ipykernel)"}}
    times = {"notebook_s": 0.0, "notebook_code_chars": 0, "notebooks_agree_with_pages": True}
    for path in notebooks:
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        code = sum(len(c.source) + 1 for c in nb.cells if c.cell_type == "code")
        times["notebook_code_chars"] = max(times["notebook_code_chars"], code)
        start = time.perf_counter()
        try:
            nbclient.NotebookClient(nb, kernel_name="python3", timeout=600).execute()
        except CellExecutionError as e:  # the notebook's own failure: measured, and said
            times["notebooks_agree_with_pages"] = False
            times.setdefault("notebook_errors", {})[path.relative_to(site_dir).as_posix()] = str(e).strip()[-300:]
            continue
        except Exception as e:  # no kernel, or one that does not start: nothing to measure with
            why = f"{type(e).__name__}: {e}".splitlines()[0][:200]
            return {"skipped": {"notebook_s": f"the python3 Jupyter kernel did not run ({why}; pip install ipykernel)"}}
        times["notebook_s"] = max(times["notebook_s"], round(time.perf_counter() - start, 1))
        printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
        times["notebooks_agree_with_pages"] &= re.search(r"All \d+ values agree with the page\.", printed) is not None
    return times


def _fields(params) -> set[str]:
    return {f.name for f in dataclasses.fields(params)}


def _networks(params) -> bool:
    """Parameters that train networks: seeds and SGD steps (``relu_sgd``'s)."""
    return {"seeds", "steps"} <= _fields(params)


def sweep(paths, jobs: int = 2) -> dict:
    """The training sweep: every experiment of the course that trains networks (seeds and
    steps), not from the cache, on a pool whose workers ran each such kind once first."""
    sheets = commands.discover(paths.content, paths.root)
    sweep_exps = [e for s in sheets for e in s.experiments.values() if _networks(e.params)]
    if not sweep_exps:
        return {"skipped": {"sweep_seconds": "no experiment trains networks (parameters with seeds and steps)"}}
    compared = {  # the summaries that compare network runs only: a sweep a page states
        f"{s.name}/{name}": [s.experiments[e] for e in summary.experiments]
        for s in sheets
        for name, summary in s.summaries.items()
        if all(_networks(s.experiments[e].params) for e in summary.experiments)
    }
    warm = {e.kind: _tiny(e.params) for e in sweep_exps}  # the first of each kind, shrunk
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_warm, [warm] * jobs))  # every worker has compiled before the clock starts
        wall, work = _timed(pool, sweep_exps)
        by_summary = {name: round(_timed(pool, exps)[0], 2) for name, exps in compared.items()}
    network_steps = sum(len(e.params.seeds) * e.params.steps for e in sweep_exps)
    return {
        "sweep_seconds": round(wall, 2),
        "sweep_seconds_by_summary": by_summary,
        "us_per_network_step": round(sum(work) / network_steps * 1e6, 3),
        "sweep_network_steps": network_steps,
        "sweep_cpu_s": {f"{e.sheet}/{e.name}": round(t, 2) for e, t in zip(sweep_exps, work, strict=True)},
    }


def _timed(pool, exps) -> tuple[float, list[float]]:
    """Wall seconds to train ``exps`` on ``pool``, and each one's CPU seconds."""
    start = time.perf_counter()
    work = list(pool.map(_train, exps))
    return time.perf_counter() - start, work


def _tiny(params) -> dict:
    """``params`` as a run of seconds: one seed, 10 steps (and 2 snapshots if it takes any)."""
    shrunk = {"seeds": tuple(params.seeds)[:1], "steps": 10}
    if "n_snapshots" in _fields(params):
        shrunk["n_snapshots"] = 2
    return dataclasses.asdict(dataclasses.replace(params, **shrunk))


def _warm(runs: dict) -> None:
    runtime = units.Runtime.here()
    for kind, params in runs.items():
        units.run(
            units.Unit(units.UnitKind.EXPERIMENT, "", "warm", kind, tuple(sorted(params.items())), (), ""), runtime, []
        )
    time.sleep(0.2)  # so that every worker gets one


def _train(exp) -> float:
    """CPU seconds of one experiment (immune to what else the machine is doing)."""
    start = time.process_time()
    units.run(units.Unit.of(exp), units.Runtime.here(), [])
    return time.process_time() - start


def main(paths, args, log) -> int:
    figures = {"skipped": {}}

    def add(part: dict) -> None:  # what a course has nothing to measure for is named, not failed
        figures["skipped"].update(part.pop("skipped", {}))
        figures.update(part)

    add(sweep(paths))
    log(f"bench: training sweep {figures.get('sweep_seconds', 'skipped')} s")
    with tempfile.TemporaryDirectory(prefix="coursegen-bench-") as tmp:
        course = copy_course(paths.root, Path(tmp) / "course")
        add(rebuild_times(paths, course))
        log("bench: rebuilds timed")
        add(animations(paths, course / "site"))
        log("bench: animations timed")
        add(page_weight(course / "site"))
        add(player_costs(course / "site"))
        log("bench: page weight and player memory measured")
        add(cold_build(paths, Path(tmp)))
        log("bench: cold site and check timed")
        add(notebook_times(course / "site"))
        log("bench: notebooks executed")
    print(json.dumps(figures, sort_keys=True))
    return 0
