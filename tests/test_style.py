"""The house rules that a reader meets on every page: short lines, no module that imports a script.

* Every Python line of the project is at most 120 characters (characters, not bytes: the sources' symbols are
  multi-byte in UTF-8).
* No module imports a command-line module of a work (``preprocess``, ``train``, ``generate``, ``analyse``, ``play``,
  ``sweep``) for its functions: what is shared lives in library modules (``model``, ``features``, ``sampling``,
  ``training`` …).  Tests may import a script to test it, and a lesson (``<work>/tutorial.py``) to show it.
"""

import ast
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKS = ("gruv", "mdn_vocoder", "dreaming", "decay", "autoencoder_synth")
SCRIPTS = {f"{work}.{script}" for work in WORKS for script in ("preprocess", "train", "generate", "analyse", "play",
                                                                 "sweep")}
LONGEST = 120


def python_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "*.py"], cwd=REPO, capture_output=True,
                            text=True, check=True).stdout.split()
    return [REPO / name for name in listed if (REPO / name).is_file()]


def test_no_line_is_longer_than_120_characters():
    long = [f"{path.relative_to(REPO)}:{number}: {len(line)} characters"
            for path in python_files() for number, line in enumerate(path.read_text().splitlines(), start=1)
            if len(line) > LONGEST]
    assert not long, "\n".join(long)


def imported_scripts(path: Path) -> list[str]:
    """The work scripts that ``path`` imports, at any depth of the file (``import x.train``, ``from x.train import``,
    ``from x import train``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [name for name in names if name in SCRIPTS]
    return found


def test_no_module_imports_a_script():
    offenders = [f"{path.relative_to(REPO)} imports {', '.join(names)}"
                 for path in python_files()
                 if path.relative_to(REPO).parts[0] != "tests" and path.name != "tutorial.py"  # lessons drive scripts
                 for names in [imported_scripts(path)] if names]
    assert not offenders, "\n".join(offenders)
