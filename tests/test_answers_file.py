"""A worksheet's own list of its answers (``content/<sheet>/answers.toml``, typed by the
staff in every form a file could hold them): a build whose student pages, figures or
notebook of that worksheet give one away stops, naming the answer and the file, and
keeps the site; the list itself is never published."""

import pytest

from conftest import EPOCH, MINI_PAGE, one_line_error, run_cli, tree_bytes

ANSWERS = """# The mini worksheet's answers, in the forms a file could hold them.
[[answers]]
question = "q1: the optimum"
forms = ['\\theta^* = \\frac{1}{N} \\sum_i y_i', "is the sample mean", "np.mean(y)"]
"""


def _page(root, text: str) -> None:
    (root / "content" / "mini" / "index.md").write_text(text)


@pytest.mark.parametrize("edition", ["student", "scheduled"])
def test_an_answer_in_question_material_stops_the_student_build(mini_built, edition):
    (mini_built / "content" / "mini" / "answers.toml").write_text(ANSWERS)
    page = MINI_PAGE.replace("solutions: now", "solutions: 2099-01-01T00:00Z")
    _page(mini_built, page)
    built = run_cli(mini_built, "site", "--edition", edition, cache=None, env=EPOCH)
    assert built.returncode == 0, built.stderr  # the answer sits in the solution: not published
    assert not any("answers" in p for p in tree_bytes(mini_built / "site"))  # nor the list
    site = tree_bytes(mini_built / "site")
    _page(mini_built, page.replace("# Mini worksheet\n", "# Mini worksheet\n\nHint: it is $np.mean(y)$.\n"))
    said = one_line_error(run_cli(mini_built, "site", "--edition", edition, cache=None, env=EPOCH))
    assert said == (
        'error: content/mini/answers.toml: the student edition gives away "q1: the optimum": '
        "mini/index.md holds 'np.mean(y)'"
    ), said
    assert tree_bytes(mini_built / "site") == site


def test_released_answers_are_published(mini_built):
    (mini_built / "content" / "mini" / "answers.toml").write_text(ANSWERS)
    _page(mini_built, MINI_PAGE.replace("# Mini worksheet\n", "# Mini worksheet\n\nIt is $np.mean(y)$.\n"))
    built = run_cli(mini_built, "site", "--edition", "solutions", cache=None, env=EPOCH)
    assert built.returncode == 0, built.stderr


@pytest.mark.parametrize(
    "text, message",
    [
        ("[[answers]]\nquestion = 'q'\n", "[[answers]] 1: forms: expected a list of strings"),
        ("[[answers]]\nquestion = 'q'\nforms = ['x']\n", "[[answers]] 1: form 'x' is too short to search for"),
        ("[[answers]]\nforms = ['the mean']\n", "[[answers]] 1: question: expected a string"),
        ("[answer]\n", "only [[answers]] tables belong here, not 'answer'"),
        ("[[answers]\n", "TOML syntax error"),
    ],
)
def test_a_mistake_in_the_list_is_one_line(mini_built, text, message):
    (mini_built / "content" / "mini" / "answers.toml").write_text(text)
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith("error: content/mini/answers.toml") and message in said, said
