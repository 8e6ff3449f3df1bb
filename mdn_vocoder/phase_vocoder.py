"""Glover's phase vocoder (``phase_vocoder.lua``, after Lazzarini): analysis into (magnitude,
frequency) frames and the resynthesis that turns generated frames back into sound.

Everything here is float64 numpy and follows ``mdn_vocoder/README.md``, "The method" §1:

* **analysis** :func:`analyse`: a symmetric Hann window of N points, hop N/4, F = ceil(L/H) − N/H
  frames; each windowed frame is rotated by (i·H mod N) (the Lazzarini rotation, done here
  as the equivalent phase factor), its rfft gives |X| and the phase; the wrapped phase
  difference from the previous frame gives the frequency ``k·sr/N + Δ·sr/(2πH)``; frame 0
  has Δ = 0 (exact bin centres) and bin 0 is always (0, 0).
* **resynthesis** :func:`synthesise`: bins 1..P−1 only, phases starting at zero for every bin
  and accumulating only the deviation from the bin centre, an inverse rfft, the
  **one-sample advanced** un-rotation, the Hann window again, overlap-add with **no**
  normalisation, and the last frame never synthesised; output length T·H + N.

:func:`analyse_loop` and :func:`synthesise_loop` are plain per-frame transcriptions of the
same loops, kept as the independent computation the vectorised versions are tested against
(and timed against in ``benchmarks/mdn_vocoder_speed.py``).
"""

from __future__ import annotations

import numpy as np


def hop_size(fft_size: int) -> int:
    """The only hop the original used: N/4 (``data.lua:31``)."""
    return fft_size // 4


def hann_symmetric(size: int) -> np.ndarray:
    """torch-signal's ``signal.hann(N)``: 0.5·(1 − cos(2πn/(N−1))), zero at both ends (not the periodic Hann)."""
    return np.hanning(size)


def frame_count(length: int, fft_size: int) -> int:
    """F = ceil(L/H) − N/H: the frames :func:`analyse` returns for ``length`` samples (0 or less: too short)."""
    hop = hop_size(fft_size)
    return -(-length // hop) - fft_size // hop


def wrap_phase(delta: np.ndarray) -> np.ndarray:
    """Δ brought into [−π, π] by whole turns, as the original's two ``while`` loops do (±π are left alone)."""
    delta = np.where(delta > np.pi, delta - 2 * np.pi * np.ceil((delta - np.pi) / (2 * np.pi)), delta)
    return np.where(delta < -np.pi, delta + 2 * np.pi * np.ceil((-np.pi - delta) / (2 * np.pi)), delta)


def analyse(signal, fft_size: int, sample_rate: int) -> np.ndarray:
    """Phase-vocoder analysis of a mono signal.

    Parameters
    ----------
    signal : array of shape (L,)
        The samples as the original saw them (the file's full-scale value / 2, see
        :func:`mdn_vocoder.features.load_signal`).
    fft_size : int
        N; the hop is N/4.
    sample_rate : int
        The configured rate (the original ignored the file's own).

    Returns
    -------
    np.ndarray of shape (F, N/2 + 1, 2)
        ``[..., 0]`` the raw, unnormalised magnitude |X_k|; ``[..., 1]`` the frequency in Hz.
    """
    signal = np.asarray(signal, dtype=np.float64)
    hop, bins = hop_size(fft_size), fft_size // 2 + 1
    frames = frame_count(len(signal), fft_size)
    if frames < 1:
        raise ValueError(f"{len(signal)} samples hold no complete frame of {fft_size} at hop {hop}")
    starts = np.arange(frames) * hop
    windowed = signal[starts[:, None] + np.arange(fft_size)] * hann_symmetric(fft_size)
    k = np.arange(bins)
    rotation = np.exp(-2j * np.pi * np.outer(starts % fft_size, k) / fft_size)  # = np.roll(frame, i·H mod N)
    spectrum = np.fft.rfft(windowed, axis=1) * rotation
    phase = np.angle(spectrum)
    delta = np.zeros_like(phase)
    delta[1:] = wrap_phase(phase[1:] - phase[:-1])  # frame 0: Δ = 0, so exact bin centres
    out = np.empty((frames, bins, 2))
    out[..., 0] = np.abs(spectrum)
    out[..., 1] = k * sample_rate / fft_size + delta * sample_rate / (2 * np.pi * hop)
    out[:, 0] = 0.0  # the loop starts at the second bin: DC is (0, 0)
    return out


def synthesise(frames, fft_size: int, sample_rate: int, components: int | None = None) -> np.ndarray:
    """Phase-vocoder resynthesis (``pvs``) of (magnitude, frequency) frames.

    Parameters
    ----------
    frames : array of shape (T, ≥P, 2)
        Magnitude and frequency per bin; bins from ``components`` on are ignored.
    fft_size : int
        N; the hop is N/4.
    sample_rate : int
    components : int, optional
        P, the number of bins counting DC (default: all of ``frames``); bins 1..P−1 sound.

    Returns
    -------
    np.ndarray of shape (T·H + N,)
        Frames 0..T−2 overlap-added (the last frame is skipped, as in the original).
    """
    frames = np.asarray(frames, dtype=np.float64)
    hop, count = hop_size(fft_size), len(frames)
    components = frames.shape[1] if components is None else components
    out = np.zeros(count * hop + fft_size)
    if count < 2:
        return out
    used = frames[:-1, 1:components]
    k = np.arange(1, components)
    deviation = (used[..., 1] - k * sample_rate / fft_size) * 2 * np.pi * hop / sample_rate
    phase = np.cumsum(deviation, axis=0)  # from 0, deviation only: the un-rotation adds the bin-centre advance
    spectrum = np.zeros((count - 1, fft_size // 2 + 1), dtype=np.complex128)
    spectrum[:, 1:components] = used[..., 0] * np.exp(1j * phase)
    samples = np.fft.irfft(spectrum, fft_size, axis=1)  # divides by N: the exact inverse of the forward rfft
    shift = (np.arange(count - 1) * hop) % fft_size + 1  # faithful: one sample further than the analysis rotation
    unrotated = np.take_along_axis(samples, (np.arange(fft_size) + shift[:, None]) % fft_size, axis=1)
    pieces = (unrotated * hann_symmetric(fft_size)).reshape(count - 1, fft_size // hop, hop)
    blocks = out.reshape(-1, hop)
    for quarter in range(fft_size // hop):  # overlap-add with no window normalisation
        blocks[quarter:quarter + count - 1] += pieces[:, quarter]
    return out


def analyse_loop(signal, fft_size: int, sample_rate: int) -> np.ndarray:
    """:func:`analyse` frame by frame and bin by bin, as ``phase_vocoder.lua`` loops (reference and benchmark)."""
    signal = np.asarray(signal, dtype=np.float64)
    hop, bins = hop_size(fft_size), fft_size // 2 + 1
    window = hann_symmetric(fft_size)
    frames = frame_count(len(signal), fft_size)
    out = np.zeros((frames, bins, 2))
    last_phase = np.zeros(bins)
    for i in range(frames):
        rotated = np.roll(signal[i * hop:i * hop + fft_size] * window, (i * hop) % fft_size)
        spectrum = np.fft.fft(rotated)[:bins]
        phases = [float(np.arctan2(value.imag, value.real)) for value in spectrum]
        if i == 0:
            last_phase = list(phases)
        for k in range(1, bins):
            delta = phases[k] - last_phase[k]
            while delta > np.pi:
                delta -= 2 * np.pi
            while delta < -np.pi:
                delta += 2 * np.pi
            out[i, k, 0] = abs(spectrum[k])
            out[i, k, 1] = (delta + k * 2 * np.pi * hop / fft_size) * sample_rate / (2 * np.pi * hop)
        last_phase = phases
    return out


def synthesise_loop(frames, fft_size: int, sample_rate: int, components: int | None = None) -> np.ndarray:
    """:func:`synthesise` frame by frame and bin by bin, as ``pvs`` loops (reference and benchmark)."""
    frames = np.asarray(frames, dtype=np.float64)
    hop, count = hop_size(fft_size), len(frames)
    components = frames.shape[1] if components is None else components
    window = hann_symmetric(fft_size)
    out = np.zeros(count * hop + fft_size)
    phases = np.zeros(components)
    for t in range(count - 1):
        spectrum = np.zeros(fft_size // 2 + 1, dtype=np.complex128)
        for k in range(1, components):
            phases[k] += (frames[t, k, 1] - k * sample_rate / fft_size) * 2 * np.pi * hop / sample_rate
            spectrum[k] = frames[t, k, 0] * complex(np.cos(phases[k]), np.sin(phases[k]))
        samples = np.fft.irfft(spectrum, fft_size)
        rotation = (t * hop) % fft_size
        for j in range(fft_size):
            out[t * hop + j] += samples[(j + 1 + rotation) % fft_size] * window[j]
    return out


def to_int32(signal) -> np.ndarray:
    """``floor(y·2^31)`` as int32, the original's write (``data.lua:133-136``), clipped to the int32 range.

    The original had no guard (values outside int32 were undefined behaviour); clipping is ours.
    """
    scaled = np.floor(np.asarray(signal, dtype=np.float64) * 2.0 ** 31)
    return np.clip(scaled, -(2 ** 31), 2 ** 31 - 1).astype(np.int32)
