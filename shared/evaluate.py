"""Score every output of one run by every work's criteria: ``python -m shared.evaluate RUN_DIR``.

For each ``RUN_DIR/generated/*.wav`` it reads the summary the work wrote beside it
(``generated/NAME.json``), whose ``"evaluation"`` entry says what to compare the output with::

    "evaluation": {"reference": "corpora/amen/amen_120bpm.wav",   # original / training audio
                   "reference_offset_s": 0.046,                   # where the output's first sample sits in it
                   "reference_seconds": 5.0,                      # (optional) how much of it to compare with
                   "reference_label": "…", "trained_seconds": 0.74, "block": 1024,
                   "teacher_forced_seconds": 0.74,                # (GRUV) the output's teacher-forced start
                   "training_max": "data/max.npy",                # (autoencoder_synth) per-bin training max
                   "band_hz": 1470, "seed": null, "source_numbers": {"gruv:mse": "0.15 (E2)"}}

plus the run's own numbers (``loss.csv``: first and final loss, epochs; ``run_numbers.json``
when a work writes one, e.g. a held-out NLL), calls :func:`shared.criteria.all_criteria` and
writes ``RUN_DIR/metrics.json`` (the schema ``shared.report`` reads).  ``--reference FILE``
compares every output with FILE instead.  Relative reference paths are tried from the
current directory, then from the run directory.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from shared import criteria, metrics
from shared.audio import mean_downmix, read_audio
from shared.rundir import InputError, cli_main, read_json, read_losses, write_json
from shared.rundir import check_output_file  # bad-input guards

SCHEMA = 1


def run_numbers(run_dir: Path) -> dict:
    """The run's own numbers: ``loss.csv`` (column ``loss``) and ``run_numbers.json`` if present."""
    numbers = {}
    losses = read_losses(run_dir)
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
    return mean_downmix(sound.samples), sound.rate


def evaluate_output(wav: Path, run_dir: Path, numbers: dict, reference_override=None) -> dict:
    """One output's entry of ``metrics.json``, from the summary the work wrote beside it."""
    summary_path = wav.with_suffix(".json")
    evaluation = (read_json(summary_path) if summary_path.is_file() else {}).get("evaluation", {})
    if reference_override:
        evaluation = {**evaluation, "reference": reference_override, "reference_offset_s": 0.0,
                      "reference_label": "--reference"}
    reference = evaluation.get("reference")
    seed = evaluation.get("seed")
    return score_output(wav, None if reference is None else _find(reference, run_dir),
                        offset_s=float(evaluation.get("reference_offset_s", 0.0)),
                        seed=None if seed is None else _find(seed, run_dir), run_numbers=numbers,
                        training_max=(None if evaluation.get("training_max") is None
                                      else _find(evaluation["training_max"], run_dir)),
                        name=wav.stem, wav_label=str(wav.relative_to(run_dir)), **{
                            key: evaluation.get(key)
                            for key in ("reference_seconds", "reference_label", "trained_seconds",
                                        "teacher_forced_seconds", "block", "band_hz", "source_numbers")})


def score_output(wav, reference=None, *, offset_s=0.0, reference_seconds=None, seed=None, run_numbers=None, name=None,
                 wav_label=None, reference_label=None, trained_seconds=None, teacher_forced_seconds=None, block=None,
                 band_hz=None, source_numbers=None, training_max=None) -> dict:
    """Score one audio file by every work's criteria against ``reference`` (from ``offset_s`` on, for
    ``reference_seconds`` if given).

    Returns the output's entry of ``metrics.json`` (``wav_label`` is how the entry names the
    file, by default its path).
    """
    output, rate = mono(wav)
    samples = reference_rate = None
    if reference is not None:
        samples, reference_rate = mono(reference)
        samples = samples[int(round(offset_s * reference_rate)):]
        if reference_seconds is not None:
            samples = samples[: int(round(reference_seconds * reference_rate))]
        if not len(samples):
            raise InputError(reference, f"shorter than the offset {offset_s} s given for {Path(wav).name}")
    seed_samples, seed_rate = mono(seed) if seed is not None else (None, None)
    context = {"run_numbers": run_numbers or {}, "trained_seconds": trained_seconds, "block": block, "band_hz": band_hz,
               "seed": seed_samples, "seed_rate": seed_rate, "teacher_forced_seconds": teacher_forced_seconds,
               "training_max": None if training_max is None else np.load(training_max)}
    return {
        "name": name or Path(wav).stem,
        "wav": wav_label or str(wav),
        "reference": None if reference is None else str(Path(reference).resolve()),
        "reference_offset_s": offset_s,
        "reference_label": reference_label,
        "seconds": len(output) / rate, "rate": rate,
        "criteria": criteria.all_criteria(output, rate, samples, reference_rate, context=context),
        "source_numbers": source_numbers or {},
        "metrics": {"peak": float(np.abs(output).max()), "level_dbfs": metrics.level_dbfs(output),
                    "reference_seconds": None if samples is None else len(samples) / reference_rate},
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
    write_json(path, {"schema": SCHEMA, "work": work, "preset": settings.get("preset", run_dir.name),
                      "run": str(run_dir), "run_numbers": numbers, "outputs": outputs})
    return path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="run directory (with generated/*.wav)")
    parser.add_argument("--reference", type=Path, default=None,
                        help="compare every output with this audio file instead")
    args = parser.parse_args(argv)
    if Path(args.run).is_dir():
        check_output_file(Path(args.run) / "metrics.json")
    print(f"wrote {evaluate_run(args.run, args.reference)}")


if __name__ == "__main__":
    cli_main(main)
