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
non-ignored files), the change applied there, and the work's ``TESTS`` run with ``pytest -x``.
A mutant is *killed* when pytest fails, *survived* when every test passes. The working tree is
never touched, so the check can run beside other work.

Usage::

    python tests/mutations/run.py [WORK ...] [--only ID ...] [--timeout S]

Writes ``<work>/results/mutations.json`` and ``<work>/results/mutations.md`` (killed / total,
survivors named), puts the same table between the ``<!-- mutations:begin -->`` and
``<!-- mutations:end -->`` markers of ``<work>/README.md``, and prints a summary. Exit status 0 when it ran, whatever survived; 2 on a
mutant whose ``old`` text is not found (a stale mutant is a defect of the list, not of the code).
"""

from __future__ import annotations

import argparse
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


def run_tests(tree: Path, tests: list[str], timeout: float) -> tuple[str, float, str]:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", TF_CPP_MIN_LOG_LEVEL="3")
    reference = Path(os.environ.get("AUDIO_REPRO_REFERENCE", REPO.parent / "shared" / "reference"))
    if reference.is_dir():  # the scratch copy has no ../shared beside it
        env["AUDIO_REPRO_REFERENCE"] = str(reference.resolve())
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header", *tests]
    start = time.perf_counter()
    try:
        result = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "killed (timeout)", time.perf_counter() - start, ""
    seconds = time.perf_counter() - start
    tail = (result.stdout + result.stderr).strip().splitlines()
    failed = [line for line in tail if line.startswith(("FAILED", "ERROR"))]
    return ("survived" if result.returncode == 0 else "killed"), seconds, (failed[0] if failed else (tail[-1] if tail else ""))


def check_work(work: str, only: list[str] | None, timeout: float, files: list[str]) -> dict:
    tests, mutants = load_mutants(work)
    if only:
        mutants = [m for m in mutants if m["id"] in only]
    with tempfile.TemporaryDirectory(prefix=f"mutations-{work}-") as scratch:
        pristine = Path(scratch) / "pristine"
        copy_tree(files, pristine)
        for mutant in mutants:  # a stale mutant stops the check before anything runs
            mutated_text(mutant, pristine)
        status, seconds, detail = run_tests(pristine, tests, timeout)
        print(f"[{work}] unmutated tests: {status} in {seconds:.0f} s {detail}", flush=True)
        if status != "survived":
            raise SystemExit(f"{work}: the tests fail before any mutation ({detail}); fix them first")
        rows = []
        for number, mutant in enumerate(mutants, 1):
            tree = Path(scratch) / "mutant"
            shutil.copytree(pristine, tree)
            (tree / mutant["file"]).write_text(mutated_text(mutant, tree))
            status, seconds, detail = run_tests(tree, tests, timeout)
            shutil.rmtree(tree)
            rows.append({"id": mutant["id"], "item": mutant["item"], "file": mutant["file"], "why": mutant["why"],
                         "status": status, "seconds": round(seconds, 1), "caught_by": detail,
                         "explanation": mutant.get("explanation", "")})
            print(f"[{work}] {number}/{len(mutants)} {mutant['id']}: {status} ({seconds:.0f} s) {detail}", flush=True)
    return {"work": work, "tests": tests, "killed": sum(r["status"].startswith("killed") for r in rows),
            "total": len(rows), "mutants": rows}


def render_table(summary: dict) -> str:
    """The markdown of one work's result: killed / total, then a row per mutant."""
    lines = [f"Mutants killed: **{summary['killed']} / {summary['total']}** "
             f"(`python tests/mutations/run.py {summary['work']}`; tests run: {', '.join(summary['tests'])})", "",
             "| mutant | item | wrong change | result |", "|---|---|---|---|"]
    for row in summary["mutants"]:
        result = row["status"] + (f": {row['explanation']}" if row["status"] == "survived" and row["explanation"] else "")
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
    parser.add_argument("works", nargs="*", default=list(WORKS), help=f"works to check (default: all of {', '.join(WORKS)})")
    parser.add_argument("--only", nargs="+", help="mutant ids to run (default: all)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per pytest run")
    parser.add_argument("--no-write", action="store_true", help="print only; leave <work>/results/ untouched")
    args = parser.parse_args(argv)
    unknown = [work for work in args.works if work not in WORKS]
    if unknown:
        print(f"error: unknown work {unknown}; accepted: {', '.join(WORKS)}", file=sys.stderr)
        return 2
    files = tracked_files()
    start = time.perf_counter()
    try:
        summaries = [check_work(work, args.only, args.timeout, files) for work in args.works]
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
