"""The report: every output of every run beside every work's criteria, and a listening page.

``python -m shared.evaluate RUN_DIR`` scores each output of a run by all five works'
criteria and writes ``RUN_DIR/metrics.json``.  This module gathers every ``metrics.json``
under a folder of runs and writes three views of them into one output folder:

* ``report.csv``: the full matrix, one row per output (``run``, ``work``, ``preset``,
  ``output``, ``wav``, ``reference``) and one column per criterion, named
  ``<criterion's work>:<criterion id>``, plus a ``…:verdict`` column for every criterion
  that gives a verdict (pass / fail, low / medium / high);
* ``report.md``: the same matrix as a markdown table, then one table per work with only
  that work's outputs and criteria, the source's number beside ours, and a legend giving
  each criterion's rule once;
* ``index.html``: a listening page that opens from the file system with no network: first
  the scorecard (each work's findings judged from its committed evidence, ``results/findings.json``,
  with a player of one committed output each), then the matrix of the outputs made just now,
  then per output the audio players, waveform and spectrogram of the output beside those of
  its reference, and its criteria grouped by work with coloured verdicts.
  The audio is re-encoded as 16-bit PCM WAV (which every browser plays) into ``media/``,
  beside the PNG plots, and linked with relative URLs so the folder can be moved.  A small
  inline script checks, once the page has loaded, that every image and every audio file
  loaded, and writes the result into ``<body data-check="…">`` for the browser test.

A wav or reference named in a metrics.json that is missing or unreadable does not stop the
report: its player is replaced by a note on the page and a warning on stderr.

Usage::

    python -m shared.report RUNS_DIR [--out DIR]      # DIR defaults to RUNS_DIR/report
"""

from __future__ import annotations

import argparse
import html
import json
import math
import re
import sys
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas
import scipy.signal
import soundfile

from shared.audio import read_audio
from shared.criteria import WORKS as WORK_ORDER  # the order criteria and sections appear in; other works follow
from shared.rundir import InputError, atomic_path, cli_main, read_json
from shared.rundir import check_output_folder  # bad-input guards

#: Verdicts a criterion may give, and the colour class each gets on the page.
VERDICT_CLASS = {"pass": "good", "high": "good", "medium": "middle", "fail": "bad", "low": "bad",
                 # the decay criteria's graded verdicts (shared/criteria.py)
                 "like the original": "good", "faster": "middle", "weaker": "middle", "slightly noisier": "middle",
                 "none": "bad", "noisier": "bad"}

#: Leading columns of the matrix, before the criteria.
OUTPUT_COLUMNS = ("run", "work", "preset", "output", "wav", "reference")

#: At most this many seconds of a file are plotted.
PLOT_SECONDS = 30.0

#: Plot size: inches and dots per inch (480 × 160 pixels).
PLOT_SIZE = (6.0, 2.0)
PLOT_DPI = 80

MISSING = "–"


# ----------------------------------------------------------------------------- reading metrics.json


def load_metrics(runs_dir) -> list[dict]:
    """Read every ``metrics.json`` under ``runs_dir`` (recursively, in sorted order).

    Parameters
    ----------
    runs_dir : str or Path
        A folder holding run directories (or one run directory).

    Returns
    -------
    list of dict
        The documents as written by ``shared.evaluate``, each with an added key ``"_path"``:
        the metrics.json it was read from (wav and reference paths are relative to its folder).

    Raises
    ------
    InputError
        ``runs_dir`` is missing or not a folder, holds no metrics.json, or one of them is not
        valid JSON or does not have the schema's ``"outputs"`` list.
    """
    runs_dir = Path(runs_dir)
    if not runs_dir.exists():
        raise InputError(runs_dir, "folder not found")
    if not runs_dir.is_dir():
        raise InputError(runs_dir, "is not a folder of runs")
    paths = sorted(runs_dir.glob("**/metrics.json"))
    if not paths:
        raise InputError(runs_dir, "no metrics.json found under it (run `python -m shared.evaluate RUN_DIR` first)")
    documents = []
    for path in paths:
        document = read_json(path)
        _check_document(document, path)
        documents.append({**document, "_path": str(path)})
    return documents


def _check_document(document, path) -> None:
    """Raise :class:`InputError` unless ``document`` has the metrics.json shape this module reads."""
    if not isinstance(document, dict) or not isinstance(document.get("outputs"), list):
        raise InputError(path, 'not a metrics file: expected a JSON object with an "outputs" list')
    for number, output in enumerate(document["outputs"]):
        where = f'outputs[{number}]'
        if not isinstance(output, dict) or not isinstance(output.get("name"), str):
            raise InputError(path, f'{where} is not an object with a "name" string')
        criteria = output.get("criteria", {})
        if not isinstance(criteria, dict):
            raise InputError(path, f'{where}.criteria is not an object of work → list of criteria')
        for work, entries in criteria.items():
            if not isinstance(entries, list) or not all(isinstance(entry, dict) and "id" in entry for entry in entries):
                raise InputError(path, f'{where}.criteria.{work} is not a list of objects with an "id"')


# ----------------------------------------------------------------------------- the matrix


def ordered_works(works) -> list[str]:
    """``works`` (any iterable, duplicates allowed) in :data:`WORK_ORDER`, then first-seen order."""
    seen = list(dict.fromkeys(works))
    return [work for work in WORK_ORDER if work in seen] + [work for work in seen if work not in WORK_ORDER]


def criterion_columns(documents) -> list[tuple[str, str]]:
    """Every ``(work, criterion id)`` of any output: works in :func:`ordered_works`, ids in first-seen order."""
    ids_by_work: dict[str, dict[str, None]] = {}
    for document in documents:
        for output in document["outputs"]:
            for work, entries in output.get("criteria", {}).items():
                ids = ids_by_work.setdefault(work, {})
                for entry in entries:
                    ids.setdefault(str(entry["id"]), None)
    return [(work, criterion) for work in ordered_works(ids_by_work) for criterion in ids_by_work[work]]


def criteria_by_key(output) -> dict[str, dict]:
    """An output's criteria as ``{"<work>:<id>": entry}``."""
    return {f"{work}:{entry['id']}": entry for work, entries in output.get("criteria", {}).items() for entry in entries}


def matrix(documents) -> pandas.DataFrame:
    """The full matrix: one row per output of every document, one column per criterion.

    Parameters
    ----------
    documents : list of dict
        As returned by :func:`load_metrics`.

    Returns
    -------
    pandas.DataFrame
        Columns ``run, work, preset, output, wav, reference`` (as written in the
        metrics.json), then for each criterion (:func:`criterion_columns`) a column
        ``"<work>:<id>"`` with its value and, if any output gives it a verdict, a column
        ``"<work>:<id>:verdict"``.  A criterion an output was not scored by is empty (None).
    """
    columns = criterion_columns(documents)
    has_verdict = {
        f"{work}:{entry['id']}"
        for document in documents for output in document["outputs"]
        for work, entries in output.get("criteria", {}).items() for entry in entries
        if entry.get("verdict") is not None
    }
    rows = []
    for document in documents:
        for output in document["outputs"]:
            row = {
                "run": _run_name(document),
                "work": document.get("work"),
                "preset": document.get("preset"),
                "output": output["name"],
                "wav": output.get("wav"),
                "reference": output.get("reference"),
            }
            scored = criteria_by_key(output)
            for work, criterion in columns:
                key = f"{work}:{criterion}"
                entry = scored.get(key, {})
                row[key] = entry.get("value")
                if key in has_verdict:
                    row[f"{key}:verdict"] = entry.get("verdict")
            rows.append(row)
    names = list(OUTPUT_COLUMNS)
    for work, criterion in columns:
        key = f"{work}:{criterion}"
        names += [key, f"{key}:verdict"] if key in has_verdict else [key]
    return pandas.DataFrame(rows, columns=names, dtype=object)


# ----------------------------------------------------------------------------- formatting


def format_value(value) -> str:
    """A criterion's value as short text: numbers to 4 significant digits, missing as ``–``."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if value.is_integer() and abs(value) < 1e6:
            return str(int(value))
        return f"{value:.4g}"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def format_cell(entry) -> str:
    """A criterion entry as ``value (verdict)``; just the value when there is no verdict."""
    if not entry:
        return MISSING
    text = format_value(entry.get("value"))
    verdict = entry.get("verdict")
    if verdict is not None and str(verdict) != text:
        text = f"{text} ({verdict})" if text != MISSING else str(verdict)
    return text


def _markdown_table(header, rows) -> str:
    def cell(text):
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(name) for name in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(text) for text in row) + " |" for row in rows]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- outputs and media


@dataclass
class Clip:
    """One audio file as shown on the page: its player and plots, or why it is missing."""

    label: str
    source: Path | None = None
    wav: str | None = None  # relative URLs under the output folder
    waveform: str | None = None
    spectrogram: str | None = None
    note: str | None = None


@dataclass
class Entry:
    """One output of one run, with everything the three views need."""

    document: dict
    output: dict
    anchor: str
    clips: list[Clip] = field(default_factory=list)

    @property
    def run(self) -> str:
        return _run_name(self.document)

    @property
    def work(self) -> str:
        return str(self.document.get("work"))


def _run_name(document) -> str:
    """The run's name as the metrics.json gives it, else the folder the metrics.json is in."""
    return str(document.get("run") or Path(document.get("_path", "metrics.json")).parent)


def sanitise(text: str) -> str:
    """``text`` reduced to a file-name-safe ``[A-Za-z0-9._-]`` stem of at most 100 characters."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")
    return stem[:100] or "output"


class _Names:
    """Hands out file stems that are unique within one report."""

    def __init__(self):
        self.taken: set[str] = set()

    def unique(self, text: str) -> str:
        stem, number = sanitise(text), 1
        candidate = stem
        while candidate in self.taken:
            number += 1
            candidate = f"{stem}-{number}"
        self.taken.add(candidate)
        return candidate


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _read_for_page(path: Path, metrics_path: str, role: str):
    """The samples and rate of ``path``, or ``(None, note)`` when it is missing or unreadable."""
    try:
        audio = read_audio(path, need_sound=False)
    except InputError as error:
        _warn(f"{error} (the {role} named in {metrics_path}); its player is left out")
        return None, f"{role} not available: {error.problem} ({path.name})"
    return audio, None


def write_media(samples, rate: int, media_dir: Path, stem: str, title: str) -> tuple[str, str, str]:
    """Write ``stem.wav`` (16-bit PCM), ``stem_wave.png`` and ``stem_spec.png`` into ``media_dir``.

    Parameters
    ----------
    samples : np.ndarray
        Shape (frames, channels), full scale ±1 (clipped to it in the WAV).
    rate : int
        Sample rate in Hz.
    media_dir : Path
        Where the files go.
    stem : str
        Their common file-name stem (already unique and file-name safe).
    title : str
        Shown above each plot.

    Returns
    -------
    tuple of str
        The three file names (relative to ``media_dir``).
    """
    names = (f"{stem}.wav", f"{stem}_wave.png", f"{stem}_spec.png")
    with atomic_path(media_dir / names[0]) as temporary:
        soundfile.write(str(temporary), np.clip(samples, -1.0, 1.0), rate, subtype="PCM_16", format="WAV")
    plotted = samples[: int(PLOT_SECONDS * rate)]
    plot_waveform(plotted, rate, media_dir / names[1], title)
    plot_spectrogram(plotted.mean(axis=1), rate, media_dir / names[2], title)
    return names


def _save_figure(figure, path: Path) -> None:
    with atomic_path(path) as temporary:
        figure.savefig(str(temporary), format="png", dpi=PLOT_DPI)


def plot_waveform(samples, rate: int, path: Path, title: str) -> None:
    """Save the waveform of ``samples`` (frames, channels) against time in seconds as a PNG.

    Long signals are drawn as their min/max envelope over about 2000 columns, which looks the
    same at this size and is much faster than a line through every sample.
    """
    from matplotlib.figure import Figure  # Figure alone renders with Agg; pyplot is not needed

    figure = Figure(figsize=PLOT_SIZE, dpi=PLOT_DPI, layout="constrained")
    axes = figure.add_subplot()
    frames = samples.shape[0]
    for channel in range(samples.shape[1]):
        signal = samples[:, channel]
        if frames > 4000:
            block = math.ceil(frames / 2000)
            padded = np.pad(signal, (0, -frames % block), mode="edge").reshape(-1, block)
            times = np.arange(padded.shape[0]) * block / rate
            axes.fill_between(times, padded.min(axis=1), padded.max(axis=1), linewidth=0, alpha=0.7)
        else:
            axes.plot(np.arange(frames) / rate, signal, linewidth=0.6)
    peak = max(1.0, float(np.abs(samples).max(initial=0.0)))
    axes.set(xlim=(0, max(frames / rate, 1e-3)), ylim=(-peak, peak), xlabel="time (s)", title=title)
    axes.title.set_fontsize(9)
    axes.tick_params(labelsize=7)
    axes.xaxis.label.set_fontsize(8)
    _save_figure(figure, path)


def plot_spectrogram(signal, rate: int, path: Path, title: str, dynamic_range_db: float = 90.0) -> None:
    """Save the log-magnitude spectrogram (dB re the loudest bin) of a 1-D signal as a PNG.

    Hann window of about 23 ms (a power of two), half overlap; frequency in Hz, time in s.
    """
    from matplotlib.figure import Figure

    window = max(64, 2 ** round(math.log2(rate * 0.023)))
    window = min(window, max(16, len(signal)))
    frequencies, times, spectrum = scipy.signal.stft(
        signal, fs=rate, window="hann", nperseg=window, noverlap=window // 2, boundary=None, padded=False
    )
    decibels = 20 * np.log10(np.abs(spectrum) + 1e-12)
    loudest = float(decibels.max())
    figure = Figure(figsize=PLOT_SIZE, dpi=PLOT_DPI, layout="constrained")
    axes = figure.add_subplot()
    image = axes.imshow(
        decibels, origin="lower", aspect="auto", cmap="magma", vmin=loudest - dynamic_range_db, vmax=loudest,
        extent=(0, len(signal) / rate, 0, frequencies[-1]), interpolation="nearest",
    )
    axes.set(xlabel="time (s)", ylabel="Hz", title=title)
    axes.title.set_fontsize(9)
    axes.tick_params(labelsize=7)
    axes.xaxis.label.set_fontsize(8)
    axes.yaxis.label.set_fontsize(8)
    colorbar = figure.colorbar(image, ax=axes, pad=0.01)
    colorbar.ax.tick_params(labelsize=7)
    colorbar.set_label("dB", fontsize=8)
    _save_figure(figure, path)


def collect_media(documents, out_dir: Path) -> list[Entry]:
    """Re-encode and plot every output and its reference into ``out_dir/media``.

    A reference is cut to the stretch the output is compared with: from
    ``reference_offset_s`` for as long as the output lasts.  A reference shared by several
    outputs (same file, offset and length) is written once.

    Returns
    -------
    list of Entry
        One per output, in the documents' order, with an output clip and a reference clip.
    """
    media_dir = out_dir / "media"
    names = _Names()
    references: dict[tuple, Clip] = {}
    entries = []
    for document in documents:
        base = Path(document["_path"]).parent
        for output in document["outputs"]:
            entry = Entry(document, output, anchor=names.unique(f"{_run_name(document)}--{output['name']}"))
            clip = Clip(label="output")
            seconds = None
            if output.get("wav"):
                clip.source = base / output["wav"]
                audio, clip.note = _read_for_page(clip.source, document["_path"], "output wav")
                if audio is not None:
                    seconds = audio.seconds
                    clip.wav, clip.waveform, clip.spectrogram = (
                        f"media/{name}"
                        for name in write_media(audio.samples, audio.rate, media_dir, entry.anchor, "output")
                    )
            else:
                clip.note = "no output wav named in metrics.json"
            entry.clips.append(clip)

            label = output.get("reference_label") or "reference"
            if not output.get("reference"):
                entry.clips.append(Clip(label=label, note="no reference for this output"))
            else:
                entry.clips.append(_reference_clip(output, base, seconds, label, media_dir, names, references,
                                                   document))
            entries.append(entry)
    return entries


def _reference_clip(output, base, seconds, label, media_dir, names, references, document) -> Clip:
    """The reference's clip, cut to the output's stretch (``seconds`` long; None: to the end).

    Written once per distinct stretch: outputs that share it share the files.
    """
    source = Path(output["reference"])
    source = source if source.is_absolute() else base / source
    offset = float(output.get("reference_offset_s") or 0.0)
    key = (str(source.resolve()), offset, seconds)
    if key in references:
        return references[key]
    clip = Clip(label=label, source=source)
    audio, clip.note = _read_for_page(source, document["_path"], "reference")
    if audio is not None:
        start = int(round(offset * audio.rate))
        stop = None if seconds is None else start + int(round(seconds * audio.rate))
        samples = audio.samples[start:stop]
        if samples.shape[0] == 0:
            clip.note = f"reference offset {offset:g} s is past its end ({audio.seconds:.2f} s, {source.name})"
            _warn(f"{source}: {clip.note} (named in {document['_path']})")
        else:
            clip.label = (f"{label}: {source.name}, "
                          f"{start / audio.rate:.2f}–{(start + samples.shape[0]) / audio.rate:.2f} s")
            stem = names.unique(f"ref--{source.stem}")
            clip.wav, clip.waveform, clip.spectrogram = (
                f"media/{name}" for name in write_media(samples, audio.rate, media_dir, stem, "reference")
            )
    references[key] = clip
    return clip


# ----------------------------------------------------------------------------- report.md


def markdown_report(documents, runs_dir_name: str) -> str:
    """``report.md``: the full matrix, then one table per work with the source's numbers and a legend."""
    columns = criterion_columns(documents)
    outputs = [(document, output) for document in documents for output in document["outputs"]]
    lines = [
        f"# Report: {runs_dir_name}",
        "",
        f"{len(documents)} run(s), {len(outputs)} output(s). Values with the verdict in brackets; "
        f"{MISSING} = not scored.",
        "",
        "## All outputs × all criteria",
        "",
    ]
    header = ["run", "output"] + [f"{work}:{criterion}" for work, criterion in columns]
    rows = []
    for document, output in outputs:
        scored = criteria_by_key(output)
        rows.append([_run_name(document), output["name"]] + [format_cell(scored.get(f"{w}:{c}")) for w, c in columns])
    lines += [_markdown_table(header, rows), "", "## Each work by its own criteria", ""]

    for work in ordered_works(document.get("work") for document in documents):
        own = [criterion for each_work, criterion in columns if each_work == work]
        mine = [(document, output) for document, output in outputs if document.get("work") == work]
        lines += [f"### {work}", ""]
        if not own:
            lines += [f"No {work} criteria were scored.", ""]
            continue
        header = ["run", "output"]
        for criterion in own:
            header += [f"{criterion} (ours)", f"{criterion} (source)"]
        rows = []
        for document, output in mine:
            scored, source_numbers = criteria_by_key(output), output.get("source_numbers") or {}
            row = [_run_name(document), output["name"]]
            for criterion in own:
                key = f"{work}:{criterion}"
                row += [format_cell(scored.get(key)), str(source_numbers.get(key, MISSING))]
            rows.append(row)
        lines += [_markdown_table(header, rows), ""]
        legend = _legend(work, own, [output for _, output in mine])
        lines += [f"- `{criterion}`: {text}" for criterion, text in legend] + [""]
        for document in documents:
            if document.get("work") == work and document.get("run_numbers"):
                numbers = ", ".join(f"{name} {format_value(value)}" for name, value in document["run_numbers"].items())
                lines += [f"Run `{_run_name(document)}`: {numbers}.", ""]
    return "\n".join(lines)


def _legend(work: str, criteria, outputs) -> list[tuple[str, str]]:
    """``(id, "name: rule")`` for each of ``work``'s criteria, from the first output that states them."""
    described = {}
    for output in outputs:
        for entry in output.get("criteria", {}).get(work, []):
            text = ": ".join(part for part in (entry.get("name"), entry.get("rule")) if part)
            described.setdefault(str(entry["id"]), text)
    return [(criterion, described.get(criterion) or "(no description)") for criterion in criteria]


# ----------------------------------------------------------------------------- index.html

STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.good { background: #c8ecc8; } td.middle { background: #ffe3a8; } td.bad { background: #f5c0c0; }
section.output { border-top: 2px solid #888; margin-top: 2em; }
div.clips { display: flex; flex-wrap: wrap; gap: 1.5em; }
div.clip img { display: block; }
p.note { color: #a00; font-style: italic; }
.small { font-size: 0.8em; color: #555; }
"""

# Checks, after the page has loaded, that every image decoded and every audio player read its
# metadata (a positive duration); writes "ok img=N audio=M" or "fail: <sources>" into <body data-check>.
SELF_CHECK = """
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var players = Array.prototype.slice.call(document.querySelectorAll("audio"));
  var bad = images.filter(function (image) { return !(image.complete && image.naturalWidth > 0); })
                  .map(function (image) { return image.getAttribute("src"); });
  var waiting = players.length, settled = [];
  function finish() {
    document.body.setAttribute("data-check", bad.length ? "fail: " + bad.join(" ")
      : "ok img=" + images.length + " audio=" + players.length);
  }
  function settle(player, loaded, why) {
    if (settled.indexOf(player) >= 0) return;
    settled.push(player);
    if (!loaded) bad.push(player.getAttribute("src") + why);
    if (--waiting === 0) finish();
  }
  players.forEach(function (player) {
    if (player.error) { settle(player, false, " (error)"); return; }
    function loaded() { settle(player, player.duration > 0, " (no duration)"); }
    if (player.readyState >= 1) { loaded(); return; }
    player.addEventListener("loadedmetadata", loaded);
    player.addEventListener("error", function () { settle(player, false, " (error)"); });
  });
  if (waiting === 0) finish();
  setTimeout(function () {
    players.forEach(function (player) { settle(player, false, " (timeout)"); });
  }, 8000);
});
"""


def _url(relative: str) -> str:
    return html.escape(urllib.parse.quote(relative), quote=True)


def _criterion_td(entry) -> str:
    css = VERDICT_CLASS.get((entry or {}).get("verdict") or "")
    attribute = f' class="{css}"' if css else ""
    return f"<td{attribute}>{html.escape(format_cell(entry))}</td>"


def _matrix_html(entries, columns) -> str:
    head = "".join(f"<th>{html.escape(name)}</th>" for name in ("run", "output"))
    head += "".join(f"<th>{html.escape(work)}:<br>{html.escape(criterion)}</th>" for work, criterion in columns)
    rows = []
    for entry in entries:
        scored = criteria_by_key(entry.output)
        cells = (f"<td>{html.escape(entry.run)}</td>"
                 f"<td><a href=\"#{entry.anchor}\">{html.escape(entry.output['name'])}</a></td>")
        cells += "".join(_criterion_td(scored.get(f"{work}:{criterion}")) for work, criterion in columns)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>\n" + "\n".join(rows) + "</table>"


def _clip_html(clip: Clip) -> str:
    parts = [f'<div class="clip"><h4>{html.escape(clip.label)}</h4>']
    if clip.note:
        parts.append(f'<p class="note">{html.escape(clip.note)}</p>')
    if clip.wav:
        parts.append(f'<audio controls preload="metadata" src="{_url(clip.wav)}"></audio>')
        for image, what in ((clip.waveform, "waveform"), (clip.spectrogram, "spectrogram")):
            parts.append(f'<img src="{_url(image)}" alt="{what}" width="{int(PLOT_SIZE[0] * PLOT_DPI)}">')
    parts.append("</div>")
    return "".join(parts)


def _criteria_html(output) -> str:
    source_numbers = output.get("source_numbers") or {}
    parts = []
    criteria = output.get("criteria", {})
    for work in ordered_works(criteria):
        if not criteria[work]:
            continue
        rows = []
        for entry in criteria[work]:
            key = f"{work}:{entry['id']}"
            numbers = entry.get("numbers") or {}
            detail = ", ".join(f"{name} {format_value(value)}" for name, value in numbers.items())
            cells = [
                f"<td>{html.escape(str(entry['id']))}</td>",
                f"<td>{html.escape(str(entry.get('name') or ''))}</td>",
                _criterion_td(entry),
                f"<td>{html.escape(str(source_numbers.get(key, MISSING)))}</td>",
                f"<td>{html.escape(str(entry.get('rule') or ''))}</td>",
                f"<td>{html.escape(detail)}</td>",
            ]
            rows.append("<tr>" + "".join(cells) + "</tr>")
        head = "".join(f"<th>{name}</th>" for name in ("id", "criterion", "ours", "source", "rule", "details"))
        parts.append(f"<h4>{html.escape(work)}</h4><table><tr>{head}</tr>" + "".join(rows) + "</table>")
    metrics = output.get("metrics") or {}
    if metrics:
        listed = ", ".join(f"{name} {format_value(value)}" for name, value in metrics.items())
        parts.append(f'<p class="small">signal metrics: {html.escape(listed)}</p>')
    return "\n".join(parts) or '<p class="small">no criteria scored</p>'


# ----------------------------------------------------------------------------- the scorecard (first screen)

#: A finding's verdict → its colour class.
FINDING_CLASS = {"reproduced": "good", "partly": "middle", "not reproduced": "bad", "not run": ""}


def scorecard_html(out_dir: Path) -> str:
    """The scorecard: per work, every headline finding of its source judged from the committed evidence
    (``<work>/results/findings.json``, written by ``python -m shared.findings``): claim, measurement with its spread
    over training seeds, coloured verdict, and a player and spectrogram of one committed output it was measured on,
    beside the source's own output for that experiment where the work's reference data holds one (``_source_clip``).
    Empty when no work has a findings.json."""
    from shared import findings, reference

    parts, media_dir = [], out_dir / "media"
    for work in findings.WORKS:
        path = findings.results_dir(work) / "findings.json"
        if not path.is_file():
            continue
        entries = json.loads(path.read_text())
        folder = reference.locate(work)
        measures = {finding.id: finding.experiment for finding in findings.findings_of(work)}
        counts = ", ".join(f"{sum(entry['verdict'] == name for entry in entries)} {name}"
                           for name in findings.VERDICTS)
        rows = []
        for entry in entries:
            clip = _evidence_clip(work, entry, media_dir) + _source_clip(work, measures.get(entry["id"]), folder,
                                                                          media_dir)
            rows.append(
                f"<tr><td>{html.escape(entry['id'])}</td><td>{html.escape(entry['claim'])}</td>"
                f"<td>{html.escape(entry['measured']['metric'])}: {html.escape(findings.measured_text(entry))}</td>"
                f'<td class="{FINDING_CLASS[entry["verdict"]]}">{html.escape(entry["verdict"])}</td>'
                f'<td class="small">{html.escape(entry["why"])}</td><td>{clip}</td></tr>')
        parts.append(f"<h3>{html.escape(work)}</h3><p class=\"small\">{html.escape(counts)}. Committed evidence: "
                     f"{html.escape(work)}/results/&lt;experiment&gt;/seed&lt;k&gt;/ (made by python -m "
                     f"shared.experiments {html.escape(work)}; each run.json has the command and date).</p>"
                     "<table><tr><th>finding</th><th>the source's claim</th><th>measured: mean [min, max] over "
                     "training seeds</th><th>verdict</th><th>why</th><th>committed evidence; the source's own</th></tr>"
                     + "".join(rows) + "</table>")
    if not parts:
        return ""
    return ("<h2>Scorecard: the sources' findings, re-checked</h2>\n<p class=\"small\">Judged from committed "
            "evidence (python -m shared.findings); the outputs further down were made just now.</p>\n"
            + "\n".join(parts))


def _evidence_clip(work: str, entry: dict, media_dir: Path) -> str:
    """A player and spectrogram of the first committed FLAC among a finding's evidence, with its run's date."""
    from shared import findings

    for metrics_path in entry.get("evidence", []):
        seed_folder = findings.results_dir(work) / Path(metrics_path).parent
        for flac in sorted((seed_folder / "generated").glob("*.flac")):
            stem = re.sub(r"[^A-Za-z0-9_.-]", "_", f"evidence_{work}_{seed_folder.parent.name}_{seed_folder.name}_"
                                                       f"{flac.stem}")
            if not (media_dir / f"{stem}.wav").is_file():
                samples, rate = soundfile.read(flac, dtype="float64", always_2d=True)
                media_dir.mkdir(parents=True, exist_ok=True)
                write_media(samples, rate, media_dir, stem, f"{seed_folder.parent.name}/{seed_folder.name}")
            record = seed_folder / "run.json"
            when = json.loads(record.read_text()).get("finished", "") if record.is_file() else ""
            return _scorecard_clip(f"committed evidence: {seed_folder.parent.name}/{seed_folder.name}/{flac.name} "
                                   f"({when})", stem)
    return MISSING


def _scorecard_clip(label: str, stem: str) -> str:
    """A labelled player and spectrogram of ``media/<stem>.wav`` (written by :func:`write_media`)."""
    return (f'<div class="clip"><p class="small">{html.escape(label)}</p><audio controls preload="metadata" '
            f'src="{_url("media/" + stem + ".wav")}"></audio><img src="{_url("media/" + stem + "_spec.png")}" '
            f'alt="spectrogram" width="{int(PLOT_SIZE[0] * PLOT_DPI)}"></div>')


def _source_clip(work: str, experiment, folder, media_dir: Path) -> str:
    """A player and spectrogram of the first ``MAX_SECONDS`` of the source's own output for ``experiment`` (what
    ``<work>/findings.py``'s ``source_output`` finds in the reference folder ``folder``); written once per file, so
    shared by findings.  Empty when the work defines no such function, its reference data is not there, or the
    source published nothing for the experiment."""
    import importlib

    from shared.evidence import MAX_SECONDS

    source_output = getattr(importlib.import_module(f"{work}.findings"), "source_output", None)
    if source_output is None or folder is None or experiment is None:
        return ""
    path = source_output(experiment, Path(folder))
    if path is None or not Path(path).is_file():
        return ""
    relative = Path(path).relative_to(folder).as_posix()
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", f"source_{work}_{relative}")
    if not (media_dir / f"{stem}.wav").is_file():
        try:
            with soundfile.SoundFile(str(path)) as sound:
                rate = sound.samplerate
                samples = sound.read(int(MAX_SECONDS * rate), dtype="float64", always_2d=True)
        except RuntimeError as error:  # soundfile's errors: an unreadable or broken file
            _warn(f"the source's output {relative} of {work}'s reference data is unreadable ({error}); left out")
            return ""
        media_dir.mkdir(parents=True, exist_ok=True)
        write_media(samples, rate, media_dir, stem, f"the source's own: {relative}")
    return _scorecard_clip(f"the source's own: {relative}", stem)


def html_report(entries, columns, runs_dir_name: str, scorecard: str = "") -> str:
    """``index.html``: the scorecard (when there is committed evidence), the matrix, then per output its players,
    plots and criteria by work."""
    sections = []
    for entry in entries:
        preset = entry.document.get("preset")
        heading = f"{entry.run} / {entry.output['name']}"
        sections.append(
            f'<section class="output" id="{entry.anchor}"><h2>{html.escape(heading)}</h2>'
            f'<p class="small">work {html.escape(entry.work)}, preset {html.escape(str(preset))}</p>'
            f'<div class="clips">{"".join(_clip_html(clip) for clip in entry.clips)}</div>'
            f"<h3>Criteria</h3>{_criteria_html(entry.output)}</section>"
        )
    title = f"Report: {runs_dir_name}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n"
        f'<body data-check="pending"><h1>{html.escape(title)}</h1>\n{scorecard}\n'
        f'<h2>All outputs × all criteria</h2>\n<p class="small">{len(entries)} output(s), made just now. '
        f"Verdicts: green pass/high, amber medium, red fail/low; {MISSING} = not scored.</p>\n"
        f"{_matrix_html(entries, columns)}\n"
        + "\n".join(sections)
        + f"\n<script>{SELF_CHECK}</script>\n</body></html>\n"
    )


# ----------------------------------------------------------------------------- the whole report


def build_report(runs_dir, out_dir, scorecard: bool = True) -> Path:
    """Write ``report.csv``, ``report.md``, ``index.html`` and ``media/`` into ``out_dir``.

    Parameters
    ----------
    runs_dir : str or Path
        Folder searched (recursively) for metrics.json files.
    out_dir : str or Path
        Folder for the report; created if needed.
    scorecard : bool
        Open the page with the scorecard of the committed evidence (:func:`scorecard_html`).

    Returns
    -------
    Path
        The path of ``index.html``.

    Raises
    ------
    InputError
        As :func:`load_metrics`, or when ``out_dir`` exists and is not a folder.
    """
    runs_dir, out_dir = Path(runs_dir), Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(out_dir, "exists and is not a folder (the report is a folder)")
    documents = load_metrics(runs_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = runs_dir.resolve().name

    with atomic_path(out_dir / "report.csv") as temporary:
        matrix(documents).to_csv(temporary, index=False)
    with atomic_path(out_dir / "report.md") as temporary:
        temporary.write_text(markdown_report(documents, name) + "\n", encoding="utf-8")
    entries = collect_media(documents, out_dir)
    index = out_dir / "index.html"
    top = lessons_html(out_dir) + (scorecard_html(out_dir) if scorecard else "")
    with atomic_path(index) as temporary:
        temporary.write_text(html_report(entries, criterion_columns(documents), name, top), encoding="utf-8")
    return index


def lessons_html(out_dir: Path) -> str:
    """Links to the lessons ``python -m shared.lessons`` rendered beside the report (``<runs>/lessons/``, as ``make
    reproduce`` does); empty when there are none."""
    folder = Path(out_dir).parent / "lessons"
    pages = sorted(path for path in folder.glob("*.html") if path.name != "index.html")
    if not pages:
        return ""
    links = ", ".join(f'<a href="{_url("../lessons/" + path.name)}">{html.escape(path.stem)}</a>' for path in pages)
    return (f'<h2>Lessons</h2>\n<p>Each work\'s tutorial, executed just now: {links} '
            f'(<a href="{_url("../lessons/index.html")}">all lessons</a>).</p>\n')


def main(argv=None) -> None:
    """Command line: ``python -m shared.report RUNS_DIR [--out DIR]``; prints index.html's path."""
    parser = argparse.ArgumentParser(prog="python -m shared.report", description=__doc__.split("\n\n")[0])
    parser.add_argument("runs_dir", type=Path, help="folder searched recursively for metrics.json")
    parser.add_argument("--out", type=Path, default=None, help="report folder (default: RUNS_DIR/report)")
    arguments = parser.parse_args(argv)
    check_output_folder(arguments.out or arguments.runs_dir / "report", "--out")
    index = build_report(arguments.runs_dir, arguments.out or arguments.runs_dir / "report")
    print(index)


if __name__ == "__main__":
    cli_main(main)
