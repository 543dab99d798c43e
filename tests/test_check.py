"""``check`` rebuilds from an empty cache and names every file that differs from the
manifest; ``lock-figures`` writes the manifest; two site builds are byte-identical."""

import json

from conftest import make_checkout, run_cli, tree_bytes


def test_check_passes_then_names_the_changed_figure(tmp_path):
    root = make_checkout(tmp_path / "ck")
    (root / "content/dis01/section2.toml").unlink()  # Section 1 alone keeps this quick

    locked = run_cli(root, "lock-figures", cache=None)
    assert locked.returncode == 0, locked.stderr
    files = json.loads((root / "manifest.json").read_text())["files"]
    assert {"results/dis01/const_gd.npz", "figures/dis01/const_anim.gif", "figures/dis01/const_anim.png"} <= set(files)
    assert all(len(entry["sha256"]) == 64 for entry in files.values())

    assert run_cli(root, "check", cache=None).returncode == 0

    toml = root / "content/dis01/section1.toml"
    toml.write_text(toml.read_text().replace('experiment = "const_gd"', 'experiment = "const_gd"\nframe_ms = 100'))
    failed = run_cli(root, "check", cache=None)
    assert failed.returncode == 1
    assert "DIFFERS  figures/dis01/const_anim.gif" in failed.stderr
    assert "const_anim.png" not in failed.stderr and "const_gd.npz" not in failed.stderr


def test_check_without_manifest_says_how_to_make_one(tmp_path):
    root = make_checkout(tmp_path / "ck")
    result = run_cli(root, "check")
    assert result.returncode == 1 and "make lock-figures" in result.stderr


def test_two_builds_give_identical_sites(tmp_path):
    other = make_checkout(tmp_path / "other place")
    epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
    result = run_cli(other, "site", env=epoch)
    assert result.returncode == 0, result.stderr
    again = make_checkout(tmp_path / "again")
    assert run_cli(again, "site", "--jobs", "2", env=epoch).returncode == 0
    first, second = tree_bytes(other / "site"), tree_bytes(again / "site")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
