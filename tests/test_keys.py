"""A unit's cache key is one function of everything that shapes its bytes (``units.key``).

Each part is changed on its own and the key must move: every field of every registered
experiment's parameters, every keyword-only option of every registered figure, the
kind, the inputs, the bytes of a module the unit imports (of the course and of
coursegen) and the library versions. A long-lived process (``coursegen serve``) reruns
what an edit touched, and the student rendering of a figure is never its solutions file.
"""

import dataclasses
import inspect
import typing

import pytest

from coursegen.stages import cache, pipeline, registry, units
from coursegen.stages.parameters import Experiment, Figure, params_type
from coursegen.stages.units import Unit

from conftest import CACHE, REPO, make_mini_checkout, run_cli

pytestmark = pytest.mark.timeout(300)


def _other(value, annotation):
    """A value of the same type that differs from ``value``."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value * 1.5 + 0.25
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, tuple):
        (item, _) = typing.get_args(annotation)
        return (*value, _other(value[-1], item)) if value else (_other(item(), item),)
    raise AssertionError(f"no other value for {value!r}")


def _experiment_fields():
    for kind, function in sorted(registry.kinds().experiments.items()):
        cls = params_type(function)
        hints = typing.get_type_hints(cls)
        for field in dataclasses.fields(cls):
            yield pytest.param(kind, field.name, hints[field.name], id=f"{kind}.{field.name}")


def _figure_options():
    for kind, function in sorted(registry.kinds().figures.items()):
        hints = typing.get_type_hints(function)
        for p in inspect.signature(function).parameters.values():
            if p.kind is p.KEYWORD_ONLY:
                yield pytest.param(kind, p.name, p.default, hints[p.name], id=f"{kind}.{p.name}")


def _experiment(kind: str, **fields) -> Experiment:
    params = params_type(registry.kinds().experiments[kind])(**fields)
    return Experiment("s", "e", kind, params, "content/s/p.toml")


def _figure(kind: str, options: dict, experiments=("e",), many=False) -> Figure:
    return Figure("s", "f", kind, experiments, many, "c", "a", tuple(sorted(options.items())), "content/s/p.toml")


@pytest.mark.parametrize(("kind", "name", "annotation"), list(_experiment_fields()))
def test_every_parameter_moves_its_experiments_key(kind, name, annotation):
    default = _experiment(kind)
    changed = _experiment(kind, **{name: _other(getattr(default.params, name), annotation)})
    assert units.key(Unit.of(changed), []) != units.key(Unit.of(default), [])


@pytest.mark.parametrize(("kind", "name", "default", "annotation"), list(_figure_options()))
def test_every_figure_option_moves_its_figures_key(kind, name, default, annotation):
    value = default if default is not inspect.Parameter.empty else annotation()
    plain, changed = _figure(kind, {}), _figure(kind, {name: _other(value, annotation)})
    assert units.key(Unit.of(changed), ["0" * 64]) != units.key(Unit.of(plain), ["0" * 64])
    assert units.key(Unit.of(_figure(kind, {name: value})), ["0" * 64]) != units.key(
        Unit.of(_figure(kind, {name: _other(value, annotation)})), ["0" * 64]
    )


def test_kind_inputs_and_list_form_move_a_figures_key():
    kind, other = sorted(registry.kinds().figures)[:2]
    base = units.key(Unit.of(_figure(kind, {})), ["a" * 64])
    assert units.key(Unit.of(_figure(other, {})), ["a" * 64]) != base
    assert units.key(Unit.of(_figure(kind, {})), ["b" * 64]) != base
    assert units.key(Unit.of(_figure(kind, {}, many=True)), ["a" * 64]) != base


def test_the_kind_moves_the_key_of_two_kinds_in_one_module():
    """Two figure functions of one module, with the same options and inputs: switching a
    figure from one to the other (its code hash the same) must draw it again."""
    by_module = {}
    for kind, function in sorted(registry.kinds().figures.items()):
        by_module.setdefault(function.__module__, []).append(kind)
    kind, other = next(kinds for kinds in by_module.values() if len(kinds) > 1)[:2]
    assert units.key(Unit.of(_figure(kind, {})), ["a" * 64]) != units.key(Unit.of(_figure(other, {})), ["a" * 64])


def test_an_import_added_to_a_module_is_followed_in_a_long_lived_process(monkeypatch):
    """``serve`` and a Dask worker live on: a module edited to import one more module has
    that module in its closure (and its bytes in the key) at once."""
    module, added = "coursegen.stages.limits", "coursegen.tools.weight"
    assert added not in units.closure(module)
    edited = units.generator_sources()[module] + f"\nimport {added}\n".encode()
    sources = {**units.generator_sources(), module: edited}
    monkeypatch.setattr(units, "generator_sources", lambda: sources)
    assert added in units.closure(module)


def test_a_worker_with_other_library_versions_refuses_to_run(monkeypatch):
    """Its bytes would be cached under the build's key."""
    from coursegen.errors import BuildError

    runtime = units.Runtime.here()
    versions = {**cache.library_versions(), "numpy": "0.0"}
    monkeypatch.setattr(units, "library_versions", lambda: versions)
    with pytest.raises(BuildError, match=r"this worker's libraries differ from the build's: numpy 0\.0"):
        runtime.load()


@pytest.mark.parametrize("module", ["coursegen.figures.style", "coursegen.figures.gif", "coursegen.stages.results"])
def test_the_bytes_of_a_coursegen_module_the_unit_runs_move_the_key(monkeypatch, module):
    """The toolkit a figure imports, and the code that runs every unit (units.py and
    what it imports: the results' writer, the short form's savers)."""
    assert module in units.closure(units.__name__)
    exp, fig = _experiment("gd_constant"), _figure("gd_animation", {})
    before = units.key(Unit.of(exp), []), units.key(Unit.of(fig), ["0" * 64])
    sources = {**units.generator_sources(), module: units.generator_sources()[module] + b"\n# an edit\n"}
    monkeypatch.setattr(units, "generator_sources", lambda: sources)
    assert units.key(Unit.of(fig), ["0" * 64]) != before[1]
    assert units.key(Unit.of(exp), []) != before[0]


def test_a_coursegen_module_no_unit_runs_moves_no_key(monkeypatch):
    module = "coursegen.tools.bench"
    assert module not in units.closure(units.__name__) | units.closure("course.figures.gd")
    fig = _figure("gd_animation", {})
    before = units.key(Unit.of(fig), ["0" * 64])
    sources = {**units.generator_sources(), module: units.generator_sources()[module] + b"\n# an edit\n"}
    monkeypatch.setattr(units, "generator_sources", lambda: sources)
    assert units.key(Unit.of(fig), ["0" * 64]) == before


def test_a_library_version_moves_every_key(monkeypatch):
    exp = _experiment("gd_constant")
    before = units.key(Unit.of(exp), [])
    versions = {**cache.library_versions(), "numpy": "0.0"}
    monkeypatch.setattr(units, "library_versions", lambda: versions)
    assert units.key(Unit.of(exp), []) != before


def test_an_edited_course_module_is_reloaded_and_moves_only_its_units_keys(tmp_path):
    """What ``coursegen serve`` does: the same process loads the course again after an edit."""
    root = make_mini_checkout(tmp_path / "course", link_code=False)
    registry.load(root)
    exp, fig = _experiment("gd_constant"), _figure("gd_animation", {})
    before = units.key(Unit.of(exp), []), units.key(Unit.of(fig), ["0" * 64])
    with (root / "course" / "figures" / "gd.py").open("a") as f:
        f.write("\nEDITED = True\n")
    kinds = registry.load(root)
    assert kinds.figures["gd_animation"].__module__ == "course.figures.gd"
    assert registry.kinds().figures["gd_animation"].__globals__["EDITED"]  # the edited bytes run
    assert units.key(Unit.of(fig), ["0" * 64]) != before[1]
    assert units.key(Unit.of(exp), []) == before[0]
    same_size = (root / "course" / "experiments" / "gd.py").read_bytes().replace(b"import", b"import", 1)
    (root / "course" / "experiments" / "gd.py").write_bytes(same_size.replace(b'"""', b"'''", 2))
    registry.load(root)
    assert units.key(Unit.of(exp), []) != before[0]  # an edit of the same size is still an edit


def _edit_mini_code(root, colour_from: bytes, colour_to: bytes, label: bytes):
    figure = root / "course" / "figures" / "gd.py"
    data = figure.read_bytes()
    assert colour_from in data
    figure.write_bytes(data.replace(colour_from, colour_to, 1))
    experiment = root / "course" / "experiments" / "gd.py"
    experiment.write_bytes(experiment.read_bytes() + b"\n" + label + b" = 1\n")


def test_a_long_lived_process_reruns_an_edited_experiment_and_figure(tmp_path):
    """Two builds in one process (as ``serve`` rebuilds), the experiment's and the
    figure's modules edited between them: both rerun, and the new figure differs."""
    root = make_mini_checkout(tmp_path / "course", link_code=False)
    cache_dir = tmp_path / "cache"
    first = run_cli(root, "site", cache=cache_dir, quiet=False)
    assert first.returncode == 0, first.stderr
    gif = root / "site" / "mini" / "figures" / "anim.gif"
    old = gif.read_bytes()
    _edit_mini_code(root, b"frame_ms: int = 160", b"frame_ms: int = 170", b"EDITED")
    second = run_cli(root, "site", cache=cache_dir, quiet=False)
    assert second.returncode == 0, second.stderr
    assert "experiments: 1 run, 0 cached" in second.stdout
    assert "figures: 1 run, 0 cached" in second.stdout
    assert gif.read_bytes() != old
    third = run_cli(root, "site", cache=cache_dir, quiet=False)
    assert "figures: 0 run, 1 cached" in third.stdout and gif.read_bytes() != old


def test_a_figures_student_rendering_is_its_own_file(solutions_site):
    """Every figure with a student rendering: the two are different files with different
    bytes (a key without the options would give both the solution's bytes)."""
    from coursegen.commands import build as commands

    sheets = commands.discover(REPO / "content", REPO)
    pairs = [(s.name, f.name, f.student) for s in sheets for f in s.figures.values() if f.student]
    assert pairs, "no figure has a student rendering"
    store = cache.Store(CACHE)
    for sheet in sheets:
        for fig in sheet.figures.values():
            if not fig.student:
                continue
            student = sheet.figures[fig.student]
            shas = [
                store.get("results", units.key(Unit.of(sheet.experiments[n]), [])).sha256["results.npz"]
                for n in fig.experiments
            ]
            ours = store.get("figures", units.key(Unit.of(fig), shas))
            theirs = store.get("figures", units.key(Unit.of(student), shas))
            assert ours is not None and theirs is not None
            assert ours.paths["figure.json"] != theirs.paths["figure.json"]
            for name in ours.paths:
                if name.endswith((".svg", ".gif", ".png")):
                    assert ours.paths[name].read_bytes() != theirs.paths[name].read_bytes(), (fig.name, name)


def test_a_data_file_of_the_course_code_moves_every_key(tmp_path):
    """A module may read a file beside it at run time; no import statement says so."""
    root = make_mini_checkout(tmp_path / "course", link_code=False)
    registry.load(root)
    exp = _experiment("gd_constant")
    before = units.key(Unit.of(exp), [])
    (root / "course" / "experiments" / "mean.txt").write_text("1.0\n")
    registry.load(root)
    with_data = units.key(Unit.of(exp), [])
    (root / "course" / "experiments" / "mean.txt").write_text("3.0\n")
    registry.load(root)
    third = units.key(Unit.of(exp), [])
    assert len({before, with_data, third}) == 3
    (root / "course" / "experiments" / ".mean.txt.swp").write_text("an editor's")
    registry.load(root)
    assert units.key(Unit.of(exp), []) == third  # an editor's hidden file is no input


def test_the_bytes_of_a_course_module_the_unit_imports_move_the_key(monkeypatch):
    """A course's experiment imports its helpers (Section 2's numba kernel): an edit of
    the helper reruns the experiment."""
    helper = "course.experiments.relu_kernel"
    assert helper in units.closure("course.experiments.relu")
    exp = _experiment("relu_sgd")
    before = units.key(Unit.of(exp), [])
    sources = units._sources()
    edited = {**sources, helper: sources[helper] + b"\n# an edit\n"}
    monkeypatch.setattr(units, "_sources", lambda: edited)
    assert units.key(Unit.of(exp), []) != before


def test_relative_imports_of_the_course_are_followed(monkeypatch):
    sources = {
        "course.figures": b"",
        "course.figures.walk": b"from . import helpers\nfrom ..experiments.walk import steps\n",
        "course.figures.helpers": b"",
        "course.experiments": b"",
        "course.experiments.walk": b"",
        "course.experiments.unused": b"",
    }
    monkeypatch.setattr(units, "_sources", lambda: sources)
    assert units.closure("course.figures.walk") == {
        "course.figures.walk",
        "course.figures",
        "course.figures.helpers",
        "course.experiments",
        "course.experiments.walk",
    }
    assert units.closure("course.experiments.unused") == {"course.experiments.unused", "course.experiments"}


def test_the_order_of_a_units_inputs_moves_its_key():
    """A summary or a list-form figure of experiments [a, b] is not that of [b, a]."""
    kind = sorted(registry.kinds().figures)[0]
    fig = Unit.of(_figure(kind, {}, many=True))
    assert units.key(fig, ["a" * 64, "b" * 64]) != units.key(fig, ["b" * 64, "a" * 64])


def test_the_python_version_moves_every_key(monkeypatch):
    exp = _experiment("gd_constant")
    before = units.key(Unit.of(exp), [])
    cache.library_versions.cache_clear()
    monkeypatch.setattr(cache.platform, "python_version", lambda: "3.99.0")
    try:
        assert units.key(Unit.of(exp), []) != before
    finally:
        cache.library_versions.cache_clear()


def test_a_data_files_name_moves_every_key(tmp_path):
    """The same bytes under another name are another input (a module reads it by name)."""
    root = make_mini_checkout(tmp_path / "course", link_code=False)
    (root / "course" / "experiments" / "mean.txt").write_text("1.0\n")
    registry.load(root)
    exp = _experiment("gd_constant")
    before = units.key(Unit.of(exp), [])
    (root / "course" / "experiments" / "mean.txt").rename(root / "course" / "experiments" / "other.txt")
    registry.load(root)
    assert units.key(Unit.of(exp), []) != before


def test_the_pipeline_keys_a_unit_by_its_inputs_in_their_listed_order(monkeypatch):
    """A figure of [a, b] is not that of [b, a] (test_the_order_of_a_units_inputs_moves_its_key):
    the build hands units.key each input's results hash in the order the TOML lists them,
    neither sorted by name nor by hash. The course's unit of the most inputs, its list
    reversed (their results cached by the build before the tests), is keyed, then the
    build is stopped before it would run it."""
    import dataclasses
    import hashlib

    from coursegen.commands import build as commands
    from coursegen.stages import executors

    sheets = commands.discover(REPO / "content", REPO)
    sheet, table, declared = max(
        (
            (sheet, table, d)
            for sheet in sheets
            for table in ("figures", "summaries")
            for d in getattr(sheet, table).values()
        ),
        key=lambda found: len(found[2].experiments),
    )
    listed = tuple(reversed(declared.experiments))
    assert len(listed) >= 3 and list(listed) != sorted(listed)
    changed = dataclasses.replace(declared, experiments=listed)
    sheets = [
        dataclasses.replace(s, **{table: {**getattr(s, table), declared.name: changed}}) if s is sheet else s
        for s in sheets
    ]
    store, key, seen = cache.Store(CACHE), units.key, []

    class Keyed(Exception):
        pass

    def recording(unit, input_shas):
        if unit.name == declared.name:
            seen.append(list(input_shas))
            raise Keyed
        return key(unit, input_shas)

    monkeypatch.setattr(units, "key", recording)
    with pytest.raises(Keyed):
        commands.run_pipeline(sheets, store, executors.Options(), lambda *a: None)
    entries = [store.get("results", pipeline.experiment_key(sheet.experiments[n])) for n in listed]
    assert seen == [[hashlib.sha256(e.paths["results.npz"].read_bytes()).hexdigest() for e in entries]]
