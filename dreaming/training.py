"""Pfalz, Berdahl & Allison's training with concurrent dreaming: the network, Adam and the compiled steps.

This module holds :class:`Dreamer`, what the training loop of :mod:`dreaming.train`, the tests
and ``benchmarks/dreaming_speed.py`` run: one compiled train step (one Adam update of the mean
squared error, the state fed in and returned), one compiled dream step, and the fast block that
runs many iterations (train, then one dream step on the rows the dream reads, the FIFO of
:func:`dreaming.sampling.shift_in`) in one compiled loop.  TensorFlow is imported when a
:class:`Dreamer` is made, not with this module.
"""

from __future__ import annotations

import numpy as np

from dreaming.config import DreamingConfig
from dreaming.features import Layout, input_indices, label_indices
from dreaming.sampling import shift_in


class Dreamer:
    """The network, Adam and the compiled steps: faithful (one call per step) and fast (a compiled block)."""

    def __init__(self, config: DreamingConfig, cut: Layout, data: np.ndarray, per_epoch: int):
        import tensorflow as tf

        from dreaming.model import build_network, make_optimizer

        self.config, self.cut, self.per_epoch = config, cut, per_epoch
        self.network = build_network(config)
        self.optimizer = make_optimizer(config)
        self.optimizer.build(self.network.trainable_variables)
        self.data = tf.constant(data)
        self.inputs = tf.constant(input_indices(cut), dtype=tf.int32)
        self.labels = tf.constant(label_indices(cut), dtype=tf.int32)
        self.train_step = tf.function(self._train, reduce_retracing=True)
        self.dream_step = tf.function(self._dream, reduce_retracing=True)
        self.block = tf.function(self._block, reduce_retracing=True, jit_compile=config.jit_compile)

    def _train(self, x, y, h, c):
        import tensorflow as tf

        with tf.GradientTape() as tape:
            output, h, c = self.network(x[None], h[None], c[None], dropout=True)
            loss = tf.reduce_mean(tf.square(output[0] - y))  # tf.losses.mean_squared_error: the mean over all elements
        variables = self.network.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss, h[0], c[0]

    def _dream(self, seed, h, c):
        return self.network(seed, h, c, dropout=self.config.dropout_in_dreams)

    def _block(self, first, steps, h, c, window, dream_h, dream_c, dream=True):
        """``steps`` iterations from iteration ``first``: train, then (``dream``) one last-row dream step each.

        ``window``: (B, R, L) the seed rows the dream step reads (the last row, or all n for
        the transpose), kept as the flattened FIFO for the per-sample approaches.  ``dream``
        is a Python bool (one trace each): False for the sequential scheme, which trains only
        between its pauses, so no dream step is computed at all; ``kept`` is then empty.
        """
        import tensorflow as tf

        per_epoch = tf.constant(self.per_epoch)
        kept = tf.TensorArray(tf.float32, size=steps)
        losses = tf.TensorArray(tf.float32, size=steps)
        for i in tf.range(steps):
            cursor = ((first + i) % per_epoch) * self.cut.advance
            x, y = tf.gather(self.data, cursor + self.inputs), tf.gather(self.data, cursor + self.labels)
            loss, h, c = self._train(x, y, h, c)
            if dream:
                output, dream_h, dream_c = self._dream(window, dream_h, dream_c)
                window, element = shift_in(window, output, self.config.approach)  # (B, L) or (B, 1)
                kept = kept.write(i, element)
            losses = losses.write(i, loss)
        return (kept.stack() if dream else tf.zeros((0,))), losses.stack(), h, c, window, dream_h, dream_c
