"""Discover, execute, capture: experiments to results, results to figures, with a cache.

Like sphinx-gallery, every unit of work is keyed by the hash of what produced it, so a
rebuild runs only what changed. Independent units run on a process pool; each unit is
a pure function of its inputs, so ``jobs=1`` and ``jobs=N`` give the same bytes. Units
receive and return bytes, never paths: a worker on another machine (Dask) cannot open
this machine's cache.
"""

import dataclasses
import json
import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from coursegen import atomic
from coursegen.errors import BuildError, Interrupted
from coursegen.stages import cache, executors, units
from coursegen.stages.parameters import Experiment, Figure, Sheet, Summary
from coursegen.stages.units import Unit, UnitKind


@dataclass(frozen=True)
class Output:
    """One generated file: where it goes, what made it, and where its bytes are."""

    path: str  # logical path, e.g. "figures/dis01/const_anim.gif"
    producers: tuple[str, ...]  # the experiments whose results it comes from, e.g. ("dis01/const_gd",)
    source: Path  # the cached file holding its bytes
    sheet: str = ""  # a figure's file: its worksheet and figure, e.g. "dis01", "const_anim"
    figure: str = ""

    @property
    def filename(self) -> str:
        """Its name in its folder, e.g. "const_anim.gif"."""
        return Path(self.path).name


@dataclass(frozen=True)
class DrawnFigure:
    """One figure's files as a page places them (in ``<sheet>/figures/``)."""

    sheet: str
    name: str
    files: dict[str, bytes]  # file name -> bytes: "const_anim.svg", "const_anim-dark.svg", ...
    meta: dict  # its "<name>.json": natural size, text metrics, a player's labels and timing

    @classmethod
    def collect(cls, outputs: list[Output], shown: set[tuple[str, str]]) -> dict[tuple[str, str], "DrawnFigure"]:
        """The figures ``shown`` ((sheet, figure) pairs), from a build's outputs."""
        files: dict[tuple[str, str], dict[str, bytes]] = {}
        for out in outputs:
            if out.figure and (out.sheet, out.figure) in shown:
                files.setdefault((out.sheet, out.figure), {})[out.filename] = out.source.read_bytes()
        return {
            (sheet, name): cls(sheet, name, data, json.loads(data[f"{name}.json"]))
            for (sheet, name), data in sorted(files.items())
        }


@dataclass
class Stats:
    run: int = 0
    cached: int = 0
    seconds: float = 0.0

    def line(self, stage: str) -> str:
        return f"{stage}: {self.run} run, {self.cached} cached ({self.seconds:.1f} s of work)"


@dataclass
class Built:
    results: dict[tuple[str, str], Path]  # (sheet, experiment) -> results .npz
    outputs: list[Output]
    experiments: Stats
    figures: Stats
    summaries: Stats = dataclasses.field(default_factory=Stats)
    warnings: list[str] = dataclasses.field(default_factory=list)  # what staff should fix, though it builds


def experiment_key(exp: Experiment) -> str:
    return units.key(Unit.of(exp), [])


def summary_key(summary: Summary, results_shas: list[str]) -> str:
    return units.key(Unit.of(summary), results_shas)


def figure_key(fig: Figure, results_shas: list[str]) -> str:
    return units.key(Unit.of(fig), results_shas)


def plan(sheets: list[Sheet]) -> list[Unit]:
    """Every unit of the worksheets: experiments first, then what reads their results."""
    found = [Unit.of(e) for s in sheets for e in s.experiments.values()]
    return found + [Unit.of(u) for s in sheets for u in (*s.summaries.values(), *s.figures.values())]


def build(
    sheets: list[Sheet], store: cache.Store, executor, unit_timeout: float = executors.DEFAULT_UNIT_TIMEOUT
) -> Built:
    """Run what is stale, reuse what is current, and list every generated file.

    ``executor`` is one of ``executors`` (this process, a process pool, a Dask
    cluster): a plain loop starts each unit once its inputs are done, at most
    ``executor.capacity`` at a time, and stops the build at the first failure, or at
    a unit that runs past ``unit_timeout`` seconds.
    """
    built = Built({}, [], Stats(), Stats())
    runtime = units.Runtime.here()
    stats = {UnitKind.EXPERIMENT: built.experiments, UnitKind.SUMMARY: built.summaries, UnitKind.FIGURE: built.figures}
    done: dict[tuple[str, str], cache.Entry] = {}  # (sheet, experiment) -> its results
    waiting = plan(sheets)
    keys: dict[Unit, str] = {}  # of the units whose inputs are done: computed once
    running: dict[Future, tuple[Unit, str, float]] = {}  # -> unit, key, start

    def record(unit: Unit, entry: cache.Entry) -> None:
        producers = tuple(f"{unit.sheet}/{name}" for name in (unit.inputs or (unit.name,)))
        if unit.what is UnitKind.FIGURE:
            for warning in json.loads(entry.paths["figure.json"].read_bytes()).get("warnings", []):
                built.warnings.append(f"{unit.describe()}: {warning}")
            for filename, path in entry.paths.items():
                suffix = filename.removeprefix("figure")
                built.outputs.append(
                    Output(f"figures/{unit.sheet}/{unit.name}{suffix}", producers, path, unit.sheet, unit.name)
                )
            return
        if unit.what is UnitKind.EXPERIMENT:
            done[(unit.sheet, unit.name)] = entry
        built.results[(unit.sheet, unit.name)] = entry.paths["results.npz"]
        built.outputs.append(Output(f"results/{unit.sheet}/{unit.name}.npz", producers, entry.paths["results.npz"]))

    store.sweep()
    atomic.sweep_drawing_folders()
    try:
        while waiting or running:
            for unit in [u for u in waiting if all((u.sheet, n) in done for n in u.inputs)]:
                inputs = [done[(unit.sheet, n)] for n in unit.inputs]
                if unit not in keys:  # a cached unit is taken at once, whatever is running
                    keys[unit] = units.key(unit, [e.sha256["results.npz"] for e in inputs])
                    entry = store.get(unit.what.store, keys[unit])
                    if entry is not None:
                        waiting.remove(unit)
                        stats[unit.what].cached += 1
                        record(unit, entry)
                        continue
                if len(running) >= executor.capacity:
                    continue
                waiting.remove(unit)
                npzs = [e.paths["results.npz"].read_bytes() for e in inputs]
                running[executor.submit(units.run, unit, runtime, npzs)] = (unit, keys[unit], time.monotonic())
            if not running:
                if waiting and not any(all((u.sheet, n) in done for n in u.inputs) for u in waiting):
                    raise BuildError(f"{waiting[0].describe()}: reads results that no experiment of the build makes")
                continue
            finished, _ = wait(list(running), timeout=1.0, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: running[f][1]):  # by key, not timing
                unit, k, _ = running.pop(future)
                files, seconds = _result(future, unit, running, unit_timeout)
                stats[unit.what].run += 1
                stats[unit.what].seconds += seconds
                record(unit, store.put(unit.what.store, k, files))
            executor.healthy()
            for unit, _, start in running.values():
                if time.monotonic() - start > unit_timeout:
                    raise _too_long(unit, unit_timeout)
    finally:
        for future in running:
            future.cancel()
    built.outputs.sort(key=lambda o: o.path)
    return built


def _result(future: Future, unit: Unit, running: dict, unit_timeout: float) -> tuple[dict[str, bytes], float]:
    """A finished unit's files; its failure as one line naming it."""
    try:
        return future.result()
    except (BuildError, Interrupted):
        raise
    except executors.UnitTimeout:
        raise _too_long(unit, unit_timeout) from None
    except BrokenProcessPool:
        others = [u for u, _, _ in running.values()]
        suspects = ", ".join(u.describe() for u in [unit, *others])
        raise BuildError(
            f"{suspects}: a worker process died while running {'it' if not others else 'one of these'} "
            f"(os._exit, a crash or the kernel's out-of-memory killer); the build stopped"
        ) from None
    except BaseException as e:  # the executor's own failure (a Dask worker lost), not the course's code
        if type(e).__name__ == "KilledWorker":
            raise BuildError(
                f"{unit.describe()}: the Dask workers that ran it died (os._exit, a crash or out of memory); "
                f"the build stopped"
            ) from None
        raise BuildError(f"{unit.describe()} failed on its worker: {type(e).__name__}: {e}") from None


def _too_long(unit: Unit, seconds: float) -> BuildError:
    return BuildError(
        f"{unit.describe()} ran past its time limit of {seconds:g} s and was stopped; "
        f"make it faster or smaller, or raise the limit with --unit-timeout SECONDS"
    )
