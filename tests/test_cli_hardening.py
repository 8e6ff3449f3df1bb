"""Every command line's bad input (issue 17, part 4) and float input beyond full scale (part 5).

One test per script walks that script's cases: ``--set`` with an unknown key, a value of the
wrong type, zero / negative / out-of-range sizes, lengths, primes and seeds; run directories
that are missing, empty, a file, hold a corrupt ``config.json`` or another work's, or lack
their data arrays; ``generate`` before ``train``; a corrupt ``model.keras`` or checkpoint; a
model of another work; an output path through a regular file (root ignores read-only
permissions, so a path under a file is what really fails here).  Each case must end in exit
status 2 with one ``error:`` line on stderr naming the file or setting, no traceback, and no
file created or changed in the case's folder.

The cases run in-process through ``shared.rundir.cli_main`` (each ``python -m`` would import
TensorFlow again); ``test_scripts_are_wired_through_cli_main`` runs every script's ``__main__``
block (runpy), and ``test_real_processes_exit_2_without_a_traceback`` runs two real processes.
"""

import dataclasses
import importlib
import json
import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from conftest import REPO_ROOT
from shared import audio
from shared.rundir import cli_main

keras = pytest.importorskip("keras")

WORKS = ("gruv", "mdn_vocoder", "dreaming", "decay", "autoencoder_synth")
OTHER = {"gruv": "decay", "decay": "gruv", "dreaming": "mdn_vocoder", "mdn_vocoder": "dreaming",
         "autoencoder_synth": "gruv"}
AE_SIZES = ("--set", "train_frames=60", "--set", "valid_frames=10", "--set", "test_frames=10")


# ----------------------------------------------------------------------------- tiny runs


def _write_inputs(folder: Path) -> dict:
    rate = 44100
    t = np.arange(rate) / rate
    soundfile.write(folder / "sine.wav", np.round((0.5 * np.sin(2 * np.pi * 440 * t)) * 32767).astype(np.int16), rate)
    notes = folder / "notes"
    notes.mkdir()
    t = np.arange(int(1.5 * rate)) / rate
    for name, frequency in (("A4", 440.0), ("C5", 523.25), ("E5", 659.26)):
        note = 0.5 * np.exp(-4 * t) * np.sin(2 * np.pi * frequency * t)
        soundfile.write(notes / f"Plucked.mf.{name}.wav", np.round(note * 32767).astype(np.int16), rate)
    t = np.arange(int(1.5 * 11025)) / 11025
    guitar = 0.3 * np.sin(2 * np.pi * 196 * t) * np.exp(-2 * (t % 0.5))
    soundfile.write(folder / "guitar.wav", np.round(guitar * 32767).astype(np.int16), 11025)
    t = np.arange(int(1.2 * rate)) / rate
    soundfile.write(folder / "tone.wav", np.round(0.25 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16), rate)
    songs = folder / "songs"
    songs.mkdir()
    t = np.arange(2 * 22050) / 22050
    for index in range(3):
        tone = 0.3 * np.sin(2 * np.pi * (220 + 110 * index) * t) + 0.1 * np.sin(2 * np.pi * 1500 * t) * (t % 0.5 < 0.1)
        soundfile.write(songs / f"song{index}.wav", np.round(tone * 32767).astype(np.int16), 22050)
    return {"gruv": folder / "sine.wav", "decay": notes, "dreaming": folder / "guitar.wav",
            "mdn_vocoder": folder / "tone.wav", "autoencoder_synth": songs}


def _quietly(main, argv):
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        main([str(argument) for argument in argv])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One tiny trained run per work (the ``tiny`` presets, a few seconds in all), and the inputs they came from."""
    root = tmp_path_factory.mktemp("cli")
    inputs = _write_inputs(root)
    for work in WORKS:
        preprocess = importlib.import_module(f"{work}.preprocess").main
        train = importlib.import_module(f"{work}.train").main
        run = root / work
        extra = AE_SIZES if work == "autoencoder_synth" else ()
        _quietly(preprocess, ["--preset", "tiny", "--input", inputs[work], "--run", run, *extra])
        if work == "autoencoder_synth":
            _quietly(train, ["--run", run, "--preset", "ae1-16", "--set", "max_epochs=2"])
        else:
            _quietly(train, ["--run", run] + (["--mode", "fast"] if work == "dreaming" else []))
    _quietly(importlib.import_module("gruv.generate").main, ["--run", root / "gruv", "--mode", "fast"])
    _quietly(importlib.import_module("decay.generate").main, ["--run", root / "decay", "--mode", "fast"])
    return root, inputs


# ----------------------------------------------------------------------------- what each case sets up


def _read_only(folder: Path) -> None:
    """Make ``folder`` read-only for real: root ignores permission bits, so as root it is made immutable (chattr +i)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        folder.chmod(0o555)
    elif subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("root ignores read-only permissions and chattr +i is not available here")


def _writable_again(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")] if folder.exists() else []:
        if path.is_dir() and not path.is_symlink():
            if os.geteuid() == 0:
                subprocess.run(["chattr", "-i", str(path)], capture_output=True)
            path.chmod(0o755)


def _model_path(run: Path, work: str) -> Path:
    return run / "ae1-16" / "model.keras" if work == "autoencoder_synth" else run / "model.keras"


SETUPS = {
    "a file": lambda run, folder, work, root: (folder / "afile").write_text("not a folder"),
    "empty run": lambda run, folder, work, root: run.mkdir(),
    "read-only folder": lambda run, folder, work, root: _read_only(folder / "ro"),
    "generated read-only": lambda run, folder, work, root: _read_only(run / "generated"),
    "corrupt config": lambda run, folder, work, root: (run / "config.json").write_text("{not json"),
    "config not an object": lambda run, folder, work, root: (run / "config.json").write_text("[1, 2]"),
    "config of wrong type": lambda run, folder, work, root: (run / "config.json").write_text(
        json.dumps({"settings": {"seed": "abc"}})),
    "config out of range": lambda run, folder, work, root: (run / "config.json").write_text(json.dumps(
        {**json.loads((run / "config.json").read_text()),
         "settings": {**json.loads((run / "config.json").read_text())["settings"], "seed": -5}})),
    "config of another work": lambda run, folder, work, root: shutil.copy(root / OTHER[work] / "config.json", run),
    "no data": lambda run, folder, work, root: shutil.rmtree(run / "data"),
    "truncated data": lambda run, folder, work, root: [path.write_bytes(b"\x93NUMPY")
                                                       for path in (run / "data").glob("*.np?")],
    "no model": lambda run, folder, work, root: _model_path(run, work).unlink(),
    "corrupt model": lambda run, folder, work, root: _model_path(run, work).write_bytes(b"PK\x03\x04 not a zip"),
    "model of another work": lambda run, folder, work, root: shutil.copy(root / OTHER[work] / "model.keras",
                                                                         _model_path(run, work)),
    "corrupt checkpoint": lambda run, folder, work, root: (
        (run / ("ae1-16" if work == "autoencoder_synth" else "") / "checkpoints").mkdir(parents=True, exist_ok=True),
        (run / ("ae1-16" if work == "autoencoder_synth" else "") / "checkpoints" / "last.npz").write_bytes(b"PK junk")),
    "generated is a file": lambda run, folder, work, root: (
        shutil.rmtree(run / "generated", ignore_errors=True), (run / "generated").write_text("x")),
    "no generated": lambda run, folder, work, root: shutil.rmtree(run / "generated", ignore_errors=True),
    "corrupt generated json": lambda run, folder, work, root: [path.write_text("{")
                                                               for path in (run / "generated").glob("*.json")],
    "analysis.json a folder": lambda run, folder, work, root: (run / "analysis.json").mkdir(),
    "analysis.md a folder": lambda run, folder, work, root: (run / "analysis.md").mkdir(),
    "table3.md a folder": lambda run, folder, work, root: (run / "table3.md").mkdir(),
    "metrics.json a folder": lambda run, folder, work, root: (run / "metrics.json").mkdir(),
    "bad metrics": lambda run, folder, work, root: (run.mkdir(), (run / "metrics.json").write_text("{")),
}


@dataclasses.dataclass(frozen=True)
class Case:
    """One bad command line: ``argv`` with ``{run}``, ``{dir}`` and ``{input}`` filled in, run on a copy of
    ``work``'s tiny run."""

    name: str
    argv: tuple
    expect: str  # in the error line: the file or setting named
    setup: str | None = None
    copy: bool = True  # start from a copy of the work's tiny run (else {run} does not exist)


def _set_cases(prefix, settings, expect_prefix="--set"):
    return [Case(f"set {setting}", (*prefix, "--set", setting), f"{expect_prefix} {setting.split('=')[0]}")
            for setting in settings]


PREPROCESS_SETS = {
    "gruv": ["block_size=0", "max_seq_len=0", "max_blocks=-1", "max_files=0", "sample_rate=0", "std_floor=0",
             "seed=-1"],
    "mdn_vocoder": ["fft_size=0", "fft_size=102", "components=0", "components=10000", "heldout_fraction=1.5",
                    "sample_rate=-44100", "seed=4294967296"],
    "dreaming": ["seg_len=0", "rows=0", "row_stride=0", "cursor_advance=0", "label_offset=-1", "hop=0", "max_seconds=0",
                 "seed_modes=bogus", "seed_modes=", "seed=-1"],
    "decay": ["highest_freq=0", "clip_seconds=0", "slices_per_second=0", "prime=0", "prime=-3", "max_files=0",
              "seed=-1"],
    "autoencoder_synth": ["fft_size=0", "hop=0", "train_frames=0", "valid_frames=-1", "sample_rate=0", "split_seed=-1"],
}
TRAIN_SETS = {
    "gruv": ["hidden_dims=0", "epochs=0", "batch_size=0", "learning_rate=-1", "checkpoint_every=0",
             "num_recurrent_units=0"],
    "mdn_vocoder": ["rnn_size=0", "num_layers=0", "mixtures=0", "batch_size=0", "seq_length=0", "max_epochs=0",
                    "save_every=0", "learning_rate=0"],
    "dreaming": ["epochs=0", "max_iterations=0", "input_keep=0", "input_keep=2", "dream_length=0", "audio_freq=0",
                 "learning_rate=-1"],
    "decay": ["hidden_units=0", "lstm_layers=0", "epochs=0", "batch_size=0", "conv_filters=0", "conv_lengths=",
              "seed=-1"],
    "autoencoder_synth": ["hidden=0", "batch_size=0", "patience=0", "max_epochs=0", "momentum=2", "noise_std=-1",
                          "seed=-1", "noise_seed=99999999999"],
}
GENERATE_SETS = {
    "gruv": ["generate_steps=0", "seed_frames=0", "seed_example=-1", "seed=-2"],
    "mdn_vocoder": ["length=0", "bias=0", "reset_every=-1", "sample_seed=-1"],
    "dreaming": ["dream_seconds=0", "dream_length=-5", "seed=-1"],
    "decay": ["prime=0", "output_rate=0", "seed=-1"],
}


def _preprocess_cases(work):
    base = ("--preset", "tiny", "--input", "{input}", *(AE_SIZES if work == "autoencoder_synth" else ()))
    return [
        Case("set unknown key", (*base, "--run", "{run}", "--set", "nope=1"), "--set", copy=False),
        Case("set wrong type", (*base, "--run", "{run}", "--set", "seed=abc"), "--set seed", copy=False),
        Case("set not key=value", (*base, "--run", "{run}", "--set", "seed"), "--set", copy=False),
        Case("unknown preset", ("--preset", "nope", "--input", "{input}", "--run", "{run}"), "--preset", copy=False),
        *[dataclasses.replace(case, argv=(*base, "--run", "{run}", *case.argv), copy=False)
          for case in _set_cases((), PREPROCESS_SETS[work])],
        Case("run under a file", (*base, "--run", "{dir}/afile/run"), "afile", "a file", copy=False),
        Case("run is a file", (*base, "--run", "{dir}/afile"), "afile", "a file", copy=False),
        Case("run in a read-only folder", (*base, "--run", "{dir}/ro/run"), "read-only", "read-only folder",
             copy=False),
        Case("input missing", ("--preset", "tiny", "--input", "{dir}/nothing.wav", "--run", "{run}"), "nothing.wav",
             copy=False),
    ]


def _run_cases(work, stage, sets, extra=()):
    """The run-directory cases every stage after preprocess shares."""
    args = ("--run", "{run}", *extra)
    return [
        Case("run missing", ("--run", "{dir}/nothing", *extra), "nothing", copy=False),
        Case("run empty", args, "config.json", "empty run", copy=False),
        Case("run is a file", ("--run", "{dir}/afile", *extra), "afile", "a file", copy=False),
        Case("config corrupt", args, "config.json", "corrupt config"),
        Case("config not an object", args, "config.json", "config not an object"),
        Case("config of wrong type", args, "config.json", "config of wrong type"),
        Case("config out of range", args, "config.json", "config out of range"),
        Case("config of another work", args, "config.json", "config of another work"),
        Case("data missing", args, "data", "no data"),
        Case("data truncated", args, "data", "truncated data"),
        Case("set unknown key", (*args, "--set", "nope=1"), "--set"),
        Case("set wrong type", (*args, "--set", "seed=1.5"), "--set seed"),
        *[dataclasses.replace(case, argv=(*args, *case.argv)) for case in _set_cases((), sets)],
    ]


def _train_cases(work):
    extra = ("--preset", "ae1-16") if work == "autoencoder_synth" else ()
    return [*_run_cases(work, "train", TRAIN_SETS[work], extra),
            Case("checkpoint corrupt", ("--run", "{run}", *extra), "last.npz", "corrupt checkpoint"),
            Case("run folder under a file", ("--run", "{dir}/afile/run", *extra), "afile", "a file", copy=False)]


def _generate_cases(work):
    extra = ("--model", "ae1-16") if work == "autoencoder_synth" else ()
    args = ("--run", "{run}", *extra)
    cases = [*_run_cases(work, "generate", GENERATE_SETS.get(work, []), extra),
             Case("generate before train", args, "model.keras", "no model"),
             Case("model corrupt", args, "model.keras", "corrupt model"),
             Case("model of another work", args, "model.keras", "model of another work"),
             Case("output folder is a file", args, "generated", "generated is a file"),
             Case("output folder read-only", args, "read-only", "generated read-only")]
    if work == "decay":  # the ZeroDivisionError: a prime as long as the note
        cases += [Case("prime = T", (*args, "--prime", "30"), "--prime"),
                  Case("prime > T", (*args, "--prime", "1000"), "--prime"),
                  Case("note unknown", (*args, "--notes", "nope"), "--notes")]
    if work == "gruv":
        cases += [Case("steps 0", (*args, "--steps", "0"), "--steps"),
                  Case("seed example 999", (*args, "--seed-example", "999"), "--seed-example")]
    if work == "mdn_vocoder":
        cases += [Case("length 0", (*args, "--length", "0"), "--length"),
                  Case("bias -1", (*args, "--bias", "-1"), "--bias")]
    if work == "dreaming":
        cases += [Case("seconds 0", (*args, "--seconds", "0"), "--seconds"),
                  Case("seed file missing", (*args, "--seed-file", "{dir}/nothing.wav"), "nothing.wav")]
    if work == "autoencoder_synth":
        cases += [Case("model not trained", ("--run", "{run}", "--model", "ae1-8"), "ae1-8"),
                  Case("input missing", (*args, "--input", "{dir}/nothing.wav"), "nothing.wav")]
    return cases


def _analyse_cases(work):
    args = ("{run}",) if work == "dreaming" else ("--run", "{run}")
    run_at = (lambda where: (where,)) if work == "dreaming" else (lambda where: ("--run", where))
    cases = [
        Case("run missing", run_at("{dir}/nothing"), "nothing", copy=False),
        Case("run empty", args, "config.json", "empty run", copy=False),
        Case("run is a file", run_at("{dir}/afile"), "afile", "a file", copy=False),
        Case("config corrupt", args, "config.json", "corrupt config"),
        Case("config of another work", args, "config.json", "config of another work"),
    ]
    if work in ("gruv", "dreaming", "decay"):
        cases.append(Case("nothing generated", args, "generated" if work != "dreaming" else "run", "no generated"))
    if work == "gruv":
        cases.append(Case("analysis.json is a folder", args, "analysis.json", "analysis.json a folder"))
    if work == "dreaming":
        cases.append(Case("dream summary corrupt", args, ".json", "corrupt generated json"))
    if work == "mdn_vocoder":
        cases += [Case("model missing", args, "model.keras", "no model"),
                  Case("length 0", (*args, "--length", "0"), "--length"),
                  Case("bias 0", (*args, "--bias", "0"), "--bias"),
                  Case("seed -1", (*args, "--seeds", "-1"), "--seeds"),
                  Case("analysis.md is a folder", args, "analysis.md", "analysis.md a folder")]
    return cases


def _sweep_cases():
    args = ("--run", "{run}", "--table", "3")
    return [
        Case("run missing", ("--run", "{dir}/nothing", "--table", "3"), "nothing", copy=False),
        Case("run empty", args, "config.json", "empty run", copy=False),
        Case("config corrupt", args, "config.json", "corrupt config"),
        Case("config of another work", args, "config.json", "config of another work"),
        Case("data missing", (*args, "--set", "max_epochs=1"), "data", "no data"),
        Case("table 9", ("--run", "{run}", "--table", "9"), "--table"),
        Case("jobs 0", (*args, "--jobs", "0", "--table-only"), "--jobs"),
        Case("jobs -3", (*args, "--jobs", "-3"), "--jobs"),
        Case("set unknown key", (*args, "--set", "nope=1"), "--set"),
        Case("set wrong type", (*args, "--set", "max_epochs=abc"), "--set max_epochs"),
        Case("set max_epochs 0", (*args, "--set", "max_epochs=0"), "--set max_epochs"),
        Case("set seed -1", (*args, "--set", "seed=-1"), "--set seed"),
        Case("table is a folder", (*args, "--table-only"), "table3.md", "table3.md a folder"),
    ]


SHARED_CASES = {
    "shared.evaluate": ("dreaming", [
        Case("run missing", ("{dir}/nothing",), "nothing", copy=False),
        Case("run empty", ("{run}",), "generated", "empty run", copy=False),
        Case("summary corrupt", ("{run}",), ".json", "corrupt generated json"),
        Case("reference missing", ("{run}", "--reference", "{dir}/nothing.wav"), "nothing.wav"),
        Case("metrics.json is a folder", ("{run}",), "metrics.json", "metrics.json a folder"),
    ]),
    "shared.sources": (None, [
        Case("reference missing", ("--reference", "{dir}/nothing", "--out", "{dir}/out"), "nothing", copy=False),
        Case("out under a file", ("--out", "{dir}/afile/out"), "afile", "a file", copy=False),
        Case("unknown work", ("--works", "nope", "--out", "{dir}/out"), "--works", copy=False),
    ]),
    "shared.report": (None, [
        Case("runs missing", ("{dir}/nothing",), "nothing", copy=False),
        Case("runs empty", ("{run}", "--out", "{dir}/report"), "metrics.json", "empty run", copy=False),
        Case("runs is a file", ("{dir}/afile", "--out", "{dir}/report"), "afile", "a file", copy=False),
        Case("metrics corrupt", ("{run}", "--out", "{dir}/report"), "metrics.json", "bad metrics", copy=False),
        Case("out under a file", ("{dir}", "--out", "{dir}/afile/report"), "afile", "a file", copy=False),
    ]),
    "shared.corpora": (None, [
        Case("unknown corpus", ("build", "nope", "--out", "{dir}/c"), "nope", copy=False),
        Case("out under a file", ("build", "sine", "--out", "{dir}/afile/c"), "afile", "a file", copy=False),
        Case("out is a file", ("build", "sine", "--out", "{dir}/afile"), "afile", "a file", copy=False),
        Case("out in a read-only folder", ("build", "sine", "--out", "{dir}/ro/c"), "read-only", "read-only folder",
             copy=False),
        Case("build-all out under a file", ("build-all", "--tier", "synthetic", "--out", "{dir}/afile/c"), "afile",
             "a file", copy=False),
        Case("unknown tier", ("build-all", "--tier", "nope", "--out", "{dir}/c"), "--tier", copy=False),
        Case("no command", (), "command", copy=False),
    ]),
    "shared.suite": (None, [
        Case("unknown preset", ("--preset", "nope", "--runs", "{dir}/runs", "--corpora", "{dir}/c", "--no-sources"),
             "--preset", copy=False),
        Case("runs under a file",
             ("--preset", "tiny", "--runs", "{dir}/afile/runs", "--corpora", "{dir}/c", "--no-sources"),
             "afile", "a file", copy=False),
        Case("corpora is a file",
             ("--preset", "tiny", "--runs", "{dir}/runs", "--corpora", "{dir}/afile", "--no-sources"),
             "afile", "a file", copy=False),
        Case("unknown work", ("--works", "nope"), "--works", copy=False),
    ]),
    "shared.reference": (None, [
        Case("unknown work", ("list", "nope"), "nope", copy=False),
        Case("manifest missing", ("list", "--manifest", "{dir}/nothing.json"), "nothing.json", copy=False),
        Case("manifest corrupt", ("list", "--manifest", "{dir}/afile"), "afile", "a file", copy=False),
        Case("mirror missing", ("fetch", "decay", "--to", "{dir}/to", "--mirror", "{dir}/nomirror", "--no-progress"),
             "--mirror", copy=False),
    ]),
}


def _cases_of(script):
    work, stage = script.split(".")
    if work == "shared":
        return SHARED_CASES[script]
    if stage == "sweep":
        return work, _sweep_cases()
    return work, {"preprocess": _preprocess_cases, "train": _train_cases, "generate": _generate_cases,
                  "analyse": _analyse_cases}[stage](work)


SCRIPTS = [f"{work}.{stage}" for work in WORKS for stage in ("preprocess", "train", "generate", "analyse")
           if (work, stage) != ("autoencoder_synth", "analyse")] + ["autoencoder_synth.sweep"] + list(SHARED_CASES)


# ----------------------------------------------------------------------------- the check


def _tree(folder: Path) -> dict:
    return {str(path.relative_to(folder)): (path.is_dir(), path.stat().st_size, path.stat().st_mtime_ns)
            for path in folder.rglob("*")}


def check_case(script, case: Case, runs, tmp_path, capsys) -> str:
    """Run one bad command line in-process; assert exit 2, one error line naming ``case.expect``, nothing written."""
    root, inputs = runs
    work, _ = _cases_of(script)
    run = tmp_path / "run"
    if case.copy and work is not None:
        shutil.copytree(root / work, run)
    try:
        return _check_case(script, case, runs, tmp_path, capsys, work, run)
    finally:
        _writable_again(tmp_path)


def _check_case(script, case, runs, tmp_path, capsys, work, run):
    root, inputs = runs
    if case.setup:
        SETUPS[case.setup](run, tmp_path, work, root)
    fill = {"run": str(run), "dir": str(tmp_path), "input": str(inputs.get(work, tmp_path))}
    argv = [part.format(**fill) for part in case.argv]
    before = _tree(tmp_path)
    capsys.readouterr()
    main = importlib.import_module(script).main
    with pytest.raises(SystemExit) as stopped:
        cli_main(main, argv)
    err = capsys.readouterr().err
    assert stopped.value.code == 2, (case.name, stopped.value.code, err)
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:") or ": error:" in line]
    assert len(errors) == 1, err
    assert case.expect in errors[0].replace(str(tmp_path), "<case>"), (case.expect, errors[0])
    assert _tree(tmp_path) == before, f"{case.name}: files written or changed"
    return errors[0]


def _params(script):
    return [pytest.param(case, id=case.name) for case in _cases_of(script)[1]]


@pytest.mark.parametrize("case", _params("gruv.preprocess"))
def test_gruv_preprocess(case, runs, tmp_path, capsys):
    check_case("gruv.preprocess", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("gruv.train"))
def test_gruv_train(case, runs, tmp_path, capsys):
    check_case("gruv.train", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("gruv.generate"))
def test_gruv_generate(case, runs, tmp_path, capsys):
    check_case("gruv.generate", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("gruv.analyse"))
def test_gruv_analyse(case, runs, tmp_path, capsys):
    check_case("gruv.analyse", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("mdn_vocoder.preprocess"))
def test_mdn_vocoder_preprocess(case, runs, tmp_path, capsys):
    check_case("mdn_vocoder.preprocess", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("mdn_vocoder.train"))
def test_mdn_vocoder_train(case, runs, tmp_path, capsys):
    check_case("mdn_vocoder.train", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("mdn_vocoder.generate"))
def test_mdn_vocoder_generate(case, runs, tmp_path, capsys):
    check_case("mdn_vocoder.generate", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("mdn_vocoder.analyse"))
def test_mdn_vocoder_analyse(case, runs, tmp_path, capsys):
    check_case("mdn_vocoder.analyse", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("dreaming.preprocess"))
def test_dreaming_preprocess(case, runs, tmp_path, capsys):
    check_case("dreaming.preprocess", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("dreaming.train"))
def test_dreaming_train(case, runs, tmp_path, capsys):
    check_case("dreaming.train", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("dreaming.generate"))
def test_dreaming_generate(case, runs, tmp_path, capsys):
    check_case("dreaming.generate", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("dreaming.analyse"))
def test_dreaming_analyse(case, runs, tmp_path, capsys):
    check_case("dreaming.analyse", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("decay.preprocess"))
def test_decay_preprocess(case, runs, tmp_path, capsys):
    check_case("decay.preprocess", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("decay.train"))
def test_decay_train(case, runs, tmp_path, capsys):
    check_case("decay.train", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("decay.generate"))
def test_decay_generate(case, runs, tmp_path, capsys):
    check_case("decay.generate", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("decay.analyse"))
def test_decay_analyse(case, runs, tmp_path, capsys):
    check_case("decay.analyse", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("autoencoder_synth.preprocess"))
def test_autoencoder_synth_preprocess(case, runs, tmp_path, capsys):
    check_case("autoencoder_synth.preprocess", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("autoencoder_synth.train"))
def test_autoencoder_synth_train(case, runs, tmp_path, capsys):
    check_case("autoencoder_synth.train", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("autoencoder_synth.generate"))
def test_autoencoder_synth_generate(case, runs, tmp_path, capsys):
    check_case("autoencoder_synth.generate", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("autoencoder_synth.sweep"))
def test_autoencoder_synth_sweep(case, runs, tmp_path, capsys):
    check_case("autoencoder_synth.sweep", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("shared.evaluate"))
def test_shared_evaluate(case, runs, tmp_path, capsys):
    check_case("shared.evaluate", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("shared.sources"))
def test_shared_sources(case, runs, tmp_path, capsys):
    check_case("shared.sources", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("shared.report"))
def test_shared_report(case, runs, tmp_path, capsys):
    check_case("shared.report", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("shared.corpora"))
def test_shared_corpora(case, runs, tmp_path, capsys):
    check_case("shared.corpora", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("shared.suite"))
def test_shared_suite(case, runs, tmp_path, capsys):
    check_case("shared.suite", case, runs, tmp_path, capsys)


@pytest.mark.parametrize("case", _params("shared.reference"))
def test_shared_reference(case, runs, tmp_path, capsys):
    check_case("shared.reference", case, runs, tmp_path, capsys)


def test_every_script_has_its_test():
    tested = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    assert {script.replace(".", "_") for script in SCRIPTS} <= tested


# runpy re-runs an imported module: meant here
@pytest.mark.filterwarnings("ignore:.*found in sys.modules:RuntimeWarning")
@pytest.mark.parametrize("script", SCRIPTS)
def test_scripts_are_wired_through_cli_main(script, tmp_path, monkeypatch, capsys):
    """``python -m SCRIPT`` with a missing run directory (or folder): its ``__main__`` block exits 2 with one line."""
    missing = str(tmp_path / "nothing")
    argv = {"dreaming.analyse": [missing], "shared.evaluate": [missing], "shared.report": [missing],
            "shared.sources": ["--reference", missing, "--out", str(tmp_path / "out")],
            "shared.corpora": ["build", "nope", "--out", str(tmp_path / "c")], "shared.suite": ["--preset", "nope"],
            "shared.reference": ["list", "--manifest", missing]}.get(
                script, ["--run", missing, "--table", "3"] if script.endswith("sweep") else ["--run", missing])
    if script.endswith(".preprocess"):
        argv = ["--preset", "tiny", "--input", missing, "--run", str(tmp_path / "run")]
    monkeypatch.setattr(sys, "argv", [script, *argv])
    with pytest.raises(SystemExit) as stopped:
        runpy.run_module(script, run_name="__main__", alter_sys=False)
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err.strip().splitlines()[-1].startswith("error:"), err
    assert not (tmp_path / "out").exists() and not (tmp_path / "c").exists() and not (tmp_path / "run").exists()


def test_real_processes_exit_2_without_a_traceback(runs, tmp_path):
    """Two real processes (the issue's decay --prime case, and a corrupt model): one line, exit 2, nothing written."""
    root, _ = runs
    for work in ("decay", "gruv"):
        shutil.copytree(root / work, tmp_path / work)
    (tmp_path / "gruv" / "model.keras").write_bytes(b"not a model")
    before = _tree(tmp_path)
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    commands = [["decay.generate", "--run", tmp_path / "decay", "--prime", "1000"],
                ["gruv.generate", "--run", tmp_path / "gruv"]]
    processes = [subprocess.Popen([sys.executable, "-m", *map(str, command)], cwd=REPO_ROOT, env=environment, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for command in commands]
    for process, expect in zip(processes, ("--prime", "model.keras")):
        _, err = process.communicate(timeout=300)
        assert process.returncode == 2 and "Traceback" not in err, err
        assert err.strip().splitlines()[-1].startswith("error:") and expect in err.strip().splitlines()[-1], err
    assert _tree(tmp_path) == before


# ----------------------------------------------------------------------------- part 5: beyond full scale


def _loud(path: Path, rate=44100, seconds=1.0, peak=1.5, count=7):
    """A float WAV within ±0.5 except ``count`` samples at ±``peak``."""
    t = np.arange(int(seconds * rate)) / rate
    samples = 0.5 * np.sin(2 * np.pi * 220 * t)
    samples[100:100 + count] = peak * np.sign(np.arange(count) % 2 - 0.5)
    soundfile.write(path, samples.astype(np.float32), rate, subtype="FLOAT")
    return path


def test_reading_float_beyond_full_scale_warns_once_naming_file_count_and_action(tmp_path, capsys):
    path = _loud(tmp_path / "loud.wav")
    kept = audio.read_audio(path).samples
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and " 7 of 44100 samples are beyond full scale" in err[0], err
    assert "kept as they are" in err[0] and np.abs(kept).max() == pytest.approx(1.5)
    clipped = audio.read_audio(path, dtype="int16").samples
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "clipped" in err[0] and " 7 of " in err[0] and clipped.max() == 32767
    full = np.zeros(4410, np.float32)
    full[::2] = 1.0  # exactly full scale: not beyond it
    soundfile.write(tmp_path / "full.wav", full, 44100, subtype="FLOAT")
    audio.read_audio(tmp_path / "full.wav")
    soundfile.write(tmp_path / "int.wav", np.full(4410, -32768, np.int16), 44100, subtype="PCM_16")
    audio.read_audio(tmp_path / "int.wav")
    assert capsys.readouterr().err == ""


def test_each_work_says_what_it_does_with_samples_beyond_full_scale(tmp_path, capsys):
    from autoencoder_synth.config import AutoencoderConfig
    from autoencoder_synth.features import load_song
    from decay.config import DecayConfig
    from decay.features import load_note
    from dreaming.config import DreamingConfig
    from dreaming.features import load_signal as dreaming_signal
    from gruv.config import GruvConfig
    from gruv.features import load_audio
    from mdn_vocoder.config import MdnConfig
    from mdn_vocoder.features import load_signal as mdn_signal

    cases = [
        (lambda path: load_audio(path, GruvConfig()), 44100, "clipped", 1.0),
        (lambda path: load_note(path, DecayConfig())[0], 44100, "clipped", None),
        (lambda path: load_song(path, AutoencoderConfig()), 22050, "clipped", 1.0),
        (lambda path: dreaming_signal(path, DreamingConfig()), 11025, "kept", 1.5),
        (lambda path: mdn_signal(path, MdnConfig())[0], 44100, "kept", None),
    ]
    for index, (load, rate, action, peak) in enumerate(cases):
        path = _loud(tmp_path / f"loud{index}.wav", rate=rate)
        signal = load(path)
        err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
        assert len(err) == 1 and str(path) in err[0] and " 7 of " in err[0] and action in err[0], (index, err)
        if peak is not None:
            assert np.abs(signal).max() == pytest.approx(peak, abs=1e-3), index
