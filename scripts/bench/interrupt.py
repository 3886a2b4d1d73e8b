"""Ctrl-C latency of dscript during long native operations: python interrupt.py DSCRIPT THREADS [ROUNDS].
Each case runs a script that sets up, saves a marker file (ready.npy), then repeats one long
operation; SIGINT is sent 0.5 s after the marker appears and the time until the "interrupted"
message appears on standard error is measured (and the exit status checked: 130). Prints one line
per case: the median and the largest of ROUNDS latencies in ms."""
import os
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time

dscript, threads = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
UNET = ('unet({sample_size: 32, in_channels: 3, out_channels: 3, block_out_channels: [64, 128], '
        'down_block_types: ["DownBlock2D", "AttnDownBlock2D"], up_block_types: ["AttnUpBlock2D", "UpBlock2D"]})')
CASES = [
    ("4000² matrix product chain", "let a = randn([4000, 4000]) / 63", "a @ a @ a @ a"),
    ("conv2d 256→256, [32, 256, 64, 64]", "let c = conv2d(256, 256, 3, padding: 1)\nlet x = randn([32, 256, 64, 64])", "c(x)"),
    ("attention [8, 4096, 64]", "let q = randn([8, 4096, 64])", "attention(q, q, q)"),
    ("ddim_sample, UNet 64/128 at 32×32", f"let u = {UNET}\nlet s = schedule(\"linear\")",
     "ddim_sample(u, s, shape: [16, 3, 32, 32], steps: 1000)"),
    ("UNet training step", f"let u = {UNET}\nlet x = randn([32, 3, 32, 32])\nlet opt = adam(u.params())",
     "fn() { opt.zero_grad(); mse(u(x, 10), x).backward(); opt.step() }()"),
]


def latency(setup, operation, folder):
    marker = os.path.join(folder, "ready.npy")
    if os.path.exists(marker):
        os.remove(marker)
    path = os.path.join(folder, "case.dscript")
    with open(path, "w") as f:
        f.write(f'{setup}\nsave("{marker}", zeros([1]))\nwhile true {{ let r = {operation} }}\n')
    p = subprocess.Popen([dscript, "--threads", threads, "-q", path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while not os.path.exists(marker):
        if p.poll() is not None:
            raise SystemExit(f"the case stopped early: {p.stderr.read().decode()[:300]}")
        time.sleep(0.01)
    time.sleep(0.5)
    sent = time.perf_counter()
    p.send_signal(signal.SIGINT)
    ready, _, _ = select.select([p.stderr], [], [], 60)
    got = time.perf_counter()
    message = os.read(p.stderr.fileno(), 4096).decode() if ready else ""
    p.wait(timeout=60)
    if p.returncode != 130 or "interrupted" not in message:
        raise SystemExit(f"expected 'interrupted' and status 130, got {p.returncode}: {message[:300]}")
    return (got - sent) * 1000


with tempfile.TemporaryDirectory() as folder:
    for name, setup, operation in CASES:
        times = [latency(setup, operation, folder) for _ in range(rounds)]
        print(f"{name:<40} {statistics.median(times):7.0f} {max(times):7.0f}")
