"""Sander & Harder's generation (``learn_decay/generate_seq.py``; README, "The method"): continue a primed note.

For each chosen note: the first P normalised slices of its training example are the prime;
the model runs on the whole (growing) sequence, its last output slice is appended, T − P
times (**faithful**, O(T²) as the original).  **fast** carries the LSTM state from step to
step instead (``decay.sampling.StepGenerator``): the same slices, since the network is causal.
Then the original's denormalisation ``(g + mean)·std·32767`` (Q12; ``corrected``: ``g·std +
mean``), int16 truncation, FFT resampling to 44.1 kHz (``scipy.signal.resample``) and a second
truncation (Q13), written as the authors' three files:

* ``<note>.wav``: the note's own slices through the same round trip (the "original");
* ``<note>_gen.wav``: prime + continuation;
* ``<note>_gen_wp.wav``: the continuation alone, cut at the model rate and resampled on its own.

    python -m decay.generate --run runs/decay/run4 --notes Guitar.mf.sulB.C5Gb5,Guitar.mf.sulG.C5Db5 [--mode fast]

(fast mode names its files ``<note>_gen_fast.wav`` and ``<note>_gen_wp_fast.wav``).  The loops
and the priming are in ``decay/sampling.py``, the denormalisation and resampling in
``decay/features.py``, the network's loading in ``decay/model.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from decay.config import AUTHORS_RESULTS, DecayConfig
from decay.features import denormalise, to_output_rate
from decay.sampling import StepGenerator, check_prime, generate_faithful, note_slices
from shared import audio
from shared import pretrained
from shared.rundir import add_common_arguments, apply_overrides, cli_main, load_config, write_json
from shared.rundir import check_output_folder, check_run_data  # bad-input guards


def generate(run_dir, config: DecayConfig, notes=None, mode="faithful", progress=True) -> list[dict]:
    """Continue each note; writes the three WAVs (+ a ``.json`` summary each) and returns the summaries.

    Raises
    ------
    InputError
        For a prime outside 1 … T − 1 slices (before the model is loaded or anything is written), or an unknown
        note.
    """
    from decay.model import load_trained

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
        if step:
            generated = step(prime, len(slices))
        else:
            generated = generate_faithful(model.predict_on_batch, prime, len(slices), progress)
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
            audio.write_wav(out_dir / file_name, to_output_rate(signal, rate, config.output_rate),
                            config.output_rate)
            summary = {"wav": file_name, "note": name, "mode": mode, "prime_slices": config.prime,
                       "model_rate": rate, "block_size": block, "generation_seconds": seconds}
            if offset is None:  # the round-trip original: compared with the recording it came from
                source = next(path for path in document["inputs"] if Path(path).stem == name)
                evaluation = {"reference": source, "reference_seconds": len(slices) * block / rate,
                              "reference_label": "the recording, as long as the note (round trip through the pipeline)"}
            else:
                authors = AUTHORS_RESULTS.get(config.preset, {}).get(name, {})
                evaluation = {"reference": str(out_dir / f"{name}.wav"), "reference_offset_s": offset,
                              "reference_label": "the original round trip" + (" after the prime" if offset else ""),
                              "source_numbers": authors if offset else {}}
            summary["evaluation"] = {**evaluation, "band_hz": rate / 2, "block": block * config.output_rate // rate}
            write_json(out_dir / file_name.replace(".wav", ".json"), summary)
            summaries.append(summary)
    return summaries


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m decay.generate", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, pretrained=True)
    parser.add_argument("--mode", choices=("faithful", "fast"), default="faithful")
    parser.add_argument("--notes", default=None, help="comma-separated note names (file stems); default: the preset's")
    parser.add_argument("--prime", type=int, default=None, help="slices of the note given to the model")
    parser.add_argument("--denormalisation", choices=("faithful", "corrected"), default=None)
    args = parser.parse_args(argv)
    args.run = pretrained.resolve("decay", args.run)
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
