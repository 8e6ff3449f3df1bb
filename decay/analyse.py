"""Our continuations beside the authors', scored by the same criteria (the paper's three requirements).

For each note a run generated, the ``_gen_wp`` file (ours) and the authors' own
``results/<run>/<note>_gen_wp.wav`` are scored by ``shared.criteria.decay_criteria`` against
their originals after the prime, and printed as one Markdown table: f0 (pitch kept?), the
partial's decay slope and the high-passed RMS slope (decays?), tonal fraction and flatness
(noise?), the fitted decay rate b.  Not part of the original code.

    python -m decay.analyse --run runs/decay/run4 [--reference DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from decay.config import DecayConfig
from shared import criteria
from shared.evaluate import mono
from shared.rundir import InputError, cli_main, load_config, read_losses
from shared.sources import DECAY_BAND_HZ, reference_folder


def scored(continuation: Path, original: Path, band_hz: float, original_only=False) -> dict:
    """``decay_criteria`` of a ``_gen_wp`` file against its original after the prime (P = the length difference).

    ``original_only``: the original after the prime scored against itself (its own decay and noise).
    """
    ours, rate = mono(continuation)
    whole, original_rate = mono(original)
    after_prime = whole[len(whole) - len(ours) * original_rate // rate:]
    if original_only:
        ours, rate = after_prime, original_rate
    return {row["id"]: row for row in criteria.decay_criteria(ours, rate, after_prime, original_rate, band_hz=band_hz)}


def number(value, digits=1) -> str:
    """``value`` with ``digits`` decimals, or a dash for a missing number."""
    return "–" if value is None else f"{value:.{digits}f}"


def row(label: str, rows: dict) -> str:
    """One Markdown row of the table: f0, the decay slopes, the noise numbers and the fitted rate b."""
    pitch, falling, noise, fit = rows["same_frequencies"], rows["decreasing"], rows["low_noise"], rows["decay_fit"]
    return (f"| {label} | {number(pitch['numbers']['f0_hz'])} ({pitch['verdict']}) | {number(falling['value'])} / "
            f"{number(falling['numbers']['rms_slope_hp100'])} ({falling['verdict']}) | {number(noise['value'])} dB: "
            f"{number(noise['numbers']['flatness'], 4)}, tonal {number(noise['numbers']['tonal'], 3)} "
            f"({noise['verdict']}) | {number(fit['value'], 2)} |")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m decay.analyse", description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", required=True, type=Path)
    parser.add_argument("--reference", type=Path, default=None,
                        help="reference root holding decay/ (default: python -m shared.reference's search)")
    args = parser.parse_args(argv)
    config, document = load_config(args.run, DecayConfig)
    generated = sorted((args.run / "generated").glob("*_gen_wp.wav"))
    if not generated:
        raise InputError(args.run / "generated", "no _gen_wp.wav files: run `python -m decay.generate` first")
    run_number = config.preset[3:] if config.preset.startswith("run") else None
    folder = reference_folder("decay", args.reference)
    authors = next((folder / "results").glob(f"{run_number} - *"), None) if run_number and folder else None
    band = document["model_rate"] / 2
    losses = read_losses(args.run)
    print(f"{config.preset}: {len(losses)} epochs, final training loss {losses[-1]:.4f}" if losses else config.preset)
    print("\n| output | f0 Hz (same frequencies) | partial / HP100 RMS dB/s (decreasing, against the original) | "
          "flatness over the original's: dB: flatness, tonal fraction (low noise) | fit b 1/s |")
    print("|---|---|---|---|---|")
    for path in generated:
        note = path.name[: -len("_gen_wp.wav")]
        original = args.run / "generated" / f"{note}.wav"
        print(row(f"ours: {note}", scored(path, original, band)))
        theirs = authors / path.name if authors else None
        if theirs is not None and theirs.is_file():
            instrument = authors.name.split(" - ")[1].split("_")[0]
            authors_rows = scored(theirs, theirs.with_name(f"{note}.wav"), DECAY_BAND_HZ[instrument])
            print(row(f"authors' run {run_number}: {note}", authors_rows))
        print(row(f"original: {note}", scored(path, original, band, original_only=True)))


if __name__ == "__main__":
    cli_main(main)
