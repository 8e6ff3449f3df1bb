"""GRUV's training helpers that need Keras: the callback that stops at Fiala's target loss, the monitor's sample.

This module holds :class:`StopBelowLoss`, the Keras callback that ends training once an
epoch's loss is below a target (Fiala trained "until MSE < ~0.15"), and :func:`monitor_sampler`,
what ``train --tensorboard`` logs at each checkpoint; they live here, at module level, so that
``gruv.train`` can import Keras only after its arguments are parsed.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from gruv.config import GruvConfig
from shared.audio import int16_to_float


class StopBelowLoss(keras.callbacks.Callback):
    """Stop once an epoch's training loss is below ``target`` (Fiala: "trained until MSE < ~0.15")."""

    def __init__(self, target: float):
        super().__init__()
        self.target = target

    def on_epoch_end(self, epoch, logs=None):
        if logs and logs.get("loss", np.inf) < self.target:
            print(f"\nloss {logs['loss']:.4f} < target {self.target}: stopping after epoch {epoch + 1}")
            self.model.stop_training = True


def monitor_sampler(run_dir, config: GruvConfig, x: np.ndarray, seconds: float = 2.0):
    """``sample(model) -> (waveform, rate)`` for ``train --tensorboard``: a fast-mode generation, made audio.

    The run's seed example (:func:`gruv.sampling.choose_seed`), ``generate_steps`` frames of
    :class:`gruv.sampling.FastGenerator` (GRUV's loop feeding back the last output), de-normalised as
    ``denormalize`` says and turned into samples by :func:`gruv.sampling.frames_to_audio`; the last
    ``seconds`` of it (where the generated frames are), as floats.
    """
    from gruv.sampling import FastGenerator, choose_seed, frames_to_audio

    seed, _ = choose_seed(x, config)
    with np.load(Path(run_dir) / "data" / "stats.npz") as stats:
        mean, std = (stats["mean"], stats["var"]) if config.denormalize else (None, None)

    def sample(model):
        frames = FastGenerator(model)(seed, config.generate_steps)  # the weights are read now: one per sample
        samples = frames_to_audio(frames, config, mean, std)
        return int16_to_float(samples[-int(seconds * config.sample_rate):]), config.sample_rate

    return sample
