"""Signal metrics: pure functions over numpy arrays (the evaluation half of ``shared/``).

Each function states its formula and which direction is better.  So far: the RMS envelope,
the high-frequency energy fraction, spectral-flux onsets and onset matching, used to judge GRUV/Fiala outputs by ear-relevant
facts ("does the generated amen hit where the original hits?", "does the tail rise?").
"""

from __future__ import annotations

import numpy as np


def rms_envelope(signal, frame: int = 1024, hop: int = 512) -> np.ndarray:
    """RMS per frame: ``sqrt(mean(x[k·hop : k·hop + frame]²))`` (no padding; a descriptive measure)."""
    signal = np.asarray(signal, dtype=np.float64)
    if len(signal) < frame:
        return np.array([np.sqrt(np.mean(signal**2))]) if len(signal) else np.zeros(0)
    count = 1 + (len(signal) - frame) // hop
    frames = np.lib.stride_tricks.sliding_window_view(signal, frame)[::hop][:count]
    return np.sqrt(np.mean(frames**2, axis=1))


def high_frequency_fraction(signal, rate: int, above_hz: float = 5000.0) -> float:
    """Fraction of the signal's energy above ``above_hz``: ``Σ_{f > above} |X(f)|² / Σ_f |X(f)|²``.

    A noisiness measure for low-pitched sounds such as kicks (lower is smoother).
    """
    spectrum = np.abs(np.fft.rfft(np.asarray(signal, dtype=np.float64))) ** 2
    frequencies = np.fft.rfftfreq(len(signal), 1.0 / rate)
    total = spectrum.sum()
    return float(spectrum[frequencies > above_hz].sum() / total) if total > 0 else 0.0


def onset_times(signal, rate: int, frame: int = 1024, hop: int = 256, threshold: float = 1.5, min_gap: float = 0.05):
    """Onset times (s) by half-wave-rectified log-spectral flux and peak picking.

    Flux ``d[k] = Σ_f max(0, log(1+|X_k(f)|) − log(1+|X_{k−1}(f)|))`` over Hann-windowed
    frames; an onset is a local maximum of ``d`` above ``median(d) + threshold · std(d)``,
    at least ``min_gap`` seconds after the previous one.  Times are frame starts.
    """
    signal = np.asarray(signal, dtype=np.float64)
    if len(signal) < frame + hop:
        return np.zeros(0)
    frames = np.lib.stride_tricks.sliding_window_view(signal, frame)[::hop]
    magnitude = np.log1p(np.abs(np.fft.rfft(frames * np.hanning(frame), axis=1)))
    flux = np.concatenate([[0.0], np.maximum(0.0, np.diff(magnitude, axis=0)).sum(axis=1)])
    limit = np.median(flux) + threshold * flux.std()
    onsets, last = [], -np.inf
    for k in range(1, len(flux) - 1):
        if flux[k] > limit and flux[k] >= flux[k - 1] and flux[k] >= flux[k + 1]:
            time = k * hop / rate
            if time - last >= min_gap:
                onsets.append(time)
                last = time
    return np.array(onsets)


def onset_match(reference, estimate, tolerance: float = 0.05) -> dict:
    """Greedy one-to-one matching of onset times within ``± tolerance`` seconds.

    Returns precision = hits / len(estimate), recall = hits / len(reference), and
    F = 2PR / (P + R) (all higher is better), plus the median absolute timing error of the hits.
    """
    reference, estimate = np.sort(np.asarray(reference)), np.sort(np.asarray(estimate))
    used = np.zeros(len(estimate), dtype=bool)
    errors = []
    for time in reference:
        if not len(estimate):
            break
        distances = np.where(used, np.inf, np.abs(estimate - time))
        best = int(np.argmin(distances))
        if distances[best] <= tolerance:
            used[best] = True
            errors.append(distances[best])
    hits = len(errors)
    precision = hits / len(estimate) if len(estimate) else 0.0
    recall = hits / len(reference) if len(reference) else 0.0
    f_measure = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {
        "hits": hits, "reference_onsets": len(reference), "estimated_onsets": len(estimate),
        "precision": precision, "recall": recall, "f_measure": f_measure,
        "median_error_s": float(np.median(errors)) if errors else None,
    }
