"""Our dreams beside the paper's Table 1: C1–C3 of the last dream of each run, with the metrics behind them.

For each run directory, the dream written last (the most trained) is scored by
``shared.criteria.dreaming_criteria`` against the run's training audio (block = the vector
length or hop for M3; the transpose's M8 against its seed), and printed as one Markdown row
beside the paper's rating of the same Audio Example.  Not part of the original code.

    python -m dreaming.analyse runs/dreaming/ex1 runs/dreaming/ex5 …
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dreaming.config import DreamingConfig
from shared import criteria
from shared.evaluate import mono
from shared.rundir import InputError, cli_main, load_config, read_json
from shared.sources import TABLE_1


def last_dream(run_dir: Path) -> Path:
    dreams = [path for path in (run_dir / "generated").glob("*.wav") if (path.with_suffix(".json")).is_file()
              and "iteration" in read_json(path.with_suffix(".json"))]
    if not dreams:
        raise InputError(run_dir, "no dreams written by dreaming.train here")
    return max(dreams, key=lambda path: read_json(path.with_suffix(".json"))["iteration"])


def row(run_dir: Path) -> str:
    config, document = load_config(run_dir, DreamingConfig)
    dream = last_dream(run_dir)
    summary = read_json(dream.with_suffix(".json"))
    evaluation = summary["evaluation"]
    output, rate = mono(dream)
    reference, reference_rate = mono(evaluation["reference"])
    seed = mono(evaluation["seed"]) if evaluation.get("seed") else (None, None)
    rows = {entry["id"]: entry for entry in criteria.dreaming_criteria(output, rate, reference, reference_rate,
                                                                       block=evaluation.get("block"), seed=seed[0],
                                                                       seed_rate=seed[1])}
    number = config.preset[len("example"):].split("-")[0]
    paper = TABLE_1.get(int(number))[2:] if number.isdigit() else ("–",) * 3
    c1, c2, c3 = (rows[key]["numbers"] for key in ("C1", "C2", "C3"))

    def number_of(values, key, spec):
        value = values.get(key)
        return "–" if value is None or value != value else format(value, spec)

    size = f"L {config.seg_len}" + (f", hop {config.hop}" if config.approach == "magnitude" else "") + f", n {config.rows}"
    return (f"| {number} | {config.approach} | {size} | {summary['iteration']:,} ({summary['epoch']:.3g} ep.) | "
            f"{summary['steps']:,} | {paper[0]} / {rows['C1']['value']} | {paper[1]} / {rows['C2']['value']} | "
            f"{paper[2]} / {rows['C3']['value']} | " + " | ".join(
                number_of(values, key, spec) for values, key, spec in (
                    (c1, "M1", ".1f"), (c1, "M2", ".3f"), (c1, "M3", ".2f"), (c2, "R5", ".2f"), (c2, "M6", ".0f"),
                    (c2, "M8", ".2f"), (c3, "M9_longest_s", ".2f"), (c3, "M10", ".2f"), (c3, "M11_s", ".2f"))) + " |")


HEADER = ("| Ex | approach | size | iterations of the dream's end | dream steps | C1 paper / ours | C2 paper / ours | "
          "C3 paper / ours | M1 dB | M2 | M3 | R5 | M6 | M8 | M9 longest s | M10 | M11 s |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dreaming.analyse", description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path)
    args = parser.parse_args(argv)
    print(HEADER)
    for run_dir in args.runs:
        print(row(run_dir), flush=True)


if __name__ == "__main__":
    cli_main(main)
