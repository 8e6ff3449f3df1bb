"""GRUV's generation (``generate.py``, ``gen_utils/*``, facts §4), faithful and fast.

Faithful (default): GRUV's loop exactly.  The seed is one normalised training example; the
first ``predict`` on it keeps *all* its outputs (one-step predictions of the seed frames);
then, ``generate_steps − 1`` times, the last output is appended to the input and the whole
growing sequence is run again (O(n²); 40 + 9 = 49 frames at GRUV's defaults).  The frames
are de-normalised (``× std + mean``), inverse-FFT'd, concatenated, and written as int16 by
truncation with numpy's wrap-around.

Fast (``--mode fast``): the same frames from a stateful, step-by-step run of the same
weights (:class:`FastGenerator`): the seed once, then one LSTM step per new frame (O(n)),
in one traced ``tf.function``.  ``tests/test_gruv.py`` checks the two agree.

    python -m gruv.generate --run runs/gruv/mine [--mode fast] [--output-index first] [--no-denormalize]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from gruv.config import BLOG_RESULTS, GruvConfig
from gruv.preprocess import features_to_blocks
from shared import audio
from shared.rundir import InputError, add_common_arguments, apply_overrides, cli_main, load_config, save_npy, write_json
from shared.rundir import check_output_folder, check_run_data, load_keras_model  # bad-input guards


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


class FastGenerator:
    """The frames of :func:`generate_faithful` (``output_index="last"``), from a stateful loop.

    A causal RNN's output for a prefix does not depend on what follows it, so the newest
    frame's output given the carried LSTM state equals the last output of re-running the
    whole sequence.  Two more exact identities make each step cheap:

    * the frame fed back goes through ``tdd_out`` then ``tdd_in``, two affine maps, so the next
      LSTM input is ``h·(K_out·K_in) + (b_out·K_in + b_in)``: one H × H product per step instead
      of two H × D ones (GRUV: 1024 × 1024 instead of 2 × 1024 × 22050);
    * the output frames ``h·K_out + b_out`` are computed for all steps at once at the end.

    The whole loop (seed and new frames) is one traced ``tf.function`` over the model's own
    LSTM cells.  Only float32 rounding differs from the faithful loop (the fused product is
    formed in float64): ``tests/test_gruv.py`` bounds the difference.
    """

    def __init__(self, model):
        import keras
        import tensorflow as tf

        kernel_in, bias_in = (weight.astype(np.float64) for weight in model.get_layer("tdd_in").get_weights())
        kernel_out, bias_out = (weight.astype(np.float64) for weight in model.get_layer("tdd_out").get_weights())
        constant = lambda array: tf.constant(array.astype(np.float32))  # noqa: E731
        self.kernel_in, self.bias_in = constant(kernel_in), constant(bias_in)
        self.kernel_out, self.bias_out = constant(kernel_out), constant(bias_out)
        self.kernel_fused, self.bias_fused = constant(kernel_out @ kernel_in), constant(bias_out @ kernel_in + bias_in)
        self.cells = [layer.cell for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
        self.run = tf.function(self._run, reduce_retracing=True)

    def _advance(self, inputs, states):
        hidden, new_states = inputs, []
        for cell, state in zip(self.cells, states):
            hidden, state = cell(hidden, state, training=False)
            new_states.append(state)
        return hidden, new_states

    def _run(self, seed, steps):
        import tensorflow as tf

        seed_inputs = tf.matmul(seed, self.kernel_in) + self.bias_in  # tdd_in on every seed frame at once
        states = [[tf.zeros((1, cell.units)), tf.zeros((1, cell.units))] for cell in self.cells]
        count = tf.shape(seed)[0]
        tops = tf.TensorArray(tf.float32, size=count + steps - 1)
        hidden = tf.zeros((1, self.cells[-1].units))
        for t in tf.range(count):
            hidden, states = self._advance(seed_inputs[t][None], states)
            tops = tops.write(t, hidden[0])
        for k in tf.range(steps - 1):
            hidden, states = self._advance(tf.matmul(hidden, self.kernel_fused) + self.bias_fused, states)
            tops = tops.write(count + k, hidden[0])
        return tf.matmul(tops.stack(), self.kernel_out) + self.bias_out  # tdd_out on every step at once

    def __call__(self, seed: np.ndarray, steps: int) -> np.ndarray:
        """``seed``: (1, T0, D) normalised; returns (T0 + steps − 1, D) normalised frames."""
        return self.run(np.asarray(seed[0], dtype=np.float32), np.int32(steps)).numpy()


def frames_to_audio(frames: np.ndarray, config: GruvConfig, mean=None, std=None) -> np.ndarray:
    """Normalised frames → int16 samples: ``× std + mean`` (if given), inverse transform, concatenate, truncate.

    The de-normalisation keeps the frames' own dtype, as GRUV's in-place ``frame *= var`` and
    ``frame += mean`` did: the model's float32 frames are rounded to float32 after each of
    the two steps (each step itself is computed in float64, numpy's rule for a float32 array
    combined with the float64 statistics).
    """
    if mean is not None:
        # faithful (Q10): sequence_generator.py:26-28, in place: *= var (= std), then += mean, in the frames' dtype
        frames = np.array(frames, copy=True)
        frames *= std
        frames += mean
    blocks = features_to_blocks(frames, config.domain)
    return audio.float_to_int16(blocks.reshape(-1), overflow=config.int16_overflow)  # real part, truncated (Q3, Q4)


def reference_segment(config: GruvConfig, document: dict, seed_example: int):
    """Which original audio an output continues: (source file or None, offset in blocks).

    Example k of a file starts at block ``j·L`` of it (``j`` = k's chunk in that file; 0 for
    one example per file); output frame 0 is the prediction of the block after it, or the
    seed frame itself when the output includes the seed.
    """
    first_example = 0
    for entry in document.get("inputs", []):
        if seed_example < first_example + entry["examples"]:
            chunk = seed_example - first_example if config.chunking == "gruv" else 0
            return entry["file"], chunk * config.max_seq_len + (0 if config.include_seed_in_output else 1)
        first_example += entry["examples"]
    return None, 0


# ----------------------------------------------------------------------------- the script


def load_trained(run_dir):
    """The run's trained ``model.keras`` (safe-mode loading), checked against the run's data."""
    import gruv.model  # noqa: F401  (registers the custom gate activation and initializer)

    dims = np.load(Path(run_dir) / "data" / "x.npy", mmap_mode="r").shape[-1]
    return load_keras_model(Path(run_dir) / "model.keras", "gruv.train", input_dim=dims, output_dim=dims)


def generate(run_dir, config: GruvConfig, mode="faithful", progress=True, name=None) -> dict:
    """Generate one output for the run; returns a summary (also written next to the WAV)."""
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

    name = name or f"seed{index}_{mode}{'' if config.denormalize else '_nodenorm'}{'_first' if config.output_index == 'first' else ''}"
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
    check_run_data(args.run, ["data/x.npy", "data/stats.npz"], "gruv.preprocess")
    check_output_folder(args.run / "generated", "--run")
    if config.generate_steps < 1:
        raise InputError("--steps", f"must be at least 1, not {config.generate_steps}")
    summary = generate(args.run, config, mode=args.mode, name=args.name)
    print(f"{summary['frames']} frames, {summary['seconds_of_audio']:.2f} s in {summary['generation_seconds']:.2f} s "
          f"({args.mode}); wrote {Path(args.run) / 'generated' / summary['wav']}")


if __name__ == "__main__":
    cli_main(main)
