"""Committed evidence: a finished run directory copied, small and portable, to ``<work>/results/<experiment>/seed<k>/``.

What is kept of a run (made by ``shared.grid``, so with its ``grid.json``):

* ``config.json``, ``loss.csv``, ``run_numbers.json`` (when the work writes one) and ``metrics.json``;
* every generated output as 16-bit FLAC at its own rate, cut to its first ``MAX_SECONDS`` seconds, with the
  summary the work wrote beside it (``generated/<name>.json``);
* ``run.json``: the exact commands, the library versions, the machine and the wall time of every stage.

Paths of the machine the run was made on never reach the repository: every absolute path inside the repository
becomes relative to it (``corpora/sine/sine.wav``), and any other becomes ``<outside>/<last two parts>``.
"""

from __future__ import annotations

import os
import platform
import shutil
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
MAX_SECONDS = 10.0
#: the budgets of what results/ may hold (the issue's): every file, and all audio together
MAX_FILE_BYTES = 5_000_000
MAX_AUDIO_BYTES = 40_000_000


#: The order the stages ran in (grid.json keeps them by name): generation (and the instrument's render) between
#: training and the evaluation.
_STAGE_ORDER = {"preprocess": 0, "train": 1, "evaluate": 3}


def portable(value, roots: dict[str, str]):
    """``value`` (any JSON value) with every absolute path made portable: a path under one of ``roots``
    (absolute folder → its name in the repository, longest first) is rewritten to that name; another absolute path
    keeps only its last two parts, behind ``<outside>/``."""
    if isinstance(value, dict):
        return {key: portable(item, roots) for key, item in value.items()}
    if isinstance(value, list):
        return [portable(item, roots) for item in value]
    if not isinstance(value, str):
        return value
    words = value.split(" ")
    if len(words) > 1:  # a command line
        return " ".join(portable(word, roots) for word in words)
    if not value.startswith("/"):
        return value
    for folder, name in sorted(roots.items(), key=lambda item: -len(item[0])):
        if value == folder or value.startswith(folder.rstrip("/") + "/"):
            rest = value[len(folder):].lstrip("/")
            return "/".join(part for part in (name, rest) if part and part != ".") or "."
    return "<outside>/" + "/".join(Path(value).parts[-2:])


def cpu_model() -> str:
    """The CPU's model name (Linux's /proc/cpuinfo), or "unknown CPU"."""
    if not Path("/proc/cpuinfo").is_file():
        return "unknown CPU"
    return next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")), "unknown CPU")


def machine() -> dict:
    """The CPU model, core count and the versions of the libraries that decide the numbers."""
    from importlib.metadata import version

    return {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
            **{name: version(name) for name in ("tensorflow", "keras", "numpy", "scipy")}}


def collect(run_dir: Path, dest: Path, roots: dict[str, str] | None = None, audio: str = "*") -> Path:
    """Copy the evidence of the finished run ``run_dir`` to ``dest`` (replacing what was there); returns ``dest``.

    ``roots`` maps absolute folders to the names they get (default: the run directory is ``RUN``, the repository
    is ``.``); ``audio``: a glob over the output names whose audio is kept (their scores are all kept)."""
    import fnmatch

    import soundfile

    from shared.rundir import read_json, write_json

    run_dir, dest = Path(run_dir), Path(dest)
    state = read_json(run_dir / "grid.json")
    if state.get("status") != "done":
        raise ValueError(f"{run_dir} is not a finished grid run (grid.json status {state.get('status')!r})")
    roots = roots or {str(run_dir.resolve()): "RUN", str(REPO_ROOT): "."}
    scratch = dest.with_name(f".{dest.name}.partial")
    if scratch.exists():
        shutil.rmtree(scratch)
    (scratch / "generated").mkdir(parents=True)
    for name in ("config.json", "metrics.json", "run_numbers.json"):
        if (run_dir / name).is_file():
            write_json(scratch / name, portable(read_json(run_dir / name), roots))
    if (run_dir / "loss.csv").is_file():
        shutil.copy(run_dir / "loss.csv", scratch / "loss.csv")
    for wav in sorted((run_dir / "generated").glob("*.wav")):
        summary = wav.with_suffix(".json")
        if summary.is_file():
            write_json(scratch / "generated" / summary.name, portable(read_json(summary), roots))
        if not fnmatch.fnmatchcase(wav.stem, audio):
            continue
        info = soundfile.info(wav)
        frames = min(info.frames, int(MAX_SECONDS * info.samplerate))
        samples, rate = soundfile.read(wav, frames=frames, dtype="int16", always_2d=True)
        soundfile.write(scratch / "generated" / f"{wav.stem}.flac", samples, rate, subtype="PCM_16", format="FLAC")
    stages = sorted(state.get("stages", {}).items(), key=lambda item: _STAGE_ORDER.get(item[0].split()[0], 2))
    write_json(scratch / "run.json", portable({
        "job": {key: value for key, value in state["job"].items() if key != "generate"},
        "commands": [stage["command"] for _, stage in stages],
        "seconds": {key: stage["seconds"] for key, stage in stages},
        "wall_seconds": state.get("wall_seconds"), "finished": state.get("finished"), "machine": machine(),
    }, roots))
    too_big = [path for path in scratch.rglob("*") if path.is_file() and path.stat().st_size > MAX_FILE_BYTES]
    if too_big:
        raise ValueError(f"{too_big[0].name} is over {MAX_FILE_BYTES / 1e6:g} MB: not committable evidence")
    leaked = [path for path in scratch.rglob("*.json") if str(REPO_ROOT) in path.read_text()]
    if leaked:
        raise ValueError(f"{leaked[0]} still names a path of this machine")
    if dest.exists():
        shutil.rmtree(dest)
    scratch.rename(dest)
    return dest


def audio_bytes(results: Path) -> int:
    """The bytes of every FLAC under a ``results/`` folder."""
    return sum(path.stat().st_size for path in Path(results).rglob("*.flac"))
