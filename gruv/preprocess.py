"""GRUV's preprocessing: audio files → normalised (examples, timesteps, features) tensors.

Reproduces ``convert_directory.py`` → ``data_utils/parse_files.py`` (README, "The method in brief"): 16-bit mono
44.1 kHz audio scaled by 1/32767, non-overlapping unwindowed blocks with the last one
zero-padded, the [Re | Im] layout of the full N-point FFT computed in float64, targets Y = X
shifted by one block plus an all-zero end block, non-overlapping examples cut by the strict
``cur + L < total`` rule, and one mean / population std per feature (std floored at 1e-8)
applied to X and to Y.  Fiala's variants (half-FFT features, one example per zero-padded
file) are settings.  The transforms themselves are in ``gruv/features.py``.

    python -m gruv.preprocess --preset gruv --input my_music/ --run runs/gruv/mine
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from tqdm import tqdm

from gruv.config import PRESETS, GruvConfig
from gruv.features import load_audio, preprocess_signals
from shared import audio
from shared.rundir import InputError, add_common_arguments, cli_main, resolve_config, save_npy, save_npz, write_config
from shared.rundir import check_output_folder  # bad-input guards


def minimum_seconds(config: GruvConfig) -> float:
    """The shortest file that gives one example: more than L blocks under GRUV's strict rule."""
    if config.chunking == "gruv":
        return (config.max_seq_len * config.block_size + 1) / config.sample_rate
    return 1.0 / config.sample_rate


def preprocess(input_path, run_dir, config: GruvConfig, progress=True) -> dict:
    """Read every file under ``input_path`` and write the run's data; returns the file count and the shapes.

    Raises
    ------
    InputError
        When no file is long enough for one example (naming the file, or the folder).
    """
    input_path, run_dir = Path(input_path), Path(run_dir)
    files = audio.list_audio_files(input_path, order=config.file_order, max_files=config.max_files)
    reading = tqdm(files, desc="reading", unit="file", disable=not progress or len(files) < 4)
    signals = [load_audio(path, config) for path in reading]
    x, y, mean, std, counts = preprocess_signals(signals, config)
    too_short = [path for path, count in zip(files, counts) if count == 0]
    if x is None:
        where = files[0] if len(files) == 1 else input_path
        raise InputError(
            where, f"too short for preset {config.preset!r}: every file needs more than "
            f"{config.max_seq_len} blocks of {config.block_size} samples (> {minimum_seconds(config):.3f} s) "
            "to give one training example (GRUV's strict chunking rule, Q8)"
        )
    for path in too_short:
        print(f"warning: {path}: too short for one example, skipped (GRUV skipped it too)")

    data = run_dir / "data"
    for name, array in (("x", x), ("y", y)):
        save_npy(data / f"{name}.npy", array.astype(np.float32))  # Theano's floatX: training used float32
    # faithful (Q10): GRUV saved the std as "_var.npy"; both names are kept.
    save_npz(data / "stats.npz", mean=mean, std=std, var=std)
    write_config(
        run_dir, config,
        inputs=[{"file": str(path), "examples": count} for path, count in zip(files, counts)],
        shapes={"x": list(x.shape), "y": list(y.shape)},
    )
    return {"files": len(files), "x": list(x.shape), "y": list(y.shape)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gruv.preprocess", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, preset=True)
    parser.add_argument("--input", required=True, type=Path, help="an audio file or a folder of them")
    args = parser.parse_args(argv)
    config = resolve_config(GruvConfig, PRESETS, args.preset, args.overrides)
    check_output_folder(args.run, "--run")
    shapes = preprocess(args.input, args.run, config)
    print(f"{shapes['files']} file(s) -> x, y of shape {tuple(shapes['x'])}; wrote {Path(args.run) / 'data'}")


if __name__ == "__main__":
    cli_main(main)
