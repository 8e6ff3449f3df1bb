"""Pfalz, Berdahl & Allison's network: **one LSTM cell step on an [n, L] matrix whose rows are the batch**.

As the paper-era TensorFlow 1 graph (README, 'Where the recurrence runs', Q1): ``LSTMCell(L)`` called once on X [n, L]
with the state fed back from the previous training iteration (so gradients stop at the
state: truncated BPTT of length 1); TF1's glorot-uniform over the concatenated [2L, 4L]
kernel, i.e. U(±1/√L) for both kernels, zero bias with the constant forget bias 1 (Keras'
``unit_forget_bias``: a bias starting at 1 is the same model and the same gradients);
dropout on the cell's input (keep 0.5 where the original enabled it), applied in the dream
step as well (Q2), as explicit ``keras.random.dropout`` rather than the cell's cached mask;
then a linear head with TruncatedNormal(0, σ) kernels:

* vector, magnitude: ``Dense(L)`` → [n, L];
* column: ``Dense(1)`` → [n, 1];
* transpose: ``Dense(1)`` → [n, 1] → transposed [1, n] → ``Dense(1)`` → [1, 1] (rows mix here only).

:class:`DreamingNetwork` works on a batch of such matrices, x (B, R, L) with states (B, R, L):
B = 1 and R = n in training; B dreams at once, and R = 1 (the last row only) where rows do
not interact, in the fast dream.  :func:`load_trained` reads a trained network back.
"""

from __future__ import annotations

import math
from pathlib import Path

import keras
from keras import ops

from dreaming.config import DreamingConfig
from shared.rundir import load_keras_model


def head_stddev(config: DreamingConfig) -> float:
    """σ of the head's TruncatedNormal init: 1e-6, or 0.1 for the transpose approach (model0:15)."""
    if config.weight_stddev is not None:
        return config.weight_stddev
    return 0.1 if config.approach == "transpose" else 1e-6


@keras.saving.register_keras_serializable(package="dreaming")
class DreamingNetwork(keras.Model):
    """x, h, c (B, R, L) → (output, h', c'); output (B, R, L), (B, R, 1) or, transpose, (B, 1, 1)."""

    def __init__(self, approach="vector", units=1024, rows=100, stddev=1e-6, input_keep=1.0, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.approach, self.units, self.rows, self.stddev, self.input_keep, self.seed = (
            approach, units, rows, stddev, input_keep, seed)
        limit = 1 / math.sqrt(units)  # TF1's glorot over the [2L, 4L] kernel: √(6 / 6L); two independent halves
        uniform = keras.initializers.RandomUniform
        self.cell = keras.layers.LSTMCell(units, kernel_initializer=uniform(-limit, limit, seed=seed),
                                          recurrent_initializer=uniform(-limit, limit, seed=seed + 4),
                                          bias_initializer="zeros", unit_forget_bias=True, name="lstm_cell")
        normal = keras.initializers.TruncatedNormal(0.0, stddev, seed=seed + 1)
        self.head = keras.layers.Dense(units if approach in ("vector", "magnitude") else 1, kernel_initializer=normal,
                                       name="head")
        transpose = approach == "transpose"
        mixing = keras.initializers.TruncatedNormal(0.0, stddev, seed=seed + 2) if transpose else None
        self.mix = keras.layers.Dense(1, kernel_initializer=mixing, name="transpose_head") if transpose else None
        self.dropout_seed = keras.random.SeedGenerator(seed + 3)
        self.build_all()

    def build_all(self):
        zeros = ops.zeros((1, self.rows, self.units))
        self(zeros, zeros, zeros, dropout=False)

    def call(self, x, h, c, dropout=True):
        batch, rows = ops.shape(x)[0], ops.shape(x)[1]
        flat = ops.reshape(x, (-1, self.units))
        if dropout and self.input_keep < 1.0:  # DropoutWrapper(input_keep_prob), in training and in dreams (Q2)
            flat = keras.random.dropout(flat, 1.0 - self.input_keep, seed=self.dropout_seed)
        hidden, (h_new, c_new) = self.cell(flat, [ops.reshape(h, (-1, self.units)), ops.reshape(c, (-1, self.units))])
        out = self.head(hidden)
        if self.mix is not None:  # Dense(1) → transpose → Dense(1): [n, 1] → [1, n] → [1, 1]
            out = self.mix(ops.reshape(out, (batch, 1, self.rows)))
        else:
            out = ops.reshape(out, (batch, rows, -1))
        shape = (batch, rows, self.units)
        return out, ops.reshape(h_new, shape), ops.reshape(c_new, shape)

    def get_config(self):
        return {**super().get_config(), "approach": self.approach, "units": self.units, "rows": self.rows,
                "stddev": self.stddev, "input_keep": self.input_keep, "seed": self.seed}


def build_network(config: DreamingConfig) -> DreamingNetwork:
    return DreamingNetwork(config.approach, config.seg_len, config.rows, head_stddev(config), config.input_keep,
                           config.seed)


def make_optimizer(config: DreamingConfig) -> keras.optimizers.Adam:
    """tf.train.AdamOptimizer(lr): β1 0.9, β2 0.999, ε 1e-8 (Keras' default ε is 1e-7)."""
    return keras.optimizers.Adam(config.learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8)


def load_trained(run_or_model_dir) -> DreamingNetwork:
    """The trained :class:`DreamingNetwork` of a run directory, a folder holding ``model.keras``, or a ``.keras`` file.

    A missing, unreadable or foreign model raises ``InputError`` naming the file, with ``python -m
    dreaming.train`` as the fix (the checks ``dreaming.generate`` made); no run data is needed.
    """
    path = Path(run_or_model_dir)
    if not (path.suffix == ".keras" and not path.is_dir()):
        path = path / "model.keras"
    return load_keras_model(path, "dreaming.train", kind=DreamingNetwork)
