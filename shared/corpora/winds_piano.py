"""A clarinet-like and a piano-like note, beside Glover's 440 Hz sine: the synthetic stand-ins for ``mdn_notes``."""

from __future__ import annotations

from typing import Iterator

import numpy as np
import scipy.signal

from shared.corpora.dsp import (add_attack_noise, fade_in, fade_out, midi_hz, noise_bursts, note_name, peak_normalise,
                                stiff_string_partials, string_loss, to_pcm16)
from shared.corpora.registry import Corpus, Item, synthetic


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
    tone = fade_in(tone, int(round(attack_seconds * rate)))
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
    for k, frequency in stiff_string_partials(f0, inharmonicity, top_hz):
        sigma = string_loss(loss, frequency)
        envelope = ((1.0 - aftersound_weight) * np.exp(-prompt_ratio * sigma * t)
                    + aftersound_weight * np.exp(-sigma * t))
        string += abs(np.sin(np.pi * k * strike_position)) / k**tilt * envelope * np.sin(2.0 * np.pi * frequency * t)
    release = int(round(release_at_seconds * rate))
    string[release:] *= np.exp(-(t[release:] - release_at_seconds) / damper_seconds)
    string = fade_in(string, int(round(attack_seconds * rate)))
    add_attack_noise(string, hammer, hammer_level)
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
    hammer = noise_bursts(rng, rate, seconds=s["hammer_length_seconds"], tau_seconds=s["hammer_seconds"],
                          cutoff_hz=s["hammer_band_hz"], btype="bandpass")
    for key in s["midi_notes"]:
        f0 = midi_hz(key)
        note = piano_note(
            f0, length, rate, top_hz=s["top_hz"], inharmonicity=s["inharmonicity"],
            strike_position=s["strike_position"], tilt=s["tilt"], loss=s["loss_per_second"],
            aftersound_weight=s["aftersound_weight"], prompt_ratio=s["prompt_ratio"],
            release_at_seconds=s["release_at_seconds"], damper_seconds=s["damper_seconds"],
            attack_seconds=s["attack_seconds"], hammer=hammer(), hammer_level=s["hammer_level"],
        )
        note = fade_out(note, int(round(s["fade_out_seconds"] * rate)))
        sigma = string_loss(s["loss_per_second"], f0)
        extra = {
            "instrument": "piano", "midi_note": key, "f0_hz": round(f0, 4),
            "fundamental_decay_db_per_second": [round(20.0 * np.log10(np.e) * s["prompt_ratio"] * sigma, 2),
                                                round(20.0 * np.log10(np.e) * sigma, 2)],
        }
        yield f"Piano.mf.{note_name(key)}.wav", to_pcm16(peak_normalise(note, s["peak"])), extra


MDN_NOTES_SYNTH_CORPUS = synthetic(
    "mdn_notes_synth", build_mdn_notes_synth,
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
)
