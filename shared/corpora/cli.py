"""The command line: ``python -m shared.corpora list | build NAME --out DIR | build-all --out ROOT``."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from shared.corpora.registry import CORPORA, MANIFEST, build, missing_message, missing_sources
from shared.rundir import InputError
from shared.rundir import check_output_folder  # bad-input guards


def _list_lines() -> list[str]:
    lines = []
    width = max(len(name) for name in CORPORA)
    for name, corpus in CORPORA.items():
        missing = missing_sources(name)
        if missing:
            packages = " ".join(sorted({package for package, _ in missing}))
            state = f"missing (apt-get install {packages})"
        else:
            state = "available"
        lines.append(f"{name:<{width}}  {corpus.tier:<9}  {state:<10}  {corpus.description}")
    return lines


def _summary(manifest: dict, out_dir) -> str:
    count = manifest["file_count"]
    return (f"{manifest['name']}: wrote {count} file{'s' if count != 1 else ''} "
            f"({manifest['total_seconds']:.3f} s of audio) and {MANIFEST} to {out_dir}")


def main(argv=None) -> None:
    summary = importlib.import_module(__package__).__doc__.split("\n\n")[0]  # the package's first line
    parser = argparse.ArgumentParser(prog="python -m shared.corpora", description=summary)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="one line per corpus: name, tier, availability, description")
    one = commands.add_parser("build", help="build one corpus into --out")
    one.add_argument("name", help=f"one of: {', '.join(CORPORA)}")
    one.add_argument("--out", required=True, type=Path, help="output folder")
    every = commands.add_parser("build-all", help="build every corpus of a tier into ROOT/NAME")
    every.add_argument("--out", required=True, type=Path, help="root folder (one sub-folder per corpus)")
    every.add_argument("--tier", choices=("synthetic", "real", "all"), default="all")
    args = parser.parse_args(argv)
    if args.command != "list":
        check_output_folder(args.out, "--out")

    if args.command == "list":
        print("\n".join(_list_lines()))
    elif args.command == "build":
        manifest = build(args.name, args.out)
        print(_summary(manifest, args.out))
    else:
        skipped = []
        for name, corpus in CORPORA.items():
            if args.tier != "all" and corpus.tier != args.tier:
                continue
            missing = missing_sources(name)
            if missing:
                path, problem = missing_message(name, missing)
                print(f"{name}: not built: {path}: {problem}", file=sys.stderr)
                skipped.append((name, missing))
                continue
            manifest = build(name, args.out / name)
            print(_summary(manifest, args.out / name))
        if skipped:
            packages = sorted({package for _, missing in skipped for package, _ in missing})
            raise InputError(args.out, f"not built for missing sources: {', '.join(name for name, _ in skipped)} "
                                       f"(install with: apt-get install {' '.join(packages)})")
