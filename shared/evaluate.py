"""Score every output of one run by every work's criteria: ``python -m shared.evaluate RUN_DIR``.

For each ``RUN_DIR/generated/*.wav`` it reads the summary the work wrote beside it
(``generated/NAME.json``), whose ``"evaluation"`` entry says what to compare the output with::

    "evaluation": {"reference": "corpora/amen/amen_120bpm.wav",   # original / training audio
                   "reference_offset_s": 0.046,                   # where the output's first sample sits in it
                   "reference_label": "…", "trained_seconds": 0.74, "block": 1024,
                   "band_hz": 1470, "seed": null, "source_numbers": {"gruv:mse": "0.15 (E2)"}}

plus the run's own numbers (``loss.csv``: first and final loss, epochs; ``run_numbers.json``
when a work writes one, e.g. a held-out NLL), calls :func:`shared.criteria.all_criteria` and
writes ``RUN_DIR/metrics.json`` (the schema ``shared.report`` reads).  ``--reference FILE``
compares every output with FILE instead.  Relative reference paths are tried from the
current directory, then from the run directory.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

from shared import criteria, metrics
from shared.audio import read_audio
from shared.rundir import InputError, cli_main, read_json, write_json

SCHEMA = 1


def run_numbers(run_dir: Path) -> dict:
    """The run's own numbers: ``loss.csv`` (column ``loss``) and ``run_numbers.json`` if present."""
    numbers = {}
    losses_path = run_dir / "loss.csv"
    if losses_path.is_file():
        with open(losses_path, newline="") as handle:
            losses = [float(row["loss"]) for row in csv.DictReader(handle) if row.get("loss")]
        if losses:
            numbers.update(first_loss=losses[0], final_loss=losses[-1], epochs=len(losses))
    extra = run_dir / "run_numbers.json"
    if extra.is_file():
        numbers.update(read_json(extra))
    return numbers


def _find(path, run_dir: Path) -> Path:
    path = Path(path)
    if path.is_absolute() or path.exists():
        return path
    return run_dir / path if (run_dir / path).exists() else path


def mono(path) -> tuple[np.ndarray, int]:
    """A file's samples as mono float64 (mean of the channels) and its rate."""
    sound = read_audio(path, need_sound=False)
    return sound.samples.mean(axis=1), sound.rate


def evaluate_output(wav: Path, run_dir: Path, numbers: dict, reference_override=None) -> dict:
    """One output's entry of ``metrics.json``."""
    summary_path = wav.with_suffix(".json")
    summary = read_json(summary_path) if summary_path.is_file() else {}
    evaluation = summary.get("evaluation", {})
    output, rate = mono(wav)
    reference_path = reference_override or evaluation.get("reference")
    reference = reference_rate = None
    offset = 0.0 if reference_override else float(evaluation.get("reference_offset_s", 0.0))
    if reference_path is not None:
        reference_path = _find(reference_path, run_dir)
        reference, reference_rate = mono(reference_path)
        reference = reference[int(round(offset * reference_rate)):]
        if not len(reference):
            raise InputError(reference_path, f"shorter than the offset {offset} s given for {wav.name}")
    seed, seed_rate = mono(_find(evaluation["seed"], run_dir)) if evaluation.get("seed") else (None, None)
    context = {"run_numbers": numbers, "trained_seconds": evaluation.get("trained_seconds"), "block": evaluation.get("block"),
               "band_hz": evaluation.get("band_hz"), "seed": seed, "seed_rate": seed_rate}
    return {
        "name": wav.stem,
        "wav": str(wav.relative_to(run_dir)),
        "reference": None if reference_path is None else str(Path(reference_path).resolve()),
        "reference_offset_s": offset,
        "reference_label": "--reference" if reference_override else evaluation.get("reference_label"),
        "seconds": len(output) / rate, "rate": rate,
        "criteria": criteria.all_criteria(output, rate, reference, reference_rate, context=context),
        "source_numbers": evaluation.get("source_numbers", {}),
        "metrics": {"peak": float(np.abs(output).max()), "level_dbfs": metrics.level_dbfs(output),
                    "reference_seconds": None if reference is None else len(reference) / reference_rate},
    }


def evaluate_run(run_dir, reference=None, progress=True) -> Path:
    """Write ``RUN_DIR/metrics.json`` for every generated WAV of the run; returns its path."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError(run_dir, "run directory not found")
    wavs = sorted((run_dir / "generated").glob("*.wav"))
    if not wavs:
        raise InputError(run_dir / "generated", "no generated WAV files: run the work's generate step first")
    config = read_json(run_dir / "config.json") if (run_dir / "config.json").is_file() else {}
    settings = config.get("settings", {})
    numbers = run_numbers(run_dir)
    outputs = []
    for count, wav in enumerate(wavs, 1):
        if progress:
            print(f"[evaluate] {count}/{len(wavs)} {wav}", file=sys.stderr, flush=True)
        outputs.append(evaluate_output(wav, run_dir, numbers, reference))
    path = run_dir / "metrics.json"
    work = config.get("work") or (run_dir.parent.name if run_dir.parent.name in criteria.WORKS else None)
    write_json(path, {"schema": SCHEMA, "work": work, "preset": settings.get("preset", run_dir.name), "run": str(run_dir),
                      "run_numbers": numbers, "outputs": outputs})
    return path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="run directory (with generated/*.wav)")
    parser.add_argument("--reference", type=Path, default=None, help="compare every output with this audio file instead")
    args = parser.parse_args(argv)
    print(f"wrote {evaluate_run(args.run, args.reference)}")


if __name__ == "__main__":
    cli_main(main)
