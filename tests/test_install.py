"""coursegen as a course installs it: a wheel of this repository, installed (not editable)
into a virtual environment outside it, finds the course it is run in, writes a new
course with ``coursegen init`` that ``coursegen site`` builds at once, and builds this
course's Discussion 1 to the bytes ``manifest.json`` records. The wheel holds the
generator (partials, CSS, JS, KaTeX) and none of Discussion 1's code."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import CACHE, REPO, make_checkout, shared_folder


def run(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CI")}
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600, env={**environ, **(env or {})}
    )


def make_installed(folder: Path) -> None:
    """``folder/coursegen-*.whl`` built from this repository, and ``folder/venv`` with it
    installed as a plain package; the venv borrows the other libraries from this one's
    site-packages through a path file, which runs none of their path files (so this
    checkout's editable install is not seen)."""
    folder.mkdir(parents=True)
    built = run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", folder, REPO, cwd=folder
    )
    assert built.returncode == 0, built.stderr
    venv = folder / "venv"
    made = run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=folder)
    assert made.returncode == 0, made.stderr
    (wheel,) = folder.glob("coursegen-*.whl")
    python = venv / "bin" / "python"
    installed = run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "-q", wheel, cwd=folder)
    assert installed.returncode == 0, installed.stderr
    site_packages = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=folder)
    (Path(site_packages.stdout.strip()) / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")


@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> Path:
    return shared_folder(tmp_path_factory, "installed-wheel", make_installed)


def coursegen(installed: Path) -> Path:
    return installed / "venv" / "bin" / "coursegen"


def test_the_wheel_is_the_generator_and_not_the_course(installed):
    (wheel,) = installed.glob("coursegen-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "coursegen/site/templates/partials/figure.md",
        "coursegen/site/assets/js/player.js",
        "coursegen/site/assets/css/course.css",
        "coursegen/site/vendor/katex/katex.min.js",
        "coursegen/site/vendor/iframe-worker/shim.js",
        "coursegen/commands/scaffolds/course/mkdocs.yml",
        "coursegen/commands/scaffolds/course/github/workflows/pages.yml",
    ):
        assert needed in names, needed
    discussion_1 = [n for n in names if any(w in n for w in ("relu", "/gd.py", "naive", "summaries.py", "notebook.py"))]
    assert discussion_1 == []
    assert not [n for n in names if n.startswith("course/")]
    shown = run(
        installed / "venv" / "bin" / "python", "-c", "import coursegen; print(coursegen.__file__)", cwd=installed
    )
    assert shown.stdout.strip().startswith(str(installed / "venv")), shown  # not this checkout's


def test_init_writes_a_course_that_site_builds_from_inside_it(installed, tmp_path):
    course = tmp_path / "my-course"
    made = run(coursegen(installed), "init", course, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    for rel in (
        "mkdocs.yml",
        "content/index.md",
        "content/week01/index.md",
        "content/week01/params.toml",
        "course/experiments/descent.py",
        "course/figures/descent.py",
        "tests/test_descent.py",
        ".github/workflows/pages.yml",
        "requirements.txt",
        "requirements.lock",
        ".gitignore",
    ):
        assert (course / rel).is_file(), rel
    # the versions the figures' bytes were locked with, hash for hash, in every install step
    assert (course / "requirements.lock").read_bytes() == (REPO / "requirements.lock").read_bytes()
    workflow = (course / ".github/workflows/pages.yml").read_text(encoding="utf-8")
    installs = [line for line in workflow.splitlines() if "pip install" in line and not line.lstrip().startswith("#")]
    assert installs and all("--require-hashes -r requirements.lock" in line for line in installs), installs
    assert all("--no-deps -r requirements.txt" in line for line in installs), installs
    inside = course / "content" / "week01"  # found upwards, as git finds its repository
    built = run(coursegen(installed), "-q", "site", "--edition", "solutions", cwd=inside)
    assert built.returncode == 0, built.stderr
    page = (course / "site" / "week01" / "index.html").read_text(encoding="utf-8")
    assert 'id="fig-descent_anim"' in page and "mean of the data" in page and 'class="cg-player"' in page
    assert (course / "site" / "assets" / "katex" / "katex.min.js").is_file()
    gif = course / "site" / "week01" / "figures" / "descent_anim.gif"
    assert gif.read_bytes()[:6] == b"GIF89a"
    tested = run(installed / "venv" / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=course)
    assert tested.returncode == 0 and "4 passed" in tested.stdout, tested.stdout + tested.stderr
    again = run(coursegen(installed), "init", course, cwd=tmp_path)
    assert again.returncode == 1 and again.stderr.count("\n") == 1 and "not empty" in again.stderr


def test_the_installed_wheel_builds_this_course_to_the_manifests_bytes(installed, tmp_path):
    """Run inside a copy of this repository's course (its own code folder, not a link),
    the installed generator writes every figure, result and notebook that
    ``manifest.json`` lists with the bytes it records."""
    course = make_checkout(tmp_path / "clone", link_code=False)
    shutil.copy2(REPO / "manifest.json", course)
    cache = tmp_path / "cache"
    shutil.copytree(CACHE / "results", cache / "results")  # trained already: the figures are drawn anew
    built = run(
        coursegen(installed), "-q", "--cache", cache, "site", "--edition", "solutions", "--jobs", "2", cwd=course
    )
    assert built.returncode == 0, built.stderr
    manifest = json.loads((REPO / "manifest.json").read_text())["files"]
    figures = {k: v for k, v in manifest.items() if k.startswith("figures/")}
    assert figures
    for rel, entry in figures.items():
        _, sheet, name = rel.split("/")
        path = course / "site" / sheet / "figures" / name
        if path.is_file():  # student renderings are not in the solutions edition
            assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], rel
    notebook = course / "site" / "dis01" / "dis01.ipynb"
    assert (
        hashlib.sha256(notebook.read_bytes()).hexdigest() == manifest["notebooks/dis01/solutions/dis01.ipynb"]["sha256"]
    )


def test_outside_any_course_it_says_so_in_one_line(installed, tmp_path):
    result = run(coursegen(installed), "site", cwd=tmp_path)
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert f"error: {tmp_path}: no course here or in any folder above it" in result.stderr
    assert "coursegen init" in result.stderr and "Traceback" not in result.stderr
