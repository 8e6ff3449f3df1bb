"""Wall time of Sander & Harder's faithful vs fast generation at the paper's length.

Faithful: the original loop, ``model.predict`` on the whole growing sequence for each new
slice (O(T²)); fast: the LSTM state carried from slice to slice in one ``tf.function``
(O(T)).  Run 4's network (guitar, 60 slices/s: 49-sample slices, 512 units, 2,149,937
parameters; untrained and seeded: timing and agreement do not depend on training), a prime
of 20 slices grown to 300 (5 s).  Prints a Markdown table and writes it to
``benchmarks/out/decay_generation.md``.

    python benchmarks/decay_generation.py [--presets run4 run5 cnn-lstm] [--repeats 3]
"""

from __future__ import annotations

import argparse

from shared.rundir import quiet_tensorflow  # noqa: E402

quiet_tensorflow()  # a benchmark is a process start, as a script is

import keras  # noqa: E402
import numpy as np  # noqa: E402

from decay.config import PRESETS, DecayConfig  # noqa: E402
from decay.features import block_layout, model_rate  # noqa: E402
from decay.model import build_model  # noqa: E402
from decay.sampling import StepGenerator, generate_faithful  # noqa: E402
from timing import machine, timed, write_table  # noqa: E402  (benchmarks/timing.py)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", nargs="+", default=["run4", "run5", "cnn-lstm"])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for preset in args.presets:
        config = DecayConfig(**PRESETS[preset])
        _, rate = model_rate(44100, config.highest_freq)  # the authors' notes are 44.1 kHz
        features, slices = block_layout(rate, config)
        keras.utils.set_random_seed(0)
        model = build_model(config, features)
        prime = np.random.default_rng(0).standard_normal((config.prime, features)).astype(np.float32)
        generate_faithful(model.predict_on_batch, prime, config.prime + 2)  # warm-up: trace both paths once
        step = StepGenerator(model)
        step(prime, config.prime + 2)
        faithful_seconds, faithful = timed(lambda: generate_faithful(model.predict_on_batch, prime, slices),
                                           args.repeats)
        fast_seconds, fast = timed(lambda: step(prime, slices), args.repeats)
        difference = float(np.abs(faithful - fast).max())
        rows.append((preset, model.count_params(), config.prime, slices, faithful_seconds, fast_seconds, difference))
        print(f"{preset}: faithful {faithful_seconds:.2f} s, fast {fast_seconds:.3f} s, "
              f"ratio {faithful_seconds / fast_seconds:.1f}, max |diff| {difference:.1e}", flush=True)
    table = [
        f"Machine: {machine()}.",
        f"Medians of {args.repeats} runs each, measured in one process; untrained seeded weights.",
        "",
        "| preset | parameters | prime → slices | faithful (s) | fast (s) | faithful / fast "
        "| max \\|faithful − fast\\| (normalised) |",
        "|---|---|---|---|---|---|---|",
    ]
    for preset, parameters, prime, slices, faithful_seconds, fast_seconds, difference in rows:
        table.append(f"| {preset} | {parameters:,} | {prime} → {slices} | {faithful_seconds:.2f} | "
                     f"{fast_seconds:.3f} | {faithful_seconds / fast_seconds:.0f}× | {difference:.1e} |")
    write_table("decay_generation", table)


if __name__ == "__main__":
    main()
