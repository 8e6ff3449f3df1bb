"""Sander & Harder's generation (``learn_decay/generate_seq.py``, facts §3): continue a primed note.

For each chosen note: the first P normalised slices of its training example are the prime;
the model runs on the whole (growing) sequence, its last output slice is appended, T − P
times (**faithful**, O(T²) as the original).  **fast** carries the LSTM state from step to
step instead (:class:`StepGenerator`): the same slices, since the network is causal.
Then the original's denormalisation ``(g + mean)·std·32767`` (Q12; ``corrected``: ``g·std +
mean``), int16 truncation, FFT resampling to 44.1 kHz (``scipy.signal.resample``) and a second
truncation (Q13), written as the authors' three files:

* ``<note>.wav``: the note's own slices through the same round trip (the "original");
* ``<note>_gen.wav``: prime + continuation;
* ``<note>_gen_wp.wav``: the continuation alone, cut at the model rate and resampled on its own.

    python -m decay.generate --run runs/decay/run4 --notes Guitar.mf.sulB.C5Gb5,Guitar.mf.sulG.C5Db5 [--mode fast]

(fast mode names its files ``<note>_gen_fast.wav`` and ``<note>_gen_wp_fast.wav``).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import numpy as np
import scipy.signal
from tqdm import tqdm

from decay.config import AUTHORS_RESULTS, DecayConfig
from shared import audio
from shared.rundir import InputError, add_common_arguments, apply_overrides, cli_main, load_config, write_json
from shared.rundir import check_output_folder, check_run_data, load_keras_model  # bad-input guards


def generate_faithful(predict, prime: np.ndarray, slices: int, progress=False) -> np.ndarray:
    """The original loop: predict on the whole growing sequence, append its last output (generate_seq.py:87-118).

    ``prime``: (P, F) normalised; returns (slices, F) with the prime in the first P rows.
    """
    sequence = np.asarray(prime, dtype=np.float32)[None]
    for _ in tqdm(range(slices - len(prime)), desc="slices", disable=not progress, unit="slice"):
        output = np.asarray(predict(sequence))[0, -1]
        sequence = np.concatenate([sequence, output[None, None]], axis=1)
    return sequence[0]


class StepGenerator:
    """The slices of :func:`generate_faithful` from a stateful loop over the model's own layers.

    A causal network's output for a prefix does not depend on what follows it, so the newest
    slice's output given the carried LSTM state equals the last output of re-running the whole
    sequence.  The prime runs through the layers before the LSTMs (``dense_in`` or
    ``slice_conv``) at once; each step then applies them to one slice, advances every LSTM
    cell one step and applies ``dense_out``, all in one traced ``tf.function``.
    """

    def __init__(self, model):
        import keras
        import tensorflow as tf

        lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
        self.cells = [layer.cell for layer in lstms]
        first = model.layers.index(lstms[0])
        self.before = model.layers[1:first]
        self.after = model.layers[model.layers.index(lstms[-1]) + 1:]
        self.run = tf.function(self._run, reduce_retracing=True)

    @staticmethod
    def _apply(stack, x):
        for layer in stack:
            x = layer(x, training=False)
        return x

    def _advance(self, inputs, states):
        hidden, new_states = inputs, []
        for cell, state in zip(self.cells, states):
            hidden, state = cell(hidden, state, training=False)
            new_states.append(state)
        return hidden, new_states

    def _run(self, prime, steps):
        import tensorflow as tf

        inputs = self._apply(self.before, prime[None])[0]  # every prime slice at once
        states = [[tf.zeros((1, cell.units)), tf.zeros((1, cell.units))] for cell in self.cells]
        hidden = tf.zeros((1, self.cells[-1].units))
        for t in tf.range(tf.shape(prime)[0]):
            hidden, states = self._advance(inputs[t][None], states)
        outputs = tf.TensorArray(tf.float32, size=steps)
        for k in tf.range(steps):
            output = self._apply(self.after, hidden[:, None])[:, 0]
            outputs = outputs.write(k, output[0])
            if k + 1 < steps:
                hidden, states = self._advance(self._apply(self.before, output[:, None])[:, 0], states)
        return outputs.stack()

    def __call__(self, prime: np.ndarray, slices: int) -> np.ndarray:
        """``prime``: (P, F) normalised; returns (slices, F) with the prime in the first P rows."""
        prime = np.asarray(prime, dtype=np.float32)
        continuation = self.run(prime, np.int32(slices - len(prime))).numpy()
        return np.concatenate([prime, continuation])


def denormalise(slices: np.ndarray, mean, std, order: str = "faithful") -> np.ndarray:
    """Normalised (T, F) slices → int16 samples at the model rate.

    ``faithful`` (Q12): ``(g + mean)·std·32767`` truncated toward zero, wrapping like numpy's
    ``astype(int16)``; ``corrected``: ``(g·std + mean)·32767``, truncated and clipped.
    """
    values = np.asarray(slices, dtype=np.float64).reshape(-1)
    if order == "faithful":
        return audio.float_to_int16((values + mean) * std, scale=32767.0, overflow="wrap")
    return audio.float_to_int16(values * std + mean, scale=32767.0, overflow="clip")


def to_output_rate(samples: np.ndarray, rate: int, output_rate: int) -> np.ndarray:
    """``write_np_as_wav``: FFT resampling (``scipy.signal.resample``) to ``output_rate``, then ``astype(int16)`` (Q13)."""
    if rate == output_rate:
        return samples
    resampled = scipy.signal.resample(samples.astype(np.float64), int(len(samples) * output_rate / rate))
    return audio.float_to_int16(resampled, scale=1.0, overflow="wrap")


def load_trained(run_dir):
    """The run's trained ``model.keras`` (safe-mode loading), checked against the run's data."""
    import decay.model  # noqa: F401  (registers the custom layers, initializer and optimizer)

    dims = np.load(Path(run_dir) / "data" / "x.npy", mmap_mode="r").shape[-1]
    return load_keras_model(Path(run_dir) / "model.keras", "decay.train", input_dim=dims, output_dim=dims)


def note_slices(run_dir, document: dict, name: str):
    """(normalised slices (T, F), mean, std) of a preprocessed note, training or held out."""
    data = Path(run_dir) / "data"
    stats = np.load(data / "stats.npz")
    notes = document["notes"]
    if name in notes["train"]:
        index, x, mean, std = notes["train"].index(name), np.load(data / "x.npy"), stats["mean"], stats["std"]
    elif name in notes["heldout"]:
        index, x = notes["heldout"].index(name), np.load(data / "heldout_x.npy")
        mean, std = stats["heldout_mean"], stats["heldout_std"]
    else:
        raise InputError("--notes", f"{name!r} is not a note of this run (accepted: {', '.join(notes['train'] + notes['heldout'])})")
    pick = (lambda value: value) if np.ndim(mean) == 0 else (lambda value: value[index, 0, 0])  # per-file statistics
    return x[index], float(pick(mean)), float(pick(std))


def check_prime(prime, slices: int) -> None:
    """Refuse a prime that leaves nothing to generate: accepted are 1 ≤ P ≤ T − 1 slices.

    Raises
    ------
    InputError
        Naming ``--prime``, the value and the accepted range for notes of ``slices`` slices.
    """
    if isinstance(prime, bool) or not isinstance(prime, (int, np.integer)) or not 1 <= prime <= slices - 1:
        raise InputError("--prime", f"{prime} slices is outside the accepted range 1 to {slices - 1} (this run's notes "
                         f"have T = {slices} slices, and at least one slice must be generated after the prime)")


def generate(run_dir, config: DecayConfig, notes=None, mode="faithful", progress=True) -> list[dict]:
    """Continue each note; writes the three WAVs (+ a ``.json`` summary each) and returns the summaries.

    Raises
    ------
    InputError
        For a prime outside 1 … T − 1 slices (before the model is loaded or anything is written), or an unknown note.
    """
    run_dir = Path(run_dir)
    _, document = load_config(run_dir, DecayConfig)
    rate, block = document["model_rate"], document["block_size"]
    check_prime(config.prime, int(document["shapes"]["x"][1]))
    notes = list(notes or config.notes or (document["notes"]["heldout"] + document["notes"]["train"])[:2])
    model = load_trained(run_dir)
    step = StepGenerator(model) if mode == "fast" else None
    suffix = "" if mode == "faithful" else "_fast"
    out_dir, summaries = run_dir / "generated", []
    for name in notes:
        slices, mean, std = note_slices(run_dir, document, name)
        prime = slices[: config.prime]
        started = time.perf_counter()
        generated = step(prime, len(slices)) if step else generate_faithful(model.predict_on_batch, prime, len(slices), progress)
        seconds = time.perf_counter() - started
        samples = denormalise(generated, mean, std, config.denormalisation)
        original = denormalise(slices, mean, std, config.denormalisation)
        prime_samples = config.prime * block
        outputs = {
            f"{name}.wav": (original, None),
            f"{name}_gen{suffix}.wav": (samples, 0.0),
            f"{name}_gen_wp{suffix}.wav": (samples[prime_samples:], prime_samples / rate),
        }
        for file_name, (signal, offset) in outputs.items():
            audio.write_wav(out_dir / file_name, to_output_rate(signal, rate, config.output_rate), config.output_rate)
            summary = {"wav": file_name, "note": name, "mode": mode, "prime_slices": config.prime,
                       "model_rate": rate, "block_size": block, "generation_seconds": seconds}
            if offset is None:  # the round-trip original: compared with the recording it came from
                source = next(path for path in document["inputs"] if Path(path).stem == name)
                evaluation = {"reference": source, "reference_seconds": len(slices) * block / rate,
                              "reference_label": "the recording, as long as the note (round trip through the pipeline)"}
            else:
                evaluation = {"reference": str(out_dir / f"{name}.wav"), "reference_offset_s": offset,
                              "reference_label": "the original round trip" + (" after the prime" if offset else ""),
                              "source_numbers": AUTHORS_RESULTS.get(config.preset, {}).get(name, {}) if offset else {}}
            summary["evaluation"] = {**evaluation, "band_hz": rate / 2, "block": block * config.output_rate // rate}
            write_json(out_dir / file_name.replace(".wav", ".json"), summary)
            summaries.append(summary)
    return summaries


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m decay.generate", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--mode", choices=("faithful", "fast"), default="faithful")
    parser.add_argument("--notes", default=None, help="comma-separated note names (file stems); default: the preset's")
    parser.add_argument("--prime", type=int, default=None, help="slices of the note given to the model")
    parser.add_argument("--denormalisation", choices=("faithful", "corrected"), default=None)
    args = parser.parse_args(argv)
    config = apply_overrides(load_config(args.run, DecayConfig)[0], args.overrides)
    chosen = {"prime": args.prime, "denormalisation": args.denormalisation}
    config = dataclasses.replace(config, **{key: value for key, value in chosen.items() if value is not None})
    notes = [name.strip() for name in args.notes.split(",") if name.strip()] if args.notes else None
    check_run_data(args.run, ["data/x.npy", "data/stats.npz"], "decay.preprocess")
    check_output_folder(args.run / "generated", "--run")
    for summary in generate(args.run, config, notes, args.mode):
        print(f"wrote {Path(args.run) / 'generated' / summary['wav']}")


if __name__ == "__main__":
    cli_main(main)
