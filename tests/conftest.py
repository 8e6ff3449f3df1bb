"""Test helpers shared by every test module: the reference folder and system packages.

* ``reference_dir(work)``: ``$AUDIO_REPRO_REFERENCE/<work>`` (default ``../shared/reference``).
  Missing → skip, except with ``REQUIRE_REFERENCE=1`` (set by ``.ci/run``), where it fails.
* ``require_system(package, path)``: skip naming the Debian package when ``path`` is missing,
  except with ``CI=true``, where it fails.
"""

import os
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def reference_dir(work: str) -> Path:
    root = Path(os.environ.get("AUDIO_REPRO_REFERENCE", REPO_ROOT.parent / "shared" / "reference"))
    folder = root / work
    if not folder.is_dir():
        message = f"reference folder {folder} is missing (set AUDIO_REPRO_REFERENCE)"
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
