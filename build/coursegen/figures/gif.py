"""A GIF writer whose files any decoder composites the same way.

Every frame is indexed into one global palette of n colours; index n is reserved for
"unchanged" and never stands for a colour. Frame 0 is stored whole; each
later frame stores only the rectangle that changed since the one before, with the
pixels inside it that did not change set to the reserved index, which the frame's
Graphic Control Extension declares transparent (disposal: leave in place). So a
decoder that composites palette *indices* (as the site's player does) and one that
composites colours (as browsers and Pillow do) see the same pictures, and every frame
is kept, so frame k is always label k.

Pillow, imageio's GIF backend, writes the LZW data of each rectangle: it is saved as a
one-frame GIF with the palette untouched and its image data taken out. The container
(header, palette, extensions) is written here, so nothing Pillow would optimise (local
palettes, merged frames) reaches the file. No loop count is written: where scripts are
off, the GIF plays once and rests on its last frame.
"""

import io
import struct
from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class Frames:
    """An animation's frames as palette indices, each encoded once; written with any
    palette (the light and dark renderings share them)."""

    width: int
    height: int
    blocks: tuple[bytes, ...]  # per frame: image descriptor and LZW data
    delay_cs: int
    bits: int  # the palette has 2**bits entries
    transparent: int  # the index that means "unchanged"

    def to_bytes(self, palette: np.ndarray) -> bytes:
        """The GIF file with this palette ((n, 3) uint8, n the count given to encode)."""
        table = np.zeros((1 << self.bits, 3), dtype=np.uint8)
        table[: len(palette)] = palette
        flags = 0xF0 | (self.bits - 1)  # a global table, 8 bits per channel, its size
        out = [b"GIF89a", struct.pack("<HHBBB", self.width, self.height, flags, 0, 0), table.tobytes()]
        control = b"\x21\xf9\x04" + struct.pack("<BHB", 0b101, self.delay_cs, self.transparent) + b"\x00"
        for block in self.blocks:
            out += [control, block]
        out.append(b"\x3b")
        return b"".join(out)


@dataclass(frozen=True)
class Change:
    """One frame as what differs from the frame before it: the flat positions, in
    order, whose palette index changed, and their new indices."""

    at: np.ndarray  # int64, ascending
    indices: np.ndarray  # uint8, one per position


def encode(first: np.ndarray, changes: list[Change], frame_ms: int, colors: int) -> Frames:
    """Frame 0 as indices (H, W) uint8, values below ``colors``, and every later frame
    as its ``Change``, to GIF image blocks."""
    bits = max(2, int(colors).bit_length())  # room for the colours and one more
    transparent = colors
    height, width = first.shape
    blocks = [_block(0, 0, first, bits)]
    for change in changes:
        if change.at.size == 0:  # the same picture: one transparent pixel keeps the frame
            blocks.append(_block(0, 0, np.full((1, 1), transparent, dtype=np.uint8), bits))
            continue
        rows, cols = np.divmod(change.at, width)
        top, left = int(rows[0]), int(cols.min())
        sub = np.full((int(rows[-1]) - top + 1, int(cols.max()) - left + 1), transparent, dtype=np.uint8)
        sub[rows - top, cols - left] = change.indices
        blocks.append(_block(left, top, sub, bits))
    return Frames(width, height, tuple(blocks), max(1, round(frame_ms / 10)), bits, transparent)


def _block(left: int, top: int, sub: np.ndarray, bits: int) -> bytes:
    """An image block: its descriptor (no local palette) and LZW data."""
    h, w = sub.shape
    return b"\x2c" + struct.pack("<HHHHB", left, top, w, h, 0) + _lzw(sub, bits)


def _lzw(sub: np.ndarray, bits: int) -> bytes:
    """The LZW minimum code size and data sub-blocks of ``sub``, as Pillow encodes it
    (with any palette of 2**bits colours: only the indices matter)."""
    image = Image.fromarray(np.ascontiguousarray(sub), mode="P")
    image.putpalette(bytes(3 << bits))
    buffer = io.BytesIO()
    image.save(buffer, format="GIF", optimize=False, interlace=False)
    return _image_data(buffer.getvalue())


def _image_data(gif: bytes) -> bytes:
    """The first image's LZW data (code size byte through the block terminator)."""
    p = 13 + ((3 << ((gif[10] & 7) + 1)) if gif[10] & 0x80 else 0)
    while gif[p] == 0x21:  # extensions before the image
        p += 2
        while gif[p]:
            p += gif[p] + 1
        p += 1
    if gif[p] != 0x2C:
        raise ValueError("Pillow wrote no image block")
    flags = gif[p + 9]
    p += 10 + ((3 << ((flags & 7) + 1)) if flags & 0x80 else 0)
    end = p + 1
    while gif[end]:
        end += gif[end] + 1
    return gif[p : end + 1]
