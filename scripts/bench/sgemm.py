"""sgemm throughput: C = A @ B for n×n float32 matrices (python sgemm.py THREADS [n], n defaults to
1024). Prints GFLOP/s (best of 3 rounds of about 10·1024³ multiply-adds each)."""
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
reps = max(1, round(10 * (1024 / n) ** 3))
torch.manual_seed(0)
a, b = torch.randn(n, n), torch.randn(n, n)
c = a @ b
best = 0.0
for _ in range(3):
    t0 = time.perf_counter()
    for _ in range(reps):
        c = a @ b
    best = max(best, 2 * n ** 3 * reps / (time.perf_counter() - t0) / 1e9)
print(f"{best:.2f}")
