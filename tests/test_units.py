"""Small pieces of the pipeline: results files, parameter checks, the cache, atomic writes."""

import numpy as np
import pytest

from coursegen.errors import BuildError
from coursegen.stages import cache, results, units
from coursegen.stages.parameters import _coerce


def test_results_file_is_byte_stable_and_round_trips(tmp_path):
    arrays = {"b": np.arange(5.0), "a": np.array(3.5), "m": np.eye(2, dtype=np.int64)}
    data = results.to_bytes(results.check("x", arrays))
    assert data == results.to_bytes(results.check("x", dict(reversed(arrays.items()))))
    (tmp_path / "r.npz").write_bytes(data)
    back = results.load(tmp_path / "r.npz")
    assert back.keys() == arrays.keys()
    assert all(np.array_equal(back[k], arrays[k]) and back[k].shape == arrays[k].shape for k in arrays)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_results_refuse_nan_and_infinity(bad):
    with pytest.raises(BuildError, match="NaN or infinity"):
        results.check("exp", {"path": np.array([1.0, bad])})


def test_parameter_coercion():
    assert _coerce([1, 2.5], tuple[float, ...], "w") == (1.0, 2.5)
    assert _coerce(3, float, "w") == 3.0
    with pytest.raises(BuildError, match=r"w: expected int, got boolean"):
        _coerce(True, int, "w")
    with pytest.raises(BuildError, match=r"w\[1\]: expected float, got string"):
        _coerce([1.0, "a"], tuple[float, ...], "w")


def test_cache_serves_only_intact_entries(tmp_path):
    store = cache.Store(tmp_path)
    data = results.to_bytes({"a": np.arange(3.0)})
    store.put("results", "k1", {"results.npz": data})
    assert store.get("results", "k1").paths["results.npz"].read_bytes() == data
    (tmp_path / "results" / "k1" / "results.npz").write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert store.get("results", "k1") is None
    assert not (tmp_path / "results" / "k1").exists()


def test_code_hash_covers_imported_modules():
    closure = units.closure("course.figures.gd")
    assert {"course.figures.gd", "coursegen.figures.style"} <= closure
    assert "course.experiments.gd" not in closure
    assert "course.figures.relu" not in closure  # Section 2's figures are not a dependency
