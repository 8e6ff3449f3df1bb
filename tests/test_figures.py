"""The sources' figures redrawn from the committed evidence (shared/figures.py, each work's findings.figures).

(a) every work's ``figures`` draws from what is committed, without reference data, the files the evidence present
calls for (named here from the evidence itself, not by the code under test), each a PNG matplotlib reads back;
(b) the READMEs link every committed figure and nothing else; (c) the data behind two figures against independent
computations: Table 1's grid against ``shared.sources.TABLE_1`` and a hand count, the decay √|STFT| against numpy.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
WORKS = ("gruv", "mdn_vocoder", "dreaming", "decay", "autoencoder_synth")
MAX_BYTES = 300_000
LINK = re.compile(r"!\[[^\]]*\]\((results/figures/[^)\s]+\.png)\)")


def _lowest_seed(experiment: Path, pattern: str) -> list[Path]:
    seeds = sorted((int(path.name[4:]), path) for path in experiment.glob("seed*") if path.name[4:].isdigit())
    for _, folder in seeds:
        if sorted(folder.glob(pattern)):
            return sorted(folder.glob(pattern))
    return []


def expected_names(work: str) -> set[str]:
    """The figures the committed evidence of ``work`` calls for (the brief's names)."""
    results = REPO / work / "results"
    experiments = sorted(path for path in results.iterdir() if path.is_dir()) if results.is_dir() else []
    if work == "decay":
        paper = {"run4": "fig4_run4.png", "run9": "fig5_run9.png", "run1": "fig6_run1.png", "run7": "fig7_run7.png"}
        return {paper.get(path.name, f"{path.name}_stft.png") for path in experiments
                if _lowest_seed(path, "generated/*_gen_wp*.flac")}
    if work == "gruv":
        return {f"{path.name}_{output.stem}.png" for path in experiments
                for output in _lowest_seed(path, "generated/*.flac")}
    if work == "autoencoder_synth":
        resynthesis = _lowest_seed(results / "tables2-3", "generated/deep-256-8_*.flac")
        return {"figure2_deep-256-8.png"} if resynthesis else set()
    if work == "mdn_vocoder":
        present = ((results / "pretrained/sine/data/frames.npy").is_file()
                   and (results / "sine-absolute/seed1/generated/bias1e-5_seed1.flac").is_file())
        return {"frame_training_vs_generated.png"} if present else set()
    return {"table1_ratings.png"}  # dreaming: Table 1 is drawn whatever has run


@pytest.mark.parametrize("work", WORKS)
def test_figures_from_the_committed_evidence_without_reference_data(work, tmp_path, monkeypatch):
    from shared import reference

    monkeypatch.setattr(reference, "locate", lambda *args, **kwargs: None)
    written = importlib.import_module(f"{work}.findings").figures(tmp_path, reference.locate(work))
    assert {Path(path).name for path in written} == expected_names(work)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(Path(path).name for path in written)
    for path in written:
        assert Path(path).stat().st_size <= MAX_BYTES, f"{path} is over {MAX_BYTES} bytes"
        pixels = matplotlib.image.imread(str(path))
        assert pixels.ndim == 3 and pixels.shape[0] >= 200 and pixels.shape[1] >= 400
        assert pixels.std() > 0  # something is drawn


def test_every_committed_figure_is_linked_from_its_readme_and_every_link_exists():
    for work in WORKS:
        readme = (REPO / work / "README.md").read_text()
        linked = set(LINK.findall(readme))
        missing = [link for link in linked if not (REPO / work / link).is_file()]
        assert not missing, f"{work}/README.md links figures that are not there: {missing}"
        committed = {f"results/figures/{path.name}" for path in (REPO / work / "results" / "figures").glob("*.png")}
        assert not committed - linked, f"{work}: figures no README links: {sorted(committed - linked)}"
        start, end = readme.find("<!-- findings: generated"), readme.find("<!-- end of findings -->")
        if start >= 0:
            assert not LINK.search(readme[start:end]), f"{work}: a figure link inside the generated findings block"


def test_table_1_grid_gives_the_papers_ratings_and_our_majority():
    from dreaming.findings import TABLE_1
    from shared.figures import table_1_grid
    from shared.sources import TABLE_1 as PUBLISHED

    entries = [{"id": "T1-ex2-C1", "measured": {"values": ["high", "low", "high"]}},
               {"id": "T1-ex3-C2", "measured": {"values": ["low", "medium"]}},
               {"id": "T1-ex4-C3", "measured": {"values": []}}]
    grid = table_1_grid(TABLE_1, entries)
    assert grid["paper"] == {(example, criterion): rating for example, (_, _, *ratings) in PUBLISHED.items()
                             for criterion, rating in zip(("C1", "C2", "C3"), ratings)}
    assert grid["ours"][2, "C1"] == ("high", 2, 3)
    assert grid["ours"][3, "C2"] == ("mixed", 1, 2)
    assert grid["ours"][4, "C3"] == ("not run", 0, 0)
    assert grid["ours"][11, "C1"] == ("not run", 0, 0)
    # the committed findings: every measured entry's label is the rating most of its seeds got
    committed = json.loads((REPO / "dreaming" / "results" / "findings.json").read_text())
    ours = table_1_grid(TABLE_1, committed)["ours"]
    for entry in committed:
        match = re.fullmatch(r"T1-ex(\d+)-(C\d)", entry["id"])
        values = entry["measured"]["values"]
        if match and values and len(set(values)) == 1:
            assert ours[int(match.group(1)), match.group(2)] == (values[0], len(values), len(values))


def test_sqrt_stft_of_a_sine_peaks_at_its_bin_and_is_the_root_of_the_hann_spectrum():
    from shared.figures import sqrt_stft

    rate, window, hop, k = 44100, 2048, 512, 100
    signal = 0.5 * np.sin(2 * np.pi * k * rate / window * np.arange(rate) / rate)
    frequencies, times, magnitude = sqrt_stft(signal, rate, window, hop)
    assert frequencies[k] == pytest.approx(k * rate / window)
    assert (magnitude.argmax(axis=0) == k).all()
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(window) / window)  # periodic Hann, as an STFT takes it
    third = np.abs(np.fft.rfft(signal[2 * hop:2 * hop + window] * hann)) / hann.sum()
    np.testing.assert_allclose(magnitude[:, 2], np.sqrt(third), rtol=1e-9, atol=1e-6)  # √ of rounding noise: 1e-8
    assert magnitude[k, 2] == pytest.approx(np.sqrt(0.25), rel=1e-6)  # a 0.5 sine: |X|/Σw = 0.25 at its bin
    assert times[2] == pytest.approx((2 * hop + window / 2) / rate)
