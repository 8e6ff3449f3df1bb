"""Drum sounds: analog-model TR-808 kicks, and the amen pattern on synthesized hits."""

from __future__ import annotations

from typing import Iterator

import numpy as np
import scipy.signal

from shared.corpora.dsp import fade_out, peak_normalise, to_pcm16
from shared.corpora.registry import Corpus, Item, synthetic


KICK_CLIP_SAMPLES = 45056  # 22 frames of 2048 samples, about 1.02 s at 44100 Hz


def analog_kick(length, rate, *, base_hz, start_hz, pitch_seconds, decay_seconds, click_level, noise):
    """One analog-model bass drum: a sine whose frequency falls exponentially, plus a click.

    Parameters
    ----------
    length : int
        Samples.
    base_hz, start_hz : float
        The frequency settles from ``start_hz`` to ``base_hz`` with time constant ``pitch_seconds``.
    decay_seconds : float
        Time constant of the exponential amplitude decay.
    click_level : float
        Level of the click: a few ms of band-passed (1–6 kHz) noise decaying with τ = 1 ms.
    noise : np.ndarray
        At least 256 samples of white noise for the click (from the caller's seeded generator).
    """
    t = np.arange(length) / rate
    frequency = base_hz + (start_hz - base_hz) * np.exp(-t / pitch_seconds)
    phase = 2.0 * np.pi * np.cumsum(frequency) / rate - 2.0 * np.pi * frequency[0] / rate  # starts at 0
    body = np.sin(phase) * np.exp(-t / decay_seconds)
    click_length = 256
    band = scipy.signal.butter(2, (1000.0, 6000.0), btype="bandpass", fs=rate, output="sos")
    click = scipy.signal.sosfilt(band, noise[:click_length]) * np.exp(-t[:click_length] / 0.001)
    body[:click_length] += click_level * click / np.max(np.abs(click))
    return body


def build_kicks808(corpus: Corpus) -> Iterator[Item]:
    """Analog-model TR-808 kicks with tuning, sweep, decay and click drawn from a seeded generator."""
    p = corpus.parameters
    rng = np.random.default_rng(p["seed"])
    length = p["clip_samples"]
    for index in range(corpus.file_count):
        base_hz = rng.uniform(*p["base_hz"])
        start_hz = base_hz * rng.uniform(*p["sweep_ratio"])
        pitch_seconds = rng.uniform(*p["pitch_seconds"])
        decay_seconds = rng.uniform(*p["decay_seconds"])
        click_level = rng.uniform(*p["click_level"])
        noise = rng.standard_normal(256)
        kick = analog_kick(
            length, corpus.rate, base_hz=base_hz, start_hz=start_hz, pitch_seconds=pitch_seconds,
            decay_seconds=decay_seconds, click_level=click_level, noise=noise,
        )
        kick = fade_out(kick, int(p["fade_out_seconds"] * corpus.rate))
        extra = {
            "base_hz": round(base_hz, 3), "start_hz": round(start_hz, 3), "pitch_seconds": round(pitch_seconds, 4),
            "decay_seconds": round(decay_seconds, 4), "click_level": round(click_level, 4),
        }
        yield f"kick_{index:03d}.wav", to_pcm16(peak_normalise(kick, p["peak"])), extra


#: The two bars of the amen pattern on a 16th-note grid (§C6).
AMEN_PATTERN = (
    {"kick": (0, 2, 10, 11), "snare": (4, 7, 9, 12, 15), "hat": (0, 2, 4, 6, 8, 10, 12, 14)},
    {"kick": (0, 2, 10), "snare": (4, 7, 9, 14), "hat": (0, 2, 4, 6, 8, 10, 12, 14)},
)
#: Snare hits played softer (the break's ghost notes); the backbeats stay at full level.
AMEN_GHOST_SNARES = (7, 9, 15)


def sixteenth_onset(bar: int, sixteenth: int, bpm: float, rate: int) -> int:
    """Sample index of a 16th note (floor of the exact time; at 120 bpm a 16th is 5512.5 samples)."""
    return int(np.floor((bar * 16 + sixteenth) * 15.0 / bpm * rate))


def build_amen_synth(corpus: Corpus) -> Iterator[Item]:
    """The two-bar amen pattern at 120 bpm on synthesized kick, snare and closed hat."""
    p = corpus.parameters
    rate = corpus.rate
    rng = np.random.default_rng(p["seed"])
    length = int(round(len(AMEN_PATTERN) * 4 * 60.0 / p["bpm"] * rate))
    highpass = scipy.signal.butter(4, 7000.0, btype="highpass", fs=rate, output="sos")
    snare_band = scipy.signal.butter(2, (1500.0, 9000.0), btype="bandpass", fs=rate, output="sos")

    def kick():
        n = int(0.5 * rate)
        return fade_out(analog_kick(n, rate, base_hz=55.0, start_hz=160.0, pitch_seconds=0.03,
                                    decay_seconds=0.16, click_level=0.3, noise=rng.standard_normal(256)), 441)

    def snare():
        n = int(0.3 * rate)
        t = np.arange(n) / rate
        tone = (np.sin(2 * np.pi * 185 * t) + 0.6 * np.sin(2 * np.pi * 330 * t)) * np.exp(-t / 0.05)
        rattle = scipy.signal.sosfilt(snare_band, rng.standard_normal(n)) * np.exp(-t / 0.08)
        return fade_out(0.5 * tone + 1.2 * rattle / np.max(np.abs(rattle)), 441)

    def hat():
        n = int(0.12 * rate)
        t = np.arange(n) / rate
        hiss = scipy.signal.sosfilt(highpass, rng.standard_normal(n)) * np.exp(-t / 0.02)
        return fade_out(hiss / np.max(np.abs(hiss)), 221)

    voices = {"kick": (kick, p["kick_level"]), "snare": (snare, p["snare_level"]), "hat": (hat, p["hat_level"])}
    mix = np.zeros(length + rate)  # room for the last tails; cut back to the two bars below
    for bar, hits in enumerate(AMEN_PATTERN):
        for voice, sixteenths in hits.items():
            make, level = voices[voice]
            for sixteenth in sixteenths:
                if voice == "snare" and sixteenth in AMEN_GHOST_SNARES:
                    level_here = level * p["ghost_level"]
                else:
                    level_here = level
                hit = make()
                start = sixteenth_onset(bar, sixteenth, p["bpm"], rate)
                mix[start:start + len(hit)] += level_here * hit
    yield "amen_synth_120bpm.wav", to_pcm16(peak_normalise(mix[:length], p["peak"])), {}


KICKS808_CORPUS = synthetic(
    "kicks808", build_kicks808,
    description="250 analog-model TR-808 kicks (varied tuning 45-65 Hz, sweep, decay, click), each 45056 samples: "
                "stands in for Fiala's ~250 808 kicks (blog E2)",
    provenance="numpy/scipy, seed 808: sine whose frequency falls exponentially from start to base, exponential "
               "amplitude decay, 5.8 ms click of band-passed (1-6 kHz) noise with tau 1 ms; 20 ms fade-out at the "
               "end of the clip; peak 0.9; per-file settings listed with each file",
    file_count=250,
    parameters={
        "seed": 808,
        "clip_samples": KICK_CLIP_SAMPLES,
        "base_hz": [45.0, 65.0],
        "sweep_ratio": [1.8, 3.5],
        "pitch_seconds": [0.015, 0.05],
        "decay_seconds": [0.12, 0.5],
        "click_level": [0.05, 0.3],
        "fade_out_seconds": 0.02,
        "peak": 0.9,
    },
)

AMEN_SYNTH_CORPUS = synthetic(
    "amen_synth", build_amen_synth,
    description="the two-bar amen pattern at 120 bpm (4.000 s) on synthesized kick, snare and closed hat; "
                "used where the real amen (sonic-pi-samples) is absent",
    provenance="numpy/scipy, seed 120: 16th grid at 120 bpm (onset = floor(n * 5512.5)); bar 1 kick 0 2 10 11, "
               "snare 4 7 9 12 15, hat on 8ths; bar 2 kick 0 2 10, snare 4 7 9 14, hat on 8ths; ghost snares "
               "(7 9 15) at 0.5; kick: analog model 55 Hz (from 160 Hz), tau 0.16 s; snare: 185 + 330 Hz tone "
               "tau 50 ms plus band-passed noise tau 80 ms; hat: 7 kHz high-passed noise tau 20 ms; peak 0.9",
    parameters={
        "seed": 120, "bpm": 120.0, "kick_level": 1.0, "snare_level": 0.8, "hat_level": 0.25,
        "ghost_level": 0.5, "peak": 0.9,
    },
)
