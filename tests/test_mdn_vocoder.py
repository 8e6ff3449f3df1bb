"""mdn_vocoder/: Glover's phase vocoder, LSTM and MDN on short synthetic tones (no reference data needed).

The original's behaviour (mdn_vocoder/README.md, "The method"): the vectorised phase vocoder equal
to the per-frame loops, the MDN's analytic gradient against central differences (the
original's own test) and against autodiff, parameter counts, the char-rnn cell's equations,
Torch's Adagrad, the stream layout, fast sampling equal to faithful, resuming, a tiny model
learning a sine, the scripts end to end, and bad input.
"""

import dataclasses
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import soundfile

from conftest import REPO_ROOT
from mdn_vocoder import features, mdn, phase_vocoder, preprocess
from mdn_vocoder import sampling as mdn_sampling
from mdn_vocoder import train as mdn_train
from mdn_vocoder import training as mdn_training
from mdn_vocoder.config import PRESETS, MdnConfig

TINY = MdnConfig(**{**PRESETS["tiny"], "preset": "tiny"})


def tone(path, seconds=1.0, rate=44100, channels=1, partials=((440.0, 0.25), (880.0, 0.05)), subtype="PCM_16"):
    t = np.arange(int(seconds * rate)) / rate
    signal = sum(amplitude * np.sin(2 * np.pi * frequency * t) for frequency, amplitude in partials)
    soundfile.write(path, np.repeat(signal[:, None], channels, axis=1), rate, subtype=subtype)
    return path


def run_script(module, *args):
    return subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300)


# ----------------------------------------------------------------------------- phase vocoder


def test_frame_count_is_ceil_length_over_hop_minus_four():
    assert phase_vocoder.frame_count(441000, 512) == 3442
    assert phase_vocoder.frame_count(1280, 512) == 6  # L % H = 0: one frame fewer than a plain STFT's 7
    assert phase_vocoder.frame_count(1281, 512) == 7
    assert phase_vocoder.frame_count(511, 512) < 1


def test_vectorised_analysis_equals_the_per_frame_loop():
    rng = np.random.default_rng(0)
    t = np.arange(6000) / 44100
    signal = (0.2 * np.sin(2 * np.pi * 523.3 * t) + 0.1 * np.sin(2 * np.pi * 1200.7 * t)
              + 1e-3 * rng.standard_normal(6000))
    fast, loop = phase_vocoder.analyse(signal, 512, 44100), phase_vocoder.analyse_loop(signal, 512, 44100)
    np.testing.assert_allclose(fast[..., 0], loop[..., 0], atol=1e-10)
    difference = (fast[..., 1] - loop[..., 1]) / (44100 / 128)  # a phase difference at exactly ±π may wrap either way
    np.testing.assert_allclose(difference, np.round(difference), atol=1e-7)
    assert (np.abs(np.round(difference)) > 0).mean() < 1e-3


def test_vectorised_resynthesis_equals_the_per_frame_loop():
    rng = np.random.default_rng(1)
    frames = np.stack([rng.uniform(0, 2, (40, 20)), np.arange(20) * 44100 / 512 + rng.normal(0, 30, (40, 20))], axis=-1)
    np.testing.assert_allclose(phase_vocoder.synthesise(frames, 512, 44100, 12),
                               phase_vocoder.synthesise_loop(frames, 512, 44100, 12), atol=1e-12)


def test_resynthesis_skips_the_last_frame_and_the_bins_from_p_on():
    frames = np.zeros((5, 20, 2))
    frames[-1, 3, 0] = 1.0  # only in the last frame: never synthesised
    frames[:, 15, 0] = 1.0  # beyond P = 10
    out = phase_vocoder.synthesise(frames, 512, 44100, components=10)
    assert len(out) == 5 * 128 + 512 and not out.any()


def test_to_int32_floors_and_clips():
    np.testing.assert_array_equal(phase_vocoder.to_int32([0.0, -1e-12, 0.5, 2.0, -2.0]),
                                  [0, -1, 2 ** 30, 2 ** 31 - 1, -(2 ** 31)])


# ----------------------------------------------------------------------------- mixture density network


def _nll_numpy(y, z, mixtures, dimensions):
    return -np.log(mdn.torch_density(y, z, mixtures, dimensions).sum(axis=1)).sum()


def test_analytic_gradient_matches_central_differences():
    """mdn.lua's own test.lua: Nc 5, D 10, B 5, inputs U[0, 1), central differences with eps 1e-6."""
    rng = np.random.default_rng(123)
    mixtures, dimensions, batch = 5, 10, 5
    z = rng.uniform(0, 1, (batch, mdn.output_size(mixtures, dimensions)))
    y = rng.uniform(0, 1, (batch, dimensions))
    analytic = mdn.torch_gradient(y, z, mixtures, dimensions)
    numeric = np.zeros_like(z)
    for index in np.ndindex(*z.shape):
        up, down = z.copy(), z.copy()
        up[index] += 1e-6
        down[index] -= 1e-6
        numeric[index] = (_nll_numpy(y, up, mixtures, dimensions) - _nll_numpy(y, down, mixtures, dimensions)) / 2e-6
    relative = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
    assert relative.max() < 1e-2  # the original's tolerance
    np.testing.assert_allclose(analytic, numeric, atol=1e-6)


def test_keras_loss_gradient_is_the_torch_gradient():
    import tensorflow as tf

    rng = np.random.default_rng(7)
    mixtures, dimensions = 3, 6
    z = tf.Variable(rng.normal(0, 0.5, (4, mdn.output_size(mixtures, dimensions))))
    y = tf.constant(rng.normal(0, 1, (4, dimensions)))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(mdn.negative_log_likelihood(y, z, mixtures, dimensions))
    np.testing.assert_allclose(tape.gradient(loss, z).numpy(),
                               mdn.torch_gradient(y.numpy(), z.numpy(), mixtures, dimensions), atol=1e-10)
    assert float(loss) == pytest.approx(_nll_numpy(y.numpy(), z.numpy(), mixtures, dimensions), rel=1e-12)


def test_one_component_nll_is_the_closed_form_gaussian():
    import scipy.stats

    rng = np.random.default_rng(3)
    dimensions = 4
    z = rng.normal(0, 0.7, (6, mdn.output_size(1, dimensions)))
    y = rng.normal(0, 1, (6, dimensions))
    means, sigma = z[:, 1:1 + dimensions], np.exp(z[:, 1 + dimensions:]) + 1e-12
    expected = -scipy.stats.norm.logpdf(y, means, sigma).sum(axis=1)
    np.testing.assert_allclose(np.asarray(mdn.negative_log_likelihood(y, z, 1, dimensions)), expected, rtol=1e-10)


def test_sampler_takes_the_heaviest_component_and_sqrt_of_bias_times_sigma():
    mixtures, dimensions = 2, 3
    z = np.zeros((1, mdn.output_size(mixtures, dimensions)))
    z[0, :2] = [0.0, 2.0]  # component 1 is heavier
    z[0, 2:8] = np.array([[10, 1], [20, 2], [30, 3]]).reshape(-1)  # μ[d, c]
    z[0, 8:] = np.log(np.array([[9, 0.25], [9, 0.25], [9, 0.25]])).reshape(-1)  # σ: component 1 has 0.25
    noise = np.ones((1, dimensions))
    faithful = np.asarray(mdn.sample(z, noise, mixtures, dimensions, bias=4.0))
    corrected = np.asarray(mdn.sample(z, noise, mixtures, dimensions, bias=4.0, spread="corrected"))
    np.testing.assert_allclose(faithful, [[1 + 1.0, 2 + 1.0, 3 + 1.0]], rtol=1e-6)  # sqrt(4·0.25) = 1
    np.testing.assert_allclose(corrected, [[1.5, 2.5, 3.5]], rtol=1e-6)  # sqrt(4)·0.25 = 0.5


# ----------------------------------------------------------------------------- model and optimizer


@pytest.mark.parametrize("preset, torch_count, keras_count",
                         [("sine", 52941, 52541), ("clarinet", 162143, 161343), ("piano", 357555, 356355)])
def test_parameter_counts_of_the_blog_configurations(preset, torch_count, keras_count):
    from mdn_vocoder.model import build_model

    config = MdnConfig(**PRESETS[preset])
    assert build_model(config, 2 * config.components).count_params() == torch_count
    assert build_model(dataclasses.replace(config, cell="keras"), 2 * config.components).count_params() == keras_count


def test_char_rnn_cell_equations_and_initialisation():
    from mdn_vocoder.model import CharRnnLSTMCell

    def sigmoid(v):
        return 1 / (1 + np.exp(-v))

    cell = CharRnnLSTMCell(8)
    cell.build((None, 5))
    bias = cell.input_bias.numpy()
    np.testing.assert_array_equal(bias[8:16], 1.0)  # the i2h forget block
    for weight in (cell.input_kernel, cell.recurrent_kernel, cell.recurrent_bias):
        assert np.abs(weight.numpy()).max() <= 0.08
    rng = np.random.default_rng(0)
    x, h, c = (rng.normal(size=(3, n)).astype(np.float32) for n in (5, 8, 8))
    hidden, (_, cell_state) = cell(x, [h, c])
    gates = x @ cell.input_kernel.numpy() + bias + h @ cell.recurrent_kernel.numpy() + cell.recurrent_bias.numpy()
    i, f, o, g = np.split(gates, 4, axis=1)
    expected_c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    np.testing.assert_allclose(cell_state.numpy(), expected_c, atol=1e-5)
    np.testing.assert_allclose(hidden.numpy(), sigmoid(o) * np.tanh(expected_c), atol=1e-5)


def test_torch_adagrad_clamps_then_accumulates_from_zero_and_decays_by_staircase():
    import keras

    from mdn_vocoder.model import make_optimizer

    config = dataclasses.replace(TINY, decay_every=2, decay_rate=0.5)
    variable = keras.Variable(np.zeros(3, np.float32))
    optimizer = make_optimizer(config)
    gradients = [np.array([9.0, -0.5, 1e-3], np.float32), np.array([1.0, 2.0, -7.0], np.float32),
                 np.array([0.3, 0.3, 0.3], np.float32)]
    theta, accumulator = np.zeros(3), np.zeros(3)
    for step, gradient in enumerate(gradients):
        optimizer.apply_gradients([(gradient, variable)])
        clipped = np.clip(gradient, -5, 5)
        accumulator += clipped ** 2
        theta -= 1e-3 * 0.5 ** (step // 2) * clipped / (np.sqrt(accumulator) + 1e-10)
    np.testing.assert_allclose(variable.numpy(), theta, rtol=1e-5)


def test_streams_are_contiguous_and_targets_are_the_next_step():
    x = np.arange(24, dtype=np.float64).reshape(12, 2)  # F 12, D 2
    inputs, targets = mdn_training.batches(x, batch_size=2, seq_length=3)
    assert inputs.shape == (2, 2, 3, 2)
    np.testing.assert_array_equal(inputs[1, 1, :, 0], [18, 20, 22])  # stream 1 = frames 6..11, chunk 1 = frames 9..11
    np.testing.assert_array_equal(targets[1, 1, :, 0], [20, 22, 0])  # the last target wraps to frame 0
    np.testing.assert_array_equal(targets[1, 0, :, 0], [8, 10, 12])  # stream 0 = frames 0..5, chunk 1's targets 4..6
    assert targets[1, 0, -1, 0] == inputs[0, 1, 0, 0]  # stream 0's last target is stream 1's first input
    _, buggy = mdn_training.batches(x, batch_size=2, seq_length=3, stride_bug=True)  # bug (a), replicated on request
    np.testing.assert_array_equal(buggy[1, :, :, 0], [[8, 10, 12], [10, 12, 14]])  # row 1 reads stream 0 one step on


# ----------------------------------------------------------------------------- data preparation


def test_deltas_wrap_and_the_initial_frame_is_the_middle_one():
    frames = np.random.default_rng(0).normal(size=(25, 3, 2))
    config = MdnConfig(components=3, batch_size=2, seq_length=4)
    prepared = features.prepare(frames, config)
    assert prepared["kept"] == 24 and prepared["initial_index"] == 11
    values = frames.reshape(25, 6)[:24]
    deltas = features.denormalise(prepared["x"], prepared["stats"])
    np.testing.assert_allclose(deltas[:-1], values[1:] - values[:-1], atol=1e-12)
    np.testing.assert_allclose(deltas[-1], values[0] - values[23], atol=1e-12)
    np.testing.assert_array_equal(prepared["initial_frame"], values[11])


def test_heldout_tail_is_kept_out_and_normalised_with_the_training_statistics():
    frames = np.random.default_rng(0).normal(size=(100, 3, 2))
    config = MdnConfig(components=3, batch_size=2, seq_length=4, heldout_fraction=0.2)
    prepared = features.prepare(frames, config)
    assert prepared["kept"] == 80 and len(prepared["heldout_x"]) == 20
    values = frames.reshape(100, 6)
    np.testing.assert_allclose(features.denormalise(prepared["heldout_x"], prepared["stats"]),
                               values[80:] - values[79:99], atol=1e-12)


def test_integration_sums_from_the_initial_frame_and_resets_to_middle_frames():
    stats = {"amp_mean": 0.0, "amp_std": 1.0, "freq_mean": 0.0, "freq_std": 1.0, "initial_frame": np.zeros(4)}
    training = np.arange(40, dtype=np.float64)[:, None] * np.ones(4) + 1000
    samples = np.ones((10, 4))
    frames = mdn_sampling.integrate(samples, stats, dataclasses.replace(TINY, reset_every=0), training,
                                    np.random.default_rng(0))
    np.testing.assert_array_equal(frames[:, 0], np.arange(1, 11))
    reset = mdn_sampling.integrate(samples, stats, dataclasses.replace(TINY, reset_every=4), training,
                                   np.random.default_rng(0))
    np.testing.assert_array_equal(reset[:4, 0], [1, 2, 3, 4])
    for start in (4, 8):
        assert 1010 + 1 <= reset[start, 0] <= 1030 + 1 and reset[start + 1, 0] == reset[start, 0] + 1


# ----------------------------------------------------------------------------- training and sampling


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mdn")
    source = tone(folder / "sine.wav", seconds=1.2, partials=((440.0, 0.25),))
    run = folder / "run"
    config = dataclasses.replace(TINY, max_epochs=20, heldout_fraction=0.2, length=40, learning_rate=0.02)
    preprocess.preprocess(source, run, config)
    rows = mdn_train.train(run, config, progress=False)
    return run, config, rows


def test_tiny_model_learns_the_sine(tiny_run):
    _, _, rows = tiny_run
    assert len(rows) == 20
    assert rows[-1]["median_nll_per_frame"] < rows[0]["median_nll_per_frame"] - 10  # nats per frame of 20 values
    assert np.isfinite(rows[-1]["heldout_nll"]) and rows[-1]["heldout_nll"] < rows[0]["heldout_nll"]


def test_fast_sampling_equals_faithful(tiny_run):
    from mdn_vocoder.model import load_trained

    run, config, _ = tiny_run
    model, states = load_trained(run)
    x = np.load(run / "data" / "x.npy")
    prime = mdn_sampling.priming_inputs(x, config)
    assert len(prime) == 10 * config.seq_length + 1
    noise = np.random.default_rng(5).standard_normal((40, x.shape[1])).astype(np.float32)
    faithful = mdn_sampling.sample_faithful(model, states, prime, noise, config)
    fast = mdn_sampling.FastSampler(model, config)(states, prime, noise)
    np.testing.assert_allclose(fast, faithful, atol=1e-4)  # float32 kernels in another order: ~1e-6 measured


def test_load_trained_takes_a_run_a_model_folder_or_a_keras_file(tiny_run, tmp_path):
    from mdn_vocoder.model import load_trained
    from shared.rundir import InputError

    run, _, _ = tiny_run
    model, states = load_trained(run)  # checked against the run's data/x.npy
    folder = tmp_path / "model"  # model.keras and state.npz, no run data
    folder.mkdir()
    for name in ("model.keras", "state.npz"):
        shutil.copy(run / name, folder / name)
    alone = tmp_path / "alone" / "sine.keras"  # a .keras file with no state beside it
    alone.parent.mkdir()
    shutil.copy(run / "model.keras", alone)
    for path in (folder, run / "model.keras", alone):
        loaded, carried = load_trained(path)
        for ours, theirs in zip(loaded.get_weights(), model.get_weights(), strict=True):
            np.testing.assert_array_equal(ours, theirs)
        expected = [np.zeros_like(state) for state in states] if path == alone else states
        for ours, theirs in zip(carried, expected, strict=True):
            np.testing.assert_array_equal(ours, theirs)
    for missing in (tmp_path / "nowhere", tmp_path / "nowhere.keras"):
        with pytest.raises(InputError, match="missing: run `python -m mdn_vocoder.train` for this run first"):
            load_trained(missing)


def test_resuming_after_a_kill_gives_the_uninterrupted_run(tmp_path, monkeypatch):
    source = tone(tmp_path / "sine.wav", seconds=1.2, partials=((440.0, 0.25),))
    config = dataclasses.replace(TINY, max_epochs=6, save_every=5)  # 4 batches per epoch: dies at 13, resumes from 10
    for name in ("straight", "killed"):
        preprocess.preprocess(source, tmp_path / name, config)
    straight = mdn_train.train(tmp_path / "straight", config, progress=False)

    original_init = mdn_training.Trainer.__init__

    def init_then_die_later(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        step, calls = self.step_with_sigma, []  # the training step

        def dying_step(*step_args):
            calls.append(1)
            if len(calls) > 12:
                raise KeyboardInterrupt
            return step(*step_args)

        self.step_with_sigma = dying_step

    monkeypatch.setattr(mdn_training.Trainer, "__init__", init_then_die_later)
    with pytest.raises(KeyboardInterrupt):
        mdn_train.train(tmp_path / "killed", config, progress=False)
    assert (tmp_path / "killed" / "checkpoints" / "last.npz").is_file()
    monkeypatch.setattr(mdn_training.Trainer, "__init__", original_init)
    resumed = mdn_train.train(tmp_path / "killed", config, progress=False)
    assert [row["loss"] for row in resumed] == pytest.approx([row["loss"] for row in straight], rel=1e-6)
    assert not (tmp_path / "killed" / "checkpoints" / "last.npz").exists()


# ----------------------------------------------------------------------------- the scripts and bad input


def test_scripts_end_to_end(tmp_path):
    source = tone(tmp_path / "note.wav", seconds=1.0, subtype="PCM_32")
    run = tmp_path / "run"
    result = run_script("mdn_vocoder.preprocess", "--preset", "tiny", "--input", source, "--run", run)
    assert result.returncode == 0, result.stderr
    assert "initial frame" in result.stdout
    result = run_script("mdn_vocoder.train", "--run", run, "--set", "max_epochs=1")
    assert result.returncode == 0, result.stderr
    result = run_script("mdn_vocoder.generate", "--run", run, "--length", "30", "--bias", "1e-5", "--mode", "fast",
                        "--reset-every", "10")
    assert result.returncode == 0, result.stderr
    wav = run / "generated" / "sample_bias1e-05_reset10_len30_seed123_fast.wav"
    info = soundfile.info(wav)
    assert info.subtype == "PCM_32" and info.samplerate == 44100 and info.frames == 30 * 128 + 512
    summary = json.loads(wav.with_suffix(".json").read_text())
    assert summary["evaluation"]["reference"] == str(source) and summary["finite"]
    assert (run / "generated" / "analysis_resynthesis.wav").is_file()
    # resets on a run of absolute frames would do nothing: refused, naming the option, nothing written
    result = run_script("mdn_vocoder.generate", "--run", run, "--length", "30", "--reset-every", "10", "--set",
                        "representation=absolute", "--name", "absolute")
    assert result.returncode == 2 and "--reset-every" in result.stderr and "absolute" in result.stderr
    assert not list((run / "generated").glob("absolute*"))


def test_stereo_uses_the_left_channel(tmp_path):
    stereo = tone(tmp_path / "stereo.wav", channels=2)
    samples, rate, channels = features.load_signal(stereo, TINY)
    mono, _, _ = features.load_signal(tone(tmp_path / "mono.wav"), TINY)
    assert channels == 2 and rate == 44100
    np.testing.assert_array_equal(samples, mono)


@pytest.mark.parametrize("case", ["short", "rate", "silent-left", "folder"])
def test_bad_input_exits_2_naming_the_file(tmp_path, case):
    if case == "short":
        path = tone(tmp_path / "short.wav", seconds=400 / 44100)
        expected = "no complete frame"
    elif case == "rate":
        path = tone(tmp_path / "rate.wav", rate=48000)
        expected = "48000 Hz"
    elif case == "silent-left":
        path = tmp_path / "left.wav"
        samples = np.zeros((44100, 2))
        samples[:, 1] = 0.3 * np.sin(np.arange(44100) * 0.06)
        soundfile.write(path, samples, 44100)
        expected = "left channel is silent"
    else:
        path = tmp_path
        expected = "is a folder"
    run = tmp_path / "run"
    result = run_script("mdn_vocoder.preprocess", "--preset", "tiny", "--input", path, "--run", run)
    assert result.returncode == 2 and str(path) in result.stderr and expected in result.stderr, result.stderr
    assert not (run / "config.json").exists() and not (run / "data" / "x.npy").exists()


def test_another_rate_is_resampled_on_request(tmp_path):
    path = tone(tmp_path / "rate.wav", rate=48000)
    samples, rate, _ = features.load_signal(path, dataclasses.replace(TINY, resample=True))
    assert rate == 48000 and len(samples) == 44100


def test_reduced_variance_lowers_the_frame_to_frame_spread(tiny_run):
    from mdn_vocoder.analyse import analyse

    run, _, _ = tiny_run
    lines = analyse(run, biases=[1.0, 1e-5], resets=[0, 10], seeds=[1, 2], length=40)
    rows = [line.split(" | ") for line in lines if line.startswith("| 1")]
    assert [(row[0], row[1]) for row in rows] == [("| 1", "never"), ("| 1", "10"), ("| 1e-05", "never"),
                                                  ("| 1e-05", "10")]
    # frame-to-frame std (Hz), median of the seeds
    spread = {(row[0], row[1]): float(row[6].split()[0]) for row in rows}
    assert spread[("| 1e-05", "never")] < spread[("| 1", "never")] / 10
    assert sorted(path.name for path in (run / "analysis").glob("*.wav"))[0] == "analyse_bias1_reset0_seed1.wav"


def test_stock_keras_lstm_variant_trains_and_samples_fast_equal_to_faithful(tmp_path):
    from mdn_vocoder.model import load_trained

    source = tone(tmp_path / "sine.wav", seconds=1.2, partials=((440.0, 0.25),))
    config = dataclasses.replace(TINY, cell="keras", max_epochs=1)
    preprocess.preprocess(source, tmp_path / "run", config)
    rows = mdn_train.train(tmp_path / "run", config, progress=False)
    assert np.isfinite(rows[-1]["loss"])
    model, states = load_trained(tmp_path / "run")
    assert model.count_params() == 4 * 16 * (20 + 16 + 1) + 17 * mdn.output_size(1, 20)  # one bias per layer
    prime = mdn_sampling.priming_inputs(np.load(tmp_path / "run" / "data" / "x.npy"), config)
    noise = np.random.default_rng(0).standard_normal((20, 20)).astype(np.float32)
    np.testing.assert_allclose(mdn_sampling.FastSampler(model, config)(states, prime, noise),
                               mdn_sampling.sample_faithful(model, states, prime, noise, config), atol=1e-4)
