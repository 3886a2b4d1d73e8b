"""Writes the bench-io checkpoint: 100 float32 tensors [1250, 1000] (~500 MB), seeded."""
import sys
import numpy as np
from safetensors.numpy import save_file

rng = np.random.default_rng(0)
tensors = {f"layers.{i // 10}.block{i % 10}.weight": rng.standard_normal((1250, 1000), dtype=np.float32) for i in range(100)}
save_file(tensors, sys.argv[1], metadata={"format": "pt"})
