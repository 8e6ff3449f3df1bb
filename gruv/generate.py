"""GRUV's generation (``generate.py``, ``gen_utils/*``, facts §4), faithful and fast.

Faithful (default): GRUV's loop exactly.  The seed is one normalised training example; the
first ``predict`` on it keeps *all* its outputs (one-step predictions of the seed frames);
then, ``generate_steps − 1`` times, the last output is appended to the input and the whole
growing sequence is run again (O(n²); 40 + 9 = 49 frames at GRUV's defaults).  The frames
are de-normalised (``× std + mean``), inverse-FFT'd, concatenated, and written as int16 by
truncation with numpy's wrap-around.

Fast (``--mode fast``): the same frames from a stateful, step-by-step run of the same
weights: the seed once, then one LSTM step per new frame (O(n)), in a compiled
``tf.function``.  ``tests/test_gruv.py`` checks the two agree.

    python -m gruv.generate --run runs/gruv/mine [--mode fast] [--output-index first] [--no-denormalize]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from gruv.config import GruvConfig
from gruv.preprocess import features_to_blocks
from shared import audio
from shared.rundir import InputError, add_common_arguments, apply_overrides, atomic_path, cli_main, load_config, write_json


# ----------------------------------------------------------------------------- the loops (pure)


def choose_seed(x: np.ndarray, config: GruvConfig):
    """The seed sequence, shape (1, T, D), and the index of the training example it came from.

    GRUV's ``generate_copy_seed_sequence(seed_len=1)``: one whole normalised example, picked at
    random (here from a RandomState seeded by ``config.seed``, Q14); ``seed_frames`` keeps only
    its first frames (Fiala's one seed frame).
    """
    if config.seed_example is not None:
        if not 0 <= config.seed_example < len(x):
            raise InputError("--seed-example", f"{config.seed_example} is out of range: the run has {len(x)} examples")
        index = config.seed_example
    else:
        index = int(np.random.RandomState(config.seed).randint(len(x)))
    seed = x[index][None]
    if config.seed_frames is not None:
        seed = seed[:, : config.seed_frames]
    return seed, index


def generate_faithful(predict, seed: np.ndarray, steps: int, output_index="last", progress=False) -> np.ndarray:
    """GRUV's ``generate_from_seed`` loop (``sequence_generator.py:12-22``), model-agnostic.

    Parameters
    ----------
    predict : callable
        (1, T, D) → (1, T, D), e.g. ``model.predict_on_batch``.
    seed : np.ndarray
        (1, T0, D), normalised.
    steps : int
        Number of ``predict`` calls (GRUV's ``sequence_length``, 10).
    output_index : {"last", "first"}
        Which output of each later call is kept and fed back: GRUV's last (correct), or the
        first, Fiala's E1 pitfall (one frame repeated: the output after seed frame 0 never changes).

    Returns
    -------
    np.ndarray
        (T0 + steps − 1, D) normalised frames: all T0 outputs of the first call, then one per call.
    """
    sequence = np.asarray(seed)
    frames = []
    for iteration in tqdm(range(steps), desc="faithful", unit="call", disable=not progress):
        prediction = np.asarray(predict(sequence))
        chosen = prediction[0, -1] if output_index == "last" else prediction[0, 0]
        if iteration == 0:
            frames.extend(prediction[0])  # the first call keeps every output
        else:
            frames.append(chosen)
        sequence = np.concatenate([sequence, chosen[None, None].astype(sequence.dtype)], axis=1)  # grows, never windowed (Q15)
    return np.stack(frames)


def generate_fast(step_model, seed: np.ndarray, steps: int, progress=False) -> np.ndarray:
    """The frames of :func:`generate_faithful` (``output_index="last"``) from a stateful run.

    ``step_model`` is :func:`gruv.model.build_step_model` with the trained weights.  A
    causal RNN's outputs for a prefix do not depend on what comes after it, so the output for
    the newest frame given the carried state equals the last output of re-running the whole
    sequence.
    """
    import tensorflow as tf

    hidden = step_model.get_layer("lstm_0").units
    layers_count = (len(step_model.inputs) - 1) // 2

    @tf.function(reduce_retracing=True)
    def run(frames, states):
        outputs = step_model([frames, *states], training=False)
        return outputs[0], outputs[1:]

    states = [tf.zeros((1, hidden), tf.float32) for _ in range(2 * layers_count)]
    prediction, states = run(tf.convert_to_tensor(seed, tf.float32), states)
    prediction = prediction.numpy()
    frames = list(prediction[0])
    current = prediction[:, -1:]
    for _ in tqdm(range(steps - 1), desc="fast", unit="step", disable=not progress):
        prediction, states = run(tf.convert_to_tensor(current), states)
        current = prediction.numpy()
        frames.append(current[0, 0])
    return np.stack(frames)


def frames_to_audio(frames: np.ndarray, config: GruvConfig, mean=None, std=None) -> np.ndarray:
    """Normalised frames → int16 samples: ``× std + mean`` (if given), inverse transform, concatenate, truncate."""
    if mean is not None:
        frames = frames * std + mean  # sequence_generator.py:26-28: *= var(=std), then += mean
    blocks = features_to_blocks(frames, config.domain)
    return audio.float_to_int16(blocks.reshape(-1), overflow=config.int16_overflow)  # real part, truncated (Q3, Q4)


# ----------------------------------------------------------------------------- the script


def load_trained(run_dir):
    """The run's trained ``model.keras`` (safe-mode loading)."""
    import keras

    import gruv.model  # noqa: F401  (registers the custom gate activation and initializer)

    path = Path(run_dir) / "model.keras"
    if not path.is_file():
        raise InputError(path, "missing: run `python -m gruv.train` for this run first")
    return keras.saving.load_model(path, safe_mode=True, compile=False)


def generate(run_dir, config: GruvConfig, mode="faithful", progress=True, name=None) -> dict:
    """Generate one output for the run; returns a summary (also written next to the WAV)."""
    from gruv.model import build_step_model, copy_weights

    run_dir = Path(run_dir)
    x = np.load(run_dir / "data" / "x.npy")
    stats = np.load(run_dir / "data" / "stats.npz")
    model = load_trained(run_dir)
    seed, index = choose_seed(x, config)

    started = time.perf_counter()
    if mode == "fast" and config.output_index == "last":
        step_model = build_step_model(config)
        copy_weights(model, step_model)
        frames = generate_fast(step_model, seed, config.generate_steps, progress=progress)
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

    name = name or f"seed{index}_{mode}{'' if config.denormalize else '_nodenorm'}{'_first' if config.output_index == 'first' else ''}"
    out = run_dir / "generated" / f"{name}.wav"
    audio.write_wav(out, samples, config.sample_rate)
    summary = {
        "wav": out.name, "mode": mode, "seed_example": index, "frames": len(frames),
        "seconds_of_audio": len(samples) / config.sample_rate, "generation_seconds": seconds,
        "denormalize": config.denormalize, "output_index": config.output_index,
        "peak_int16": int(np.abs(samples.astype(np.int32)).max()),
    }
    with atomic_path(run_dir / "generated" / f"{name}.frames.npy") as temporary:
        np.save(temporary, frames.astype(np.float32))
    write_json(run_dir / "generated" / f"{name}.json", summary)
    return summary


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gruv.generate", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--mode", choices=("faithful", "fast"), default="faithful")
    parser.add_argument("--output-index", choices=("last", "first"), default=None,
                        help="which output is fed back: GRUV's last, or the blog's first (E1 pitfall)")
    parser.add_argument("--denormalize", action=argparse.BooleanOptionalAction, default=None,
                        help="add the mean and std back (GRUV: yes; the blog's raw amen: no)")
    parser.add_argument("--steps", type=int, default=None, help="predict calls (GRUV: 10 -> 49 frames)")
    parser.add_argument("--seed-example", type=int, default=None, help="training example used as seed")
    parser.add_argument("--name", default=None, help="output name (generated/NAME.wav)")
    args = parser.parse_args(argv)
    config = apply_overrides(load_config(args.run, GruvConfig)[0], args.overrides)
    chosen = {"output_index": args.output_index, "denormalize": args.denormalize,
              "generate_steps": args.steps, "seed_example": args.seed_example}
    config = dataclasses.replace(config, **{key: value for key, value in chosen.items() if value is not None})
    if config.generate_steps < 1:
        raise InputError("--steps", f"must be at least 1, not {config.generate_steps}")
    summary = generate(args.run, config, mode=args.mode, name=args.name)
    print(f"{summary['frames']} frames, {summary['seconds_of_audio']:.2f} s in {summary['generation_seconds']:.2f} s "
          f"({args.mode}); wrote {Path(args.run) / 'generated' / summary['wav']}")


if __name__ == "__main__":
    cli_main(main)
