"""What the PyTorch twins of the benchmarks (conv.py, train.py, unet.py) print: with --flops on the
command line the GFLOP of one step, for bench-engine's and bench-unet's share of peak; else its time."""
import sys
import time

COUNT_FLOPS = "--flops" in sys.argv


def print_gflop(step):
    """Prints the GFLOP of one call of `step` (matrix products, convolutions, attention), as
    torch.utils.flop_counter counts them."""
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as counter:
        step()
    print(f"{counter.get_total_flops() / 1e9:.4f}")


def report(step, warmup, n, decimals=3):
    """With --flops, prints the GFLOP of one step and exits; else runs `warmup` steps, then prints
    the mean milliseconds of `n` more with `decimals` decimals."""
    if COUNT_FLOPS:
        print_gflop(step)
        sys.exit()
    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    print(f"{(time.perf_counter() - t0) / n * 1000:.{decimals}f}")
