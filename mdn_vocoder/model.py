"""Glover's network (``model.lua``): char-rnn's LSTM, stacked, and a linear mixture-density head.

* :class:`CharRnnLSTMCell`: ``i2h = Linear(in, 4H)`` and ``h2h = Linear(H, 4H)``, **each with its
  own bias** (so a layer has 4H(in + H + 2) parameters and the counts match the original's:
  52,941 / 162,143 / 357,555 for the sine / clarinet / piano settings), gates in the order
  i, f, o, g (sigmoid, sigmoid, sigmoid, tanh), c' = f⊙c + i⊙g, h' = o⊙tanh(c'); no dropout,
  no peepholes.
* ``cell="keras"``: the stock ``keras.layers.LSTM`` (one bias, gates i, f, c, o, cuDNN-eligible
  on a GPU): 4H fewer parameters per layer and, under Adagrad, a bias that moves at half the
  speed of the two summed ones; a documented deviation.
* Every parameter starts U(−0.08, 0.08), each tensor its own independent draw (Torch's one
  ``params:uniform`` over the flat parameter vector), then the input-side forget-gate bias
  block [H, 2H) is set to exactly 1 (model.lua:94-104). :func:`uniform` makes a new
  initializer per weight: one Keras 3 initializer instance returns the same values at every
  call, which would make ``i2h`` a copy of the first rows of ``h2h``.
* The head is ``Dense(Nc + 2·Nc·D)``, linear (:mod:`mdn_vocoder.mdn` reads it).

The model takes ``[x (B, T, D), h_1, c_1, …, h_L, c_L]`` and returns ``[z (B, T, Nc + 2NcD),
h_1', c_1', …]``: the state is carried explicitly by the training loop and the sampler.
:func:`load_trained` gives back a trained model with the state sampling starts from.

:class:`TorchAdagrad` is ``optim.adagrad`` exactly: the accumulator starts at 0 and the step is
lr·g / (√acc + 1e-10), the epsilon outside the root (Keras' own Adagrad puts it inside).
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
from keras import ops

from mdn_vocoder.config import MdnConfig
from mdn_vocoder.mdn import output_size
from shared.rundir import InputError, check_run_data, load_keras_model


def uniform(init_range: float) -> keras.initializers.RandomUniform:
    """A fresh U(−r, r) initializer, for one weight only (a shared instance repeats its values)."""
    return keras.initializers.RandomUniform(-init_range, init_range)


@keras.saving.register_keras_serializable(package="mdn_vocoder")
class UniformForgetBias(keras.initializers.Initializer):
    """U(−r, r) over a 4H gate bias, with the forget block [H, 2H) set to ``forget`` (model.lua:94-104)."""

    def __init__(self, init_range=0.08, forget=1.0, seed=None):
        self.init_range, self.forget, self.seed = init_range, forget, seed

    def __call__(self, shape, dtype=None):
        values = keras.random.uniform(shape, -self.init_range, self.init_range, dtype=dtype, seed=self.seed)
        units = shape[0] // 4
        forget = ops.cast(ops.arange(shape[0]), "int32")
        in_forget = ops.logical_and(forget >= units, forget < 2 * units)
        return ops.where(in_forget, ops.cast(self.forget, values.dtype), values)

    def get_config(self):
        return {"init_range": self.init_range, "forget": self.forget, "seed": self.seed}


@keras.saving.register_keras_serializable(package="mdn_vocoder")
class CharRnnLSTMCell(keras.layers.Layer):
    """One char-rnn LSTM step with two bias vectors (i2h and h2h) and gates i, f, o, g."""

    def __init__(self, units, init_range=0.08, **kwargs):
        super().__init__(**kwargs)
        self.units, self.init_range = units, init_range
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        self.input_kernel = self.add_weight(name="i2h_kernel", shape=(input_shape[-1], 4 * self.units),
                                            initializer=uniform(self.init_range))
        self.input_bias = self.add_weight(name="i2h_bias", shape=(4 * self.units,),
                                          initializer=UniformForgetBias(self.init_range, 1.0))
        self.recurrent_kernel = self.add_weight(name="h2h_kernel", shape=(self.units, 4 * self.units),
                                                initializer=uniform(self.init_range))
        self.recurrent_bias = self.add_weight(name="h2h_bias", shape=(4 * self.units,),
                                              initializer=uniform(self.init_range))

    def call(self, inputs, states, training=False):
        hidden, cell = states
        gates = (ops.matmul(inputs, self.input_kernel) + self.input_bias
                 + ops.matmul(hidden, self.recurrent_kernel) + self.recurrent_bias)
        input_gate, forget_gate, output_gate, candidate = ops.split(gates, 4, axis=-1)
        cell = ops.sigmoid(forget_gate) * cell + ops.sigmoid(input_gate) * ops.tanh(candidate)
        hidden = ops.sigmoid(output_gate) * ops.tanh(cell)
        return hidden, [hidden, cell]

    def get_config(self):
        return {**super().get_config(), "units": self.units, "init_range": self.init_range}


@keras.saving.register_keras_serializable(package="mdn_vocoder")
class TorchAdagrad(keras.optimizers.Adagrad):
    """``optim.adagrad``: acc += g²; θ −= lr·g / (√acc + ε), accumulator from 0, ε = 1e-10."""

    def __init__(self, learning_rate=1e-3, epsilon=1e-10, **kwargs):
        kwargs.pop("initial_accumulator_value", None)
        super().__init__(learning_rate=learning_rate, initial_accumulator_value=0.0, epsilon=epsilon, **kwargs)

    def update_step(self, gradient, variable, learning_rate):
        learning_rate = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        accumulator = self._accumulators[self._get_variable_index(variable)]
        self.assign_add(accumulator, ops.square(gradient))
        self.assign_sub(variable, learning_rate * gradient / (ops.sqrt(accumulator) + self.epsilon))


def make_optimizer(config: MdnConfig) -> TorchAdagrad:
    """Adagrad lr 1e-3 × 0.97 every 10,000 iterations (staircase), gradients clamped element-wise to ±5."""
    schedule = keras.optimizers.schedules.ExponentialDecay(
        config.learning_rate, decay_steps=config.decay_every, decay_rate=config.decay_rate, staircase=True)
    return TorchAdagrad(learning_rate=schedule, clipvalue=config.grad_clip)


def lstm_layer(config: MdnConfig, index: int):
    """Layer ``index`` of the stack: the char-rnn cell in an RNN, or the stock Keras LSTM."""
    if config.cell == "keras":  # deviation: one bias, gate order i, f, c, o; forget block [H, 2H) also = 1
        return keras.layers.LSTM(config.rnn_size, return_sequences=True, return_state=True,
                                 kernel_initializer=uniform(config.init_range),
                                 recurrent_initializer=uniform(config.init_range),
                                 bias_initializer=UniformForgetBias(config.init_range, 1.0),
                                 unit_forget_bias=False, name=f"lstm_{index + 1}")
    return keras.layers.RNN(CharRnnLSTMCell(config.rnn_size, config.init_range), return_sequences=True,
                            return_state=True, name=f"lstm_{index + 1}")


def build_model(config: MdnConfig, dimensions: int) -> keras.Model:
    """The LSTM stack and the MDN head, with the state as explicit inputs and outputs."""
    x = keras.Input((None, dimensions), name="deltas")
    states = [keras.Input((config.rnn_size,), name=f"{kind}_{layer + 1}")
              for layer in range(config.num_layers) for kind in ("h", "c")]
    hidden, final_states = x, []
    for layer in range(config.num_layers):
        hidden, h, c = lstm_layer(config, layer)(hidden, initial_state=states[2 * layer:2 * layer + 2])
        final_states += [h, c]
    z = keras.layers.Dense(output_size(config.mixtures, dimensions), kernel_initializer=uniform(config.init_range),
                           bias_initializer=uniform(config.init_range), name="mdn")(hidden)
    return keras.Model([x, *states], [z, *final_states], name=f"mdn_vocoder_{config.cell}")


def zero_states(config: MdnConfig, batch: int):
    """The initial (h, c) of every layer, all zeros, as numpy float32."""
    return [np.zeros((batch, config.rnn_size), np.float32) for _ in range(2 * config.num_layers)]


def carried_states(path) -> list:
    """Row 0 of the final training state saved in ``state.npz`` (sample.lua:22-25), as float32."""
    with np.load(path) as saved:
        states = [saved[f"state_{i}"][:1].astype(np.float32) for i in range(len(saved.files))]
    return states


def load_trained(run_or_model_dir):
    """(model, carried final state) of a trained run, a folder holding ``model.keras``, or a ``.keras`` file.

    A run directory or a model folder needs ``model.keras`` and ``state.npz`` (both written by
    ``mdn_vocoder.train``); when the run's data is there (``data/x.npy``), the model's input
    size is checked against it, so that another run's model is refused.  A ``.keras`` file is
    loaded as it is (no data to check it against); its state is the ``state.npz`` beside it,
    or, without one, zeros (our choice: a model on its own carries no state).
    """
    path = Path(run_or_model_dir)
    if path.suffix == ".keras" and not path.is_dir():
        model = load_keras_model(path, "mdn_vocoder.train")
        beside = path.with_name("state.npz")
        if beside.is_file():
            check_run_data(path.parent, ["state.npz"], "mdn_vocoder.train")
            return model, carried_states(beside)
        return model, [np.zeros((1, state.shape[-1]), np.float32) for state in model.inputs[1:]]
    for name in ("model.keras", "state.npz"):
        if not (path / name).is_file():
            raise InputError(path / name, "missing: run `python -m mdn_vocoder.train` for this run first")
    check_run_data(path, ["state.npz"], "mdn_vocoder.train")
    data = path / "data" / "x.npy"  # the frames' size, when the run's data is here, guards against another run's model
    dims = np.load(data, mmap_mode="r").shape[-1] if data.is_file() else None
    model = load_keras_model(path / "model.keras", "mdn_vocoder.train", input_dim=dims)
    return model, carried_states(path / "state.npz")
