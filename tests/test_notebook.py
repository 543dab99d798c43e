"""The companion notebook of each worksheet (course/notebook.py).

Fast tests read the notebooks of the shared builds; the ``slow`` ones execute both
notebooks headless (nbclient, a local python3 kernel, no network), Section 2 on fewer
steps: Section 1 gives the page's numbers, and Section 2, in numpy, the bits of the
build's numba kernel. (`make bench` runs the student notebook at full length.)
"""

import ast
import dataclasses
import hashlib
import json
import re
import time
from contextlib import ExitStack

import numpy as np
import pytest

from coursegen.commands import build as commands
from coursegen.stages import registry

from conftest import REPO, environment, make_checkout, run_cli

NOTEBOOK = "dis01/dis01.ipynb"
CELL_TIMEOUT_S = 180  # a cell that runs longer has hung


def load(site):
    return json.loads((site / NOTEBOOK).read_text(encoding="utf-8"))


def text_of(nb, kind=None):
    return ["".join(c["source"]) for c in nb["cells"] if kind is None or c["cell_type"] == kind]


def test_the_notebook_is_in_the_site_and_the_page_links_to_it(solutions_site, student_site):
    for site in (solutions_site, student_site):
        page = (site / "dis01" / "index.html").read_text(encoding="utf-8")
        assert (site / NOTEBOOK).is_file()
        assert "Run it yourself" in page and 'download="dis01.ipynb"' in page


def test_the_notebook_is_written_deterministically(solutions_site, tmp_path):
    root = make_checkout(tmp_path / "again")
    result = run_cli(root, "site", "--edition", "solutions", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    again = (root / "site" / NOTEBOOK).read_bytes()
    assert again == (solutions_site / NOTEBOOK).read_bytes()
    nb = json.loads(again)
    assert json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n" == again.decode("utf-8")
    assert [c["id"] for c in nb["cells"]] == [f"dis01-{i:03d}" for i in range(len(nb["cells"]))]


def test_no_outputs_no_execution_counts_valid_nbformat(solutions_site, student_site):
    nbformat = pytest.importorskip("nbformat")
    for site in (solutions_site, student_site):
        nb = load(site)
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None
        nbformat.validate(nbformat.reads(json.dumps(nb), as_version=4))


def test_the_first_code_cell_holds_the_parameters(solutions_site):
    first = text_of(load(solutions_site), "code")[0]
    assert "const_gd = dict(" in first and "step_sizes=(0.1, 0.5, 0.8, 1.2)," in first
    assert "relu_common = dict(" in first and "steps=30000," in first and "'relu_w40_out': dict(" in first
    assert "import" not in first


def test_the_student_notebooks_rounded_step_sizes_say_so(solutions_site, student_site):
    """(b)'s step sizes are fractions of 1/mean(x^2) in the solutions; the student's
    are their values rounded (a fraction would give the curvature away): the cell says
    so, since its runs then come close to the page's figures but not exactly."""
    solved, student = (text_of(load(site), "code")[0] for site in (solutions_site, student_site))
    assert "step_fractions=" in re.search(r"lin_gd = dict\((.*?)\n\)", solved, re.S).group(1)
    block = re.search(r"lin_gd = dict\((.*?)\n\)", student, re.S).group(1)
    assert "step_sizes=" in block and "step_fractions" not in block
    assert "to two digits" in block and "not exactly" in block


def test_student_sized_standalone_code(solutions_site, student_site):
    """Written for students: under 16,000 characters of code besides the page's values, no cell longer than
    a screenful or two, nothing of coursegen, no numba, no notes about the build's kernels."""
    for site in (solutions_site, student_site):
        cells = text_of(load(site), "code")
        code = "\n".join(cells)
        assert len("\n".join(cells[:-1])) < 16_000, len(code)  # the last: the page's values, a row each
        if site == student_site:  # all of it, the page's values included
            assert len(code) < 20_000, len(code)
        assert len(cells[-1].splitlines()) < 80 + 6 * _relu_configs()
        assert max(len(c.splitlines()) for c in cells[:-1]) <= 60  # the last: the page's values, a row each
        assert not re.search(r"^\s*(from|import) (coursegen|course|numba)\b", code, re.M)
        assert not re.search(r"numba|FMA|fused|kernel|bit for bit", code, re.I)


def test_no_link_leads_nowhere(solutions_site, student_site):
    """The page's own links (its anchors, itself, its figures) mean nothing in a notebook."""
    for site in (solutions_site, student_site):
        text = "\n".join(text_of(load(site), "markdown"))
        assert not re.search(r"\]\((#|dis01\.ipynb|index\.md)", text)
        assert "these two figures" not in text and "takes a long time" not in text and "5-10 minutes" not in text


def test_the_student_notebook_has_no_solution_text(solutions_site, student_site):
    solutions, student = load(solutions_site), load(student_site)
    answers = [t for t in text_of(solutions, "markdown") if t.startswith("**Solution**")]
    assert len(answers) == 2
    student_text = "\n".join(text_of(student))
    assert "**Solution**" not in student_text
    for answer in answers:
        for line in answer.splitlines()[2:]:
            if len(line.split()) >= 5:  # phrases, not headings or bare formula fragments
                assert line.strip() not in student_text, line
    quoted = "    'const_gd': [\n        ('theta_star', None, 4, "  # a page value only solution material quotes
    assert quoted in "\n".join(text_of(solutions)) and "'const_gd'" not in student_text.split("PAGE = {")[-1]
    assert "return None  # your answer to (a)" in student_text


# ----------------------------------------------------------------------------- executed


def notebook_client(nb_json, timeout=CELL_TIMEOUT_S):
    """``(nb, client)``: the notebook read from ``nb_json`` and an nbclient client that
    runs it in a local python3 kernel."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.reads(nb_json, as_version=4)
    return nb, nbclient.NotebookClient(nb, kernel_name="python3", timeout=timeout, allow_errors=False)


def execute(nb_json, env=None, timeout=CELL_TIMEOUT_S):
    nb, client = notebook_client(nb_json, timeout)
    with environment(env or {}):
        started = time.perf_counter()
        client.execute()
        return nb, time.perf_counter() - started


def printed(nb):
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)


CUT_STEPS = 300  # Section 2 in the executed student notebook: the full 30,000 are bench's


@pytest.fixture(scope="module")
def cut_student_run(student_site):
    """The student notebook run as a student first runs it (Run all, the gradients not
    yet written), its Section 2 cut to CUT_STEPS steps, and a last cell printing a digest
    of every trained network: ``(printed text, digests)``. At full length it takes half a
    minute; `make bench` runs it so (``notebook_s``, ``notebooks_agree_with_pages``)."""
    nb = json.loads((student_site / NOTEBOOK).read_text(encoding="utf-8"))
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert "".join(first["source"]).count("steps=30000,") == 1
    first["source"] = "".join(first["source"]).replace("steps=30000,", f"steps={CUT_STEPS},")
    digest_cell = {"cell_type": "code", "id": "digests", "metadata": {}, "outputs": [], "execution_count": None}
    nb["cells"].append({**digest_cell, "source": DIGESTS})
    executed, _ = execute(json.dumps(nb))
    digests = ast.literal_eval(executed.cells[-1].outputs[0]["text"])
    executed.cells.pop()
    return printed(executed), digests


@pytest.mark.slow
def test_the_student_notebook_runs_through_and_checks_the_pages_numbers(cut_student_run, student_site):
    """Run all works with the gradients still to write, and the check compares all the
    values the student page states (six per configuration): those of the initial networks agree to their digits,
    and the cut training says that the others differ, rather than claiming the page's."""
    out, _ = cut_student_run
    assert "grad_constant is not written yet" in out and "grad_linear is not written yet" in out
    rows = [line for line in out.splitlines() if "   page " in line]
    start = [line for line in rows if "step 0" in line]
    configs = _relu_configs()  # the page states six numbers of each
    assert len(rows) == 6 * configs and len(start) == configs and all(line.endswith("same") for line in start), out
    differ = sum(line.endswith("DIFFERENT") for line in rows)
    assert differ > 0 and f"{differ} differ: changed parameters?" in out


def _relu_configs() -> int:
    (sheet,) = [s for s in commands.discover(REPO / "content", REPO) if s.name == NOTEBOOK.split("/")[0]]
    return sum(e.kind == "relu_sgd" for e in sheet.experiments.values())


@pytest.fixture(scope="module")
def short_solutions_run(solutions_site):
    """The solutions notebook with Section 2 cut to 300 steps and 3 seeds, in a kernel that
    stays up for the module: ``(client, nb)``. The step-size test goes on in the same
    kernel, as a student does (run all, edit, run all again)."""
    nb, client = notebook_client((solutions_site / NOTEBOOK).read_text(encoding="utf-8"))
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = first.source.replace("steps=30000,", "steps=300,").replace("tuple(range(30))", "(0, 1, 2)")
    with ExitStack() as kernel:
        kernel.enter_context(client.setup_kernel())
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        yield client, nb


@pytest.mark.slow
def test_the_solutions_gradients_give_section_1s_numbers(short_solutions_run, solutions_site):
    """Section 1's numbers that only the solutions state come out of the solution's
    gradients; the cut Section 2 does not give the page's numbers, and says so."""
    _, nb = short_solutions_run
    out = printed(nb)
    assert "grad_constant matches the loss's slope" in out and "grad_linear matches the loss's slope" in out
    gd_rows = [line for line in out.splitlines() if "   page " in line and line.startswith(("const_gd", "lin_gd"))]
    assert len(gd_rows) == 7 and all(line.endswith("same") for line in gd_rows), out
    assert "differ: changed parameters?" in out


@pytest.mark.slow
def test_changing_a_step_size_in_the_first_cell_changes_the_figure(short_solutions_run):
    client, nb = short_solutions_run
    first = next(c for c in nb.cells if c.cell_type == "code")
    shipped = first.source
    figures = []
    try:
        for step_sizes in ("(0.1, 0.5, 0.8, 1.2)", "(0.3, 0.5, 0.8, 1.2)"):
            first.source = shipped.replace("step_sizes=(0.1, 0.5, 0.8, 1.2),", f"step_sizes={step_sizes},", 1)
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            figures.append(figure_of(nb, gd_figure(nb)))
    finally:
        first.source = shipped
    assert figures[0] and figures[1] and figures[0] != figures[1]


def figure_of(nb, cell_id):
    (cell,) = [c for c in nb.cells if c.id == cell_id]
    return [o["data"]["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]


def gd_figure(nb):
    return next(c.id for c in nb.cells if c.cell_type == "code" and "GD per step size" in "".join(c.source))


# After a run: a digest of every trained network's parameters and errors, bit for bit.
DIGESTS = """import hashlib
print(sorted((name, key, hashlib.sha256(np.ascontiguousarray(r[key]).tobytes()).hexdigest())
             for name, r in results.items() if "params" in r for key in ("params", "train_mse", "test_mse")))"""


@pytest.mark.slow
def test_the_notebook_trains_the_builds_networks_bit_for_bit(cut_student_run):
    """The notebook's numpy training gives, for every network of every configuration, the
    bits of the build's own experiments (numba's kernel: the oracle, run here), on the
    cut run's steps."""
    _, computed = cut_student_run
    (sheet,) = [s for s in commands.discover(REPO / "content", REPO) if s.name == NOTEBOOK.split("/")[0]]
    expected = []
    for name, exp in sorted(sheet.experiments.items()):
        if exp.kind != "relu_sgd":
            continue
        r = registry.kinds().experiments[exp.kind](dataclasses.replace(exp.params, steps=CUT_STEPS))
        arrays = {"params": np.concatenate([r["W1"], r["b1"], r["W2"], r["b2"][..., None]], axis=-1)}
        arrays |= {"train_mse": r["train_mse"], "test_mse": r["test_mse"]}
        for key, value in arrays.items():
            expected.append((name, key, hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()))
    assert len(computed) == len(expected) == 3 * _relu_configs()
    assert computed == sorted(expected)


def test_the_notebooks_are_in_the_manifest_as_the_site_has_them(solutions_site, student_site):
    """`make check` rebuilds them with every figure: the manifest's hash of each edition's
    notebook is the one the built site holds (for every worksheet locked: a new one is
    not in the manifest until `make lock-figures`)."""
    files = json.loads((REPO / "manifest.json").read_text())["files"]
    locked = {path.split("/")[1] for path in files}
    checked = 0
    for edition, site in (("solutions", solutions_site), ("student", student_site)):
        for path in sorted(site.glob("*/*.ipynb")):
            if path.parent.name in locked:
                entry = files[f"notebooks/{path.parent.name}/{edition}/{path.name}"]
                assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), (edition, path.name)
                checked += 1
    assert checked >= 2
