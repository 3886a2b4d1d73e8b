"""bench-io, Python side: `load` = safetensors.numpy.load_file; `stats` = safe_open, one tensor at a
time, mean / std / min / max / norm as dscript --stats prints. Prints seconds."""
import sys
import time
import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

mode, path = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if mode == "load":
    d = load_file(path)
    n = sum(v.size for v in d.values())
else:
    with safe_open(path, framework="numpy") as f:
        for k in f.keys():
            a = f.get_tensor(k)
            s = (a.mean(dtype=np.float64), a.std(ddof=1, dtype=np.float64), a.min(), a.max(),
                 np.sqrt(np.dot(a.ravel().astype(np.float64), a.ravel())), np.count_nonzero(~np.isfinite(a)))
print(f"{time.perf_counter() - t0:.3f}")
