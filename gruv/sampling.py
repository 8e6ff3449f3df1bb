"""GRUV's generation loops and output assembly (``generate.py``, ``gen_utils/*``; README, "The equations").

This module holds what turns a trained network and a seed into audio, without the command
line: :func:`choose_seed` (one normalised training example, picked at random as GRUV did),
:func:`generate_faithful` (GRUV's growing-sequence loop, model-agnostic), :class:`FastGenerator`
(the same frames from a stateful step-by-step loop in one ``tf.function``; TensorFlow is
imported only when one is made), :func:`frames_to_audio` (de-normalise in place, inverse
transform, int16 by truncation) and :func:`reference_segment` (which original audio an output
continues).  Used by ``gruv.generate``, ``gruv.analyse``, the benchmark and the tests.
"""

from __future__ import annotations

import numpy as np
from tqdm import tqdm

from gruv.config import GruvConfig
from gruv.features import features_to_blocks
from shared import audio
from shared.rundir import InputError


def choose_seed(x: np.ndarray, config: GruvConfig):
    """The seed sequence, shape (1, T, D), and the index of the training example it came from.

    GRUV's ``generate_copy_seed_sequence(seed_len=1)``: one whole normalised example, picked at
    random (here from a RandomState seeded by ``config.seed``, Q14); ``seed_frames`` keeps only
    its first frames (Fiala's one seed frame).
    """
    if config.seed_example is not None:
        if not 0 <= config.seed_example < len(x):
            raise InputError("--seed-example", f"{config.seed_example} is out of range: the run has {len(x)} examples")
        index = config.seed_example
    else:
        index = int(np.random.RandomState(config.seed).randint(len(x)))
    seed = x[index][None]
    if config.seed_frames is not None:
        seed = seed[:, : config.seed_frames]
    return seed, index


def generate_faithful(predict, seed: np.ndarray, steps: int, output_index="last", progress=False) -> np.ndarray:
    """GRUV's ``generate_from_seed`` loop (``sequence_generator.py:12-22``), model-agnostic.

    Parameters
    ----------
    predict : callable
        (1, T, D) → (1, T, D), e.g. ``model.predict_on_batch``.
    seed : np.ndarray
        (1, T0, D), normalised.
    steps : int
        Number of ``predict`` calls (GRUV's ``sequence_length``, 10).
    output_index : {"last", "first"}
        Which output of each later call is kept and fed back: GRUV's last (correct), or the
        first, Fiala's E1 pitfall (one frame repeated: the output after seed frame 0 never changes).

    Returns
    -------
    np.ndarray
        (T0 + steps − 1, D) normalised frames: all T0 outputs of the first call, then one per call.
    """
    sequence = np.asarray(seed)
    frames = []
    for iteration in tqdm(range(steps), desc="faithful", unit="call", disable=not progress):
        prediction = np.asarray(predict(sequence))
        chosen = prediction[0, -1] if output_index == "last" else prediction[0, 0]
        if iteration == 0:
            frames.extend(prediction[0])  # the first call keeps every output
        else:
            frames.append(chosen)
        # grows, never windowed (Q15)
        sequence = np.concatenate([sequence, chosen[None, None].astype(sequence.dtype)], axis=1)
    return np.stack(frames)


def _float32_constant(array: np.ndarray):
    """``array`` as a float32 TensorFlow constant (the fused products are formed in float64 first)."""
    import tensorflow as tf

    return tf.constant(array.astype(np.float32))


class FastGenerator:
    """The frames of :func:`generate_faithful` (``output_index="last"``), from a stateful loop.

    A causal RNN's output for a prefix does not depend on what follows it, so the newest
    frame's output given the carried LSTM state equals the last output of re-running the
    whole sequence.  Two more exact identities make each step cheap:

    * the frame fed back goes through ``tdd_out`` then ``tdd_in``, two affine maps, so the next
      LSTM input is ``h·(K_out·K_in) + (b_out·K_in + b_in)``: one H × H product per step instead
      of two H × D ones (GRUV: 1024 × 1024 instead of 2 × 1024 × 22050);
    * the output frames ``h·K_out + b_out`` are computed for all steps at once at the end.

    The whole loop (seed and new frames) is one traced ``tf.function`` over the model's own
    LSTM cells.  Only float32 rounding differs from the faithful loop (the fused product is
    formed in float64): ``tests/test_gruv.py`` bounds the difference.
    """

    def __init__(self, model):
        import keras
        import tensorflow as tf

        kernel_in, bias_in = (weight.astype(np.float64) for weight in model.get_layer("tdd_in").get_weights())
        kernel_out, bias_out = (weight.astype(np.float64) for weight in model.get_layer("tdd_out").get_weights())
        self.kernel_in, self.bias_in = _float32_constant(kernel_in), _float32_constant(bias_in)
        self.kernel_out, self.bias_out = _float32_constant(kernel_out), _float32_constant(bias_out)
        self.kernel_fused = _float32_constant(kernel_out @ kernel_in)
        self.bias_fused = _float32_constant(bias_out @ kernel_in + bias_in)
        self.cells = [layer.cell for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
        self.run = tf.function(self._run, reduce_retracing=True)

    def _advance(self, inputs, states):
        hidden, new_states = inputs, []
        for cell, state in zip(self.cells, states):
            hidden, state = cell(hidden, state, training=False)
            new_states.append(state)
        return hidden, new_states

    def _run(self, seed, steps):
        import tensorflow as tf

        seed_inputs = tf.matmul(seed, self.kernel_in) + self.bias_in  # tdd_in on every seed frame at once
        states = [[tf.zeros((1, cell.units)), tf.zeros((1, cell.units))] for cell in self.cells]
        count = tf.shape(seed)[0]
        tops = tf.TensorArray(tf.float32, size=count + steps - 1)
        hidden = tf.zeros((1, self.cells[-1].units))
        for t in tf.range(count):
            hidden, states = self._advance(seed_inputs[t][None], states)
            tops = tops.write(t, hidden[0])
        for k in tf.range(steps - 1):
            hidden, states = self._advance(tf.matmul(hidden, self.kernel_fused) + self.bias_fused, states)
            tops = tops.write(count + k, hidden[0])
        return tf.matmul(tops.stack(), self.kernel_out) + self.bias_out  # tdd_out on every step at once

    def __call__(self, seed: np.ndarray, steps: int) -> np.ndarray:
        """``seed``: (1, T0, D) normalised; returns (T0 + steps − 1, D) normalised frames."""
        return self.run(np.asarray(seed[0], dtype=np.float32), np.int32(steps)).numpy()


def frames_to_audio(frames: np.ndarray, config: GruvConfig, mean=None, std=None) -> np.ndarray:
    """Normalised frames → int16 samples: ``× std + mean`` (if given), inverse transform, concatenate, truncate.

    The de-normalisation keeps the frames' own dtype, as GRUV's in-place ``frame *= var`` and
    ``frame += mean`` did: the model's float32 frames are rounded to float32 after each of
    the two steps (each step itself is computed in float64, numpy's rule for a float32 array
    combined with the float64 statistics).
    """
    if mean is not None:
        # faithful (Q10): sequence_generator.py:26-28, in place: *= var (= std), then += mean, in the frames' dtype
        frames = np.array(frames, copy=True)
        frames *= std
        frames += mean
    blocks = features_to_blocks(frames, config.domain)
    return audio.float_to_int16(blocks.reshape(-1), overflow=config.int16_overflow)  # real part, truncated (Q3, Q4)


def reference_segment(config: GruvConfig, document: dict, seed_example: int):
    """Which original audio an output continues: (source file or None, offset in blocks).

    Example k of a file starts at block ``j·L`` of it (``j`` = k's chunk in that file; 0 for
    one example per file); output frame 0 is the prediction of the block after it, or the
    seed frame itself when the output includes the seed.
    """
    first_example = 0
    for entry in document.get("inputs", []):
        if seed_example < first_example + entry["examples"]:
            chunk = seed_example - first_example if config.chunking == "gruv" else 0
            return entry["file"], chunk * config.max_seq_len + (0 if config.include_seed_in_output else 1)
        first_example += entry["examples"]
    return None, 0
