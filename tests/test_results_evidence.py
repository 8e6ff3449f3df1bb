"""Result tables quoted in a work's README are the committed evidence under ``<work>/results/``.

The analyses write their tables as markdown (``mdn_vocoder.analyse`` → ``analysis.md``,
``dreaming.analyse`` → ``table1.md``, ``dreams.md``); the README quotes them. This fails when a README
number is edited by hand or the evidence is regenerated without updating the README.
"""

from pathlib import Path

import pytest

from conftest import REPO_ROOT

TABLES = (sorted((REPO_ROOT / "mdn_vocoder" / "results").glob("*/*/analysis.md"))
          + sorted((REPO_ROOT / "dreaming" / "results").glob("*/table1.md"))
          + sorted((REPO_ROOT / "dreaming" / "results").glob("*/dreams.md")))


def table_rows(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.startswith("|") and not line.startswith("|---")]


@pytest.mark.parametrize("table", TABLES, ids=[str(path.relative_to(REPO_ROOT)) for path in TABLES])
def test_readme_quotes_every_row_of_the_committed_table(table):
    work = table.relative_to(REPO_ROOT).parts[0]
    readme = (REPO_ROOT / work / "README.md").read_text().splitlines()
    missing = [row for row in table_rows(table) if row not in readme]
    assert not missing, f"{work}/README.md lacks these rows of {table.relative_to(REPO_ROOT)}: {missing[:3]}"


def test_there_is_evidence_to_check():
    assert TABLES, "no committed result tables found"
