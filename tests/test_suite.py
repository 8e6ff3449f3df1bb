"""The runner behind `make reproduce`, on the `tiny` preset: corpus, then every script, then the outputs."""

import subprocess
import sys

import soundfile

from conftest import REPO_ROOT


def test_suite_runs_every_registered_work_end_to_end(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "shared.suite", "--preset", "tiny", "--runs", tmp_path / "runs", "--corpora", tmp_path / "corpora"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (tmp_path / "corpora" / "sine" / "manifest.json").is_file()
    run = tmp_path / "runs" / "gruv" / "tiny"
    for name in ("config.json", "loss.csv", "model.keras", "data/x.npy", "data/stats.npz"):
        assert (run / name).is_file(), name
    wavs = sorted((run / "generated").glob("*.wav"))
    assert [wav.name.rsplit("_", 1)[-1] for wav in wavs] == ["faithful.wav", "fast.wav"]
    for wav in wavs:
        assert str(wav) in result.stdout
        samples, rate = soundfile.read(wav, dtype="int16")
        assert rate == 44100 and len(samples) == (8 + 6 - 1) * 64 and samples.any()


def test_suite_rejects_an_unknown_preset(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "shared.suite", "--preset", "nope", "--runs", tmp_path],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2 and "nope" in result.stderr
