"""GRUV's audio ↔ feature transforms, shared by preprocessing, generation and analysis (README, "The equations").

This module holds the numpy steps of ``convert_directory.py`` → ``data_utils/parse_files.py``
and their inverse: reading a file as GRUV's pipeline saw it (16-bit mono 44.1 kHz, ``/32767.0``),
cutting non-overlapping unwindowed blocks (the last one zero-padded), the [Re | Im] layout of
the full N-point FFT in float64 (or Fiala's half-FFT and raw-sample layouts) and its inverse,
the X/Y shift, GRUV's strict chunking into examples, Fiala's uniform length, the per-feature
mean / population std, and :func:`preprocess_signals`, which chains them.  No TensorFlow.
"""

from __future__ import annotations

import numpy as np

from gruv.config import GruvConfig
from shared import audio


# ----------------------------------------------------------------------------- reading


def read_wav_as_np(path) -> np.ndarray:
    """The original reader, quirk included (Q5): native samples ``.astype(float32) / 32767.0``.

    Correct only for 16-bit files; a float WAV is divided by 32767 a second time.  Kept for
    the regression tests; :func:`load_audio` is what the pipeline uses.
    """
    samples = audio.read_audio(path, native=True, need_sound=False).samples
    return audio.int16_to_float(samples[:, 0] if samples.shape[1] == 1 else samples)


def load_audio(path, config: GruvConfig) -> np.ndarray:
    """One file as GRUV's pipeline saw it: 16-bit mono at ``sample_rate``, then ``/32767.0``.

    GRUV first converted every input with LAME or SoX to a 16-bit mono WAV at 44.1 kHz
    (Q6); we do the same in numpy: mean downmix, polyphase resampling, rounding to int16.
    A 16-bit mono file at the right rate passes through unchanged.
    """
    read = audio.read_audio(
        path, beyond_full_scale="clipped to ±1 by the conversion to 16-bit, as GRUV's SoX/LAME step did",
    )
    mono = audio.resample(audio.mean_downmix(read.samples), read.rate, config.sample_rate)
    return audio.int16_to_float(audio.quantize_int16(mono))


# ----------------------------------------------------------------------------- blocks and features


def blocks_of(signal: np.ndarray, block_size: int) -> np.ndarray:
    """Non-overlapping, unwindowed blocks; the last partial block is zero-padded."""
    count = -(-len(signal) // block_size)
    padded = np.zeros(count * block_size, dtype=signal.dtype)
    padded[: len(signal)] = signal
    return padded.reshape(count, block_size)


def blocks_to_features(blocks: np.ndarray, domain: str) -> np.ndarray:
    """Per-block features (README, "The equations"; quirks Q2, Q18).

    ``fft``: ``[Re(fft(b)), Im(fft(b))]`` of the full N-point FFT in float64, 2N values.
    ``fft-half``: Fiala's N values, the real and imaginary parts of bins 0 … N/2−1.
    ``time``: the raw samples.
    """
    if domain == "time":
        return blocks.astype(np.float64)
    spectrum = np.fft.fft(blocks.astype(np.float64), axis=-1)  # faithful (Q18): float64, as numpy 1.x did
    if domain == "fft-half":
        spectrum = spectrum[..., : blocks.shape[-1] // 2]
    return np.concatenate([spectrum.real, spectrum.imag], axis=-1)


def features_to_blocks(features: np.ndarray, domain: str) -> np.ndarray:
    """The inverse of :func:`blocks_to_features`, as the originals did it.

    ``fft``: ``ifft(Re + j·Im)``, complex; the imaginary part is dropped only at the write
    (Q3).  ``fft-half``: bins 0 … N/2−1 with a zero Nyquist bin, Hermitian-completed
    (``irfft``).  ``time``: unchanged.
    """
    features = np.asarray(features, dtype=np.float64)
    if domain == "time":
        return features
    half = features.shape[-1] // 2
    spectrum = features[..., :half] + 1j * features[..., half:]
    if domain == "fft":
        return np.fft.ifft(spectrum, axis=-1)
    return np.fft.irfft(spectrum, n=2 * half, axis=-1)


# ----------------------------------------------------------------------------- examples and statistics


def training_example(blocks: np.ndarray, domain: str):
    """X = the features of every block; Y = X shifted by one block, with an all-zero end block."""
    x = blocks_to_features(blocks, domain)
    y = np.concatenate([x[1:], np.zeros_like(x[:1])], axis=0)
    return x, y


def chunk_gruv(x: np.ndarray, y: np.ndarray, max_seq_len: int):
    """Non-overlapping L-step examples with GRUV's strict test ``cur + L < total`` (Q8).

    A file of B blocks gives ``floor((B − 1) / L)`` examples; the last full chunk is dropped.
    """
    starts = []
    cursor = 0
    while cursor + max_seq_len < len(x):  # faithful (Q8): strict '<'
        starts.append(cursor)
        cursor += max_seq_len
    return [x[s : s + max_seq_len] for s in starts], [y[s : s + max_seq_len] for s in starts]


def fit_to_length(array: np.ndarray, length: int) -> np.ndarray:
    """Zero-pad or cut along axis 0 to ``length`` rows (Fiala's uniform length M)."""
    if len(array) >= length:
        return array[:length]
    return np.concatenate([array, np.zeros((length - len(array),) + array.shape[1:], array.dtype)])


def normalise(x: np.ndarray, y: np.ndarray, std_floor: float = 1e-8):
    """Per-feature mean and population std over (examples, timesteps); X's stats applied to Y (README, Q10, Q11)."""
    mean = x.mean(axis=0).mean(axis=0)  # over examples, then timesteps, as the original summed
    std = np.sqrt(np.mean(np.mean(np.abs(x - mean) ** 2, axis=0), axis=0))
    std = np.maximum(std_floor, std)
    return (x - mean) / std, (y - mean) / std, mean, std


def preprocess_signals(signals: list[np.ndarray], config: GruvConfig):
    """Signals (already scaled) → normalised x, y and the statistics.

    Returns
    -------
    x, y : np.ndarray
        float64, (examples, timesteps, feature_dims), normalised.
    mean, std : np.ndarray
        float64, (feature_dims,).
    counts : list[int]
        Examples contributed by each signal.
    """
    xs, ys, counts = [], [], []
    for signal in signals:
        blocks = blocks_of(signal, config.block_size)
        if config.max_blocks:
            blocks = blocks[: config.max_blocks]
        x, y = training_example(blocks, config.domain)
        if config.chunking == "gruv":
            chunks_x, chunks_y = chunk_gruv(x, y, config.max_seq_len)
        else:
            chunks_x, chunks_y = [x], [y]
        xs += chunks_x
        ys += chunks_y
        counts.append(len(chunks_x))
    if config.chunking == "whole-file" and xs:
        length = config.pad_to_blocks or max(len(example) for example in xs)
        xs = [fit_to_length(example, length) for example in xs]
        ys = [fit_to_length(example, length) for example in ys]
    if not xs:
        return None, None, None, None, counts
    x, y, mean, std = normalise(np.stack(xs), np.stack(ys), config.std_floor)
    return x, y, mean, std, counts
