"""Pretrained flagship models, shipped in ``<work>/results/pretrained/<name>/`` and used by a short name.

Each is the smallest run directory the work's ``generate`` (and autoencoder_synth's ``play``) can use: the resolved
``config.json``, the trained ``model.keras`` (saved by Keras 3, loaded with ``safe_mode=True``), the state the work
keeps beside it, the preprocessed arrays generation reads (priming inputs, normalisation statistics), and
``about.json``: how it was trained (the commands, the seed, the wall time, the committed evidence of that run) and
the SHA-256 of every file.

A script given ``--run NAME`` (``play``: ``--model NAME``) where ``NAME`` is no folder but a pretrained model's name
copies that model to ``runs/pretrained/<work>/<name>/`` (once; a copy whose files differ from the shipped ones is
refreshed, the outputs made there kept) and works there, so the shipped folder is never written to::

    python -m mdn_vocoder.generate --run sine --length 3000 --bias 1e-5
    python -m shared.pretrained                                  # the list: work, name, size, what it is
    python -m shared.pretrained make mdn_vocoder sine --from runs/experiments/mdn_vocoder/sine-absolute/seed1 \\
        --about "the blog's sine, absolute frames" [--evidence mdn_vocoder/results/sine-absolute/seed1]
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import shutil
from pathlib import Path

from shared.rundir import InputError, cli_main, read_json, write_json

REPO_ROOT = Path(__file__).resolve().parent.parent
WORKS = ("gruv", "mdn_vocoder", "dreaming", "decay", "autoencoder_synth")
#: where a work's pretrained models live, inside the package of the work
FOLDER = Path("results") / "pretrained"
#: where a model is copied to be used (relative to the current folder)
RUNS = Path("runs") / "pretrained"
#: all pretrained models together, in bytes (the issue's budget)
MAX_TOTAL_BYTES = 25_000_000
#: the files of a run each work's generation reads (globs relative to the run directory)
RUN_FILES = {
    "gruv": ("config.json", "model.keras", "data/x.npy", "data/stats.npz"),
    "mdn_vocoder": ("config.json", "model.keras", "state.npz", "data/x.npy", "data/stats.npz", "data/frames.npy"),
    # not the training audio (the source's recording): a shipped dreaming model dreams from --seed-file or
    # --seed-pitches
    "dreaming": ("config.json", "model.keras", "data/stats.npz"),
    "decay": ("config.json", "model.keras", "data/x.npy", "data/heldout_x.npy", "data/stats.npz"),
    "autoencoder_synth": ("config.json", "data/maxvec.npy", "*/model.keras"),
}


def folder(work: str) -> Path:
    return REPO_ROOT / work / FOLDER


def names(work: str) -> list[str]:
    """The pretrained models of ``work``, by name."""
    place = folder(work)
    return sorted(path.parent.name for path in place.glob("*/about.json")) if place.is_dir() else []


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def about(work: str, name: str) -> dict:
    return read_json(folder(work) / name / "about.json")


def resolve(work: str, value, option: str = "--run", runs: Path | None = None) -> Path:
    """The run directory ``value`` names: the folder itself when it exists, else the copy of the pretrained model of
    that name (made or refreshed now). A bare name that is neither raises :class:`InputError` listing the names."""
    path, shipped = Path(value), names(work)
    if path.exists() or str(value) not in shipped:
        if not path.exists() and len(path.parts) == 1 and shipped:
            raise InputError(option, f"{value}: no such folder, nor a pretrained model of {work} (pretrained: "
                                      f"{', '.join(shipped)}; or give a run directory)")
        return path
    source = folder(work) / str(value)
    files = about(work, str(value))["files"]
    target = (runs or RUNS) / work / str(value)
    fresh = all((target / relative).is_file() and sha256(target / relative) == digest
                for relative, digest in files.items())
    if not fresh:  # the shipped files copied over (what generate wrote there before stays)
        for relative in files:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / relative, target / relative)
        print(f"pretrained model {work}/{value}: copied to {target}")
    return target


def make(work: str, name: str, run_dir: Path, description: str, evidence: str | None = None,
         models: list[str] | None = None) -> Path:
    """Copy the files ``RUN_FILES[work]`` of the trained ``run_dir`` to ``<work>/results/pretrained/<name>/``
    with its ``about.json``; ``models``: of a run of several models (autoencoder_synth's cells), only these model
    folders.  Refuses a model that would take all pretrained models over the budget."""
    run_dir = Path(run_dir)
    if not (run_dir / "config.json").is_file():
        raise InputError(run_dir, "not a run directory (no config.json)")
    found = sorted(path.relative_to(run_dir).as_posix() for path in run_dir.rglob("*") if path.is_file()
                   and any(fnmatch.fnmatchcase(path.relative_to(run_dir).as_posix(), pattern)
                           for pattern in RUN_FILES[work]))
    if models:
        found = [relative for relative in found
                 if "/" not in relative or relative.split("/")[0] in ("data", *models)]
    if not any(relative.endswith("model.keras") for relative in found):
        raise InputError(run_dir, "no trained model.keras: train the run first")
    dest = folder(work) / name
    others = sum(path.stat().st_size for other in WORKS for path in folder(other).rglob("*")
                 if path.is_file() and dest not in path.parents)
    size = sum((run_dir / relative).stat().st_size for relative in found)
    if others + size > MAX_TOTAL_BYTES:
        raise InputError(run_dir, f"{size / 1e6:.1f} MB would take the pretrained models to "
                                  f"{(others + size) / 1e6:.1f} MB, over the {MAX_TOTAL_BYTES / 1e6:g} MB budget")
    from shared.evidence import portable

    roots = {str(run_dir.resolve()): "RUN", str(REPO_ROOT): "."}
    if dest.exists():
        shutil.rmtree(dest)
    for relative in found:
        (dest / relative).parent.mkdir(parents=True, exist_ok=True)
        if relative.endswith(".json"):  # no path of this machine reaches the repository
            write_json(dest / relative, portable(read_json(run_dir / relative), roots))
        elif relative.endswith("model.keras"):
            save_weights_only_model(work, run_dir / relative, dest / relative)
        else:
            shutil.copy2(run_dir / relative, dest / relative)
    # how it was trained: the committed evidence's record (its paths already portable), else shared.grid's
    record = read_json(REPO_ROOT / evidence / "run.json") if evidence else {}
    grid = read_json(run_dir / "grid.json") if (run_dir / "grid.json").is_file() else {}
    stages = {key: stage for key, stage in grid.get("stages", {}).items() if key.split()[0] in ("preprocess", "train")}
    document = {
        "work": work, "name": name, "what": description,
        "trained": {"commands": [command for command in record.get("commands", [stage["command"] for stage in
                                                                             stages.values()])
                                 if command.split()[2] in (f"{work}.preprocess", f"{work}.train")],
                    "seconds": {key: stage["seconds"] for key, stage in stages.items()},
                    "seed": read_json(run_dir / "config.json")["settings"].get("seed"),
                    "finished": grid.get("finished")},
        "evidence": evidence,
        "files": {relative: sha256(dest / relative) for relative in found},
    }
    write_json(dest / "about.json", portable(document, roots))
    return dest


def save_weights_only_model(work: str, source: Path, dest: Path) -> None:
    """Save the trained model without its optimizer's state (Keras keeps it in a compiled model's file: twice the
    weights for RMSprop or Adagrad, three times for Adam), which generation never reads."""
    import importlib

    import keras

    importlib.import_module(f"{work}.model")  # registers the work's own layers
    keras.saving.load_model(source, safe_mode=True, compile=False).save(dest)


def listing() -> list[dict]:
    rows = []
    for work in WORKS:
        for name in names(work):
            size = sum(path.stat().st_size for path in (folder(work) / name).rglob("*") if path.is_file())
            rows.append({"work": work, "name": name, "megabytes": round(size / 1e6, 2),
                         "what": about(work, name)["what"]})
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.pretrained", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    maker = sub.add_parser("make", help="ship a trained run as a pretrained model")
    maker.add_argument("work", choices=WORKS)
    maker.add_argument("name")
    maker.add_argument("--from", dest="run", type=Path, required=True, help="the trained run directory")
    maker.add_argument("--about", required=True, help="one line: what the model is")
    maker.add_argument("--evidence", help="the committed evidence of that run, e.g. <work>/results/<exp>/seed1")
    maker.add_argument("--models", nargs="+", help="a run of several models: ship only these (e.g. ae1-256)")
    args = parser.parse_args(argv)
    if args.command == "make":
        if not args.name.replace("-", "").replace("_", "").isalnum():
            raise InputError("name", f"{args.name!r}: letters, digits, - and _ only")
        dest = make(args.work, args.name, args.run, args.about, args.evidence, args.models)
        print(f"wrote {dest.relative_to(REPO_ROOT)}")
        return
    rows = listing()
    for row in rows:
        print(f"{row['work']:<18} {row['name']:<14} {row['megabytes']:>6.2f} MB  {row['what']}")
    print(f"{len(rows)} models, {sum(row['megabytes'] for row in rows):.1f} MB "
          f"(budget {MAX_TOTAL_BYTES / 1e6:g} MB)")


if __name__ == "__main__":
    cli_main(main)
