"""Glover's data preparation (``data.lua:29-81``): one note → phase-vocoder frames → normalised deltas.

The file is read as the original's sox loader gave it (the file's full-scale value / 2; of a
stereo file the **left channel**, our choice: the original read the interleaved samples, see
``stereo`` in :mod:`mdn_vocoder.config`), analysed by
:func:`mdn_vocoder.phase_vocoder.analyse`, and each frame cut to its first P bins, DC
included, interleaved ``[a0, f0, a1, f1, …]`` (D = 2P).  Then, as ``data.lua``
(:func:`mdn_vocoder.features.prepare`):

* the frames are truncated to a multiple of B·S (batch × sequence length);
* the initial frame for generation is frame floor(F/2) (1-based), 0-based floor(F/2) − 1;
* deltas[t] = frame[t+1] − frame[t], the last one **wrapping** to frame[0] − frame[F−1];
* one global mean and unbiased std over every amplitude delta, another over every frequency
  delta (the DC bin's zeros included); both means come out ≈ 0.

``representation=absolute`` (the blog's first sine run, in no commit) normalises the frames
themselves the same way.  ``heldout_fraction`` > 0 (ours, off by default) keeps the last part
of the frames out of training to measure the NLL on.

    python -m mdn_vocoder.preprocess --preset sine \\
        --input ~/.cache/audio-repro/reference/mdn_vocoder/sine_440.wav --run runs/mdn/sine

Writes ``data/frames.npy`` (F, P, 2: magnitude, Hz, float64), ``data/x.npy`` (F, D, the
normalised training sequence), ``data/heldout_x.npy`` (when held out), ``data/stats.npz``
and ``config.json``.
"""

from __future__ import annotations

import argparse
from pathlib import Path


from mdn_vocoder import phase_vocoder
from mdn_vocoder.config import PRESETS, MdnConfig
from mdn_vocoder.features import load_signal, prepare
from shared.rundir import InputError, add_common_arguments, cli_main, resolve_config, save_npy, save_npz, write_config
from shared.rundir import check_output_folder  # bad-input guards


def preprocess(input_path, run_dir, config: MdnConfig) -> dict:
    """Analyse one note file and write the run's data; returns a summary."""
    input_path, run_dir = Path(input_path), Path(run_dir)
    if input_path.is_dir():
        raise InputError(input_path,
                         "is a folder: this work learns from one note file (the blog's sine, clarinet, piano)")
    if config.components > config.fft_size // 2 + 1 or config.components < 2:
        raise InputError("--set components", f"{config.components} is not between 2 and {config.fft_size // 2 + 1} "
                         f"(the bins of an FFT of {config.fft_size}, DC included)")
    if config.fft_size < 8 or config.fft_size % 4:
        raise InputError("--set fft_size", f"{config.fft_size} is not a multiple of 4 (the hop is fft_size/4)")
    if not 0.0 <= config.heldout_fraction < 1.0:
        raise InputError("--set heldout_fraction", f"{config.heldout_fraction} is not in [0, 1)")
    signal, file_rate, channels = load_signal(input_path, config)
    count = phase_vocoder.frame_count(len(signal), config.fft_size)
    if count < 1:
        raise InputError(input_path, f"too short: {len(signal)} samples hold no complete frame of {config.fft_size} "
                         f"samples at hop {config.fft_size // 4} (at least {config.fft_size + 1} samples needed)")
    frames = phase_vocoder.analyse(signal, config.fft_size, config.sample_rate)[:, :config.components]
    per_batch = config.batch_size * config.seq_length
    usable = count - int(round(config.heldout_fraction * count))
    if usable < per_batch:
        raise InputError(input_path, f"too short: {count} frames ({len(signal) / config.sample_rate:.3f} s) leave "
                         f"{usable} for training, fewer than one batch of {config.batch_size} × {config.seq_length}")
    prepared = prepare(frames, config)
    data = run_dir / "data"
    save_npy(data / "frames.npy", frames)
    save_npy(data / "x.npy", prepared["x"])
    if prepared["heldout_x"] is not None:
        save_npy(data / "heldout_x.npy", prepared["heldout_x"])
    save_npz(data / "stats.npz", **prepared["stats"], initial_frame=prepared["initial_frame"],
             initial_index=prepared["initial_index"])
    summary = {"frames": count, "kept_frames": prepared["kept"], "batches": prepared["kept"] // per_batch,
               "dimensions": 2 * config.components, "channels": channels, "initial_index": prepared["initial_index"],
               "heldout_frames": 0 if prepared["heldout_x"] is None else len(prepared["heldout_x"]),
               **{key: float(value) for key, value in prepared["stats"].items()}}
    write_config(run_dir, config, input=str(input_path), file_rate=file_rate,
                 cutoff_hz=(config.components - 1) * config.sample_rate / config.fft_size, **summary)
    return summary


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mdn_vocoder.preprocess", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, preset=True)
    parser.add_argument("--input", required=True, type=Path, help="one monophonic note (WAV, FLAC, …)")
    args = parser.parse_args(argv)
    config = resolve_config(MdnConfig, PRESETS, args.preset, args.overrides)
    check_output_folder(args.run, "--run")
    summary = preprocess(args.input, args.run, config)
    used = "the left channel was" if config.stereo == "left" else "the interleaved samples were"
    channels = f"; stereo: {used} used" if summary["channels"] > 1 else ""
    print(f"{summary['frames']} frames, {summary['kept_frames']} kept ({summary['batches']} batches), D = "
          f"{summary['dimensions']}; amp_std {summary['amp_std']:.6g}, freq_std {summary['freq_std']:.6g}, "
          f"initial frame {summary['initial_index']}{channels}; wrote {args.run / 'data'}")


if __name__ == "__main__":
    cli_main(main)
