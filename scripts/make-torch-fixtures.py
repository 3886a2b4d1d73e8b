#!/usr/bin/env python3
"""PyTorch checkpoint files for dscript's weights-only reader (Tests/Fixtures/torch/), made by torch.save.

    /work/venv-ref/bin/python scripts/make-torch-fixtures.py

- `state_zip.pt` / `state_legacy.pt`: the same state dict saved in the zip format (torch >= 1.6, the
  default) and the legacy format (`_use_new_zipfile_serialization=False`): nn.Parameters and buffers of a
  small module, float16 / bfloat16 / float64 / int64 / int32 / uint8 / bool tensors, a transposed view,
  two views of one storage (at an offset), a 0-d tensor and an empty tensor.
- `checkpoint.ckpt`: a Lightning-style dict: {"state_dict": OrderedDict, "epoch", "global_step", "lr",
  "name", "flags": [True, None, 2.5], "shape": (3, 4), "nested": {"a": {"b": tensor}}}.
- `expected.safetensors`: every tensor above as float32 under its dotted name, for comparison;
  `expected.json`: the non-tensor values of checkpoint.ckpt.
- hostile files (never loaded by anything here; dscript must refuse them by name, as
  torch.load(weights_only=True) does): `evil_system.pt` (a zip whose data.pkl calls os.system via
  __reduce__), `evil_legacy.pt` (the same, legacy format), `evil_eval.pkl` (a bare pickle calling
  builtins.eval), `evil_numpy.pt` (a numpy array inside, i.e. numpy.core.multiarray._reconstruct),
  `torchscript.pt` (a torch.jit.save archive).
"""
import collections
import json
import os
import pickle

import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "torch")


class Evil:
    """Pickles as a call to os.system; the fixture only writes it."""
    def __reduce__(self):
        return (os.system, ("echo dscript-test-should-never-run-this",))


class EvalEvil:
    def __reduce__(self):
        return (eval, ("__import__('os').system('echo never')",))


def state():
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.LayerNorm(4))
    m.register_buffer("steps", torch.tensor([1, 2, 3], dtype=torch.int64))
    sd = m.state_dict(keep_vars=True)  # keep nn.Parameter objects: _rebuild_parameter
    base = torch.arange(12, dtype=torch.float32) * 0.5
    sd["half"] = torch.randn(2, 3).half()
    sd["bf16"] = torch.randn(5).bfloat16()
    sd["double"] = torch.randn(2, 2, dtype=torch.float64)
    sd["int32"] = torch.tensor([-7, 0, 2 ** 20], dtype=torch.int32)
    sd["uint8"] = torch.tensor([0, 255, 7], dtype=torch.uint8)
    sd["bool"] = torch.tensor([True, False, True])
    sd["transposed"] = torch.randn(3, 5).t()
    sd["view_a"] = base[2:8].view(2, 3)
    sd["view_b"] = base[5:11:2]
    sd["scalar"] = torch.tensor(3.25)
    sd["empty"] = torch.zeros(0, 4)
    return sd


def expected(prefix, sd):
    return {prefix + k: v.detach().float().contiguous().clone() for k, v in sd.items()}


def main():
    os.makedirs(OUT, exist_ok=True)
    sd = state()
    torch.save(sd, os.path.join(OUT, "state_zip.pt"))
    torch.save(sd, os.path.join(OUT, "state_legacy.pt"), _use_new_zipfile_serialization=False)
    nested_tensor = torch.tensor([[1.5, -2.0]])
    ckpt = {"state_dict": collections.OrderedDict((k, v.detach()) for k, v in sd.items() if k.startswith("0.")),
            "epoch": 3, "global_step": 1200, "lr": 1e-4, "name": "run-α", "flags": [True, None, 2.5], "shape": (3, 4),
            "big": 2 ** 40, "negative": -5, "nested": {"a": {"b": nested_tensor}}}
    torch.save(ckpt, os.path.join(OUT, "checkpoint.ckpt"))
    tensors = expected("", sd)
    tensors.update(expected("state_dict.", ckpt["state_dict"]))
    tensors["nested.a.b"] = nested_tensor
    save_file(tensors, os.path.join(OUT, "expected.safetensors"))
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({k: v for k, v in ckpt.items() if k not in ("state_dict", "nested")}, f)

    torch.save({"weight": torch.ones(2), "payload": Evil()}, os.path.join(OUT, "evil_system.pt"))
    torch.save({"payload": Evil()}, os.path.join(OUT, "evil_legacy.pt"), _use_new_zipfile_serialization=False)
    with open(os.path.join(OUT, "evil_eval.pkl"), "wb") as f:
        pickle.dump({"x": EvalEvil()}, f, protocol=2)
    import numpy as np
    torch.save({"array": np.arange(3)}, os.path.join(OUT, "evil_numpy.pt"))
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), os.path.join(OUT, "torchscript.pt"))
    for name in sorted(os.listdir(OUT)):
        print(f"{os.path.getsize(os.path.join(OUT, name)):8d}  {name}")


if __name__ == "__main__":
    main()
