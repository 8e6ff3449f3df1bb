"""GRUV's generation (``generate.py``, ``gen_utils/*``; README, "The equations"), faithful and fast.

Faithful (default): GRUV's loop exactly.  The seed is one normalised training example; the
first ``predict`` on it keeps *all* its outputs (one-step predictions of the seed frames);
then, ``generate_steps − 1`` times, the last output is appended to the input and the whole
growing sequence is run again (O(n²); 40 + 9 = 49 frames at GRUV's defaults).  The frames
are de-normalised (``× std + mean``), inverse-FFT'd, concatenated, and written as int16 by
truncation with numpy's wrap-around.

Fast (``--mode fast``): the same frames from a stateful, step-by-step run of the same
weights (``gruv.sampling.FastGenerator``): the seed once, then one LSTM step per new frame
(O(n)), in one traced ``tf.function``.  ``tests/test_gruv.py`` checks the two agree.  The
loops and the output assembly are in ``gruv/sampling.py``; the network's loading in
``gruv/model.py``.

    python -m gruv.generate --run runs/gruv/mine [--mode fast] [--output-index first] [--no-denormalize]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import numpy as np

from gruv.config import BLOG_RESULTS, GruvConfig
from gruv.sampling import FastGenerator, choose_seed, frames_to_audio, generate_faithful, reference_segment
from shared import audio
from shared import pretrained
from shared.rundir import InputError, add_common_arguments, apply_overrides, cli_main, load_config, save_npy, write_json
from shared.rundir import check_output_folder, check_run_data  # bad-input guards


def generate(run_dir, config: GruvConfig, mode="faithful", progress=True, name=None) -> dict:
    """Generate one output for the run; returns a summary (also written next to the WAV)."""
    from gruv.model import load_trained

    run_dir = Path(run_dir)
    x = np.load(run_dir / "data" / "x.npy")
    stats = np.load(run_dir / "data" / "stats.npz")
    model = load_trained(run_dir)
    seed, index = choose_seed(x, config)

    started = time.perf_counter()
    if mode == "fast" and config.output_index == "last":
        frames = FastGenerator(model)(seed, config.generate_steps)
    elif mode == "fast":
        # The first output depends on seed frame 0 alone, so the "first" pitfall is one frame repeated.
        first = np.asarray(model.predict_on_batch(seed))[0]
        frames = np.concatenate([first, np.repeat(first[:1], config.generate_steps - 1, axis=0)])
    else:
        frames = generate_faithful(model.predict_on_batch, seed, config.generate_steps, config.output_index, progress)
    seconds = time.perf_counter() - started

    if config.include_seed_in_output:
        frames = np.concatenate([seed[0], frames])
    mean, std = (stats["mean"], stats["var"]) if config.denormalize else (None, None)
    samples = frames_to_audio(frames, config, mean, std)

    variant = ("" if config.denormalize else "_nodenorm") + ("_first" if config.output_index == "first" else "")
    name = name or f"seed{index}_{mode}{variant}"
    out = run_dir / "generated" / f"{name}.wav"
    audio.write_wav(out, samples, config.sample_rate)
    summary = {
        "wav": out.name, "mode": mode, "seed_example": index, "frames": len(frames),
        "seconds_of_audio": len(samples) / config.sample_rate, "generation_seconds": seconds,
        "denormalize": config.denormalize, "output_index": config.output_index,
        "peak_int16": int(np.abs(samples.astype(np.int32)).max()),
    }
    document = load_config(run_dir, GruvConfig)[1]
    source, offset_blocks = reference_segment(config, document, index)
    summary["evaluation"] = {  # what shared.evaluate compares this output with
        "reference": source, "reference_offset_s": offset_blocks * config.block_size / config.sample_rate,
        "reference_label": "the seed's original, from the block after the seed",
        "trained_seconds": x.shape[1] * config.block_size / config.sample_rate, "block": config.block_size,
        # The seed (when included) and the first predict's T outputs are real frames or one-step predictions of them.
        "teacher_forced_seconds": seed.shape[1] * (2 if config.include_seed_in_output else 1) * config.block_size
        / config.sample_rate,
        "source_numbers": BLOG_RESULTS.get(document["settings"].get("preset"), {}),
    }
    save_npy(run_dir / "generated" / f"{name}.frames.npy", frames.astype(np.float32))
    write_json(run_dir / "generated" / f"{name}.json", summary)
    return summary


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gruv.generate", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, pretrained=True)
    parser.add_argument("--mode", choices=("faithful", "fast"), default="faithful")
    parser.add_argument("--output-index", choices=("last", "first"), default=None,
                        help="which output is fed back: GRUV's last, or the blog's first (E1 pitfall)")
    parser.add_argument("--denormalize", action=argparse.BooleanOptionalAction, default=None,
                        help="add the mean and std back (GRUV: yes; the blog's raw amen: no)")
    parser.add_argument("--steps", type=int, default=None, help="predict calls (GRUV: 10 -> 49 frames)")
    parser.add_argument("--seed-example", type=int, default=None, help="training example used as seed")
    parser.add_argument("--name", default=None, help="output name (generated/NAME.wav)")
    args = parser.parse_args(argv)
    args.run = pretrained.resolve("gruv", args.run)
    config = apply_overrides(load_config(args.run, GruvConfig)[0], args.overrides)
    chosen = {"output_index": args.output_index, "denormalize": args.denormalize,
              "generate_steps": args.steps, "seed_example": args.seed_example}
    config = dataclasses.replace(config, **{key: value for key, value in chosen.items() if value is not None})
    check_run_data(args.run, ["data/x.npy", "data/stats.npz"], "gruv.preprocess")
    check_output_folder(args.run / "generated", "--run")
    if config.generate_steps < 1:
        raise InputError("--steps", f"must be at least 1, not {config.generate_steps}")
    summary = generate(args.run, config, mode=args.mode, name=args.name)
    print(f"{summary['frames']} frames, {summary['seconds_of_audio']:.2f} s in {summary['generation_seconds']:.2f} s "
          f"({args.mode}); wrote {Path(args.run) / 'generated' / summary['wav']}")


if __name__ == "__main__":
    cli_main(main)
