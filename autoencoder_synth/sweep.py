"""The grids of the paper's Tables 1–3, trained cell by cell, and each table beside the paper's.

* ``--table 1``: AE1 for every (HL1, noise std) cell the paper reports;
* ``--table 2``: AE2 for every (HL1, HL2, noise) cell, on the codes of ``ae1-<HL1>`` (trained first if missing);
* ``--table 3``: the composed ``deep-256-8`` and ``deep-1500-8``, fine-tuned from ``ae1``/``ae2`` (trained first
  if missing).

Each cell is one ``python -m autoencoder_synth.train`` process.  With ``--executor local`` (the
default) ``--jobs`` cells run at once, stage after stage.  With ``--executor ray`` each cell is a
Ray task (``--cpus-per-cell`` CPUs) that waits for exactly the cells it is built from (an AE2 for
its AE1, a composed model for both), so cells of different stages overlap; ``--address auto``
joins a running cluster (``ray start``), whose nodes must all see ``--run`` (a shared file
system).  A cell with a ``result.json`` is done and skipped, so an interrupted sweep resumes
where it stopped.  When and where each cell ran goes to ``<run>/sweep<N>.json``; the table
(ours, the paper's in brackets) is printed and written to ``<run>/table<N>.md``.

    python -m autoencoder_synth.sweep --run runs/ae/frames --table 1 [--jobs 2] [--set max_epochs=50] [--table-only]
    python -m autoencoder_synth.sweep --run runs/ae/frames --table 3 --executor ray [--address auto]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autoencoder_synth.config import TABLE_1, TABLE_2, TABLE_3, AutoencoderConfig, model_settings
from shared.rundir import InputError, cli_main, read_json, write_json
from shared.rundir import apply_overrides, check_output_file, check_run_data, load_config  # bad-input guards


def noise_suffix(noise: float) -> str:
    return "" if noise == 0 else f"-noise{noise:g}"


def cells(table: int) -> list[list[str]]:
    """The model names to train, in stages (each stage needs the previous one's models)."""
    if table == 1:
        return [[f"ae1-{hidden}{noise_suffix(noise)}" for hidden, row in TABLE_1.items() for noise in row]]
    bases = sorted({hidden for hidden, _ in TABLE_2})
    if table == 2:
        return [[f"ae1-{hidden}" for hidden in bases],
                [f"ae2-{hidden}-{hidden2}{noise_suffix(noise)}"
                 for (hidden, hidden2), row in TABLE_2.items() for noise in row]]
    if table == 3:
        pairs = list(TABLE_3)
        return [[f"ae1-{hidden}" for hidden, _ in pairs], [f"ae2-{hidden}-{hidden2}" for hidden, hidden2 in pairs],
                [f"deep-{hidden}-{hidden2}" for hidden, hidden2 in pairs]]
    raise InputError("--table", f"{table} is not 1, 2 or 3")


def built_from(name: str) -> list[str]:
    """The cells a cell is trained from: none for an AE1, its AE1 for an AE2, both for a composed model."""
    settings = model_settings(name)
    first = f"ae1-{settings['hidden']}"
    return {"ae1": [], "ae2": [first], "deep": [first, f"ae2-{settings['hidden']}-{settings.get('hidden2')}"]}[
        settings["kind"]]


def train_cell(run_dir: Path, name: str, overrides: list[str], *after) -> dict:
    """Train one cell (skipped when its ``result.json`` is there); ``after``: the records of the cells it waits for
    (Ray passes them once they are done).  Returns when and where it ran, and whether it worked."""
    record = {"cell": name, "node": socket.gethostname(), "started": time.time()}
    if (run_dir / name / "result.json").is_file():
        return {**record, "ok": True, "skipped": True, "finished": record["started"]}
    if not all(dependency["ok"] for dependency in after):
        return {**record, "ok": False, "skipped": True, "finished": record["started"]}
    arguments = [sys.executable, "-m", "autoencoder_synth.train", "--run", str(run_dir), "--preset", name]
    for item in overrides:
        arguments += ["--set", item]
    completed = subprocess.run(arguments, capture_output=True, text=True)
    record.update(finished=time.time(), ok=completed.returncode == 0, skipped=False)
    if not record["ok"]:
        print(f"[{name}] failed:\n{completed.stderr[-2000:]}", file=sys.stderr)
    else:
        print(f"[{name}] {completed.stdout.strip().splitlines()[-1]}", flush=True)
    return record


def sweep_local(run_dir: Path, table: int, overrides: list[str], jobs: int) -> list[dict]:
    """Stage after stage, ``jobs`` cells at once; stops after a stage with a failed cell."""
    records = []
    for stage in cells(table):
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            records += pool.map(lambda name: train_cell(run_dir, name, overrides), stage)
        if not all(record["ok"] for record in records):
            break
    return records


def sweep_ray(run_dir: Path, table: int, overrides: list[str], address: str | None, cpus: int) -> list[dict]:
    """One Ray task per cell, each waiting for the tasks of the cells it is built from."""
    try:
        import ray
    except ImportError:
        raise InputError("--executor", "ray is not installed (pip install -e '.[cluster]'), or use --executor local")
    ray.init(address=address, include_dashboard=False, log_to_driver=True, ignore_reinit_error=True,
             configure_logging=False)
    task = ray.remote(train_cell).options(num_cpus=cpus)
    tasks = {}
    for stage in cells(table):
        for name in stage:
            tasks[name] = task.remote(run_dir, name, overrides, *(tasks[other] for other in built_from(name)))
    return ray.get(list(tasks.values()))


def result(run_dir: Path, name: str, key="valid"):
    path = run_dir / name / "result.json"
    return read_json(path)[key] if path.is_file() else None


def cell_text(ours, paper) -> str:
    mine = "–" if ours is None else f"{ours:.4f}"
    return mine if paper is None else f"{mine} ({paper:.4f})"


def table_text(run_dir: Path, table: int) -> str:
    """The table in the paper's layout: our best validation error, the paper's in brackets."""
    if table == 1:
        noises = sorted({noise for row in TABLE_1.values() for noise in row})
        lines = ["| HL1 \\ noise std | " + " | ".join(f"{noise:.2f}" for noise in noises) + " |",
                 "|---" * (len(noises) + 1) + "|"]
        for hidden, row in TABLE_1.items():
            lines.append(f"| {hidden} | " + " | ".join(
                cell_text(result(run_dir, f"ae1-{hidden}{noise_suffix(noise)}"), row[noise]) if noise in row else ""
                for noise in noises) + " |")
    elif table == 2:
        lines = ["| HL1 | HL2 | 0.00 | 0.10 | 0.25 | input space, 0.00 |", "|---|---|---|---|---|---|"]
        for (hidden, hidden2), row in TABLE_2.items():
            name = f"ae2-{hidden}-{hidden2}"
            lines.append(f"| {hidden} | {hidden2} | " + " | ".join(
                cell_text(result(run_dir, name + noise_suffix(noise)), row[noise]) for noise in (0.0, 0.10, 0.25))
                + f" | {cell_text(result(run_dir, name, 'valid_input_space'), None)} |")
    else:
        lines = ["| HL1 | HL2 | valid | test |", "|---|---|---|---|"]
        for (hidden, hidden2), paper in TABLE_3.items():
            name = f"deep-{hidden}-{hidden2}"
            lines.append(f"| {hidden} | {hidden2} | {cell_text(result(run_dir, name), paper['valid'])} | "
                         f"{cell_text(result(run_dir, name, 'test'), paper['test'])} |")
    return "\n".join(lines) + ("\n\nOurs: the best validation error (Σ over the features of the squared error, "
                               "mean over frames; noisy for denoising cells, as pylearn2's monitor). "
                               "In brackets: the paper's.\n")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autoencoder_synth.sweep", description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", required=True, type=Path,
                        help="a preprocessed run (python -m autoencoder_synth.preprocess)")
    parser.add_argument("--table", required=True, type=int, choices=(1, 2, 3))
    parser.add_argument("--executor", choices=("local", "ray"), default="local")
    parser.add_argument("--address", default=None,
                        help="Ray: 'auto' or HOST:PORT of a running cluster (default: start a local instance)")
    parser.add_argument("--jobs", type=int, default=2, help="local: cells trained at once")
    parser.add_argument("--cpus-per-cell", type=int, default=1, help="Ray: CPUs each cell asks for")
    parser.add_argument("--table-only", action="store_true",
                        help="write the table from the cells trained so far; train none")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="passed to every cell's training (e.g. max_epochs=50)")
    args = parser.parse_args(argv)
    if not (args.run / "config.json").is_file():
        raise InputError(args.run, "no config.json here: run python -m autoencoder_synth.preprocess first")
    # a bad config.json or --set stops here
    apply_overrides(load_config(args.run, AutoencoderConfig)[0], args.overrides)
    for option, value in (("--jobs", args.jobs), ("--cpus-per-cell", args.cpus_per_cell)):
        if value < 1:
            raise InputError(option, f"{value} is not accepted (accepted: 1 or more)")
    if not args.table_only:
        check_run_data(args.run, ["data/train.npy", "data/valid.npy", "data/test.npy"], "autoencoder_synth.preprocess")
    check_output_file(args.run / f"table{args.table}.md")
    records = []
    if not args.table_only and args.executor == "ray":
        records = sweep_ray(args.run.resolve(), args.table, args.overrides, args.address, args.cpus_per_cell)
    elif not args.table_only:
        records = sweep_local(args.run, args.table, args.overrides, args.jobs)
    if records:
        write_json(args.run / f"sweep{args.table}.json", records)
    failed = [record["cell"] for record in records if not record["ok"]]
    text = table_text(args.run, args.table)
    (args.run / f"table{args.table}.md").write_text(text)
    print(text)
    if failed:
        raise SystemExit(f"cells failed: {', '.join(failed)}")


if __name__ == "__main__":
    cli_main(main)
