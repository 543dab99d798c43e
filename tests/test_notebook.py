"""The companion notebook of each worksheet (course/notebook.py).

Fast tests read the notebooks of the shared builds; the ``slow`` ones execute the
solutions notebook headless (nbclient, a local python3 kernel, no network): with numba
it prints the page's numbers, and without numba it computes the same bits.
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


def test_the_notebook_is_in_the_site_and_the_page_links_to_it(solutions_site):
    page = (solutions_site / "dis01" / "index.html").read_text(encoding="utf-8")
    assert (solutions_site / NOTEBOOK).is_file()
    assert "Run it yourself" in page
    assert re.search(r'Jupyter <a href="dis01\.ipynb">notebook</a>', page), "the first paragraph's notebook link"
    assert 'download="dis01.ipynb"' in page


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
    assert "relu_w40_out = dict(" in first and "steps=30000," in first and "width=40," in first
    assert "import" not in first


def test_standalone_code(solutions_site):
    code = "\n".join(text_of(load(solutions_site), "code"))
    assert not re.search(r"^\s*(from|import) coursegen", code, re.M)
    assert "@numba.njit" not in code and "def train_vectorised" in code and "def relu_sgd" in code


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
    quoted = "('const_gd', 'theta_star'"  # a page value that only solution material quotes
    assert quoted in "\n".join(text_of(solutions)) and quoted not in student_text
    assert "first-order optimality" not in student_text


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


@pytest.fixture(scope="module")
def shipped_run(solutions_site):
    """The solutions notebook as shipped, run with numba in a kernel that stays up for
    the module: ``(client, nb, printed text of that run, seconds)``. The step-size test
    goes on in the same kernel, as a student does (run all, edit, run all again)."""
    nb, client = notebook_client((solutions_site / NOTEBOOK).read_text(encoding="utf-8"))
    with ExitStack() as kernel:
        with environment({"COURSEGEN_NO_NUMBA": "0"}):  # what the kernel starts with
            kernel.enter_context(client.setup_kernel())
        started = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        yield client, nb, printed(nb), time.perf_counter() - started


@pytest.mark.slow
def test_the_notebook_runs_and_prints_the_pages_numbers(shipped_run):
    """Every value the page quotes, to its digits. (How long it takes is `make bench`'s
    notebook_numba_s, not a test's.)"""
    _, _, out, seconds = shipped_run
    print(f"executed with numba in {seconds:.1f} s")
    assert "not used: training in numpy" not in out
    rows = [line for line in out.splitlines() if "   page " in line]
    assert len(rows) == 39 and all(line.endswith("same") for line in rows), out
    assert "All 39 values agree with the page." in out


@pytest.mark.slow
def test_changing_a_step_size_in_the_first_cell_changes_the_figure(shipped_run):
    """As a student does it: after the notebook has run, change a step size in the first
    cell and run everything again in the same kernel (with fewer steps and seeds, to be
    quick), once as it was and once with the new step size."""
    client, nb, _, _ = shipped_run
    first = next(c for c in nb.cells if c.cell_type == "code")
    shipped = first.source
    source = shipped.replace("steps=30000,", "steps=300,").replace("tuple(range(30))", "(0, 1, 2)")
    figures = []
    try:
        for step_sizes in ("(0.1, 0.5, 0.8, 1.2)", "(0.3, 0.5, 0.8, 1.2)"):
            first.source = source.replace("step_sizes=(0.1, 0.5, 0.8, 1.2),", f"step_sizes={step_sizes},", 1)
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            assert "differ from the page" in printed(nb)  # fewer steps and seeds: not the page's numbers
            figures.append(figure_of(nb, first_gd_figure(nb)))
    finally:
        first.source = shipped
    assert figures[0] and figures[1] and figures[0] != figures[1]


def figure_of(nb, cell_id):
    (cell,) = [c for c in nb.cells if c.id == cell_id]
    return [o["data"]["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]


def first_gd_figure(nb):
    return next(
        c.id for c in nb.cells if c.cell_type == "code" and "".join(c.source).startswith("r = results['const_gd']")
    )


# After a run: a digest of every result array, bit for bit.
DIGESTS = """import hashlib
print(sorted((name, key, hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest())
             for name, arrays in results.items() for key, value in arrays.items()))"""


@pytest.mark.slow
def test_without_numba_the_notebook_computes_the_same_bits(solutions_site):
    """Without numba the notebook trains with numpy, every seed at once: every result
    array, through the whole notebook, has the bits that the build's own experiments
    give (numba's kernel: the oracle, run here), on a tenth of the steps. At full length
    that run is `make bench`'s notebook_numpy_s, which checks the page's 39 numbers too."""
    nb = json.loads((solutions_site / NOTEBOOK).read_text(encoding="utf-8"))
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert "".join(first["source"]).count("steps=30000,") == 6
    first["source"] = "".join(first["source"]).replace("steps=30000,", "steps=3000,")
    digest_cell = {"cell_type": "code", "id": "digests", "metadata": {}, "outputs": [], "execution_count": None}
    nb["cells"].append({**digest_cell, "source": DIGESTS})
    executed, _ = execute(json.dumps(nb), {"COURSEGEN_NO_NUMBA": "1"})
    assert "not used: training in numpy" in printed(executed)
    computed = ast.literal_eval(executed.cells[-1].outputs[0]["text"])

    (sheet,) = [s for s in commands.discover(REPO / "content", REPO) if s.name == NOTEBOOK.split("/")[0]]
    names = {name for name, _, _ in computed}
    expected = []
    for name in sorted(names):
        exp = sheet.experiments[name]
        params = dataclasses.replace(exp.params, steps=3000) if exp.kind == "relu_sgd" else exp.params
        for key, value in registry.kinds().experiments[exp.kind](params).items():
            expected.append((name, key, hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()))
    assert {"relu_w40_all", "const_gd"} <= names and len(computed) > 50
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
