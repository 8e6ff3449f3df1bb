"""dreaming/: one test (or more) per item of the reproduction checklist (dreaming/README.md, "Checklist").

Each test checks our code against an independent computation written out here: a numpy
transcription of the TF1 ``LSTMCell`` step with its constant forget bias, TF1's Adam update,
a numerical gradient of the MSE, ``Training_Manager.next``'s pair cutting, the Blackman
zero-padded analysis, ``to_audio_new``'s oscillator bank, the FIFO seed update, the M3
formula, and the source's published numbers as literals.  Shapes are tiny (L ≤ 256, n ≤ 5)
so the module runs in seconds.  Items also held by the older modules name them in the README.
"""

import dataclasses
import json
import math

import numpy as np
import pytest
import soundfile

from conftest import REPO_ROOT, reference_dir
from dreaming import features as dreaming_features
from dreaming import preprocess as dreaming_preprocess
from dreaming import sampling as dreaming_sampling
from dreaming import train as dreaming_train
from dreaming import training as dreaming_training
from dreaming import vocoder
from dreaming.config import PRESETS, DreamingConfig
from dreaming.model import build_network, head_stddev, make_optimizer
from dreaming.features import iterations_per_epoch, layout, training_pair
from shared import metrics
from shared.rundir import load_config, resolve_config

RATE = 11025
TINY = DreamingConfig(**{**PRESETS["tiny"], "preset": "tiny"})
EXAMPLES = {number: DreamingConfig(**PRESETS[f"example{number}"]) for number in range(1, 12)}


# ============================================================================ independent references


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def tf1_lstm_step(x, h, c, kernel, recurrent, bias, forget_bias=1.0):
    """TF1 ``LSTMCell`` (no peepholes, no projection) on a batch of rows, in float64.

    ``kernel``/``recurrent`` are Keras' [L, 4L] halves of TF1's concatenated [2L, 4L] kernel,
    gate blocks in Keras' order (input, forget, candidate, output); ``bias`` is TF1's own bias
    (0 at initialisation); ``forget_bias`` is TF1's constant added to the forget pre-activation.
    """
    units = h.shape[-1]
    z = x @ kernel + h @ recurrent + bias
    i, f, j, o = (z[..., k * units:(k + 1) * units] for k in range(4))
    c_new = sigmoid(f + forget_bias) * c + sigmoid(i) * np.tanh(j)
    return sigmoid(o) * np.tanh(c_new), c_new


def weights_of(network):
    return {"kernel": network.cell.kernel.numpy().astype(np.float64),
            "recurrent": network.cell.recurrent_kernel.numpy().astype(np.float64),
            "bias": network.cell.bias.numpy().astype(np.float64),
            "head": [w.numpy().astype(np.float64) for w in network.head.weights],
            "mix": [w.numpy().astype(np.float64) for w in network.mix.weights] if network.mix is not None else None}


def tf1_bias(keras_bias):
    """TF1's bias from Keras' (Keras starts the forget block at 1 where TF1 adds the constant 1)."""
    units = len(keras_bias) // 4
    return keras_bias - np.r_[np.zeros(units), np.ones(units), np.zeros(2 * units)]


def numpy_forward(weights, x, h, c, bias=None):
    """The paper-era graph: one cell step on X [n, L] (rows = batch), then the linear head(s)."""
    bias = tf1_bias(weights["bias"]) if bias is None else bias
    h_new, c_new = tf1_lstm_step(x, h, c, weights["kernel"], weights["recurrent"], bias)
    kernel, offset = weights["head"]
    out = h_new @ kernel + offset
    if weights["mix"] is not None:  # transpose: [n, 1] → [1, n] → Dense(1) → [1, 1]
        mix_kernel, mix_offset = weights["mix"]
        out = out.T @ mix_kernel + mix_offset
    return out, h_new, c_new


def numpy_fifo(seed, out, approach):
    """fp0:197-213: vector/magnitude drop row 0 and append out[n−1]; column/transpose roll the flat seed."""
    if approach in ("vector", "magnitude"):
        return np.vstack([seed[1:], out[-1:]]), out[-1]
    prediction = out[-1, -1] if approach == "column" else out[0, 0]
    flat = np.roll(seed.reshape(-1), -1)
    flat[-1] = prediction
    return flat.reshape(seed.shape), np.array([prediction])


def numpy_dream(weights, seed, steps, approach, carry_state=True):
    units = seed.shape[1]
    h = c = np.zeros((len(seed), units))
    kept = []
    for _ in range(steps):
        out, h_new, c_new = numpy_forward(weights, seed, h, c)
        if carry_state:
            h, c = h_new, c_new
        seed, element = numpy_fifo(seed, out, approach)
        kept.append(element)
    return np.concatenate(kept)


def numpy_pair(data, cursor, approach, length, rows):
    """``Training_Manager.next`` with each approach's paper-era settings (README): Δi = L, o and (r, w)."""
    if approach == "magnitude":  # frames, the label one frame on
        return data[cursor:cursor + rows], data[cursor + 1:cursor + rows + 1]
    x = np.stack([data[cursor + i * length:cursor + i * length + length] for i in range(rows)])
    if approach == "vector":  # o = L, label (n, L)
        y = np.stack([data[cursor + length + j * length:cursor + length + j * length + length] for j in range(rows)])
    elif approach == "column":  # o = L, label (n, 1)
        y = np.stack([data[cursor + length + j * length:cursor + length + j * length + 1] for j in range(rows)])
    else:  # transpose: (1, 1) at o = n·L, the sample after the whole matrix
        y = np.array([[data[cursor + rows * length]]])
    return x, y


def blackman_closed_form(size):
    n = np.arange(size)
    return 0.42 - 0.5 * np.cos(2 * np.pi * n / (size - 1)) + 0.08 * np.cos(4 * np.pi * n / (size - 1))


def to_audio_new(frames, hop, rate, window, offsets):
    """The original vocoder, loop by loop: peak picking, per-bin envelopes, one sine per bin, the signed max."""
    frames = np.array(frames, dtype=np.float64)
    picked = np.zeros_like(frames)
    for row, out_row in zip(frames, picked):
        for i in range(1, len(row) - 1):
            if row[i] < 0:
                row[i] = 0.0
            if row[i] > row[i - 1] and row[i] > row[i + 1]:
                out_row[i] = row[i]
    count = len(frames)
    output = np.zeros((count + 1) * hop)
    for k, amplitudes in enumerate(picked.T):
        envelope = [np.linspace(0.0, amplitudes[0], hop)]
        envelope += [np.linspace(amplitudes[i], amplitudes[i + 1], hop) for i in range(count - 1)]
        envelope.append(np.linspace(amplitudes[-1], 0.0, hop))
        frequency = k * rate / (2.0 * window)
        m = np.arange((count + 1) * hop)
        output += np.sin(2 * np.pi * frequency / rate * (m + offsets[k])) * np.concatenate(envelope)
    return output / np.max(output)


# ============================================================================ helpers


def write_signal(path, samples, rate=RATE, subtype="FLOAT"):
    soundfile.write(path, samples, rate, subtype=subtype)
    return path


def noise_signal(count, seed=0, scale=0.3):
    rng = np.random.default_rng(seed)
    t = np.arange(count) / RATE
    return (scale * np.sin(2 * np.pi * 220 * t) + 0.1 * rng.standard_normal(count)).astype(np.float32)


def prepared(tmp_path, config, samples=None, name="run"):
    """Preprocess a short signal into a run directory; returns (run_dir, document)."""
    samples = noise_signal(800) if samples is None else samples
    source = write_signal(tmp_path / f"{name}.wav", samples)
    run_dir = tmp_path / name
    dreaming_preprocess.preprocess(source, run_dir, config)
    return run_dir, load_config(run_dir, DreamingConfig)[1]


def small(approach="vector", **changes):
    settings = {"approach": approach, "seg_len": 8, "rows": 3, "input_keep": 1.0, "weight_stddev": 0.1,
                "max_seconds": None, "epochs": 1, "max_iterations": 6, "dream_length": 3}
    if approach == "magnitude":
        settings.update(seg_len=16, hop=8)
    settings.update(changes)
    return dataclasses.replace(TINY, **settings)


def spy(run, name):
    """Wrap ``run.dreamer.<name>`` (a faithful step) to record its inputs and outputs as numpy arrays."""
    calls, original = [], getattr(run.dreamer, name)

    def recorder(*args):
        result = original(*args)
        calls.append(([np.array(a) for a in args], [np.array(r) for r in result]))
        return result

    setattr(run.dreamer, name, recorder)
    return calls


def read(path):
    return soundfile.read(path, dtype="float64")[0]


# ============================================================================ 1 audio


def test_item01_audio_is_11025_hz_mono_float32_in_plus_minus_one(tmp_path):
    assert DreamingConfig().sample_rate == 11025
    assert all(config.sample_rate == 11025 for config in EXAMPLES.values())
    rng = np.random.default_rng(0)
    stereo = np.stack([rng.uniform(-0.9, 0.9, 2000), rng.uniform(-0.2, 0.2, 2000)], axis=1)
    path = write_signal(tmp_path / "stereo.wav", stereo, subtype="PCM_16")
    expected = soundfile.read(path, dtype="float64")[0].mean(axis=1)  # int16 / 32768, the mean of the channels
    signal = dreaming_features.load_signal(path, DreamingConfig())
    assert signal.dtype == np.float32 and signal.ndim == 1
    np.testing.assert_allclose(signal, expected, atol=1e-6)
    with pytest.raises(Exception, match="22050 Hz"):
        dreaming_features.load_signal(write_signal(tmp_path / "other.wav", stereo, rate=22050), DreamingConfig())


def test_item01_default_training_file_is_limited_guitar():
    path = reference_dir("dreaming") / "limited_guitar.wav"
    signal = dreaming_features.load_signal(path, DreamingConfig())
    assert len(signal) == 331977 and signal.dtype == np.float32 and np.abs(signal).max() <= 1.0
    assert "limited_guitar.wav" in (REPO_ROOT / "dreaming" / "README.md").read_text()


# ============================================================================ 2 the cell


@pytest.mark.parametrize("approach", ["vector", "column", "transpose"])
def test_item02_one_cell_step_on_rows_as_batch_equals_tf1(approach):
    units, rows = 8, 5
    network = build_network(DreamingConfig(approach=approach, seg_len=units, rows=rows, weight_stddev=0.1))
    rng = np.random.default_rng(1)
    x, h, c = (rng.normal(size=(rows, units)) for _ in range(3))
    out, h_new, c_new = (np.asarray(a)[0] for a in network(*(v[None].astype(np.float32) for v in (x, h, c)),
                                                            dropout=False))
    # TF1 at initialisation: bias 0 and the constant forget bias 1
    expected_out, expected_h, expected_c = numpy_forward(weights_of(network), x, h, c, bias=np.zeros(4 * units))
    np.testing.assert_allclose(h_new, expected_h, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(c_new, expected_c, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out, expected_out, rtol=1e-4, atol=1e-5)
    assert network.cell.units == units


def test_item02_initialisation_is_tf1s_glorot_over_the_concatenated_kernel():
    units = 64
    network = build_network(DreamingConfig(approach="vector", seg_len=units, rows=2))
    kernel, recurrent, bias = (w.numpy() for w in network.cell.weights)
    limit = math.sqrt(6 / (2 * units + 4 * units))  # glorot_uniform over TF1's [2L, 4L] kernel = 1/√L
    assert limit == pytest.approx(1 / math.sqrt(units))
    for weights in (kernel, recurrent):
        assert weights.shape == (units, 4 * units)
        assert np.abs(weights).max() <= limit and np.abs(weights).max() > 0.97 * limit
        assert weights.std() == pytest.approx(limit / math.sqrt(3), rel=0.05)
    assert abs(np.corrcoef(kernel.ravel(), recurrent.ravel())[0, 1]) < 0.05  # two independent draws
    np.testing.assert_array_equal(bias, np.r_[np.zeros(units), np.ones(units), np.zeros(2 * units)])
    assert len(network.cell.weights) == 3  # one layer, no peepholes or projection


# ============================================================================ 3 the state


def test_item03_training_and_dream_states_are_carried_across_iterations_epochs_and_dreams(tmp_path):
    config = small(max_iterations=12, dream_length=5, epochs=2)
    run_dir, document = prepared(tmp_path, config, noise_signal(40))
    assert document["iterations_per_epoch"] == 40 - (8 + 3 * 8) + 1 == 9  # so the run crosses an epoch
    run = dreaming_train.Run(run_dir, config, document, "faithful", False)
    trains, dreams = spy(run, "train_step"), spy(run, "dream_step")
    run.run()
    assert len(trains) == len(dreams) == 12
    assert not trains[0][0][2].any() and not trains[0][0][3].any()  # zeros once, before epoch 1
    for (_, before), (after, _) in zip(trains, trains[1:]):
        np.testing.assert_array_equal(after[2], before[1])  # h' fed back as h, through the epoch wrap
        np.testing.assert_array_equal(after[3], before[2])
    assert not dreams[0][0][1].any()
    for (_, before), (after, _) in zip(dreams, dreams[1:]):  # also across the dream boundaries at 5 and 10
        np.testing.assert_array_equal(after[1], before[1])
        np.testing.assert_array_equal(after[2], before[2])
    assert DreamingConfig().carry_dream_state is True
    # BPTT of length 1 (the state enters as a value, not a variable) is held by
    # tests/test_dreaming.py::test_training_carries_the_state_with_no_gradient_through_it


def test_item03_the_state_order_is_h_then_c():
    units = 6
    network = build_network(DreamingConfig(approach="vector", seg_len=units, rows=2, weight_stddev=0.1))
    rng = np.random.default_rng(2)
    x, h, c = (rng.normal(size=(2, units)) for _ in range(3))
    _, h_new, c_new = network(*(v[None].astype(np.float32) for v in (x, h, c)), dropout=False)
    _, expected_h, expected_c = numpy_forward(weights_of(network), x, h, c, bias=np.zeros(4 * units))
    np.testing.assert_allclose(np.asarray(h_new)[0], expected_h, atol=1e-5)
    np.testing.assert_allclose(np.asarray(c_new)[0], expected_c, atol=1e-5)


# ============================================================================ 4 heads


def test_item04_head_shapes_sigma_and_zero_bias():
    expected = {"vector": ((8, 8), 1e-6), "magnitude": ((8, 8), 1e-6), "column": ((8, 1), 1e-6),
                "transpose": ((8, 1), 0.1)}
    for approach, (shape, sigma) in expected.items():
        config = DreamingConfig(approach=approach, seg_len=8, rows=5)
        assert head_stddev(config) == sigma
        network = build_network(config)
        kernel, offset = (w.numpy() for w in network.head.weights)
        assert kernel.shape == shape and not offset.any()
        assert (network.mix is not None) == (approach == "transpose")
        if network.mix is not None:
            mix_kernel, mix_offset = (w.numpy() for w in network.mix.weights)
            assert mix_kernel.shape == (5, 1) and not mix_offset.any()
    assert head_stddev(EXAMPLES[11]) == 1e-6 and head_stddev(EXAMPLES[10]) == 0.1


def test_item04_head_init_is_a_normal_truncated_at_two_sigma():
    network = build_network(DreamingConfig(approach="vector", seg_len=64, rows=2, weight_stddev=0.1))
    kernel = network.head.kernel.numpy()
    assert np.abs(kernel).max() <= 0.2  # cut at 2σ
    assert kernel.std() == pytest.approx(0.1 * 0.8796, rel=0.06)  # the std of N(0, σ) truncated at ±2σ
    transpose = build_network(DreamingConfig(approach="transpose", seg_len=64, rows=8))
    assert 0.02 < transpose.head.kernel.numpy().std() < 0.2


@pytest.mark.parametrize("approach", ["vector", "column", "transpose"])
def test_item04_heads_are_linear_and_the_transpose_mixes_rows_in_order(approach):
    units, rows = 6, 4
    network = build_network(DreamingConfig(approach=approach, seg_len=units, rows=rows))
    rng = np.random.default_rng(3)
    for variable in network.trainable_variables:  # large weights: a squashing head would show
        variable.assign(rng.normal(size=variable.shape).astype(np.float32))
    x, h, c = (rng.normal(size=(rows, units)) for _ in range(3))
    out = np.asarray(network(*(v[None].astype(np.float32) for v in (x, h, c)), dropout=False)[0])[0]
    expected, _, _ = numpy_forward(weights_of(network), x, h, c)
    assert out.shape == {"vector": (rows, units), "column": (rows, 1), "transpose": (1, 1)}[approach]
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)


# ============================================================================ 5 loss and optimiser


def test_item05_adam_is_tf1s_with_epsilon_1e_8():
    import keras

    optimizer = make_optimizer(DreamingConfig())
    assert float(optimizer.learning_rate) == pytest.approx(1e-4)
    assert (optimizer.beta_1, optimizer.beta_2, optimizer.epsilon) == (0.9, 0.999, 1e-8)
    start = np.array([1e-3, -2e-3, 5e-4, 1e-2])  # small, so float32 resolves updates of 1e-9
    variable = keras.Variable(start.astype(np.float32))
    gradients = [np.array([1e-7, -3e-7, 2e-6, 0.5]), np.array([-2e-7, 1e-7, 1e-6, 0.1]),
                 np.array([5e-8, 4e-7, -3e-6, -0.3])]
    theta, m, v = variable.numpy().astype(np.float64), np.zeros(4), np.zeros(4)
    lr, beta1, beta2, epsilon = 1e-4, 0.9, 0.999, 1e-8
    for t, g in enumerate(gradients, 1):  # tf.train.AdamOptimizer: the ε-hat form
        optimizer.apply_gradients([(g.astype(np.float32), variable)])
        m, v = beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g
        theta = theta - lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t) * m / (np.sqrt(v) + epsilon)
    np.testing.assert_allclose(variable.numpy() - start, theta - start, rtol=2e-3, atol=1e-9)


def test_item05_one_train_step_is_one_adam_update_of_the_mean_squared_error():
    config = small(seg_len=4, rows=3)
    cut = layout(config)
    data = noise_signal(200, seed=4)
    dreamer = dreaming_training.Dreamer(config, cut, data, iterations_per_epoch(len(data), cut))
    network = dreamer.network
    variables = network.trainable_variables
    before = [v.numpy().astype(np.float64) for v in variables]
    x, y = (a.astype(np.float64) for a in training_pair(data, 5, cut))
    h0 = np.random.default_rng(5).normal(0, 0.5, size=(3, 4))
    c0 = np.random.default_rng(6).normal(0, 0.5, size=(3, 4))

    def loss_of(values):
        named = dict(zip([v.path.split("/", 1)[1] for v in variables], values))
        weights = {"kernel": named["lstm_cell/kernel"], "recurrent": named["lstm_cell/recurrent_kernel"],
                   "bias": named["lstm_cell/bias"], "head": [named["head/kernel"], named["head/bias"]], "mix": None}
        out, _, _ = numpy_forward(weights, x, h0, c0)
        return np.mean((out - y) ** 2)  # tf.losses.mean_squared_error: the mean over all elements

    assert sorted(v.path.split("/", 1)[1] for v in variables) == sorted(
        ["lstm_cell/kernel", "lstm_cell/recurrent_kernel", "lstm_cell/bias", "head/kernel", "head/bias"])
    loss, _, _ = dreamer.train_step(x.astype(np.float32), y.astype(np.float32), h0.astype(np.float32),
                                    c0.astype(np.float32))
    assert float(loss) == pytest.approx(loss_of(before), rel=1e-4)
    step = 1e-6
    for index, (variable, value) in enumerate(zip(variables, before)):
        gradient = np.zeros_like(value)
        for position in np.ndindex(value.shape):  # central differences in float64
            shifted = [w.copy() for w in before]
            shifted[index][position] += step
            upper = loss_of(shifted)
            shifted[index][position] -= 2 * step
            gradient[position] = (upper - loss_of(shifted)) / (2 * step)
        m, v = 0.1 * gradient, 0.001 * gradient ** 2  # Adam's first step
        expected = -1e-4 * math.sqrt(0.001) / 0.1 * m / (np.sqrt(v) + 1e-8)
        np.testing.assert_allclose(variable.numpy() - value, expected, atol=2e-7, err_msg=variable.path)


def test_item05_presets_train_at_lr_1e_4_for_20_epochs_on_100_rows():
    for number, config in EXAMPLES.items():
        assert (config.learning_rate, config.epochs, config.rows) == (1e-4, 20, 100), number
        assert config.max_iterations is None and config.cursor_advance == 1


# ============================================================================ 6 pair cutting


@pytest.mark.parametrize("approach", ["vector", "column", "transpose", "magnitude"])
def test_item06_pairs_are_training_manager_next(approach):
    length, rows = 8, 4
    config = DreamingConfig(approach=approach, seg_len=length, rows=rows)
    data = np.arange(600.0) if approach != "magnitude" else np.arange(60.0)[:, None] * 10 + np.arange(length)
    for cursor in (0, 3, 17):
        x, y = training_pair(data, cursor, layout(config))
        expected_x, expected_y = numpy_pair(data, cursor, approach, length, rows)
        np.testing.assert_array_equal(x, expected_x)
        np.testing.assert_array_equal(y, expected_y)


def test_item06_the_cursor_moves_one_sample_per_iteration_and_restarts_every_epoch(tmp_path):
    config = small(max_iterations=20, dream_length=50, epochs=3)
    samples = noise_signal(40, seed=7)
    run_dir, document = prepared(tmp_path, config, samples)
    per_epoch = document["iterations_per_epoch"]
    assert per_epoch == 9  # ⌊(40 − (L + Δi(n−1)) − (o + … − input span))⌋: the last label ends at sample 39
    run = dreaming_train.Run(run_dir, config, document, "faithful", False)
    trains = spy(run, "train_step")
    run.run()
    for iteration, (arguments, _) in enumerate(trains):
        x, y = numpy_pair(samples, iteration % 9, "vector", 8, 3)
        np.testing.assert_array_equal(arguments[0], x)
        np.testing.assert_array_equal(arguments[1], y)


def test_item06_magnitude_with_label_offset_3_trains_through_the_epoch(tmp_path):
    config = small("magnitude", label_offset=3, max_iterations=None, epochs=1, dream_length=4)
    samples = noise_signal(16 + 8 * 12, seed=8)  # 13 frames
    run_dir, document = prepared(tmp_path, config, samples)
    frames = np.load(run_dir / "data" / "spectrogram.npy")
    assert len(frames) == 13 and document["iterations_per_epoch"] == 13 - (3 + 3) == 7
    run = dreaming_train.Run(run_dir, config, document, "faithful", False)
    trains = spy(run, "train_step")
    run.run()
    assert len(trains) == 7
    last = trains[-1][0]
    np.testing.assert_array_equal(last[0], frames[6:9])
    np.testing.assert_array_equal(last[1], frames[9:12])  # o = 3 frames on


# ============================================================================ 7 magnitude analysis


def test_item07_spectrogram_is_blackman_zero_padded_with_one_global_max():
    window, hop = 64, 16
    config = DreamingConfig(approach="magnitude", seg_len=window, hop=hop)
    signal = noise_signal(700, seed=9)
    frames, peak = dreaming_features.magnitude_frames(signal, config)
    count = (700 - window) // hop + 1
    expected = np.stack([np.abs(np.fft.fft(signal[s * hop:s * hop + window] * blackman_closed_form(window),
                                           2 * window))[:window] for s in range(count)])
    assert frames.shape == (count, window) and frames.dtype == np.float32
    assert peak == pytest.approx(expected.max(), rel=1e-6)
    np.testing.assert_allclose(frames, expected / expected.max(), atol=1e-6)


def test_item07_magnitude_presets_window_1024_and_the_five_hops():
    hops = {5: 1024, 6: 512, 7: 256, 8: 128, 9: 56}
    for number, hop in hops.items():
        config = EXAMPLES[number]
        assert (config.approach, config.seg_len, config.hop) == ("magnitude", 1024, hop)


# ============================================================================ 8 vocoder


@pytest.mark.parametrize("hop", [1, 5, 16])
def test_item08_vocoder_is_to_audio_new(hop):
    rng = np.random.default_rng(10)
    frames = rng.normal(0.3, 0.4, size=(7, 24))
    frames[2, 5:8] = 0.9  # a plateau: kept by no bin
    offsets = np.random.default_rng(11).integers(0, 200, size=24)  # u_k: random integers in [0, 200)
    ours = vocoder.synthesise(frames, hop, RATE, 512, rng=np.random.default_rng(11))
    expected = to_audio_new(frames, hop, RATE, 512, offsets)
    assert ours.shape == ((7 + 1) * hop,) and ours.max() == 1.0
    np.testing.assert_allclose(ours, expected, atol=1e-9)


def test_item08_training_dreams_vocode_with_peak_picking_and_no_threshold():
    config = DreamingConfig(approach="magnitude", seg_len=32, hop=8)
    assert (config.peaks, config.threshold) == (True, 0.0)
    kept = list(np.random.default_rng(12).uniform(0.0, 0.02, size=(6, 32)))  # all below τ = 0.01 or near it
    ours = dreaming_sampling.dream_audio(kept, config, np.random.default_rng(13))
    offsets = np.random.default_rng(13).integers(0, 200, size=32)
    np.testing.assert_allclose(ours, to_audio_new(np.stack(kept), 8, RATE, 32, offsets), atol=1e-9)


# ============================================================================ 9 FIFO


@pytest.mark.parametrize("approach", ["vector", "column", "transpose"])
def test_item09_dreams_follow_the_fifo(approach):
    units, rows, steps = 6, 4, 9
    config = DreamingConfig(approach=approach, seg_len=units, rows=rows, weight_stddev=0.3)
    network = build_network(config)
    seed = np.random.default_rng(14).normal(0, 0.4, size=(rows, units))
    expected = numpy_dream(weights_of(network), seed, steps, approach)
    faithful = np.concatenate(dreaming_sampling.dream_faithful(network, seed.astype(np.float32), steps, config))
    np.testing.assert_allclose(faithful, expected, rtol=1e-4, atol=1e-5)
    fast = dreaming_sampling.FastDreamer(network, config, dreaming_sampling.fast_rows(layout(config), approach))
    np.testing.assert_allclose(fast(seed[None], steps)[:, 0].reshape(-1), expected, rtol=1e-4, atol=1e-5)
    assert len(faithful) == steps * (units if approach == "vector" else 1)


def test_item09_fifo_update_of_one_step():
    seed = np.arange(12.0).reshape(3, 4)
    for approach, out in (("vector", np.arange(12.0).reshape(3, 4) + 50), ("magnitude", -np.ones((3, 4))),
                          ("column", np.array([[7.0], [8.0], [9.0]])), ("transpose", np.array([[5.5]]))):
        new, kept = dreaming_sampling.advance_seed(seed, out, approach)
        expected_seed, expected_kept = numpy_fifo(seed, out, approach)
        np.testing.assert_array_equal(new, expected_seed)
        np.testing.assert_array_equal(np.ravel(kept), expected_kept)


# ============================================================================ 10 concurrent sampling


@pytest.mark.parametrize("mode", ["faithful", "fast"])
def test_item10_each_update_is_followed_by_one_dream_step_with_the_new_weights(tmp_path, mode):
    config = small(max_iterations=1, dream_length=1)
    samples = noise_signal(60, seed=15)
    run_dir, document = prepared(tmp_path, config, samples)
    run = dreaming_train.Run(run_dir, config, document, mode, False)
    initial = weights_of(run.dreamer.network)
    run.run()
    updated = weights_of(run.dreamer.network)
    seed = samples[:24].astype(np.float64).reshape(3, 8)  # 'same': the start of the file
    expected = numpy_dream(updated, seed, 1, "vector")
    stale = numpy_dream(initial, seed, 1, "vector")
    assert np.abs(expected - stale).max() > 2e-5  # the update is visible in the dream
    dream = read(run_dir / "generated" / ("tiny_random_1" + ("_fast" if mode == "fast" else "") + ".wav"))
    np.testing.assert_allclose(dream, expected, atol=2e-6)


def test_item10_one_dream_step_per_update_and_the_seed_cycle(tmp_path):
    config = small(max_iterations=8, dream_length=2)
    samples = noise_signal(40, seed=16)
    run_dir, document = prepared(tmp_path, config, samples)
    run = dreaming_train.Run(run_dir, config, document, "faithful", False)
    trains, dreams = spy(run, "train_step"), spy(run, "dream_step")
    run.run()
    assert len(trains) == len(dreams) == 8
    generated = run_dir / "generated"
    # the original drew the next seed before writing: each file carries the NEXT seed's mode
    assert sorted(path.stem for path in generated.glob("*.wav")) == [
        "tiny_advance_4", "tiny_random_2", "tiny_random_8", "tiny_same_6"]
    summaries = {int(path.stem.split("_")[-1]): json.loads(path.read_text()) for path in generated.glob("*.json")}
    assert [summaries[i]["seed_mode"] for i in (2, 4, 6, 8)] == ["same", "random", "advance", "same"]
    starts = [summaries[i]["seed_start"] for i in (2, 4, 6, 8)]
    assert starts[0] == 0 and 0 <= starts[1] < 9 and starts[2] == 4 and starts[3] == 0  # advance: the cursor at 4
    for i in (2, 4, 6, 8):
        assert summaries[i]["steps"] == 2 and len(read(generated / (summaries[i]["wav"]))) == 2 * 8
        seed = read(run_dir / "seeds" / summaries[i]["wav"])
        np.testing.assert_allclose(seed, samples[summaries[i]["seed_start"]:][:24], atol=1e-7)
    # the dream steps of dream 2 start from its seed
    np.testing.assert_allclose(dreams[2][0][0][0], samples[starts[1]:starts[1] + 24].reshape(3, 8), atol=1e-7)
    assert DreamingConfig().seed_modes == ("same", "random", "advance")


def test_item10_dream_lengths_of_the_presets():
    lengths = {1: 1000, 2: 1000, 3: 1000, 4: 4000, 5: 1000, 6: 1000, 7: 1000, 8: 1000, 9: 4000,
               10: 5 * 11025, 11: 30 * 11025}
    assert {number: config.dream_length for number, config in EXAMPLES.items()} == lengths
    assert [EXAMPLES[n].seg_len for n in (1, 2, 3, 4)] == [1024, 512, 256, 128]
    assert all(config.sampling == "concurrent" for config in EXAMPLES.values())


# ============================================================================ 11 sequential sampling


def test_item11_sequential_dreams_pause_training_and_start_every_step_from_zero_state(tmp_path):
    config = small(sampling="sequential", audio_freq=3, max_iterations=3, sequential_length=4)
    samples = noise_signal(60, seed=17)
    run_dir, document = prepared(tmp_path, config, samples)
    run = dreaming_train.Run(run_dir, config, document, "faithful", False)
    run.run()
    seed = samples[:24].astype(np.float64).reshape(3, 8)
    expected = numpy_dream(weights_of(run.dreamer.network), seed, 4, "vector", carry_state=False)
    np.testing.assert_allclose(read(run_dir / "generated" / "tiny_same_3.wav"), expected, atol=2e-6)
    defaults = DreamingConfig()
    assert (defaults.sampling, defaults.audio_freq, defaults.sequential_length) == ("concurrent", 10000, 400)


def test_item11_fast_sequential_runs_no_dream_step_between_pauses(tmp_path, monkeypatch):
    import tensorflow as tf

    config = small(sampling="sequential", audio_freq=5, max_iterations=10, sequential_length=3)
    samples = noise_signal(60, seed=18)
    counter = tf.Variable(0)
    original = dreaming_training.Dreamer._dream

    def counting(self, seed, h, c):
        counter.assign_add(1)  # runs in the graph: one count per executed dream step
        return original(self, seed, h, c)

    monkeypatch.setattr(dreaming_training.Dreamer, "_dream", counting)
    outputs = {}
    for mode in ("faithful", "fast"):
        counter.assign(0)
        run_dir, _ = prepared(tmp_path, config, samples, name=mode)
        rows = dreaming_train.train(run_dir, config, mode, progress=False)
        assert int(counter.numpy()) == 2 * 3, mode  # two pauses of 3 steps, nothing in between
        outputs[mode] = rows, {path.stem.removesuffix("_fast"): read(path)
                               for path in (run_dir / "generated").glob("*.wav")}
    assert [r["loss"] for r in outputs["fast"][0]] == \
        pytest.approx([r["loss"] for r in outputs["faithful"][0]], rel=1e-5)
    assert sorted(outputs["fast"][1]) == sorted(outputs["faithful"][1]) == ["tiny_random_10", "tiny_same_5"]
    for name, dream in outputs["faithful"][1].items():
        np.testing.assert_allclose(outputs["fast"][1][name], dream, atol=1e-6)


# ============================================================================ 12 dropout


def gate_probe(network, units):
    """Weights that make the cell's h' show its input: h' = σ(20)·tanh(σ(20)·tanh(x_dropped / 2)) per element."""
    kernel = np.zeros((units, 4 * units), np.float32)
    kernel[:, 2 * units:3 * units] = 0.5 * np.eye(units)
    bias = np.zeros(4 * units, np.float32)
    bias[:units] = bias[3 * units:] = 20.0
    network.cell.kernel.assign(kernel)
    network.cell.recurrent_kernel.assign(np.zeros_like(kernel))
    network.cell.bias.assign(bias)
    network.head.kernel.assign(np.eye(units, dtype=np.float32))
    return sigmoid(20.0) * np.tanh(sigmoid(20.0) * np.tanh(0.5 * 2.0))  # a kept 1, scaled by 1/keep = 2


def test_item12_input_dropout_keep_half_in_training_and_in_dream_steps():
    units, rows = 256, 4
    config = dataclasses.replace(TINY, approach="vector", seg_len=units, rows=rows, input_keep=0.5)
    cut = layout(config)
    data = np.ones(4000, np.float32)
    dreamer = dreaming_training.Dreamer(config, cut, data, iterations_per_epoch(len(data), cut))
    dreamer.optimizer.learning_rate.assign(0.0)  # keep the probe weights
    kept_value = gate_probe(dreamer.network, units)
    ones, zeros = np.ones((1, rows, units), np.float32), np.zeros((1, rows, units), np.float32)
    masks = []
    for _ in range(2):
        _, h, _ = dreamer.dream_step(ones, zeros, zeros)
        masks.append(np.asarray(h)[0] > 0)
        np.testing.assert_allclose(np.asarray(h)[0][masks[-1]], kept_value, rtol=1e-5)  # kept inputs scaled by 2
        _, h, _ = dreamer.train_step(ones[0], ones[0], zeros[0], zeros[0])
        masks.append(np.asarray(h) > 0)
        np.testing.assert_allclose(np.asarray(h)[masks[-1]], kept_value, rtol=1e-5)
    for mask in masks:
        assert 0.44 < mask.mean() < 0.56  # keep probability 0.5
    assert (masks[0] != masks[2]).mean() > 0.3 and (masks[1] != masks[3]).mean() > 0.3  # a new mask every step


def test_item12_generated_dreams_keep_dropout_unless_switched_off():
    units, rows = 64, 2
    config = DreamingConfig(approach="vector", seg_len=units, rows=rows, input_keep=0.5)
    assert config.dropout_in_dreams is True
    network = build_network(config)
    gate_probe(network, units)
    seed = np.ones((rows, units), np.float32)
    first, second = (np.concatenate(dreaming_sampling.dream_faithful(network, seed, 1, config)) for _ in range(2))
    assert 0.3 < (first > 0).mean() < 0.7 and not np.array_equal(first, second)
    off = dataclasses.replace(config, dropout_in_dreams=False)
    first, second = (np.concatenate(dreaming_sampling.dream_faithful(network, seed, 1, off)) for _ in range(2))
    assert (first > 0).all() and np.array_equal(first, second)


def test_item12_dropout_where_the_original_had_it():
    keep = {number: config.input_keep for number, config in EXAMPLES.items()}
    assert keep == {1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0, 5: 0.5, 6: 0.5, 7: 0.5, 8: 0.5, 9: 0.5, 10: 1.0, 11: 0.5}
    assert all(config.dropout_in_dreams for config in EXAMPLES.values())


# ============================================================================ 13 presets and settings


def test_item13_four_approach_presets_resolve_to_complete_configurations():
    approaches = {1: "vector", 2: "vector", 3: "vector", 4: "vector", 5: "magnitude", 6: "magnitude",
                  7: "magnitude", 8: "magnitude", 9: "magnitude", 10: "transpose", 11: "column"}
    for number, approach in approaches.items():
        for name in (f"example{number}", next(key for key in PRESETS if key.startswith(f"example{number}-"))):
            config = resolve_config(DreamingConfig, PRESETS, name)
            assert config.approach == approach, name
            cut = layout(config)  # a valid cutting for the approach
            assert cut.frames == (approach == "magnitude")
    # the GUI's parsing bugs are not replicated: "False" is False, not bool(" False") = True
    config = resolve_config(DreamingConfig, PRESETS, "example11",
                            ["dropout_in_dreams= False", "carry_dream_state=false"])
    assert config.dropout_in_dreams is False and config.carry_dream_state is False and config.approach == "column"


def test_item13_gui_defaults():
    defaults = DreamingConfig()
    vector = layout(defaults)
    gui = {  # the original GUI's parameter: (ours, its default there)
        "lr": (defaults.learning_rate, 1e-4), "num_epochs": (defaults.epochs, 20),
        "weight_stddev": (head_stddev(defaults), 1e-6), "seg_len": (defaults.seg_len, 1024),
        "num_unrollings": (defaults.rows, 100), "int_cursor_inc": (vector.stride, 1024),
        "ext_cursor_inc": (defaults.cursor_advance, 1), "label_offset": (vector.offset, 1024),
        "label_shape": ((vector.label_rows, vector.label_width), (100, 1024)),
        "sampling_rate": (defaults.sample_rate, 11025), "audio_freq": (defaults.audio_freq, 10000),
        "seq_dream_len": (defaults.sequential_length, 400), "hop_size": (defaults.hop, 256),
        "window_size": (defaults.seg_len, 1024), "input_dropout": (EXAMPLES[11].input_keep, 0.5),
    }
    for name, (ours, theirs) in gui.items():
        assert ours == theirs, name
    for field in dataclasses.fields(DreamingConfig):  # every setting can be given on the command line
        value = getattr(defaults, field.name)
        text = ("none" if value is None else ",".join(value) if isinstance(value, tuple)
                else str(value).lower() if isinstance(value, bool) else str(value))
        assert getattr(resolve_config(DreamingConfig, PRESETS, None, [f"{field.name}={text}"]), field.name) == value


# ============================================================================ 14 evaluation


def test_item14_m3_is_the_block_edge_ratio():
    rng = np.random.default_rng(19)
    signal = np.cumsum(rng.normal(0, 0.01, 4096))
    signal[np.arange(4096) // 64 % 2 == 1] += 0.2  # a step at every 64th sample
    difference = np.abs(np.diff(signal))
    expected = difference[63::64].mean() / difference.mean()  # Δx at indices kL − 1
    assert metrics.block_edge_ratio(signal, 64) == pytest.approx(expected, rel=1e-12)
    assert expected > 5


def test_item14_dreams_carry_what_the_criteria_compare(tmp_path):
    blocks = {}
    for approach in ("vector", "magnitude", "transpose"):
        config = small(approach)
        run_dir, document = prepared(tmp_path, config, noise_signal(400, seed=20), name=approach)
        run = dreaming_train.Run(run_dir, config, document, "faithful", False)
        kept = [np.full(16 if approach == "magnitude" else 8 if approach == "vector" else 1, 0.5, np.float32)] * 3
        summary = json.loads(run.write_dream(kept).with_suffix(".json").read_text())
        assert summary["evaluation"]["reference"] == str(tmp_path / f"{approach}.wav")
        blocks[approach] = summary["evaluation"]["block"], summary["evaluation"].get("seed")
    assert blocks["vector"] == (8, None) and blocks["magnitude"] == (8, None)  # M3 at L, or at the hop
    assert blocks["transpose"][0] is None and blocks["transpose"][1].endswith(".wav")  # M8 against the seed
    assert read(blocks["transpose"][1]).shape == (24,)


# ============================================================================ 15 performance


def test_item15_train_and_dream_steps_are_compiled():
    import tensorflow as tf

    config = small()
    cut = layout(config)
    data = noise_signal(100)
    dreamer = dreaming_training.Dreamer(config, cut, data, iterations_per_epoch(len(data), cut))
    for step in (dreamer.train_step, dreamer.dream_step, dreamer.block):
        assert isinstance(step, tf.types.experimental.PolymorphicFunction)
    assert dreaming_sampling.fast_rows(cut, "vector") == dreaming_sampling.fast_rows(cut, "column") == 1
    assert dreaming_sampling.fast_rows(cut, "magnitude") == 1 and dreaming_sampling.fast_rows(cut, "transpose") == 3


@pytest.mark.parametrize("approach", ["vector", "magnitude", "column", "transpose"])
def test_item15_fast_last_row_training_equals_faithful_on_audible_dreams(tmp_path, monkeypatch, approach):
    monkeypatch.setattr(dreaming_train, "PROGRESS_EVERY", 4)  # dreams of 5 steps span compiled blocks
    config = small(approach, max_iterations=10, dream_length=5, weight_stddev=0.3)
    run_dir, _ = prepared(tmp_path, config, noise_signal(400, seed=21))
    faithful = dreaming_train.train(run_dir, config, "faithful", progress=False)
    fast = dreaming_train.train(run_dir, config, "fast", progress=False)
    assert [r["loss"] for r in fast] == pytest.approx([r["loss"] for r in faithful], rel=1e-5)
    slow = sorted(path for path in (run_dir / "generated").glob("*.wav") if not path.stem.endswith("_fast"))
    assert len(slow) == 2
    for path in slow:
        a, b = read(path), read(path.with_name(path.stem + "_fast.wav"))
        if approach != "magnitude":
            assert np.abs(a).max() > 1e-3  # an audible dream, so the comparison has power
        np.testing.assert_allclose(b, a, atol=1e-5)


@pytest.mark.parametrize("approach", ["vector", "column"])
def test_item15_a_batch_of_fast_dreams_equals_each_faithful_dream(approach):
    units, rows, steps = 6, 4, 7
    config = DreamingConfig(approach=approach, seg_len=units, rows=rows, weight_stddev=0.3)
    network = build_network(config)
    seeds = np.random.default_rng(22).normal(0, 0.4, size=(3, rows, units)).astype(np.float32)
    batch = dreaming_sampling.FastDreamer(network, config, 1)(seeds, steps)
    assert batch.shape == (steps, 3, units if approach == "vector" else 1)
    for index, seed in enumerate(seeds):
        expected = numpy_dream(weights_of(network), seed.astype(np.float64), steps, approach)
        np.testing.assert_allclose(batch[:, index].reshape(-1), expected, rtol=1e-4, atol=1e-5)
