"""Saving and loading an experiment's named arrays, byte-for-byte reproducibly.

``numpy.savez`` stamps each member with the current time; this writer fixes the zip
timestamps, the member order (sorted names) and the compression, so equal arrays give
equal files.
"""

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from coursegen.errors import BuildError

_EPOCH = (1980, 1, 1, 0, 0, 0)


def check(name: str, results: dict) -> dict[str, np.ndarray]:
    """Arrays only, identifier keys, and nothing that is NaN or infinite."""
    if not isinstance(results, dict):
        raise BuildError(f"experiment {name!r} returned {type(results).__name__}, not a dict of arrays")
    checked = {}
    for key in sorted(results):
        value = np.asarray(results[key])
        if not key.isidentifier():
            raise BuildError(f"experiment {name!r}: result name {key!r} is not an identifier")
        if value.dtype.kind not in "biuf":
            raise BuildError(f"experiment {name!r}: result {key!r} has dtype {value.dtype}, not numeric")
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            raise BuildError(f"experiment {name!r}: result {key!r} contains NaN or infinity")
        checked[key] = value
    return checked


def to_bytes(results: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for key in sorted(results):
            member = io.BytesIO()
            np.lib.format.write_array(member, results[key], allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, member.getvalue(), compresslevel=6)
    return buf.getvalue()


def load(path: Path) -> dict[str, np.ndarray]:
    return from_bytes(path.read_bytes())


def from_bytes(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


class Lazy(Mapping):
    """An experiment's results read from disk array by array, on first use only.

    A page that quotes one number of a large experiment, or a figure that draws three
    of its twenty arrays, should not pay for decompressing all of them, and a rebuild
    that touches no page should load none.
    """

    def __init__(self, source: Path | bytes):
        """``source``: the results file, or its bytes (what a worker on another machine
        is sent)."""
        self.source = source
        self._npz = None
        self._arrays: dict[str, np.ndarray] = {}

    def _file(self):
        if self._npz is None:
            source = io.BytesIO(self.source) if isinstance(self.source, bytes) else self.source
            self._npz = np.load(source, allow_pickle=False)
        return self._npz

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self._arrays:
            if key not in self._file().files:
                raise KeyError(f"no result {key!r}; the results are: {', '.join(sorted(self._file().files))}")
            self._arrays[key] = self._file()[key]
        return self._arrays[key]

    def __iter__(self):
        return iter(self._file().files)

    def __len__(self) -> int:
        return len(self._file().files)
