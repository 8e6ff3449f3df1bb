"""Glover's sampling (``sample.lua``, ``mdn.lua:137-155``, ``data.lua:83-137``): frames from the model, then sound.

As the original (README, "The method" §5):

1. the LSTM starts from the final training state (row 0), not zeros;
2. it is primed with 10·S + 1 steps of the first S training inputs of stream 0, fed
   cyclically; the outputs are discarded;
3. the first generation input is **zeros**; each step's sample is fed back as the next input;
4. each sample takes the highest-weight component and draws μ + √(bias·σ)·z (``--bias`` 1 by
   default; 1e-5 is the blog's "reducing the variance by 10^-5");
5. the samples are de-normalised and summed from the initial (middle) frame, no clamping
   (``representation=absolute``: used as frames directly);
6. the frames are resynthesised (:func:`mdn_vocoder.phase_vocoder.synthesise`) and written as
   ``floor(y·2^31)`` 32-bit PCM at the configured rate.

``--reset-every R`` (the blog's trick, in no commit): every R frames the integrator jumps to a
training frame drawn uniformly from the middle half, the network's input unchanged.

**faithful** runs the model one step at a time from Python, as ``sample.lua`` runs its clones;
**fast** runs priming and generation inside one compiled ``tf.function`` loop over the
layers' cells.  Both draw z from the same numpy stream (seeded ``--seed``), so they give the
same frames (``tests/test_mdn_vocoder.py`` states the difference).  The loops are in
:mod:`mdn_vocoder.sampling`, the trained model is read by :func:`mdn_vocoder.model.load_trained`.

    python -m mdn_vocoder.generate --run runs/mdn/sine --length 3000 --bias 1e-5 [--mode fast]

Writes ``generated/<name>.wav`` and ``<name>.json`` (what ``shared.evaluate`` compares it
with, and the frame-to-frame spread of the generated frames beside the training frames'),
plus ``generated/analysis_resynthesis.wav``: the training frames through the same
resynthesis, the best the vocoder can do.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from mdn_vocoder.config import MdnConfig
from mdn_vocoder.sampling import generate_output
from shared import pretrained
from shared.rundir import InputError, add_common_arguments, apply_overrides, cli_main, load_config
from shared.rundir import check_output_folder, check_run_data  # bad-input guards


def generate(run_dir, config: MdnConfig, mode="faithful", name=None, progress=True, out_dir=None) -> dict:
    """Sample ``config.length`` frames and write them (plus the analysis round trip) to ``out_dir``
    (default ``generated/``); returns the summary (:func:`mdn_vocoder.sampling.generate_output`)."""
    return generate_output(run_dir, config, mode, name, progress, out_dir)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mdn_vocoder.generate", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, pretrained=True)
    parser.add_argument("--mode", choices=("faithful", "fast"), default="faithful")
    parser.add_argument("--length", type=int, default=None,
                        help="frames to generate (sample.lua -length; default 1000)")
    parser.add_argument("--bias", type=float, default=None,
                        help="sample variance scalar (1; 1e-5 = the blog's reduced variance)")
    parser.add_argument("--reset-every", type=int, default=None, metavar="FRAMES",
                        help="jump to a training frame every FRAMES frames (the blog's reset trick; 0 = off)")
    parser.add_argument("--spread", choices=("faithful", "corrected"), default=None,
                        help="faithful: draw std sqrt(bias·sigma); corrected: sqrt(bias)·sigma")
    parser.add_argument("--seed", type=int, default=None, help="seed of the draws (sample.lua -seed; default 123)")
    parser.add_argument("--name", default=None, help="output file name without .wav")
    args = parser.parse_args(argv)
    args.run = pretrained.resolve("mdn_vocoder", args.run)
    config = apply_overrides(load_config(args.run, MdnConfig)[0], args.overrides)
    chosen = {"length": args.length, "bias": args.bias, "reset_every": args.reset_every, "spread": args.spread,
              "sample_seed": args.seed}
    config = dataclasses.replace(config, **{key: value for key, value in chosen.items() if value is not None})
    if config.length < 1:
        raise InputError("--length", f"must be at least 1, not {config.length}")
    if config.reset_every < 0:
        raise InputError("--reset-every", f"must be 0 (off) or more, not {config.reset_every}")
    if config.reset_every and config.representation == "absolute":
        raise InputError("--reset-every", "resets the sum of sampled deltas: this run models absolute frames "
                                          "(representation=absolute), which have no sum to reset")
    if not config.bias > 0:
        raise InputError("--bias", f"must be positive, not {config.bias}")
    check_run_data(args.run, ["data/x.npy", "data/stats.npz", "data/frames.npy"], "mdn_vocoder.preprocess")
    check_output_folder(args.run / "generated", "--run")
    summary = generate(args.run, config, args.mode, args.name)
    generated = summary["generated"]
    print(f"wrote {Path(args.run) / 'generated' / summary['wav']}: {config.length} frames in "
          f"{summary['generation_seconds']:.1f} s ({summary['real_time_factor']:.1f}x real time); frame-to-frame std "
          f"{generated['frequency_step_std_hz']:.3g} Hz "
          f"(training {summary['training']['frequency_step_std_hz']:.3g} Hz)")


if __name__ == "__main__":
    cli_main(main)
