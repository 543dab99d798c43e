"""``check`` rebuilds from an empty cache and explains every file that differs from the
manifest; ``lock-figures`` writes the manifest; two site builds are byte-identical."""

import json
import shutil
from pathlib import Path

import pytest

from coursegen.stages import cache

from conftest import make_checkout, make_mini_checkout, run_cli, tree_bytes


def set_option(root, text):
    params = root / "content/mini/params.toml"
    params.write_text(params.read_text().replace('experiment = "const"', f'experiment = "const"\n{text}'))


pytestmark = pytest.mark.slow  # every check and lock-figures rebuilds from an empty cache


@pytest.fixture(scope="module")
def locked_once(tmp_path_factory):
    """A mini course after `lock-figures` and a `site` build (so that this checkout's
    cache holds the manifest's versions, as references for the report)."""
    root = make_mini_checkout(tmp_path_factory.mktemp("locked") / "mini")
    assert run_cli(root, "lock-figures", cache=None).returncode == 0
    assert run_cli(root, "site", cache=None).returncode == 0
    return root


@pytest.fixture
def locked(locked_once, tmp_path):
    return Path(shutil.copytree(locked_once, tmp_path / "mini", symlinks=True))


def test_check_passes_then_explains_the_changed_figure(locked):
    root = locked
    doc = json.loads((root / "manifest.json").read_text())
    animation = (
        "anim.gif",
        "anim-dark.gif",
        "anim.gif.js",
        "anim-dark.gif.js",
        "anim.png",
        "anim-dark.png",
        "anim.json",
    )
    notebooks = {f"notebooks/mini/{edition}/mini.ipynb" for edition in ("solutions", "student")}
    assert set(doc["files"]) == {"results/mini/const.npz", *(f"figures/mini/{name}" for name in animation), *notebooks}
    assert all(len(entry["sha256"]) == 64 for entry in doc["files"].values())
    assert doc["versions"] == cache.library_versions()  # what shaped these bytes, as the cache keys them
    assert run_cli(root, "check", cache=None).returncode == 0

    set_option(root, "frame_ms = 100")
    failed = run_cli(root, "check", cache=None)
    assert failed.returncode == 1
    assert "DIFFERS  figures/mini/anim.gif  (made by experiment mini/const)" in failed.stderr
    assert "its experiment's results are identical" in failed.stderr
    assert "anim.png" not in failed.stderr.split("report:")[0].replace("difference-anim.png", "")
    assert "const.npz" not in failed.stderr
    report = root / "check-report" / "figures" / "mini"
    assert (report / "anim.gif").is_file() and (report / "reference-anim.gif").is_file()
    assert "coursegen lock-figures" in failed.stderr
    params = root / "content/mini/params.toml"
    params.write_text(params.read_text().replace("\nframe_ms = 100", ""))
    passed = run_cli(root, "check", cache=None)
    assert passed.returncode == 0 and "removed check-report/" in passed.stdout, passed.stdout + passed.stderr
    assert not (root / "check-report").exists()  # a report that no longer holds is not left to mislead


def test_check_fails_on_a_file_the_manifest_does_not_list_or_one_the_build_no_longer_makes(locked):
    """A manifest short of an entry proves nothing of that file; one with an entry the
    build no longer makes describes another course."""
    path = locked / "manifest.json"
    doc = json.loads(path.read_text())
    unlisted = "figures/mini/anim-dark.gif"
    entry = doc["files"].pop(unlisted)
    doc["files"]["figures/mini/gone.svg"] = entry
    path.write_text(json.dumps(doc))
    failed = run_cli(locked, "check", cache=None)
    assert failed.returncode == 1
    assert f"NEW      {unlisted}" in failed.stderr, failed.stderr
    assert "MISSING  figures/mini/gone.svg" in failed.stderr, failed.stderr


def test_check_reports_how_far_results_moved(locked):
    root = locked
    manifest = json.loads((root / "manifest.json").read_text())
    params = root / "content/mini/params.toml"
    params.write_text(params.read_text().replace("steps = 12", "steps = 12\ntheta0 = -1.5"))
    # keep the old hashes, as if the code had changed under an unchanged manifest
    (root / "manifest.json").write_text(json.dumps(manifest))
    failed = run_cli(root, "check", cache=None)
    assert failed.returncode == 1
    assert "DIFFERS  results/mini/const.npz" in failed.stderr
    assert "its experiment's results differ too" in failed.stderr
    assert "array 'theta0': largest absolute difference 0.5" in failed.stderr
    assert "difference image (frame " in failed.stderr


def test_check_without_manifest_says_how_to_make_one(tmp_path):
    root = make_mini_checkout(tmp_path / "mini")
    result = run_cli(root, "check")
    assert result.returncode == 1 and "coursegen lock-figures" in result.stderr


def test_two_builds_in_different_places_give_identical_sites(tmp_path, solutions_site):
    """The shared solutions site (built with 2 jobs) against one built elsewhere with 1."""
    other = make_checkout(tmp_path / "another place")
    assert run_cli(other, "site", "--edition", "solutions", "--jobs", "1").returncode == 0
    a, b = tree_bytes(solutions_site), tree_bytes(other / "site")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_lock_figures_of_a_worksheet_taken_out_drops_its_entries_only(locked):
    """check lists a removed worksheet's files as missing; `lock-figures --sheet` with its
    name drops them (the others stay as they were); a name never locked is still refused."""
    path = locked / "manifest.json"
    doc = json.loads(path.read_text())
    kept = dict(doc["files"])
    doc["files"].update({p.replace("/mini/", "/week04/"): e for p, e in kept.items()})
    path.write_text(json.dumps(doc))
    failed = run_cli(locked, "check", cache=None)
    assert failed.returncode == 1 and "figures/week04/anim.gif" in failed.stderr
    dropped = run_cli(locked, "lock-figures", "--sheet", "week04", cache=None)
    assert dropped.returncode == 0, dropped.stderr
    assert f"content/week04/ is gone; removed its {len(kept)} entries" in dropped.stdout
    assert json.loads(path.read_text())["files"] == kept
    assert run_cli(locked, "lock-figures", "--sheet", "week05", cache=None).returncode == 1


UNSTEADY = {
    "unseeded random numbers": "np.random.default_rng().random()",  # another draw each run
    "a set's order": "int(''.join(w[1:] for w in {f'w{i}' for i in range(8)}))",  # as the strings' hashes fall
}


def _unsteady(draw: str) -> str:
    return f"""

def _unsteady(p: ConstantModel) -> dict:
    made = constant_model(p)
    made["theta0"] = made["theta0"] + {draw}
    return made


EXPERIMENTS["gd_constant"] = _unsteady
"""


@pytest.mark.parametrize("draw", sorted(UNSTEADY))
def test_check_names_an_experiment_that_is_not_deterministic(tmp_path, draw):
    """Locked from one run, checked with another: the same code, parameters and
    libraries gave other bytes. ``check`` runs the experiment again, in a new process (a
    set's order changes from process to process), to tell that from a change, and does
    not advise locking again (which would lock one more draw)."""
    root = make_mini_checkout(tmp_path / "mini", link_code=False)
    gd = root / "course" / "experiments" / "gd.py"
    gd.write_text(gd.read_text() + _unsteady(UNSTEADY[draw]))
    assert run_cli(root, "lock-figures", cache=None, own_process=True).returncode == 0
    failed = run_cli(root, "check", cache=None, own_process=True)
    assert failed.returncode == 1
    assert (
        "mini/const is not deterministic: run again here with the same code, parameters and libraries, "
        "it gave other results" in failed.stderr
    ), failed.stderr
    assert "If the change is intended" not in failed.stderr and "Make it deterministic" in failed.stderr


def test_the_difference_image_is_of_the_frame_that_differs_most(tmp_path):
    """A check report shows the frame of an animation that changed most, and how many
    of its pixels differ (GIFs written here by Pillow)."""
    import numpy as np
    from PIL import Image

    from coursegen.stages import report

    frames = [np.zeros((20, 30), dtype=np.uint8) for _ in range(4)]
    for k, frame in enumerate(frames):
        frame[19, 20 + k] = 1  # each frame its own (Pillow merges equal frames)
    changed = [f.copy() for f in frames]
    changed[1][0, :5] = 1  # 5 pixels
    changed[2][5:10, :10] = 1  # 50 pixels: the most
    palette = [0, 0, 0, 255, 255, 255] + [0] * (256 * 3 - 6)

    def gif(path, shown):
        images = [Image.fromarray(f, mode="P") for f in shown]
        for image in images:
            image.putpalette(palette)
        images[0].save(path, save_all=True, append_images=images[1:], duration=100, optimize=False, disposal=1)
        return path

    said = report._compare_pixels(
        gif(tmp_path / "old.gif", frames), gif(tmp_path / "new.gif", changed), tmp_path / "x.gif"
    )
    assert said == [f"difference image (frame 2): {tmp_path / 'difference-x.gif.png'} (50 pixels differ)"], said
