"""Signal helpers shared by the sound models and renderers: int16 conversion, fades, lengths, pitch."""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

import numpy as np
import scipy.signal


def to_pcm16(samples) -> np.ndarray:
    """Float ±1 → int16 as ``round(x * 32767)``, clipped to ±32767 (the reference sine's rule)."""
    return np.clip(np.round(np.asarray(samples, dtype=np.float64) * 32767.0), -32767, 32767).astype(np.int16)


def peak_normalise(samples, peak: float) -> np.ndarray:
    """Scale so that ``max |x| == peak``."""
    samples = np.asarray(samples, dtype=np.float64)
    return samples * (peak / np.max(np.abs(samples)))


def fit_length(samples, length: int) -> np.ndarray:
    """Zero-pad or truncate to ``length`` samples."""
    samples = np.asarray(samples, dtype=np.float64)[:length]
    return np.pad(samples, (0, length - len(samples)))


def fade_out(samples, length: int) -> np.ndarray:
    """Multiply the last ``length`` samples by a half cosine falling to 0 (no click where a tail is cut)."""
    samples = np.array(samples, dtype=np.float64)
    ramp = 0.5 * (1.0 + np.cos(np.pi * np.arange(1, length + 1) / length))
    samples[-length:] *= ramp
    return samples


def fade_in(samples, length: int) -> np.ndarray:
    """Multiply the first ``length`` samples by a raised cosine rising from 0 (a soft onset, no click)."""
    samples = np.array(samples, dtype=np.float64)
    samples[:length] *= 0.5 * (1.0 - np.cos(np.pi * np.arange(length) / length))
    return samples


def trim_to_onset(samples, threshold=0.02, margin=32) -> np.ndarray:
    """Drop what precedes the first sample above ``threshold`` × peak, keeping ``margin`` samples before it."""
    samples = np.asarray(samples, dtype=np.float64)
    onset = int(np.argmax(np.abs(samples) >= threshold * np.max(np.abs(samples))))
    return samples[max(0, onset - margin):]


def retune(samples, semitones: float) -> np.ndarray:
    """Shift pitch and speed together by ``semitones`` (resampling, as a sampler's tune knob does).

    The ratio 2^(s/12) is approximated by a fraction with denominator ≤ 200 (error < 0.2 cent)
    and applied with ``scipy.signal.resample_poly``: +s semitones → a shorter, higher clip.
    """
    if semitones == 0:
        return np.asarray(samples, dtype=np.float64)
    ratio = Fraction(2.0 ** (semitones / 12.0)).limit_denominator(200)
    return scipy.signal.resample_poly(samples, ratio.denominator, ratio.numerator)


def exponential_decay(length: int, seconds: float, rate: int) -> np.ndarray:
    """``exp(-t / seconds)`` for ``length`` samples."""
    return np.exp(-np.arange(length) / (seconds * rate))


def damp_after(samples, start: int, seconds: float, rate: int) -> np.ndarray:
    """Multiply ``samples[start:]`` by ``exp(-(n - start) / (seconds * rate))``: strings damped from ``start`` on."""
    samples = np.array(samples, dtype=np.float64)
    if start < len(samples):
        samples[start:] *= exponential_decay(len(samples) - start, seconds, rate)
    return samples


#: Pitch names in the Iowa MIS style (flats): MIDI note 57 → "A3", 63 → "Eb4".
PITCH_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")


def note_name(key: int) -> str:
    """The Iowa-style name of MIDI note ``key``: ``note_name(69) == "A4"``, ``note_name(61) == "Db4"``."""
    return f"{PITCH_NAMES[key % 12]}{key // 12 - 1}"


def midi_hz(key: int) -> float:
    """Equal-tempered frequency of MIDI note ``key`` with A4 (69) = 440 Hz."""
    return 440.0 * 2.0 ** ((key - 69) / 12.0)


def noise_bursts(rng, rate: int, *, seconds: float, tau_seconds: float, cutoff_hz, btype: str):
    """A function that draws one attack noise from ``rng`` at each call.

    The noise is ``seconds`` of white noise through a 2nd-order Butterworth filter (``btype``
    "highpass" or "bandpass" at ``cutoff_hz``), decaying as ``exp(-t / tau_seconds)``.
    """
    length = int(round(seconds * rate))
    sos = scipy.signal.butter(2, cutoff_hz, btype=btype, fs=rate, output="sos")
    envelope = exponential_decay(length, tau_seconds, rate)
    return lambda: scipy.signal.sosfilt(sos, rng.standard_normal(length)) * envelope


def stiff_string_partials(f0: float, inharmonicity: float, top_hz: float) -> Iterator[tuple[int, float]]:
    """``(k, f_k)`` for partials ``k = 1, 2, ...`` of a stiff string while ``f_k <= top_hz``.

    ``f_k = k f0 sqrt((1 + B k²) / (1 + B))``: inharmonicity B, normalised so that partial 1 is
    exactly ``f0``.
    """
    k = 1
    while True:
        frequency = k * f0 * np.sqrt((1.0 + inharmonicity * k * k) / (1.0 + inharmonicity))
        if frequency > top_hz:
            return
        yield k, frequency
        k += 1


def string_loss(loss, frequency: float) -> float:
    """``loss[0] + loss[1] f + loss[2] f²``: the decay rate σ, per second, of a string partial at ``f`` Hz."""
    return loss[0] + loss[1] * frequency + loss[2] * frequency**2


def add_attack_noise(string: np.ndarray, noise, level: float) -> None:
    """Add ``noise``, scaled to ``level`` × the peak of ``string``, to the start of ``string`` (in place)."""
    string[:len(noise)] += level * np.max(np.abs(string)) * noise / np.max(np.abs(noise))
