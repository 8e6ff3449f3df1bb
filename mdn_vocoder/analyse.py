"""The blog's comparisons, measured: variance (``--bias``) and resets, over several sampling seeds.

For a trained run, generates (fast mode) every combination of the given biases and reset
periods for each seed, scores each output by ``shared.criteria.mdn_vocoder_criteria`` against
the training note, and prints one Markdown table of medians over the seeds:

* **pitch error**: Welch f0 of the output against the note's, in cents;
* **drift**: the std (cents) and slope (cents/s) of the tracked partial near the note's f0;
* **frame-to-frame std**: the std of successive differences of the generated frames
  (median over bins 1..P−1), in Hz and in magnitude units: the blog's "variance".

The outputs stay in ``analysis/`` (``analyse_bias<b>_reset<r>_seed<k>.wav``), the table goes
to ``analysis.md``.  Not part
of the original code.

    python -m mdn_vocoder.analyse --run runs/mdn/clarinet --bias 1 1e-5 --reset-every 0 86 --seeds 1 2 3 4 5
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
from pathlib import Path

from mdn_vocoder.config import MdnConfig
from mdn_vocoder.sampling import generate_output
from shared import criteria
from shared.evaluate import mono
from shared.rundir import InputError, cli_main, load_config, read_json
from shared.rundir import SEED, check_output_file, check_output_folder  # bad-input guards


def measure(run_dir: Path, config: MdnConfig, bias: float, reset: int, seed: int) -> dict:
    """Generate one output and return its numbers."""
    chosen = dataclasses.replace(config, bias=bias, reset_every=reset, sample_seed=seed)
    name = f"analyse_bias{bias:g}_reset{reset}_seed{seed}"
    summary = generate_output(run_dir, chosen, mode="fast", name=name, progress=False, out_dir=run_dir / "analysis")
    output, rate = mono(run_dir / "analysis" / f"{name}.wav")
    reference, reference_rate = mono(summary["evaluation"]["reference"])
    rows = {row["id"]: row for row in criteria.mdn_vocoder_criteria(output, rate, reference, reference_rate)}
    return {"pitch_error_cents": rows["pitch_error_cents"]["value"],
            "f0_hz": rows["pitch_error_cents"]["numbers"]["f0_hz"],
            "drift_cents": rows["pitch_drift_cents"]["value"],
            "spread_cents": rows["pitch_drift_cents"]["numbers"].get("spread_cents"),
            "slope_cents_per_s": rows["pitch_drift_cents"]["numbers"].get("slope_cents_per_s"),
            "frequency_step_std_hz": summary["generated"]["frequency_step_std_hz"],
            "amplitude_step_std": summary["generated"]["amplitude_step_std"], "training": summary["training"]}


def median(values) -> float:
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else float("nan")


def analyse(run_dir, biases, resets, seeds, length=None) -> list[str]:
    run_dir = Path(run_dir)
    config, _ = load_config(run_dir, MdnConfig)
    if not (run_dir / "model.keras").is_file():
        raise InputError(run_dir / "model.keras", "missing: run `python -m mdn_vocoder.train` for this run first")
    config = dataclasses.replace(config, length=length or config.length)
    numbers = read_json(run_dir / "run_numbers.json") if (run_dir / "run_numbers.json").is_file() else {}
    lines = [f"Run `{run_dir.name}` (preset `{config.preset}`, {numbers.get('iterations', '?')} iterations, median "
             f"NLL per frame {numbers.get('median_nll_per_frame', float('nan')):.1f}); {config.length} frames per "
             f"output; medians over seeds {', '.join(map(str, seeds))} (min–max in brackets).", "",
             "| bias | reset every | f0 (Hz) | pitch error (cents) | drift: f0 track extent (cents) | "
             "drift: f0 track std (cents) | drift slope (cents/s) | frame-to-frame std (Hz) | "
             "frame-to-frame std (magnitude) |",
             "|---|---|---|---|---|---|---|---|---|"]
    training = None
    for bias in biases:
        for reset in resets:
            measured = [measure(run_dir, config, bias, reset, seed) for seed in seeds]
            training = measured[0]["training"]

            def cell(key, digits, kind="f"):
                values = [m[key] for m in measured if m[key] is not None]
                if len(values) < 2 or min(values) == max(values):
                    return f"{median(values):.{digits}{kind}}"
                spec = f".{digits}{kind}"
                return f"{median(values):{spec}} ({min(values):{spec}}–{max(values):{spec}})"

            lines.append(f"| {bias:g} | {reset or 'never'} | {cell('f0_hz', 1)} | {cell('pitch_error_cents', 1)} | "
                         f"{cell('drift_cents', 1)} | {cell('spread_cents', 1)} | {cell('slope_cents_per_s', 2)} | "
                         f"{cell('frequency_step_std_hz', 3, 'g')} | {cell('amplitude_step_std', 3, 'g')} |")
            print(lines[-1], flush=True)
    lines += ["", f"Training frames: frame-to-frame std {training['frequency_step_std_hz']:.3g} Hz, "
                  f"{training['amplitude_step_std']:.3g} magnitude."]
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mdn_vocoder.analyse", description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", required=True, type=Path)
    parser.add_argument("--bias", nargs="+", type=float, default=[1.0, 1e-5])
    parser.add_argument("--reset-every", nargs="+", type=int, default=[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3, 4, 5])
    parser.add_argument("--length", type=int, default=3000, help="frames per output (the Readme's example: 3000)")
    args = parser.parse_args(argv)
    if any(bias <= 0 for bias in args.bias) or any(reset < 0 for reset in args.reset_every):
        raise InputError("--bias/--reset-every", "biases must be positive and reset periods at least 0")
    if args.length < 1:
        raise InputError("--length", f"{args.length} is not accepted (accepted: at least 1 frame)")
    if not all(SEED.accepts(seed) for seed in args.seeds):
        raise InputError("--seeds", f"{args.seeds} is not accepted (accepted: each {SEED.describe()})")
    load_config(args.run, MdnConfig)
    check_output_folder(args.run / "analysis", "--run")
    check_output_file(args.run / "analysis.md", "--run")
    lines = analyse(args.run, args.bias, args.reset_every, args.seeds, args.length)
    print("\n".join(lines))
    (args.run / "analysis.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    cli_main(main)
