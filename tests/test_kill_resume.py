"""Kill and resume, for every work: ``train`` killed with SIGKILL mid-training, then run again, ends as a straight run.

For each work a tiny run is preprocessed (in this process: no TensorFlow here) and copied twice.
Both copies are trained by the same command, ``python -m <work>.train --run DIR``, in a
subprocess, in deterministic mode (``TF_DETERMINISTIC_OPS=1``, one TensorFlow thread per pool,
``PYTHONHASHSEED=0``):

* the **straight** copy runs to its end;
* the **killed** copy is killed with SIGKILL (its whole process group) as soon as its first
  checkpoint is on disk and training has gone on past it: mid-epoch for gruv, decay, mdn_vocoder
  and autoencoder_synth, mid-dream for dreaming (whose checkpoints are at dream boundaries); at
  that instant there is no ``model.keras`` yet, so the next command must go on from the
  checkpoint. Then the same command runs again, to its end.

The two run directories must then hold the same files: every weight array of every
``model.keras`` exactly equal, and every other file byte for byte (``loss.csv``,
``state.npz``, ``result.json``, the dreams and their seeds, ``run_numbers.json``...), with two
exceptions that no two runs share, killed or not: the wall-clock ``seconds`` in dreaming's
``run_numbers.json``, and the time of writing that libsndfile stamps into a float WAV's PEAK
chunk.  ``autoencoder_synth.sweep`` is killed the same way in the middle of a cell of Table 3
and run again; the finished cells are skipped and the killed one resumes.

Every weight array is compared (the optimizer's too, which ``model.keras`` holds); the rest of
the ``.keras`` zip stamps the time of saving.  The straight run and the killed one run at the
same time, and three works at a time: the module starts 25 ``python -m`` processes, each of
which imports TensorFlow (measured: 150-170 CPU-seconds in all, on 2 cores shared with other
jobs).
"""

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile

from conftest import REPO_ROOT

h5py = pytest.importorskip("h5py")

pytestmark = pytest.mark.slow  # subprocesses that import TensorFlow: see the cost above

#: Deterministic mode: TensorFlow's deterministic kernels, one thread per op pool (also the cheapest on 2 shared cores).
ENVIRONMENT = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_DETERMINISTIC_OPS": "1", "TF_NUM_INTRAOP_THREADS": "1",
               "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0", "CUDA_VISIBLE_DEVICES": ""}
TIMEOUT = 240  # seconds for one command; each takes a few


# ----------------------------------------------------------------------------- inputs and preprocessing


def tone(path, seconds, rate, frequencies=(440.0,), decay=0.0, subtype="PCM_16"):
    t = np.arange(int(seconds * rate)) / rate
    samples = sum(0.3 / (1 + k) * np.sin(2 * np.pi * f * t) for k, f in enumerate(frequencies)) * np.exp(-decay * t)
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, samples, rate, subtype=subtype)
    return path


def preprocess(work, source, run, *overrides):
    """``python -m <work>.preprocess --preset tiny`` in this process (the preprocessors do not import TensorFlow)."""
    import contextlib
    import importlib

    arguments = ["--preset", "tiny", "--input", str(source), "--run", str(run)]
    for item in overrides:
        arguments += ["--set", item]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        importlib.import_module(f"{work}.preprocess").main(arguments)
    return run


# ----------------------------------------------------------------------------- running, killing, comparing


def start(command, run, log_name):
    log = open(run.parent / f"{run.name}.{log_name}.log", "w")
    return subprocess.Popen([sys.executable, "-m", *command], cwd=REPO_ROOT, env=ENVIRONMENT, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True), log


def finish(process, log, what):
    try:
        code = process.wait(timeout=TIMEOUT)
    finally:
        log.close()
    text = open(log.name).read()
    assert code == 0, f"{what} exited {code}:\n{text[-3000:]}"
    return text


def straight_and_killed(command_of, straight, killed, ready, finished, straight_from_kill=None):
    """Run ``command_of(straight)`` to its end while ``command_of(killed)`` is killed once ``ready(killed)``, then
    re-run it.

    With ``straight_from_kill(killed, straight)``, the straight run starts only after the kill, from
    what that function makes of the killed run (the sweep: its finished cells).
    ``finished(run)`` says the command got past the point a kill must come before (its final
    model written).  Returns the files of the killed run when the kill landed ({path: mtime in ns})
    and the output of the command that ran again.
    """
    running = []  # (process, log): killed with their process groups if anything goes wrong

    def launch(run, name):
        running.append(start(command_of(run), run, name))
        return running[-1]

    try:
        if straight_from_kill is None:
            reference = launch(straight, "straight")
        victim, victim_log = launch(killed, "killed")
        deadline = time.monotonic() + TIMEOUT
        while not ready(killed):
            assert victim.poll() is None, (
                f"finished before the kill could land:\n{open(victim_log.name).read()[-3000:]}")
            assert time.monotonic() < deadline, "no checkpoint appeared"
            time.sleep(0.002)
        os.killpg(victim.pid, signal.SIGKILL)
        assert victim.wait(timeout=TIMEOUT) == -signal.SIGKILL
        victim_log.close()
        landed = {str(path.relative_to(killed)): path.stat().st_mtime_ns for path in killed.rglob("*")
                  if path.is_file() and "data" not in path.parts}
        assert not finished(killed), f"the kill came after the end: {sorted(landed)}"
        if straight_from_kill is not None:
            straight_from_kill(killed, straight)
            reference = launch(straight, "straight")
        text = finish(*launch(killed, "resumed"), "the resumed run")
        finish(*reference, "the straight run")
        return landed, text
    finally:
        for process, log in running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            log.close()


def weights_of(path):
    """Every weight array of a ``.keras`` file (its HDF5 weights, read without Keras), by path."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        data = io.BytesIO(archive.read("model.weights.h5"))
    with h5py.File(data, "r") as handle:
        handle.visititems(
            lambda name, item: arrays.__setitem__(name, item[()]) if isinstance(item, h5py.Dataset) else None)
    return arrays


def comparable_bytes(path):
    """A file's bytes, less what differs between any two runs: a float WAV's PEAK time stamp, dreaming's seconds,
    the sweep's times and node."""
    data = bytearray(path.read_bytes())
    if path.suffix == ".wav" and data[:4] == b"RIFF":
        at = 12
        while at + 8 <= len(data):
            chunk, size = bytes(data[at:at + 4]), int.from_bytes(data[at + 4:at + 8], "little")
            if chunk == b"PEAK":  # version (4 bytes), then the time of writing (4 bytes)
                data[at + 12:at + 16] = bytes(4)
            at += 8 + size + (size & 1)
    if path.name == "run_numbers.json":
        document = json.loads(data)
        document.pop("seconds", None)
        return json.dumps(document, sort_keys=True).encode()
    if path.name.startswith("sweep") and path.suffix == ".json":  # the sweep's schedule: when and where each cell ran
        records = [{key: value for key, value in record.items() if key not in ("started", "finished", "node")}
                   for record in json.loads(data)]
        return json.dumps(records, sort_keys=True).encode()
    return bytes(data)


def assert_same_run(straight, killed, landed):
    landed = sorted(landed)
    files = sorted(path.relative_to(straight) for path in straight.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(killed) for path in killed.rglob("*") if path.is_file()), landed
    assert not any("checkpoints" in path.parts for path in files), files  # deleted at the end
    models = 0
    for relative in files:
        if relative.suffix == ".keras":
            models += 1
            ours, theirs = weights_of(straight / relative), weights_of(killed / relative)
            assert ours.keys() == theirs.keys() and ours, (relative, landed)
            for name, array in ours.items():
                np.testing.assert_array_equal(theirs[name], array, err_msg=f"{relative}: {name} (killed at {landed})")
        else:
            assert comparable_bytes(killed / relative) == comparable_bytes(straight / relative), \
                f"{relative} differs (killed at {landed})"
    assert models, files


def copies(base, tmp_path):
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    shutil.copytree(base, straight)
    shutil.copytree(base, killed)
    return straight, killed


def keras_checkpoint_epochs(run):
    """The epochs the BackupAndRestore checkpoint of ``run`` holds (0 when there is none yet)."""
    path = run / "checkpoints" / "training_metadata.json"
    try:
        return json.loads(path.read_text())["epoch"]
    except (OSError, ValueError, KeyError):
        return 0


# ----------------------------------------------------------------------------- the scenarios, one per work


def train_command(work, *extra):
    return lambda run: [f"{work}.train", "--run", str(run), *extra]


def model_written(*parts):
    return lambda run: run.joinpath(*parts, "model.keras").exists()


def keras_went_on(text, run, landed):
    """Keras' progress bar: the command run again starts after epoch 1 (it restored a checkpoint)."""
    first = re.search(r"Epoch (\d+)/", text)
    return first is not None and int(first[1]) > 1


def loop_went_on(text, run, landed):
    """mdn_vocoder and dreaming say where they resume."""
    return re.search(r"resuming from iteration [1-9]", text) is not None


def scenario_gruv(tmp_path):
    source = tone(tmp_path / "in" / "sine.wav", 1.0, 44100, (440.0, 880.0))
    # a checkpoint every second epoch (a number of batches for Keras): the kill lands in epoch 3 or 4
    base = preprocess("gruv", source, tmp_path / "base", "epochs=6", "batch_size=1", "checkpoint_every=2")
    return base, train_command("gruv"), lambda run: keras_checkpoint_epochs(run) >= 2, model_written(), keras_went_on


def scenario_decay(tmp_path):
    for name, frequency in (("A4", 440.0), ("C5", 523.25), ("E5", 659.26)):
        tone(tmp_path / "notes" / f"Plucked.mf.{name}.wav", 1.5, 44100, (frequency, 2 * frequency), decay=4.0)
    base = preprocess("decay", tmp_path / "notes", tmp_path / "base", "epochs=6", "batch_size=1")
    return base, train_command("decay"), lambda run: keras_checkpoint_epochs(run) >= 2, model_written(), keras_went_on


def scenario_mdn_vocoder(tmp_path):
    source = tone(tmp_path / "sine.wav", 1.2, 44100)
    # 4 iterations per epoch; a checkpoint every 10: the first falls mid-epoch 3, its log holding epochs 1 and 2
    base = preprocess("mdn_vocoder", source, tmp_path / "base", "max_epochs=30", "save_every=10")
    return (base, train_command("mdn_vocoder"), lambda run: (run / "checkpoints" / "last.npz").is_file(),
            model_written(), loop_went_on)


def scenario_dreaming(tmp_path):
    source = tone(tmp_path / "guitar.wav", 1.0, 11025, (196.0, 293.7), subtype="FLOAT")
    # a dream (and a checkpoint) every 25 iterations; the seed modes cycle same, random, advance
    base = preprocess("dreaming", source, tmp_path / "base", "max_iterations=200", "dream_length=25")
    return (base, train_command("dreaming"), lambda run: (run / "checkpoints" / "last.npz").is_file(),
            model_written(), loop_went_on)


def songs(folder, count=3, seconds=2.0, rate=22050):
    for index in range(count):
        tone(folder / f"song{index}.wav", seconds, rate, (220.0 + 110 * index, 1500.0))
    return folder


def autoencoder_base(tmp_path):
    return preprocess("autoencoder_synth", songs(tmp_path / "songs"), tmp_path / "base", "train_frames=60",
                      "valid_frames=10", "test_frames=10", "max_epochs=25", "batch_size=10")


def scenario_autoencoder_synth(tmp_path):
    model = "ae1-16-noise0.1"  # denoising: the corruptor's seed state must come back too
    # a stopping rule that ends training within the cap: patience runs out after epoch 3, then 12 epochs are counted;
    # the kill comes after epoch 4, when the rule's counters are no longer those of a fresh start
    stopping = ["--set", "patience=2", "--set", "prop_decrease=0.5", "--set", "epoch_counter=12"]

    def ready(run):
        log = run / model / "loss.csv"
        return (run / model / "checkpoints" / "last.npz").is_file() and log.is_file() and \
            len(log.read_bytes().splitlines()) >= 1 + 1 + 4  # the header, epoch 0 (before training), epochs 1-4

    return (autoencoder_base(tmp_path), train_command("autoencoder_synth", "--preset", model, *stopping), ready,
            model_written(model), keras_went_on)


def sweep_went_on(text, run, landed):
    """The cells finished before the kill were skipped (their files untouched), the others trained."""
    finished = {Path(path).parent for path in landed if Path(path).name == "result.json"}
    return bool(finished) and all(run.joinpath(path).stat().st_mtime_ns == mtime for path, mtime in landed.items()
                                  if Path(path).parent in finished)


def finished_cells(killed, straight):
    """The straight sweep starts from the cells the killed one had finished (each cell is its own process)."""
    shutil.rmtree(straight)
    unfinished = {path.name for path in killed.iterdir() if path.is_dir() and path.name != "data"
                  and not (path / "result.json").is_file()}
    shutil.copytree(killed, straight, ignore=lambda folder, names: unfinished if folder == str(killed) else ())


def scenario_autoencoder_synth_sweep(tmp_path):
    """Table 3 (AE1, then AE2 on its codes, then the composed models), killed in the middle of a composed cell.

    The straight sweep goes on from the cells finished at the kill (AE1 and AE2, copied) and trains the composed
    models without a kill; the killed one is run again: it skips the finished cells and resumes the killed ones.
    """
    return (autoencoder_base(tmp_path),
            lambda run: ["autoencoder_synth.sweep", "--run", str(run), "--table", "3", "--jobs", "2",
                         "--set", "max_epochs=6"],
            lambda run: any(run.glob("deep-*/checkpoints/last.npz")),
            lambda run: (run / "table3.md").exists(), sweep_went_on, finished_cells)


SCENARIOS = {"gruv": scenario_gruv, "mdn_vocoder": scenario_mdn_vocoder, "dreaming": scenario_dreaming,
             "decay": scenario_decay, "autoencoder_synth": scenario_autoencoder_synth,
             "autoencoder_synth.sweep": scenario_autoencoder_synth_sweep}


@pytest.fixture(scope="module")
def outcomes(request, tmp_path_factory):
    """Every selected scenario, run three at a time (each is mostly waiting on its subprocesses): work → result or
    error."""
    from concurrent.futures import ThreadPoolExecutor

    wanted = [item.callspec.params["work"] for item in request.session.items
              if item.module.__name__ == __name__ and hasattr(item, "callspec")]

    folders = {work: tmp_path_factory.mktemp(work.replace(".", "_")) for work in wanted}  # (mktemp is not thread-safe)

    def play(work):
        try:
            tmp_path = folders[work]
            base, command_of, ready, finished, went_on, *straight_from_kill = SCENARIOS[work](tmp_path)
            straight, killed = copies(base, tmp_path)
            landed, text = straight_and_killed(command_of, straight, killed, ready, finished, *straight_from_kill)
            return straight, killed, landed, text, went_on
        except BaseException as error:  # reported by the work's own test
            return error

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(wanted, pool.map(play, wanted)))


@pytest.mark.parametrize("work", list(SCENARIOS))
def test_killed_training_resumes_to_the_straight_run(work, outcomes):
    outcome = outcomes[work]
    if isinstance(outcome, BaseException):
        raise outcome
    straight, killed, landed, text, went_on = outcome
    assert went_on(text, killed, landed), f"the second command did not go on from the checkpoint:\n{text[-3000:]}"
    assert_same_run(straight, killed, landed)
    if work == "autoencoder_synth":  # the scenario meant the stopping rule to end training
        assert json.loads((straight / "ae1-16-noise0.1" / "result.json").read_text())["stopped_by"] == "stopping rule"


def test_a_resumed_run_removes_what_a_kill_cut_short(tmp_path):
    """A process killed inside ``atomic_path`` leaves its temporary file; the resumed run deletes it (and the
    checkpoint guard does not take it for a corrupt checkpoint), keeping every other file."""
    from shared.rundir import atomic_path, check_checkpoints, remove_partial_files

    folder = tmp_path / "generated"
    child = os.fork()
    if child == 0:  # killed half-way through writing a dream
        try:
            with atomic_path(folder / "dream.wav") as temporary:
                temporary.write_bytes(b"RIFF half a dream")
                os.kill(os.getpid(), signal.SIGKILL)
        finally:
            os._exit(1)
    assert os.waitpid(child, 0)[1] == signal.SIGKILL
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / ".latest.partial.weights.h5").write_bytes(b"half")  # the Keras checkpoint's
    (tmp_path / "checkpoints" / ".last.x1y2.partial.npz").write_bytes(b"half")
    (folder / ".hidden.wav").write_bytes(b"a file of the user's")
    (folder / "kept.wav").write_bytes(b"a finished dream")
    debris = sorted(path.name for path in folder.iterdir() if ".partial" in path.name)
    assert len(debris) == 1 and debris[0].startswith(".dream.") and not (folder / "dream.wav").exists()
    check_checkpoints(tmp_path / "checkpoints")  # not refused as a corrupt checkpoint
    remove_partial_files(folder, tmp_path / "checkpoints")
    assert sorted(path.name for path in folder.iterdir()) == [".hidden.wav", "kept.wav"]
    assert not any((tmp_path / "checkpoints").iterdir())
