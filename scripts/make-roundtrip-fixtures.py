#!/usr/bin/env python3
"""Writes Tests/Fixtures/formats/roundtrip.json for Tests/EngineTests/FormatsPropertyTests.swift.

Generated with (numpy 2.4.6, safetensors 0.8.0, torch 2.15):
    /work/venv-ref/bin/python scripts/make-roundtrip-fixtures.py Tests/Fixtures/formats/roundtrip.json

Seeded random cases: each holds 1-3 float32 tensors of rank 0-4 with sizes 0-3 (zero-size axes and
scalars included) whose values mix normals of every scale with the awkward ones (±0, ±inf, NaNs with
payloads, float32 subnormals, float16 limits and subnormals, bfloat16 ties). For each case the file
records, base64-encoded, what the reference writers make of the tensors:
  - F32 and F16: safetensors.numpy.save (float16 by numpy's astype);
  - BF16: safetensors.torch.save (bfloat16 by torch's .to);
  - npy: np.save of the first tensor as float32;
and what the reference readers read back from those bytes (float32 bit patterns). A read-only
"other" file per case holds random data of a dtype dscript reads but does not write (F64, I64, I32,
I16, I8, U16, U8, BOOL in safetensors; f8, f2, i8, i4, i2, u1, b1, big-endian and Fortran-order
arrays in .npy) with numpy's float32 conversion. The Swift test writes the same tensors and requires
byte-identical files (so Python reads dscript's files exactly as its own), reads every file and
requires the same bits as Python, and round-trips its own files.
"""
import base64
import io
import json
import sys

import numpy as np
import torch
from safetensors.numpy import load as np_load_st
from safetensors.numpy import save as np_save_st
from safetensors.torch import load as torch_load_st
from safetensors.torch import save as torch_save_st

SEED = 20261206
CASES = 48

SPECIALS = np.array(
    [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, -1e-45, 65504.0, 65520.0, -65536.0, 6e-8, 2.98e-8,
     3e38, -3.4028235e38, 1.0 + 2.0**-8, 1.0 + 3 * 2.0**-8, 1.0 + 2.0**-11, 0.1, 1.0 / 3.0],
    dtype=np.float32)
# NaNs with a sign and a payload, as bit patterns (quiet and signalling).
NAN_BITS = np.array([0x7FC00001, 0xFFC12345, 0x7F800001, 0xFF812345], dtype=np.uint32)


def bits32(a):
    return [int(b) for b in np.ascontiguousarray(a, dtype=np.float32).reshape(-1).view(np.uint32)]


def b64(data):
    return base64.b64encode(data).decode("ascii")


def random_shape(rng):
    rank = int(rng.integers(0, 5))
    return tuple(int(rng.integers(0, 4)) for _ in range(rank))


def random_values(rng, shape):
    n = int(np.prod(shape, dtype=np.int64))
    scale = np.float32(10.0 ** rng.uniform(-12, 12))
    values = (rng.standard_normal(n) * scale).astype(np.float32)
    for i in range(n):
        u = rng.random()
        if u < 0.15:
            values[i] = SPECIALS[rng.integers(len(SPECIALS))]
        elif u < 0.18:
            values[i] = NAN_BITS[rng.integers(len(NAN_BITS))].view(np.float32)
    return values.reshape(shape)


def described(arrays, file_bytes, loader):
    read = loader(file_bytes)
    return {
        "base64": b64(file_bytes),
        "read": [{"name": k, "shape": list(v.shape), "bits": bits32(v)} for k, v in read.items()],
    }


def other_safetensors(rng):
    dtype = ["F64", "I64", "I32", "I16", "I8", "U16", "U8", "BOOL"][rng.integers(8)]
    shape = random_shape(rng)
    n = int(np.prod(shape, dtype=np.int64))
    numpy_dtype = {"F64": np.float64, "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
                   "U16": np.uint16, "U8": np.uint8, "BOOL": np.bool_}[dtype]
    if dtype == "F64":
        data = rng.standard_normal(n) * 10.0 ** rng.uniform(-300, 300, n)
        data[rng.random(n) < 0.1] = 1e300  # overflows float32
    elif dtype == "BOOL":
        data = rng.random(n) < 0.5
    else:
        info = np.iinfo(numpy_dtype)
        data = rng.integers(info.min, info.max, n, dtype=numpy_dtype, endpoint=True)
    array = np.asarray(data, dtype=numpy_dtype).reshape(shape)
    file_bytes = np_save_st({"x": array})
    return {"kind": "safetensors", "dtype": dtype, "base64": b64(file_bytes),
            "read": [{"name": "x", "shape": list(shape), "bits": bits32(np_load_st(file_bytes)["x"].astype(np.float32))}]}


def other_npy(rng):
    descr = ["<f8", "<f2", "<i8", "<i4", ">i2", "|u1", "|b1", ">f4", "<u4", "|i1"][rng.integers(10)]
    shape = random_shape(rng)
    n = int(np.prod(shape, dtype=np.int64))
    dtype = np.dtype(descr)
    if dtype.kind == "f":
        data = (rng.standard_normal(n) * 10.0 ** rng.uniform(-8, 8, n)).astype(dtype)
    elif dtype.kind == "b":
        data = rng.random(n) < 0.5
    else:
        info = np.iinfo(dtype)
        data = rng.integers(info.min, info.max, n, endpoint=True).astype(dtype)
    array = np.asarray(data, dtype=dtype).reshape(shape)
    fortran = len(shape) > 1 and rng.random() < 0.5
    if fortran:
        array = np.asfortranarray(array)
    buffer = io.BytesIO()
    np.save(buffer, array)
    read = np.load(io.BytesIO(buffer.getvalue()))
    return {"kind": "npy", "dtype": descr + (" fortran" if fortran else ""), "base64": b64(buffer.getvalue()),
            "read": [{"name": "", "shape": list(shape), "bits": bits32(read.astype(np.float32))}]}


def make(path):
    np.seterr(over="ignore", invalid="ignore")  # float16 overflow and NaN casts are the point
    rng = np.random.default_rng(SEED)
    cases = []
    for c in range(CASES):
        count = int(rng.integers(1, 4))
        arrays = {f"t{c}.{k}.w": random_values(rng, random_shape(rng)) for k in range(count)}
        first = next(iter(arrays.values()))
        npy = io.BytesIO()
        np.save(npy, first)
        cases.append({
            "tensors": [{"name": k, "shape": list(v.shape), "bits": bits32(v)} for k, v in arrays.items()],
            "files": {
                "F32": described(arrays, np_save_st(arrays), np_load_st),
                "F16": described(arrays, np_save_st({k: v.astype(np.float16) for k, v in arrays.items()}),
                                 lambda b: {k: v.astype(np.float32) for k, v in np_load_st(b).items()}),
                "BF16": described(arrays, torch_save_st({k: torch.from_numpy(v.copy()).to(torch.bfloat16) for k, v in arrays.items()}),
                                  lambda b: {k: v.float().numpy() for k, v in torch_load_st(b).items()}),
                "npy": described({"": first}, npy.getvalue(), lambda b: {"": np.load(io.BytesIO(b))}),
            },
            "other": [other_safetensors(rng), other_npy(rng)],
        })
    versions = {"numpy": np.__version__, "torch": torch.__version__.split("+")[0]}
    import safetensors
    versions["safetensors"] = safetensors.__version__
    with open(path, "w") as f:
        json.dump({"seed": SEED, "versions": versions, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    make(sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/formats/roundtrip.json")
