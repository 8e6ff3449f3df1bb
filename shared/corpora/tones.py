"""Steady tones: GRUV's test sine and four sung vowels at one pitch."""

from __future__ import annotations

from typing import Iterator

import numpy as np
import scipy.signal

from shared.corpora.dsp import peak_normalise, to_pcm16
from shared.corpora.registry import Corpus, Item, synthetic


def build_sine(corpus: Corpus) -> Iterator[Item]:
    """``0.5 sin(2π 440 t) + 0.25 sin(2π 880 t)``, int16 ``round(s * 32767)``: the GRUV reference sine."""
    seconds = corpus.parameters["seconds"]
    t = np.arange(seconds * corpus.rate) / corpus.rate
    s = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.25 * np.sin(2 * np.pi * 880 * t)
    yield "sine.wav", np.round(s * 32767).astype(np.int16), {}


def formant_filter(source, rate, formants, bandwidths) -> np.ndarray:
    """A cascade of two-pole resonators (unity gain at 0 Hz), one per formant (Klatt's cascade branch)."""
    output = np.asarray(source, dtype=np.float64)
    for frequency, bandwidth in zip(formants, bandwidths):
        c = -np.exp(-2 * np.pi * bandwidth / rate)
        b = 2 * np.exp(-np.pi * bandwidth / rate) * np.cos(2 * np.pi * frequency / rate)
        output = scipy.signal.lfilter([1.0 - b - c], [1.0, -b, -c], output)
    return output


def build_vowels(corpus: Corpus) -> Iterator[Item]:
    """Four sung vowels at one pitch: a glottal-pulse-like source through formant resonators.

    The source is a band-limited pulse train (harmonics k·f0 up to 8 kHz with amplitude 1/k:
    the −12 dB/octave glottal flow with +6 dB/octave lip radiation) with a slight vibrato,
    plus a little aspiration noise.  Each vowel's formants (F1–F3 from Peterson & Barney's
    male averages, F4 fixed) filter the whole source; raised-cosine crossfades switch from
    one vowel to the next; a gentle attack and release shape the note.
    """
    p = corpus.parameters
    rate = corpus.rate
    vowels = p["vowels"]
    length = int(round(p["seconds_per_vowel"] * len(vowels) * rate))
    rng = np.random.default_rng(p["seed"])
    t = np.arange(length) / rate
    f0 = p["f0_hz"] * (1.0 + p["vibrato_depth"] * np.sin(2 * np.pi * p["vibrato_hz"] * t))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    source = np.zeros(length)
    for k in range(1, int(p["source_top_hz"] // p["f0_hz"]) + 1):
        source += np.sin(k * phase) / k
    source /= np.max(np.abs(source))
    source += p["aspiration_level"] * rng.standard_normal(length)

    crossfade = int(round(p["crossfade_seconds"] * rate))
    segment = length // len(vowels)
    mixed = np.zeros(length)
    for index, vowel in enumerate(vowels):
        formants = vowel["formants_hz"]
        filtered = formant_filter(source, rate, formants, p["bandwidths_hz"][: len(formants)])
        weight = np.zeros(length)
        start, stop = index * segment, (index + 1) * segment
        weight[start:stop] = 1.0
        ramp = 0.5 * (1.0 - np.cos(np.pi * (np.arange(crossfade) + 0.5) / crossfade))
        half = crossfade // 2
        if index > 0:  # fade in across the boundary, mirroring the previous vowel's fade out
            weight[start - half:start - half + crossfade] = ramp
        if index < len(vowels) - 1:
            weight[stop - half:stop - half + crossfade] = ramp[::-1]
        mixed += weight * filtered / np.max(np.abs(filtered))

    attack, release = (int(round(seconds * rate)) for seconds in (p["attack_seconds"], p["release_seconds"]))
    envelope = np.ones(length)
    envelope[:attack] = 0.5 * (1.0 - np.cos(np.pi * np.arange(attack) / attack))
    envelope[length - release:] = 0.5 * (1.0 + np.cos(np.pi * np.arange(1, release + 1) / release))
    yield "vowels.wav", to_pcm16(peak_normalise(mixed * envelope, p["peak"])), {}


SINE_CORPUS = synthetic(
    "sine", build_sine,
    description="11 s of 0.5 sin(2π·440 t) + 0.25 sin(2π·880 t): GRUV's test tone "
                "(its first second is the reference sine)",
    provenance="numpy: t = arange(11*44100)/44100; s = 0.5 sin(2π·440 t) + 0.25 sin(2π·880 t); "
               "int16 round(s*32767)",
    parameters={"seconds": 11},
)

VOWELS_CORPUS = synthetic(
    "vowels", build_vowels,
    description="8 s of four sung vowels /a e i o/ at one pitch (G3, 196 Hz): stands in for Fiala's "
                "'single recording of me singing some vowels in a constant pitch' (blog E1)",
    provenance="numpy/scipy: band-limited pulse train (harmonics to 8 kHz, amplitude 1/k, 0.3% vibrato at 5 Hz) "
               "plus aspiration noise (seeded), through a cascade of two-pole formant resonators per vowel "
               "(F1-F3: Peterson & Barney's male averages for /ɑ ɛ i ɔ/, F4 3500 Hz), 2 s per vowel with 80 ms "
               "raised-cosine crossfades, 80 ms attack, 200 ms release, peak 0.8",
    parameters={
        "seed": 1,
        "f0_hz": 196.0,
        "vibrato_hz": 5.0,
        "vibrato_depth": 0.003,
        "source_top_hz": 8000.0,
        "aspiration_level": 0.01,
        "vowels": [
            {"vowel": "a", "formants_hz": [730.0, 1090.0, 2440.0, 3500.0]},
            {"vowel": "e", "formants_hz": [530.0, 1840.0, 2480.0, 3500.0]},
            {"vowel": "i", "formants_hz": [270.0, 2290.0, 3010.0, 3500.0]},
            {"vowel": "o", "formants_hz": [570.0, 840.0, 2410.0, 3500.0]},
        ],
        "bandwidths_hz": [80.0, 90.0, 120.0, 150.0],
        "seconds_per_vowel": 2.0,
        "crossfade_seconds": 0.08,
        "attack_seconds": 0.08,
        "release_seconds": 0.2,
        "peak": 0.8,
    },
)
