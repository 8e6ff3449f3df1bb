"""The sources' own figures, redrawn from the committed evidence beside the sources' data.

Each work's ``findings.figures(out, reference)`` calls one of the drawing functions here with its committed
``results/`` folder and its reference data (``shared.reference.locate``, None when absent: the figure is then drawn
with our side only and its title says so), and returns the PNGs it wrote into ``out``
(``<work>/results/figures/`` when ``python -m shared.findings`` runs it).  A figure whose evidence is not committed
is simply not drawn.  Nothing here is random, and every PNG is written without the library's version in it, so the
same evidence gives the same files.

The data behind each figure is computed apart from the drawing (:func:`sqrt_stft`, :func:`table_1_grid`), so it
can be tested against an independent computation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from shared.rundir import atomic_path

REPO_ROOT = Path(__file__).resolve().parent.parent
DPI = 100
FETCH = "python -m shared.reference fetch {work}"


# ----------------------------------------------------------------------------- common helpers


def save(figure, path: Path) -> Path:
    """Write a matplotlib figure as a PNG at :data:`DPI`, atomically and without a version stamp; returns ``path``."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    buffer.seek(0)
    # 256 colours are plenty for a plot and keep a noisy spectrogram's file small; no metadata is written
    image = Image.open(buffer).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    path = Path(path)
    with atomic_path(path) as temporary:
        image.save(temporary, format="PNG", optimize=True)
    return path


def new_figure(width: float, height: float):
    from matplotlib.figure import Figure  # renders with Agg; pyplot is not needed

    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def read_mono(path: Path) -> tuple[np.ndarray, int]:
    """A sound file's first channel as float64 in [−1, 1], and its rate."""
    import soundfile

    samples, rate = soundfile.read(str(path), dtype="float64", always_2d=True)
    return samples[:, 0], int(rate)


def first_seed(experiment_dir: Path, pattern: str) -> tuple[Path, list[Path]] | None:
    """The committed seed folder of lowest number holding files that match ``pattern`` (a glob inside it), and
    those files in name order; None when no seed has any."""
    seeds = sorted((int(path.name[4:]), path) for path in Path(experiment_dir).glob("seed*")
                   if path.name[4:].isdigit() and path.is_dir())
    for _, folder in seeds:
        found = sorted(folder.glob(pattern))
        if found:
            return folder, found
    return None


def committed_outputs(results: Path, pattern: str):
    """(experiment folder, its lowest seed folder holding files that match ``pattern``, those files) per committed
    experiment of ``results``, in name order."""
    if not Path(results).is_dir():
        return
    for experiment_dir in sorted(path for path in Path(results).iterdir() if path.is_dir()):
        found = first_seed(experiment_dir, pattern)
        if found is not None:
            yield experiment_dir, *found


def resolve(path_text: str, seed_dir: Path, work: str, reference: Path | None) -> Path | None:
    """A file a committed summary names, where it can be read here: ``RUN/…`` is the seed folder's (a ``.wav`` output
    as its committed ``.flac``), ``reference/<work>/…`` the reference data's, anything else the repository's.  None
    when it is not here."""
    if path_text.startswith("RUN/"):
        path = Path(seed_dir) / path_text[4:]
        path = path if path.is_file() else path.with_suffix(".flac")
    elif path_text.startswith(f"reference/{work}/"):
        if reference is None:
            return None
        path = Path(reference) / path_text[len(f"reference/{work}/"):]
    else:
        path = REPO_ROOT / path_text
    return path if path.is_file() else None


def unavailable(axes, text: str) -> None:
    """An empty panel that says what is missing and why."""
    import textwrap

    axes.text(0.5, 0.5, textwrap.fill(text, 44), ha="center", va="center", fontsize=9, color="0.3",
              transform=axes.transAxes, in_layout=False)
    axes.set_axis_off()  # its ticks stay: an axis shared with drawn panels keeps them


def _read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text()) if Path(path).is_file() else {}


# ----------------------------------------------------------------------------- decay: Figs. 4-7


def sqrt_stft(signal, rate: int, window: int = 2048, hop: int = 512) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frequencies in Hz, frame times in s, √|STFT|): the square-root magnitude the decay paper plots, of a Hann STFT
    of ``window`` samples every ``hop`` (frames wholly inside the signal; a shorter signal is zero-padded to one)."""
    import scipy.signal

    signal = np.asarray(signal, dtype=np.float64)
    if len(signal) < window:
        signal = np.pad(signal, (0, window - len(signal)))
    frequencies, times, spectrum = scipy.signal.stft(signal, fs=rate, window="hann", nperseg=window,
                                                     noverlap=window - hop, boundary=None, padded=False)
    return frequencies, times, np.sqrt(np.abs(spectrum))


#: run → (the paper's figure, what it shows)
NORMALISE_ABOVE_HZ = 50.0
DECAY_FIGURES = {4: (4, "guitar C5 from the training set"), 9: (5, "guitar C5 not in the training set"),
                 1: (6, "cello pizzicato D5"), 7: (7, "piano A♭5")}


def _decay_panel(figure, axes, signal, rate, start_s, top_hz, title, prime_s=None):
    frequencies, times, magnitude = sqrt_stft(signal, rate)
    keep = frequencies <= top_hz
    # the recordings carry rumble below 50 Hz, stronger than the note: the colours span the note's range
    peak = max(float(magnitude[keep & (frequencies >= NORMALISE_ABOVE_HZ)].max(initial=0.0)), 1e-12)
    hop_s = 512 / rate
    extent = (start_s + times[0] - hop_s / 2, start_s + times[-1] + hop_s / 2, 0, frequencies[keep][-1])
    image = axes.imshow(magnitude[keep] / peak, origin="lower", aspect="auto", extent=extent, vmin=0, vmax=1,
                        cmap="magma", interpolation="nearest")
    if prime_s:
        axes.axvline(prime_s, color="white", linestyle="--", linewidth=1)
    axes.set_title(title, fontsize=9)
    axes.set_ylabel("frequency (Hz)", fontsize=8)
    axes.set_xlabel("time in the note (s)", fontsize=8)
    axes.tick_params(labelsize=7)
    return image


def decay_figures(results: Path, out: Path, reference: Path | None) -> list[Path]:
    """One √|STFT| figure per committed decay experiment: the original note and its continuation, the authors' (their
    ``results/<k> - …/<note>.wav`` and ``<note>_gen_wp.wav``) above ours (the first committed continuation
    ``*_gen_wp*.flac`` of the lowest seed, and the original it was primed from).  ``fig<n>_run<k>.png`` for the runs
    behind the paper's Figs. 4–7, ``<experiment>_stft.png`` for the others."""
    written = []
    for experiment_dir, seed_dir, continuations in committed_outputs(results, "generated/*_gen_wp*.flac"):
        continuation = continuations[0]
        note = continuation.name.split("_gen")[0]
        summary = _read_json(continuation.with_suffix(".json")).get("evaluation", {})
        prime_s = float(summary.get("reference_offset_s", 0.0))
        ours = _our_original(seed_dir, note, reference)
        run = re.fullmatch(r"run(\d+)", experiment_dir.name)
        authors = _authors_pair(reference, int(run.group(1)) if run else None, note, experiment_dir.name)
        top_hz = float(summary.get("band_hz") or 0.0)
        signal, rate = read_mono(continuation)
        top_hz = top_hz or rate / 2

        figure = new_figure(10, 6.4)
        axes = figure.subplots(2, 2, sharex=True, sharey=True)
        image = None
        if authors is None:
            why = ("the authors' side needs their reference data: " + FETCH.format(work="decay") if reference is None
                   else "the authors published no continuation for this run")
            for panel in axes[0]:
                unavailable(panel, why)
        else:
            (original, original_rate), (theirs, their_rate), their_note, folder = authors
            their_prime = len(original) / original_rate - len(theirs) / their_rate
            _decay_panel(figure, axes[0, 0], original, original_rate, 0.0, top_hz,
                         f"the authors' original ({their_note}, results/{folder.split(' - ')[0]})", their_prime)
            image = _decay_panel(figure, axes[0, 1], theirs, their_rate, their_prime, top_hz,
                                 "the authors' continuation (_gen_wp.wav)")
        if ours is None:
            unavailable(axes[1, 0], "our original is not committed, and the recording it comes from needs the "
                                    "reference data: " + FETCH.format(work="decay"))
        else:
            (original, original_rate), label = ours
            _decay_panel(figure, axes[1, 0], original, original_rate, 0.0, top_hz, f"our original ({label})",
                         prime_s)
        image = _decay_panel(figure, axes[1, 1], signal, rate, prime_s, top_hz,
                             f"our continuation ({continuation.name}, seed {seed_dir.name[4:]})")
        drawn = [panel for panel in axes.flat if panel.get_images()]
        end = max(panel.get_images()[0].get_extent()[1] for panel in drawn)
        for panel in drawn:  # shared axes label only the outer panels, which may be the empty ones
            panel.tick_params(labelleft=True, labelbottom=True)
        axes[0, 0].set_xlim(0, end)
        figure.colorbar(image, ax=axes, shrink=0.8,
                        label=f"√|STFT|, over each panel's maximum above {NORMALISE_ABOVE_HZ:g} Hz")
        if run and int(run.group(1)) in DECAY_FIGURES:
            number, what = DECAY_FIGURES[int(run.group(1))]
            title = f"Paper Fig. {number} ({what}), run {run.group(1)}: √|STFT| of original and continuation"
            name = f"fig{number}_run{run.group(1)}.png"
        else:
            title = f"decay {experiment_dir.name}: √|STFT| of original and continuation"
            name = f"{experiment_dir.name}_stft.png"
        if reference is None:
            title += " (our side only: no reference data)"
        figure.suptitle(title + "\nleft: the original note, right: the continuation after the prime (dashed line)",
                        fontsize=10)
        written.append(save(figure, Path(out) / name))
    return written


def _our_original(seed_dir: Path, note: str, reference: Path | None):
    """((signal, rate), label) of the original a continuation was primed from: its committed ``<note>.flac``, else the
    recording the note's summary names (cut to its ``reference_seconds``); None when neither can be read here."""
    committed = seed_dir / "generated" / f"{note}.flac"
    if committed.is_file():
        return read_mono(committed), "round trip, committed"
    summary = _read_json(seed_dir / "generated" / f"{note}.json").get("evaluation", {})
    path = resolve(summary.get("reference", ""), seed_dir, "decay", reference) if summary.get("reference") else None
    if path is None:
        return None
    signal, rate = read_mono(path)
    seconds = summary.get("reference_seconds")
    if seconds:
        signal = signal[:int(round(float(seconds) * rate))]
    return (signal, rate), f"the recording {path.name}"


def _authors_pair(reference: Path | None, run: int | None, note: str, experiment: str):
    """The authors' (original, continuation, note, folder name) of run ``run``: the same note where they published it,
    else their first; None without reference data or such a run."""
    if reference is None or run is None:
        return None
    for folder in sorted((Path(reference) / "results").glob(f"{run} - *")):
        continuations = sorted(folder.glob("*_gen_wp.wav"))
        same = folder / f"{note}_gen_wp.wav"
        chosen = same if same.is_file() else (continuations[0] if continuations else None)
        if chosen is None:
            continue
        their_note = chosen.name[:-len("_gen_wp.wav")]
        original = folder / f"{their_note}.wav"
        if original.is_file():
            return read_mono(original), read_mono(chosen), their_note, folder.name
    return None


# ----------------------------------------------------------------------------- autoencoder_synth: Figure 2


def autoencoder_figure_2(results: Path, out: Path, experiment: str = "tables2-3", model: str = "deep-256-8",
                         seconds: float = 10.0) -> list[Path]:
    """The paper's Figure 2 from the committed resynthesis ``<model>_*.flac`` of ``experiment`` (lowest seed): the
    spectrogram of the song (top; when the song it names can be read here) and of its resynthesis (bottom), |rfft|/N of
    rectangular frames of the run's ``fft_size`` every ``hop`` (as ``autoencoder_synth.generate`` draws it) in dB
    re the song's loudest bin (the resynthesis's own when the song is not here), over the first ``seconds``."""
    from shared import audio, metrics

    found = first_seed(Path(results) / experiment, f"generated/{model}_*.flac")
    if found is None:
        return []
    seed_dir, outputs = found
    output_path = outputs[0]
    settings = _read_json(seed_dir / "config.json").get("settings", {})
    fft_size, hop, rate = int(settings.get("fft_size", 1024)), int(settings.get("hop", 512)), 0
    output, rate = read_mono(output_path)
    song_text = _read_json(output_path.with_suffix(".json")).get("input", "")
    song_path = resolve(song_text, seed_dir, "autoencoder_synth", None) if song_text else None
    if song_path is None and (Path(out) / f"figure2_{model}.png").is_file():
        return []  # the song is not here (python -m shared.corpora builds it): the committed figure is kept
    signals = [("resynthesis", output)]
    if song_path is not None:
        song, song_rate = read_mono(song_path)
        if song_rate != rate:
            song = audio.resample(song, song_rate, rate)
        signals.insert(0, ("original", song))
    count = int(seconds * rate)
    frames = [(label, metrics.magnitude_frames(signal[:count], fft_size, hop)) for label, signal in signals]
    top = max(frames[0][1].max(), 1e-12)
    figure = new_figure(8, 2.4 * len(frames) + 0.8)
    axes = np.atleast_1d(figure.subplots(len(frames), 1, sharex=True))
    image = None
    for panel, (label, magnitude) in zip(axes, frames):
        extent = (0, len(magnitude) * hop / rate, 0, rate / 2000)
        image = panel.imshow(20 * np.log10(np.maximum(magnitude, 1e-12) / top).T, origin="lower", aspect="auto",
                             extent=extent, vmin=-80, vmax=0, cmap="magma", interpolation="nearest")
        panel.set_ylabel(f"{label}\nfrequency (kHz)", fontsize=8)
    axes[-1].set_xlabel("time (s)", fontsize=8)
    song_name = Path(song_text).name or "the song"
    title = (f"Paper Figure 2: {song_name} (top) and its resynthesis through {model} (bottom), seed "
             f"{seed_dir.name[4:]}" if song_path is not None else
             f"Paper Figure 2, resynthesis only: {song_name} through {model}, seed {seed_dir.name[4:]} "
             "(the song is not in corpora/ here: python -m shared.corpora builds it)")
    figure.suptitle(title, fontsize=9)
    reference_label = "dB re the song's loudest bin" if song_path is not None else "dB re its own loudest bin"
    figure.colorbar(image, ax=list(axes), label=reference_label)
    return [save(figure, Path(out) / f"figure2_{model}.png")]


# ----------------------------------------------------------------------------- dreaming: Table 1


RATINGS = ("low", "medium", "high")
_RATING_COLOURS = {"low": "#e8a39b", "medium": "#f3d37a", "high": "#8fcf8f", "not run": "#e4e4e4",
                   "mixed": "#c9c0dd", "tie": "#c9c0dd"}


def table_1_grid(paper: dict, entries: list[dict], criteria=("C1", "C2", "C3")) -> dict:
    """The data of the Table 1 figure: ``{"paper": {(example, criterion): rating}, "ours": {(example, criterion):
    (label, seeds agreeing, seeds measured)}}``.  ``paper`` maps example → (setting, rating per criterion …), as
    ``dreaming.findings.TABLE_1``; ``entries`` is ``dreaming/results/findings.json``.  Our label is the rating most
    training seeds got (``"mixed"`` when two ratings tie for most, ``"not run"`` when no seed was measured)."""
    from collections import Counter

    by_id = {entry["id"]: entry for entry in entries}
    grid = {"paper": {}, "ours": {}}
    for example, (_, *ratings) in paper.items():
        for criterion, rating in zip(criteria, ratings):
            grid["paper"][example, criterion] = rating
            values = by_id.get(f"T1-ex{example}-{criterion}", {}).get("measured", {}).get("values", [])
            if not values:
                grid["ours"][example, criterion] = ("not run", 0, 0)
                continue
            counts = Counter(values).most_common()
            tied = counts[1:] and counts[1][1] == counts[0][1]
            grid["ours"][example, criterion] = ("mixed" if tied else counts[0][0], counts[0][1], len(values))
    return grid


def dreaming_table_1(out: Path, paper: dict, entries: list[dict]) -> list[Path]:
    """Table 1 as two grids of examples × criteria, the paper's ratings beside ours (majority over training seeds)."""
    from matplotlib.colors import to_rgb

    grid = table_1_grid(paper, entries)
    examples = sorted(paper)
    criteria = ("C1", "C2", "C3")
    figure = new_figure(10, 6.2)
    axes = figure.subplots(1, 2, sharey=True)
    for panel, side, heading in zip(axes, ("paper", "ours"),
                                    ("the paper's ratings (Table 1)", "ours: the rating most training seeds get")):
        labels = [[grid[side][example, criterion] if side == "paper" else grid[side][example, criterion][0]
                   for criterion in criteria] for example in examples]
        colours = np.array([[to_rgb(_RATING_COLOURS.get(label, "#ffffff")) for label in row] for row in labels])
        panel.imshow(colours, aspect="auto", interpolation="nearest")
        for row, example in enumerate(examples):
            for column, criterion in enumerate(criteria):
                text = labels[row][column]
                if side == "ours" and text != "not run":
                    _, agreeing, measured = grid[side][example, criterion]
                    text += f"\n{agreeing} of {measured} seeds"
                panel.text(column, row, text, ha="center", va="center", fontsize=8)
        panel.set_xticks(range(len(criteria)))
        panel.set_xticklabels(["C1 no artefacts", "C2 like the input", "C3 not a copy"], fontsize=8)
        panel.set_yticks(range(len(examples)))
        panel.set_yticklabels([f"Ex {example}: {paper[example][0]}" for example in examples], fontsize=8)
        panel.set_title(heading, fontsize=9)
        panel.set_xticks(np.arange(-0.5, len(criteria)), minor=True)
        panel.set_yticks(np.arange(-0.5, len(examples)), minor=True)
        panel.grid(which="minor", color="white", linewidth=2)
        panel.tick_params(which="minor", length=0)
    figure.suptitle("Dreaming Table 1: the paper's ratings of Audio Examples 1–11 beside ours\nred low, yellow "
                    "medium, green high, grey not run; violet: a tie (tie: between a seed's dreams, mixed: between "
                    "seeds)", fontsize=9)
    return [save(figure, Path(out) / "table1_ratings.png")]


# ----------------------------------------------------------------------------- mdn_vocoder: one frame


def mdn_frames(out: Path, training_frame, generated_frame, training_label: str, generated_label: str,
               title: str, fft_size: int, rate: int) -> list[Path]:
    """Two phase-vocoder frames of P bins (``(P, 2)``: magnitude, frequency in Hz) side by side, bin by bin: the
    magnitudes (left) and the frequencies the bins read (right, the bin centres k·rate/N dotted); bin 0, DC, is
    always (0, 0) and is left out."""
    frames = [np.asarray(training_frame, dtype=np.float64)[1:], np.asarray(generated_frame, dtype=np.float64)[1:]]
    bins = np.arange(1, len(frames[0]) + 1)
    figure = new_figure(10, 4)
    axes = figure.subplots(1, 2, sharex=True)
    for column, (panel, unit) in enumerate(zip(axes, ("magnitude |X|", "frequency the bin reads (Hz)"))):
        for offset, frame, label, colour in ((-0.2, frames[0], training_label, "tab:blue"),
                                             (0.2, frames[1], generated_label, "tab:red")):
            panel.bar(bins + offset, frame[:, column], width=0.4, color=colour, label=label)
        panel.set_ylabel(unit, fontsize=8)
        panel.set_xlabel("bin k", fontsize=8)
        panel.set_xticks(bins)
        panel.tick_params(labelsize=7)
        panel.grid(axis="y", alpha=0.3)
    axes[1].plot(bins, bins * rate / fft_size, ":", color="0.3", label="the bin's centre k·rate/N")
    axes[0].set_title("magnitudes", fontsize=9)
    axes[1].set_title("frequencies", fontsize=9)
    axes[0].legend(fontsize=7, loc="upper right")
    axes[1].legend(handles=axes[1].get_lines(), fontsize=7, loc="lower right")
    figure.suptitle(title, fontsize=9)
    return [save(figure, Path(out) / "frame_training_vs_generated.png")]


# ----------------------------------------------------------------------------- gruv: the outputs


def waveform_and_spectrogram(signal, rate: int, path: Path, title: str) -> Path:
    """One output's waveform (top) and log-magnitude spectrogram (bottom, Hann 1024, hop 256, dB re its loudest
    bin, 80 dB shown)."""
    import scipy.signal

    figure = new_figure(9, 5.5)
    top, bottom = figure.subplots(2, 1, sharex=True)
    times = np.arange(len(signal)) / rate
    if len(signal) > 4000:  # the min / max envelope of about 2000 columns: the same picture, a small file
        block = -(-len(signal) // 2000)
        padded = np.pad(signal, (0, -len(signal) % block), mode="edge").reshape(-1, block)
        top.fill_between(np.arange(len(padded)) * block / rate, padded.min(axis=1), padded.max(axis=1), linewidth=0)
    else:
        top.plot(times, signal, linewidth=0.6)
    top.set_ylim(-1, 1)
    top.set_ylabel("amplitude (full scale 1)", fontsize=8)
    window = min(1024, max(16, len(signal)))
    frequencies, frame_times, spectrum = scipy.signal.stft(signal, fs=rate, window="hann", nperseg=window,
                                                           noverlap=window * 3 // 4, boundary=None, padded=False)
    decibels = 20 * np.log10(np.abs(spectrum) + 1e-12)
    loudest = float(decibels.max())
    image = bottom.imshow(decibels, origin="lower", aspect="auto", cmap="magma", vmin=loudest - 80, vmax=loudest,
                          extent=(0, len(signal) / rate, 0, frequencies[-1]), interpolation="nearest")
    bottom.set_ylabel("frequency (Hz)", fontsize=8)
    bottom.set_xlabel("time (s)", fontsize=8)
    figure.colorbar(image, ax=bottom, label="dB (80 dB below the loudest bin shown)")
    figure.suptitle(title, fontsize=9)
    return save(figure, path)


def output_figures(results: Path, out: Path, work: str) -> list[Path]:
    """``<experiment>_<output>.png``: the waveform and spectrogram of every committed output ``generated/*.flac`` of
    each experiment's lowest committed seed."""
    written = []
    for experiment_dir, seed_dir, outputs in committed_outputs(results, "generated/*.flac"):
        for output in outputs:
            signal, rate = read_mono(output)
            title = (f"{work} {experiment_dir.name}, seed {seed_dir.name[4:]}: {output.name} "
                     f"({len(signal) / rate:.1f} s at {rate} Hz)")
            path = Path(out) / f"{experiment_dir.name}_{output.stem}.png"
            written.append(waveform_and_spectrogram(signal, rate, path, title))
    return written
