"""Generic checks of every registered experiment and figure kind, whatever the course:
an experiment is deterministic on its defaults and its results are finite numbers; a
figure drawn again in this process gives the bytes the build drew in its pool, and
exactly the files its kind promises (outputs.py)."""

import dataclasses

import numpy as np
import pytest

from coursegen.commands import build as commands
from coursegen.stages import cache, executors, outputs, pipeline, registry, results, units
from coursegen.stages.parameters import Experiment, params_type

from conftest import CACHE, REPO

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("kind", sorted(registry.kinds().experiments))
def test_every_experiment_is_deterministic_on_its_defaults(kind, solutions_site):
    """Run here, an experiment gives the bits of another run: the one a build made in
    its pool, if a worksheet runs it on its defaults (the shared build left it in the
    cache), else a second one here."""
    params = params_type(registry.kinds().experiments[kind])()
    first = results.check(kind, registry.kinds().experiments[kind](params))
    key = pipeline.experiment_key(Experiment("defaults", "defaults", kind, params, "defaults"))
    built = cache.Store(CACHE).get("results", key)
    second = (
        results.load(built.paths["results.npz"])
        if built
        else results.check(kind, registry.kinds().experiments[kind](params))
    )
    assert first, f"{kind} returned no results"
    assert sorted(first) == sorted(second)
    for key in first:
        assert first[key].dtype == second[key].dtype and np.array_equal(first[key], second[key]), (kind, key)
    assert dataclasses.asdict(params) == dataclasses.asdict(
        params_type(registry.kinds().experiments[kind])()
    )  # not mutated


@pytest.fixture(scope="module")
def built(solutions_site):
    """Every worksheet's results and figures, from the cache the shared builds filled."""
    sheets = commands.discover(REPO / "content", REPO)
    return sheets, pipeline.build(sheets, cache.Store(CACHE), executors.Inline())


@pytest.mark.parametrize("kind", sorted(registry.kinds().figures))
def test_every_figure_kind_draws_the_same_files_again(built, kind):
    sheets, done = built
    instances = [(s, f) for s in sheets for f in s.figures.values() if f.kind == kind]
    if not instances:
        pytest.skip(f"no worksheet draws a {kind} figure (its own test checks it)")
    sheet, fig = instances[0]
    npzs = [done.results[(sheet.name, name)].read_bytes() for name in fig.experiments]
    files, _ = units.run(units.Unit.of(fig), units.Runtime.here(), npzs)
    assert outputs.problem("figures", files) is None
    cached = {o.filename: o.source.read_bytes() for o in done.outputs if (o.sheet, o.figure) == (sheet.name, fig.name)}
    assert {f"{fig.name}{name.removeprefix('figure')}": data for name, data in files.items()} == cached
