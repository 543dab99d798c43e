"""A course of many worksheets: discovered from their front matter, listed in the nav and
on the home page in their order, each releasing its solutions at its own time at the
build's clock (``--as-of``), and ``--sheet`` touching one worksheet only."""

import datetime as dt
import json
import re
import shutil

import pytest

from coursegen.errors import BuildError
from coursegen.stages import editions, frontmatter
from coursegen.stages.parameters import load_sheet

from conftest import MINI_PAGE, REPO, make_mini_checkout, run_cli, tree_bytes

pytest_plugins = ["browser_fixtures"]

EARLY = "2022-09-02T17:00-07:00"  # = 2022-09-03T00:00Z
LATE = "2022-09-09T17:00-07:00"  # = 2022-09-10T00:00Z
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


def _sheet(root, folder: str, number: int, title: str, solutions: str, answer: str) -> None:
    page = MINI_PAGE.replace('number: 1\ntitle: "Mini"', f'number: {number}\ntitle: "{title}"')
    page = page.replace("solutions: now", f"solutions: {solutions}").replace("The mean of the data.", answer)
    page = page.replace("# Mini worksheet\n", "# Mini worksheet\n\n{{ solutions_status() }}\n")
    if folder != "mini":
        shutil.copytree(root / "content" / "mini", root / "content" / folder)
    (root / "content" / folder / "index.md").write_text(page, encoding="utf-8")


@pytest.fixture
def course(tmp_path):
    """Two worksheets: "First" (number 1, released early) and "Second" (number 2, released
    late), the second in a folder whose name sorts first."""
    root = make_mini_checkout(tmp_path / "course")
    _sheet(root, "mini", 1, "First", EARLY, "Answer one, the mean of the data.")
    _sheet(root, "a_second", 2, "Second", LATE, "Answer two, the median of the data.")
    return root


def _site_text(root) -> str:
    return "\n".join(data.decode("utf-8", "replace") for data in tree_bytes(root / "site").values())


def _read(html: str) -> str:
    """A page's text as it reads, without its tags."""
    return re.sub(r"<[^>]+>", "", html)


def test_each_worksheet_publishes_its_solutions_once_its_release_has_passed(course):
    between = run_cli(course, "site", "--as-of", "2022-09-05T12:00Z", env=EPOCH)
    assert between.returncode == 0, between.stderr
    text = _site_text(course)
    assert "Answer one" in text and "Answer two" not in text  # every file of site/, search index too
    assert "Answer two" not in "".join(p.read_text() for p in (course / "site" / "a_second").rglob("*.html"))
    home = _read((course / "site" / "index.html").read_text(encoding="utf-8"))
    assert "Solutions from Fri 9 Sep 2022, 17:00 (UTC-07:00)." in home
    assert "Solutions included." in home
    # each worksheet's page says the same of itself, where its staff put solutions_status()
    first, second = (
        _read((course / "site" / f / "index.html").read_text(encoding="utf-8")) for f in ("mini", "a_second")
    )
    assert "Solutions included." in first and "Solutions from" not in first
    assert "Solutions from Fri 9 Sep 2022, 17:00 (UTC-07:00)." in second and "Solutions included." not in second

    after = run_cli(course, "site", "--as-of", "2022-09-10T00:00Z", env=EPOCH)  # the second's release, in UTC
    assert after.returncode == 0, after.stderr
    text = _site_text(course)
    assert "Answer one" in text and "Answer two" in text


SECOND_DUE = "Fri 9 Sep 2022, 17:00 (UTC-07:00)"  # LATE, as the pages write it
OUT_SINCE = f"Solutions released {SECOND_DUE}; they appear here when the site is next published: reload in a while."


@pytest.mark.browser
def test_a_page_read_after_a_release_its_build_had_not_reached_says_the_solutions_are_out(course, chromium):
    """The site is published again on a schedule (hourly): until then, a copy built
    before a release is read after it. It says the solutions are out and come with the
    next publication, not "from" a time that has passed; read before, it says "from"."""
    assert run_cli(course, "site", "--as-of", "2022-09-05T12:00Z", env=EPOCH).returncode == 0
    read_at = dt.datetime.now(dt.UTC)
    assert read_at > dt.datetime.fromisoformat(LATE)  # this machine reads it after the release
    for rel in ("index.html", "a_second/index.html"):
        with chromium.page() as page:
            page.goto((course / "site" / rel).as_uri(), wait_until="load")
            assert page.locator("[data-solutions-from]").inner_text() == OUT_SINCE, rel
            assert "Solutions released" not in page.locator("body").inner_text().replace(OUT_SINCE, ""), rel
            assert page.errors == [], page.errors
        context = chromium.browser.new_context()  # a clock of its own: no other check's tab
        try:
            before = context.new_page()
            before.clock.install(time=dt.datetime.fromisoformat("2022-09-09T16:59:00-07:00"))
            before.goto((course / "site" / rel).as_uri(), wait_until="load")
            assert before.locator("[data-solutions-from]").inner_text() == f"Solutions from {SECOND_DUE}.", rel
            before.clock.run_for(50_000)  # still a few seconds before
            assert before.locator("[data-solutions-from]").inner_text() == f"Solutions from {SECOND_DUE}.", rel
            before.clock.run_for(15_000)  # the page left open past the moment says so then
            assert before.locator("[data-solutions-from]").inner_text() == OUT_SINCE, rel
        finally:
            context.close()


def test_the_edition_overrides_every_release(course):
    assert run_cli(course, "site", "--edition", "student", "--as-of", "2030-01-01T00:00Z", env=EPOCH).returncode == 0
    text = _site_text(course)
    assert "Answer one" not in text and "Answer two" not in text
    page = (course / "site" / "mini" / "index.html").read_text(encoding="utf-8")  # released by 2030: not "not released"
    assert "No solutions in this edition." in page and "not released" not in page
    assert run_cli(course, "site", "--edition", "solutions", "--as-of", "2000-01-01T00:00Z", env=EPOCH).returncode == 0
    text = _site_text(course)
    assert "Answer one" in text and "Answer two" in text


@pytest.mark.parametrize(
    "clock, out",
    [
        ("2022-09-09T23:59:59Z", False),  # a second before, in UTC
        ("2022-09-10T00:00:00Z", True),
        ("2022-09-10T01:59:59+02:00", False),  # the same moments, in Berlin's summer time
        ("2022-09-10T02:00:00+02:00", True),
        ("2022-09-09T16:59-07:00", False),  # and in the release's own zone
        (f"@{int(dt.datetime(2022, 9, 10, tzinfo=dt.UTC).timestamp())}", True),
    ],
)
def test_a_release_is_a_moment_whatever_the_zone_it_is_written_in(course, clock, out):
    sheet = load_sheet(course / "content" / "a_second", course)
    shown = editions.publication("scheduled", clock, course)
    assert shown.of(sheet) == ("solutions" if out else "student")


def test_the_default_clock_is_the_builds_source_date_epoch(course, monkeypatch):
    sheet = load_sheet(course / "content" / "a_second", course)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2022, 9, 10, tzinfo=dt.UTC).timestamp()) - 1))
    assert editions.publication("scheduled", None, course).of(sheet) == "student"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2022, 9, 10, tzinfo=dt.UTC).timestamp())))
    assert editions.publication("scheduled", None, course).of(sheet) == "solutions"
    for wrong in (
        "abc",
        "99999999999999",
        str(2**32),
    ):  # 2**32: past what the sitemap's gzip header holds  # named as what it is, --as-of given or not (MkDocs reads it too)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", wrong)
        for as_of in (None, "now"):
            with pytest.raises(BuildError, match=rf"^SOURCE_DATE_EPOCH={wrong}: expected whole seconds since 1970"):
                editions.publication("scheduled", as_of, course)


def test_the_nav_and_the_home_page_list_every_worksheet_in_its_order(course):
    result = run_cli(course, "site", "--as-of", "2022-09-05T12:00Z", env=EPOCH)
    assert result.returncode == 0, result.stderr
    home = (course / "site" / "index.html").read_text(encoding="utf-8")
    nav = re.findall(r'class="md-nav__link[^"]*"[^>]*>\s*<span class="md-ellipsis">\s*([^<]+?)\s*<', home)
    assert nav[:5] == ["Home", "First", "Worksheet", "Second", "Worksheet"]  # by number, not by folder name
    listed = re.findall(r'<a href="([^"]+)">(First|Second)</a></strong> \(([^)]+)\)', home)
    assert listed == [
        ("mini/index.html", "First", "Fri 9 Sep 2022"),
        ("a_second/index.html", "Second", "Fri 9 Sep 2022"),
    ]
    assert (course / "site" / "a_second" / "index.html").is_file()
    found = {
        d["location"].split("#")[0] for d in json.loads((course / "site/search/search_index.json").read_text())["docs"]
    }
    assert {"mini/index.html", "a_second/index.html"} <= found  # and in search


@pytest.mark.parametrize(
    "change, message",
    [
        (
            ("solutions: now", "solutions: soon"),
            "content/mini/index.md: front matter solutions: 'soon' is not now, never",
        ),
        (("solutions: now", "solutions: 2022-09-09T17:00"), "has no time zone"),
        (("number: 1\n", ""), "content/mini/index.md: front matter is missing 'number'"),
        (
            ("solutions: now\n---\n", "solutions: now\n\n"),
            "content/mini/index.md: front matter is never closed: end it with a line ---",
        ),
        (("date: 2022-09-09", "date: 9/9/22"), "front matter date: '9/9/22' is not a date like 2022-09-09"),
        (("summary:", "sumary:"), "front matter field 'sumary' is unknown"),
        (("---\nnumber", "---\npages: [extra.md]\nnumber"), "front matter pages: extra.md does not exist in mini/"),
        (
            ('title: "Mini"', 'title: "Mini <!-- draft -->"'),
            "content/mini/index.md: front matter title: an HTML comment would be published (in the nav",
        ),
        (
            ('summary: "One', 'summary: "{# draft #} One'),
            "content/mini/index.md: front matter summary: {# would be published as typed (on the home page)",
        ),
        (
            ("summary:", "summary: once\nsummary:"),
            "content/mini/index.md, line 6: front matter is not valid YAML: 'summary' is given twice",
        ),
    ],
)
def test_front_matter_mistakes_are_one_line_naming_the_file_and_field(tmp_path, change, message):
    root = make_mini_checkout(tmp_path / "course")
    page = root / "content" / "mini" / "index.md"
    page.write_text(page.read_text().replace(*change, 1))
    result = run_cli(root, "site", env=EPOCH)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr, result.stderr


def test_a_page_not_in_the_front_matter_and_a_shared_number_are_refused(course):
    (course / "content" / "mini" / "extra.md").write_text("# Extra\n")
    result = run_cli(course, "site", env=EPOCH)
    assert result.returncode == 1
    assert "content/mini/index.md: extra.md is a page of mini/ but not in the front matter's pages" in result.stderr
    (course / "content" / "mini" / "extra.md").unlink()
    second = course / "content" / "a_second" / "index.md"
    second.write_text(second.read_text().replace("number: 2", "number: 1"))
    result = run_cli(course, "site", env=EPOCH)
    assert result.returncode == 1
    assert "front matter number 1 is also content/" in result.stderr


def test_check_and_lock_figures_of_one_worksheet_touch_only_its_files(course):
    assert run_cli(course, "lock-figures", env=EPOCH).returncode == 0
    locked = json.loads((course / "manifest.json").read_text())["files"]
    assert {p.split("/")[1] for p in locked} == {"mini", "a_second"}
    params = course / "content" / "a_second" / "params.toml"
    params.write_text(params.read_text().replace("steps = 12", "steps = 13"))  # the second's bytes change

    one = run_cli(course, "check", "--sheet", "mini", env=EPOCH, quiet=False)
    assert one.returncode == 0, one.stderr
    assert "parameters: 1 worksheet(s), 1 experiments" in one.stdout
    assert "generated files of mini match" in one.stdout
    assert run_cli(course, "check", env=EPOCH).returncode == 1  # the whole course: the second differs

    assert run_cli(course, "lock-figures", "--sheet", "a_second", env=EPOCH).returncode == 0
    relocked = json.loads((course / "manifest.json").read_text())["files"]
    assert {p: e for p, e in relocked.items() if "/mini/" in p} == {p: e for p, e in locked.items() if "/mini/" in p}
    assert relocked != locked
    assert run_cli(course, "check", env=EPOCH).returncode == 0


def test_site_of_one_worksheet_and_an_unknown_one(course):
    result = run_cli(course, "site", "--sheet", "a_second", env=EPOCH, quiet=False)
    assert result.returncode == 0, result.stderr
    assert "parameters: 1 worksheet(s)" in result.stdout and "holds a_second only" in result.stdout
    assert not (course / "site" / "mini").exists()
    wrong = run_cli(course, "site", "--sheet", "nope", env=EPOCH)
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == "error: --sheet nope: no worksheet content/nope/index.md; worksheets: a_second, mini"


def test_a_result_typo_lists_the_results_that_exist(tmp_path):
    root = make_mini_checkout(tmp_path / "course")
    page = root / "content" / "mini" / "index.md"
    page.write_text(page.read_text().replace("results.const.theta_star", "results.const.theta_stra"))
    result = run_cli(root, "site", env=EPOCH)
    assert result.returncode == 1
    assert "content/mini/index.md, line" in result.stderr
    assert "results.const.theta_stra: no result 'theta_stra'; the results are: " in result.stderr
    assert "theta_star" in result.stderr
    page.write_text(page.read_text().replace("results.const.theta_stra", "results.konst.theta_star"))
    result = run_cli(root, "site", env=EPOCH)
    assert "results.konst: mini has no experiment or summary 'konst'; it has: const" in result.stderr


def test_a_fence_with_trailing_spaces_still_opens_the_front_matter(tmp_path):
    root = make_mini_checkout(tmp_path / "course")
    page = root / "content" / "mini" / "index.md"
    page.write_text(page.read_text().replace("---\n", "--- \n"))
    assert load_sheet(root / "content" / "mini", root).meta.title == "Mini"


def test_the_clock_is_refused_in_one_line_naming_what_it_accepts(course):
    result = run_cli(course, "site", "--as-of", "never", env=EPOCH)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: --as-of: 'never' is not now, @<unix seconds> or a time like 2022-09-09T17:00-07:00"
    )


def test_release_values():
    assert frontmatter.release("now", "x").out_at(dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    assert not frontmatter.release("never", "x").out_at(dt.datetime(9999, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(BuildError, match="no time zone"):
        frontmatter.release("2022-09-09T17:00", "content/x/index.md: front matter solutions")


def test_one_figure_is_drawn_again_without_the_rest_of_the_course(course):
    assert run_cli(course, "site", env=EPOCH).returncode == 0
    drawn = run_cli(course, "figure", "a_second/anim", env=EPOCH, quiet=False)
    assert drawn.returncode == 0, drawn.stderr
    assert "experiments: 0 run, 1 cached" in drawn.stdout  # its own experiment only, from the cache
    shown = [line.removeprefix("figure: ") for line in drawn.stdout.splitlines() if line.startswith("figure: ")]
    assert "anim.gif" in {p.rsplit("/", 1)[1] for p in shown}
    for rel in shown:
        assert (course / rel).read_bytes() == (
            course / "site" / "a_second" / "figures" / rel.rsplit("/", 1)[1]
        ).read_bytes()
    wrong = run_cli(course, "figure", "a_second/nope", env=EPOCH)
    assert wrong.returncode == 1 and "a_second has no figure 'nope'; its figures: anim" in wrong.stderr


def test_a_page_that_opens_with_a_rule_has_no_front_matter():
    """An extra page may open with a Markdown rule (``---``, then text): no front matter,
    not one never closed; a front matter's first key without its closing line is."""
    from coursegen.errors import BuildError
    from coursegen.stages.frontmatter import front_matter

    assert front_matter("---\n\nSome text.\n", "content/mini/extra.md") == {}
    assert front_matter("---\n---\n# Title\n", "content/mini/extra.md") == {}
    with pytest.raises(BuildError, match="front matter is never closed"):
        front_matter("---\ntitle: Extra\n\n# Extra\n", "content/mini/extra.md")


def test_a_script_coursegen_ships_that_mkdocs_yml_leaves_out_is_named(tmp_path):
    """The engine loads only the scripts mkdocs.yml lists: a course made by an earlier
    `coursegen init` hears which one it lacks; the one init writes today lacks none."""
    from coursegen.site import engines

    scaffold = REPO / "build" / "coursegen" / "commands" / "scaffolds" / "course" / "mkdocs.yml"
    made = tmp_path / "mkdocs.yml"  # as init fills it in
    made.write_text(scaffold.read_text().replace("@TITLE_YAML@", '"A course"'))
    assert engines.unlisted_scripts(made) == [] and engines.unlisted_scripts(REPO / "mkdocs.yml") == []
    root = make_mini_checkout(tmp_path / "course")
    config = root / "mkdocs.yml"
    assert "  - assets/js/release.js\n" in config.read_text()
    config.write_text(config.read_text().replace("  - assets/js/release.js\n", ""))
    built = run_cli(root, "site", env=EPOCH)
    assert built.returncode == 0, built.stderr
    assert built.stderr == (
        "warning: mkdocs.yml: extra_javascript does not list assets/js/release.js, which coursegen ships "
        "(added since this course was made?); add it, as `coursegen init` writes it\n"
    )
