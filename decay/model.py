"""Sander & Harder's two networks in Keras 1.0 (June 2016, Theano) semantics (README, "The method").

Model 1 (``lstm_utils.create_lstm_network``): ``Dense(H, act)`` on every slice → L ×
``LSTM(H, return_sequences=True)`` → ``Dense(F, act)``.  Model 2
(``create_conv_lstm_network``): a ``Conv1D(32, 41, same, tanh)`` run inside every slice,
along its samples, flattened → LSTM(s) → linear ``Dense(F)``; the paper's variants stack up
to three convolutions with BatchNormalization and MaxPool(2).

Keras 1 details that Keras 3 does differently, reproduced here:

* the LSTM gates with Theano's ``hard_sigmoid`` = ``clip(0.2x + 0.5, 0, 1)`` (Keras 3's
  ``hard_sigmoid`` has slope 1/6);
* each gate's input kernel is Glorot-uniform over (fan_in, H), limit ``sqrt(6/(fan_in+H))``
  (Keras 3 initialises the fused (fan_in, 4H) kernel: limit ``sqrt(6/(fan_in+4H))``);
* each gate's recurrent kernel is an independent orthogonal (H, H) matrix × 1.1;
* RMSprop updates ``p ← p − lr·g / (sqrt(a) + ε)`` (Keras 3: ``g / sqrt(a + ε)``):
  :class:`RMSpropKeras1`.

The time axis is ``None``: generation feeds a growing sequence (faithful mode).  Also here:
:func:`layer_groups`, the layers of a built network by name (for the stateful generator), and
:func:`load_trained`, which loads a trained network back from a run, a model folder or a
``.keras`` file.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from decay.config import DecayConfig
from shared.rundir import load_run_model


@keras.saving.register_keras_serializable(package="decay")
def hard_sigmoid_theano(x):
    """Theano's ``hard_sigmoid``: ``clip(0.2·x + 0.5, 0, 1)`` (Keras 1's ``inner_activation``)."""
    return ops.clip(0.2 * x + 0.5, 0.0, 1.0)


@keras.saving.register_keras_serializable(package="decay")
class PerGateOrthogonal(keras.initializers.Initializer):
    """Keras 1's ``inner_init='orthogonal'`` per gate: four independent orthogonal (H, H) blocks × ``gain``."""

    def __init__(self, gain=1.1, seed=None):
        self.gain = gain
        self.seed = seed

    def __call__(self, shape, dtype=None):
        units, fused = shape
        if fused != 4 * units:
            raise ValueError(f"PerGateOrthogonal expects shape (u, 4u), got {shape}")
        blocks = [keras.initializers.Orthogonal(gain=self.gain, seed=None if self.seed is None else self.seed + gate)(
            (units, units), dtype=dtype) for gate in range(4)]
        return ops.concatenate(blocks, axis=1)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


def per_gate_glorot(fan_in: int, units: int):
    """Glorot-uniform with the limit ``sqrt(6/(fan_in + units))`` of one gate, for the fused (fan_in, 4·units) kernel.

    ``VarianceScaling(scale, 'fan_avg', 'uniform')`` on the fused kernel has limit
    ``sqrt(6·scale/(fan_in + 4·units))``; the scale makes the two equal.
    """
    return keras.initializers.VarianceScaling(scale=(fan_in + 4 * units) / (fan_in + units), mode="fan_avg",
                                              distribution="uniform")


@keras.saving.register_keras_serializable(package="decay")
class RMSpropKeras1(keras.optimizers.Optimizer):
    """Keras 1's RMSprop: ``a ← ρa + (1−ρ)g²``, ``p ← p − lr·g / (sqrt(a) + ε)`` (ε outside the root).

    One accumulator per model variable, kept under the variable's ``path`` (public
    ``keras.Variable`` API, instead of the optimizer's private variable index).
    """

    def __init__(self, learning_rate=1e-3, rho=0.9, epsilon=1e-8, name="rmsprop_keras1", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._accumulators = {}
        for variable in variables:  # created in the variables' order: the saved optimizer state keeps its layout
            if variable.path in self._accumulators:
                raise ValueError(f"two variables have the path {variable.path!r}: {type(self).__name__} keeps one "
                                 "accumulator per path")
            self._accumulators[variable.path] = self.add_variable_from_reference(variable, "accumulator")

    def _accumulator(self, variable):
        """The accumulator of a model variable.

        The TensorFlow backend hands ``update_step`` the ``tf.Variable`` a ``keras.Variable``
        holds, named ``<path>:0``; the other backends hand it the ``keras.Variable`` itself.
        """
        path = getattr(variable, "path", None) or variable.name.split(":")[0]
        if path not in self._accumulators:
            raise KeyError(f"{type(self).__name__}: {path!r} is not a variable this optimizer was built for")
        return self._accumulators[path]

    def update_step(self, gradient, variable, learning_rate):
        accumulator = self._accumulator(variable)
        gradient = ops.cast(gradient, variable.dtype)
        self.assign(accumulator, self.rho * accumulator + (1.0 - self.rho) * ops.square(gradient))
        step = ops.cast(learning_rate, variable.dtype) * gradient / (ops.sqrt(accumulator) + self.epsilon)
        self.assign_sub(variable, step)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="decay")
class SliceConvolution(layers.Layer):
    """Model 2's convolution inside each time slice: (batch, T, F) → (batch, T, features).

    Keras 1 wrapped ``Convolution1D`` in ``TimeDistributed`` over a (T, F, 1) input; here the
    slices are folded into the batch (batch·T, F, 1), convolved (then BatchNorm + MaxPool(2)
    after each conv for the paper's variants), flattened and unfolded.  The same computation,
    without ``keras.layers.TimeDistributed``, which Keras 3.15 gets wrong on a ``None`` time
    axis inside a retraced function (see gruv/model.py).
    """

    def __init__(self, filters=(32,), lengths=(41,), activation="tanh", batchnorm_pool=False, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.lengths = tuple(filters), tuple(lengths)
        self.activation, self.batchnorm_pool = activation, batchnorm_pool
        self.stack = []
        for index, (count, length) in enumerate(zip(self.filters, self.lengths)):
            # Keras 1's 'uniform' initialisation
            self.stack.append(layers.Conv1D(count, length, padding="same", activation=activation, name=f"conv_{index}",
                                            kernel_initializer=keras.initializers.RandomUniform(-0.05, 0.05)))
            if batchnorm_pool:
                self.stack += [layers.BatchNormalization(epsilon=1e-6, momentum=0.9, name=f"batchnorm_{index}"),
                               layers.MaxPooling1D(2, padding="valid", name=f"pool_{index}")]

    def build(self, input_shape):
        shape = (None, input_shape[-1], 1)
        for layer in self.stack:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.output_features = shape[1] * shape[2]

    def call(self, inputs, training=None):
        batch, steps, samples = ops.shape(inputs)[0], ops.shape(inputs)[1], ops.shape(inputs)[2]
        x = ops.reshape(inputs, (batch * steps, samples, 1))
        for layer in self.stack:
            x = layer(x, training=training) if isinstance(layer, layers.BatchNormalization) else layer(x)
        return ops.reshape(x, (batch, steps, self.output_features))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1], self.output_features)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "lengths": self.lengths, "activation": self.activation,
                "batchnorm_pool": self.batchnorm_pool}


def build_model(config: DecayConfig, features: int) -> keras.Model:
    """Model 1 or 2 for slices of ``features`` samples: (batch, time, F) → (batch, time, F)."""
    hidden = config.hidden_units
    inputs = keras.Input(shape=(None, features), name="slices")
    if config.architecture == "lstm":
        # A Dense on a 3-D input acts on every slice: Keras 1's TimeDistributed(Dense).
        x = layers.Dense(hidden, activation=config.activation, kernel_initializer="glorot_uniform",
                         name="dense_in")(inputs)
        fan_in, output_activation = hidden, config.activation
    else:
        convolution = SliceConvolution(config.conv_filters, config.conv_lengths, config.conv_activation,
                                       config.conv_batchnorm_pool, name="slice_conv")
        x = convolution(inputs)
        # lstm_utils.py:47: the output Dense is linear
        fan_in, output_activation = convolution.output_features, "linear"
    gate = hard_sigmoid_theano if config.gate_activation == "hard_sigmoid" else "sigmoid"
    for index in range(config.lstm_layers):
        x = layers.LSTM(hidden, activation="tanh", recurrent_activation=gate, return_sequences=True,
                        kernel_initializer=per_gate_glorot(fan_in, hidden),
                        recurrent_initializer=PerGateOrthogonal(1.1),
                        bias_initializer="zeros", unit_forget_bias=True, name=f"lstm_{index}")(x)
        fan_in = hidden
    outputs = layers.Dense(features, activation=output_activation,
                           kernel_initializer="glorot_uniform", name="dense_out")(x)
    return keras.Model(inputs, outputs, name=f"decay_{config.architecture}")


def compile_model(model: keras.Model, config: DecayConfig) -> None:
    """MSE and RMSprop(lr 1e-3, ρ 0.9, ε 1e-8) with Keras 1's update (or Keras 3's, as a switch)."""
    if config.optimizer == "keras1":
        optimizer = RMSpropKeras1(config.learning_rate, config.rho, config.epsilon)
    else:
        optimizer = keras.optimizers.RMSprop(learning_rate=config.learning_rate, rho=config.rho, epsilon=config.epsilon)
    model.compile(loss=keras.losses.MeanSquaredError(), optimizer=optimizer)


def layer_groups(model: keras.Model) -> tuple[list, list, list]:
    """(the layers before the LSTMs, the LSTM layers in order, the layers after them) of a :func:`build_model` network.

    Found by the names :func:`build_model` gives: ``dense_in`` (model 1) or ``slice_conv``
    (model 2), ``lstm_0`` … ``lstm_{L−1}``, ``dense_out``.
    """
    names = [layer.name for layer in model.layers]
    before = [model.get_layer(name) for name in ("dense_in", "slice_conv") if name in names]
    lstms = [model.get_layer(f"lstm_{index}") for index in range(sum(name.startswith("lstm_") for name in names))]
    return before, lstms, [model.get_layer("dense_out")]


def load_trained(run_or_model_dir) -> keras.Model:
    """A trained network (safe-mode loading), from a run directory, a folder or a ``.keras`` file.

    A run directory (one with ``data/x.npy``): its ``model.keras``, checked against the run's
    slice size.  A folder without run data: its ``model.keras``, unchecked.  A file: loaded as
    it is.  Whatever is missing or unreadable raises :class:`shared.rundir.InputError` naming
    the file and the command that makes it (``python -m decay.train``).
    """
    return load_run_model(run_or_model_dir, "decay.train")
