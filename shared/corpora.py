"""Named audio corpora, built into a directory with a manifest.

Two tiers (README.md, "Corpora"; sources in shared/corpora.py):

* **synthetic**: always available, deterministic (numpy with fixed seeds: building twice
  gives the same bytes), seconds to build.  ``sine`` (GRUV's test tone), ``vowels``
  (sung-vowel-like formant tones at one pitch), ``kicks808`` (analog-model TR-808 kicks),
  ``amen_synth`` (the amen pattern played on synthesized hits), ``plucked`` (plucked-string
  single notes with natural decay, named like the Iowa MIS files), ``mdn_notes_synth``
  (Glover's 440 Hz sine, plus additive clarinet-like and piano-like notes named like
  ``mdn_notes``' files, standing in for them), ``guitar_melody`` (a fingerpicked plucked-string
  arpeggio over C-G-Am-F, 30 s at 11025 Hz, for the dreaming work), ``tones_noises`` (55 min
  of synthetic tones and noises in ten labelled textures at 22050 Hz, standing in for
  ``mma_grooves``; about 8 s to build).
* **real**: read or rendered from Debian packages, reproducible given the same package
  versions.  ``amen`` (the real break from ``sonic-pi-samples``, slowed to 120 bpm),
  ``kicks808_real`` (808 kicks from ``fluid-soundfont-gm``, ``hydrogen-data`` and
  ``sonic-pi-samples``, augmented by retuning and extra decay), ``gm_notes`` (single
  guitar, cello, piano and flute notes rendered from ``fluid-soundfont-gm`` with
  ``fluidsynth``, one folder per instrument), ``mdn_notes`` (a clarinet A4 and a piano C4
  and A4 rendered the same way: the single notes of Glover 2015's clarinet and piano runs) and
  ``guitar_strums`` (real acoustic-guitar strums from ``hydrogen-drumkits-effects``' kit
  belofilms_GuitarStrums, sequenced into 30 s of strumming at 11025 Hz, for the dreaming work),
  ``mma_grooves`` (63 min of genre-labelled accompaniment in ten genres: ``mma`` grooves
  rendered from ``fluid-soundfont-gm`` with ``fluidsynth`` at 22050 Hz, for Sarroff & Casey's
  music frames; about a minute to build).

Every corpus is 16-bit PCM mono WAV at 44100 Hz, except ``guitar_strums`` and ``guitar_melody``
at 11025 Hz (the dreaming work's rate) and ``mma_grooves`` and ``tones_noises`` at 22050 Hz
(Sarroff & Casey's); each corpus's ``rate`` is recorded in its manifest.  ``gm_notes``,
``mma_grooves`` and ``tones_noises`` are in sub-folders (one per instrument, genre or label:
``guitar/Guitar.mf.A4.wav``, ``blues/slowblues.wav``, ``bells/bells_03.wav``); the others flat.  A
build writes each file atomically and ``manifest.json`` last (provenance, licence, tier,
sample rate, description, and every file's sample count and sha256; no timestamps, no output
paths), so a failed build leaves no manifest.  A real corpus whose source is absent raises
:class:`InputError` naming the missing file and the Debian package that provides it; it is
never replaced by another corpus.

Command line::

    python -m shared.corpora list
    python -m shared.corpora build NAME --out DIR
    python -m shared.corpora build-all --out ROOT [--tier synthetic|real|all]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import scipy.signal
import soundfile
from tqdm import tqdm

from shared.audio import mean_downmix, read_audio, resample, write_wav
from shared.rundir import InputError, cli_main, sha256_of, write_json
from shared.rundir import check_output_folder  # bad-input guards

RATE = 44100
DREAM_RATE = 11025  # the dreaming work's rate (Pfalz, Berdahl & Allison): guitar_strums, guitar_melody
MUSIC_RATE = 22050  # Sarroff & Casey's rate (|FFT| frames of music): mma_grooves, tones_noises
MANIFEST = "manifest.json"
TIERS = ("synthetic", "real")

#: One item a builder yields: file name, int16 mono samples, extra facts for the manifest.
Item = tuple[str, np.ndarray, dict]


@dataclass(frozen=True)
class Corpus:
    """One named corpus.

    Attributes
    ----------
    name : str
        The name used on the command line and as the output sub-folder of ``build-all``.
    tier : {"synthetic", "real"}
    rate : int
        Sample rate of every file, Hz.
    licence : str
        The licence of the built files (per source for real corpora; see ``sources``).
    description : str
        One line: what the corpus is and what it stands in for.
    provenance : str
        How the files are made, precisely enough to rebuild them by hand.
    requires : tuple of (debian_package, path)
        Source files the builder reads, in the order it reads them; empty for synthetic.
    builder : callable
        ``builder(corpus)`` yields ``(file_name, int16 samples, extra)`` for each file.
    file_count : int
        How many files a build writes.
    parameters : dict
        Generator settings recorded in the manifest (seeds, frequencies, lengths).
    sources : dict
        Per Debian package: its licence and a note, recorded in the manifest.
    """

    name: str
    tier: str
    rate: int
    licence: str
    description: str
    provenance: str
    requires: tuple[tuple[str, str], ...]
    builder: Callable[["Corpus"], Iterator[Item]] = field(repr=False)
    file_count: int = 1
    parameters: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    sources: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def source_paths(self) -> list[Path]:
        """The paths of ``requires``, in order."""
        return [Path(path) for _, path in self.requires]


# ----------------------------------------------------------------------------- helpers


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


def package_version(package: str) -> str | None:
    """The installed Debian version of ``package`` (``dpkg-query``), or None where unknown."""
    dpkg_query = shutil.which("dpkg-query")
    if dpkg_query is None:
        return None
    result = subprocess.run(
        [dpkg_query, "-W", "-f=${Version}", package], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


# ----------------------------------------------------------------------------- synthetic tier


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


#: The two bars of the amen pattern on a 16th-note grid (shared/corpora.py §C6).
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


#: Pitch names in the Iowa MIS style (flats): MIDI note 57 → "A3", 63 → "Eb4".
PITCH_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")


def note_name(key: int) -> str:
    """The Iowa-style name of MIDI note ``key``: ``note_name(69) == "A4"``, ``note_name(61) == "Db4"``."""
    return f"{PITCH_NAMES[key % 12]}{key // 12 - 1}"


def midi_hz(key: int) -> float:
    """Equal-tempered frequency of MIDI note ``key`` with A4 (69) = 440 Hz."""
    return 440.0 * 2.0 ** ((key - 69) / 12.0)


def plucked_note(f0, length, rate, *, pluck_position, tilt, loss, inharmonicity, top_hz, burst, burst_level,
                 attack_seconds) -> np.ndarray:
    """One plucked-string note: decaying partials (higher ones decaying faster) plus a noise-burst attack.

    Partial k has frequency ``k f0 sqrt((1 + B k²) / (1 + B))`` (stiff-string inharmonicity B,
    normalised so that partial 1 is exactly ``f0``), amplitude ``|sin(π k β)| / k**tilt`` (a
    string plucked at the fraction β of its length; the tilt sets the brightness) and decay
    ``exp(-σ t)`` with ``σ = loss[0] + loss[1] f + loss[2] f²`` per second (frequency-dependent
    string losses).  Every partial starts in sine phase, so the note starts at t = 0 with no
    silence; a raised-cosine ramp of ``attack_seconds`` softens the first instant.  Each partial
    is computed only until its envelope falls to 2^-20 (−120 dB) of its start.

    Parameters
    ----------
    f0 : float
        Fundamental, Hz.
    length, rate : int
        Samples and sample rate.
    burst : np.ndarray
        The attack noise (from the caller's seeded generator), added at ``burst_level`` × the
        string's peak.

    Returns
    -------
    np.ndarray
        Float samples, not normalised.
    """
    string = np.zeros(length)
    k = 1
    while True:
        frequency = k * f0 * np.sqrt((1.0 + inharmonicity * k * k) / (1.0 + inharmonicity))
        if frequency > top_hz:
            break
        amplitude = abs(np.sin(np.pi * k * pluck_position)) / k**tilt
        sigma = loss[0] + loss[1] * frequency + loss[2] * frequency**2
        count = min(length, int(np.ceil(20.0 * np.log(2.0) / sigma * rate)))
        n = np.arange(count)
        string[:count] += amplitude * np.exp(-sigma * n / rate) * np.sin(2.0 * np.pi * frequency * n / rate)
        k += 1
    attack = int(round(attack_seconds * rate))
    string[:attack] *= 0.5 * (1.0 - np.cos(np.pi * np.arange(attack) / attack))
    string[:len(burst)] += burst_level * np.max(np.abs(string)) * burst / np.max(np.abs(burst))
    return string


def build_plucked(corpus: Corpus) -> Iterator[Item]:
    """Plucked-string single notes, one per file, named like the Iowa MIS files (``Plucked.mf.A3.wav``).

    For each dynamic (quiet and dark to loud and bright) and each pitch: :func:`plucked_note`
    with a pluck position drawn from the seeded generator, a noise burst (white noise
    high-passed at ``burst_highpass_hz``, decaying with τ = ``burst_seconds``), a 10 ms
    fade-out at the end, and a peak set by the dynamic.
    """
    p = corpus.parameters
    rate = corpus.rate
    rng = np.random.default_rng(p["seed"])
    length = int(round(p["seconds"] * rate))
    burst_length = int(round(p["burst_length_seconds"] * rate))
    highpass = scipy.signal.butter(2, p["burst_highpass_hz"], btype="highpass", fs=rate, output="sos")
    burst_envelope = exponential_decay(burst_length, p["burst_seconds"], rate)
    for dynamic, settings in p["dynamics"].items():
        for key in p["midi_notes"]:
            f0 = midi_hz(key)
            pluck_position = rng.uniform(*p["pluck_position"])
            burst = scipy.signal.sosfilt(highpass, rng.standard_normal(burst_length)) * burst_envelope
            note = plucked_note(
                f0, length, rate, pluck_position=pluck_position, tilt=settings["tilt"], loss=p["loss_per_second"],
                inharmonicity=p["inharmonicity"], top_hz=p["top_hz"], burst=burst,
                burst_level=settings["burst_level"], attack_seconds=p["attack_seconds"],
            )
            note = fade_out(note, int(round(p["fade_out_seconds"] * rate)))
            sigma = p["loss_per_second"][0] + p["loss_per_second"][1] * f0 + p["loss_per_second"][2] * f0**2
            extra = {
                "midi_note": key, "dynamic": dynamic, "f0_hz": round(f0, 4),
                "fundamental_decay_db_per_second": round(20.0 * np.log10(np.e) * sigma, 2),
                "pluck_position": round(pluck_position, 4),
            }
            yield f"Plucked.{dynamic}.{note_name(key)}.wav", to_pcm16(peak_normalise(note, settings["peak"])), extra


def clarinet_note(f0, length, rate, *, top_hz, tilt, even_db, cutoff_hz, vibrato_hz, vibrato_depth, tremolo_depth,
                  attack_seconds, release_seconds, breath, breath_level) -> np.ndarray:
    """One sustained clarinet-like note: odd harmonics strong, even ones weak, with vibrato and breath noise.

    Harmonic k (``k f0 <= top_hz``) has amplitude ``g_k / k**tilt / (1 + (k f0 / cutoff_hz)²)``
    with ``g_k = 1`` for odd k and ``10**(even_db / 20)`` for even k (the closed-open tube's
    weak even harmonics; the last factor is the spectral roll-off).  All harmonics share the
    phase ``φ(t) = 2π f0 (t - d (cos(2π v t) - 1) / (2π v))``, i.e. an instantaneous frequency
    ``f0 (1 + d sin(2π v t))`` (vibrato rate v, depth d), and start in sine phase.  The amplitude
    is multiplied by ``1 + tremolo_depth sin(2π v t)``.  ``breath`` (noise from the caller's
    seeded generator, already band-passed) is scaled to ``breath_level`` × the tone's RMS and
    added; a raised-cosine attack of ``attack_seconds`` and a half-cosine release of
    ``release_seconds`` (ending at the last sample) shape the whole note.

    Returns
    -------
    np.ndarray
        Float samples, not normalised.
    """
    t = np.arange(length) / rate
    phase = 2.0 * np.pi * f0 * (t - vibrato_depth * (np.cos(2.0 * np.pi * vibrato_hz * t) - 1.0)
                                / (2.0 * np.pi * vibrato_hz))
    tone = np.zeros(length)
    for k in range(1, int(top_hz // f0) + 1):
        gain = 1.0 if k % 2 else 10.0 ** (even_db / 20.0)
        tone += gain / k**tilt / (1.0 + (k * f0 / cutoff_hz) ** 2) * np.sin(k * phase)
    tone *= 1.0 + tremolo_depth * np.sin(2.0 * np.pi * vibrato_hz * t)
    breath = np.asarray(breath, dtype=np.float64)[:length]
    tone += breath_level * np.sqrt(np.mean(tone**2)) * breath / np.sqrt(np.mean(breath**2))
    attack = int(round(attack_seconds * rate))
    tone[:attack] *= 0.5 * (1.0 - np.cos(np.pi * np.arange(attack) / attack))
    return fade_out(tone, int(round(release_seconds * rate)))


def piano_note(f0, length, rate, *, top_hz, inharmonicity, strike_position, tilt, loss, aftersound_weight,
               prompt_ratio, release_at_seconds, damper_seconds, attack_seconds, hammer, hammer_level) -> np.ndarray:
    """One struck-string (piano-like) note: inharmonic partials with a two-stage decay, plus a hammer thump.

    Partial k has frequency ``f_k = k f0 sqrt((1 + B k²) / (1 + B))`` (stiff-string
    inharmonicity B, normalised so that partial 1 is exactly ``f0``; partials up to
    ``top_hz``), amplitude ``|sin(π k β)| / k**tilt`` (struck at the fraction β of the string)
    and envelope ``(1 - w) exp(-m σ_k t) + w exp(-σ_k t)``: a prompt sound decaying ``m`` times
    faster than the aftersound of weight ``w`` (the two-stage decay of coupled strings), with
    ``σ_k = loss[0] + loss[1] f_k + loss[2] f_k²`` per second (higher partials die sooner).
    From ``release_at_seconds`` on (the key's release) the damper multiplies everything by
    ``exp(-(t - release_at_seconds) / damper_seconds)``.  Every partial starts in sine phase; a
    raised-cosine ramp of ``attack_seconds`` softens the first instant, and ``hammer`` (noise
    from the caller's seeded generator, already filtered and enveloped) is added at
    ``hammer_level`` × the string's peak.

    Returns
    -------
    np.ndarray
        Float samples, not normalised.
    """
    t = np.arange(length) / rate
    string = np.zeros(length)
    k = 1
    while True:
        frequency = k * f0 * np.sqrt((1.0 + inharmonicity * k * k) / (1.0 + inharmonicity))
        if frequency > top_hz:
            break
        sigma = loss[0] + loss[1] * frequency + loss[2] * frequency**2
        envelope = ((1.0 - aftersound_weight) * np.exp(-prompt_ratio * sigma * t)
                    + aftersound_weight * np.exp(-sigma * t))
        string += abs(np.sin(np.pi * k * strike_position)) / k**tilt * envelope * np.sin(2.0 * np.pi * frequency * t)
        k += 1
    release = int(round(release_at_seconds * rate))
    string[release:] *= np.exp(-(t[release:] - release_at_seconds) / damper_seconds)
    attack = int(round(attack_seconds * rate))
    string[:attack] *= 0.5 * (1.0 - np.cos(np.pi * np.arange(attack) / attack))
    string[:len(hammer)] += hammer_level * np.max(np.abs(string)) * hammer / np.max(np.abs(hammer))
    return string


def build_mdn_notes_synth(corpus: Corpus) -> Iterator[Item]:
    """The three notes of ``mdn_notes`` synthesized (:func:`clarinet_note`, :func:`piano_note`), plus the 440 Hz sine.

    ``Sine.440.wav`` is ``0.25 sin(2π 440 t)`` for 10 s (the original's reference tone, in
    int16); the others are peak-normalised, and their noises come from one seeded generator
    drawn in file order.
    """
    p = corpus.parameters
    rate = corpus.rate
    rng = np.random.default_rng(p["seed"])

    sine = p["sine"]
    t = np.arange(int(round(sine["seconds"] * rate))) / rate
    tone = sine["amplitude"] * np.sin(2.0 * np.pi * sine["f0_hz"] * t)
    yield "Sine.440.wav", to_pcm16(tone), {"instrument": "sine", "f0_hz": sine["f0_hz"]}

    c = p["clarinet"]
    length = int(round(c["seconds"] * rate))
    band = scipy.signal.butter(2, c["breath_band_hz"], btype="bandpass", fs=rate, output="sos")
    breath = scipy.signal.sosfilt(band, rng.standard_normal(length))
    f0 = midi_hz(c["midi_note"])
    note = clarinet_note(
        f0, length, rate, top_hz=c["top_hz"], tilt=c["tilt"], even_db=c["even_db"], cutoff_hz=c["cutoff_hz"],
        vibrato_hz=c["vibrato_hz"], vibrato_depth=c["vibrato_depth"], tremolo_depth=c["tremolo_depth"],
        attack_seconds=c["attack_seconds"], release_seconds=c["release_seconds"], breath=breath,
        breath_level=c["breath_level"],
    )
    extra = {"instrument": "clarinet", "midi_note": c["midi_note"], "f0_hz": round(f0, 4)}
    yield f"Clarinet.mf.{note_name(c['midi_note'])}.wav", to_pcm16(peak_normalise(note, c["peak"])), extra

    s = p["piano"]
    length = int(round(s["seconds"] * rate))
    hammer_length = int(round(s["hammer_length_seconds"] * rate))
    band = scipy.signal.butter(2, s["hammer_band_hz"], btype="bandpass", fs=rate, output="sos")
    hammer_envelope = exponential_decay(hammer_length, s["hammer_seconds"], rate)
    for key in s["midi_notes"]:
        f0 = midi_hz(key)
        hammer = scipy.signal.sosfilt(band, rng.standard_normal(hammer_length)) * hammer_envelope
        note = piano_note(
            f0, length, rate, top_hz=s["top_hz"], inharmonicity=s["inharmonicity"],
            strike_position=s["strike_position"], tilt=s["tilt"], loss=s["loss_per_second"],
            aftersound_weight=s["aftersound_weight"], prompt_ratio=s["prompt_ratio"],
            release_at_seconds=s["release_at_seconds"], damper_seconds=s["damper_seconds"],
            attack_seconds=s["attack_seconds"], hammer=hammer, hammer_level=s["hammer_level"],
        )
        note = fade_out(note, int(round(s["fade_out_seconds"] * rate)))
        sigma = s["loss_per_second"][0] + s["loss_per_second"][1] * f0 + s["loss_per_second"][2] * f0**2
        extra = {
            "instrument": "piano", "midi_note": key, "f0_hz": round(f0, 4),
            "fundamental_decay_db_per_second": [round(20.0 * np.log10(np.e) * s["prompt_ratio"] * sigma, 2),
                                                round(20.0 * np.log10(np.e) * sigma, 2)],
        }
        yield f"Piano.mf.{note_name(key)}.wav", to_pcm16(peak_normalise(note, s["peak"])), extra


def damp_after(samples, start: int, seconds: float, rate: int) -> np.ndarray:
    """Multiply ``samples[start:]`` by ``exp(-(n - start) / (seconds * rate))``: strings damped from ``start`` on."""
    samples = np.array(samples, dtype=np.float64)
    if start < len(samples):
        samples[start:] *= exponential_decay(len(samples) - start, seconds, rate)
    return samples


def guitar_melody_notes(parameters, rate: int) -> list[dict]:
    """The notes of ``guitar_melody`` in time order: ``{"onset", "midi_note", "bar", "position", "stop"}``.

    Bar ``b`` plays the chord ``progression[b % len(progression)]`` (a voicing: MIDI notes low to
    high); eighth ``e`` of the bar plays ``voicing[patterns[c % 2][e]]`` at sample
    ``(b * 8 + e) * eighth_samples``, ``c = b // len(progression)`` being the pass through the
    progression.  Every note of a bar is damped from the next bar's first sample on (the chord
    change: ``stop``); the final chord is rolled, one note every ``roll_seconds`` from bar
    ``bars``, and rings to the end.
    """
    p = parameters
    eighth = int(round(60.0 / p["bpm"] / 2 * rate))
    bar_samples = 8 * eighth
    notes = []
    for bar in range(p["bars"]):
        voicing = p["voicings"][p["progression"][bar % len(p["progression"])]]
        pattern = p["patterns"][bar // len(p["progression"]) % len(p["patterns"])]
        for index, string in enumerate(pattern):
            notes.append({"onset": bar * bar_samples + index * eighth, "midi_note": voicing[string],
                          "bar": bar, "position": index, "stop": (bar + 1) * bar_samples})
    roll = int(round(p["roll_seconds"] * rate))
    for index, key in enumerate(p["voicings"][p["final_chord"]]):
        notes.append({"onset": p["bars"] * bar_samples + index * roll, "midi_note": key, "bar": p["bars"],
                      "position": index, "stop": None})
    return notes


def build_guitar_melody(corpus: Corpus) -> Iterator[Item]:
    """A fingerpicked guitar arpeggio over a chord progression: one 30 s file of :func:`plucked_note` notes.

    The notes are those of :func:`guitar_melody_notes`.  Each note: :func:`plucked_note` (partials
    up to ``top_hz``, below the 5512.5 Hz Nyquist frequency of 11025 Hz; pluck position drawn
    from the seeded generator; a high-passed noise burst), ``note_seconds`` long with a
    ``fade_out_seconds`` fade-out, damped with τ ``damp_seconds`` from its ``stop`` on,
    peak-normalised to its velocity (the pattern position's level times a seeded ±``velocity_db``
    dB), then added at its onset.  The mix is cut to ``seconds``, faded out over
    ``end_fade_seconds`` and peak-normalised to ``peak``.
    """
    p = corpus.parameters
    rate = corpus.rate
    rng = np.random.default_rng(p["seed"])
    length = int(round(p["seconds"] * rate))
    note_length = int(round(p["note_seconds"] * rate))
    burst_length = int(round(p["burst_length_seconds"] * rate))
    highpass = scipy.signal.butter(2, p["burst_highpass_hz"], btype="highpass", fs=rate, output="sos")
    burst_envelope = exponential_decay(burst_length, p["burst_seconds"], rate)
    mix = np.zeros(length + note_length)
    played = []
    for note in guitar_melody_notes(p, rate):
        level = p["levels"][note["position"]] if note["stop"] is not None else p["final_level"]
        velocity = level * 10.0 ** (rng.uniform(-p["velocity_db"], p["velocity_db"]) / 20.0)
        pluck_position = rng.uniform(*p["pluck_position"])
        burst = scipy.signal.sosfilt(highpass, rng.standard_normal(burst_length)) * burst_envelope
        samples = plucked_note(
            midi_hz(note["midi_note"]), note_length, rate, pluck_position=pluck_position, tilt=p["tilt"],
            loss=p["loss_per_second"], inharmonicity=p["inharmonicity"], top_hz=p["top_hz"], burst=burst,
            burst_level=p["burst_level"], attack_seconds=p["attack_seconds"],
        )
        samples = fade_out(samples, int(round(p["fade_out_seconds"] * rate)))
        if note["stop"] is not None:
            samples = damp_after(samples, note["stop"] - note["onset"], p["damp_seconds"], rate)
        mix[note["onset"]:note["onset"] + note_length] += peak_normalise(samples, velocity)
        played.append({**note, "velocity": round(float(velocity), 4),
                       "pluck_position": round(float(pluck_position), 4)})
    mix = fade_out(mix[:length], int(round(p["end_fade_seconds"] * rate)))
    extra = {
        "notes": [[round(n["onset"] / rate, 4), n["midi_note"], n["velocity"], n["pluck_position"]] for n in played],
        "notes_columns": ["onset_seconds", "midi_note", "velocity", "pluck_position"],
    }
    yield "melody.wav", to_pcm16(peak_normalise(mix, p["peak"])), extra


def wavetable_oscillator(amplitudes, cycles, size: int = 2048) -> np.ndarray:
    """A periodic wave read at the running phase ``cycles`` (in cycles, e.g. ``cumsum(f) / rate``).

    Harmonic ``k`` (1-based, ``k < size / 2``) has amplitude ``amplitudes[k - 1]`` and starts in
    sine phase.  One cycle is tabulated at ``size`` points (an inverse real FFT) and read with
    linear interpolation at the fractional part of ``cycles``, so the cost per sample does not
    depend on the number of harmonics.  The caller keeps the harmonics below the Nyquist frequency.
    """
    spectrum = np.zeros(size // 2 + 1, dtype=np.complex128)
    spectrum[1:len(amplitudes) + 1] = -0.5j * size * np.asarray(amplitudes, dtype=np.float64)
    table = np.fft.irfft(spectrum, size)
    table = np.append(table, table[0])
    position = (np.asarray(cycles, dtype=np.float64) % 1.0) * size
    index = np.minimum(position.astype(np.int64), size - 1)
    fraction = position - index
    return table[index] + fraction * (table[index + 1] - table[index])


def attack_release(length: int, rate: int, attack_seconds: float, release_seconds: float) -> np.ndarray:
    """1 with a raised-cosine rise over ``attack_seconds`` and a half-cosine fall over the last ``release_seconds``."""
    envelope = np.ones(length)
    attack = max(1, min(length // 2, int(round(attack_seconds * rate))))
    release = max(1, min(length - attack, int(round(release_seconds * rate))))
    envelope[:attack] = 0.5 * (1.0 - np.cos(np.pi * np.arange(attack) / attack))
    envelope[length - release:] *= 0.5 * (1.0 + np.cos(np.pi * np.arange(1, release + 1) / release))
    return envelope


def decaying_sine(frequency: float, tau_seconds: float, length: int, rate: int) -> np.ndarray:
    """``exp(-t / tau) sin(2π f t)`` for ``length`` samples, as the impulse response of a two-pole resonator.

    The recursion ``y[n] = 2 r cos(w) y[n-1] - r² y[n-2] + r sin(w) δ[n-1]`` (``r = exp(-1 / (tau
    rate))``, ``w = 2π f / rate``) gives ``r^n sin(w n)`` exactly up to rounding, about ten times
    faster than evaluating the sine and the exponential.
    """
    r, w = np.exp(-1.0 / (tau_seconds * rate)), 2.0 * np.pi * frequency / rate
    impulse = np.zeros(length)
    impulse[0] = 1.0
    return scipy.signal.lfilter([0.0, r * np.sin(w)], [1.0, -2.0 * r * np.cos(w), r * r], impulse)


def log_uniform(rng, low: float, high: float) -> float:
    """A draw uniform in log frequency between ``low`` and ``high``."""
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def harmonic_count(f0_max: float, top_hz: float, most: int) -> int:
    """How many harmonics of a tone whose f0 reaches ``f0_max`` stay below ``top_hz`` (1 to ``most``)."""
    return int(max(1, min(most, top_hz // f0_max)))


def add_at(mix, start: int, event) -> None:
    """``mix[start:start + len(event)] += event``, cut at the end of ``mix``."""
    stop = min(len(mix), start + len(event))
    if stop > start:
        mix[start:stop] += event[:stop - start]


def scatter(length: int, event) -> tuple[np.ndarray, int]:
    """Events one after another until ``length`` samples are filled; ``event(mix, start)`` adds one at ``start``
    and returns how far after it the next one starts.  Returns the mix and the number of events."""
    mix, start, count = np.zeros(length), 0, 0
    while start < length:
        start += event(mix, start)
        count += 1
    return mix, count


def texture_tones(rng, length, rate, s, top_hz):
    """A melody of harmonic tones with vibrato, one after another (slightly overlapping)."""

    def event(mix, start):
        n = int(round(rng.uniform(*s["note_seconds"]) * rate))
        f0 = midi_hz(int(rng.integers(s["midi_notes"][0], s["midi_notes"][1] + 1)))
        depth, vibrato_hz = rng.uniform(*s["vibrato_depth"]), rng.uniform(*s["vibrato_hz"])
        tilt, odd_only = rng.uniform(*s["tilt"]), rng.random() < s["odd_only_probability"]
        k = np.arange(1, harmonic_count(f0 * (1 + depth), top_hz, s["harmonics"]) + 1)
        amplitudes = np.where(odd_only & (k % 2 == 0), 0.0, 1.0 / k**tilt)
        t = np.arange(n) / rate
        frequency = f0 * (1.0 + depth * np.sin(2 * np.pi * vibrato_hz * t + rng.uniform(0, 2 * np.pi)))
        note = wavetable_oscillator(amplitudes, np.cumsum(frequency) / rate)
        note *= attack_release(n, rate, rng.uniform(*s["attack_seconds"]), rng.uniform(*s["release_seconds"]))
        add_at(mix, start, rng.uniform(*s["level"]) * note)
        return int(n * rng.uniform(*s["advance"]))

    return scatter(length, event)


def texture_chords(rng, length, rate, s, top_hz):
    """Chords (triads, sevenths, suspensions) of detuned harmonic tones, one after another."""

    def event(mix, start):
        n = int(round(rng.uniform(*s["chord_seconds"]) * rate))
        root = int(rng.integers(s["root_midi_notes"][0], s["root_midi_notes"][1] + 1))
        shape = s["shapes"][int(rng.integers(len(s["shapes"])))]
        tilt = rng.uniform(*s["tilt"])
        envelope = attack_release(n, rate, rng.uniform(*s["attack_seconds"]), rng.uniform(*s["release_seconds"]))
        chord = np.zeros(n)
        for interval in shape:
            f0 = midi_hz(root + interval) * 2.0 ** (rng.uniform(-1, 1) * s["detune_cents"] / 1200)
            k = np.arange(1, harmonic_count(f0, top_hz, s["harmonics"]) + 1)
            chord += wavetable_oscillator(1.0 / k**tilt, f0 * np.arange(n) / rate + rng.random())
        add_at(mix, start, rng.uniform(*s["level"]) * chord * envelope / len(shape))
        return int(n * rng.uniform(*s["advance"]))

    return scatter(length, event)


def texture_bells(rng, length, rate, s, top_hz):
    """Struck inharmonic bells: partials at fixed non-integer ratios, higher ones dying sooner."""
    ratios = np.asarray(s["partial_ratios"])

    def event(mix, start):
        f0 = log_uniform(rng, *s["base_hz"])
        tau = rng.uniform(*s["decay_seconds"])
        stretch = rng.uniform(*s["stretch"])
        level = rng.uniform(*s["level"])
        for ratio in ratios ** stretch:
            if f0 * ratio >= top_hz:
                continue
            partial_tau = tau / ratio ** s["decay_exponent"]
            n = int(round(min(s["decay_lengths"] * partial_tau, s["max_seconds"]) * rate))
            partial = fade_out(decaying_sine(f0 * ratio, partial_tau, n, rate), n // 4)  # no click where it is cut
            partial[:s["attack_samples"]] *= np.linspace(0.0, 1.0, s["attack_samples"], endpoint=False)
            add_at(mix, start, level * rng.uniform(*s["partial_level"]) * partial)
        return int(round(rng.uniform(*s["gap_seconds"]) * rate))

    return scatter(length, event)


def texture_plucks(rng, length, rate, s, top_hz):
    """Plucked notes: a bright part (upper harmonics) dying fast over a dark part (lower ones)."""

    def event(mix, start):
        n = int(round(rng.uniform(*s["note_seconds"]) * rate))
        f0 = midi_hz(int(rng.integers(s["midi_notes"][0], s["midi_notes"][1] + 1)))
        k = np.arange(1, harmonic_count(f0, top_hz, s["harmonics"]) + 1)
        amplitudes = np.abs(np.sin(np.pi * k * rng.uniform(*s["pluck_position"]))) / k
        dark = np.where(k <= s["dark_harmonics"], amplitudes, 0.0)
        cycles = f0 * np.arange(n) / rate
        tau = rng.uniform(*s["decay_seconds"])
        t = np.arange(n) / rate
        note = (wavetable_oscillator(dark, cycles) * np.exp(-t / tau)
                + wavetable_oscillator(amplitudes - dark, cycles) * np.exp(-t * s["bright_decay_ratio"] / tau))
        note = fade_out(note, min(n, int(round(s["fade_out_seconds"] * rate))))
        add_at(mix, start, rng.uniform(*s["level"]) * note)
        return int(round(rng.uniform(*s["gap_seconds"]) * rate))

    return scatter(length, event)


def texture_noise_bursts(rng, length, rate, s, top_hz):
    """Band-passed white-noise bursts (random centre and width) with a fast attack and exponential decay."""

    def event(mix, start):
        n = int(round(rng.uniform(*s["burst_seconds"]) * rate))
        centre = log_uniform(rng, *s["centre_hz"])
        half_width = np.sqrt(rng.uniform(*s["width_ratio"]))
        band = (centre / half_width, min(centre * half_width, top_hz))
        sos = scipy.signal.butter(2, band, btype="bandpass", fs=rate, output="sos")
        burst = scipy.signal.sosfilt(sos, rng.standard_normal(n))
        t = np.arange(n) / rate
        envelope = np.exp(-t / (rng.uniform(*s["decay_fraction"]) * n / rate))
        envelope *= attack_release(n, rate, rng.uniform(*s["attack_seconds"]), s["release_seconds"])
        burst *= envelope
        add_at(mix, start, rng.uniform(*s["level"]) * burst / np.max(np.abs(burst)))
        return int(round(rng.uniform(*s["gap_seconds"]) * rate))

    return scatter(length, event)


def texture_drums(rng, length, rate, s, top_hz):
    """A drum machine: kick, snare, closed hat and toms on a 16th grid at a per-file tempo."""
    bpm = rng.uniform(*s["bpm"])
    sixteenth = 15.0 / bpm * rate
    snare_band = scipy.signal.butter(2, (1500.0, min(9000.0, top_hz)), btype="bandpass", fs=rate, output="sos")
    hat_band = scipy.signal.butter(4, min(6000.0, 0.8 * top_hz), btype="highpass", fs=rate, output="sos")

    def kick():
        base = rng.uniform(*s["kick_hz"])
        n = int(0.45 * rate)
        return fade_out(analog_kick(n, rate, base_hz=base, start_hz=base * rng.uniform(2.0, 3.5),
                                    pitch_seconds=rng.uniform(0.015, 0.05), decay_seconds=rng.uniform(0.1, 0.3),
                                    click_level=rng.uniform(0.05, 0.3), noise=rng.standard_normal(256)), 220)

    def tom():
        base = rng.uniform(*s["tom_hz"])
        n = int(0.35 * rate)
        return fade_out(analog_kick(n, rate, base_hz=base, start_hz=base * 1.5, pitch_seconds=0.04,
                                    decay_seconds=rng.uniform(0.08, 0.2), click_level=0.1,
                                    noise=rng.standard_normal(256)), 220)

    def snare():
        n = int(0.25 * rate)
        t = np.arange(n) / rate
        tone = np.sin(2 * np.pi * rng.uniform(160, 240) * t) * np.exp(-t / 0.04)
        rattle = scipy.signal.sosfilt(snare_band, rng.standard_normal(n)) * np.exp(-t / rng.uniform(0.04, 0.12))
        return fade_out(0.5 * tone + rattle / np.max(np.abs(rattle)), 220)

    def hat():
        n = int(0.1 * rate)
        t = np.arange(n) / rate
        hiss = scipy.signal.sosfilt(hat_band, rng.standard_normal(n)) * np.exp(-t / rng.uniform(0.01, 0.04))
        return fade_out(hiss / np.max(np.abs(hiss)), 110)

    voices = {"kick": (kick, 1.0), "snare": (snare, 0.7), "hat": (hat, 0.25), "tom": (tom, 0.6)}
    mix, count = np.zeros(length), 0
    steps = int(np.ceil(length / sixteenth))
    for step in range(steps):
        position = step % 16
        for voice, probabilities in s["probabilities"].items():
            if rng.random() < probabilities[position]:
                make, level = voices[voice]
                add_at(mix, int(round(step * sixteenth)), level * rng.uniform(0.7, 1.0) * make())
                count += 1
    return mix, count


def texture_sweeps(rng, length, rate, s, top_hz):
    """Sine and band-limited sawtooth glides (exponential in frequency, up or down)."""

    def event(mix, start):
        n = int(round(rng.uniform(*s["sweep_seconds"]) * rate))
        f_start, f_end = log_uniform(rng, *s["range_hz"]), log_uniform(rng, *s["range_hz"])
        frequency = f_start * (f_end / f_start) ** (np.arange(n) / n)
        if rng.random() < s["saw_probability"]:
            k = np.arange(1, harmonic_count(max(f_start, f_end), top_hz, s["harmonics"]) + 1)
            sweep = wavetable_oscillator(1.0 / k, np.cumsum(frequency) / rate)
        else:
            sweep = np.sin(2 * np.pi * np.cumsum(frequency) / rate)
        sweep *= attack_release(n, rate, rng.uniform(*s["attack_seconds"]), rng.uniform(*s["attack_seconds"]))
        add_at(mix, start, rng.uniform(*s["level"]) * sweep)
        return int(n * rng.uniform(*s["advance"]))

    return scatter(length, event)


def texture_fm(rng, length, rate, s, top_hz):
    """Two-operator FM tones (brass-, bell- and clang-like) whose modulation index decays."""

    def event(mix, start):
        n = int(round(rng.uniform(*s["note_seconds"]) * rate))
        carrier = midi_hz(int(rng.integers(s["midi_notes"][0], s["midi_notes"][1] + 1)))
        modulator = carrier * s["ratios"][int(rng.integers(len(s["ratios"])))]
        most = max(0.0, (top_hz - carrier) / modulator - 1.0)  # Carson's rule: the sidebands stay below top_hz
        start_index = min(rng.uniform(*s["index"]), most)
        t = np.arange(n) / rate
        floor = s["index_floor"]
        index = start_index * (floor + (1 - floor) * np.exp(-t / rng.uniform(*s["index_seconds"])))
        note = np.sin(2 * np.pi * carrier * t + index * np.sin(2 * np.pi * modulator * t))
        note *= np.exp(-t / rng.uniform(*s["decay_seconds"]))
        note *= attack_release(n, rate, rng.uniform(*s["attack_seconds"]), s["release_seconds"])
        add_at(mix, start, rng.uniform(*s["level"]) * note)
        return int(n * rng.uniform(*s["advance"]))

    return scatter(length, event)


def texture_buzz(rng, length, rate, s, top_hz):
    """A synth line of band-limited saw, square and pulse waves with a low-pass tilt and tremolo."""
    step = 15.0 / rng.uniform(*s["bpm"]) * rate

    def event(mix, start):
        n = int(round(step * int(rng.integers(s["steps"][0], s["steps"][1] + 1))))
        f0 = midi_hz(int(rng.integers(s["midi_notes"][0], s["midi_notes"][1] + 1)))
        k = np.arange(1, harmonic_count(f0, top_hz, s["harmonics"]) + 1)
        shape = s["shapes"][int(rng.integers(len(s["shapes"])))]
        if shape == "saw":
            amplitudes = 1.0 / k
        elif shape == "square":
            amplitudes = np.where(k % 2 == 1, 1.0 / k, 0.0)
        else:  # a pulse of duty d
            amplitudes = np.abs(np.sin(np.pi * k * rng.uniform(0.1, 0.3))) / k
        amplitudes = amplitudes / (1.0 + (k * f0 / log_uniform(rng, *s["cutoff_hz"])) ** 2)
        t = np.arange(n) / rate
        note = wavetable_oscillator(amplitudes, f0 * t)
        note *= 1.0 + rng.uniform(*s["tremolo_depth"]) * np.sin(2 * np.pi * rng.uniform(*s["tremolo_hz"]) * t)
        note *= attack_release(n, rate, s["attack_seconds"], rng.uniform(*s["release_seconds"]))
        add_at(mix, start, rng.uniform(*s["level"]) * note)
        return n

    return scatter(length, event)


def texture_noise(rng, length, rate, s, top_hz):
    """Coloured noise in crossfaded segments (spectral slope 1/f^a, a resonant band, slow swells) plus crackle."""
    segment = int(round(s["segment_seconds"] * rate))
    crossfade = int(round(s["crossfade_seconds"] * rate))
    count = int(np.ceil(length / segment))
    mix = np.zeros(count * segment + crossfade)
    ramp = 0.5 * (1.0 - np.cos(np.pi * (np.arange(crossfade) + 0.5) / crossfade))
    frequencies = np.fft.rfftfreq(segment + crossfade, 1.0 / rate)
    for index in range(count):
        slope = rng.uniform(*s["slope"])
        centre, width = log_uniform(rng, *s["band_hz"]), rng.uniform(*s["band_octaves"])
        gain = np.maximum(frequencies, 20.0) ** (-slope / 2)
        gain *= 1.0 + rng.uniform(*s["band_gain"]) * np.exp(-0.5 * (np.log2(np.maximum(frequencies, 1.0) / centre)
                                                                   / width) ** 2)
        gain[frequencies > top_hz] = 0.0
        noise = np.fft.irfft(np.fft.rfft(rng.standard_normal(segment + crossfade)) * gain, segment + crossfade)
        noise /= np.sqrt(np.mean(noise**2))
        t = np.arange(segment + crossfade) / rate
        noise *= 1.0 + rng.uniform(*s["swell_depth"]) * np.sin(2 * np.pi * rng.uniform(*s["swell_hz"]) * t
                                                               + rng.uniform(0, 2 * np.pi))
        noise[:crossfade] *= ramp if index else 1.0
        noise[-crossfade:] *= ramp[::-1]
        mix[index * segment:(index + 1) * segment + crossfade] += noise
    clicks = np.flatnonzero(rng.random(length) < s["crackle_per_second"] / rate)
    mix[clicks] += rng.uniform(*s["crackle_level"], size=len(clicks)) * rng.choice((-1.0, 1.0), size=len(clicks))
    return mix[:length], count


#: The labels of ``tones_noises`` and their generators: ``texture(rng, length, rate, settings, top_hz)`` returns
#: ``(mix, events)``, ``length`` float samples and how many notes, hits or segments they hold.
TEXTURES = {
    "tones": texture_tones, "chords": texture_chords, "bells": texture_bells, "plucks": texture_plucks,
    "noise_bursts": texture_noise_bursts, "drums": texture_drums, "sweeps": texture_sweeps, "fm": texture_fm,
    "buzz": texture_buzz, "noise": texture_noise,
}


def tones_noises_list(parameters) -> list[tuple[str, int]]:
    """Every ``(label, file index)`` of the ``tones_noises`` corpus, in build order."""
    return [(label, index) for label in parameters["labels"] for index in range(parameters["files_per_label"])]


def tones_noises_items(corpus: Corpus, selection) -> Iterator[Item]:
    """The ``tones_noises`` files of ``selection`` (a list of ``(label, file index)``), in its order.

    File ``index`` of label ``L`` (the ``j``-th label) draws everything from
    ``numpy.random.default_rng([seed, j, index])``, so its bytes do not depend on which other
    files are built.  The label's texture fills ``seconds``; the mix gets a ``fade_out_seconds``
    fade-out and is peak-normalised to ``peak``.
    """
    p = corpus.parameters
    rate = corpus.rate
    length = int(round(p["seconds"] * rate))
    labels = list(p["labels"])
    for label, index in selection:
        if label not in p["labels"] or not 0 <= index < p["files_per_label"]:
            raise ValueError(f"no file {index} of label {label!r} (labels: {', '.join(labels)}; "
                             f"{p['files_per_label']} files each)")
        rng = np.random.default_rng([p["seed"], labels.index(label), index])
        mix, events = TEXTURES[label](rng, length, rate, p["labels"][label], p["top_hz"])
        mix = fade_out(mix, int(round(p["fade_out_seconds"] * rate)))
        extra = {"label": label, "file_index": index, "seed": [p["seed"], labels.index(label), index],
                 "events": int(events)}
        yield f"{label}/{label}_{index:02d}.wav", to_pcm16(peak_normalise(mix, p["peak"])), extra


def build_tones_noises(corpus: Corpus) -> Iterator[Item]:
    """Every file of :func:`tones_noises_list`: ten labels of synthetic tones and noises."""
    yield from tones_noises_items(corpus, tones_noises_list(corpus.parameters))


# ----------------------------------------------------------------------------- real tier


def build_amen(corpus: Corpus) -> Iterator[Item]:
    """The real amen break, mono, slowed by 6/7 (tempo and pitch together) to 120 bpm: 8.000 s."""
    (loop_path,) = corpus.source_paths()
    audio = read_audio(loop_path, purpose="the amen corpus")
    mono = mean_downmix(audio.samples)
    # sox `speed 0.857142857`: read the 44100 Hz samples as if recorded at 6/7 of that rate and
    # resample back to 44100 Hz, i.e. scipy.signal.resample_poly(mono, 7, 6).
    slowed = resample(mono, audio.rate * 6 // 7, audio.rate)
    expected = int(round(corpus.parameters["seconds"] * corpus.rate))
    if audio.rate != corpus.rate or len(slowed) != expected:
        raise InputError(
            loop_path, f"expected the 4-bar loop at {corpus.rate} Hz giving {expected} samples at 120 bpm, "
            f"got {audio.samples.shape[0]} samples at {audio.rate} Hz ({len(slowed)} after slowing): another package version?"
        )
    peak = np.max(np.abs(slowed))
    normalised = np.round(peak * 32767) > 32767
    if normalised:
        slowed = peak_normalise(slowed, corpus.parameters["peak_if_clipping"])
    yield "amen_120bpm.wav", to_pcm16(slowed), {"source_peak": round(float(peak), 6), "peak_normalised": bool(normalised)}


def standard_midi_file(notes, *, channel: int, program: int, note_seconds: float, spacing_seconds: float,
                       cut_seconds: float | None = None) -> bytes:
    """A format-0 Standard MIDI File: one program change, then ``(key, velocity)`` notes one after another.

    120 bpm and 480 ticks per quarter note, so 960 ticks per second.  Note ``i`` starts at
    ``i * spacing_seconds`` and lasts ``note_seconds``.  With ``cut_seconds``, an All Sound Off
    (controller 120) follows ``cut_seconds`` after each note-on, silencing its release tail
    before the next note.
    """

    def variable_length(value: int) -> bytes:
        groups = [value & 0x7F]
        value >>= 7
        while value:
            groups.append(0x80 | (value & 0x7F))
            value >>= 7
        return bytes(reversed(groups))

    def ticks(seconds: float) -> int:
        return int(round(seconds * ticks_per_second))

    ticks_per_second = 960
    events = variable_length(0) + b"\xff\x51\x03" + (500_000).to_bytes(3, "big")  # tempo: 120 bpm
    events += variable_length(0) + bytes([0xC0 | channel, program])
    gap = 0
    for key, velocity in notes:
        events += variable_length(gap) + bytes([0x90 | channel, key, velocity])
        events += variable_length(ticks(note_seconds)) + bytes([0x80 | channel, key, 0])
        if cut_seconds is None:
            gap = ticks(spacing_seconds - note_seconds)
        else:
            events += variable_length(ticks(cut_seconds - note_seconds)) + bytes([0xB0 | channel, 120, 0])
            gap = ticks(spacing_seconds - cut_seconds)
    events += variable_length(gap) + b"\xff\x2f\x00"  # end of track
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480)
    return header + b"MTrk" + struct.pack(">I", len(events)) + events


def run_fluidsynth(fluidsynth: Path, soundfont: Path, midi: bytes, folder: Path, *, rate: int) -> Path:
    """Render ``midi`` with the fluidsynth CLI into ``folder/render.wav`` (32-bit float stereo) and return its path.

    Reverb and chorus are off (``-R 0 -C 0``) and the master gain is 1.0; float output means
    nothing clips and no dither is added, so the render is the same bytes on every run.
    """
    midi_path, wav_path = folder / "render.mid", folder / "render.wav"
    midi_path.write_bytes(midi)
    command = [str(fluidsynth), "-ni", "-q", "-R", "0", "-C", "0", "-g", "1.0", "-r", str(rate),
               "-O", "float", "-T", "wav", "-F", str(wav_path), str(soundfont), str(midi_path)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not wav_path.is_file():
        message = " ".join((result.stderr or result.stdout).split())[:300]
        raise InputError(fluidsynth, f"rendering {soundfont} failed (exit {result.returncode}): {message}")
    return wav_path


def render_soundfont_kicks(fluidsynth: Path, soundfont: Path, notes, *, program: int, rate: int) -> list[np.ndarray]:
    """Render ``(key, velocity)`` drum notes on MIDI channel 10 with the fluidsynth CLI; one mono array per note.

    Reverb and chorus are off (``-R 0 -C 0``); the output is 32-bit float so nothing clips.
    Each note gets a 2 s slot; the tail the CLI appends is dropped.
    """
    spacing = 2.0
    midi = standard_midi_file(notes, channel=9, program=program, note_seconds=1.0, spacing_seconds=spacing)
    with tempfile.TemporaryDirectory(prefix="corpora-fluidsynth-") as folder:
        wav_path = run_fluidsynth(fluidsynth, soundfont, midi, Path(folder), rate=rate)
        audio = read_audio(wav_path, purpose="the rendered kicks")
    if audio.rate != rate:
        raise InputError(fluidsynth, f"rendered at {audio.rate} Hz instead of {rate} Hz")
    mono = mean_downmix(audio.samples)
    slot = int(round(spacing * rate))
    renders = [mono[index * slot:(index + 1) * slot] for index in range(len(notes))]
    for (key, velocity), render in zip(notes, renders):
        if render.size == 0 or np.max(np.abs(render)) < 1e-4:
            raise InputError(soundfont, f"key {key} velocity {velocity} of preset 128:{program} rendered silence")
    return renders


def build_kicks808_real(corpus: Corpus) -> Iterator[Item]:
    """Real-source 808 kicks (soundfont, Hydrogen, Sonic Pi) retuned and re-decayed to about 250 clips."""
    p = corpus.parameters
    fluidsynth, soundfont, *sample_paths = corpus.source_paths()
    notes = [(key, velocity) for key in p["soundfont_keys"] for velocity in p["soundfont_velocities"]]
    renders = render_soundfont_kicks(fluidsynth, soundfont, notes, program=p["soundfont_preset"], rate=corpus.rate)
    bases = [(f"fluidr3_808_key{key}_vel{velocity:03d}", render) for (key, velocity), render in zip(notes, renders)]
    for path, base_name in zip(sample_paths, p["sample_base_names"]):
        audio = read_audio(path, purpose="the kicks808_real corpus")
        mono = mean_downmix(audio.samples)
        bases.append((base_name, resample(mono, audio.rate, corpus.rate)))

    length = p["clip_samples"]
    index = 0
    for base_name, base in bases:
        base = trim_to_onset(base, p["onset_threshold"])
        for semitones in p["semitones"]:
            tuned = fit_length(retune(base, semitones), length)
            for decay in p["extra_decay_seconds"]:
                clip = tuned * exponential_decay(length, decay, corpus.rate) if decay else tuned
                clip = peak_normalise(fade_out(clip, int(p["fade_out_seconds"] * corpus.rate)), p["peak"])
                extra = {"base": base_name, "semitones": semitones, "extra_decay_seconds": decay}
                yield f"kick_{index:03d}.wav", to_pcm16(clip), extra
                index += 1


#: The fluidsynth CLI renders one 64-sample block before its MIDI player's first events sound,
#: so a note-on at the start of a slot sounds from sample 64 of that slot.
FLUIDSYNTH_LEAD_SAMPLES = 64


def render_soundfont_notes(fluidsynth: Path, soundfont: Path, keys, *, velocity: int, program: int,
                           hold_seconds: float, keep_seconds: float, slot_seconds: float,
                           rate: int) -> list[np.ndarray]:
    """Render melodic notes ``keys`` at one ``velocity`` on MIDI channel 1 in one fluidsynth run; one array per note.

    Note ``i`` is struck at ``i * slot_seconds``, released after ``hold_seconds``, and silenced
    by All Sound Off 0.1 s after ``keep_seconds``, so no tail reaches the next slot.  Each
    array holds ``keep_seconds`` from the note-on on (the mean of the two channels).

    The slot must be a whole number of milliseconds, MIDI ticks and 64-sample blocks (a
    multiple of 3.2 s at 44100 Hz): the player then acts at the same point of fluidsynth's
    block grid in every slot, and a note's samples do not depend on its slot.  They do depend,
    in the note's first 64 samples only (by up to 0.002 of full scale), on the notes rendered
    before it in the same run: fluidsynth carries some per-voice state from one note to the next.
    """
    slot = int(round(slot_seconds * rate))
    if slot % 64 or (slot * 1000) % rate or (slot * 960) % rate:
        raise ValueError(f"slot_seconds={slot_seconds} is not a whole number of ms, MIDI ticks and 64-sample "
                         f"blocks at {rate} Hz (use a multiple of 3.2 s)")
    cut_seconds = keep_seconds + 0.1
    if not hold_seconds <= keep_seconds < cut_seconds < slot_seconds:
        raise ValueError(f"need hold_seconds <= keep_seconds < keep_seconds + 0.1 < slot_seconds, got "
                         f"{hold_seconds}, {keep_seconds}, {slot_seconds}")
    keep = int(round(keep_seconds * rate))
    lead = FLUIDSYNTH_LEAD_SAMPLES
    midi = standard_midi_file([(key, velocity) for key in keys], channel=0, program=program,
                              note_seconds=hold_seconds, spacing_seconds=slot_seconds, cut_seconds=cut_seconds)
    renders = []
    with tempfile.TemporaryDirectory(prefix="corpora-fluidsynth-") as folder:
        wav_path = run_fluidsynth(fluidsynth, soundfont, midi, Path(folder), rate=rate)
        with soundfile.SoundFile(str(wav_path)) as rendered:  # read slot by slot: a run is up to 200 MB of float
            if (rendered.samplerate != rate or rendered.channels != 2
                    or rendered.frames < (len(keys) - 1) * slot + lead + keep):
                raise InputError(fluidsynth, f"rendered {rendered.frames} frames x {rendered.channels} channels at "
                                             f"{rendered.samplerate} Hz, expected at least "
                                             f"{(len(keys) - 1) * slot + lead + keep} x 2 at {rate} Hz")
            for index, key in enumerate(keys):
                rendered.seek(index * slot)
                stereo = rendered.read(lead + keep, dtype="float64", always_2d=True)
                block = 0.5 * (stereo[:, 0] + stereo[:, 1])  # the mean downmix, bit for bit, 20x faster
                if np.any(block[:lead]):
                    raise InputError(fluidsynth, f"key {key} of program {program} sounded before its note-on "
                                                 f"(another fluidsynth version?)")
                if np.max(np.abs(block)) < 1e-4:
                    raise InputError(soundfont, f"key {key} velocity {velocity} of program {program} rendered silence")
                renders.append(block[lead:])
    return renders


def gm_note_list(parameters) -> list[tuple[str, int, int]]:
    """Every ``(instrument, MIDI note, velocity)`` of the ``gm_notes`` corpus, in build order."""
    return [
        (instrument, key, velocity)
        for instrument, settings in parameters["instruments"].items()
        for velocity in parameters["dynamics"].values()
        for key in range(settings["lowest"], settings["highest"] + 1)
    ]


def gm_note_items(corpus: Corpus, selection) -> Iterator[Item]:
    """The ``gm_notes`` files of ``selection``, a list of ``(instrument, MIDI note, velocity)``, in its order.

    Whatever the selection, notes are rendered in the same fixed runs: an instrument's whole
    range at one velocity, cut into runs of at most ``notes_per_run`` notes from the lowest.
    A file therefore has the same bytes whether it is built alone (a test) or with the rest.

    Parameters
    ----------
    corpus : Corpus
        The ``gm_notes`` corpus (its parameters and sources).
    selection : list of (str, int, int)
        Instrument (a key of ``parameters["instruments"]``), a MIDI note in its range, and a
        velocity 1–127 (the dynamic's name is used where the velocity is one of
        ``parameters["dynamics"]``, ``v<velocity>`` otherwise).

    Yields
    ------
    (str, np.ndarray, dict)
        ``<instrument>/<Label>.<dynamic>.<pitch>.wav``, int16 samples, and the note's facts.
    """
    p = corpus.parameters
    fluidsynth, soundfont = corpus.source_paths()
    dynamic_names = {velocity: name for name, velocity in p["dynamics"].items()}
    for instrument, key, velocity in selection:
        if instrument not in p["instruments"]:
            raise ValueError(f"unknown instrument {instrument!r} (accepted: {', '.join(p['instruments'])})")
        settings = p["instruments"][instrument]
        if not settings["lowest"] <= key <= settings["highest"] or not 1 <= velocity <= 127:
            raise ValueError(f"{instrument}: note {key} velocity {velocity} is outside notes "
                             f"{settings['lowest']}-{settings['highest']}, velocities 1-127")
    run_size = p["notes_per_run"]

    def run_of(instrument, key, velocity):
        return instrument, velocity, (key - p["instruments"][instrument]["lowest"]) // run_size

    def render(run):
        instrument, velocity, index = run
        settings = p["instruments"][instrument]
        first = settings["lowest"] + index * run_size
        keys = list(range(first, min(first + run_size, settings["highest"] + 1)))
        return render_soundfont_notes(
            fluidsynth, soundfont, keys, velocity=velocity, program=settings["program"],
            hold_seconds=settings["hold_seconds"], keep_seconds=settings["seconds"],
            slot_seconds=settings["slot_seconds"], rate=corpus.rate,
        )

    runs = list(dict.fromkeys(run_of(*note) for note in selection))  # in order of first use
    current, renders = None, []
    with ThreadPoolExecutor(max_workers=2) as executor:  # fluidsynth renders the next runs while this one is written
        pending = {}
        for instrument, key, velocity in selection:
            run = run_of(instrument, key, velocity)
            if run != current:
                for upcoming in runs[runs.index(run):runs.index(run) + 3]:
                    if upcoming not in pending:
                        pending[upcoming] = executor.submit(render, upcoming)
                renders, current = pending.pop(run).result(), run
            settings = p["instruments"][instrument]
            samples = renders[(key - settings["lowest"]) % run_size] * p["level"]
            peak = float(np.max(np.abs(samples)))
            if peak > 1.0:
                raise InputError(soundfont, f"{instrument} note {key} velocity {velocity} peaks at {peak:.3f} after "
                                            f"the level {p['level']} (over full scale: another package version?)")
            samples = fade_out(samples, int(round(p["fade_out_seconds"] * corpus.rate)))
            dynamic = dynamic_names.get(velocity, f"v{velocity}")
            extra = {
                "instrument": instrument, "program": settings["program"], "midi_note": key, "velocity": velocity,
                "dynamic": dynamic, "f0_hz": round(midi_hz(key), 4), "peak": round(peak, 4),
            }
            yield f"{instrument}/{settings['label']}.{dynamic}.{note_name(key)}.wav", to_pcm16(samples), extra


def build_gm_notes(corpus: Corpus) -> Iterator[Item]:
    """Every note of :func:`gm_note_list`: four GM instruments, chromatic, at three dynamics."""
    yield from gm_note_items(corpus, gm_note_list(corpus.parameters))


def build_mdn_notes(corpus: Corpus) -> Iterator[Item]:
    """Three single notes (a clarinet A4, piano C4 and A4), each rendered alone in its own fluidsynth run.

    Each note is struck at t = 0 on MIDI channel 1, released after its ``hold_seconds`` and kept
    for ``seconds`` (:func:`render_soundfont_notes`, one note per run, so a file's bytes depend
    on no other note); then the fixed ``level`` (an error if that goes over full scale) and a
    ``fade_out_seconds`` fade-out, as in ``gm_notes``.
    """
    p = corpus.parameters
    fluidsynth, soundfont = corpus.source_paths()
    dynamic_names = {velocity: name for name, velocity in p["dynamics"].items()}

    def render(note):
        (samples,) = render_soundfont_notes(
            fluidsynth, soundfont, [note["midi_note"]], velocity=note["velocity"], program=note["program"],
            hold_seconds=note["hold_seconds"], keep_seconds=note["seconds"], slot_seconds=p["slot_seconds"],
            rate=corpus.rate,
        )
        return samples

    with ThreadPoolExecutor(max_workers=len(p["notes"])) as executor:
        renders = list(executor.map(render, p["notes"]))
    for note, rendered in zip(p["notes"], renders):
        key, velocity = note["midi_note"], note["velocity"]
        samples = rendered * p["level"]
        peak = float(np.max(np.abs(samples)))
        if peak > 1.0:
            raise InputError(soundfont, f"{note['instrument']} note {key} velocity {velocity} peaks at {peak:.3f} "
                                        f"after the level {p['level']} (over full scale: another package version?)")
        samples = fade_out(samples, int(round(p["fade_out_seconds"] * corpus.rate)))
        dynamic = dynamic_names.get(velocity, f"v{velocity}")
        extra = {
            "instrument": note["instrument"], "program": note["program"], "midi_note": key, "velocity": velocity,
            "dynamic": dynamic, "f0_hz": round(midi_hz(key), 4), "peak": round(peak, 4),
        }
        yield f"{note['label']}.{dynamic}.{note_name(key)}.wav", to_pcm16(samples), extra


def strum_file_name(parameters, chord: str, take: str, layer: int) -> str:
    """The belofilms_GuitarStrums file of ``chord``'s ``take`` ("plain", "DOWN", "UP") at ``layer`` (0 loudest).

    ``parameters["file_name_exceptions"]`` maps a stem to the kit's own spelling (``Cmajor_Down``).
    """
    stem = chord if take == "plain" else f"{chord}_{take}"
    return f"{parameters['file_name_exceptions'].get(stem, stem)}_{layer:02d}.flac"


def guitar_strum_plan(parameters) -> list[dict]:
    """The strums of ``guitar_strums`` in time order: ``{"bar", "chord", "take", "layer", "file", "eighth"}``.

    Bar ``b`` plays ``progression[b % len(progression)]``; each entry of ``pattern`` is one strum
    on the bar's 8th-note grid, with the velocity layer ``layers[c % 2]`` in the ``c``-th pass
    through the progression (``c = b // len(progression)``), so each chord gets both sets.
    After ``bars`` bars, the ``final`` strum falls on the next downbeat and rings to the end.
    """
    p = parameters
    plan = []
    for bar in range(p["bars"]):
        chord = p["progression"][bar % len(p["progression"])]
        for strum in p["pattern"]:
            layer = strum["layers"][bar // len(p["progression"]) % len(strum["layers"])]
            plan.append({"bar": bar, "chord": chord, "take": strum["take"], "layer": layer,
                         "file": strum_file_name(p, chord, strum["take"], layer), "eighth": bar * 8 + strum["eighth"]})
    final = p["final"]
    plan.append({"bar": p["bars"], "chord": final["chord"], "take": final["take"], "layer": final["layer"],
                 "file": strum_file_name(p, final["chord"], final["take"], final["layer"]), "eighth": p["bars"] * 8})
    return plan


def build_guitar_strums(corpus: Corpus) -> Iterator[Item]:
    """Real acoustic-guitar strums (hydrogen-drumkits-effects belofilms_GuitarStrums) sequenced into one 30 s take.

    Each strum file of :func:`guitar_strum_plan` is read once: mean downmix to mono, resampled
    from its own rate (96 kHz, one file 44.1 kHz) to 11025 Hz by ``resample_poly``, cut to
    ``strum_seconds`` with a ``fade_out_seconds`` fade-out.  Strum ``i`` starts at its 8th-note
    grid time plus a seeded timing offset (uniform ±``timing_jitter_seconds``; none for the
    first), is damped with τ ``damp_seconds`` from the next strum's onset on (the re-struck
    strings), and is added to the mix.  The mix is cut to ``seconds`` with an
    ``end_fade_seconds`` fade-out and peak-normalised to ``peak_if_clipping`` only if it would clip.
    """
    p = corpus.parameters
    rate = corpus.rate
    rng = np.random.default_rng(p["seed"])
    length = int(round(p["seconds"] * rate))
    strum_length = int(round(p["strum_seconds"] * rate))
    eighth_seconds = 60.0 / p["bpm"] / 2
    strums = {}
    for path in corpus.source_paths():
        audio = read_audio(path, purpose="the guitar_strums corpus")
        mono = resample(mean_downmix(audio.samples), audio.rate, rate)
        strums[path.name] = fade_out(fit_length(mono, strum_length), int(round(p["fade_out_seconds"] * rate)))
    plan = guitar_strum_plan(p)
    onsets = []
    for index, strum in enumerate(plan):
        jitter = 0.0 if index == 0 else rng.uniform(-p["timing_jitter_seconds"], p["timing_jitter_seconds"])
        onsets.append(int(round((strum["eighth"] * eighth_seconds + jitter) * rate)))
    mix = np.zeros(length + strum_length)
    for index, (strum, onset) in enumerate(zip(plan, onsets)):
        samples = strums[strum["file"]]
        if index + 1 < len(plan):
            samples = damp_after(samples, onsets[index + 1] - onset, p["damp_seconds"], rate)
        mix[onset:onset + strum_length] += samples
    mix = fade_out(mix[:length], int(round(p["end_fade_seconds"] * rate)))
    peak = float(np.max(np.abs(mix)))
    normalised = bool(np.round(peak * 32767) > 32767)
    if normalised:
        mix = peak_normalise(mix, p["peak_if_clipping"])
    extra = {
        "files_used": sorted(strums),
        "strums": [[round(onset / rate, 4), strum["chord"], strum["file"]] for strum, onset in zip(plan, onsets)],
        "strums_columns": ["onset_seconds", "chord", "file"],
        "mix_peak": round(peak, 6),
        "peak_normalised": normalised,
    }
    yield "strums.wav", to_pcm16(mix), extra


#: Chord roots as written into the MMA songs (flats), indexed by pitch class from C.
CHORD_ROOTS = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")


def transpose_chord(chord: str, semitones: int) -> str:
    """An MMA chord name (root letter, optional ``#``/``b``, quality) moved by ``semitones``, spelt with flats.

    ``transpose_chord("Bm7b5", 2) == "Dbm7b5"``; ``transpose_chord("G7", 5) == "C7"``.
    """
    root = chord[:2] if len(chord) > 1 and chord[1] in "#b" else chord[:1]
    if root[0] not in "CDEFGAB":
        raise ValueError(f"chord {chord!r} does not start with a note name")
    pitch = CHORD_ROOTS.index(root[0]) + {"#": 1, "b": -1}.get(root[1:], 0)
    return CHORD_ROOTS[(pitch + semitones) % 12] + chord[len(root):]


def mma_groove_plan(parameters, rate: int, *, bars: int | None = None) -> list[dict]:
    """Every file of ``mma_grooves`` in build order, with what its MMA song plays.

    A genre's ``seconds_per_genre`` is shared equally by its grooves: a groove plays
    ``bars = phrase_bars * ceil(share / (phrase_bars * bar_seconds))`` bars (whole phrases,
    ``bar_seconds = beats_per_bar * 60 / tempo_bpm``), bar ``b`` on chord
    ``chords[b % len(chords)]``, the genre's progression moved from its written key by
    ``key_offsets[i % len(key_offsets)]`` semitones for the genre's ``i``-th groove.  A file holds
    the bars plus ``tail_seconds``.

    Parameters
    ----------
    parameters : dict
        The corpus parameters.
    rate : int
        Sample rate, Hz (for ``samples``).
    bars : int, optional
        Play this many bars in every groove instead (a quick subset for tests).

    Returns
    -------
    list of dict
        ``name`` (``<genre>/<library file>.wav``), ``genre``, ``groove``, ``library_file``,
        ``tempo_bpm``, ``beats_per_bar``, ``bars``, ``key``, ``chords`` (one pass of the
        progression, as written into the song), ``song_seconds`` and ``samples``.
    """
    p = parameters
    plan = []
    for genre, settings in p["genres"].items():
        share = p["seconds_per_genre"] / len(settings["grooves"])
        for index, groove in enumerate(settings["grooves"]):
            bar_seconds = groove["beats_per_bar"] * 60.0 / groove["tempo_bpm"]
            phrase = p["phrase_bars"]
            count = bars if bars is not None else phrase * int(np.ceil(share / (phrase * bar_seconds)))
            offset = p["key_offsets"][index % len(p["key_offsets"])]
            song_seconds = count * bar_seconds
            plan.append({
                "name": f"{genre}/{groove['library_file']}.wav", "genre": genre, "groove": groove["groove"],
                "library_file": groove["library_file"], "tempo_bpm": groove["tempo_bpm"],
                "beats_per_bar": groove["beats_per_bar"], "bars": count,
                "key": transpose_chord(settings["key"], offset),
                "chords": [transpose_chord(chord, offset) for chord in settings["progression"]],
                "song_seconds": round(song_seconds, 6),
                "samples": int(round(song_seconds * rate)) + int(round(p["tail_seconds"] * rate)),
            })
    return plan


def mma_song(entry, seed: int) -> str:
    """The MMA song of one :func:`mma_groove_plan` entry: a fixed seed, the groove, the tempo, one chord a bar."""
    lines = [f"// {entry['genre']}: MMA groove {entry['groove']} ({entry['library_file']}.mma), written by "
             f"shared/corpora.py", f"RndSeed {seed}", f"Groove {entry['groove']}", f"Tempo {entry['tempo_bpm']}"]
    lines += [f"{bar + 1} {entry['chords'][bar % len(entry['chords'])]}" for bar in range(entry["bars"])]
    return "\n".join(lines) + "\n"


#: What mma prints on success: "Creating new midi file (16 bars, 0.58 min / 0:35 m:s): 'song.mid'".
_MMA_REPORT = re.compile(r"\((\d+) bars?, [\d.]+ min / (\d+):(\d+) m:s\)")


def render_mma_groove(mma: Path, fluidsynth: Path, soundfont: Path, entry, parameters,
                      rate: int) -> tuple[np.ndarray, dict]:
    """One groove of :func:`mma_groove_plan`: MMA song → MIDI (``mma``) → audio (fluidsynth CLI) → int16 mono.

    The song (:func:`mma_song`) is compiled in a temporary folder by ``mma -f song.mid
    song.mma`` (its ``RndSeed`` fixes MMA's random timing and velocity, so the MIDI has the same
    bytes on every run); mma's report of the bars and the duration must match the plan (a
    groove whose metre differs from ``beats_per_bar`` is an error).  :func:`run_fluidsynth`
    renders the MIDI (reverb and chorus off, 32-bit float, stereo); the 64-sample lead block
    (silent) is dropped, the two channels are averaged, the render is cut to the plan's
    ``samples`` (the bars plus ``tail_seconds``: the CLI's longer tail is dropped) with a
    half-cosine fade over the tail, and peak-normalised to ``peak``.

    Returns
    -------
    (np.ndarray, dict)
        int16 samples and the file's facts for the manifest.
    """
    p = parameters
    with tempfile.TemporaryDirectory(prefix="corpora-mma-") as folder:
        folder = Path(folder)
        (folder / "song.mma").write_text(mma_song(entry, p["mma_seed"]))
        result = subprocess.run([str(mma), "-f", "song.mid", "song.mma"], cwd=folder, capture_output=True, text=True,
                                check=False, env={**os.environ, "PYTHONHASHSEED": "0"})
        midi_path = folder / "song.mid"
        if result.returncode != 0 or not midi_path.is_file():
            message = " ".join((result.stderr + " " + result.stdout).split())[:300]
            raise InputError(mma, f"groove {entry['groove']} failed (exit {result.returncode}): {message}")
        report = _MMA_REPORT.search(result.stdout)
        if (report is None or int(report[1]) != entry["bars"]
                or abs(60 * int(report[2]) + int(report[3]) - entry["song_seconds"]) > 1.0):
            raise InputError(mma, f"groove {entry['groove']}: expected {entry['bars']} bars lasting "
                                  f"{entry['song_seconds']:.1f} s, mma reported {report[0] if report else 'nothing'} "
                                  f"(another metre than {entry['beats_per_bar']} beats a bar, or another mma version?)")
        wav_path = run_fluidsynth(fluidsynth, soundfont, midi_path.read_bytes(), folder, rate=rate)
        audio = read_audio(wav_path, purpose=f"the render of groove {entry['groove']}")
    lead, song = FLUIDSYNTH_LEAD_SAMPLES, int(round(entry["song_seconds"] * rate))
    if audio.rate != rate or audio.samples.shape[1] != 2 or audio.samples.shape[0] < lead + song:
        raise InputError(fluidsynth, f"groove {entry['groove']}: rendered {audio.samples.shape[0]} frames x "
                                     f"{audio.samples.shape[1]} channels at {audio.rate} Hz, expected at least "
                                     f"{lead + song} x 2 at {rate} Hz")
    mono = mean_downmix(audio.samples)
    if np.any(mono[:lead]):
        raise InputError(fluidsynth, f"groove {entry['groove']} sounded before its first event "
                                     f"(another fluidsynth version?)")
    samples = fit_length(mono[lead:], entry["samples"])
    samples = fade_out(samples, entry["samples"] - song)
    peak = float(np.max(np.abs(samples)))
    if peak < 1e-4:
        raise InputError(soundfont, f"groove {entry['groove']} rendered silence")
    facts = {key: entry[key] for key in ("genre", "groove", "library_file", "tempo_bpm", "beats_per_bar", "bars",
                                         "key", "chords", "song_seconds")}
    facts["render_peak"] = round(peak, 6)
    return to_pcm16(peak_normalise(samples, p["peak"])), facts


def mma_groove_items(corpus: Corpus, grooves=None, *, bars: int | None = None) -> Iterator[Item]:
    """The ``mma_grooves`` files of ``grooves`` (MMA library-file names such as ``"blues"``; all by default).

    Each groove is compiled and rendered on its own (:func:`render_mma_groove`), so a file has
    the same bytes whether it is built alone or with the rest.  Two grooves render at a time.

    Parameters
    ----------
    corpus : Corpus
        The ``mma_grooves`` corpus (its parameters and sources).
    grooves : list of str, optional
        ``library_file`` names of :func:`mma_groove_plan` entries, built in this order.
    bars : int, optional
        Play this many bars instead of the plan's (a quick subset; the files then differ from
        the corpus's).

    Yields
    ------
    (str, np.ndarray, dict)
        ``<genre>/<library file>.wav``, int16 samples, and the groove's facts.
    """
    mma, fluidsynth, soundfont = corpus.source_paths()
    plan = mma_groove_plan(corpus.parameters, corpus.rate, bars=bars)
    if grooves is not None:
        by_file = {entry["library_file"]: entry for entry in plan}
        unknown = [name for name in grooves if name not in by_file]
        if unknown:
            raise ValueError(f"unknown grooves {unknown} (accepted: {', '.join(by_file)})")
        plan = [by_file[name] for name in grooves]

    def render(entry):
        return render_mma_groove(mma, fluidsynth, soundfont, entry, corpus.parameters, corpus.rate)

    with ThreadPoolExecutor(max_workers=2) as executor:  # two renders ahead of the file being written
        pending = [executor.submit(render, entry) for entry in plan[:2]]
        for index, entry in enumerate(plan):
            samples, facts = pending[index].result()
            if index + 2 < len(plan):
                pending.append(executor.submit(render, plan[index + 2]))
            pending[index] = None
            yield entry["name"], samples, facts


def build_mma_grooves(corpus: Corpus) -> Iterator[Item]:
    """Every groove of :func:`mma_groove_plan`: ten genres of MMA accompaniment rendered with FluidR3_GM."""
    yield from mma_groove_items(corpus)


# ----------------------------------------------------------------------------- the corpora

SONIC_PI = "/usr/share/sonic-pi/samples"
HYDROGEN_808 = "/usr/share/hydrogen/data/drumkits/TR808EmulationKit"
FLUID_R3 = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
GUITAR_STRUMS = "/usr/share/hydrogen/data/drumkits/belofilms_GuitarStrums"
KICK_CLIP_SAMPLES = 45056  # 22 frames of 2048 samples, about 1.02 s at 44100 Hz

_GENERATED = "MIT, like this project (generated by shared/corpora.py; contains no third-party audio)"

_SOURCES = {
    "sonic-pi-samples": {
        "licence": "CC0 (per /usr/share/doc/sonic-pi-samples/copyright)",
        "note": "Sonic Pi's sample pack; each sample is a freesound.org upload released as CC0",
    },
    "hydrogen-data": {
        "licence": "GPL (drumkit.xml of TR808EmulationKit; package GPL-2+)",
        "note": "Hydrogen's TR808EmulationKit by ArtemioLabs: synthesized from scratch to simulate the TR-808",
    },
    "fluid-soundfont-gm": {
        "licence": "MIT (FluidR3_GM by Frank Wen, per /usr/share/doc/fluid-soundfont-gm/copyright)",
        "note": "General MIDI soundfont; its TR-808 drum kit is bank 128 preset 25 (sample origin unstated)",
    },
    "hydrogen-drumkits-effects": {
        "licence": "CC-BY-3.0 (belofilms_GuitarStrums by Gabriel Verdugo Soto <belo@belofilms.com>: drumkit.xml "
                   "<license>CC-BY 3.0 Unported</license>; /usr/share/doc/hydrogen-drumkits-effects/copyright)",
        "note": "Hydrogen kit 'belofilms.com - AC-Guitar-Strums (flac)': 295 real acoustic-guitar strums, about 24 "
                "chords x plain/DOWN/UP takes x 4 velocity layers, 96 kHz 24-bit stereo FLAC",
    },
    "fluidsynth": {
        "licence": "LGPL-2.1+ (the renderer; its output carries the soundfont's licence)",
        "note": "fluidsynth CLI, reverb and chorus off, 32-bit float output",
    },
}

CORPORA: dict[str, Corpus] = {}


def _register(corpus: Corpus) -> None:
    CORPORA[corpus.name] = corpus


_register(Corpus(
    name="sine",
    tier="synthetic",
    rate=RATE,
    licence=_GENERATED,
    description="11 s of 0.5 sin(2π·440 t) + 0.25 sin(2π·880 t): GRUV's test tone (its first second is the reference sine)",
    provenance="numpy: t = arange(11*44100)/44100; s = 0.5 sin(2π·440 t) + 0.25 sin(2π·880 t); int16 round(s*32767)",
    requires=(),
    builder=build_sine,
    parameters={"seconds": 11},
))

_register(Corpus(
    name="vowels",
    tier="synthetic",
    rate=RATE,
    licence=_GENERATED,
    description="8 s of four sung vowels /a e i o/ at one pitch (G3, 196 Hz): stands in for Fiala's "
                "'single recording of me singing some vowels in a constant pitch' (blog E1)",
    provenance="numpy/scipy: band-limited pulse train (harmonics to 8 kHz, amplitude 1/k, 0.3% vibrato at 5 Hz) "
               "plus aspiration noise (seeded), through a cascade of two-pole formant resonators per vowel "
               "(F1-F3: Peterson & Barney's male averages for /ɑ ɛ i ɔ/, F4 3500 Hz), 2 s per vowel with 80 ms raised-cosine "
               "crossfades, 80 ms attack, 200 ms release, peak 0.8",
    requires=(),
    builder=build_vowels,
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
))

_register(Corpus(
    name="kicks808",
    tier="synthetic",
    rate=RATE,
    licence=_GENERATED,
    description="250 analog-model TR-808 kicks (varied tuning 45-65 Hz, sweep, decay, click), each 45056 samples: "
                "stands in for Fiala's ~250 808 kicks (blog E2)",
    provenance="numpy/scipy, seed 808: sine whose frequency falls exponentially from start to base, exponential "
               "amplitude decay, 5.8 ms click of band-passed (1-6 kHz) noise with tau 1 ms; 20 ms fade-out at the "
               "end of the clip; peak 0.9; per-file settings listed with each file",
    requires=(),
    builder=build_kicks808,
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
))

_register(Corpus(
    name="amen_synth",
    tier="synthetic",
    rate=RATE,
    licence=_GENERATED,
    description="the two-bar amen pattern at 120 bpm (4.000 s) on synthesized kick, snare and closed hat; "
                "used where the real amen (sonic-pi-samples) is absent",
    provenance="numpy/scipy, seed 120: 16th grid at 120 bpm (onset = floor(n * 5512.5)); bar 1 kick 0 2 10 11, "
               "snare 4 7 9 12 15, hat on 8ths; bar 2 kick 0 2 10, snare 4 7 9 14, hat on 8ths; ghost snares "
               "(7 9 15) at 0.5; kick: analog model 55 Hz (from 160 Hz), tau 0.16 s; snare: 185 + 330 Hz tone "
               "tau 50 ms plus band-passed noise tau 80 ms; hat: 7 kHz high-passed noise tau 20 ms; peak 0.9",
    requires=(),
    builder=build_amen_synth,
    parameters={
        "seed": 120, "bpm": 120.0, "kick_level": 1.0, "snare_level": 0.8, "hat_level": 0.25,
        "ghost_level": 0.5, "peak": 0.9,
    },
))

_register(Corpus(
    name="plucked",
    tier="synthetic",
    rate=RATE,
    licence=_GENERATED,
    description="27 plucked-string single notes (A3-A5 in minor thirds x pp/mf/ff), 6 s each, one note per file "
                "named like the Iowa MIS files (Plucked.mf.A3.wav): stands in for the decay work's Iowa guitar notes",
    provenance="numpy/scipy, seed 1956: per note, partials k*f0*sqrt((1+B k^2)/(1+B)) (B 5e-5) up to 10 kHz in sine "
               "phase, amplitude |sin(pi k beta)|/k^tilt (pluck position beta drawn from 0.11-0.17; tilt pp 1.6, "
               "mf 1.3, ff 1.0), decay exp(-sigma t) with sigma = 0.9 + 1.8e-3 f + 1e-6 f^2 per second (f the "
               "partial's Hz: the fundamental falls 11.7 dB/s at A3, 16.4 at A4, 28.3 at A5); 1 ms raised-cosine "
               "onset; plus 30 ms of white noise high-passed at 400 Hz decaying with tau 3 ms (pp 0.05, mf 0.08, "
               "ff 0.12 of the string's peak); 10 ms fade-out; peak pp 0.2, mf 0.45, ff 0.9; per-file f0 listed "
               "with each file",
    requires=(),
    builder=build_plucked,
    file_count=27,
    parameters={
        "seed": 1956,
        "midi_notes": [57, 60, 63, 66, 69, 72, 75, 78, 81],
        "dynamics": {
            "pp": {"tilt": 1.6, "burst_level": 0.05, "peak": 0.2},
            "mf": {"tilt": 1.3, "burst_level": 0.08, "peak": 0.45},
            "ff": {"tilt": 1.0, "burst_level": 0.12, "peak": 0.9},
        },
        "seconds": 6.0,
        "pluck_position": [0.11, 0.17],
        "loss_per_second": [0.9, 1.8e-3, 1.0e-6],
        "inharmonicity": 5e-5,
        "top_hz": 10000.0,
        "attack_seconds": 0.001,
        "burst_length_seconds": 0.03,
        "burst_seconds": 0.003,
        "burst_highpass_hz": 400.0,
        "fade_out_seconds": 0.01,
    },
))

_register(Corpus(
    name="mdn_notes_synth",
    tier="synthetic",
    rate=RATE,
    licence=_GENERATED,
    description="the 440 Hz sine (10 s at 0.25) and synthesized stand-ins for mdn_notes' three single notes (a "
                "clarinet-like A4, 4 s; piano-like C4 and A4, 5 s): Glover 2015's sine, clarinet and piano "
                "training files, used where fluidsynth or the soundfont is absent",
    provenance="numpy/scipy, seed 2015. Sine.440.wav: t = arange(10*44100)/44100, 0.25 sin(2π·440 t), int16 "
               "round(x*32767) (the original repository's sine_440.wav is the same tone as int32, 10 s, at "
               "440.001 Hz). Clarinet.mf.A4.wav (4.0 s, f0 440 Hz): harmonics k up to 10 kHz (k <= 22), amplitude "
               "g_k / k / (1 + (k f0/2500)^2) with g_k 1 for odd k and -25 dB for even k, all on the phase "
               "2π f0 (t - d (cos(2π 4.5 t) - 1)/(2π 4.5)) (vibrato 4.5 Hz, depth d 0.25 %), in sine phase; "
               "tremolo x(1 + 0.03 sin(2π 4.5 t)); breath: white noise band-passed 800-6000 Hz (2nd-order "
               "Butterworth) at 0.03 x the tone's RMS; 50 ms raised-cosine attack, 150 ms half-cosine release "
               "ending at 4.0 s; peak 0.5. Piano.mf.C4.wav and Piano.mf.A4.wav (5.0 s, f0 261.626 / 440 Hz): "
               "partials f_k = k f0 sqrt((1 + B k^2)/(1 + B)) (B 4e-4) up to 10 kHz in sine phase, amplitude "
               "|sin(π k 0.12)| / k^1.1 (struck at 0.12 of the string), envelope 0.7 exp(-6 σ_k t) + "
               "0.3 exp(-σ_k t) (prompt sound then aftersound) with σ_k = 0.4 + 1.2e-3 f + 2e-7 f^2 per second "
               "(f the partial's Hz: the fundamental's aftersound falls 6.3 dB/s at C4, 8.4 at A4); key released "
               "at 4.0 s: damper exp(-(t - 4)/0.12 s); 2.5 ms raised-cosine onset; plus a hammer thump of 20 ms "
               "of white noise band-passed 100-3000 Hz decaying with tau 4 ms at 0.1 x the string's peak; 50 ms "
               "fade-out; peak 0.5; per-file f0 listed with each file",
    requires=(),
    builder=build_mdn_notes_synth,
    file_count=4,
    parameters={
        "seed": 2015,
        "sine": {"f0_hz": 440.0, "amplitude": 0.25, "seconds": 10.0},
        "clarinet": {
            "midi_note": 69, "seconds": 4.0, "top_hz": 10000.0, "tilt": 1.0, "even_db": -25.0, "cutoff_hz": 2500.0,
            "vibrato_hz": 4.5, "vibrato_depth": 0.0025, "tremolo_depth": 0.03, "attack_seconds": 0.05,
            "release_seconds": 0.15, "breath_level": 0.03, "breath_band_hz": [800.0, 6000.0], "peak": 0.5,
        },
        "piano": {
            "midi_notes": [60, 69], "seconds": 5.0, "top_hz": 10000.0, "inharmonicity": 4e-4,
            "strike_position": 0.12, "tilt": 1.1, "loss_per_second": [0.4, 1.2e-3, 2.0e-7],
            "aftersound_weight": 0.3, "prompt_ratio": 6.0, "release_at_seconds": 4.0, "damper_seconds": 0.12,
            "attack_seconds": 0.0025, "hammer_length_seconds": 0.02, "hammer_seconds": 0.004,
            "hammer_band_hz": [100.0, 3000.0], "hammer_level": 0.1, "fade_out_seconds": 0.05, "peak": 0.5,
        },
    },
))

_register(Corpus(
    name="guitar_melody",
    tier="synthetic",
    rate=DREAM_RATE,
    licence=_GENERATED,
    description="30 s of a synthesized fingerpicked guitar arpeggio over C-G-Am-F at 11025 Hz, mono (5 notes a "
                "second, notes ringing over each other): stands in for the dreaming work's guitar recording where "
                "the real strums (hydrogen-drumkits-effects) are absent",
    provenance="numpy/scipy, seed 2017, 11025 Hz. 150 bpm, 8th notes of 0.2 s (2205 samples), bars of 8 eighths "
               "(1.6 s). Bar b = 0..17 plays chord [C, G, Am, F][b % 4] with voicings (MIDI, low to high) C 48 52 "
               "55 60 64, G 43 50 55 59 67, Am 45 52 57 60 64, F 41 48 53 57 60; eighth e of bar b plays voicing "
               "index [0 2 3 4 1 3 4 2] (b // 4 even) or [0 3 2 4 1 4 3 2] (b // 4 odd) at sample (8b + e) * 2205. "
               "Then a rolled C (48 52 55 60 64, one note every 40 ms) from 28.8 s, ringing to the end. Each note: "
               "plucked_note with f0 = 440 * 2^((m - 69)/12), partials k f0 sqrt((1 + B k^2)/(1 + B)) (B 5e-5) up to "
               "5 kHz (below the 5512.5 Hz Nyquist) in sine phase, amplitude |sin(pi k beta)|/k^1.2 (pluck position "
               "beta drawn from 0.10-0.20), decay exp(-sigma t) with sigma = 1.2 + 2.5e-3 f + 2e-6 f^2 per second "
               "(f the partial's Hz); 1 ms raised-cosine onset; plus 20 ms of white noise high-passed at 400 Hz "
               "decaying with tau 3 ms at 0.06 of the string's peak; 2.4 s long with a 0.2 s fade-out; multiplied "
               "by exp(-(t - t_next_bar)/0.08 s) from the next bar's start on (the chord change damps it); "
               "peak-normalised to its velocity: the eighth's level (1.0 0.7 0.75 0.85 0.9 0.7 0.8 0.7; 0.8 for the "
               "final roll) times 10^(u/20), u uniform in +-1.5 dB. Draws per note, in time order: u, beta, then the "
               "burst's noise. Sum cut to 30.0 s (330750 samples), 0.3 s half-cosine fade-out, peak 0.8, int16 "
               "round(x*32767); every note's onset, MIDI note, velocity and pluck position listed with the file",
    requires=(),
    builder=build_guitar_melody,
    parameters={
        "seed": 2017,
        "seconds": 30.0,
        "bpm": 150.0,
        "bars": 18,
        "progression": ["C", "G", "Am", "F"],
        "voicings": {"C": [48, 52, 55, 60, 64], "G": [43, 50, 55, 59, 67], "Am": [45, 52, 57, 60, 64],
                     "F": [41, 48, 53, 57, 60]},
        "patterns": [[0, 2, 3, 4, 1, 3, 4, 2], [0, 3, 2, 4, 1, 4, 3, 2]],
        "levels": [1.0, 0.7, 0.75, 0.85, 0.9, 0.7, 0.8, 0.7],
        "final_chord": "C",
        "roll_seconds": 0.04,
        "final_level": 0.8,
        "velocity_db": 1.5,
        "note_seconds": 2.4,
        "pluck_position": [0.1, 0.2],
        "tilt": 1.2,
        "loss_per_second": [1.2, 2.5e-3, 2.0e-6],
        "inharmonicity": 5e-5,
        "top_hz": 5000.0,
        "attack_seconds": 0.001,
        "burst_length_seconds": 0.02,
        "burst_seconds": 0.003,
        "burst_highpass_hz": 400.0,
        "burst_level": 0.06,
        "fade_out_seconds": 0.2,
        "damp_seconds": 0.08,
        "end_fade_seconds": 0.3,
        "peak": 0.8,
    },
))

_TONES_NOISES = {
    "seed": 2014,
    "seconds": 30.0,
    "files_per_label": 11,
    "top_hz": 9000.0,
    "peak": 0.8,
    "fade_out_seconds": 0.05,
    "labels": {
        "tones": {"note_seconds": [0.2, 1.2], "midi_notes": [45, 84], "vibrato_depth": [0.0, 0.01],
                  "vibrato_hz": [4.0, 7.0], "tilt": [0.7, 2.0], "odd_only_probability": 0.3, "harmonics": 30,
                  "attack_seconds": [0.01, 0.12], "release_seconds": [0.05, 0.3], "level": [0.4, 1.0],
                  "advance": [0.75, 1.0]},
        "chords": {"chord_seconds": [0.8, 3.0], "root_midi_notes": [45, 64],
                   "shapes": [[0, 4, 7], [0, 3, 7], [0, 4, 7, 10], [0, 3, 7, 10], [0, 4, 7, 11], [0, 5, 7],
                              [0, 4, 7, 12], [-12, 0, 3, 7]],
                   "tilt": [0.8, 2.0], "detune_cents": 4.0, "harmonics": 20, "attack_seconds": [0.01, 0.3],
                   "release_seconds": [0.1, 0.6], "level": [0.5, 1.0], "advance": [0.8, 1.0]},
        "bells": {"base_hz": [150.0, 1500.0], "partial_ratios": [0.56, 0.92, 1.19, 1.71, 2.0, 2.74, 3.0, 3.76, 4.07],
                  "stretch": [0.95, 1.05], "decay_seconds": [0.3, 1.5], "decay_exponent": 0.7, "decay_lengths": 4.0,
                  "max_seconds": 3.0,
                  "partial_level": [0.3, 1.0], "attack_samples": 22, "level": [0.4, 1.0], "gap_seconds": [0.15, 1.2]},
        "plucks": {"note_seconds": [0.4, 2.0], "midi_notes": [40, 84], "harmonics": 24, "pluck_position": [0.08, 0.3],
                   "dark_harmonics": 3, "decay_seconds": [0.2, 1.2], "bright_decay_ratio": 5.0,
                   "fade_out_seconds": 0.02, "level": [0.4, 1.0], "gap_seconds": [0.1, 0.6]},
        "noise_bursts": {"burst_seconds": [0.03, 1.0], "centre_hz": [150.0, 7000.0], "width_ratio": [1.3, 4.0],
                         "decay_fraction": [0.1, 0.6], "attack_seconds": [0.001, 0.05], "release_seconds": 0.01,
                         "level": [0.3, 1.0], "gap_seconds": [0.05, 0.6]},
        "drums": {"bpm": [80.0, 160.0], "kick_hz": [45.0, 70.0], "tom_hz": [90.0, 220.0],
                  "probabilities": {  # per 16th of the bar
                      "kick": [0.95, 0, 0.1, 0.05, 0.2, 0, 0.3, 0.05, 0.6, 0, 0.2, 0.1, 0.2, 0, 0.15, 0.05],
                      "snare": [0, 0, 0, 0, 0.9, 0, 0.05, 0.15, 0, 0.1, 0.05, 0, 0.9, 0, 0.1, 0.2],
                      "hat": [0.9, 0.3, 0.9, 0.3] * 4,
                      "tom": [0] * 12 + [0.1, 0.15, 0.15, 0.15],
                  }},
        "sweeps": {"sweep_seconds": [0.2, 2.5], "range_hz": [60.0, 6000.0], "saw_probability": 0.5, "harmonics": 40,
                   "attack_seconds": [0.005, 0.1], "level": [0.4, 1.0], "advance": [0.5, 1.1]},
        "fm": {"note_seconds": [0.2, 2.0], "midi_notes": [36, 84],
               "ratios": [0.5, 1.0, 1.5, 2.0, 3.0, 3.5, 1.414, 2.76],
               "index": [0.5, 8.0], "index_floor": 0.2, "index_seconds": [0.05, 1.0], "decay_seconds": [0.2, 3.0],
               "attack_seconds": [0.002, 0.08], "release_seconds": 0.02, "level": [0.4, 1.0], "advance": [0.6, 1.0]},
        "buzz": {"bpm": [90.0, 150.0], "steps": [1, 4], "midi_notes": [28, 64], "harmonics": 100,
                 "shapes": ["saw", "square", "pulse"], "cutoff_hz": [200.0, 4000.0], "tremolo_depth": [0.0, 0.3],
                 "tremolo_hz": [2.0, 12.0], "attack_seconds": 0.005, "release_seconds": [0.01, 0.08],
                 "level": [0.5, 1.0]},
        "noise": {"segment_seconds": 5.0, "crossfade_seconds": 1.0, "slope": [0.0, 2.0], "band_hz": [200.0, 5000.0],
                  "band_octaves": [0.2, 1.0], "band_gain": [0.0, 8.0], "swell_depth": [0.0, 0.8],
                  "swell_hz": [0.05, 1.0], "crackle_per_second": 8.0, "crackle_level": [0.5, 4.0]},
    },
}

#: Frames of 2048 samples at hop 1024 in one tones_noises file.
_TONES_NOISES_FILE_FRAMES = (int(_TONES_NOISES["seconds"] * MUSIC_RATE) - 2048) // 1024 + 1

_register(Corpus(
    name="tones_noises",
    tier="synthetic",
    rate=MUSIC_RATE,
    licence=_GENERATED,
    description=f"{len(tones_noises_list(_TONES_NOISES)) * _TONES_NOISES['seconds'] / 60:.0f} min of synthetic "
                f"tones and noises at 22050 Hz, mono, in {len(_TONES_NOISES['labels'])} labelled textures, one "
                f"folder each ({', '.join(_TONES_NOISES['labels'])}), {_TONES_NOISES['files_per_label']} files of "
                f"{_TONES_NOISES['seconds']:.0f} s per label: "
                f"{len(tones_noises_list(_TONES_NOISES)) * _TONES_NOISES_FILE_FRAMES} "
                "frames of 2048 at hop 1024. Stands in for mma_grooves (and so for Sarroff & Casey's 10 genres of "
                "songs) where mma, fluidsynth or the soundfont is absent: sound classes, not music",
    provenance="numpy/scipy at 22050 Hz, tones and filtered noise below 9 kHz (only the crackle's clicks are "
               "broadband). File j of label L (the i-th label) draws everything from numpy default_rng([2014, i, j]) "
               "and fills 30 s (661500 samples) with L's events, each with settings drawn from the ranges in "
               "parameters.labels.L: tones: a melody of harmonic tones (MIDI 45-84, 0.2-1.2 s, slightly overlapping) "
               "with vibrato, spectral tilt 1/k^0.7-2, 30 % odd harmonics only; chords: triads, sevenths, suspensions "
               "(roots MIDI 45-64, 0.8-3 s) of harmonic tones detuned by up to 4 cents; bells: strikes every 0.15-1.2 "
               "s of Risset's inharmonic partial ratios (0.56 ... 4.07, raised to a power 0.95-1.05) above a 150-1500 "
               "Hz base, partial decay tau/ratio^0.7 (tau 0.3-1.5 s), each partial cut after 4 of its time constants "
               "(at most 3 s) with a half-cosine fade over its last quarter; plucks: notes (MIDI 40-84) whose upper "
               "harmonics (above the 3rd) die 5x faster than the lower ones; noise_bursts: white noise through a "
               "2nd-order Butterworth band-pass (centre 150-7000 Hz, width ratio 1.3-4), 0.03-1 s, exponential decay; "
               "drums: kick, snare, closed hat and toms on a 16th grid at 80-160 bpm with fixed per-16th "
               "probabilities; sweeps: sine or band-limited sawtooth glides, exponential in frequency between 60 and "
               "6000 Hz, 0.2-2.5 s; fm: two-operator FM tones (ratios 0.5-3.5, index up to 8, decaying; Carson "
               "bandwidth kept below 9 kHz); buzz: a synth line of band-limited saw, square and pulse waves (MIDI "
               "28-64) with a low-pass tilt (200-4000 Hz) and tremolo on a 16th grid; noise: 5 s segments of coloured "
               "noise (spectral slope 1/f^0-2 with a resonant band, slow swells) crossfaded over 1 s, plus crackle. "
               "Harmonic tones are read from one-cycle tables (2048 points, linear interpolation). Each file: 50 ms "
               "fade-out, peak 0.8, int16 round(x*32767); per file its label, index, seed and event count",
    requires=(),
    builder=build_tones_noises,
    file_count=len(tones_noises_list(_TONES_NOISES)),
    parameters=_TONES_NOISES,
))

_register(Corpus(
    name="amen",
    tier="real",
    rate=RATE,
    licence="CC0 as uploaded (freesound 202537 by gowers, per /usr/share/doc/sonic-pi-samples/copyright); "
            "the loop is the drum break of The Winstons' 'Amen, Brother' (1969): the CC0 label rests on that upload",
    description="the real amen break (4 bars, 1969 recording) slowed from 140 to 120 bpm: 8.000 s mono",
    provenance="sonic-pi-samples loop_amen_full.flac (4 bars at 140 bpm, 302400 samples, 44.1 kHz stereo): "
               "mean downmix to mono, then scipy.signal.resample_poly(x, 7, 6) kept at 44100 Hz, as "
               "`sox ... speed 0.857142857` does (tempo and pitch fall together, -2.67 semitones); "
               "peak-normalised to 0.9 only if it would clip; int16 round(x*32767)",
    requires=(("sonic-pi-samples", f"{SONIC_PI}/loop_amen_full.flac"),),
    builder=build_amen,
    parameters={"seconds": 8.0, "bpm": 120.0, "source_bpm": 140.0, "peak_if_clipping": 0.9},
    sources={"sonic-pi-samples": _SOURCES["sonic-pi-samples"]},
))

_register(Corpus(
    name="kicks808_real",
    tier="real",
    rate=RATE,
    licence="per source (see sources): FluidR3_GM MIT, Hydrogen TR808EmulationKit GPL, Sonic Pi bd_808 CC0",
    description="260 808 kicks from 5 real-source bases (FluidR3 TR-808 kit keys 35 and 36, Hydrogen "
                "TR808EmulationKit long and short, Sonic Pi bd_808) x 13 tunings x 4 decays, each 45056 samples. "
                "No large set of genuine TR-808 recordings exists in the package registries: this is 5 bases plus "
                "augmentation",
    provenance="bases: FluidR3_GM bank 128 preset 25 (TR-808 kit) on MIDI channel 10, keys 35 and 36 at velocity 127, "
               "rendered by `fluidsynth -ni -q -R 0 -C 0 -g 1.0 -r 44100 -O float` (2 s per note, CLI tail dropped; "
               "the kit's velocities only scale the gain, so other velocities add nothing after peak normalisation); "
               "hydrogen-data TR808EmulationKit 808_Kick_Long and 808_Kick_Short; sonic-pi-samples bd_808. Each "
               "base: mono mean downmix, trimmed to its onset (first sample >= 2% of peak, minus 32 samples); then "
               "retuned -3..+3 semitones in half-semitone steps by resample_poly (ratio 2^(s/12) to < 0.2 cent), "
               "zero-padded/truncated to 45056 samples, optionally multiplied by exp(-t/tau) for tau 0.4/0.2/0.1 s, "
               "10 ms fade-out at the end, peak 0.9; per-file base and settings listed with each file",
    requires=(
        ("fluidsynth", "/usr/bin/fluidsynth"),
        ("fluid-soundfont-gm", FLUID_R3),
        ("hydrogen-data", f"{HYDROGEN_808}/808_Kick_Long.flac"),
        ("hydrogen-data", f"{HYDROGEN_808}/808_Kick_Short.flac"),
        ("sonic-pi-samples", f"{SONIC_PI}/bd_808.flac"),
    ),
    builder=build_kicks808_real,
    file_count=260,
    parameters={
        "soundfont_preset": 25,
        "soundfont_keys": [35, 36],
        "soundfont_velocities": [127],
        "sample_base_names": ["hydrogen_808_kick_long", "hydrogen_808_kick_short", "sonicpi_bd_808"],
        "onset_threshold": 0.02,
        "semitones": [step / 2 for step in range(-6, 7)],
        "extra_decay_seconds": [None, 0.4, 0.2, 0.1],
        "clip_samples": KICK_CLIP_SAMPLES,
        "fade_out_seconds": 0.01,
        "peak": 0.9,
    },
    sources={name: _SOURCES[name] for name in ("fluid-soundfont-gm", "hydrogen-data", "sonic-pi-samples", "fluidsynth")},
))

_GM_NOTES = {
    "level": 2.0,
    "dynamics": {"pp": 40, "mf": 80, "ff": 120},
    "instruments": {
        "guitar": {"label": "Guitar", "program": 24, "lowest": 40, "highest": 76, "hold_seconds": 4.0,
                   "seconds": 5.0, "slot_seconds": 6.4},
        "cello": {"label": "Cello", "program": 42, "lowest": 36, "highest": 72, "hold_seconds": 2.5,
                  "seconds": 3.0, "slot_seconds": 3.2},
        "piano": {"label": "Piano", "program": 0, "lowest": 21, "highest": 108, "hold_seconds": 4.0,
                  "seconds": 5.0, "slot_seconds": 6.4},
        "flute": {"label": "Flute", "program": 73, "lowest": 60, "highest": 96, "hold_seconds": 2.5,
                  "seconds": 3.0, "slot_seconds": 3.2},
    },
    "notes_per_run": 44,
    "fade_out_seconds": 0.05,
}

_register(Corpus(
    name="gm_notes",
    tier="real",
    rate=RATE,
    licence="MIT (FluidR3_GM by Frank Wen, per /usr/share/doc/fluid-soundfont-gm/copyright)",
    description="Iowa-MIS-style single notes from the FluidR3_GM soundfont, one per file, chromatic at pp/mf/ff, in "
                "one folder per instrument: guitar/ (nylon, E2-E5, 5 s), cello/ (C2-C5, 3 s), piano/ (A0-C8, 5 s), "
                "flute/ (C4-C7, 3 s); 597 files. Sampled real instruments played from MIDI, not the Iowa recordings",
    provenance="fluid-soundfont-gm FluidR3_GM.sf2 rendered by `fluidsynth -ni -q -R 0 -C 0 -g 1.0 -r 44100 -O float` "
               "from MIDI channel 1, bank 0, programs 24 (Acoustic Guitar nylon), 42 (Cello), 0 (Acoustic Grand "
               "Piano), 73 (Flute) at velocities 40/80/120 (pp/mf/ff): each note struck at t=0 and released after "
               "4 s (guitar, piano: let ring) or 2.5 s (cello, flute: sustained), kept for 5 s or 3 s from the "
               "note-on (the rest of the release tail dropped, 50 ms fade-out); mean downmix of the two channels to "
               "mono; x2.0 level for all files (no per-file normalisation, so the dynamics keep their levels); "
               "int16 round(x*32767). Notes are rendered in fixed runs (one instrument's range at one velocity, at "
               "most 44 notes a run, one note per 6.4 s or 3.2 s slot, All Sound Off 0.1 s after the kept part); "
               "per-file instrument, MIDI note, velocity and nominal equal-tempered f0 listed with each file",
    requires=(
        ("fluidsynth", "/usr/bin/fluidsynth"),
        ("fluid-soundfont-gm", FLUID_R3),
    ),
    builder=build_gm_notes,
    file_count=len(gm_note_list(_GM_NOTES)),
    parameters=_GM_NOTES,
    sources={
        "fluid-soundfont-gm": {
            **_SOURCES["fluid-soundfont-gm"],
            "note": "General MIDI soundfont FluidR3_GM by Frank Wen (sampled instruments); used here: programs 24 "
                    "Acoustic Guitar (nylon), 42 Cello, 0 Acoustic Grand Piano, 73 Flute",
        },
        "fluidsynth": _SOURCES["fluidsynth"],
    },
))

_MDN_NOTES = {
    "level": 2.0,
    "dynamics": {"mf": 80},
    "slot_seconds": 6.4,
    "fade_out_seconds": 0.05,
    "notes": [
        {"instrument": "clarinet", "label": "Clarinet", "program": 71, "midi_note": 69, "velocity": 80,
         "hold_seconds": 3.5, "seconds": 4.0},
        {"instrument": "piano", "label": "Piano", "program": 0, "midi_note": 60, "velocity": 80,
         "hold_seconds": 4.0, "seconds": 5.0},
        {"instrument": "piano", "label": "Piano", "program": 0, "midi_note": 69, "velocity": 80,
         "hold_seconds": 4.0, "seconds": 5.0},
    ],
}

_register(Corpus(
    name="mdn_notes",
    tier="real",
    rate=RATE,
    licence="MIT (FluidR3_GM by Frank Wen, per /usr/share/doc/fluid-soundfont-gm/copyright)",
    description="three single notes from the FluidR3_GM soundfont for Glover 2015's clarinet and piano runs: "
                "Clarinet.mf.A4.wav (440 Hz, 4 s), Piano.mf.C4.wav and Piano.mf.A4.wav (5 s), flat. Sampled real "
                "instruments played from MIDI, not the blog's own (unpublished) recordings",
    provenance="fluid-soundfont-gm FluidR3_GM.sf2 rendered by `fluidsynth -ni -q -R 0 -C 0 -g 1.0 -r 44100 -O float` "
               "from MIDI channel 1, bank 0, one note per run (struck at t=0, 120 bpm, 960 ticks/s, All Sound Off "
               "0.1 s after the kept part): program 71 (Clarinet) MIDI 69 (A4) velocity 80 released after 3.5 s, "
               "kept 4.0 s from the note-on (a sustained note and its release); program 0 (Acoustic Grand Piano) "
               "MIDI 60 (C4) and 69 (A4) velocity 80 released after 4 s, kept 5 s; the first 64 samples of the "
               "render (fluidsynth's lead block, silent) dropped; mean downmix of the two channels to mono; x2.0 "
               "level for all files (as gm_notes: no per-file normalisation; an error if over full scale); 50 ms "
               "fade-out; int16 round(x*32767); per-file instrument, program, MIDI note, velocity and nominal "
               "equal-tempered f0 listed with each file",
    requires=(
        ("fluidsynth", "/usr/bin/fluidsynth"),
        ("fluid-soundfont-gm", FLUID_R3),
    ),
    builder=build_mdn_notes,
    file_count=len(_MDN_NOTES["notes"]),
    parameters=_MDN_NOTES,
    sources={
        "fluid-soundfont-gm": {
            **_SOURCES["fluid-soundfont-gm"],
            "note": "General MIDI soundfont FluidR3_GM by Frank Wen (sampled instruments); used here: programs 71 "
                    "Clarinet, 0 Acoustic Grand Piano",
        },
        "fluidsynth": _SOURCES["fluidsynth"],
    },
))

_GUITAR_STRUMS = {
    "seed": 74,
    "seconds": 30.0,
    "bpm": 120.0,
    "bars": 14,
    "progression": ["Cmajor", "Gmajor", "Aminor", "Fmajor"],
    "pattern": [
        {"eighth": 0, "take": "plain", "layers": [0, 0]},
        {"eighth": 2, "take": "plain", "layers": [1, 2]},
        {"eighth": 3, "take": "UP", "layers": [2, 3]},
        {"eighth": 5, "take": "plain", "layers": [2, 1]},
        {"eighth": 6, "take": "DOWN", "layers": [1, 0]},
        {"eighth": 7, "take": "UP", "layers": [3, 2]},
    ],
    "final": {"chord": "Cmajor", "take": "plain", "layer": 0},
    "file_name_exceptions": {"Cmajor_DOWN": "Cmajor_Down"},
    "strum_seconds": 2.0,
    "fade_out_seconds": 0.05,
    "timing_jitter_seconds": 0.008,
    "damp_seconds": 0.15,
    "end_fade_seconds": 0.5,
    "peak_if_clipping": 0.9,
}

_register(Corpus(
    name="guitar_strums",
    tier="real",
    rate=DREAM_RATE,
    licence="CC-BY-3.0 Unported: belofilms.com AC-Guitar-Strums by Gabriel Verdugo Soto (www.belofilms.com), per "
            "the kit's drumkit.xml and /usr/share/doc/hydrogen-drumkits-effects/copyright; the kit asks for "
            "'proper noticeable credit: Gabriel Verdugo Soto (www.belofilms.com)'. This file is an adaptation: the "
            "strums are downmixed, resampled, cut, sequenced and mixed",
    description="30 s of real acoustic-guitar strumming at 11025 Hz, mono: the belofilms_GuitarStrums kit's strums "
                "sequenced into a C-G-Am-F progression (one bar each, 120 bpm, 6 strums a bar). Stands in for the "
                "dreaming work's guitar recording (Pfalz et al.'s ~74 s, excerpt limited_guitar.wav); a sequence of "
                "real one-shot strums, not one continuous performance",
    provenance="hydrogen-drumkits-effects /usr/share/hydrogen/data/drumkits/belofilms_GuitarStrums/ (FLAC, 96 kHz "
               "24-bit stereo; Cmajor_Down_01.flac is 44.1 kHz; files named <chord>[_DOWN|_UP]_<layer>.flac, layer "
               "00 the loudest of the kit's 4 velocity layers, DOWN/UP the takes drumkit.xml marks '\\' and '/', which "
               "its notes call slides down and up). "
               "Each file used: mean downmix of the two channels, scipy.signal.resample_poly from its rate to 11025 "
               "Hz (96000 -> 11025 is up 147, down 1280), cut to 2.0 s, 50 ms half-cosine fade-out. Sequence: 120 "
               "bpm, 8th-note grid of 0.25 s; bar b (2 s) plays chord [Cmajor, Gmajor, Aminor, Fmajor][b % 4] for "
               "b = 0..13, strums on eighths 0 plain, 2 plain, 3 UP, 5 plain, 6 DOWN, 7 UP with layers 0/1/2/2/1/3 "
               "in the 1st and 3rd passes through the progression (b // 4 even) and 0/2/3/1/0/2 in the 2nd and "
               "4th; then Cmajor_00 (plain, layer 0) at 28.0 s ringing to the end. Onset of strum i: "
               "round((eighth_i * 0.25 s + u_i) * 11025) with u_i uniform in +-8 ms from "
               "numpy default_rng(74) (u_0 = 0). Strum i is multiplied by exp(-(t - onset_{i+1}) / 0.15 s) from the "
               "next strum's onset on (re-struck strings), then all are summed; cut to 30.0 s (330750 samples), "
               "0.5 s half-cosine fade-out at the end, peak-normalised to 0.9 only if it would clip, int16 "
               "round(x*32767); each strum's onset, chord and file listed with the file",
    requires=tuple(("hydrogen-drumkits-effects", f"{GUITAR_STRUMS}/{name}")
                   for name in dict.fromkeys(strum["file"] for strum in guitar_strum_plan(_GUITAR_STRUMS))),
    builder=build_guitar_strums,
    parameters=_GUITAR_STRUMS,
    sources={"hydrogen-drumkits-effects": _SOURCES["hydrogen-drumkits-effects"]},
))


#: Per genre: the key its progression is written in, the progression (one chord a bar), and its
#: grooves as (MMA library file, groove name, tempo in beats a minute, beats a bar).
_MMA_GENRE_TABLE = {
    "blues": ("C", ["C7", "C7", "C7", "C7", "F7", "F7", "C7", "C7", "G7", "F7", "C7", "G7"], [
        ("blues", "Blues", 100, 4), ("blues128", "Blues128", 60, 4), ("blues68", "Blues68", 150, 6),
        ("slowblues", "SlowBlues", 66, 4), ("fastblues", "FastBlues", 150, 4), ("countryblues", "CountryBlues", 110, 4),
        ("boggiewoggie", "BoggieWoggie", 140, 4), ("shuffleboggie", "ShuffleBoggie", 120, 4)]),
    "jazz": ("C", ["Cmaj7", "A7", "Dm7", "G7", "Em7", "A7", "Dm7", "G7", "Gm7", "C7", "Fmaj7", "Fm7", "Em7", "A7",
                   "Dm7", "G7"], [
        ("swing", "Swing", 140, 4), ("bebop", "Bebop", 220, 4), ("jazzcombo", "JazzCombo", 170, 4),
        ("bigband", "BigBand", 150, 4), ("modernjazz", "ModernJazz", 120, 4), ("mellowjazz", "MellowJazz", 100, 4),
        ("nitejazz", "NiteJazz", 90, 4), ("slowjazz", "SlowJazz", 80, 4), ("easyswing", "EasySwing", 110, 4),
        ("jazzguitar", "JazzGuitar", 90, 4), ("gypsyjazz", "GypsyJazz", 190, 4), ("jazzwaltz", "JazzWaltz", 150, 3)]),
    "country": ("C", ["C", "C", "F", "C", "C", "C", "G7", "G7", "C", "C", "F", "F", "C", "G7", "C", "C"], [
        ("countryswing", "CountrySwing", 140, 4), ("bluegrass", "BlueGrass", 180, 4),
        ("westernswing", "WesternSwing", 150, 4), ("countrywaltz", "CountryWaltz", 120, 3),
        ("slowcountry", "SlowCountry", 80, 4), ("hillcountry", "HillCountry", 140, 4), ("zydeco", "Zydeco", 150, 4)]),
    "rock": ("C", ["C", "C", "F", "C", "G", "F", "C", "G"], [
        ("50srock", "50sRock", 150, 4), ("60srock", "60sRock", 130, 4), ("8beat", "8Beat", 120, 4),
        ("basicrock", "BasicRock", 125, 4), ("softrock", "SoftRock", 110, 4), ("folkrock", "FolkRock", 120, 4),
        ("bubblerock", "BubbleRock", 130, 4), ("rockwaltz", "RockWaltz", 140, 3), ("twist", "Twist", 150, 4),
        ("jive", "Jive", 160, 4), ("strut", "Strut", 120, 4)]),
    "ballad": ("C", ["C", "G", "Am", "F", "C", "G", "F", "G"], [
        ("popballad", "PopBallad", 75, 4), ("ballad", "Ballad", 72, 4), ("ballad128", "Ballad128", 60, 4),
        ("ballad68", "Ballad68", 100, 4), ("rockballad", "RockBallad", 70, 4), ("pianoballad", "PianoBallad", 70, 4),
        ("stringballad", "StringBallad", 60, 4), ("guitarballad", "GuitarBallad", 80, 4),
        ("folkballad", "FolkBallad", 85, 4), ("lullaby", "Lullaby", 70, 4)]),
    "latin": ("Am", ["Am", "Dm7", "G7", "Cmaj7", "Fmaj7", "Bm7b5", "E7", "Am"], [
        ("salsa", "Salsa", 180, 4), ("samba", "Samba", 200, 4), ("bossanova", "BossaNova", 130, 4),
        ("mambo", "Mambo", 180, 4), ("rhumba", "Rhumba", 120, 4), ("tango", "Tango", 120, 4),
        ("chacha", "ChaCha", 120, 4), ("merengue", "Merengue", 220, 4), ("beguine", "Beguine", 120, 4),
        ("bolero", "Bolero", 100, 4), ("son", "Son", 160, 4), ("afro-cuban", "Afro-Cuban", 120, 3),
        ("calypso", "Calypso", 140, 4)]),
    "ballroom": ("C", ["C", "C", "G7", "G7", "G7", "G7", "C", "C", "C", "C7", "F", "F", "C", "G7", "C", "C"], [
        ("waltz", "Waltz", 100, 3), ("vienesewaltz", "VieneseWaltz", 180, 3), ("fastwaltz", "FastWaltz", 200, 3),
        ("frenchwaltz", "FrenchWaltz", 140, 3), ("foxtrot", "Foxtrot", 120, 4), ("quickstep", "QuickStep", 200, 4),
        ("charleston", "Charleston", 220, 4), ("softshoe", "Softshoe", 120, 4), ("broadway", "Broadway", 130, 4),
        ("showtune", "ShowTune", 120, 4)]),
    "march": ("C", ["C", "C", "C", "C", "G7", "G7", "C", "C", "F", "F", "C", "C", "G7", "G7", "C", "C"], [
        ("march", "March", 120, 4), ("68march", "68March", 110, 2), ("bwmarch", "BWMarch", 120, 4),
        ("dixiemarch", "DixieMarch", 180, 4), ("polka", "Polka", 200, 4), ("ragtime", "RagTime", 180, 4)]),
    "folk": ("C", ["C", "F", "C", "G7", "C", "F", "G7", "C"], [
        ("folk", "Folk", 110, 4), ("bluefolk", "BlueFolk", 100, 4), ("hymn", "Hymn", 80, 4),
        ("spiritual", "Spiritual", 140, 4), ("popspiritual", "PopSpiritual", 100, 4),
        ("slowspiritual", "SlowSpiritual", 70, 4), ("arpeggio44", "Arpeggio4", 100, 4),
        ("arpeggiowaltz", "ArpeggioWaltz", 120, 3)]),
    "dance": ("Am", ["Am", "Am", "F", "F", "C", "C", "G", "G"], [
        ("trance", "Trance", 136, 4), ("boneym", "BoneyM", 125, 4), ("dsoul", "DSoul", 120, 4),
        ("bvfunk", "BVFunk", 110, 4), ("rb", "R&B", 120, 4)]),
}

_MMA_GROOVES = {
    "mma_seed": 2014,
    "seconds_per_genre": 330.0,
    "phrase_bars": 4,
    "tail_seconds": 1.0,
    "key_offsets": [0, 5, 9, 2, 7, 3, 10, 4, 8, 1, 11, 6],
    "peak": 0.9,
    "library": "/usr/share/mma/lib/stdlib",
    "genres": {
        genre: {
            "key": key,
            "progression": progression,
            "grooves": [{"library_file": library_file, "groove": groove, "tempo_bpm": tempo, "beats_per_bar": beats}
                        for library_file, groove, tempo, beats in grooves],
        }
        for genre, (key, progression, grooves) in _MMA_GENRE_TABLE.items()
    },
}

_MMA_PLAN = mma_groove_plan(_MMA_GROOVES, MUSIC_RATE)

_register(Corpus(
    name="mma_grooves",
    tier="real",
    rate=MUSIC_RATE,
    licence="MIT for the sounds (FluidR3_GM by Frank Wen, per /usr/share/doc/fluid-soundfont-gm/copyright); the "
            "accompaniment patterns are MMA's groove library, GPL-2+ (Bob van der Poel, per "
            "/usr/share/doc/mma/copyright): redistribute the files under terms that satisfy both",
    description=f"{sum(entry['samples'] for entry in _MMA_PLAN) / MUSIC_RATE / 60:.1f} min of genre-labelled "
                f"accompaniment music at 22050 Hz, mono, one folder per genre: {len(_MMA_PLAN)} MMA grooves in "
                f"{len(_MMA_GENRE_TABLE)} genres ("
                + ", ".join(f"{genre} {len(grooves)}" for genre, (_, _, grooves) in _MMA_GENRE_TABLE.items())
                + f"); a genre's {_MMA_GROOVES['seconds_per_genre'] / 60:.1f} min are shared about equally by its "
                  "grooves, each playing a chord progression typical of the genre, rendered through the FluidR3_GM "
                  "soundfont; "
                  f"{sum((entry['samples'] - 2048) // 1024 + 1 for entry in _MMA_PLAN)} frames of 2048 at hop 1024. "
                  "Stands in for Sarroff & Casey's ~8,000 songs of 10 genres (70,000 |FFT| frames, about 54 min "
                  "at hop 1024): sequenced accompaniment (drums, bass, chords, arpeggios, pads; no melody or voice) "
                  "played by sampled instruments, not produced recordings; the genres are MMA's groove styles, "
                  "not the paper's genre set",
    provenance="Per groove of parameters.genres (MMA library file /usr/share/mma/lib/stdlib/<library_file>.mma): "
               "an MMA song 'RndSeed 2014 / Groove <groove> / Tempo <tempo_bpm> / one chord a bar', bars = 4 * "
               "ceil((330 s / the genre's groove count) / (4 * beats_per_bar * 60 / tempo_bpm)); bar b plays "
               "chords[b % len(chords)], the genre's progression (written in C major, or A minor for latin and "
               "dance) moved up by key_offsets[i % 12] semitones for the genre's i-th groove, spelt with flats; "
               "compiled by `mma -f song.mid song.mma` (PYTHONHASHSEED=0; mma's report of bars and duration "
               "checked against the plan); rendered by `fluidsynth -ni -q -R 0 -C 0 -g 1.0 -r 22050 -O float -T "
               "wav` with fluid-soundfont-gm FluidR3_GM.sf2; the first 64 samples (fluidsynth's silent lead "
               "block) dropped; mean downmix of the two channels to mono; cut to the bars plus 1.0 s (the rest "
               "of the CLI's tail dropped) with a half-cosine fade-out over that last second; peak-normalised to "
               "0.9 (every file, so levels do not follow the grooves); int16 round(x*32767). Each groove is "
               "compiled and rendered alone, so a file's bytes depend on no other file. Per file: genre, groove, "
               "library file, tempo, beats a bar, bars, key, the progression as written into the song, the "
               "song's length and the render's peak before normalising",
    requires=(
        ("mma", "/usr/bin/mma"),
        ("fluidsynth", "/usr/bin/fluidsynth"),
        ("fluid-soundfont-gm", FLUID_R3),
    ),
    builder=build_mma_grooves,
    file_count=len(_MMA_PLAN),
    parameters=_MMA_GROOVES,
    sources={
        "mma": {
            "licence": "GPL-2+ (MMA and its groove library by Bob van der Poel, per /usr/share/doc/mma/copyright)",
            "note": "Musical MIDI Accompaniment: compiles a chord chart and a named groove from its library "
                    "(/usr/share/mma/lib/stdlib) into a multi-track MIDI file (drums, bass, chords, arpeggios)",
        },
        "fluidsynth": _SOURCES["fluidsynth"],
        "fluid-soundfont-gm": {
            **_SOURCES["fluid-soundfont-gm"],
            "note": "General MIDI soundfont FluidR3_GM by Frank Wen (sampled instruments and drum kits); used here: "
                    "whatever GM programs and kits each MMA groove selects",
        },
    },
))


# ----------------------------------------------------------------------------- building


def get_corpus(name: str) -> Corpus:
    """The corpus called ``name``; :class:`InputError` listing the accepted names otherwise."""
    if name not in CORPORA:
        raise InputError(name, f"unknown corpus (accepted: {', '.join(CORPORA)})")
    return CORPORA[name]


def missing_sources(name: str) -> list[tuple[str, str]]:
    """The ``(debian_package, path)`` pairs of corpus ``name`` whose path does not exist here."""
    return [(package, path) for package, path in get_corpus(name).requires if not Path(path).exists()]


def missing_message(name: str, missing) -> tuple[str, str]:
    """``(first missing file, problem)``: every missing file, its Debian package, and the install command."""
    (first_package, first_path), others = missing[0], missing[1:]
    packages = " ".join(sorted({package for package, _ in missing}))
    also = "".join(f"; also missing {path} (Debian package {package!r})" for package, path in others)
    them = "them" if others else "it"
    return first_path, (f"missing (Debian package {first_package!r}){also}; corpus {name!r} needs {them}: "
                        f"apt-get install {packages} (no other corpus is substituted)")


def build(name: str, out_dir) -> dict:
    """Build corpus ``name`` into ``out_dir`` and return its manifest.

    A missing source stops the build before anything in ``out_dir`` is touched.  Otherwise
    ``manifest.json`` is removed first, each WAV is written atomically, and the manifest is
    written last, so a build that fails half-way leaves no manifest.  WAV files already in
    ``out_dir`` that are not part of the corpus are left alone, with a warning on stderr.

    Parameters
    ----------
    name : str
        A key of :data:`CORPORA`.
    out_dir : str or Path
        Folder for the WAV files and ``manifest.json`` (created if needed).

    Returns
    -------
    dict
        The manifest, as written to ``out_dir/manifest.json``.

    Raises
    ------
    InputError
        For an unknown name, or a source file that is missing (naming it and its Debian package).
    """
    corpus = get_corpus(name)
    missing = missing_sources(name)
    if missing:
        raise InputError(*missing_message(name, missing))
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(out_dir, "exists and is not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MANIFEST).unlink(missing_ok=True)

    files = []
    items = corpus.builder(corpus)
    show = corpus.file_count >= 10
    for file_name, samples, extra in tqdm(items, total=corpus.file_count, desc=name, unit="file",
                                         disable=None if show else True, leave=False):
        _check_samples(corpus, file_name, samples)
        path = write_wav(out_dir / file_name, samples, corpus.rate)
        files.append({"name": file_name, "samples": int(samples.shape[0]), "sha256": sha256_of(path), **extra})
    if len(files) != corpus.file_count:
        raise RuntimeError(f"corpus {name!r} produced {len(files)} files, expected {corpus.file_count}")

    written = {entry["name"] for entry in files}
    folders = {out_dir} | {(out_dir / name).parent for name in written}  # gm_notes writes one folder per instrument
    strays = sorted(path.relative_to(out_dir).as_posix() for folder in folders for path in folder.glob("*.wav")
                    if path.relative_to(out_dir).as_posix() not in written)
    if strays:
        print(f"warning: {out_dir} also holds {len(strays)} WAV files that are not part of corpus {name!r} "
              f"(e.g. {strays[0]})", file=sys.stderr)

    total = sum(entry["samples"] for entry in files)
    manifest = {
        "name": corpus.name,
        "tier": corpus.tier,
        "description": corpus.description,
        "provenance": corpus.provenance,
        "licence": corpus.licence,
        "sample_rate": corpus.rate,
        "channels": 1,
        "sample_format": "WAV, 16-bit signed PCM",
        "parameters": corpus.parameters,
        "sources": [
            {"package": package, "path": path, "version": package_version(package), **corpus.sources.get(package, {})}
            for package, path in corpus.requires
        ],
        "file_count": len(files),
        "total_samples": total,
        "total_seconds": round(total / corpus.rate, 6),
        "files": files,
    }
    write_json(out_dir / MANIFEST, manifest)
    return manifest


def _check_samples(corpus: Corpus, file_name: str, samples) -> None:
    if not isinstance(samples, np.ndarray) or samples.dtype != np.int16 or samples.ndim != 1:
        raise RuntimeError(f"{corpus.name}/{file_name}: the builder must yield 1-D int16 samples")
    if samples.size == 0 or not np.any(samples):
        raise RuntimeError(f"{corpus.name}/{file_name}: empty or silent")


# ----------------------------------------------------------------------------- command line


def _list_lines() -> list[str]:
    lines = []
    width = max(len(name) for name in CORPORA)
    for name, corpus in CORPORA.items():
        missing = missing_sources(name)
        if missing:
            packages = " ".join(sorted({package for package, _ in missing}))
            state = f"missing (apt-get install {packages})"
        else:
            state = "available"
        lines.append(f"{name:<{width}}  {corpus.tier:<9}  {state:<10}  {corpus.description}")
    return lines


def _summary(manifest: dict, out_dir) -> str:
    count = manifest["file_count"]
    return (f"{manifest['name']}: wrote {count} file{'s' if count != 1 else ''} "
            f"({manifest['total_seconds']:.3f} s of audio) and {MANIFEST} to {out_dir}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.corpora", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="one line per corpus: name, tier, availability, description")
    one = commands.add_parser("build", help="build one corpus into --out")
    one.add_argument("name", help=f"one of: {', '.join(CORPORA)}")
    one.add_argument("--out", required=True, type=Path, help="output folder")
    every = commands.add_parser("build-all", help="build every corpus of a tier into ROOT/NAME")
    every.add_argument("--out", required=True, type=Path, help="root folder (one sub-folder per corpus)")
    every.add_argument("--tier", choices=("synthetic", "real", "all"), default="all")
    args = parser.parse_args(argv)
    if args.command != "list":
        check_output_folder(args.out, "--out")

    if args.command == "list":
        print("\n".join(_list_lines()))
    elif args.command == "build":
        manifest = build(args.name, args.out)
        print(_summary(manifest, args.out))
    else:
        skipped = []
        for name, corpus in CORPORA.items():
            if args.tier != "all" and corpus.tier != args.tier:
                continue
            missing = missing_sources(name)
            if missing:
                path, problem = missing_message(name, missing)
                print(f"{name}: not built: {path}: {problem}", file=sys.stderr)
                skipped.append((name, missing))
                continue
            manifest = build(name, args.out / name)
            print(_summary(manifest, args.out / name))
        if skipped:
            packages = sorted({package for _, missing in skipped for package, _ in missing})
            raise InputError(args.out, f"not built for missing sources: {', '.join(name for name, _ in skipped)} "
                                       f"(install with: apt-get install {' '.join(packages)})")


if __name__ == "__main__":
    cli_main(main)
