"""Speed of Sarroff & Casey's autoencoders: training frames per second per model size, and the per-frame latency.

For each model (untrained seeded weights: speed does not depend on training):

* training: frames per second of ``model.fit`` (SGD, batch 100, the summed loss) over one
  epoch of ``--frames`` random frames, the median of ``--repeats`` epochs after a warm-up
  one; and what that means for the paper's protocol: one 50,000-frame epoch, and 250 of them
  (pylearn2's cap; the stopping rule usually ends sooner);
* latency per frame (one frame at a time, as the instrument runs): the Keras model called on
  one frame, the numpy forward (``synth.NumpyAutoencoder``, what ``generate`` and the
  instrument use), and the whole ``Resynthesiser.process`` step (FFT, forward, inverse FFT,
  overlap-add), in microseconds and as a share of the hop (1024 samples at 22,050 Hz = 46.4 ms).

Prints a Markdown table and writes it to ``benchmarks/out/autoencoder_synth_speed.md``.

    python benchmarks/autoencoder_synth_speed.py [--models ae1-8 ae1-256 …] [--frames 5000] [--repeats 3]

(Not ``autoencoder_synth.py``: run as a script, that name would shadow the package it times.)
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from shared.rundir import quiet_tensorflow  # noqa: E402

quiet_tensorflow()  # a benchmark is a process start, as a script is

import numpy as np  # noqa: E402

from autoencoder_synth.config import AutoencoderConfig, model_settings  # noqa: E402
from autoencoder_synth.model import build_model, compile_model  # noqa: E402
from autoencoder_synth.synth import NumpyAutoencoder, Resynthesiser  # noqa: E402
from timing import machine, write_table  # noqa: E402  (benchmarks/timing.py)

MODELS = ("ae1-8", "ae1-256", "ae1-1024", "ae1-2048", "ae1-3500", "ae2-256-8", "ae2-1500-8", "deep-256-8",
          "deep-1500-8")
HOP_MS = 1000 * 1024 / 22050


def median_call_us(function, calls: int) -> float:
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return 1e6 * float(np.median(times))


def measure(name: str, frames: int, repeats: int, calls: int) -> dict:
    config = dataclasses.replace(AutoencoderConfig(), **model_settings(name))
    visible = config.hidden if config.kind == "ae2" else 1025  # AE2 reads AE1's codes
    model = build_model(config, visible)
    compile_model(model, config)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (frames, visible)).astype(np.float32)
    epochs = []
    for _ in range(repeats + 1):  # the first epoch compiles
        started = time.perf_counter()
        model.fit(x, x, batch_size=config.batch_size, epochs=1, shuffle=True, verbose=0)
        epochs.append(time.perf_counter() - started)
    rate = frames / float(np.median(epochs[1:]))
    frame = x[:1]
    keras_us = median_call_us(lambda: model(frame, training=False), calls)
    network = NumpyAutoencoder.from_model(model)
    numpy_us = median_call_us(lambda: network(frame[0].astype(np.float64)), calls)
    row = {"model": name, "rate": rate, "epoch_s": 50000 / rate, "keras_us": keras_us, "numpy_us": numpy_us,
           "max_diff": float(np.abs(np.asarray(model(frame)) - network(frame.astype(np.float64))).max())}
    if config.kind != "ae2":  # the whole per-block step of the instrument
        engine = Resynthesiser(network, np.ones(1025))
        block = rng.uniform(-0.5, 0.5, 2048)
        row["process_us"] = median_call_us(lambda: engine.process(block), calls)
    return row


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--frames", type=int, default=5000, help="frames per timed epoch")
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs (median)")
    parser.add_argument("--calls", type=int, default=300, help="per-frame calls timed (median)")
    args = parser.parse_args(argv)
    rows = []
    for name in args.models:
        rows.append(measure(name, args.frames, args.repeats, args.calls))
        print(f"{name}: {rows[-1]['rate']:.0f} frames/s", flush=True)
    lines = [f"Machine: {machine()}.", "",
             f"Training: `model.fit`, batch 100, median of {args.repeats} epochs of {args.frames} random frames. "
             "Latency: median of one-frame calls; `process` = the instrument's whole step for one block "
             f"(hop 1024 at 22,050 Hz = {HOP_MS:.1f} ms).", "",
             "| model | training frames/s | one 50k epoch (s) | 250 epochs (h) | Keras call (µs) "
             "| numpy forward (µs) | numpy ÷ Keras | process (µs) | process, % of hop | max \\|numpy − Keras\\| |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        process = row.get("process_us")
        lines.append(f"| {row['model']} | {row['rate']:.0f} | {row['epoch_s']:.1f} | {250 * row['epoch_s'] / 3600:.2f} "
                     f"| {row['keras_us']:.0f} | {row['numpy_us']:.0f} | {row['numpy_us'] / row['keras_us']:.2f} | "
                     + ("– | – |" if process is None
                        else f"{process:.0f} | {100 * process / (HOP_MS * 1000):.2f} |")
                     + f" {row['max_diff']:.1e} |")
    write_table("autoencoder_synth_speed", lines)


if __name__ == "__main__":
    main()
