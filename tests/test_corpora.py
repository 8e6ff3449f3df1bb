"""Tests for shared/corpora/: determinism, content sanity, real sources, and failure behaviour."""

import collections
import dataclasses
import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile
from conftest import REPO_ROOT, reference_dir, require_system

from shared import corpora
from shared.rundir import cli_main

RATE = 44100
DREAM_RATE = 11025  # guitar_melody and guitar_strums, for the dreaming work
MUSIC_RATE = 22050  # mma_grooves and tones_noises, for Sarroff & Casey's music frames
RATES = {"guitar_melody": DREAM_RATE, "guitar_strums": DREAM_RATE, "mma_grooves": MUSIC_RATE,
         "tones_noises": MUSIC_RATE}
SYNTHETIC = [name for name, corpus in corpora.CORPORA.items() if corpus.tier == "synthetic"]

# The generic tests below build every synthetic corpus several times (twice for determinism, once
# for the manifest, twice through build-all).  The full tones_noises (55 min, about 8 s to build)
# is too big for that: they get one 2 s file per label, the same code with smaller parameters.
# The tones_noises tests check the full corpus's declaration and full-length files.
FULL_TONES_NOISES = corpora.CORPORA["tones_noises"]
SMALL_TONES_NOISES = dataclasses.replace(
    FULL_TONES_NOISES, parameters={**FULL_TONES_NOISES.parameters, "files_per_label": 1, "seconds": 2.0},
    file_count=len(FULL_TONES_NOISES.parameters["labels"]))


@pytest.fixture(autouse=True)
def small_tones_noises(monkeypatch):
    monkeypatch.setitem(corpora.CORPORA, "tones_noises", SMALL_TONES_NOISES)


def file_hashes(folder):
    """sha256 of every file under ``folder``, keyed by its path relative to ``folder`` (sub-folders included)."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def read(folder, name):
    samples, rate = soundfile.read(str(folder / name), dtype="float64")
    return samples, rate


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Build each corpus at most once per module: ``built(name)`` → (folder, manifest)."""
    cache = {}

    def get(name):
        if name not in cache:
            folder = tmp_path_factory.mktemp(name)
            cache[name] = (folder, corpora.build(name, folder))
        return cache[name]

    return get


def require_sources(name):
    for package, path in corpora.CORPORA[name].requires:
        require_system(package, path)


def with_missing_source(monkeypatch, tmp_path, name):
    """Point corpus ``name``'s first source at a file that does not exist; return that path."""
    corpus = corpora.CORPORA[name]
    package, path = corpus.requires[0]
    absent = str(tmp_path / "absent" / path.rsplit("/", 1)[-1])
    replaced = dataclasses.replace(corpus, requires=((package, absent),) + corpus.requires[1:])
    monkeypatch.setitem(corpora.CORPORA, name, replaced)
    return package, absent


def run_cli(argv):
    """``cli_main(main, argv)``: the exit status (0 when main returns normally)."""
    try:
        return cli_main(corpora.main, argv)
    except SystemExit as exit_:
        return exit_.code


# ----------------------------------------------------------------------------- synthetic tier


@pytest.mark.parametrize("name", SYNTHETIC)
def test_synthetic_corpus_builds_byte_identically(name, tmp_path):
    first = corpora.build(name, tmp_path / "first")
    second = corpora.build(name, tmp_path / "second")
    assert first == second
    hashes = file_hashes(tmp_path / "first")
    assert hashes == file_hashes(tmp_path / "second")
    assert "manifest.json" in hashes and len(hashes) == corpora.CORPORA[name].file_count + 1


@pytest.mark.parametrize("name", SYNTHETIC)
def test_manifest_describes_the_files(name, built):
    folder, manifest = built(name)
    text = (folder / "manifest.json").read_text()
    assert json.loads(text) == json.loads(json.dumps(manifest))
    assert str(folder) not in text and str(REPO_ROOT) not in text
    for key in ("provenance", "licence", "tier", "sample_rate", "description", "files"):
        assert manifest[key], key
    rate = corpora.CORPORA[name].rate
    assert manifest["tier"] == "synthetic" and manifest["sample_rate"] == rate
    for entry in manifest["files"]:
        path = folder / entry["name"]
        info = soundfile.info(str(path))
        assert (info.samplerate, info.channels, info.subtype, info.frames) == (rate, 1, "PCM_16", entry["samples"])
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]


def test_sine_matches_the_gruv_reference(built):
    reference = np.load(reference_dir("gruv") / "sine_read.npz")["pcm_int16"]
    folder, manifest = built("sine")
    samples, rate = soundfile.read(str(folder / "sine.wav"), dtype="int16")
    assert rate == RATE and samples.shape == (11 * RATE,)
    np.testing.assert_array_equal(samples[:RATE], reference[:RATE])
    # GRUV's defaults need more than 40 blocks of 11025 samples for one training example.
    assert samples.shape[0] > 40 * 11025


def harmonic_levels(segment, f0, count):
    spectrum = np.abs(np.fft.rfft(segment * np.hanning(len(segment)))) ** 2
    frequencies = np.fft.rfftfreq(len(segment), 1 / RATE)
    return np.array([spectrum[np.abs(frequencies - k * f0) < f0 / 4].sum() for k in range(1, count + 1)])


def test_vowels_are_four_distinct_vowels_at_one_pitch(built):
    folder, manifest = built("vowels")
    samples, _ = read(folder, "vowels.wav")
    assert abs(len(samples) / RATE - 8.0) < 0.5
    assert 0.78 < np.max(np.abs(samples)) < 0.82
    f0 = manifest["parameters"]["f0_hz"]
    levels = {}
    for index, vowel in enumerate("aeio"):
        segment = samples[int((2 * index + 0.5) * RATE):int((2 * index + 1.5) * RATE)]
        assert np.sqrt(np.mean(segment**2)) > 0.1
        levels[vowel] = harmonic_levels(segment, f0, 30)
    # F1 region: the strongest harmonic below 1 kHz sits near F1 (730 Hz for /a/, 270 Hz for /i/).
    strongest_low = {vowel: (np.argmax(level[:5]) + 1) * f0 for vowel, level in levels.items()}
    assert 600 < strongest_low["a"] < 900 and strongest_low["i"] < 400
    # /i/ (F2 2290 Hz) has far more energy above 1.5 kHz than /o/ (F2 840 Hz).
    high = {vowel: level[int(1500 // f0):].sum() / level.sum() for vowel, level in levels.items()}
    assert high["i"] > 10 * high["o"]


def test_kicks808_are_250_equal_length_kicks(built):
    folder, manifest = built("kicks808")
    files = manifest["files"]
    assert len(files) == 250
    assert [entry["name"] for entry in files] == [f"kick_{index:03d}.wav" for index in range(250)]
    assert {entry["samples"] for entry in files} == {45056}
    assert len({entry["sha256"] for entry in files}) == 250
    for entry in files[:5]:
        samples, _ = read(folder, entry["name"])
        assert 0.89 < np.max(np.abs(samples)) < 0.91
        body = samples[int(0.15 * RATE):int(0.15 * RATE) + 16384]
        spectrum = np.abs(np.fft.rfft(body * np.hanning(len(body)), 1 << 17))
        dominant = np.argmax(spectrum) * RATE / (1 << 17)
        assert 45 <= entry["base_hz"] <= 65
        assert abs(dominant - entry["base_hz"]) < 0.1 * entry["base_hz"]


AMEN_BARS = (
    {"kick": (0, 2, 10, 11), "snare": (4, 7, 9, 12, 15), "hat": (0, 2, 4, 6, 8, 10, 12, 14)},
    {"kick": (0, 2, 10), "snare": (4, 7, 9, 14), "hat": (0, 2, 4, 6, 8, 10, 12, 14)},
)


def test_amen_synth_is_two_bars_with_onsets_on_the_16th_grid(built):
    folder, manifest = built("amen_synth")
    (entry,) = manifest["files"]
    samples, _ = read(folder, entry["name"])
    assert samples.shape == (176400,)  # 2 bars at 120 bpm = 4.000 s
    assert 0.89 < np.max(np.abs(samples)) < 0.91
    # First difference (stresses the attacks); energy 10 ms after each grid point vs 10 ms before.
    slope = np.diff(samples, prepend=0.0)
    window = int(0.010 * RATE)
    for bar, hits in enumerate(AMEN_BARS):
        struck = set().union(*hits.values())
        for sixteenth in range(16):
            onset = int((bar * 16 + sixteenth) * 5512.5)
            before = np.sum(slope[max(0, onset - window):onset] ** 2) + 1e-12
            ratio = np.sum(slope[onset:onset + window] ** 2) / before
            if sixteenth in struck:
                assert ratio > 4, (bar, sixteenth, ratio)
            else:
                assert ratio < 1.5, (bar, sixteenth, ratio)


def measured_f0(samples, nominal_hz, start_seconds=0.05, seconds=1.0):
    """The strongest spectral peak within ±50 cents of ``nominal_hz`` (Hann window, zero-padded FFT, parabolic fit)."""
    segment = samples[int(start_seconds * RATE):int((start_seconds + seconds) * RATE)]
    size = 1 << 20
    spectrum = np.log(np.abs(np.fft.rfft(segment * np.hanning(len(segment)), size)) + 1e-30)
    frequencies = np.fft.rfftfreq(size, 1 / RATE)
    band = np.flatnonzero(np.abs(np.log2(frequencies[1:] / nominal_hz)) < 0.5 / 12) + 1
    peak = band[np.argmax(spectrum[band])]
    left, centre, right = spectrum[peak - 1:peak + 2]
    return (peak + 0.5 * (left - right) / (left - 2 * centre + right)) * RATE / size


def cents(frequency, reference):
    return 1200 * np.log2(frequency / reference)


def rms_db(samples):
    return 10 * np.log10(np.mean(np.square(samples)) + 1e-20)


def test_plucked_notes_have_their_pitch_and_decay(built):
    folder, manifest = built("plucked")
    files = manifest["files"]
    assert len(files) == 27
    assert {entry["dynamic"] for entry in files} == {"pp", "mf", "ff"}
    assert "Plucked.mf.A3.wav" in {entry["name"] for entry in files}
    for entry in files:
        samples, _ = read(folder, entry["name"])
        assert entry["name"] == f"Plucked.{entry['dynamic']}.{corpora.note_name(entry['midi_note'])}.wav"
        assert entry["f0_hz"] == pytest.approx(440 * 2 ** ((entry["midi_note"] - 69) / 12), abs=1e-4)
        assert abs(cents(measured_f0(samples, entry["f0_hz"]), entry["f0_hz"])) < 3, entry["name"]
        assert np.max(np.abs(samples[:44])) > 0.05 * np.max(np.abs(samples)), entry["name"]  # sounds from t = 0
        assert rms_db(samples[:RATE // 2]) - rms_db(samples[-RATE:]) >= 15, entry["name"]
        assert 10 <= entry["fundamental_decay_db_per_second"] <= 30
    # Louder plucks are louder: the peaks follow the dynamics.
    peaks = {entry["dynamic"]: np.max(np.abs(read(folder, entry["name"])[0]))
             for entry in files if entry["midi_note"] == 69}
    assert peaks["pp"] < peaks["mf"] < peaks["ff"]


MDN_SECONDS = {"Sine.440.wav": 10.0, "Clarinet.mf.A4.wav": 4.0, "Piano.mf.C4.wav": 5.0, "Piano.mf.A4.wav": 5.0}


def test_mdn_notes_synth_has_the_sine_and_three_notes_at_their_pitch(built):
    folder, manifest = built("mdn_notes_synth")
    assert [entry["name"] for entry in manifest["files"]] == list(MDN_SECONDS)
    notes = {}
    for entry in manifest["files"]:
        samples, rate = read(folder, entry["name"])
        assert rate == RATE and samples.shape == (int(MDN_SECONDS[entry["name"]] * RATE),), entry["name"]
        notes[entry["name"]] = samples
    # The original's reference tone: 0.25 sin(2π 440 t), from t = 0.
    sine = notes["Sine.440.wav"]
    np.testing.assert_allclose(sine, 0.25 * np.sin(2 * np.pi * 440 * np.arange(len(sine)) / RATE), atol=1 / 32767)
    assert abs(measured_f0(sine, 440.0) - 440.0) < 1.0
    # Clarinet: 440 Hz under its slight vibrato; each odd harmonic > 10 dB above the even one after it.
    clarinet = notes["Clarinet.mf.A4.wav"]
    assert 0.49 < np.max(np.abs(clarinet)) < 0.51 and abs(clarinet[-1]) < 1e-3
    assert abs(measured_f0(clarinet, 440.0, start_seconds=0.1, seconds=2.0) - 440.0) < 2.0
    levels = harmonic_levels(clarinet[RATE // 2:3 * RATE // 2], 440.0, 8)
    assert all(levels[odd - 1] > 10 * levels[odd] for odd in (1, 3, 5, 7)), 10 * np.log10(levels / levels[0])
    # Piano: C4 and A4 with stretched (inharmonic) partials and a decay.
    for name, f0 in (("Piano.mf.C4.wav", 261.6256), ("Piano.mf.A4.wav", 440.0)):
        piano = notes[name]
        assert 0.49 < np.max(np.abs(piano)) < 0.51 and abs(piano[-1]) < 1e-3, name
        assert abs(cents(measured_f0(piano, f0), f0)) < 3, name
        stretched = 6 * f0 * np.sqrt((1 + 36 * 4e-4) / (1 + 4e-4))  # partial 6, 12 cents above 6 f0
        assert abs(cents(measured_f0(piano, stretched, seconds=0.5), stretched)) < 3, name
        assert rms_db(piano[:RATE // 2]) - rms_db(piano[-RATE:]) >= 30, name
    assert manifest["files"][2]["f0_hz"] == pytest.approx(261.6256, abs=1e-4)


def band_energy(segment, frequency, rate, cents=50):
    """Spectral energy within ±``cents`` of ``frequency`` (Hann window, zero-padded FFT)."""
    size = 1 << 18
    spectrum = np.abs(np.fft.rfft(segment * np.hanning(len(segment)), size)) ** 2
    frequencies = np.fft.rfftfreq(size, 1 / rate)[1:]
    return spectrum[1:][np.abs(1200 * np.log2(frequencies / frequency)) < cents].sum()


def attack_ratios(samples, onsets_seconds, rate, seconds=0.010):
    """Per onset: energy of the first difference in the ``seconds`` after it over the ``seconds`` before it."""
    slope = np.diff(samples, prepend=0.0)
    window = int(seconds * rate)
    ratios = []
    for onset_seconds in onsets_seconds:
        onset = int(round(onset_seconds * rate))
        before = np.sum(slope[max(0, onset - window):onset] ** 2) + 1e-12
        ratios.append(np.sum(slope[onset:onset + window] ** 2) / before)
    return np.array(ratios)


BASS_HZ = {"F2": 87.31, "G2": 98.0, "A2": 110.0, "C3": 130.81}


def test_guitar_melody_is_30_s_of_plucked_notes_over_four_chords(built):
    folder, manifest = built("guitar_melody")
    (entry,) = manifest["files"]
    assert entry["name"] == "melody.wav" and manifest["sample_rate"] == DREAM_RATE
    info = soundfile.info(str(folder / "melody.wav"))
    assert (info.samplerate, info.channels, info.subtype) == (DREAM_RATE, 1, "PCM_16")
    samples, _ = read(folder, "melody.wav")
    assert samples.shape == (30 * DREAM_RATE,)
    assert 0.79 < np.max(np.abs(samples)) < 0.81 and 0.05 < np.sqrt(np.mean(samples**2)) < 0.3
    # About 5 notes a second on the 0.2 s grid, over many pitches; each attack stands out.
    notes = entry["notes"]
    onsets = [note[0] for note in notes]
    assert 140 <= len(notes) <= 160 and len({note[1] for note in notes}) >= 10
    assert len({round(onset / 0.2, 6) for onset in onsets[:-5]}) == len(notes) - 5  # one note per 8th, then the roll
    assert np.mean(attack_ratios(samples, onsets, DREAM_RATE) > 2) > 0.8
    between = [onset + 0.1 for onset in onsets[:-5]]
    assert np.mean(attack_ratios(samples, between, DREAM_RATE) > 2) < 0.1
    # Partials stay below the 5512.5 Hz Nyquist frequency (top 5 kHz; only the attack noise is above).
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    frequencies = np.fft.rfftfreq(len(samples), 1 / DREAM_RATE)
    assert spectrum[frequencies < 5000].sum() > 0.999 * spectrum.sum()
    # The bars' bass notes: C3 in bar 0 (C), G2 in bar 1 (G), A2 in bar 2 (Am), F2 in bar 3 (F).
    for bar, (present, absent) in enumerate((("C3", "A2"), ("G2", "F2"), ("A2", "C3"), ("F2", "G2"))):
        segment = samples[int((bar * 1.6 + 0.1) * DREAM_RATE):int((bar + 1) * 1.6 * DREAM_RATE)]
        assert band_energy(segment, BASS_HZ[present], DREAM_RATE) > 20 * band_energy(segment, BASS_HZ[absent],
                                                                                       DREAM_RATE), bar


def test_note_names_are_iowa_style():
    assert [corpora.note_name(key) for key in (21, 40, 57, 61, 63, 69, 108)] == [
        "A0", "E2", "A3", "Db4", "Eb4", "A4", "C8"]


FRAMES_NEEDED = 70_000  # Sarroff & Casey: 70,000 frames of 2048 samples at hop 1024 (about 54 min at 22050 Hz)


def frame_count(samples):
    """Frames of 2048 samples at hop 1024 that fit in a file of ``samples`` samples."""
    return (samples - 2048) // 1024 + 1


def spectral_flatness(samples):
    power = np.abs(np.fft.rfft(samples * np.hanning(len(samples)))) ** 2 + 1e-20
    return np.exp(np.mean(np.log(power))) / np.mean(power)


def test_tones_noises_declares_ten_labels_and_70000_frames():
    corpus = FULL_TONES_NOISES
    files = corpora.tones_noises_list(corpus.parameters)
    assert corpus.tier == "synthetic" and corpus.rate == MUSIC_RATE and corpus.file_count == len(files) == 110
    assert len({label for label, _ in files}) == len(corpus.parameters["labels"]) >= 10
    samples = int(corpus.parameters["seconds"] * MUSIC_RATE)
    assert len(files) * frame_count(samples) >= FRAMES_NEEDED
    assert len(files) * samples / MUSIC_RATE >= 54 * 60
    assert "70840 frames" in corpus.description and "55 min" in corpus.description


def test_tones_noises_files_are_full_length_deterministic_and_distinct():
    labels = list(FULL_TONES_NOISES.parameters["labels"])
    selection = [(label, 1) for label in labels]
    first = list(corpora.tones_noises_items(FULL_TONES_NOISES, selection))
    # In the other order: the same bytes (each file draws from its own seed, as in the full build).
    second = list(corpora.tones_noises_items(FULL_TONES_NOISES, selection[::-1]))[::-1]
    flatness = {}
    for label, (name, samples, extra), (name_again, samples_again, _) in zip(labels, first, second):
        assert name == name_again == f"{label}/{label}_01.wav"
        np.testing.assert_array_equal(samples, samples_again)
        assert samples.dtype == np.int16 and samples.shape == (30 * MUSIC_RATE,)
        assert extra["label"] == label and extra["seed"] == [2014, labels.index(label), 1] and extra["events"] >= 5
        x = samples / 32767.0
        assert 0.79 < np.max(np.abs(x)) < 0.81, name
        frames = x[:len(x) // 2048 * 2048].reshape(-1, 2048)
        assert np.mean(np.sqrt(np.mean(frames**2, axis=1)) > 1e-3) > 0.7, name  # mostly sounding
        flatness[label] = spectral_flatness(x[:MUSIC_RATE * 5])
    assert len({hashlib.sha256(samples.tobytes()).digest() for _, samples, _ in first}) == len(labels)
    # Noise is spectrally flat next to harmonic tones.
    assert flatness["noise"] > 10 * flatness["tones"] and flatness["noise_bursts"] > 10 * flatness["chords"]


# ----------------------------------------------------------------------------- real tier


def test_real_amen_is_8_seconds_at_120_bpm(tmp_path):
    require_sources("amen")
    manifest = corpora.build("amen", tmp_path / "a")
    (entry,) = manifest["files"]
    assert entry["name"] == "amen_120bpm.wav" and entry["samples"] == 352800
    samples, rate = read(tmp_path / "a", entry["name"])
    assert rate == RATE and samples.shape == (352800,)
    assert 0.1 < np.max(np.abs(samples)) <= 0.91 and np.sqrt(np.mean(samples**2)) > 0.05
    assert "1969" in manifest["licence"] and "CC0" in manifest["licence"]
    assert manifest["sources"][0]["package"] == "sonic-pi-samples"
    corpora.build("amen", tmp_path / "b")
    assert file_hashes(tmp_path / "a") == file_hashes(tmp_path / "b")


def test_real_kicks_are_about_250_nonsilent_equal_length_clips(tmp_path):
    require_sources("kicks808_real")
    manifest = corpora.build("kicks808_real", tmp_path)
    files = manifest["files"]
    assert 230 <= len(files) <= 270
    assert {entry["samples"] for entry in files} == {45056}
    assert len({entry["sha256"] for entry in files}) == len(files)
    assert len({entry["base"] for entry in files}) >= 5
    for entry in files:
        samples, _ = read(tmp_path, entry["name"])
        assert 0.89 < np.max(np.abs(samples)) < 0.91 and np.sqrt(np.mean(samples**2)) > 0.01, entry["name"]
    licences = " ".join(source["licence"] for source in manifest["sources"])
    assert "MIT" in licences and "GPL" in licences and "CC0" in licences
    assert "No large set of genuine TR-808 recordings" in manifest["description"]


GM_SUBSET = [("guitar", 69, 80), ("guitar", 69, 120), ("cello", 48, 80)]


def require_gm_notes():
    require_system("fluidsynth", command="fluidsynth")
    require_system("fluid-soundfont-gm", path=corpora.FLUID_R3)


@pytest.fixture(scope="module")
def gm_subset(tmp_path_factory):
    """gm_notes restricted to GM_SUBSET, built through :func:`corpora.build`: (folder, manifest)."""
    require_gm_notes()
    folder = tmp_path_factory.mktemp("gm_subset")
    corpus = corpora.CORPORA["gm_notes"]
    subset = dataclasses.replace(corpus, builder=lambda c: corpora.gm_note_items(c, GM_SUBSET),
                                 file_count=len(GM_SUBSET))
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setitem(corpora.CORPORA, "gm_notes", subset)
        return folder, corpora.build("gm_notes", folder)


def test_gm_notes_subset_renders_single_notes_in_instrument_folders(gm_subset):
    folder, manifest = gm_subset
    names = [entry["name"] for entry in manifest["files"]]
    assert names == ["guitar/Guitar.mf.A4.wav", "guitar/Guitar.ff.A4.wav", "cello/Cello.mf.C3.wav"]
    assert manifest["tier"] == "real" and "MIT" in manifest["licence"]
    assert {source["package"] for source in manifest["sources"]} == {"fluidsynth", "fluid-soundfont-gm"}
    levels = {}
    for entry, seconds in zip(manifest["files"], (5.0, 5.0, 3.0)):
        info = soundfile.info(str(folder / entry["name"]))
        assert (info.samplerate, info.channels, info.subtype) == (RATE, 1, "PCM_16")
        assert entry["samples"] == int(seconds * RATE)
        samples, _ = read(folder, entry["name"])
        assert np.max(np.abs(samples[:int(0.01 * RATE)])) > 0.01 * np.max(np.abs(samples))  # note-on at t = 0
        assert abs(samples[-1]) < 1e-3  # faded out
        levels[entry["name"]] = np.max(np.abs(samples))
    assert levels["guitar/Guitar.mf.A4.wav"] < 0.7 * levels["guitar/Guitar.ff.A4.wav"]
    guitar = manifest["files"][0]
    assert (guitar["instrument"], guitar["midi_note"], guitar["velocity"], guitar["f0_hz"]) == ("guitar", 69, 80, 440.0)


def test_gm_guitar_a4_is_440_hz_and_decays(gm_subset):
    folder, _ = gm_subset
    samples, _ = read(folder / "guitar", "Guitar.mf.A4.wav")
    f0 = measured_f0(samples, 440.0, start_seconds=0.1)
    assert abs(cents(f0, 440.0)) < 20, f0  # measured 439.82 Hz (-0.7 cent) with fluid-soundfont-gm 3.1-5.3
    assert rms_db(samples[:RATE // 2]) - rms_db(samples[-RATE:]) >= 15


def test_gm_notes_full_build_has_four_instrument_folders(gm_subset, tmp_path):
    manifest = corpora.build("gm_notes", tmp_path)
    files = manifest["files"]
    assert len(files) == corpora.CORPORA["gm_notes"].file_count == 597
    counts = collections.Counter(entry["name"].split("/")[0] for entry in files)
    assert counts == {"guitar": 111, "cello": 111, "piano": 264, "flute": 111}
    assert sorted(path.name for path in tmp_path.iterdir() if path.is_dir()) == ["cello", "flute", "guitar", "piano"]
    assert len({entry["sha256"] for entry in files}) == len(files)
    assert {entry["dynamic"] for entry in files} == {"pp", "mf", "ff"}
    # A note has the same bytes in the full corpus as when built alone (fixed rendering runs), so
    # this also checks that two renders agree byte for byte.
    subset_folder, subset_manifest = gm_subset
    full = {entry["name"]: entry["sha256"] for entry in files}
    for entry in subset_manifest["files"]:
        assert full[entry["name"]] == entry["sha256"], entry["name"]


def test_mdn_notes_renders_three_single_notes_at_their_pitch(tmp_path):
    require_gm_notes()
    manifest = corpora.build("mdn_notes", tmp_path / "a")
    names = [entry["name"] for entry in manifest["files"]]
    assert names == ["Clarinet.mf.A4.wav", "Piano.mf.C4.wav", "Piano.mf.A4.wav"]
    assert set(names) < set(MDN_SECONDS)  # mdn_notes_synth has the same names (the presets' fallback)
    assert manifest["tier"] == "real" and "MIT" in manifest["licence"]
    for entry, program, key in zip(manifest["files"], (71, 0, 0), (69, 60, 69)):
        assert (entry["program"], entry["midi_note"], entry["velocity"]) == (program, key, 80)
        info = soundfile.info(str(tmp_path / "a" / entry["name"]))
        assert (info.samplerate, info.channels, info.subtype) == (RATE, 1, "PCM_16")
        assert entry["samples"] == int(MDN_SECONDS[entry["name"]] * RATE)
        samples, _ = read(tmp_path / "a", entry["name"])
        assert 0.05 < np.max(np.abs(samples)) <= 1.0 and np.sqrt(np.mean(samples[:RATE] ** 2)) > 0.005, entry["name"]
        assert abs(samples[-1]) < 1e-3  # faded out
        # measured -0.3 / -0.5 / +0.1 cent with fluid-soundfont-gm 3.1-5.3
        f0 = measured_f0(samples, entry["f0_hz"], start_seconds=0.3 if program == 71 else 0.05)
        assert abs(cents(f0, entry["f0_hz"])) < 20, (entry["name"], f0)
    corpora.build("mdn_notes", tmp_path / "b")
    assert file_hashes(tmp_path / "a") == file_hashes(tmp_path / "b")


def test_guitar_strums_is_30_s_of_real_strumming_at_11025_hz(tmp_path):
    require_sources("guitar_strums")
    manifest = corpora.build("guitar_strums", tmp_path / "a")
    (entry,) = manifest["files"]
    assert entry["name"] == "strums.wav" and entry["samples"] == 30 * DREAM_RATE
    assert manifest["tier"] == "real" and manifest["sample_rate"] == DREAM_RATE
    assert "CC-BY-3.0" in manifest["licence"] and "Gabriel Verdugo Soto" in manifest["licence"]
    assert {source["package"] for source in manifest["sources"]} == {"hydrogen-drumkits-effects"}
    info = soundfile.info(str(tmp_path / "a" / "strums.wav"))
    assert (info.samplerate, info.channels, info.subtype) == (DREAM_RATE, 1, "PCM_16")
    samples, _ = read(tmp_path / "a", "strums.wav")
    assert 0.3 < np.max(np.abs(samples)) <= 0.91 and 0.03 < np.sqrt(np.mean(samples**2)) < 0.3
    # The strums listed in the manifest: 28 kit files over 4 chords, each attack mostly standing out.
    assert len(entry["files_used"]) == len(manifest["sources"]) == 28
    assert {strum[1] for strum in entry["strums"]} == {"Cmajor", "Gmajor", "Aminor", "Fmajor"}
    onsets = [strum[0] for strum in entry["strums"]]
    assert np.median(attack_ratios(samples, onsets, DREAM_RATE)) > 3
    assert np.max(attack_ratios(samples, [onset + 0.1 for onset in onsets[:-1]], DREAM_RATE)) < 2
    # A guitar: energy concentrated below 5 kHz (mostly below 2 kHz).
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    frequencies = np.fft.rfftfreq(len(samples), 1 / DREAM_RATE)
    assert spectrum[frequencies < 5000].sum() > 0.99 * spectrum.sum()
    assert spectrum[frequencies < 2000].sum() > 0.8 * spectrum.sum()
    # Bar 0 is a C chord (C3 bass, measured 29x G2), bar 1 a G chord (G2 bass, measured 264x C3).
    c_bar, g_bar = (samples[int((bar * 2 + 0.1) * DREAM_RATE):int((bar + 1) * 2 * DREAM_RATE)] for bar in (0, 1))
    assert band_energy(c_bar, BASS_HZ["C3"], DREAM_RATE) > 5 * band_energy(c_bar, BASS_HZ["G2"], DREAM_RATE)
    assert band_energy(g_bar, BASS_HZ["G2"], DREAM_RATE) > 5 * band_energy(g_bar, BASS_HZ["C3"], DREAM_RATE)
    corpora.build("guitar_strums", tmp_path / "b")
    assert file_hashes(tmp_path / "a") == file_hashes(tmp_path / "b")


def test_mma_grooves_declares_ten_genres_and_70000_frames():
    corpus = corpora.CORPORA["mma_grooves"]
    plan = corpora.mma_groove_plan(corpus.parameters, corpus.rate)
    assert corpus.tier == "real" and corpus.rate == MUSIC_RATE and corpus.file_count == len(plan) >= 80
    genres = collections.Counter(entry["genre"] for entry in plan)
    assert len(genres) >= 10 and min(genres.values()) >= 5
    assert len({entry["name"] for entry in plan}) == len(plan)
    assert all(entry["name"] == f"{entry['genre']}/{entry['library_file']}.wav" for entry in plan)
    total = sum(entry["samples"] for entry in plan)
    assert total / MUSIC_RATE >= 54 * 60 and sum(frame_count(entry["samples"]) for entry in plan) >= FRAMES_NEEDED
    # Each genre gets about the same time (within 20 % of the mean).
    minutes = collections.Counter()
    for entry in plan:
        minutes[entry["genre"]] += entry["samples"] / MUSIC_RATE / 60
    assert max(minutes.values()) < 1.2 * min(minutes.values())
    for entry in plan:
        bar_seconds = entry["beats_per_bar"] * 60 / entry["tempo_bpm"]
        assert entry["bars"] % 4 == 0 and entry["song_seconds"] == pytest.approx(entry["bars"] * bar_seconds)
        assert entry["samples"] == round(entry["song_seconds"] * MUSIC_RATE) + MUSIC_RATE  # plus the 1 s tail
    assert "GPL-2+" in corpus.licence and "MIT" in corpus.licence
    assert {package for package, _ in corpus.requires} == {"mma", "fluidsynth", "fluid-soundfont-gm"}


def test_chords_are_transposed_with_flats():
    assert [corpora.transpose_chord(chord, 2) for chord in ("C7", "Bm7b5", "Am", "Fmaj7", "Bb7", "F#m")] == [
        "D7", "Dbm7b5", "Bm", "Gmaj7", "C7", "Abm"]
    assert corpora.transpose_chord("G7", -7) == "C7"
    with pytest.raises(ValueError):
        corpora.transpose_chord("H7", 1)


def test_mma_grooves_are_in_the_installed_library():
    require_sources("mma_grooves")
    library = corpora.CORPORA["mma_grooves"].parameters["library"]
    for entry in corpora.mma_groove_plan(corpora.CORPORA["mma_grooves"].parameters, MUSIC_RATE):
        path = f"{library}/{entry['library_file']}.mma"
        with open(path, encoding="utf-8", errors="replace") as handle:
            defined = {line.split()[1].lower() for line in handle if line.lower().startswith("defgroove ")}
        assert entry["groove"].lower() in defined, (path, entry["groove"])


MMA_SUBSET = ["blues", "waltz"]  # genres blues (4/4 at 100 bpm) and ballroom (3/4 at 100 bpm)


@pytest.fixture(scope="module")
def mma_subset(tmp_path_factory):
    """mma_grooves restricted to two grooves of two bars, built through :func:`corpora.build`: (folder, manifest)."""
    require_sources("mma_grooves")
    folder = tmp_path_factory.mktemp("mma_subset")
    corpus = corpora.CORPORA["mma_grooves"]
    subset = dataclasses.replace(corpus, builder=lambda c: corpora.mma_groove_items(c, MMA_SUBSET, bars=2),
                                 file_count=len(MMA_SUBSET))
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setitem(corpora.CORPORA, "mma_grooves", subset)
        return folder, corpora.build("mma_grooves", folder)


def test_mma_subset_renders_two_genres_at_22050_hz(mma_subset):
    folder, manifest = mma_subset
    assert [entry["name"] for entry in manifest["files"]] == ["blues/blues.wav", "ballroom/waltz.wav"]
    assert manifest["tier"] == "real" and manifest["sample_rate"] == MUSIC_RATE
    assert all(source["version"] for source in manifest["sources"])  # the package versions are recorded
    for entry, genre, beats in zip(manifest["files"], ("blues", "ballroom"), (4, 3)):
        assert (entry["genre"], entry["beats_per_bar"], entry["bars"], entry["tempo_bpm"]) == (genre, beats, 2, 100)
        assert entry["key"] == "C" and entry["chords"][0] in ("C7", "C")
        info = soundfile.info(str(folder / entry["name"]))
        assert (info.samplerate, info.channels, info.subtype) == (MUSIC_RATE, 1, "PCM_16")
        assert entry["samples"] == round(2 * beats * 60 / 100 * MUSIC_RATE) + MUSIC_RATE  # 2 bars and a 1 s tail
        samples, _ = read(folder, entry["name"])
        assert 0.89 < np.max(np.abs(samples)) < 0.91 and np.sqrt(np.mean(samples**2)) > 0.03, entry["name"]
        bars = samples[:round(entry["song_seconds"] * MUSIC_RATE)]
        frames = bars[:len(bars) // 2048 * 2048].reshape(-1, 2048)
        assert np.all(np.sqrt(np.mean(frames**2, axis=1)) > 0.01), entry["name"]  # sounding through both bars
        assert abs(samples[-1]) < 1e-3  # faded out
    # Rendered again (mma, then fluidsynth): the same bytes.
    again = list(corpora.mma_groove_items(corpora.CORPORA["mma_grooves"], MMA_SUBSET, bars=2))
    for entry, (name, samples, facts) in zip(manifest["files"], again):
        assert name == entry["name"] and {key: entry[key] for key in facts} == facts
        written, _ = soundfile.read(str(folder / name), dtype="int16")
        np.testing.assert_array_equal(samples, written)


# ----------------------------------------------------------------------------- failures and CLI


@pytest.mark.parametrize("name", ["amen", "kicks808_real", "gm_notes", "mdn_notes", "guitar_strums", "mma_grooves"])
def test_missing_source_exits_2_naming_file_and_package(name, tmp_path, monkeypatch, capsys):
    package, absent = with_missing_source(monkeypatch, tmp_path, name)
    assert corpora.missing_sources(name) == [(package, absent)]
    out = tmp_path / "out"
    assert run_cli(["build", name, "--out", str(out)]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert package in error and absent in error
    assert not (out / "manifest.json").exists()


def test_failed_build_leaves_no_manifest(tmp_path, monkeypatch):
    corpora.build("sine", tmp_path)
    assert (tmp_path / "manifest.json").exists()

    def failing(corpus):
        yield from corpora.build_sine(corpus)
        raise RuntimeError("builder failed half-way")

    broken = dataclasses.replace(corpora.CORPORA["sine"], builder=failing, file_count=2)
    monkeypatch.setitem(corpora.CORPORA, "sine", broken)
    with pytest.raises(RuntimeError, match="half-way"):
        corpora.build("sine", tmp_path)
    assert not (tmp_path / "manifest.json").exists()
    assert not [path for path in tmp_path.iterdir() if "partial" in path.name]


def test_unknown_corpus_exits_2(tmp_path, capsys):
    assert run_cli(["build", "no_such_corpus", "--out", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "no_such_corpus" in error and "sine" in error
    with pytest.raises(corpora.InputError):
        corpora.build("no_such_corpus", tmp_path)


def test_module_entry_point_exits_2_with_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "shared.corpora", "build", "no_such_corpus", "--out", str(tmp_path / "x")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "unknown corpus" in result.stderr


def test_build_all_continues_past_missing_sources_then_exits_2(tmp_path, monkeypatch, capsys):
    real = [name for name, corpus in corpora.CORPORA.items() if corpus.tier == "real"]
    missing = [with_missing_source(monkeypatch, tmp_path, name) for name in real]
    assert run_cli(["build-all", "--out", str(tmp_path / "root"), "--tier", "all"]) == 2
    error = capsys.readouterr().err
    for package, absent in missing:
        assert package in error and absent in error
    for name in SYNTHETIC:
        assert (tmp_path / "root" / name / "manifest.json").exists()
    for name in real:
        assert not (tmp_path / "root" / name / "manifest.json").exists()


def test_build_all_synthetic_tier(tmp_path, capsys):
    assert run_cli(["build-all", "--out", str(tmp_path), "--tier", "synthetic"]) == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(SYNTHETIC)
    assert str(tmp_path) in capsys.readouterr().out


def test_list_names_every_corpus_and_the_missing_package(tmp_path, monkeypatch, capsys):
    with_missing_source(monkeypatch, tmp_path, "amen")
    assert run_cli(["list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(corpora.CORPORA)
    amen_line = next(line for line in lines if line.startswith("amen "))
    assert "real" in amen_line and "missing" in amen_line and "sonic-pi-samples" in amen_line
    assert "available" in next(line for line in lines if line.startswith("sine "))


def test_standard_midi_file_layout():
    data = corpora.standard_midi_file([(36, 127), (35, 100)], channel=9, program=25, note_seconds=1.0,
                                      spacing_seconds=2.0)
    assert data[:14] == b"MThd" + bytes([0, 0, 0, 6, 0, 0, 0, 1, 1, 0xE0])
    assert data[14:18] == b"MTrk"
    assert int.from_bytes(data[18:22], "big") == len(data) - 22
    assert data.endswith(b"\xff\x2f\x00")
    assert bytes([0xC9, 25]) in data and bytes([0x99, 36, 127]) in data and bytes([0x89, 35, 0]) in data
    # 960 ticks = 1 s as a variable-length quantity: 0x87 0x40.
    assert bytes([0x87, 0x40, 0x89, 36, 0]) in data


def test_corpus_table_is_complete():
    for name, corpus in corpora.CORPORA.items():
        assert corpus.name == name and corpus.tier in ("synthetic", "real")
        assert corpus.rate == RATES.get(name, RATE), name
        assert corpus.licence and corpus.description and corpus.provenance
        assert (corpus.tier == "real") == bool(corpus.requires)
        assert all(isinstance(package, str) and path.startswith("/usr/") for package, path in corpus.requires)
