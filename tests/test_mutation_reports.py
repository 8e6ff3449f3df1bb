"""The mutation results quoted in each work's README are the committed ``results/mutations.json``.

``make mutations`` (``tests/mutations/run.py``) writes both; this catches a README edited by
hand or a result file regenerated without its README, and a mutant list gone stale.
"""

import importlib.util
import json

import pytest

from conftest import REPO_ROOT

spec = importlib.util.spec_from_file_location("mutation_runner", REPO_ROOT / "tests" / "mutations" / "run.py")
runner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(runner)


@pytest.mark.parametrize("work", runner.WORKS)
def test_readme_quotes_the_committed_result(work):
    result = REPO_ROOT / work / "results" / "mutations.json"
    if not result.exists():
        pytest.skip(f"{work}: no mutation result committed yet")
    summary = json.loads(result.read_text())
    assert summary["killed"] == sum(row["status"].startswith("killed") for row in summary["mutants"])
    assert summary["total"] == len(summary["mutants"])
    block = runner.readme_block((REPO_ROOT / work / "README.md").read_text())
    assert block == runner.render_table(summary), f"{work}/README.md's mutation block differs from {result.name}"


@pytest.mark.parametrize("work", runner.WORKS)
def test_every_mutant_still_applies(work):
    """Each mutant's ``old`` text is still in its file, so ``make mutations`` does not stop on a stale one."""
    if not (REPO_ROOT / "tests" / "mutations" / f"{work}.py").exists():
        pytest.skip(f"{work}: no mutant list yet")
    _, mutants = runner.load_mutants(work)
    for mutant in mutants:
        runner.mutated_text(mutant, REPO_ROOT)
