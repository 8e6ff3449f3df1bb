"""Each work's lesson (``<work>/tutorial.ipynb``, made from ``<work>/tutorial.py`` by ``python -m shared.lessons
--sync``) is committed in step with its script, with no outputs, and runs top to bottom without an error, showing
at least one plot and one audio player (``shared.lessons``, as ``make lessons`` runs it).
"""

import json

import pytest

from conftest import REPO_ROOT
from shared import lessons


@pytest.mark.parametrize("work", lessons.WORKS)
def test_the_committed_notebook_is_its_script_without_outputs(work):
    assert lessons.tutorials([work]) == [work], f"{work}/tutorial.py is missing"
    assert lessons.sync([work], check=True) == [], f"{work}/tutorial.ipynb is stale: python -m shared.lessons --sync"
    notebook = json.loads((REPO_ROOT / work / "tutorial.ipynb").read_text())
    assert all(not cell.get("outputs") and cell.get("execution_count") is None for cell in notebook["cells"]
               if cell["cell_type"] == "code")


@pytest.mark.parametrize("work", lessons.tutorials())
def test_the_lesson_runs_top_to_bottom_with_plots_and_sound(work, tmp_path):
    notebook, seconds = lessons.execute(work, tmp_path)
    print(f"{work}/tutorial.ipynb ran in {seconds:.0f} s")
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output.get("output_type") == "error"]
    assert any("image/png" in output.get("data", {}) for output in outputs), "no plot"
    assert any("<audio" in output.get("data", {}).get("text/html", "") for output in outputs), "no audio player"
    html = lessons.render(notebook, tmp_path / f"{work}.html").read_text()
    assert "<audio" in html and "data:image/png;base64" in html


def test_the_report_links_the_lessons_rendered_beside_it(tmp_path):
    from shared import report

    assert report.lessons_html(tmp_path / "report") == ""  # none rendered: no section
    (tmp_path / "lessons").mkdir()
    for name in ("index", "gruv", "decay"):
        (tmp_path / "lessons" / f"{name}.html").write_text("<html></html>")
    links = report.lessons_html(tmp_path / "report")
    assert 'href="../lessons/decay.html"' in links and 'href="../lessons/gruv.html"' in links
    assert 'href="../lessons/index.html"' in links
