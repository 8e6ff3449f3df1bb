"""Listening-relevant measurements of a GRUV/Fiala run's outputs, as numbers.

For each generated WAV of a run: its length, peak, RMS and clipped fraction; the RMS envelope
past the training length (Fiala's rising "tail": does it grow?); and, against the audio the
seed came from (for one-example-per-file runs: the seed example's own file; or ``--reference``),
the correlation of RMS envelopes, the share of energy above 1 kHz in dB (Fiala: "too much
high-frequency noise") and the onset match (do the generated hits line up with the
original's?).  Also the run's training loss.  Prints a table and writes ``analysis.json``.
The envelope correlation and the energies above 1 kHz are ``shared.criteria.gruv_criteria``'s
numbers and the onset match ``shared.metrics``', so this report and ``shared.evaluate`` agree.

    python -m gruv.analyse --run runs/gruv/e5 [--reference corpora/amen/amen_120bpm.wav]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from gruv.config import GruvConfig
from gruv.features import load_audio
from gruv.sampling import reference_segment
from shared import audio, criteria, metrics
from shared.rundir import InputError, cli_main, load_config, read_losses, write_json
from shared.rundir import check_output_file  # bad-input guards


def reference_for(config: GruvConfig, document: dict, seed_example: int, override=None):
    """The original audio aligned with the output's first frame (None if it cannot be found)."""
    source, offset_blocks = reference_segment(config, document, seed_example)
    source = override or source
    if source is None:
        return None
    return load_audio(source, config)[offset_blocks * config.block_size :]


def analyse_output(samples: np.ndarray, config: GruvConfig, wav: str, reference, trained_blocks: int) -> dict:
    """Numbers for one generated output (``samples``: float, ±1 full scale; ``trained_blocks``: timesteps per example).

    The comparisons with the original cover the first ``min(output, original, trained length)``
    samples.  The envelope correlation and the energies above 1 kHz are the numbers of
    ``shared.criteria.gruv_criteria`` over that window (so they are None under 2 × 1024 samples,
    and None for a flat envelope); the onset match is ``shared.metrics.onset_match``'s, in full.
    """
    rate, block = config.sample_rate, config.block_size
    trained = trained_blocks * block
    envelope = metrics.rms_envelope(samples, frame=block, hop=block)  # one value per generated frame
    facts = {
        "wav": wav, "frames": len(envelope), "seconds": len(samples) / rate,
        "peak": float(np.abs(samples).max()), "rms": float(np.sqrt(np.mean(samples**2))),
        "clipped_fraction": float(np.mean(np.abs(samples) >= 32767 / 32768)),
        "rms_first_frames": float(envelope[:4].mean()),
    }
    if len(envelope) > trained_blocks + 4:
        tail = envelope[trained_blocks:]
        facts["tail_rms_start"] = float(tail[:4].mean())  # just past the training length
        facts["tail_rms_end"] = float(tail[-4:].mean())  # at the end of the output
    if reference is not None:
        length = min(len(samples), len(reference), trained)
        ours, theirs = samples[:length], reference[:length]
        rows = {row["id"]: row for row in criteria.gruv_criteria(ours, rate, theirs, rate)}
        facts["envelope_correlation"] = rows["envelope_corr"]["value"]
        noise = rows["noise_db"]["numbers"]
        facts["energy_above_1khz_db"] = noise.get("output_db")
        facts["reference_energy_above_1khz_db"] = noise.get("original_db")
        facts["onsets"] = metrics.onset_match(metrics.onset_times(theirs, rate), metrics.onset_times(ours, rate))
        if len(samples) > length + rate:
            facts["onsets_per_second_after_training_length"] = len(metrics.onset_times(samples[length:], rate)) / (
                (len(samples) - length) / rate
            )
    return facts


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gruv.analyse", description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", required=True, type=Path)
    parser.add_argument("--reference", type=Path, default=None, help="original audio to compare with")
    args = parser.parse_args(argv)
    config, document = load_config(args.run, GruvConfig)
    summaries = sorted((args.run / "generated").glob("*.json"))
    if not summaries:
        raise InputError(args.run / "generated", "no generated outputs: run `python -m gruv.generate` first")
    check_output_file(args.run / "analysis.json", "--run")
    losses = read_losses(args.run)
    report = {"epochs": len(losses), "first_loss": losses[0] if losses else None,
              "final_loss": losses[-1] if losses else None, "outputs": []}
    for path in summaries:
        summary = json.loads(path.read_text())
        samples = audio.read_audio(args.run / "generated" / summary["wav"], need_sound=False).samples[:, 0]
        reference = reference_for(config, document, summary["seed_example"], args.reference)
        trained_blocks = document["shapes"]["x"][1]
        report["outputs"].append(analyse_output(samples, config, summary["wav"], reference, trained_blocks))
    write_json(args.run / "analysis.json", report)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    cli_main(main)
