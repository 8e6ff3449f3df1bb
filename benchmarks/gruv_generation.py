"""Wall time of GRUV's faithful vs fast generation at GRUV's default sizes.

The faithful loop re-runs the whole growing sequence through ``model.predict_on_batch``
at every step (O(n²)); the fast one carries the LSTM state and runs one step per new frame
(O(n)).  Both start from the same 40-frame seed with the same 53,574,178 weights (untrained,
seeded: timing and agreement do not depend on training).  Prints a Markdown table and writes
it to ``benchmarks/out/gruv_generation.md``.

    python benchmarks/gruv_generation.py [--lengths 49 400] [--repeats 3 1]
"""

from __future__ import annotations

import argparse

from shared.rundir import quiet_tensorflow  # noqa: E402

quiet_tensorflow()  # a benchmark is a process start, as a script is

import keras  # noqa: E402
import numpy as np  # noqa: E402

from gruv.config import GruvConfig  # noqa: E402
from gruv.model import build_model  # noqa: E402
from gruv.sampling import FastGenerator, generate_faithful  # noqa: E402
from timing import machine, timed, write_table  # noqa: E402  (benchmarks/timing.py)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[49, 400], help="output frames (GRUV: 49)")
    parser.add_argument("--repeats", type=int, nargs="+", default=[3, 3], help="timed runs per length (median)")
    args = parser.parse_args()

    config = GruvConfig()
    keras.utils.set_random_seed(0)
    model = build_model(config)
    seed = np.random.default_rng(0).standard_normal((1, config.max_seq_len, config.feature_dims)).astype(np.float32)

    generate_faithful(model.predict_on_batch, seed, 3)  # warm-up: trace both paths once
    fast_generator = FastGenerator(model)
    fast_generator(seed, 3)

    rows = []
    for length, repeats in zip(args.lengths, args.repeats + [args.repeats[-1]] * len(args.lengths)):
        steps = length - config.max_seq_len + 1
        faithful_seconds, faithful = timed(lambda: generate_faithful(model.predict_on_batch, seed, steps), repeats)
        fast_seconds, fast = timed(lambda: fast_generator(seed, steps), repeats)
        difference = float(np.abs(faithful - fast).max())
        rows.append((length, repeats, faithful_seconds, fast_seconds, faithful_seconds / fast_seconds, difference))
        print(f"{length} frames: faithful {faithful_seconds:.2f} s, fast {fast_seconds:.2f} s, "
              f"ratio {faithful_seconds / fast_seconds:.1f}, max |diff| {difference:.2e}", flush=True)

    table = [
        f"Machine: {machine()}.",
        f"Model: GRUV defaults ({model.count_params():,} parameters), seed of {config.max_seq_len} frames x "
        f"{config.feature_dims} features; times are medians of the stated number of runs, measured in one process.",
        "",
        "| output frames | runs | faithful (s) | fast (s) | faithful / fast | max abs difference |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    table += [f"| {n} | {r} | {a:.2f} | {b:.2f} | {a / b:.1f}x | {d:.1e} |" for n, r, a, b, _, d in rows]
    write_table("gruv_generation", table)


if __name__ == "__main__":
    main()
