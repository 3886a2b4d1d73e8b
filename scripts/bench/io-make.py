"""Writes a bench-io checkpoint, seeded: 100 float32 tensors [1250, 1000] (~500 MB), or with `many`,
100,000 float32 tensors [4] (a checkpoint of many small tensors)."""
import sys
import numpy as np
from safetensors.numpy import save_file

rng = np.random.default_rng(0)
if len(sys.argv) > 2 and sys.argv[2] == "many":
    tensors = {f"layers.{i // 100}.block{i % 100}.bias": rng.standard_normal(4, dtype=np.float32) for i in range(100_000)}
else:
    tensors = {f"layers.{i // 10}.block{i % 10}.weight": rng.standard_normal((1250, 1000), dtype=np.float32) for i in range(100)}
save_file(tensors, sys.argv[1], metadata={"format": "pt"})
