"""Plucked strings: single notes named like the Iowa MIS files, and a fingerpicked guitar arpeggio."""

from __future__ import annotations

from typing import Iterator

import numpy as np

from shared.corpora.dsp import (add_attack_noise, damp_after, fade_in, fade_out, midi_hz, noise_bursts, note_name,
                                peak_normalise, stiff_string_partials, string_loss, to_pcm16)
from shared.corpora.registry import DREAM_RATE, Corpus, Item, synthetic


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
    for k, frequency in stiff_string_partials(f0, inharmonicity, top_hz):
        amplitude = abs(np.sin(np.pi * k * pluck_position)) / k**tilt
        sigma = string_loss(loss, frequency)
        count = min(length, int(np.ceil(20.0 * np.log(2.0) / sigma * rate)))
        n = np.arange(count)
        string[:count] += amplitude * np.exp(-sigma * n / rate) * np.sin(2.0 * np.pi * frequency * n / rate)
    string = fade_in(string, int(round(attack_seconds * rate)))
    add_attack_noise(string, burst, burst_level)
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
    burst = noise_bursts(rng, rate, seconds=p["burst_length_seconds"], tau_seconds=p["burst_seconds"],
                         cutoff_hz=p["burst_highpass_hz"], btype="highpass")
    for dynamic, settings in p["dynamics"].items():
        for key in p["midi_notes"]:
            f0 = midi_hz(key)
            pluck_position = rng.uniform(*p["pluck_position"])
            note = plucked_note(
                f0, length, rate, pluck_position=pluck_position, tilt=settings["tilt"], loss=p["loss_per_second"],
                inharmonicity=p["inharmonicity"], top_hz=p["top_hz"], burst=burst(),
                burst_level=settings["burst_level"], attack_seconds=p["attack_seconds"],
            )
            note = fade_out(note, int(round(p["fade_out_seconds"] * rate)))
            sigma = string_loss(p["loss_per_second"], f0)
            extra = {
                "midi_note": key, "dynamic": dynamic, "f0_hz": round(f0, 4),
                "fundamental_decay_db_per_second": round(20.0 * np.log10(np.e) * sigma, 2),
                "pluck_position": round(pluck_position, 4),
            }
            yield f"Plucked.{dynamic}.{note_name(key)}.wav", to_pcm16(peak_normalise(note, settings["peak"])), extra


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
    burst = noise_bursts(rng, rate, seconds=p["burst_length_seconds"], tau_seconds=p["burst_seconds"],
                         cutoff_hz=p["burst_highpass_hz"], btype="highpass")
    mix = np.zeros(length + note_length)
    played = []
    for note in guitar_melody_notes(p, rate):
        level = p["levels"][note["position"]] if note["stop"] is not None else p["final_level"]
        velocity = level * 10.0 ** (rng.uniform(-p["velocity_db"], p["velocity_db"]) / 20.0)
        pluck_position = rng.uniform(*p["pluck_position"])
        samples = plucked_note(
            midi_hz(note["midi_note"]), note_length, rate, pluck_position=pluck_position, tilt=p["tilt"],
            loss=p["loss_per_second"], inharmonicity=p["inharmonicity"], top_hz=p["top_hz"], burst=burst(),
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


PLUCKED_CORPUS = synthetic(
    "plucked", build_plucked,
    description="27 plucked-string single notes (A3-A5 in minor thirds x pp/mf/ff), 6 s each, one note per file "
                "named like the Iowa MIS files (Plucked.mf.A3.wav): stands in for the decay work's Iowa guitar notes",
    provenance="numpy/scipy, seed 1956: per note, partials k*f0*sqrt((1+B k^2)/(1+B)) (B 5e-5) up to 10 kHz in sine "
               "phase, amplitude |sin(pi k beta)|/k^tilt (pluck position beta drawn from 0.11-0.17; tilt pp 1.6, "
               "mf 1.3, ff 1.0), decay exp(-sigma t) with sigma = 0.9 + 1.8e-3 f + 1e-6 f^2 per second (f the "
               "partial's Hz: the fundamental falls 11.7 dB/s at A3, 16.4 at A4, 28.3 at A5); 1 ms raised-cosine "
               "onset; plus 30 ms of white noise high-passed at 400 Hz decaying with tau 3 ms (pp 0.05, mf 0.08, "
               "ff 0.12 of the string's peak); 10 ms fade-out; peak pp 0.2, mf 0.45, ff 0.9; per-file f0 listed "
               "with each file",
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
)


GUITAR_MELODY_CORPUS = synthetic(
    "guitar_melody", build_guitar_melody,
    rate=DREAM_RATE,
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
)
