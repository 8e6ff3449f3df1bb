"""mdn_vocoder/ against the original repository's own test file, sine_440.wav.

(``python -m shared.reference fetch mdn_vocoder`` fetches it.)

The numbers are those of the original's algorithm (mdn_vocoder/README.md, "The numbers this project
checks"): the analysis at FFT 512 / hop 128 of the int32 file / 2^32, the data statistics of the sine
configuration, and the analysis → resynthesis round trip.
"""

import numpy as np
import pytest

from conftest import reference_dir
from mdn_vocoder import features, phase_vocoder
from mdn_vocoder.config import PRESETS, MdnConfig
from shared import metrics

SINE = MdnConfig(**{**PRESETS["sine"], "preset": "sine"})


@pytest.fixture(scope="module")
def sine_file():
    return reference_dir("mdn_vocoder") / "sine_440.wav"


@pytest.fixture(scope="module")
def signal(sine_file):
    samples, _, _ = features.load_signal(sine_file, SINE)
    return samples


@pytest.fixture(scope="module")
def frames(signal):
    return phase_vocoder.analyse(signal, 512, 44100)


def test_input_is_the_int32_file_over_2_to_the_32(signal):
    assert len(signal) == 441000
    assert signal.max() == pytest.approx(536870911 / 2 ** 32) and signal.min() == -536870912 / 2 ** 32  # peak 0.125


def test_frame_count_and_frame_zero_at_bin_centres(frames):
    assert frames.shape == (3442, 257, 2)
    np.testing.assert_array_equal(frames[0, :, 1], np.r_[0.0, np.arange(1, 257) * 44100 / 512])
    assert not frames[:, 0].any()  # DC is (0, 0) in every frame


def test_peak_bin_magnitude_and_frequency_of_every_frame_after_the_first(frames):
    later = frames[1:]
    assert (later[:, :, 0].argmax(axis=1) == 5).all()
    np.testing.assert_allclose(later[:, 5, 0], 15.848, atol=0.002)
    np.testing.assert_allclose(later[:, 5, 1], 440.00, atol=0.02)
    np.testing.assert_allclose(later[:, 4, 1], 440.00, atol=0.04)
    np.testing.assert_allclose(later[:, 6, 1], 440.00, atol=0.02)
    assert np.median(later[:, 4, 0] / later[:, 5, 0]) == pytest.approx(0.4246, abs=2e-4)
    assert np.median(later[:, 6, 0] / later[:, 5, 0]) == pytest.approx(0.5873, abs=2e-4)
    assert 783 < later[:, 8, 1].mean() < 786  # aliases: 440 + sr/H
    assert 64 < later[:, 1, 1].min() and later[:, 1, 1].max() < 124  # 440 − sr/H, folded


def test_the_window_is_the_symmetric_hann_not_the_periodic_one(signal, frames):
    assert np.median(frames[1:, 5, 0]) == pytest.approx(15.848, rel=5e-4)
    periodic = np.hanning(513)[:-1]
    windowed = signal[128:128 + 512] * periodic
    assert np.abs(np.fft.rfft(windowed))[5] == pytest.approx(15.878, rel=5e-4)  # what the wrong window would give


def test_data_statistics_of_the_sine_configuration(frames):
    prepared = features.prepare(frames[:, :10], SINE)
    assert prepared["kept"] == 3400 and len(prepared["x"]) == 3400
    stats = prepared["stats"]
    assert stats["amp_std"] == pytest.approx(0.00394017, rel=1e-5)
    assert stats["freq_std"] == pytest.approx(14.11194, rel=1e-5)
    assert abs(stats["amp_mean"]) < 1e-15 and abs(stats["freq_mean"]) < 1e-12  # the wrap-around telescopes to zero
    assert prepared["initial_index"] == 1699


def test_data_statistics_at_batch_1_and_20_components(frames):
    config = MdnConfig(components=20, batch_size=1, seq_length=20)
    prepared = features.prepare(frames[:, :20], config)
    assert prepared["kept"] == 3440
    assert prepared["stats"]["amp_std"] == pytest.approx(0.00279341, rel=1e-5)
    assert prepared["stats"]["freq_std"] == pytest.approx(32.12721, rel=1e-5)


def test_round_trip_gives_0_466_of_the_amplitude_at_440_hz(frames):
    out = phase_vocoder.synthesise(frames, 512, 44100, components=10)
    assert len(out) == 441088
    envelope = np.abs(out[4096:430336]).reshape(-1, 256).max(axis=1)  # per 256 samples (> one 440 Hz period)
    assert envelope.min() >= 0.0580 and envelope.max() <= 0.0586
    assert np.median(envelope) / 0.125 == pytest.approx(0.4664, abs=0.002)
    assert metrics.welch_f0(out, 44100) == pytest.approx(440.001, abs=0.02)


def test_fft_2048_puts_the_peak_outside_20_components(signal):
    frames = phase_vocoder.analyse(signal, 2048, 44100)
    assert len(frames) == 858
    assert (frames[1:, :, 0].argmax(axis=1) == 20).all()
    assert np.median(frames[1:, 20, 0]) == pytest.approx(56.586, rel=1e-3)
    assert np.median(frames[1:, 20, 1]) == pytest.approx(440.001, abs=0.01)
