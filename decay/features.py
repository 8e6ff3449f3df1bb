"""Sander & Harder's audio ↔ slice transforms, used by preprocessing, generation and the benchmark (README: method).

This module holds the numpy steps of ``audio_preprocessing/pipeline.py`` and of the write in
``generate_seq.py``: the model rate (decimation factor ``q`` and ``sr``) and the slice layout
(block size and slices per note), reading a note (int16, left channel, ``/32767``, causal
decimation), cutting it into zero-padded slices, the shifted targets, the global (or
per-file) statistics, and the way back: the original's denormalisation ``(g + mean)·std·32767``
(or the corrected ``g·std + mean``) with int16 truncation, and FFT resampling to the output
rate.  No TensorFlow.
"""

from __future__ import annotations

import numpy as np
import scipy.signal

from decay.config import DecayConfig
from shared import audio
from shared.rundir import InputError


# ----------------------------------------------------------------------------- rates and layout


def model_rate(file_rate: int, highest_freq: int) -> tuple[int, int]:
    """(q, sr): the decimation factor ``file_rate // (2·highest_freq)`` and the model rate ``file_rate // q`` (Q1)."""
    factor = file_rate // (2 * highest_freq)
    if factor < 1:
        raise InputError("--set highest_freq", f"{highest_freq} Hz needs a sample rate of at least "
                         f"{2 * highest_freq} Hz, the files have {file_rate} Hz")
    return factor, file_rate // factor


def block_layout(sample_rate: int, config: DecayConfig) -> tuple[int, int]:
    """(block size, slices per note): ``sr // slices_per_second`` and ``sr·clip // block`` (Q1)."""
    block = sample_rate // config.slices_per_second
    if block < 1:
        raise InputError("--set slices_per_second", f"{config.slices_per_second} slices per second leave no "
                         f"samples per slice at {sample_rate} Hz")
    return block, (sample_rate * config.clip_seconds) // block


# ----------------------------------------------------------------------------- audio → slices


def load_note(path, config: DecayConfig) -> tuple[np.ndarray, int]:
    """One note as the pipeline saw it: left channel, /32767, causally decimated; returns (signal, file rate)."""
    read = audio.read_audio(path, dtype="int16", purpose="a note to learn from")
    if read.samples.shape[1] > 1 and not read.samples[:, 0].any():
        raise InputError(path, "the left channel is silent (this pipeline reads the left channel only, "
                         "as the original did)")
    signal = audio.int16_to_float(audio.left_channel(read.samples), dtype=np.float64)  # faithful (Q3, Q4)
    factor, _ = model_rate(read.rate, config.highest_freq)
    return audio.decimate_causal(signal, factor), read.rate  # faithful (Q2): scipy 0.17's causal decimate


def note_blocks(signal: np.ndarray, block: int, slices: int) -> np.ndarray:
    """Non-overlapping blocks (the last partial one zero-padded), then zero slices up to, or a cut at, ``slices``."""
    count = -(-len(signal) // block)
    padded = np.zeros(max(count, slices) * block)
    padded[: len(signal)] = signal
    return padded.reshape(-1, block)[:slices]


def shifted_targets(x: np.ndarray) -> np.ndarray:
    """Y[t] = X[t+1], and an all-zero final slice (pipeline.py:194-199, Q7)."""
    y = np.zeros_like(x)
    y[:, :-1] = x[:, 1:]
    return y


def statistics(x: np.ndarray, config: DecayConfig) -> tuple[np.ndarray, np.ndarray]:
    """Mean and population std over every entry of X, padding included, std ≥ floor (Q5, Q6).

    ``per-file``: one pair per note, shape (N, 1, 1) (the option the final script set).
    """
    if config.normalisation == "global":
        mean = np.asarray(x.mean())
        std = np.asarray(np.sqrt(np.mean((x - mean) ** 2)))
    else:
        mean = x.mean(axis=(1, 2), keepdims=True)
        std = x.std(axis=(1, 2), keepdims=True)
    std = np.where(np.isnan(std), config.std_floor, np.maximum(std, config.std_floor))
    return mean, std


# ----------------------------------------------------------------------------- slices → audio


def denormalise(slices: np.ndarray, mean, std, order: str = "faithful") -> np.ndarray:
    """Normalised (T, F) slices → int16 samples at the model rate.

    ``faithful`` (Q12): ``(g + mean)·std·32767`` truncated toward zero, wrapping like numpy's
    ``astype(int16)``; ``corrected``: ``(g·std + mean)·32767``, truncated and clipped.
    """
    values = np.asarray(slices, dtype=np.float64).reshape(-1)
    if order == "faithful":
        return audio.float_to_int16((values + mean) * std, scale=32767.0, overflow="wrap")
    return audio.float_to_int16(values * std + mean, scale=32767.0, overflow="clip")


def to_output_rate(samples: np.ndarray, rate: int, output_rate: int) -> np.ndarray:
    """``write_np_as_wav``: FFT resampling (``scipy.signal.resample``) to ``output_rate``, then ``astype(int16)``.

    (Q13.)  Unchanged when the rates are equal.
    """
    if rate == output_rate:
        return samples
    resampled = scipy.signal.resample(samples.astype(np.float64), int(len(samples) * output_rate / rate))
    return audio.float_to_int16(resampled, scale=1.0, overflow="wrap")
