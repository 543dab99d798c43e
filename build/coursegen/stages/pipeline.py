"""Discover, execute, capture: experiments to results, results to figures, with a cache.

Like sphinx-gallery, every unit of work is keyed by the hash of what produced it, so a
rebuild runs only what changed. Independent units run on a process pool; each unit is
a pure function of its inputs, so ``jobs=1`` and ``jobs=N`` give the same bytes. Units
receive and return bytes, never paths: a worker on another machine (Dask) cannot open
this machine's cache.
"""

import dataclasses
import inspect
import json
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path

from coursegen.errors import BuildError, code_failure, shown
from coursegen.stages import cache, outputs, registry, results
from coursegen.stages.parameters import Experiment, Figure, Sheet, Summary, params_type


@dataclass(frozen=True)
class Output:
    """One generated file: where it goes, what made it, and where its bytes are."""

    path: str  # logical path, e.g. "figures/dis01/const_anim.gif"
    producer: str  # the experiment(s) whose results it comes from, e.g. "dis01/const_gd"
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


def experiment_key(exp: Experiment) -> str:
    function = registry.kinds().experiments[exp.kind]
    code = cache.code_hash(function.__module__), cache.code_hash(results.__name__)  # results.py writes the bytes
    return cache.key(exp.kind, dataclasses.asdict(exp.params), code)


def summary_key(summary: Summary, results_shas: list[str]) -> str:
    function = registry.kinds().summaries[summary.kind]
    return cache.key(
        "summary", summary.kind, results_shas, cache.code_hash(function.__module__), cache.code_hash(results.__name__)
    )


def figure_key(fig: Figure, results_shas: list[str]) -> str:
    function = registry.kinds().figures[fig.kind]
    return cache.key(fig.kind, fig.options, fig.many, results_shas, cache.code_hash(function.__module__))


class InlineExecutor(Executor):
    """Runs each unit as it is submitted, in this process: ``jobs=1`` starts no pool."""

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:  # reported through the future, as a pool would
            future.set_exception(e)
        return future


def build(sheets: list[Sheet], store: cache.Store, executor: Executor) -> Built:
    """Run what is stale, reuse what is current, and list every generated file.

    ``executor`` is any ``concurrent.futures.Executor``: an ``InlineExecutor``, a
    ``ProcessPoolExecutor``, or a Dask cluster's (``Client.get_executor()``).
    """
    built = Built({}, [], Stats(), Stats())
    code = registry.Code.of(registry.kinds())
    pending: dict[Future, tuple] = {}

    def submit(fn, *args, tag):
        pending[executor.submit(fn, *args)] = tag

    finished: dict[tuple[str, str], cache.Entry] = {}  # (sheet, experiment) -> its results

    def ready(sheet: Sheet, exp: Experiment, names) -> list[cache.Entry] | None:
        """The results of every experiment a unit reads, if ``exp`` was one and the
        others are done too (the unit starts now); else None."""
        if exp.name not in names:
            return None
        inputs = [finished.get((sheet.name, name)) for name in names]
        return None if None in inputs else inputs

    def experiment_done(sheet: Sheet, exp: Experiment, entry: cache.Entry):
        """Record the results; start every figure whose experiments are now all done."""
        finished[(sheet.name, exp.name)] = entry
        built.results[(sheet.name, exp.name)] = entry.paths["results.npz"]
        built.outputs.append(
            Output(
                f"results/{sheet.name}/{exp.name}.npz", _producer(sheet.name, [exp.name]), entry.paths["results.npz"]
            )
        )
        for summary in sheet.summaries.values():
            inputs = ready(sheet, exp, summary.experiments)
            if inputs is None:
                continue
            k = summary_key(summary, [e.sha256["results.npz"] for e in inputs])
            entry = store.get("results", k)
            if entry is None:
                submit(
                    _run_summary,
                    code,
                    summary.kind,
                    [e.paths["results.npz"].read_bytes() for e in inputs],
                    tag=("summary", sheet, summary, k),
                )
            else:
                built.summaries.cached += 1
                summary_done(sheet, summary, entry)
        for fig in sheet.figures.values():
            inputs = ready(sheet, exp, fig.experiments)
            if inputs is None:
                continue
            k = figure_key(fig, [e.sha256["results.npz"] for e in inputs])
            entry = store.get("figures", k)
            if entry is None:
                npzs = [e.paths["results.npz"].read_bytes() for e in inputs]
                submit(_render_figure, code, fig.kind, fig.options, npzs, fig.many, tag=("figure", fig, k))
            else:
                built.figures.cached += 1
                _collect(built, fig, entry.paths)

    def summary_done(sheet: Sheet, summary: Summary, entry: cache.Entry):
        built.results[(sheet.name, summary.name)] = entry.paths["results.npz"]
        built.outputs.append(
            Output(
                f"results/{sheet.name}/{summary.name}.npz",
                _producer(sheet.name, summary.experiments),
                entry.paths["results.npz"],
            )
        )

    store.sweep()
    try:
        for sheet in sheets:
            for exp in sheet.experiments.values():
                k = experiment_key(exp)
                entry = store.get("results", k)
                if entry is None:
                    submit(
                        _run_experiment,
                        code,
                        exp.kind,
                        dataclasses.asdict(exp.params),
                        tag=("experiment", sheet, exp, k),
                    )
                else:
                    built.experiments.cached += 1
                    experiment_done(sheet, exp, entry)
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: pending[f][-1]):  # by key, not timing
                tag = pending.pop(future)
                if tag[0] == "summary":
                    _, sheet, summary, k = tag
                    data, seconds = _result_or_error(
                        future, f"{summary.source}: summary {summary.name!r} ({summary.kind})"
                    )
                    built.summaries.seconds += seconds
                    built.summaries.run += 1
                    summary_done(sheet, summary, store.put("results", k, {"results.npz": data}))
                elif tag[0] == "experiment":
                    _, sheet, exp, k = tag
                    data, seconds = _result_or_error(future, _describe_experiment(exp))
                    built.experiments.seconds += seconds
                    entry = store.put("results", k, {"results.npz": data})
                    built.experiments.run += 1
                    experiment_done(sheet, exp, entry)
                else:
                    _, fig, k = tag
                    data, seconds = _result_or_error(future, f"{fig.source}: figure {fig.name!r} ({fig.kind})")
                    built.figures.seconds += seconds
                    built.figures.run += 1
                    _collect(built, fig, store.put("figures", k, data).paths)
    finally:
        for future in pending:
            future.cancel()
    built.outputs.sort(key=lambda o: o.path)
    return built


def _producer(sheet: str, experiments) -> str:
    return ", ".join(f"{sheet}/{name}" for name in experiments)


def _collect(built: Built, fig: Figure, files: dict[str, Path]) -> None:
    for filename, path in files.items():
        suffix = filename.removeprefix("figure")
        built.outputs.append(
            Output(
                f"figures/{fig.sheet}/{fig.name}{suffix}",
                _producer(fig.sheet, fig.experiments),
                path,
                fig.sheet,
                fig.name,
            )
        )


def _describe_experiment(exp: Experiment) -> str:
    fields = ", ".join(f"{k}={v!r}" for k, v in dataclasses.asdict(exp.params).items())
    return f"{exp.source}: experiment {exp.name!r} ({exp.kind}) with {fields}"


def _result_or_error(future: Future, what: str):
    try:
        return future.result()
    except BuildError as e:
        raise BuildError(f"{what} failed: {e}", e.trace) from None


def _run_experiment(code: registry.Code, kind: str, fields: dict) -> tuple[bytes, float]:
    """Worker: run one experiment (its parameters as fields, so that a worker without the
    course's code can receive them); return its results file's bytes and the time taken."""
    start = time.perf_counter()
    kinds = registry.ensure(code)
    function = kinds.experiments[kind]
    try:
        arrays = function(params_type(function)(**fields))
    except Exception as e:
        raise code_failure(e, kinds.folder) from None
    data = results.to_bytes(results.check(kind, arrays))
    return data, time.perf_counter() - start


def _run_summary(code: registry.Code, kind: str, npzs: list[bytes]) -> tuple[bytes, float]:
    """Worker: one summary of finished experiments' results (their files' bytes); its
    results file's bytes."""
    start = time.perf_counter()
    function = registry.ensure(code).summaries[kind]
    data = results.to_bytes(results.check(kind, function([results.from_bytes(npz) for npz in npzs])))
    return data, time.perf_counter() - start


def _render_figure(
    code: registry.Code, kind: str, options: tuple, npzs: list[bytes], many: bool
) -> tuple[dict[str, bytes], float]:
    """Worker: draw one figure into a scratch folder; return every file it wrote, checked."""
    start = time.perf_counter()
    loaded = [results.Lazy(npz) for npz in npzs]
    kinds = registry.ensure(code)
    function = kinds.figures[kind]
    with tempfile.TemporaryDirectory(prefix="coursegen-figure-") as tmp:
        try:
            function(loaded if many else loaded[0], Path(tmp) / "figure", **dict(options))
        except Exception as e:
            raise code_failure(e, kinds.folder) from None
        files = {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir()) if p.is_file()}
    wrong = outputs.problem("figures", files)
    if wrong:
        source = Path(inspect.getsourcefile(function)).resolve()
        line = inspect.getsourcelines(function)[1]
        raise BuildError(f"{function.__name__} ({shown(source)}, line {line}) {wrong}")
    return files, time.perf_counter() - start
