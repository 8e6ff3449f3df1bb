"""Pfalz, Berdahl & Allison's data: one 11025 Hz recording, cut into [n, L] training pairs by a moving cursor.

``Training_Manager.next`` (README, 'The equations'): with the cursor c, row stride Δi, label offset o and
label shape (r, w), iteration k of an epoch (c = k·Δe, every epoch restarting at 0) trains on

* waveform approaches: X[i] = x[c + iΔi : c + iΔi + L] (i < n), Y[j] = x[c + o + jΔi : … + w] (j < r):
  vector o = L, (n, L): each row's next vector; column o = L, (n, 1): the sample after each
  row; transpose (1, 1) with o = n·L, the sample after the whole matrix (Q3's decision;
  ``--set label_offset=L`` runs the code-literal one);
* magnitude: X = S[c : c + n], Y = S[c + 1 : c + n + 1] over the spectrogram's frames
  (symmetric Blackman of L, zero-padded to 2L, the first L magnitude bins, one global max).

The signal is float in [−1, 1] (an int16 file is scaled, fixing the original's Q14), mono,
at 11025 Hz (another rate is refused unless ``resample=true``).  The reading, the analysis and
the cutting are :mod:`dreaming.features`'s.

    python -m dreaming.preprocess --preset example7-magnitude-hop256 \\
        --input ~/.cache/audio-repro/reference/dreaming/limited_guitar.wav --run runs/dreaming/ex7

Writes ``data/signal.npy`` (float32), ``data/spectrogram.npy`` (magnitude: normalised frames),
``data/stats.npz`` and ``config.json`` (with the resolved layout and iterations per epoch).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np

from dreaming.config import PRESETS, DreamingConfig
from dreaming.features import iterations_per_epoch, layout, load_signal, magnitude_frames
from shared.rundir import InputError, add_common_arguments, cli_main, resolve_config, save_npy, save_npz, write_config
from shared.rundir import check_output_folder  # bad-input guards


def preprocess(input_path, run_dir, config: DreamingConfig) -> dict:
    """Read the recording, check it holds at least one training pair, and write the run's data."""
    input_path, run_dir = Path(input_path), Path(run_dir)
    if config.approach == "magnitude" and not 1 <= config.hop:
        raise InputError("--set hop", f"must be at least 1, not {config.hop}")
    if config.rows < 1 or config.seg_len < 2 or config.cursor_advance < 1:
        raise InputError("--set", "rows, seg_len and cursor_advance must be positive (seg_len at least 2)")
    if config.label_offset is not None and config.label_offset < 0:
        raise InputError("--set label_offset",
                         f"must be 0 or more (samples, or frames for magnitude), not {config.label_offset}")
    signal = load_signal(input_path, config)
    cut = layout(config)
    if cut.frames:
        if len(signal) < config.seg_len:
            raise InputError(input_path, f"too short: {len(signal)} samples hold no window of {config.seg_len}")
        data, peak = magnitude_frames(signal, config)
        count = iterations_per_epoch(len(data), cut)
        needed = (f"{cut.rows + cut.offset + 1} frames of hop {config.hop} "
                  f"({(cut.rows + cut.offset) * config.hop + config.seg_len} samples)")
    else:
        data, peak = signal, float(np.max(np.abs(signal)))
        count = iterations_per_epoch(len(data), cut)
        needed = (f"{max(cut.input_span(), cut.label_span()) + 1} samples "
                  f"(n·L = {cut.rows} × {cut.length} and the label)")
    if count < 1:
        raise InputError(input_path, f"too short: {len(signal)} samples ({len(signal) / config.sample_rate:.2f} s); "
                         f"one training pair needs at least {needed}")
    if config.approach == "transpose" and config.max_iterations is None and config.dream_length > count * config.epochs:
        print("note: the dream is longer than the whole training run; no dream will be saved")
    save_npy(run_dir / "data" / "signal.npy", signal)
    if cut.frames:
        save_npy(run_dir / "data" / "spectrogram.npy", data)
    save_npz(run_dir / "data" / "stats.npz", peak=peak)
    summary = {"samples": len(signal), "seconds": len(signal) / config.sample_rate, "units": len(data),
               "iterations_per_epoch": count, "layout": dataclasses.asdict(cut)}
    write_config(run_dir, config, input=str(input_path), **summary)
    return summary


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dreaming.preprocess", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, preset=True)
    parser.add_argument("--input", required=True, type=Path,
                        help="one recording (11025 Hz; the paper's guitar by default)")
    args = parser.parse_args(argv)
    config = resolve_config(DreamingConfig, PRESETS, args.preset, args.overrides)
    check_output_folder(args.run, "--run")
    summary = preprocess(args.input, args.run, config)
    unit = "frames" if summary["layout"]["frames"] else "samples"
    print(f"{summary['units']} {unit} ({summary['seconds']:.2f} s); {summary['iterations_per_epoch']} iterations per "
          f"epoch; wrote {args.run / 'data'}")


if __name__ == "__main__":
    cli_main(main)
