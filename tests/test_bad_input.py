"""Mistakes in the sources stop the build with a message naming the file and the field
or line, a non-zero exit, no traceback, and the previous site left exactly as it was."""

import pytest

from conftest import make_checkout, run_cli, tree_bytes


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A checkout with a good site already built, to break in different ways."""
    root = make_checkout(tmp_path_factory.mktemp("bad"))
    result = run_cli(root, "site", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    return root


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CASES = {
    "unknown figure": (
        "content/dis01/index.md", '{{ figure("const_anim") }}', '{{ figure("const_anmi") }}',
        ["content/dis01/index.md, line ", "unknown figure 'const_anmi'"],
    ),
    "undefined variable": (
        "templates/partials/figure.md", "{{ fig.caption }}", "{{ fig.captoin }}",
        ["templates/partials/figure.md, line ", "captoin"],
    ),
    "undefined result": (
        "content/dis01/index.md", "## 2. ReLU", "{{ results.const_gd.no_such_result }}\n\n## 2. ReLU",
        ["content/dis01/index.md, line ", "no_such_result"],
    ),
    "toml syntax error": (
        "content/dis01/section1.toml", "steps = 50", "steps = = 50",
        ["content/dis01/section1.toml", "TOML syntax error", "line "],
    ),
    "unknown key": (
        "content/dis01/section1.toml", "steps = 50", "stepz = 50",
        ["content/dis01/section1.toml", "[experiments.const_gd]", "unknown key 'stepz'"],
    ),
    "wrong type": (
        "content/dis01/section1.toml", "steps = 50", 'steps = "fifty"',
        ["content/dis01/section1.toml", "[experiments.const_gd] steps", "expected int", "string"],
    ),
    "wrong item type": (
        "content/dis01/section1.toml", "step_sizes = [0.1, 0.5", 'step_sizes = [0.1, "x"',
        ["content/dis01/section1.toml", "step_sizes[1]", "expected float"],
    ),
    "unknown experiment": (
        "content/dis01/section1.toml", 'experiment = "const_gd"', 'experiment = "const_dg"',
        ["content/dis01/section1.toml", "[figures.const_anim]", "'const_dg' is not defined"],
    ),
    "unknown kind": (
        "content/dis01/section1.toml", 'kind = "gd_constant"', 'kind = "gd_konstant"',
        ["content/dis01/section1.toml", "[experiments.const_gd]", "'gd_konstant' is unknown"],
    ),
    "template syntax error": (
        "content/dis01/index.md", "{% endcall %}", "{% endcal %}",
        ["content/dis01/index.md, line ", "syntax error"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_named_and_site_kept(built, case):
    rel, old, new, expected = CASES[case]
    before = tree_bytes(built / "site")
    original = (built / rel).read_text(encoding="utf-8")
    edit(built / rel, old, new)
    try:
        result = run_cli(built, "site")
    finally:
        (built / rel).write_text(original, encoding="utf-8")
    assert result.returncode == 1
    message = result.stderr
    assert "\nerror: " in "\n" + message and "Traceback" not in message, message
    for fragment in expected:
        assert fragment in message, (fragment, message)
    assert tree_bytes(built / "site") == before
