"""decay/: one test (or more) per item of the fidelity checklist in decay/README.md ("Checklist").

Each test checks our code against an independent computation written here: a numpy
transcription of the original step (Python 2 integer arithmetic, scipy 0.17's causal
Chebyshev decimation, the block loop of ``pipeline.py``, a Keras 1 / Theano LSTM step with
``clip(0.2x + 0.5, 0, 1)`` gates, Keras 1's RMSprop, the authors' envelope fit), or against
the published numbers of the source written as literals.  Tiny shapes and untrained models:
the whole module runs in well under a minute.  ``tests/mutations/decay.py`` lists the wrong
changes these tests are proven to catch.
"""

import dataclasses
import subprocess
import sys

import keras
import numpy as np
import pytest
import scipy.optimize
import scipy.signal
import soundfile

from conftest import REPO_ROOT, reference_dir
from decay import analyse as decay_analyse
from decay import features as decay_features
from decay import generate as decay_generate
from decay import preprocess as decay_preprocess
from decay import sampling as decay_sampling
from decay import train as decay_train
from decay.config import PRESETS, DecayConfig
from decay.model import build_model, compile_model, hard_sigmoid_theano
from shared import metrics
from shared.rundir import read_json, resolve_config

TINY = DecayConfig(**{**PRESETS["tiny"], "preset": "tiny"})  # 1 s notes, 30 slices/s: 2940 Hz, 98-sample slices, T = 30
GUITAR = ("Guitar.mf.sulB.C5Gb5", "Guitar.mf.sulG.C5Db5")
CELLO = ("Cello.pizz.ff.sulA.D5.stereo", "Cello.pizz.ff.sulC.Eb3.stereo")


# ----------------------------------------------------------------------------- independent transcriptions


def write_note(path, frequency, seconds=1.2, rate=44100, decay=3.0, right_gain=None):
    """An int16 plucked-like note; stereo when ``right_gain`` is given (right = a different signal)."""
    t = np.arange(int(seconds * rate)) / rate
    left = 0.6 * np.exp(-decay * t) * (np.sin(2 * np.pi * frequency * t) + 0.3 * np.sin(6 * np.pi * frequency * t))
    samples = np.round(left * 32767).astype(np.int16)
    if right_gain is not None:
        right = np.round(right_gain * np.exp(-decay * t) * np.sin(2 * np.pi * 1.5 * frequency * t) * 32767)
        right = right.astype(np.int16)
        samples = np.stack([samples, right], axis=1)
    soundfile.write(path, samples, rate, subtype="PCM_16")
    return path


def keras1_pipeline_note(path, highest_freq):
    """``pipeline.py`` for one file: int16 left channel / 32767.0, then scipy 0.17's ``decimate(x, q)``."""
    samples, rate = soundfile.read(path, dtype="int16", always_2d=True)
    x = samples[:, 0].astype(np.float64) / 32767.0
    q = rate // (2 * highest_freq)  # Python 2: 44100 / sr0 with ints
    if q > 1:
        b, a = scipy.signal.cheby1(8, 0.05, 0.8 / q)  # scipy 0.17 defaults: order 8, 0.05 dB ripple, cut-off 0.8/q
        x = scipy.signal.lfilter(b, a, x)[::q]  # causal, first sample kept
    return x, rate // q


def keras1_blocks(signal, block, slices):
    """``convert_nd_audio_to_sample_blocks`` as a loop: blocks, last one zero-padded; zero blocks up to / cut at T."""
    blocks, start = [], 0
    while start < len(signal):
        piece = signal[start:start + block]
        blocks.append(np.concatenate([piece, np.zeros(block - len(piece))]))
        start += block
    while len(blocks) < slices:
        blocks.append(np.zeros(block))
    return np.array(blocks[:slices])


def numpy_activation(name, x):
    return {"linear": lambda v: v, "tanh": np.tanh, "relu": lambda v: np.maximum(v, 0.0),
            "sigmoid": lambda v: 1 / (1 + np.exp(-v))}[name](x)


def theano_hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


def keras1_lstm(x, kernel, recurrent, bias):
    """Keras 1 LSTM (``consume_less='cpu'``) over (batch, T, in): gates i, f, c, o; inner activation hard sigmoid."""
    units = recurrent.shape[0]
    h = np.zeros((x.shape[0], units))
    c = np.zeros((x.shape[0], units))
    outputs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i = theano_hard_sigmoid(z[:, :units])
        f = theano_hard_sigmoid(z[:, units:2 * units])
        candidate = np.tanh(z[:, 2 * units:3 * units])
        o = theano_hard_sigmoid(z[:, 3 * units:])
        c = f * c + i * candidate
        h = o * np.tanh(c)
        outputs.append(h)
    return np.stack(outputs, axis=1)


def numpy_model1(model, x, activation, layers_count):
    """Model 1 in numpy: Dense(H, act) -> L x LSTM(H) -> Dense(F, act), from the model's weights."""
    weights = lambda name: [np.asarray(w, dtype=np.float64) for w in model.get_layer(name).get_weights()]  # noqa: E731
    kernel, bias = weights("dense_in")
    hidden = numpy_activation(activation, x @ kernel + bias)
    for index in range(layers_count):
        hidden = keras1_lstm(hidden, *weights(f"lstm_{index}"))
    kernel, bias = weights("dense_out")
    return numpy_activation(activation, hidden @ kernel + bias)


def numpy_conv_same(x, kernel, bias):
    """Conv1D 'same', stride 1, over (n, F, channels) with a (k, channels, filters) kernel (cross-correlation)."""
    length = kernel.shape[0]
    left = (length - 1) // 2
    padded = np.pad(x, ((0, 0), (left, length - 1 - left), (0, 0)))
    out = np.zeros((x.shape[0], x.shape[1], kernel.shape[2]))
    for j in range(length):
        out += padded[:, j:j + x.shape[1], :] @ kernel[j]
    return out + bias


def numpy_model2(model, x, config):
    """Model 2 in numpy: per-slice Conv1D(same) [-> BN -> MaxPool(2, valid)]... -> flatten -> LSTM(s) -> linear
    Dense(F)."""
    batch, steps, samples = x.shape
    stack = {layer.name: [np.asarray(w, dtype=np.float64) for w in layer.get_weights()]
             for layer in model.get_layer("slice_conv").stack}
    y = x.reshape(batch * steps, samples, 1)
    for index in range(len(config.conv_filters)):
        y = numpy_activation(config.conv_activation, numpy_conv_same(y, *stack[f"conv_{index}"]))
        if config.conv_batchnorm_pool:
            gamma, beta, moving_mean, moving_variance = stack[f"batchnorm_{index}"]
            y = (y - moving_mean) / np.sqrt(moving_variance + 1e-6) * gamma + beta  # Keras 1.0: epsilon 1e-6
            pairs = y.shape[1] // 2
            y = y[:, :2 * pairs].reshape(y.shape[0], pairs, 2, y.shape[2]).max(axis=2)
    hidden = y.reshape(batch, steps, -1)  # Flatten: (samples, filters) row-major
    for index in range(config.lstm_layers):
        weights = [np.asarray(w, dtype=np.float64) for w in model.get_layer(f"lstm_{index}").get_weights()]
        hidden = keras1_lstm(hidden, *weights)
    kernel, bias = [np.asarray(w, dtype=np.float64) for w in model.get_layer("dense_out").get_weights()]
    return hidden @ kernel + bias  # always linear (lstm_utils.py:47)


def randomise(model, rng, scale=0.5):
    """Random weights, large enough to reach the gates' clipped ranges; BatchNorm variances small, so ε matters."""
    layers = []
    for layer in model.layers:
        layers += getattr(layer, "stack", [layer])  # the per-slice convolution's own layers
    for layer in layers:
        weights = layer.get_weights()
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, mean, variance = weights
            layer.set_weights([rng.uniform(0.5, 1.5, gamma.shape), rng.normal(0, 0.1, beta.shape),
                               rng.normal(0, 0.1, mean.shape), rng.uniform(1e-3, 1e-2, variance.shape)])
        elif weights:
            layer.set_weights([rng.normal(0, scale, w.shape).astype(np.float32) for w in weights])


def keras1_denormalise(g, mean, std):
    """``generate_seq.py:56-60``: ``(g + mean) * std * 32767`` and numpy's wrapping ``astype(int16)``."""
    return np.trunc((np.asarray(g, np.float64).reshape(-1) + mean) * std * 32767).astype(np.int64).astype(np.int16)


def keras1_write(samples, rate):
    """``write_np_as_wav``: FFT ``resample`` to 44.1 kHz, then ``astype(int16)``."""
    return scipy.signal.resample(samples.astype(np.float64), int(len(samples) * 44100 / rate)).astype(np.int16)


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def notes(tmp_path_factory):
    """Four stereo notes whose channels differ, written in reverse name order; the tiny preset reads the first 3.

    Neither the creation order nor ext4's hash order of these names is the sorted order.
    """
    folder = tmp_path_factory.mktemp("notes")
    for name, frequency in (("F5", 698.46), ("E5", 659.26), ("C5", 523.25), ("A4", 440.0)):
        write_note(folder / f"Plucked.mf.{name}.wav", frequency, right_gain=0.3)
    return folder


@pytest.fixture(scope="module")
def tiny_run(notes, tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    decay_preprocess.preprocess(notes, run, TINY, progress=False)
    return run


@pytest.fixture(scope="module")
def generated_run(notes, tmp_path_factory):
    """A tiny run with an untrained, seeded model, continued by ``generate`` (faithful mode) at 44.1 kHz."""
    run = tmp_path_factory.mktemp("generated")
    config = dataclasses.replace(TINY, hidden_units=8, notes=("Plucked.mf.C5",))
    decay_preprocess.preprocess(notes, run, config, progress=False)
    keras.utils.set_random_seed(3)
    model = build_model(config, 98)
    model.save(run / "model.keras")
    decay_generate.generate(run, config, progress=False)
    return run, config, model


@pytest.fixture(scope="module")
def numpy_continuation(generated_run):
    """The C5 note continued by the numpy model from its first P normalised slices, denormalised (model rate)."""
    run, config, model = generated_run
    x = np.load(run / "data" / "x.npy")[1].astype(np.float64)  # C5 is the second note in sorted order
    sequence = x[:config.prime][None]
    while sequence.shape[1] < len(x):  # generate_seq.py: the whole growing sequence, its last output appended
        output = numpy_model1(model, sequence, config.activation, config.lstm_layers)
        sequence = np.concatenate([sequence, output[:, -1:]], axis=1)
    stats = np.load(run / "data" / "stats.npz")
    return keras1_denormalise(sequence[0], float(stats["mean"]), float(stats["std"]))


def independent_tiny_blocks(notes, config=TINY):
    files = sorted(notes.glob("*.wav"))[:config.max_files]  # sorted, then cut to n_to_load
    signals = [keras1_pipeline_note(path, config.highest_freq) for path in files]
    rate = signals[0][1]
    block = rate // config.slices_per_second
    slices = (rate * config.clip_seconds) // block
    return [path.stem for path in files], np.stack([keras1_blocks(x, block, slices) for x, _ in signals]), rate, block


# ----------------------------------------------------------------------------- 1. int16, left channel, /32767


def test_item01_left_channel_over_32767(tmp_path):
    rate = 44100
    left = np.array([-32768, -32767, -1, 0, 1, 12345, 32767] * 300, dtype=np.int16)
    right = (left[::-1] // 2).astype(np.int16)
    path = tmp_path / "stereo.wav"
    soundfile.write(path, np.stack([left, right], axis=1), rate, subtype="PCM_16")
    config = dataclasses.replace(TINY, highest_freq=rate // 2)  # q = 1: no decimation, the raw conversion alone
    signal, file_rate = decay_features.load_note(path, config)
    assert file_rate == rate
    np.testing.assert_array_equal(signal, left.astype(np.float64) / 32767.0)
    assert signal.min() == pytest.approx(-1.0000305, abs=1e-7)  # −32768 maps below −1: fixed scale, no peak normalising


# ----------------------------------------------------------------------------- 2. integer q and sr, causal decimation


def test_item02_integer_rates_of_the_instruments():
    # (q, sr) = (44100 // (2·highest_freq), 44100 // q): guitar, cello run 1, cello as in the paper, piano, flute.
    expected = {1400: (15, 2940), 5000: (4, 11025), 8000: (2, 22050), 4200: (5, 8820), 2000: (11, 4009)}
    for highest_freq, rates in expected.items():
        assert decay_features.model_rate(44100, highest_freq) == rates


def test_item02_causal_chebyshev_decimation(notes):
    path = notes / "Plucked.mf.C5.wav"
    expected, rate = keras1_pipeline_note(path, 1400)
    ours, file_rate = decay_features.load_note(path, dataclasses.replace(TINY, highest_freq=1400))
    assert rate == 2940 and file_rate == 44100 and len(ours) == len(expected)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-6)  # SOS vs b/a numerics only


# ----------------------------------------------------------------------------- 3. block size, T, padding


def test_item03_block_size_and_slices_at_every_rate():
    table = {  # (model rate, clip s): {slices/s: (block, T)}
        (2940, 5): {10: (294, 50), 30: (98, 150), 60: (49, 300), 90: (32, 459), 120: (24, 612)},
        (11025, 3): {10: (1102, 30), 30: (367, 90), 60: (183, 180), 90: (122, 271), 120: (91, 363)},
        (8820, 5): {60: (147, 300)},
    }
    for (rate, clip), rows in table.items():
        for per_second, layout in rows.items():
            config = dataclasses.replace(TINY, clip_seconds=clip, slices_per_second=per_second)
            assert decay_features.block_layout(rate, config) == layout, (rate, per_second)


@pytest.mark.parametrize("length", [1, 97, 98, 99, 1000, 2940, 5000])
def test_item03_blocks_match_the_original_loop(length):
    signal = np.random.default_rng(length).uniform(-1, 1, length)
    np.testing.assert_array_equal(decay_features.note_blocks(signal, 98, 30), keras1_blocks(signal, 98, 30))


# ----------------------------------------------------------------------------- 4. targets


def test_item04_targets_are_the_next_slice_and_a_zero_end_slice(tiny_run):
    data = tiny_run / "data"
    x, y, stats = np.load(data / "x.npy"), np.load(data / "y.npy"), np.load(data / "stats.npz")
    np.testing.assert_array_equal(y[:, :-1], x[:, 1:])
    # The end slice is an all-zero *signal*, normalised like every other target: (0 − mean) / std.
    np.testing.assert_allclose(y[:, -1], np.float32(-float(stats["mean"]) / float(stats["std"])), rtol=1e-6)


# ----------------------------------------------------------------------------- 5. global statistics


def test_item05_global_population_statistics_with_padding(notes, tiny_run):
    stems, blocks, rate, block = independent_tiny_blocks(notes)
    mean = blocks.mean()
    std = np.sqrt(((blocks - mean) ** 2).mean())
    stats = np.load(tiny_run / "data" / "stats.npz")
    assert float(stats["mean"]) == pytest.approx(mean, rel=1e-6, abs=1e-12)
    assert float(stats["std"]) == pytest.approx(std, rel=1e-6)
    assert int(stats["sample_rate"]) == rate == 2940 and int(stats["block_size"]) == block == 98
    np.testing.assert_allclose(np.load(tiny_run / "data" / "x.npy"), (blocks - mean) / std, atol=2e-5)
    document = read_json(tiny_run / "config.json")
    assert document["notes"]["train"] == stems == sorted(stems)  # names saved, sorted (Q10)
    assert [p.rsplit("/", 1)[-1] for p in document["inputs"]] == [f"{stem}.wav" for stem in stems]


def test_item05_population_std_and_floor():
    config = DecayConfig()
    assert config.normalisation == "global" and config.std_floor == 1e-8
    x = np.arange(24.0).reshape(2, 3, 4)
    mean, std = decay_features.statistics(x, config)
    assert float(mean) == 11.5 and float(std) == pytest.approx(np.sqrt(np.mean((x - 11.5) ** 2)), rel=1e-12)
    mean, std = decay_features.statistics(np.zeros((2, 3, 4)), config)
    assert float(mean) == 0.0 and float(std) == 1e-8


# ----------------------------------------------------------------------------- 6. model 1


def test_item06_model1_defaults():
    config = DecayConfig()
    assert (config.architecture, config.hidden_units, config.lstm_layers, config.activation) == (
        "lstm", 512, 1, "linear")
    model = build_model(config, 49)
    assert [layer.name for layer in model.layers] == ["slices", "dense_in", "lstm_0", "dense_out"]
    assert model.get_layer("dense_in").units == 512 and model.get_layer("lstm_0").units == 512
    assert model.get_layer("dense_out").units == 49 and model.output_shape == (None, None, 49)


@pytest.mark.parametrize("activation, layers_count", [("linear", 1), ("tanh", 2), ("relu", 1)])
def test_item06_model1_forward_equals_keras1_numpy(activation, layers_count):
    config = dataclasses.replace(TINY, hidden_units=8, lstm_layers=layers_count, activation=activation)
    model = build_model(config, 6)
    randomise(model, np.random.default_rng(6))
    x = np.random.default_rng(7).normal(0, 1, (2, 7, 6)).astype(np.float32)
    expected = numpy_model1(model, x.astype(np.float64), activation, layers_count)
    np.testing.assert_allclose(np.asarray(model(x)), expected, rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------ 7. Keras 1 LSTM semantics and initialisation


def test_item07_gate_is_theanos_hard_sigmoid():
    assert DecayConfig().gate_activation == "hard_sigmoid"
    x = np.linspace(-4, 4, 81)
    np.testing.assert_allclose(np.asarray(hard_sigmoid_theano(x)), theano_hard_sigmoid(x), atol=1e-7)
    # The forward test of item 6 runs the model against clip(0.2x + 0.5, 0, 1) gates.


def test_item07_keras1_initialisation():
    keras.utils.set_random_seed(7)
    features, units = 200, 64
    model = build_model(dataclasses.replace(TINY, hidden_units=units), features)

    def assert_glorot_uniform(values, fan_in, fan_out, what):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        assert np.abs(values).max() <= limit * (1 + 1e-6), what
        assert np.abs(values).max() >= 0.97 * limit, what
        assert np.std(values) == pytest.approx(limit / np.sqrt(3), rel=0.05), what  # uniform, not normal

    for name, (fan_in, fan_out) in {"dense_in": (features, units), "dense_out": (units, features)}.items():
        kernel, bias = model.get_layer(name).get_weights()
        assert_glorot_uniform(kernel, fan_in, fan_out, name)
        assert not bias.any()
    kernel, recurrent, bias = model.get_layer("lstm_0").get_weights()
    for gate in range(4):
        columns = slice(gate * units, (gate + 1) * units)
        assert_glorot_uniform(kernel[:, columns], units, units, "kernel gate "
                                                                f"{gate}")  # per gate: (in, H), not (in, 4H)
        block = recurrent[:, columns].astype(np.float64)
        np.testing.assert_allclose(block.T @ block, 1.21 * np.eye(units), atol=1e-4)  # orthogonal × 1.1
    assert not np.allclose(recurrent[:, :units], recurrent[:, units:2 * units])  # independent per gate
    np.testing.assert_array_equal(bias[units:2 * units], 1.0)  # forget gate
    assert not bias[:units].any() and not bias[2 * units:].any()


# ----------------------------------------------------------------------------- 8. model 2 (CNN-LSTM)


def test_item08_cnn_lstm_settings_and_initialisation():
    config = DecayConfig(**PRESETS["cnn-lstm"])
    assert (config.architecture, config.conv_filters, config.conv_lengths, config.conv_activation,
            config.conv_batchnorm_pool) == ("cnn-lstm", (32,), (41,), "tanh", False)
    paper = DecayConfig(**PRESETS["cnn-lstm-paper"])
    assert (paper.conv_filters, paper.conv_lengths, paper.conv_activation, paper.conv_batchnorm_pool) == (
        (32, 16, 8), (41, 17, 3), "relu", True)
    keras.utils.set_random_seed(8)
    model = build_model(dataclasses.replace(config, hidden_units=8), 49)
    (conv,) = model.get_layer("slice_conv").stack
    kernel, bias = conv.get_weights()
    assert kernel.shape == (41, 1, 32) and conv.padding == "same"
    assert 0.049 <= np.abs(kernel).max() <= 0.05 and not bias.any()  # Keras 1 'uniform': U(±0.05)
    assert "dense_in" not in [layer.name for layer in model.layers]  # no input Dense in model 2
    paper_model = build_model(dataclasses.replace(paper, hidden_units=8), 49)
    norms = [layer for layer in paper_model.get_layer("slice_conv").stack
             if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(norms) == 3 and all(layer.epsilon == 1e-6 and layer.momentum == 0.9 for layer in norms)


@pytest.mark.parametrize("variant", ["head", "paper"])
def test_item08_cnn_lstm_forward_equals_numpy(variant):
    config = dataclasses.replace(TINY, architecture="cnn-lstm", hidden_units=6, activation="tanh", conv_filters=(3,),
                                 conv_lengths=(5,), conv_activation="tanh")
    if variant == "paper":
        config = dataclasses.replace(config, conv_filters=(3, 2), conv_lengths=(5, 3), conv_activation="relu",
                                     conv_batchnorm_pool=True)
    model = build_model(config, 12)
    randomise(model, np.random.default_rng(8))
    x = np.random.default_rng(9).normal(0, 1, (2, 4, 12)).astype(np.float32)
    expected = numpy_model2(model, x.astype(np.float64), config)
    np.testing.assert_allclose(np.asarray(model(x, training=False)), expected, rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------------------- 9. training


def test_item09_training_settings():
    config = DecayConfig()
    assert (config.epochs, config.batch_size, config.learning_rate, config.rho, config.epsilon) == (
        180, 10, 1e-3, 0.9, 1e-8)
    assert config.optimizer == "keras1" and config.shuffle is True
    for run in ("run1", "run2", "run3", "run4", "run5", "run6", "run7", "run8", "run9"):
        resolved = resolve_config(DecayConfig, PRESETS, run)
        settings = (resolved.epochs, resolved.batch_size, resolved.learning_rate, resolved.optimizer)
        assert settings == (180, 10, 1e-3, "keras1"), run


def test_item09_rmsprop_is_keras1_and_loss_is_mse():
    model = build_model(dataclasses.replace(TINY, hidden_units=4), 3)
    compile_model(model, DecayConfig())
    start = np.array([0.5, -0.25, 1.0], dtype=np.float32)
    variable = keras.Variable(start.copy())
    gradients = [np.array([1e-5, -2e-3, 0.3]), np.array([3e-5, 1e-3, -0.1]), np.array([-2e-5, 5e-4, 0.2])]
    expected, accumulator = start.astype(np.float64), np.zeros(3)
    for gradient in gradients:  # Keras 1: a ← ρa + (1−ρ)g²; p ← p − lr·g / (√a + ε)
        model.optimizer.apply_gradients([(gradient.astype(np.float32), variable)])
        accumulator = 0.9 * accumulator + 0.1 * gradient**2
        expected = expected - 1e-3 * gradient / (np.sqrt(accumulator) + 1e-8)
    np.testing.assert_allclose(variable.numpy(), expected, rtol=1e-6, atol=1e-9)
    target, prediction = np.array([[[0.5, -1.0, 2.0]]]), np.array([[[0.0, 1.0, 1.5]]])
    assert float(model.loss(target, prediction)) == pytest.approx(np.mean((target - prediction) ** 2), rel=1e-6)


def test_item09_fit_shuffles_without_validation(notes, tmp_path, monkeypatch):
    seen = {}

    def record(self, x, y, **kwargs):
        seen.update(kwargs, samples=len(x))

    monkeypatch.setattr(keras.Model, "fit", record)
    config = dataclasses.replace(TINY, hidden_units=4)
    decay_preprocess.preprocess(notes, tmp_path, config, progress=False)
    decay_train.train(tmp_path, config, verbose=0)
    assert seen["samples"] == 3 and seen["epochs"] == config.epochs and seen["batch_size"] == config.batch_size
    assert seen["shuffle"] is True
    assert not seen.get("validation_split") and seen.get("validation_data") is None


# ----------------------------------------------------------------------------- 10. the prime


def test_item10_published_primes():
    # (preset, slices per second, prime slices, prime seconds P·bs/sr from the files' lengths)
    table = [("run1", 60, 9, 9 * 183 / 11025), ("run2", 10, 3, 0.300), ("run3", 30, 3, 0.100), ("run4", 60, 20, 1 / 3),
             ("run5", 60, 20, 1 / 3), ("run6", 60, 20, 1 / 3), ("run8", 60, 20, 1 / 3), ("run9", 60, 20, 1 / 3)]
    assert DecayConfig().prime == 20
    for run, per_second, prime, seconds in table:
        config = resolve_config(DecayConfig, PRESETS, run)
        assert (config.slices_per_second, config.prime) == (per_second, prime), run
        rate = 44100 // (44100 // (2 * config.highest_freq))
        assert prime * (rate // per_second) / rate == pytest.approx(seconds, abs=5e-4), run


def test_item10_prime_is_the_first_normalised_slices(generated_run, tmp_path):
    """Written at the model rate (no resampling), ``_gen`` starts with the note's own first P slices."""
    run, config, _ = generated_run
    for name in ("config.json", "model.keras", "data/x.npy", "data/y.npy", "data/stats.npz"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes((run / name).read_bytes())
    decay_generate.generate(tmp_path, dataclasses.replace(config, output_rate=2940), progress=False)
    original, rate = soundfile.read(tmp_path / "generated" / "Plucked.mf.C5.wav", dtype="int16")
    whole, _ = soundfile.read(tmp_path / "generated" / "Plucked.mf.C5_gen.wav", dtype="int16")
    x = np.load(run / "data" / "x.npy")[1]  # C5 is the second note in sorted order
    stats = np.load(run / "data" / "stats.npz")
    assert rate == 2940 and len(whole) == len(original) == 30 * 98
    np.testing.assert_array_equal(original, keras1_denormalise(x, float(stats["mean"]), float(stats["std"])))
    prime_samples = config.prime * 98
    np.testing.assert_array_equal(whole[:prime_samples], original[:prime_samples])
    assert np.any(whole[prime_samples:] != original[prime_samples:])  # and the rest is the model's


# ----------------------------------------------------------------------------- 11. autoregressive generation


def test_item11_growing_sequence_last_output_appended():
    lengths = []

    def predict(sequence):  # a causal "model": each output slice = 0.9 × running mean of the inputs so far + 0.1
        lengths.append(sequence.shape[1])
        return 0.9 * np.cumsum(sequence, axis=1) / np.arange(1, sequence.shape[1] + 1)[None, :, None] + 0.1

    prime = np.random.default_rng(11).normal(0, 1, (4, 3)).astype(np.float32)
    ours = decay_sampling.generate_faithful(predict, prime, 10)
    sequence = prime.astype(np.float64)
    for _ in range(10 - 4):  # generate_seq.py: predict on the whole sequence, keep out[0, -1], append
        sequence = np.concatenate([sequence, (0.9 * sequence.mean(axis=0) + 0.1)[None]])
    assert ours.shape == (10, 3) and lengths == [4, 5, 6, 7, 8, 9]
    np.testing.assert_allclose(ours, sequence, rtol=1e-5)


def test_item11_generation_equals_numpy_model(generated_run, numpy_continuation):
    run, _, _ = generated_run
    whole, _ = soundfile.read(run / "generated" / "Plucked.mf.C5_gen.wav", dtype="int16")
    difference = whole.astype(int) - keras1_write(numpy_continuation, 2940)
    assert len(whole) == 30 * 98 * 15 and np.abs(difference).max() <= 2 and np.mean(difference == 0) > 0.99


# ----------------------------------------------------------------------------- 12. denormalisation and the three files


def test_item12_denormalisation_and_resampling_are_the_originals():
    g = np.random.default_rng(12).normal(0, 30, (6, 49))
    g[0, :3] = [1e4, -1e4, 0.0]  # far out of range: wraps like astype(int16)
    mean, std = -6.69e-5, 0.01931
    np.testing.assert_array_equal(decay_features.denormalise(g, mean, std), keras1_denormalise(g, mean, std))
    assert DecayConfig().denormalisation == "faithful" and DecayConfig().output_rate == 44100
    samples = np.random.default_rng(13).integers(-20000, 20000, 2940).astype(np.int16)
    np.testing.assert_array_equal(decay_features.to_output_rate(samples, 2940, 44100), keras1_write(samples, 2940))


def test_item12_three_files_as_the_original_writes_them(generated_run, numpy_continuation):
    run, config, _ = generated_run
    folder = run / "generated"
    names = sorted(path.name for path in folder.glob("*.wav"))
    assert names == ["Plucked.mf.C5.wav", "Plucked.mf.C5_gen.wav", "Plucked.mf.C5_gen_wp.wav"]
    samples = numpy_continuation  # at the model rate
    continuation, rate = soundfile.read(folder / "Plucked.mf.C5_gen_wp.wav", dtype="int16")
    expected = keras1_write(samples[config.prime * 98:], 2940)  # sliced at the model rate, then resampled on its own
    assert rate == 44100 and len(continuation) == len(expected) == 25 * 98 * 15
    difference = continuation.astype(int) - expected
    assert np.abs(difference).max() <= 2 and np.mean(difference == 0) > 0.99


# ----------------------------------------------------------------------------- 13. the round trip of the authors' files


def test_item13_guitar_round_trip_matches_results_4(tmp_path):
    """results/4's ``<note>.wav`` regenerated: equal up to the DC of 18- instead of 45-file statistics (+1 LSB).

    The cello round trip (results/1, all 90 files, 94–96 % bit-exact) is
    tests/test_decay_reference.py::test_round_trip_matches_the_authors_original.
    """
    folder = reference_dir("decay")
    config = resolve_config(DecayConfig, PRESETS, "run4")
    decay_preprocess.preprocess(folder / "guitar_train", tmp_path, config, progress=False)
    document = read_json(tmp_path / "config.json")
    for note in GUITAR:
        slices, mean, std = decay_sampling.note_slices(tmp_path, document, note)
        ours = decay_features.to_output_rate(decay_features.denormalise(slices, mean, std), 2940, 44100)
        theirs, rate = soundfile.read(next((folder / "results").glob("4 - *")) / f"{note}.wav", dtype="int16")
        difference = ours.astype(int) - theirs
        assert rate == 44100 and len(ours) == len(theirs) == 220500
        assert 0.9 < difference.mean() < 1.1 and np.abs(difference).max() <= 3, note
        assert np.mean(np.abs(difference - 1) <= 1) > 0.999, note


# ----------------------------------------------------------------------------- 14. the published runs


def test_item14_presets_are_the_published_runs():
    # run: (highest_freq, clip s, slices/s, H, L, act, architecture, notes, held out)
    guitar = (1400, 5, 60, 512, 1, "linear", "lstm", GUITAR, ())
    table = {
        "run1": (5000, 3, 60, 512, 1, "linear", "lstm", CELLO, ()),
        "run2": (1400, 5, 10, 512, 1, "linear", "lstm", GUITAR, ()),
        "run3": (1400, 5, 30, 512, 1, "linear", "lstm", GUITAR, ()),
        "run4": guitar,
        "run5": (1400, 5, 60, 1024, 1, "linear", "lstm", GUITAR, ()),
        "run6": (1400, 5, 60, 512, 2, "linear", "lstm", GUITAR, ()),
        "run7": (4200, 5, 60, 512, 1, "linear", "lstm", (), ()),
        "run8": (1400, 5, 60, 512, 1, "tanh", "lstm", GUITAR, ()),
        "run9": (1400, 5, 60, 512, 1, "linear", "lstm", GUITAR, GUITAR),
    }
    for run, expected in table.items():
        c = resolve_config(DecayConfig, PRESETS, run)
        assert (c.highest_freq, c.clip_seconds, c.slices_per_second, c.hidden_units, c.lstm_layers, c.activation,
                c.architecture, c.notes, c.hold_out) == expected, run
        assert c.normalisation == "global" and c.gate_activation == "hard_sigmoid", run


def test_item14_published_notes_exist_in_the_reference_data():
    folder = reference_dir("decay")
    for note in GUITAR:
        assert (folder / "guitar_train" / f"{note}.wav").is_file(), note
    for note in CELLO:
        assert (folder / "cello_pizz_train" / f"{note}.wav").is_file(), note


def test_item14_held_out_notes_leave_training_and_statistics(notes, tmp_path):
    config = dataclasses.replace(TINY, hold_out=("Plucked.mf.C5",))
    decay_preprocess.preprocess(notes, tmp_path, config, progress=False)
    stems, blocks, _, _ = independent_tiny_blocks(notes)
    train = np.array([stem != "Plucked.mf.C5" for stem in stems])
    mean = blocks[train].mean()
    std = np.sqrt(((blocks[train] - mean) ** 2).mean())
    stats = np.load(tmp_path / "data" / "stats.npz")
    assert np.load(tmp_path / "data" / "x.npy").shape == (2, 30, 98)
    assert float(stats["mean"]) == pytest.approx(mean, rel=1e-6, abs=1e-12)
    assert float(stats["std"]) == pytest.approx(std, rel=1e-6)
    np.testing.assert_allclose(np.load(tmp_path / "data" / "heldout_x.npy")[0], (blocks[~train][0] - mean) / std,
                               atol=2e-5)


# ----------------------------------------------------------------------------- 15. evaluation


def test_item15_authors_decay_fit_transcribed():
    rate = 2940
    t = np.arange(int(0.6 * rate)) / rate
    signal = 0.4 * np.exp(-4.0 * t) * np.sin(2 * np.pi * 517 * t) + 0.01 * np.sin(2 * np.pi * 60 * t)
    envelope = np.abs(scipy.signal.hilbert(signal))  # fit_sig_decay: |hilbert|, savgol(51, 2), curve_fit from (1, 1, 1)
    smooth = scipy.signal.savgol_filter(envelope, 51, 2)
    with np.errstate(over="ignore"):  # Levenberg–Marquardt tries steep exponentials on its way
        (a, b, c), _ = scipy.optimize.curve_fit(lambda n, a, b, c: a * np.exp(-b * n) + c,
                                                np.arange(len(smooth), dtype=float), smooth, p0=(1.0, 1.0, 1.0),
                                                maxfev=10000)
    ours = metrics.hilbert_exponential_fit(signal, rate, faithful=True)
    assert ours["a"] == pytest.approx(a, rel=1e-6) and ours["c"] == pytest.approx(c, rel=1e-6, abs=1e-9)
    assert ours["b_per_s"] == pytest.approx(b * rate, rel=1e-6)


def test_item15_scores_of_the_authors_run_4():
    """``decay.analyse.scored`` on results/4 gives the scores decay/README.md lists (sulB.C5Gb5)."""
    folder = next((reference_dir("decay") / "results").glob("4 - *"))
    rows = decay_analyse.scored(folder / f"{GUITAR[0]}_gen_wp.wav", folder / f"{GUITAR[0]}.wav", 1470.0)
    pitch, falling, noise = rows["same_frequencies"]["numbers"], rows["decreasing"], rows["low_noise"]
    assert pitch["f0_hz"] == pytest.approx(517.5, abs=0.1) and pitch["original_f0_hz"] == pytest.approx(516.9, abs=0.1)
    assert falling["value"] == pytest.approx(-16.5, abs=0.1)  # partial (f0-track) slope, dB/s
    assert falling["numbers"]["original_partial_slope"] == pytest.approx(-21.23, abs=0.1)
    assert falling["numbers"]["rms_slope_hp100"] == pytest.approx(-4.19, abs=0.05)
    assert falling["numbers"]["original_rms_slope_hp100"] == pytest.approx(-16.67, abs=0.05)
    assert noise["numbers"]["tonal"] == pytest.approx(0.9473, abs=0.002)
    assert noise["numbers"]["flatness"] == pytest.approx(0.1483, abs=0.001)
    assert noise["numbers"]["original_flatness"] == pytest.approx(0.0007746, rel=0.02)
    assert noise["value"] == pytest.approx(10 * np.log10(0.1483 / 0.0007746), abs=0.1)  # the flatness excess, dB


# ------------------------------------------------------------------ defect: the prime must leave something to generate


@pytest.fixture(scope="module")
def untrained_run(notes, tmp_path_factory):
    """A preprocessed tiny run (T = 30 slices) with a saved model and nothing generated yet."""
    run = tmp_path_factory.mktemp("untrained")
    decay_preprocess.preprocess(notes, run, TINY, progress=False)
    build_model(dataclasses.replace(TINY, hidden_units=4), 98).save(run / "model.keras")
    return run


@pytest.mark.parametrize("prime", [30, 31, 0, -3])
def test_generate_refuses_a_prime_outside_1_to_T_minus_1(untrained_run, prime):
    """``--prime N`` with N ≥ T (30 here) ended in a scipy ZeroDivisionError traceback; N ≤ 0 must fail as clearly."""
    command = [sys.executable, "-m", "decay.generate", "--run", str(untrained_run), "--prime", str(prime)]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--prime" in lines[0] and f"{prime} slices" in lines[0] and "1 to 29" in lines[0], lines
    assert not (untrained_run / "generated").exists()  # nothing written
