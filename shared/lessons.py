"""The lessons: each work's ``tutorial.ipynb`` executed top to bottom and rendered to HTML (``make lessons``).

A tutorial is written as ``<work>/tutorial.py`` (jupytext's percent format: reviewable diffs) and committed beside it
as ``<work>/tutorial.ipynb`` with its outputs stripped (``--sync`` makes the notebook from the script).  Executing
runs each notebook in a scratch folder of its own (what it trains and copies goes there), with nbclient and the
``python3`` kernel of this environment, and fails on the first cell that raises.

    python -m shared.lessons [--works gruv mdn_vocoder] [--out runs/lessons]   # execute, render, index.html
    python -m shared.lessons --sync [--check]                                  # tutorial.py → tutorial.ipynb
"""

from __future__ import annotations

import argparse
import html
import time
from pathlib import Path

from shared.rundir import InputError, atomic_path, cli_main

REPO_ROOT = Path(__file__).resolve().parent.parent
WORKS = ("gruv", "mdn_vocoder", "dreaming", "decay", "autoencoder_synth")
#: seconds any one cell may take before the lesson counts as failed
CELL_TIMEOUT = 600


def tutorials(works=WORKS) -> list[str]:
    """The works that have a tutorial (``<work>/tutorial.py``)."""
    return [work for work in works if (REPO_ROOT / work / "tutorial.py").is_file()]


def notebook_from_script(work: str):
    """``<work>/tutorial.py`` as a notebook without outputs (what ``tutorial.ipynb`` must hold)."""
    import jupytext

    notebook = jupytext.read(REPO_ROOT / work / "tutorial.py")
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata.pop("jupytext", None)
    for index, cell in enumerate(notebook.cells):  # stable ids, so that the committed notebook is reproducible
        cell["id"] = f"cell-{index}"
    return notebook


def notebook_text(notebook) -> str:
    import nbformat

    return nbformat.writes(notebook) + "\n"


def sync(works=WORKS, check=False) -> list[str]:
    """Write (or with ``check``, compare) each ``tutorial.ipynb`` from its ``tutorial.py``; returns the stale ones."""
    stale = []
    for work in tutorials(works):
        path, text = REPO_ROOT / work / "tutorial.ipynb", notebook_text(notebook_from_script(work))
        if not path.is_file() or path.read_text() != text:
            stale.append(f"{work}/tutorial.ipynb")
            if not check:
                with atomic_path(path) as temporary:
                    temporary.write_text(text)
    return stale


def execute(work: str, scratch: Path):
    """Run the work's committed notebook in ``scratch``; returns (the executed notebook, seconds).  Raises nbclient's
    CellExecutionError (with the cell and its traceback) when a cell fails."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(REPO_ROOT / work / "tutorial.ipynb", as_version=4)
    scratch.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(scratch)}}).execute()
    return notebook, time.perf_counter() - started


def render(notebook, path: Path) -> Path:
    """The executed notebook as a standalone HTML page (nbconvert's, images and audio inline)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(notebook)
    with atomic_path(path) as temporary:
        temporary.write_text(body)
    return path


def index_page(rows: list[tuple[str, float]]) -> str:
    items = "".join(f'<li><a href="{work}.html">{html.escape(work)}</a>: ran top to bottom in {seconds:.0f} s</li>'
                    for work, seconds in rows)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Lessons</title></head><body>"
            "<h1>Lessons: the five works, each a tutorial that runs</h1><p>Executed just now by python -m "
            f"shared.lessons, on the synthetic corpora and the committed pretrained models.</p><ul>{items}</ul>"
            "</body></html>\n")


def build(works, out: Path) -> list[tuple[str, float]]:
    """Execute and render every tutorial of ``works`` into ``out`` (``<work>.html``, ``index.html``)."""
    rows = []
    for work in tutorials(works):
        print(f"[lessons] {work}: executing {work}/tutorial.ipynb", flush=True)
        notebook, seconds = execute(work, out / "scratch" / work)
        render(notebook, out / f"{work}.html")
        print(f"[lessons] {work}: {seconds:.0f} s -> {out / (work + '.html')}", flush=True)
        rows.append((work, seconds))
    with atomic_path(out / "index.html") as temporary:
        temporary.write_text(index_page(rows))
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.lessons", description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", nargs="+", default=list(WORKS), choices=WORKS)
    parser.add_argument("--out", type=Path, default=Path("runs/lessons"))
    parser.add_argument("--sync", action="store_true", help="write each tutorial.ipynb from its tutorial.py")
    parser.add_argument("--check", action="store_true", help="with --sync: only say which notebooks are stale")
    args = parser.parse_args(argv)
    if args.sync:
        stale = sync(args.works, check=args.check)
        if args.check and stale:
            raise InputError(stale[0], "differs from its tutorial.py: run python -m shared.lessons --sync")
        print("\n".join(f"{'stale' if args.check else 'wrote'} {name}" for name in stale) or "every notebook in sync")
        return
    rows = build(args.works, args.out)
    print(f"{len(rows)} lessons in {args.out / 'index.html'}")


if __name__ == "__main__":
    cli_main(main)
