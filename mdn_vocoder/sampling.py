"""Glover's sampling (``sample.lua``, ``mdn.lua:137-155``, ``data.lua:83-137``): a trained model's frames, made sound.

This module holds the generation that ``mdn_vocoder.generate``, ``mdn_vocoder.analyse``, the
tests and ``benchmarks/mdn_vocoder_speed.py`` share: :func:`priming_inputs` (the 10·S + 1
priming steps), the two loops, :func:`sample_faithful` (one model call per step from Python,
as ``sample.lua``) and :class:`FastSampler` (priming and generation in one compiled loop,
the same steps), :func:`integrate` (de-normalised samples summed from the initial frame, with
the optional resets), :func:`frame_spread`, :func:`write_output` (resynthesis to 32-bit PCM)
and :func:`generate_output`, which samples a trained run and writes the ``.wav`` and its
``.json``.  TensorFlow is imported by the functions that run the model, not with this module.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from mdn_vocoder import phase_vocoder
from mdn_vocoder.config import BLOG_RESULTS, MdnConfig
from mdn_vocoder.features import deinterleave, denormalise, interleave
from shared import audio
from shared.rundir import load_config, write_json


def priming_inputs(x: np.ndarray, config: MdnConfig) -> np.ndarray:
    """The 10·S + 1 priming inputs: stream 0's first chunk x[0:S], cyclically (sample.lua:28-38)."""
    steps = 10 * config.seq_length + 1
    return x[np.arange(steps) % config.seq_length].astype(np.float32)


def sample_faithful(model, states, prime: np.ndarray, noise: np.ndarray, config: MdnConfig,
                    progress=False) -> np.ndarray:
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
    """Priming and generation in one compiled loop over the model's cells and head (:func:`sample_faithful`'s steps)."""

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
    """Normalised samples (T, D) → frames (T, D): summed from the initial frame (deltas), or as they are (absolute).

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


def generate_output(run_dir, config: MdnConfig, mode="faithful", name=None, progress=True, out_dir=None) -> dict:
    """Sample ``config.length`` frames and write them (plus the analysis round trip) to ``out_dir``
    (default ``generated/``); returns the summary."""
    from mdn_vocoder.model import load_trained

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
        "wav": f"{name}.wav", "mode": mode, "bias": config.bias, "spread": config.spread,
        "length_frames": config.length,
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
