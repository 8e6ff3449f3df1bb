"""Pfalz, Berdahl & Allison's data: one 11025 Hz recording, cut into [n, L] training pairs by a moving cursor.

``Training_Manager.next`` (facts §2): with the cursor c, row stride Δi, label offset o and
label shape (r, w), iteration k of an epoch (c = k·Δe, every epoch restarting at 0) trains on

* waveform approaches: X[i] = x[c + iΔi : c + iΔi + L] (i < n), Y[j] = x[c + o + jΔi : … + w] (j < r):
  vector o = L, (n, L): each row's next vector; column o = L, (n, 1): the sample after each
  row; transpose (1, 1) with o = n·L, the sample after the whole matrix (Q3's decision;
  ``--set label_offset=L`` runs the code-literal one);
* magnitude: X = S[c : c + n], Y = S[c + 1 : c + n + 1] over the spectrogram's frames
  (symmetric Blackman of L, zero-padded to 2L, the first L magnitude bins, one global max).

The signal is float in [−1, 1] (an int16 file is scaled, fixing the original's Q14), mono,
at 11025 Hz (another rate is refused unless ``resample=true``).

    python -m dreaming.preprocess --preset example7-magnitude-hop256 --input ~/.cache/audio-repro/reference/dreaming/limited_guitar.wav --run runs/dreaming/ex7

Writes ``data/signal.npy`` (float32), ``data/spectrogram.npy`` (magnitude: normalised frames),
``data/stats.npz`` and ``config.json`` (with the resolved layout and iterations per epoch).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np

from dreaming.config import PRESETS, DreamingConfig
from shared import audio
from shared.rundir import InputError, add_common_arguments, cli_main, resolve_config, save_npy, save_npz, write_config
from shared.rundir import check_output_folder  # bad-input guards


@dataclasses.dataclass(frozen=True)
class Layout:
    """The resolved cutting of one approach: L, n, Δi, Δe, o and the label shape (r, w)."""

    length: int
    rows: int
    stride: int
    advance: int
    offset: int
    label_rows: int
    label_width: int
    frames: bool  # magnitude: rows are spectrogram frames

    def input_span(self) -> int:
        return self.stride * (self.rows - 1) + self.length

    def label_span(self) -> int:
        return self.offset + self.stride * (self.label_rows - 1) + self.label_width


def layout(config: DreamingConfig) -> Layout:
    """The approach's cutting with the configured overrides (facts §2 "Per-approach settings")."""
    length, rows = config.seg_len, config.rows
    if config.approach == "magnitude":
        offset = config.label_offset if config.label_offset is not None else 1
        return Layout(length, rows, 1, config.cursor_advance, offset, rows, length, True)
    stride = config.row_stride or length
    label = {"vector": (rows, length), "column": (rows, 1), "transpose": (1, 1)}[config.approach]
    default_offset = rows * length if config.approach == "transpose" else length
    offset = config.label_offset if config.label_offset is not None else default_offset
    return Layout(length, rows, stride, config.cursor_advance, offset, label[0], label[1], False)


def iterations_per_epoch(units: int, cut: Layout) -> int:
    """Cursor positions per epoch over ``units`` samples (or frames) such that inputs and labels fit.

    The original's count, ⌊(len − (L + Δi(n−1)))/Δe⌋ (sf0:1044-1046), would cut the labels
    of the last iterations short where they reach further than the inputs (vector: the last
    L − 1); we stop before them.  Magnitude: len(S) − (n + 1) (sf0:1048) with the label one
    frame on; with another offset o, len(S) − (n + o), so that the labels S[c+o : c+n+o] fit
    (the original's count ignored o and would read past the end).
    """
    if cut.frames:
        return max(units - (cut.rows + cut.offset), 0)
    span = max(cut.input_span(), cut.label_span())
    return max((units - span) // cut.advance + (1 if units >= span else 0), 0) if cut.advance else 0


def input_indices(cut: Layout) -> np.ndarray:
    """(n, L) offsets from the cursor of every input element (waveform) or (n,) frame offsets (magnitude)."""
    if cut.frames:
        return np.arange(cut.rows)
    return cut.stride * np.arange(cut.rows)[:, None] + np.arange(cut.length)[None, :]


def label_indices(cut: Layout) -> np.ndarray:
    """(r, w) offsets from the cursor of every label element (waveform) or (n,) frame offsets (magnitude)."""
    if cut.frames:
        return cut.offset + np.arange(cut.rows)
    return cut.offset + cut.stride * np.arange(cut.label_rows)[:, None] + np.arange(cut.label_width)[None, :]


def training_pair(data: np.ndarray, cursor: int, cut: Layout) -> tuple[np.ndarray, np.ndarray]:
    """(X, Y) at ``cursor``: X (n, L); Y (r, w) or, magnitude, (n, L)."""
    return data[cursor + input_indices(cut)], data[cursor + label_indices(cut)]


def seed_matrix(data: np.ndarray, start: int, cut: Layout) -> np.ndarray:
    """``prep_seed``: n contiguous rows of L samples from ``start`` (waveform), or n frames (magnitude)."""
    if cut.frames:
        return np.array(data[start:start + cut.rows])
    return np.array(data[start:start + cut.rows * cut.length]).reshape(cut.rows, cut.length)


def magnitude_frames(signal: np.ndarray, config: DreamingConfig) -> tuple[np.ndarray, float]:
    """The normalised spectrogram (frames, L) and the global max it was divided by (facts §5 "Analysis")."""
    from dreaming import vocoder

    spectrogram = vocoder.magnitude_spectrogram(signal, config.seg_len, config.hop)
    normalised, peak = vocoder.normalise(spectrogram)
    return normalised.astype(np.float32), float(peak)


def load_signal(path, config: DreamingConfig, purpose="the training audio") -> np.ndarray:
    """Mono float in [−1, 1] at ``config.sample_rate`` (mean of the channels; the paper's files are mono)."""
    read = audio.read_audio(path, purpose=purpose)
    signal = audio.mean_downmix(read.samples)  # Q14 fixed: integer files are scaled to [−1, 1] by the reader
    if read.rate != config.sample_rate:
        if not config.resample:
            raise InputError(path, f"sample rate {read.rate} Hz, but this work runs at {config.sample_rate} Hz (as every "
                             "file of the paper): add --set resample=true to convert it")
        print(f"note: {path}: resampled from {read.rate} Hz to {config.sample_rate} Hz")
        signal = audio.resample(signal, read.rate, config.sample_rate)
    if config.max_seconds is not None:
        signal = signal[: int(round(config.max_seconds * config.sample_rate))]
    return signal.astype(np.float32)


def preprocess(input_path, run_dir, config: DreamingConfig) -> dict:
    """Read the recording, check it holds at least one training pair, and write the run's data."""
    input_path, run_dir = Path(input_path), Path(run_dir)
    if config.approach == "magnitude" and not 1 <= config.hop:
        raise InputError("--set hop", f"must be at least 1, not {config.hop}")
    if config.rows < 1 or config.seg_len < 2 or config.cursor_advance < 1:
        raise InputError("--set", "rows, seg_len and cursor_advance must be positive (seg_len at least 2)")
    if config.label_offset is not None and config.label_offset < 0:
        raise InputError("--set label_offset", f"must be 0 or more (samples, or frames for magnitude), not {config.label_offset}")
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
        needed = f"{max(cut.input_span(), cut.label_span()) + 1} samples (n·L = {cut.rows} × {cut.length} and the label)"
    if count < 1:
        raise InputError(input_path, f"too short: {len(signal)} samples ({len(signal) / config.sample_rate:.2f} s); one "
                         f"training pair needs at least {needed}")
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
    parser.add_argument("--input", required=True, type=Path, help="one recording (11025 Hz; the paper's guitar by default)")
    args = parser.parse_args(argv)
    config = resolve_config(DreamingConfig, PRESETS, args.preset, args.overrides)
    check_output_folder(args.run, "--run")
    summary = preprocess(args.input, args.run, config)
    unit = "frames" if summary["layout"]["frames"] else "samples"
    print(f"{summary['units']} {unit} ({summary['seconds']:.2f} s); {summary['iterations_per_epoch']} iterations per epoch; "
          f"wrote {args.run / 'data'}")


if __name__ == "__main__":
    cli_main(main)
