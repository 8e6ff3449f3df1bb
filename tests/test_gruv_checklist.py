"""GRUV's fidelity checklist, one test (or more) per item of gruv/README.md's "Checklist" table.

Every test checks our code against an independent computation written out here: a short
numpy transcription of the original step (GRUV's numpy helpers, a Keras 0.1 LSTM step,
Keras 0.1's RMSprop update, the original generation loop) or a closed form, and every
preset number against the source's literal.  ``tests/mutations/gruv.py`` lists the wrong
changes these tests must catch.

The numpy-only tests come first; Keras is imported inside the tests that need it, so a
broken numpy pipeline fails before TensorFlow is loaded.
"""

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile

from conftest import REPO_ROOT, reference_dir
from gruv import preprocess
from gruv.config import PRESETS, GruvConfig
from gruv.features import (
    blocks_of, blocks_to_features, features_to_blocks, load_audio, normalise, preprocess_signals, training_example,
)
from gruv.sampling import choose_seed, frames_to_audio, generate_faithful
from shared.rundir import resolve_config


def preset(name, **changes):
    return dataclasses.replace(resolve_config(GruvConfig, PRESETS, name), **changes)


def write_int16(path, samples, rate=44100):
    soundfile.write(path, np.asarray(samples, dtype=np.int16), rate, subtype="PCM_16")
    return path


# ----------------------------------------------------------------------------- transcriptions of the original


def original_blocks(signal, block_size):
    """``convert_np_audio_to_sample_blocks``: consecutive slices, the last one zero-padded."""
    blocks, start = [], 0
    while start < len(signal):
        block = signal[start : start + block_size]
        if len(block) < block_size:
            block = np.concatenate([block, np.zeros(block_size - len(block))])
        blocks.append(block)
        start += block_size
    return blocks


def original_fft_features(block):
    """``time_blocks_to_fft_blocks`` under numpy 1.x: the complex128 FFT, then [Re | Im]."""
    spectrum = np.fft.fft(np.asarray(block, dtype=np.float64))
    return np.concatenate([np.real(spectrum), np.imag(spectrum)])


def original_write(frames, block_size):
    """``fft_blocks_to_time_blocks`` + ``write_np_as_wav``: ifft(Re + j·Im) per frame, ×32767.0, astype(int16).

    numpy's cast drops the imaginary part, truncates toward zero and wraps modulo 2^16 on x86-64.
    """
    blocks = [np.fft.ifft(np.asarray(f[:block_size], np.float64) + 1j * np.asarray(f[block_size:], np.float64))
              for f in frames]
    song = np.concatenate(blocks) * 32767.0
    truncated = np.trunc(song.real)
    return (np.mod(truncated + 32768, 65536) - 32768).astype(np.int16)


def original_denormalise(frames, std, mean):
    """``sequence_generator.py``: ``frame *= var`` then ``frame += mean``, in place, frame by frame."""
    out = []
    for frame in frames:
        frame = frame.copy()
        frame *= std
        frame += mean
        out.append(frame)
    return np.stack(out)


def original_generate(predict, seed, sequence_length):
    """``generate_from_seed``: all outputs of the first call, then the last output of the growing sequence."""
    output, sequence, lengths = [], seed.copy(), []
    for iteration in range(sequence_length):
        lengths.append(sequence.shape[1])
        prediction = np.asarray(predict(sequence))
        if iteration == 0:
            for t in range(prediction.shape[1]):
                output.append(prediction[0][t].copy())
        else:
            output.append(prediction[0][prediction.shape[1] - 1].copy())
        newest = prediction[0][prediction.shape[1] - 1].reshape(1, 1, -1).astype(sequence.dtype)
        sequence = np.concatenate((sequence, newest), axis=1)
    return np.array(output), lengths


# ----------------------------------------------------------------------------- 1. input


def test_item01_int16_mono_scaled_by_32767_to_float32(tmp_path):
    pcm = np.random.default_rng(1).integers(-32768, 32768, 5000).astype(np.int16)
    pcm[:2] = (-32768, 32767)
    signal = load_audio(write_int16(tmp_path / "mono.wav", pcm), GruvConfig())
    assert signal.dtype == np.float32
    np.testing.assert_array_equal(signal, pcm.astype("float32") / 32767.0)  # read_wav_as_np
    assert signal.max() == 1.0 and signal.min() < -1.0  # 32767 → 1.0, −32768 → −1.00003


def test_item01_stereo_downmixed_to_the_mean_as_lame_a(tmp_path):
    rng = np.random.default_rng(2)
    left = rng.integers(-8000, 8000, 3000) * 2
    right = rng.integers(-8000, 8000, 3000) * 2  # even samples: the mean is an exact integer
    path = tmp_path / "stereo.wav"
    soundfile.write(path, np.stack([left, right], axis=1).astype(np.int16), 44100, subtype="PCM_16")
    expected = ((left + right) // 2).astype(np.int16).astype("float32") / 32767.0
    np.testing.assert_array_equal(load_audio(path, GruvConfig()), expected)


def test_item01_other_rates_converted_to_44100(tmp_path):
    assert GruvConfig().sample_rate == 44100  # nn_config.py:3
    t = np.arange(11025) / 22050  # 0.5 s at 22.05 kHz
    path = write_int16(tmp_path / "low.wav", np.round(0.5 * np.sin(2 * np.pi * 441 * t) * 32767), rate=22050)
    signal = load_audio(path, GruvConfig()).astype(np.float64)
    assert len(signal) == 22050  # 0.5 s at 44.1 kHz (SoX's `rate 44100`)
    t44 = np.arange(22050) / 44100
    middle = slice(1000, -1000)  # away from the resampling filter's edges
    np.testing.assert_allclose(signal[middle], 0.5 * np.sin(2 * np.pi * 441 * t44)[middle], atol=2e-3)


# ----------------------------------------------------------------------------- 2. blocks


@pytest.mark.parametrize("length", [3 * 64, 3 * 64 + 1, 3 * 64 + 63])
def test_item02_unwindowed_blocks_last_zero_padded(length):
    assert GruvConfig().block_size == 11025 == 44100 // 4  # convert_directory.py:10, freq / 4
    signal = np.random.default_rng(length).normal(size=length).astype(np.float32)
    ours = blocks_of(signal, 64)
    expected = original_blocks(signal, 64)
    assert ours.shape == (len(expected), 64) == (-(-length // 64), 64)
    np.testing.assert_array_equal(ours, np.stack(expected))
    # no window: each feature vector is the FFT of the raw block
    np.testing.assert_allclose(blocks_to_features(ours, "fft")[-1], original_fft_features(expected[-1]), rtol=1e-12,
                               atol=1e-12)


# ----------------------------------------------------------------------------- 3. features


@pytest.mark.parametrize("block_size", [64, 63])
def test_item03_full_fft_real_then_imaginary_float64(block_size):
    blocks = np.random.default_rng(block_size).normal(size=(5, block_size)).astype(np.float32)
    features = blocks_to_features(blocks, "fft")
    assert features.dtype == np.float64 and features.shape == (5, 2 * block_size)
    expected = np.stack([original_fft_features(block) for block in blocks])
    np.testing.assert_allclose(features, expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max())
    assert np.all(features[:, block_size] == 0)  # Im(DC)
    # time mode (useTimeDomain=True): the raw blocks
    raw = blocks_to_features(blocks, "time")
    assert raw.dtype == np.float64
    np.testing.assert_array_equal(raw, blocks.astype(np.float64))


def test_item03_feature_sizes():
    assert GruvConfig().domain == "fft"  # parse_files.py:112, useTimeDomain=False
    assert GruvConfig().feature_dims == 22050 == 2 * 11025
    assert dataclasses.replace(GruvConfig(), domain="time").feature_dims == 11025


# ----------------------------------------------------------------------------- 4. targets


@pytest.mark.parametrize("domain", ["time", "fft"])
def test_item04_targets_next_block_and_zero_end_block(domain):
    blocks = np.random.default_rng(4).normal(size=(7, 16)).astype(np.float32)
    x, y = training_example(blocks, domain)
    features = [blocks_to_features(block[None], domain)[0] for block in blocks]
    expected_y = features[1:] + [np.zeros_like(features[0])]  # y_t = x_t[1:] + [zeros]
    np.testing.assert_array_equal(x, np.stack(features))
    np.testing.assert_array_equal(y, np.stack(expected_y))


# ----------------------------------------------------------------------------- 5. chunking, files


def test_item05_strict_chunking_rule():
    assert GruvConfig().max_seq_len == 40 == int(round(44100 * 10 / 11025))  # convert_directory.py:11
    config = dataclasses.replace(GruvConfig(), block_size=4, domain="time")
    for blocks in (1, 39, 40, 41, 79, 80, 81, 121, 130):
        signal = np.random.default_rng(blocks).normal(size=4 * blocks).astype(np.float32)
        x, _, mean, std, counts = preprocess_signals([signal], config)
        # the original: cur = 0; while cur + 40 < total: take [cur, cur + 40); cur += 40
        starts, cursor = [], 0
        while cursor + 40 < blocks:
            starts.append(cursor)
            cursor += 40
        assert counts == [len(starts)] == [(blocks - 1) // 40], blocks
        if starts:
            raw = np.stack([signal.reshape(blocks, 4)[s : s + 40] for s in starts]).astype(np.float64)
            np.testing.assert_allclose(x * std + mean, raw, rtol=1e-12, atol=1e-12)


def _preprocess_folder(tmp_path, names, *overrides):
    folder = tmp_path / "music"
    folder.mkdir(exist_ok=True)
    for index, name in enumerate(names):
        pcm = np.round(0.3 * np.sin(np.arange(600) * (0.05 + 0.01 * index)) * 32767)
        write_int16(folder / name, pcm)
    run = tmp_path / "run"
    preprocess.main(["--preset", "tiny", "--input", str(folder), "--run", str(run), *overrides])
    return run, [Path(entry["file"]).name for entry in json.loads((run / "config.json").read_text())["inputs"]]


def test_item05_at_most_20_files(tmp_path):
    assert GruvConfig().max_files == 20  # parse_files.py:112,120-121
    names = [f"f{index:02d}.wav" for index in range(21)]
    _, used = _preprocess_folder(tmp_path, names)
    assert used == names[:20]  # sorted by default: a documented deviation


def test_item05_listdir_order_reachable(tmp_path, monkeypatch):
    names = [f"f{index:02d}.wav" for index in range(21)]
    import shared.audio

    listing = shared.audio.os.listdir
    monkeypatch.setattr(shared.audio.os, "listdir", lambda folder: sorted(listing(folder), reverse=True))
    _, used = _preprocess_folder(tmp_path, names, "--set", "file_order=listdir")
    assert used == sorted(names, reverse=True)[:20]  # os.listdir's own order, then the first 20


# ----------------------------------------------------------------------------- 6. statistics


def test_item06_population_std_per_feature_y_uses_x_stats():
    rng = np.random.default_rng(6)
    x = rng.normal(2.0, 3.0, size=(3, 5, 7))
    x[..., 4] = 0.25  # a constant feature: std floored
    y = rng.normal(size=(3, 5, 7))
    xn, yn, mean, std = normalise(x, y)
    expected_mean = np.mean(np.mean(x, axis=0), axis=0)
    expected_std = np.sqrt(np.mean(np.mean(np.abs(x - expected_mean) ** 2, axis=0), axis=0))
    expected_std = np.maximum(1e-8, expected_std)
    np.testing.assert_allclose(mean, expected_mean, rtol=1e-14)
    np.testing.assert_allclose(std, expected_std, rtol=1e-14)
    assert std[4] == 1e-8
    np.testing.assert_allclose(xn, (x - expected_mean) / expected_std, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(yn, (y - expected_mean) / expected_std, rtol=1e-12, atol=1e-12)


def test_item06_floor_at_the_constant_fft_columns():
    assert GruvConfig().std_floor == 1e-8  # parse_files.py:150
    config = dataclasses.replace(GruvConfig(), block_size=4, max_seq_len=2)
    signal = np.random.default_rng(66).normal(size=40).astype(np.float32)
    _, _, _, std, _ = preprocess_signals([signal], config)
    assert std[4] == 1e-8 and std[6] == 1e-8  # Im(DC) and Im(Nyquist) are always 0
    assert np.all(std[[0, 1, 2, 3, 5, 7]] > 1e-3)


def test_item06_std_saved_under_the_name_var(tmp_path):
    run, _ = _preprocess_folder(tmp_path, ["a.wav", "b.wav"])
    stats = np.load(run / "data" / "stats.npz")
    np.testing.assert_array_equal(stats["var"], stats["std"])  # _var.npy held the std
    x = np.load(run / "data" / "x.npy").astype(np.float64)
    np.testing.assert_allclose(x.std(axis=(0, 1))[stats["std"] > 1e-6], 1.0, rtol=1e-5)


# ----------------------------------------------------------------------------- 10. generation (numpy part)


def test_item10_generation_loop_and_settings():
    config = GruvConfig()
    assert (config.generate_steps, config.seed_frames, config.output_index) == (10, None, "last")
    rng = np.random.default_rng(10)
    training = rng.normal(size=(7, 40, 6))
    seed, index = choose_seed(training, config)
    np.random.seed(config.seed)  # the original drew from the global RNG: np.random.randint(num_examples)
    assert index == np.random.randint(len(training)) and index != 0
    np.testing.assert_array_equal(seed, training[index][None])  # one whole example, 40 steps

    weights = rng.normal(size=(6, 6)) * 0.5

    def causal_model(sequence):  # a small recurrent stand-in: output t depends on inputs 0..t
        state, outputs = np.zeros(6), []
        for t in range(sequence.shape[1]):
            state = np.tanh(sequence[0, t] @ weights + 0.5 * state)
            outputs.append(state)
        return np.array(outputs)[None]

    frames = generate_faithful(causal_model, seed, config.generate_steps)
    expected, lengths = original_generate(causal_model, seed, 10)
    assert lengths == list(range(40, 50))  # the context grows, never windowed
    assert frames.shape == (49, 6)  # 40 + 10 - 1 frames = 12.25 s at GRUV's sizes
    np.testing.assert_array_equal(frames, expected)


# ----------------------------------------------------------------------------- 11. de-normalisation


def test_item11_denormalise_in_place_in_float32():
    assert GruvConfig().denormalize is True
    block = 32
    rng = np.random.default_rng(2)
    frames = rng.normal(size=(64, 2 * block)).astype(np.float32)  # what the float32 model returns
    std, mean = rng.uniform(0.5, 20, 2 * block), rng.normal(0, 1, 2 * block)
    config = dataclasses.replace(GruvConfig(), block_size=block)
    expected = original_write(original_denormalise(frames, std, mean), block)
    np.testing.assert_array_equal(frames_to_audio(frames, config, mean, std), expected)
    # the data exercise the float32 rounding: in float64 some samples differ by 1 LSB
    assert np.any(original_write(frames.astype(np.float64) * std + mean, block) != expected)
    # without de-normalisation (the blog's E5 variant) the frames are written as they are
    np.testing.assert_array_equal(frames_to_audio(frames, config), original_write(frames, block))


# ----------------------------------------------------------------------------- 12. inverse and write


def test_item12_complex_ifft_real_part_truncated_and_wrapped():
    assert GruvConfig().int16_overflow == "wrap"  # astype('int16')
    block = 16
    frames = np.random.default_rng(12).normal(0, 8, size=(6, 2 * block))  # not Hermitian: complex iFFT
    frames[0] = 0
    frames[0, 0] = 1.2 * block  # a frame whose real iFFT is 1.2 everywhere (imaginary part aside)
    written = frames_to_audio(frames, GruvConfig(block_size=block))
    expected = original_write(frames, block)
    assert len(written) == 6 * block and written.dtype == np.int16
    np.testing.assert_array_equal(written, expected)
    assert np.any(np.abs(np.fft.ifft(frames[1:, :block] + 1j * frames[1:, block:]).imag) > 0.1)
    assert written[0] == -26216  # 1.2 × 32767 = 39320.4 → 39320 → wraps to −26216
    assert np.any(np.abs(np.concatenate([np.fft.ifft(f[:block] + 1j * f[block:]) for f in frames]).real) > 1)


# ----------------------------------------------------------------------------- 13. Fiala's blog variant


def test_item13_blog_presets_as_configuration():
    blog = ["fiala-vowels", "fiala-kicks", "fiala-amen-fft", "fiala-amen-raw", "fiala-amen-raw-nodenorm"]
    for name in blog:
        config = preset(name)
        assert config.block_size == 2048  # BUFFER_SIZE = 2048
        assert config.feature_dims == 2048  # N-dim features, FFT or raw ("no parameter change")
        assert config.num_recurrent_units == 3 and config.hidden_dims == 2048  # NUM_LSTM = 3, "also of size N"
        assert config.batch_size == 2  # BATCH_SIZE = 2
    assert [preset(name).domain for name in blog] == ["fft-half", "fft-half", "fft-half", "time", "time"]
    assert preset("fiala-vowels").output_index == "first"  # E1: the first-index pitfall
    assert preset("fiala-kicks").target_loss == 0.15  # E2: "until the MSE fell below ~0.15"
    assert preset("fiala-amen-fft").target_loss == 0.05  # E3: "mse ~= 0.05"
    assert preset("fiala-amen-raw").max_blocks == 60 == preset("fiala-amen-raw-nodenorm").max_blocks  # 60 × 2048
    assert preset("fiala-amen-raw").denormalize is True and preset("fiala-amen-raw-nodenorm").denormalize is False


def test_item13_fft_half_layout_and_inverse():
    n = 32
    blocks = np.random.default_rng(13).normal(size=(4, n)).astype(np.float32)
    features = blocks_to_features(blocks, "fft-half")
    assert features.shape == (4, n)
    for block, feature in zip(blocks, features):
        spectrum = np.fft.fft(block.astype(np.float64))
        # "FFT (output size N/2) and concatenating its real and imaginary parts": bins 0 … N/2−1
        np.testing.assert_allclose(feature, np.concatenate([spectrum.real[: n // 2], spectrum.imag[: n // 2]]),
                                   rtol=1e-12, atol=1e-12)
    # the inverse: bins 0 … N/2−1, a zero Nyquist bin, the rest by Hermitian symmetry
    half = features[:, : n // 2] + 1j * features[:, n // 2 :]
    full = np.zeros((4, n), complex)
    full[:, : n // 2] = half
    full[:, n // 2 + 1 :] = np.conj(half[:, 1:][:, ::-1])
    full[:, 0] = full[:, 0].real
    np.testing.assert_allclose(features_to_blocks(features, "fft-half"), np.fft.ifft(full).real, rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------- 14. reference arrays


def test_item14_reference_tests_cover_every_array_with_the_stated_tolerance():
    folder = reference_dir("gruv")
    source = (REPO_ROOT / "tests" / "test_gruv_reference.py").read_text()
    arrays = sorted(path.name for path in folder.glob("*.npz"))
    assert len(arrays) == 7
    for name in arrays:  # steps 1-6 and 10-12, every one of the original's outputs used
        assert f'"{name}"' in source, name
    tolerances = [float(value) for value in re.findall(r"rtol=([0-9.e-]+)", source)]
    assert tolerances and max(tolerances) <= 1e-9  # the reference README: rtol = 1e-9 for FFT values
    assert "testmp3" not in source  # no test for an array the folder does not provide


# ----------------------------------------------------------------------------- 15. deviations recorded


def _readme_section(title):
    text = (REPO_ROOT / "gruv" / "README.md").read_text()
    return text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def test_item15_readme_records_every_deviation():
    rows = [line for line in _readme_section("Deviations and decisions").splitlines() if line.startswith("|")]
    def row_with(*words):
        return [row for row in rows if all(word in row for word in words)]
    assert row_with('gate_activation="sigmoid"', "cuDNN", "deviation")  # sigmoid gates
    assert row_with("Q4", "wrap", "clip")  # clipping instead of wrap
    assert row_with("Q7", "sorted", "deviation", 'file_order="listdir"')  # sorted file order
    assert row_with("Q12", "Weights25", "Weights50", "trained")  # the checkpoint mismatch
    assert row_with("Q10", "float32")  # de-normalised in the frames' float32


def test_item15_readme_checklist_names_existing_tests():
    table = [line for line in _readme_section("Checklist").splitlines() if re.match(r"\| *\d+ *\|", line)]
    assert [int(line.split("|")[1]) for line in table] == list(range(1, 16))
    defined = set(re.findall(r"^def (test_\w+)", (REPO_ROOT / "tests" / "test_gruv_checklist.py").read_text(), re.M))
    for line in table:
        named = re.findall(r"test_gruv_checklist\.py::(test_\w+)", line)
        assert named and set(named) <= defined, line


# ============================================================================= Keras tests (7, 8, 9, 10-12 end to end)


def keras_model(config):
    keras = pytest.importorskip("keras")
    from gruv.model import build_model

    keras.utils.set_random_seed(0)
    return keras, build_model(config)


def gruv_parameters(d, h):
    """TDD(d → h) + LSTM(h → h: four gates, each W, U, b) + TDD(h → d)."""
    return (d * h + h) + 4 * (h * h + h * h + h) + (h * d + d)


def test_item07_layers_and_parameter_count():
    config = GruvConfig()
    assert (config.feature_dims, config.hidden_dims, config.num_recurrent_units) == (22050, 1024, 1)
    assert gruv_parameters(22050, 1024) == 53_574_178
    # the same structure at a small size (building GRUV's 53.6 M weights would take seconds)
    keras, model = keras_model(dataclasses.replace(config, block_size=12, hidden_dims=10))
    assert model.count_params() == gruv_parameters(24, 10)
    dense_in, lstm, dense_out = (model.get_layer(name) for name in ("tdd_in", "lstm_0", "tdd_out"))
    assert dense_in.activation is keras.activations.linear and dense_out.activation is keras.activations.linear
    assert lstm.return_sequences and not lstm.stateful and lstm.units == 10
    assert len([layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]) == 1


def hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)  # Theano's hard_sigmoid


def test_item07_forward_pass_is_a_keras01_lstm():
    config = dataclasses.replace(GruvConfig(), block_size=8, hidden_dims=6)
    keras, model = keras_model(config)
    rng = np.random.default_rng(7)
    model.set_weights([rng.normal(0, 0.8, w.shape).astype(np.float32) for w in model.get_weights()])
    inputs = rng.normal(0, 1.5, size=(2, 9, 16)).astype(np.float32)
    ours = np.asarray(model(inputs, training=False))

    k_in, b_in, kernel, recurrent, bias, k_out, b_out = (w.astype(np.float64) for w in model.get_weights())
    h_units = 6

    def gate(matrix, name):
        return matrix[..., "ifco".index(name) * h_units : ("ifco".index(name) + 1) * h_units]

    expected = np.zeros((2, 9, 16))
    saturated = 0
    for b in range(2):
        h = np.zeros(h_units)
        c = np.zeros(h_units)  # zero initial state on every call
        for t in range(9):
            x = inputs[b, t].astype(np.float64) @ k_in + b_in  # TimeDistributedDense, linear
            pre = {name: x @ gate(kernel, name) + gate(bias, name) + h @ gate(recurrent, name) for name in "ifco"}
            i, f, o = hard_sigmoid(pre["i"]), hard_sigmoid(pre["f"]), hard_sigmoid(pre["o"])
            c = f * c + i * np.tanh(pre["c"])
            h = o * np.tanh(c)
            saturated += np.sum(np.abs(0.2 * pre["i"]) > 0.5)
            expected[b, t] = h @ k_out + b_out
    assert saturated > 0  # some gates sit on the clip: the test sees the hard sigmoid's corners
    np.testing.assert_allclose(ours, expected, rtol=2e-4, atol=2e-5)


def test_item08_initialisation_per_gate():
    config = dataclasses.replace(GruvConfig(), block_size=128, hidden_dims=64)  # D = 256, H = 64
    assert GruvConfig().keras_semantics == "0.1.2"
    keras, model = keras_model(config)
    k_in, b_in, kernel, recurrent, bias, k_out, b_out = model.get_weights()

    def assert_glorot_uniform(weights, fan_in, fan_out, numerator=6.0):
        limit = np.sqrt(numerator / (fan_in + fan_out))  # per gate matrix, Keras of July 2015
        magnitude = np.abs(weights)
        assert magnitude.max() <= limit and magnitude.max() > 0.98 * limit, (magnitude.max(), limit)
        assert abs(np.mean(magnitude > limit / 2) - 0.5) < 0.04  # flat, not bell-shaped

    assert_glorot_uniform(k_in, 256, 64)
    assert_glorot_uniform(k_out, 64, 256)
    for g in range(4):
        assert_glorot_uniform(kernel[:, g * 64 : (g + 1) * 64], 64, 64)
        block = recurrent[:, g * 64 : (g + 1) * 64].astype(np.float64)
        np.testing.assert_allclose(block.T @ block, 1.21 * np.eye(64), atol=1e-4)  # orthogonal × 1.1, per gate
    np.testing.assert_array_equal(bias, np.r_[np.zeros(64), np.ones(64), np.zeros(128)])  # forget bias 1 (i, f, c, o)
    assert not b_in.any() and not b_out.any()

    _, old = keras_model(dataclasses.replace(config, keras_semantics="0.1.0"))
    _, _, kernel, _, bias, _, _ = old.get_weights()
    assert_glorot_uniform(kernel[:, :64], 64, 64, numerator=2.0)  # Keras 0.1.0: sqrt(2 / (fan_in + fan_out))
    assert not bias.any()  # forget bias 0


def test_item09_training_settings():
    config = GruvConfig()
    assert (config.epochs, config.batch_size, config.shuffle) == (50, 5, True)  # train.py: 2 × 25 epochs, batch 5
    assert (config.learning_rate, config.rho, config.epsilon) == (1e-3, 0.9, 1e-6)  # Keras 0.1 RMSprop


def test_item09_loss_and_rmsprop_update():
    keras = pytest.importorskip("keras")
    from gruv.model import build_model, compile_model

    config = dataclasses.replace(GruvConfig(), block_size=4, hidden_dims=4)
    model = build_model(config)
    compile_model(model, config)
    rng = np.random.default_rng(9)
    y_true, y_pred = rng.normal(size=(3, 5, 8)).astype(np.float32), rng.normal(size=(3, 5, 8)).astype(np.float32)
    np.testing.assert_allclose(float(model.loss(y_true, y_pred)), np.mean((y_pred - y_true) ** 2), rtol=1e-6)

    # Keras 0.1's RMSprop: a ← ρa + (1−ρ)g², p ← p − lr·g / sqrt(a + ε); no clipping.
    start = np.array([0.5, -0.25, 1.0, 2.0])
    variable = keras.Variable(start.astype(np.float32))
    grads = [np.array([1e-4, -3e-4, 50.0, -200.0]), np.array([2e-4, 1e-4, -80.0, 100.0]),
             np.array([-1e-4, 5e-5, 10.0, 1.0])]
    p, a = start.copy(), np.zeros(4)
    for g in grads:
        model.optimizer.apply_gradients([(keras.ops.convert_to_tensor(g.astype(np.float32)), variable)])
        a = 0.9 * a + 0.1 * g ** 2
        p = p - 1e-3 * g / np.sqrt(a + 1e-6)
    np.testing.assert_allclose(np.asarray(variable), p, rtol=1e-5)


def test_item09_training_run(tmp_path, monkeypatch):
    keras = pytest.importorskip("keras")
    from gruv.train import train

    config = preset("tiny", epochs=2)
    _write_run(tmp_path, config, examples=7, steps=8)
    seen = {}
    original_fit = keras.Model.fit

    def spy(self, *args, **kwargs):
        seen.update(kwargs, model=self)
        return original_fit(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", spy)
    losses = train(tmp_path, config, verbose=0)
    assert (seen["batch_size"], seen["epochs"], seen["shuffle"]) == (5, 2, True)
    assert int(seen["model"].optimizer.iterations.numpy()) == 2 * 2  # ceil(7 / 5) batches per epoch
    assert len(losses) == 2
    assert (tmp_path / "model.keras").is_file() and not (tmp_path / "checkpoints").exists()  # one save, at the end


# ----------------------------------------------------------------------------- 10-12 through the script


def _write_run(run, config, examples, steps, model=False):
    """A run folder as preprocess writes it, with random normalised data (and an untrained model)."""
    from shared.rundir import save_npz, write_config

    rng = np.random.default_rng(examples)
    (run / "data").mkdir(parents=True, exist_ok=True)
    x = rng.normal(size=(examples, steps, config.feature_dims)).astype(np.float32)
    np.save(run / "data" / "x.npy", x)
    np.save(run / "data" / "y.npy", np.roll(x, -1, axis=1))
    std, mean = rng.uniform(0.5, 20, config.feature_dims), rng.normal(0, 1, config.feature_dims)
    save_npz(run / "data" / "stats.npz", mean=mean, std=std, var=std)
    write_config(run, config, inputs=[{"file": "music.wav", "examples": examples}])
    if model:
        _, network = keras_model(config)
        network.save(run / "model.keras")
    return x, mean, std


def test_item10_11_12_generate_script(tmp_path):
    from gruv.generate import generate
    from gruv.model import load_trained

    config = preset("tiny", max_seq_len=40, generate_steps=GruvConfig().generate_steps, block_size=8)
    x, mean, std = _write_run(tmp_path, config, examples=5, steps=40, model=True)
    model = load_trained(tmp_path)
    np.random.seed(config.seed)
    seed = x[np.random.randint(len(x))][None]
    frames, lengths = original_generate(model.predict_on_batch, seed, 10)
    assert lengths == list(range(40, 50)) and frames.shape == (49, 16)

    for denormalize in (True, False):
        summary = generate(tmp_path, dataclasses.replace(config, denormalize=denormalize), progress=False,
                           name=f"d{int(denormalize)}")
        ours = np.load(tmp_path / "generated" / f"d{int(denormalize)}.frames.npy")
        np.testing.assert_allclose(ours, frames, rtol=1e-5, atol=1e-6)
        samples, rate = soundfile.read(tmp_path / "generated" / f"d{int(denormalize)}.wav", dtype="int16",
                                       always_2d=True)
        assert rate == 44100 and samples.shape == (49 * 8, 1) and summary["frames"] == 49
        written = original_denormalise(ours, std, mean) if denormalize else ours
        np.testing.assert_array_equal(samples[:, 0], original_write(written, 8))
