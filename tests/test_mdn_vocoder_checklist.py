"""mdn_vocoder/: one test per item of the fidelity checklist (the README's "Checklist" table).

Each test checks our code against an independent computation written here from the
description of Glover's Lua code (``phase_vocoder.lua``, ``data.lua``, ``model.lua``,
``mdn.lua``, ``train.lua``, ``sample.lua``, torch ``optim.adagrad``): a numpy char-rnn LSTM
step, the mixture density in closed form, Torch's Adagrad, the ``pva`` and ``pvs`` loops, the
sampling loop.  Published settings are asserted as literals.  ``tests/mutations/mdn_vocoder.py``
lists the wrong changes these tests must catch.
"""

import dataclasses
import math

import numpy as np
import pytest
import soundfile
from scipy.special import logsumexp

from conftest import REPO_ROOT
from mdn_vocoder import features, mdn, phase_vocoder, preprocess
from mdn_vocoder import sampling as mdn_sampling
from mdn_vocoder import train as mdn_train
from mdn_vocoder import training as mdn_training
from mdn_vocoder.config import PRESETS, MdnConfig

SR = 44100


# ----------------------------------------------------------------------------- independent transcriptions


def sigmoid(value):
    return 1.0 / (1.0 + np.exp(-value))


def char_rnn_step(x, h, c, i2h_kernel, i2h_bias, h2h_kernel, h2h_bias):
    """char-rnn's LSTM step: i2h(x) + h2h(h), each with its bias; gates i, f, o (sigmoid), g (tanh)."""
    units = h.shape[-1]
    gates = x @ i2h_kernel + i2h_bias + h @ h2h_kernel + h2h_bias
    in_gate, forget_gate, out_gate = (sigmoid(gates[:, n * units:(n + 1) * units]) for n in range(3))
    candidate = np.tanh(gates[:, 3 * units:])
    c = forget_gate * c + in_gate * candidate
    return out_gate * np.tanh(c), c


def model_weights(model, layers):
    """Per layer (i2h kernel, i2h bias, h2h kernel, h2h bias), and the head's (kernel, bias), as float64."""
    cells = []
    for layer in range(layers):
        cell = model.get_layer(f"lstm_{layer + 1}").cell
        by_name = {weight.path.split("/")[-1]: weight.numpy().astype(np.float64) for weight in cell.weights}
        cells.append([by_name[name] for name in ("i2h_kernel", "i2h_bias", "h2h_kernel", "h2h_bias")])
    head = model.get_layer("mdn")
    return cells, (head.kernel.numpy().astype(np.float64), head.bias.numpy().astype(np.float64))


def forward(x, states, cells, head):
    """(z (B, T, out), final states) of the stacked char-rnn LSTM and the linear head, in numpy."""
    states = [np.asarray(state, np.float64) for state in states]
    outputs = []
    for t in range(x.shape[1]):
        hidden = x[:, t].astype(np.float64)
        for layer, weights in enumerate(cells):
            hidden, cell = char_rnn_step(hidden, states[2 * layer], states[2 * layer + 1], *weights)
            states[2 * layer], states[2 * layer + 1] = hidden, cell
        outputs.append(hidden @ head[0] + head[1])
    return np.stack(outputs, axis=1), states


def mixture_parts(z, mixtures, dimensions):
    """mdn.lua's layout, index by index: logits z[c]; μ[d, c] = z[Nc + d·Nc + c]; s[d, c] = z[Nc + Nc·D + d·Nc + c]."""
    z = np.asarray(z, np.float64)
    means, log_sigma = np.empty((len(z), dimensions, mixtures)), np.empty((len(z), dimensions, mixtures))
    for d in range(dimensions):
        for c in range(mixtures):
            means[:, d, c] = z[:, mixtures + d * mixtures + c]
            log_sigma[:, d, c] = z[:, mixtures + mixtures * dimensions + d * mixtures + c]
    return z[:, :mixtures], means, log_sigma


def nll_closed_form(y, z, mixtures, dimensions):
    """−log Σ_c softmax(logits)_c Π_d N(y_d; μ_dc, σ_dc), σ = exp(s) + 1e-12 a standard deviation (float64)."""
    logits, means, log_sigma = mixture_parts(z, mixtures, dimensions)
    sigma = np.exp(log_sigma) + 1e-12
    log_weights = logits - logsumexp(logits, axis=1, keepdims=True)
    log_normal = (-0.5 * (((np.asarray(y, np.float64)[:, :, None] - means) / sigma) ** 2).sum(axis=1)
                  - np.log(sigma).sum(axis=1) - 0.5 * dimensions * np.log(2 * np.pi))
    return -logsumexp(log_weights + log_normal, axis=1)


def hann(size):
    return 0.5 * (1 - np.cos(2 * np.pi * np.arange(size) / (size - 1)))


def pva(signal, fft_size, sample_rate):
    """phase_vocoder.lua's pva, frame by frame: window, roll by (iH mod N), FFT, wrapped Δφ, frequencies."""
    hop, bins = fft_size // 4, fft_size // 2 + 1
    frames = math.ceil(len(signal) / hop) - fft_size // hop
    out, last_phase = np.zeros((frames, bins, 2)), None
    for i in range(frames):
        rotated = np.roll(signal[i * hop:i * hop + fft_size] * hann(fft_size), (i * hop) % fft_size)
        spectrum = np.fft.fft(rotated)[:bins]
        phase = np.arctan2(spectrum.imag, spectrum.real)
        if last_phase is None:
            last_phase = phase
        for k in range(1, bins):
            delta = phase[k] - last_phase[k]
            while delta > np.pi:
                delta -= 2 * np.pi
            while delta < -np.pi:
                delta += 2 * np.pi
            out[i, k] = abs(spectrum[k]), (delta + k * 2 * np.pi * hop / fft_size) * sample_rate / (2 * np.pi * hop)
        last_phase = phase
    return out


def pvs(frames, components, fft_size, sample_rate):
    """phase_vocoder.lua's pvs: frames 0..T−2, bins 1..P−1, zero initial phases,
    out[tH + j] += s[(j + 1 + m) mod N]·w[j]."""
    hop, count = fft_size // 4, len(frames)
    window, phases = hann(fft_size), np.zeros(components)
    out = np.zeros(count * hop + fft_size)
    for t in range(count - 1):
        spectrum = np.zeros(fft_size // 2 + 1, complex)
        for k in range(1, components):
            phases[k] += (frames[t, k, 1] - k * sample_rate / fft_size) * 2 * np.pi * hop / sample_rate
            spectrum[k] = frames[t, k, 0] * (np.cos(phases[k]) + 1j * np.sin(phases[k]))
        samples = np.fft.irfft(spectrum, fft_size)  # numpy's inverse divides by N, as torch-signal's irfft
        rotation = (t * hop) % fft_size
        for j in range(fft_size):
            out[t * hop + j] += samples[(j + 1 + rotation) % fft_size] * window[j]
    return out


def write_int32(path, samples, rate=SR):
    soundfile.write(path, np.asarray(samples, np.int32), rate, subtype="PCM_32")
    return path


def small_config(**overrides):
    base = dict(preset="test", components=2, rnn_size=5, num_layers=1, mixtures=3, batch_size=2, seq_length=3,
                max_epochs=2, save_every=1000, length=8)
    return MdnConfig(**{**base, **overrides})


# ----------------------------------------------------------------------------- 1. input


def test_item01_input_is_int32_over_2_to_32_one_channel_at_the_configured_rate(tmp_path):
    rng = np.random.default_rng(1)
    length = 1000  # not a multiple of the hop 128: ceil(1000/128)·128 = 1024
    left = rng.integers(-2 ** 30, 2 ** 30, length)
    right = rng.integers(-2 ** 30, 2 ** 30, length)
    mono, _, channels = features.load_signal(write_int32(tmp_path / "mono.wav", left), MdnConfig())
    assert channels == 1
    np.testing.assert_array_equal(mono, left / 2.0 ** 32)  # lua---audio's int32, divided by 2^32 in load_file
    stereo_path = write_int32(tmp_path / "stereo.wav", np.stack([left, right], axis=1))
    stereo, _, channels = features.load_signal(stereo_path, MdnConfig())
    assert channels == 2
    np.testing.assert_array_equal(stereo, left / 2.0 ** 32)  # ours (a documented deviation): the left channel
    interleaved, _, _ = features.load_signal(stereo_path, MdnConfig(stereo="interleaved"))
    storage = np.empty(2 * length)
    storage[0::2], storage[1::2] = left, right  # the (L, 2) tensor's row-major storage
    np.testing.assert_array_equal(interleaved, storage[:1024] / 2.0 ** 32)  # what pva's x:resize(ceil(L/H)·H) read
    assert MdnConfig().stereo == "left"
    assert MdnConfig().sample_rate == 44100 and all("sample_rate" not in preset for preset in PRESETS.values())


# ----------------------------------------------------------------------------- 2. window, hop, frame count


def test_item02_symmetric_hann_hop_n_over_4_and_frame_count():
    n = np.arange(512)
    np.testing.assert_allclose(phase_vocoder.hann_symmetric(512), 0.5 * (1 - np.cos(2 * np.pi * n / 511)), atol=1e-15)
    assert phase_vocoder.hann_symmetric(512)[0] == 0 and abs(phase_vocoder.hann_symmetric(512)[-1]) < 1e-15
    assert phase_vocoder.hop_size(512) == 128 and phase_vocoder.hop_size(2048) == 512
    assert phase_vocoder.frame_count(441000, 512) == 3442 and phase_vocoder.frame_count(441000, 2048) == 858
    for length in (1280, 1281, 1407, 5000):  # F = ceil(L/H) − N/H, also when L is a multiple of H
        assert phase_vocoder.frame_count(length, 512) == -(-length // 128) - 4
        frames = phase_vocoder.analyse(np.random.default_rng(length).normal(size=length), 512, SR)
        assert len(frames) == -(-length // 128) - 4


# ----------------------------------------------------------------------------- 3. analysis


def test_item03_analysis_against_a_transcription_of_pva():
    rng = np.random.default_rng(3)
    t = np.arange(700) / SR
    signal = (0.1 * np.sin(2 * np.pi * 3000.0 * t + 0.3) + 0.05 * np.sin(2 * np.pi * 7777.0 * t)
              + 0.01 * rng.normal(size=700))
    ours, expected = phase_vocoder.analyse(signal, 64, SR), pva(signal, 64, SR)
    assert ours.shape == expected.shape == (40, 33, 2)
    np.testing.assert_allclose(ours[..., 0], expected[..., 0], rtol=1e-9, atol=1e-12)  # raw |FFT|, unnormalised
    turns = (ours[..., 1] - expected[..., 1]) / (SR / 16)  # a Δφ at exactly ±π may wrap either way: whole sr/H only
    np.testing.assert_allclose(turns, np.round(turns), atol=1e-7)
    assert np.mean(np.round(turns) != 0) < 0.01
    np.testing.assert_array_equal(ours[0, :, 1], np.r_[0.0, np.arange(1, 33) * SR / 64])  # frame 0: bin centres
    assert not ours[:, 0].any()  # DC is (0, 0)


# ----------------------------------------------------------------------------- 4. frame vector


def test_item04_frame_vector_is_the_first_p_bins_dc_included_interleaved(tmp_path):
    frames = np.arange(2 * 3 * 2, dtype=np.float64).reshape(2, 3, 2) + 1
    expected = np.array([[frames[i, k, part] for k in range(3) for part in (0, 1)] for i in range(2)])
    np.testing.assert_array_equal(features.interleave(frames), expected)  # [a0, f0, a1, f1, a2, f2]
    t = np.arange(8000) / SR
    source = write_int32(tmp_path / "tone.wav", np.floor(2 ** 29 * np.sin(2 * np.pi * 440 * t)))
    config = MdnConfig(preset="test", components=10, batch_size=2, seq_length=5)
    summary = preprocess.preprocess(source, tmp_path / "run", config)
    kept = np.load(tmp_path / "run" / "data" / "frames.npy")
    assert kept.shape[1:] == (10, 2) and summary["dimensions"] == 20 and \
        np.load(tmp_path / "run" / "data" / "x.npy").shape[1] == 20
    assert not kept[:, 0].any()  # bin 0 (DC, always (0, 0)) is the first of the P bins
    assert (kept[1:, :, 0].argmax(axis=1) == 5).all()  # 440 Hz peaks in bin 5 (centre 430.66 Hz)
    np.testing.assert_allclose(kept[1:, 5, 1], 440.0, atol=0.5)


# ----------------------------------------------------------------------------- 5. truncation, deltas, targets


def test_item05_truncated_to_b_times_s_with_wrapped_deltas_and_targets():
    rng = np.random.default_rng(5)
    config = MdnConfig(components=3, batch_size=2, seq_length=4)
    for count, kept in ((25, 24), (24, 24), (31, 24), (32, 32)):
        frames = rng.normal(size=(count, 3, 2))
        frames[:, 0] = 0
        prepared = features.prepare(frames, config)
        assert prepared["kept"] == kept and len(prepared["x"]) == kept
        values = frames.reshape(count, 6)[:kept]
        deltas = np.array([values[(t + 1) % kept] - values[t] for t in range(kept)])  # the last wraps to frame 0
        amp_std, freq_std = prepared["stats"]["amp_std"], prepared["stats"]["freq_std"]
        np.testing.assert_allclose(prepared["x"][:, 0::2] * amp_std, deltas[:, 0::2], atol=1e-12)
        np.testing.assert_allclose(prepared["x"][:, 1::2] * freq_std, deltas[:, 1::2], atol=1e-12)
    x = rng.normal(size=(24, 2))
    inputs, targets = mdn_training.batches(x, batch_size=2, seq_length=4)
    for j in range(3):
        for b in range(2):
            for t in range(4):
                position = b * 12 + j * 4 + t
                np.testing.assert_allclose(inputs[j, b, t], x[position], rtol=1e-6)
                np.testing.assert_allclose(targets[j, b, t], x[(position + 1) % 24], rtol=1e-6)  # last target: x[0]


# ----------------------------------------------------------------------------- 6. statistics


def test_item06_one_global_unbiased_std_for_amplitudes_and_one_for_frequencies_dc_included():
    rng = np.random.default_rng(6)
    frames = np.stack([rng.uniform(0, 1, (40, 4)), rng.uniform(0, 1000, (40, 4))], axis=-1)
    frames[:, 0] = 0  # the DC bin's zeros take part
    prepared = features.prepare(frames, MdnConfig(components=4, batch_size=2, seq_length=5))
    values = frames.reshape(40, 8)
    deltas = np.roll(values, -1, axis=0) - values
    for key, columns in (("amp", deltas[:, 0::2].ravel()), ("freq", deltas[:, 1::2].ravel())):
        unbiased = math.sqrt(((columns - columns.mean()) ** 2).sum() / (columns.size - 1))
        assert prepared["stats"][f"{key}_std"] == pytest.approx(unbiased, rel=1e-12)
        assert abs(prepared["stats"][f"{key}_mean"]) < 1e-9  # the wrapped deltas telescope to 0
        normalised = prepared["x"][:, 0::2] if key == "amp" else prepared["x"][:, 1::2]
        np.testing.assert_allclose(normalised.ravel(), (columns - columns.mean()) / unbiased, atol=1e-10)


# ----------------------------------------------------------------------------- 7. initial frame


def test_item07_initial_frame_is_the_1_based_middle_of_the_kept_frames():
    frames = np.random.default_rng(7).normal(size=(30, 3, 2))
    prepared = features.prepare(frames, MdnConfig(components=3, batch_size=2, seq_length=4))  # 24 kept
    assert prepared["initial_index"] == 11  # frame floor(24/2) = 12 counted from 1
    np.testing.assert_array_equal(prepared["initial_frame"], frames[11].reshape(6))
    prepared = features.prepare(np.random.default_rng(3442).normal(size=(3442, 2, 2)),
                                MdnConfig(components=2, batch_size=10, seq_length=10))
    assert prepared["kept"] == 3400 and prepared["initial_index"] == 1699  # the sine's numbers


# ----------------------------------------------------------------------------- published settings (9, 12, 13, 14)
# Numpy-only checks of the settings, before the tests that need TensorFlow (a wrong setting fails in seconds).


def test_item09_every_parameter_starts_within_0_08():
    assert MdnConfig().init_range == 0.08  # U(−0.08, 0.08)


def test_item12_published_training_settings():
    defaults = MdnConfig()
    assert (defaults.learning_rate, defaults.decay_rate, defaults.decay_every, defaults.grad_clip) == \
        (1e-3, 0.97, 10000, 5.0)
    assert (defaults.max_epochs, defaults.seed) == (1000, 123)


def test_item13_the_blog_presets():
    published = {  # fft_size, components, num_layers, rnn_size, seq_length, mixtures, batch_size
        "sine": (512, 10, 1, 100, 10, 1, 10), "clarinet": (512, 20, 2, 100, 20, 3, 1),
        "piano": (2048, 20, 2, 150, 20, 5, 1), "defaults": (512, 40, 1, 100, 30, 20, 1)}
    for name, numbers in published.items():
        config = MdnConfig(**PRESETS[name])
        assert (config.fft_size, config.components, config.num_layers, config.rnn_size, config.seq_length,
                config.mixtures, config.batch_size) == numbers, name
    for name in ("sine-absolute", "quick", "tiny"):
        assert {key: PRESETS[name][key] for key in PRESETS["sine"] if key != "corpus"} == \
               {key: value for key, value in PRESETS["sine"].items() if key != "corpus"} | \
               ({"rnn_size": 16} if name == "tiny" else {}), name
    for name in ("clarinet-resets", "clarinet-resets-reduced"):
        assert {key: PRESETS[name][key] for key in PRESETS["clarinet"]} == PRESETS["clarinet"]


def test_item14_published_sampling_settings():
    assert (MdnConfig().bias, MdnConfig().spread, MdnConfig().length, MdnConfig().sample_seed) == \
        (1.0, "faithful", 1000, 123)
    assert PRESETS["clarinet-resets-reduced"]["bias"] == 1e-5 and PRESETS["quick"]["bias"] == 1e-5
    x = np.arange(12, dtype=np.float64)[:, None] * np.ones(4)
    prime = mdn_sampling.priming_inputs(x, small_config(seq_length=3))
    np.testing.assert_array_equal(prime[:, 0], np.arange(31) % 3)  # 10·S + 1 steps of x[0:S], cyclically


# ----------------------------------------------------------------------------- 15. integration


def test_item15_deltas_summed_from_the_initial_frame_unclamped_without_resets():
    rng = np.random.default_rng(15)
    initial = np.array([0.2, 440.0, 0.1, 880.0])
    stats = {"amp_mean": 0.01, "amp_std": 0.5, "freq_mean": -2.0, "freq_std": 30.0, "initial_frame": initial}
    samples = rng.normal(size=(50, 4)) - np.array([1.0, 0.0, 1.0, 0.0])  # amplitudes drift below zero
    config = MdnConfig(components=2)
    frames = mdn_sampling.integrate(samples, stats, config, np.zeros((40, 4)), np.random.default_rng(0))
    expected, current = [], initial.copy()
    for row in samples:
        current = current + np.array([row[0] * 0.5 + 0.01, row[1] * 30 - 2, row[2] * 0.5 + 0.01, row[3] * 30 - 2])
        expected.append(current)
    np.testing.assert_allclose(frames, np.array(expected), rtol=1e-12)
    assert (frames[:, 0::2] < 0).any()  # no clamping
    assert MdnConfig().reset_every == 0 and all(preset.get("reset_every", 0) == 0 for name, preset in PRESETS.items()
                                                 if "resets" not in name)


# ----------------------------------------------------------------------------- 16. resynthesis


def test_item16_resynthesis_against_a_transcription_of_pvs():
    rng = np.random.default_rng(16)
    k = np.arange(12)
    frames = np.stack([rng.uniform(0.1, 2, (7, 12)), k * SR / 64 + rng.normal(0, 200, (7, 12))], axis=-1)
    ours = phase_vocoder.synthesise(frames, 64, SR, components=10)
    assert len(ours) == 7 * 16 + 64
    np.testing.assert_allclose(ours, pvs(frames, 10, 64, SR), atol=1e-12)


# ----------------------------------------------------------------------------- 17. writing


def test_item17_output_is_floor_y_times_2_to_31_as_32_bit_pcm_at_44100(tmp_path):
    values = [0.5, -1e-12, 0.25 + 0.7 / 2 ** 31, -0.25 - 0.7 / 2 ** 31, 0.0, 2.0, -2.0]
    expected = [2 ** 30, -1, 2 ** 29, -(2 ** 29) - 1, 0, 2 ** 31 - 1, -(2 ** 31)]  # clipped to int32 (ours)
    np.testing.assert_array_equal(phase_vocoder.to_int32(values), expected)
    config = MdnConfig(components=4)
    rng = np.random.default_rng(17)
    frames = np.stack([rng.uniform(1, 5, (6, 4)), np.arange(4) * SR / 512 + rng.normal(0, 20, (6, 4))], axis=-1)
    signal = mdn_sampling.write_output(tmp_path / "out.wav", features.interleave(frames), config)
    info = soundfile.info(tmp_path / "out.wav")
    assert (info.subtype, info.samplerate, info.channels, info.frames) == ("PCM_32", 44100, 1, 6 * 128 + 512)
    written, _ = soundfile.read(tmp_path / "out.wav", dtype="int32")
    np.testing.assert_array_equal(written, np.floor(np.asarray(signal) * 2.0 ** 31).astype(np.int64))
    assert np.abs(written).max() > 2 ** 20


# ----------------------------------------------------------------------------- 18. the original's bugs


def test_item18_the_originals_bugs_are_not_replicated_and_are_listed():
    defaults = MdnConfig()
    assert defaults.target_stride_bug is False and \
        all(not preset.get("target_stride_bug") for preset in PRESETS.values())
    assert defaults.decay_rate < 1.0  # the 2015 decay, not HEAD's (off without -multisave)
    text = (REPO_ROOT / "mdn_vocoder" / "README.md").read_text()
    deviations = text.split("## Deviations", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in deviations.splitlines() if line.startswith("| ")]
    for words in (("bug (a)", "stride"), ("bug (b)", "stale"), ("multisave", "2015"), ("randomise", "not replicated"),
                  ("stereo", "interleaved")):
        assert any(all(word in row for word in words) for row in rows), words


# ----------------------------------------------------------------------------- 9. the LSTM and its initialisation


def test_item09_char_rnn_lstm_stack_against_numpy_and_its_initialisation():
    import keras

    from mdn_vocoder.model import build_model

    config = small_config(rnn_size=6, num_layers=2, mixtures=2)
    keras.utils.set_random_seed(9)
    model = build_model(config, 4)
    cells, head = model_weights(model, 2)
    rng = np.random.default_rng(9)
    x = rng.normal(size=(2, 5, 4)).astype(np.float32)
    states = [rng.normal(0, 0.5, (2, 6)).astype(np.float32) for _ in range(4)]
    outputs = model([x, *states])
    z, final = forward(x, states, cells, head)
    np.testing.assert_allclose(np.asarray(outputs[0]), z, atol=2e-5)
    for ours, expected in zip(outputs[1:], final):
        np.testing.assert_allclose(np.asarray(ours), expected, atol=2e-5)
    sine = MdnConfig(**PRESETS["sine"])
    model = build_model(sine, 20)
    (i2h_kernel, i2h_bias, h2h_kernel, h2h_bias), = model_weights(model, 1)[0]
    head_kernel, head_bias = model_weights(model, 1)[1]
    np.testing.assert_array_equal(i2h_bias[100:200], 1.0)  # the i2h forget-gate block
    for values in (i2h_kernel, np.r_[i2h_bias[:100], i2h_bias[200:]], h2h_kernel, h2h_bias, head_kernel, head_bias):
        assert np.abs(values).max() <= 0.08  # U(−0.08, 0.08)
        assert values.size < 100 or np.abs(values).max() > 0.078
        assert abs(values.mean()) < 4 * 0.08 / math.sqrt(3 * values.size)
        assert values.std() == pytest.approx(0.08 / math.sqrt(3), rel=0.25)
    draws = [i2h_kernel.ravel()[:400], h2h_kernel.ravel()[:400], h2h_bias[:400], head_kernel.ravel()[:400],
             np.r_[i2h_bias[:100], i2h_bias[200:]][:300]]
    for a in range(len(draws)):  # each weight its own independent draw
        for b in range(a + 1, len(draws)):
            size = min(len(draws[a]), len(draws[b]))
            assert abs(np.corrcoef(draws[a][:size], draws[b][:size])[0, 1]) < 0.3
    assert not np.allclose(head_bias, head_kernel[0, :len(head_bias)])


# ----------------------------------------------------------------------------- 10. the MDN


def test_item10_mdn_layout_softmax_weights_and_sigma_as_a_standard_deviation():
    rng = np.random.default_rng(10)
    mixtures, dimensions = 3, 4
    z = rng.normal(0, 0.8, (6, mdn.output_size(mixtures, dimensions)))
    y = rng.normal(0, 1, (6, dimensions))
    np.testing.assert_allclose(np.asarray(mdn.negative_log_likelihood(y, z, mixtures, dimensions)),
                               nll_closed_form(y, z, mixtures, dimensions), rtol=1e-10)
    assert mdn.output_size(20, 80) == 3220  # Nc + 2·Nc·D
    tight = z[:1].copy()
    tight[0, mixtures + mixtures * dimensions:] = -40.0  # exp(s) ≈ 4e-18: σ is the 1e-12 epsilon
    _, means, _ = mixture_parts(tight, mixtures, dimensions)
    target = means[:, :, 1] + 1e-12
    expected = nll_closed_form(target, tight, mixtures, dimensions)
    assert expected[0] < -90  # ≈ −D·log(1e-12)·(−1) less the mixture weight and ½ per dimension
    np.testing.assert_allclose(np.asarray(mdn.negative_log_likelihood(target, tight, mixtures, dimensions)), expected,
                               rtol=1e-7)


# ----------------------------------------------------------------------------- 11. the loss


def test_item11_loss_is_the_summed_per_sample_nll_with_its_schuster_gradient():
    import tensorflow as tf

    rng = np.random.default_rng(11)
    mixtures, dimensions = 3, 2
    z = rng.normal(0, 0.5, (5, mdn.output_size(mixtures, dimensions)))
    y = rng.normal(0, 1, (5, dimensions))
    variable = tf.Variable(z)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(mdn.negative_log_likelihood(tf.constant(y), variable, mixtures, dimensions))
    logits, means, log_sigma = mixture_parts(z, mixtures, dimensions)
    sigma = np.exp(log_sigma)
    weights = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    density = weights * np.exp(-0.5 * (((y[:, :, None] - means) / sigma) ** 2).sum(axis=1)) / (
        (2 * np.pi) ** (dimensions / 2) * sigma.prod(axis=1))
    gamma = density / density.sum(axis=1, keepdims=True)  # responsibilities, per sample
    expected = np.zeros_like(z)
    expected[:, :mixtures] = weights - gamma
    for d in range(dimensions):
        for c in range(mixtures):
            expected[:, mixtures + d * mixtures + c] = gamma[:, c] * (means[:, d, c] - y[:, d]) / sigma[:, d, c] ** 2
            expected[:, mixtures + mixtures * dimensions + d * mixtures + c] = -gamma[:, c] * (
                (y[:, d] - means[:, d, c]) ** 2 / sigma[:, d, c] ** 2 - 1)
    np.testing.assert_allclose(tape.gradient(loss, variable).numpy(), expected, atol=1e-9)
    far = np.zeros((1, mdn.output_size(1, 1)))  # μ 0, σ 1, y 300 σ away: the log domain stays exact
    assert float(mdn.negative_log_likelihood(np.array([[300.0]]), far, 1, 1)[0]) == pytest.approx(
        0.5 * 300.0 ** 2 + 0.5 * np.log(2 * np.pi), rel=1e-9)  # (σ = 1 + 1e-12)
    # the training step's loss is Σ over the B streams and S steps of the per-sample NLL
    config = small_config(batch_size=3, seq_length=4)
    trainer = mdn_training.Trainer(config, 4)
    cells, head = model_weights(trainer.model, 1)
    inputs = rng.normal(size=(3, 4, 4)).astype(np.float32)
    targets = rng.normal(size=(3, 4, 4)).astype(np.float32)
    states = [rng.normal(0, 0.3, (3, 5)).astype(np.float32) for _ in range(2)]
    step_loss, _ = trainer.step(inputs, targets, states)
    zs, _ = forward(inputs, states, cells, head)
    total = nll_closed_form(targets.reshape(-1, 4), zs.reshape(12, -1), 3, 4).sum()
    assert float(step_loss) == pytest.approx(total, rel=1e-5)


# ----------------------------------------------------------------------------- 12. the optimizer


def test_item12_torch_adagrad_with_elementwise_clamp_staircase_decay_and_the_published_settings():
    import keras

    from mdn_vocoder.model import make_optimizer

    defaults = MdnConfig()
    optimizer = make_optimizer(defaults)
    for iteration, rate in ((0, 1e-3), (9999, 1e-3), (10000, 0.97e-3), (29999, 0.97 ** 2 * 1e-3)):  # iterations from 0
        optimizer.iterations.assign(iteration)
        assert float(optimizer.learning_rate) == pytest.approx(rate, rel=1e-6)
    config = dataclasses.replace(defaults, decay_every=2, decay_rate=0.5)
    variable = keras.Variable(np.zeros(4), dtype="float64")
    optimizer = make_optimizer(config)
    gradients = [[9.0, -0.5, 1e-9, 3.0], [1.0, 2.0, 1e-9, -7.0], [0.3, -6.0, 2e-9, 0.3], [0.1, 0.1, 1e-9, 0.1]]
    theta, accumulator = np.zeros(4), np.zeros(4)
    for step, gradient in enumerate(gradients):
        optimizer.apply_gradients([(np.array(gradient), variable)])
        clamped = np.clip(gradient, -5, 5)  # element-wise, before Adagrad accumulates
        accumulator += clamped ** 2  # from 0
        theta -= 1e-3 * 0.5 ** (step // 2) * clamped / (np.sqrt(accumulator) + 1e-10)  # ε outside the root
        np.testing.assert_allclose(variable.numpy(), theta, rtol=1e-6)


# ----------------------------------------------------------------------------- 13. parameter counts and presets


def test_item13_parameter_counts_with_two_biases_and_the_blog_presets():
    from mdn_vocoder.model import build_model

    for name, count in (("sine", 52941), ("clarinet", 162143), ("piano", 357555), ("defaults", 398020)):
        config = MdnConfig(**PRESETS[name])
        assert build_model(config, 2 * config.components).count_params() == count, name


# ----------------------------------------------------------------------------- 14. sampling


def test_item14_sampling_against_a_transcription_of_sample_lua(tmp_path):
    import keras

    from mdn_vocoder.model import build_model, load_trained

    config = small_config(rnn_size=5, num_layers=2, mixtures=3, seq_length=3, bias=0.3)
    keras.utils.set_random_seed(14)
    model = build_model(config, 4)
    model.set_weights([8 * weight for weight in model.get_weights()])  # U(±0.64): each input visibly moves the output
    rng = np.random.default_rng(14)
    model.save(tmp_path / "model.keras")
    saved = {f"state_{i}": rng.normal(0, 0.5, (3, 5)).astype(np.float32) for i in range(4)}  # 3 streams
    np.savez(tmp_path / "state.npz", **saved)
    loaded, states = load_trained(tmp_path)
    for i, state in enumerate(states):
        np.testing.assert_array_equal(state, saved[f"state_{i}"][:1])  # row 1 of the final training state
    x = rng.normal(size=(12, 4)).astype(np.float32)
    prime = mdn_sampling.priming_inputs(x, config)
    assert len(prime) == 10 * 3 + 1
    noise = rng.standard_normal((6, 4)).astype(np.float32)
    ours = mdn_sampling.sample_faithful(loaded, states, prime, noise, config)
    cells, head = model_weights(loaded, 2)
    carried = [saved[f"state_{i}"][:1] for i in range(4)]
    for t in range(10 * 3 + 1):  # stream 0's first chunk, cyclically, outputs discarded
        _, carried = forward(x[None, None, t % 3], carried, cells, head)
    current, expected = np.zeros(4), []
    for t in range(6):
        z, carried = forward(current[None, None], carried, cells, head)
        logits, means, log_sigma = mixture_parts(z[0], 3, 4)
        chosen = int(np.argmax(logits[0]))  # the heaviest component, no draw
        sigma = np.exp(log_sigma[0, :, chosen]) + 1e-12
        current = means[0, :, chosen] + np.sqrt(0.3 * sigma) * noise[t]  # √(bias·σ): σ read as a variance
        expected.append(current)
    np.testing.assert_allclose(ours, np.array(expected), atol=1e-4)


# ----------------------------------------------------------------------------- 8. streams and the carried state
# (last: it trains, the slowest test)


def test_item08_contiguous_streams_in_order_and_the_state_carried_across_batches_and_epochs(tmp_path, monkeypatch):
    config = small_config(batch_size=2, seq_length=3, max_epochs=2)
    x = np.random.default_rng(8).normal(size=(12, 4))  # 12 frames = 2 streams of 6 = 2 chunks of 3
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "x.npy", x)
    calls = []
    original_init = mdn_training.Trainer.__init__

    def recording_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        step = self.step_with_sigma  # the training step (it also returns the batch's mean σ for loss.csv)

        def recording_step(inputs, targets, states):
            loss, new_states, sigma = step(inputs, targets, states)
            calls.append((np.asarray(inputs), [np.asarray(s) for s in states], [np.asarray(s) for s in new_states]))
            return loss, new_states, sigma

        self.step_with_sigma = recording_step

    monkeypatch.setattr(mdn_training.Trainer, "__init__", recording_init)
    mdn_train.train(tmp_path, config, progress=False)
    assert len(calls) == 4  # max_epochs × num_batches, one batch per iteration
    for iteration, (inputs, states_in, states_out) in enumerate(calls):
        chunk = iteration % 2
        expected = np.stack([x[b * 6 + chunk * 3:b * 6 + chunk * 3 + 3] for b in range(2)])  # stream b, chunk j
        np.testing.assert_allclose(inputs, expected, rtol=1e-6)
        if iteration == 0:
            assert not any(state.any() for state in states_in)  # zeros only at the very start
        else:  # carried, across the epoch boundary too
            for given, previous in zip(states_in, calls[iteration - 1][2]):
                np.testing.assert_array_equal(given, previous)
        assert all(np.abs(state).max() > 1e-3 for state in states_out)
    with np.load(tmp_path / "state.npz") as saved:  # what sampling starts from: the last carried state
        for i, state in enumerate(calls[-1][2]):
            np.testing.assert_array_equal(saved[f"state_{i}"], state)
    assert MdnConfig().heldout_fraction == 0.0  # no validation split
