"""Sarroff & Casey's autoencoders in pylearn2's 2014 semantics (README, 'The equations').

* :class:`Autoencoder`: h = act_enc(x·W + hb), x̂ = act_dec(h·W′ + vb) with **tied** W′ = Wᵀ by
  default (Q6), W ~ U(−irange/2, irange/2), biases 0 (Q7); gaussian input corruption
  x + N(0, std²) when training (a denoising autoencoder).  AE1: sigmoid / linear; AE2:
  sigmoid / sigmoid.
* :class:`ComposedAutoencoder`: enc1 → enc2 → dec2 → dec1 over two autoencoders, all weights
  trained, no corruption (pylearn2's DeepComposedAutoencoder never called its corruptors, Q5).
* :func:`reconstruction_error`: Σ over the features of (x − x̂)², the mean over the batch
  (MeanSquaredReconstructionError; Keras' "mse" would divide by 1025, Q3).
* SGD lr 0.005 with momentum 0.5: Keras' SGD update m ← μ·m − lr·g, θ ← θ + m is pylearn2's.
"""

from __future__ import annotations

from pathlib import Path

import keras
from keras import ops

from autoencoder_synth.config import AutoencoderConfig


@keras.saving.register_keras_serializable(package="autoencoder_synth")
def reconstruction_error(target, output):
    """Per-example Σ_features (x − x̂)²; Keras averages it over the batch."""
    return ops.sum(ops.square(target - output), axis=-1)


_ACTIVATIONS = {"sigmoid": ops.sigmoid, "linear": lambda value: value}


@keras.saving.register_keras_serializable(package="autoencoder_synth")
class Autoencoder(keras.Model):
    """One (denoising) autoencoder: ``encode``, ``decode``, and ``call`` = decode(encode(corrupt(x)))."""

    def __init__(self, visible=1025, hidden=256, decoder="linear", tied=True, irange=0.05, noise_std=0.0, seed=1978,
                 noise_seed=2001, **kwargs):
        super().__init__(**kwargs)
        self.visible, self.hidden, self.decoder, self.tied, self.irange, self.noise_std, self.seed = (
            visible, hidden, decoder, tied, irange, noise_std, seed)
        self.noise_seed = noise_seed
        # faithful (Q17): the corruptor's seed is pylearn2's default 2001 (the stream itself is Keras', not Theano's)
        self.noise = keras.layers.GaussianNoise(noise_std, seed=noise_seed) if noise_std > 0 else None

    def build(self, input_shape=None):
        """The weights, whatever the input: their sizes are the constructor's ``visible`` and ``hidden``."""
        irange, seed = self.irange, self.seed
        uniform = keras.initializers.RandomUniform(-irange / 2, irange / 2, seed=seed)
        self.visible_bias = self.add_weight(name="vb", shape=(self.visible,), initializer="zeros")
        self.hidden_bias = self.add_weight(name="hb", shape=(self.hidden,), initializer="zeros")
        self.kernel = self.add_weight(name="W", shape=(self.visible, self.hidden), initializer=uniform)
        self.kernel_prime = None if self.tied else self.add_weight(
            name="Wprime", shape=(self.hidden, self.visible),
            initializer=keras.initializers.RandomUniform(-irange / 2, irange / 2, seed=seed + 1))

    def encode(self, x):
        return ops.sigmoid(ops.matmul(x, self.kernel) + self.hidden_bias)

    def decode(self, h):
        kernel = ops.transpose(self.kernel) if self.kernel_prime is None else self.kernel_prime
        return _ACTIVATIONS[self.decoder](ops.matmul(h, kernel) + self.visible_bias)

    def call(self, x, training=False):
        if self.noise is not None:
            x = self.noise(x, training=training)
        return self.decode(self.encode(x))

    def get_config(self):
        return {**super().get_config(), "visible": self.visible, "hidden": self.hidden, "decoder": self.decoder,
                "tied": self.tied, "irange": self.irange, "noise_std": self.noise_std, "seed": self.seed,
                "noise_seed": self.noise_seed}


@keras.saving.register_keras_serializable(package="autoencoder_synth")
class ComposedAutoencoder(keras.Model):
    """enc1 → enc2 → dec2 → dec1 (no corruption, Q5); ``encode`` gives the innermost code."""

    def __init__(self, visible=1025, hidden=256, hidden2=8, tied=True, irange=0.05, seed=1978, **kwargs):
        super().__init__(**kwargs)
        self.visible, self.hidden, self.hidden2 = visible, hidden, hidden2
        self.tied, self.irange, self.seed = tied, irange, seed
        self.first = Autoencoder(visible, hidden, "linear", tied, irange, 0.0, seed, name="ae1")
        self.second = Autoencoder(hidden, hidden2, "sigmoid", tied, irange, 0.0, seed + 10, name="ae2")

    def build(self, input_shape=None):
        self.first.build()
        self.second.build()

    def encode(self, x):
        return self.second.encode(self.first.encode(x))

    def decode(self, code):
        return self.first.decode(self.second.decode(code))

    def call(self, x, training=False):
        return self.decode(self.encode(x))

    def get_config(self):
        return {**super().get_config(), "visible": self.visible, "hidden": self.hidden, "hidden2": self.hidden2,
                "tied": self.tied, "irange": self.irange, "seed": self.seed}


def build_model(config: AutoencoderConfig, visible: int = 1025) -> keras.Model:
    """AE1 (visible → HL1, linear out), AE2 (HL1 → HL2, sigmoid out) or the composed deep autoencoder."""
    if config.kind == "ae1":
        model = Autoencoder(visible, config.hidden, "linear", config.tied, config.irange, config.noise_std, config.seed,
                            config.noise_seed)
        width = visible
    elif config.kind == "ae2":
        model = Autoencoder(config.hidden, config.hidden2, "sigmoid", config.tied, config.irange, config.noise_std,
                            config.seed, config.noise_seed)
        width = config.hidden
    else:
        model = ComposedAutoencoder(visible, config.hidden, config.hidden2, config.tied, config.irange, config.seed)
        width = visible
    model(ops.zeros((1, width)))
    return model


def compile_model(model: keras.Model, config: AutoencoderConfig) -> None:
    model.compile(optimizer=keras.optimizers.SGD(config.learning_rate, momentum=config.momentum),
                  loss=reconstruction_error)


def model_folder(run_or_model_dir) -> Path:
    """The folder of a trained model: ``<run>/<model>`` as given, or, for a run, its ``model`` setting's folder."""
    from shared.rundir import load_config

    path = Path(run_or_model_dir)
    if not (path / "model.keras").is_file() and (path / "config.json").is_file():  # a run: its model setting
        path = path / load_config(path, AutoencoderConfig)[0].model
    return path


def load_trained(path):
    """The Keras model of one trained model: ``<run>/<model>`` (a folder holding ``model.keras``), a run (its ``model``
    setting's folder) or a ``.keras`` file; :class:`~shared.rundir.InputError` naming the file when there is none."""
    from shared.rundir import InputError, load_keras_model

    path = Path(path)
    if path.suffix != ".keras":
        path = model_folder(path)
        if not (path / "model.keras").is_file():
            raise InputError(path / "model.keras",
                             f"missing: train {path.name} first (python -m autoencoder_synth.train)")
        path = path / "model.keras"
    return load_keras_model(path, "autoencoder_synth.train", kind=(Autoencoder, ComposedAutoencoder))


def set_stack_weights(stack: ComposedAutoencoder, first: keras.Model, second: keras.Model) -> ComposedAutoencoder:
    """Put a trained AE1's and AE2's weights into a composed autoencoder (the stack ``generate`` plays as
    ``ae2-…`` and ``deep-…`` starts its fine-tuning from); builds it first.  Returns ``stack``."""
    if not stack.built:
        stack(ops.zeros((1, stack.visible)))  # built by a call, so that its saved file records the input shape
    stack.first.set_weights(first.get_weights()[: len(stack.first.weights)])
    stack.second.set_weights(second.get_weights()[: len(stack.second.weights)])
    return stack
