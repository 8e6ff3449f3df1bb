"""Our dreams beside the paper's Table 1: C1–C3 of every dream of each run, with the metrics behind them.

Every dream ``dreaming.train`` wrote into a run's ``generated/`` is scored by
``shared.criteria.dreaming_criteria`` (block = the vector length or hop for M3; M8 against
the training audio, the transpose's chroma against its seed beside it as M8_seed).  R, the
training audio the dreams are compared with, is the one the criteria were calibrated
against: the paper's whole input (``paper_examples/input.mp3``, 74 s, of which
``limited_guitar.wav`` is the first 30 s) when the reference files are present, else the
run's own input (``--training`` chooses another).  Printed, and with ``--out DIR`` written:

* ``table1.md``: the last dream (the most trained) of each run, one row beside the paper's
  rating of the same Audio Example;
* ``dreams.md``: the distribution over all dreams of each run (low / medium / high) and the
  share of dreams rated as the paper rated the example;
* ``dreams.json``: every dream's ratings and numbers.

    python -m dreaming.analyse runs/dreaming/ex1 runs/dreaming/ex5 … [--out dreaming/results/mine]

Not part of the original code.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dreaming.config import DreamingConfig
from shared import criteria, reference
from shared.evaluate import mono
from shared.rundir import InputError, atomic_path, cli_main, load_config, read_json, write_json
from shared.sources import DREAMING_INPUT, TABLE_1

LEVELS = ("low", "medium", "high")


def dreams_of(run_dir: Path) -> list[Path]:
    """The run's dreams written by ``dreaming.train``, oldest (fewest iterations) first."""
    dreams = [path for path in (run_dir / "generated").glob("*.wav") if (path.with_suffix(".json")).is_file()
              and "iteration" in read_json(path.with_suffix(".json"))]
    if not dreams:
        raise InputError(run_dir, "no dreams written by dreaming.train here")
    return sorted(dreams, key=lambda path: read_json(path.with_suffix(".json"))["iteration"])


def calibration_input() -> Path | None:
    """The paper's whole training input, R of the criteria's calibration, when the reference files are present."""
    folder = reference.locate("dreaming")
    path = folder / DREAMING_INPUT if folder else None
    return path if path and path.is_file() else None


def rate(dream: Path, training) -> dict:
    """C1–C3 of one dream against ``training`` ((samples, rate)), with the dream's summary."""
    summary = read_json(dream.with_suffix(".json"))
    evaluation = summary["evaluation"]
    output, rate_ = mono(dream)
    seed = mono(evaluation["seed"]) if evaluation.get("seed") else (None, None)
    rated = criteria.dreaming_criteria(output, rate_, *training, block=evaluation.get("block"), seed=seed[0],
                                       seed_rate=seed[1])
    rows = {entry["id"]: entry for entry in rated}
    return {"dream": dream.name, "iteration": summary["iteration"], "epoch": summary["epoch"],
            "steps": summary["steps"],
            "ratings": {key: rows[key]["value"] for key in ("C1", "C2", "C3")},
            "numbers": {key: rows[key]["numbers"] for key in ("C1", "C2", "C3")}}


def example_of(config: DreamingConfig) -> int | None:
    number = config.preset[len("example"):].split("-")[0]
    return int(number) if number.isdigit() else None


def paper_ratings(config: DreamingConfig) -> tuple:
    number = example_of(config)
    return TABLE_1[number][2:] if number in TABLE_1 else ("–",) * 3


def last_dream_row(config: DreamingConfig, rated: dict) -> str:
    paper = paper_ratings(config)
    c1, c2, c3 = (rated["numbers"][key] for key in ("C1", "C2", "C3"))

    def number_of(values, key, spec):
        value = values.get(key)
        return "–" if value is None or value != value else format(value, spec)

    ours = rated["ratings"]
    hop = f", hop {config.hop}" if config.approach == "magnitude" else ""
    size = f"L {config.seg_len}{hop}, n {config.rows}"
    numbers = " | ".join(number_of(values, key, spec) for values, key, spec in (
        (c1, "M1", ".1f"), (c1, "M2", ".3f"), (c1, "M3", ".2f"), (c2, "R5", ".2f"), (c2, "M6", ".0f"),
        (c2, "M8", ".2f"), (c3, "M9_longest_s", ".2f"), (c3, "M10", ".2f"), (c3, "M11_s", ".2f")))
    return (f"| {example_of(config) or config.preset} | {config.approach} | {size} | "
            f"{rated['iteration']:,} ({rated['epoch']:.3g} ep.) | {rated['steps']:,} | {paper[0]} / {ours['C1']} | "
            f"{paper[1]} / {ours['C2']} | {paper[2]} / {ours['C3']} | " + numbers + " |")


def distribution_row(config: DreamingConfig, rated: list[dict]) -> str:
    paper = paper_ratings(config)
    cells = []
    for key, expected in zip(("C1", "C2", "C3"), paper):
        counts = [sum(dream["ratings"][key] == level for dream in rated) for level in LEVELS]
        share = sum(dream["ratings"][key] == expected for dream in rated)
        cells.append(f"{expected} | {' · '.join(map(str, counts))} | {share}/{len(rated)}")
    first, last = f"{rated[0]['iteration']:,}", f"{rated[-1]['iteration']:,}"
    iterations = f"{first}–{last}" if len(rated) > 1 else first
    return (f"| {example_of(config) or config.preset} | {config.approach} | {len(rated)} | {iterations} | "
            + " | ".join(cells) + " |")


HEADER = ("| Ex | approach | size | iterations of the dream's end | dream steps | C1 paper / ours | C2 paper / ours | "
          "C3 paper / ours | M1 dB | M2 | M3 | R5 | M6 | M8 | M9 longest s | M10 | M11 s |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
DISTRIBUTION_HEADER = ("| Ex | approach | dreams | iterations | C1 paper | C1 ours: low · medium · high | "
                       "as the paper | C2 paper | C2 ours: low · medium · high | as the paper | C3 paper | "
                       "C3 ours: low · medium · high | as the paper |\n"
                       "|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def analyse(runs, training_path=None) -> dict:
    """Every dream of every run rated; returns the two tables and the per-dream document."""
    training_path = training_path or calibration_input()
    cache, last_rows, distribution_rows, document = {}, [HEADER], [DISTRIBUTION_HEADER], {"runs": []}
    for run_dir in runs:
        config, settings = load_config(run_dir, DreamingConfig)
        against = Path(training_path or settings["input"])
        if against not in cache:
            cache[against] = mono(against)
        rated = []
        for dream in dreams_of(run_dir):
            print(f"[analyse] {run_dir.name}: {dream.name}", flush=True)
            rated.append(rate(dream, cache[against]))
        last_rows.append(last_dream_row(config, rated[-1]))
        distribution_rows.append(distribution_row(config, rated))
        document["runs"].append({"run": run_dir.name, "preset": config.preset, "example": example_of(config),
                                 "paper": dict(zip(("C1", "C2", "C3"), paper_ratings(config))),
                                 "training_audio": against.name, "dreams": rated})
    label = f"R = {Path(training_path).name}" if training_path else "R = each run's own input"
    return {"table1": "\n".join(last_rows) + "\n", "dreams": f"{label}.\n\n" + "\n".join(distribution_rows) + "\n",
            "document": document}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dreaming.analyse", description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--training", type=Path, default=None,
                        help="the audio to compare the dreams with (default: the paper's input.mp3 when present, "
                             "else the run's input)")
    parser.add_argument("--out", type=Path, default=None, help="write table1.md, dreams.md and dreams.json here")
    args = parser.parse_args(argv)
    if args.training is not None and not args.training.is_file():
        raise InputError(args.training, "not found: --training must be an audio file")
    result = analyse(args.runs, args.training)
    print(result["table1"])
    print(result["dreams"])
    if args.out:
        for name in ("table1", "dreams"):
            with atomic_path(args.out / f"{name}.md") as temporary:
                temporary.write_text(result[name])
        write_json(args.out / "dreams.json", result["document"])
        print(f"wrote {args.out}/table1.md, dreams.md, dreams.json")


if __name__ == "__main__":
    cli_main(main)
