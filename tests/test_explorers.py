"""Every explorer, as a student drives it: on every page of both editions, light and
dark, over HTTP and from a folder (file://). For sampled states, what it shows (the
markers' and lines' positions read back through the panel's own tick labels, and the
sentence's numbers) is compared with a recomputation written here: the closed form of
gradient descent and a plain-loop SGD for Section 1, and, for Section 2, networks
trained by a numpy SGD of this file's own from the documented seeds."""

import math
import re
from pathlib import Path

import numpy as np
import pytest

from coursegen.commands import build as commands
from coursegen.stages import registry

from browser import open_page, site_pages
from conftest import REPO

pytest_plugins = ["browser_fixtures"]

# (edition, transport, scheme): both editions, both schemes and both transports, each once
SETTINGS = [
    ("solutions", "http", "light"),
    ("solutions", "file", "dark"),
    ("student", "http", "dark"),
    ("student", "file", "light"),
]


def explorer_pages(site):
    return [rel for rel in site_pages(site) if "data-explorer=" in (site / rel).read_text(encoding="utf-8")]


def sheet_figures():
    out = {}
    for sheet in commands.discover(REPO / "content", REPO):
        for fig in sheet.figures.values():
            out[fig.name] = (fig, sheet)
    return out


def ready(page, name):
    root = page.locator(f'[data-explorer="{name}"]')
    root.scroll_into_view_if_needed()
    page.wait_for_function(
        "r => ['true', 'failed'].includes(r.dataset.ready)", arg=root.element_handle(), timeout=30_000
    )
    assert root.get_attribute("data-ready") == "true", name
    return root


def set_state(page, root, state):
    """Each slider to its value: the first by keyboard (Home, then arrows), the rest by fill."""
    sliders = root.locator("input[type=range]")
    for k, value in enumerate(state):
        slider = sliders.nth(k)
        if k == 0:
            slider.focus()
            page.keyboard.press("Home")
            for _ in range(value):
                page.keyboard.press("ArrowRight")
        else:
            slider.fill(str(value))
    assert root.get_attribute("data-state") == ",".join(map(str, state))


# Read a panel's drawing back into data units, through its frame and its tick labels.
_READ = """(root) => {
  const out = [];
  for (const svg of root.querySelectorAll("svg[data-panel]")) {
    const frame = svg.querySelector("rect.cg-explorer__frame");
    const box = ["x", "y", "width", "height"].map((k) => Number(frame.getAttribute(k)));
    const ticks = (axis) => [...svg.querySelectorAll(`text[data-axis=${axis}]`)].map((t) => [Number(t.dataset.fraction), t.textContent]);
    const layers = [...svg.querySelectorAll("g[data-layer]")].filter((g) => g.style.display !== "none").map((g) => ({
      style: g.dataset.style, kind: g.dataset.kind,
      shapes: [...g.children].filter((e) => e.style.display !== "none").map((e) => e.tagName === "circle"
        ? [[Number(e.getAttribute("cx")), Number(e.getAttribute("cy"))]]
        : e.getAttribute("points").split(" ").map((p) => p.split(",").map(Number))),
    }));
    out.push({ box, x: ticks("x"), y: ticks("y"), layers });
  }
  return { panels: out, text: root.querySelector(".cg-explorer__state").textContent };
}"""


def tick_value(text: str) -> float:
    return float(text.replace("−", "-"))


def to_data(panel, px: np.ndarray) -> np.ndarray:
    """Pixels (n, 2) to data units, through two tick labels of each axis."""
    x0, y0, w, h = panel["box"]
    out = np.empty_like(px, dtype=float)
    for axis, (origin, size, flip) in enumerate(((x0, w, False), (y0, h, True))):
        (f0, t0), (f1, t1) = panel["xy"[axis]][0], panel["xy"[axis]][-1]
        f = (px[:, axis] - origin) / size
        f = 1 - f if flip else f
        out[:, axis] = tick_value(t0) + (f - f0) * (tick_value(t1) - tick_value(t0)) / (f1 - f0)
    return out


def layer(panel, style, kind):
    (found,) = [lay for lay in panel["layers"] if lay["style"] == style and lay["kind"] == kind]
    return [np.array(s, dtype=float) for s in found["shapes"]]


def numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text.replace(",", ""))]


# ---------------------------------------------------------------- Section 1's oracle


def gd_oracle(fig, sheet):
    """x, y (the experiment's data), the grid of step sizes and the curvature, as the
    test computes them; the GD closed form and a loop SGD come from these."""
    exp = sheet.experiments[fig.experiments[0]]
    res = registry.kinds().experiments[exp.kind](exp.params)
    x, y, p = res["x"], res["y"], exp.params
    linear = exp.kind == "gd_linear"
    c = float(np.mean(x * x)) if linear else 1.0
    star = float(np.sum(x * y) / np.sum(x * x)) if linear else float(np.mean(y))
    alphas = [f / c for f in sorted(p.explore_fractions)]
    return x, y, p, linear, c, star, alphas


def gd_loss(theta, x, y, linear):
    return float(np.mean(((theta * x if linear else theta) - y) ** 2))


def sgd_runs(x, y, p, linear, alpha, steps):
    """SGD with the documented samples: run r draws from its own child of SeedSequence(sgd_seed)."""
    runs = []
    for child in np.random.SeedSequence(p.sgd_seed).spawn(p.sgd_runs):
        picks = np.random.default_rng(child).integers(0, len(x), size=p.steps)
        theta, path = p.theta0, [p.theta0]
        for i in picks[:steps]:
            grad = 2 * ((theta * x[i] if linear else theta) - y[i]) * (x[i] if linear else 1.0)
            theta = theta - alpha * grad
            path.append(theta)
        runs.append(path)
    return np.array(runs)


def check_gd_state(drawn, oracle, a, t):
    x, y, p, linear, c, star, alphas = oracle
    alpha = alphas[a]
    theta = star + (1 - 2 * alpha * c) ** t * (p.theta0 - star)
    loss_panel, time_panel = drawn["panels"]
    (marker,) = layer(loss_panel, "gd", "dots")
    span = tick_value(loss_panel["x"][-1][1]) - tick_value(loss_panel["x"][0][1])
    lo, hi = tick_value(loss_panel["x"][0][1]), tick_value(loss_panel["x"][-1][1])
    problems = []
    passed = [k for k in range(t + 1) if abs((1 - 2 * alpha * c) ** k * (p.theta0 - star)) > p.divergence_bound]
    if bool(passed) != ("GD's run passed the divergence bound" in drawn["text"].split("SGD (", 1)[0]):
        problems.append(f"α#{a} t={t}: GD passed the bound at steps {passed[:1]}, yet it says {drawn['text']!r}")
    if abs(theta - star) < 1e5 and lo - span / 4 < theta < hi + span / 4:  # on the axes (else held at the edge)
        got = to_data(loss_panel, marker)[0]
        if abs(got[0] - theta) > 2e-3 * span:
            problems.append(f"α#{a} t={t}: marker at θ={got[0]:.4f}, closed form {theta:.4f}")
        (on_time,) = layer(time_panel, "gd", "dots")
        got_t = to_data(time_panel, on_time)[0]
        if abs(got_t[0] - t) > 0.05 or abs(got_t[1] - theta) > 2e-3 * span:
            problems.append(f"α#{a} t={t}: θ_t marker at {got_t}, closed form ({t}, {theta:.4f})")
        # the trail: every iterate up to this step's, none beyond (on the θ_t panel, the
        # steps 0..t, ending at the marker)
        trail = np.concatenate([to_data(time_panel, s) for s in layer(time_panel, "gd_trail", "line")])
        if len(trail) != t + 1 or abs(trail[:, 0].max() - t) > 0.05:
            problems.append(
                f"α#{a} t={t}: the GD trail holds steps up to {trail[:, 0].max():.2f} ({len(trail)} points)"
            )
        said = re.search(r"GD's loss (\d+(?:\.\d+)?(?:e[-+]\d+)?)", drawn["text"])
        loss = gd_loss(theta, x, y, linear)
        if not said or not math.isclose(float(said.group(1)), float(f"{loss:.2g}"), rel_tol=1e-9):
            problems.append(f"α#{a} t={t}: says {drawn['text']!r}, recomputed loss {loss:.2g}")
    runs = sgd_runs(x, y, p, linear, alpha, p.steps)
    # SGD's sentence: the loss at the runs' median θ at step t, unless a run has passed
    # the divergence bound by then (its held value would make the median up)
    sgd = drawn["text"].split("SGD (", 1)[1]
    beyond = np.abs(runs - star) > p.divergence_bound  # (R, T+1): a run's value is held from its first such step
    passed = int(np.sum(beyond[:, : t + 1].any(axis=1)))
    if passed:
        first = int(np.argmax(beyond.any(axis=0)))  # where the band and median must end
        if f"{passed} of the {p.sgd_runs} runs passed the divergence bound" not in sgd or "at the median" in sgd:
            problems.append(f"α#{a} t={t}: {passed} SGD runs passed the bound, yet it says {sgd!r}")
        if f"the band and median end at step {first - 1}" not in sgd:
            problems.append(f"α#{a} t={t}: SGD's first run past the bound is at step {first}, yet it says {sgd!r}")
        if any(len(shape) for lay in loss_panel["layers"] if lay["style"] == "sgd" for shape in lay["shapes"]):
            problems.append(f"α#{a} t={t}: the median's circle is drawn from held values")
        for style in ("band", "sgd"):
            drawn_t = [
                to_data(time_panel, np.array(shape, dtype=float))[:, 0]
                for shape in layer(time_panel, style, "area" if style == "band" else "line")
            ]
            if any(len(x) and x.max() > first - 0.5 for x in drawn_t):
                problems.append(f"α#{a} t={t}: SGD's {style} is drawn past step {first - 1}")
    else:
        middle = sorted(p.sgd_percentiles)[len(p.sgd_percentiles) // 2]
        loss = gd_loss(float(np.percentile(runs[:, t], middle)), x, y, linear)
        said = re.search(r"loss (\d+(?:\.\d+)?(?:e[-+]\d+)?)(?: \(.*?\))? at the median θ", sgd)
        if not said or not math.isclose(float(said.group(1)), float(f"{loss:.2g}"), rel_tol=1e-9):
            problems.append(f"α#{a} t={t}: SGD says {sgd!r}, recomputed loss at the median {loss:.2g}")
    if np.abs(runs).max() < 1e5:
        (band,) = layer(time_panel, "band", "area")
        pts = to_data(time_panel, band)
        upper = np.percentile(runs, max(p.sgd_percentiles), axis=0)
        n = runs.shape[1]
        visible = (upper > lo) & (upper < hi)
        err = np.abs(pts[:n, 1] - upper)[visible]
        if err.size and err.max() > 3e-3 * span:
            problems.append(f"α#{a}: SGD band's top off by {err.max():.4f} from a loop SGD's percentile")
    return problems


# ---------------------------------------------------------------- Section 2's oracle


def relu_oracle_network(exp, seed, steps):
    """A network trained here with plain numpy SGD from the documented recipe: the
    initial network from default_rng([1, seed, width]), minibatches from
    default_rng([2, seed]) in blocks of 500 steps, the data from RandomState(data_seed)."""
    p = exp.params
    heights = np.sin(12345 * np.arange(12.0))

    def target(x):
        t = 10 * x
        lo = np.floor(t)
        return (t - lo) * heights[(lo + 1).astype(int)] - (t - lo - 1) * heights[lo.astype(int)]

    rs = np.random.RandomState(p.data_seed)
    x = np.sort(rs.rand(p.n_train))
    y = target(x) + p.noise_std * rs.randn(p.n_train)
    rng = np.random.default_rng([1, seed, p.width])
    W1 = rng.uniform(-1, 1, p.width)
    bound = 1 / math.sqrt(p.width)
    W2 = rng.uniform(-bound, bound, p.width)
    b2 = rng.uniform(-bound, bound)
    b1 = -W1 * np.sort(rng.uniform(0, 1, p.width))
    batches = np.random.default_rng([2, seed])
    idx = np.concatenate(
        [batches.integers(0, p.n_train, (500, p.batch_size), dtype=np.int16) for _ in range(max(1, -(-steps // 500)))]
    )
    for t in range(steps):
        xb, yb = x[idx[t]], y[idx[t]]
        z = np.outer(xb, W1) + b1
        a = np.maximum(z, 0)
        g = 2 * (a @ W2 + b2 - yb) / len(xb)
        dW2, db2 = a.T @ g, g.sum()
        if p.regime == "all_layers":
            dz = np.outer(g, W2) * (z > 0)
            W1, b1 = W1 - p.lr * (dz.T @ xb), b1 - p.lr * dz.sum(axis=0)
        W2, b2 = W2 - p.lr * dW2, b2 - p.lr * db2
    return W1, b1, W2, b2, x, y


def predict(net, xs):
    W1, b1, W2, b2 = net[:4]
    return np.maximum(np.outer(xs, W1) + b1, 0) @ W2 + b2


def check_relu_state(drawn, sheet, state, controls):
    rates, width_i, seed_i, step_i = state
    width, seed = int(controls[1][width_i]), int(controls[2][seed_i])
    step = int(controls[3][step_i].replace(",", ""))
    problems = []
    left, right = drawn["panels"]
    fits = [to_data(panel, layer(panel, "fit", "line")[0]) for panel in (left, right)]
    if step == 0 and not np.allclose(fits[0], fits[1], atol=0.01):
        problems.append(f"{state}: the two regimes' networks differ at step 0")
    exps = [e for e in sheet.experiments.values() if e.kind == "relu_sgd" and e.params.width == width]
    lr_all = next(e.params.lr for e in exps if e.params.regime == "all_layers")
    lr_out = (
        lr_all
        if rates == 1
        else next(e.params.lr for e in exps if e.params.regime == "output_only" and e.params.lr != lr_all)
    )
    pick = {
        0: next(e for e in exps if e.params.regime == "all_layers"),
        1: next(e for e in exps if e.params.regime == "output_only" and e.params.lr == lr_out),
    }
    said = drawn["text"]
    if f"(learning rate {lr_out:g})" not in said.split("Output layer only")[1]:
        problems.append(f"{state}: the sentence does not name the output layer's rate {lr_out:g}")
    for k, fit in enumerate(fits):
        net = relu_oracle_network(pick[k], seed, step)
        want = predict(net, fit[:, 0])
        inside = np.abs(want) < 2.4
        if np.abs(fit[inside, 1] - want[inside]).max() > 0.02:
            problems.append(f"{state} panel {k}: prediction off by {np.abs(fit[inside, 1] - want[inside]).max():.3f}")
        mse = float(np.mean((predict(net, net[4]) - net[5]) ** 2))
        part = said.split("Output layer only")[k] if k == 1 else said.split("All layers trained")[1]
        shown = numbers(part.split("train MSE")[1])[0]
        if not math.isclose(shown, float(f"{mse:.3g}"), rel_tol=0.02):
            problems.append(f"{state} panel {k}: says train MSE {shown}, recomputed {mse:.3g}")
    return problems


# ----------------------------------------------------------------------------- tests


@pytest.mark.browser
@pytest.mark.timeout(400)
@pytest.mark.parametrize("edition, transport, scheme", SETTINGS)
def test_every_explorer_shows_what_an_independent_recomputation_gives(
    chromium, served, solutions_site, student_site, edition, transport, scheme
):
    site = {"solutions": solutions_site, "student": student_site}[edition]
    figures = sheet_figures()
    pages = explorer_pages(site)
    assert pages, "no page with an explorer"
    problems, seen = [], 0
    for rel in pages:
        url = f"{served[edition]}/{rel}" if transport == "http" else (site / rel).as_uri()
        with open_page(chromium, url, color_scheme=scheme) as page:
            names = page.eval_on_selector_all("[data-explorer]", "els => els.map((e) => e.dataset.explorer)")
            for name in names:
                seen += 1
                fig, sheet = figures[name]
                root = ready(page, name)
                controls = root.evaluate(
                    "r => [...r.querySelectorAll('input[type=range]')].map((i) => Number(i.max) + 1)"
                )
                labels = root.evaluate(
                    "r => [...r.querySelectorAll('.cg-explorer__control')].map((c) => c.querySelector('.cg-explorer__name').textContent)"
                )
                assert all(labels), name
                if fig.kind == "gd_explorer":
                    oracle = gd_oracle(fig, sheet)
                    fractions = sorted(sheet.experiments[fig.experiments[0]].params.explore_fractions)
                    half, one = fractions.index(0.5), fractions.index(1.0)  # the boundaries are on the grid
                    last = (controls[0] - 1, controls[1] - 1)  # SGD runs past the divergence bound
                    states = [(half, 1), (one, controls[1] - 1), (0, 7), (controls[0] - 1, 3), (half + 2, 20), last]
                    x, y, p, linear, c, star, alphas = oracle
                    factor = abs(1 - 2 * alphas[-1] * c)
                    passes = next(  # the step at which GD at the largest step size passes the bound
                        k for k in range(controls[1]) if factor**k * abs(p.theta0 - star) > p.divergence_bound
                    )
                    states += [(controls[0] - 1, passes - 1), (controls[0] - 1, passes)]
                    for a, t in states:
                        set_state(page, root, (a, t))
                        drawn = root.evaluate(_READ)
                        problems += [f"{rel} {name}: {p}" for p in check_gd_state(drawn, oracle, a, t)]
                    assert "passed the divergence bound" in drawn["text"].split("SGD (", 1)[1], (
                        name,
                        "no SGD run stopped at",
                        last,
                    )
                else:
                    values = root.evaluate(
                        "r => [...r.querySelectorAll('input[type=range]')].map((i, k) => { const v = []; for (let j = 0; j <= Number(i.max); j++) { i.value = j; i.dispatchEvent(new Event('input')); v.push(r.querySelectorAll('.cg-explorer__value')[k].textContent); } return v; })"
                    )
                    for state in [(0, 0, 3, 0), (1, 0, 5, 2), (0, 1, 0, 3)]:
                        set_state(page, root, state)
                        problems += [
                            f"{rel} {name}: {p}" for p in check_relu_state(root.evaluate(_READ), sheet, state, values)
                        ]
                text = root.locator(".cg-explorer__state").text_content()
                assert text and root.locator("[aria-live=polite]").count() == 1, name
            problems += [f"{rel}: {e}" for e in page.errors]
    assert seen >= 3 and problems == []


@pytest.mark.browser
@pytest.mark.timeout(200)
def test_explorer_data_load_only_when_in_view_and_states_answer_fast(chromium, served, solutions_site):
    """Nothing of an explorer's data is fetched with the page; it is fetched as the
    explorer comes near the screen. A state change is a look-up: under 100 ms each."""
    rel = explorer_pages(solutions_site)[0]
    with open_page(chromium, f"{served['solutions']}/{rel}") as page:
        fetched = page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")
        assert not [u for u in fetched if ".explorer." in u]
        name = page.eval_on_selector("[data-explorer]", "e => e.dataset.explorer")
        root = ready(page, name)
        times = root.evaluate(
            """r => { const s = r.querySelector('input[type=range]'); const out = [];
               for (let j = 0; j <= Number(s.max); j++) { const t = performance.now(); s.value = j;
                 s.dispatchEvent(new Event('input')); out.push(performance.now() - t); } return out; }"""
        )
        assert max(times) < 100, times


@pytest.mark.browser
@pytest.mark.timeout(200)
def test_switching_the_scheme_repaints_every_explorer(chromium, served, solutions_site):
    """Material's toggle to dark: every shape of every explorer takes its layer's dark
    style from the explorer's spec (read here from its JSON file)."""
    import json

    from site_html import site_file

    checked = 0
    for rel in explorer_pages(solutions_site):
        with open_page(chromium, f"{served['solutions']}/{rel}", color_scheme="light") as page:
            names = page.eval_on_selector_all("[data-explorer]", "els => els.map((e) => e.dataset.explorer)")
            roots = {name: ready(page, name) for name in names}
            page.locator("label[for='__palette_1']").first.click()  # Material's toggle: to dark
            assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
            for name, root in roots.items():
                spec = json.loads(
                    site_file(solutions_site / Path(rel).parent, root.get_attribute("data-spec")).read_text()
                )
                painted = root.evaluate(
                    """r => [...r.querySelectorAll("g[data-layer]")].flatMap((g) => [...g.children].map((e) =>
                         [g.dataset.style, g.dataset.kind, e.getAttribute("fill"), e.getAttribute("stroke")]))"""
                )
                assert painted, name
                for style, kind, fill, stroke in painted:
                    want = spec["styles"]["dark"][style]
                    expected = (want.get("fill", "currentColor"), want.get("stroke", "none"))
                    if kind == "area":
                        expected = (want["fill"], "none")
                    elif kind != "dots":
                        expected = ("none", want["stroke"])
                    assert (fill, stroke) == expected, (name, style, kind)
                    checked += 1
            assert page.errors == []
    assert checked


@pytest.mark.browser
@pytest.mark.timeout(200)
def test_a_quick_run_of_moves_is_read_out_once(chromium, served, solutions_site):
    """A screen reader hears the state the student stops at, not each one passed on the
    way: ten moves of a slider in a row (as a drag makes them, in one go here, so that a
    busy machine cannot space them out) change the live region once, to the last sentence."""
    rel = explorer_pages(solutions_site)[0]
    with open_page(chromium, f"{served['solutions']}/{rel}") as page:
        name = page.eval_on_selector("[data-explorer]", "e => e.dataset.explorer")
        root = ready(page, name)
        root.evaluate(
            """r => { window.cgSaid = []; const live = r.querySelector("[aria-live=polite]");
               new MutationObserver((records) => records.forEach(() => window.cgSaid.push(live.textContent))).observe(live, { childList: true, characterData: true, subtree: true }); }"""
        )
        root.evaluate(
            """r => { const s = [...r.querySelectorAll("input[type=range]")].pop();
               for (let j = 0; j < 10; j++) { s.value = j; s.dispatchEvent(new Event("input")); } }"""
        )
        page.wait_for_timeout(1000)
        said = page.evaluate("window.cgSaid")
        assert said == [root.locator(".cg-explorer__state").text_content()], said
        assert page.errors == []


@pytest.mark.browser
@pytest.mark.timeout(200)
def test_a_sentence_is_the_template_filled_once_as_python_fills_it(chromium, served, solutions_site):
    """A value may hold what looks like a field ("{1}") and the template may hold escaped
    braces ("{{"): the page's sentence is the template filled once, exactly as Python's
    ``str.format`` fills it for the alt text and the print copy. The spec is served with
    such a template and such values (the state shown is the spec's initial one)."""
    import json

    from site_html import site_file

    rel = explorer_pages(solutions_site)[0]
    with open_page(chromium, f"{served['solutions']}/{rel}") as page:
        name = page.eval_on_selector("[data-explorer]", "e => e.dataset.explorer")
        where = page.locator(f'[data-explorer="{name}"]').get_attribute("data-spec")
        spec = json.loads(site_file(solutions_site / Path(rel).parent, where).read_text())
        parts = spec["text"]["parts"]
        spec["text"]["template"] = "{{set}} " + " | ".join(f"{{{k}}}" for k in range(len(parts))) + " }}"
        for k, part in enumerate(parts):
            part["values"] = [f"v{k}.{i} {{{(k + 1) % len(parts)}}} {{{{x}}}}" for i in range(len(part["values"]))]
        page.route(
            f"**/{Path(where).name}",
            lambda route: route.fulfill(body=json.dumps(spec), content_type="application/json"),
        )
        root = ready(page, name)
        state = [c["initial"] for c in spec["controls"]]
        chosen = []
        for part in parts:
            index = 0
            for d in part["dims"]:
                index = index * len(spec["controls"][d]["values"]) + state[d]
            chosen.append(part["values"][index])
        shown = root.locator(".cg-explorer__state").text_content()
        assert shown == spec["text"]["template"].format(*chosen), shown


@pytest.mark.parametrize("edition", ["solutions", "student"])
def test_an_explorer_is_labelled_by_its_alt_text_once(solutions_site, student_site, edition):
    """The group's label is the staff's alt text as written (its fallback picture's alt
    begins with it): nothing put before it, so an alt that says "Explorer: ..." (as the
    scaffold's player alt says "Animation: ...") is not read as "Explorer: Explorer: ..."."""
    import html
    import re

    site = {"solutions": solutions_site, "student": student_site}[edition]
    seen = 0
    for rel in explorer_pages(site):
        page = (site / rel).read_text(encoding="utf-8")
        for root in re.finditer(r'(<div [^>]*data-explorer="[^"]*"[^>]*>)\s*(<img [^>]*>)', page):
            div, img = root.groups()
            label = html.unescape(re.search(r' aria-label="([^"]*)"', div)[1])
            fallback = html.unescape(re.search(r' alt="([^"]*)"', img)[1])
            assert fallback.startswith(label + " "), (label[:60], fallback[:60])
            seen += 1
    assert seen
