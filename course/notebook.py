"""Discussion 1's companion notebook, written for students: the page's experiments in a
few short cells they can read, change and run at home.

The build writes ``<sheet>/<sheet>.ipynb`` next to the worksheet (``coursegen.site.notebooks``),
in the edition of the page it accompanies. Its cells:

* the parameters, first: the sheet's experiment parameters, one dict per experiment;
* Section 1: the page's data, the losses, and the gradients to write. In the student
  edition (and while the solutions are not released) the gradients are stubs the
  student fills in, checked against the loss's numerical slope; nothing in the cells
  states a gradient, an optimum or an update rule. The solutions edition fills them in;
* Section 2: the target, the networks, minibatch SGD for every seed at once in numpy
  (no numba: it gives the build's kernel's bits, so the page's numbers come out), the
  medians the page's table states, the final fits and the errors, and a slider if
  ipywidgets is there;
* a last cell prints the page's numbers next to those computed here. The build writes
  the page's values in as constants; the student edition gets only what its page shows.

The question text comes from the rendered page (its ``###`` headings and what follows);
in the solutions edition each ``??? solution`` block follows its question. The JSON is
written deterministically: sorted keys, cell ids from the worksheet and the cell's
index, no outputs, execution counts or timestamps.
"""

import dataclasses
import json
import re
import textwrap

import numpy as np

from course.figures.gd import alpha_text
from coursegen.figures import style
from coursegen.stages.editions import Edition
from coursegen.stages.parameters import Experiment, Sheet

GD_KINDS = ("gd_constant", "gd_linear")
RELU_KIND = "relu_sgd"
# The fields of a GD experiment the notebook's cells use, in the order its cell lists them.
GD_FIELDS = (
    "n_points",
    "data_seed",
    "x_low",
    "x_high",
    "slope",
    "intercept",
    "noise",
    "theta0",
    "steps",
    "vote_theta",
    "tol",
)
GD_STEPS = {"gd_constant": ("step_sizes", "anim_step_size"), "gd_linear": ("step_fractions", "anim_step_fraction")}
RELU_FIELDS = ("target", "width", "regime", "lr", "seeds", "steps", "n_snapshots", "batch_size")
RELU_FIELDS += ("noise_std", "n_train", "data_seed")


@dataclasses.dataclass(frozen=True)
class Quoted:
    """A number the page states: ``key`` of an experiment's results (at ``index``: an
    int, or "shown", the seed the figures show), to the page's significant digits.
    ``solution``: stated only by solution material, so not in the student edition."""

    kind: str
    key: str
    digits: int
    label: str
    index: int | str | None = None
    solution: bool = False


QUOTED = [
    Quoted("gd_constant", "theta_star", 4, "theta*", solution=True),
    Quoted("gd_constant", "step_size_limit", 4, "largest step size that converges", solution=True),
    Quoted("gd_constant", "steps_to_tol", 4, "GD steps to the tolerance", solution=True),
    Quoted("gd_linear", "mean_x2", 4, "mean(x^2)", solution=True),
    Quoted("gd_linear", "theta_star", 4, "theta*", solution=True),
    Quoted("gd_linear", "alpha_limit", 4, "largest step size that converges", solution=True),
    Quoted("gd_linear", "steps_to_tol", 4, "GD steps to the tolerance", solution=True),
    Quoted(RELU_KIND, "train_mse_p50", 3, "median train MSE, step 0", index=0),
    Quoted(RELU_KIND, "train_mse_p50", 3, "median train MSE, last step", index=-1),
    Quoted(RELU_KIND, "test_mse_p50", 3, "median test MSE, last step", index=-1),
    Quoted(RELU_KIND, "elbow_displacement_p50", 3, "median elbow displacement"),
    Quoted(RELU_KIND, "final_train_mse", 3, "train MSE of the median seed", index="shown"),
    Quoted(RELU_KIND, "final_test_mse", 3, "test MSE of the median seed", index="shown"),
]


def _experiments(sheet: Sheet) -> list[Experiment]:
    kinds = [*GD_KINDS, RELU_KIND]
    chosen = [e for e in sheet.experiments.values() if e.kind in kinds]
    return sorted(chosen, key=lambda e: kinds.index(e.kind))  # stable: the sheet's order within a kind


def build(sheet: Sheet, results, page: str, edition: str) -> bytes:
    """One worksheet's notebook, as the bytes of its .ipynb file."""
    experiments = _experiments(sheet)
    gd = [e for e in experiments if e.kind in GD_KINDS]
    relu = [e for e in experiments if e.kind == RELU_KIND]
    solved = edition == Edition.SOLUTIONS
    intro, sections = _split_page(page)
    cells = [_md(_unlinked(f"# {sheet.meta.title}: the notebook\n\n{intro}\n\n{_ABOUT}"))]
    cells.append(_code(_parameters(gd, relu, results, solved)))
    cells.append(_code(_SETUP.format(colors=_COLORS)))
    for heading, text, questions in sections:
        cells.append(_md(_unlinked(f"{heading}\n\n{text}".strip())))
        for question, solution in questions:
            cells.append(_md(_unlinked(question)))
            if solved and solution:
                cells.append(_md(_unlinked(f"**Solution**\n\n{solution}")))
        if heading.startswith("## 1") and gd:
            cells += _gd_cells(gd, solved)
        if heading.startswith("## 2") and relu:
            cells += _relu_cells(relu)
    cells.append(_md("## The page's numbers\n\nThe numbers the worksheet page states, next to those computed here."))
    cells.append(_code(_check_cell(experiments, results, solved)))
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
**Running it.** It needs numpy and matplotlib (ipywidgets adds a slider). Run all cells:
Section 2 trains every network of the page, which takes a minute or two. The first code
cell holds every parameter: change one and run all cells again. The last cell compares
what this notebook computed with the numbers on the page."""

_COLORS = {"gd": style.BLUE, "sgd": style.VERMILLION, "data": style.ORANGE, "truth": style.BLUE}
_COLORS |= {"fit": style.GREEN, "unit": style.GREY, "ink": style.INK}


def _md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": _lines(text)}


def _code(text: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": _lines(text)}


def _lines(text: str) -> list[str]:
    return text.strip("\n").splitlines(keepends=True)


# ------------------------------------------------------------------ the page's text


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
        starts = [i for i in starts if QUESTION_ID.search(body[i])]  # questions, not the page's subsections
        questions = []
        for k, i in enumerate(starts):
            chunk = body[i + 1 : starts[k + 1] if k + 1 < len(starts) else len(body)]
            if not any(s.startswith("??? solution") for s in chunk) and not _paragraph(chunk):
                continue
            questions.append((f"{_heading(body[i])}\n\n{_paragraph(chunk, whole=True)}", _solution(chunk)))
        sections.append((heading, _paragraph(body[: starts[0]] if starts else body, whole=True), questions))
    return intro, sections


QUESTION_ID = re.compile(r"\{ #\d+[a-z] \}\s*$")  # the anchor the worksheet's question() gives: { #1a }
LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)(\{[^}]*\})?")  # a Markdown link: the page's, not the notebook's


def _unlinked(text: str) -> str:
    """Links to the page's anchors and files lead nowhere from a notebook: their text only."""
    return LINK.sub(r"\1", text)


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


def _parameters(gd: list[Experiment], relu: list[Experiment], results, solved: bool) -> str:
    """The parameters cell. (b)'s step sizes are fractions of 1/mean(x^2) in the
    solutions; elsewhere their values, to two digits (``gd.alpha_text``): a fraction
    would hand the student the curvature (b) asks for."""
    out = ["# Every parameter of the page's experiments: change one, then run all cells again."]
    for e in gd:
        model = "linear" if e.kind == "gd_linear" else "constant"
        values = [(f, _literal(getattr(e.params, f))) for f in GD_FIELDS]
        if e.kind == "gd_linear" and not solved:
            res = results[e.name]
            alphas = [float(alpha_text(True, float(a))) for a in res["step_sizes"]]
            values += [
                ("step_sizes", repr(tuple(alphas))),
                ("anim_step_size", alpha_text(True, float(res["anim_step_size"]))),
            ]
        else:
            values += [(f, _literal(getattr(e.params, f))) for f in GD_STEPS[e.kind]]
        lines = [f"    {f}={v}," for f, v in [("model", repr(model)), *values]]
        if e.kind == "gd_linear" and not solved:
            lines.insert(0, _ROUNDED)
        out += ["", f"{e.name} = dict("] + lines + [")"]
    if relu:
        shared = [f for f in RELU_FIELDS if len({getattr(e.params, f) for e in relu}) == 1]
        own = [f for f in RELU_FIELDS if f not in shared]
        out += ["", "# Section 2: what all its networks share, then each configuration's own settings."]
        out += ["relu_common = dict("] + [f"    {f}={_literal(getattr(relu[0].params, f))}," for f in shared] + [")"]
        out.append("relu_configs = {")
        for e in relu:
            out.append(f"    {e.name!r}: dict({', '.join(f'{f}={_literal(getattr(e.params, f))}' for f in own)}),")
        out.append("}")
    return "\n".join(out)


_ROUNDED = """\
    # step sizes to two digits, as the page labels them; the page runs the unrounded
    # values, so a run here comes close to its figure, not exactly"""


def _literal(value) -> str:
    if isinstance(value, tuple) and len(value) > 3 and value == tuple(range(len(value))):
        return f"tuple(range({len(value)}))"
    return repr(value)


_SETUP = """\
import math
import time
from concurrent.futures import ThreadPoolExecutor

import matplotlib.pyplot as plt
import numpy as np

COLORS = {colors!r}  # the page's figures' colours (Okabe-Ito)
plt.rcParams.update({{"axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3}})"""


# ------------------------------------------------------------------------- Section 1


_GD_DATA = '''\
def page_data(p, model):
    """The page's N points near a line, with one y moved so that two points (with
    |x_i| >= 2 |x_j|) have the same error at theta = vote_theta."""
    rng = np.random.default_rng(p["data_seed"])
    x = np.sort(rng.uniform(p["x_low"], p["x_high"], size=p["n_points"]))
    y = p["intercept"] + p["slope"] * x + p["noise"] * rng.normal(size=p["n_points"])
    theta = p["vote_theta"]
    error = theta * x - y if model == "linear" else theta - y
    ax = np.abs(x)
    allowed = (ax[:, None] >= 2 * ax[None, :]) & (ax[None, :] >= ax.max() / 4)
    allowed &= np.abs(error)[:, None] >= np.abs(error).max() / 10
    i, j = np.unravel_index(np.argmin(np.where(allowed, np.abs(error[:, None] - error[None, :]), np.inf)), allowed.shape)
    y = y.copy()
    y[j] = theta * x[j] - error[i] if model == "linear" else y[i]
    return x, y


def loss_constant(theta, x, y):
    return np.mean((y - theta) ** 2)


def loss_linear(theta, x, y):
    return np.mean((y - theta * x) ** 2)'''

_GD_STUB = """\
# Questions (a) and (b): write the gradients of the two losses with respect to theta.
# (x, y are the arrays of all N points, or of one point for an SGD step.)


def grad_constant(theta, x, y):
    return None  # your answer to (a)


def grad_linear(theta, x, y):
    return None  # your answer to (b)"""

_GD_SOLVED = """\
# Questions (a) and (b): the gradients of the two losses with respect to theta.


def grad_constant(theta, x, y):
    return np.mean(2 * (theta - y))


def grad_linear(theta, x, y):
    return np.mean(2 * (theta * x - y) * x)"""

_GD_RUN = '''\
def slope_of(loss, theta, x, y, h=1e-6):
    """The loss's slope at theta, numerically: what a correct gradient returns."""
    return (loss(theta + h, x, y) - loss(theta - h, x, y)) / (2 * h)


def descend(grad, x, y, theta0, alpha, steps, rng=None):
    """theta_0 .. theta_steps: GD on all points, or SGD (rng given) on one point a step."""
    path = [theta0]
    for _ in range(steps):
        i = slice(None) if rng is None else slice(k := rng.integers(len(x)), k + 1)
        path.append(path[-1] - alpha * grad(path[-1], x[i], y[i]))
        if not abs(path[-1]) < 1e6:
            break  # diverged
    return np.array(path)


models = {name: (globals()[name], globals()[name]["model"]) for name in GD_RUNS}
data = {name: page_data(p, model) for name, (p, model) in models.items()}
ready = {}
for name, (p, model) in models.items():
    x, y = data[name]
    grad, loss = globals()["grad_" + model], globals()["loss_" + model]
    tries = [grad(t, x, y) for t in (-1.0, 0.5, 2.0)]
    ready[name] = None not in tries and np.allclose(tries, [slope_of(loss, t, x, y) for t in (-1.0, 0.5, 2.0)])
    print(f"{name}: grad_{model}", "matches the loss's slope" if ready[name] else "is not written yet, or not right")'''

_GD_FIGURE = """\
fig, axes = plt.subplots(len(models), 2, figsize=(11, 3.6 * len(models)), squeeze=False)
for (name, (p, model)), (left, right) in zip(models.items(), axes):
    x, y = data[name]
    grad, loss = globals()["grad_" + model], globals()["loss_" + model]
{steps}
    left.set(title=f"{name}: GD per step size", xlabel="step t", ylabel="theta_t")
    right.set(title="the loss along the way", xlabel="step t", ylabel="loss", yscale="log")
    if not ready[name]:
        left.text(0.5, 0.5, f"write grad_{model} above", ha="center", transform=left.transAxes)
        continue
    low, high = min(p["theta0"], y.min()) - 1, max(p["theta0"], y.max()) + 1
    for a in alphas:
        path = descend(grad, x, y, p["theta0"], a, p["steps"])
        # a run that leaves the plot stops there, rather than filling it with lines
        shown = path[: np.argmax((path < low) | (path > high)) + 1 if ((path < low) | (path > high)).any() else None]
        label = f"alpha = {a:.2g}"
        left.plot(shown, marker=".", label=label)
        right.plot([loss(t, x, y) for t in path], marker=".", label=label)
    sgd = descend(grad, x, y, p["theta0"], anim, p["steps"], np.random.default_rng(0))
    left.plot(sgd, ls="--", color=COLORS["sgd"], label=f"SGD, alpha = {anim:.2g}")
    left.set_ylim(low, high)
    left.legend(fontsize=8)
plt.tight_layout()
plt.show()"""


def _gd_cells(runs: list[Experiment], solved: bool) -> list[dict]:
    return [
        _md(
            "### Running Section 1\n\nThe page's data and the two losses. Write the gradients "
            "in the cell after, then run the cells below: they check each gradient against the "
            "loss's own slope and run gradient descent with it at the page's step sizes."
        ),
        _code(f"GD_RUNS = {[e.name for e in runs]!r}\n\n\n{_GD_DATA}"),
        _code(_GD_SOLVED if solved else _GD_STUB),
        _code(_GD_RUN),
        _code(_GD_FIGURE.replace("{steps}", _GD_STEP_SIZES_SOLVED if solved else _GD_STEP_SIZES)),
        _md(_VOTES_QUESTION),
        _code(_VOTES),
    ]


_GD_STEP_SIZES = """\
    alphas, anim = p["step_sizes"], p["anim_step_size"]"""
_GD_STEP_SIZES_SOLVED = """\
    if "step_sizes" in p:
        alphas, anim = p["step_sizes"], p["anim_step_size"]
    else:  # (b)'s step sizes: fractions of the limit 1 / mean(x^2)
        alphas = [f / np.mean(x * x) for f in p["step_fractions"]]
        anim = p["anim_step_fraction"] / np.mean(x * x)"""

_VOTES_QUESTION = """\
### Question: who votes?

Each point casts a vote, its share of the full gradient: your gradient on that point
alone, divided by $N$. The cell below computes every point's vote with your gradients at
`vote_theta`, checks that the votes add up to the gradient, and draws them against $x$.
Compare the two models: how does a point's $x$ change its vote?"""

_VOTES = """\
def votes(grad, theta, x, y):
    \"\"\"Each point's share of the gradient: the gradient on that point alone, over N.\"\"\"
    return np.array([grad(theta, x[i : i + 1], y[i : i + 1]) for i in range(len(x))]) / len(x)


fig, axes = plt.subplots(1, len(models), figsize=(5.5 * len(models), 3.2), squeeze=False)
for (name, (p, model)), ax in zip(models.items(), axes[0]):
    x, y = data[name]
    grad = globals()["grad_" + model]
    ax.set(title=f"{name}: each point's vote", xlabel="x", ylabel="vote")
    if not ready[name]:
        ax.text(0.5, 0.5, f"write grad_{model} above", ha="center", transform=ax.transAxes)
        continue
    v = votes(grad, p["vote_theta"], x, y)
    print(f"{name}: the votes add up to the gradient:", bool(np.isclose(v.sum(), grad(p["vote_theta"], x, y))))
    ax.bar(x, v, width=0.08, color=COLORS["gd"])
    ax.axhline(0, color=COLORS["ink"], lw=0.8)
plt.tight_layout()
plt.show()"""


# ------------------------------------------------------------------------- Section 2


_RELU_QUESTION = """\
### Question: the rate or the regime?

The output-layer-only configurations listed with `lr=0.02` train at the all-layers rate;
the others at ten times it, as the course notebook did. In the errors above, compare how
fast each output-only configuration's median error falls at first with the all-layers
one of its width, at each rate: how much of the faster start is the larger rate's?"""


_RELU_DATA = '''\
def target(x):
    """Straight lines joining the heights sin(12345 n) at the knots x = n / 10."""
    heights = np.sin(12345 * np.arange(12.0))
    t = 10.0 * x
    lo = np.floor(t)
    return (t - lo) * heights[(lo + 1).astype(int)] - (t - lo - 1) * heights[lo.astype(int)]


def make_data(n_train, noise_std, data_seed):
    """Sorted uniform x with noisy targets; the test set, noiseless, adds 1000 even points."""
    rs = np.random.RandomState(data_seed)
    x = np.sort(rs.rand(n_train))
    y = target(x) + noise_std * rs.randn(n_train)
    x_test = np.sort(np.concatenate([x, np.linspace(0.0, 1.0, 1000)]))
    return x, y, x_test, target(x_test)


def init_network(seed, width):
    """PyTorch's nn.Linear initialisation, then each elbow moved to a sorted uniform draw
    on [0, 1]. A network is one vector [W1, b1, W2, b2]."""
    rng = np.random.default_rng([1, seed, width])
    W1 = rng.uniform(-1.0, 1.0, width)
    W2 = rng.uniform(-1 / math.sqrt(width), 1 / math.sqrt(width), width)
    b2 = rng.uniform(-1 / math.sqrt(width), 1 / math.sqrt(width))
    b1 = -W1 * np.sort(rng.uniform(0.0, 1.0, width))
    return np.concatenate([W1, b1, W2, [b2]])


def minibatches(seed, n_train, batch_size, steps):
    """Seed's minibatch indices, (steps, batch_size), drawn 500 steps at a time."""
    rng = np.random.default_rng([2, seed])
    blocks = [rng.integers(0, n_train, (500, batch_size), dtype=np.int16) for _ in range(-(-steps // 500))]
    return np.concatenate(blocks)[:steps]


def snapshots(steps, n):
    """The steps recorded, 0 .. steps, dense early: step ~ k^2."""
    u = np.linspace(0.0, 1.0, n)
    return np.unique(np.round(steps * u * u).astype(np.int64))'''

_RELU_TRAIN = '''\
def mse(W1, b1, W2, b2, x, y):
    """Every network's mean squared error on (x, y): W1, b1, W2 are (width, networks)."""
    out = np.zeros((x.size, W1.shape[1]))
    for j in range(W1.shape[0]):  # unit after unit, as the site's training code adds them
        out += np.maximum(x[:, None] * W1[j] + b1[j], 0.0) * W2[j]
    r = out + b2 - y[:, None]
    return (r * r).sum(axis=0) / x.size


def train(theta0, data, batches, snaps, lr, lr_hidden):
    """Minibatch SGD on every network at once (one column each), snapshots at snaps.

    y_hat = sum_j W2_j relu(W1_j x + b1_j) + b2 with the squared error; batches
    (steps, B, networks). lr_hidden = 0 trains the output layer only. Each sum runs in
    the order the site's compiled code adds, so the numbers are the page's, to the bit.
    """
    x, y, x_test, y_test = data
    S, P = theta0.shape
    H, B = (P - 1) // 3, batches.shape[1]
    W1, b1, W2 = (theta0[:, k * H : (k + 1) * H].T.copy() for k in range(3))
    b2 = theta0[:, -1].copy()
    params, train_mse, test_mse = np.empty((S, len(snaps), P)), np.empty((S, len(snaps))), np.empty((S, len(snaps)))
    for t in range(snaps[-1] + 1):
        if t in snaps:
            k = np.searchsorted(snaps, t)
            params[:, k] = np.concatenate([W1.T, b1.T, W2.T, b2[:, None]], axis=1)
            train_mse[:, k], test_mse[:, k] = mse(W1, b1, W2, b2, x, y), mse(W1, b1, W2, b2, x_test, y_test)
        if t == snaps[-1]:
            break
        xb = x[batches[t]][:, None, :]  # (B, 1, networks)
        z = xb * W1 + b1  # (B, width, networks)
        a = np.maximum(z, 0.0)
        g = (2.0 * ((a * W2).sum(axis=1) + b2 - y[batches[t]])) / B  # dLoss / dy_hat, (B, networks)
        if lr_hidden.any():  # all layers: back through W2 and the ReLU
            dz = g[:, None, :] * W2 * (z > 0.0)
            W1 -= lr_hidden * (dz * xb).sum(axis=0)
            b1 -= lr_hidden * dz.sum(axis=0)
        W2 -= lr * (g[:, None, :] * a).sum(axis=0)
        b2 -= lr * g.sum(axis=0)
    return params, train_mse, test_mse'''

_RELU_RUN = '''\
def run(p):
    """Train every seed of one configuration; the numbers and pictures the page shows."""
    data = make_data(p["n_train"], p["noise_std"], p["data_seed"])
    snaps = snapshots(p["steps"], p["n_snapshots"])
    theta0 = np.stack([init_network(s, p["width"]) for s in p["seeds"]])
    batches = np.stack([minibatches(s, p["n_train"], p["batch_size"], p["steps"]) for s in p["seeds"]], axis=-1)
    lr = np.full(len(p["seeds"]), p["lr"])
    params, train_mse, test_mse = train(theta0, data, batches, snaps, lr, lr * (p["regime"] == "all_layers"))
    H = p["width"]
    W1, b1 = params[..., :H], params[..., H : 2 * H]
    elbows = np.divide(-b1, W1, out=np.zeros(W1.shape), where=W1 != 0)  # where each unit bends
    shown = int(np.argsort(train_mse[:, -1], kind="stable")[(len(p["seeds"]) - 1) // 2])  # the median seed
    displacement = np.median(np.abs(elbows[:, -1] - elbows[:, 0]), axis=-1)
    return dict(
        p=p, data=data, snaps=snaps, params=params, elbows=elbows, shown=shown,
        train_mse=train_mse, test_mse=test_mse,
        train_mse_p50=np.median(train_mse, axis=0), test_mse_p50=np.median(test_mse, axis=0),
        elbow_displacement_p50=np.median(displacement),
        final_train_mse=train_mse[:, -1], final_test_mse=test_mse[:, -1],
    )


started = time.perf_counter()
runs = {name: {**relu_common, **own} for name, own in relu_configs.items()}
with ThreadPoolExecutor(max_workers=2) as pool:  # numpy works outside the GIL: two at once
    biggest_first = sorted(runs, key=lambda name: -runs[name]["width"])
    done = dict(zip(biggest_first, pool.map(run, [runs[name] for name in biggest_first])))
results = {name: done[name] for name in runs}
print(f"trained {sum(len(p['seeds']) for p in runs.values())} networks in {time.perf_counter() - started:.0f} s")
for name, r in results.items():
    print(f"{name}: median train MSE {r['train_mse_p50'][0]:.3g} -> {r['train_mse_p50'][-1]:.3g}")'''

_RELU_FIGURES = '''\
def draw(ax, r, k):
    """The median seed's network at snapshot k: its units, its elbows, its prediction."""
    x, y = r["data"][:2]
    H, theta = r["p"]["width"], r["params"][r["shown"], k]
    W1, b1, W2, b2 = theta[:H], theta[H : 2 * H], theta[2 * H : 3 * H], theta[-1]
    grid = np.linspace(0.0, 1.0, 400)
    units = W2[:, None] * np.maximum(W1[:, None] * grid + b1[:, None], 0.0)
    ax.plot(grid, units.T, ":", color=COLORS["unit"], lw=0.8)
    ax.scatter(x, y, s=4, color=COLORS["data"], label="training data")
    ax.plot(grid, target(grid), "--", color=COLORS["truth"], label="ground truth")
    ax.plot(grid, units.sum(axis=0) + b2, color=COLORS["fit"], lw=2, label="prediction")
    e = r["elbows"][r["shown"], k]
    ax.plot(e[(e >= 0) & (e <= 1)], 0 * e[(e >= 0) & (e <= 1)], "o", color=COLORS["ink"], ms=3)
    ax.set(ylim=(-1.6, 1.6), title=f"{name_of(r)}, step {r['snaps'][k]:,}: test MSE {r['test_mse'][r['shown'], k]:.3g}")


def name_of(r):
    return next(name for name, other in results.items() if other is r)


fig, axes = plt.subplots((len(results) + 1) // 2, 2, figsize=(11, 3 * ((len(results) + 1) // 2)), squeeze=False)
for ax, r in zip(axes.flat, results.values()):
    draw(ax, r, -1)
axes.flat[0].legend(fontsize=7)
plt.tight_layout()
plt.show()'''

_RELU_LOSSES = """\
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
for name, r in results.items():
    ls = "-" if r["p"]["regime"] == "all_layers" else "--"
    left.semilogy(r["snaps"], r["train_mse_p50"], ls, label=name)
    right.semilogy(r["snaps"], r["test_mse_p50"], ls, label=name)
left.set(xlabel="SGD step", ylabel="median train MSE over the seeds")
right.set(xlabel="SGD step", ylabel="median test MSE over the seeds")
left.legend(fontsize=8)
plt.tight_layout()
plt.show()"""

_RELU_SLIDER = """\
try:  # the course notebook's "SGD Iterations" slider, if ipywidgets is installed
    import ipywidgets

    def show(config, k):
        fig, ax = plt.subplots(figsize=(7, 4))
        draw(ax, results[config], k)
        plt.show()

    last = len(next(iter(results.values()))["snaps"]) - 1
    ipywidgets.interact(show, config=list(results), k=ipywidgets.IntSlider(value=last, min=0, max=last))
except ImportError:
    print("pip install ipywidgets for a slider over the snapshots")"""


def _relu_cells(runs: list[Experiment]) -> list[dict]:
    return [
        _md(
            "### Running Section 2\n\nThe target and the data, the networks' initial values and "
            "their minibatches: each seed has its own, as on the page."
        ),
        _code(_RELU_DATA),
        _md("Training: one SGD step for every network at once."),
        _code(_RELU_TRAIN),
        _md("Every seed of every configuration: a minute or two."),
        _code(_RELU_RUN),
        _md("The median seed's final network for each configuration, and the median errors over the seeds."),
        _code(_RELU_FIGURES),
        _code(_RELU_LOSSES),
        _md(_RELU_QUESTION),
        _code(_RELU_SLIDER),
    ]


# -------------------------------------------------------------------- the page's numbers


def _format(value, digits: int) -> str:
    """A number as the page shows it (pages.num, without its LaTeX for exponents)."""
    x = np.asarray(value).item()
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    return format(float(x), f".{digits}g")


def _check_cell(experiments: list[Experiment], results, solved: bool) -> str:
    rows, labels = {}, {}
    for e in experiments:
        res = results.get(e.name)
        for q in QUOTED:
            if res is None or q.kind != e.kind or (q.solution and not solved):
                continue
            value = res[q.key]
            value = value[int(res["shown"])] if q.index == "shown" else value if q.index is None else value[q.index]
            rows.setdefault(e.name, []).append((q.key, q.index, q.digits, _format(value, q.digits)))
            if labels.setdefault((q.key, q.index), q.label) != q.label:  # the cell names a number by key and index
                raise ValueError(
                    f"QUOTED: {q.key!r} at {q.index!r} has two labels, {labels[q.key, q.index]!r} and {q.label!r}"
                )
    solved_gd = _SOLVED_GD if solved and any(e.kind in GD_KINDS for e in experiments) else ""
    lines = ["# What each number is, by (key, index); the page's numbers, as the build computed them,"]
    lines += ["# by experiment: (key, index, digits, page)", "LABELS = {"]
    lines += [f"    {key!r}: {label!r}," for key, label in labels.items()]
    lines += ["}", "PAGE = {"]
    for name, quoted in rows.items():
        lines += [f"    {name!r}: ["] + [f"        {row!r}," for row in quoted] + ["    ],"]
    lines += ["}", solved_gd + _CHECK]
    return "\n".join(lines)


_SOLVED_GD = """

results = globals().get("results", {})
for name, (p, model) in models.items():  # Section 1's numbers, from the solution's gradients
    x, y = data[name]
    grad = globals()["grad_" + model]
    c = 1.0 if model == "constant" else np.mean(x * x)
    theta_star = np.mean(y) if model == "constant" else np.sum(x * y) / np.sum(x * x)
    alpha = p["anim_step_size"] if model == "constant" else p["anim_step_fraction"] * (1 / c)
    theta, steps = p["theta0"], 0
    while abs(theta - theta_star) >= p["tol"]:
        theta, steps = theta - alpha * grad(theta, x, y), steps + 1
    numbers = dict(theta_star=theta_star, step_size_limit=1 / c, alpha_limit=1 / c, mean_x2=c, steps_to_tol=steps)
    results[name] = {key: np.array(value) for key, value in numbers.items()}"""

_CHECK = """

same, count = 0, sum(map(len, PAGE.values()))
for name, quoted in PAGE.items():
    for key, index, digits, page in quoted:
        value = results[name][key]
        value = value[results[name]["shown"]] if index == "shown" else value if index is None else value[index]
        x = np.asarray(value).item()
        here = str(x) if isinstance(x, int) else format(float(x), f".{digits}g")
        same += here == page
        print(f"{name:14} {LABELS[key, index]:32} here {here:>9}   page {page:>9}   {'same' if here == page else 'DIFFERENT'}")
print(f"All {count} values agree with the page." if same == count else f"{count - same} differ: changed parameters?")"""


class Companion:
    """The notebook kind of this course (``NOTEBOOKS``, coursegen.site.notebooks): every
    worksheet that runs a GD or ReLU experiment gets one."""

    def wants(self, sheet: Sheet) -> bool:
        return bool(_experiments(sheet))

    def build(self, sheet: Sheet, results, page: str, edition: str) -> bytes:
        return build(sheet, results, page, edition)


NOTEBOOKS = {"companion": Companion()}
