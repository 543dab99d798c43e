"""``coursegen new``: a new worksheet builds at once; a new experiment and figure are
registered, their generated tests pass and their code is lint-clean; a name that is
taken or not a plain name is refused in one line, with nothing written.

Every scaffold is written into a scratch copy, never into this checkout: the worksheet
into a copy of the course sources, the code into a copy that has its own ``course/``
folder, where coursegen runs as staff run it (from inside the course, which it finds).
"""

import datetime as dt
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from coursegen.commands import scaffold
from coursegen.course import Course
from coursegen.errors import BuildError
from coursegen.stages import parameters, registry

from conftest import REPO, make_mini_checkout, run_cli, tree_bytes


def code_checkout(dest: Path) -> Path:
    """A mini course with its own copy of the course's code, the test helper a course
    has (``coursegen init``'s) and the lint config."""
    make_mini_checkout(dest, link_code=False)
    (dest / "tests").mkdir()
    shutil.copy2(scaffold.TEMPLATES / "course" / "tests" / "conftest.py", dest / "tests")
    shutil.copy2(REPO / "pyproject.toml", dest)  # ruff's settings
    return dest


def in_copy(root: Path, *args: str) -> subprocess.CompletedProcess:
    """``python ARGS`` run inside the course ``root``, as staff run coursegen."""
    return subprocess.run([sys.executable, *args], cwd=root, capture_output=True, text=True, timeout=600)


def front_matter(index: Path) -> dict:
    return yaml.load(index.read_text().split("---\n")[1], Loader=yaml.BaseLoader)


# ---------------------------------------------------------------------------- worksheets


def test_a_new_worksheet_has_the_front_matter_and_the_pieces_of_a_page(tmp_path):
    root = make_mini_checkout(tmp_path / "course", link_code=False)
    result = run_cli(root, "new", "worksheet", "dis02", "Momentum", quiet=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "wrote content/dis02/index.md",
        "wrote content/dis02/params.toml",
        "wrote content/dis02/answers.toml",  # its answer listed: a student build that gives it away stops
        "wrote course/experiments/descent.py",  # the example it runs: this course had no such kinds
        "wrote course/figures/descent.py",
    ]
    index = root / "content" / "dis02" / "index.md"
    meta = front_matter(index)  # its number and date: test_the_number_and_date_follow_the_latest_worksheet
    assert list(meta) == ["number", "title", "date", "summary", "solutions", "pages"]
    assert meta["number"].isdigit() and dt.date.fromisoformat(meta["date"])
    assert (meta["title"], meta["solutions"], meta["pages"]) == (
        "Discussion 2: Momentum",
        "never",
        [],
    )  # the nav and the home page say which one
    page = index.read_text()
    for piece in ('{{ question("q1", ', '{{ figure("descent_anim") }}', "{% call solution() %}", "| num(4) }}", "{#"):
        assert piece in page
    registry.load(root)  # with the example code it wrote
    sheet = parameters.load_sheet(root / "content" / "dis02", root)
    assert set(sheet.experiments) == {"descent"} and set(sheet.figures) == {"descent_anim"}
    assert sheet.experiments["descent"].params.steps <= 20  # builds in seconds


@pytest.mark.parametrize("edition", ["solutions", "student", "scheduled"])
def test_a_new_worksheet_builds_at_once(tmp_path, edition):
    """Also beside a released worksheet whose solution states the example's answer (the
    mini one's: "The mean of the data."), in the edition a course publishes."""
    root = make_mini_checkout(tmp_path / "course", link_code=False)
    assert run_cli(root, "new", "worksheet", "dis02", "Momentum").returncode == 0
    result = run_cli(root, "site", "--edition", edition)
    assert result.returncode == 0, result.stderr
    html = (root / "site" / "dis02" / "index.html").read_text()
    assert "Momentum" in html and 'id="fig-descent_anim"' in html
    assert ("mean of the data" in html) == (edition == "solutions")
    assert ("mean of the data" in (root / "site" / "mini" / "index.html").read_text()) == (edition != "student")


def test_the_number_and_date_follow_the_latest_worksheet(tmp_path):
    content = tmp_path / "content"
    for name, number, date in (("dis01", 1, "2022-09-02"), ("dis03", 3, "2022-09-16"), ("dis02", 2, "2022-09-09")):
        (content / name).mkdir(parents=True)
        (content / name / "index.md").write_text(f"---\nnumber: {number}  # a comment\ndate: {date}\n---\n# x\n")
    (content / "notes").mkdir()  # a folder without a page counts for nothing
    assert scaffold.next_place(content) == (4, dt.date(2022, 9, 23))
    files = scaffold.worksheet_files(tmp_path, "dis04", 'A "quoted" title: with # and ü')
    assert not (content / "dis04").exists()  # planning the files writes none
    text = files[content / "dis04" / "index.md"]
    data = yaml.load(text.split("---\n")[1], Loader=yaml.BaseLoader)
    assert (data["number"], data["date"], data["title"]) == (
        "4",
        "2022-09-23",
        'Discussion 4: A "quoted" title: with # and ü',
    )
    assert tomllib.loads(files[content / "dis04" / "params.toml"])["experiments"]["descent"]["kind"] == "descent"
    (content / "review").mkdir()  # numbers with a gap: the next is past the highest, never a taken one
    (content / "review" / "index.md").write_text("---\nnumber: 9\ndate: 2022-09-30\n---\n# x\n")
    assert scaffold.next_place(content) == (10, dt.date(2022, 10, 7))


@pytest.mark.parametrize(
    "name, title, message",
    [
        ("mini", "Again", "content/mini exists already; choose another name"),
        ("MINI", "Again", "content/mini exists already; choose another name"),
        ("../dis02", "Up", "'../dis02' is not a plain folder name"),
        ("dis/02", "Down", "'dis/02' is not a plain folder name"),
        (".dis02", "Hidden", "'.dis02' is not a plain folder name"),
        ("dis 02", "Spaced", "'dis 02' is not a plain folder name"),
        ("dis02", " ", "the title must be one line of text"),
        ("dis02", "Two\nlines", "the title must be one line of text"),
        ("dis02", "{{ results }}", "the title '{{ results }}' holds Jinja's {{, {% or {#"),
    ],
)
def test_a_worksheet_name_or_title_that_cannot_be_is_refused_in_one_line(tmp_path, name, title, message):
    root = make_mini_checkout(tmp_path / "course")
    before = tree_bytes(root)
    result = run_cli(root, "new", "worksheet", name, title)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {message}") and result.stderr.count("\n") == 1, result.stderr
    assert tree_bytes(root) == before


# ------------------------------------------------------------------ experiments, figures


def test_a_new_experiment_and_figures_are_registered_and_their_tests_pass(tmp_path):
    root = code_checkout(tmp_path / "course")
    for args in (("experiment", "walk"), ("figure", "walk_line"), ("figure", "walk_anim", "--animation")):
        result = in_copy(root, "-m", "coursegen", "--cache", str(tmp_path / "cache"), "new", *args)
        assert result.returncode == 0, result.stderr
    written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*walk*.py"))
    assert written == [
        "course/experiments/walk.py",
        "course/figures/walk_anim.py",
        "course/figures/walk_line.py",
        "tests/test_walk.py",
        "tests/test_walk_anim_figure.py",
        "tests/test_walk_line_figure.py",
    ]
    tests = [name for name in written if name.startswith("tests/")]
    result = in_copy(root, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", *tests)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "10 passed" in result.stdout
    for command in (("check",), ("format", "--check")):
        result = in_copy(root, "-m", "ruff", *command, *written)
        assert result.returncode == 0, result.stdout + result.stderr
    result = in_copy(root, "-c", USES_THE_NEW_KINDS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "experiments: gd_constant gd_linear relu_optimizers relu_sgd walk",
        "figures: gd_animation gd_explorer gd_regimes gd_sgd gd_votes relu_animation relu_elbows relu_explorer relu_final_fits "
        "relu_losses relu_optimizer_losses relu_slopes walk_anim walk_line",
        "built: figures/walks/anim.gif figures/walks/line.svg; walk seed 3, 5 steps",
    ]


# A worksheet of the new kinds, loaded from its parameter file and built by the
# pipeline (which checks each figure's files), in the copy's own package.
USES_THE_NEW_KINDS = """
import sys, tempfile
from pathlib import Path
from coursegen.stages import cache, executors, pipeline, registry
from coursegen.stages.parameters import load_sheet
registry.load(Path.cwd())
print("experiments:", *registry.kinds().experiments)
print("figures:", *registry.kinds().figures)
root = Path(tempfile.mkdtemp())
(root / "content" / "walks").mkdir(parents=True)
(root / "content" / "walks" / "index.md").write_text(
    '---\\nnumber: 1\\ntitle: "Walks"\\ndate: 2022-09-09\\nsolutions: now\\n---\\n# Walks\\n'
)
figure = 'experiment = "w"\\nrole = "question"\\nwhy = "No answer."\\ncaption = "A walk."\\nalt = "A line."\\n'
(root / "content" / "walks" / "params.toml").write_text(
    '[experiments.w]\\nkind = "walk"\\nsteps = 5\\nseed = 3\\n'
    f'[figures.line]\\nkind = "walk_line"\\nmarkers = false\\n{figure}'
    f'[figures.anim]\\nkind = "walk_anim"\\nframe_ms = 200\\n{figure}'
)
sheet = load_sheet(root / "content" / "walks", root)
built = pipeline.build([sheet], cache.Store(root / "cache"), executors.Inline())
files = sorted(o.path for o in built.outputs if o.path.endswith(("anim.gif", "line.svg")))
params = sheet.experiments["w"].params
print("built:", *files, end=f"; walk seed {params.seed}, {params.steps} steps\\n")
"""


def test_a_taken_module_or_test_file_is_refused_and_nothing_is_written(tmp_path):
    root = code_checkout(tmp_path / "course")
    (root / "tests" / "test_walk.py").write_text("# someone's own test\n")
    before = tree_bytes(root)
    for args, message in (
        (("experiment", "walk"), "tests/test_walk.py exists already; choose another name"),
        (("figure", "gd"), "course/figures/gd.py exists already; choose another name"),
        (("experiment", "gd"), "course/experiments/gd.py exists already; choose another name"),
    ):
        result = in_copy(root, "-m", "coursegen", "--cache", str(tmp_path / "cache"), "new", *args)
        assert result.returncode == 1
        assert result.stderr == f"error: {message}\n"
    assert tree_bytes(root) == before


@pytest.mark.parametrize(
    "what, name, message",
    [
        (
            "experiment",
            "gd_constant",
            "experiment kind 'gd_constant' is registered already, in course/experiments/gd.py",
        ),
        (
            "figure",
            "relu_animation",
            "figure kind 'relu_animation' is registered already, in course/figures/relu.py",
        ),
        ("experiment", "Walk", "'Walk' is not a Python identifier for a module"),
        ("figure", "2walk", "'2walk' is not a Python identifier for a module"),
        ("figure", "walk-line", "'walk-line' is not a Python identifier for a module"),
        ("experiment", "class", "'class' is not a Python identifier for a module"),
        ("experiment", "np", "experiment name 'np' would clash with a name its code or test uses"),
        ("figure", "drawn", "figure name 'drawn' would clash with a name its code or test uses"),
        ("experiment", "test_walk", "experiment name 'test_walk' would clash"),
    ],
)
def test_an_experiment_or_figure_name_that_cannot_be_is_refused(what, name, message):
    Course(REPO, REPO / ".cache" / "coursegen").activate()
    with pytest.raises(BuildError) as refused:
        scaffold.code_files(REPO, what, name, animation=False)
    assert str(refused.value).startswith(message) and "\n" not in str(refused.value)


def test_nothing_is_written_through_a_link_out_of_the_course(tmp_path):
    """A scratch course whose code folder links to this one's: ``new`` would write into
    this checkout, so it refuses, naming the link."""
    root = make_mini_checkout(tmp_path / "course")  # course/ links to this checkout's
    before = tree_bytes(REPO / "course")
    result = run_cli(root, "new", "experiment", "walk")
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "lies outside the course" in result.stderr and "course/experiments/walk.py" in result.stderr
    assert tree_bytes(REPO / "course") == before and not (root / "tests").exists()


def test_nothing_a_course_reads_or_is_told_names_make(tmp_path):
    """A course made by ``coursegen init`` has no Makefile: neither what init writes nor
    what the commands print to a course names a ``make`` command."""
    import re

    from coursegen.commands import init

    root = tmp_path / "course"
    init.init(root, lambda *a: None)
    assert not (root / "Makefile").exists()
    make = re.compile(r"`make [a-z]|\bmake (site|test|check|lock-figures|serve|bench|handout)\b")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        text = path.read_text(errors="replace")
        assert not make.search(text), (path, make.search(text))
        assert "written by `coursegen new" not in text.lower(), path  # init wrote it
    messages = [
        run_cli(root, "check", cache=tmp_path / "c").stderr,  # no manifest yet
        run_cli(root, "handout", "--out", str(tmp_path / "pdf"), cache=tmp_path / "c").stderr,
    ]
    assert run_cli(root, "lock-figures", cache=tmp_path / "c").returncode == 0
    figure = root / "course" / "figures"
    for module in figure.glob("*.py"):
        module.write_text(module.read_text().replace("color=style.GREY, lw=1", "color=style.GREY, lw=2"))
    messages.append(run_cli(root, "check", cache=tmp_path / "c").stderr)
    for message in messages:
        assert not make.search(message), message
    assert "coursegen lock-figures" in messages[0] and "coursegen lock-figures" in messages[-1]


SHORT_FORMS = '''
import numpy as np

from coursegen.figures import style


def data_fill(res):
    """A picture in the short form: a Figure returned, with a colormap fill."""
    fig = style.new_figure(4.0, 3.0)
    ax = fig.subplots()
    grid = np.linspace(-1, 1, 20)
    ax.contourf(grid, grid, np.add.outer(grid, grid) * float(res["theta_star"]))
    return fig


def data_walk(res, *, frame_ms: int = 100):
    """An animation in the short form: the Figure, then one label per frame."""
    fig = style.new_figure(4.0, 3.0)
    ax = fig.subplots()
    (line,) = ax.plot([], [], color=style.BLUE)
    ax.set(xlim=(0, 5), ylim=(-2, 2))
    yield fig
    for k in range(1, 6):
        line.set_data(np.arange(k), np.sin(np.arange(k)))
        yield f"frame {k} of 5"


FIGURES = {"data_fill": data_fill, "data_walk": data_walk}
'''


def test_short_form_figures_build_lock_and_check_and_a_colormap_fill_is_warned_of(tmp_path):
    """A figure function that only returns a matplotlib Figure and an animation that only
    draws frames: the site builds, locks and checks; the fill's dark rendering is named."""
    from conftest import make_mini_checkout

    root = make_mini_checkout(tmp_path / "course", link_code=False)
    (root / "course" / "figures" / "short.py").write_text(SHORT_FORMS)
    params = root / "content" / "mini" / "params.toml"
    common = 'experiment = "const"\nrole = "question"\nwhy = "No answer."\ncaption = "A figure."\nalt = "A figure."\n'
    params.write_text(
        params.read_text()
        + f'\n[figures.fill]\nkind = "data_fill"\n{common}\n[figures.walk]\nkind = "data_walk"\n{common}'
    )
    page = root / "content" / "mini" / "index.md"
    page.write_text(page.read_text() + '\n{{ figure("fill") }}\n\n{{ figure("walk") }}\n')
    cache_dir = tmp_path / "cache"
    built = run_cli(root, "site", cache=cache_dir)
    assert built.returncode == 0, built.stderr
    warning = "warning: content/mini/params.toml: figure 'fill' (data_fill): QuadContourSet with colormap 'viridis'"
    assert warning in built.stderr and "walk" not in built.stderr
    figures = root / "site" / "mini" / "figures"
    assert {"fill.svg", "fill-dark.svg", "walk.gif", "walk-dark.gif", "walk.png"} <= {p.name for p in figures.iterdir()}
    for command in ("lock-figures", "check"):
        result = run_cli(root, command, cache=cache_dir)
        assert result.returncode == 0, result.stderr


def test_init_says_to_install_from_the_lock_first_and_what_the_clock_is(tmp_path):
    result = run_cli(tmp_path, "init", str(tmp_path / "new"), cache=None, quiet=False)
    assert result.returncode == 0, result.stderr
    said = result.stdout
    assert f"pip install --require-hashes -r {tmp_path / 'new' / 'requirements.lock'}" in said
    assert "until its first commit the build's clock is 1970" in said and "--as-of now" in said
    assert "pytest" in (tmp_path / "new" / "requirements.lock").read_text()


def test_a_new_experiments_tests_still_pass_once_it_computes_something_else(tmp_path):
    """Staff replace the placeholder: the tests `new` wrote hold for any experiment."""
    root = code_checkout(tmp_path / "course")
    result = in_copy(root, "-m", "coursegen", "--cache", str(tmp_path / "cache"), "new", "experiment", "walk")
    assert result.returncode == 0, result.stderr
    module = root / "course" / "experiments" / "walk.py"
    text = module.read_text()
    body = text[text.index("    rng = np.random.default_rng(p.seed)") : text.index("\n\nEXPERIMENTS")]
    module.write_text(text.replace(body, '    return {"loss": np.linspace(1.0, 0.0, p.steps + 1) ** 2}'))
    result = in_copy(root, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", "tests/test_walk.py")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("flags", [("-q",), ("--traceback",), ("-q", "--traceback")])
def test_the_global_flags_work_after_the_command_too(tmp_path, flags):
    from coursegen import cli

    assert vars(cli._parser().parse_args(["site", *flags]))["quiet"] == ("-q" in flags)
    assert vars(cli._parser().parse_args(["site", *flags]))["traceback"] == ("--traceback" in flags)
    assert vars(cli._parser().parse_args([*flags, "new", "worksheet", "x", "X"]))["quiet"] == ("-q" in flags)
    result = run_cli(tmp_path, "site", *flags, cache=tmp_path / "c")  # no course here: one line
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1


def test_a_new_courses_readme_names_only_commands_and_options_that_exist(tmp_path):
    """Every ``coursegen ...`` line of the README ``coursegen init`` writes parses with the
    command line as it is (a renamed option or command fails here), and the README names
    every command a course is worked with."""
    import re
    import shlex

    from coursegen import cli
    from coursegen.commands import init

    root = tmp_path / "course"
    init.init(root, lambda *a: None)
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# course\n")
    used = re.findall(r"(?m)(?:`|^)(coursegen [^`#\n]*?)\s*(?:`|#|$)", readme)
    assert len(used) >= 10
    parser = cli._parser()
    for line in used:
        argv = shlex.split(line)[1:]
        if argv in (["COMMAND", "--help"], ["--help"]):
            continue
        try:
            parser.parse_args(argv)
        except SystemExit:
            raise AssertionError(f"README.md: `{line}` is not a command coursegen takes") from None
    named = {shlex.split(line)[1] for line in used}
    assert {"serve", "site", "lock-figures", "check", "handout", "figure", "new"} <= named


def test_a_new_course_set_up_as_its_readme_says_commits_no_virtualenv_and_is_published(tmp_path):
    """The README's set-up makes a virtualenv inside the course and commits: the course's
    .gitignore keeps the virtualenv out (one library in it is over GitHub's 100 MB), and
    the branch it commits to is the one the workflow tests and publishes."""
    import re
    import subprocess

    from coursegen.commands import init

    root = tmp_path / "course"
    init.init(root, lambda *a: None)
    readme = (root / "README.md").read_text(encoding="utf-8")
    branch = re.search(r"git init -b (\S+)", readme).group(1)
    workflow = (root / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    assert re.search(rf"push:\s*\n\s*branches: \[{branch}\]", workflow)
    (root / ".venv" / "lib").mkdir(parents=True)
    (root / ".venv" / "lib" / "big.so").write_bytes(b"\0")
    git = ["git", "-c", "init.defaultBranch=x", "-C", str(root)]
    subprocess.run([*git, "init", "-q", "-b", branch], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    staged = subprocess.run([*git, "diff", "--cached", "--name-only"], capture_output=True, text=True, check=True)
    assert "README.md" in staged.stdout.split() and ".venv" not in staged.stdout


def test_limits_are_the_courses_own_beyond_the_generators_few(tmp_path):
    """A course's experiment with more steps than Discussion 1's animations allow, and no
    animation, builds; a step size below 0 is refused by name in any course; and the
    course's own dataclass says what it refuses (``limits()``), in one line."""
    root = code_checkout(tmp_path / "course")
    cache = str(tmp_path / "cache")
    assert in_copy(root, "-m", "coursegen", "--cache", cache, "new", "experiment", "walk").returncode == 0
    params = root / "content" / "mini" / "params.toml"
    params.write_text(params.read_text() + '\n[experiments.walk]\nkind = "walk"\nsteps = 500\n')
    built = in_copy(root, "-m", "coursegen", "-q", "--cache", cache, "site", "--edition", "solutions")
    assert built.returncode == 0, built.stderr
    walk = root / "course" / "experiments" / "walk.py"
    limit = "        if self.steps > 1_000_000:\n"
    walk.write_text(
        walk.read_text().replace(limit, "        1 / (self.steps - 7)\n" + limit.replace("1_000_000", "1000"))
    )
    for table, said in (
        ("steps = 500\nstep_size = -0.03\n", "[experiments.walk] step_size must be greater than 0, got -0.03"),
        ("steps = 5000\n", "[experiments.walk] steps = 5,000 is above"),
        ("steps = 7\n", "[experiments.walk]: Walk.limits() failed: ZeroDivisionError: division by zero"),
    ):
        params.write_text(
            params.read_text().split("[experiments.walk]")[0] + f'[experiments.walk]\nkind = "walk"\n{table}'
        )
        refused = in_copy(root, "-m", "coursegen", "-q", "--cache", cache, "site", "--edition", "solutions")
        assert refused.returncode == 1 and refused.stderr.count("\n") == 1, refused.stderr
        assert refused.stderr.startswith("error: content/mini/params.toml: ") and said in refused.stderr, refused.stderr
    text = walk.read_text().replace("from dataclasses import dataclass\n", "from dataclasses import dataclass, field\n")
    walk.write_text(
        text.replace(
            "    seed: int = 0", "    step_sizes: list[float] = field(default_factory=list)\n    seed: int = 0"
        )
    )
    refused = in_copy(root, "-m", "coursegen", "-q", "--cache", cache, "site", "--edition", "solutions")
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1, refused.stderr
    assert "Walk.step_sizes is a list[float]; parameters hold" in refused.stderr, refused.stderr
    walk.write_text(text.replace("    seed: int = 0", "    xs: list = field(default_factory=list)\n    seed: int = 0"))
    refused = in_copy(root, "-m", "coursegen", "-q", "--cache", cache, "site", "--edition", "solutions")
    assert refused.returncode == 1 and "Walk.xs is a list; parameters hold" in refused.stderr, refused.stderr
    walk.write_text("from __future__ import annotations\n\n" + text)  # field types as strings: read all the same
    params.write_text(
        params.read_text().split("[experiments.walk]")[0] + '[experiments.walk]\nkind = "walk"\nsteps = 9\n'
    )
    built = in_copy(root, "-m", "coursegen", "-q", "--cache", cache, "site", "--edition", "solutions")
    assert built.returncode == 0, built.stderr
