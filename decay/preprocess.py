"""Sander & Harder's preprocessing: single-note recordings → normalised (notes, slices, samples) tensors.

Reproduces ``audio_preprocessing/pipeline.py`` (README, "The method"): int16 samples, the **left
channel**, ``/32767.0``, causal Chebyshev decimation by ``q = rate // (2·highest_freq)`` to
the model rate ``sr = rate // q`` (guitar 2940 Hz, cello 11025 Hz, piano 8820 Hz), blocks of
``sr // slices_per_second`` samples (the time slices) with the last partial block
zero-padded, each note zero-padded or cut to ``T = sr·clip // block`` slices, targets
Y = X shifted by one slice plus an all-zero end slice, and one **global** mean and population
std over every entry of X, padding included (std floored at 1e-8), applied to X and Y.

    python -m decay.preprocess --preset run4 --input ~/.cache/audio-repro/reference/decay/guitar_train \
        --run runs/decay/run4

Writes ``data/x.npy``, ``data/y.npy``, ``data/stats.npz`` (mean, std, model rate, block
size, file names) and ``config.json``; notes named in ``hold_out`` (run 9) go to
``data/heldout_x.npy`` instead of the training set, normalised with the training statistics.
The transforms themselves are in ``decay/features.py``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from tqdm import tqdm

from decay.config import PRESETS, DecayConfig
from decay.features import block_layout, load_note, model_rate, note_blocks, shifted_targets, statistics
from shared import audio
from shared.rundir import InputError, add_common_arguments, cli_main, resolve_config, save_npy, save_npz, write_config
from shared.rundir import check_output_folder  # bad-input guards


def preprocess(input_path, run_dir, config: DecayConfig, progress=True) -> dict:
    """Read every note under ``input_path`` and write the run's data; returns the shapes."""
    input_path, run_dir = Path(input_path), Path(run_dir)
    files = [input_path] if input_path.is_file() else audio.list_audio_files(input_path, max_files=config.max_files)
    if not files:
        raise InputError(input_path, "no audio files found")
    stems = [path.stem for path in files]
    for name in config.hold_out:
        if name not in stems:
            raise InputError(input_path, f"held-out note {name!r} is not among the files")
    rates, notes = set(), []
    for path in tqdm(files, desc="notes", disable=not progress, unit="file"):
        signal, rate = load_note(path, config)
        if rates and rate not in rates:
            raise InputError(path, f"sample rate {rate} Hz differs from the other files' {rates.pop()} Hz; "
                             "resample the folder to one rate first")
        rates.add(rate)
        notes.append(signal)
    _, sample_rate = model_rate(rates.pop(), config.highest_freq)
    block, slices = block_layout(sample_rate, config)
    if slices <= config.prime:
        raise InputError("--set prime", f"a prime of {config.prime} slices leaves nothing to generate in a "
                         f"{slices}-slice note ({config.clip_seconds} s at {config.slices_per_second} slices/s)")
    for path, signal in zip(files, notes):
        if len(signal) < config.prime * block:
            raise InputError(path, f"shorter ({len(signal) / sample_rate:.3f} s) than the prime of {config.prime} "
                             f"slices ({config.prime * block / sample_rate:.3f} s)")
    blocks = np.stack([note_blocks(signal, block, slices) for signal in notes])
    held = np.array([stem in config.hold_out for stem in stems], dtype=bool)
    if held.all():
        raise InputError(input_path, "every note is held out: nothing left to train on")
    x = blocks[~held]
    mean, std = statistics(x, config)
    if config.normalisation == "per-file" and held.any():
        held_mean, held_std = statistics(blocks[held], config)
    else:
        held_mean, held_std = mean, std
    data = run_dir / "data"
    save_npy(data / "x.npy", ((x - mean) / std).astype(np.float32))  # faithful (Q22): float32, as Theano trained
    save_npy(data / "y.npy", ((shifted_targets(x) - mean) / std).astype(np.float32))
    if held.any():
        save_npy(data / "heldout_x.npy", ((blocks[held] - held_mean) / held_std).astype(np.float32))
    save_npz(data / "stats.npz", mean=mean, std=std, heldout_mean=held_mean, heldout_std=held_std,
             sample_rate=sample_rate, block_size=block)
    names = {"train": [stem for stem, out in zip(stems, held) if not out],
             "heldout": [stem for stem, out in zip(stems, held) if out]}
    shapes = {"x": list(x.shape), "heldout": [int(held.sum()), slices, block]}
    write_config(run_dir, config, inputs=[str(path) for path in files], notes=names, shapes=shapes,
                 model_rate=sample_rate, block_size=block)
    return shapes


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m decay.preprocess", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, preset=True)
    parser.add_argument("--input", required=True, type=Path, help="a folder of single-note recordings (or one file)")
    args = parser.parse_args(argv)
    config = resolve_config(DecayConfig, PRESETS, args.preset, args.overrides)
    check_output_folder(args.run, "--run")
    shapes = preprocess(args.input, args.run, config)
    held = f" (+{shapes['heldout'][0]} held out)" if shapes["heldout"][0] else ""
    print(f"{shapes['x'][0]} notes × {shapes['x'][1]} slices × {shapes['x'][2]} samples{held}; "
          f"wrote {args.run / 'data'}")


if __name__ == "__main__":
    cli_main(main)
