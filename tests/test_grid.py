"""shared.grid: a grid of (work, preset, seed) runs on local processes or Ray, resumable; the autoencoder sweep on
Ray with its stages' dependencies.

The grid of these tests: gruv and mdn_vocoder, `tiny`, seeds 1 and 2, without the evaluation stage (the suite's test
covers it).  It runs once on the local executor, killed half-way and started again, and once on a local Ray
instance with ``--gather`` (each run made in a scratch folder and sent back through Ray's object store); the outputs
must be the same bytes.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import REPO_ROOT

WORKS = ("gruv", "mdn_vocoder")
SEEDS = (1, 2)
RUNS = [(work, seed) for work in WORKS for seed in SEEDS]


def grid_command(runs, corpora, *extra):
    return [sys.executable, "-m", "shared.grid", "--works", *WORKS, "--presets", "tiny", "--seeds",
            *map(str, SEEDS), "--runs", str(runs), "--corpora", str(corpora), "--no-evaluate", *extra]


def state(runs, work, seed):
    path = runs / work / "tiny" / f"seed{seed}" / "grid.json"
    return json.loads(path.read_text()) if path.is_file() else {}


#: the stages of these runs, by their key in grid.json
STAGE_KEYS = {"preprocess": "preprocess", "train": "train", "generate": "generate-fast"}


def log_lines(runs, work, seed, stage):
    """The lines of the run's grid.log that start ``stage`` (one per time it was started)."""
    log = runs / work / "tiny" / f"seed{seed}" / "grid.log"
    lines = log.read_text().splitlines() if log.is_file() else []
    return [line for line in lines if line.startswith(f"$ python -m {work}.{stage} ")]


@pytest.fixture(scope="module")
def killed_and_resumed(tmp_path_factory):
    """The local grid, killed (the whole process group, SIGKILL) once one run is done and another is training,
    then started again.  Returns the runs folder, the states and the stages started (grid.log) at the kill, and the
    second start's output."""
    root = tmp_path_factory.mktemp("grid_local")
    runs, corpora = root / "runs", root / "corpora"
    process = subprocess.Popen(grid_command(runs, corpora, "--jobs", "2"), cwd=REPO_ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None:
        states = {run: state(runs, *run) for run in RUNS}
        done = [run for run, value in states.items() if value.get("status") == "done"]
        training = [run for run, value in states.items()  # train started, not finished
                    if log_lines(runs, *run, "train") and "train" not in value.get("stages", {})]
        if done and training:
            time.sleep(0.5)  # inside the train stage (its process takes seconds to start)
            os.killpg(process.pid, signal.SIGKILL)
            break
        time.sleep(0.2)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the grid finished or failed before it could be killed"
    at_kill = {run: state(runs, *run) for run in RUNS}
    started = {run: {stage: len(log_lines(runs, *run, stage)) for stage in STAGE_KEYS} for run in RUNS}
    resumed = subprocess.run(grid_command(runs, corpora, "--jobs", "2"), cwd=REPO_ROOT, capture_output=True,
                             text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stdout[-2000:] + resumed.stderr[-3000:]
    return runs, at_kill, started, resumed.stdout


def test_a_killed_grid_resumes_where_it_stopped(killed_and_resumed):
    runs, at_kill, started, output = killed_and_resumed
    for run in RUNS:
        before, after = at_kill[run], state(runs, *run)
        assert after["status"] == "done" and after["node"], run
        if before.get("status") == "done":  # finished before the kill: skipped, not run again
            assert after == before and f"| {run[0]}/tiny/seed{run[1]} | skipped |" in output
            continue
        assert f"| {run[0]}/tiny/seed{run[1]} | done |" in output
        # a stage finished before the kill is not started again; any other (the killed one included) once more
        for stage, key in STAGE_KEYS.items():
            again = 0 if key in before.get("stages", {}) else 1
            assert len(log_lines(runs, *run, stage)) == started[run][stage] + again, (run, stage)
    assert sum(before.get("status") == "done" for before in at_kill.values()) >= 1
    assert any(started[run]["train"] and "train" not in at_kill[run].get("stages", {}) for run in RUNS)  # mid-train
    # a third start finds every run done
    again = subprocess.run(grid_command(runs, runs.parent / "corpora"), cwd=REPO_ROOT, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0 and again.stdout.count("| skipped |") == len(RUNS), again.stdout


def test_ray_runs_the_same_grid_to_the_same_outputs_and_gathers_them(killed_and_resumed, tmp_path):
    local_runs = killed_and_resumed[0]
    result = subprocess.run(grid_command(tmp_path / "runs", tmp_path / "corpora", "--executor", "ray", "--gather"),
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    for work, seed in RUNS:
        ours, theirs = tmp_path / "runs" / work / "tiny" / f"seed{seed}", local_runs / work / "tiny" / f"seed{seed}"
        assert state(tmp_path / "runs", work, seed)["status"] == "done"
        wavs = sorted(path.name for path in (theirs / "generated").glob("*.wav"))
        assert wavs and wavs == sorted(path.name for path in (ours / "generated").glob("*.wav"))
        for name in [*(f"generated/{wav}" for wav in wavs), "loss.csv"]:
            assert (ours / name).read_bytes() == (theirs / name).read_bytes(), f"{work} seed {seed}: {name} differs"
    # the seeds reach the runs: seed 1 and seed 2 train differently
    losses = [(local_runs / f"gruv/tiny/seed{seed}/loss.csv").read_text() for seed in SEEDS]
    assert losses[0] != losses[1]
    assert json.loads((local_runs / "gruv/tiny/seed2/config.json").read_text())["settings"]["seed"] == 2


def test_the_autoencoder_sweep_on_ray_trains_each_cell_after_the_cells_it_is_built_from(autoencoder_tiny_run,
                                                                                        tmp_path):
    import shutil

    made, run = autoencoder_tiny_run[0], tmp_path / "run"  # its preprocessed frames, none of its models
    shutil.copytree(made / "data", run / "data")
    shutil.copy(made / "config.json", run / "config.json")
    result = subprocess.run([sys.executable, "-m", "autoencoder_synth.sweep", "--run", str(run), "--table", "3",
                             "--executor", "ray", "--set", "max_epochs=1"], cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    records = {record["cell"]: record for record in json.loads((run / "sweep3.json").read_text())}
    # Table 3's cells and what each is trained from (autoencoder_synth/train.py: an AE2 reads its AE1's codes, a
    # composed model starts from both)
    needs = {"ae1-256": [], "ae1-1500": [], "ae2-256-8": ["ae1-256"], "ae2-1500-8": ["ae1-1500"],
             "deep-256-8": ["ae1-256", "ae2-256-8"], "deep-1500-8": ["ae1-1500", "ae2-1500-8"]}
    assert set(records) == set(needs)
    for cell, before in needs.items():
        assert records[cell]["ok"] and not records[cell]["skipped"], cell
        assert (run / cell / "result.json").is_file()
        for other in before:
            assert records[cell]["started"] >= records[other]["finished"], f"{cell} started before {other} finished"
    assert (run / "table3.md").is_file()


def test_bad_grid_settings_are_refused_with_exit_status_2(tmp_path):
    cases = [(["--works", "gruvv", "--presets", "tiny"], "--works"),
             (["--works", "gruv", "--presets", "nope"], "gruv has no preset 'nope'"),
             (["--works", "gruv", "--presets", "tiny", "--gather"], "--gather"),
             (["--works", "gruv", "--presets", "tiny", "--cpus-per-run", "0"], "--cpus-per-run"),
             (["--works", "gruv", "--presets", "tiny", "--input", str(tmp_path / "missing")], "missing")]
    for arguments, message in cases:
        result = subprocess.run([sys.executable, "-m", "shared.grid", *arguments, "--runs", str(tmp_path / "runs")],
                                cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 2 and message in result.stderr, (arguments, result.stderr[-500:])
        assert not (tmp_path / "runs").exists()
