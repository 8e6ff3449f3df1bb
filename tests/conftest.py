"""Test helpers shared by every test module: the reference folder and system packages.

* ``reference_dir(work)``: the first of ``tests/reference/<work>`` (gruv: the arrays that ship with
  the repository), ``$AUDIO_REPRO_REFERENCE/<work>``, the ``python -m shared.reference fetch`` cache
  (``$XDG_CACHE_HOME/audio-repro/reference/<work>`` or ``~/.cache/…``, when complete).  Missing → skip with the exact
  fetch command, except with ``REQUIRE_REFERENCE=1`` (set by ``.ci/run``), where it fails.
* ``pytest --regress`` (``make regress``): only the regression tests, i.e. the golden comparison
  (``test_golden.py``), the reference data's fetcher and sums (``test_reference_fetch.py``) and
  every test that reads reference data through ``reference_dir``.
* ``require_system(package, path)``: skip naming the Debian package when ``path`` is missing,
  except with ``CI=true``, where it fails.
"""

import inspect
import os
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

# A test session is a process start like a script's: TensorFlow's logging is set here, as cli_main sets it.
from shared.rundir import quiet_tensorflow  # noqa: E402

quiet_tensorflow()


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def reference_dir(work: str) -> Path:
    """The folder holding ``work``'s reference files (``shared.reference.locate``), or skip / fail naming the fix."""
    from shared import reference

    folder = reference.locate(work)
    if folder is None:
        searched = ", ".join(str(place) for _, place in reference.candidates(work))
        message = (f"no reference data for {work} (searched {searched}); get it with "
                   f"`{reference.fetch_command(work)}` or set AUDIO_REPRO_REFERENCE")
        if _truthy("REQUIRE_REFERENCE"):
            pytest.fail(message)
        pytest.skip(message)
    return folder


def require_system(package: str, path=None, command=None) -> None:
    """Skip (or, under CI=true, fail) unless the Debian ``package`` provides ``path`` / ``command``."""
    present = (path is None or Path(path).exists()) and (command is None or shutil.which(command) is not None)
    if not present:
        message = f"needs the Debian package {package!r} (make system-deps)"
        if _truthy("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def autoencoder_tiny_run(tmp_path_factory):
    """(run, songs folder): a tiny autoencoder_synth run, three 2-second songs cut into 60 / 10 / 10 frames, with
    ``ae1-16`` and ``ae2-16-4`` trained for 2 epochs by the scripts; made once for the instrument's tests."""
    from test_autoencoder_synth import run_script, songs

    root = tmp_path_factory.mktemp("autoencoder")
    folder, run = songs(root / "songs"), root / "run"
    assert run_script("autoencoder_synth.preprocess", "--preset", "tiny", "--input", folder, "--run", run, "--set",
                      "train_frames=60", "--set", "valid_frames=10", "--set", "test_frames=10").returncode == 0
    for model in ("ae1-16", "ae2-16-4"):
        result = run_script("autoencoder_synth.train", "--run", run, "--preset", model, "--set", "max_epochs=2")
        assert result.returncode == 0, result.stderr
    return run, folder


# ----------------------------------------------------------------------------- make regress


#: Modules that are regression tests as a whole: the golden outputs, the reference data's fetcher and sums, and the
#: synthetic corpora's bytes.
REGRESSION_MODULES = ("test_golden.py", "test_reference_fetch.py", "test_corpora_identity.py")


def pytest_addoption(parser):
    parser.addoption("--regress", action="store_true",
                     help="only the regression tests: the golden outputs and every test that reads reference data")


def _sources(functions):
    for function in functions:
        try:
            yield inspect.getsource(function)
        except (OSError, TypeError):
            continue


def _reads_reference(item, helpers) -> bool:
    """Whether the test, one of its fixtures, or a module helper they call, calls ``reference_dir``."""
    functions = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    if info is not None:
        for name in info.names_closure:
            functions += [definition.func for definition in info.name2fixturedefs.get(name, ())]
    return any("reference_dir(" in source or any(f"{helper}(" in source for helper in helpers)
               for source in _sources(functions))


def pytest_collection_modifyitems(config, items):
    if not config.getoption("regress"):
        return
    helpers = {}  # per module: the names of its module-level functions that call reference_dir
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and module.__name__ not in helpers:
            helpers[module.__name__] = {name for name, function in inspect.getmembers(module, inspect.isfunction)
                                        if function.__module__ == module.__name__ and name != "reference_dir"
                                        and not name.startswith("test_")
                                        and any("reference_dir(" in source for source in _sources([function]))}
    keep, drop = [], []
    for item in items:
        module = getattr(item, "module", None)
        chosen = item.path.name in REGRESSION_MODULES or (
            module is not None and _reads_reference(item, helpers.get(module.__name__, ())))
        (keep if chosen else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
    items[:] = keep
