"""Dream from a trained model with a chosen seed (paper §5.1: a seed holding only the desired pitches).

The trained network runs the FIFO of ``dreaming.train`` on its own, the weights fixed: from the
seed (the first n·L samples of ``--seed-file``, or its first n frames normalised by **its own**
max for the magnitude approach, Q15; by default the start of the training audio) and a zero
dream state, for as many steps as ``--seconds`` needs, dropout active as in the original's
dreams (Q2; ``--set dropout_in_dreams=false`` turns it off).  Several ``--seed-file`` give
several dreams; **fast** mode dreams them together in one batch, in one compiled loop, on the
last row only (all n rows for the transpose); **faithful** steps each one from Python on all
n rows.

    python -m dreaming.generate --run runs/dreaming/ex7 --seed-file my_pitches.wav --seconds 10 [--mode fast]
    python -m dreaming.generate --run runs/dreaming/ex10 --seed-pitches A3,E4 --name chosen   # a seed of chosen pitches

Writes ``generated/<name>.wav`` (+ ``.json``) per seed.  The dream loops are
:mod:`dreaming.sampling`'s, the network is read by :func:`dreaming.model.load_trained`.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np

from dreaming.config import DreamingConfig
from dreaming.features import chosen_pitch_seed, layout_of, load_signal, magnitude_frames, seed_matrix
from dreaming.sampling import FastDreamer, dream_audio, dream_faithful, fast_rows
from shared import audio
from shared import pretrained
from shared.rundir import InputError, add_common_arguments, apply_overrides, cli_main, load_config, write_json
from shared.rundir import check_output_folder, check_run_data  # bad-input guards


def steps_for(seconds: float, config: DreamingConfig) -> int:
    """Dream steps giving at least ``seconds`` of audio: vectors, frames ((N+1)·hop samples) or samples."""
    samples = seconds * config.sample_rate
    if config.approach == "vector":
        return max(1, math.ceil(samples / config.seg_len))
    if config.approach == "magnitude":
        return max(1, math.ceil(samples / config.hop) - 1)
    return max(1, math.ceil(samples))


def seed_from_file(path, config: DreamingConfig, cut) -> np.ndarray:
    """The seed matrix of a seed file: its first n·L samples, or its first n frames over its own max (Q15)."""
    signal = load_signal(path, config, purpose="a seed")
    if cut.frames:
        if len(signal) < config.seg_len + (cut.rows - 1) * config.hop:
            raise InputError(path, f"too short for a seed: {cut.rows} frames of hop {config.hop} need "
                             f"{config.seg_len + (cut.rows - 1) * config.hop} samples, it has {len(signal)}")
        frames, _ = magnitude_frames(signal, config)
        return seed_matrix(frames, 0, cut)
    if len(signal) < cut.rows * cut.length:
        raise InputError(path, f"too short for a seed: n·L = {cut.rows} × {cut.length} = {cut.rows * cut.length} "
                         f"samples needed, it has {len(signal)}")
    return seed_matrix(signal, 0, cut)


def pitch_seed_file(run_dir, config: DreamingConfig, notes: str) -> Path:
    """Write the seed of chosen pitches ``notes`` (``"A3,E4"``, :func:`dreaming.features.chosen_pitch_seed`), long
    enough for this run's seed and at least 2 s, to ``<run>/seeds/pitches_<notes>.wav``; returns its path."""
    names = [name for name in notes.split(",") if name.strip()]
    cut = layout_of(load_config(run_dir, DreamingConfig)[1])
    needed = config.seg_len + (cut.rows - 1) * config.hop if cut.frames else cut.rows * cut.length
    seed = chosen_pitch_seed(names, max(2.0, 1.1 * needed / config.sample_rate), config.sample_rate)
    path = Path(run_dir) / "seeds" / f"pitches_{'-'.join(name.strip() for name in names)}.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    return audio.write_wav(path, seed, config.sample_rate)


def generate(run_dir, config: DreamingConfig, seed_files=(), seconds=10.0, mode="faithful", name=None, progress=True):
    """Dream one output per seed file (or from the training audio's start); returns the summaries."""
    from dreaming.model import load_trained

    run_dir = Path(run_dir)
    _, document = load_config(run_dir, DreamingConfig)
    cut = layout_of(document)
    network = load_trained(run_dir)
    if seed_files:
        seeds = [seed_from_file(path, config, cut) for path in seed_files]
        labels = [Path(path).stem for path in seed_files]
    else:
        data = np.load(run_dir / "data" / ("spectrogram.npy" if cut.frames else "signal.npy"))
        seeds, labels, seed_files = [seed_matrix(data, 0, cut)], ["training-start"], [None]
    steps = steps_for(seconds, config)
    started = time.perf_counter()
    if mode == "fast":
        stacked = FastDreamer(network, config, fast_rows(cut, config.approach))(np.stack(seeds), steps)
        dreams = [list(stacked[:, index]) for index in range(len(seeds))]
    else:
        dreams = [dream_faithful(network, seed.astype(np.float32), steps, config, progress) for seed in seeds]
    elapsed = time.perf_counter() - started
    rng, summaries = np.random.default_rng(config.seed), []
    for label, seed_file, kept in zip(labels, seed_files, dreams):
        out_name = f"{name or 'dream'}_{label}_{steps}" + ("" if mode == "faithful" else "_fast")
        signal = dream_audio(kept, config, rng)
        path = audio.write_wav(run_dir / "generated" / f"{out_name}.wav", signal.astype(np.float32), config.sample_rate,
                               subtype="FLOAT")
        block = config.hop if cut.frames else (cut.length if config.approach == "vector" else None)
        evaluation = {"reference": document["input"], "reference_label": "the training audio", "block": block}
        if config.approach == "transpose" and seed_file is not None:
            evaluation["seed"] = str(seed_file)
        summary = {"wav": path.name, "mode": mode, "steps": steps,
                   "seed_file": None if seed_file is None else str(seed_file),
                   "seconds": len(signal) / config.sample_rate, "generation_seconds": elapsed,
                   "real_time_factor": len(signal) * len(seeds) / config.sample_rate / elapsed,
                   "evaluation": evaluation}
        write_json(path.with_suffix(".json"), summary)
        summaries.append(summary)
    return summaries


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dreaming.generate", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, pretrained=True)
    parser.add_argument("--seed-file", action="append", default=[], type=Path,
                        help="a recording to start the dream from (repeatable: one dream each)")
    parser.add_argument("--seed-pitches", action="append", default=[], metavar="NOTES",
                        help="a seed made of chosen pitches, e.g. A3,E4 (paper §5.1): the notes plucked together, "
                             "written to <run>/seeds/pitches_<notes>.wav (repeatable: one dream each)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="length of each dream (default: the preset's, 10 s)")
    parser.add_argument("--mode", choices=("faithful", "fast"), default="faithful")
    parser.add_argument("--name", default=None, help="output name prefix (default: dream)")
    args = parser.parse_args(argv)
    args.run = pretrained.resolve("dreaming", args.run)
    config = apply_overrides(load_config(args.run, DreamingConfig)[0], args.overrides)
    seconds = config.dream_seconds if args.seconds is None else args.seconds
    if not (args.seed_file or args.seed_pitches):  # the default seed: the start of the training audio
        check_run_data(args.run, ["data/signal.npy"], "dreaming.preprocess")
    check_output_folder(args.run / "generated", "--run")
    if not seconds > 0:
        raise InputError("--seconds", f"must be positive, not {seconds}")
    for notes in args.seed_pitches:  # every name checked before any seed is written
        chosen_pitch_seed(notes.split(","), 0.01, config.sample_rate)
    seed_files = list(args.seed_file) + [pitch_seed_file(args.run, config, notes) for notes in args.seed_pitches]
    for summary in generate(args.run, config, seed_files, seconds, args.mode, args.name):
        print(f"wrote {Path(args.run) / 'generated' / summary['wav']} ({summary['seconds']:.1f} s, "
              f"{summary['real_time_factor']:.2f}x real time)")


if __name__ == "__main__":
    cli_main(main)
