"""``tones_noises``: ten labelled textures of synthetic tones and noises (oscillators, events, the generators)."""

from __future__ import annotations

import functools
from typing import Iterator

import numpy as np
import scipy.signal

from shared.corpora.dsp import fade_out, midi_hz, peak_normalise, to_pcm16
from shared.corpora.percussion import analog_kick
from shared.corpora.registry import MUSIC_RATE, Corpus, Item, synthetic


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


def scattered(event):
    """The texture whose events, one after another, are ``event(rng, rate, s, top_hz, mix, start)`` (:func:`scatter`).

    ``event`` adds one event at ``start`` of ``mix`` and returns how far after it the next one starts.
    """

    @functools.wraps(event)
    def texture(rng, length, rate, s, top_hz):
        return scatter(length, lambda mix, start: event(rng, rate, s, top_hz, mix, start))

    return texture


def draw_samples(rng, seconds, rate: int) -> int:
    """A duration drawn uniformly from the range ``seconds`` (low, high), in samples."""
    return int(round(rng.uniform(*seconds) * rate))


def draw_pitch(rng, midi_notes) -> float:
    """The frequency of a MIDI note drawn uniformly from the range ``midi_notes`` (low, high, both included)."""
    return midi_hz(int(rng.integers(midi_notes[0], midi_notes[1] + 1)))


def add_at_level(mix, start: int, rng, s, event) -> None:
    """:func:`add_at` of ``event`` times a level drawn from the range ``s["level"]``."""
    add_at(mix, start, rng.uniform(*s["level"]) * event)


def add_shaped(mix, start: int, rng, s, rate: int, event, attack_seconds: float, release_seconds: float) -> int:
    """``event`` shaped by :func:`attack_release`, then :func:`add_at_level`; returns where the next event starts.

    The next event starts ``len(event)`` times a factor drawn from the range ``s["advance"]``
    after this one (below 1: the events overlap).
    """
    n = len(event)
    event *= attack_release(n, rate, attack_seconds, release_seconds)
    add_at_level(mix, start, rng, s, event)
    return int(n * rng.uniform(*s["advance"]))


@scattered
def texture_tones(rng, rate, s, top_hz, mix, start):
    """A melody of harmonic tones with vibrato, one after another (slightly overlapping)."""
    n = draw_samples(rng, s["note_seconds"], rate)
    f0 = draw_pitch(rng, s["midi_notes"])
    depth, vibrato_hz = rng.uniform(*s["vibrato_depth"]), rng.uniform(*s["vibrato_hz"])
    tilt, odd_only = rng.uniform(*s["tilt"]), rng.random() < s["odd_only_probability"]
    k = np.arange(1, harmonic_count(f0 * (1 + depth), top_hz, s["harmonics"]) + 1)
    amplitudes = np.where(odd_only & (k % 2 == 0), 0.0, 1.0 / k**tilt)
    t = np.arange(n) / rate
    frequency = f0 * (1.0 + depth * np.sin(2 * np.pi * vibrato_hz * t + rng.uniform(0, 2 * np.pi)))
    note = wavetable_oscillator(amplitudes, np.cumsum(frequency) / rate)
    return add_shaped(mix, start, rng, s, rate, note, rng.uniform(*s["attack_seconds"]),
                      rng.uniform(*s["release_seconds"]))


@scattered
def texture_chords(rng, rate, s, top_hz, mix, start):
    """Chords (triads, sevenths, suspensions) of detuned harmonic tones, one after another."""
    n = draw_samples(rng, s["chord_seconds"], rate)
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


@scattered
def texture_bells(rng, rate, s, top_hz, mix, start):
    """Struck inharmonic bells: partials at fixed non-integer ratios, higher ones dying sooner."""
    f0 = log_uniform(rng, *s["base_hz"])
    tau = rng.uniform(*s["decay_seconds"])
    stretch = rng.uniform(*s["stretch"])
    level = rng.uniform(*s["level"])
    for ratio in np.asarray(s["partial_ratios"]) ** stretch:
        if f0 * ratio >= top_hz:
            continue
        partial_tau = tau / ratio ** s["decay_exponent"]
        n = int(round(min(s["decay_lengths"] * partial_tau, s["max_seconds"]) * rate))
        partial = fade_out(decaying_sine(f0 * ratio, partial_tau, n, rate), n // 4)  # no click where it is cut
        partial[:s["attack_samples"]] *= np.linspace(0.0, 1.0, s["attack_samples"], endpoint=False)
        add_at(mix, start, level * rng.uniform(*s["partial_level"]) * partial)
    return draw_samples(rng, s["gap_seconds"], rate)


@scattered
def texture_plucks(rng, rate, s, top_hz, mix, start):
    """Plucked notes: a bright part (upper harmonics) dying fast over a dark part (lower ones)."""
    n = draw_samples(rng, s["note_seconds"], rate)
    f0 = draw_pitch(rng, s["midi_notes"])
    k = np.arange(1, harmonic_count(f0, top_hz, s["harmonics"]) + 1)
    amplitudes = np.abs(np.sin(np.pi * k * rng.uniform(*s["pluck_position"]))) / k
    dark = np.where(k <= s["dark_harmonics"], amplitudes, 0.0)
    cycles = f0 * np.arange(n) / rate
    tau = rng.uniform(*s["decay_seconds"])
    t = np.arange(n) / rate
    note = (wavetable_oscillator(dark, cycles) * np.exp(-t / tau)
            + wavetable_oscillator(amplitudes - dark, cycles) * np.exp(-t * s["bright_decay_ratio"] / tau))
    note = fade_out(note, min(n, int(round(s["fade_out_seconds"] * rate))))
    add_at_level(mix, start, rng, s, note)
    return draw_samples(rng, s["gap_seconds"], rate)


@scattered
def texture_noise_bursts(rng, rate, s, top_hz, mix, start):
    """Band-passed white-noise bursts (random centre and width) with a fast attack and exponential decay."""
    n = draw_samples(rng, s["burst_seconds"], rate)
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
    return draw_samples(rng, s["gap_seconds"], rate)


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


@scattered
def texture_sweeps(rng, rate, s, top_hz, mix, start):
    """Sine and band-limited sawtooth glides (exponential in frequency, up or down)."""
    n = draw_samples(rng, s["sweep_seconds"], rate)
    f_start, f_end = log_uniform(rng, *s["range_hz"]), log_uniform(rng, *s["range_hz"])
    frequency = f_start * (f_end / f_start) ** (np.arange(n) / n)
    if rng.random() < s["saw_probability"]:
        k = np.arange(1, harmonic_count(max(f_start, f_end), top_hz, s["harmonics"]) + 1)
        sweep = wavetable_oscillator(1.0 / k, np.cumsum(frequency) / rate)
    else:
        sweep = np.sin(2 * np.pi * np.cumsum(frequency) / rate)
    return add_shaped(mix, start, rng, s, rate, sweep, rng.uniform(*s["attack_seconds"]),
                      rng.uniform(*s["attack_seconds"]))


@scattered
def texture_fm(rng, rate, s, top_hz, mix, start):
    """Two-operator FM tones (brass-, bell- and clang-like) whose modulation index decays."""
    n = draw_samples(rng, s["note_seconds"], rate)
    carrier = draw_pitch(rng, s["midi_notes"])
    modulator = carrier * s["ratios"][int(rng.integers(len(s["ratios"])))]
    most = max(0.0, (top_hz - carrier) / modulator - 1.0)  # Carson's rule: the sidebands stay below top_hz
    start_index = min(rng.uniform(*s["index"]), most)
    t = np.arange(n) / rate
    floor = s["index_floor"]
    index = start_index * (floor + (1 - floor) * np.exp(-t / rng.uniform(*s["index_seconds"])))
    note = np.sin(2 * np.pi * carrier * t + index * np.sin(2 * np.pi * modulator * t))
    note *= np.exp(-t / rng.uniform(*s["decay_seconds"]))
    return add_shaped(mix, start, rng, s, rate, note, rng.uniform(*s["attack_seconds"]), s["release_seconds"])


def texture_buzz(rng, length, rate, s, top_hz):
    """A synth line of band-limited saw, square and pulse waves with a low-pass tilt and tremolo."""
    step = 15.0 / rng.uniform(*s["bpm"]) * rate

    def event(mix, start):
        n = int(round(step * int(rng.integers(s["steps"][0], s["steps"][1] + 1))))
        f0 = draw_pitch(rng, s["midi_notes"])
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
        add_at_level(mix, start, rng, s, note)
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

TONES_NOISES_CORPUS = synthetic(
    "tones_noises", build_tones_noises,
    rate=MUSIC_RATE,
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
    file_count=len(tones_noises_list(_TONES_NOISES)),
    parameters=_TONES_NOISES,
)
