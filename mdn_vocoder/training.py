"""Glover's training step (``train.lua``): the stream layout of the batches and the compiled, state-carrying step.

This module holds what the training loop of :mod:`mdn_vocoder.train` is made of and what the
tests and ``benchmarks/mdn_vocoder_speed.py`` use on their own: :func:`batches` (B contiguous
streams cut into chunks of S steps, in order, the targets the next step of the whole
sequence) and :class:`Trainer` (the model, Torch's Adagrad and one compiled step of the summed
MDN loss that takes and returns the LSTM state).  TensorFlow is imported when a
:class:`Trainer` is made, not with this module.
"""

from __future__ import annotations

import numpy as np

from mdn_vocoder.config import MdnConfig


def batches(x: np.ndarray, batch_size: int, seq_length: int, stride_bug=False) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, targets), each (num_batches, B, S, D): chunk j of each of the B contiguous streams (data.lua:68-77).

    Targets are the next step of the whole sequence, y[t] = x[t+1], the last wrapping to x[0];
    stream b's targets are its own next steps.  ``stride_bug`` replicates the original's bug
    (a) instead (facts §3): ``target:resize`` of the non-contiguous (B, D) view reads B
    consecutive steps of stream 0, so row b of step t in chunk j gets y[j·S + t + b].
    """
    frames, dimensions = x.shape
    streams = x.reshape(batch_size, frames // batch_size, dimensions)
    following = np.roll(x, -1, axis=0)
    targets = following.reshape(batch_size, frames // batch_size, dimensions)
    count = frames // (batch_size * seq_length)

    def chunks(array):
        return array.reshape(batch_size, count, seq_length, dimensions).transpose(1, 0, 2, 3)

    if stride_bug:  # faithful to the code, off by default: index j·S + t + b of the flat target sequence
        index = (np.arange(count)[:, None, None] * seq_length + np.arange(seq_length)[None, None, :]
                 + np.arange(batch_size)[None, :, None])
        return chunks(streams).astype(np.float32), following[index].astype(np.float32)
    return chunks(streams).astype(np.float32), chunks(targets).astype(np.float32)


class Trainer:
    """The model, the optimizer and one compiled training step that carries the LSTM state."""

    def __init__(self, config: MdnConfig, dimensions: int):
        import tensorflow as tf

        from mdn_vocoder.mdn import negative_log_likelihood
        from mdn_vocoder.model import build_model, make_optimizer

        self.config, self.dimensions = config, dimensions
        self.model = build_model(config, dimensions)
        self.optimizer = make_optimizer(config)
        self.optimizer.build(self.model.trainable_variables)

        def loss_of(inputs, targets, states, training):
            outputs = self.model([inputs, *states], training=training)
            nll = negative_log_likelihood(targets, outputs[0], config.mixtures, dimensions)
            return nll, list(outputs[1:])

        def step(inputs, targets, states):
            with tf.GradientTape() as tape:
                nll, new_states = loss_of(inputs, targets, states, True)
                loss = tf.reduce_sum(nll)  # Σ over the B streams and S steps (no mean)
            variables = self.model.trainable_variables
            self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
            return loss, new_states

        self.step = tf.function(step, reduce_retracing=True)
        self.evaluate = tf.function(lambda inputs, targets, states: loss_of(inputs, targets, states, False),
                                    reduce_retracing=True)

    def learning_rate(self) -> float:
        return float(self.optimizer.learning_rate)

    def checkpoint(self) -> dict:
        return {f"weight_{i}": v.numpy() for i, v in enumerate(self.model.weights)} | \
               {f"optimizer_{i}": v.numpy() for i, v in enumerate(self.optimizer.variables)}

    def restore(self, saved) -> None:
        for i, variable in enumerate(self.model.weights):
            variable.assign(saved[f"weight_{i}"])
        for i, variable in enumerate(self.optimizer.variables):
            variable.assign(saved[f"optimizer_{i}"])
