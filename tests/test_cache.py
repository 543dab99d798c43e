"""The cache serves an entry only if it answers the key asked for and holds, intact,
the files its kind must hold; and its keys move with every library that shapes bytes."""

import json
import re
import shutil
from importlib import metadata

import numpy as np
import pytest
from packaging.requirements import Requirement

from course.experiments import relu
from coursegen.stages import cache, outputs, pipeline, results
from coursegen.stages.parameters import Experiment

GIF = b"GIF89a" + bytes(20)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(20)
JS = b'(window.cgGifs = window.cgGifs || {})[document.currentScript.src] = "";'
ANIMATION = {
    "figure.gif": GIF,
    "figure-dark.gif": GIF,
    "figure.gif.js": JS,
    "figure-dark.gif.js": JS,
    "figure.png": PNG,
    "figure-dark.png": PNG,
    "figure.json": b'{"labels": []}',
}


@pytest.fixture
def store(tmp_path):
    return cache.Store(tmp_path)


def npz(value: float) -> bytes:
    return results.to_bytes({"theta": np.array(value)})


def test_an_entry_swapped_whole_with_another_is_not_served(store, tmp_path):
    store.put("results", "linear", {"results.npz": npz(2.0)})
    store.put("results", "constant", {"results.npz": npz(1.0)})
    shutil.rmtree(tmp_path / "results" / "constant")
    shutil.copytree(tmp_path / "results" / "linear", tmp_path / "results" / "constant")  # index.json too
    assert store.get("results", "constant") is None
    assert store.get("results", "linear").paths["results.npz"].read_bytes() == npz(2.0)


@pytest.mark.parametrize("index", [{}, {"key": "k"}, {"key": "k", "files": {}}, [], "x"])
def test_an_entry_with_an_empty_or_malformed_index_is_recomputed(store, tmp_path, index):
    store.put("results", "k", {"results.npz": npz(1.0)})
    (tmp_path / "results" / "k" / "index.json").write_text(json.dumps(index))
    assert store.get("results", "k") is None
    assert not (tmp_path / "results" / "k").exists()


def test_an_animation_entry_whose_index_omits_its_gif_is_not_served(store, tmp_path):
    store.put("figures", "anim", ANIMATION)
    assert store.get("figures", "anim") is not None  # whole, it is served
    index_file = tmp_path / "figures" / "anim" / "index.json"
    index = json.loads(index_file.read_text())
    del index["files"]["figure.gif"]
    index_file.write_text(json.dumps(index))
    assert store.get("figures", "anim") is None


def test_an_entry_with_the_wrong_file_type_is_not_served(store):
    svg = b'<?xml version="1.0"?><svg/>'
    store.put("figures", "svg", {"figure.svg": PNG, "figure-dark.svg": svg, "figure.json": b"{}"})  # a PNG as an SVG
    assert store.get("figures", "svg") is None
    store.put("figures", "ok", {"figure.svg": svg, "figure-dark.svg": svg, "figure.json": b"{}"})
    assert store.get("figures", "ok") is not None


def _installed_closure(root: str) -> set[str]:
    """Independent of the lock: what the installed coursegen requires here, transitively
    (extras and other platforms left out), from the packages' own metadata."""
    seen, todo = set(), [root]
    while todo:
        for requirement in map(Requirement, metadata.requires(todo.pop()) or []):
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            name = re.sub(r"[-_.]+", "-", requirement.name).lower()
            if name not in seen:
                try:
                    metadata.version(name)
                except metadata.PackageNotFoundError:
                    continue  # a marker excludes it here (another platform or Python)
                seen.add(name)
                todo.append(name)
    return seen


def test_keys_cover_every_installed_runtime_library():
    assert {"numba", "llvmlite"} <= _installed_closure("coursegen")  # what the ReLU kernel runs on
    missing = _installed_closure("coursegen") - set(cache.library_versions())
    assert not missing


@pytest.mark.parametrize("library", ["llvmlite", "numba"])
def test_upgrading_numba_or_llvmlite_changes_the_relu_key(monkeypatch, library):
    exp = Experiment("s", "e", "relu_sgd", relu.ReluSGD(seeds=(0,), steps=10), "s.toml")
    before = pipeline.experiment_key(exp)
    real = metadata.version
    monkeypatch.setattr(cache.metadata, "version", lambda name: "999.0" if name == library else real(name))
    cache.library_versions.cache_clear()
    try:
        assert pipeline.experiment_key(exp) != before
    finally:
        monkeypatch.undo()
        cache.library_versions.cache_clear()


def test_a_sweep_removes_only_the_staging_of_builds_that_are_gone(tmp_path):
    """Checkouts may share a cache and build at once: one build's sweep must not delete
    the entry another is writing, only what killed builds left."""
    import os
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    store = cache.Store(tmp_path)
    writing = tmp_path / "figures" / f".tmp-abc-{'0' * 32}-{os.getpid()}"  # this process: running
    killed = tmp_path / "figures" / f".tmp-abc-{'1' * 32}-{int(gone.stdout)}"
    unnamed = tmp_path / "results" / ".tmp-abc-2222"  # no build named: an older build's
    for folder in (writing, killed, unnamed):
        folder.mkdir(parents=True)
        (folder / "figure.gif").write_bytes(GIF)
    store.sweep()
    assert writing.is_dir() and not killed.exists() and not unnamed.exists()


def test_putting_an_entry_that_is_there_keeps_it_for_the_build_reading_it(store):
    """Two builds sharing a cache computed the same entry; the second to finish must not
    pull the first's files from under it (a build read 'results.npz: No such file')."""
    first = store.put("results", "k", {"results.npz": npz(1.0)})
    held = first.paths["results.npz"].stat().st_ino
    second = store.put("results", "k", {"results.npz": npz(1.0)})
    assert first.paths["results.npz"].stat().st_ino == held  # the same file, never removed
    assert second.sha256 == first.sha256
    (store.root / "results" / "k" / "results.npz").write_bytes(b"damaged")
    third = store.put("results", "k", {"results.npz": npz(1.0)})  # a broken one is replaced
    assert store.get("results", "k") is not None and third.sha256 == first.sha256


@pytest.mark.parametrize("json_text", [b"[]", b'"figure"', b"3", b"{", b""])
def test_a_figures_json_that_is_not_an_object_is_not_an_entry(json_text):
    """A figure's ``.json`` (its size, text sizes, frame labels) is an object: anything
    else a function wrote is named, never cached or served."""
    files = {"figure.svg": b"<svg/>", "figure-dark.svg": b"<svg/>", "figure.json": b"{}"}
    assert outputs.problem("figures", files) is None
    assert outputs.problem("figures", {**files, "figure.json": json_text}) == "figure.json is not a valid JSON file"
