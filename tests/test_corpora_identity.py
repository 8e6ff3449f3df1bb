"""Byte identity of the synthetic corpora: every file of every build has the sha256 in ``golden/corpora_sha256.json``.

The recorded values are those of the synthetic tier as built before ``shared/corpora`` was split
from one module into a package (numpy 2.4, scipy 1.17), ``manifest.json`` included.  A change to
a sound model, a seed, a parameter or a description changes them; so can a numpy or scipy
upgrade.  After a deliberate change, record them again with
``python -m tests.test_corpora_identity --record`` and commit the file with the reason.
"""

import argparse
import contextlib
import hashlib
import io
import json
import tempfile
from pathlib import Path

import pytest

from shared import corpora

GOLDEN = Path(__file__).resolve().parent / "golden" / "corpora_sha256.json"
SYNTHETIC = [name for name, corpus in corpora.CORPORA.items() if corpus.tier == "synthetic"]


def built_hashes(name: str, folder: Path) -> dict[str, str]:
    """Build corpus ``name`` into ``folder``; the sha256 of every file there, keyed by its path relative to
    ``folder``."""
    with contextlib.redirect_stdout(io.StringIO()):
        corpora.build(name, folder)
    return dict(sorted((path.relative_to(folder).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest())
                       for path in folder.rglob("*") if path.is_file()))


@pytest.mark.parametrize("name", SYNTHETIC)
def test_synthetic_corpus_bytes_are_unchanged(name, tmp_path):
    recorded = json.loads(GOLDEN.read_text()).get(name)
    assert recorded is not None, (f"no sha256 recorded for corpus {name!r} in {GOLDEN.name}: "
                                  "record them with python -m tests.test_corpora_identity --record")
    built = built_hashes(name, tmp_path)
    problems = [f"corpus {name!r}, file {file!r}: "
                + ("not built" if file not in built else "not recorded" if file not in recorded
                   else f"sha256 {built[file]} instead of {recorded[file]}")
                for file in sorted(set(recorded) | set(built)) if built.get(file) != recorded.get(file)]
    if problems:
        pytest.fail(f"{len(problems)} of {len(recorded)} files differ:\n" + "\n".join(problems[:20]), pytrace=False)


def record() -> None:
    """Build every synthetic corpus and write the sha256 of its files to ``golden/corpora_sha256.json``."""
    with tempfile.TemporaryDirectory() as folder:
        hashes = {name: built_hashes(name, Path(folder) / name) for name in SYNTHETIC}
    GOLDEN.write_text(json.dumps(hashes, indent=1) + "\n")
    print(f"wrote {sum(map(len, hashes.values()))} sha256 of {len(hashes)} corpora to {GOLDEN}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Record the sha256 of every synthetic corpus's files.")
    parser.add_argument("--record", action="store_true", required=True, help="rewrite golden/corpora_sha256.json")
    parser.parse_args()
    record()
