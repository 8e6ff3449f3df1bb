"""Resynthesise a song through a trained autoencoder (the path of the paper's instrument, offline).

The song (left channel, /32768, at 22,050 Hz) is streamed frame by frame through
:class:`autoencoder_synth.synth.Resynthesiser`: |FFT| → normalise → encoders → decoders →
× max, the original frame's phase (``--phase vocoder``: accumulated bin-centre phase from a
seeded random start), Hann × 2/3 overlap-add, clipped, 16-bit at 22,050 Hz.  ``--mode fast``
computes every frame at once (the same numbers, tested).

    python -m autoencoder_synth.generate --run runs/ae/frames --model ae1-256 --input song.wav [--mode fast]

Without ``--model`` it plays the run's ``model`` setting; without ``--input``, the song of the
run with the most test-split frames.  Writes ``<run>/generated/<model>_<song>[_vocoder][_fast].wav``
and ``.json`` (what ``shared.evaluate`` compares it with: the song itself, sample-aligned, in
the units of the run's training max), and ``.png``, the paper's Figure 2 for this output.
``ae2-…`` models are played as the stack ``ae1`` + ``ae2``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from autoencoder_synth.config import AutoencoderConfig
from autoencoder_synth.features import default_input, load_song
from autoencoder_synth.synth import Resynthesiser, load_network
from shared import audio, metrics
from shared import pretrained
from shared.rundir import InputError, add_common_arguments, atomic_path, cli_main, load_config, write_json
from shared.rundir import apply_overrides, check_output_folder, check_run_data  # bad-input guards


def generate(run_dir, name: str | None = None, input_path=None, phase="original", seed=0, mode="faithful") -> dict:
    run_dir = Path(run_dir)
    config, _ = load_config(run_dir, AutoencoderConfig)
    name = name or config.model
    input_path = Path(input_path) if input_path else default_input(run_dir)
    signal = load_song(input_path, config)
    if len(signal) < config.fft_size:
        raise InputError(input_path, f"shorter than one frame of {config.fft_size} samples")
    engine = Resynthesiser(load_network(run_dir / name)[0], np.load(run_dir / "data" / "maxvec.npy"), config.fft_size,
                           config.hop, phase, seed)
    out = engine.render_fast(signal) if mode == "fast" else engine.render(signal)
    suffix = ("" if phase == "original" else "_vocoder") + ("" if mode == "faithful" else "_fast")
    path = run_dir / "generated" / f"{name}_{input_path.stem}{suffix}.wav"
    audio.write_wav(path, audio.float_to_int16(out, scale=32767.0, overflow="clip"), config.sample_rate)
    figure = draw_figure_2(path.with_suffix(".png"), signal, out, config, f"{name}: {input_path.name}")
    summary = {"wav": path.name, "model": name, "phase": phase, "mode": mode, "input": str(input_path),
               "seconds": len(out) / config.sample_rate, "figure_2": figure.name,
               "evaluation": {"reference": str(input_path), "reference_label": "the song resynthesised",
                              "training_max": "data/maxvec.npy"}}  # resolved in the run directory
    write_json(path.with_suffix(".json"), summary)
    return summary


def draw_figure_2(path: Path, original, output, config: AutoencoderConfig, title: str, seconds: float = 10.0) -> Path:
    """The paper's Figure 2 for a resynthesis: the input's and the output's spectrograms, one above the other.

    Both are |rfft|/N of rectangular frames (N = ``fft_size``, the hop of the features) in dB
    relative to the input's loudest bin, over the first ``seconds``: what the autoencoder
    keeps and loses (the paper's 256-8-256 loses high-frequency detail) is seen directly.
    """
    from matplotlib.figure import Figure  # Agg, no pyplot

    count = int(seconds * config.sample_rate)
    frames = [metrics.magnitude_frames(signal[:count], config.fft_size, config.hop) for signal in (original, output)]
    top = max(frames[0].max(), 1e-12)
    figure = Figure(figsize=(8, 5), dpi=100, layout="constrained")
    axes = figure.subplots(2, 1, sharex=True)
    extent = (0, len(frames[0]) * config.hop / config.sample_rate, 0, config.sample_rate / 2000)
    for ax, magnitude, label in zip(axes, frames, ("original", "reconstructed")):
        image = ax.imshow(20 * np.log10(np.maximum(magnitude, 1e-12) / top).T, origin="lower", aspect="auto",
                          extent=extent, vmin=-80, vmax=0, cmap="magma")
        ax.set_ylabel(f"{label}\nkHz")
    axes[0].set_title(title)
    axes[1].set_xlabel("s")
    figure.colorbar(image, ax=axes, label="dB re the input's loudest bin")
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png")
    return path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autoencoder_synth.generate", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, pretrained=True)
    parser.add_argument("--model",
                        help="a trained model of the run (ae1-256, ae2-256-8, deep-256-8 …); default: the run's")
    parser.add_argument("--input", type=Path,
                        help="the song to resynthesise; default: the run's song with most test frames")
    parser.add_argument("--mode", choices=("faithful", "fast"), default="faithful",
                        help="faithful: frame by frame, as the instrument; fast: all frames at once (equal)")
    parser.add_argument("--phase", choices=("original", "vocoder"), default="original")
    parser.add_argument("--seed", type=int, default=0, help="the vocoder's random initial phases")
    args = parser.parse_args(argv)
    args.run = pretrained.resolve("autoencoder_synth", args.run)
    # a bad config.json or --set stops here
    apply_overrides(load_config(args.run, AutoencoderConfig)[0], args.overrides)
    check_run_data(args.run, ["data/maxvec.npy"], "autoencoder_synth.preprocess")
    check_output_folder(args.run / "generated", "--run")
    summary = generate(args.run, args.model, args.input, args.phase, args.seed, args.mode)
    print(f"wrote {Path(args.run) / 'generated' / summary['wav']} ({summary['seconds']:.1f} s)")


if __name__ == "__main__":
    cli_main(main)
