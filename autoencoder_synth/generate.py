"""Resynthesise a song through a trained autoencoder (the path of the paper's instrument, offline).

The song (left channel, /32768, at 22,050 Hz) is streamed frame by frame through
:class:`autoencoder_synth.synth.Resynthesiser`: |FFT| → normalise → encoders → decoders →
× max, the original frame's phase (``--phase vocoder``: accumulated bin-centre phase from a
seeded random start), Hann × 2/3 overlap-add, clipped, 16-bit at 22,050 Hz.

    python -m autoencoder_synth.generate --run runs/ae/frames --model ae1-256 --input song.wav

Writes ``<run>/<model>/generated/<song>.wav`` and ``.json`` (what ``shared.evaluate`` compares
it with: the song itself).  ``ae2-…`` models are played as the stack ``ae1`` + ``ae2``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from autoencoder_synth.config import AutoencoderConfig
from autoencoder_synth.preprocess import load_song
from autoencoder_synth.synth import NumpyAutoencoder, Resynthesiser
from autoencoder_synth.train import load_trained
from shared import audio
from shared.rundir import InputError, add_common_arguments, cli_main, load_config, write_json


def network_of(run_dir: Path, name: str) -> NumpyAutoencoder:
    """The numpy forward of a trained model; an AE2 is stacked under its AE1."""
    model = load_trained(run_dir / name)
    network = NumpyAutoencoder.from_model(model)
    if name.startswith("ae2-"):
        first = NumpyAutoencoder.from_model(load_trained(run_dir / f"ae1-{name.split('-')[1]}"))
        network = NumpyAutoencoder(first.layers + network.layers)
    return network


def generate(run_dir, name: str, input_path, phase="original", seed=0) -> dict:
    run_dir, input_path = Path(run_dir), Path(input_path)
    config, _ = load_config(run_dir, AutoencoderConfig)
    signal = load_song(input_path, config)
    if len(signal) < config.fft_size:
        raise InputError(input_path, f"shorter than one frame of {config.fft_size} samples")
    engine = Resynthesiser(network_of(run_dir, name), np.load(run_dir / "data" / "maxvec.npy"), config.fft_size,
                           config.hop, phase, seed)
    out = engine.render(signal)
    path = run_dir / name / "generated" / f"{input_path.stem}{'' if phase == 'original' else '_vocoder'}.wav"
    audio.write_wav(path, audio.float_to_int16(out, scale=32767.0, overflow="clip"), config.sample_rate)
    summary = {"wav": path.name, "model": name, "phase": phase, "input": str(input_path), "seconds": len(out) / config.sample_rate,
               "evaluation": {"reference": str(input_path), "reference_label": "the song resynthesised"}}
    write_json(path.with_suffix(".json"), summary)
    return summary


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autoencoder_synth.generate", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--model", required=True, help="a trained model of the run (ae1-256, ae2-256-8, deep-256-8 …)")
    parser.add_argument("--input", required=True, type=Path, help="the song to resynthesise")
    parser.add_argument("--phase", choices=("original", "vocoder"), default="original")
    parser.add_argument("--seed", type=int, default=0, help="the vocoder's random initial phases")
    args = parser.parse_args(argv)
    summary = generate(args.run, args.model, args.input, args.phase, args.seed)
    print(f"wrote {Path(args.run) / args.model / 'generated' / summary['wav']} ({summary['seconds']:.1f} s)")


if __name__ == "__main__":
    cli_main(main)
