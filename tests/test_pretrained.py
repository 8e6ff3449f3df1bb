"""The pretrained flagship models (``<work>/results/pretrained/<name>/``, ``shared.pretrained``).

* Every shipped model is whole (each file's SHA-256 is the one ``about.json`` records, and nothing else is there), its
  ``model.keras`` loads in Keras' safe mode, its settings are those of the committed evidence it names, and all of
  them together stay within the 25 MB budget.
* ``generate --run <name>`` works from any folder, never writes into the shipped folder, and gives the sound the
  committed evidence holds: mdn_vocoder's ``sine`` with the evidence run's generation settings equals its FLAC.
* A bare name that is neither a folder nor a model exits with status 2 and lists the names.
"""

import importlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import soundfile

from conftest import REPO_ROOT
from shared import pretrained

MODELS = [(work, name) for work in pretrained.WORKS for name in pretrained.names(work)]


def test_there_are_models_and_they_fit_the_budget():
    assert ("mdn_vocoder", "sine") in MODELS
    total = sum(path.stat().st_size for work in pretrained.WORKS for path in pretrained.folder(work).rglob("*")
                if path.is_file())
    assert total <= 25_000_000


@pytest.mark.parametrize("work,name", MODELS, ids=[f"{work}/{name}" for work, name in MODELS])
def test_a_shipped_model_is_whole_loadable_and_the_evidence_s(work, name):
    import keras

    importlib.import_module(f"{work}.model")  # registers the work's own layers
    folder = pretrained.folder(work) / name
    about = json.loads((folder / "about.json").read_text())
    present = {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}
    assert present == set(about["files"]) | {"about.json"}
    for relative, digest in about["files"].items():
        assert pretrained.sha256(folder / relative) == digest, relative
        if relative.endswith(".json"):
            assert str(REPO_ROOT) not in (folder / relative).read_text()
    for model in folder.rglob("model.keras"):
        assert isinstance(keras.saving.load_model(model, safe_mode=True, compile=False), keras.Model)
    evidence = REPO_ROOT / about["evidence"]
    settings = json.loads((folder / "config.json").read_text())["settings"]
    assert settings == json.loads((evidence / "config.json").read_text())["settings"]
    commands = json.loads((evidence / "run.json").read_text())["commands"]
    assert about["trained"]["commands"] == [command for command in commands if ".generate " not in command
                                            and "shared.evaluate" not in command and ".play " not in command]


def run(cwd, *args):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "CUDA_VISIBLE_DEVICES": "-1"}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_generate_by_short_name_gives_the_committed_evidence(tmp_path):
    shipped = pretrained.folder("mdn_vocoder") / "sine"
    before = {path: path.stat().st_mtime_ns for path in shipped.rglob("*")}
    frames, hop = 400, 128
    done = run(tmp_path, "-m", "mdn_vocoder.generate", "--run", "sine", "--mode", "fast", "--length", str(frames),
               "--seed", "1", "--bias", "1e-5", "--name", "short")
    assert done.returncode == 0, done.stderr
    assert "copied to" in done.stdout
    ours, rate = soundfile.read(tmp_path / "runs/pretrained/mdn_vocoder/sine/generated/short.wav", dtype="int16")
    committed, committed_rate = soundfile.read(
        REPO_ROOT / "mdn_vocoder/results/sine-absolute/seed1/generated/bias1e-5_seed1.flac", dtype="int16")
    assert rate == committed_rate
    kept = (frames - 4) * hop  # the last frames' overlap-add tail differs between a short and a long generation
    assert np.abs(ours[:kept].astype(np.int32) - committed[:kept]).max() <= 1
    assert {path: path.stat().st_mtime_ns for path in shipped.rglob("*")} == before  # nothing written there


def test_the_copy_is_made_once_and_refreshed_when_changed(tmp_path, capsys):
    target = pretrained.resolve("mdn_vocoder", "sine", runs=tmp_path)
    assert target == tmp_path / "mdn_vocoder" / "sine" and "copied" in capsys.readouterr().out
    assert pretrained.resolve("mdn_vocoder", "sine", runs=tmp_path) == target
    assert capsys.readouterr().out == ""
    (target / "data" / "x.npy").write_bytes(b"changed")
    (target / "generated").mkdir()
    (target / "generated" / "mine.wav").write_bytes(b"a user's output")
    pretrained.resolve("mdn_vocoder", "sine", runs=tmp_path)
    assert "copied" in capsys.readouterr().out
    assert (target / "generated" / "mine.wav").read_bytes() == b"a user's output"  # refreshing keeps what was made
    shipped = pretrained.about("mdn_vocoder", "sine")["files"]
    assert pretrained.sha256(target / "data" / "x.npy") == shipped["data/x.npy"]
    existing = tmp_path / "mine"
    existing.mkdir()
    assert pretrained.resolve("mdn_vocoder", existing) == existing  # a folder is a folder, whatever its name


def test_an_unknown_name_exits_2_listing_the_models(tmp_path):
    done = run(tmp_path, "-m", "mdn_vocoder.generate", "--run", "no-such-model")
    assert done.returncode == 2
    assert "--run" in done.stderr and "sine" in done.stderr
    assert not (tmp_path / "runs").exists()
