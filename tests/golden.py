"""Golden outputs of our own: each work's ``tiny`` preset, run end to end with its fixed seed.

For each work this builds the preset's synthetic corpus, runs the work's own scripts in one
process (``preprocess --preset tiny``, ``train``, ``generate --mode faithful``: the stages
``make reproduce`` runs, without the fast-mode copy) and summarises the run directory:

* ``data``: every preprocessed array (``data/*.npy``, ``data/*.npz``): shape, dtype, mean,
  standard deviation, minimum and maximum;
* ``loss``: the per-epoch training losses (every ``loss.csv``);
* ``weights``: the L2 norm of every weight tensor of every trained ``.keras`` model;
* ``audio``: every ``generated/*.wav``: frames, rate, mean, RMS, peak, the RMS of 16 equal
  segments and the spectral centroid.

The summaries are kept in ``tests/golden/<work>/golden.json`` and compared by
``tests/test_golden.py`` with the tolerances stated there.  Only ``--regenerate`` writes them::

    python -m tests.golden                      # run, compare with tests/golden/, print the differences
    python -m tests.golden --regenerate         # run and rewrite tests/golden/<work>/golden.json
    python -m tests.golden --spread             # run under 1 and 2 threads x oneDNN off and on
                                                # -> tests/golden/spread.json (the measured spread)
    python -m tests.golden --summary OUT.json [--threads N] [--works W ...]   # one run, summary only

Exit status: 0 when everything matches (or was written), 1 when a value is outside its tolerance.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
WORKS = ("gruv", "mdn_vocoder", "dreaming", "decay", "autoencoder_synth")
PRESET = "tiny"
SEGMENTS = 16

#: The configurations whose spread sets the tolerance: (intra-op threads, TF_ENABLE_ONEDNN_OPTS).
CONFIGURATIONS = ((1, "0"), (1, "1"), (2, "0"), (2, "1"))

#: Relative tolerance per kind of value (see tests/test_golden.py for the measurement behind them).
#: A value v is within tolerance of its golden g when |v − g| ≤ rtol · max(|g|, scale), where scale
#: is the size of its group: an array's largest |value|, an audio file's peak, the run's first finite loss.
TOLERANCES = {"data": 1e-6, "loss": 1e-4, "weights": 1e-4, "audio": 1e-3}


# ----------------------------------------------------------------------------- running a tiny preset


def configure_threads(threads: int | None) -> None:
    """Pin TensorFlow's intra- and inter-op thread pools (before any op runs)."""
    if not threads:
        return
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)


def run_tiny(work: str, root: Path) -> Path:
    """Run ``work``'s tiny preset end to end under ``root``; return the run directory."""
    import keras

    from shared import corpora

    config = importlib.import_module(f"{work}.config")
    corpus = config.PRESETS[PRESET]["corpus"]
    name = corpus.partition("/")[0]
    corpus_root = root / "corpora"
    if not (corpus_root / name / "manifest.json").is_file():
        with contextlib.redirect_stdout(io.StringIO()):
            corpora.build(name, corpus_root / name)
    run_dir = root / "runs" / work
    keras.backend.clear_session()  # layer names restart, whatever ran before in this process
    stages = (
        ("preprocess", ["--preset", PRESET, "--input", str(corpus_root / corpus), "--run", str(run_dir)]),
        ("train", ["--run", str(run_dir)]),
        ("generate", ["--run", str(run_dir), "--mode", "faithful"]),
    )
    for stage, arguments in stages:
        module = importlib.import_module(f"{work}.{stage}")
        with contextlib.redirect_stdout(io.StringIO()):
            module.main(arguments)
    return run_dir


# ----------------------------------------------------------------------------- summarising a run


def _stats(array: np.ndarray) -> dict:
    values = np.asarray(array)
    entry = {"shape": list(values.shape), "dtype": str(values.dtype)}
    if values.size and np.issubdtype(values.dtype, np.number):
        as_float = values.astype(np.float64)
        if np.iscomplexobj(as_float):
            as_float = np.abs(as_float)
        entry.update(mean=float(as_float.mean()), std=float(as_float.std()), min=float(as_float.min()),
                     max=float(as_float.max()))
    return entry


def data_summary(run_dir: Path) -> dict:
    summary = {}
    for path in sorted((run_dir / "data").rglob("*")):
        key = path.relative_to(run_dir).as_posix()
        if path.suffix == ".npy":
            summary[key] = _stats(np.load(path, allow_pickle=False))
        elif path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as archive:
                for name in sorted(archive.files):
                    summary[f"{key}:{name}"] = _stats(archive[name])
    return summary


def loss_summary(run_dir: Path) -> dict:
    summary = {}
    for path in sorted(run_dir.rglob("loss.csv")):
        with open(path, newline="") as handle:
            rows = list(csv.DictReader(handle))
        if rows and "loss" in rows[0]:
            summary[path.relative_to(run_dir).as_posix()] = [float(row["loss"]) for row in rows]
    return summary


def weight_summary(run_dir: Path) -> dict:
    """The L2 norm of every weight tensor in every ``.keras`` file (read from its HDF5 weights, no Keras)."""
    import h5py

    summary = {}
    for path in sorted(run_dir.rglob("*.keras")):
        if "checkpoints" in path.parts:
            continue
        with zipfile.ZipFile(path) as archive, archive.open("model.weights.h5") as raw:
            with h5py.File(io.BytesIO(raw.read()), "r") as weights:
                def visit(name, node, model=path.relative_to(run_dir).as_posix()):
                    if isinstance(node, h5py.Dataset) and node.size:
                        summary[f"{model}:{name}"] = float(np.linalg.norm(np.asarray(node, dtype=np.float64)))
                weights.visititems(visit)
    return summary


def audio_summary(run_dir: Path) -> dict:
    import soundfile

    summary = {}
    for path in sorted((run_dir / "generated").rglob("*.wav")):
        samples, rate = soundfile.read(path, dtype="float64", always_2d=True)
        mono = samples.mean(axis=1)
        segments = np.array_split(mono, SEGMENTS) if len(mono) >= SEGMENTS else [mono]
        spectrum = np.abs(np.fft.rfft(mono)) ** 2
        frequencies = np.fft.rfftfreq(len(mono), 1 / rate)
        summary[path.relative_to(run_dir).as_posix()] = {
            "frames": int(len(mono)), "rate": int(rate), "channels": int(samples.shape[1]),
            "mean": float(mono.mean()), "rms": float(np.sqrt(np.mean(mono ** 2))), "peak": float(np.abs(mono).max()),
            "segment_rms": [float(np.sqrt(np.mean(segment ** 2))) for segment in segments],
            "centroid_hz": float((frequencies * spectrum).sum() / spectrum.sum()) if spectrum.sum() > 0 else 0.0,
        }
    return summary


def summarise(run_dir: Path) -> dict:
    """The golden record of one run directory (see the module docstring)."""
    return {"data": data_summary(run_dir), "loss": loss_summary(run_dir), "weights": weight_summary(run_dir),
            "audio": audio_summary(run_dir)}


def versions() -> dict:
    import keras
    import scipy
    import tensorflow as tf

    return {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
            "tensorflow": tf.__version__, "keras": keras.__version__,
            "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "(default)")}


def run_all(works=WORKS, threads=None) -> dict:
    """``{work: summary}`` for a fresh tiny run of each work, in a temporary folder."""
    configure_threads(threads)
    results = {}
    with tempfile.TemporaryDirectory(prefix="golden-") as temporary:
        for work in works:
            started = time.perf_counter()
            results[work] = summarise(run_tiny(work, Path(temporary)))
            results[work]["seconds"] = round(time.perf_counter() - started, 1)
    return results


# ----------------------------------------------------------------------------- comparing


def _leaves(value, prefix=""):
    """(path, value) for every number, string and list-of-numbers position in a nested summary."""
    if isinstance(value, dict):
        for key in value:
            yield from _leaves(value[key], f"{prefix}/{key}" if prefix else key)
    elif isinstance(value, list) and value and all(isinstance(item, (int, float)) for item in value) \
            and not prefix.endswith("/shape"):
        for index, item in enumerate(value):
            yield f"{prefix}[{index}]", item
    else:
        yield prefix, value


def _scales(kind: str, summary: dict) -> dict:
    """The scale of each group of ``kind`` (see :data:`TOLERANCES`), keyed by the group's name."""
    scales = {}
    for name, entry in summary.get(kind, {}).items():
        if kind == "data":
            scales[name] = max(abs(entry.get("min", 0.0)), abs(entry.get("max", 0.0)))
        elif kind == "audio":
            scales[name] = entry["peak"]
        elif kind == "loss":
            scales[name] = next((abs(value) for value in entry if value == value), 0.0)  # the first finite loss
        else:
            scales[name] = abs(entry)
    return scales


def _by_rank(weights: dict) -> dict:
    """``{model file: norm}`` keyed by rank instead of name (``model.keras#3``: the 4th largest norm).

    Used when the weight names differ (a Keras release that names variables differently), so that
    the values are still compared; a different number of tensors still shows as missing/present.
    """
    models = {}
    for key, norm in weights.items():
        models.setdefault(key.split(":", 1)[0], []).append(norm)
    return {f"{model}#{rank}": norm for model, norms in models.items()
            for rank, norm in enumerate(sorted(norms, reverse=True))}


def deviations(actual: dict, golden: dict):
    """Yield (kind, path, actual, golden, relative deviation) for every value of ``golden``.

    Exact fields (shapes, dtypes, frames, rates, missing or extra files) give ``inf`` when they differ.
    """
    for kind in TOLERANCES:
        scales = _scales(kind, golden)
        expected_groups, actual_groups = golden.get(kind, {}), actual.get(kind, {})
        if kind == "weights" and set(expected_groups) != set(actual_groups):
            expected_groups, actual_groups = _by_rank(expected_groups), _by_rank(actual_groups)
            scales = _scales(kind, {kind: expected_groups})
        for name in sorted(set(expected_groups) | set(actual_groups)):
            if name not in actual_groups or name not in expected_groups:
                yield kind, name, "present" if name in actual_groups else "missing", \
                    "present" if name in expected_groups else "absent", float("inf")
                continue
            expected = dict(_leaves(expected_groups[name]))
            got = dict(_leaves(actual_groups[name]))
            for path in sorted(set(expected) | set(got)):
                want, have = expected.get(path), got.get(path)
                where = f"{name}/{path}" if path else name
                exact = (path.split("/")[-1].split("[")[0] in ("shape", "dtype", "frames", "rate", "channels")
                         or not isinstance(want, (int, float)) or not isinstance(have, (int, float)))
                if exact:
                    yield kind, where, have, want, (0.0 if have == want else float("inf"))
                    continue
                if want != want or have != have:  # NaN (autoencoder_synth logs a NaN loss before its first epoch)
                    yield kind, where, have, want, (0.0 if want != want and have != have else float("inf"))
                    continue
                floor = max(abs(want), scales[name])
                difference = abs(have - want)
                yield kind, where, have, want, (difference / floor if floor > 0
                                                else (0.0 if difference == 0 else float("inf")))


def mismatches(actual: dict, golden: dict, tolerances=None) -> list[str]:
    """Lines describing every value of ``actual`` outside its tolerance of ``golden``."""
    tolerances = tolerances or TOLERANCES
    return [f"{kind} {path}: {have!r} vs golden {want!r} (relative {relative:.2e} > {tolerances[kind]:.0e})"
            for kind, path, have, want, relative in deviations(actual, golden) if relative > tolerances[kind]]


def spread(summaries: list[dict]) -> dict:
    """The largest relative deviation of each kind between the first summary and the others."""
    result = {kind: 0.0 for kind in TOLERANCES}
    where = {kind: None for kind in TOLERANCES}
    for other in summaries[1:]:
        for kind, path, _, _, relative in deviations(other, summaries[0]):
            if relative > result[kind]:
                result[kind], where[kind] = relative, path
    return {"max_relative": result, "at": where}


def spread_report(runs: list[dict], works=WORKS) -> dict:
    """The spread of ``runs`` (one ``--summary`` result per entry of :data:`CONFIGURATIONS`), per work and overall."""
    report = {"configurations": [{"threads": threads, "TF_ENABLE_ONEDNN_OPTS": onednn, "versions": run["versions"]}
                                 for (threads, onednn), run in zip(CONFIGURATIONS, runs)],
              "works": {work: spread([run["works"][work] for run in runs]) for work in works},
              "tolerances": TOLERANCES}
    report["overall"] = {kind: max(report["works"][work]["max_relative"][kind] for work in works)
                         for kind in TOLERANCES}
    return report


# ----------------------------------------------------------------------------- files


def golden_path(work: str) -> Path:
    return GOLDEN_DIR / work / "golden.json"


def load_golden(work: str) -> dict:
    return json.loads(golden_path(work).read_text())


def write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(json.dumps(value, indent=1, sort_keys=True) + "\n")
    os.replace(temporary, path)


def summary_subprocess(works, threads, onednn, out: Path) -> dict:
    """One run in a fresh interpreter with the given threads and ``TF_ENABLE_ONEDNN_OPTS``."""
    environment = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": onednn, "TF_CPP_MIN_LOG_LEVEL": "3",
                   "OMP_NUM_THREADS": str(threads)}
    command = [sys.executable, "-m", "tests.golden", "--summary", str(out), "--threads", str(threads),
               "--works", *works]
    result = subprocess.run(command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return json.loads(out.read_text())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.golden", description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--regenerate", action="store_true", help="rewrite tests/golden/<work>/golden.json")
    action.add_argument("--spread", action="store_true", help="measure the spread over 1/2 threads x oneDNN off/on")
    action.add_argument("--summary", type=Path, help="write one run's summaries to this JSON file and stop")
    parser.add_argument("--threads", type=int, default=None, help="TensorFlow intra/inter-op threads")
    parser.add_argument("--works", nargs="+", default=list(WORKS), choices=WORKS)
    args = parser.parse_args(argv)

    if args.spread:
        with tempfile.TemporaryDirectory(prefix="golden-spread-") as temporary:
            runs = [summary_subprocess(args.works, threads, onednn, Path(temporary) / f"{threads}-{onednn}.json")
                    for threads, onednn in CONFIGURATIONS]
        report = spread_report(runs, args.works)
        write_json(GOLDEN_DIR / "spread.json", report)
        print(json.dumps(report["overall"], indent=1))
        return 0

    results = run_all(args.works, args.threads)
    if args.summary:
        write_json(args.summary, {"versions": versions(), "works": results})
        return 0
    if args.regenerate:
        for work, summary in results.items():
            summary.pop("seconds", None)
            write_json(golden_path(work), {"preset": PRESET, "versions": versions(), **summary})
            print(f"{work}: wrote {golden_path(work).relative_to(REPO_ROOT)}")
        return 0
    failed = False
    for work, summary in results.items():
        if not golden_path(work).is_file():
            print(f"{work}: no golden file {golden_path(work).relative_to(REPO_ROOT)} "
                  "(python -m tests.golden --regenerate)")
            failed = True
            continue
        problems = mismatches(summary, load_golden(work))
        failed |= bool(problems)
        print(f"{work}: {'ok' if not problems else f'{len(problems)} value(s) outside tolerance'} "
              f"({summary['seconds']} s)")
        for line in problems[:20]:
            print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
