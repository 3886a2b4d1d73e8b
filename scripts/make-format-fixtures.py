#!/usr/bin/env python3
"""Writes the checkpoint-format fixtures that Tests/EngineTests/Formats*Tests.swift read.

Generated with (numpy 2.4.6, safetensors 0.8.0, torch 2.15):
    /work/venv-ref/bin/python scripts/make-format-fixtures.py Tests/Fixtures/formats

Files (all small): safetensors written by the reference writers (safetensors.torch for every
dtype, BF16 included; safetensors.numpy for F32 with metadata), .npy written by np.save /
np.lib.format.write_array (versions 1.0, 2.0, 3.0, Fortran order, big-endian, every dtype dscript
reads), and expected.json, which records for every tensor its dtype, shape and the exact float32 bit
patterns numpy/torch produce when converting it to float32. It also records float32 -> float16 (numpy
astype) and float32 -> bfloat16 (torch .to) rounding of a seeded set of inputs, ties and specials.
differential.json and npy_differential.json hold seeded mutated files with the verdicts of the
reference readers (safetensors.torch.load, np.load) for FormatsDifferentialTests.

The reverse direction (files dscript writes, read by Python):
    DSCRIPT_FORMATS_OUT=/tmp/ds-formats swift test --filter FormatsRoundTripTests
    /work/venv-ref/bin/python scripts/make-format-fixtures.py --check /tmp/ds-formats
The test leaves its files in that folder; --check loads them with safetensors and numpy, compares
their values with what the test wrote (recorded in written.json next to them) and checks that the
.npy files are byte-identical to np.save's output and the F32 safetensors files to safetensors.numpy's.
"""
import json
import os
import struct
import sys

import numpy as np


def bits32(a):
    return [int(b) for b in np.ascontiguousarray(a, dtype=np.float32).reshape(-1).view(np.uint32)]


def record(expected, file, tensors, metadata=None, kind="safetensors"):
    expected[file] = {
        "kind": kind,
        "metadata": metadata or {},
        "tensors": [
            {"name": name, "dtype": dtype, "shape": list(arr.shape), "bits": bits32(arr.astype(np.float32))}
            for name, dtype, arr in tensors
        ],
    }


def make(out):
    np.seterr(over="ignore")  # 1e300 and 65520 overflow to inf on purpose
    import torch
    from safetensors.numpy import save_file as np_save_file
    from safetensors.torch import save_file as torch_save_file

    os.makedirs(out, exist_ok=True)
    expected = {}
    rng = np.random.default_rng(1234)

    # F32 with metadata, a rank-0 and a zero-size tensor (written by safetensors.numpy).
    f32 = {
        "weight": rng.standard_normal((3, 4)).astype(np.float32),
        "bias": np.array([0.5, -1.25, 3.0], dtype=np.float32),
        "scalar": np.array(2.5, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
    }
    meta = {"format": "pt", "note": "dscript fixture \u03b1"}
    np_save_file(f32, os.path.join(out, "f32_meta.safetensors"), metadata=meta)
    record(expected, "f32_meta.safetensors", [(k, "F32", v) for k, v in f32.items()], meta)
    # One metadata key: byte-exact comparison with dscript's writer (key order of several is random).
    np_save_file(f32, os.path.join(out, "f32_onemeta.safetensors"), metadata={"format": "pt"})
    record(expected, "f32_onemeta.safetensors", [(k, "F32", v) for k, v in f32.items()], {"format": "pt"})

    # Every dtype the reader supports, through torch (the writer PyTorch users have).
    special = [0.0, -0.0, 1.0, -2.5, 65504.0, 6e-8, 1e-4, 1 / 3, float("inf"), float("-inf"), float("nan")]
    base = torch.tensor(special, dtype=torch.float32)
    ints = torch.tensor([0, 1, -1, 7, -128, 127, 100, -100])
    tensors = {
        "f32": base.clone(),
        "f16": base.to(torch.float16),
        "bf16": base.to(torch.bfloat16),
        "f64": torch.tensor([1e-300, 1e300, 0.1, -7.0], dtype=torch.float64),
        "i64": torch.tensor([2**40 + 1, -(2**40), 3, 0], dtype=torch.int64),
        "i32": ints.to(torch.int32),
        "i16": ints.to(torch.int16),
        "i8": ints.to(torch.int8),
        "u8": torch.tensor([0, 1, 255, 128], dtype=torch.uint8),
        "u16": torch.tensor([0, 1, 65535, 300], dtype=torch.uint16),
        "bool": torch.tensor([[True, False], [False, True]]),
        "rank0": torch.tensor(3.0, dtype=torch.float16),
        "zero": torch.zeros((2, 0), dtype=torch.bfloat16),
    }
    torch_save_file(tensors, os.path.join(out, "all_dtypes.safetensors"))
    names = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
             torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
             torch.uint16: "U16", torch.bool: "BOOL"}
    record(expected, "all_dtypes.safetensors",
           [(k, names[v.dtype], v.to(torch.float32).numpy()) for k, v in tensors.items()])

    # .npy files.
    npys = {
        "f4.npy": rng.standard_normal((2, 3)).astype(np.float32),
        "f8.npy": np.array([[0.1, -2.0], [1e300, 5e-324]], dtype=np.float64),
        "f2.npy": np.array([1.0, 0.1, 65504, -0.0], dtype=np.float16),
        "i8.npy": np.array([-(2**40), 5, 0], dtype="<i8"),
        "i4.npy": np.arange(6, dtype="<i4").reshape(3, 2),
        "u1.npy": np.array([0, 255, 7], dtype=np.uint8),
        "b1.npy": np.array([True, False, True]),
        "rank0.npy": np.array(4.25, dtype=np.float32),
        "empty.npy": np.zeros((0, 3), dtype=np.float32),
        "big_endian.npy": np.array([1.5, -2.0, 3.25], dtype=">f4"),
        "fortran.npy": np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4)),
    }
    for name, arr in npys.items():
        np.save(os.path.join(out, name), arr)
        record(expected, name, [("", arr.dtype.str, arr)], kind="npy")
    for version in [(2, 0), (3, 0)]:
        name = "v%d.npy" % version[0]
        arr = np.arange(5, dtype=np.float32) / 4
        with open(os.path.join(out, name), "wb") as f:
            np.lib.format.write_array(f, arr, version=version)
        record(expected, name, [("", "<f4", arr)], kind="npy")

    # Narrowing: float32 -> float16 (numpy) and -> bfloat16 (torch), both round to nearest even.
    inputs = np.concatenate([
        np.array(special, dtype=np.float32),
        (rng.standard_normal(500) * np.exp2(rng.integers(-30, 20, 500))).astype(np.float32),
        np.array([1 + 2.0**-11, 1 + 3 * 2.0**-11, 2.0**-25, 3 * 2.0**-26, 2.0**-24, 65520.0, 65519.99,
                  1 + 2.0**-8, 1 + 3 * 2.0**-8, 3.3895314e38, -1e-40, 1e-45], dtype=np.float32),
    ])
    expected["narrowing"] = {
        "kind": "narrowing",
        "inputs": bits32(inputs),
        "f16": [int(b) for b in inputs.astype(np.float16).view(np.uint16)],
        "bf16": [int(b) for b in torch.from_numpy(inputs).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)],
    }

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    make_differential(out)
    make_npy_differential(out)


DTYPES = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32",
          "C64", "F64", "I64", "U64", "F128", "f32", ""]


def make_differential(out, cases=400, seed=20261123):
    """Mutated safetensors files and the reference reader's verdict on each (safetensors.torch.load).

    differential.json: [{"hex": file bytes, "ok": bool, "error": reference message, "tensors": {name: shape}}]
    """
    import random
    import torch
    from safetensors.torch import load, save

    rng = random.Random(seed)
    bases = [
        save({"w": torch.arange(6, dtype=torch.float32).reshape(2, 3), "b": torch.ones(3, dtype=torch.float16)},
             metadata={"format": "pt"}),
        save({"x": torch.tensor([1.5, -2.0], dtype=torch.bfloat16), "i": torch.tensor([3, 4], dtype=torch.int64),
              "m": torch.tensor([True, False]), "s": torch.tensor(2.0)}),
        save({"e": torch.zeros(0, 4), "u": torch.tensor([7, 8, 9], dtype=torch.uint8)}),
    ]
    corpus = []
    for _ in range(cases):
        data = bytearray(rng.choice(bases))
        n = int.from_bytes(data[:8], "little")
        header = bytearray(data[8:8 + n])
        body = data[8 + n:]
        kind = rng.randrange(8)
        if kind == 0:  # one digit of the header changed
            digits = [i for i, c in enumerate(header) if 48 <= c <= 57]
            header[rng.choice(digits)] = 48 + rng.randrange(10)
        elif kind == 1:  # a dtype replaced
            text = header.decode()
            names = [d for d in DTYPES if '"%s"' % d in text]
            if names:
                text = text.replace('"%s"' % rng.choice(names), '"%s"' % rng.choice(DTYPES), 1)
            header = bytearray(text.encode())
        elif kind == 2:  # spaces or newlines in front of the JSON
            header = bytearray(rng.choice([b" ", b"\n", b"\t  "]) * rng.randrange(1, 4)) + header
        elif kind == 3:  # the data section lengthened or shortened
            body = body + bytes(rng.randrange(1, 5)) if rng.random() < 0.5 else body[:max(0, len(body) - rng.randrange(1, 5))]
        elif kind == 4:  # one header byte deleted
            del header[rng.randrange(len(header))]
        elif kind == 5:  # an unknown field in an entry, or metadata of another type
            text = header.decode()
            text = text.replace('"dtype"', rng.choice(['"extra":[1,{"a":null}],"dtype"', '"dtype"']), 1)
            text = text.replace('"format":"pt"', rng.choice(['"format":1', '"format":"pt","k":"v"', '"format":null']), 1)
            header = bytearray(text.encode())
        elif kind == 6:  # shape and offsets of one entry swapped or negated
            text = header.decode()
            text = text.replace('"shape":[', rng.choice(['"shape":[-', '"shape":[1,', '"shape":[0,', '"shape":[']), 1)
            header = bytearray(text.encode())
        data = bytearray(len(header).to_bytes(8, "little")) + header + body
        if kind == 7:  # the length field lies
            delta = rng.choice([-8, -1, 1, 8, 1 << 40])
            data[:8] = max(0, len(header) + delta).to_bytes(8, "little")
        try:
            tensors = load(bytes(data))
            verdict = {"ok": True, "error": "", "tensors": {k: list(v.shape) for k, v in tensors.items()}}
        except Exception as e:  # the reference's refusal, kept for the record
            verdict = {"ok": False, "error": str(e)[:200], "tensors": {}}
        corpus.append(dict(hex=bytes(data).hex(), **verdict))
    with open(os.path.join(out, "differential.json"), "w") as f:
        json.dump(corpus, f, indent=0)
        f.write("\n")


def make_npy_differential(out, cases=300, seed=20261124):
    """Mutated .npy files and np.load's verdict on each (allow_pickle=False): npy_differential.json."""
    import io
    import random

    rng = random.Random(seed)
    bases = []
    for arr in [np.arange(6, dtype=np.float32).reshape(2, 3), np.array([1.5, -2.0]), np.array(3, dtype=np.int64),
                np.asfortranarray(np.arange(6, dtype="<i4").reshape(2, 3)), np.array([True, False], dtype=bool)]:
        buf = io.BytesIO()
        np.save(buf, arr)
        bases.append(buf.getvalue())
    descrs = ["<f4", "<f8", "<f2", "<i8", "<i4", "|u1", "|b1", ">f4", "<c8", "<U3", "|O", "<f16", "<m8", "|i1"]
    corpus = []
    for _ in range(cases):
        data = bytearray(rng.choice(bases))
        hlen = int.from_bytes(data[8:10], "little")
        header = bytearray(data[10:10 + hlen])
        body = data[10 + hlen:]
        kind = rng.randrange(7)
        if kind == 0:  # one digit changed (shape)
            digits = [i for i, c in enumerate(header) if 48 <= c <= 57]
            if digits:
                header[rng.choice(digits)] = 48 + rng.randrange(10)
        elif kind == 1:  # another descr
            text = header.decode("latin1")
            start = text.index("'descr': '") + 10
            end = text.index("'", start)
            header = bytearray((text[:start] + rng.choice(descrs) + text[end:]).encode("latin1"))
        elif kind == 2:  # fortran_order flipped
            text = header.decode("latin1")
            text = text.replace("False", "True") if "False" in text else text.replace("True", "False")
            header = bytearray(text.encode("latin1"))
        elif kind == 3:  # data lengthened or shortened
            body = body + bytes(rng.randrange(1, 9)) if rng.random() < 0.5 else body[:max(0, len(body) - rng.randrange(1, 9))]
        elif kind == 4:  # one header byte deleted or replaced
            i = rng.randrange(len(header))
            if rng.random() < 0.5:
                del header[i]
            else:
                header[i] = rng.choice(b"{}()[],:' 0123456789TF")
        elif kind == 5:  # version byte changed
            data[6] = rng.choice([0, 1, 2, 3, 4])
        data = bytearray(data[:8]) + len(header).to_bytes(2, "little") + header + body
        if kind == 6:  # the header length lies
            data[8:10] = max(0, min(65535, len(header) + rng.choice([-2, -1, 1, 2, 64]))).to_bytes(2, "little")
        if data[6] >= 2:  # versions 2 and 3 have a 4-byte length
            data = data[:8] + len(header).to_bytes(4, "little") + header + body
        try:
            arr = np.load(io.BytesIO(bytes(data)), allow_pickle=False)
            verdict = {"ok": True, "error": "", "shape": list(arr.shape)}
        except Exception as e:  # numpy's refusal, kept for the record
            verdict = {"ok": False, "error": str(e)[:200], "shape": []}
        corpus.append(dict(hex=bytes(data).hex(), **verdict))
    with open(os.path.join(out, "npy_differential.json"), "w") as f:
        json.dump(corpus, f, indent=0)
        f.write("\n")


def check(folder):
    """Reads what the Swift round-trip test wrote and compares it with Python's readers and writers."""
    import io
    from safetensors.numpy import save_file

    with open(os.path.join(folder, "written.json")) as f:
        written = json.load(f)
    failures = 0
    for file, info in written.items():
        path = os.path.join(folder, file)
        if file.endswith(".npy"):
            arr = np.load(path)
            got = {"": arr}
            want_bytes = io.BytesIO()
            np.save(want_bytes, arr.astype(np.float32))
            if open(path, "rb").read() != want_bytes.getvalue():
                print("FAIL %s: bytes differ from np.save" % file); failures += 1
        else:
            from safetensors.torch import load_file as torch_load_file
            got = {k: v.float().numpy() for k, v in torch_load_file(path).items()}  # torch reads BF16
            if info.get("dtype") == "F32" and len(info.get("metadata", {})) <= 1:  # Rust HashMap order is random
                tmp = os.path.join(folder, "python-" + file)
                from safetensors import safe_open
                with safe_open(path, "np") as f:
                    meta = f.metadata()
                save_file({k: v for k, v in got.items()}, tmp, metadata=meta)
                if open(tmp, "rb").read() != open(path, "rb").read():
                    print("FAIL %s: bytes differ from safetensors.numpy.save_file" % file); failures += 1
        for t in info["tensors"]:
            arr = got[t["name"]]
            if list(arr.shape) != t["shape"] or bits32(arr.astype(np.float32)) != t["bits"]:
                print("FAIL %s/%s: values differ" % (file, t["name"])); failures += 1
    print("checked %d files, %d failures" % (len(written), failures))
    return failures


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        sys.exit(1 if check(sys.argv[2]) else 0)
    make(sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/formats")
