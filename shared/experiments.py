"""Make a work's experiments over training seeds and commit their evidence: ``python -m shared.experiments``.

Each experiment a finding needs is declared in ``<work>/findings.py`` (``EXPERIMENTS``: a preset and its settings,
and the generation calls that it and its variants are measured on).  This runs every (experiment, seed) as one job of
``shared.grid`` (resumable: run it again after an interruption), and as each job finishes, copies its evidence to
``<work>/results/<experiment>/seed<k>/`` (``shared.evidence``), so a long series can be committed experiment by
experiment.  Then ``python -m shared.findings WORK`` judges the findings from what is there.

    python -m shared.experiments mdn_vocoder sine sine-absolute --seeds 1 2 3 [--runs runs/experiments]
        [--executor local|ray] [--jobs N] [--address auto] [--list]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shared import evidence, findings, grid
from shared.rundir import InputError, cli_main
from shared.rundir import check_output_folder  # bad-input guards


def jobs_for(work: str, names: list[str], seeds: list[int], locate=True) -> list[grid.Job]:
    """One grid job per (trained experiment, seed) that ``names`` need (a variant needs the runs it measures);
    ``locate=False`` leaves the reference inputs unresolved (for listing)."""
    declared = findings.experiments_of(work)
    for name in names:
        if name not in declared:
            raise InputError(name, f"{work} declares no experiment {name!r} (accepted: {', '.join(declared)})")
    trained = list(dict.fromkeys(findings.trained_experiment(work, name) for name in names))
    jobs = []
    for name in trained:
        experiment = declared[name]
        source = experiment.reference
        if source is not None and locate:
            source = reference_input(work, source)
        jobs += [grid.Job(work, experiment.preset, seed, experiment.overrides, name=name,
                          generate=experiment.generate or None, input=source, train=experiment.train,
                          corpus=experiment.corpus, models=experiment.models, stages=experiment.stages)
                 for seed in seeds]
    return jobs


def reference_input(work: str, relative: str) -> str:
    """The absolute path of ``relative`` inside the work's reference data; a clear error when it is not there."""
    from shared import reference

    folder = reference.locate(work)
    if folder is None or not (folder / relative).exists():
        raise InputError(relative, f"{work}'s reference data is not here: run {reference.fetch_command(work)} "
                                   "(or set AUDIO_REPRO_REFERENCE)")
    return str((folder / relative).resolve())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.experiments", description=__doc__.split("\n\n")[0])
    parser.add_argument("work", choices=findings.WORKS)
    parser.add_argument("experiments", nargs="*", metavar="EXPERIMENT", help="default: every declared experiment")
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3], metavar="K")
    parser.add_argument("--runs", type=Path, default=Path("runs/experiments"), help="the grid's run directories")
    parser.add_argument("--corpora", type=Path, default=Path("corpora"))
    parser.add_argument("--executor", choices=("local", "ray"), default="local")
    parser.add_argument("--address", default=None, help="Ray: 'auto' or HOST:PORT (default: a local instance)")
    parser.add_argument("--jobs", type=int, default=None, help="local: runs at once (default: the cores)")
    parser.add_argument("--list", action="store_true", help="print the jobs and where their evidence goes; run none")
    args = parser.parse_args(argv)
    names = args.experiments or list(findings.experiments_of(args.work))
    results = findings.results_dir(args.work)
    if args.list:
        for job in jobs_for(args.work, names, args.seeds, locate=False):
            calls = "; ".join(" ".join(call) for call in job.generate or ()) or "default generation"
            settings = " ".join(f"--set {item}" for item in job.overrides)
            source = f", input: {args.work}'s reference data {job.input}" if job.input else ""
            source += f", models: {' '.join(job.models)}" if job.models else ""
            source += f", then: {'; '.join(' '.join(stage) for stage in job.stages)}" if job.stages else ""
            print(f"{job.label}: preset {job.preset} {settings} -> "
                  f"{results.relative_to(findings.REPO_ROOT)}/{job.experiment}/seed{job.seed} ({calls}{source})")
        return
    jobs = jobs_for(args.work, names, args.seeds)
    check_output_folder(args.runs, "--runs")
    check_output_folder(args.corpora, "--corpora")
    options = grid.Options(runs=args.runs.resolve(), corpora=args.corpora.resolve())
    roots = {str(options.corpora): "corpora", str(options.runs): "runs", str(findings.REPO_ROOT): "."}
    roots.update({str(Path(job.input).parent.resolve()): f"reference/{job.work}" for job in jobs if job.input})

    def commit_evidence(job: grid.Job, summary: dict) -> None:
        if summary["status"] in ("done", "skipped") and grid.is_done(job.folder(options.runs)):
            dest = evidence.collect(job.folder(options.runs), results / job.experiment / f"seed{job.seed}",
                                    {**roots, str(job.folder(options.runs)): "RUN"},
                                    audio=findings.experiments_of(job.work)[job.experiment].audio)
            print(f"[{job.label}] evidence in {dest.relative_to(findings.REPO_ROOT)}", file=sys.stderr, flush=True)

    summaries = grid.run_grid(jobs, options, executor=args.executor, parallel=args.jobs, address=args.address,
                              on_finish=commit_evidence)
    grid.finish(summaries, options.runs)
    print(f"Now: python -m shared.findings {args.work}")


if __name__ == "__main__":
    cli_main(main)
