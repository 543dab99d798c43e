"""A worksheet's own list of its answers (``content/<sheet>/answers.toml``, typed by the
staff in every form a file could hold them): a build whose student pages, figures or
notebook of that worksheet give one away stops, naming the answer and the file, and
keeps the site; the list itself is never published."""

import re
import shutil

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
        'error: content/mini/answers.toml: "q1: the optimum" is given away where its solutions are not shown: '
        "the built mini/index.md holds 'np.mean(y)' (written in content/mini/index.md)"
    ), said
    assert tree_bytes(mini_built / "site") == site


LEAKS = {
    "bold in a caption": ("params.toml", 'caption = "GD and SGD', 'caption = "It **is the sample** mean. GD and SGD'),
    "HTML and a soft hyphen in a caption": (
        "params.toml",
        'caption = "GD and SGD',
        'caption = "It is the <em>sam&shy;ple</em> mean. GD and SGD',
    ),
    "a soft hyphen in an alt": ("params.toml", 'alt = "Two', 'alt = "It is the sam\u00adple mean. Two'),
    "a solution block written by hand": (
        "index.md",
        "# Mini worksheet\n",
        '# Mini worksheet\n\n??? solution "Hint"\n    It is np.mean(y).\n',
    ),
    "Greek letters as Unicode": (
        "index.md",
        "# Mini worksheet\n",
        "# Mini worksheet\n\n$θ^* = \\frac1N \\sum_i y_i$\n",
    ),
    "a line break": ("index.md", "# Mini worksheet\n", "# Mini worksheet\n\nIt is the sample<br/>mean.\n"),
    "a line break in a caption": (
        "params.toml",
        'caption = "GD and SGD',
        'caption = "It is the sample<br>mean. GD and SGD',
    ),
    "TeX font commands": (
        "index.md",
        "# Mini worksheet\n",
        "# Mini worksheet\n\n$\\boldsymbol{\\theta}^* = \\mathbf{\\frac{1}{N}} \\sum_i \\mathrm{y}_i$\n",
    ),
    "a word after a TeX command": (
        "index.md",
        "# Mini worksheet\n",
        "# Mini worksheet\n\n$\\theta \\to \\boxed{\\text{is the sample mean}}$\n",
    ),
    "TeX colour and font wrappers": (
        "index.md",
        "# Mini worksheet\n",
        "# Mini worksheet\n\n$\\theta^* = \\frac{1}{N} \\sum_i \\textcolor{red}{\\mathcal{y}_i}$\n",
    ),
    "TeX without spaces": ("index.md", "# Mini worksheet\n", "# Mini worksheet\n\n$\\theta^*=\\frac1N\\sum_iy_i$\n"),
    "full-width letters": ("index.md", "# Mini worksheet\n", "# Mini worksheet\n\nIt is the \uff53ample mean.\n"),
    "a capital letter": ("index.md", "# Mini worksheet\n", "# Mini worksheet\n\nIS THE SAMPLE MEAN? Yes.\n"),
    "numpy. for np.": ("index.md", "# Mini worksheet\n", "# Mini worksheet\n\nHint: `numpy.mean(y)`.\n"),
    "a title in a solution block written by hand": (
        "index.md",
        "# Mini worksheet\n",
        '# Mini worksheet\n\n??? solution "Hint"\n    A <abbr title="It is the sample mean">hint</abbr>.\n',
    ),
    "TeX spacing": (
        "index.md",
        "# Mini worksheet\n",
        "# Mini worksheet\n\n$\\theta^{\\ast} \\;=\\; \\dfrac1N \\sum\\limits_i y_i$\n",
    ),
}


@pytest.mark.parametrize("leak", sorted(LEAKS))
def test_an_answer_hidden_by_markup_is_found(mini_built, leak):
    """What students read, whatever the markup: bold, tags, entities, TeX's spacing."""
    (mini_built / "content" / "mini" / "answers.toml").write_text(ANSWERS)
    name, old, new = LEAKS[leak]
    path = mini_built / "content" / "mini" / name
    path.write_text(path.read_text().replace(old, new, 1))
    said = one_line_error(run_cli(mini_built, "site", "--edition", "student", cache=None, env=EPOCH))
    assert said.startswith('error: content/mini/answers.toml: "q1: the optimum" is given away'), said


def _unreleased_week_two(content) -> None:
    """A second worksheet with the mini one's experiment and answers, never released."""
    (content / "week02").mkdir()
    (content / "week02" / "params.toml").write_text((content / "mini" / "params.toml").read_text())
    (content / "week02" / "answers.toml").write_text(ANSWERS)
    week2 = MINI_PAGE.replace("number: 1", "number: 2").replace("solutions: now", "solutions: never")
    (content / "week02" / "index.md").write_text(week2.replace('title: "Mini"', 'title: "Week 2"'))


def test_an_unreleased_answer_on_another_worksheets_page_is_found(mini_built):
    """Week 2's answers are not released; week 1's page (released) recaps one."""
    _unreleased_week_two(mini_built / "content")
    _page(mini_built, MINI_PAGE.replace("# Mini worksheet\n", "# Mini worksheet\n\nNext week: it is np.mean(y).\n"))
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith("error: content/week02/answers.toml: ") and "the built mini/index.md holds" in said, said


def test_numbers_are_compared_as_numbers():
    """A space between digits (SVG coordinates, a list of values) is no place for a
    number to hide in, nor one to be found in; TeX's spacing hides nothing."""
    from coursegen.site.answers import normal

    assert normal("2.158") not in normal("M 222.1 58.7 L 0.05 0.1")
    assert normal("2.158") in normal("$\\theta^* = 2.158$")
    assert normal("\\theta^* = \\frac{1}{N}") == normal("\\theta^{\\ast}\\;=~\\dfrac1N")
    assert normal("is the sample mean") == normal("is the sam\u00adple mean")


# A form as listed, and the same written another way that only the markup changes:
# a product's sign or its absence, a sum's limits or none.
SAME_MATH = [
    ("is the sample mean", "<p>It is given.</p><p>Is the sample mean.</p>"),  # a word after a sentence
    ("\\alpha < 1/\\overline{x^2}", "<p>Hint: $\\alpha < 1/\\overline{x^2}$.</p><h2>1. Gradients</h2>"),
    ("alpha = 1", "<p>Here alpha = 1.</p><p>2. Next</p>"),
    ("theta* = 2.158", "$\\theta^{\\ast} = 2.158$"),
    ("\\theta^* = 2.158", "θ* = 2.158"),
    ("theta* = mean(y)", "`theta^* = mean(y)`"),
    ("theta - 2 alpha (theta - y_i)", "`theta - 2*alpha*(theta - y_i)`"),
    ("theta - 2 alpha (theta - y_i)", "$\\theta - 2 \\cdot \\alpha \\times (\\theta - y_i)$"),
    ("np.sum(x * y) / np.sum(x * x)", "sum(x y) / sum(x x)"),
    ("(theta x_i - y_i) x_i", "(theta*x_i - y_i)*x_i"),
    ("\\frac{2}{N} \\sum_{i=1}^N (\\theta - y_i)", "$\\frac{2}{N}\\sum_i (\\theta - y_i)$"),
    ("\\theta^* = \\frac{1}{N} \\sum_{i=1}^N y_i", "$\\theta^* = \\frac1N \\sum\\limits_{i = 1}^{N} y_i$"),
    ("\\theta^* = \\frac{1}{N} \\sum_{i=1}^N y_i", "$\\theta^\\star=\\frac{1}{N}\\sum_{i}y_{i}$"),
]


def _as_read(html: str) -> str:
    from coursegen.site.reading import read_html

    return "".join(read_html(html).text)


@pytest.mark.parametrize(("form", "text"), SAME_MATH)
def test_a_form_is_found_however_its_products_and_sums_are_written(form, text):
    """(Found in the text as the build reads a page: its blocks' ends are line ends.)"""
    from coursegen.site.answers import Haystack, Needle

    assert Needle.of(form).found_in(Haystack.of(_as_read(f"Hint: {text}.")))


@pytest.mark.parametrize(
    ("form", "text"),
    [
        ("theta - 2 alpha (theta - y_i)", "theta - 2 alphabet (theta - y_i)"),
        ("2 alpha", "2^alpha"),
        ("theta* = 2.158", "$\\theta = 2.158$"),  # the optimum's star is no product's sign
        ("\\theta^* = 2.158", "$\\theta^* = 2.1584$"),  # numbers whole, in TeX too
        ("\\theta^*", "$\\theta^2$"),
        ("\\alpha = \\frac{1}{2}", "$\\alpha = \\frac{1}{20}$"),
        ("\\alpha = \\frac{1}{2}", "$\\alpha = \\frac{1}{2N}$"),
        ("alpha = 1", "alpha = 1.5"),
        ("158", "2.158"),
    ],
)
def test_a_form_is_not_found_in_other_math(form, text):
    from coursegen.site.answers import Haystack, Needle

    assert not Needle.of(form).found_in(Haystack.of(text))


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
        (
            "[[answers]]\nquestion = 'q'\nforms = ['{{ results.const.theta_star | num(4) }}']\n",
            "[[answers]] 1: form '{{ results.const.theta_star | num(4) }}' is a template, but forms are searched "
            "as written: type the number as the page shows it (and again when the results change)",
        ),
    ],
)
def test_a_mistake_in_the_list_is_one_line(mini_built, text, message):
    (mini_built / "content" / "mini" / "answers.toml").write_text(text)
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith("error: content/mini/answers.toml") and message in said, said


def test_an_unreleased_answer_in_a_released_worksheets_solutions_stops_the_build(mini_built):
    """Week 1 (released) and week 2 (not) share an answer: week 1's solution states it,
    so students read week 2's answer before its release. The build stops and says how
    staff who mean it (the same example in both) let it through: week 1's own list holds
    the form too. Week 1's question text stating it still stops the build."""
    content = mini_built / "content"
    _unreleased_week_two(content)
    page = MINI_PAGE.replace("The mean of the data.", "It is np.mean(y), the sample mean.")
    _page(mini_built, page)
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith("error: content/week02/answers.toml: ") and "the built mini/index.md holds" in said, said
    assert "(written in content/mini/index.md)" in said, said
    assert said.endswith(
        "; if mini's solutions state it on purpose (the same example in both), list the form in "
        "content/mini/answers.toml too"
    ), said
    (content / "mini" / "answers.toml").write_text(ANSWERS)
    built = run_cli(mini_built, "site", cache=None, env=EPOCH)
    assert built.returncode == 0, built.stderr
    assert "np.mean(y)" in (mini_built / "site" / "mini" / "index.html").read_text()
    _page(mini_built, page.replace("# Mini worksheet\n", "# Mini worksheet\n\nRecall: np.mean(y).\n"))
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith("error: content/week02/answers.toml: ") and "the built mini/index.md holds" in said, said
    assert "list the form" not in said, said


def test_an_unreleased_answer_in_a_file_a_released_solution_links_stops_the_build(mini_built):
    """A released worksheet's files (here a table its solution links) are read by
    students too."""
    content = mini_built / "content"
    _unreleased_week_two(content)
    (content / "mini" / "recap.csv").write_text("next week,\\theta^* = \\frac{1}{N} \\sum_i y_i\n")
    _page(mini_built, MINI_PAGE.replace("The mean of the data.", "The mean of the data ([recap](recap.csv))."))
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith("error: content/week02/answers.toml: "), said
    assert "the built mini/recap.csv holds '\\theta^* = \\frac{1}{N} \\sum_i y_i'" in said, said
    assert "(written in content/mini/recap.csv)" in said, said


def test_an_html_comment_is_not_named_as_the_source(mini_built):
    """A page's HTML comments are not published: the source named is the one that is."""
    (mini_built / "content" / "mini" / "answers.toml").write_text(ANSWERS)
    page = MINI_PAGE.replace("solutions: now", "solutions: never").replace(
        "# Mini worksheet\n", "# Mini worksheet\n\n<!-- staff: it is the sample mean -->\n"
    )
    _page(mini_built, page)
    params = mini_built / "content" / "mini" / "params.toml"
    params.write_text(
        params.read_text().replace('caption = "GD and SGD', 'caption = "It is the sample mean. GD and SGD', 1)
    )
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.endswith("(written in content/mini/params.toml)"), said


def test_a_linked_text_file_is_searched_and_front_matter_comments_are_not(mini_built):
    """A starter script the page links is published, so searched; a YAML comment in the
    front matter is not (MkDocs publishes no front matter)."""
    (mini_built / "content" / "mini" / "answers.toml").write_text(ANSWERS)
    page = MINI_PAGE.replace("solutions: now", "solutions: never")
    _page(mini_built, page.replace('summary: "One', '# staff: it is np.mean(y)\nsummary: "One'))
    built = run_cli(mini_built, "site", cache=None, env=EPOCH)
    assert built.returncode == 0, built.stderr
    (mini_built / "content" / "mini" / "starter.py").write_text("theta_star = np.mean(y)\n")
    _page(
        mini_built,
        MINI_PAGE.replace("solutions: now", "solutions: never")
        .replace("# Mini worksheet\n", "# Mini worksheet\n\n[A starter](starter.py)\n")
        .replace("The mean of the data.", "It is np.mean(y)."),  # where it belongs: not named as the source
    )
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.endswith("the built mini/starter.py holds 'np.mean(y)' (written in content/mini/starter.py)"), said


@pytest.mark.parametrize(
    "name, data",
    [
        ("notes.txt", "Caf\u00e9 notes: it is the sample mean.\n".encode("latin-1")),
        ("notes.csv", "col\nit is the sample mean\n".encode("utf-16")),
        ("notes.html", b"<section>It is the sample</section><section>mean.</section>"),
        # as matplotlib writes a figure's words (its glyphs are paths), a notebook, a
        # JSON file (an explorer's spec, a player's labels)
        ("notes.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><!-- it is the sample mean --><path d="M0 0"/></svg>'),
        ("label.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><text x="0" y="9">it is the sample mean</text></svg>'),
        ("notes.ipynb", b'{"cells": [{"cell_type": "markdown", "source": ["It is the ", "sample mean."]}]}'),
        ("notes.json", b'{"labels": [["step 1", "It is the sample mean."]]}'),
        ("notes.js", b"// Hint: it is the sample mean.\nconsole.log(1);\n"),  # not a script copy of a file
        ("hint.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><desc>It is the sam&#112;le mean</desc></svg>'),
        # solution material of a linked HTML file is as published as the rest of it
        ("sol.html", b'<details class="solution"><summary>Hint</summary>It is the sample mean.</details>'),
        (
            "alt.html",
            b'<details class="solution"><summary>Hint</summary><img alt="It is the sample mean" src="a.png"></details>',
        ),
    ],
)
def test_a_linked_file_in_another_encoding_or_as_html_sections_is_searched(mini_built, name, data):
    (mini_built / "content" / "mini" / "answers.toml").write_text(ANSWERS)
    (mini_built / "content" / "mini" / name).write_bytes(data)
    page = MINI_PAGE.replace("solutions: now", "solutions: never")
    _page(mini_built, page.replace("# Mini worksheet\n", f"# Mini worksheet\n\n[Notes]({name})\n"))
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert f"the built mini/{name} holds 'is the sample mean'" in said, said


@pytest.mark.parametrize(
    "source, old, new",
    [
        ("index.md", "# Mini worksheet\n", '# Mini worksheet\n\n??? solution "Hint"\n    It is the sample mean.\n'),
        ("params.toml", 'caption = "GD and SGD', 'caption = "It is the sample<br>mean. GD and SGD'),
    ],
)
def test_the_source_named_is_the_one_that_gives_it_away(mini_built, source, old, new):
    """A hand-written solution admonition is published to students: it is the source; an
    answer split by a tag in a caption is named in its parameter file."""
    (mini_built / "content" / "mini" / "answers.toml").write_text(ANSWERS)
    page = MINI_PAGE.replace("solutions: now", "solutions: never").replace(
        "The mean of the data.",
        "It is the sample mean.",  # in a solution block the student edition removes
    )
    _page(mini_built, page)
    path = mini_built / "content" / "mini" / source
    path.write_text(path.read_text().replace(old, new, 1))
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.endswith(f"(written in content/mini/{source})"), said


CHROME = {
    "mkdocs.yml's description": ("mkdocs.yml", "site_description: It is the sample mean.", "mkdocs.yml"),
    "an announcement a theme override adds": (
        "site_src/overrides/main.html",  # mkdocs.yml's theme.custom_dir
        '{% extends "base.html" %}\n{% block announce %}Hint: it is np.mean(y){% endblock %}\n',
        "site_src/overrides/main.html",
    ),
    "a title a theme override's footer holds": (
        "site_src/overrides/main.html",
        '{% extends "base.html" %}\n{% block footer %}<a href="#" title="Hint: it is the sample mean">?</a>{% endblock %}\n',
        "site_src/overrides/main.html",
    ),
    "the course's own script": (
        "site_src/assets/js/hint.js",
        "// it is the sample mean\n",
        "site_src/assets/js/hint.js",
    ),
}


@pytest.mark.parametrize(
    "engine, where", [*(("mkdocs", where) for where in CHROME), ("zensical", "mkdocs.yml's description")]
)
def test_an_answer_the_theme_or_the_sites_settings_put_on_every_page_stops_the_build(mini_built, engine, where):
    """What the engine puts around the pages (mkdocs.yml's strings, a theme override, the
    course's own assets) reaches students on every page: it is searched too, and the
    source is named; the site is kept."""
    (mini_built / "content" / "mini" / "answers.toml").write_text(ANSWERS)
    _page(mini_built, MINI_PAGE.replace("solutions: now", "solutions: never"))
    assert run_cli(mini_built, "site", "--engine", engine, cache=None, env=EPOCH).returncode == 0
    site = tree_bytes(mini_built / "site")
    rel, text, source = CHROME[where]
    path = mini_built / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if rel == "mkdocs.yml":
        lines = [text if line.startswith("site_description:") else line for line in path.read_text().splitlines()]
        path.write_text("\n".join(lines) + "\n")
    else:
        path.write_text(text)
    said = one_line_error(run_cli(mini_built, "site", "--engine", engine, cache=None, env=EPOCH))
    assert "is given away where its solutions are not shown" in said, said
    assert f"(written in {source})" in said, said
    assert tree_bytes(mini_built / "site") == site


WEEK_THREE = """[[answers]]
question = "w3: the median"
forms = ["is the sample median"]
"""


@pytest.mark.parametrize("where", ["a released page", "mkdocs.yml's description"])
def test_every_unreleased_worksheets_list_is_searched(mini_built, where):
    """Weeks 2 and 3 both unreleased: week 3's answer is found as week 2's would be, on a
    page and around every page."""
    content = mini_built / "content"
    _unreleased_week_two(content)
    shutil.copytree(content / "week02", content / "week03")
    (content / "week02" / "answers.toml").write_text(WEEK_THREE.replace("w3", "w2").replace("median", "mode"))
    (content / "week03" / "answers.toml").write_text(WEEK_THREE)
    week3 = (content / "week03" / "index.md").read_text()
    (content / "week03" / "index.md").write_text(week3.replace("number: 2", "number: 3").replace("Week 2", "Week 3"))
    assert run_cli(mini_built, "site", cache=None, env=EPOCH).returncode == 0
    if where == "a released page":
        _page(
            mini_built,
            MINI_PAGE.replace("# Mini worksheet\n", "# Mini worksheet\n\nIn week 3: it is the sample median.\n"),
        )
    else:
        config = mini_built / "mkdocs.yml"
        lines = config.read_text().splitlines()
        config.write_text(
            "\n".join(
                "site_description: It is the sample median." if line.startswith("site_description:") else line
                for line in lines
            )
            + "\n"
        )
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith('error: content/week03/answers.toml: "w3: the median" is given away'), said


def test_a_form_no_source_holds_names_the_figure_that_made_it(tmp_path):
    """Text a figure's function wrote from the results (a player's label, an explorer's
    sentence) is in no source as written: the message names the figure, not nothing."""
    from coursegen.errors import BuildError
    from coursegen.site import answers

    (tmp_path / "content" / "week01").mkdir(parents=True)
    found = answers.Answer("q1", ("0.16081",), (answers.Needle.of("0.16081"),))
    for rel, said in (
        ("week01/figures/lsq_explore.explorer.json", "(made by figure 'lsq_explore' of week01:"),
        ("week01/figures/lsq_anim-dark.gif.json", "(made by figure 'lsq_anim' of week01:"),
        ("week01/index.md", "(no source holds it as written: a figure's labels or a number the results give)"),
    ):
        piece = answers.Piece(rel, answers.Haystack.of("loss 0.16081 at step 3"), None)
        with pytest.raises(BuildError, match=re.escape(f"the built {rel} holds '0.16081' {said}")):
            answers.check((found,), "content/week01/answers.toml", [piece], tmp_path / "content", {})


def test_what_surrounds_a_page_reads_as_a_student_reads_it(tmp_path):
    """The text around a page's article: a tag inside a sentence hides nothing, the
    generator's version and the viewport in <meta> are no text of the course's, and an
    HTML file a page links (no article of the engine's) is not taken as a page."""
    from coursegen.errors import BuildError
    from coursegen.site import answers

    content = tmp_path / "content"
    (content / "week01").mkdir(parents=True)
    (content / "week01" / "answers.toml").write_text(
        '[[answers]]\nquestion = "q1"\nforms = ["is the sample mean", "width=device-width", "mkdocs-material"]\n'
    )
    site = tmp_path / "site"
    (site / "week01").mkdir(parents=True)
    head = (
        '<head><meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="generator" content="mkdocs-1.6.1, mkdocs-material-9.8.2"></head>'
    )
    article = '<div class="md-content"><article class="md-content__inner">It is the sample mean.</article></div>'
    (site / "week01" / "index.html").write_text(
        f"<html>{head}<body><nav>is the sample mean</nav>{article}</body></html>"
    )
    (site / "week01" / "notes.html").write_text("<html><body><p>It is the sample mean.</p></body></html>")
    answers.check_chrome(content, tmp_path, ["week01"], site)  # the article, the nav, the linked file: not chrome
    footer = "<footer><p>Hint: it is the <em>sample</em>\nmean.</p></footer>"
    (site / "index.html").write_text(f"<html>{head}<body>{article}{footer}</body></html>")
    with pytest.raises(BuildError, match=re.escape("the built index.html holds 'is the sample mean'")):
        answers.check_chrome(content, tmp_path, ["week01"], site)


def test_the_reader_follows_an_edit_of_the_sites_markdown_extensions(tmp_path):
    """``serve`` lives on while mkdocs.yml is edited: the Markdown that reads pages for the
    answer search is made again from the edited extensions, not kept from the first."""
    from coursegen.site.reading import Reader

    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\nmarkdown_extensions:\n  - admonition\n  - pymdownx.details\n")
    block = '??? solution "Hint"\n    It is the sample mean.\n'
    assert "".join(Reader.of(config).read(block).solution_text).strip() != ""  # a closed solution block
    config.write_text("site_name: x\nmarkdown_extensions:\n  - admonition\n")  # no details: plain text now
    read = Reader.of(config).read(block)
    assert "".join(read.solution_text).strip() == "" and "sample mean" in "".join(read.text)
