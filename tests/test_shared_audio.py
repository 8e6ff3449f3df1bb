"""Tests for shared/audio.py: reading every sample format, input validation, the sources'
conversions (each checked against an independent numpy / scipy computation) and atomic writes."""

import math
import os

import numpy as np
import pytest
import scipy.signal
import soundfile

from shared import audio
from shared.rundir import InputError

RATE = 8000


def known_signal(frames, channels, amplitude=0.5):
    """A different sine per channel, well inside full scale, so every format can hold it."""
    time = np.arange(frames) / RATE
    columns = [amplitude * np.sin(2 * np.pi * (220.0 * (channel + 1)) * time + 0.3 * channel)
               for channel in range(channels)]
    return np.stack(columns, axis=1)


def assert_input_error(error_info, path, *fragments):
    """The message is ``"<file>: <problem>"`` and the problem contains every fragment."""
    message = str(error_info.value)
    assert message.startswith(f"{path}: "), message
    assert error_info.value.path == str(path)
    for fragment in fragments:
        assert fragment in message, (fragment, message)


# ----------------------------------------------------------------------------- reading formats

# (container, subtype, extension, native dtype, full-scale bits for the quantisation step or None)
INTEGER_AND_FLOAT_FORMATS = [
    ("WAV", "PCM_U8", ".wav", np.int16, 8),
    ("WAV", "PCM_16", ".wav", np.int16, 16),
    ("WAV", "PCM_24", ".wav", np.int32, 24),
    ("WAV", "PCM_32", ".wav", np.int32, 32),
    ("WAV", "FLOAT", ".wav", np.float32, None),
    ("WAV", "DOUBLE", ".wav", np.float64, None),
    ("FLAC", "PCM_16", ".flac", np.int16, 16),
    ("FLAC", "PCM_24", ".flac", np.int32, 24),
]


@pytest.mark.parametrize("channels", [1, 2, 4])
@pytest.mark.parametrize("container, subtype, extension, native_dtype, bits", INTEGER_AND_FLOAT_FORMATS)
def test_read_audio_every_format(tmp_path, container, subtype, extension, native_dtype, bits, channels):
    signal = known_signal(1000, channels)
    path = tmp_path / f"signal_{subtype}{extension}"
    soundfile.write(str(path), signal, RATE, subtype=subtype, format=container)

    read = audio.read_audio(path)
    assert read.samples.shape == (1000, channels)
    assert read.samples.dtype == np.float64
    assert read.rate == RATE
    assert read.subtype == subtype
    assert read.path == path
    assert read.seconds == pytest.approx(1000 / RATE)
    if bits is None:  # float files hold the signal as float32 / float64
        np.testing.assert_array_equal(read.samples, signal.astype(native_dtype).astype(np.float64))
    else:  # libsndfile rounds to the nearest step, so within half a step (one step allows for its scaling)
        step = 2.0 ** -(bits - 1)
        assert np.abs(read.samples - signal).max() <= step

    native = audio.read_audio(path, native=True)
    assert native.samples.dtype == native_dtype
    assert native.samples.shape == (1000, channels)
    if bits is None:
        np.testing.assert_array_equal(native.samples, signal.astype(native_dtype))
    else:  # integer samples left-justified in their container: native / 2^(container bits − 1) is the float read
        container_bits = np.iinfo(native_dtype).bits
        np.testing.assert_array_equal(native.samples.astype(np.float64) / 2.0 ** (container_bits - 1), read.samples)


def test_read_audio_pcm16_exact(tmp_path):
    rng = np.random.default_rng(1)
    samples = rng.integers(-32768, 32768, size=(500, 2), dtype=np.int64).astype(np.int16)
    samples[:4, 0] = [-32768, 32767, 0, -1]
    path = tmp_path / "exact.wav"
    soundfile.write(str(path), samples, 44100, subtype="PCM_16")

    as_int16 = audio.read_audio(path, dtype="int16")
    assert as_int16.samples.dtype == np.int16
    np.testing.assert_array_equal(as_int16.samples, samples)
    native = audio.read_audio(path, native=True)
    assert native.samples.dtype == np.int16
    np.testing.assert_array_equal(native.samples, samples)
    assert native.rate == 44100 and native.subtype == "PCM_16"
    as_float = audio.read_audio(path, dtype="float64")
    np.testing.assert_array_equal(as_float.samples, samples / 32768.0)


def test_read_audio_pcm_u8_values(tmp_path):
    """8-bit WAV is unsigned on disk; native=True gives (u8 − 128) · 256 as int16."""
    signal = known_signal(300, 1)
    path = tmp_path / "u8.wav"
    soundfile.write(str(path), signal, RATE, subtype="PCM_U8")
    raw = path.read_bytes()
    start = raw.index(b"data") + 8  # the "data" chunk: 4-byte id, 4-byte size, then the samples
    assert int.from_bytes(raw[start - 4:start], "little") == 300
    unsigned = np.frombuffer(raw[start:start + 300], dtype=np.uint8)
    native = audio.read_audio(path, native=True).samples[:, 0]
    np.testing.assert_array_equal(native, (unsigned.astype(np.int16) - 128) * 256)


@pytest.mark.parametrize("channels", [1, 2])
def test_read_audio_ogg_vorbis(tmp_path, channels):
    signal = known_signal(RATE, channels)
    path = tmp_path / "signal.ogg"
    soundfile.write(str(path), signal, RATE, format="OGG", subtype="VORBIS")

    read = audio.read_audio(path)
    assert read.subtype == "VORBIS"
    assert read.rate == RATE
    assert read.samples.ndim == 2 and read.samples.shape[1] == channels
    assert abs(read.samples.shape[0] - RATE) <= 64
    frames = min(read.samples.shape[0], RATE)
    for channel in range(channels):
        correlation = np.corrcoef(read.samples[:frames, channel], signal[:frames, channel])[0, 1]
        assert correlation > 0.99, (channel, correlation)
    assert audio.read_audio(path, native=True).samples.dtype == np.float32


def test_read_audio_float_file_as_int16_is_scaled(tmp_path):
    signal = known_signal(400, 1)
    path = tmp_path / "float.wav"
    soundfile.write(str(path), signal, RATE, subtype="FLOAT")
    read = audio.read_audio(path, dtype="int16", need_sound=False)  # with need_sound: "is all silence"
    expected = np.clip(np.round(signal.astype(np.float32).astype(np.float64) * 32768), -32768, 32767)
    assert np.abs(read.samples.astype(np.float64) - expected).max() <= 1


# ----------------------------------------------------------------------------- bad input


def test_missing_file(tmp_path):
    path = tmp_path / "absent.wav"
    with pytest.raises(InputError) as error:
        audio.read_audio(path)
    assert_input_error(error, path, "not found")


def test_directory(tmp_path):
    path = tmp_path / "folder.wav"
    path.mkdir()
    with pytest.raises(InputError) as error:
        audio.read_audio(path)
    assert_input_error(error, path, "directory")


@pytest.mark.parametrize("name", ["notes.txt", "no_extension"])
def test_unsupported_extension(tmp_path, name):
    path = tmp_path / name
    soundfile.write(str(path), known_signal(100, 1), RATE, format="WAV")  # valid audio, wrong name
    with pytest.raises(InputError) as error:
        audio.read_audio(path)
    assert_input_error(error, path, "unsupported format", "wav")


@pytest.mark.parametrize("contents", [b"this is not a RIFF file at all" * 10, b""], ids=["garbage", "empty-file"])
def test_corrupt_bytes(tmp_path, contents):
    path = tmp_path / "corrupt.wav"
    path.write_bytes(contents)
    with pytest.raises(InputError) as error:
        audio.read_audio(path)
    assert_input_error(error, path, "corrupt")


def test_truncated_header(tmp_path):
    path = tmp_path / "truncated.wav"
    soundfile.write(str(path), known_signal(100, 1), RATE, subtype="PCM_16")
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(InputError) as error:
        audio.read_audio(path)
    assert_input_error(error, path, "corrupt")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="running as root: root can read a mode-000 file")
def test_permission_denied(tmp_path):
    path = tmp_path / "locked.wav"
    soundfile.write(str(path), known_signal(100, 1), RATE)
    path.chmod(0)
    try:
        with pytest.raises(InputError) as error:
            audio.read_audio(path)
        assert_input_error(error, path, "permission denied")
    finally:
        path.chmod(0o644)


def test_zero_length_wav(tmp_path):
    path = tmp_path / "empty.wav"
    soundfile.write(str(path), np.zeros((0, 2)), RATE, subtype="PCM_16")
    assert soundfile.info(str(path)).frames == 0
    with pytest.raises(InputError) as error:
        audio.read_audio(path)
    assert_input_error(error, path, "zero length")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("read_options", [{}, {"native": True}, {"dtype": "float32"}])
def test_non_finite_samples(tmp_path, bad, read_options):
    samples = known_signal(50, 2).astype(np.float32)
    samples[17, 1] = bad
    path = tmp_path / "diverged.wav"
    soundfile.write(str(path), samples, RATE, subtype="FLOAT")
    with pytest.raises(InputError) as error:
        audio.read_audio(path, need_sound=False, **read_options)
    assert_input_error(error, path, "NaN or infinite")


def test_non_finite_samples_read_as_int16(tmp_path):
    samples = known_signal(50, 1).astype(np.float32)
    samples[10, 0] = np.nan
    path = tmp_path / "diverged.wav"
    soundfile.write(str(path), samples, RATE, subtype="FLOAT")
    with pytest.raises(InputError):
        audio.read_audio(path, dtype="int16", need_sound=False)


@pytest.mark.parametrize("subtype", ["PCM_16", "FLOAT"])
def test_all_silence(tmp_path, subtype):
    path = tmp_path / "silence.wav"
    soundfile.write(str(path), np.zeros((400, 2)), RATE, subtype=subtype)
    with pytest.raises(InputError) as error:
        audio.read_audio(path)
    assert_input_error(error, path, "silence")
    accepted = audio.read_audio(path, need_sound=False)
    assert accepted.samples.shape == (400, 2)
    assert not accepted.samples.any()


def test_too_short(tmp_path):
    path = tmp_path / "short.wav"
    soundfile.write(str(path), known_signal(400, 1), RATE)  # 0.05 s
    with pytest.raises(InputError) as error:
        audio.read_audio(path, min_seconds=0.5, purpose="the tiny preset")
    assert_input_error(error, path, "too short", "for the tiny preset", "400 samples", "0.500")
    assert audio.read_audio(path, min_seconds=0.05).samples.shape == (400, 1)


# ----------------------------------------------------------------------------- listing


def make_folder(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    for name in ["c.wav", "a.flac", "b.ogg", "d.WAV", "readme.txt", "cover.jpg", ".hidden"]:
        (folder / name).write_bytes(b"x")
    (folder / "nested.wav").mkdir()  # a folder with an audio name is not a file
    return folder


def test_list_audio_files_sorted(tmp_path):
    folder = make_folder(tmp_path)
    assert audio.list_audio_files(folder) == [folder / name for name in ["a.flac", "b.ogg", "c.wav", "d.WAV"]]
    assert audio.list_audio_files(folder, max_files=2) == [folder / "a.flac", folder / "b.ogg"]


def test_list_audio_files_listdir_order(tmp_path):
    folder = make_folder(tmp_path)
    expected = [folder / name for name in os.listdir(folder) if name in ("a.flac", "b.ogg", "c.wav", "d.WAV")]
    assert audio.list_audio_files(folder, order="listdir") == expected
    assert audio.list_audio_files(folder, order="listdir", max_files=3) == expected[:3]


def test_list_audio_files_single_file(tmp_path):
    path = tmp_path / "one.wav"
    path.write_bytes(b"x")
    assert audio.list_audio_files(path) == [path]


def test_list_audio_files_errors(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError) as error:
        audio.list_audio_files(empty)
    assert_input_error(error, empty, "no audio files")

    only_other = tmp_path / "other"
    only_other.mkdir()
    (only_other / "notes.txt").write_text("x")
    with pytest.raises(InputError) as error:
        audio.list_audio_files(only_other)
    assert_input_error(error, only_other, "no audio files")

    missing = tmp_path / "missing"
    with pytest.raises(InputError) as error:
        audio.list_audio_files(missing)
    assert_input_error(error, missing, "not found")


# ----------------------------------------------------------------------------- conversions


def test_int16_to_float():
    samples = np.array([-32768, -32767, -1, 0, 1, 12345, 32767], dtype=np.int16)
    converted = audio.int16_to_float(samples)
    assert converted.dtype == np.float32
    np.testing.assert_array_equal(converted, samples.astype(np.float32) / 32767.0)
    assert converted[-1] == 1.0 and converted[0] < -1.0  # GRUV's /32767: -32768 slightly below -1

    by_32768 = audio.int16_to_float(samples, scale=32768)
    np.testing.assert_array_equal(by_32768, samples.astype(np.float32) / np.float32(32768))
    assert by_32768[0] == -1.0

    stereo = samples.reshape(-1, 1).repeat(2, axis=1)
    np.testing.assert_array_equal(audio.int16_to_float(stereo), stereo.astype(np.float32) / 32767.0)
    as_double = audio.int16_to_float(samples, dtype=np.float64)
    assert as_double.dtype == np.float64
    np.testing.assert_array_equal(as_double, samples / 32767.0)


def test_left_channel_and_mean_downmix():
    rng = np.random.default_rng(2)
    stereo = rng.integers(-32768, 32768, size=(100, 2)).astype(np.int16)
    np.testing.assert_array_equal(audio.left_channel(stereo), stereo[:, 0])
    mono = stereo[:, 1].copy()
    np.testing.assert_array_equal(audio.left_channel(mono), mono)

    downmix = audio.mean_downmix(stereo)
    assert downmix.shape == (100,)
    np.testing.assert_array_equal(downmix, (stereo[:, 0].astype(np.float64) + stereo[:, 1]) / 2)
    np.testing.assert_array_equal(audio.mean_downmix(mono), mono)
    assert audio.mean_downmix(mono).dtype == np.int16
    np.testing.assert_array_equal(audio.mean_downmix(stereo[:, :1]), stereo[:, 0])

    four = rng.normal(size=(50, 4)).astype(np.float32)
    mixed = audio.mean_downmix(four)
    assert mixed.dtype == np.float32
    np.testing.assert_allclose(mixed, four.astype(np.float64).sum(axis=1) / 4, rtol=0, atol=1e-6)


@pytest.mark.parametrize("rate_in, rate_out", [(48000, 44100), (44100, 16000), (8000, 11025), (22050, 44100)])
def test_resample(rate_in, rate_out):
    rng = np.random.default_rng(3)
    signal = rng.uniform(-1, 1, size=(rate_in // 10, 2))
    divisor = math.gcd(rate_in, rate_out)
    expected = scipy.signal.resample_poly(signal, rate_out // divisor, rate_in // divisor, axis=0)
    resampled = audio.resample(signal, rate_in, rate_out)
    np.testing.assert_array_equal(resampled, expected)
    assert resampled.shape == (math.ceil(signal.shape[0] * rate_out / rate_in), 2)


def test_resample_one_second_lengths_and_identity():
    signal = np.sin(2 * np.pi * 1000 * np.arange(48000) / 48000)
    assert audio.resample(signal, 48000, 44100).shape == (44100,)
    np.testing.assert_array_equal(audio.resample(signal, 48000, 48000), signal)


@pytest.mark.parametrize("factor", [2, 3, 4, 8])
def test_decimate_causal_is_scipy_017(factor):
    rng = np.random.default_rng(4)
    signal = rng.uniform(-1, 1, size=4000)  # full scale ±1
    numerator, denominator = scipy.signal.cheby1(8, 0.05, 0.8 / factor)
    expected = scipy.signal.lfilter(numerator, denominator, signal)[::factor]
    decimated = audio.decimate_causal(signal, factor)
    assert decimated.shape == expected.shape == (math.ceil(4000 / factor),)
    assert np.abs(decimated - expected).max() < 1e-7

    zero_phase = scipy.signal.decimate(signal, factor)
    assert np.abs(decimated - zero_phase).max() > 0.1  # not today's zero-phase default

    stereo = np.stack([signal, -0.5 * signal], axis=1)
    decimated_stereo = audio.decimate_causal(stereo, factor)
    assert np.abs(decimated_stereo[:, 0] - expected).max() < 1e-7
    assert np.abs(decimated_stereo[:, 1] + 0.5 * expected).max() < 1e-7


def test_decimate_causal_factor_one_and_delay():
    signal = np.sin(2 * np.pi * 50 * np.arange(2000) / 8000)
    np.testing.assert_array_equal(audio.decimate_causal(signal, 1), signal)
    impulse = np.zeros(64)
    impulse[0] = 1.0
    response = audio.decimate_causal(impulse, 2)
    assert response[0] != 0.0  # causal: the first output already sees the first input
    numerator, _ = scipy.signal.cheby1(8, 0.05, 0.4)
    assert response[0] == pytest.approx(numerator[0], abs=1e-12)


def test_quantize_int16():
    values = np.array([0.0, 1.0, -1.0, 2.0, -3.0, 0.4 / 32768, 0.6 / 32768, 1.5 / 32768, 2.5 / 32768, -1.5 / 32768,
                       0.25])
    expected = np.array([0, 32767, -32768, 32767, -32768, 0, 1, 2, 2, -2, 8192], dtype=np.int16)
    quantized = audio.quantize_int16(values)
    assert quantized.dtype == np.int16
    np.testing.assert_array_equal(quantized, expected)
    rng = np.random.default_rng(5)
    noise = rng.normal(scale=0.7, size=(200, 2))
    np.testing.assert_array_equal(audio.quantize_int16(noise),
                                  np.clip(np.rint(noise * 32768), -32768, 32767).astype(np.int16))


def test_float_to_int16_truncates_toward_zero():
    values = np.array([0.99999 / 32767, -0.99999 / 32767, -1.5 / 32767, 1.5 / 32767, 2.9 / 32767, -2.9 / 32767,
                       1.0, -1.0, 0.5])
    expected = np.array([0, 0, -1, 1, 2, -2, 32767, -32767, 16383], dtype=np.int16)
    for overflow in ("clip", "wrap"):
        converted = audio.float_to_int16(values, overflow=overflow)
        assert converted.dtype == np.int16
        np.testing.assert_array_equal(converted, expected)
    np.testing.assert_array_equal(audio.float_to_int16(np.array([0.5, -0.5]), scale=32768), [16384, -16384])


def test_float_to_int16_wrap():
    assert audio.float_to_int16(np.array([1.2]), overflow="wrap")[0] == -26216
    rng = np.random.default_rng(6)
    values = rng.uniform(-4, 4, size=(300, 2))
    values[:6, 0] = [1.2, -1.2, 2.0, -2.0, 1.0000305, -1.0000611]
    expected = (np.trunc(values * 32767).astype(np.int64) & 0xFFFF).astype(np.uint16).view(np.int16)
    np.testing.assert_array_equal(audio.float_to_int16(values, overflow="wrap"), expected)


def test_float_to_int16_clip():
    values = np.array([1.2, -1.2, 1.0, -1.0, 5.0, -5.0, 32768.0 / 32767, -32769.0 / 32767])
    np.testing.assert_array_equal(
        audio.float_to_int16(values, overflow="clip"), [32767, -32768, 32767, -32767, 32767, -32768, 32767, -32768]
    )
    np.testing.assert_array_equal(audio.float_to_int16(values), audio.float_to_int16(values, overflow="clip"))


def test_float_to_int16_complex_nan_and_bad_option():
    complex_values = np.array([0.5 + 0.9j, -0.25 - 3.0j])
    np.testing.assert_array_equal(audio.float_to_int16(complex_values), audio.float_to_int16(complex_values.real))
    for bad in (np.nan, np.inf, -np.inf):
        with pytest.raises(ValueError, match="NaN or infinite"):
            audio.float_to_int16(np.array([0.1, bad]), overflow="wrap")
        with pytest.raises(ValueError):
            audio.float_to_int16(np.array([bad]), overflow="clip")
    with pytest.raises(ValueError, match="overflow"):
        audio.float_to_int16(np.array([0.1]), overflow="saturate")


# ----------------------------------------------------------------------------- writing


def test_write_wav_round_trip_int16(tmp_path):
    rng = np.random.default_rng(7)
    samples = rng.integers(-32768, 32768, size=(1000, 2)).astype(np.int16)
    samples[:2, 0] = [-32768, 32767]
    path = tmp_path / "generated" / "out.wav"  # parent folder is created
    assert audio.write_wav(path, samples, 11025) == path
    read, rate = soundfile.read(str(path), dtype="int16", always_2d=True)
    assert rate == 11025
    assert soundfile.info(str(path)).subtype == "PCM_16"
    np.testing.assert_array_equal(read, samples)
    mono = samples[:, 0].copy()
    audio.write_wav(path, mono, 11025)
    np.testing.assert_array_equal(soundfile.read(str(path), dtype="int16")[0], mono)
    assert sorted(os.listdir(path.parent)) == ["out.wav"]


def test_write_wav_float_and_flac(tmp_path):
    signal = known_signal(500, 1)[:, 0]
    wav = audio.write_wav(tmp_path / "float.wav", signal, RATE, subtype="FLOAT")
    np.testing.assert_array_equal(soundfile.read(str(wav), dtype="float32")[0], signal.astype(np.float32))
    flac = audio.write_wav(tmp_path / "sixteen.flac", signal, RATE)
    assert soundfile.info(str(flac)).format == "FLAC"
    assert np.abs(soundfile.read(str(flac))[0] - signal).max() <= 2.0**-15
    with pytest.raises(ValueError, match="mp3"):
        audio.write_wav(tmp_path / "out.mp3", signal, RATE)


def test_write_wav_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "out.wav"
    good = np.arange(-50, 50, dtype=np.int16) * 300
    audio.write_wav(path, good, RATE)
    good_bytes = path.read_bytes()
    written_to = []

    def failing_write(file, data, samplerate, *args, **kwargs):
        written_to.append(str(file))
        with open(file, "wb") as handle:
            handle.write(b"RIFF\x00\x00")
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(soundfile, "write", failing_write)
    with pytest.raises(RuntimeError, match="simulated"):
        audio.write_wav(path, np.zeros(100, dtype=np.int16), RATE)

    assert len(written_to) == 1 and written_to[0] != str(path)  # the writer never touched the target
    assert os.path.dirname(written_to[0]) == str(tmp_path)  # temporary in the same folder (same file system)
    assert path.read_bytes() == good_bytes
    assert sorted(os.listdir(tmp_path)) == ["out.wav"]
