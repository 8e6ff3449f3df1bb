"""``train --tensorboard`` in every work: the event files read back and checked against the run's own files.

Each work's ``tiny`` preset is preprocessed and trained in this process (``main([...])``) with ``--tensorboard``; the
event files under ``<run>/logs/`` are read back with ``tf.compat.v1.train.summary_iterator`` and checked:

* the loss scalars equal the run's ``loss.csv`` (as float32, row for row: the independent check), and so do the work's
  own numbers that ``loss.csv`` holds (the MDN's held-out NLL, the autoencoder's validation error);
* one audio summary and one spectrogram image per checkpoint (the steps computed here from the settings), at the
  work's output rate, at most 2 s, the PNG of the documented size; where the same audio is written to ``generated/``
  (gruv's fast generation after the last epoch, decay's fast continuation, dreaming's dreams) the logged clip equals
  that file;
* the MDN's σ of the first iteration equals the one computed here from the seeded initial network;
* a run trained without the flag has no ``logs/`` and the same ``loss.csv`` as the run trained with it.
"""

import contextlib
import io
import json
import shutil
import struct

import numpy as np
import pytest
import soundfile

from shared import monitor
from shared.rundir import load_config, read_json

#: Every logged clip lasts at most this long (shared.monitor.MAX_SECONDS, as the issue asks).
LONGEST_SECONDS = 2.0


@pytest.fixture(scope="module")
def corpora_root(tmp_path_factory):
    """The synthetic corpora the tiny presets name (autoencoder_synth's is made per test, smaller)."""
    from shared import corpora

    root = tmp_path_factory.mktemp("corpora")
    for name in ("sine", "mdn_notes_synth", "guitar_melody", "plucked"):
        with contextlib.redirect_stdout(io.StringIO()):
            corpora.build(name, root / name)
    return root


def run_stage(work: str, stage: str, *arguments) -> None:
    """``python -m <work>.<stage> ARGUMENTS`` in this process (its output swallowed)."""
    import importlib

    import keras

    keras.backend.clear_session()
    module = importlib.import_module(f"{work}.{stage}")
    with contextlib.redirect_stdout(io.StringIO()):
        module.main([str(argument) for argument in arguments])


def read_events(folder) -> dict:
    """``{(TensorBoard run, tag): {step: (plugin, ndarray)}}`` of every event file under ``folder``; a tag logged
    twice at one step fails."""
    import tensorflow as tf

    found = {}
    for path in sorted(folder.rglob("events.out.tfevents.*")):
        run = path.parent.relative_to(folder).as_posix()
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                steps = found.setdefault((run, value.tag), {})
                assert event.step not in steps, f"{run}/{value.tag} twice at step {event.step}"
                steps[event.step] = (value.metadata.plugin_data.plugin_name, tf.make_ndarray(value.tensor))
    return found


def scalars(events, run, tag) -> dict:
    entries = events[(run, tag)]
    assert all(plugin == "scalars" for plugin, _ in entries.values())
    return {step: float(value) for step, (_, value) in entries.items()}


def assert_float32_equal(logged: dict, expected: dict) -> None:
    """The logged scalars are, step for step, the float32 of the expected values."""
    assert sorted(logged) == sorted(expected)
    np.testing.assert_array_equal([np.float32(logged[step]) for step in sorted(logged)],
                                  [np.float32(expected[step]) for step in sorted(expected)])


def samples(events, run, steps, rate) -> dict:
    """Check one audio clip and one spectrogram per step; return ``{step: int16 samples}``."""
    audio, images = events[(run, "sample")], events[(run, "sample_spectrogram")]
    assert sorted(audio) == sorted(steps) and sorted(images) == sorted(steps)
    clips = {}
    for step in steps:
        plugin, value = audio[step]
        assert plugin == "audio" and value.shape == (1, 2)
        clip, clip_rate = soundfile.read(io.BytesIO(value[0, 0]), dtype="int16")
        assert clip_rate == rate and clip.ndim == 1 and 0 < len(clip) <= LONGEST_SECONDS * rate
        clips[step] = clip
        plugin, value = images[step]
        width, height, png = value
        assert plugin == "images" and png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (int(width), int(height)) == monitor.SPECTROGRAM_PIXELS
        assert png[25] == 2  # colour type 2: RGB
    return clips


def as_int16(path, seconds=None, tail=False) -> np.ndarray:
    """A generated WAV as an audio summary holds it: 16-bit, ``round(x · 2¹⁵)`` of the clipped float samples."""
    data, rate = soundfile.read(path, dtype="float64")
    if seconds is not None:
        count = int(seconds * rate)
        data = data[-count:] if tail else data[:count]
    return np.clip(np.round(np.clip(data, -1, 1) * 32768), -32768, 32767).astype(np.int16)


def assert_close_int16(logged, expected, lsb=1) -> None:
    """Equal to 1 LSB (a work's int16 samples are logged as int16 / 32767, which the encoder scales by 2¹⁵)."""
    assert len(logged) == len(expected)
    np.testing.assert_allclose(logged.astype(int), expected.astype(int), atol=lsb, rtol=0)


def csv_rows(path) -> list[dict]:
    import csv

    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


# ----------------------------------------------------------------------------- shared.monitor


def test_a_sample_is_cut_to_two_seconds_and_clipped(tmp_path):
    rate = 8000
    waveform = 1.5 * np.sin(2 * np.pi * 100 * np.arange(3 * rate) / rate)  # 3 s beyond full scale
    waveform[10] = np.nan
    writer = monitor.open_writer(tmp_path / "monitor")
    monitor.write_sample(writer, 7, waveform, rate)
    monitor.write_scalars(writer, 7, {"number": 0.25, "left_out": None})
    writer.close()
    events = read_events(tmp_path)
    assert set(events) == {("monitor", "sample"), ("monitor", "sample_spectrogram"), ("monitor", "number")}
    assert scalars(events, "monitor", "number") == {7: 0.25}
    clip = samples(events, "monitor", [7], rate)[7]
    expected = np.clip(np.round(np.clip(np.nan_to_num(waveform[:2 * rate]), -1, 1) * 32768), -32768, 32767)
    np.testing.assert_array_equal(clip, expected)


# ----------------------------------------------------------------------------- the works that train with fit


def test_gruv(corpora_root, tmp_path):
    run, plain = tmp_path / "run", tmp_path / "plain"
    run_stage("gruv", "preprocess", "--preset", "tiny", "--input", corpora_root / "sine", "--run", run)
    shutil.copytree(run, plain)
    settings = ["--set", "checkpoint_every=2"]  # 3 epochs: a checkpoint after the 2nd, and the last epoch
    run_stage("gruv", "train", "--run", run, "--tensorboard", *settings)
    run_stage("gruv", "train", "--run", plain, *settings)
    assert not (plain / "logs").exists()
    assert (plain / "loss.csv").read_bytes() == (run / "loss.csv").read_bytes()

    events = read_events(run / "logs")
    rows = csv_rows(run / "loss.csv")
    assert_float32_equal(scalars(events, "train", "epoch_loss"), {int(row["epoch"]): row["loss"] for row in rows})
    assert set(scalars(events, "train", "epoch_learning_rate").values()) == {np.float32(1e-3)}
    clips = samples(events, "monitor", [1, 2], 44100)
    # after the last epoch: the fast generation from the run's seed that generate writes with the final weights
    run_stage("gruv", "generate", "--run", run, "--mode", "fast", "--name", "fast")
    assert_close_int16(clips[2], as_int16(run / "generated" / "fast.wav", LONGEST_SECONDS, tail=True))


def test_decay(corpora_root, tmp_path):
    run = tmp_path / "run"
    run_stage("decay", "preprocess", "--preset", "tiny", "--input", corpora_root / "plucked", "--run", run)
    run_stage("decay", "train", "--run", run, "--tensorboard")

    events = read_events(run / "logs")
    rows = csv_rows(run / "loss.csv")
    assert_float32_equal(scalars(events, "train", "epoch_loss"), {int(row["epoch"]): row["loss"] for row in rows})
    assert set(scalars(events, "train", "epoch_learning_rate").values()) == {np.float32(1e-3)}
    clips = samples(events, "monitor", [0, 1, 2], 44100)  # checkpoint_every = 1: every epoch
    # after the last epoch: the first note's continuation, as generate's fast loop writes it (1 s: the whole note)
    document = read_json(run / "config.json")
    note = document["notes"]["train"][0]
    run_stage("decay", "generate", "--run", run, "--mode", "fast", "--notes", note)
    assert_close_int16(clips[2], as_int16(run / "generated" / f"{note}_gen_fast.wav"))


def test_autoencoder_synth_logs_each_model_in_its_own_folder(tmp_path):
    from test_autoencoder_synth import songs

    run = tmp_path / "run"
    run_stage("autoencoder_synth", "preprocess", "--preset", "tiny", "--input", songs(tmp_path / "songs"), "--run",
              run, "--set", "train_frames=60", "--set", "valid_frames=10", "--set", "test_frames=10")
    run_stage("autoencoder_synth", "train", "--run", run, "--tensorboard")  # the run's model, ae1-16, 3 epochs
    run_stage("autoencoder_synth", "train", "--run", run, "--preset", "ae2-16-4", "--set", "max_epochs=2",
              "--tensorboard")
    assert sorted(path.name for path in (run / "logs").iterdir()) == ["ae1-16", "ae2-16-4"]
    for model, epochs in (("ae1-16", 3), ("ae2-16-4", 2)):
        events = read_events(run / "logs" / model)
        rows = csv_rows(run / model / "loss.csv")[1:]  # row 0: before the first epoch
        assert [int(row["epoch"]) for row in rows] == list(range(1, epochs + 1))
        # Keras' steps are epoch indices from 0: loss.csv's epoch e is step e - 1
        assert_float32_equal(scalars(events, "train", "epoch_loss"), {int(r["epoch"]) - 1: r["loss"] for r in rows})
        assert_float32_equal(scalars(events, "monitor", "epoch_valid"), {int(r["epoch"]) - 1: r["valid"] for r in rows})
        assert_float32_equal(scalars(events, "monitor", "epoch_valid_clean"),
                             {int(r["epoch"]) - 1: r["valid_clean"] for r in rows})
        assert set(scalars(events, "train", "epoch_learning_rate").values()) == {np.float32(0.005)}
        assert set(scalars(events, "monitor", "epoch_momentum").values()) == {np.float32(0.5)}
        clips = samples(events, "monitor", list(range(epochs)), 22050)
        # the 10 validation frames overlap-added at hop 1024: 9 hops and one frame of 2048
        assert all(len(clip) == 9 * 1024 + 2048 for clip in clips.values())


# ----------------------------------------------------------------------------- the works with their own loops


def test_mdn_vocoder(corpora_root, tmp_path):
    import keras

    from mdn_vocoder.config import MdnConfig
    from mdn_vocoder.model import build_model, zero_states
    from mdn_vocoder.training import batches
    from shared.rundir import set_seed

    run, plain = tmp_path / "run", tmp_path / "plain"
    run_stage("mdn_vocoder", "preprocess", "--preset", "tiny", "--input", corpora_root / "mdn_notes_synth" /
              "Sine.440.wav", "--run", run, "--set", "heldout_fraction=0.2")
    shutil.copytree(run, plain)
    run_stage("mdn_vocoder", "train", "--run", run, "--tensorboard")
    run_stage("mdn_vocoder", "train", "--run", plain)
    assert not (plain / "logs").exists()
    assert (plain / "loss.csv").read_bytes() == (run / "loss.csv").read_bytes()

    events = read_events(run / "logs")
    rows = csv_rows(run / "loss.csv")
    config = load_config(run, MdnConfig)[0]
    total = int(rows[-1]["iteration"])
    assert total == 54  # 27 batches per epoch (the held-out 20 % is not trained on), 2 epochs
    for tag, column, folder in (("epoch_loss", "loss", "train"), ("epoch_nll_per_frame", "nll_per_frame", "train"),
                                ("epoch_learning_rate", "learning_rate", "train"),
                                ("epoch_heldout_nll", "heldout_nll", "monitor")):
        assert_float32_equal(scalars(events, folder, tag), {int(row["epoch"]): row[column] for row in rows})
    batch_losses, sigmas = scalars(events, "train", "batch_loss"), scalars(events, "monitor", "batch_sigma")
    assert sorted(batch_losses) == sorted(sigmas) == list(range(1, total + 1))
    per_epoch = total // len(rows)  # the epoch's loss is the mean of its iterations' losses
    for row in rows:
        last = int(row["iteration"])
        assert np.mean([batch_losses[step] for step in range(last - per_epoch + 1, last + 1)]) == \
            pytest.approx(float(row["loss"]), rel=1e-6)
    assert set(scalars(events, "monitor", "epoch_sigma")) == {1, 2}
    for row in rows:  # loss.csv's mean σ: the mean of the epoch's iterations' σ (σ of iteration 1 checked below)
        last = int(row["iteration"])
        assert np.mean([sigmas[step] for step in range(last - per_epoch + 1, last + 1)]) == \
            pytest.approx(float(row["mean_sigma"]), rel=1e-6)
    numbers = json.loads((run / "run_numbers.json").read_text())
    first, last = float(rows[0]["mean_sigma"]), float(rows[-1]["mean_sigma"])
    assert numbers["sigma_last_over_first"] == pytest.approx(last / first)

    # σ of iteration 1, from the seeded untrained network on the first batch (μ and log σ laid out as mdn.py says)
    keras.backend.clear_session()
    x = np.load(run / "data" / "x.npy")
    set_seed(config.seed)
    network = build_model(config, x.shape[1])
    inputs, _ = batches(x, config.batch_size, config.seq_length)
    z = np.asarray(network([inputs[0], *zero_states(config, config.batch_size)], training=True)[0], np.float64)
    first = config.mixtures + config.mixtures * x.shape[1]
    assert sigmas[1] == pytest.approx(np.mean(np.exp(z[..., first:]) + 1e-12), rel=1e-5)

    # a sample every save_every = 20 iterations and at the end: 60 frames at hop 128, resynthesised
    clips = samples(events, "monitor", [20, 40, total], 44100)
    assert all(len(clip) == 60 * 128 + 512 for clip in clips.values())


def test_dreaming(corpora_root, tmp_path):
    run = tmp_path / "run"
    run_stage("dreaming", "preprocess", "--preset", "tiny", "--input", corpora_root / "guitar_melody" / "melody.wav",
              "--run", run)
    run_stage("dreaming", "train", "--run", run, "--tensorboard", "--set", "max_iterations=50")

    events = read_events(run / "logs")
    rows = csv_rows(run / "loss.csv")
    assert [int(row["iteration"]) for row in rows] == [20, 40, 50]  # a dream every 20 iterations, then the end
    assert_float32_equal(scalars(events, "train", "loss"), {int(row["iteration"]): row["loss"] for row in rows})
    assert set(scalars(events, "train", "learning_rate").values()) == {np.float32(1e-4)}
    clips = samples(events, "monitor", [20, 40, 50], 11025)
    for step in (20, 40):  # each dream as written to generated/ (float WAV)
        (path,) = (run / "generated").glob(f"*_{step}.wav")
        assert_close_int16(clips[step], as_int16(path))
    assert len(clips[50]) == 10 * 32  # the dream the end cut short: 10 vectors of 32 samples
