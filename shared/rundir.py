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
import importlib.util
import io
import json
import os
import re
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
    """Run ``main(argv)``; turn an :class:`InputError` into one line on stderr and exit 2.

    Every script starts here, so this is also where TensorFlow's logging is set, once per process
    (:func:`quiet_tensorflow`), without importing it: ``--help`` and argument errors stay fast.
    """
    quiet_tensorflow()
    try:
        main(argv)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    return 0


# ----------------------------------------------------------------------------- a quiet start

#: Lines TensorFlow's C++ start-up writes to the terminal on every import, before its own log level applies
#: (absl logging is not initialised yet, so TF_CPP_MIN_LOG_LEVEL cannot silence them): the absl notice, oneDNN's
#: round-off note and the CUDA stub's "no GPU".  Any other line is passed on (the CPU-feature advert that follows
#: is logged later, and TF_CPP_MIN_LOG_LEVEL does silence it).
TENSORFLOW_CHATTER = re.compile(
    r"All log messages before absl::InitializeLog\(\) is called"
    r"|\] oneDNN custom operations are on"
    r"|cudart_stub\.cc:\d+\] Could not find cuda drivers"
)


@contextlib.contextmanager
def stderr_without(pattern):
    """Capture what is written to file descriptor 2 (C++ as well as Python), then pass on the lines ``pattern``
    misses."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines = capture.read().decode(errors="replace").splitlines(keepends=True)
            kept = "".join(line for line in lines if not pattern.search(line))
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()


class _QuietTensorFlowImport:
    """A one-shot import hook: the first ``import tensorflow`` runs inside :func:`stderr_without`."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
            load = spec.loader.exec_module

            def exec_module(module):
                with stderr_without(TENSORFLOW_CHATTER):
                    load(module)

            spec.loader.exec_module = exec_module
        return spec


def quiet_tensorflow() -> None:
    """Set TensorFlow's logging for this process, without importing it (scripts call it through :func:`cli_main`).

    ``TF_CPP_MIN_LOG_LEVEL=3`` and ``KERAS_BACKEND=tensorflow`` unless the user set them, and, when TensorFlow is
    not imported yet, a hook that drops :data:`TENSORFLOW_CHATTER` from its import's output.  Importing a work's
    package sets nothing: a library user's process is theirs to configure.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if "tensorflow" not in sys.modules and not any(isinstance(f, _QuietTensorFlowImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowImport())


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


def remove_partial_files(*folders) -> None:
    """Delete, in each of ``folders``, the temporary files of writes a kill cut short (``.<name>.partial<suffix>``).

    :func:`atomic_path` removes its temporary file on an exception, but a SIGKILL leaves it; a
    resumed run calls this first, so that it ends with the files an uninterrupted run has.
    """
    for folder in folders:
        for path in Path(folder).glob(".*.partial*") if Path(folder).is_dir() else ():
            if path.is_file():
                path.unlink(missing_ok=True)


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
    config = dataclasses.replace(config, **values)
    check_settings(config, values, source)
    return config


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


# ----------------------------------------------------------------------------- accepted values


@dataclasses.dataclass(frozen=True)
class Limit:
    """The values a numeric (or tuple) setting accepts: ``low`` ≤ x ≤ ``high`` (``low_open``: x > ``low``).

    A settings dataclass lists them in a class attribute ``LIMITS`` (``{field: Limit}``);
    :func:`check_settings` applies them to every ``--set``, preset and ``config.json``.
    For a tuple setting the limit applies to each element, and ``choices`` names the strings
    accepted; ``nonempty`` refuses an empty tuple.
    """

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple = ()
    nonempty: bool = False

    def accepts(self, value) -> bool:
        if isinstance(value, tuple):
            return (bool(value) or not self.nonempty) and all(self.accepts(item) for item in value)
        if self.choices:
            return value in self.choices
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return True
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or value <= self.high

    def describe(self) -> str:
        if self.choices:
            text = f"a comma-separated list of {', '.join(self.choices)}"
            return text + (" (at least one)" if self.nonempty else "")
        low = None if self.low is None else f"{'more than' if self.low_open else 'at least'} {self.low}"
        high = None if self.high is None else f"at most {self.high}"
        return " and ".join(part for part in (low, high) if part) or "any number"


#: The usual limits: counts and sizes, positive reals, and seeds (numpy and TensorFlow take 0 … 2³² − 1).
AT_LEAST_ONE = Limit(1)
AT_LEAST_ZERO = Limit(0)
POSITIVE = Limit(0, low_open=True)
SEED = Limit(0, 2**32 - 1)


def check_settings(config, keys=None, where="--set") -> None:
    """Raise :class:`InputError` for a setting outside the values the work accepts.

    ``keys``: the settings to check against the class's ``LIMITS`` (default: all).  Then the
    class's optional ``problems()`` (settings that depend on each other) is asked; each
    problem is ``(setting, what is accepted)``.  ``where``: ``"--set"`` (the message names
    ``--set KEY``) or the ``config.json`` path.
    """
    limits = getattr(type(config), "LIMITS", {})
    for key in limits if keys is None else keys:
        limit = limits.get(key)
        value = getattr(config, key)
        if limit is not None and value is not None and not limit.accepts(value):
            shown = ",".join(map(str, value)) if isinstance(value, tuple) else value
            raise InputError(_setting_place(where, key), f"{shown!r} is not accepted (accepted: {limit.describe()})")
    problems = getattr(config, "problems", None)
    for key, problem in problems() if problems is not None else ():
        raise InputError(_setting_place(where, key), problem)


def _setting_place(where, key) -> str:
    return f"{where} {key}" if str(where) == "--set" else f"{where}: setting {key}"


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
    for key, value in settings.items():
        if not _is_of_type(hints[key], value):
            raise InputError(path, f"setting {key} = {value!r} is not of its type {_type_name(hints[key])}: "
                                   "edited by hand, or written by another work or version?")
    config = config_class(**settings)
    check_settings(config, where=path)
    return config, document


def _is_of_type(annotation, value) -> bool:
    """Whether a value read from JSON fits a settings field's type (as :func:`parse_value` would give it)."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return value is None or any(_is_of_type(argument, value) for argument in arguments
                                    if argument is not type(None))
    if origin is tuple:
        return isinstance(value, tuple) and all(_is_of_type(arguments[0], item) for item in value)
    if origin is typing.Literal:
        return value in arguments
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if annotation is str:
        return isinstance(value, str)
    return True


def _type_name(annotation) -> str:
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


# ----------------------------------------------------------------------------- scripts


def add_common_arguments(parser: argparse.ArgumentParser, *, preset=False, pretrained=False) -> None:
    """The arguments every script takes: ``--run DIR`` and ``--set key=value`` (plus ``--preset``); ``pretrained``:
    ``--run`` may also name a shipped model (:func:`shared.pretrained.resolve`)."""
    if preset:
        parser.add_argument("--preset", default=None, help="named experiment (see config.PRESETS)")
    parser.add_argument("--run", required=True, type=Path,
                        help="run directory" + (", or a pretrained model's name (python -m shared.pretrained lists "
                                                "them)" if pretrained else ""))
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help="override one setting (repeatable)",
    )


def set_seed(seed: int) -> None:
    """Seed Python's, numpy's and Keras/TensorFlow's random generators."""
    import keras

    keras.utils.set_random_seed(int(seed))


# ----------------------------------------------------------------------------- guards of run directories


def check_output_folder(folder, option=None) -> Path:
    """Raise :class:`InputError` unless ``folder`` is, or can be created as, a writable folder.

    Checked before any work is done, so that a bad output path costs nothing and writes
    nothing: a path through a regular file, an existing file where the folder should be,
    or a read-only folder (as the permissions say; root ignores them) is refused.
    """
    folder = Path(folder)
    name = f"{option} {folder}" if option else folder
    existing = folder
    while not existing.exists():
        if existing.is_symlink():
            raise InputError(name, f"{existing} is a broken symbolic link")
        existing = existing.parent
    if not existing.is_dir():
        what = ("is a file, not a folder" if existing == folder
                else f"cannot be created: {existing} is a file, not a folder")
        raise InputError(name, what)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(name, f"cannot be written: {existing} is read-only")
    return folder


def check_output_file(path, option=None) -> Path:
    """Raise :class:`InputError` unless the file ``path`` can be written (its folder as :func:`check_output_folder`)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{option} {path}" if option else path, "is a folder: cannot write a file there")
    check_output_folder(path.parent, option)
    return path


def check_run_data(run_dir, names, made_by: str) -> None:
    """Raise :class:`InputError` naming a data file of the run that is missing or unreadable.

    ``names`` (relative to ``run_dir``) must exist; they and every other ``.npy`` / ``.npz`` file
    in ``data/`` are opened (headers only), so a truncated or foreign file is reported here,
    with the command that remakes it (``made_by``), rather than as a crash later.
    """
    run_dir = Path(run_dir)
    for name in names:
        if not (run_dir / name).is_file():
            raise InputError(run_dir / name, f"missing: run `python -m {made_by}` for this run first")
    present = sorted((run_dir / "data").glob("*.np[yz]")) if (run_dir / "data").is_dir() else []
    for path in [run_dir / name for name in names] + present:
        try:
            if path.suffix == ".npy":
                np.load(path, mmap_mode="r")
            elif path.suffix == ".npz":
                with np.load(path) as archive:
                    archive.files  # noqa: B018  (reads the zip directory)
        except Exception as error:  # numpy raises ValueError, OSError, EOFError, zipfile.BadZipFile …
            raise InputError(path, f"corrupt or not a numpy array file ({_one_line(error)}): run `python -m {made_by}` "
                                   "for this run again") from None


def check_checkpoints(folder) -> None:
    """Raise :class:`InputError` for a checkpoint in ``folder`` that cannot be read.

    Training resumes from ``checkpoints/`` when it holds one; a truncated or foreign file there
    would crash the resumption, so each ``.npz`` / ``.h5`` / ``.json`` file is opened first.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith("."):  # "." first: the temporary file of a write a kill cut short
            continue
        try:
            if path.suffix == ".npz":
                with np.load(path) as archive:
                    archive.files  # noqa: B018
            elif path.suffix == ".h5":
                import h5py

                with h5py.File(path, "r"):
                    pass
            elif path.suffix == ".json":
                json.loads(path.read_text())
        except Exception as error:  # numpy, h5py and json each raise their own kinds
            raise InputError(path, f"corrupt checkpoint ({_one_line(error)}): delete {folder} to train from the "
                                   "start") from None


def load_run_model(run_or_model_dir, made_by: str, *, data: str = "data/x.npy"):
    """A trained model from a run directory, a folder holding ``model.keras``, or a ``.keras`` file.

    A run directory (one with ``data``, its training inputs): its ``model.keras``, its input and output sizes checked
    against the last dimension of that array.  A folder without run data: its ``model.keras``, unchecked.  A file:
    loaded as it is.  What is missing or unreadable raises :class:`InputError` naming the file and ``made_by``.
    """
    path = Path(run_or_model_dir)
    if path.suffix == ".keras" or path.is_file():
        return load_keras_model(path, made_by)
    if not (path / data).is_file():
        return load_keras_model(path / "model.keras", made_by)
    dims = np.load(path / data, mmap_mode="r").shape[-1]
    return load_keras_model(path / "model.keras", made_by, input_dim=dims, output_dim=dims)


def load_keras_model(path, made_by: str, *, kind=None, input_dim=None, output_dim=None):
    """Load a trained ``model.keras`` (safe mode), or raise :class:`InputError` naming the file.

    Missing → the command that makes it; unreadable (truncated, not a Keras file, layers of
    another work) → the same, with the loader's own reason; ``input_dim`` / ``output_dim``: the
    last dimension the run's data needs, so that a model of another work or run that happens
    to load is refused before it is used; ``kind``: the model class the work saves, likewise.
    """
    import keras

    path = Path(path)
    if not path.is_file():
        raise InputError(path, f"missing: run `python -m {made_by}` for this run first")
    try:
        model = keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as error:  # Keras raises ValueError, TypeError, KeyError, OSError, BadZipFile … for a bad file
        raise InputError(path, f"corrupt, or not a model of this work ({_one_line(error)[:200]}): run `python -m "
                               f"{made_by}` for this run again") from None
    kinds = kind if isinstance(kind, tuple) else (kind,) if kind is not None else ()
    if kinds and not isinstance(model, kinds):
        raise InputError(path, f"a {type(model).__name__} model, not this work's "
                               f"{' or '.join(k.__name__ for k in kinds)}: a model of another work? "
                               f"Run `python -m {made_by}` for this run")
    for what, expected, attribute in (("inputs", input_dim, "input_shape"), ("outputs", output_dim, "output_shape")):
        if expected is None:
            continue
        try:
            shape = getattr(model, attribute)
            shapes = shape if isinstance(shape, list) else [shape]
            last = shapes[0][-1]
        except Exception:  # a subclassed model of another work has no static shape
            last = None
        if last != expected:
            raise InputError(path, f"a model with {last} {what} per step, but this run's data has {expected}: a model "
                                   f"of another run or work? Run `python -m {made_by}` for this run")
    return model


def _one_line(error) -> str:
    return " ".join(str(error).split()) or type(error).__name__


# ----------------------------------------------------------------------------- resumable training


def add_model_numbers(run_dir, model: str, numbers: dict) -> dict:
    """Merge ``numbers`` into ``models[model]`` of the run's ``run_numbers.json`` (a run of several models:
    autoencoder_synth's cells), under a lock so that models trained or measured at once keep each other's entries;
    returns the model's entry."""
    import fcntl

    path = Path(run_dir) / "run_numbers.json"
    with open(Path(run_dir) / ".run_numbers.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        document = read_json(path) if path.is_file() else {}
        entry = document.setdefault("models", {}).setdefault(model, {})
        entry.update(numbers)
        write_json(path, document)
    return entry


def read_losses(run_dir) -> list[float]:
    """The per-epoch training losses written so far (``loss.csv``, column ``loss``)."""
    path = Path(run_dir) / "loss.csv"
    if not path.is_file():
        return []
    with open(path, newline="") as handle:
        return [float(row["loss"]) for row in csv.DictReader(handle)]


def resumable_callbacks(run_dir, save_freq="epoch") -> list:
    """Keras callbacks that make ``fit`` resumable in a run directory and log ``loss.csv``.

    A ``BackupAndRestore`` keeps the training state in ``checkpoints/`` at the end of every
    epoch (or of the epoch in which ``save_freq`` more batches have been seen) and restores it
    when the same command runs again; the loss log is cut back to the epochs the checkpoint
    holds (the epochs after it are trained again), then ``CSVLogger`` appends one line per
    epoch.  So that a kill at any instant resumes to the uninterrupted run's weights and log:
    the epoch's log line is written before its checkpoint; the checkpoint is taken only at an
    epoch's end (Keras' batch-count saves record the epochs completed before the one whose
    weights they hold); and the weights file, which also carries its epoch, is written to a
    temporary name and renamed into place.
    """
    import h5py
    import keras

    run_dir = Path(run_dir)
    log = run_dir / "loss.csv"

    class Checkpoints(keras.callbacks.BackupAndRestore):
        def __init__(self):
            super().__init__(str(run_dir / "checkpoints"), save_freq="epoch", delete_checkpoint=True)
            self.every = None if save_freq == "epoch" else int(save_freq)
            self.batches = 0
            self.logger = keras.callbacks.CSVLogger(str(log), append=True)

        def set_model(self, model):
            super().set_model(model)
            self.logger.set_model(model)

        def on_train_begin(self, logs=None):
            remove_partial_files(run_dir, run_dir / "checkpoints")
            super().on_train_begin(logs)  # restores the weights and sets the epoch to start from
            keep = getattr(self.model, "_initial_epoch", None) or 0
            if keep == 0:
                log.unlink(missing_ok=True)
            elif log.exists():
                lines = log.read_bytes().splitlines(keepends=True)  # bytes: CSVLogger ends its lines with \r\n
                with atomic_path(log) as temporary:
                    temporary.write_bytes(b"".join(lines[: 1 + keep]))
            self.logger.on_train_begin(logs)

        def on_train_batch_end(self, batch, logs=None):
            self.batches += 1

        def on_epoch_end(self, epoch, logs=None):
            # first: a kill after it and before the checkpoint re-trains the epoch
            self.logger.on_epoch_end(epoch, logs)
            self._current_epoch = epoch + 1
            if self.every is None or self.batches >= self.every:
                self.batches = 0
                self._save_model()

        def on_train_end(self, logs=None):
            self.logger.on_train_end(logs)
            super().on_train_end(logs)

        def _save_model(self):
            weights = Path(self._weights_path)
            weights.parent.mkdir(parents=True, exist_ok=True)
            # named as atomic_path's; Keras wants .weights.h5
            temporary = weights.with_name(".latest.partial.weights.h5")
            self.model.save_weights(str(temporary), overwrite=True)
            with h5py.File(temporary, "a") as handle:
                handle.attrs["epochs_done"] = self._current_epoch
            os.replace(temporary, weights)
            write_json(self._training_metadata_path, {"epoch": self._current_epoch, "batch": 0})

        def _load_model(self):
            weights = Path(self._weights_path)
            if not weights.is_file():
                return
            with h5py.File(weights, "r") as handle:
                epochs_done = int(handle.attrs["epochs_done"]) if "epochs_done" in handle.attrs else None
            if self.model.optimizer is not None and not self.model.optimizer.built:
                self.model.optimizer.build(self.model.trainable_variables)
            self.model.load_weights(str(weights))
            if epochs_done is None:  # written by Keras' own BackupAndRestore
                epochs_done = json.loads(Path(self._training_metadata_path).read_text())["epoch"]
            self.model._initial_epoch = epochs_done

    return [Checkpoints()]


def sha256_of(path) -> str:
    """The sha256 of a file's bytes, as hex (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
