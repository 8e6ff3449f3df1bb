"""The suite runner behind ``make reproduce``: every registered work's preset, end to end.

For each work it builds the corpus the preset names (``shared.corpora``), then calls the
work's own scripts, each in its own process, exactly as a user would:

    python -m <work>.preprocess --preset P --input corpora/<corpus> --run runs/<work>/<P>
    python -m <work>.train --run runs/<work>/<P>
    python -m <work>.generate --run runs/<work>/<P> [--mode fast]

then scores every output by every work's criteria (``python -m shared.evaluate RUN_DIR``),
scores the sources' own published outputs the same way (``python -m shared.sources``, when
the reference folder is there), writes the report over the whole runs folder (``python -m shared.report RUNS --out
RUNS/report``) and prints the path of its ``index.html``.  It holds no model code.

    python -m shared.suite [--preset quick] [--works gruv] [--runs runs] [--corpora corpora] [--no-sources]
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import time
from pathlib import Path

from shared import corpora, sources
from shared.rundir import InputError, cli_main
from shared.rundir import check_output_folder  # bad-input guards

#: Works whose scripts are in place, in the order the suite runs them.
REGISTERED_WORKS = ("gruv", "mdn_vocoder", "dreaming", "decay", "autoencoder_synth")


def stages(work: str, preset: str, corpus_dir: Path, run_dir: Path) -> list[list[str]]:
    """The command lines of one work's run: preprocess, train, generate faithful and fast, then any the work's
    ``config.suite_stages(run_dir)`` adds (autoencoder_synth: the instrument's offline render)."""
    extra = getattr(importlib.import_module(f"{work}.config"), "suite_stages", lambda run: [])
    return [
        ["preprocess", "--preset", preset, "--input", str(corpus_dir), "--run", str(run_dir)],
        ["train", "--run", str(run_dir)],
        ["generate", "--run", str(run_dir), "--mode", "faithful"],
        ["generate", "--run", str(run_dir), "--mode", "fast"],
        *extra(run_dir),
    ]


def run_work(work: str, preset: str, runs_root: Path, corpora_root: Path) -> Path:
    presets = importlib.import_module(f"{work}.config").PRESETS
    if preset not in presets:
        raise InputError("--preset", f"{work} has no preset {preset!r} (accepted: {', '.join(presets)})")
    corpus = presets[preset].get("corpus")
    if corpus is None:
        raise InputError("--preset", f"{work} preset {preset!r} names no corpus to run on")
    name, _, folder = corpus.partition("/")  # "gm_notes/piano": one instrument folder (or one file) of a corpus
    print(f"[{work}] building corpus {name} -> {corpora_root / name}", flush=True)
    corpora.build(name, corpora_root / name)
    corpus_dir = corpora_root / corpus
    run_dir = runs_root / work / preset
    for stage in stages(work, preset, corpus_dir, run_dir):
        run_step([f"{work}.{stage[0]}", *stage[1:]], f"{work} {stage[0]}")
    return run_dir


def run_step(arguments: list[str], label: str) -> None:
    """``python -m <arguments>`` in its own process; stop the suite if it fails."""
    command = [sys.executable, "-m", *arguments]
    print(f"[{label}] $ {' '.join(command[2:])}", flush=True)
    started = time.perf_counter()
    if subprocess.run(command).returncode != 0:
        raise SystemExit(f"[{label}] failed; see the output above")
    print(f"[{label}] done in {time.perf_counter() - started:.1f} s", flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.suite", description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="quick")
    parser.add_argument("--works", nargs="+", default=list(REGISTERED_WORKS), choices=REGISTERED_WORKS)
    parser.add_argument("--runs", type=Path, default=Path("runs"))
    parser.add_argument("--corpora", type=Path, default=Path("corpora"))
    parser.add_argument("--sources", action=argparse.BooleanOptionalAction, default=True,
                        help="also score the sources' own published outputs (shared.sources; about a minute)")
    parser.add_argument("--lessons", action=argparse.BooleanOptionalAction, default=True,
                        help="also execute and render each work's tutorial (shared.lessons), linked from the report")
    args = parser.parse_args(argv)
    check_output_folder(args.runs, "--runs")
    check_output_folder(args.corpora, "--corpora")
    started = time.perf_counter()
    outputs = {work: run_work(work, args.preset, args.runs, args.corpora) for work in args.works}
    for run_dir in outputs.values():
        run_step(["shared.evaluate", str(run_dir)], "evaluate")
    missing = [work for work in sources.PUBLISHED if sources.reference_folder(work) is None]
    if args.sources and not missing:
        run_step(["shared.sources", "--out", str(args.runs / "sources")], "sources")
    elif args.sources:
        print(f"[sources] skipped: no reference files for {', '.join(missing)} "
              f"(python -m shared.reference fetch {' '.join(missing)})")
    if args.lessons:  # before the report, which links them
        run_step(["shared.lessons", "--works", *args.works, "--out", str(args.runs / "lessons")], "lessons")
    report_dir = args.runs / "report"
    run_step(["shared.report", str(args.runs), "--out", str(report_dir)], "report")
    print(f"\nDone in {time.perf_counter() - started:.0f} s. Outputs:")
    for work, run_dir in outputs.items():
        for wav in sorted((run_dir / "generated").glob("*.wav")):
            print(f"  {work}: {wav}")
        # autoencoder_synth: one per model
        losses = sorted(run_dir.glob("loss.csv")) or sorted(run_dir.glob("*/loss.csv"))
        print(f"  {work}: loss per epoch in {', '.join(map(str, losses))}; criteria in {run_dir / 'metrics.json'}")
    print(f"Report: {report_dir / 'report.md'}\nListening page: {(report_dir / 'index.html').resolve()}")


if __name__ == "__main__":
    cli_main(main)
