"""Mutation check: apply plausible wrong changes to a work and prove its tests fail.

Each work lists its mutants in ``tests/mutations/<work>.py``::

    TESTS = ["tests/test_gruv.py", "tests/test_gruv_checklist.py"]   # what each mutant runs
    MUTANTS = [
        {"id": "gates-sigmoid", "item": 7, "file": "gruv/model.py",
         "old": 'recurrent_activation="hard_sigmoid"', "new": 'recurrent_activation="sigmoid"',
         "why": "logistic gates instead of Keras 0.1's hard sigmoid"},
        ...
    ]

``old`` must occur exactly once in ``file`` (or give ``"count": k`` to replace all k occurrences).
For every mutant the repository is copied to a scratch folder (git's tracked and untracked,
non-ignored files), the change applied there, and the work's tests run with ``pytest -x``: first
those of its checklist item (``-k itemNN``, where most mutants fall, in seconds), then, if those
pass, the whole ``TESTS`` list. A mutant is *killed* when pytest fails, *survived* when every test
passes. ``--jobs`` (default 2) mutants run side by side, each pytest on one thread. The working tree is
never touched, so the check can run beside other work.

Usage::

    python tests/mutations/run.py [WORK ...] [--only ID ...] [--jobs N] [--timeout S]

Writes ``<work>/results/mutations.json`` and ``<work>/results/mutations.md`` (killed / total,
survivors named), puts the same table between the ``<!-- mutations:begin -->`` and
``<!-- mutations:end -->`` markers of ``<work>/README.md``, and prints a summary. Exit status 0 when it ran, whatever
survived; 2 on a mutant whose ``old`` text is not found (a stale mutant is a defect of the list, not of the code).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from shared import reference  # noqa: E402

BEGIN, END = "<!-- mutations:begin -->", "<!-- mutations:end -->"
WORKS = ("gruv", "mdn_vocoder", "dreaming", "decay", "autoencoder_synth")


def load_mutants(work: str):
    spec = importlib.util.spec_from_file_location(f"mutants_{work}", REPO / "tests" / "mutations" / f"{work}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.TESTS), list(module.MUTANTS)


def tracked_files() -> list[str]:
    listing = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO,
                             capture_output=True, check=True).stdout.decode()
    return [name for name in listing.split("\0") if name and (REPO / name).is_file()]


def copy_tree(files: list[str], destination: Path) -> None:
    for name in files:
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)


def mutated_text(mutant: dict, tree: Path) -> str:
    """The mutant's file in ``tree`` with the change applied; LookupError when ``old`` is not found as declared."""
    text = (tree / mutant["file"]).read_text()
    found, wanted = text.count(mutant["old"]), mutant.get("count", 1)
    if found != wanted:
        raise LookupError(f"mutant {mutant['id']!r}: {mutant['old']!r} occurs {found} times in "
                          f"{mutant['file']} (expected {wanted})")
    return text.replace(mutant["old"], mutant["new"])


def pytest_env(work: str) -> dict:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", TF_CPP_MIN_LOG_LEVEL="3",
               # one thread per pytest: --jobs runs several side by side
               TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1", OMP_NUM_THREADS="1")
    folder = reference.locate(work)  # found from here; the scratch copy sits elsewhere, so point it there
    if folder is not None:
        env["AUDIO_REPRO_REFERENCE"] = str(folder.resolve().parent)
    return env


def run_pytest(tree: Path, arguments: list[str], timeout: float, env: dict) -> tuple[int, str]:
    """pytest's exit status (-1 on timeout) and the first failure line."""
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header", *arguments]
    try:
        result = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, "timeout"
    tail = (result.stdout + result.stderr).strip().splitlines()
    failed = [line for line in tail if line.startswith(("FAILED", "ERROR"))]
    return result.returncode, (failed[0] if failed else (tail[-1] if tail else ""))


def run_tests(tree: Path, tests: list[str], timeout: float, env: dict,
              item: int | None = None) -> tuple[str, float, str]:
    """``killed`` / ``survived``, seconds, the failure. With ``item``, the tests named ``test_itemNN_*`` run first
    (most mutants fall there, in seconds); only if they pass does the whole ``tests`` list run."""
    start = time.perf_counter()
    stages = ([[*tests, "-k", f"item{item:02d}"]] if item is not None else []) + [tests]
    for arguments in stages:
        code, detail = run_pytest(tree, arguments, timeout, env)
        if code == -1:
            return "killed (timeout)", time.perf_counter() - start, detail
        if code not in (0, 5):  # 5: the -k stage selected nothing
            return "killed", time.perf_counter() - start, detail
    return "survived", time.perf_counter() - start, ""


def check_mutant(mutant: dict, pristine: Path, scratch: Path, tests: list[str], timeout: float, env: dict) -> dict:
    tree = Path(tempfile.mkdtemp(dir=scratch, prefix="mutant-"))
    shutil.copytree(pristine, tree, dirs_exist_ok=True)
    (tree / mutant["file"]).write_text(mutated_text(mutant, tree))
    status, seconds, detail = run_tests(tree, tests, timeout, env, mutant.get("item"))
    shutil.rmtree(tree)
    return {"id": mutant["id"], "item": mutant["item"], "file": mutant["file"], "why": mutant["why"],
            "status": status, "seconds": round(seconds, 1), "caught_by": detail,
            "explanation": mutant.get("explanation", "")}


def check_work(work: str, only: list[str] | None, timeout: float, files: list[str], jobs: int) -> dict:
    tests, mutants = load_mutants(work)
    if only:
        mutants = [m for m in mutants if m["id"] in only]
    with tempfile.TemporaryDirectory(prefix=f"mutations-{work}-") as scratch:
        pristine = Path(scratch) / "pristine"
        copy_tree(files, pristine)
        for mutant in mutants:  # a stale mutant stops the check before anything runs
            mutated_text(mutant, pristine)
        env = pytest_env(work)
        status, seconds, detail = run_tests(pristine, tests, timeout, env)
        print(f"[{work}] unmutated tests: {'pass' if status == 'survived' else 'FAIL'} in {seconds:.0f} s {detail}",
              flush=True)
        if status != "survived":
            raise SystemExit(f"{work}: the tests fail before any mutation ({detail}); fix them first")
        rows = [None] * len(mutants)
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(check_mutant, mutant, pristine, Path(scratch), tests, timeout, env): index
                       for index, mutant in enumerate(mutants)}
            for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
                row = rows[futures[future]] = future.result()
                print(f"[{work}] {done}/{len(mutants)} {row['id']}: {row['status']} ({row['seconds']:.0f} s) "
                      f"{row['caught_by']}", flush=True)
    return {"work": work, "tests": tests, "killed": sum(r["status"].startswith("killed") for r in rows),
            "total": len(rows), "mutants": rows}


def render_table(summary: dict) -> str:
    """The markdown of one work's result: killed / total, then a row per mutant."""
    lines = [f"Mutants killed: **{summary['killed']} / {summary['total']}** "
             f"(`python tests/mutations/run.py {summary['work']}`; tests run: {', '.join(summary['tests'])})", "",
             "| mutant | item | wrong change | result |", "|---|---|---|---|"]
    for row in summary["mutants"]:
        result = row["status"] + (f": {row['explanation']}"
                                  if row["status"] == "survived" and row["explanation"] else "")
        lines.append(f"| `{row['id']}` | {row['item']} | {row['why']} | {result} |")
    return "\n".join(lines) + "\n"


def readme_block(text: str) -> str | None:
    """What a README holds between the mutation markers (None without them)."""
    if BEGIN not in text or END not in text:
        return None
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") + "\n"


def write_summary(summary: dict) -> None:
    """``<work>/results/mutations.{json,md}`` and the README's block between the markers."""
    results = REPO / summary["work"] / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "mutations.json").write_text(json.dumps(summary, indent=1) + "\n")
    table = render_table(summary)
    (results / "mutations.md").write_text(table)
    readme = REPO / summary["work"] / "README.md"
    text = readme.read_text()
    if readme_block(text) is not None:
        head, rest = text.split(BEGIN, 1)
        readme.write_text(head + BEGIN + "\n" + table + END + rest.split(END, 1)[1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("works", nargs="*", default=list(WORKS),
                        help=f"works to check (default: all of {', '.join(WORKS)})")
    parser.add_argument("--only", nargs="+", help="mutant ids to run (default: all)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per pytest run")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested side by side (default 2, one per core)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave <work>/results/ untouched")
    args = parser.parse_args(argv)
    unknown = [work for work in args.works if work not in WORKS]
    if unknown:
        print(f"error: unknown work {unknown}; accepted: {', '.join(WORKS)}", file=sys.stderr)
        return 2
    files = tracked_files()
    start = time.perf_counter()
    try:
        summaries = [check_work(work, args.only, args.timeout, files, max(1, args.jobs)) for work in args.works]
    except LookupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for summary in summaries:
        if not args.no_write and not args.only:
            write_summary(summary)
        survivors = [row["id"] for row in summary["mutants"] if row["status"] == "survived"]
        print(f"{summary['work']}: {summary['killed']} / {summary['total']} killed; survivors: {survivors or 'none'}")
    print(f"mutation check took {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
