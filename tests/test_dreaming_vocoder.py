"""dreaming.vocoder: the magnitude analysis, masking and oscillator-bank vocoder (README; Q7, Q8, Q15, Q16)."""

import numpy as np
import pytest
import scipy.signal

from conftest import reference_dir
from dreaming import vocoder

RATE = 11025


def single_bin_frames(count, bins, k, value=1.0):
    frames = np.zeros((count, bins))
    frames[:, k] = value
    return frames


def fft_peak_hz(signal, rate=RATE):
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal))))
    return np.argmax(spectrum) * rate / len(signal)


# --------------------------------------------------------------------------- analysis


@pytest.mark.parametrize("length, window, hop, expected", [
    (5000, 1024, 256, 16), (1024, 1024, 256, 1), (1279, 1024, 256, 1), (1280, 1024, 256, 2),
    (11025, 1024, 56, 179), (4096, 1024, 1024, 4), (4095, 1024, 1024, 3)])
def test_frame_count_drops_the_tail(length, window, hop, expected):
    spectrogram = vocoder.magnitude_spectrogram(np.random.default_rng(0).normal(size=length), window, hop)
    assert spectrogram.shape == (expected, window)
    assert expected == (length - window) // hop + 1


def test_too_short_signal_is_an_error():
    with pytest.raises(ValueError, match="fewer than one window"):
        vocoder.magnitude_spectrogram(np.ones(1023), 1024, 256)


def test_sine_440_peaks_on_the_zero_padded_grid():
    signal = np.sin(2 * np.pi * 440 * np.arange(RATE) / RATE)
    spectrogram = vocoder.magnitude_spectrogram(signal, 1024, 256)
    assert np.all(np.argmax(spectrogram, axis=1) == round(440 * 2048 / RATE))  # bin 82


def test_blackman_is_symmetric_and_frames_are_zero_padded_to_twice_the_window():
    window = 1024
    assert np.allclose(np.blackman(window), scipy.signal.windows.blackman(window, sym=True), atol=1e-15)
    signal = np.random.default_rng(1).normal(size=3000)
    spectrogram = vocoder.magnitude_spectrogram(signal, window, 512)
    frame = signal[512:512 + window] * scipy.signal.windows.blackman(window, sym=True)
    padded = np.concatenate([frame, np.zeros(window)])
    assert np.allclose(spectrogram[1], np.abs(np.fft.fft(padded))[:window], rtol=1e-12, atol=1e-12)


def test_bins_are_5_383_hz_apart_for_a_1024_window():
    frequencies = vocoder.bin_frequencies(1024, RATE)
    assert len(frequencies) == 1024 and frequencies[0] == 0.0
    assert np.allclose(np.diff(frequencies), 11025 / 2048) and round(frequencies[1], 3) == 5.383
    assert frequencies[-1] == 1023 * 11025 / 2048 < RATE / 2  # 5507.1 Hz: Nyquist excluded
    k = 100  # a sine exactly on bin 100 of the 2048-point grid (it would be bin 50 without padding)
    signal = np.sin(2 * np.pi * frequencies[k] * np.arange(4096) / RATE)
    assert np.all(np.argmax(vocoder.magnitude_spectrogram(signal, 1024, 256), axis=1) == k)


def test_global_max_normalisation():
    spectrogram = vocoder.magnitude_spectrogram(np.random.default_rng(2).normal(size=4000), 256, 64)
    normalised, peak = vocoder.normalise(spectrogram)
    assert normalised.max() == 1.0 and peak == spectrogram.max()
    assert np.allclose(normalised * peak, spectrogram)
    with pytest.raises(ValueError, match="global max"):
        vocoder.normalise(np.zeros((3, 4)))


# --------------------------------------------------------------------------- masking


def test_peak_picking_vectorised_equals_the_loop():
    rng = np.random.default_rng(3)
    frames = rng.integers(-2, 4, size=(60, 33)).astype(float)  # negatives, ties and plateaus galore
    frames[::5] = rng.normal(size=(12, 33))
    frames[7, 10:16] = 2.0  # a long plateau
    original = frames.copy()
    assert np.array_equal(vocoder.pick_peaks(frames), vocoder.pick_peaks_loop(frames))
    assert np.array_equal(frames, original)  # the caller's array is left alone (the original clipped it in place)
    assert np.array_equal(vocoder.pick_peaks(frames[3]), vocoder.pick_peaks_loop(frames[3]))


def test_peak_picking_edges_plateaus_and_slopes():
    pick = vocoder.pick_peaks
    assert np.array_equal(pick([9.0, 1.0, 2.0, 1.0, 9.0]), [0, 0, 2, 0, 0])  # edges zeroed even when largest
    assert np.array_equal(pick([0.0, 1.0, 2.0, 2.0, 1.0, 0.0]), np.zeros(6))  # a plateau keeps nothing (strict >)
    assert np.array_equal(pick([0.0, 2.0, 2.0, 2.0, 0.0]), np.zeros(5))
    # tested bins are not zeroed in place: the slope after a peak stays silent (no alternate bins)
    assert np.array_equal(pick([0.0, 1.0, 5.0, 4.0, 3.0, 2.0, 0.0]), [0, 0, 5, 0, 0, 0, 0])
    # negatives are clipped to 0 before the comparison, so a negative "peak" never sounds
    assert np.array_equal(pick([0.0, -5.0, -1.0, -5.0, 0.0]), np.zeros(5))
    assert np.array_equal(pick([-1.0, 0.3, -2.0, 0.1, -4.0]), [0, 0.3, 0, 0.1, 0])
    assert np.array_equal(pick([[1.0, 2.0]]), [[0.0, 0.0]])


def test_threshold_mask():
    frames = np.array([[0.5, 0.009, 0.01, -0.2, 0.011]])
    assert vocoder.DEFAULT_TAU == 0.01
    assert np.array_equal(vocoder.threshold_mask(frames), [[0.5, 0, 0.01, 0, 0.011]])
    assert np.array_equal(vocoder.threshold_mask(frames, 0.1), [[0.5, 0, 0, 0, 0]])
    with pytest.raises(ValueError):
        vocoder.threshold_mask(frames, -0.1)


# --------------------------------------------------------------------------- envelopes


def test_envelope_segments_include_both_ends():
    envelope = vocoder.envelopes([2.0, 3.0], 4)
    assert np.allclose(envelope, [0, 2 / 3, 4 / 3, 2, 2, 7 / 3, 8 / 3, 3, 3, 2, 1, 0])
    assert len(vocoder.envelopes(np.ones(1000), 256)) == 1001 * 256
    assert np.array_equal(vocoder.envelopes([2.0, 3.0], 1), [0, 2, 3])
    both = vocoder.envelopes(np.array([[1.0, 2.0, 0.5], [0.0, 4.0, 1.0]]), 5)
    assert both.shape == (2, 20) and np.array_equal(both[1], vocoder.envelopes([0.0, 4.0, 1.0], 5))


# --------------------------------------------------------------------------- vocoder


@pytest.mark.parametrize("hop", [1024, 256, 56])
def test_output_length(hop):
    frames = np.random.default_rng(4).random((12, 16))
    assert vocoder.synthesise(frames, hop, RATE).shape == ((12 + 1) * hop,)
    assert vocoder.synthesise_loop(frames, hop, RATE).shape == ((12 + 1) * hop,)


@pytest.mark.parametrize("bins, window, k", [(1024, None, 163), (64, None, 10), (64, 1024, 40)])
def test_single_bin_is_a_sine_at_the_bin_centre(bins, window, k):
    out = vocoder.synthesise(single_bin_frames(40, bins, k), 256, RATE, window)
    expected = k * RATE / (2 * (window or bins))
    assert abs(fft_peak_hz(out) - expected) < 2 * RATE / len(out)
    assert out.max() == 1.0


def test_signed_max_normalisation_and_min_below_minus_one():
    frames = np.random.default_rng(5).random((20, 64))
    out = vocoder.synthesise(frames, 128, RATE)
    assert out.max() == 1.0
    # one short note: whether the envelope's top meets a crest or a trough depends on u_k
    minima = [vocoder.synthesise(single_bin_frames(1, 16, 3), 8, RATE, rng=np.random.default_rng(seed)).min()
              for seed in range(10)]
    assert min(minima) < -1.0  # not divided by the absolute max


def test_negative_magnitudes_are_clipped():
    frames = np.random.default_rng(6).normal(0.2, 0.4, size=(25, 48))
    assert (frames < 0).mean() > 0.2
    clipped = np.maximum(frames, 0.0)
    for peaks in (True, False):
        ours = vocoder.synthesise(frames, 64, RATE, peaks=peaks)
        assert np.allclose(ours, vocoder.synthesise(clipped, 64, RATE, peaks=peaks), atol=1e-12)
    silent = vocoder.synthesise(-np.abs(frames), 64, RATE)
    assert silent.shape == (26 * 64,) and not silent.any()  # all negative: nothing sounds, and no NaN


def test_one_oscillator_formula_with_fade_in_and_fade_out():
    hop, bins, k = 256, 64, 12
    amplitudes = np.linspace(0.2, 0.9, 10)
    frames = np.zeros((10, bins))
    frames[:, k] = amplitudes
    out = vocoder.synthesise(frames, hop, RATE, rng=np.random.default_rng(4))
    offset = np.random.default_rng(4).integers(0, 200, size=bins)[k]  # all L offsets drawn up front
    envelope = vocoder.envelopes(amplitudes, hop)
    raw = np.sin(2 * np.pi * (k * RATE / (2 * bins)) / RATE * (np.arange(len(envelope)) + offset)) * envelope
    assert np.allclose(out, raw / raw.max(), rtol=0, atol=1e-12)
    assert out[0] == 0.0 and out[-1] == 0.0
    assert np.array_equal(envelope[:hop], np.linspace(0.0, amplitudes[0], hop))  # rises from 0 over one hop
    assert np.array_equal(envelope[-hop:], np.linspace(amplitudes[-1], 0.0, hop))  # falls to 0 over one hop
    assert np.all(np.abs(out[:hop]) <= envelope[:hop] / raw.max() + 1e-12)
    assert np.all(np.abs(out[-hop:]) <= envelope[-hop:] / raw.max() + 1e-12)


def test_deterministic_for_a_seed():
    frames = np.random.default_rng(7).random((15, 64))
    first = vocoder.synthesise(frames, 56, RATE, rng=np.random.default_rng(11))
    assert np.array_equal(first, vocoder.synthesise(frames, 56, RATE, rng=np.random.default_rng(11)))
    assert not np.allclose(first, vocoder.synthesise(frames, 56, RATE, rng=np.random.default_rng(12)))
    assert np.array_equal(vocoder.synthesise(frames, 56, RATE), vocoder.synthesise(frames, 56, RATE))  # default seed


@pytest.mark.parametrize("hop, peaks, tau, chunk", [(56, True, None, 256), (1, True, None, 7), (7, False, None, 5),
                                                     (100, True, 0.3, 3), (33, False, 0.2, 1000)])
def test_vectorised_equals_loop(hop, peaks, tau, chunk):
    frames = np.random.default_rng(8).normal(0.3, 0.4, size=(30, 64))
    kwargs = dict(peaks=peaks, tau=tau)
    fast = vocoder.synthesise(frames, hop, RATE, chunk=chunk, rng=np.random.default_rng(9), **kwargs)
    slow = vocoder.synthesise_loop(frames, hop, RATE, rng=np.random.default_rng(9), **kwargs)
    assert fast.max() == 1.0 and slow.max() == 1.0
    assert np.allclose(fast, slow, rtol=0, atol=1e-9)


def test_vectorised_equals_loop_with_a_larger_window():
    frames = np.abs(np.random.default_rng(10).normal(size=(8, 32)))
    fast = vocoder.synthesise(frames, 128, RATE, 1024, rng=np.random.default_rng(3))
    slow = vocoder.synthesise_loop(frames, 128, RATE, 1024, rng=np.random.default_rng(3))
    assert np.allclose(fast, slow, rtol=0, atol=1e-9)


def test_threshold_is_off_by_default():
    frames = np.random.default_rng(11).random((10, 32)) * 0.05
    plain = vocoder.synthesise(frames, 64, RATE)
    assert np.array_equal(plain, vocoder.synthesise(frames, 64, RATE, tau=0))
    assert not np.allclose(plain, vocoder.synthesise(frames, 64, RATE, tau=vocoder.DEFAULT_TAU * 3))


def test_bad_input():
    with pytest.raises(ValueError):
        vocoder.synthesise(np.ones(10), 64, RATE)
    with pytest.raises(ValueError):
        vocoder.synthesise(np.ones((2, 8)), 0, RATE)


# --------------------------------------------------------------------------- the paper's demo files


@pytest.mark.parametrize("name, hop, count", [("fft_512.wav", 512, 1000), ("fft_256.wav", 256, 1000),
                                              ("fft_128.wav", 128, 1000), ("fft_56.wav", 56, 4000)])
def test_demo_file_lengths_and_signed_max(name, hop, count):
    soundfile = pytest.importorskip("soundfile")
    demo, rate = soundfile.read(reference_dir("dreaming") / "paper_examples" / name)
    assert rate == RATE and len(demo) == (count + 1) * hop
    assert abs(demo.max() - 1.0) < 1e-6
    frames = np.zeros((count, 1024))
    frames[:, 200] = 1.0
    assert len(vocoder.synthesise(frames, hop, RATE)) == len(demo)


def test_demo_files_dip_below_minus_one():
    soundfile = pytest.importorskip("soundfile")
    folder = reference_dir("dreaming") / "paper_examples"
    minima = {name: soundfile.read(folder / name)[0].min() for name in ("fft_512.wav", "fft_128.wav")}
    assert all(value < -1.0 for value in minima.values()), minima
