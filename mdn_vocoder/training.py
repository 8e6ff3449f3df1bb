"""Glover's training step (``train.lua``): the stream layout of the batches and the compiled, state-carrying step.

This module holds what the training loop of :mod:`mdn_vocoder.train` is made of and what the
tests and ``benchmarks/mdn_vocoder_speed.py`` use on their own: :func:`batches` (B contiguous
streams cut into chunks of S steps, in order, the targets the next step of the whole
sequence) and :class:`Trainer` (the model, Torch's Adagrad and one compiled step of the summed
MDN loss that takes and returns the LSTM state), and :class:`MonitorSampler`, the short sample
``train --tensorboard`` logs at each checkpoint.  TensorFlow is imported when a
:class:`Trainer` is made, not with this module.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mdn_vocoder import phase_vocoder
from mdn_vocoder.config import MdnConfig
from mdn_vocoder.features import deinterleave, interleave
from mdn_vocoder.sampling import FastSampler, integrate, priming_inputs
from shared.rundir import read_json


def batches(x: np.ndarray, batch_size: int, seq_length: int, stride_bug=False) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, targets), each (num_batches, B, S, D): chunk j of each of the B contiguous streams (data.lua:68-77).

    Targets are the next step of the whole sequence, y[t] = x[t+1], the last wrapping to x[0];
    stream b's targets are its own next steps.  ``stride_bug`` replicates the original's bug
    (a) instead (README, quirk Q14): ``target:resize`` of the non-contiguous (B, D) view reads B
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
    """The model, the optimizer and one compiled training step that carries the LSTM state.

    ``step(inputs, targets, states)`` returns (loss, new states); ``step_with_sigma`` is the same
    update and also returns the mean σ of the mixture's components over the batch, its steps and
    dimensions (what ``train --tensorboard`` logs; a separate trace, so the plain step is unchanged).
    """

    def __init__(self, config: MdnConfig, dimensions: int):
        import tensorflow as tf

        from mdn_vocoder.mdn import SIGMA_EPSILON, negative_log_likelihood, split
        from mdn_vocoder.model import build_model, make_optimizer

        self.config, self.dimensions = config, dimensions
        self.model = build_model(config, dimensions)
        self.optimizer = make_optimizer(config)
        self.optimizer.build(self.model.trainable_variables)

        def forward(inputs, targets, states, training):
            outputs = self.model([inputs, *states], training=training)
            nll = negative_log_likelihood(targets, outputs[0], config.mixtures, dimensions)
            return nll, list(outputs[1:]), outputs[0]

        def loss_of(inputs, targets, states, training):
            return forward(inputs, targets, states, training)[:2]

        def step(inputs, targets, states, sigma=False):
            with tf.GradientTape() as tape:
                nll, new_states, z = forward(inputs, targets, states, True)
                loss = tf.reduce_sum(nll)  # Σ over the B streams and S steps (no mean)
            variables = self.model.trainable_variables
            self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
            if not sigma:
                return loss, new_states
            log_sigma = split(z, config.mixtures, dimensions)[2]
            return loss, new_states, tf.reduce_mean(tf.exp(log_sigma) + SIGMA_EPSILON)  # σ as the loss reads it

        self.step = tf.function(step, reduce_retracing=True)
        self.step_with_sigma = tf.function(lambda inputs, targets, states: step(inputs, targets, states, True),
                                           reduce_retracing=True)
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


class MonitorSampler:
    """The sample ``train --tensorboard`` logs: ``length`` frames (at most ``seconds`` of audio) resynthesised.

    As ``generate --mode fast`` samples a trained run (:mod:`mdn_vocoder.sampling`): row 0 of the
    carried training state, the priming steps, noise from ``sample_seed``, the deltas integrated
    from the initial frame and the phase vocoder's resynthesis; the same noise at every call, so
    that only the weights change from one checkpoint to the next.  ``sampler(model, states)``
    returns (waveform, rate).
    """

    def __init__(self, run_dir, config: MdnConfig, seconds: float = 2.0):
        data = Path(run_dir) / "data"
        x = np.load(data / "x.npy")
        self.config, self.stats = config, dict(np.load(data / "stats.npz"))
        kept = read_json(Path(run_dir) / "config.json")["kept_frames"]
        self.training_frames = interleave(np.load(data / "frames.npy"))[:kept]
        self.length = max(1, min(config.length, int(seconds * config.sample_rate) // (config.fft_size // 4)))
        self.prime = priming_inputs(x, config)
        self.sampler = None

    def __call__(self, model, states):
        self.sampler = self.sampler or FastSampler(model, self.config)  # one trace; the weights are read per call
        rng = np.random.default_rng(self.config.sample_seed)
        noise = rng.standard_normal((self.length, self.prime.shape[1])).astype(np.float32)
        samples = self.sampler([np.asarray(state)[:1] for state in states], self.prime, noise)
        frames = integrate(samples, self.stats, self.config, self.training_frames, rng)
        signal = phase_vocoder.synthesise(deinterleave(frames), self.config.fft_size, self.config.sample_rate,
                                          self.config.components)
        return signal, self.config.sample_rate
