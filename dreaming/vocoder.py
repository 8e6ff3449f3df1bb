"""The magnitude-spectrum approach's analysis and its oscillator-bank channel vocoder
(Pfalz's ``to_real_better`` and ``to_audio_new``), as ``dreaming/README.md`` ('The equations') writes them.

Everything here is float64 numpy:

* **analysis** :func:`magnitude_spectrogram`: frames at 0, hop, 2·hop, … while a whole
  window remains (no padding, the tail dropped), a symmetric Blackman window, each frame
  zero-padded to 2·window, the magnitude of the first ``window`` bins, so bin k sits at
  k·fs/(2·window) (:func:`bin_frequencies`); :func:`normalise` divides the whole
  spectrogram by its single global max (paper §2.3.2).
* **masking** :func:`pick_peaks`: the per-frame local-maximum peak picking, the only masking
  the code applied (Q7), negatives clipped as it clipped them; :func:`threshold_mask`: the
  paper's threshold masking, which the code computed but never used (off by default in
  :func:`synthesise`; :data:`DEFAULT_TAU` is our documented value, the paper gives none).
* **resynthesis** :func:`synthesise`: one free-running sine per bin at the bin centre, with
  a random integer phase offset u_k ∈ [0, 200), under a piecewise-linear envelope
  (:func:`envelopes`) of (N+1)·hop samples that fades in and out over one hop; the sum is
  divided by its **signed** max, so the max is exactly 1 and the min may fall below −1 (Q8).

:func:`pick_peaks_loop` and :func:`synthesise_loop` are plain per-bin transcriptions of the
original's loops, kept as the independent computation the vectorised versions are tested
against (and to time them against).
"""

from __future__ import annotations

import numpy as np

#: The threshold τ we document for :func:`threshold_mask`: 0.01 of the training spectrogram's
#: global max, i.e. −40 dB. The paper (§2.3.2) gives no value and the code applied none, so
#: :func:`synthesise` leaves it off unless asked.
DEFAULT_TAU = 0.01

#: Exclusive upper bound of the per-bin random integer phase offset u_k (``randint(200)``).
PHASE_OFFSETS = 200


# --------------------------------------------------------------------------- analysis


def magnitude_spectrogram(signal, window: int = 1024, hop: int = 256) -> np.ndarray:
    """Zero-padded Blackman magnitude spectra (``to_real_better`` without its normalisation).

    Parameters
    ----------
    signal : array of shape (T,)
        Mono samples.
    window : int
        Frame length, also the number of bins returned (L = 1024 for every paper example).
    hop : int
        Distance between frame starts (1024, 512, 256, 128 or 56 in the paper).

    Returns
    -------
    np.ndarray of shape (F, window)
        F = ⌊(T − window)/hop⌋ + 1 frames starting at 0, hop, 2·hop, … (the tail that does
        not fill a window is dropped, nothing is padded); row i is |FFT_{2·window}(x_i · w)|
        for bins 0..window−1, w = ``np.blackman(window)`` (symmetric), so bin k is at
        k·fs/(2·window) and Nyquist is excluded. Unnormalised: see :func:`normalise`.
    """
    signal = np.asarray(signal, dtype=np.float64)
    if signal.ndim != 1:
        raise ValueError(f"expected a mono signal of shape (T,), got shape {signal.shape}")
    if window < 1 or hop < 1:
        raise ValueError(f"window and hop must be positive, got window={window}, hop={hop}")
    if len(signal) < window:
        raise ValueError(f"the signal has {len(signal)} samples, fewer than one window of {window}: "
                         "no frame to analyse")
    frames = np.lib.stride_tricks.sliding_window_view(signal, window)[::hop]
    spectrum = np.fft.rfft(frames * np.blackman(window), n=2 * window, axis=1)  # zero-padded to 2·window
    return np.abs(spectrum[:, :window])


def normalise(spectrogram) -> tuple[np.ndarray, float]:
    """Divide a spectrogram by its single global maximum (paper §2.3.2).

    The same function serves an external seed file: the original normalised an FFT seed
    read from its own file by **that file's own** max, not by the training max (Q15), which
    is exactly ``normalise(magnitude_spectrogram(seed_signal, …))``.

    Parameters
    ----------
    spectrogram : array
        Magnitudes (any shape).

    Returns
    -------
    (np.ndarray, float)
        ``spectrogram / peak`` (max exactly 1) and ``peak``, the global max.
    """
    spectrogram = np.asarray(spectrogram, dtype=np.float64)
    peak = float(np.max(spectrogram))
    if not peak > 0:  # the original would divide by zero (NaN everywhere)
        raise ValueError(f"cannot normalise a spectrogram whose global max is {peak} (silent input?)")
    return spectrogram / peak, peak


def bin_frequencies(window: int, rate: float) -> np.ndarray:
    """The oscillator frequencies of ``get_bins_new``: k·rate/(2·window) Hz, k = 0..window−1 (bin centres)."""
    return np.arange(window) * rate / (2.0 * window)


# --------------------------------------------------------------------------- masking


def pick_peaks(frames) -> np.ndarray:
    """Per-frame local-maximum peak picking (``get_peaks``), vectorised.

    The original loops over the interior bins i = 1..L−2 of each frame, left to right; it first
    clips ``x[i] < 0`` to 0 **in the caller's array**, then keeps x[i] in a separate output only
    if ``x[i] > x[i−1] and x[i] > x[i+1]`` (strictly), else writes 0; bins 0 and L−1 are 0.

    Neighbour semantics (``get_peaks``, sf:257-275, clips only in place, and appends each kept
    value or 0 to a separate list): the left neighbour has already
    been **clipped** but never **zeroed** by the test, because kept/zeroed values go to the
    output, not back into the frame; the right neighbour is still unclipped. Both are equivalent
    to comparing clipped values, since the clipped x[i] is ≥ 0 (bin 0 is never clipped, but a
    negative x[0] compares like 0 for the same reason). So: c = max(x, 0); out[i] = c[i] where
    c[i] > c[i−1] and c[i] > c[i+1], else 0. Consequences: a plateau (equal neighbours) keeps
    none of its bins; a run of negatives becomes zeros; a slope keeps only its top (no
    every-other-bin survivors, which in-place zeroing would have produced).

    Unlike the original, the caller's array is not modified (it was: the dream list's
    interior negatives were clipped as a side effect). Returns a new array of the same shape.

    Parameters
    ----------
    frames : array of shape (N, L) or (L,)

    Returns
    -------
    np.ndarray, like ``frames``
    """
    frames = np.asarray(frames, dtype=np.float64)
    clipped = np.maximum(frames, 0.0)  # faithful (Q7/Q16): negatives clipped before the comparison
    out = np.zeros_like(clipped)
    if clipped.shape[-1] < 3:
        return out  # no interior bin: both (or the one) edge bins are zeroed
    middle = clipped[..., 1:-1]
    keep = (middle > clipped[..., :-2]) & (middle > clipped[..., 2:])  # strict: plateaus drop out
    out[..., 1:-1] = np.where(keep, middle, 0.0)
    return out


def pick_peaks_loop(frames) -> np.ndarray:
    """:func:`pick_peaks` as the original's per-bin loop, clipping in place on a copy (reference and benchmark)."""
    data = np.array(frames, dtype=np.float64, copy=True)  # the loop's in-place clipping lands here, not in the caller's
    squeeze = data.ndim == 1
    data = np.atleast_2d(data)
    peaks = np.zeros_like(data)
    for j in range(len(data)):
        row = data[j]
        for i in range(1, len(row) - 1):
            if row[i] < 0.0:
                row[i] = 0.0  # in place: bin i+1 will see its left neighbour clipped
            if row[i] > row[i - 1] and row[i] > row[i + 1]:
                peaks[j, i] = row[i]  # into a separate output: a zeroed bin is not written back
    return peaks[0] if squeeze else peaks


def threshold_mask(frames, tau: float = DEFAULT_TAU) -> np.ndarray:
    """The paper's threshold masking (§2.3.2): bins with magnitude below τ become 0.

    The code never applied it (``threshold = max − 500`` is computed and unused, Q7), so
    :func:`synthesise` takes ``tau=None`` (off) by default. τ is absolute, on magnitudes
    normalised by the training spectrogram's global max; :data:`DEFAULT_TAU` = 0.01 (−40 dB)
    is our documented choice, as the paper gives no value. Negative values are below any
    τ ≥ 0, so they become 0 too.

    Parameters
    ----------
    frames : array
    tau : float
        Threshold, ≥ 0.

    Returns
    -------
    np.ndarray, like ``frames`` (a new array)
    """
    if tau is None or not tau >= 0:
        raise ValueError(f"the threshold τ must be a number ≥ 0, got {tau!r}")
    frames = np.asarray(frames, dtype=np.float64)
    return np.where(frames < tau, 0.0, frames)


# --------------------------------------------------------------------------- resynthesis


def envelopes(amplitudes, hop: int) -> np.ndarray:
    """Piecewise-linear amplitude envelopes (``make_envelope``), one per bin.

    For a bin's frame amplitudes a_0..a_{N−1} the envelope is the concatenation of N+1
    segments of exactly ``hop`` samples, each ``np.linspace(start, end, hop)`` (both ends
    included): 0 → a_0, then a_j → a_{j+1} for j = 0..N−2, then a_{N−1} → 0. Because every
    segment holds both of its end points, each a_j appears twice in a row at a segment
    boundary (faithful, Q8), there is no sample "between" frames, and the length is exactly
    (N+1)·hop: the first and last hop samples are the fade-in from and fade-out to 0, and
    sample 0 and the last sample are exactly 0. With hop = 1 each segment is just its start.

    (For N = 1 the original's loop appended no fade-in and returned only hop samples; we
    keep the (N+1)·hop rule there too, as README quirk Q8 states it. Dreams are 1000 frames.)

    Parameters
    ----------
    amplitudes : array of shape (..., N)
        Amplitudes over frames on the last axis (one row per bin).
    hop : int

    Returns
    -------
    np.ndarray of shape (..., (N+1)·hop)
    """
    amplitudes = np.asarray(amplitudes, dtype=np.float64)
    if hop < 1 or amplitudes.shape[-1] < 1:
        raise ValueError(f"need hop ≥ 1 and at least one frame, got hop={hop}, shape {amplitudes.shape}")
    zero = np.zeros(amplitudes.shape[:-1] + (1,))
    starts = np.concatenate([zero, amplitudes], axis=-1)
    ends = np.concatenate([amplitudes, zero], axis=-1)
    segments = np.linspace(starts, ends, hop, axis=-1)  # (..., N+1, hop), endpoints included
    return segments.reshape(amplitudes.shape[:-1] + (-1,))


def _validate(frames, hop: int) -> np.ndarray:
    frames = np.asarray(frames, dtype=np.float64)
    if frames.ndim != 2 or frames.shape[0] < 1 or frames.shape[1] < 1:
        raise ValueError(f"expected frames of shape (N ≥ 1, L ≥ 1), got {frames.shape}")
    if hop < 1:
        raise ValueError(f"hop must be ≥ 1, got {hop}")
    return frames


def _mask(frames: np.ndarray, peaks: bool, tau: float | None, picker) -> np.ndarray:
    if tau:  # None or 0: off, as the code (Q7)
        frames = threshold_mask(frames, tau)
    if peaks:
        return picker(frames)
    # Our extension: the original always peak-picked; without it we still clip negative
    # predicted magnitudes (Q16) rather than let them invert an oscillator.
    return np.maximum(frames, 0.0)


def _omega(bins: int, window: int, rate: float) -> np.ndarray:
    """ω_k = 2π·f_k/rate per sample, f_k = k·rate/(2·window) (the same float operations as the loop)."""
    return 2.0 * np.pi * (np.arange(bins) * rate / (2.0 * window)) / rate


def _offsets(rng, bins: int) -> np.ndarray:
    """u_k for every bin, all drawn at once up front (the original drew ``randint(200)`` bin by bin)."""
    rng = np.random.default_rng(0) if rng is None else rng
    return rng.integers(0, PHASE_OFFSETS, size=bins)


def _signed_max_normalise(out: np.ndarray) -> np.ndarray:
    peak = out.max()
    if not peak > 0:
        # The original divides anyway (0/0 = NaN for silence). Sample 0 is always exactly 0
        # (the fade-in starts at 0), so the max is never negative; a max of 0 means silence.
        return np.zeros_like(out)
    return out / peak  # faithful (Q8): the signed max, so max = 1 exactly and the min may be < −1


def synthesise(frames, hop: int, rate: float, window: int | None = None, *, peaks: bool = True,
               tau: float | None = None, rng: np.random.Generator | None = None, chunk: int = 256) -> np.ndarray:
    """The oscillator-bank channel vocoder ``to_audio_new``, vectorised.

    Steps: the optional threshold τ (:func:`threshold_mask`), local-maximum peak picking
    (:func:`pick_peaks`, on by default), then for every bin k an oscillator
    sin(ω_k·(m + u_k)) · env_k[m], m = 0..(N+1)·hop−1, with ω_k = 2π·f_k/rate, f_k the bin
    centre k·rate/(2·window), u_k a random integer in [0, 200) and env_k the bin's
    :func:`envelopes`; the oscillators are summed and divided by the signed max.

    Memory and speed: no [L, (N+1)·hop] matrix is built. Within hop-segment s the envelope is
    A_sk·(1 − t_j) + B_sk·t_j with t_j = j/(hop−1), and sin(ω_k(s·hop + j + u_k)) splits into
    sin/cos of ω_k(s·hop + u_k) times cos/sin of ω_k·j, so the sum over bins is two
    matrix products [N+1, 2K] × [2K, hop] per block of K = ``chunk`` bins. Only bins with a
    nonzero amplitude somewhere (and a nonzero frequency: bin 0 is silent) get oscillators.
    The result equals :func:`synthesise_loop` to rounding (~1e-10 of the peak).

    Parameters
    ----------
    frames : array of shape (N, L)
        Predicted magnitude frames, raw (they may be negative, Q16).
    hop : int
        Samples per frame step; the output has (N+1)·hop samples.
    rate : float
        Sample rate in Hz (11025 in the paper).
    window : int, optional
        The analysis window that sets the bin grid k·rate/(2·window); default L.
    peaks : bool
        Local-maximum peak picking, as the code (True). With False, negatives are still clipped.
    tau : float, optional
        The paper's threshold; None or 0 (default) = off, as the code.
    rng : numpy.random.Generator, optional
        Draws the L phase offsets u_k, all at once, before anything else (default: seed 0).
    chunk : int
        Oscillators per block.

    Returns
    -------
    np.ndarray of shape ((N+1)·hop,)
        float64 with max exactly 1.0 (zeros when every amplitude is 0).
    """
    frames = _validate(frames, hop)
    count, bins = frames.shape
    offsets = _offsets(rng, bins)
    frames = _mask(frames, peaks, tau, pick_peaks)
    omega = _omega(bins, bins if window is None else window, rate)
    active = np.flatnonzero(np.any(frames != 0.0, axis=0) & (omega != 0.0))
    t = np.linspace(0.0, 1.0, hop)  # the linspace fraction j/(hop−1) (just [0] for hop = 1)
    j = np.arange(hop)
    starts = np.arange(count + 1) * hop
    out = np.zeros((count + 1, hop))
    for block in range(0, len(active), max(int(chunk), 1)):
        k = active[block:block + max(int(chunk), 1)]
        amplitude = frames[:, k]
        zero = np.zeros((1, len(k)))
        first = np.vstack([zero, amplitude])  # A: each segment's start value
        last = np.vstack([amplitude, zero])  # B: each segment's end value
        phase = omega[k] * (starts[:, None] + offsets[k])  # ω_k·(s·hop + u_k), [N+1, K]
        sin_s, cos_s = np.sin(phase), np.cos(phase)
        inner = omega[k][:, None] * j  # ω_k·j, [K, hop]
        basis = np.vstack([np.cos(inner), np.sin(inner)])  # sin(x + y) = sin x cos y + cos x sin y
        out += (1.0 - t) * (np.hstack([first * sin_s, first * cos_s]) @ basis)
        out += t * (np.hstack([last * sin_s, last * cos_s]) @ basis)
    return _signed_max_normalise(out.reshape(-1))


def synthesise_loop(frames, hop: int, rate: float, window: int | None = None, *, peaks: bool = True,
                    tau: float | None = None, rng: np.random.Generator | None = None) -> np.ndarray:
    """:func:`synthesise` oscillator by oscillator, as ``to_audio_new`` loops (reference and benchmark).

    Same arguments and the same u_k draw (all L offsets up front), so the same ``rng`` seed
    gives the same output as :func:`synthesise`. Every bin gets an oscillator, as in the
    original (silent ones add zeros).
    """
    frames = _validate(frames, hop)
    count, bins = frames.shape
    offsets = _offsets(rng, bins)
    frames = _mask(frames, peaks, tau, pick_peaks_loop)
    window = bins if window is None else window
    length = (count + 1) * hop
    rows = frames.T  # [L bins, N frames]
    out = np.zeros(length)
    for k in range(bins):
        segments = [np.linspace(0.0, rows[k][0], hop)]
        for i in range(count - 1):
            segments.append(np.linspace(rows[k][i], rows[k][i + 1], hop))
        segments.append(np.linspace(rows[k][-1], 0.0, hop))
        envelope = np.concatenate(segments)
        update = 2.0 * np.pi * (k * rate / (2.0 * window)) / rate
        counter = np.arange(offsets[k], length + offsets[k])
        out = out + np.sin(counter * update) * envelope
    return _signed_max_normalise(out)
