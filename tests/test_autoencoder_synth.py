"""autoencoder_synth/: Sarroff & Casey's features, autoencoders, pylearn2 training rule and resynthesis.

The 2014 semantics (autoencoder_synth/README.md, "The method"): rectangular |FFT|/N frames,
the seed-9778 frame split, per-bin normalisation, tied weights and U(±irange/2), the summed
loss, pylearn2's momentum and stopping rule, the numpy forward equal to Keras, the 2/3 gain of
the unprocessed path, the scripts end to end and bad input.
"""

import dataclasses
import json
import shutil
import subprocess
import sys

import matplotlib.image
import numpy as np
import pytest
import soundfile

from autoencoder_synth import features, preprocess
from autoencoder_synth import training as ae_training
from autoencoder_synth.config import PRESETS, AutoencoderConfig, model_settings
from autoencoder_synth.synth import NumpyAutoencoder, Resynthesiser
from conftest import REPO_ROOT
from shared.evaluate import evaluate_output

TINY = AutoencoderConfig(**{**PRESETS["tiny"], "preset": "tiny"})


def songs(folder, count=3, seconds=2.0, rate=22050):
    folder.mkdir(exist_ok=True)
    t = np.arange(int(seconds * rate)) / rate
    for index in range(count):
        tone = 0.3 * np.sin(2 * np.pi * (220 + 110 * index) * t) + 0.1 * np.sin(2 * np.pi * 1500 * t) * (t % 0.5 < 0.1)
        soundfile.write(folder / f"song{index}.wav", np.stack([tone, np.zeros_like(tone)], axis=1), rate,
                        subtype="PCM_16")
    return folder


def run_script(module, *args):
    return subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300)


def test_rectangular_frames_and_magnitude_over_n():
    rate, bin_index = 22050, 93
    t = np.arange(2048 * 4) / rate
    frames = features.magnitude_frames(0.5 * np.cos(2 * np.pi * bin_index * rate / 2048 * t))
    assert frames.shape == (7, 1025)  # frames at 0, 1024, … while 2048 samples fit
    np.testing.assert_allclose(frames[:, bin_index], 0.25, rtol=1e-5)  # A/2 for an on-bin cosine, no window


def test_frame_split_is_numpys_seed_9778_permutation():
    config = dataclasses.replace(TINY, train_frames=5, valid_frames=2, test_frames=2)
    indices = preprocess.split_indices(np.zeros(40, int), config)
    np.random.seed(9778)
    order = np.random.permutation(40)
    np.testing.assert_array_equal(np.concatenate([indices["train"], indices["valid"], indices["test"]]), order[:9])


def test_song_split_keeps_songs_apart():
    song_of_frame = np.repeat(np.arange(6), 10)
    indices = preprocess.split_indices(song_of_frame, dataclasses.replace(TINY, split="song", train_frames=20,
                                                                          valid_frames=10, test_frames=10))
    sets = [set(song_of_frame[indices[name]]) for name in ("train", "valid", "test")]
    assert not (sets[0] & sets[1]) and not (sets[0] & sets[2]) and not (sets[1] & sets[2])


def test_model_names():
    assert model_settings("ae1-256") == {"kind": "ae1", "hidden": 256, "noise_std": 0.0}
    assert model_settings("ae2-1500-16-noise0.25") == {"kind": "ae2", "hidden": 1500, "hidden2": 16, "noise_std": 0.25}
    for wrong in ("ae1-256-8", "ae2-256", "deep-256-8-noise0.1", "vae-3"):
        with pytest.raises(ValueError):
            model_settings(wrong)


def test_tied_weights_initialisation_and_summed_loss():
    from autoencoder_synth.model import build_model, reconstruction_error

    model = build_model(dataclasses.replace(TINY, hidden=16), visible=40)
    assert model.count_params() == 40 * 16 + 16 + 40  # one W (tied), two biases
    kernel = model.kernel.numpy()
    assert np.abs(kernel).max() <= 0.025 and kernel.std() > 0.01  # U(−irange/2, irange/2)
    x = np.random.default_rng(0).uniform(0, 1, (3, 40)).astype(np.float32)
    expected = 1 / (1 + np.exp(-(x @ kernel))) @ kernel.T  # linear decoder through Wᵀ, zero biases
    np.testing.assert_allclose(np.asarray(model(x)), expected, atol=1e-6)
    np.testing.assert_allclose(np.asarray(reconstruction_error(x, expected)), ((x - expected) ** 2).sum(axis=1),
                               rtol=1e-6)


def test_sgd_momentum_is_pylearn2s():
    import keras

    variable = keras.Variable(np.zeros(2, np.float32))
    optimizer = keras.optimizers.SGD(0.005, momentum=0.5)
    increment, theta = np.zeros(2), np.zeros(2)
    for gradient in (np.array([1.0, -2.0]), np.array([0.5, 0.5])):
        optimizer.apply_gradients([(gradient.astype(np.float32), variable)])
        increment = 0.5 * increment - 0.005 * gradient
        theta += increment
    np.testing.assert_allclose(variable.numpy(), theta, rtol=1e-6)


def test_pylearn2_stopping_rule(tmp_path, monkeypatch):
    import keras

    values = iter([10.0, 9.0, 8.995, 8.99, 8.985, 8.98, 8.975, 7.0])  # epoch 0, then too-small gains from epoch 2 on
    monkeypatch.setattr(ae_training, "objective", lambda *args, **kwargs: next(values))
    config = dataclasses.replace(TINY, patience=5, stopping="either", max_epochs=None)  # the earlier reading of Or
    callback = ae_training.Pylearn2Stopping(None, None, config, tmp_path / "loss.csv")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    callback.set_model(model)
    callback.on_train_begin()
    for epoch in range(7):
        model.layers[0].kernel.assign(np.full((2, 1), float(epoch + 1), np.float32))
        callback.on_epoch_end(epoch, {"loss": 1.0})
        if getattr(model, "stop_training", False):
            break
    assert epoch == 5 and callback.best == pytest.approx(8.975)  # 5 epochs in a row without a 0.1 % gain
    callback.on_train_end()
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), 6.0)  # the best (lowest) epoch's weights


def test_numpy_forward_equals_keras_and_the_unprocessed_gain_is_two_thirds():
    from autoencoder_synth.model import build_model

    for config in (dataclasses.replace(TINY, hidden=16), dataclasses.replace(TINY, kind="deep", hidden=16, hidden2=4)):
        model = build_model(config, visible=1025)
        x = np.random.default_rng(1).uniform(0, 1, (4, 1025)).astype(np.float32)
        np.testing.assert_allclose(NumpyAutoencoder.from_model(model)(x), np.asarray(model(x)), atol=1e-5)
    t = np.arange(22050) / 22050
    signal = 0.3 * np.sin(2 * np.pi * 440 * t)
    out = Resynthesiser(None, np.ones(1025)).render(signal, processing=False)
    np.testing.assert_allclose(out[2048:20000], signal[2048:20000] * 2 / 3, atol=1e-9)


def test_fast_render_equals_the_stream():
    rng = np.random.default_rng(1)
    kernel = rng.uniform(-0.025, 0.025, (1025, 16))
    network = NumpyAutoencoder([(kernel, rng.normal(0, 0.1, 16), rng.normal(0, 0.01, 1025), kernel.T, "linear")])
    signal = rng.uniform(-0.5, 0.5, 20000)
    multipliers = rng.uniform(0, 2, 16)
    for phase, hop in (("original", 1024), ("vocoder", 1024), ("original", 512)):
        engine = Resynthesiser(network, np.full(1025, 0.01), 2048, hop, phase, seed=3)
        fast = engine.render_fast(signal, multipliers)
        np.testing.assert_allclose(engine.render(signal, multipliers), fast, atol=1e-9)
        assert np.abs(fast).max() > 0.01


def test_scripts_end_to_end_and_bad_input(tmp_path):
    folder = songs(tmp_path / "songs")
    run = tmp_path / "run"
    result = run_script("autoencoder_synth.preprocess", "--preset", "tiny", "--input", folder, "--run", run,
                        "--set", "train_frames=60", "--set", "valid_frames=10", "--set", "test_frames=10")
    assert result.returncode == 0, result.stderr
    for model in ("ae1-8", "ae2-8-4", "deep-8-4"):
        result = run_script("autoencoder_synth.train", "--run", run, "--preset", model, "--set", "max_epochs=3")
        assert result.returncode == 0, result.stderr
    for mode in ("faithful", "fast"):
        result = run_script("autoencoder_synth.generate", "--run", run, "--model", "deep-8-4",
                            "--input", folder / "song0.wav", "--mode", mode)
        assert result.returncode == 0, result.stderr
    faithful, rate = soundfile.read(run / "generated" / "deep-8-4_song0.wav", dtype="int16")
    fast, _ = soundfile.read(run / "generated" / "deep-8-4_song0_fast.wav", dtype="int16")
    assert rate == 22050 and len(faithful) == (44100 - 2048) // 1024 * 1024 + 2048
    assert np.abs(faithful.astype(int) - fast).max() <= 1  # float rounding may move a sample by one step
    summary = json.loads((run / "generated" / "deep-8-4_song0.json").read_text())
    assert summary["figure_2"] == "deep-8-4_song0.png" and summary["evaluation"]["training_max"] == "data/maxvec.npy"
    figure = matplotlib.image.imread(run / "generated" / "deep-8-4_song0.png")
    assert figure.shape[0] >= 400 and figure[..., :3].std() > 0.05  # the two spectrograms are drawn, not a blank page
    scored = evaluate_output(run / "generated" / "deep-8-4_song0.wav", run, {})
    error = {row["id"]: row for row in scored["criteria"]["autoencoder_synth"]}["reconstruction_error"]
    assert error["numbers"]["training_units"] is True  # divided by the run's training max, the tables' units
    # the run's model (tiny: ae1-16) on a test-split song
    result = run_script("autoencoder_synth.generate", "--run", run)
    assert result.returncode != 0 and "ae1-16" in result.stderr  # not trained in this run
    bad = run_script("autoencoder_synth.train", "--run", run, "--preset", "ae3-8")
    assert bad.returncode == 2 and "not a model name" in bad.stderr
    soundfile.write(tmp_path / "rate.wav", np.zeros((4410, 1)) + 0.1, 44100)
    bad = run_script("autoencoder_synth.preprocess", "--preset", "tiny", "--input", tmp_path / "rate.wav",
                     "--run", tmp_path / "r2")
    assert (bad.returncode == 2 and "resampled from 44100 Hz to 22050 Hz" in bad.stderr
            and "fewer than the 500" in bad.stderr)
    bad = run_script("autoencoder_synth.preprocess", "--preset", "tiny", "--input", tmp_path / "rate.wav",
                     "--run", tmp_path / "r2", "--set", "resample=false")
    assert bad.returncode == 2 and "sample rate 44100 Hz" in bad.stderr
    bad = run_script("autoencoder_synth.preprocess", "--preset", "tiny", "--input", folder, "--run", tmp_path / "r3")
    assert bad.returncode == 2 and "fewer than the 500" in bad.stderr and not (tmp_path / "r3" / "config.json").exists()


def test_sweep_trains_the_stages_of_table_3_and_resumes(tmp_path):
    folder = songs(tmp_path / "songs")
    run = tmp_path / "run"
    assert run_script("autoencoder_synth.preprocess", "--preset", "tiny", "--input", folder, "--run", run, "--set",
                      "train_frames=60", "--set", "valid_frames=10", "--set", "test_frames=10").returncode == 0
    from autoencoder_synth import sweep

    assert sweep.cells(3) == [["ae1-256", "ae1-1500"], ["ae2-256-8", "ae2-1500-8"], ["deep-256-8", "deep-1500-8"]]
    assert len(sweep.cells(1)[0]) == 28 and len(sweep.cells(2)[1]) == 18
    (run / "ae1-1500").mkdir()
    (run / "ae1-1500" / "result.json").write_text('{"valid": 1.0}')  # a finished cell is skipped
    result = run_script("autoencoder_synth.sweep", "--run", run, "--table", "3", "--jobs", "1", "--set", "max_epochs=1")
    assert result.returncode != 0 and "ae2-1500-8" in result.stdout + result.stderr  # its AE1 was never really trained
    assert (run / "ae1-256" / "result.json").is_file() and (run / "table3.md").is_file()


def test_each_trained_model_adds_its_numbers_to_the_run_s_run_numbers(autoencoder_tiny_run, tmp_path):
    """``run_numbers.json`` holds every model of the run with its ``result.json``, test ÷ valid, and for a deep model
    the fine-tuned error ÷ the stack's before fine-tuning (the findings' T5 and T6 read these)."""
    run = tmp_path / "run"
    shutil.copytree(autoencoder_tiny_run[0], run)
    result = run_script("autoencoder_synth.train", "--run", run, "--preset", "deep-16-4", "--set", "max_epochs=1")
    assert result.returncode == 0, result.stderr
    models = json.loads((run / "run_numbers.json").read_text())["models"]
    assert sorted(models) == ["ae1-16", "ae2-16-4", "deep-16-4"]  # none lost to the one trained after them
    for name, numbers in models.items():
        cell = json.loads((run / name / "result.json").read_text())
        assert {key: numbers[key] for key in cell} == cell
        assert numbers["test_over_valid"] == pytest.approx(cell["test"] / cell["valid"])
    stack = json.loads((run / "ae2-16-4" / "result.json").read_text())["valid_input_space"]
    assert models["deep-16-4"]["finetuned_over_stack"] == pytest.approx(models["deep-16-4"]["valid"] / stack)
    assert "finetuned_over_stack" not in models["ae2-16-4"]


def test_a_simulated_live_run_counts_the_blocks_done_after_their_deadline():
    """instrument.simulate_live: block k starts at k periods at the earliest and is late when it ends after k + 1; a
    block taking 1.5 periods is late, the next (started late, quick) is not."""
    import time as clock

    from autoencoder_synth.instrument import simulate_live

    period, slow = 0.1, {3, 7}

    class Steps:  # the part of instrument.Session that simulate_live drives
        instrument = type("Instrument", (), {"hop": 4})()
        blocks, compute = 0, []

        def step(self, out):
            clock.sleep(1.5 * period if self.blocks in slow else 0.0)
            self.compute.append(1.5 * period if self.blocks in slow else 0.0)
            self.blocks += 1
            return True

    done = simulate_live(Steps(), 10, period)
    assert done["blocks"] == 10 and done["late_blocks"] == len(slow)
    assert done["p99_block_ms"] == pytest.approx(np.percentile([150.0 if k in slow else 0.0 for k in range(10)], 99))


def test_play_simulates_the_live_loop_and_records_the_late_blocks(autoencoder_tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(autoencoder_tiny_run[0], run)
    result = run_script("autoencoder_synth.play", "--model", run / "ae1-16", "--no-input", "--simulate-live",
                        "--seconds", "1", "--numbers", "--report", tmp_path / "live.json")
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "live.json").read_text())
    config = json.loads((run / "config.json").read_text())["settings"]
    assert report["blocks"] == int(np.ceil(1.0 / (report["hop"] / config["sample_rate"])))
    entry = json.loads((run / "run_numbers.json").read_text())["models"]["ae1-16"]
    assert entry["late_blocks"] == report["late_blocks"] and entry["simulated_blocks"] == report["blocks"]
    assert entry["valid"] == json.loads((run / "ae1-16" / "result.json").read_text())["valid"]  # merged, not replaced
    for extra in (["--numbers"], ["--simulate-live", "--render", tmp_path / "x.wav"]):
        refused = run_script("autoencoder_synth.play", "--model", run / "ae1-16", "--no-input", "--seconds", "1",
                             *extra)
        assert refused.returncode == 2 and ("--numbers" in refused.stderr or "--simulate-live" in refused.stderr)
