"""Real-time budget of Sarroff & Casey's instrument: per-block compute time, and late blocks in a simulated live run.

For AE1 with HL1 = 256, 1024 and 2048 and the composed 256-8 model (untrained seeded
weights: speed does not depend on training), the live callback's work for one block —
``instrument.Session.step``: drain the pending messages (one fader move queued per block, as
a player riding a fader), one frame through |FFT| → encoders → × multipliers → decoders →
inverse FFT → overlap-add — is timed:

* over ``--blocks`` blocks back to back: median and 99th percentile, as a share of the block
  period (hop 1024 at 22,050 Hz = 46.4 ms; the aim is a 99th percentile under 10 %);
* in a simulated real-time run of ``--seconds`` (60 by default): block k starts when the
  clock reaches k periods, and is late if it is not done by the next period (target 0).

Prints a Markdown table and writes it to ``benchmarks/out/autoencoder_instrument.md``.

    python benchmarks/autoencoder_instrument.py [--models ae1-256 ae1-1024 ae1-2048 deep-256-8] [--seconds 60]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from types import SimpleNamespace

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from autoencoder_synth.config import AutoencoderConfig, model_settings  # noqa: E402
from autoencoder_synth.controls import ControlState  # noqa: E402
from autoencoder_synth.instrument import Instrument, Session  # noqa: E402
from autoencoder_synth.model import build_model  # noqa: E402
from autoencoder_synth.synth import NumpyAutoencoder  # noqa: E402
from timing import machine, write_table  # noqa: E402  (benchmarks/timing.py)

MODELS = ("ae1-256", "ae1-1024", "ae1-2048", "deep-256-8")
RATE, HOP = 22050, 1024
PERIOD = HOP / RATE


def session_for(name: str, seconds: float) -> Session:
    config = dataclasses.replace(AutoencoderConfig(), **model_settings(name))
    network = NumpyAutoencoder.from_model(build_model(config, 1025))
    state = ControlState(network.code_size)
    state.processing = True
    signal = np.random.default_rng(0).uniform(-0.5, 0.5, int(seconds * RATE) + 4096)
    return Session(Instrument(network, np.full(1025, 0.05), state, signal, loop=True))


def fader_move(block: int):
    return SimpleNamespace(type="control_change", channel=0, control=block % 8, value=block % 128)


def block_times(session: Session, blocks: int) -> np.ndarray:
    out, times = np.zeros((HOP, 1)), []
    for block in range(blocks):
        session.pending.put(("midi", fader_move(block)))
        started = time.perf_counter()
        session.step(out)
        times.append(time.perf_counter() - started)
    return np.array(times)


def simulated_run(session: Session, seconds: float) -> tuple[int, int]:
    """(blocks, late blocks): block k may start at k periods and must be done by k + 1."""
    out, late, count = np.zeros((HOP, 1)), 0, int(seconds / PERIOD)
    start = time.perf_counter()
    for block in range(count):
        wait = start + block * PERIOD - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        session.pending.put(("midi", fader_move(block)))
        session.step(out)
        late += time.perf_counter() > start + (block + 1) * PERIOD
    return count, late


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--blocks", type=int, default=2000, help="blocks timed back to back")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the simulated real-time run per model")
    args = parser.parse_args(argv)
    lines = [f"Machine: {machine()}.", "",
             f"One block = hop {HOP} at {RATE} Hz = {1000 * PERIOD:.1f} ms. Compute: `Session.step` over {args.blocks} blocks "
             f"back to back; simulated run: {args.seconds:g} s at the real block rate.", "",
             "| model | median (ms) | 99th percentile (ms) | median, % of period | 99th pct, % of period | "
             "simulated run: blocks | late blocks |", "|---|---|---|---|---|---|---|"]
    for name in args.models:
        session = session_for(name, max(args.seconds, args.blocks * PERIOD))
        block_times(session, 50)  # warm-up
        times = block_times(session, args.blocks)
        count, late = simulated_run(session, args.seconds)
        median, p99 = np.median(times), np.percentile(times, 99)
        lines.append(f"| {name} | {1000 * median:.2f} | {1000 * p99:.2f} | {100 * median / PERIOD:.2f} | "
                     f"{100 * p99 / PERIOD:.2f} | {count} | {late} |")
        print(lines[-1], flush=True)
    write_table("autoencoder_instrument", lines)


if __name__ == "__main__":
    main()
