"""Speed of Glover's pipeline: training iterations per second, generation as a real-time factor, and the phase vocoder.

For each preset (untrained seeded weights: speed does not depend on training):

* training: iterations per second of the compiled step (one chunk of B streams × S steps,
  the summed MDN loss, Adagrad), the LSTM state carried, measured over ``--iterations``;
* generation: a 1000-frame sample (priming included) in faithful mode (one model call per
  step from Python, as ``sample.lua``) and fast mode (one compiled loop), as audio seconds
  per wall second, with the largest difference between the two;
* the phase vocoder on 10 s of a 440 Hz tone at the preset's FFT size: the vectorised
  analysis and resynthesis against the per-frame Python loops (``analyse_loop``,
  ``synthesise_loop``).

Prints a Markdown table and writes it to ``benchmarks/out/mdn_vocoder_speed.md``.

    python benchmarks/mdn_vocoder_speed.py [--presets sine clarinet piano] [--repeats 3] [--iterations 300]

(Not ``mdn_vocoder.py``: run as a script, that name would shadow the package it times.)
"""

from __future__ import annotations

import argparse

from shared.rundir import quiet_tensorflow  # noqa: E402

quiet_tensorflow()  # a benchmark is a process start, as a script is

import keras  # noqa: E402
import numpy as np  # noqa: E402

from mdn_vocoder import phase_vocoder  # noqa: E402
from mdn_vocoder.config import PRESETS, MdnConfig  # noqa: E402
from mdn_vocoder.model import zero_states  # noqa: E402
from mdn_vocoder.sampling import FastSampler, priming_inputs, sample_faithful  # noqa: E402
from mdn_vocoder.training import Trainer  # noqa: E402
from timing import machine, timed, write_table  # noqa: E402  (benchmarks/timing.py)


def training_speed(config: MdnConfig, dimensions: int, iterations: int, repeats: int) -> float:
    keras.utils.set_random_seed(0)
    trainer = Trainer(config, dimensions)
    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((config.batch_size, config.seq_length, dimensions)).astype(np.float32)
    targets = rng.standard_normal(inputs.shape).astype(np.float32)

    def run():
        states = zero_states(config, config.batch_size)
        for _ in range(iterations):
            loss, states, _ = trainer.step_with_sigma(inputs, targets, states)  # the step train runs
        return float(loss)

    run()  # trace
    seconds, _ = timed(run, repeats)
    return iterations / seconds


def generation_speed(config: MdnConfig, dimensions: int, frames: int, repeats: int):
    keras.utils.set_random_seed(0)
    trainer = Trainer(config, dimensions)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((config.seq_length, dimensions)).astype(np.float32)
    noise = rng.standard_normal((frames, dimensions)).astype(np.float32)
    states = [state[:1] for state in zero_states(config, 1)]
    prime = priming_inputs(x, config)
    sampler = FastSampler(trainer.model, config)
    sampler(states, prime, noise[:2])  # trace
    fast_seconds, fast = timed(lambda: sampler(states, prime, noise), repeats)
    faithful_seconds, faithful = timed(lambda: sample_faithful(trainer.model, states, prime, noise, config), 1)
    audio_seconds = (frames * (config.fft_size // 4) + config.fft_size) / config.sample_rate
    return audio_seconds / faithful_seconds, audio_seconds / fast_seconds, float(np.abs(fast - faithful).max())


def vocoder_speed(fft_size: int, repeats: int):
    t = np.arange(441000) / 44100
    signal = 0.125 * np.sin(2 * np.pi * 440 * t)
    vector_analysis, frames = timed(lambda: phase_vocoder.analyse(signal, fft_size, 44100), repeats)
    loop_analysis, _ = timed(lambda: phase_vocoder.analyse_loop(signal, fft_size, 44100), 1)
    vector_synthesis, _ = timed(lambda: phase_vocoder.synthesise(frames, fft_size, 44100, 20), repeats)
    loop_synthesis, _ = timed(lambda: phase_vocoder.synthesise_loop(frames, fft_size, 44100, 20), 1)
    return vector_analysis, loop_analysis, vector_synthesis, loop_synthesis


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", nargs="+", default=["sine", "clarinet", "piano"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--frames", type=int, default=1000)
    args = parser.parse_args()
    models, vocoders = [], {}
    for preset in args.presets:
        config = MdnConfig(**PRESETS[preset])
        dimensions = 2 * config.components
        iterations_per_second = training_speed(config, dimensions, args.iterations, args.repeats)
        faithful_rtf, fast_rtf, difference = generation_speed(config, dimensions, args.frames, args.repeats)
        models.append((preset, config, iterations_per_second, faithful_rtf, fast_rtf, difference))
        print(f"{preset}: {iterations_per_second:.0f} it/s; generation {faithful_rtf:.2f}x / {fast_rtf:.1f}x "
              "real time", flush=True)
        if config.fft_size not in vocoders:
            vocoders[config.fft_size] = vocoder_speed(config.fft_size, args.repeats)
    table = [
        f"Machine: {machine()}.",
        f"Medians of {args.repeats} runs each (the per-frame loops and faithful generation: one run), measured in one "
        "process; untrained seeded weights.",
        "",
        "| preset | B × S | layers × units, mixtures | training (iterations/s) | "
        "generation, faithful (× real time) | generation, fast (× real time) | fast / faithful | "
        "max \\|fast − faithful\\| |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for preset, config, iterations_per_second, faithful_rtf, fast_rtf, difference in models:
        table.append(f"| {preset} | {config.batch_size} × {config.seq_length} | "
                     f"{config.num_layers} × {config.rnn_size}, "
                     f"{config.mixtures} | {iterations_per_second:.0f} | {faithful_rtf:.2f} | {fast_rtf:.1f} | "
                     f"{fast_rtf / faithful_rtf:.0f}× | {difference:.1e} |")
    table += ["", "Phase vocoder on 10 s at 44100 Hz (20 components resynthesised):", "",
              "| FFT | analysis, vectorised (s) | analysis, per-frame loop (s) | ratio | resynthesis, vectorised (s) | "
              "resynthesis, per-frame loop (s) | ratio |", "|---|---|---|---|---|---|---|"]
    for fft_size, (vector_analysis, loop_analysis, vector_synthesis, loop_synthesis) in vocoders.items():
        table.append(f"| {fft_size} | {vector_analysis:.3f} | {loop_analysis:.2f} | "
                     f"{loop_analysis / vector_analysis:.0f}× | {vector_synthesis:.3f} | {loop_synthesis:.2f} | "
                     f"{loop_synthesis / vector_synthesis:.0f}× |")
    write_table("mdn_vocoder_speed", table)


if __name__ == "__main__":
    main()
