"""Pfalz, Berdahl & Allison's data transforms: the recording as float32, its spectrogram, and the [n, L] cutting.

This module holds what preprocess, train, generate, the tests and ``benchmarks/dreaming_speed.py``
share between the audio and the network's matrices: :func:`load_signal` (mono float32 at
11025 Hz, the channels averaged), :func:`magnitude_frames` (the normalised Blackman
spectrogram of the magnitude approach), the resolved cutting of an approach, :class:`Layout`
(:func:`layout` from a configuration, :func:`layout_of` from a run's ``config.json``), and
the cutting itself: :func:`iterations_per_epoch`, :func:`input_indices`,
:func:`label_indices`, :func:`training_pair` (``Training_Manager.next``) and
:func:`seed_matrix` (``prep_seed``).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from dreaming.config import DreamingConfig
from shared import audio
from shared.rundir import InputError


@dataclasses.dataclass(frozen=True)
class Layout:
    """The resolved cutting of one approach: L, n, Δi, Δe, o and the label shape (r, w)."""

    length: int
    rows: int
    stride: int
    advance: int
    offset: int
    label_rows: int
    label_width: int
    frames: bool  # magnitude: rows are spectrogram frames

    def input_span(self) -> int:
        return self.stride * (self.rows - 1) + self.length

    def label_span(self) -> int:
        return self.offset + self.stride * (self.label_rows - 1) + self.label_width


def layout(config: DreamingConfig) -> Layout:
    """The approach's cutting with the configured overrides (README, 'The equations': the table of approaches)."""
    length, rows = config.seg_len, config.rows
    if config.approach == "magnitude":
        offset = config.label_offset if config.label_offset is not None else 1
        return Layout(length, rows, 1, config.cursor_advance, offset, rows, length, True)
    stride = config.row_stride or length
    label = {"vector": (rows, length), "column": (rows, 1), "transpose": (1, 1)}[config.approach]
    default_offset = rows * length if config.approach == "transpose" else length
    offset = config.label_offset if config.label_offset is not None else default_offset
    return Layout(length, rows, stride, config.cursor_advance, offset, label[0], label[1], False)


def iterations_per_epoch(units: int, cut: Layout) -> int:
    """Cursor positions per epoch over ``units`` samples (or frames) such that inputs and labels fit.

    The original's count, ⌊(len − (L + Δi(n−1)))/Δe⌋ (sf0:1044-1046), would cut the labels
    of the last iterations short where they reach further than the inputs (vector: the last
    L − 1); we stop before them.  Magnitude: len(S) − (n + 1) (sf0:1048) with the label one
    frame on; with another offset o, len(S) − (n + o), so that the labels S[c+o : c+n+o] fit
    (the original's count ignored o and would read past the end).
    """
    if cut.frames:
        return max(units - (cut.rows + cut.offset), 0)
    span = max(cut.input_span(), cut.label_span())
    return max((units - span) // cut.advance + (1 if units >= span else 0), 0) if cut.advance else 0


def input_indices(cut: Layout) -> np.ndarray:
    """(n, L) offsets from the cursor of every input element (waveform) or (n,) frame offsets (magnitude)."""
    if cut.frames:
        return np.arange(cut.rows)
    return cut.stride * np.arange(cut.rows)[:, None] + np.arange(cut.length)[None, :]


def label_indices(cut: Layout) -> np.ndarray:
    """(r, w) offsets from the cursor of every label element (waveform) or (n,) frame offsets (magnitude)."""
    if cut.frames:
        return cut.offset + np.arange(cut.rows)
    return cut.offset + cut.stride * np.arange(cut.label_rows)[:, None] + np.arange(cut.label_width)[None, :]


def training_pair(data: np.ndarray, cursor: int, cut: Layout) -> tuple[np.ndarray, np.ndarray]:
    """(X, Y) at ``cursor``: X (n, L); Y (r, w) or, magnitude, (n, L)."""
    return data[cursor + input_indices(cut)], data[cursor + label_indices(cut)]


def seed_matrix(data: np.ndarray, start: int, cut: Layout) -> np.ndarray:
    """``prep_seed``: n contiguous rows of L samples from ``start`` (waveform), or n frames (magnitude)."""
    if cut.frames:
        return np.array(data[start:start + cut.rows])
    return np.array(data[start:start + cut.rows * cut.length]).reshape(cut.rows, cut.length)


def magnitude_frames(signal: np.ndarray, config: DreamingConfig) -> tuple[np.ndarray, float]:
    """The normalised spectrogram (frames, L) and the global max it was divided by (README, 'The equations')."""
    from dreaming import vocoder

    spectrogram = vocoder.magnitude_spectrogram(signal, config.seg_len, config.hop)
    normalised, peak = vocoder.normalise(spectrogram)
    return normalised.astype(np.float32), float(peak)


def load_signal(path, config: DreamingConfig, purpose="the training audio") -> np.ndarray:
    """Mono float in [−1, 1] at ``config.sample_rate`` (mean of the channels; the paper's files are mono)."""
    read = audio.read_audio(path, purpose=purpose)
    signal = audio.mean_downmix(read.samples)  # Q14 fixed: integer files are scaled to [−1, 1] by the reader
    if read.rate != config.sample_rate:
        if not config.resample:
            raise InputError(path, f"sample rate {read.rate} Hz, but this work runs at {config.sample_rate} Hz "
                             "(as every file of the paper): add --set resample=true to convert it")
        print(f"note: {path}: resampled from {read.rate} Hz to {config.sample_rate} Hz")
        signal = audio.resample(signal, read.rate, config.sample_rate)
    if config.max_seconds is not None:
        signal = signal[: int(round(config.max_seconds * config.sample_rate))]
    return signal.astype(np.float32)


def layout_of(document: dict) -> Layout:
    return Layout(**document["layout"])


#: note letters → semitones above C
_LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def note_frequency(name: str) -> float:
    """The equal-tempered frequency (A4 = 440 Hz) of a note name: a letter, an optional ``#`` or ``b``, an octave
    (``A3``, ``C#4``, ``Eb2``); raises :class:`InputError` naming ``--seed-pitches`` for anything else."""
    text = name.strip()
    letter, accidental, octave = text[:1].upper(), text[1:2] if text[1:2] in ("#", "b") else "", text[1:]
    octave = octave[len(accidental):]
    if letter not in _LETTERS or not octave.lstrip("-").isdigit():
        raise InputError("--seed-pitches", f"{name!r} is not a note name (accepted: a letter A–G, an optional # or "
                                           "b, an octave: A3, C#4, Eb2)")
    midi = 12 * (int(octave) + 1) + _LETTERS[letter] + {"#": 1, "b": -1, "": 0}[accidental]
    return 440.0 * 2.0 ** ((midi - 69) / 12)


def chosen_pitch_seed(names, seconds: float, rate: int) -> np.ndarray:
    """A seed of chosen pitches (paper §5.1): the notes ``names`` plucked together, each a sum of harmonics h = 1…8
    below the Nyquist frequency with amplitude 1/h, decaying as exp(−t / 1 s); peak 0.5.

    Raises :class:`InputError` (``--seed-pitches``) for a bad name or a note at or above the Nyquist frequency."""
    frequencies = [note_frequency(name) for name in names]
    if not frequencies:
        raise InputError("--seed-pitches", "name at least one note (e.g. A3,E4)")
    for name, frequency in zip(names, frequencies):
        if frequency >= rate / 2:
            raise InputError("--seed-pitches", f"{name} ({frequency:.0f} Hz) is at or above the model's Nyquist "
                                               f"frequency, {rate / 2:g} Hz")
    t = np.arange(int(round(seconds * rate))) / rate
    signal = sum(np.sin(2 * np.pi * harmonic * frequency * t) / harmonic
                 for frequency in frequencies for harmonic in range(1, 9) if harmonic * frequency < rate / 2)
    signal = signal * np.exp(-t)
    return (0.5 * signal / np.abs(signal).max()).astype(np.float32)
