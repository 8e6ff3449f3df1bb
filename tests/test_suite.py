"""The runner behind `make reproduce`, on the `tiny` presets: corpus, then every script, the criteria and the report."""

import json
import subprocess
import sys

import pytest
import soundfile

from conftest import REPO_ROOT


def test_suite_runs_every_registered_work_end_to_end(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "shared.suite", "--preset", "tiny", "--runs", tmp_path / "runs",
         "--corpora", tmp_path / "corpora", "--no-sources", "--no-lessons"],  # (tests/test_tutorials.py runs them)
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
    metrics = json.loads((run / "metrics.json").read_text())
    assert [output["name"] for output in metrics["outputs"]] == [wav.stem for wav in wavs]
    for output in metrics["outputs"]:  # every work's criteria, GRUV's own filled (the tiny run has an original)
        assert set(output["criteria"]) == {"gruv", "mdn_vocoder", "dreaming", "decay", "autoencoder_synth"}
        gruv = {row["id"]: row for row in output["criteria"]["gruv"]}
        assert all(gruv[name]["value"] is not None for name in ("mse", "loop"))  # 0.02 s: no tail
        # 8 teacher-forced frames of 64 samples, then 5 generated ones: too short to compare with the original
        assert gruv["noise_db"]["value"] is None and "no generated part" in gruv["noise_db"]["rule"]
        assert gruv["envelope_corr"]["numbers"]["generated_from_s"] == pytest.approx(8 * 64 / 44100, abs=1e-5)
    decay = tmp_path / "runs" / "decay" / "tiny"
    names = sorted(wav.name for wav in (decay / "generated").glob("*.wav"))
    assert names == sorted(f"Plucked.ff.{note}{suffix}.wav" for note in ("A3", "A4")
                           for suffix in ("", "_gen", "_gen_wp", "_gen_fast", "_gen_wp_fast"))
    assert (decay / "metrics.json").is_file()
    mdn = tmp_path / "runs" / "mdn_vocoder" / "tiny"
    names = sorted(wav.name for wav in (mdn / "generated").glob("*.wav"))
    assert names == ["analysis_resynthesis.wav", "sample_bias1_len60_seed123.wav",
                     "sample_bias1_len60_seed123_fast.wav"]
    assert soundfile.info(mdn / "generated" / names[1]).frames == 60 * 128 + 512
    scored = json.loads((mdn / "metrics.json").read_text())["outputs"]
    assert {output["name"] for output in scored} == {name[:-4] for name in names}
    assert all(row["value"] is not None for output in scored for row in output["criteria"]["mdn_vocoder"][:3])
    dreaming = tmp_path / "runs" / "dreaming" / "tiny"
    names = sorted(wav.name for wav in (dreaming / "generated").glob("*.wav"))
    # each dream is named by the mode of the seed that follows it, as the original's files were
    assert names == ["dream_training-start_345.wav", "dream_training-start_345_fast.wav", "tiny_advance_40.wav",
                     "tiny_random_20.wav", "tiny_same_60.wav"]
    scored = {output["name"]: output for output in json.loads((dreaming / "metrics.json").read_text())["outputs"]}
    assert ({row["id"]: row["value"] for row in scored["tiny_random_20"]["criteria"]["dreaming"]}.keys()
            == {"C1", "C2", "C3"})
    assert scored["tiny_random_20"]["source_numbers"] == {}  # tiny reproduces no Audio Example
    autoencoder = tmp_path / "runs" / "autoencoder_synth" / "tiny"
    names = sorted(wav.name for wav in (autoencoder / "generated").glob("*.wav"))
    assert len(names) == 3 and names[0].startswith("ae1-16_") and names[1] == names[0][:-4] + "_fast.wav"
    assert names[2] == "instrument_moves.wav"  # the shipped automation, rendered through the instrument
    scored = json.loads((autoencoder / "metrics.json").read_text())["outputs"]
    for output in scored:  # compared with the song it resynthesises
        rows = {row["id"]: row["value"] for row in output["criteria"]["autoencoder_synth"]}
        assert rows["reconstruction_error"] is not None and rows["si_sdr_db"] is not None
    page = tmp_path / "runs" / "report" / "index.html"
    assert page.is_file() and (tmp_path / "runs" / "report" / "report.csv").is_file()
    assert str(page.resolve()) in result.stdout


def test_suite_rejects_an_unknown_preset(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "shared.suite", "--preset", "nope", "--runs", tmp_path],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2 and "nope" in result.stderr
