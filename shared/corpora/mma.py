"""``mma_grooves``: genre-labelled accompaniment, MMA grooves compiled to MIDI and rendered with fluidsynth."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import numpy as np

from shared.audio import mean_downmix, read_audio
from shared.corpora.debian import FLUIDSYNTH_SOUNDFONT, SOURCES, with_note
from shared.corpora.dsp import fade_out, fit_length, peak_normalise, to_pcm16
from shared.corpora.registry import MUSIC_RATE, Corpus, Item
from shared.corpora.soundfont import FLUIDSYNTH_LEAD_SAMPLES, run_fluidsynth
from shared.rundir import InputError


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

MMA_GROOVES_CORPUS = Corpus(
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
    requires=(("mma", "/usr/bin/mma"),) + FLUIDSYNTH_SOUNDFONT,
    builder=build_mma_grooves,
    file_count=len(_MMA_PLAN),
    parameters=_MMA_GROOVES,
    sources={
        "mma": {
            "licence": "GPL-2+ (MMA and its groove library by Bob van der Poel, per /usr/share/doc/mma/copyright)",
            "note": "Musical MIDI Accompaniment: compiles a chord chart and a named groove from its library "
                    "(/usr/share/mma/lib/stdlib) into a multi-track MIDI file (drums, bass, chords, arpeggios)",
        },
        "fluidsynth": SOURCES["fluidsynth"],
        "fluid-soundfont-gm": with_note("fluid-soundfont-gm", "General MIDI soundfont FluidR3_GM by Frank Wen (sampled "
                                        "instruments and drum kits); used here: whatever GM programs and kits each "
                                        "MMA groove selects"),
    },
)
