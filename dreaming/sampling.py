"""Pfalz, Berdahl & Allison's dreams: the FIFO that feeds the network its own output, the two dream loops, the audio.

This module holds what training, generation, the tests and ``benchmarks/dreaming_speed.py``
share to dream: :func:`shift_in`, the one FIFO update of a dream step (fp0:197-213; numpy
arrays in the faithful loops, tensors in the compiled ones) and :func:`advance_seed`, the
same for one seed; :func:`fast_rows` (the seed rows a fast dream reads);
:func:`dream_faithful` (one model call per step from Python) and :class:`FastDreamer` (B
dreams in one compiled loop); and :func:`dream_audio`, the kept elements as sound.
TensorFlow is imported by the compiled loop, not with this module.
"""

from __future__ import annotations

import numpy as np
from tqdm import tqdm

from dreaming.config import DreamingConfig
from dreaming.features import Layout


def shift_in(window, output, approach: str):
    """The FIFO update of one dream step on a batch: (new window, the kept elements).

    ``window`` (B, R, L) is the seed rows the step read, ``output`` (B, R, L), (B, R, 1) or,
    transpose, (B, 1, 1) what the network made of them.  Vector, magnitude: row 0 dropped, the
    output's last row appended and kept (B, L); column, transpose: the flattened window shifted
    by one sample, the last row's prediction (column) or the head's one output (transpose) put
    in the last slot and kept (B, 1).  numpy arrays are shifted with numpy (the faithful loops),
    tensors with TensorFlow (inside the compiled loops), the same steps.
    """
    if isinstance(window, np.ndarray):
        concat, reshape, shape = np.concatenate, np.reshape, np.shape
    else:
        import tensorflow as tf

        concat, reshape, shape = tf.concat, tf.reshape, tf.shape
    if approach in ("vector", "magnitude"):
        row = output[:, -1:]
        return concat([window[:, 1:], row], axis=1), row[:, 0]
    element = output[:, -1, -1:]
    size = shape(window)
    flat = reshape(window, (size[0], -1))
    return reshape(concat([flat[:, 1:], element], axis=1), size), element


def advance_seed(seed: np.ndarray, output: np.ndarray, approach: str) -> tuple[np.ndarray, np.ndarray]:
    """The FIFO update of one dream step (fp0:197-213) on one seed (n, L): (new seed, the kept element(s))."""
    window, element = shift_in(seed[None], output[None], approach)
    return window[0], element[0]


def fast_rows(cut: Layout, approach: str) -> int:
    """Seed rows the fast dream reads: the last one, or all n for the transpose (its head mixes rows)."""
    return cut.rows if approach == "transpose" else 1


def dream_audio(kept: list, config: DreamingConfig, rng) -> np.ndarray:
    """The kept elements as audio: vectors concatenated, samples as they are, frames through the vocoder."""
    if config.approach == "magnitude":
        from dreaming import vocoder

        return vocoder.synthesise(np.stack(kept), config.hop, config.sample_rate, config.seg_len, peaks=config.peaks,
                                  tau=config.threshold or None, rng=rng)
    return np.concatenate(kept).astype(np.float64)


def dream_faithful(network, seed: np.ndarray, steps: int, config: DreamingConfig, progress=False) -> list:
    """One forward call per step on all n rows, the FIFO in numpy; returns the kept elements."""
    zeros = np.zeros((1, *seed.shape[:1], network.units), np.float32)
    h, c, kept = zeros, zeros, []
    for _ in tqdm(range(steps), desc="dream steps", disable=not progress, unit="step"):
        output, h, c = network(seed[None], h, c, dropout=config.dropout_in_dreams)
        seed, element = advance_seed(seed, np.asarray(output)[0], config.approach)
        kept.append(element)
    return kept


class FastDreamer:
    """B dreams at once in one compiled loop over the rows a dream reads (the last one, or all n for the transpose)."""

    def __init__(self, network, config: DreamingConfig, rows: int):
        import tensorflow as tf

        self.network, self.config, self.rows = network, config, rows
        self.run = tf.function(self._run, reduce_retracing=True)

    def _run(self, window, steps):
        import tensorflow as tf

        shape = tf.shape(window)
        h = c = tf.zeros(tf.concat([shape[:2], [self.network.units]], axis=0))
        kept = tf.TensorArray(tf.float32, size=steps)
        for i in tf.range(steps):
            output, h, c = self.network(window, h, c, dropout=self.config.dropout_in_dreams)
            window, element = shift_in(window, output, self.config.approach)
            kept = kept.write(i, element)
        return kept.stack()

    def __call__(self, seeds: np.ndarray, steps: int) -> np.ndarray:
        """``seeds`` (B, n, L) → kept elements (steps, B, L or 1)."""
        return self.run(np.asarray(seeds, np.float32)[:, -self.rows:], np.int32(steps)).numpy()
