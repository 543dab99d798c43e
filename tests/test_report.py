"""What ``check`` writes about one file that differs, for each kind of file it makes:
an explorer's binary data is compared as its 16-bit coordinates (it is not text), text
as a diff, anything else as bytes; none of them stops the report."""

import numpy as np

from coursegen.stages import report


def test_an_explorers_data_is_compared_as_coordinates(tmp_path):
    old, new = tmp_path / "old.bin", tmp_path / "new.bin"
    values = np.arange(0, 60000, 7, dtype="<u2")
    old.write_bytes(values.tobytes())
    moved = values.copy()
    moved[[3, 40]] += np.array([5, 300], dtype="<u2")
    new.write_bytes(moved.tobytes() + b"\xe2\x80")  # not UTF-8 either way
    said = report._compare(old, new, tmp_path / "out" / "relu_explore.explorer.bin")
    assert said == [f"binary: {old.stat().st_size:,} -> {new.stat().st_size:,} bytes, first difference at byte 6"]
    new.write_bytes(moved.tobytes())
    said = report._compare(old, new, tmp_path / "out" / "relu_explore.explorer.bin")
    assert said == [f"16-bit coordinates: 2 of {len(values):,} differ, by at most 300 (of 65,535)"]


def test_text_is_diffed_and_other_bytes_are_named(tmp_path):
    (tmp_path / "out").mkdir()
    old, new = tmp_path / "old.svg", tmp_path / "new.svg"
    old.write_text("<svg>\n<path d='M 0 0'/>\n</svg>\n")
    new.write_text("<svg>\n<path d='M 0 1'/>\n</svg>\n")
    out = tmp_path / "out" / "fig.svg"
    (line,) = report._compare(old, new, out)
    assert line.startswith(f"text diff: {out}.diff")
    assert "-<path d='M 0 0'/>" in (tmp_path / "out" / "fig.svg.diff").read_text()
    old.write_bytes(b"\x00\xff\xfe")
    new.write_bytes(b"\x00\xff\xfd\x01")
    assert report._compare(old, new, tmp_path / "out" / "fig.svg") == [
        "binary: 3 -> 4 bytes, first difference at byte 2"
    ]


def test_a_script_copy_of_a_file_points_to_that_files_report(tmp_path):
    old, new = tmp_path / "old.js", tmp_path / "new.js"
    old.write_text("window.x = 'QUJD';\n")
    new.write_text("window.x = 'QUJE';\n")
    assert report._compare(old, new, tmp_path / "relu_explore.explorer.bin.js") == [
        "the script copy of relu_explore.explorer.bin, for pages opened from a folder: "
        "relu_explore.explorer.bin's lines say what changed"
    ]
