"""Named audio corpora, built into a directory with a manifest.

Two tiers (README.md, "Corpora"; sources in shared/corpora/, whose README.md shows how to add a
corpus of your own):

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

The modules: ``registry`` (:class:`Corpus`, :data:`CORPORA`, :func:`register`, :func:`build`),
``cli`` (the command line), ``dsp`` (shared signal helpers), ``debian`` (the packages behind the
real tier); one module per family of sounds, each holding its corpora's declarations beside the
code that builds them: ``tones`` (sine, vowels), ``percussion`` (kicks808, amen_synth),
``plucked`` (plucked, guitar_melody), ``winds_piano`` (mdn_notes_synth), ``textures``
(tones_noises), ``samples`` (amen, kicks808_real, guitar_strums), ``soundfont`` (gm_notes,
mdn_notes) and ``mma`` (mma_grooves).  Every public name of the single module this package
once was is still a name of the package (``corpora.build``, ``corpora.standard_midi_file``, ...).
"""

from shared.corpora import mma, percussion, plucked, samples, soundfont, textures, tones, winds_piano
from shared.corpora.cli import main
from shared.corpora.debian import FLUID_R3, FLUIDSYNTH, GUITAR_STRUMS, HYDROGEN_808, SONIC_PI, SOURCES, package_version
from shared.corpora.dsp import (PITCH_NAMES, damp_after, exponential_decay, fade_out, fit_length, midi_hz,
                                note_name, peak_normalise, retune, to_pcm16, trim_to_onset)
from shared.corpora.mma import (CHORD_ROOTS, build_mma_grooves, mma_groove_items, mma_groove_plan, mma_song,
                                render_mma_groove, transpose_chord)
from shared.corpora.percussion import (AMEN_GHOST_SNARES, AMEN_PATTERN, KICK_CLIP_SAMPLES, analog_kick,
                                       build_amen_synth, build_kicks808, sixteenth_onset)
from shared.corpora.plucked import build_guitar_melody, build_plucked, guitar_melody_notes, plucked_note
from shared.corpora.registry import (CORPORA, DREAM_RATE, GENERATED, MANIFEST, MUSIC_RATE, RATE, TIERS, Corpus, Item,
                                     build, get_corpus, missing_message, missing_sources, register, synthetic)
from shared.corpora.samples import (build_amen, build_guitar_strums, build_kicks808_real, guitar_strum_plan,
                                    strum_file_name)
from shared.corpora.soundfont import (FLUIDSYNTH_LEAD_SAMPLES, build_gm_notes, build_mdn_notes, gm_note_items,
                                      gm_note_list, render_soundfont_kicks, render_soundfont_notes, run_fluidsynth,
                                      standard_midi_file)
from shared.corpora.textures import (TEXTURES, add_at, attack_release, build_tones_noises, decaying_sine,
                                     harmonic_count, log_uniform, scatter, texture_bells, texture_buzz, texture_chords,
                                     texture_drums, texture_fm, texture_noise, texture_noise_bursts, texture_plucks,
                                     texture_sweeps, texture_tones, tones_noises_items, tones_noises_list,
                                     wavetable_oscillator)
from shared.corpora.tones import build_sine, build_vowels, formant_filter
from shared.corpora.winds_piano import build_mdn_notes_synth, clarinet_note, piano_note
from shared.rundir import InputError

# The order of ``list`` and ``build-all``: the synthetic tier, then the real one.
for _corpus in (
    tones.SINE_CORPUS, tones.VOWELS_CORPUS, percussion.KICKS808_CORPUS, percussion.AMEN_SYNTH_CORPUS,
    plucked.PLUCKED_CORPUS, winds_piano.MDN_NOTES_SYNTH_CORPUS, plucked.GUITAR_MELODY_CORPUS,
    textures.TONES_NOISES_CORPUS, samples.AMEN_CORPUS, samples.KICKS808_REAL_CORPUS, soundfont.GM_NOTES_CORPUS,
    soundfont.MDN_NOTES_CORPUS, samples.GUITAR_STRUMS_CORPUS, mma.MMA_GROOVES_CORPUS,
):
    register(_corpus)
del _corpus
