"""decay/: Sander & Harder's pipeline on tiny synthetic notes (no reference data needed).

The source's numbers (decay/README.md, "The method"): parameter counts, Keras-1 initialisation
and gates, the RMSprop update, the block layout, fast generation equal to faithful, a tiny
model overfitting one decaying note, resuming, the scripts end to end, and bad input.
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
from decay import features as decay_features
from decay import preprocess as decay_preprocess
from decay import sampling as decay_sampling
from decay import train as decay_train
from decay.config import PRESETS, DecayConfig
from decay.model import RMSpropKeras1, build_model, hard_sigmoid_theano, load_trained
from shared.rundir import InputError

TINY = DecayConfig(**{**PRESETS["tiny"], "preset": "tiny"})


def plucked_note(path, frequency=440.0, seconds=1.5, rate=44100, channels=1, decay=4.0):
    t = np.arange(int(seconds * rate)) / rate
    note = 0.5 * np.exp(-decay * t) * (np.sin(2 * np.pi * frequency * t) + 0.3 * np.sin(4 * np.pi * frequency * t))
    samples = np.repeat(note[:, None], channels, axis=1)
    soundfile.write(path, np.round(samples * 32767).astype(np.int16), rate, subtype="PCM_16")
    return path


@pytest.fixture
def notes(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    for name, frequency in (("A4", 440.0), ("C5", 523.25), ("E5", 659.26)):
        plucked_note(folder / f"Plucked.mf.{name}.wav", frequency)
    return folder


def run_script(module, *args):
    return subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300)


# ----------------------------------------------------------------------------- preprocessing


def test_model_rates_and_block_layout_of_the_published_runs():
    assert decay_features.model_rate(44100, 1400) == (15, 2940)  # guitar
    assert decay_features.model_rate(44100, 5000) == (4, 11025)  # cello, run 1
    assert decay_features.model_rate(44100, 4200) == (5, 8820)  # piano
    layouts = {(2940, 5, 60): (49, 300), (2940, 5, 10): (294, 50), (2940, 5, 30): (98, 150), (11025, 3, 60): (183, 180),
               (8820, 5, 60): (147, 300)}
    for (rate, clip, slices), expected in layouts.items():
        config = dataclasses.replace(TINY, clip_seconds=clip, slices_per_second=slices)
        assert decay_features.block_layout(rate, config) == expected


def test_blocks_pad_and_cut_and_targets_shift():
    blocks = decay_features.note_blocks(np.arange(1.0, 8.0), 3, 4)  # 7 samples -> 3 blocks (last padded) + 1 zero block
    np.testing.assert_array_equal(blocks, [[1, 2, 3], [4, 5, 6], [7, 0, 0], [0, 0, 0]])
    assert decay_features.note_blocks(np.arange(20.0), 3, 4).shape == (4, 3)  # cut to 4 slices
    x = np.arange(12.0).reshape(1, 4, 3)
    y = decay_features.shifted_targets(x)
    np.testing.assert_array_equal(y[0, :3], x[0, 1:])
    assert not y[0, 3].any()


def test_global_statistics_include_the_padding(notes, tmp_path):
    shapes = decay_preprocess.preprocess(notes, tmp_path / "run", TINY, progress=False)
    assert shapes["x"] == [3, 30, 98]  # 1 s at 30 slices/s of 2940 Hz
    x = np.load(tmp_path / "run" / "data" / "x.npy")
    assert x.dtype == np.float32
    assert abs(x.mean()) < 1e-5 and x.std() == pytest.approx(1.0, abs=1e-4)  # global z-score over every entry


def test_held_out_notes_use_the_training_statistics(notes, tmp_path):
    config = dataclasses.replace(TINY, hold_out=("Plucked.mf.C5",))
    decay_preprocess.preprocess(notes, tmp_path / "run", config, progress=False)
    document = json.loads((tmp_path / "run" / "config.json").read_text())
    assert document["notes"] == {"train": ["Plucked.mf.A4", "Plucked.mf.E5"], "heldout": ["Plucked.mf.C5"]}
    stats = np.load(tmp_path / "run" / "data" / "stats.npz")
    assert float(stats["heldout_mean"]) == float(stats["mean"])
    assert np.load(tmp_path / "run" / "data" / "heldout_x.npy").shape == (1, 30, 98)


# ----------------------------------------------------------------------------- model


@pytest.mark.parametrize("preset, features, expected", [
    ("run4", 49, 2_149_937), ("run5", 49, 8_494_129), ("run6", 49, 4_249_137), ("run2", 294, 2_401_062),
    ("run3", 98, 2_200_162), ("run1", 183, 2_287_287), ("cnn-lstm", 49, 4_288_369),
])
def test_parameter_counts_match_the_source(preset, features, expected):
    assert build_model(DecayConfig(**PRESETS[preset]), features).count_params() == expected


def test_keras_1_initialisation():
    model = build_model(dataclasses.replace(TINY, hidden_units=32), 49)
    kernel, recurrent, bias = model.get_layer("lstm_0").get_weights()
    limit = np.sqrt(6 / (32 + 32))  # per gate: fan_in 32 (dense_in), 32 units
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit
    for gate in range(4):
        block = recurrent[:, gate * 32 : (gate + 1) * 32]
        np.testing.assert_allclose(block.T @ block, 1.21 * np.eye(32), atol=1e-4)  # orthogonal × 1.1
    np.testing.assert_array_equal(bias[32:64], 1.0)  # forget gate
    assert not bias[:32].any() and not bias[64:].any()


def test_hard_sigmoid_is_theanos():
    np.testing.assert_allclose(np.asarray(hard_sigmoid_theano(np.array([-3.0, -1.0, 0.0, 1.0, 3.0]))),
                               [0, 0.3, 0.5, 0.7, 1])


def test_rmsprop_keras1_update():
    import keras

    variable = keras.Variable(np.array([1.0, -2.0], dtype=np.float32))
    optimizer = RMSpropKeras1(learning_rate=0.1, rho=0.9, epsilon=1e-8)
    gradient = np.array([0.5, -0.01], dtype=np.float32)
    optimizer.apply_gradients([(gradient, variable)])
    accumulator = 0.1 * gradient**2
    np.testing.assert_allclose(variable.numpy(), [1.0, -2.0] - 0.1 * gradient / (np.sqrt(accumulator) + 1e-8),
                               rtol=1e-6)


# ----------------------------------------------------------------------------- generation


@pytest.mark.parametrize("preset", ["lstm", "cnn-lstm", "tanh-2-layers"])
def test_fast_generation_equals_faithful(preset):
    config = {"lstm": TINY, "cnn-lstm": dataclasses.replace(TINY, architecture="cnn-lstm", conv_filters=(4, 2),
                                                              conv_lengths=(5, 3), conv_batchnorm_pool=True),
              "tanh-2-layers": dataclasses.replace(TINY, activation="tanh", lstm_layers=2)}[preset]
    model = build_model(config, 20)
    prime = np.random.default_rng(0).standard_normal((5, 20)).astype(np.float32)
    faithful = decay_sampling.generate_faithful(model.predict_on_batch, prime, 30)
    fast = decay_sampling.StepGenerator(model)(prime, 30)
    assert fast.shape == faithful.shape == (30, 20)
    np.testing.assert_array_equal(fast[:5], prime)
    np.testing.assert_allclose(fast, faithful, atol=1e-5)  # observed ≤ 1e-6: float32 rounding only


def test_denormalisation_orders_and_int16_truncation():
    slices = np.array([[0.5, -0.5]])
    faithful = decay_features.denormalise(slices, 0.1, 0.02)  # (g + mean)·std·32767, truncated
    np.testing.assert_array_equal(faithful, np.trunc(np.array([0.6, -0.4]) * 0.02 * 32767).astype(np.int16))
    corrected = decay_features.denormalise(slices, 0.1, 0.02, "corrected")  # (g·std + mean)·32767
    np.testing.assert_array_equal(corrected, np.trunc(np.array([0.11, 0.09]) * 32767).astype(np.int16))
    # 1.2 × full scale wraps, as astype(int16)
    assert decay_features.denormalise(np.array([[60.0]]), 0.0, 0.02)[0] == -26216
    assert len(decay_features.to_output_rate(np.zeros(2940, np.int16), 2940, 44100)) == 44100


def test_load_trained_from_a_run_a_model_folder_or_a_keras_file(notes, tmp_path):
    run, folder = tmp_path / "run", tmp_path / "folder"
    decay_preprocess.preprocess(notes, run, TINY, progress=False)
    folder.mkdir()
    model = build_model(TINY, 98)
    model.save(run / "model.keras")
    shutil.copy(run / "model.keras", folder / "model.keras")
    for where in (run, folder, run / "model.keras"):
        loaded = load_trained(where)
        assert len(loaded.get_weights()) == len(model.get_weights())
        for ours, theirs in zip(loaded.get_weights(), model.get_weights()):
            np.testing.assert_array_equal(ours, theirs)
    # A run's data decide the slice size; a folder or a file is loaded as it is.
    build_model(TINY, 49).save(folder / "model.keras")
    shutil.copy(folder / "model.keras", run / "model.keras")
    with pytest.raises(InputError, match="a model with 49 inputs per step, but this run's data has 98"):
        load_trained(run)
    assert load_trained(run / "model.keras").input_shape[-1] == load_trained(folder).input_shape[-1] == 49
    for missing in (tmp_path / "nowhere", tmp_path / "nowhere.keras"):
        with pytest.raises(InputError, match=r"missing: run `python -m decay\.train` for this run first"):
            load_trained(missing)


# ----------------------------------------------------------------------------- training


def test_tiny_model_overfits_one_decaying_note(tmp_path):
    folder = tmp_path / "one"
    folder.mkdir()
    plucked_note(folder / "note.wav", 330.0, seconds=1.0)
    config = dataclasses.replace(TINY, hidden_units=32, epochs=150, batch_size=1, learning_rate=3e-3, prime=3)
    decay_preprocess.preprocess(folder, tmp_path / "run", config, progress=False)
    losses = decay_train.train(tmp_path / "run", config, verbose=0)
    assert losses[-1] < 0.05 * losses[0], (losses[0], losses[-1])


def test_training_resumes_from_checkpoint(notes, tmp_path, monkeypatch):
    import keras

    run = tmp_path / "run"
    config = dataclasses.replace(TINY, epochs=4)
    decay_preprocess.preprocess(notes, run, config, progress=False)

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:  # killed after the third epoch, whose checkpoint is written
                raise KeyboardInterrupt

    original_fit = keras.Model.fit
    monkeypatch.setattr(keras.Model, "fit", lambda self, *args, callbacks=(), **kwargs: original_fit(
        self, *args, callbacks=[*callbacks, Interrupt()], **kwargs))
    with pytest.raises(KeyboardInterrupt):
        decay_train.train(run, config, verbose=0)
    monkeypatch.undo()
    assert (run / "checkpoints").exists() and not (run / "model.keras").exists()
    assert len(decay_train.train(run, config, verbose=0)) == 4  # one more epoch; each logged once
    assert (run / "model.keras").is_file() and not (run / "checkpoints").exists()


# ----------------------------------------------------------------------------- scripts and bad input


def test_scripts_end_to_end(notes, tmp_path):
    run = tmp_path / "run"
    assert run_script("decay.preprocess", "--preset", "tiny", "--input", notes, "--run", run).returncode == 0
    assert run_script("decay.train", "--run", run).returncode == 0
    for mode in ("faithful", "fast"):
        result = run_script("decay.generate", "--run", run, "--mode", mode, "--notes", "Plucked.mf.A4")
        assert result.returncode == 0, result.stderr
    generated = run / "generated"
    names = sorted(path.name for path in generated.glob("*.wav"))
    assert names == ["Plucked.mf.A4.wav", "Plucked.mf.A4_gen.wav", "Plucked.mf.A4_gen_fast.wav",
                     "Plucked.mf.A4_gen_wp.wav", "Plucked.mf.A4_gen_wp_fast.wav"]
    whole, rate = soundfile.read(generated / "Plucked.mf.A4_gen.wav", dtype="int16")
    continuation, _ = soundfile.read(generated / "Plucked.mf.A4_gen_wp.wav", dtype="int16")
    fast, _ = soundfile.read(generated / "Plucked.mf.A4_gen_fast.wav", dtype="int16")
    assert rate == 44100 and len(whole) == int(30 * 98 * 44100 / 2940)
    assert len(continuation) == int(25 * 98 * 44100 / 2940)
    assert np.abs(whole.astype(int) - fast).max() <= 1
    summary = json.loads((generated / "Plucked.mf.A4_gen_wp.json").read_text())
    assert summary["evaluation"]["reference_offset_s"] == pytest.approx(5 * 98 / 2940)


def test_bad_input_is_a_clear_error(tmp_path):
    stereo = tmp_path / "stereo"
    stereo.mkdir()
    path = plucked_note(stereo / "left_silent.wav", channels=2)
    samples, rate = soundfile.read(path, dtype="int16")
    samples[:, 0] = 0
    soundfile.write(path, samples, rate, subtype="PCM_16")
    short = tmp_path / "short"
    short.mkdir()
    plucked_note(short / "ok.wav")
    plucked_note(short / "tiny.wav", seconds=0.05)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    plucked_note(mixed / "a.wav")
    plucked_note(mixed / "b.wav", rate=48000)
    cases = {stereo: "left channel is silent", short: "shorter", mixed: "sample rate 48000 Hz differs"}
    for folder, message in cases.items():
        run = tmp_path / f"run_{folder.name}"
        result = run_script("decay.preprocess", "--preset", "tiny", "--input", folder, "--run", run)
        assert result.returncode == 2, result.stderr
        line = result.stderr.strip().splitlines()[-1]
        assert message in line and ("tiny.wav" in line if folder is short else True), line
        assert not run.exists()  # nothing half-written
    result = run_script("decay.generate", "--run", tmp_path / "nowhere")
    assert result.returncode == 2 and "config.json" in result.stderr
