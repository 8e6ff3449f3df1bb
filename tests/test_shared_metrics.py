"""shared/metrics.py against signals whose answers are known by construction."""

import numpy as np

from shared import metrics


def test_rms_envelope():
    np.testing.assert_allclose(metrics.rms_envelope(np.full(4096, 0.5), 1024, 512), 0.5)
    t = np.arange(44100) / 44100
    envelope = metrics.rms_envelope(0.8 * np.sin(2 * np.pi * 441 * t), 1000, 500)  # whole periods per frame
    np.testing.assert_allclose(envelope, 0.8 / np.sqrt(2), rtol=1e-6)
    assert len(envelope) == 1 + (44100 - 1000) // 500


def click_train(times, rate=44100, seconds=2.0):
    rng = np.random.default_rng(0)
    signal = 1e-4 * rng.standard_normal(int(seconds * rate))
    decay = np.exp(-np.arange(2000) / 300)
    for time in times:
        start = int(time * rate)
        signal[start : start + 2000] += 0.8 * rng.standard_normal(2000) * decay
    return signal


def test_onsets_of_a_click_train():
    truth = [0.1, 0.35, 0.6, 0.85, 1.1, 1.6]
    found = metrics.onset_times(click_train(truth), 44100)
    assert len(found) == len(truth)
    assert np.abs(found - truth).max() <= 1024 / 44100  # within one analysis frame


def test_onset_match_counts():
    result = metrics.onset_match([0.1, 0.5, 1.0], [0.11, 0.52, 0.7, 1.2])
    assert result["hits"] == 2 and result["precision"] == 0.5 and np.isclose(result["recall"], 2 / 3)
    assert np.isclose(result["f_measure"], 2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert metrics.onset_match([0.1], [])["f_measure"] == 0.0
    # each estimate matches at most one reference onset
    assert metrics.onset_match([0.1, 0.12], [0.11])["hits"] == 1


def test_high_frequency_fraction():
    t = np.arange(44100) / 44100
    low, high = np.sin(2 * np.pi * 100 * t), np.sin(2 * np.pi * 8000 * t)
    assert metrics.high_frequency_fraction(low, 44100) < 1e-6
    assert np.isclose(metrics.high_frequency_fraction(low + high, 44100), 0.5, atol=1e-3)
    assert metrics.high_frequency_fraction(np.zeros(100), 44100) == 0.0
