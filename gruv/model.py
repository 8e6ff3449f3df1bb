"""GRUV's network in Keras 0.1.2-era semantics (``nn_utils/network_utils.py``; README, "The equations").

``TimeDistributedDense(H)`` → ``LSTM(H, return_sequences=True)`` × n →
``TimeDistributedDense(D)`` (a ``Dense`` on every timestep), all linear apart from the LSTM, which gates with Theano's
``hard_sigmoid`` = ``clip(0.2x + 0.5, 0, 1)`` (Keras 3's own ``hard_sigmoid`` has slope 1/6
and is a different function).  Initialisation as in Keras of July 2015: Glorot-uniform
limits ``sqrt(6 / (fan_in + fan_out))`` per gate matrix, one ``orthogonal × 1.1`` matrix per
gate, forget-gate bias 1; ``keras_semantics="0.1.0"`` gives ``sqrt(2 / …)`` and forget bias 0.

The time axis is ``None`` so generation can grow the context.  :func:`load_trained` loads a
trained network back (from a run, a model folder or a ``.keras`` file) for generation,
analysis, the benchmark and the tests.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from gruv.config import GruvConfig
from shared.rundir import load_run_model


@keras.saving.register_keras_serializable(package="gruv")
def hard_sigmoid_theano(x):
    """Theano's ``hard_sigmoid``: ``clip(0.2·x + 0.5, 0, 1)`` (Keras 0.1's LSTM gate activation)."""
    return ops.clip(0.2 * x + 0.5, 0.0, 1.0)


@keras.saving.register_keras_serializable(package="gruv")
class PerGateOrthogonal(keras.initializers.Initializer):
    """Keras 0.1's recurrent init: an independent ``orthogonal × gain`` (units × units) matrix per gate.

    Keras 3's ``Orthogonal`` on the fused (units, 4·units) kernel makes the rows orthonormal,
    so its per-gate blocks are not orthogonal; this concatenates four square blocks instead.
    """

    def __init__(self, gain=1.1, gates=4, seed=None):
        self.gain = gain
        self.gates = gates
        self.seed = seed

    def __call__(self, shape, dtype=None):
        units, fused = shape
        if fused != self.gates * units:
            raise ValueError(f"PerGateOrthogonal expects shape (u, {self.gates}u), got {shape}")
        seed = self.seed
        blocks = []
        for gate in range(self.gates):
            gate_seed = None if seed is None else seed + gate
            blocks.append(keras.initializers.Orthogonal(gain=self.gain, seed=gate_seed)((units, units), dtype=dtype))
        return ops.concatenate(blocks, axis=1)

    def get_config(self):
        return {"gain": self.gain, "gates": self.gates, "seed": self.seed}


def _glorot(config: GruvConfig, fan_in: int, units: int, gates: int = 1):
    """Uniform Glorot with the per-gate limit of that Keras version, for a fused (fan_in, gates·units) kernel.

    Limit wanted per gate matrix: ``sqrt(6 / (fan_in + units))`` (0.1.2) or ``sqrt(2 / …)`` (0.1.0).
    ``VarianceScaling(scale, 'fan_avg', 'uniform')`` on the fused kernel has limit
    ``sqrt(6·scale / (fan_in + gates·units))``, hence the scale below.
    """
    scale = (fan_in + gates * units) / (fan_in + units)
    if config.keras_semantics == "0.1.0":
        scale /= 3.0
    return keras.initializers.VarianceScaling(scale=scale, mode="fan_avg", distribution="uniform")


def _lstm(config: GruvConfig, input_dims: int, name: str, **kwargs) -> layers.LSTM:
    return layers.LSTM(
        config.hidden_dims,
        activation="tanh",
        recurrent_activation=hard_sigmoid_theano if config.gate_activation == "hard_sigmoid" else "sigmoid",
        kernel_initializer=_glorot(config, input_dims, config.hidden_dims, gates=4),
        recurrent_initializer=PerGateOrthogonal(gain=1.1),
        bias_initializer="zeros",
        unit_forget_bias=config.keras_semantics == "0.1.2",  # Q17
        return_sequences=True,
        name=name,
        **kwargs,
    )


def build_model(config: GruvConfig) -> keras.Model:
    """The training / faithful-generation model: (batch, time, D) → (batch, time, D)."""
    dims, hidden = config.feature_dims, config.hidden_dims
    inputs = keras.Input(shape=(None, dims), name="frames")
    # Keras 0.1's TimeDistributedDense is a Dense applied to every timestep, which is what Dense does on a
    # 3-D input.  Not keras.layers.TimeDistributed: with a None time axis inside a retraced tf.function
    # (predict_on_batch on a growing sequence) Keras 3.15's vectorized_map path returns wrong frames for t >= 1.
    x = layers.Dense(hidden, kernel_initializer=_glorot(config, dims, hidden), name="tdd_in")(inputs)
    for index in range(config.num_recurrent_units):
        x = _lstm(config, hidden, name=f"lstm_{index}")(x)
    outputs = layers.Dense(dims, kernel_initializer=_glorot(config, hidden, dims), name="tdd_out")(x)
    return keras.Model(inputs, outputs, name="gruv")


def compile_model(model: keras.Model, config: GruvConfig) -> None:
    """MSE and RMSprop with Keras 0.1's settings (``a ← ρa + (1−ρ)g²``, ``p ← p − lr·g/sqrt(a + ε)``, ε = 1e-6)."""
    model.compile(
        loss=keras.losses.MeanSquaredError(),
        optimizer=keras.optimizers.RMSprop(learning_rate=config.learning_rate, rho=config.rho, epsilon=config.epsilon),
    )


def load_trained(run_or_model_dir) -> keras.Model:
    """A trained GRUV network (safe-mode loading), from a run directory, a folder or a ``.keras`` file.

    A run directory (one with ``data/x.npy``): its ``model.keras``, checked against the run's
    feature size.  A folder without run data: its ``model.keras``, unchecked.  A file: loaded
    as it is.  Whatever is missing or unreadable raises :class:`shared.rundir.InputError`
    naming the file and the command that makes it (``python -m gruv.train``).
    """
    return load_run_model(run_or_model_dir, "gruv.train")
