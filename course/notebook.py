"""A companion Jupyter notebook per worksheet: its experiments, to run and change at home.

The build writes ``<sheet>/<sheet>.ipynb`` into the docs folder (``commands.prepare_docs``)
and MkDocs copies it into the site next to the worksheet, which links to it. The notebook
is standalone: it needs numpy and matplotlib (and Jupyter), never coursegen or the
network. Its code is the site's own experiment code, written into its cells by the build
from the modules' source (``inspect.getsource``, with the imports of coursegen rewritten),
never a copy kept by hand:

* its first code cell holds the worksheet's parameters, from the sheet's experiment
  parameters, one plain assignment per experiment, so a student changes one and reruns;
* the experiments run as on the site; numba is optional. Without it (or with
  ``COURSEGEN_NO_NUMBA=1``) Section 2 trains all seeds at once with
  ``experiments.relu_numpy``, which gives the kernel's bits;
* a few figures, in plain matplotlib: the GD runs per step size and the final ReLU fits,
  with an iteration slider if ipywidgets is there;
* a last cell prints the numbers the page quotes next to those the notebook computed,
  with the page's digits: the build writes the page's values in as constants.

The question text comes from the rendered page (its ``###`` headings and what follows),
and in the solutions edition only, each ``??? solution`` block follows its question as a
Markdown cell. Page values that only solution material quotes are left out of the
student edition too.

The JSON is written deterministically: sorted keys, cell ids from the worksheet and the
cell's index, no outputs, execution counts or timestamps.
"""

import ast
import dataclasses
import inspect
import json
import re
import textwrap
from dataclasses import dataclass

import numpy as np

from course.experiments import gd, relu, relu_kernel, relu_numpy
from coursegen.stages.parameters import Experiment, Sheet

SOLUTIONS = "solutions"
OURS = ("coursegen", "course")  # imports the notebook drops: what they name, the cells define

# The experiment kinds a notebook runs, in the order its sections run them.
GD_KINDS = {"gd_constant": ("constant_model", "ConstantModel"), "gd_linear": ("linear_model", "LinearModel")}
RELU_KINDS = {"relu_sgd": ("relu_sgd", "ReluSGD")}


@dataclass(frozen=True)
class Quoted:
    """A number the page quotes: ``key`` of an experiment's results, at ``index`` (an int,
    or "shown": the seed the figures show), with the page's significant digits."""

    key: str
    digits: int
    label: str
    index: int | str | None = None
    solution: bool = False  # quoted only by solution material: not in the student edition


# What the page states, by experiment kind (content/dis01/index.md).
QUOTED = {
    "gd_constant": [
        Quoted("theta_star", 4, "theta*", solution=True),
        Quoted("step_size_limit", 4, "largest step size that converges", solution=True),
        Quoted("steps_to_tol", 4, "GD steps to the tolerance", solution=True),
        Quoted("steps_to_tol_theory", 4, "... as the rate predicts", solution=True),
    ],
    "gd_linear": [
        Quoted("mean_x2", 4, "mean(x^2)", solution=True),
        Quoted("theta_star", 4, "theta*", solution=True),
        Quoted("alpha_limit", 4, "1 / mean(x^2)", solution=True),
        Quoted("steps_to_tol", 4, "GD steps to the tolerance", solution=True),
        Quoted("steps_to_tol_theory", 4, "... as the rate predicts", solution=True),
    ],
    "relu_sgd": [
        Quoted("train_mse_p50", 3, "median train MSE, step 0", index=0),
        Quoted("train_mse_p50", 3, "median train MSE, last step", index=-1),
        Quoted("test_mse_p50", 3, "median test MSE, last step", index=-1),
        Quoted("elbow_displacement_p50", 3, "median elbow displacement"),
        Quoted("final_test_mse", 3, "test MSE of the median seed", index="shown"),
    ],
}


def _experiments(sheet: Sheet) -> list[Experiment]:
    kinds = [*GD_KINDS, *RELU_KINDS]
    chosen = [e for e in sheet.experiments.values() if e.kind in kinds]
    return sorted(chosen, key=lambda e: kinds.index(e.kind))  # stable: the sheet's order within a kind


# ----------------------------------------------------------------------------- the cells


def build(sheet: Sheet, results, page: str, edition: str) -> bytes:
    """One worksheet's notebook, as the bytes of its .ipynb file."""
    experiments = _experiments(sheet)
    gd_runs = [e for e in experiments if e.kind in GD_KINDS]
    relu_runs = [e for e in experiments if e.kind in RELU_KINDS]
    intro, sections = _split_page(page)
    cells = [_md(f"# {sheet.meta.title}: the notebook\n\n{intro}\n\n{_ABOUT}")]
    cells.append(_code(_parameters_cell(experiments)))
    cells.append(_code(_SETUP))
    for heading, text, questions in sections:
        cells.append(_md(f"{heading}\n\n{text}".strip()))
        for question, solution in questions:
            cells.append(_md(question))
            if edition == SOLUTIONS and solution:
                cells.append(_md(f"**Solution**\n\n{solution}"))
        if heading.startswith("## 1") and gd_runs:
            cells += _gd_cells(gd_runs)
        if heading.startswith("## 2") and relu_runs:
            cells += _relu_cells(relu_runs)
    cells.append(_md("## The page's numbers\n\nThe numbers the worksheet page quotes, next to those computed here."))
    cells.append(_code(_check_cell(experiments, results, edition)))
    notebook = {
        "cells": [{**cell, "id": f"{sheet.name}-{i:03d}"} for i, cell in enumerate(cells)],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return (json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


_ABOUT = """\
**Running this notebook.** It needs numpy and matplotlib; numba, if installed, makes
Section 2's training faster (without it all seeds train at once in numpy, with the very
same results), tqdm shows its progress and ipywidgets adds a slider. The first code cell
holds every parameter the worksheet's experiments use: change one and run all the cells
again. The last cell compares the numbers computed here with those the worksheet page
quotes."""


def _md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": _lines(text)}


def _code(text: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": _lines(text)}


def _lines(text: str) -> list[str]:
    return text.strip("\n").splitlines(keepends=True)


def _split_page(page: str):
    """(intro, sections) from a rendered page: the first paragraph after its title, and
    per ``##`` section (heading, first paragraph, [(question, solution or "")])."""
    lines = page.splitlines()
    if lines and lines[0] == "---":  # front matter
        lines = lines[lines.index("---", 1) + 1 :]
    blocks, current = [], None
    for line in lines:
        if line.startswith("## "):
            current = [_heading(line), []]
            blocks.append(current)
        elif current is not None:
            current[1].append(line)
    intro = _paragraph(lines[next(i for i, s in enumerate(lines) if s.startswith("# ")) + 1 :], whole=True)
    sections = []
    for heading, body in blocks:
        if heading.lower().startswith("## contributors"):
            continue
        starts = [i for i, s in enumerate(body) if s.startswith("### ")]
        questions = []
        for k, i in enumerate(starts):
            chunk = body[i + 1 : starts[k + 1] if k + 1 < len(starts) else len(body)]
            if not any(s.startswith("??? solution") for s in chunk) and not _paragraph(chunk):
                continue
            questions.append((f"{_heading(body[i])}\n\n{_paragraph(chunk, whole=True)}", _solution(chunk)))
        sections.append((heading, _paragraph(body[: starts[0]] if starts else body, whole=True), questions))
    return intro, sections


def _heading(line: str) -> str:
    return re.sub(r"\s*\{[^}]*\}\s*$", "", line)  # the attribute list: { #1a }


def _paragraph(lines: list[str], whole: bool = False) -> str:
    """The plain text at the start of ``lines``: up to the first admonition, figure or
    HTML block (``whole``: all its paragraphs up to there, else only the first)."""
    out: list[str] = []
    for line in lines:
        if line.startswith(("??? ", "!!! ", "<", "{", "|", "### ")):
            break
        if not line.strip() and out and not whole:
            break
        if line.strip() or out:
            out.append(line)
    return "\n".join(out).strip()


def _solution(chunk: list[str]) -> str:
    """The body of the first ``??? solution`` block in ``chunk``, dedented."""
    for i, line in enumerate(chunk):
        if line.startswith("??? solution"):
            body = []
            for s in chunk[i + 1 :]:
                if s.strip() and not s.startswith("    "):
                    break
                body.append(s)
            return textwrap.dedent("\n".join(body)).strip()
    return ""


# ------------------------------------------------------------------------ parameters


def _parameters_cell(experiments: list[Experiment]) -> str:
    out = [
        "# The worksheet's parameters, as the site ran them: change any and run all cells again.",
        "# Each experiment is one dict of its parameters; the cells below run them.",
    ]
    for e in experiments:
        out.append("")
        out.append(f"{e.name} = dict(")
        for field in dataclasses.fields(e.params):
            out.append(f"    {field.name}={_literal(getattr(e.params, field.name))},")
        out.append(")")
    return "\n".join(out)


def _literal(value) -> str:
    if isinstance(value, tuple) and len(value) > 3 and value == tuple(range(len(value))):
        return f"tuple(range({len(value)}))"
    return repr(value)


# ----------------------------------------------------------------------------- code


_SETUP = '''\
import dataclasses
import math
import os
import time
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

# numba is optional: without it (or with COURSEGEN_NO_NUMBA=1 in the environment)
# Section 2 trains all seeds at once in numpy, which gives the very same numbers.
try:
    if os.environ.get("COURSEGEN_NO_NUMBA", "") not in ("", "0"):
        raise ImportError("COURSEGEN_NO_NUMBA is set")
    import numba
except ImportError:
    numba = None


def njit(*args, **kwargs):
    """numba.njit if numba is there, else the plain Python function."""
    kwargs.pop("cache", None)  # nothing cached next to a notebook
    return numba.njit(*args, **kwargs) if numba is not None else (lambda f: f)


try:
    from tqdm.auto import tqdm
except ImportError:
    def tqdm(items, **kwargs):
        return items

try:
    import ipywidgets
except ImportError:
    ipywidgets = None

print("numba", numba.__version__ if numba is not None else "not used: training in numpy")'''


def module_source(module, numba_decorators: bool = False) -> str:
    """A module's source without its imports of coursegen or of this course's code (the
    names are defined in the cells before) and, for the kernel, with ``numba`` optional (``njit`` of the setup cell)."""
    source = inspect.getsource(module)
    tree = ast.parse(source)
    drop = set()
    for node in tree.body:
        imports_coursegen = isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in OURS
        imports_numba = isinstance(node, ast.Import) and [a.name for a in node.names] == ["numba"]
        if imports_coursegen or (numba_decorators and imports_numba):
            drop.update(range(node.lineno, node.end_lineno + 1))
    lines = [s for i, s in enumerate(source.splitlines(), start=1) if i not in drop]
    text = "\n".join(lines)
    if numba_decorators:
        count = text.count("@numba.njit(")
        if not count:
            raise ValueError(f"{module.__name__}: no @numba.njit( decorator to make optional")
        text = text.replace("@numba.njit(", "@njit(")
    if "numba." in text or re.search(r"^\s*(from|import) (coursegen|course)\b", text, re.M):
        raise ValueError(f"{module.__name__}: the notebook cannot run code that needs numba or coursegen")
    return text.strip("\n")


def _gd_cells(runs: list[Experiment]) -> list[dict]:
    run = ["results = {}"]
    for e in runs:
        function, params = GD_KINDS[e.kind]
        run.append(f"results[{e.name!r}] = {function}({params}(**{e.name}))")
    run.append(
        "for name in " + repr([e.name for e in runs]) + ":\n"
        "    r = results[name]\n    print(f\"{name}: theta* = {r['theta_star']:.4g}, converges for "
        "0 < alpha < {r['step_size_limit']:.4g}\")"
    )
    figures = []
    for e in runs:
        label = "a = {a:g}" if e.kind == "gd_constant" else "a = {f:g} / mean(x^2)"
        figures.append(_code(_GD_FIGURE.format(name=e.name, label=label)))
    return [
        _md("### Running Section 1\n\nThe experiments' code, exactly as the site runs it (`experiments/gd.py`)."),
        _code(module_source(gd)),
        _code("\n".join(run)),
        *figures,
    ]


_GD_FIGURE = """\
r = results[{name!r}]
fractions = r.get("step_fractions", r["step_sizes"])
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
for a, f, path in zip(r["step_sizes"], fractions, r["gd_paths"]):
    label = f"{label}"
    left.plot(path, marker=".", label=label)
    right.semilogy(np.maximum(np.abs(path - r["theta_star"]), 1e-16), marker=".", label=label)
left.axhline(r["theta_star"], color="grey", linestyle=":", label="theta*")
left.set(xlabel="step t", ylabel="theta_t", title={name!r} + ": GD per step size")
left.set_ylim(r["theta_star"] - 3 * abs(r["theta0"] - r["theta_star"]), r["theta_star"] + 3 * abs(r["theta0"] - r["theta_star"]))
right.set(xlabel="step t", ylabel="|theta_t - theta*|", title="distance to theta* (log scale)")
left.legend(fontsize=8)
right.legend(fontsize=8)
plt.tight_layout()
plt.show()"""


def _relu_cells(runs: list[Experiment]) -> list[dict]:
    names = [e.name for e in runs]
    train = f"""\
from concurrent.futures import ThreadPoolExecutor, as_completed

configs = {names!r}
started = time.perf_counter()
# numpy releases the GIL inside its operations: without numba two configurations train at
# once, one per core (each is independent of the others, so the numbers do not change).
with ThreadPoolExecutor(max_workers=1 if numba is not None else min(2, os.cpu_count() or 1)) as pool:
    biggest_first = sorted(configs, key=lambda name: -globals()[name]["width"] * (globals()[name]["regime"] == "all_layers" or 0.5))
    running = {{pool.submit(relu_sgd, ReluSGD(**globals()[name])): name for name in biggest_first}}
    for done in tqdm(as_completed(running), total=len(running), desc="training"):
        results[running[done]] = done.result()
print(f"trained {{len(configs)}} configurations in {{time.perf_counter() - started:.1f}} s "
      f"({{'numba' if numba is not None else 'numpy, all seeds at once'}})")
for name in configs:
    r = results[name]
    print(f"{{name}}: median train MSE {{r['train_mse_p50'][0]:.3g}} -> {{r['train_mse_p50'][-1]:.3g}}, "
          f"median test MSE {{r['test_mse_p50'][-1]:.3g}}")"""
    return [
        _md(
            "### Running Section 2\n\nThe training code, exactly as the site runs it: the compiled kernel "
            "(`experiments/relu_kernel.py`, plain Python without numba), the experiment (`experiments/relu.py`) "
            "and the numpy trainer for all seeds at once (`experiments/relu_numpy.py`)."
        ),
        _code(module_source(relu_kernel, numba_decorators=True)),
        _code(module_source(relu)),
        _code(
            module_source(relu_numpy)
            + "\n\n\nif numba is None:  # every seed at once in numpy: the kernel's numbers, in seconds\n"
            "    train, predict = train_vectorised, predict_vectorised"
        ),
        _md("Training every seed of every configuration: the long cell."),
        _code(train),
        _code(_RELU_FITS.format(names=names)),
        _code(_RELU_LOSSES.format(names=names)),
        _code(_RELU_SLIDER.format(names=names)),
    ]


_RELU_FITS = '''\
def draw_fit(ax, r, k):
    """The median seed's network at snapshot k: its ReLUs, elbows and prediction."""
    s = int(r["shown"])
    ax.plot(r["x_grid"], r["truth_grid"], "--", color="tab:blue", label="ground truth")
    ax.scatter(r["x_train"], r["y_train"], s=4, color="tab:orange", label="training points")
    W1, b1, W2, b2 = r["W1"][s, k], r["b1"][s, k], r["W2"][s, k], r["b2"][s, k]
    units = W2[:, None] * np.maximum(W1[:, None] * r["x_grid"] + b1[:, None], 0.0)
    ax.plot(r["x_grid"], units.T, ":", color="grey", linewidth=0.8)
    ax.plot(r["x_grid"], units.sum(axis=0) + b2, color="tab:green", label="prediction")
    elbows = r["elbows"][s, k]
    inside = (elbows >= 0) & (elbows <= 1)
    ax.plot(elbows[inside], np.zeros(inside.sum()), "o", color="black", markersize=3)
    regime = "output layer only" if r["output_only"] else "all layers"
    ax.set_title(f"width {{int(r['width'])}}, {{regime}}, step {{int(r['snap_steps'][k]):,}}\\n"
                 f"seed {{int(r['shown_seed'])}}: test MSE {{r['test_mse'][s, k]:.3g}}", fontsize=9)
    ax.set_ylim(-1.6, 1.6)


configs = {names!r}
fig, axes = plt.subplots((len(configs) + 1) // 2, 2, figsize=(11, 3 * ((len(configs) + 1) // 2)), squeeze=False)
for ax, name in zip(axes.flat, configs):
    draw_fit(ax, results[name], -1)
axes.flat[0].legend(fontsize=7)
plt.tight_layout()
plt.show()'''

_RELU_LOSSES = """\
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
for name in {names!r}:
    r = results[name]
    style = "--" if r["output_only"] else "-"
    left.semilogy(r["snap_steps"], r["train_mse_p50"], style, label=name)
    right.semilogy(r["snap_steps"], r["test_mse_p50"], style, label=name)
left.set(xlabel="SGD step", ylabel="median train MSE over the seeds")
right.set(xlabel="SGD step", ylabel="median test MSE over the seeds")
left.legend(fontsize=8)
plt.tight_layout()
plt.show()"""

_RELU_SLIDER = """\
def show(config, k):
    fig, ax = plt.subplots(figsize=(7, 4))
    draw_fit(ax, results[config], k)
    plt.show()


configs = {names!r}
if ipywidgets is not None:  # the notebook's "SGD Iterations" slider: one snapshot at a time
    ipywidgets.interact(
        show,
        config=ipywidgets.Dropdown(options=configs, value=configs[0]),
        k=ipywidgets.IntSlider(min=0, max=len(results[configs[0]]["snap_steps"]) - 1, value=0, description="snapshot"),
    )
else:  # without ipywidgets: the final frame
    show(configs[0], -1)"""


# -------------------------------------------------------------------- the page's numbers


def _format(value, digits: int) -> str:
    """A number as the page shows it (pages.num, without its LaTeX for exponents)."""
    x = np.asarray(value).item()
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    return format(float(x), f".{digits}g")


def _check_cell(experiments: list[Experiment], results, edition: str) -> str:
    rows = []
    for e in experiments:
        res = results.get(e.name)
        if res is None:
            continue
        for q in QUOTED[e.kind]:
            if q.solution and edition != SOLUTIONS:
                continue
            value = res[q.key]
            if q.index == "shown":
                value = value[int(res["shown"])]
            elif q.index is not None:
                value = value[q.index]
            rows.append((e.name, q.key, q.index, q.digits, q.label, _format(value, q.digits)))
    lines = [
        "# What the worksheet page quotes, as the build computed it: (experiment, key, index, digits, label, page)"
    ]
    lines.append("PAGE_VALUES = [")
    lines += [f"    {row!r}," for row in rows]
    lines.append("]")
    lines.append(_CHECK)
    return "\n".join(lines)


_CHECK = """

def as_page_shows(value, digits):
    x = np.asarray(value).item()
    return str(x) if isinstance(x, int) and not isinstance(x, bool) else format(float(x), f".{digits}g")


same = 0
for name, key, index, digits, label, page in PAGE_VALUES:
    r = results[name]
    value = r[key]
    if index == "shown":
        value = value[int(r["shown"])]
    elif index is not None:
        value = value[index]
    here = as_page_shows(value, digits)
    same += here == page
    print(f"{name:14} {label:36} here {here:>10}   page {page:>10}   {'same' if here == page else 'DIFFERENT'}")
if same == len(PAGE_VALUES):
    print(f"All {len(PAGE_VALUES)} values agree with the page.")
else:
    print(f"{len(PAGE_VALUES) - same} of {len(PAGE_VALUES)} values differ from the page: changed parameters?")"""


class Companion:
    """The notebook kind of this course (``NOTEBOOKS``, coursegen.site.notebooks): every
    worksheet that runs a GD or ReLU experiment gets one."""

    def wants(self, sheet: Sheet) -> bool:
        return bool(_experiments(sheet))

    def build(self, sheet: Sheet, results, page: str, edition: str) -> bytes:
        return build(sheet, results, page, edition)


NOTEBOOKS = {"companion": Companion()}
