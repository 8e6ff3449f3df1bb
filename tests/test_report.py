"""Tests of shared.report: the matrix, report.md, the listening page, and bad input.

The fixture builds two small run folders with metrics.json files in the schema
``shared.evaluate`` writes, over short synthetic WAVs in several sample formats (float32,
int16 stereo, int32, a float64 reference), and one run scored by a work the other run lacks, so
the matrix has empty cells.  The browser test opens the page in headless chromium and reads
the verdict of the page's own self-check.
"""

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas
import pytest
import soundfile

from shared import report
from shared.rundir import InputError, cli_main
from tests.conftest import REPO_ROOT, require_system

RATE = 8000


def tone(seconds, frequency, channels=1):
    time = np.arange(int(seconds * RATE)) / RATE
    signal = 0.5 * np.sin(2 * np.pi * frequency * time) * np.exp(-time)
    return np.repeat(signal[:, None], channels, axis=1)


def criterion(id, value, verdict=None, rule="higher is better", **extra):
    return {"id": id, "name": f"criterion {id}", "value": value, "verdict": verdict, "rule": rule, **extra}


def write_runs(root: Path) -> Path:
    """Two runs (gruv, decay) with three outputs; returns the runs folder."""
    runs = root / "runs"
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    soundfile.write(corpus / "seed.wav", tone(1.0, 330), RATE, subtype="DOUBLE")

    gruv = runs / "gruv" / "quick"
    (gruv / "generated").mkdir(parents=True)
    soundfile.write(gruv / "generated" / "seed0.wav", tone(0.5, 440), RATE, subtype="FLOAT")
    soundfile.write(gruv / "generated" / "seed0 fast.wav", tone(0.4, 220, channels=2), RATE, subtype="PCM_16")
    gruv_document = {
        "schema": 1, "work": "gruv", "preset": "quick", "run": "runs/gruv/quick",
        "run_numbers": {"final_loss": 0.279, "epochs": 500},
        "outputs": [
            {
                "name": "seed0", "wav": "generated/seed0.wav", "reference": "../../../corpus/seed.wav",
                "reference_offset_s": 0.0, "reference_label": "the seed's training file",
                "criteria": {
                    "gruv": [criterion("mse", 0.27912345, "fail", "pass ≤ 0.15 (Fiala E2 stop)"),
                             criterion("envelope_corr", 0.98)],
                    "dreaming": [criterion("C1", "high", "high", "M1 ≤ −80 dB", numbers={"M1": -88.0})],
                    "decay": [],
                },
                "source_numbers": {"gruv:mse": "0.15 (E2 stop)", "dreaming:C1": "high (Table 1)"},
                "metrics": {"rms_db": -20.1},
            },
            {
                "name": "seed0 fast", "wav": "generated/seed0 fast.wav",
                "reference": str((corpus / "seed.wav").resolve()), "reference_offset_s": 0.25,
                "criteria": {
                    "gruv": [criterion("mse", 0.1, "pass", "pass ≤ 0.15 (Fiala E2 stop)"),
                             criterion("envelope_corr", 0.5)],
                    "dreaming": [criterion("C1", "medium", "medium", "M1 ≤ −80 dB")],
                },
                "source_numbers": {"gruv:mse": "0.15 (E2 stop)"},
            },
        ],
    }
    (gruv / "metrics.json").write_text(json.dumps(gruv_document))

    decay = runs / "decay" / "tiny"
    (decay / "generated").mkdir(parents=True)
    soundfile.write(decay / "generated" / "note.wav", tone(0.3, 110), RATE, subtype="PCM_32")
    decay_document = {
        "schema": 1, "work": "decay", "preset": "tiny", "run": "runs/decay/tiny",
        "outputs": [
            {
                "name": "note", "wav": "generated/note.wav", "reference": None,
                "criteria": {
                    "decay": [criterion("t60_error", 0.0123456, None, "lower is better")],
                    "gruv": [criterion("mse", 0.5, "fail", "pass ≤ 0.15 (Fiala E2 stop)")],
                },
                "source_numbers": {"decay:t60_error": "0.02 (Fig. 4)"},
            }
        ],
    }
    (decay / "metrics.json").write_text(json.dumps(decay_document))
    return runs


# Three outputs; two distinct reference stretches (the decay note has none).
EXPECTED_AUDIO = 5
EXPECTED_IMAGES = 2 * EXPECTED_AUDIO


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    runs = write_runs(root)
    index = report.build_report(runs, root / "out", scorecard=False)  # these runs' outputs alone (the scorecard of
    return runs, index.parent, index                                   # the committed evidence: test_evidence.py)


class SourceCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources = []
        self.tags = []

    def handle_starttag(self, tag, attributes):
        self.tags.append(tag)
        for name, value in attributes:
            if name in ("src", "href"):
                self.sources.append((tag, value))


def test_csv_is_the_full_matrix(built):
    _, out, _ = built
    table = pandas.read_csv(out / "report.csv")
    # runs in sorted path order (decay/ before gruv/)
    assert list(table["output"]) == ["note", "seed0", "seed0 fast"]
    assert list(table.columns[:6]) == ["run", "work", "preset", "output", "wav", "reference"]
    # works in the suite's order (gruv, dreaming, decay), criteria in first-seen order
    assert list(table.columns[6:]) == [
        "gruv:mse", "gruv:mse:verdict", "gruv:envelope_corr",
        "dreaming:C1", "dreaming:C1:verdict", "decay:t60_error",
    ]
    assert table["gruv:mse"].tolist() == pytest.approx([0.5, 0.27912345, 0.1])
    assert table["gruv:mse:verdict"].tolist() == ["fail", "fail", "pass"]
    assert table["dreaming:C1"].tolist()[1:] == ["high", "medium"]
    # cells of criteria an output was not scored by are empty
    assert pandas.isna(table.loc[0, "dreaming:C1"]) and pandas.isna(table.loc[0, "gruv:envelope_corr"])
    assert table["decay:t60_error"].isna().tolist() == [False, True, True]
    assert pandas.isna(table.loc[0, "reference"])


def test_markdown_has_both_views(built):
    _, out, _ = built
    text = (out / "report.md").read_text()
    assert "## All outputs × all criteria" in text and "## Each work by its own criteria" in text
    matrix_part, per_work = text.split("## Each work by its own criteria")
    assert "| runs/gruv/quick | seed0 | 0.2791 (fail) | 0.98 | high | – |" in matrix_part
    assert "| runs/decay/tiny | note | 0.5 (fail) | – | – | 0.01235 |" in matrix_part
    gruv_part, decay_part = per_work.split("### decay")
    # the per-work view keeps only that work's criteria, the source's number beside ours
    assert "| run | output | mse (ours) | mse (source) | envelope_corr (ours) | envelope_corr (source) |" in gruv_part
    assert "| runs/gruv/quick | seed0 | 0.2791 (fail) | 0.15 (E2 stop) | 0.98 | – |" in gruv_part
    assert "C1" not in gruv_part and "note" not in gruv_part
    assert "- `mse`: criterion mse: pass ≤ 0.15 (Fiala E2 stop)" in gruv_part
    assert gruv_part.count("pass ≤ 0.15") == 1  # the rule once, in the legend
    assert "final_loss 0.279" in gruv_part
    assert "| runs/decay/tiny | note | 0.01235 | 0.02 (Fig. 4) |" in decay_part


def test_page_links_only_existing_files_with_relative_urls(built):
    _, out, index = built
    parser = SourceCollector()
    parser.feed(index.read_text())
    files = [value for tag, value in parser.sources if not value.startswith("#")]
    assert parser.tags.count("audio") == EXPECTED_AUDIO and parser.tags.count("img") == EXPECTED_IMAGES
    assert len(files) == EXPECTED_AUDIO + EXPECTED_IMAGES
    for value in files:
        assert not re.match(r"^[a-z]+:|^/", value), value  # relative, no scheme, no absolute path
        assert (out / value.replace("%20", " ")).is_file(), value
    assert "<link" not in index.read_text() and "http" not in index.read_text()


def test_media_is_16_bit_pcm_and_the_reference_is_cut(built):
    _, out, _ = built
    wavs = sorted((out / "media").glob("*.wav"))
    assert len(wavs) == EXPECTED_AUDIO
    for wav in wavs:
        assert soundfile.info(wav).subtype == "PCM_16", wav
    fast = soundfile.info(out / "media" / "runs_gruv_quick--seed0_fast.wav")
    assert fast.channels == 2
    # the reference of "seed0 fast" starts at 0.25 s and lasts as long as the output (0.4 s)
    cut = [soundfile.info(wav) for wav in wavs if wav.name.startswith("ref--seed")]
    assert sorted(info.frames for info in cut) == [int(0.4 * RATE), int(0.5 * RATE)]
    assert len(list((out / "media").glob("*.png"))) == EXPECTED_IMAGES


def test_missing_audio_is_a_note_and_a_warning(tmp_path, capsys):
    runs = write_runs(tmp_path)
    (runs / "decay" / "tiny" / "generated" / "note.wav").unlink()
    document_path = runs / "gruv" / "quick" / "metrics.json"
    document = json.loads(document_path.read_text())
    document["outputs"][0]["reference"] = "nowhere.wav"
    document_path.write_text(json.dumps(document))
    index = report.build_report(runs, tmp_path / "out")
    page = index.read_text()
    assert page.count("not available: file not found") == 2
    assert "output wav not available: file not found (note.wav)" in page
    assert "reference not available: file not found (nowhere.wav)" in page
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == 2 and all(line.startswith("warning: ") for line in warnings)
    assert any("note.wav" in line for line in warnings) and any("nowhere.wav" in line for line in warnings)


@pytest.mark.parametrize("case", ["missing folder", "no metrics", "broken json", "no outputs"])
def test_bad_input_names_the_file(tmp_path, capsys, case):
    runs = tmp_path / "runs"
    culprit = runs
    if case != "missing folder":
        (runs / "gruv" / "quick").mkdir(parents=True)
    if case == "broken json":
        culprit = runs / "gruv" / "quick" / "metrics.json"
        culprit.write_text('{"outputs": [')
    if case == "no outputs":
        culprit = runs / "gruv" / "quick" / "metrics.json"
        culprit.write_text('{"schema": 1}')
    with pytest.raises(InputError) as error:
        report.build_report(runs, tmp_path / "out")
    assert error.value.path == str(culprit)
    assert not (tmp_path / "out").exists()  # nothing half-written

    with pytest.raises(SystemExit) as exit:
        cli_main(report.main, [str(runs), "--out", str(tmp_path / "out")])
    assert exit.value.code == 2
    message = capsys.readouterr().err
    assert message.count("\n") == 1 and message.startswith(f"error: {culprit}: ")


def test_command_line_prints_the_page(built, tmp_path):
    runs, _, _ = built
    process = subprocess.run(
        [sys.executable, "-m", "shared.report", str(runs), "--out", str(tmp_path / "page")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,  # with the scorecard's committed clips
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == str(tmp_path / "page" / "index.html")


def chromium(*arguments, profile: Path) -> subprocess.CompletedProcess:
    """Run headless chromium on one page.

    --headless                     the full browser without a window ("new" headless, the default
                                   since Chromium 112; the same result with --headless=old)
    --no-sandbox                   chromium refuses to run as root with its sandbox, and the
                                   sandbox needs user namespaces that containers often lack
    --disable-gpu                  software rendering: no GPU process to start or fail
    --user-data-dir                a fresh profile, so no lock clash with another chromium
    --virtual-time-budget=10000    the dump / screenshot waits until the page has been idle for
                                   10 s of virtual time (instant in real time), so the media's
                                   metadata has loaded and the self-check has written its result;
                                   without it the DOM is dumped right after onload, racing it
    No flag loosens file:// access (--allow-file-access-from-files is not needed): <img> and
    <audio> load sibling files from file:// as in any browser, and Debian's chromium decodes
    16-bit PCM WAV with its bundled media stack, so the check runs as a user's browser would.
    """
    command = [
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
        "--virtual-time-budget=10000", *arguments,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_page_loads_in_a_real_browser(built, tmp_path):
    require_system("chromium", command="chromium")
    _, out, index = built
    url = index.resolve().as_uri()
    dump = chromium("--dump-dom", url, profile=tmp_path / "profile-dump")
    match = re.search(r'<body[^>]*data-check="([^"]*)"', dump.stdout)
    assert match, dump.stderr[-2000:]
    assert match.group(1) == f"ok img={EXPECTED_IMAGES} audio={EXPECTED_AUDIO}"
    # the same page opened by the scorecard of the committed evidence: its players and spectrograms load too
    scored = report.build_report(built[0], tmp_path / "scored")
    players = scored.read_text().count("<audio")
    assert players > EXPECTED_AUDIO and "Scorecard" in scored.read_text()
    dump = chromium("--dump-dom", scored.resolve().as_uri(), profile=tmp_path / "profile-scored")
    assert re.search(rf'<body[^>]*data-check="ok img=\d+ audio={players}"', dump.stdout), dump.stdout[-500:]

    shot = tmp_path / "page.png"
    chromium(f"--screenshot={shot}", "--window-size=1200,900", url, profile=tmp_path / "profile-shot")
    import matplotlib.image

    pixels = matplotlib.image.imread(str(shot))
    assert pixels.shape[:2] == (900, 1200)
    assert pixels[..., :3].std() > 0.05
