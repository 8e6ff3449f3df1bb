"""Glover's audio ↔ feature transforms (``data.lua``): the note as the original read it, frame vectors, statistics.

This module holds what more than one stage uses between sound and the network's vectors:
:func:`load_signal` (the file as lua---audio gave it: full scale / 2, one channel, the
configured rate), :func:`interleave` / :func:`deinterleave` (phase-vocoder frames (F, P, 2) ↔
vectors ``[a0, f0, a1, f1, …]``), :func:`statistics`, :func:`normalise` and
:func:`denormalise` (one global mean and unbiased std for the amplitudes, another for the
frequencies), :func:`wrapped_deltas`, :func:`training_length` (truncation to B·S) and
:func:`prepare`, which turns analysed frames into the normalised training sequence, its
statistics, the initial frame for generation and the held-out tail.  ``preprocess`` writes
their results; ``generate`` (through :mod:`mdn_vocoder.sampling`) reads them back.
"""

from __future__ import annotations

import numpy as np

from mdn_vocoder.config import MdnConfig
from shared import audio
from shared.rundir import InputError


def load_signal(path, config: MdnConfig) -> tuple[np.ndarray, int, int]:
    """(signal, file rate, channels): one signal at ``config.sample_rate``, divided by 2 (README, quirk Q1).

    lua---audio loads int32 full-scale samples and ``load_file`` divides them by 2^32, i.e. the
    file's ±1 full scale / 2.  A file at another rate is an error unless ``resample`` is set
    (the original silently read it as if it were at ``-sample_rate``).

    A stereo file gives its left channel (``stereo="left"``, our choice, a deviation), or, with
    ``stereo="interleaved"``, what the original's ``pva`` really analysed: its
    ``x:resize(ceil(L/H)·H)`` turns the (L, channels) tensor into its row-major storage, the
    interleaved samples L0, R0, L1, R1, …, of which it keeps the first ceil(L/H)·H (about the
    first half of the note, played at half speed, an octave down).
    """
    read = audio.read_audio(path, purpose="a note to learn from")
    channels = read.samples.shape[1]
    if channels > 1 and config.stereo == "interleaved":  # faithful (README, quirk Q3): resize of (L, 2)
        hop = config.fft_size // 4
        signal = read.samples.reshape(-1)[:-(-len(read.samples) // hop) * hop].astype(np.float64)
    else:
        if channels > 1 and not read.samples[:, 0].any():
            raise InputError(path, "the left channel is silent (a stereo file is read from its left channel; "
                             "--set stereo=interleaved reads the interleaved samples, as the original did)")
        signal = audio.left_channel(read.samples).astype(np.float64)  # deviation: the left channel of a stereo file
    if read.rate != config.sample_rate:
        if not config.resample:
            raise InputError(path, f"sample rate {read.rate} Hz, but the preset works at {config.sample_rate} Hz: add "
                             f"--set resample=true to convert it, or --set sample_rate={read.rate} to model it at "
                             "its own rate")
        signal = audio.resample(signal, read.rate, config.sample_rate)
    return signal / 2.0, read.rate, read.samples.shape[1]


def interleave(frames: np.ndarray) -> np.ndarray:
    """(F, P, 2) → (F, 2P) ``[a0, f0, a1, f1, …]`` (row-major flattening, data.lua:47-50)."""
    return frames.reshape(len(frames), -1)


def deinterleave(vectors: np.ndarray) -> np.ndarray:
    """(T, 2P) → (T, P, 2): the inverse of :func:`interleave`."""
    return np.asarray(vectors).reshape(len(vectors), -1, 2)


def statistics(values: np.ndarray) -> dict:
    """One mean and unbiased std over every amplitude entry (even columns), another over every frequency entry."""
    amplitudes, frequencies = values[:, 0::2], values[:, 1::2]
    return {"amp_mean": amplitudes.mean(), "amp_std": amplitudes.std(ddof=1),
            "freq_mean": frequencies.mean(), "freq_std": frequencies.std(ddof=1)}


def normalise(values: np.ndarray, stats: dict) -> np.ndarray:
    out = np.array(values, dtype=np.float64)
    out[:, 0::2] = (out[:, 0::2] - stats["amp_mean"]) / stats["amp_std"]
    out[:, 1::2] = (out[:, 1::2] - stats["freq_mean"]) / stats["freq_std"]
    return out


def denormalise(vectors: np.ndarray, stats) -> np.ndarray:
    """Normalised (T, D) vectors → amplitude and frequency (deltas), as ``data.lua:83-106``."""
    out = np.array(vectors, dtype=np.float64)
    out[:, 0::2] = out[:, 0::2] * stats["amp_std"] + stats["amp_mean"]
    out[:, 1::2] = out[:, 1::2] * stats["freq_std"] + stats["freq_mean"]
    return out


def wrapped_deltas(values: np.ndarray) -> np.ndarray:
    """deltas[t] = values[t+1] − values[t], the last wrapping to values[0] − values[F−1] (data.lua:11-16,54)."""
    return np.roll(values, -1, axis=0) - values


def training_length(frames: int, config: MdnConfig) -> int:
    """B·S·floor(F/(B·S)): the frames kept for training (data.lua:35-43)."""
    per_batch = config.batch_size * config.seq_length
    return per_batch * (frames // per_batch)


def prepare(frames: np.ndarray, config: MdnConfig) -> dict:
    """The training sequence, statistics, initial frame and held-out tail of analysed frames (F, P, 2)."""
    values = interleave(frames)
    held = int(round(config.heldout_fraction * len(values)))
    kept = training_length(len(values) - held, config)
    train_values = values[:kept]
    initial_index = kept // 2 - 1  # faithful: select_frame's middle frame, floor(F/2) 1-based
    sequence = wrapped_deltas(train_values) if config.representation == "deltas" else train_values
    stats = statistics(sequence)
    heldout = values[kept - 1:] if config.representation == "deltas" else values[kept:]
    heldout = np.diff(heldout, axis=0) if config.representation == "deltas" else heldout
    return {"x": normalise(sequence, stats), "stats": stats, "initial_index": initial_index,
            "initial_frame": train_values[initial_index], "heldout_x": normalise(heldout, stats) if held else None,
            "kept": kept}
