"""What ``content/`` may hold, as staff fill it: every worksheet folder has its
``index.md`` (a folder without one is refused, never left out of the site in silence),
only the home page and worksheet folders sit at its top, and a picture beside a page is
published when a page of that edition links to it (a picture linked only from a solution
stays out of the student edition). A link to a file that is not there is one line naming
the page."""

import pytest

from conftest import EPOCH, MINI_PAGE, one_line_error, run_cli, tree_bytes

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4e60000000049454e44ae426082"
)


def test_a_worksheet_folder_without_its_page_is_refused_not_left_out(mini_built):
    second = mini_built / "content" / "week02"
    second.mkdir()
    (second / "params.toml").write_text((mini_built / "content" / "mini" / "params.toml").read_text())
    site = tree_bytes(mini_built / "site")
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith("error: content/week02/: ") and "index.md" in said and "params.toml" in said, said
    assert tree_bytes(mini_built / "site") == site
    (second / "params.toml").unlink()  # an empty folder holds nothing to lose, nor one of clutter
    (second / "img").mkdir()
    for clutter in (".DS_Store", "img/.DS_Store", "Thumbs.db", "index.md~"):
        (second / clutter).write_bytes(b"\0")
    for clutter in (".DS_Store", "Thumbs.db", "index.md~", "desktop.ini"):
        (mini_built / "content" / clutter).write_bytes(b"\0")
    assert run_cli(mini_built, "site", cache=None, env=EPOCH).returncode == 0


def test_a_stray_file_at_the_top_of_content_is_refused(mini_built):
    (mini_built / "content" / "notes.md").write_text("# Notes\n\nFor the staff.\n")
    site = tree_bytes(mini_built / "site")
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith("error: content/notes.md: "), said
    assert tree_bytes(mini_built / "site") == site


@pytest.mark.parametrize("edition", ["solutions", "student"])
def test_a_picture_beside_a_page_is_published_where_a_page_links_to_it(mini_built, edition):
    folder = mini_built / "content" / "mini"
    (folder / "img").mkdir()
    (folder / "img" / "setup.png").write_bytes(PNG)
    (folder / "answer.png").write_bytes(PNG[:-1] + b"\x83")
    (folder / "unused.png").write_bytes(PNG)
    page = MINI_PAGE.replace("# Mini worksheet\n", "# Mini worksheet\n\n![The set-up](img/setup.png)\n")
    page = page.replace("The mean of the data.\n", "The mean of the data.\n\n![The answer](answer.png)\n")
    (folder / "index.md").write_text(page)
    result = run_cli(mini_built, "site", "--edition", edition, cache=None, env=EPOCH)
    assert result.returncode == 0, result.stderr
    site = mini_built / "site" / "mini"
    assert (site / "img" / "setup.png").read_bytes() == PNG
    assert 'src="img/setup.png"' in (site / "index.html").read_text()
    assert (site / "answer.png").exists() == (edition == "solutions")
    assert not (site / "unused.png").exists()


def test_a_link_to_a_missing_file_names_the_page(mini_built):
    page = MINI_PAGE.replace("# Mini worksheet\n", "# Mini worksheet\n\n![A diagram](diagram.png)\n")
    (mini_built / "content" / "mini" / "index.md").write_text(page)
    site = tree_bytes(mini_built / "site")
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith("error: content/mini/index.md: ") and "diagram.png" in said, said
    assert tree_bytes(mini_built / "site") == site


def test_a_worksheet_without_parameter_files_says_where_its_experiments_go(mini_built):
    (mini_built / "content" / "mini" / "params.toml").unlink()
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith("error: content/mini/index.md, line "), said
    assert "mini has no experiment or summary at all" in said and "content/mini/params.toml" in said, said


LINK_FORMS = {
    "html img": '<img src="img/{name}" alt="A picture">',
    "html link, ./ and anchor": '<a href="./img/{name}#top">the picture</a>',
    "reference in a solution": "![A picture][pic]\n\n[pic]: img/{name}",
    "spaces, angle brackets": "![A picture](<img/{name}>)",
    "spaces, escaped": "![A picture](img/{escaped})",
    "srcset": '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" srcset="img/{name} 1x, img/{name} 2x" alt="A">',
}


@pytest.mark.parametrize("form", sorted(LINK_FORMS))
def test_every_link_form_publishes_the_file_or_names_the_page_when_it_is_missing(mini_built, form):
    """Markdown inline and reference links, HTML src and href (which MkDocs does not
    check), a name with a space; inside a solution block (indented by the block) too."""
    folder = mini_built / "content" / "mini"
    name = "set up.png" if "spaces" in form else "setup.png"
    link = LINK_FORMS[form].format(name=name, escaped=name.replace(" ", "%20"))
    where = "The mean of the data.\n" if "solution" in form else "# Mini worksheet\n"
    (folder / "index.md").write_text(MINI_PAGE.replace(where, f"{where}\n{link}\n", 1))
    site = tree_bytes(mini_built / "site")
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith("error: content/mini/index.md: ") and "img/" in said, said
    assert tree_bytes(mini_built / "site") == site
    (folder / "img").mkdir()
    (folder / "img" / name).write_bytes(PNG)
    result = run_cli(mini_built, "site", cache=None, env=EPOCH)
    assert result.returncode == 0, result.stderr
    assert (mini_built / "site" / "mini" / "img" / name).read_bytes() == PNG


def test_a_path_in_code_is_no_link_and_a_parameter_file_is_never_published(mini_built):
    """A solution-only picture named in a code block of question text is not published
    with the student edition; a link to the worksheet's TOML is refused, naming it."""
    folder = mini_built / "content" / "mini"
    (folder / "answer.png").write_bytes(PNG)
    code = "```markdown\n![The answer](answer.png)\n```\n\nOr `![The answer](answer.png)`.\n"
    page = MINI_PAGE.replace("# Mini worksheet\n", f"# Mini worksheet\n\n{code}")
    (folder / "index.md").write_text(page.replace("The mean of the data.\n", "The mean.\n\n![It](answer.png)\n"))
    assert run_cli(mini_built, "site", "--edition", "student", cache=None, env=EPOCH).returncode == 0
    assert not (mini_built / "site" / "mini" / "answer.png").exists()
    (folder / "index.md").write_text(
        MINI_PAGE.replace("# Mini worksheet\n", "# Mini worksheet\n\n[The parameters](params.toml)\n")
    )
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith("error: content/mini/index.md: links to mini/params.toml, a parameter file"), said


@pytest.mark.parametrize("edition", ["solutions", "student"])
def test_a_reference_used_only_in_a_solution_publishes_its_file_with_the_solutions_only(mini_built, edition):
    """A reference definition sits outside the solution (where the page's definitions
    go), its one use inside: the student edition has no link to the file, so no file."""
    folder = mini_built / "content" / "mini"
    (folder / "img").mkdir()
    (folder / "img" / "answers.csv").write_text("q1,CHINCHILLA\n")
    (folder / "img" / "unused.csv").write_text("q1,PLATYPUS\n")
    page = MINI_PAGE.replace("The mean of the data.\n", "The mean of the data: the [answer table][table].\n")
    (folder / "index.md").write_text(page + "\n[table]: img/answers.csv\n[spare]: img/unused.csv\n")
    result = run_cli(mini_built, "site", "--edition", edition, cache=None, env=EPOCH)
    assert result.returncode == 0, result.stderr
    site = mini_built / "site"
    assert (site / "mini" / "img" / "answers.csv").exists() == (edition == "solutions")
    assert not (site / "mini" / "img" / "unused.csv").exists()
    leaked = [p for p in site.rglob("*") if p.is_file() and b"CHINCHILLA" in p.read_bytes()]
    assert leaked == ([site / "mini" / "img" / "answers.csv"] if edition == "solutions" else [])


UNPUBLISHED_MISTAKES = {
    "a result that is not there": ("{{ results.const.theta_sta }}", "line 20: results.const.theta_sta"),
    "a link to a missing file": ("![The answer](img/answr.svg)", "links to img/answr.svg"),
}


@pytest.mark.parametrize("mistake", sorted(UNPUBLISHED_MISTAKES))
@pytest.mark.parametrize("how", ["student edition", "not released yet"])
def test_a_mistake_in_solutions_not_published_yet_stops_the_build_now(mini_built, mistake, how):
    """Not at the release time, when nobody is watching the build that publishes them."""
    text, named = UNPUBLISHED_MISTAKES[mistake]
    page = MINI_PAGE.replace("The mean of the data.\n", f"The mean of the data.\n\n{text}\n")
    if how == "not released yet":
        page = page.replace("solutions: now", "solutions: 2099-01-01T00:00Z")
    (mini_built / "content" / "mini" / "index.md").write_text(page)
    site = tree_bytes(mini_built / "site")
    edition = ["--edition", "student"] if how == "student edition" else []
    said = one_line_error(run_cli(mini_built, "site", *edition, cache=None, env=EPOCH))
    assert said.startswith("error: content/mini/index.md") and named in said, said
    assert "solutions this build does not publish; a build that publishes them would stop" in said, said
    assert tree_bytes(mini_built / "site") == site


COMMENTED = (  # each comment holds CHINCHILLA; what shows one in code keeps it
    "<!-- TA note: the answer is CHINCHILLA -->\n\n"
    "Write `<!-- a comment -->` to hide text.\n\n```html\n<!-- shown -->\n```\n\n"
    "````markdown\n```python\nx = 1\n```\n````\n\nText <!-- CHINCHILLA four --> after.\n\n"
    "~~~~\n~~~\ny = 2\n~~~\n~~~~\n\nEscaped \\` then <!-- CHINCHILLA tick --> then `x`.\n\n"
    "<!--\nCHINCHILLA over\nlines\n-->\n\n"
    "```np.mean``` averages the data. <!-- CHINCHILLA inline triple -->\n\n"
    "- Press ` to open\n- then <!-- CHINCHILLA list --> `code`\n\n"
    "An escaped backslash \\\\`b` <!-- CHINCHILLA backslashes --> `c`.\n"
)


def test_an_html_comment_is_in_no_edition_but_code_showing_one_is_kept(mini_built):
    """Page text (a fence inside a longer one, an escaped backtick, several lines, after
    a line opening with three backticks, after a lone backtick in a list), a solution,
    a figure's caption and alt text; a comment never closed is refused."""
    page = MINI_PAGE.replace("# Mini worksheet\n", f"# Mini worksheet\n\n{COMMENTED}")
    page = page.replace("The mean of the data.\n", "The mean <!-- CHINCHILLA solved --> of the data.\n")
    (mini_built / "content" / "mini" / "index.md").write_text(page)
    params = mini_built / "content" / "mini" / "params.toml"
    text = params.read_text()
    params.write_text(
        text.replace('alt = "', 'alt = "<!-- CHINCHILLA alt --> ').replace(
            'caption = "', 'caption = "<!-- CHINCHILLA cap --> '
        )
    )
    for edition in ("student", "solutions"):
        result = run_cli(mini_built, "site", "--edition", edition, cache=None, env=EPOCH)
        assert result.returncode == 0, result.stderr
        site = mini_built / "site"
        assert [p for p in site.rglob("*") if p.is_file() and b"CHINCHILLA" in p.read_bytes()] == [], edition
        html = (site / "mini" / "index.html").read_text()
        assert "&lt;!-- a comment --&gt;" in html and "&lt;!-- shown --&gt;" in html
        assert "The mean  of the data." in html or edition == "student"
    (mini_built / "content" / "mini" / "index.md").write_text(page + "\nA last line <!-- never closed\n")
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith("error: content/mini/index.md: an HTML comment is never closed"), said


def test_a_question_id_given_twice_is_refused_naming_it(mini_built):
    """A link to ``#q1`` would open the first; Markdown's own heading ids never repeat."""
    page = MINI_PAGE.replace("{% call solution() %}", '{{ question("q1", "(b) Again") }}\n\n{% call solution() %}')
    (mini_built / "content" / "mini" / "index.md").write_text(page)
    site = tree_bytes(mini_built / "site")
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith("error: content/mini/index.md: the id 'q1' is given twice"), said
    assert tree_bytes(mini_built / "site") == site
    (mini_built / "content" / "mini" / "index.md").write_text(
        page.replace("# Mini worksheet\n", "# Mini\n\n## Same\n\n## Same\n")
    )
    assert run_cli(mini_built, "site", cache=None, env=EPOCH).returncode == 1  # still q1 twice
    (mini_built / "content" / "mini" / "index.md").write_text(
        MINI_PAGE.replace("# Mini worksheet\n", "# Mini\n\n## Same\n\n## Same\n")
    )
    assert run_cli(mini_built, "site", cache=None, env=EPOCH).returncode == 0  # headings: same title, own ids


def test_a_worksheet_folder_whose_name_cannot_be_an_address_is_refused(mini_built):
    """`coursegen new worksheet "week 5"` is refused; so is a folder made by hand."""
    (mini_built / "content" / "mini").rename(mini_built / "content" / "mini week")
    site = tree_bytes(mini_built / "site")
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith("error: content/mini week/: a worksheet folder's name is part of"), said
    assert "(e.g. miniweek)" in said, said
    assert tree_bytes(mini_built / "site") == site


def test_a_file_of_another_worksheet_is_published_where_a_page_links_to_it(mini_built):
    """Week 2 links week 1's data file (and the home page a file of week 1): published
    once, where a page links it; one not there is named with the page that links it."""
    content = mini_built / "content"
    (content / "mini" / "data.csv").write_text("x,y\n1,2\n")
    second = content / "week02"
    second.mkdir()
    (second / "params.toml").write_text((content / "mini" / "params.toml").read_text())
    page = MINI_PAGE.replace("number: 1", "number: 2").replace('title: "Mini"', 'title: "Week 2"')
    (second / "index.md").write_text(
        page.replace("# Mini worksheet\n", "# Week 2\n\n[Week 1's data](../mini/data.csv)\n")
    )
    result = run_cli(mini_built, "site", cache=None, env=EPOCH)
    assert result.returncode == 0, result.stderr
    assert (mini_built / "site" / "mini" / "data.csv").read_text() == "x,y\n1,2\n"
    result = run_cli(mini_built, "site", "--sheet", "week02", cache=None, env=EPOCH)  # week 2 alone
    assert result.returncode == 0, result.stderr
    assert (mini_built / "site" / "mini" / "data.csv").read_text() == "x,y\n1,2\n"
    (second / "index.md").write_text(page.replace("# Mini worksheet\n", "# Week 2\n\n[Old data](../mini/old.csv)\n"))
    site = tree_bytes(mini_built / "site")
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert (
        said
        == "error: content/week02/index.md: links to ../mini/old.csv, which is neither in content/mini/ nor made by the build"
    ), said
    assert tree_bytes(mini_built / "site") == site


@pytest.mark.parametrize("edition", ["solutions", "student"])
def test_a_figure_placed_on_no_page_is_named(mini_built, edition):
    """A figure table the pages never place (forgotten, or its name misspelt in both
    places) would be computed and published for nobody: one line, in either edition."""
    params = mini_built / "content" / "mini" / "params.toml"
    params.write_text(
        params.read_text() + '\n[figures.spare]\nkind = "gd_animation"\nexperiment = "const"\n'
        'role = "solution"\nwhy = "w"\ncaption = "c"\nalt = "An animation of the descent."\n'
    )
    site = tree_bytes(mini_built / "site")
    said = one_line_error(run_cli(mini_built, "site", "--edition", edition, cache=None, env=EPOCH))
    assert said == (
        "error: content/mini/params.toml: [figures.spare] is placed on no page of mini; "
        'place it with {{ figure("spare") }} or remove it'
    ), said
    assert tree_bytes(mini_built / "site") == site


@pytest.mark.parametrize("edition", ["scheduled", "student"])
def test_a_file_only_an_unpublished_solution_links_is_not_published_by_anothers_link(mini_built, edition):
    """Week 2's solution links its worked table; week 2's solutions are not out. Week 1
    (released) linking that table would publish it: the build stops, naming the link,
    until week 2's question text links it too (then it is question material)."""
    content = mini_built / "content"
    second = content / "week02"
    second.mkdir()
    (second / "params.toml").write_text((content / "mini" / "params.toml").read_text())
    (second / "worked.csv").write_text("step,theta\n1,0.5\n")
    week2 = (
        MINI_PAGE.replace("number: 1", "number: 2")
        .replace('title: "Mini"', 'title: "Week 2"')
        .replace("solutions: now", "solutions: 2099-01-01T00:00Z")
        .replace("The mean of the data.", "The mean of the data ([worked](worked.csv)).")
    )
    (second / "index.md").write_text(week2)
    built = run_cli(mini_built, "site", "--edition", edition, cache=None, env=EPOCH)
    assert built.returncode == 0, built.stderr
    assert not (mini_built / "site" / "week02" / "worked.csv").exists()
    (content / "mini" / "index.md").write_text(
        MINI_PAGE.replace("# Mini worksheet\n", "# Mini worksheet\n\nSee [next week's table](../week02/worked.csv).\n")
    )
    site = tree_bytes(mini_built / "site")
    said = one_line_error(run_cli(mini_built, "site", "--edition", edition, cache=None, env=EPOCH))
    assert said == (
        "error: content/mini/index.md: links to ../week02/worked.csv, which week02 links only from its "
        "solutions, not published in this build; link it from week02's question text, or once its solutions are out"
    ), said
    assert tree_bytes(mini_built / "site") == site
    (second / "index.md").write_text(week2.replace("# Mini worksheet\n", "# Week 2\n\n[The table](worked.csv)\n"))
    built = run_cli(mini_built, "site", "--edition", edition, cache=None, env=EPOCH)
    assert built.returncode == 0, built.stderr
    assert (mini_built / "site" / "week02" / "worked.csv").is_file()


@pytest.mark.parametrize("edition", ["solutions", "student"])
def test_a_rebuild_after_an_edit_holds_exactly_what_a_build_from_nothing_holds(tmp_path, edition):
    """What an edit stops the build from making (a linked file no longer linked, a
    question figure turned solution material) leaves the docs folder and the site, as
    if the build had never made it: both hold exactly a fresh build's files."""
    from conftest import make_mini_checkout

    def build(root):
        result = run_cli(root, "site", "--edition", edition, cache=None, env=EPOCH)
        assert result.returncode == 0, result.stderr
        return tree_bytes(root / ".cache" / "docs" / edition), tree_bytes(root / "site")

    def edit(root, before: bool):
        content = root / "content" / "mini"
        (content / "notes.csv").write_text("x,y\n1,2\n")
        page = (
            MINI_PAGE.replace("# Mini worksheet\n", "# Mini worksheet\n\n[Notes](notes.csv)\n") if before else MINI_PAGE
        )
        (content / "index.md").write_text(page)
        params = content / "params.toml"
        role = 'role = "question"' if before else 'role = "solution"'
        params.write_text(params.read_text().replace('role = "question"', role, 1))

    edited = make_mini_checkout(tmp_path / "edited")
    edit(edited, before=True)
    docs_before, site_before = build(edited)
    assert "mini/notes.csv" in docs_before and "mini/notes.csv" in site_before
    edit(edited, before=False)
    docs, site = build(edited)
    fresh = make_mini_checkout(tmp_path / "fresh")
    edit(fresh, before=False)
    assert (sorted(docs), sorted(site)) == tuple(sorted(t) for t in build(fresh))
    assert "mini/notes.csv" not in site


def test_a_link_to_a_hidden_file_publishes_nothing_and_names_the_page(mini_built):
    """Hidden files and folders (``.notes/``, an editor's ``.swp``) are staff's own: a
    link to one is refused as a link to nothing, and the file is never published."""
    content = mini_built / "content" / "mini"
    (content / ".notes").mkdir()
    (content / ".notes" / "plan.txt").write_text("staff only\n")
    (content / "index.md").write_text(
        MINI_PAGE.replace("# Mini worksheet\n", "# Mini worksheet\n\n[Plan](.notes/plan.txt)\n")
    )
    site = tree_bytes(mini_built / "site")
    said = one_line_error(run_cli(mini_built, "site", cache=None, env=EPOCH))
    assert said.startswith("error: content/mini/index.md: links to .notes/plan.txt"), said
    assert tree_bytes(mini_built / "site") == site
    assert not any(".notes" in rel for rel in tree_bytes(mini_built / ".cache" / "docs"))
