"""Run directories, settings, atomic writes and the command-line error convention.

Every stage of every work reads and writes one run directory (README.md,
"Run directories"): ``config.json`` (the resolved settings, written by preprocess),
``data/``, ``checkpoints/``, ``model.keras``, ``generated/*.wav``.  This module holds the
pieces every work's scripts share:

* :class:`InputError` and :func:`cli_main`: bad input stops with one message naming the
  file and the problem, and exit status 2.
* :func:`atomic_path`: write to a temporary name in the same directory, then rename, so a
  killed process never leaves a truncated file where a good one is expected.
* :func:`resolve_config`: a work's settings dataclass, a named preset and
  ``--set key=value`` overrides, type-checked against the dataclass fields.
* :func:`set_seed`: one call that seeds Python, numpy and Keras/TensorFlow.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import hashlib
import io
import json
import os
import sys
import tempfile
import types
import typing
from pathlib import Path

import numpy as np

EXIT_BAD_INPUT = 2


class InputError(Exception):
    """Bad input: ``str(error)`` is ``"<file>: <problem>"``.

    Parameters
    ----------
    path : str or Path
        The file (or directory, or command-line option) that is wrong.
    problem : str
        What is wrong with it and, where useful, what is accepted.
    """

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


def cli_main(main, argv=None) -> int:
    """Run ``main(argv)``; turn an :class:`InputError` into one line on stderr and exit 2."""
    try:
        main(argv)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    return 0


# ----------------------------------------------------------------------------- atomic writes


@contextlib.contextmanager
def atomic_path(final_path):
    """Yield a temporary path next to ``final_path``; rename it into place on success.

    The temporary name keeps the final suffix, so libraries that infer a format from the
    extension (numpy, soundfile, Keras) still do.  On an exception the temporary file is
    removed and ``final_path`` is left as it was.
    """
    final_path = Path(final_path)
    final_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{final_path.stem}.", suffix=f".partial{final_path.suffix}", dir=final_path.parent
    )
    os.close(handle)
    os.unlink(temporary)  # let the writer create it (some writers refuse existing files)
    try:
        yield Path(temporary)
        os.replace(temporary, final_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def write_json(path, obj) -> None:
    """Write ``obj`` as indented JSON, atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(obj, indent=2, sort_keys=True, default=_json_default) + "\n")


def write_csv(path, fieldnames, rows) -> None:
    """Write ``rows`` (dicts) as a CSV with a header, atomically (a training log rewritten as it grows)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with atomic_path(path) as temporary:
        Path(temporary).write_text(buffer.getvalue())


def read_json(path):
    """Read a JSON file, raising :class:`InputError` if it is missing or malformed."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(path, f"not valid JSON ({error})") from None


def save_npy(path, array) -> None:
    """``np.save`` to ``path``, atomically."""
    with atomic_path(path) as temporary:
        with open(temporary, "wb") as handle:
            np.save(handle, array)


def save_npz(path, **arrays) -> None:
    """``np.savez`` to ``path``, atomically (no compression: these arrays are re-read often)."""
    with atomic_path(path) as temporary:
        with open(temporary, "wb") as handle:
            np.savez(handle, **arrays)


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


# ----------------------------------------------------------------------------- settings


def resolve_config(config_class, presets: dict, preset: str | None, overrides=(), source="--set"):
    """Build a settings dataclass from a preset name and ``key=value`` overrides.

    Parameters
    ----------
    config_class : dataclass type
        The work's settings, with the source's defaults.
    presets : dict[str, dict]
        Named overrides of the defaults, one per experiment.
    preset : str or None
        A key of ``presets``; None means the plain defaults.
    overrides : iterable of str
        ``"key=value"`` strings; the value is parsed by the field's type.

    Raises
    ------
    InputError
        For an unknown preset, an unknown key or a value of the wrong type.
    """
    values = {}
    if preset is not None:
        if preset not in presets:
            raise InputError("--preset", f"unknown preset {preset!r} (accepted: {', '.join(presets)})")
        values.update(presets[preset])
        if any(field.name == "preset" for field in dataclasses.fields(config_class)):
            values["preset"] = preset
    return apply_overrides(config_class(**values), overrides, source)


def apply_overrides(config, overrides=(), source="--set"):
    """A copy of the settings ``config`` with ``"key=value"`` strings applied (parsed by field type)."""
    fields = {field.name for field in dataclasses.fields(config)}
    hints = typing.get_type_hints(type(config))
    values = {}
    for item in overrides:
        key, separator, text = item.partition("=")
        key = key.strip()
        if not separator:
            raise InputError(source, f"{item!r} is not of the form key=value")
        if key not in fields:
            raise InputError(source, f"unknown setting {key!r} (accepted: {', '.join(sorted(fields))})")
        values[key] = parse_value(hints[key], text.strip(), f"{source} {key}")
    return dataclasses.replace(config, **values)


def parse_value(annotation, text: str, where: str):
    """Parse ``text`` as a value of the type ``annotation`` (bool, int, float, str, Literal, Optional, tuple)."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        if text.lower() in ("none", "null", ""):
            return None
        inner = [argument for argument in arguments if argument is not type(None)]
        return parse_value(inner[0], text, where)
    if origin is tuple:  # tuple[int, ...] / tuple[str, ...]: comma-separated, "" = empty
        return tuple(parse_value(arguments[0], part.strip(), where) for part in text.split(",") if part.strip())
    if origin is typing.Literal:
        if text not in arguments:
            raise InputError(where, f"{text!r} is not one of {', '.join(map(str, arguments))}")
        return text
    if annotation is bool:
        lowered = text.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise InputError(where, f"{text!r} is not a boolean (accepted: true/false)")
    if annotation in (int, float):
        try:
            return annotation(text)
        except ValueError:
            raise InputError(where, f"{text!r} is not a valid {annotation.__name__}") from None
    return text


def write_config(run_dir, config, **extra) -> None:
    """Write ``config.json``: the resolved settings plus any extra facts (e.g. the input files)."""
    write_json(Path(run_dir) / "config.json", {"settings": dataclasses.asdict(config), **extra})


def load_config(run_dir, config_class):
    """Read ``<run_dir>/config.json`` back into the work's settings dataclass."""
    run_dir = Path(run_dir)
    path = run_dir / "config.json"
    if not path.is_file():
        raise InputError(run_dir, "no config.json here: run the work's preprocess step first")
    document = read_json(path)
    settings = document.get("settings") if isinstance(document, dict) else None
    if not isinstance(settings, dict):
        raise InputError(path, 'not a run configuration: expected an object with a "settings" object')
    known = {field.name for field in dataclasses.fields(config_class)}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise InputError(path, f"unknown settings {unknown}: written by another version or another work?")
    hints = typing.get_type_hints(config_class)
    settings = {key: tuple(value) if typing.get_origin(hints[key]) is tuple and isinstance(value, list) else value
                for key, value in settings.items()}  # JSON has no tuples
    return config_class(**settings), document


# ----------------------------------------------------------------------------- scripts


def add_common_arguments(parser: argparse.ArgumentParser, *, preset=False) -> None:
    """The arguments every script takes: ``--run DIR`` and ``--set key=value`` (plus ``--preset``)."""
    if preset:
        parser.add_argument("--preset", default=None, help="named experiment (see config.PRESETS)")
    parser.add_argument("--run", required=True, type=Path, help="run directory")
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help="override one setting (repeatable)",
    )


def set_seed(seed: int) -> None:
    """Seed Python's, numpy's and Keras/TensorFlow's random generators."""
    import keras

    keras.utils.set_random_seed(int(seed))


# ----------------------------------------------------------------------------- resumable training


def read_losses(run_dir) -> list[float]:
    """The per-epoch training losses written so far (``loss.csv``, column ``loss``)."""
    path = Path(run_dir) / "loss.csv"
    if not path.is_file():
        return []
    with open(path, newline="") as handle:
        return [float(row["loss"]) for row in csv.DictReader(handle)]


def resumable_callbacks(run_dir, save_freq="epoch") -> list:
    """Keras callbacks that make ``fit`` resumable in a run directory and log ``loss.csv``.

    ``BackupAndRestore`` keeps the training state in ``checkpoints/`` (every epoch, or every
    ``save_freq`` batches) and restores it when the same command runs again; the loss log is
    cut back to the epochs the checkpoint holds (the epochs after it are trained again), then
    ``CSVLogger`` appends one line per epoch.
    """
    import keras

    run_dir = Path(run_dir)
    log = run_dir / "loss.csv"

    class TrimLossLog(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            keep = getattr(self.model, "_initial_epoch", None) or 0  # set by BackupAndRestore
            if keep == 0:
                log.unlink(missing_ok=True)
            elif log.exists():
                lines = log.read_text().splitlines(keepends=True)
                with atomic_path(log) as temporary:
                    temporary.write_text("".join(lines[: 1 + keep]))

    return [
        keras.callbacks.BackupAndRestore(str(run_dir / "checkpoints"), save_freq=save_freq, delete_checkpoint=True),
        TrimLossLog(),
        keras.callbacks.CSVLogger(str(log), append=True),
    ]


def sha256_of(path) -> str:
    """The sha256 of a file's bytes, as hex (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
