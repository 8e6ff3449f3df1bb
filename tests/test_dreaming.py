"""dreaming/: Pfalz, Berdahl & Allison's four approaches on short signals (dreaming/README.md).

Pair cutting on a ramp, iterations per epoch against the original code's counts, the FIFO, the
rows-as-batch cell with the state carried and no gradient through it, dropout in dreams,
fast (compiled, last row) equal to faithful, resuming, the scripts end to end and bad input.
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
from dreaming import features as dreaming_features
from dreaming import preprocess as dreaming_preprocess
from dreaming import sampling as dreaming_sampling
from dreaming import train as dreaming_train
from dreaming import training as dreaming_training
from dreaming.config import PRESETS, DreamingConfig
from dreaming.features import iterations_per_epoch, layout, seed_matrix, training_pair

TINY = DreamingConfig(**{**PRESETS["tiny"], "preset": "tiny"})


def guitarish(path, seconds=2.0, rate=11025, subtype="FLOAT", channels=1):
    t = np.arange(int(seconds * rate)) / rate
    notes = (0.3 * np.sin(2 * np.pi * 196 * t) * np.exp(-2 * (t % 0.5))
             + 0.2 * np.sin(2 * np.pi * 293.7 * t) * np.exp(-3 * (t % 0.25)))
    soundfile.write(path, np.repeat(notes[:, None], channels, axis=1), rate, subtype=subtype)
    return path


def run_script(module, *args):
    return subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300)


# ----------------------------------------------------------------------------- pair cutting


def test_vector_rows_are_contiguous_and_labels_the_next_vectors():
    ramp = np.arange(1000.0)
    cut = layout(DreamingConfig(approach="vector", seg_len=8, rows=4))
    x, y = training_pair(ramp, 5, cut)
    assert x.shape == (4, 8) and y.shape == (4, 8)
    np.testing.assert_array_equal(x[:, 0], [5, 13, 21, 29])
    np.testing.assert_array_equal(y[:, 0], [13, 21, 29, 37])  # row i's label is row i + 1's input
    np.testing.assert_array_equal(y[-1], np.arange(37, 45))


def test_column_labels_are_the_sample_after_each_row():
    ramp = np.arange(1000.0)
    x, y = training_pair(ramp, 2, layout(DreamingConfig(approach="column", seg_len=8, rows=4)))
    assert y.shape == (4, 1)
    np.testing.assert_array_equal(y[:, 0], x[:, -1] + 1)


def test_transpose_label_is_the_sample_after_the_matrix_or_the_code_literal_one():
    ramp = np.arange(1000.0)
    x, y = training_pair(ramp, 3, layout(DreamingConfig(approach="transpose", seg_len=8, rows=4)))
    assert y.shape == (1, 1) and y[0, 0] == x[-1, -1] + 1  # o = n·L (Q3's decision)
    _, literal = training_pair(ramp, 3, layout(DreamingConfig(approach="transpose", seg_len=8, rows=4, label_offset=8)))
    assert literal[0, 0] == x[1, 0]  # o = L: the first sample of row 1, inside the input (the GUI default)


def test_magnitude_pairs_are_frames_one_apart():
    frames = np.arange(50.0)[:, None] * np.ones((1, 16))
    x, y = training_pair(frames, 7, layout(DreamingConfig(approach="magnitude", seg_len=16, rows=5)))
    np.testing.assert_array_equal(x[:, 0], np.arange(7, 12))
    np.testing.assert_array_equal(y[:, 0], np.arange(8, 13))


@pytest.mark.parametrize("approach, length, expected", [
    ("transpose", 1024, 229577), ("column", 1024, 229577),  # the original's counts on limited_guitar (331977 samples)
    ("vector", 1024, 229577 - 1023), ("vector", 128, 319177 - 127),  # ours: the last L − 1 labels would not fit
])
def test_iterations_per_epoch_on_limited_guitar(approach, length, expected):
    assert iterations_per_epoch(331977, layout(DreamingConfig(approach=approach, seg_len=length))) == expected


@pytest.mark.parametrize("hop, expected", [(1024, 223), (512, 546), (256, 1192), (128, 2485), (56, 5809)])
def test_magnitude_iterations_per_epoch_match_the_original_count(hop, expected):
    frames = (331977 - 1024) // hop + 1
    assert iterations_per_epoch(frames, layout(DreamingConfig(approach="magnitude", hop=hop))) == expected


def test_fifo_updates():
    seed = np.arange(12.0).reshape(3, 4)
    output = np.full((3, 4), 100.0)
    new, kept = dreaming_sampling.advance_seed(seed, output, "vector")
    np.testing.assert_array_equal(new, np.vstack([seed[1:], output[-1]]))
    np.testing.assert_array_equal(kept, output[-1])
    column_out = np.array([[7.0], [8.0], [9.0]])
    new, kept = dreaming_sampling.advance_seed(seed, column_out, "column")
    np.testing.assert_array_equal(new.reshape(-1), np.r_[np.arange(1.0, 12.0), 9.0])
    assert kept.tolist() == [9.0]
    new, kept = dreaming_sampling.advance_seed(seed, np.array([[5.5]]), "transpose")
    assert new[-1, -1] == 5.5 and new[0, 0] == 1.0 and kept.tolist() == [5.5]


def test_seed_is_n_contiguous_rows():
    np.testing.assert_array_equal(seed_matrix(np.arange(100.0), 10, layout(DreamingConfig(seg_len=5, rows=3))),
                                  np.arange(10.0, 25.0).reshape(3, 5))


# ----------------------------------------------------------------------------- the network


def test_rows_are_a_batch_and_do_not_interact():
    from dreaming.model import build_network

    network = build_network(DreamingConfig(approach="vector", seg_len=16, rows=6))
    rng = np.random.default_rng(0)
    x, h, c = (rng.normal(size=(1, 6, 16)).astype(np.float32) for _ in range(3))
    full, h_full, _ = network(x, h, c, dropout=False)
    last, h_last, _ = network(x[:, -1:], h[:, -1:], c[:, -1:], dropout=False)
    np.testing.assert_allclose(np.asarray(full)[:, -1:], np.asarray(last), atol=1e-6)
    np.testing.assert_allclose(np.asarray(h_full)[:, -1:], np.asarray(h_last), atol=1e-6)


def test_initialisation_is_tf1s():
    from dreaming.model import build_network

    network = build_network(DreamingConfig(approach="transpose", seg_len=64, rows=4))
    kernel, recurrent, bias = (weight.numpy() for weight in network.cell.weights)
    assert np.abs(kernel).max() <= 1 / 8 and np.abs(recurrent).max() <= 1 / 8 and kernel.std() > 0.05  # U(±1/√L)
    np.testing.assert_array_equal(bias[64:128], 1.0)  # forget bias 1, the rest 0
    assert not bias[:64].any() and not bias[128:].any()
    assert np.abs(network.mix.kernel.numpy()).max() <= 0.2  # TruncatedNormal(0, 0.1), cut at 2σ
    assert network.count_params() == 8 * 64 * 64 + 4 * 64 + 65 + 5
    full = build_network(DreamingConfig(approach="vector", seg_len=1024))
    assert full.count_params() == 8 * 1024 ** 2 + 4 * 1024 + 1024 ** 2 + 1024  # 9,442,304 (README, 'The data flow')


def test_training_carries_the_state_with_no_gradient_through_it():
    config = dataclasses.replace(TINY, seg_len=8, rows=3, input_keep=1.0)
    cut = layout(config)
    data = np.random.default_rng(1).normal(0, 0.3, 500).astype(np.float32)
    dreamer = dreaming_training.Dreamer(config, cut, data, iterations_per_epoch(len(data), cut))
    zeros = np.zeros((3, 8), np.float32)
    x, y = training_pair(data, 0, cut)
    _, expected_h, _ = dreamer.network(x[None], zeros[None], zeros[None], dropout=False)  # before the update
    _, h, c = dreamer.train_step(x, y, zeros, zeros)
    np.testing.assert_allclose(np.asarray(h), np.asarray(expected_h)[0], atol=1e-6)
    import tensorflow as tf

    assert isinstance(h, tf.Tensor) and not isinstance(h, tf.Variable)  # fed back as a value: BPTT of length 1


def test_dropout_is_active_in_dreams():
    from dreaming.model import build_network

    network = build_network(DreamingConfig(approach="vector", seg_len=32, rows=2, input_keep=0.5, weight_stddev=0.1))
    x = np.ones((1, 2, 32), np.float32)
    zeros = np.zeros_like(x)
    first, second = (np.asarray(network(x, zeros, zeros, dropout=True)[0]) for _ in range(2))
    assert not np.allclose(first, second)
    off = [np.asarray(network(x, zeros, zeros, dropout=False)[0]) for _ in range(2)]
    np.testing.assert_array_equal(off[0], off[1])


# ----------------------------------------------------------------------------- fast equals faithful


@pytest.mark.parametrize("approach", ["vector", "magnitude", "column", "transpose"])
def test_fast_training_and_dreams_equal_faithful(tmp_path, monkeypatch, approach):
    monkeypatch.setattr(dreaming_train, "PROGRESS_EVERY", 7)  # a dream of 15 steps spans three compiled blocks
    source = guitarish(tmp_path / "guitar.wav", seconds=1.5)
    settings = {"approach": approach, "seg_len": 32, "rows": 4, "input_keep": 1.0, "max_iterations": 45,
                "dream_length": 15, "max_seconds": None}
    if approach == "magnitude":
        settings.update(seg_len=64, hop=32, weight_stddev=0.01)
    config = dataclasses.replace(TINY, **settings)
    dreaming_preprocess.preprocess(source, tmp_path / "run", config)
    faithful = dreaming_train.train(tmp_path / "run", config, "faithful", progress=False)
    fast = dreaming_train.train(tmp_path / "run", config, "fast", progress=False)
    assert [row["loss"] for row in fast] == pytest.approx([row["loss"] for row in faithful], rel=1e-4)
    dreams = sorted(path for path in (tmp_path / "run" / "generated").glob("*.wav") if not path.stem.endswith("_fast"))
    assert [path.stem.split("_")[1] for path in dreams] == ["advance", "random", "same"]
    for path in dreams:
        slow, _ = soundfile.read(path)
        quick, _ = soundfile.read(path.with_name(path.stem + "_fast.wav"))
        assert len(slow) == len(quick) and np.abs(slow - quick).max() <= 1e-5


def test_fast_generation_of_a_batch_of_dreams_equals_faithful(tmp_path):
    from dreaming import generate

    source = guitarish(tmp_path / "guitar.wav", seconds=1.0)
    config = dataclasses.replace(TINY, approach="column", seg_len=16, rows=4, input_keep=1.0, max_iterations=10,
                                 dream_length=10, max_seconds=None)
    dreaming_preprocess.preprocess(source, tmp_path / "run", config)
    dreaming_train.train(tmp_path / "run", config, "fast", progress=False)
    seeds = [guitarish(tmp_path / "seed_a.wav", 0.2), tmp_path / "seed_b.wav"]
    soundfile.write(seeds[1], 0.2 * np.sin(np.arange(2205) * 0.3), 11025, subtype="FLOAT")
    slow = generate.generate(tmp_path / "run", config, seeds, seconds=0.01, mode="faithful", progress=False)
    quick = generate.generate(tmp_path / "run", config, seeds, seconds=0.01, mode="fast", progress=False)
    for one, other in zip(slow, quick):
        a, _ = soundfile.read(tmp_path / "run" / "generated" / one["wav"])
        b, _ = soundfile.read(tmp_path / "run" / "generated" / other["wav"])
        assert len(a) == 111 and np.abs(a - b).max() <= 1e-5


def test_load_trained_takes_a_run_a_model_folder_or_a_keras_file(tmp_path):
    from dreaming.model import DreamingNetwork, build_network, load_trained
    from shared.rundir import InputError

    config = dataclasses.replace(TINY, seg_len=16, rows=4, max_seconds=None)
    run = tmp_path / "run"
    dreaming_preprocess.preprocess(guitarish(tmp_path / "guitar.wav", seconds=0.5), run, config)
    network = build_network(config)
    network.save(run / "model.keras")  # what dreaming.train leaves in the run
    folder = tmp_path / "model"  # model.keras alone, no run data
    folder.mkdir()
    shutil.copy(run / "model.keras", folder / "model.keras")
    for path in (run, folder, run / "model.keras"):
        loaded = load_trained(path)
        assert isinstance(loaded, DreamingNetwork) and (loaded.units, loaded.rows) == (16, 4)
        for ours, theirs in zip(loaded.get_weights(), network.get_weights(), strict=True):
            np.testing.assert_array_equal(ours, theirs)
    for missing in (tmp_path / "nowhere", tmp_path / "nowhere.keras"):
        with pytest.raises(InputError, match="missing: run `python -m dreaming.train` for this run first"):
            load_trained(missing)


def test_sequential_sampling_pauses_for_a_dream_every_audio_freq_iterations(tmp_path):
    source = guitarish(tmp_path / "guitar.wav", seconds=1.0)
    config = dataclasses.replace(TINY, seg_len=16, rows=4, max_iterations=50, sampling="sequential", audio_freq=20,
                                 sequential_length=7, max_seconds=None)
    dreaming_preprocess.preprocess(source, tmp_path / "run", config)
    dreaming_train.train(tmp_path / "run", config, progress=False)
    dreams = sorted((tmp_path / "run" / "generated").glob("*.wav"), key=lambda path: int(path.stem.split("_")[-1]))
    assert [path.stem for path in dreams] == ["tiny_same_20", "tiny_random_40"]
    assert all(soundfile.info(path).frames == 7 * 16 for path in dreams)


def test_resuming_after_a_kill_gives_the_uninterrupted_run(tmp_path, monkeypatch):
    source = guitarish(tmp_path / "guitar.wav", seconds=1.0)
    config = dataclasses.replace(TINY, seg_len=16, rows=4, max_iterations=40, dream_length=10, max_seconds=None)
    for name in ("straight", "killed"):
        dreaming_preprocess.preprocess(source, tmp_path / name, config)
    straight = dreaming_train.train(tmp_path / "straight", config, progress=False)
    calls = []
    original = dreaming_train.Run.advance

    def dying(self, steps):
        calls.append(steps)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self, steps)

    monkeypatch.setattr(dreaming_train.Run, "advance", dying)
    with pytest.raises(KeyboardInterrupt):
        dreaming_train.train(tmp_path / "killed", config, progress=False)
    monkeypatch.setattr(dreaming_train.Run, "advance", original)
    resumed = dreaming_train.train(tmp_path / "killed", config, progress=False)
    assert [row["loss"] for row in resumed] == pytest.approx([row["loss"] for row in straight], rel=1e-6)
    for path in (tmp_path / "straight" / "generated").glob("*.wav"):
        np.testing.assert_allclose(soundfile.read(path)[0],
                                   soundfile.read(tmp_path / "killed" / "generated" / path.name)[0], atol=1e-6)


# ----------------------------------------------------------------------------- scripts and bad input


def test_scripts_end_to_end(tmp_path):
    source = guitarish(tmp_path / "guitar.wav", seconds=1.5, subtype="PCM_16")
    run = tmp_path / "run"
    result = run_script("dreaming.preprocess", "--preset", "tiny", "--input", source, "--run", run)
    assert result.returncode == 0, result.stderr
    result = run_script("dreaming.train", "--run", run, "--mode", "fast")
    assert result.returncode == 0, result.stderr
    dreams = sorted((run / "generated").glob("*.wav"))
    # named after the next seed's mode
    assert [path.stem for path in dreams] == ["tiny_advance_40_fast", "tiny_random_20_fast", "tiny_same_60_fast"]
    summary = json.loads(dreams[0].with_suffix(".json").read_text())
    assert summary["evaluation"]["block"] == 32 and summary["evaluation"]["reference"] == str(source)
    result = run_script("dreaming.generate", "--run", run, "--seed-file", source, "--seconds", "0.1")
    assert result.returncode == 0, result.stderr
    assert soundfile.info(run / "generated" / "dream_guitar_35.wav").frames == 35 * 32

    # a seed of chosen pitches (paper §5.1): written beside the run, the pitch it names, the dream scored against it
    result = run_script("dreaming.generate", "--run", run, "--seed-pitches", "A4", "--seconds", "0.1", "--name",
                        "chosen")
    assert result.returncode == 0, result.stderr
    seed, rate = soundfile.read(run / "seeds" / "pitches_A4.wav")
    spectrum = np.abs(np.fft.rfft(seed * np.hanning(len(seed))))
    assert np.fft.rfftfreq(len(seed), 1 / rate)[np.argmax(spectrum)] == pytest.approx(440.0, abs=rate / len(seed))
    summary = json.loads((run / "generated" / "chosen_pitches_A4_35.json").read_text())
    assert summary["seed_file"].endswith("pitches_A4.wav")  # (a transpose run is also scored against it)
    result = run_script("dreaming.generate", "--run", run, "--seed-pitches", "A4", "--seed-pitches", "H2")
    assert result.returncode == 2 and "--seed-pitches" in result.stderr and "'H2'" in result.stderr
    assert sorted(path.name for path in (run / "seeds").glob("pitches_*")) == ["pitches_A4.wav"]


def test_int16_input_is_scaled_to_plus_minus_one(tmp_path):
    path = guitarish(tmp_path / "int16.wav", subtype="PCM_16")
    signal = dreaming_features.load_signal(path, TINY)
    assert 0.4 < np.abs(signal).max() <= 1.0  # not ±32768 (Q14)


@pytest.mark.parametrize("case", ["rate", "short"])
def test_bad_input_exits_2_naming_the_file(tmp_path, case):
    if case == "rate":
        path, expected = guitarish(tmp_path / "rate.wav", rate=44100), "44100 Hz"
    else:
        path, expected = guitarish(tmp_path / "short.wav", seconds=0.01), "too short"
    run = tmp_path / "run"
    result = run_script("dreaming.preprocess", "--preset", "tiny", "--input", path, "--run", run)
    assert result.returncode == 2 and str(path) in result.stderr and expected in result.stderr, result.stderr
    assert not (run / "config.json").exists()


def test_another_rate_is_resampled_on_request(tmp_path):
    path = guitarish(tmp_path / "rate.wav", seconds=1.0, rate=44100)
    signal = dreaming_features.load_signal(path, dataclasses.replace(TINY, resample=True, max_seconds=None))
    assert len(signal) == 11025
