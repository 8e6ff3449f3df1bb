"""Golden outputs of our own: every work's ``tiny`` preset, run end to end, against ``tests/golden/``.

One fresh interpreter runs the five tiny pipelines (corpus, ``preprocess``, ``train``,
``generate``; ``tests/golden.py``) and summarises each run: the preprocessed arrays'
statistics, the per-epoch losses, the L2 norm of every trained weight tensor, and each generated
file's length, rate, RMS, peak, 16-segment envelope and spectral centroid.  Each value must lie
within ``rtol · max(|golden|, scale)`` of ``tests/golden/<work>/golden.json`` (scale: the array's
largest |value|, the file's peak, the run's first finite loss); shapes, dtypes, lengths, rates and the
set of files must match exactly.

The tolerances, and the measurement behind them (``python -m tests.golden --spread``: the same
runs with 1 and 2 threads, each with TF_ENABLE_ONEDNN_OPTS=0 and 1, on TensorFlow 2.21 / Keras
3.15 / numpy 2.4, CPU; the largest relative deviation from the first configuration):

| kind | measured spread | tolerance |
|---|---|---|
| data (preprocessed arrays, numpy only) | 0 (bit-identical) | 1e-6 |
| loss (per-epoch training loss) | 2.5e-9 (mdn_vocoder) | 1e-4 |
| weights (L2 norm per tensor) | 2.3e-7 (decay, an Adam moment) | 1e-4 |
| audio (generated files' statistics) | 6.2e-8 (dreaming, a peak) | 1e-3 |

Each tolerance is hundreds of times the spread (the test below requires at least ten), so
that the small differences of another CPU or a library's new kernels pass, while a change in
what a work computes (an initialiser, a gate, a learning rate, a seed, a scaling) does not.
The data tolerance allows only last-bit changes (an FFT library's).
When a dependency upgrade or a deliberate change moves them, look at what moved, then
``python -m tests.golden --regenerate`` (the only command that rewrites the files) and commit
the new ``tests/golden/`` with the reason.
"""

import json
import os
import subprocess
import sys

import pytest

import golden
from conftest import REPO_ROOT

#: Stated here; ``tests/golden.py`` holds the same numbers for its command line.
TOLERANCES = {"data": 1e-6, "loss": 1e-4, "weights": 1e-4, "audio": 1e-3}
#: How far above the measured spread each tolerance must stay.
MARGIN = 10


@pytest.fixture(scope="module")
def summaries(tmp_path_factory):
    """One tiny run of every work, in a fresh interpreter (no state from other tests)."""
    out = tmp_path_factory.mktemp("golden") / "summary.json"
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-m", "tests.golden", "--summary", str(out)], cwd=REPO_ROOT,
                            env=environment, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(out.read_text())["works"]


def test_tolerances_are_the_runners():
    assert golden.TOLERANCES == TOLERANCES


@pytest.mark.parametrize("work", golden.WORKS)
def test_tiny_run_matches_its_golden_outputs(work, summaries):
    path = golden.golden_path(work)
    assert path.is_file(), f"{path} is missing: python -m tests.golden --regenerate"
    record = golden.load_golden(work)
    assert record["preset"] == "tiny"
    summary = summaries[work]
    for kind in ("data", "loss", "weights", "audio"):  # the run covers every stage
        assert summary[kind], f"{work}: the tiny run wrote no {kind}"
    problems = golden.mismatches(summary, record, TOLERANCES)
    assert not problems, (f"{work}: {len(problems)} value(s) moved beyond the stated tolerance "
                          f"(golden made with {record['versions']}):\n" + "\n".join(problems[:30]))


def test_tolerances_stand_above_the_measured_spread():
    measured = json.loads((golden.GOLDEN_DIR / "spread.json").read_text())
    assert {(entry["threads"], entry["TF_ENABLE_ONEDNN_OPTS"]) for entry in measured["configurations"]} == \
        {(1, "0"), (1, "1"), (2, "0"), (2, "1")}
    assert set(measured["works"]) == set(golden.WORKS)
    for kind, spread in measured["overall"].items():
        assert spread * MARGIN <= TOLERANCES[kind], (
            f"{kind}: spread {spread:.2e} leaves no margin under {TOLERANCES[kind]}")


def test_comparison_catches_a_real_change():
    """A value pushed just past its tolerance fails; one within it passes; a missing file fails."""
    record = golden.load_golden("gruv")
    key = next(iter(record["weights"]))
    moved = json.loads(json.dumps(record))
    moved["weights"][key] *= 1 + 0.5 * TOLERANCES["weights"]
    assert golden.mismatches(moved, record, TOLERANCES) == []
    moved["weights"][key] = record["weights"][key] * (1 + 2 * TOLERANCES["weights"])
    problems = golden.mismatches(moved, record, TOLERANCES)
    assert len(problems) == 1 and problems[0].startswith(f"weights {key}: ")
    moved = json.loads(json.dumps(record))
    wav = next(iter(moved["audio"]))
    del moved["audio"][wav]
    assert any(wav in line for line in golden.mismatches(moved, record, TOLERANCES))
