"""shared/metrics.py against signals whose answers are known by construction."""

import numpy as np
import pytest

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


# ----------------------------------------------------------------------------- closed forms (issue: calibration)

RATE = 11025


def tone(frequency=440.0, seconds=3.0, rate=RATE, decay_per_s=0.0):
    t = np.arange(int(seconds * rate)) / rate
    return 0.5 * np.exp(-decay_per_s * t) * np.sin(2 * np.pi * frequency * t)


def white(seconds=5.0, rate=RATE, seed=0):
    return 0.1 * np.random.default_rng(seed).standard_normal(int(seconds * rate))


def test_an_exponential_decay_of_known_rate_gives_that_rate():
    rate, decay = 44100, 3.0  # amplitude ∝ e^(−3t): −26.06 dB/s
    note = tone(440.0, 4.0, rate, decay)
    expected_db = -20 * decay / np.log(10)
    slope = metrics.rms_decay_slope(note, rate)
    assert slope["decay_rate_per_s"] == pytest.approx(decay, rel=0.01) and slope["r2"] > 0.999
    assert metrics.partial_decay_slope(note, rate, 440.0) == pytest.approx(expected_db, rel=0.01)
    assert metrics.schroeder_decay(note, rate)["slope_db_per_s"] == pytest.approx(expected_db, rel=0.02)
    assert metrics.schroeder_decay(note, rate)["t60_s"] == pytest.approx(60 / -expected_db, rel=0.02)
    fit = metrics.hilbert_exponential_fit(note, rate)
    assert (fit["b_per_s"] == pytest.approx(decay, rel=0.02) and fit["a"] == pytest.approx(0.5, rel=0.05)
            and fit["c"] < 0.01)
    assert metrics.time_to_drop(note, rate, 20.0) == pytest.approx(20 / -expected_db, abs=2 * 1024 / rate)


def test_the_authors_faithful_fit_reports_b_per_second():
    rate, decay = 2940, 2.0
    fit = metrics.hilbert_exponential_fit(tone(517.0, 3.0, rate, decay), rate, faithful=True)
    assert fit["b_per_s"] == pytest.approx(decay, rel=0.05)


def test_flatness_of_a_pure_tone_and_of_white_noise():
    tonal = metrics.spectral_features(tone())
    noisy = metrics.spectral_features(white())
    assert metrics.spectral_flatness(tonal) < 1e-3
    # E[flatness] = e^(−γ)
    assert metrics.spectral_flatness(noisy) == pytest.approx(np.exp(-np.euler_gamma), abs=0.02)
    assert metrics.band_flatness(tone(), RATE) < 1e-3
    assert metrics.band_flatness(white(), RATE) == pytest.approx(np.exp(-np.euler_gamma), abs=0.02)


def test_si_sdr_is_scale_invariant_and_snr_is_not():
    reference = white(1.0)
    noisy = reference + 0.1 * white(1.0, seed=1)  # noise 20 dB below
    assert metrics.snr_db(noisy, reference) == pytest.approx(20.0, abs=0.3)
    for scale in (0.25, 3.0, -2.0):
        assert metrics.si_sdr_db(scale * noisy, reference) == pytest.approx(metrics.si_sdr_db(noisy, reference),
                                                                           abs=1e-9)
    assert metrics.si_sdr_db(0.5 * reference, reference) == np.inf
    assert metrics.snr_db(0.5 * reference, reference) == pytest.approx(10 * np.log10(4))


def test_spectral_distances_are_zero_for_identical_spectra():
    frames = metrics.magnitude_frames(white(1.0))
    assert frames.shape[1] == 1025
    assert metrics.spectral_convergence(frames, frames) == 0 and metrics.log_spectral_distance(frames, frames) == 0
    assert metrics.summed_squared_error(frames, frames) == 0
    assert metrics.summed_squared_error(frames + 0.1, frames) == pytest.approx(1025 * 0.01)  # summed over bins
    assert metrics.spectral_convergence(2 * frames, frames) == pytest.approx(1.0)


def test_f0_and_pitch_drift_of_tones():
    for frequency in (110.0, 440.0, 1234.5):
        assert metrics.welch_f0(tone(frequency, 3.0, 44100), 44100) == pytest.approx(frequency, abs=0.1)
    steady = metrics.pitch_drift(tone(440.0, 3.0, 44100), 44100)
    assert steady["drift_cents"] < 5 and abs(steady["spread_cents"]) < 2 and abs(steady["slope_cents_per_s"]) < 2
    assert steady["median_f0_hz"] == pytest.approx(440.0, rel=0.005)
    t = np.arange(3 * 44100) / 44100
    gliding = np.sin(2 * np.pi * 440.0 * (t + 0.01 * t**2 / 2))  # frequency 440·(1 + 0.01 t): about +17 cents/s
    assert metrics.pitch_drift(gliding, 44100)["slope_cents_per_s"] == pytest.approx(17.0, rel=0.15)


def test_tonal_fraction():
    assert metrics.tonal_fraction(tone(300.0) + 0.25 * tone(600.0), RATE, 300.0) > 0.99
    assert metrics.tonal_fraction(tone(450.0), RATE, 300.0) < 0.01  # another pitch
    # white noise: the share of the band inside the ±3 % windows, (18 + 36 + 54) Hz of 40–1000 Hz
    assert metrics.tonal_fraction(white(20.0), RATE, 300.0, band=(40.0, 1000.0)) == pytest.approx(108 / 960, abs=0.02)


def test_hf_noise_floor_orders_a_tone_below_noise():
    assert metrics.hf_noise_floor(metrics.spectral_features(tone())) < -100
    assert metrics.hf_noise_floor(metrics.spectral_features(white())) > -40


def test_block_edge_ratio_finds_clicks_at_block_edges():
    smooth = tone(440.0)
    assert metrics.block_edge_ratio(smooth, 256) == pytest.approx(1.0, abs=0.1)
    stepped = smooth.copy()
    stepped[np.arange(256, len(stepped), 256)] += 0.2  # a jump at every block start
    assert metrics.block_edge_ratio(stepped, 256) > 2


def test_flags():
    assert metrics.signal_flags(np.clip(3 * tone(), -1, 1), RATE)["clipped_fraction"] > 0.3
    assert metrics.signal_flags(tone() + 0.25, RATE)["dc"] == pytest.approx(0.25, abs=1e-3)
    half_silent = np.concatenate([white(2.0), np.zeros(2 * RATE)])
    assert metrics.signal_flags(half_silent, RATE)["silent_fraction"] == pytest.approx(0.5, abs=0.05)
    loop = np.tile(white(1.5), 4)
    flags = metrics.signal_flags(loop, RATE)
    assert (flags["stuck_loop"]
            and flags["loop_lag_s"] / 1.5 == pytest.approx(round(flags["loop_lag_s"] / 1.5), abs=1e-3))
    assert not metrics.signal_flags(white(6.0), RATE)["stuck_loop"]


def test_copies_are_found_and_new_material_is_not():
    rng = np.random.default_rng(3)
    reference = np.concatenate([tone(f, 0.5) for f in rng.uniform(200, 800, 24)])
    reference += 0.01 * white(12.0)[: len(reference)]
    excerpt = reference[3 * RATE : 8 * RATE]
    other = np.concatenate([tone(f, 0.5) for f in rng.uniform(200, 800, 10)])
    other += 0.01 * white(5.0, seed=7)[: len(other)]
    copied = metrics.waveform_copy(excerpt, reference, RATE)
    assert copied["fraction"] == 1.0 and copied["longest_s"] == pytest.approx(5.0)
    assert metrics.waveform_copy(other, reference, RATE)["fraction"] == 0.0
    ours, theirs = metrics.spectral_features(excerpt), metrics.spectral_features(reference)
    assert metrics.feature_copy_fraction(ours, theirs) == 1.0
    assert metrics.longest_diagonal_match(ours, theirs) == pytest.approx(5.0 - (16 + 3) * 256 / RATE, abs=0.1)
    assert metrics.mel_nearest_neighbour(ours, theirs) == pytest.approx(1.0, abs=2e-3)  # frames off the hop grid
    assert metrics.frechet_mfcc(ours, theirs) < metrics.frechet_mfcc(metrics.spectral_features(white(5.0)), theirs)


def test_chroma_and_ltas():
    a440, a220, e330 = (metrics.spectral_features(tone(f)) for f in (440.0, 220.0, 330.0))
    assert np.argmax(metrics.chroma_profile(a440)) == 0  # round(12·log2(f/440)) mod 12: A = 0
    assert metrics.chroma_cosine(a440, a220) == pytest.approx(1.0, abs=1e-3)  # same pitch class
    assert metrics.chroma_cosine(a440, e330) < 0.1
    assert metrics.ltas_distance(a440, a440) == 0


def test_foote_novelty_peaks_at_a_change():
    change = np.concatenate([white(3.0), tone(440.0, 3.0)])
    novelty = metrics.foote_novelty(metrics.spectral_features(change))
    assert abs(int(np.argmax(novelty)) * 256 / RATE - 3.0) < 0.2


def test_event_order_novelty():
    notes = [220.0, 277.2, 329.6, 392.0, 440.0]

    def melody(order):
        return np.concatenate([tone(notes[k], 2.0) for k in order])

    reference = metrics.spectral_features(melody([0, 1, 2, 3, 4, 0, 1, 2]))
    assert metrics.event_order_novelty(metrics.spectral_features(melody([0, 1, 2, 3])), reference) == 0.0
    assert metrics.event_order_novelty(metrics.spectral_features(melody([4, 2, 0, 3, 1])), reference) == 1.0
