"""Speed of Pfalz, Berdahl & Allison's concurrent train-and-dream loop, faithful against fast, per approach.

For each approach at the paper's size (n = 100, L = 1024) and at a CPU-friendly size
(n = 100, L = 128), with untrained seeded weights (speed does not depend on training):

* **faithful**: one compiled train step and one compiled dream step on all n rows per
  iteration, called from Python, the data cut in numpy (the original's two ``sess.run``);
* **fast**: the iterations in one compiled loop, data, seed and states on the device, the
  dream on the last row only (all n rows for the transpose);
* iterations per second (one training update and one dream step each), dream samples per
  second (vector: L per step; magnitude: a hop; column and transpose: 1), the real-time
  factor (dream audio seconds per wall second, 11025 Hz), and the fraction of this
  machine's measured float32 matmul peak that the useful FLOPs reach (train ≈ 3 forward
  passes on n rows, plus the dream's forward on the rows it reads).  The magnitude approach
  runs at hop L/4 (Example 7's 256 at L = 1024).

Prints a Markdown table and writes it to ``benchmarks/out/dreaming_speed.md``.

    python benchmarks/dreaming_speed.py [--sizes 1024 128] [--iterations 60]

(Not ``dreaming.py``: run as a script, that name would shadow the package it times.)
"""

from __future__ import annotations

import argparse
import time

from shared.rundir import quiet_tensorflow  # noqa: E402

quiet_tensorflow()  # a benchmark is a process start, as a script is

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from dreaming.config import DreamingConfig  # noqa: E402
from dreaming.features import iterations_per_epoch, layout, training_pair  # noqa: E402
from dreaming.sampling import fast_rows  # noqa: E402
from dreaming.training import Dreamer  # noqa: E402
from timing import machine, timed, write_table  # noqa: E402  (benchmarks/timing.py)

RATE = 11025


def matmul_peak(size: int = 2048, repeats: int = 5) -> float:
    """Measured float32 matmul throughput in FLOP/s (median of ``repeats`` products of two size × size matrices)."""
    a = tf.random.normal((size, size))
    product = tf.function(lambda x: tf.matmul(x, x))
    product(a).numpy()
    seconds, _ = timed(lambda: product(a).numpy(), repeats)
    return 2 * size ** 3 / seconds


def forward_flops(approach: str, length: int, rows: int) -> float:
    """Multiply-adds × 2 of one forward pass over ``rows`` rows: the cell's two [L, 4L] products and the head."""
    head = 2 * length * length if approach in ("vector", "magnitude") else 2 * length
    return rows * (16 * length * length + head)


def measure(approach: str, length: int, rows: int, iterations: int, repeats: int) -> dict:
    config = DreamingConfig(approach=approach, seg_len=length, rows=rows, input_keep=1.0, hop=length // 4)
    cut = layout(config)
    rng = np.random.default_rng(0)
    data = (rng.standard_normal((2000, length)) if cut.frames else rng.standard_normal(400000)).astype(np.float32) * 0.1
    dreamer = Dreamer(config, cut, data, iterations_per_epoch(len(data), cut))
    zeros = np.zeros((rows, length), np.float32)
    seed = np.zeros((1, rows, length), np.float32)

    def faithful():
        h = c = zeros
        dream_h = dream_c = seed
        for k in range(iterations):
            x, y = training_pair(data, k, cut)
            _, h, c = dreamer.train_step(x, y, h, c)
            output, dream_h, dream_c = dreamer.dream_step(seed, dream_h, dream_c)
            np.asarray(output)

    dream_rows = fast_rows(cut, approach)
    window = np.zeros((1, dream_rows, length), np.float32)

    def fast():
        return dreamer.block(tf.constant(0), tf.constant(iterations), zeros, zeros, window, window, window)[0].numpy()

    dreamer.block(tf.constant(0), tf.constant(2), zeros, zeros, window, window, window)  # trace
    x, y = training_pair(data, 0, cut)
    dreamer.train_step(x, y, zeros, zeros), dreamer.dream_step(seed, seed, seed)  # trace
    faithful_seconds, _ = timed(faithful, 1)
    fast_seconds, _ = timed(fast, repeats)
    per_step = cut.length if approach == "vector" else (config.hop if approach == "magnitude" else 1)
    flops = {"faithful": 3 * forward_flops(approach, length, rows) + forward_flops(approach, length, rows),
             "fast": 3 * forward_flops(approach, length, rows) + forward_flops(approach, length, dream_rows)}
    return {"faithful": iterations / faithful_seconds, "fast": iterations / fast_seconds, "per_step": per_step,
            "flops": flops}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1024, 128])
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    peak = matmul_peak()
    print(f"float32 matmul peak: {peak / 1e9:.1f} GFLOP/s", flush=True)
    lines = [f"Machine: {machine()}; measured float32 matmul peak {peak / 1e9:.1f} GFLOP/s (2048 × 2048, median of 5).",
             f"n = {args.rows} rows; {args.iterations} iterations (one update and one dream step each); fast: median "
             f"of {args.repeats} runs, faithful: one run; untrained seeded weights, dropout off.", "",
             "| approach | L | faithful (it/s) | fast (it/s) | fast / faithful | dream samples/s (fast) | "
             "real-time factor (fast) | share of matmul peak (faithful → fast) |", "|---|---|---|---|---|---|---|---|"]
    for length in args.sizes:
        iterations = args.iterations if length >= 512 else args.iterations * 10
        for approach in ("vector", "magnitude", "transpose", "column"):
            result = measure(approach, length, args.rows, iterations, args.repeats)
            samples = result["fast"] * result["per_step"]
            share = {mode: result[mode] * result["flops"][mode] / peak for mode in ("faithful", "fast")}
            lines.append(f"| {approach} | {length} | {result['faithful']:.1f} | {result['fast']:.1f} | "
                         f"{result['fast'] / result['faithful']:.1f}× | {samples:,.0f} | {samples / RATE:.3g} | "
                         f"{100 * share['faithful']:.0f} % → {100 * share['fast']:.0f} % |")
            print(lines[-1], flush=True)
    lines += ["", f"Measured in {time.perf_counter() - started:.0f} s."]
    write_table("dreaming_speed", lines)


if __name__ == "__main__":
    main()
