"""Sander & Harder's generation loops and priming (``learn_decay/generate_seq.py``; README, "The method").

This module holds what continues a primed note, without the command line: :func:`note_slices`
(a preprocessed note's normalised slices and statistics, training or held out),
:func:`check_prime` (the accepted prime lengths), :func:`generate_faithful` (the original's
growing-sequence loop, model-agnostic) and :class:`StepGenerator` (the same slices from a
stateful loop in one ``tf.function``; TensorFlow is imported only when one is made).  Used by
``decay.generate``, the benchmark and the tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tqdm import tqdm

from shared.rundir import InputError


def note_slices(run_dir, document: dict, name: str):
    """(normalised slices (T, F), mean, std) of a preprocessed note, training or held out."""
    data = Path(run_dir) / "data"
    stats = np.load(data / "stats.npz")
    notes = document["notes"]
    if name in notes["train"]:
        index, x, mean, std = notes["train"].index(name), np.load(data / "x.npy"), stats["mean"], stats["std"]
    elif name in notes["heldout"]:
        index, x = notes["heldout"].index(name), np.load(data / "heldout_x.npy")
        mean, std = stats["heldout_mean"], stats["heldout_std"]
    else:
        accepted = ", ".join(notes["train"] + notes["heldout"])
        raise InputError("--notes", f"{name!r} is not a note of this run (accepted: {accepted})")
    if np.ndim(mean) == 0:
        return x[index], float(mean), float(std)
    return x[index], float(mean[index, 0, 0]), float(std[index, 0, 0])  # per-file statistics


def check_prime(prime, slices: int) -> None:
    """Refuse a prime that leaves nothing to generate: accepted are 1 ≤ P ≤ T − 1 slices.

    Raises
    ------
    InputError
        Naming ``--prime``, the value and the accepted range for notes of ``slices`` slices.
    """
    if isinstance(prime, bool) or not isinstance(prime, (int, np.integer)) or not 1 <= prime <= slices - 1:
        raise InputError("--prime", f"{prime} slices is outside the accepted range 1 to {slices - 1} (this run's "
                         f"notes have T = {slices} slices, and at least one slice must be generated after the prime)")


def generate_faithful(predict, prime: np.ndarray, slices: int, progress=False) -> np.ndarray:
    """The original loop: predict on the whole growing sequence, append its last output (generate_seq.py:87-118).

    ``prime``: (P, F) normalised; returns (slices, F) with the prime in the first P rows.
    """
    sequence = np.asarray(prime, dtype=np.float32)[None]
    for _ in tqdm(range(slices - len(prime)), desc="slices", disable=not progress, unit="slice"):
        output = np.asarray(predict(sequence))[0, -1]
        sequence = np.concatenate([sequence, output[None, None]], axis=1)
    return sequence[0]


class StepGenerator:
    """The slices of :func:`generate_faithful` from a stateful loop over the model's own layers.

    A causal network's output for a prefix does not depend on what follows it, so the newest
    slice's output given the carried LSTM state equals the last output of re-running the whole
    sequence.  The prime runs through the layers before the LSTMs (``dense_in`` or
    ``slice_conv``) at once; each step then applies them to one slice, advances every LSTM
    cell one step and applies ``dense_out``, all in one traced ``tf.function``.  The layers
    are found by name (``decay.model.layer_groups``).
    """

    def __init__(self, model):
        import tensorflow as tf

        from decay.model import layer_groups

        self.before, lstms, self.after = layer_groups(model)
        self.cells = [layer.cell for layer in lstms]
        self.run = tf.function(self._run, reduce_retracing=True)

    @staticmethod
    def _apply(stack, x):
        for layer in stack:
            x = layer(x, training=False)
        return x

    def _advance(self, inputs, states):
        hidden, new_states = inputs, []
        for cell, state in zip(self.cells, states):
            hidden, state = cell(hidden, state, training=False)
            new_states.append(state)
        return hidden, new_states

    def _run(self, prime, steps):
        import tensorflow as tf

        inputs = self._apply(self.before, prime[None])[0]  # every prime slice at once
        states = [[tf.zeros((1, cell.units)), tf.zeros((1, cell.units))] for cell in self.cells]
        hidden = tf.zeros((1, self.cells[-1].units))
        for t in tf.range(tf.shape(prime)[0]):
            hidden, states = self._advance(inputs[t][None], states)
        outputs = tf.TensorArray(tf.float32, size=steps)
        for k in tf.range(steps):
            output = self._apply(self.after, hidden[:, None])[:, 0]
            outputs = outputs.write(k, output[0])
            if k + 1 < steps:
                hidden, states = self._advance(self._apply(self.before, output[:, None])[:, 0], states)
        return outputs.stack()

    def __call__(self, prime: np.ndarray, slices: int) -> np.ndarray:
        """``prime``: (P, F) normalised; returns (slices, F) with the prime in the first P rows."""
        prime = np.asarray(prime, dtype=np.float32)
        continuation = self.run(prime, np.int32(slices - len(prime))).numpy()
        return np.concatenate([prime, continuation])
