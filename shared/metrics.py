"""Signal metrics: pure functions over numpy arrays (the evaluation half of ``shared/``).

Every function states its formula and which direction is better.  The definitions are
written out in shared/README.md, "The criteria" (the dreaming work's M1–M12: artifacts,
resemblance, copying, on an 11025 Hz log-mel front end), and in decay/README.md, "How a
continuation is judged" (RMS and partial decay slopes, f0, tonal fraction, band flatness,
the Hilbert-envelope exponential fit); ``shared/criteria.py`` turns them into each work's
criteria.  Inputs are mono float arrays at full scale ±1.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.fft
import scipy.linalg
import scipy.ndimage
import scipy.optimize
import scipy.signal


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


# ---------------------------------------------------------------------------------------------
# Level and decay (decay/README.md, "How a continuation is judged")
# ---------------------------------------------------------------------------------------------

def _line_fit(x, y) -> tuple[float, float, float]:
    """Least-squares line ``y = intercept + slope·x``: returns (slope, intercept, R²)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(x) < 2 or np.ptp(x) == 0:
        return float("nan"), float("nan"), float("nan")
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (intercept + slope * x)
    total = np.sum((y - y.mean()) ** 2)
    r_squared = 1.0 - np.sum(residual**2) / total if total > 0 else 1.0
    return float(slope), float(intercept), float(r_squared)


def rms_decay_slope(signal, rate: int, frame: int = 2048, hop: int = 1024, floor: float = 1 / 32768) -> dict:
    """Decay slope of the frame RMS in dB/s (negative = decaying; compare with the original).

    ``r_k = sqrt(mean(x[kH : kH+N]²))`` at ``t_k = (kH + N/2)/rate``; least-squares fit of
    ``20·log10 r_k = α + s·t_k`` over the frames with ``r_k ≥ floor`` (1 LSB of int16 by
    default, which drops digital-silence padding).  Returns ``slope_db_per_s`` (s), ``r2``
    and ``decay_rate_per_s`` λ = −s·ln10/20 (amplitude ∝ e^(−λt)).
    """
    envelope = rms_envelope(signal, frame, hop)
    times = (np.arange(len(envelope)) * hop + frame / 2) / rate
    keep = envelope >= floor
    slope, _, r_squared = _line_fit(times[keep], 20 * np.log10(envelope[keep])) if keep.sum() >= 2 else (np.nan,) * 3
    return {"slope_db_per_s": slope, "r2": r_squared, "decay_rate_per_s": -slope * np.log(10) / 20}


def highpass(signal, rate: int, cutoff_hz: float = 100.0, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth high-pass (``sosfiltfilt``), e.g. to remove the guitar recordings' 50 Hz rumble."""
    sos = scipy.signal.butter(order, cutoff_hz, btype="highpass", fs=rate, output="sos")
    return scipy.signal.sosfiltfilt(sos, np.asarray(signal, dtype=np.float64))


def time_to_drop(signal, rate: int, drop_db: float = 20.0, frame: int = 2048, hop: int = 1024) -> float:
    """Seconds from the loudest RMS frame to the first later frame ≥ ``drop_db`` below it (NaN if never).

    Shorter = faster decay; a sustained or growing output gives NaN.
    """
    envelope = rms_envelope(signal, frame, hop)
    if not len(envelope) or envelope.max() == 0:
        return float("nan")
    loudest = int(np.argmax(envelope))
    below = np.nonzero(envelope[loudest:] <= envelope[loudest] * 10 ** (-drop_db / 20))[0]
    return float(below[0] * hop / rate) if len(below) else float("nan")


def schroeder_decay(signal, rate: int, upper_db: float = -5.0, lower_db: float = -25.0) -> dict:
    """Schroeder backward-integrated energy decay, as in reverberation-time measurement.

    ``EDC(t) = 10·log10(Σ_{τ≥t} x[τ]² / Σ_τ x[τ]²)`` (dB, 0 at the start, falling); a line fit
    to the part between ``upper_db`` and ``lower_db`` gives the decay rate in dB/s and its
    extrapolation to −60 dB, ``t60_s`` (shorter = faster decay).  A sound that does not decay
    has an EDC that falls only because the integral runs out at the end: compare with the
    original, and read ``r2``.
    """
    energy = np.asarray(signal, dtype=np.float64) ** 2
    total = energy.sum()
    if total == 0:
        return {"slope_db_per_s": float("nan"), "t60_s": float("nan"), "r2": float("nan")}
    curve = 10 * np.log10(np.maximum(np.cumsum(energy[::-1])[::-1] / total, 1e-300))
    inside = np.nonzero((curve <= upper_db) & (curve >= lower_db))[0]
    slope, _, r_squared = _line_fit(inside / rate, curve[inside]) if len(inside) >= 2 else (np.nan,) * 3
    t60 = -60.0 / slope if slope < 0 else float("inf") if np.isfinite(slope) else float("nan")
    return {"slope_db_per_s": slope, "t60_s": float(t60), "r2": r_squared}


def _exponential(t, a, b, c):
    return a * np.exp(-b * t) + c


def hilbert_exponential_fit(signal, rate: int, *, faithful: bool = False) -> dict:
    """The decay authors' envelope fit ``e(t) = a·e^(−b·t) + c`` to the Hilbert envelope ``|hilbert(x)|``.

    ``faithful=True`` is the authors' ``fit_sig_decay`` (decay/README.md, "How a continuation is
    judged"): the envelope smoothed by a Savitzky–Golay filter (51, order 2), t = sample index (so
    b is per sample; ``b_per_s`` = b·rate), unbounded Levenberg–Marquardt from p0 = (1, 1, 1).
    The default is this project's robust version (``decay_fit`` in shared/README.md): the envelope
    smoothed by a 10 ms moving average and decimated ×(rate/400), t in seconds, bounds a, b, c ≥ 0
    and b ≤ 500, p0 from the data.
    ``b_per_s`` (larger = faster decay) means little when ``a`` ≪ ``c`` (no decay).
    """
    envelope = np.abs(scipy.signal.hilbert(np.asarray(signal, dtype=np.float64)))
    failed = {"a": float("nan"), "b_per_s": float("nan"), "c": float("nan")}
    with warnings.catch_warnings(), np.errstate(over="ignore"):  # LM tries steep exponentials on its way
        # "covariance could not be estimated": we report no errors
        warnings.simplefilter("ignore", scipy.optimize.OptimizeWarning)
        return _fit_envelope(envelope, rate, faithful, failed)


def _fit_envelope(envelope, rate, faithful, failed):
    try:
        if faithful:
            smooth = scipy.signal.savgol_filter(envelope, 51, 2)
            times = np.arange(len(smooth), dtype=np.float64)
            (a, b, c), _ = scipy.optimize.curve_fit(_exponential, times, smooth, p0=(1.0, 1.0, 1.0), maxfev=10000)
            return {"a": float(a), "b_per_s": float(b * rate), "c": float(c)}
        width = max(1, int(round(0.010 * rate)))
        smooth = np.convolve(envelope, np.ones(width) / width, mode="valid")
        step = max(1, int(round(rate / 400)))  # 110 at 44.1 kHz: about 400 envelope points per second
        smooth = smooth[::step]
        times = (np.arange(len(smooth)) * step + (width - 1) / 2) / rate
        start = (max(smooth.max() - smooth.min(), 1e-12), 1.0, max(smooth.min(), 0.0))
        (a, b, c), _ = scipy.optimize.curve_fit(
            _exponential, times, smooth, p0=start, bounds=([0, 0, 0], [np.inf, 500, np.inf]), maxfev=10000
        )
        return {"a": float(a), "b_per_s": float(b), "c": float(c)}
    except (RuntimeError, ValueError):
        return failed


def welch_f0(signal, rate: int, band=(40.0, None), segment: int = 16384) -> float:
    """Dominant frequency in Hz: argmax of the Welch PSD in ``band``, refined by parabolic interpolation.

    Welch: Hann window of ``segment`` samples (shorter signals: their length), 50 % overlap;
    the parabola goes through the log power of the peak bin and its two neighbours.  NaN for
    silence.  (The f0 of decay's pitch requirement; the mdn_vocoder pitch check.)
    """
    signal = np.asarray(signal, dtype=np.float64)
    segment = min(segment, len(signal))
    frequencies, power = scipy.signal.welch(signal, rate, window="hann", nperseg=segment, noverlap=segment // 2)
    low, high = band[0], band[1] if band[1] is not None else rate / 2
    inside = np.nonzero((frequencies >= low) & (frequencies <= high))[0]
    if not len(inside) or power[inside].max() <= 0:
        return float("nan")
    peak = int(inside[np.argmax(power[inside])])
    if 0 < peak < len(power) - 1:
        left, centre, right = np.log(np.maximum(power[peak - 1 : peak + 2], 1e-300))
        denominator = left - 2 * centre + right
        offset = 0.5 * (left - right) / denominator if denominator < 0 else 0.0
    else:
        offset = 0.0
    return float((peak + offset) * rate / segment)


def partial_track(signal, rate: int, frequency: float, tolerance: float = 0.015, frame: int = 4096, hop: int = 1024):
    """Per-frame (time s, peak magnitude, peak frequency Hz) of one partial near ``frequency``.

    STFT with a Hann window of ``frame`` samples; in each frame the largest magnitude within
    ``±tolerance·frequency`` (the nearest bin when the window
    holds none), its frequency refined by parabolic interpolation on log magnitude.
    """
    signal = np.asarray(signal, dtype=np.float64)
    if len(signal) < frame:
        signal = np.pad(signal, (0, frame - len(signal)))
    frames = np.lib.stride_tricks.sliding_window_view(signal, frame)[::hop]
    magnitude = np.abs(np.fft.rfft(frames * scipy.signal.get_window("hann", frame), axis=1))
    bins = np.fft.rfftfreq(frame, 1.0 / rate)
    inside = np.nonzero(np.abs(bins - frequency) <= tolerance * frequency)[0]
    if not len(inside):  # narrower than one bin: the nearest bin
        inside = np.array([int(np.argmin(np.abs(bins - frequency)))])
    local = inside[np.argmax(magnitude[:, inside], axis=1)]
    rows = np.arange(len(frames))
    peak = magnitude[rows, local]
    left = np.log(np.maximum(magnitude[rows, np.maximum(local - 1, 0)], 1e-300))
    right = np.log(np.maximum(magnitude[rows, np.minimum(local + 1, magnitude.shape[1] - 1)], 1e-300))
    centre = np.log(np.maximum(peak, 1e-300))
    denominator = left - 2 * centre + right
    offset = np.where(denominator < 0, 0.5 * (left - right) / np.where(denominator < 0, denominator, 1), 0.0)
    times = (np.arange(len(frames)) * hop + frame / 2) / rate
    return times, peak, (local + offset) * rate / frame


def partial_decay_slope(signal, rate: int, frequency: float, tolerance: float = 0.015) -> float:
    """The paper's proposed "dominant-frequency decay": dB/s slope of one partial's magnitude.

    :func:`partial_track` (Hann 4096, hop 1024, ±1.5 % of ``frequency``, normally the
    *original's* f0), then a least-squares line through 20·log10(magnitude) against time.
    Negative = decaying; compare with the original's.
    """
    times, magnitude, _ = partial_track(signal, rate, frequency, tolerance)
    keep = magnitude > 0
    return _line_fit(times[keep], 20 * np.log10(magnitude[keep]))[0] if keep.sum() >= 2 else float("nan")


#: The pitch tracker's rate: pYIN runs on the signal resampled to this rate (f0 up to 2 kHz is far below its Nyquist).
F0_TRACK_RATE = 22050


def f0_track(signal, rate: int, fmin: float = 40.0, fmax: float = 2000.0, frame: int = 2048, hop: int = 256):
    """The fundamental over time, followed wherever it goes between ``fmin`` and ``fmax``.

    pYIN (Mauch & Dixon 2014, ``librosa.pyin``, imported on first use) on the signal
    resampled to :data:`F0_TRACK_RATE`, frames of ``frame`` samples every ``hop`` (93 ms /
    11.6 ms).  Returns (times s, f0 Hz, voiced flags); unvoiced frames have f0 NaN.
    """
    import librosa  # only the pitch tracker needs it; its import and JIT cost stay out of every other command

    signal = np.asarray(signal, dtype=np.float64)
    if rate != F0_TRACK_RATE:
        divisor = np.gcd(int(rate), F0_TRACK_RATE)
        signal = scipy.signal.resample_poly(signal, F0_TRACK_RATE // divisor, int(rate) // divisor)
    if len(signal) < frame:
        signal = np.pad(signal, (0, frame - len(signal)))
    f0, voiced, _ = librosa.pyin(signal, fmin=fmin, fmax=fmax, sr=F0_TRACK_RATE, frame_length=frame, hop_length=hop,
                                 center=False)
    times = (np.arange(len(f0)) * hop + frame / 2) / F0_TRACK_RATE
    return times, np.where(voiced, f0, np.nan), np.asarray(voiced, dtype=bool)


def pitch_drift(signal, rate: int, fmin: float = 40.0, fmax: float = 2000.0, smooth: int = 5) -> dict:
    """How far the pitch wanders, in cents, over the voiced frames of :func:`f0_track`.

    ``c_k = 1200·log2(f0_k / median f0)`` over the voiced frames.  ``drift_cents`` is the
    extent of the track, max − min of ``c`` after a ``smooth``-frame median filter (which
    removes single-frame octave slips): a glide from 440 to 600 Hz gives ≈ 537 cents, a steady
    tone 0.  ``spread_cents`` is the std of ``c``, ``slope_cents_per_s`` a line fit of ``c``
    against time; ``median_f0_hz`` and ``voiced_fraction`` beside them.  Lower is steadier.
    """
    times, f0, voiced = f0_track(signal, rate, fmin, fmax)
    keep = voiced & np.isfinite(f0)
    empty = {"drift_cents": float("nan"), "spread_cents": float("nan"), "slope_cents_per_s": float("nan"),
             "median_f0_hz": float("nan"), "voiced_fraction": float(keep.mean()) if len(keep) else 0.0}
    if keep.sum() < 3:
        return empty
    centre = float(np.median(f0[keep]))
    cents = 1200 * np.log2(f0[keep] / centre)
    smoothed = scipy.ndimage.median_filter(cents, size=smooth, mode="nearest")
    return {"drift_cents": float(np.ptp(smoothed)), "spread_cents": float(np.std(cents)),
            "slope_cents_per_s": _line_fit(times[keep], cents)[0], "median_f0_hz": centre,
            "voiced_fraction": float(keep.mean())}


def tonal_fraction(signal, rate: int, f0: float, band=(40.0, None), tolerance: float = 0.03,
                   segment: int = 16384) -> float:
    """Share of the band's power at the harmonics of ``f0``: ``Σ_n P(|f − n·f0| ≤ tol·n·f0) / Σ P``.

    Welch PSD (Hann ``segment``, 50 % overlap) over ``band``.  1 = purely harmonic at that
    pitch, near 0 = noise or another pitch (higher is better).
    """
    signal = np.asarray(signal, dtype=np.float64)
    segment = min(segment, len(signal))
    frequencies, power = scipy.signal.welch(signal, rate, window="hann", nperseg=segment, noverlap=segment // 2)
    high = band[1] if band[1] is not None else rate / 2
    inside = (frequencies >= band[0]) & (frequencies <= high)
    total = power[inside].sum()
    if total <= 0 or not np.isfinite(f0) or f0 <= 0:
        return float("nan")
    harmonic = np.round(frequencies / f0)
    near = (harmonic >= 1) & (np.abs(frequencies - harmonic * f0) <= tolerance * harmonic * f0)
    return float(power[inside & near].sum() / total)


def band_flatness(signal, rate: int, band=(40.0, None), frame: int = 2048, hop: int = 1024,
                  floor: float = 1e-6) -> float:
    """Spectral flatness of a note over a frequency band (decay's noise measure, requirement (3)).

    Hann STFT (``frame``, ``hop``); per frame ``SF_k = exp(mean ln P) / mean P`` over the bins
    in ``band``; the median over frames whose mean band power ≥ ``floor`` × the loudest
    frame's.  0 = tonal, 1 = white noise (lower is less noisy).
    """
    _, _, power = _power_frames(signal, frame, hop, "hann")
    frequencies = np.fft.rfftfreq(frame, 1.0 / rate)
    high = band[1] if band[1] is not None else rate / 2
    power = power[:, (frequencies >= band[0]) & (frequencies <= high)]
    mean = power.mean(axis=1)
    if not len(mean) or mean.max() <= 0:
        return float("nan")
    keep = mean >= floor * mean.max()
    flatness = np.exp(np.mean(np.log(np.maximum(power[keep], 1e-300)), axis=1)) / mean[keep]
    return float(np.median(flatness))


def level_dbfs(signal) -> float:
    """RMS level in dB relative to full scale ±1: ``20·log10(rms)`` (−240 for digital silence)."""
    rms = np.sqrt(np.mean(np.asarray(signal, dtype=np.float64) ** 2)) if len(signal) else 0.0
    return float(20 * np.log10(max(rms, 1e-12)))


# ---------------------------------------------------------------------------------------------
# Spectral front end of the dreaming criteria (shared/README.md, "The criteria", "Front end")
# ---------------------------------------------------------------------------------------------

def _power_frames(signal, frame: int, hop: int, window: str = "hann-periodic"):
    """Frames of ``signal`` (no padding), the window used, and the power spectrogram [T × frame/2+1]."""
    signal = np.asarray(signal, dtype=np.float64)
    if len(signal) < frame:
        signal = np.pad(signal, (0, frame - len(signal)))
    frames = np.lib.stride_tricks.sliding_window_view(signal, frame)[::hop]
    taper = scipy.signal.get_window("hann", frame, fftbins=(window == "hann-periodic"))
    return frames, taper, np.abs(np.fft.rfft(frames * taper, axis=1)) ** 2


def mel_filterbank(rate: int, frame: int, bands: int = 64, low_hz: float = 0.0,
                   high_hz: float | None = None) -> np.ndarray:
    """Triangular HTK-mel filters, unnormalised (peak 1), shape [bands × frame/2+1].

    ``mel(f) = 2595·log10(1 + f/700)``; band edges equally spaced in mel from ``low_hz`` to
    ``high_hz`` (default Nyquist).
    """
    high_hz = rate / 2 if high_hz is None else high_hz
    low_mel, high_mel = 2595.0 * np.log10(1.0 + np.array([low_hz, high_hz]) / 700.0)
    edges = 700.0 * (10 ** (np.linspace(low_mel, high_mel, bands + 2) / 2595.0) - 1.0)
    frequencies = np.fft.rfftfreq(frame, 1.0 / rate)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (frequencies - lower) / (centre - lower)
    falling = (upper - frequencies) / (upper - centre)
    return np.maximum(0.0, np.minimum(rising, falling))


@dataclass
class SpectralFeatures:
    """The dreaming criteria's common front end for one signal (mono, at ``rate``).

    ``power`` [T × 513] (periodic Hann 1024, hop 256, no padding), ``active`` (frame energy
    within 50 dB of the loudest), ``log_mel`` [T × 64] (HTK mel, ln(·+1e-10), floored ``TOP_DB``
    dB below the loudest mel value), ``mfcc`` [T × 20] (DCT-II ortho, c1..c20), ``chroma`` [T × 12]
    (power per pitch class, 60–2000 Hz).
    """

    signal: np.ndarray
    rate: int
    frame: int
    hop: int
    power: np.ndarray
    active: np.ndarray
    log_mel: np.ndarray
    mfcc: np.ndarray
    chroma: np.ndarray


FRONT_END_RATE = 11025
#: The log-mel floor below the signal's loudest mel value, in dB (librosa's ``top_db``).
TOP_DB = 80.0


def spectral_features(signal, rate: int = FRONT_END_RATE, frame: int = 1024, hop: int = 256,
                      mel_bands: int = 64) -> SpectralFeatures:
    """Compute :class:`SpectralFeatures` (``signal`` must already be mono; any rate works)."""
    signal = np.asarray(signal, dtype=np.float64)
    _, _, power = _power_frames(signal, frame, hop)
    energy = power.sum(axis=1)
    active = energy >= energy.max() * 1e-5 if energy.max() > 0 else np.zeros(len(energy), dtype=bool)  # −50 dB
    mel = power @ mel_filterbank(rate, frame, mel_bands).T
    log_mel = np.log(np.maximum(mel + 1e-10, mel.max() * 10 ** (-TOP_DB / 10)))
    mfcc = scipy.fft.dct(log_mel, type=2, norm="ortho", axis=1)[:, 1:21]
    frequencies = np.fft.rfftfreq(frame, 1.0 / rate)
    inside = np.nonzero((frequencies >= 60.0) & (frequencies <= 2000.0))[0]
    pitch_class = np.round(12 * np.log2(frequencies[inside] / 440.0)).astype(int) % 12
    chroma = np.zeros((len(power), 12))
    for k in range(12):
        chroma[:, k] = power[:, inside[pitch_class == k]].sum(axis=1)
    return SpectralFeatures(signal, rate, frame, hop, power, active, log_mel, mfcc, chroma)


# ---------------------------------------------------------------------------------------------
# C1: artifacts (M1–M4b)
# ---------------------------------------------------------------------------------------------

def hf_noise_floor(features: SpectralFeatures, above_hz: float = 2000.0) -> float:
    """M1, high-frequency noise floor in dB (lower = cleaner).

    Per active frame, the 10th percentile over bins above ``above_hz`` of
    ``10·log10(P_bin / Σ_bins P)``; the median over frames.
    """
    frequencies = np.fft.rfftfreq(features.frame, 1.0 / features.rate)
    power = features.power[features.active]
    if not len(power):
        return float("nan")
    relative = power[:, frequencies > above_hz] / power.sum(axis=1, keepdims=True)
    return float(np.median(np.percentile(10 * np.log10(np.maximum(relative, 1e-300)), 10, axis=1)))


def spectral_flatness(features: SpectralFeatures) -> float:
    """M2, spectral flatness: median over active frames of geo-mean / arith-mean of P over bins 1..frame/2.

    Lower = more tonal: a pure tone is near 0; white noise has expected flatness
    ``e^(−γ)`` ≈ 0.5615 (each periodogram bin is exponentially distributed).
    """
    power = features.power[features.active][:, 1:]
    if not len(power):
        return float("nan")
    geometric = np.exp(np.mean(np.log(np.maximum(power, 1e-300)), axis=1))
    return float(np.median(geometric / power.mean(axis=1)))


def block_edge_ratio(signal, block: int) -> float:
    """M3, block-edge discontinuity ratio ``B_L = mean|Δx[kL−1]| / mean|Δx|`` (k ≥ 1, Δx[t] = x[t+1]−x[t]).

    1.0 = no discontinuity at the edges of blocks of ``block`` samples; > 1.1 = clicks there
    (lower, towards 1, is better).
    """
    difference = np.abs(np.diff(np.asarray(signal, dtype=np.float64)))
    edges = np.arange(block - 1, len(difference), block)
    if not len(edges) or difference.mean() == 0:
        return float("nan")
    return float(difference[edges].mean() / difference.mean())


def roughness(signal) -> float:
    """M4, roughness ``mean(Δx²) / mean(x²)`` (compare with the reference's; higher = more HF energy)."""
    signal = np.asarray(signal, dtype=np.float64)
    energy = np.mean(signal**2)
    return float(np.mean(np.diff(signal) ** 2) / energy) if energy > 0 else float("nan")


def max_normalised_autocorrelation(signal, rate: int, min_lag_s: float = 1.0) -> tuple[float, float]:
    """Max over lags ≥ ``min_lag_s`` (and overlaps ≥ ``min_lag_s``) of
    ``Σ x[t]x[t+τ] / sqrt(Σ x[t]² Σ x[t+τ]²)``.

    Returns (value, lag in s).  Near 1 = the signal repeats itself exactly after that lag.
    """
    signal = np.asarray(signal, dtype=np.float64)
    count, shortest = len(signal), int(round(min_lag_s * rate))
    if count < 2 * shortest or not np.any(signal):
        return 0.0, float("nan")
    size = scipy.fft.next_fast_len(2 * count)
    spectrum = scipy.fft.rfft(signal, size)
    product = scipy.fft.irfft(spectrum * np.conj(spectrum), size)[: count]
    cumulative = np.concatenate([[0.0], np.cumsum(signal**2)])
    lags = np.arange(shortest, count - shortest + 1)
    head = cumulative[count - lags]  # Σ_{t < N−τ} x[t]²
    tail = cumulative[count] - cumulative[lags]  # Σ_{t ≥ τ} x[t]²
    denominator = np.sqrt(head * tail)
    values = np.where(denominator > 1e-12 * cumulative[count], product[lags] / np.maximum(denominator, 1e-300), 0.0)
    best = int(np.argmax(values))
    return float(values[best]), float(lags[best] / rate)


def signal_flags(signal, rate: int, frame: int = 1024, hop: int = 256) -> dict:
    """M4b: ``clipped_fraction`` (|x| ≥ 0.999), ``dc`` (mean), ``silent_fraction`` (frames below −60 dBFS RMS),
    ``stuck_loop`` (max normalised autocorrelation > 0.99 at a lag ≥ 1 s; also ``loop_correlation``
    and ``loop_lag_s``).  All lower / False is better; a steady tone also counts as a loop."""
    signal = np.asarray(signal, dtype=np.float64)
    envelope = rms_envelope(signal, frame, hop)
    correlation, lag = max_normalised_autocorrelation(signal, rate)
    return {
        "clipped_fraction": float(np.mean(np.abs(signal) >= 0.999)),
        "dc": float(signal.mean()),
        "silent_fraction": float(np.mean(envelope < 10 ** (-60 / 20))),
        "loop_correlation": correlation, "loop_lag_s": lag, "stuck_loop": bool(correlation > 0.99),
    }


# ---------------------------------------------------------------------------------------------
# C2: resembles the reference (M5–M8)
# ---------------------------------------------------------------------------------------------

def _unit_rows(matrix) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def _best_match(queries, keys, chunk: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """For each unit-norm query row, the max cosine against unit-norm key rows and its index."""
    best, index = np.empty(len(queries)), np.empty(len(queries), dtype=int)
    for start in range(0, len(queries), chunk):
        similarity = queries[start : start + chunk] @ keys.T
        index[start : start + chunk] = np.argmax(similarity, axis=1)
        best[start : start + chunk] = similarity[np.arange(len(similarity)), index[start : start + chunk]]
    return best, index


def _centred_mel(features: SpectralFeatures) -> np.ndarray:
    return features.log_mel - features.log_mel.mean(axis=1, keepdims=True)


def mel_nearest_neighbour(output: SpectralFeatures, reference: SpectralFeatures) -> float:
    """M5, frame nearest-neighbour similarity (higher = more resembling).

    Each frame's log-mel vector minus its own mean, L2-normalised; for every output frame the
    max cosine against all reference frames; the median over output frames.
    """
    best, _ = _best_match(_unit_rows(_centred_mel(output)), _unit_rows(_centred_mel(reference)))
    return float(np.median(best))


def frechet_mfcc(output: SpectralFeatures, reference: SpectralFeatures) -> float:
    """M6, FD-MFCC: Fréchet distance between Gaussian fits of the active-frame MFCCs (c1..c20).

    ``|μ₁ − μ₂|² + tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½)`` (lower = more resembling).  Not FAD: no learned
    embedding is involved.
    """
    first, second = output.mfcc[output.active], reference.mfcc[reference.active]
    if len(first) < 2 or len(second) < 2:
        return float("nan")
    mean_a, mean_b = first.mean(axis=0), second.mean(axis=0)
    cov_a, cov_b = np.cov(first, rowvar=False), np.cov(second, rowvar=False)
    root = scipy.linalg.sqrtm(cov_a @ cov_b)
    root = np.real(root) if np.iscomplexobj(root) else root
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * root))


def ltas_distance(output: SpectralFeatures, reference: SpectralFeatures) -> float:
    """M7, long-term average spectrum distance in dB (lower = more resembling).

    The mel power averaged over active frames, in dB with its mean over bands removed; the RMS
    difference between output and reference.
    """
    def ltas(features):
        mel = np.exp(features.log_mel[features.active]) - 1e-10
        level = 10 * np.log10(np.maximum(mel.mean(axis=0), 1e-20)) if len(mel) else np.zeros(features.log_mel.shape[1])
        return level - level.mean()
    return float(np.sqrt(np.mean((ltas(output) - ltas(reference)) ** 2)))


def chroma_profile(features: SpectralFeatures) -> np.ndarray:
    """12-bin pitch-class profile: power summed per class (60–2000 Hz, round(12·log2(f/440)) mod 12) over the
    active frames."""
    return features.chroma[features.active].sum(axis=0)


def chroma_cosine(output: SpectralFeatures, reference: SpectralFeatures) -> float:
    """M8, cosine between the two signals' :func:`chroma_profile` (higher = same pitch classes)."""
    first, second = chroma_profile(output), chroma_profile(reference)
    norm = np.linalg.norm(first) * np.linalg.norm(second)
    return float(first @ second / norm) if norm > 0 else float("nan")


# ---------------------------------------------------------------------------------------------
# C3: does not merely copy the reference (M9–M12)
# ---------------------------------------------------------------------------------------------

def waveform_copy(signal, reference, rate: int, window_s: float = 0.5, hop_s: float = 0.25, threshold: float = 0.9,
                  batch: int = 16) -> dict:
    """M9, waveform copy detection by windowed normalised cross-correlation (low = novel).

    The output is cut into windows of ``window_s`` every ``hop_s``; for each, the max over all
    lags of ``|Σ w[t]·R[τ+t]| / (‖w‖·‖R[τ : τ+W]‖)`` (FFT cross-correlation, divided by the
    sliding energy of R).  Windows quieter than −80 dBFS RMS count as not copied.  Returns
    ``fraction`` (windows with NCC ≥ ``threshold``), ``longest_s`` (the longest run of
    consecutive copied windows, ``window + (k−1)·hop`` seconds) and the ``ncc`` per window.
    """
    signal, reference = np.asarray(signal, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    width, step = int(round(window_s * rate)), int(round(hop_s * rate))
    if len(signal) < width or len(reference) < width:
        return {"fraction": 0.0, "longest_s": 0.0, "ncc": []}
    starts = np.arange(0, len(signal) - width + 1, step)
    size = scipy.fft.next_fast_len(len(reference) + width - 1, real=True)
    reference_spectrum = scipy.fft.rfft(reference.astype(np.float32), size)
    cumulative = np.concatenate([[0.0], np.cumsum(reference**2)])
    # ‖R[τ:τ+W]‖, τ = 0 … len(R)−W
    sliding = np.sqrt(np.maximum(cumulative[width:] - cumulative[:-width], 0.0))
    sliding = np.maximum(sliding, 1e-6 * np.sqrt(width))  # a silent stretch of R cannot match
    ncc = np.zeros(len(starts))
    windows = np.lib.stride_tricks.sliding_window_view(signal, width)[starts]
    norms = np.linalg.norm(windows, axis=1)
    loud = norms / np.sqrt(width) >= 1e-4
    for first in range(0, len(starts), batch):
        chosen = np.nonzero(loud[first : first + batch])[0] + first
        if not len(chosen):
            continue
        spectra = scipy.fft.rfft(windows[chosen, ::-1].astype(np.float32), size, axis=1)
        correlation = scipy.fft.irfft(spectra * reference_spectrum, size, axis=1, workers=-1)
        valid = correlation[:, width - 1 : len(reference)]  # lag τ = index − (W − 1)
        ncc[chosen] = np.max(np.abs(valid) / sliding, axis=1) / norms[chosen]
    copied = ncc >= threshold
    longest = _longest_run(copied)
    return {"fraction": float(copied.mean()), "longest_s": float(window_s + (longest - 1) * hop_s) if longest else 0.0,
            "ncc": ncc.round(4).tolist()}


def _longest_run(flags) -> int:
    """Length of the longest run of True in a boolean sequence."""
    best = current = 0
    for flag in flags:
        current = current + 1 if flag else 0
        best = max(best, current)
    return best


def _contexts(features: SpectralFeatures, length: int) -> np.ndarray:
    """Unit-norm stacks of ``length`` consecutive mean-removed log-mel frames (one per start frame)."""
    centred = _centred_mel(features)
    if len(centred) < length:
        return np.zeros((0, centred.shape[1] * length))
    stacked = np.lib.stride_tricks.sliding_window_view(centred, length, axis=0)  # [T−length+1, bands, length]
    return _unit_rows(stacked.transpose(0, 2, 1).reshape(len(stacked), -1))


def feature_copy_fraction(output: SpectralFeatures, reference: SpectralFeatures, context: int = 8,
                          threshold: float = 0.95) -> float:
    """M10, feature copy fraction (low = novel).

    Contexts of ``context`` consecutive mean-removed log-mel frames (8 ≈ 0.26 s at hop 256 and
    11025 Hz), L2-normalised; the fraction of output contexts whose max cosine to any
    reference context is ≥ ``threshold``.
    """
    queries, keys = _contexts(output, context), _contexts(reference, context)
    if not len(queries) or not len(keys):
        return float("nan")
    best, _ = _best_match(queries, keys)
    return float(np.mean(best >= threshold))


def longest_diagonal_match(output: SpectralFeatures, reference: SpectralFeatures, context: int = 16,
                           threshold: float = 0.9) -> float:
    """M11, longest diagonal match in the cross-similarity matrix, in seconds (low = novel).

    For each output context (``context`` frames, as :func:`feature_copy_fraction`) the best
    reference context j(t) and its similarity s(t).  A run continues while s(t) and s(t−1)
    are ≥ ``threshold`` and ``|j(t) − j(t−1) − 1| ≤ 1`` (the output walks along the reference
    in step).  The longest run's number of steps × hop / rate.
    """
    queries, keys = _contexts(output, context), _contexts(reference, context)
    if len(queries) < 2 or not len(keys):
        return 0.0
    best, index = _best_match(queries, keys)
    linked = (best[1:] >= threshold) & (best[:-1] >= threshold) & (np.abs(index[1:] - index[:-1] - 1) <= 1)
    return float(_longest_run(linked) * output.hop / output.rate)


def foote_novelty(features: SpectralFeatures, kernel: int = 64) -> np.ndarray:
    """Foote's audio novelty curve over the MFCC self-similarity matrix.

    Self-similarity = cosine of mean-removed MFCC frames; correlated along the diagonal with a
    ``kernel``-frame checkerboard kernel tapered by a Gaussian (σ = kernel/4).  Peaks mark
    segment boundaries (higher = a bigger change at that frame).
    """
    mfcc = _unit_rows(features.mfcc - features.mfcc.mean(axis=0))
    count, half = len(mfcc), kernel // 2
    similarity = mfcc @ mfcc.T
    axis = np.arange(-half, half) + 0.5
    taper = np.exp(-0.5 * (axis / (kernel / 4)) ** 2)
    checker = np.outer(np.sign(axis), np.sign(axis)) * np.outer(taper, taper)
    padded = np.pad(similarity, half)
    novelty = np.zeros(count)
    for t in range(count):
        novelty[t] = np.sum(padded[t : t + kernel, t : t + kernel] * checker)
    return np.maximum(novelty, 0.0)


def _segment_labels(features: SpectralFeatures, kernel: int) -> list[int]:
    novelty = foote_novelty(features, kernel)
    peaks, _ = scipy.signal.find_peaks(novelty, height=0.1 * novelty.max() if len(novelty) else 0, distance=kernel // 2)
    bounds = [0, *peaks.tolist(), len(novelty)]
    labels = []
    for start, end in zip(bounds[:-1], bounds[1:]):
        chroma = features.chroma[start:end].sum(axis=0)
        if end > start and chroma.sum() > 0:
            labels.append(int(np.argmax(chroma)))
    return [label for k, label in enumerate(labels) if k == 0 or label != labels[k - 1]]  # merge repeats


def event_order_novelty(output: SpectralFeatures, reference: SpectralFeatures, kernel: int = 64) -> float:
    """M12, event-order novelty (the paper's "reordering of pitches"; higher = more novel).

    Both signals are segmented at the peaks of :func:`foote_novelty` (64-frame kernel ≈ 1.5 s;
    peaks ≥ 10 % of the highest, at least half a kernel apart);
    each segment is labelled by its chroma argmax (repeated labels merged); the score is the
    fraction of the output's pitch-class trigrams that never occur in the reference.  NaN when
    the output has fewer than three segments.
    """
    ours, theirs = _segment_labels(output, kernel), _segment_labels(reference, kernel)
    trigrams = [tuple(ours[k : k + 3]) for k in range(len(ours) - 2)]
    if not trigrams:
        return float("nan")
    known = {tuple(theirs[k : k + 3]) for k in range(len(theirs) - 2)}
    return float(np.mean([trigram not in known for trigram in trigrams]))


# ---------------------------------------------------------------------------------------------
# Aligned comparisons (reconstruction; autoencoder_synth)
# ---------------------------------------------------------------------------------------------

def magnitude_frames(signal, frame: int = 2048, hop: int = 1024, window: str | None = None) -> np.ndarray:
    """|rfft| of frames (rectangular by default, as Sarroff & Casey), divided by ``frame``: [T × frame/2+1]."""
    signal = np.asarray(signal, dtype=np.float64)
    if len(signal) < frame:
        signal = np.pad(signal, (0, frame - len(signal)))
    frames = np.lib.stride_tricks.sliding_window_view(signal, frame)[::hop]
    if window is not None:
        frames = frames * scipy.signal.get_window(window, frame)
    return np.abs(np.fft.rfft(frames, axis=1)) / frame


def _same_shape(first, second):
    first, second = np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)
    count = min(len(first), len(second))
    return first[:count], second[:count]


def summed_squared_error(estimate, reference) -> float:
    """Sarroff & Casey's reconstruction error: ``mean_frames Σ_bins (ŷ − y)²`` on [T × bins] arrays (lower is
    better)."""
    estimate, reference = _same_shape(estimate, reference)
    return float(np.mean(np.sum((estimate - reference) ** 2, axis=1)))


def spectral_convergence(estimate, reference) -> float:
    """``‖|Y| − |Ŷ|‖_F / ‖|Y|‖_F`` on magnitude spectrograms (lower is better; 0 = identical)."""
    estimate, reference = _same_shape(estimate, reference)
    norm = np.linalg.norm(reference)
    return float(np.linalg.norm(reference - estimate) / norm) if norm > 0 else float("nan")


def log_spectral_distance(estimate, reference, floor: float = 1e-10) -> float:
    """``mean_frames sqrt(mean_bins (10·log10 P − 10·log10 P̂)²)`` in dB on magnitude spectrograms (lower is
    better)."""
    estimate, reference = _same_shape(estimate, reference)
    difference = 20 * np.log10(np.maximum(reference, floor)) - 20 * np.log10(np.maximum(estimate, floor))
    return float(np.mean(np.sqrt(np.mean(difference**2, axis=1))))


def snr_db(estimate, reference) -> float:
    """``10·log10(Σ y² / Σ (y − ŷ)²)`` for time-aligned signals (higher is better)."""
    estimate, reference = _same_shape(estimate, reference)
    error = np.sum((reference - estimate) ** 2)
    return float(10 * np.log10(np.sum(reference**2) / error)) if error > 0 else float("inf")


def si_sdr_db(estimate, reference) -> float:
    """Scale-invariant SDR: with ``α = ⟨ŷ, y⟩/‖y‖²``, ``10·log10(‖αy‖² / ‖αy − ŷ‖²)``
    (aligned signals; higher is better).

    Unchanged when the estimate is scaled by any non-zero factor.
    """
    estimate, reference = _same_shape(estimate, reference)
    energy = np.sum(reference**2)
    if energy == 0:
        return float("nan")
    target = (estimate @ reference / energy) * reference
    error = np.sum((target - estimate) ** 2)
    return float(10 * np.log10(np.sum(target**2) / error)) if error > 0 else float("inf")


def envelope_correlation(signal, reference, frame: int = 1024, hop: int = 512) -> float:
    """Pearson correlation of the RMS envelopes of two time-aligned signals over their common length (higher is
    better; NaN if either is flat)."""
    signal, reference = _same_shape(signal, reference)
    first, second = rms_envelope(signal, frame, hop), rms_envelope(reference, frame, hop)
    if len(first) < 2 or first.std() == 0 or second.std() == 0:
        return float("nan")
    return float(np.corrcoef(first, second)[0, 1])
