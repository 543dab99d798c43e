"""The checkout stands alone and CI runs what a developer runs: nothing reads outside the
repository, the workflow calls .ci/run on every supported Python with pinned actions, the
package installs with its console script, and make finds a Python that can run it."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"


def tracked_text_files() -> dict[str, str]:
    names = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    files = {}
    for name in names.decode().split("\0"):
        path = REPO / name
        if name and path.is_file() and not path.is_symlink():
            try:
                files[name] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # binary: images
    return files


def test_nothing_in_the_repository_reads_a_path_outside_it():
    escapes = []
    for name, text in tracked_text_files().items():
        if name in ("requirements.lock", "tests/test_repository.py"):  # hashes; the patterns below
            continue
        for n, line in enumerate(text.splitlines(), 1):
            depth = len(Path(name).parts) - 1  # folders between the repository and the file
            up = [int(k) for k in re.findall(r"\.parents\[(\d+)\]", line)]
            if re.search(r"\.\./shared|/work/|\.\./\.\.", line) or any(k > depth for k in up if "__file__" in line):
                escapes.append(f"{name}:{n}: {line.strip()}")
    assert not escapes


def test_the_seed_the_tests_compare_against_is_in_the_repository():
    from seed import SEED

    assert SEED.is_relative_to(REPO) and SEED.is_file()
    assert "tests/data/dis01-worksheet.txt" in tracked_text_files()


def supported_pythons() -> list[str]:
    classifiers = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["classifiers"]
    return sorted(m[1] for c in classifiers if (m := re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", c)))


def test_the_workflow_runs_ci_run_on_every_supported_python():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    runs = {name: [s.get("run", "") for s in job["steps"]] for name, job in workflow["jobs"].items()}
    (ci,) = [name for name, steps in runs.items() if any(r.strip() == ".ci/run" for r in steps)]
    assert (
        sorted(workflow["jobs"][ci]["strategy"]["matrix"]["python"]) == supported_pythons() == ["3.11", "3.12", "3.13"]
    )
    assert "${{ matrix.python }}" in workflow["jobs"][ci]["container"]
    assert not any("make test" in r or "make check" in r for steps in runs.values() for r in steps)  # only via .ci/run
    readme = (REPO / "README.md").read_text()
    assert "Python 3.11, 3.12 or 3.13" in readme


def test_every_action_is_pinned_to_a_commit_with_its_release_in_a_comment():
    uses = re.findall(r"^\s*(?:-\s*)?uses:\s*(\S+)(.*)$", WORKFLOW.read_text(), re.M)
    assert uses
    loose = [
        u + rest
        for u, rest in uses
        if not (re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) and re.fullmatch(r"\s+#\s*v\d+\.\d+\.\d+\s*", rest))
    ]
    assert not loose


def test_ci_run_lints_tests_and_checks():
    script = (REPO / ".ci" / "run").read_text()
    for step in ("make lint", "make test", "make check", ".ci/env-matrix", ".ci/wheel-check"):
        assert re.search(rf"^{re.escape(step)}\b", script, re.M), step


def test_the_console_script_runs_without_pythonpath(tmp_path):
    script = Path(sys.executable).parent / "coursegen"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([str(script), "--help"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0 and "usage: coursegen" in result.stdout


def test_make_lock_uses_a_resolver_that_the_lock_installs():
    plan = subprocess.run(
        ["make", "-n", "-W", "requirements-dev.lock", "lock"], cwd=REPO, capture_output=True, text=True
    )
    commands = [line for line in plan.stdout.splitlines() if " pip compile " in line]
    assert commands, plan.stdout
    tool = commands[0].split()[0]
    assert tool.startswith(".venv/bin/") and (REPO / tool).is_file()
    pins = {
        re.match(r"([a-z0-9-]+)==", line)[1]
        for line in (REPO / "requirements-dev.lock").read_text().splitlines()
        if re.match(r"[a-z0-9-]+==", line)
    }
    assert Path(tool).name in pins


def fake_python(folder: Path, version: str) -> Path:
    """A `python3` that says it is ``version`` (and fails the 3.11 check if it is older)."""
    major, minor = map(int, version.split("."))
    folder.mkdir()
    path = folder / "python3"
    path.write_text(f'#!/bin/sh\ncase "$2" in *exit*) exit {int((major, minor) < (3, 11))};; esac\necho {version}\n')
    path.chmod(0o755)
    return path


@pytest.mark.parametrize("version, ok", [("3.9", False), ("3.11", True)])
def test_make_chooses_a_supported_python_or_says_what_to_do(tmp_path, version, ok):
    fake_python(tmp_path / "bin", version)
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:/bin:/usr/bin:/nonexistent"}
    # only the fake python3 and, maybe, Debian's own python3.11 under /usr/bin
    result = subprocess.run([str(REPO / ".ci" / "find-python")], env=env, capture_output=True, text=True)
    if ok:
        assert result.returncode == 0 and result.stdout.strip() == str(tmp_path / "bin" / "python3")
    elif result.returncode == 0:  # a real 3.11+ elsewhere on PATH was chosen instead
        assert result.stdout.strip() != str(tmp_path / "bin" / "python3")
    else:
        assert result.stderr.strip().splitlines() == [
            "error: python3 is 3.9; coursegen needs Python 3.11, 3.12 or 3.13: install one and run make "
            "PYTHON=/path/to/python3.11"
        ]


def test_an_explicitly_chosen_old_python_is_refused_in_one_line(tmp_path):
    old = fake_python(tmp_path / "bin", "3.9")
    result = subprocess.run([str(REPO / ".ci" / "find-python"), str(old)], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: PYTHON={old} is 3.9; coursegen needs Python 3.11, 3.12 or 3.13"


# ------------------------------------------------------------ what a course installs, runs

WORKFLOWS = [WORKFLOW, REPO / "build/coursegen/commands/scaffolds/course/github/workflows/pages.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=["this repository", "coursegen init"])
def test_each_job_has_the_permissions_its_steps_use(path):
    """GitHub's token has only what a job asks for: reading the Pages settings
    (configure-pages) needs pages: read, deploying (deploy-pages) pages: write and
    id-token: write; nothing is granted to the whole workflow."""
    workflow = yaml.safe_load(path.read_text())
    assert workflow["permissions"] == {}
    needs = {
        "actions/checkout": {"contents": "read"},
        "actions/configure-pages": {"pages": "read"},
        "actions/deploy-pages": {"pages": "write", "id-token": "write"},
    }
    level = {"none": 0, "read": 1, "write": 2}
    for name, job in workflow["jobs"].items():
        granted = job.get("permissions", {})
        for step in job["steps"]:
            action = step.get("uses", "").split("@")[0]
            for scope, wanted in needs.get(action, {}).items():
                assert level[granted.get(scope, "none")] >= level[wanted], (name, action, scope)


@pytest.mark.parametrize("path", WORKFLOWS, ids=["this repository", "coursegen init"])
def test_the_private_sources_layout_publishes_to_another_repository(path):
    """With PAGES_REPOSITORY set, site/ (never the sources) is pushed to that repository
    with the deploy key, and this repository's own Pages steps are skipped."""
    workflow = yaml.safe_load(path.read_text())
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    (push,) = [s for s in steps if "git push" in s.get("run", "")]
    assert "vars.PAGES_REPOSITORY != ''" in push["if"] and "secrets.PAGES_DEPLOY_KEY" in push["env"]["DEPLOY_KEY"]
    assert "cd site" in push["run"] and "gh-pages" in push["run"]
    own = [s for s in steps if s.get("uses", "").startswith(("actions/configure-pages", "actions/upload-pages"))]
    assert own and all("vars.PAGES_REPOSITORY == ''" in s["if"] for s in own)
    assert "vars.PAGES_REPOSITORY == ''" in workflow["jobs"]["deploy"]["if"]
    # the footer's repository link is the public one (students cannot open the private)
    links = [s["env"]["REPO_URL"] for s in steps if "REPO_URL" in s.get("env", {})]
    assert links and all("vars.PAGES_REPOSITORY || github.repository" in link for link in links), links


@pytest.mark.parametrize("path", WORKFLOWS, ids=["this repository", "coursegen init"])
def test_the_published_edition_can_be_overridden_and_the_handouts_are_published(path):
    """As docs/deploying.md says of both: a manual run's edition, else the repository
    variable EDITION, else each worksheet's release time, for the site and its handouts,
    printed by the Chromium the job installs."""
    workflow = yaml.safe_load(path.read_text())
    dispatch = workflow[True]["workflow_dispatch"]["inputs"]["edition"]  # YAML 1.1 reads `on` as true
    # a manual run left at "default" follows the variable (one set to hold solutions back)
    assert dispatch["options"] == ["default", "scheduled", "student", "solutions"] and dispatch["default"] == "default"
    (build,) = [job for job in workflow["jobs"].values() if any("site" in s.get("run", "") for s in job["steps"])]
    expression = "(inputs.edition != 'default' && inputs.edition) || vars.EDITION || 'scheduled'"
    assert build["env"]["EDITION"] == "${{ " + expression + " }}"
    runs = "\n".join(s.get("run", "") for s in build["steps"])
    assert "chromium" in runs
    assert re.search(r"(coursegen handout|make handout) [^\n]*EDITION[^\n]*", runs), runs
    assert "--as-of now" in runs or build["env"].get("AS_OF") == "now", runs
    assert "site/handouts" in runs


def test_actionlint_passes_on_every_workflow():
    found = Path(sys.executable).with_name("actionlint")
    if not found.is_file():
        pytest.skip("actionlint is not installed (requirements-dev.lock, Linux x86-64)")
    result = subprocess.run([str(found), *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^\s*\$\(VENV\)/bin/actionlint .*workflows", (REPO / "Makefile").read_text(), re.M)


def pins(lock: str) -> dict[str, str]:
    text = (REPO / lock).read_text()
    return dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+)", text, re.M))


def test_make_site_installs_the_sites_dependencies_only():
    """The site's lock is the build's part of the full one, at the same versions; `make
    site` on a fresh machine installs it and nothing of the tests' but pytest, which a
    course made by `coursegen init` runs its own tests with, and what `coursegen handout`
    prints with (no npm either)."""
    site, everything = pins("requirements.lock"), pins("requirements-dev.lock")
    assert site and all(everything.get(name) == version for name, version in site.items())
    for tool in ("distributed", "ipykernel", "ruff", "pytest-xdist", "nbclient", "pypdfium2"):
        assert tool in everything and tool not in site, tool
    needs = ("numpy", "matplotlib", "mkdocs", "mkdocs-material", "jinja2", "imageio", "hatchling", "pytest")
    for needed in (*needs, "playwright"):
        assert needed in site, needed
    plan = subprocess.run(["make", "-n", "-B", "site"], cwd=REPO, capture_output=True, text=True).stdout
    assert "requirements.lock" in plan and "requirements-dev.lock" not in plan and "npm" not in plan
    plan = subprocess.run(["make", "-n", "-B", "test"], cwd=REPO, capture_output=True, text=True).stdout
    assert "requirements-dev.lock" in plan and "npm ci" in plan


def test_the_vendored_katex_and_shim_are_the_pinned_npm_packages():
    """The generator ships KaTeX and the iframe-worker shim (an installed coursegen needs
    no npm): byte for byte the files of the versions package-lock.json pins."""
    node = REPO / "node_modules"
    if not (node / ".installed").is_file():
        pytest.skip("node_modules is not installed (make test installs it)")
    vendor = REPO / "build/coursegen/site/vendor"
    pairs = [(vendor / "iframe-worker/shim.js", node / "iframe-worker/shim/index.js")]
    pairs += [(p, node / "katex/dist" / p.relative_to(vendor / "katex")) for p in (vendor / "katex").rglob("*.*")]
    pairs = [(ours, theirs) for ours, theirs in pairs if ours.name != "LICENSE"]
    assert len(pairs) > 20
    for ours, theirs in pairs:
        assert ours.read_bytes() == theirs.read_bytes(), ours


def test_building_the_wheel_leaves_nothing_in_the_package_folder(tmp_path):
    """build/ is the package's folder: the build backend writes nothing into it
    (setuptools left build/lib/ and build/coursegen.egg-info/ there)."""
    before = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "build"], cwd=REPO, capture_output=True, text=True
    )
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    after = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "build"], cwd=REPO, capture_output=True, text=True
    )
    assert after.stdout == before.stdout
    assert not (REPO / "build" / "lib").exists() and not list((REPO / "build").glob("*.egg-info"))


def test_the_readme_is_a_front_door_and_the_manual_is_in_docs():
    """At most 10 KB: what it is, a screenshot, the two commands, a course of your own;
    every page it or the manual links exists."""
    readme = (REPO / "README.md").read_text()
    assert len(readme.encode()) <= 10_000
    for needed in ("make site", "make test", "coursegen init", "--require-hashes -r", "docs/README.md", ".png)"):
        assert needed in readme, needed
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    assert len(pages) >= 6
    for page in pages:
        for target in re.findall(r"\]\(((?!https?:|#)[^)\s]+\.(?:md|png))\)", page.read_text()):
            assert (page.parent / target).is_file(), (page.name, target)
