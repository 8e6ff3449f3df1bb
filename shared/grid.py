"""A grid of runs, (work, preset, seed) each, on this machine or on a Ray cluster: ``python -m shared.grid``.

Every job is one run directory, ``RUNS/<work>/<preset>/seed<k>``, made by the work's own
scripts in their own processes, exactly as :mod:`shared.suite` makes its runs (the grid holds
no model code)::

    python -m <work>.preprocess --preset P --input CORPUS --run DIR --set seed=k [--set KEY=VALUE …]
    python -m <work>.train --run DIR [--tensorboard]
    python -m <work>.generate --run DIR --mode fast        (and faithful with --faithful)
    python -m shared.evaluate DIR                          (unless --no-evaluate)

Each finished stage is recorded in ``DIR/grid.json`` (with its command, wall time and the
node it ran on), so a grid started again skips every finished run and every finished stage
of an unfinished one; a killed ``train`` resumes from the run's own checkpoints.  The
stages' output goes to ``DIR/grid.log``.

Executors:

* ``--executor local`` (the default): ``--jobs`` runs at once on this machine (default: the
  cores divided by ``--cpus-per-run``);
* ``--executor ray``: one Ray task per run, asking for ``--cpus-per-run`` CPUs and
  ``--gpus-per-run`` GPUs; ``--address auto`` joins the cluster ``ray start`` made, no
  address starts a local Ray instance.  Ray is the optional ``cluster`` extra
  (``pip install -e '.[cluster]'``).

The run directories are written where every node sees them (``--runs`` on a shared file
system), or, with ``--gather``, in a scratch folder of the node, then sent back through Ray's
object store to the driver's ``--runs`` when finished (a run killed half-way then starts
again from the beginning: its checkpoints stayed on that node).  Without ``--input``, each
job uses the corpus its preset names (``shared.corpora``), built on the node that needs it.

    python -m shared.grid --works gruv decay --presets tiny --seeds 1 2 [--runs runs/grid]
        [--executor local|ray] [--address auto] [--cpus-per-run 1] [--gpus-per-run 1] [--gather]
        [--input PATH] [--set KEY=VALUE …] [--faithful] [--no-evaluate] [--tensorboard]

A summary table (status, wall time and node per run) is printed at the end and written to
``RUNS/grid_summary.md``; the exit status is 1 if a run failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import io
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from shared.rundir import InputError, cli_main, read_json, write_json
from shared.rundir import check_output_folder  # bad-input guards

WORKS = ("gruv", "mdn_vocoder", "dreaming", "decay", "autoencoder_synth")
REPO_ROOT = Path(__file__).resolve().parent.parent
STATE = "grid.json"
LOG = "grid.log"


@dataclasses.dataclass(frozen=True)
class Job:
    """One run of the grid: a work's preset at one training seed, with optional extra settings.

    ``name`` (default: the preset) names the experiment's folder, so that two jobs of one preset with different
    ``overrides`` keep apart.  ``generate``, when given, replaces the suite's generation stages: one fast-mode
    ``generate`` call per entry, with the entry's extra arguments (``("--bias", "1e-5", "--seed", "2")``).
    ``input``: this job's input audio, where it is not the preset's corpus."""

    work: str
    preset: str
    seed: int
    overrides: tuple[str, ...] = ()
    name: str | None = None
    generate: tuple[tuple[str, ...], ...] | None = None
    input: str | None = None  # this job's input (a path every node sees), in place of the grid's --input
    train: tuple[str, ...] = ()  # extra arguments of the train stage (e.g. "--mode", "fast")
    corpus: str | None = None  # a corpus of shared.corpora ("mma_grooves/blues") in place of the preset's
    models: tuple[str, ...] = ()  # several models trained in one run, in this order (autoencoder_synth's cells)
    stages: tuple[tuple[str, ...], ...] = ()  # more `python -m` commands after generation ("{run}": the run folder)

    @property
    def experiment(self) -> str:
        return self.name or self.preset

    @property
    def label(self) -> str:
        return f"{self.work}/{self.experiment}/seed{self.seed}"

    def folder(self, runs: Path) -> Path:
        return Path(runs) / self.work / self.experiment / f"seed{self.seed}"


@dataclasses.dataclass(frozen=True)
class Options:
    """What every job of one grid shares (sent to each worker, so plain values only)."""

    runs: Path
    corpora: Path
    input: Path | None = None
    faithful: bool = False
    evaluate: bool = True
    tensorboard: bool = False
    cpus_per_run: int = 1
    gpus_per_run: int | None = None


def preset_corpus(work: str, preset: str) -> str:
    """The corpus a work's preset names (``"gm_notes/piano"``: one folder of corpus ``gm_notes``)."""
    presets = importlib.import_module(f"{work}.config").PRESETS
    corpus = presets[preset].get("corpus")
    if corpus is None:
        raise InputError("--presets", f"{work} preset {preset!r} names no corpus: give --input")
    return corpus


def stages(job: Job, run_dir: Path, corpus: Path, options: Options) -> list[tuple[str, list[str]]]:
    """``(key, python -m arguments)`` per stage: the suite's stages (shared.suite.stages) with the job's seed and
    settings, the generation modes asked for, then the evaluation."""
    from shared.suite import stages as suite_stages

    settings = [item for setting in (f"seed={job.seed}", *job.overrides) for item in ("--set", setting)]
    out = []
    for script, *rest in suite_stages(job.work, job.preset, corpus, run_dir):
        key = script
        if script == "generate":
            if job.generate is not None or (rest[-1] == "faithful" and not options.faithful):
                continue  # the job's own generate calls follow train; faithful generation only when asked
            key = f"generate-{rest[-1]}"
        elif script == "preprocess":
            rest += settings
        elif script == "train":
            rest += [*job.train, *(["--tensorboard"] if options.tensorboard else [])]
        if script == "train" and job.models:  # one stage per model, each resumable on its own
            out += [(f"train {model}", [f"{job.work}.train", *rest, "--preset", model]) for model in job.models]
        else:
            out.append((key, [f"{job.work}.{script}", *rest]))
        if script == "train" and job.generate is not None:
            out += [(" ".join(["generate", *extra]), [f"{job.work}.generate", "--run", str(run_dir), "--mode", "fast",
                                                      *extra]) for extra in job.generate]
    out += [(" ".join(extra), [item.replace("{run}", str(run_dir)) for item in extra]) for extra in job.stages]
    if options.evaluate:
        out.append(("evaluate", ["shared.evaluate", str(run_dir)]))
    return out


def state_of(run_dir: Path) -> dict:
    path = Path(run_dir) / STATE
    return read_json(path) if path.is_file() else {}


def is_done(run_dir: Path) -> bool:
    return state_of(run_dir).get("status") == "done"


def _child_environment(options: Options) -> dict:
    env = dict(os.environ)
    threads = str(max(1, options.cpus_per_run))
    env.update(OMP_NUM_THREADS=threads, TF_NUM_INTRAOP_THREADS=threads, TF_NUM_INTEROP_THREADS=threads)
    if options.gpus_per_run == 0:
        env["CUDA_VISIBLE_DEVICES"] = ""  # asked for no GPU: TensorFlow must not take one
    return env


def _ensure_corpus(corpus: str, root: Path) -> Path:
    """The corpus folder, built under ``root`` unless a finished build (its manifest) is there; a lock keeps two
    jobs on one node from building it at once."""
    import fcntl

    from shared import corpora

    name = corpus.partition("/")[0]
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / name / "manifest.json").is_file():
            corpora.build(name, root / name)
    return root / corpus


def run_job(job: Job, options: Options, run_dir: Path | None = None, corpora_root: Path | None = None) -> dict:
    """Run (or resume) one job in ``run_dir`` (default: its folder under ``options.runs``); returns its summary:
    label, status (done / skipped / failed), wall seconds, node, and the log's last lines when it failed."""
    run_dir = Path(run_dir or job.folder(options.runs))
    summary = {"job": job.label, "node": socket.gethostname(), "seconds": 0.0}
    state = state_of(run_dir)
    if state.get("status") == "done":
        return {**summary, "status": "skipped", "node": state.get("node", "")}
    run_dir.mkdir(parents=True, exist_ok=True)
    corpus = job.input or options.input or _ensure_corpus(job.corpus or preset_corpus(job.work, job.preset),
                                                          corpora_root or options.corpora)
    state.update(job=dataclasses.asdict(job), status="running", node=summary["node"])
    state.setdefault("stages", {})
    write_json(run_dir / STATE, state)
    started = time.perf_counter()
    for key, arguments in stages(job, run_dir, Path(corpus), options):
        if key in state["stages"]:
            continue
        command = [sys.executable, "-m", *arguments]
        stage_started = time.perf_counter()
        with open(run_dir / LOG, "a") as log:
            log.write(f"$ python -m {' '.join(arguments)}\n")
            log.flush()
            returncode = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT,
                                        env=_child_environment(options)).returncode
        if returncode != 0:
            state.update(status="failed", failed_stage=key)
            write_json(run_dir / STATE, state)
            tail = (run_dir / LOG).read_text(errors="replace").splitlines()[-15:]
            return {**summary, "status": "failed", "seconds": time.perf_counter() - started,
                    "error": f"{key} exited with {returncode}:\n" + "\n".join(tail)}
        state["stages"][key] = {"command": "python -m " + " ".join(arguments), "node": summary["node"],
                                "seconds": round(time.perf_counter() - stage_started, 2)}
        write_json(run_dir / STATE, state)
    state.update(status="done", wall_seconds=round(sum(stage["seconds"] for stage in state["stages"].values()), 2),
                 finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    write_json(run_dir / STATE, state)
    return {**summary, "status": "done", "seconds": time.perf_counter() - started}


def run_job_gathered(job: Job, options: Options) -> tuple[dict, bytes]:
    """``run_job`` in a scratch folder of this node; returns the summary and the run directory as a tar archive."""
    with tempfile.TemporaryDirectory(prefix="audio-repro-grid-") as scratch:
        run_dir = Path(scratch) / "run"
        corpora_root = Path(tempfile.gettempdir()) / f"audio-repro-corpora-{os.getuid()}"
        summary = run_job(job, options, run_dir=run_dir, corpora_root=corpora_root)
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w:gz") as tar:
            tar.add(run_dir, arcname=".")
        return summary, archive.getvalue()


def unpack_run(archive: bytes, run_dir: Path) -> None:
    """Put a gathered run directory in place: unpacked beside it, then renamed over it."""
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    unpacked = Path(tempfile.mkdtemp(prefix=f".{run_dir.name}-", dir=run_dir.parent))
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        tar.extractall(unpacked, filter="data")
    if run_dir.exists():
        shutil.rmtree(run_dir)
    unpacked.rename(run_dir)


def run_local(jobs: list[Job], options: Options, parallel: int, progress) -> list[dict]:
    from concurrent.futures import ThreadPoolExecutor, as_completed

    for corpus in sorted({job.corpus or preset_corpus(job.work, job.preset) for job in jobs
                          if job.input is None and options.input is None}):
        _ensure_corpus(corpus, options.corpora)  # once, before the jobs that read it start
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = [pool.submit(run_job, job, options) for job in jobs]
        for future in as_completed(futures):
            progress(future.result())
    return [future.result() for future in futures]


def run_ray(jobs: list[Job], options: Options, address: str | None, gather: bool, progress) -> list[dict]:
    try:
        import ray
    except ImportError:
        raise InputError("--executor", "ray is not installed (pip install -e '.[cluster]'), or use --executor local")
    ray.init(address=address, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True,
             configure_logging=False)
    resources = {"num_cpus": options.cpus_per_run, "num_gpus": options.gpus_per_run or 0}
    task = ray.remote(run_job_gathered if gather else run_job).options(**resources)
    pending = {task.remote(job, options): job for job in jobs}
    summaries = {}
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        job = pending.pop(ready[0])
        result = ray.get(ready[0])
        if gather:
            result, archive = result
            unpack_run(archive, job.folder(options.runs))
        summaries[job] = result
        progress(result)
    return [summaries[job] for job in jobs]


def run_grid(jobs: list[Job], options: Options, *, executor="local", parallel=None, address=None,
             gather=False, on_finish=None) -> list[dict]:
    """Run every job not yet done (the others are reported as skipped); returns one summary per job, in order.
    ``on_finish(job, summary)``, if given, is called in this process as each job ends (skipped ones included)."""
    from tqdm import tqdm

    bar = tqdm(total=len(jobs), unit="run", desc="grid", file=sys.stderr)
    skipped = [job for job in jobs if is_done(job.folder(options.runs))]
    by_job_label = {job.label: job for job in jobs}

    def progress(summary):
        bar.update(1)
        bar.set_postfix_str(f"{summary['job']} {summary['status']}")
        if on_finish is not None:
            on_finish(by_job_label[summary["job"]], summary)

    for job in skipped:
        progress({"job": job.label, "status": "skipped"})
    todo = [job for job in jobs if job not in skipped]
    if executor == "ray":
        results = run_ray(todo, options, address, gather, progress) if todo else []
    else:
        parallel = parallel or max(1, (os.cpu_count() or 1) // max(1, options.cpus_per_run))
        results = run_local(todo, options, parallel, progress) if todo else []
    bar.close()
    by_label = {summary["job"]: summary for summary in results}
    return [by_label.get(job.label) or {"job": job.label, "status": "skipped", "seconds": 0.0,
                                        "node": state_of(job.folder(options.runs)).get("node", "")}
            for job in jobs]


def summary_table(summaries: list[dict]) -> str:
    lines = ["| run | status | wall time (s) | node |", "|---|---|---|---|"]
    lines += [f"| {s['job']} | {s['status']} | {s['seconds']:.1f} | {s.get('node', '')} |" for s in summaries]
    return "\n".join(lines) + "\n"


def finish(summaries: list[dict], runs: Path) -> None:
    """Print the summary table (and write it to ``runs/grid_summary.md``), then each failure's log; exit status 1
    if a run failed."""
    table = summary_table(summaries)
    (Path(runs) / "grid_summary.md").write_text(table)
    print(table, end="")
    failed = [summary for summary in summaries if summary["status"] == "failed"]
    for summary in failed:
        print(f"\n[{summary['job']}] failed: {summary['error']}", file=sys.stderr)
    if failed:
        raise SystemExit(1)


def make_jobs(works, presets, seeds, overrides=()) -> list[Job]:
    """Every (work, preset, seed), checked: a preset a work lacks is an error naming the presets it has."""
    jobs = []
    for work in works:
        known = importlib.import_module(f"{work}.config").PRESETS
        for preset in presets:
            if preset not in known:
                raise InputError("--presets", f"{work} has no preset {preset!r} (accepted: {', '.join(known)})")
            jobs += [Job(work, preset, seed, tuple(overrides)) for seed in seeds]
    return jobs


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.grid", description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", nargs="+", required=True, metavar="WORK", help=f"any of {', '.join(WORKS)}")
    parser.add_argument("--presets", nargs="+", required=True, metavar="PRESET", help="each work's presets to run")
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3], metavar="K",
                        help="training seeds (--set seed=K at preprocess; default 1 2 3)")
    parser.add_argument("--input", type=Path, default=None,
                        help="the input corpus for every run (default: the corpus each preset names)")
    parser.add_argument("--runs", type=Path, default=Path("runs/grid"), help="where the run directories go")
    parser.add_argument("--corpora", type=Path, default=Path("corpora"), help="where the presets' corpora are built")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting for every run (repeatable; applied at preprocess)")
    parser.add_argument("--executor", choices=("local", "ray"), default="local")
    parser.add_argument("--address", default=None,
                        help="Ray: 'auto' or HOST:PORT of a running cluster (default: start a local instance)")
    parser.add_argument("--jobs", type=int, default=None, help="local: runs at once (default: cores / cpus-per-run)")
    parser.add_argument("--cpus-per-run", type=int, default=1)
    parser.add_argument("--gpus-per-run", type=int, default=None,
                        help="GPUs per run (0 hides every GPU from the run; default: Ray asks for none, local "
                             "leaves the device choice to TensorFlow)")
    parser.add_argument("--gather", action="store_true",
                        help="Ray: run in the node's scratch space and send each finished run directory back to "
                             "--runs (for nodes that share no file system)")
    parser.add_argument("--faithful", action="store_true", help="also generate in faithful mode (slow)")
    parser.add_argument("--evaluate", action=argparse.BooleanOptionalAction, default=True,
                        help="score each run's outputs (python -m shared.evaluate)")
    parser.add_argument("--tensorboard", action="store_true", help="train with --tensorboard (RUN/logs/)")
    args = parser.parse_args(argv)
    for work in args.works:
        if work not in WORKS:
            raise InputError("--works", f"{work!r} is not a work (accepted: {', '.join(WORKS)})")
    for option, value, least in (("--cpus-per-run", args.cpus_per_run, 1), ("--jobs", args.jobs, 1),
                                 ("--gpus-per-run", args.gpus_per_run, 0)):
        if value is not None and value < least:
            raise InputError(option, f"{value} is not accepted (accepted: {least} or more)")
    if args.gather and args.executor != "ray":
        raise InputError("--gather", "only with --executor ray (the local executor writes to --runs directly)")
    if args.input is not None and not args.input.exists():
        raise InputError(args.input, "no such file or folder (--input: a corpus folder or an audio file)")
    check_output_folder(args.runs, "--runs")
    check_output_folder(args.corpora, "--corpora")
    jobs = make_jobs(args.works, args.presets, args.seeds, args.overrides)
    options = Options(runs=args.runs.resolve(), corpora=args.corpora.resolve(),
                      input=args.input.resolve() if args.input else None, faithful=args.faithful,
                      evaluate=args.evaluate, tensorboard=args.tensorboard, cpus_per_run=args.cpus_per_run,
                      gpus_per_run=args.gpus_per_run)
    summaries = run_grid(jobs, options, executor=args.executor, parallel=args.jobs, address=args.address,
                         gather=args.gather)
    finish(summaries, options.runs)


if __name__ == "__main__":
    cli_main(main)
