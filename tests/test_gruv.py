"""GRUV's model, training and generation: parameter count, gates, initialisers, fast = faithful,
overfitting, the scripts end to end, and every bad-input case of the scripts."""

import dataclasses
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import soundfile

from conftest import REPO_ROOT
from gruv.config import PRESETS, GruvConfig
from shared.rundir import resolve_config

keras = pytest.importorskip("keras")

from gruv.features import preprocess_signals  # noqa: E402
from gruv.model import PerGateOrthogonal, build_model, hard_sigmoid_theano, load_trained  # noqa: E402
from gruv.sampling import FastGenerator, choose_seed, generate_faithful  # noqa: E402
from gruv.train import train  # noqa: E402
from shared.rundir import InputError, save_npz, write_config  # noqa: E402


def sine_wav(path, seconds=1.0, rate=44100):
    t = np.arange(int(seconds * rate)) / rate
    signal = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.25 * np.sin(2 * np.pi * 880 * t)
    soundfile.write(path, np.round(signal * 32767).astype(np.int16), rate, subtype="PCM_16")
    return path


def run_script(module, *arguments):
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, "-m", module, *map(str, arguments)], cwd=REPO_ROOT, capture_output=True, text=True,
        env=environment, timeout=300,
    )


# ----------------------------------------------------------------------------- model


def test_parameter_count_at_gruv_defaults():
    assert build_model(GruvConfig()).count_params() == 53_574_178


def test_gate_activation_is_theano_hard_sigmoid():
    x = np.array([-5.0, -2.5, -1.0, 0.0, 1.0, 2.5, 5.0], dtype="float32")
    np.testing.assert_allclose(np.asarray(hard_sigmoid_theano(x)), [0, 0, 0.3, 0.5, 0.7, 1, 1], atol=1e-7)
    # Keras 3's own hard_sigmoid (slope 1/6) is a different function
    assert not np.allclose(np.asarray(keras.activations.hard_sigmoid(x)), np.asarray(hard_sigmoid_theano(x)))


def test_recurrent_init_is_orthogonal_per_gate():
    keras.utils.set_random_seed(0)
    kernel = np.asarray(PerGateOrthogonal(gain=1.1)((32, 128)))
    for gate in range(4):
        block = kernel[:, gate * 32 : (gate + 1) * 32]
        np.testing.assert_allclose(block.T @ block, 1.21 * np.eye(32), atol=1e-5)
    # the fused Keras 3 default is not orthogonal per gate: the test above can fail
    fused = np.asarray(keras.initializers.Orthogonal(gain=1.1)((32, 128)))[:, :32]
    assert not np.allclose(fused.T @ fused, 1.21 * np.eye(32), atol=1e-2)


@pytest.mark.parametrize("semantics, limit_scale, forget_bias", [("0.1.2", 6, 1.0), ("0.1.0", 2, 0.0)])
def test_keras_version_semantics(semantics, limit_scale, forget_bias):
    config = dataclasses.replace(GruvConfig(), block_size=256, hidden_dims=64, keras_semantics=semantics)
    model = build_model(config)
    kernel, _, bias = model.get_layer("lstm_0").get_weights()
    limit = np.sqrt(limit_scale / (64 + 64))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.95 * limit
    np.testing.assert_array_equal(bias[64:128], forget_bias)  # Keras 3 gate order i, f, c, o
    dense = model.get_layer("tdd_in").get_weights()[0]
    assert np.abs(dense).max() <= np.sqrt(limit_scale / (512 + 64))


# ----------------------------------------------------------------------------- training and generation


def tiny_run(tmp_path, **changes):
    """A preprocessed tiny run on a 1 s sine, written as preprocess writes it."""
    config = dataclasses.replace(resolve_config(GruvConfig, PRESETS, "tiny"), **changes)
    t = np.arange(44100) / 44100
    signal = (0.5 * np.sin(2 * np.pi * 440 * t) + 0.25 * np.sin(2 * np.pi * 880 * t)).astype(np.float32)
    x, y, mean, std, _ = preprocess_signals([signal], config)
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "x.npy", x.astype(np.float32))
    np.save(tmp_path / "data" / "y.npy", y.astype(np.float32))
    save_npz(tmp_path / "data" / "stats.npz", mean=mean, std=std, var=std)
    write_config(tmp_path, config)
    return config


def test_tiny_model_overfits_a_short_signal(tmp_path):
    config = tiny_run(tmp_path, domain="time", max_blocks=33, hidden_dims=64, epochs=200, batch_size=4)
    losses = train(tmp_path, config, verbose=0)
    assert len(losses) == 200
    assert losses[-1] < 0.01 * losses[0], f"loss {losses[0]:.4f} -> {losses[-1]:.4f}"
    assert (tmp_path / "model.keras").is_file() and not (tmp_path / "checkpoints").exists()


def test_fast_generation_equals_faithful(tmp_path):
    config = tiny_run(tmp_path, epochs=2, num_recurrent_units=2)
    train(tmp_path, config, verbose=0)
    model = keras.saving.load_model(tmp_path / "model.keras", compile=False)
    seed, _ = choose_seed(np.load(tmp_path / "data" / "x.npy"), config)
    steps = 51  # 8 seed outputs + 50 generated frames
    faithful = generate_faithful(model.predict_on_batch, seed, steps)
    fast = FastGenerator(model)(seed, steps)
    assert faithful.shape == fast.shape == (8 + steps - 1, config.feature_dims)
    # Only float32 rounding differs (the fused feedback product); the bound allows for that rounding only.
    assert np.abs(faithful - fast).max() <= 1e-5


def test_load_trained_from_a_run_a_model_folder_or_a_keras_file(tmp_path):
    run, folder = tmp_path / "run", tmp_path / "folder"
    run.mkdir()
    folder.mkdir()
    config = tiny_run(run)
    model = build_model(config)
    model.save(run / "model.keras")
    shutil.copy(run / "model.keras", folder / "model.keras")
    for where in (run, folder, run / "model.keras"):
        loaded = load_trained(where)
        assert len(loaded.get_weights()) == len(model.get_weights())
        for ours, theirs in zip(loaded.get_weights(), model.get_weights()):
            np.testing.assert_array_equal(ours, theirs)
    # A run's data decide the feature size; a folder or a file is loaded as it is.
    build_model(dataclasses.replace(config, block_size=32)).save(folder / "model.keras")
    shutil.copy(folder / "model.keras", run / "model.keras")
    with pytest.raises(InputError, match="a model with 64 inputs per step, but this run's data has 128"):
        load_trained(run)
    assert load_trained(run / "model.keras").input_shape[-1] == load_trained(folder).input_shape[-1] == 64
    for missing in (tmp_path / "nowhere", tmp_path / "nowhere.keras"):
        with pytest.raises(InputError, match=r"missing: run `python -m gruv\.train` for this run first"):
            load_trained(missing)


@pytest.mark.parametrize("checkpoint_every", [1, 2])
def test_training_resumes_from_checkpoint(tmp_path, checkpoint_every):
    config = tiny_run(tmp_path, epochs=4, checkpoint_every=checkpoint_every)

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:  # killed after the third epoch; the last checkpoint holds 3 or 2 epochs
                raise KeyboardInterrupt

    import gruv.train as gruv_train

    original_fit = keras.Model.fit

    def interrupted_fit(self, *args, callbacks=(), **kwargs):
        return original_fit(self, *args, callbacks=[*callbacks, Interrupt()], **kwargs)

    keras.Model.fit = interrupted_fit
    try:
        with pytest.raises(KeyboardInterrupt):
            gruv_train.train(tmp_path, config, verbose=0)
    finally:
        keras.Model.fit = original_fit
    assert (tmp_path / "checkpoints").exists() and not (tmp_path / "model.keras").exists()
    losses = gruv_train.train(tmp_path, config, verbose=0)
    assert len(losses) == 4  # the epochs after the last checkpoint are trained again, and logged once


def test_scripts_end_to_end(tmp_path):
    wav = sine_wav(tmp_path / "sine.wav", seconds=1.0)
    run = tmp_path / "run"
    result = run_script("gruv.preprocess", "--preset", "tiny", "--input", wav, "--run", run)
    assert result.returncode == 0, result.stderr
    assert run_script("gruv.train", "--run", run).returncode == 0
    for mode in ("faithful", "fast"):
        result = run_script("gruv.generate", "--run", run, "--mode", mode, "--name", mode)
        assert result.returncode == 0, result.stderr
    faithful, rate = soundfile.read(run / "generated" / "faithful.wav", dtype="int16")
    fast, _ = soundfile.read(run / "generated" / "fast.wav", dtype="int16")
    assert rate == 44100 and len(faithful) == (8 + 6 - 1) * 64
    assert np.abs(faithful.astype(int) - fast.astype(int)).max() <= 1

    from gruv.analyse import main as analyse

    analyse(["--run", str(run)])
    report = json.loads((run / "analysis.json").read_text())
    assert report["epochs"] == 3 and len(report["outputs"]) == 2
    for output in report["outputs"]:
        assert output["frames"] == 8 + 6 - 1 and output["onsets"]["reference_onsets"] >= 0
        assert output["envelope_correlation"] is None  # a steady sine has a flat envelope: no correlation


# ----------------------------------------------------------------------------- bad input


def _bad_files(folder):
    folder.mkdir()
    (folder / "corrupt.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk" + bytes(range(200)))
    (folder / "notes.txt").write_text("not audio")
    soundfile.write(folder / "empty.wav", np.zeros((0,), np.int16), 44100, subtype="PCM_16")
    soundfile.write(folder / "nan.wav", np.array([0.1, np.nan, 0.2] * 100, np.float32), 44100, subtype="FLOAT")
    soundfile.write(folder / "silent.wav", np.zeros(44100, np.int16), 44100, subtype="PCM_16")
    sine_wav(folder / "short.wav", seconds=0.005)
    return {
        "missing.wav": "not found",
        "corrupt.wav": "corrupt or not a readable audio file",
        "notes.txt": "unsupported format",
        "empty.wav": "zero length",
        "nan.wav": "NaN or infinite",
        "silent.wav": "all silence",
        "short.wav": "too short for preset 'tiny'",
    }


def test_bad_input_exits_2_naming_the_file_and_writes_nothing(tmp_path):
    cases = _bad_files(tmp_path / "inputs")
    for name, problem in cases.items():
        run = tmp_path / f"run_{name}"
        result = run_script("gruv.preprocess", "--preset", "tiny", "--input", tmp_path / "inputs" / name, "--run", run)
        assert result.returncode == 2, (name, result.stderr)
        assert name in result.stderr and problem in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert not run.exists() or not any(run.rglob("*")), f"{name}: partial output {list(run.rglob('*'))}"


def test_stage_order_errors_exit_2(tmp_path):
    result = run_script("gruv.train", "--run", tmp_path / "nothing")
    assert result.returncode == 2 and "config.json" in result.stderr
    tiny_run(tmp_path)
    result = run_script("gruv.generate", "--run", tmp_path)
    assert result.returncode == 2 and "model.keras" in result.stderr and "gruv.train" in result.stderr
    result = run_script("gruv.preprocess", "--preset", "nope", "--input", tmp_path, "--run", tmp_path / "r")
    assert result.returncode == 2 and "unknown preset" in result.stderr
    result = run_script("gruv.preprocess", "--preset", "tiny", "--set", "epochs=many", "--input", tmp_path,
                        "--run", tmp_path / "r")
    assert result.returncode == 2 and "epochs" in result.stderr
