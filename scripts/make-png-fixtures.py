#!/usr/bin/env python3
"""PNG fixtures for dscript's picture tests, and a check of the PNGs dscript writes.

Make the fixtures (Pillow and numpy; the reference virtualenv has both):

    /work/venv-ref/bin/python scripts/make-png-fixtures.py

writes Tests/Fixtures/pictures/*.png and expected.json. For every readable file the JSON holds
the size, the channel count dscript's load_png gives it (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA)
and the pixels as Pillow decodes them (row-major, channels interleaved; 16-bit files keep their
16-bit values, which dscript reads scaled to 8 bits). Hostile files (truncated, bad CRC, huge
dimensions, corrupt zlib stream, zero width) are listed under "hostile": dscript must refuse them
with an error message.

Check that PNGs written by dscript open in Pillow with the right pixels:

    /work/venv-ref/bin/python scripts/make-png-fixtures.py --check [.build/debug/dscript]

runs dscript on a small program that saves a grey gradient, an RGB image in [-1, 1] and a batch
grid, then reads each file with Pillow and compares every pixel with the values computed here
(value → floor(255 * (v - lo) / (hi - lo) + 0.5) in float32, grid padding 2 black pixels). Exit status 0 when all match.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np
from PIL import Image

COMMAND = "/work/venv-ref/bin/python scripts/make-png-fixtures.py"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "pictures")


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def raw_png(width, height, bit_depth=8, color_type=0, rows=None, idat=None):
    """A PNG assembled by hand (for hostile files Pillow refuses to write)."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    if idat is None:
        idat = zlib.compress(b"".join(b"\x00" + r for r in rows))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def make():
    os.makedirs(OUT, exist_ok=True)
    expected = {"command": COMMAND, "files": {}, "hostile": {}}

    def save(name, image, channels, **options):
        path = os.path.join(OUT, name)
        image.save(path, **options)
        back = np.asarray(Image.open(path))
        expected["files"][name] = {
            "width": image.width, "height": image.height, "channels": channels,
            "bits": 16 if back.dtype == np.uint16 or back.dtype == np.int32 else 8,
            "pixels": back.reshape(-1).astype(int).tolist(),
        }

    y, x = np.mgrid[0:4, 0:5]
    grey = (y * 5 + x) * 13
    save("grey8.png", Image.fromarray(grey.astype(np.uint8)), 1)
    rgb = np.stack([x * 60, y * 80, 255 - (x + y) * 30], axis=-1).astype(np.uint8)
    save("rgb8.png", Image.fromarray(rgb), 3)
    rgba = np.concatenate([rgb, (np.ones_like(grey) * 200 - x * 40)[..., None].astype(np.uint8)], axis=-1)
    save("rgba8.png", Image.fromarray(rgba), 4)
    la = np.stack([grey, 255 - grey], axis=-1).astype(np.uint8)
    save("grey_alpha8.png", Image.fromarray(la), 2)
    g16 = ((y * 5 + x) * 3000 + 7).astype(np.uint16)
    save("grey16.png", Image.fromarray(g16), 1)
    # A palette image: decoded through its palette to RGB.
    p = Image.fromarray((x + y).astype(np.uint8) % 4).convert("P")
    p.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0] + [0] * (256 * 3 - 12))
    p.save(os.path.join(OUT, "palette.png"))
    rgb_back = np.asarray(p.convert("RGB"))
    expected["files"]["palette.png"] = {
        "width": 5, "height": 4, "channels": 3, "bits": 8, "pixels": rgb_back.reshape(-1).astype(int).tolist()}

    good = open(os.path.join(OUT, "grey8.png"), "rb").read()
    hostile = {
        "truncated.png": (good[: len(good) // 2], "truncated in the middle of the image data"),
        "badcrc.png": (good[:29] + bytes([good[29] ^ 0xFF]) + good[30:], "IHDR CRC flipped"),
        "huge.png": (raw_png(100000, 100000, idat=zlib.compress(b"\x00" * 64)), "IHDR claims 100000×100000"),
        "large.png": (raw_png(20000, 20, idat=zlib.compress(b"\x00" * 64)), "IHDR claims 20000×20 (over dscript's 16384 limit)"),
        "zerowidth.png": (raw_png(0, 4, rows=[b""] * 4), "IHDR width 0"),
        "badzlib.png": (raw_png(4, 4, idat=b"\x78\x9c" + b"\xff" * 20), "IDAT is not a zlib stream"),
        "signature_only.png": (b"\x89PNG\r\n\x1a\n", "nothing after the signature"),
    }
    for name, (data, why) in hostile.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        expected["hostile"][name] = why
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(f"wrote {len(expected['files'])} fixtures and {len(hostile)} hostile files to {OUT}")


def to_bytes(v, lo, hi):
    # float32 arithmetic, halves rounded up (as torchvision's save_image: mul(255).add_(0.5)).
    scaled = (v.astype(np.float32) - np.float32(lo)) * np.float32(255 / (hi - lo))
    return np.clip(np.floor(scaled + np.float32(0.5)), 0, 255).astype(np.uint8)


def check(dscript):
    work = tempfile.mkdtemp(prefix="dscript-png-")
    program = f"""
let g = arange(35).reshape([5, 7]) / 34
save_png("{work}/grey.png", g)
let c = linspace(-1, 1, 3 * 4 * 6).reshape([3, 4, 6])
save_png("{work}/rgb.png", c)
let b = arange(5 * 3 * 3).reshape([5, 1, 3, 3]) / 44
save_png("{work}/grid.png", b, nrow: 3)
"""
    subprocess.run([dscript, "-e", program], check=True)
    failures = 0

    def compare(name, want):
        nonlocal failures
        got = np.asarray(Image.open(os.path.join(work, name)))
        ok = got.shape == want.shape and np.array_equal(got, want)
        failures += not ok
        print(f"{name}: {'ok' if ok else 'MISMATCH'} {got.shape}")
        if not ok:
            print("want", want.tolist(), "\ngot", got.tolist())

    compare("grey.png", to_bytes(np.arange(35, dtype=np.float32).reshape(5, 7) / np.float32(34), 0, 1))
    c = np.linspace(-1, 1, 72, dtype=np.float32).reshape(3, 4, 6)
    compare("rgb.png", to_bytes(c, -1, 1).transpose(1, 2, 0))
    b = (np.arange(45, dtype=np.float32) / np.float32(44)).reshape(5, 3, 3)
    grid = np.zeros((2 * 3 + 2, 3 * 3 + 2 * 2), np.uint8)
    for n in range(5):
        r, col = divmod(n, 3)
        grid[r * 5: r * 5 + 3, col * 5: col * 5 + 3] = to_bytes(b[n], 0, 1)
    compare("grid.png", grid)
    return failures


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--check":
        binary = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, ".build", "debug", "dscript")
        sys.exit(1 if check(binary) else 0)
    make()
