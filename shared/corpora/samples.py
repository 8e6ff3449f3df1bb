"""Recorded samples: the amen break (Sonic Pi), 808 kicks (FluidR3, Hydrogen, Sonic Pi), guitar strums (Hydrogen)."""

from __future__ import annotations

from typing import Iterator

import numpy as np

from shared.audio import mean_downmix, read_audio, resample
from shared.corpora.debian import FLUIDSYNTH_SOUNDFONT, GUITAR_STRUMS, HYDROGEN_808, SONIC_PI, SOURCES
from shared.corpora.dsp import (damp_after, exponential_decay, fade_out, fit_length, peak_normalise, retune, to_pcm16,
                                trim_to_onset)
from shared.corpora.percussion import KICK_CLIP_SAMPLES
from shared.corpora.registry import DREAM_RATE, RATE, Corpus, Item
from shared.corpora.soundfont import render_soundfont_kicks
from shared.rundir import InputError


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
            f"got {audio.samples.shape[0]} samples at {audio.rate} Hz ({len(slowed)} after slowing): "
            "another package version?"
        )
    peak = np.max(np.abs(slowed))
    normalised = np.round(peak * 32767) > 32767
    if normalised:
        slowed = peak_normalise(slowed, corpus.parameters["peak_if_clipping"])
    yield "amen_120bpm.wav", to_pcm16(slowed), {"source_peak": round(float(peak), 6),
                                                "peak_normalised": bool(normalised)}


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


AMEN_CORPUS = Corpus(
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
    sources={"sonic-pi-samples": SOURCES["sonic-pi-samples"]},
)

KICKS808_REAL_CORPUS = Corpus(
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
    requires=FLUIDSYNTH_SOUNDFONT + (
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
    sources={name: SOURCES[name] for name in ("fluid-soundfont-gm", "hydrogen-data", "sonic-pi-samples", "fluidsynth")},
)


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

GUITAR_STRUMS_CORPUS = Corpus(
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
    sources={"hydrogen-drumkits-effects": SOURCES["hydrogen-drumkits-effects"]},
)
