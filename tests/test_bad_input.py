"""Mistakes in the sources stop the build with a message naming the file and the field
or line, a non-zero exit, no traceback, and the previous site left exactly as it was."""

import shutil
from pathlib import Path

import pytest

from coursegen.course import GENERATOR_TEMPLATES
from coursegen.stages import limits

from conftest import REPO, run_cli, tree_bytes


@pytest.fixture(scope="module")
def built(tmp_path_factory, solutions_site):
    """A checkout with a good site already built (a copy of the shared one), to break in
    different ways."""
    root = tmp_path_factory.mktemp("bad") / "course"
    shutil.copytree(solutions_site.parent, root, symlinks=True)
    return root


def edit(path, old, new):
    """Replace ``old`` by ``new`` once; a lone surrogate in ``new`` (``\udcff``) becomes
    that raw byte (0xff), which is not UTF-8."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_bytes(text.replace(old, new, 1).encode("utf-8", "surrogateescape"))


def source_of(rel: str) -> Path:
    """The file ``rel`` of the course, or for a partial the generator's, which a course
    overrides with its own file at the same path."""
    if rel.startswith("templates/") and not (REPO / rel).is_file():
        return GENERATOR_TEMPLATES / rel.removeprefix("templates/")
    return REPO / rel


def line_of(rel: str, text: str) -> int:
    """The line of the first ``text`` in the course's (or generator's) file ``rel`` (1-based)."""
    source = source_of(rel).read_text(encoding="utf-8")
    return source[: source.index(text)].count("\n") + 1


CASES = {
    "misspelt role": (
        "content/dis01/section1.toml",
        'role = "question"',
        'rol = "question"',
        ["content/dis01/section1.toml: [figures.const_anim] is missing 'role' ('rol' is no field: a typo of it?)"],
    ),
    "misspelt experiment": (
        "content/dis01/section1.toml",
        'experiment = "const_gd"\nrole = "question"',
        'experiement = "const_gd"\nrole = "question"',
        ["[figures.const_anim] needs either experiment = ", "('experiement' is no field: a typo of it?)"],
    ),
    "misspelt caption": (
        "content/dis01/section1.toml",
        'caption = "Gradient descent (solid)',
        'captoin = "Gradient descent (solid)',
        ["[figures.const_anim] is missing 'caption' ('captoin' is no field: a typo of it?)"],
    ),
    "misspelt student table": (
        "content/dis01/section1.toml",
        "[figures.const_regimes.student]",
        "[figures.const_regimes.studnet]",
        [
            "content/dis01/section1.toml: [figures.const_regimes] unknown key 'studnet' (a typo of 'student'?); ",
            "besides its options: alt, caption, experiment, experiments, kind, role, student, why",
        ],
    ),
    "unknown figure": (
        "content/dis01/index.md",
        '{{ figure("const_anim") }}',
        '{{ figure("const_anmi") }}',
        ["content/dis01/index.md, line ", "unknown figure 'const_anmi'"],
    ),
    "undefined variable": (
        "templates/partials/figure.md",
        "{{ fig.caption }}",
        "{{ fig.captoin }}",
        ["templates/partials/figure.md, line ", "captoin"],
    ),
    "undefined result": (
        "content/dis01/index.md",
        "## 2. ReLU",
        "{{ results.const_gd.no_such_result }}\n\n## 2. ReLU",
        ["content/dis01/index.md, line ", "no_such_result"],
    ),
    "toml syntax error": (
        "content/dis01/section1.toml",
        "steps = 50",
        "steps = = 50",
        ["content/dis01/section1.toml", "TOML syntax error", "line "],
    ),
    "unknown key": (
        "content/dis01/section1.toml",
        "steps = 50",
        "stepz = 50",
        ["content/dis01/section1.toml", "[experiments.const_gd]", "unknown key 'stepz' (a typo of 'steps'?)"],
    ),
    "wrong type": (
        "content/dis01/section1.toml",
        "steps = 50",
        'steps = "fifty"',
        ["content/dis01/section1.toml", "[experiments.const_gd] steps", "expected int", "string"],
    ),
    "wrong item type": (
        "content/dis01/section1.toml",
        "step_sizes = [0.1, 0.5",
        'step_sizes = [0.1, "x"',
        ["content/dis01/section1.toml", "step_sizes[1]", "expected float"],
    ),
    "unknown experiment": (
        "content/dis01/section1.toml",
        'experiment = "const_gd"',
        'experiment = "const_dg"',
        ["content/dis01/section1.toml", "[figures.const_anim]", "'const_dg' is not defined"],
    ),
    "unknown kind": (
        "content/dis01/section1.toml",
        'kind = "gd_constant"',
        'kind = "gd_konstant"',
        ["content/dis01/section1.toml", "[experiments.const_gd]", "'gd_konstant' is unknown"],
    ),
    "template syntax error": (
        "content/dis01/index.md",
        "{% endcall %}",
        "{% endcal %}",
        ["content/dis01/index.md, line ", "syntax error"],
    ),
    "block never closed": (
        "content/dis01/index.md",
        "{% endcall %}",
        "",
        [
            f"content/dis01/index.md, line {line_of('content/dis01/index.md', '{% call ')}: "
            "{% call %} is never closed (add {% endcall %})"
        ],
    ),
    "block never closed inside another": (
        "content/dis01/index.md",
        "## 2. ReLU",
        "{% if true %}\n{% call solution() %}\nA\n{% endif %}\n\n## 2. ReLU",
        [
            f"content/dis01/index.md, line {line_of('content/dis01/index.md', '## 2. ReLU') + 1}: "
            "{% call %} is never closed (add {% endcall %})"
        ],
    ),
    "non-UTF-8 byte in a TOML file": (
        "content/dis01/section1.toml",
        "steps = 50",
        "steps = 50  # caf\udce9",
        ["content/dis01/section1.toml, line 19: byte 0xe9 is not UTF-8"],
    ),
    "YAML syntax error in mkdocs.yml": (
        "mkdocs.yml",
        "  - admonition\n",
        "  - admonition\n  - [attr_list\n",
        ["mkdocs.yml, line ", ": YAML syntax error: "],
    ),
    "non-UTF-8 byte in another page of a worksheet": (
        "content/dis01/optimizers.md",
        "# Explore further",
        "# Explore further \udce9",
        ["content/dis01/optimizers.md, line ", "byte 0xe9 is not UTF-8"],
    ),
    "non-UTF-8 byte in a partial": (
        "templates/partials/figure.md",
        "{{ fig.caption }}",
        "{{ fig.caption }} \udcff",
        ["templates/partials/figure.md, line ", "byte 0xff is not UTF-8"],
    ),
    "syntax error in a partial": (
        "templates/partials/macros.md",
        "{%- endmacro %}",
        "{%- endmacr %}",
        [
            f"templates/partials/macros.md, line {line_of('templates/partials/macros.md', '{%- endmacro %}')}: "
            "template syntax error"
        ],
    ),
    "missing include": (
        "content/dis01/index.md",
        "## 2. ReLU",
        '{% include "partials/nope.md" %}\n\n## 2. ReLU',
        ["content/dis01/index.md, line ", "template 'partials/nope.md' not found"],
    ),
    "division by zero in a page": (
        "content/dis01/index.md",
        "## 2. ReLU",
        "{{ 1/0 }}\n\n## 2. ReLU",
        ["content/dis01/index.md, line ", "ZeroDivisionError: division by zero"],
    ),
    "kind as a list": (
        "content/dis01/section1.toml",
        'kind = "gd_constant"',
        'kind = ["gd_constant"]',
        ["content/dis01/section1.toml: [experiments.const_gd] kind: expected a string, got list"],
    ),
    "kind as a table": (
        "content/dis01/section1.toml",
        'kind = "gd_constant"',
        "kind = {a = 1}",
        ["content/dis01/section1.toml: [experiments.const_gd] kind: expected a string, got table"],
    ),
    "empty list of experiments": (
        "content/dis01/section2.toml",
        'experiments = ["relu_w10_all", "relu_w10_out", "relu_w20_all", '
        '"relu_w20_out", "relu_w40_all", "relu_w40_out"]',
        "experiments = []",
        ["content/dis01/section2.toml: [", "experiments = [] names no experiment"],
    ),
    "zero animation step size": (
        "content/dis01/section1.toml",
        "anim_step_size = 0.1",
        "anim_step_size = 0",
        ["[experiments.const_gd] anim_step_size must be greater than 0, got 0.0"],
    ),
    "negative step size": (
        "content/dis01/section1.toml",
        "step_sizes = [0.1, 0.5",
        "step_sizes = [-0.1, 0.5",
        ["[experiments.const_gd] step_sizes must be greater than 0, got [-0.1, 0.5, 0.8, 1.2]"],
    ),
    "zero frame time": (
        "content/dis01/section1.toml",
        'experiment = "const_gd"',
        'experiment = "const_gd"\nframe_ms = 0',
        ["[figures.const_anim] frame_ms must be greater than 0, got 0"],
    ),
    "frame time a GIF cannot hold": (
        "content/dis01/section1.toml",
        'experiment = "const_gd"',
        'experiment = "const_gd"\nframe_ms = 1000000',
        ["[figures.const_anim] frame_ms = 1,000,000 is not between 10 and 60,000"],
    ),
    "frame time shorter than a GIF's": (
        "content/dis01/section1.toml",
        'experiment = "const_gd"',
        'experiment = "const_gd"\nframe_ms = 5',
        ["[figures.const_anim] frame_ms = 5 is not between 10 and 60,000"],
    ),
    "SGD run that does not exist": (
        "content/dis01/section1.toml",
        'experiment = "const_gd"',
        'experiment = "const_gd"\nsgd_run = -1',
        ["[figures.const_anim] sgd_run = -1 is not one of the experiment's runs 0..19"],
    ),
    "figure placed twice on a page": (
        "content/dis01/index.md",
        '{{ figure("const_anim") }}',
        '{{ figure("const_anim") }}\n\n{{ figure("const_anim") }}',
        ["content/dis01/index.md, line ", "figure 'const_anim' is placed twice on this page"],
    ),
    "a caption asks for a result its experiment lacks": (
        "content/dis01/section1.toml",
        "{{ res.n_points }} data points and two horizontal lines",
        "{{ res.n_pointz }} data points and two horizontal lines",
        ["content/dis01/section1.toml: [figures.const_anim] alt: res.n_pointz: no result 'n_pointz'"],
    ),
    "a page listed twice": (
        "content/dis01/index.md",
        "pages: [optimizers.md]",
        "pages: [optimizers.md, optimizers.md]",
        ["content/dis01/index.md: front matter pages: optimizers.md is listed twice"],
    ),
    "an experiment named in two parameter files": (
        "content/dis01/section2.toml",
        "[experiments.relu_w10_all]",
        '[experiments.const_gd]\nkind = "gd_constant"\n\n[experiments.relu_w10_all]',
        ["content/dis01/section2.toml: 'const_gd' is already defined in content/dis01/section1.toml"],
    ),
    "a byte order mark": (
        "content/dis01/section1.toml",
        "# ",
        "\ufeff# ",
        ["content/dis01/section1.toml, line 1: starts with a UTF-8 byte order mark (BOM)"],
    ),
    "hours of GD steps": (
        "content/dis01/section1.toml",
        "steps = 50",
        "steps = 50_000_000",
        ["[experiments.const_gd] steps = 50,000,000 is above the limit of 200"],
    ),
    "a GD animation past the page's weight": (
        "content/dis01/section1.toml",
        "steps = 50",
        "steps = 201",
        ["[experiments.const_gd] steps = 201 is above the limit of 200"],
    ),
    "hours of ReLU training": (
        "content/dis01/section2.toml",
        'regime = "all_layers"',
        'regime = "all_layers"\nsteps = 10_000_000',
        ["[experiments.relu_w10_all] steps x seeds x width = 3,000,000,000 is above the limit"],
    ),
    "a ReLU network too wide": (
        "content/dis01/section2.toml",
        "width = 10",
        "width = 5000",
        ["[experiments.relu_w10_all] steps x seeds x width = 4,500,000,000 is above the limit"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_named_and_site_kept(built, case):
    rel, old, new, expected = CASES[case]
    before = tree_bytes(built / "site")
    override = not (built / rel).is_file()  # a partial: the course's own copy, broken
    original = source_of(rel).read_text(encoding="utf-8")
    (built / rel).parent.mkdir(parents=True, exist_ok=True)
    (built / rel).write_text(original, encoding="utf-8")
    edit(built / rel, old, new)
    try:
        result = run_cli(built, "site")
    finally:
        if override:
            (built / rel).unlink()
        else:
            (built / rel).write_text(original, encoding="utf-8")
    assert result.returncode == 1
    message = result.stderr
    assert "\nerror: " in "\n" + message and "Traceback" not in message, message
    for fragment in expected:
        assert fragment in message, (fragment, message)
    assert tree_bytes(built / "site") == before


@pytest.mark.parametrize("link", ["extra.md", "extra"])
def test_a_link_out_of_the_course_is_refused(tmp_path, link):
    """A page linked to a file outside the course, or a folder linked to one outside it
    (its files included or linked by a page), would be published with the site."""
    from conftest import make_mini_checkout

    root = make_mini_checkout(tmp_path / "course")
    (tmp_path / "private").mkdir()
    secret = tmp_path / "private" / "secret.md"
    secret.write_text("# Private\n\nThe password.\n")
    target = secret if link.endswith(".md") else secret.parent
    (root / "content" / "mini" / link).symlink_to(target)
    result = run_cli(root, "site", cache=tmp_path / "c")
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert (
        line
        == f"error: content/mini/{link}: a link to {target}, outside the course; copy what it holds into the course instead"
    )
    assert not (root / "site").exists()


def test_a_page_runs_no_code_on_the_build_machine(tmp_path):
    """Jinja's sandbox: a page that reaches for Python's internals is one line, and runs nothing."""
    from conftest import MINI_PAGE, make_mini_checkout

    root = make_mini_checkout(tmp_path / "course")
    proof = tmp_path / "ran"
    attack = "{{ cycler.__init__.__globals__.os.popen('touch " + str(proof) + "').read() }}"
    (root / "content" / "mini" / "index.md").write_text(MINI_PAGE + "\n" + attack + "\n")
    result = run_cli(root, "site", cache=tmp_path / "c")
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: content/mini/index.md, line ") and "unsafe" in line, line
    assert not proof.exists() and not (root / "site").exists()


def _documented_positive() -> list[str]:
    """The fields the manual (docs/limits.md) says must be greater than 0 in any course."""
    import re

    text = " ".join((REPO / "docs" / "limits.md").read_text(encoding="utf-8").split())
    (listed,) = re.findall(r"a field named (.*?)\) must be greater than 0", text)
    return [*re.findall(r"`(\w+)`", listed), "frame_ms"]  # and a frame of 0 ms (between 10 and 60,000)


@pytest.mark.parametrize("name", _documented_positive())
def test_every_value_that_must_be_positive_is_refused_at_zero_or_below(name):
    """A step size or learning rate of 0 (descent never moves), a frame of 0 ms: for
    every name the manual lists, alone or as one item of a list, in any course."""
    for bad in (0, -0.5, (0.1, 0.0), (-1.0,)):
        assert limits.problems({name: bad}) == [f"{name} must be greater than 0, got {limits._show(bad)}"], bad
    assert limits.problems({name: 0.25}) == limits.problems({name: (0.1, 0.5)}) == []
