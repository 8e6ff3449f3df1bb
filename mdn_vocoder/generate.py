"""Glover's sampling (``sample.lua``, ``mdn.lua:137-155``, ``data.lua:83-137``): frames from the model, then sound.

As the original (facts §5):

1. the LSTM starts from the final training state (row 0), not zeros;
2. it is primed with 10·S + 1 steps of the first S training inputs of stream 0, fed
   cyclically; the outputs are discarded;
3. the first generation input is **zeros**; each step's sample is fed back as the next input;
4. each sample takes the highest-weight component and draws μ + √(bias·σ)·z (``--bias`` 1 by
   default; 1e-5 is the blog's "reducing the variance by 10^-5");
5. the samples are de-normalised and summed from the initial (middle) frame, no clamping
   (``representation=absolute``: used as frames directly);
6. the frames are resynthesised (:func:`mdn_vocoder.phase_vocoder.synthesise`) and written as
   ``floor(y·2^31)`` 32-bit PCM at the configured rate.

``--reset-every R`` (the blog's trick, in no commit): every R frames the integrator jumps to a
training frame drawn uniformly from the middle half, the network's input unchanged.

**faithful** runs the model one step at a time from Python, as ``sample.lua`` runs its clones;
**fast** runs priming and generation inside one compiled ``tf.function`` loop over the
layers' cells.  Both draw z from the same numpy stream (seeded ``--seed``), so they give the
same frames (``tests/test_mdn_vocoder.py`` states the difference).

    python -m mdn_vocoder.generate --run runs/mdn/sine --length 3000 --bias 1e-5 [--mode fast]

Writes ``generated/<name>.wav`` and ``<name>.json`` (what ``shared.evaluate`` compares it
with, and the frame-to-frame spread of the generated frames beside the training frames'),
plus ``generated/analysis_resynthesis.wav``: the training frames through the same
resynthesis, the best the vocoder can do.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from mdn_vocoder import phase_vocoder
from mdn_vocoder.config import BLOG_RESULTS, MdnConfig
from mdn_vocoder.preprocess import deinterleave, denormalise, interleave
from shared import audio
from shared.rundir import InputError, add_common_arguments, apply_overrides, cli_main, load_config, write_json
from shared.rundir import check_output_folder, check_run_data, load_keras_model  # bad-input guards


def load_trained(run_dir):
    """(model, carried final state) of a trained run."""
    import mdn_vocoder.model  # noqa: F401  (registers the custom cell, initializer and optimizer)

    run_dir = Path(run_dir)
    for name in ("model.keras", "state.npz"):
        if not (run_dir / name).is_file():
            raise InputError(run_dir / name, "missing: run `python -m mdn_vocoder.train` for this run first")
    check_run_data(run_dir, ["state.npz"], "mdn_vocoder.train")
    data = run_dir / "data" / "x.npy"  # the frames' size, when the run's data is here, guards against another run's model
    dims = np.load(data, mmap_mode="r").shape[-1] if data.is_file() else None
    model = load_keras_model(run_dir / "model.keras", "mdn_vocoder.train", input_dim=dims)
    with np.load(run_dir / "state.npz") as saved:
        states = [saved[f"state_{i}"][:1].astype(np.float32) for i in range(len(saved.files))]  # row 0 (sample.lua:22-25)
    return model, states


def priming_inputs(x: np.ndarray, config: MdnConfig) -> np.ndarray:
    """The 10·S + 1 priming inputs: stream 0's first chunk x[0:S], cyclically (sample.lua:28-38)."""
    steps = 10 * config.seq_length + 1
    return x[np.arange(steps) % config.seq_length].astype(np.float32)


def sample_faithful(model, states, prime: np.ndarray, noise: np.ndarray, config: MdnConfig, progress=False) -> np.ndarray:
    """The original's loop: one forward call per step; returns the (length, D) normalised samples."""
    from keras import ops

    from mdn_vocoder.mdn import sample

    dimensions = prime.shape[1]
    states = [ops.convert_to_tensor(state) for state in states]
    for step in prime:
        states = model([ops.convert_to_tensor(step[None, None]), *states], training=False)[1:]
    current, out = np.zeros((1, 1, dimensions), np.float32), np.empty((len(noise), dimensions), np.float32)
    for t in tqdm(range(len(noise)), desc="frames", disable=not progress, unit="frame"):
        outputs = model([ops.convert_to_tensor(current), *states], training=False)
        states = outputs[1:]
        drawn = sample(outputs[0][:, 0], noise[t][None], config.mixtures, dimensions, config.bias, config.spread)
        out[t] = np.asarray(drawn)[0]
        current = out[t][None, None]
    return out


class FastSampler:
    """Priming and generation in one compiled loop over the model's cells and head (same steps as :func:`sample_faithful`)."""

    def __init__(self, model, config: MdnConfig):
        import tensorflow as tf

        self.cells = [layer.cell for layer in model.layers if hasattr(layer, "cell")]
        self.head = model.get_layer("mdn")
        self.config = config
        self.run = tf.function(self._run, reduce_retracing=True)

    def _advance(self, inputs, states):
        new_states = []
        for layer, cell in enumerate(self.cells):
            inputs, state = cell(inputs, states[2 * layer:2 * layer + 2], training=False)
            new_states += list(state)
        return inputs, new_states

    def _run(self, prime, noise, states):
        import tensorflow as tf

        from mdn_vocoder.mdn import sample

        states = list(states)
        for t in tf.range(tf.shape(prime)[0]):
            _, states = self._advance(prime[t][None], states)
        current = tf.zeros((1, tf.shape(prime)[1]))
        out = tf.TensorArray(tf.float32, size=tf.shape(noise)[0])
        for t in tf.range(tf.shape(noise)[0]):
            hidden, states = self._advance(current, states)
            current = sample(self.head(hidden), noise[t][None], self.config.mixtures, prime.shape[1], self.config.bias,
                             self.config.spread)
            out = out.write(t, current[0])
        return out.stack()

    def __call__(self, states, prime: np.ndarray, noise: np.ndarray) -> np.ndarray:
        return self.run(prime, noise.astype(np.float32), [np.asarray(state) for state in states]).numpy()


def integrate(samples: np.ndarray, stats, config: MdnConfig, training_frames: np.ndarray, rng) -> np.ndarray:
    """Normalised samples (T, D) → frames (T, D): summed from the initial frame (deltas) or taken as they are (absolute).

    With ``reset_every`` = R > 0, before frames R, 2R, … the running frame is replaced by a
    training frame drawn uniformly from indices [F/4, 3F/4] (the blog's reset; our period).
    """
    values = denormalise(samples, stats)
    if config.representation == "absolute":
        return values
    frames, current = np.empty_like(values), np.array(stats["initial_frame"], dtype=np.float64)
    count = len(training_frames)
    for t, delta in enumerate(values):
        if config.reset_every and t and t % config.reset_every == 0:
            current = training_frames[rng.integers(count // 4, 3 * count // 4 + 1)].copy()
        current = current + delta  # faithful: no clamping, amplitudes may go negative
        frames[t] = current
    return frames


def frame_spread(frames: np.ndarray, reset_every: int = 0) -> dict:
    """Median over bins 1..P−1 of the std of successive frame differences: amplitude and Hz (the blog's "variance").

    With resets, the jumps onto reset frames are left out (they are not the model's steps).
    """
    steps = np.diff(np.asarray(frames)[:, 2:], axis=0)
    if reset_every:
        steps = steps[np.arange(1, len(frames)) % reset_every != 0]
    return {"amplitude_step_std": float(np.median(steps[:, 0::2].std(axis=0))),
            "frequency_step_std_hz": float(np.median(steps[:, 1::2].std(axis=0)))}


def output_name(config: MdnConfig, mode: str) -> str:
    reset = f"_reset{config.reset_every}" if config.reset_every else ""
    spread = "" if config.spread == "faithful" else "_corrected"
    return f"sample_bias{config.bias:g}{reset}{spread}_len{config.length}_seed{config.sample_seed}" + \
           ("" if mode == "faithful" else "_fast")


def write_output(path: Path, frames: np.ndarray, config: MdnConfig) -> np.ndarray:
    """Resynthesise (T, D) frames and write them as the original's 32-bit PCM; returns the float signal."""
    signal = phase_vocoder.synthesise(deinterleave(frames), config.fft_size, config.sample_rate, config.components)
    audio.write_wav(path, phase_vocoder.to_int32(signal), config.sample_rate, subtype="PCM_32")
    return signal


def generate(run_dir, config: MdnConfig, mode="faithful", name=None, progress=True, out_dir=None) -> dict:
    """Sample ``config.length`` frames and write them (plus the analysis round trip) to ``out_dir``
    (default ``generated/``); returns the summary."""
    run_dir = Path(run_dir)
    _, document = load_config(run_dir, MdnConfig)
    data = run_dir / "data"
    x, stats = np.load(data / "x.npy"), dict(np.load(data / "stats.npz"))
    training_frames = interleave(np.load(data / "frames.npy"))[: document["kept_frames"]]
    model, states = load_trained(run_dir)
    rng = np.random.default_rng(config.sample_seed)
    noise = rng.standard_normal((config.length, x.shape[1])).astype(np.float32)
    prime = priming_inputs(x, config)
    started = time.perf_counter()
    if mode == "fast":
        samples = FastSampler(model, config)(states, prime, noise)
    else:
        samples = sample_faithful(model, states, prime, noise, config, progress)
    seconds = time.perf_counter() - started
    frames = integrate(samples, stats, config, training_frames, rng)
    out_dir = Path(out_dir) if out_dir else run_dir / "generated"
    name = name or output_name(config, mode)
    signal = write_output(out_dir / f"{name}.wav", frames, config)
    round_trip = out_dir / "analysis_resynthesis.wav"
    write_output(round_trip, training_frames, config)
    audio_seconds = len(signal) / config.sample_rate
    cutoff = (config.components - 1) * config.sample_rate / config.fft_size
    summary = {
        "wav": f"{name}.wav", "mode": mode, "bias": config.bias, "spread": config.spread, "length_frames": config.length,
        "reset_every": config.reset_every, "seed": config.sample_seed, "representation": config.representation,
        "generation_seconds": seconds, "real_time_factor": audio_seconds / seconds,
        "generated": frame_spread(frames, config.reset_every), "training": frame_spread(training_frames),
        "finite": bool(np.isfinite(frames).all()), "negative_amplitudes": float(np.mean(frames[:, 2::2] < 0)),
        "evaluation": {"reference": document["input"], "reference_label": "the training note",
                       "band_hz": cutoff,
                       "source_numbers": BLOG_RESULTS.get(config.preset, {})},
    }
    write_json(out_dir / f"{name}.json", summary)
    write_json(round_trip.with_suffix(".json"), {
        "wav": round_trip.name, "mode": "analysis frames → resynthesis",
        "evaluation": {"reference": document["input"], "reference_label": "the training note", "band_hz": cutoff}})
    return summary


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mdn_vocoder.generate", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--mode", choices=("faithful", "fast"), default="faithful")
    parser.add_argument("--length", type=int, default=None, help="frames to generate (sample.lua -length; default 1000)")
    parser.add_argument("--bias", type=float, default=None, help="sample variance scalar (1; 1e-5 = the blog's reduced variance)")
    parser.add_argument("--reset-every", type=int, default=None, metavar="FRAMES",
                        help="jump to a training frame every FRAMES frames (the blog's reset trick; 0 = off)")
    parser.add_argument("--spread", choices=("faithful", "corrected"), default=None,
                        help="faithful: draw std sqrt(bias·sigma); corrected: sqrt(bias)·sigma")
    parser.add_argument("--seed", type=int, default=None, help="seed of the draws (sample.lua -seed; default 123)")
    parser.add_argument("--name", default=None, help="output file name without .wav")
    args = parser.parse_args(argv)
    config = apply_overrides(load_config(args.run, MdnConfig)[0], args.overrides)
    chosen = {"length": args.length, "bias": args.bias, "reset_every": args.reset_every, "spread": args.spread,
              "sample_seed": args.seed}
    config = dataclasses.replace(config, **{key: value for key, value in chosen.items() if value is not None})
    if config.length < 1:
        raise InputError("--length", f"must be at least 1, not {config.length}")
    if config.reset_every < 0:
        raise InputError("--reset-every", f"must be 0 (off) or more, not {config.reset_every}")
    if not config.bias > 0:
        raise InputError("--bias", f"must be positive, not {config.bias}")
    check_run_data(args.run, ["data/x.npy", "data/stats.npz", "data/frames.npy"], "mdn_vocoder.preprocess")
    check_output_folder(args.run / "generated", "--run")
    summary = generate(args.run, config, args.mode, args.name)
    generated = summary["generated"]
    print(f"wrote {Path(args.run) / 'generated' / summary['wav']}: {config.length} frames in "
          f"{summary['generation_seconds']:.1f} s ({summary['real_time_factor']:.1f}x real time); frame-to-frame std "
          f"{generated['frequency_step_std_hz']:.3g} Hz (training {summary['training']['frequency_step_std_hz']:.3g} Hz)")


if __name__ == "__main__":
    cli_main(main)
