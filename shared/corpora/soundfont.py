"""Notes and kicks rendered from the FluidR3_GM soundfont with the fluidsynth CLI: ``gm_notes``, ``mdn_notes``."""

from __future__ import annotations

import struct
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import numpy as np
import soundfile

from shared.audio import mean_downmix, read_audio
from shared.corpora.debian import FLUIDSYNTH_SOUNDFONT, SOURCES, with_note
from shared.corpora.dsp import fade_out, midi_hz, note_name, to_pcm16
from shared.corpora.registry import RATE, Corpus, Item
from shared.rundir import InputError


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


def note_file(corpus: Corpus, soundfont: Path, rendered, *, instrument: str, label: str, program: int, key: int,
              velocity: int) -> Item:
    """One rendered note of ``gm_notes`` or ``mdn_notes`` as a file: ``<label>.<dynamic>.<pitch>.wav``.

    ``rendered`` times the corpus's fixed ``level`` (an :class:`InputError` if that goes over full
    scale), with a ``fade_out_seconds`` fade-out, in int16.  The dynamic is the name of
    ``velocity`` in ``parameters["dynamics"]``, or ``v<velocity>``.
    """
    p = corpus.parameters
    samples = rendered * p["level"]
    peak = float(np.max(np.abs(samples)))
    if peak > 1.0:
        raise InputError(soundfont, f"{instrument} note {key} velocity {velocity} peaks at {peak:.3f} after "
                                    f"the level {p['level']} (over full scale: another package version?)")
    samples = fade_out(samples, int(round(p["fade_out_seconds"] * corpus.rate)))
    dynamic = {value: name for name, value in p["dynamics"].items()}.get(velocity, f"v{velocity}")
    extra = {
        "instrument": instrument, "program": program, "midi_note": key, "velocity": velocity,
        "dynamic": dynamic, "f0_hz": round(midi_hz(key), 4), "peak": round(peak, 4),
    }
    return f"{label}.{dynamic}.{note_name(key)}.wav", to_pcm16(samples), extra


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
            name, samples, extra = note_file(corpus, soundfont, renders[(key - settings["lowest"]) % run_size],
                                             instrument=instrument, label=settings["label"],
                                             program=settings["program"], key=key, velocity=velocity)
            yield f"{instrument}/{name}", samples, extra


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
        yield note_file(corpus, soundfont, rendered, instrument=note["instrument"], label=note["label"],
                        program=note["program"], key=note["midi_note"], velocity=note["velocity"])


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

GM_NOTES_CORPUS = Corpus(
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
    requires=FLUIDSYNTH_SOUNDFONT,
    builder=build_gm_notes,
    file_count=len(gm_note_list(_GM_NOTES)),
    parameters=_GM_NOTES,
    sources={
        "fluid-soundfont-gm": with_note("fluid-soundfont-gm", "General MIDI soundfont FluidR3_GM by Frank Wen (sampled "
                                        "instruments); used here: programs 24 Acoustic Guitar (nylon), 42 Cello, 0 "
                                        "Acoustic Grand Piano, 73 Flute"),
        "fluidsynth": SOURCES["fluidsynth"],
    },
)

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

MDN_NOTES_CORPUS = Corpus(
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
    requires=FLUIDSYNTH_SOUNDFONT,
    builder=build_mdn_notes,
    file_count=len(_MDN_NOTES["notes"]),
    parameters=_MDN_NOTES,
    sources={
        "fluid-soundfont-gm": with_note("fluid-soundfont-gm", "General MIDI soundfont FluidR3_GM by Frank Wen (sampled "
                                        "instruments); used here: programs 71 Clarinet, 0 Acoustic Grand Piano"),
        "fluidsynth": SOURCES["fluidsynth"],
    },
)
