"""Reading and writing audio, and the exact sample conversions the five sources used.

Reading goes through soundfile (libsndfile): WAV, FLAC, OGG/Vorbis, MP3, AIFF in every
common sample format (8/16/24/32-bit integer, 32/64-bit float), mono or multichannel.
Every read is validated at the boundary: a missing, unreadable or corrupt file, an
unsupported format, zero length, NaN/inf samples, all silence where sound is needed, or a
file too short for the preset raises :class:`shared.rundir.InputError` naming the file and
the problem (the scripts turn it into exit status 2).

The conversions are the sources' own, each named for what it does:

* :func:`int16_to_float`: ``int16 / 32767.0`` (GRUV, Sander & Harder) or ``/ 32768``
  (Sarroff & Casey's bregman reader);
* :func:`left_channel` and :func:`mean_downmix`;
* :func:`resample` (``scipy.signal.resample_poly``) and :func:`decimate_causal` (scipy 0.17's
  causal Chebyshev-I decimation, not today's zero-phase default);
* :func:`float_to_int16`: float → int16 by truncation toward zero, with numpy's
  wrap-around on overflow (GRUV's ``astype('int16')``) or with clipping.

Writes are atomic (:func:`write_wav`).
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.signal
import soundfile

from shared.rundir import InputError, atomic_path

#: File extensions accepted as audio input (what libsndfile reads).
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff")

# soundfile subtype → the numpy dtype its samples are held in natively.
_NATIVE_DTYPE = {
    "PCM_S8": "int16", "PCM_U8": "int16", "PCM_16": "int16",
    "PCM_24": "int32", "PCM_32": "int32", "FLOAT": "float32", "DOUBLE": "float64",
}


@dataclass(frozen=True)
class Audio:
    """Samples read from one file.

    Attributes
    ----------
    samples : np.ndarray
        Shape (frames, channels); dtype as requested by the reader.
    rate : int
        Sample rate in Hz, as stored in the file.
    subtype : str
        soundfile's sample format name (``PCM_16``, ``FLOAT``, ``VORBIS`` …).
    path : Path
        The file read.
    """

    samples: np.ndarray
    rate: int
    subtype: str
    path: Path

    @property
    def seconds(self) -> float:
        return self.samples.shape[0] / self.rate


def read_audio(path, *, dtype="float64", native=False, min_seconds=0.0, need_sound=True, purpose=None,
               beyond_full_scale=None) -> Audio:
    """Read and validate one audio file.

    Parameters
    ----------
    path : str or Path
        WAV, FLAC, OGG, MP3 or AIFF file.
    dtype : str
        ``float64`` / ``float32`` (full scale ±1, integer formats divided by 2^(bits−1) as
        libsndfile does) or ``int16`` (integer formats at 16-bit resolution; float formats
        scaled by 32768, rounded and clipped).
    native : bool
        Return the samples in the file's own dtype (int16 for 8/16-bit, int32 for 24/32-bit,
        float32 / float64 for float files, float32 for compressed formats), as
        ``scipy.io.wavfile.read`` gave them to the originals for 16-bit and float files (8-bit
        comes back as ``(u8 − 128)·256``, 24-bit left-justified in int32).  Overrides ``dtype``.
    min_seconds : float
        Shortest duration accepted (``purpose`` names who needs it, for the message).
    need_sound : bool
        Reject a file whose samples are all zero.
    beyond_full_scale : str or None
        What the caller does with float samples beyond ±1, for the one warning printed when a
        file holds some (default: what this read does: "clipped to ±1" when they are converted
        to int16 here, else "kept as they are").

    Returns
    -------
    Audio
        ``samples`` of shape (frames, channels).

    Raises
    ------
    InputError
        Missing, unreadable, corrupt, unsupported, empty, non-finite, silent or too short.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    if path.is_dir():
        raise InputError(path, "is a directory, not an audio file")
    if path.suffix.lower() not in AUDIO_EXTENSIONS:
        raise InputError(
            path, f"unsupported format {path.suffix or '(no extension)'!r} "
            f"(accepted: {', '.join(extension[1:] for extension in AUDIO_EXTENSIONS)})"
        )
    if not os.access(path, os.R_OK):
        raise InputError(path, "cannot be read (permission denied)")
    try:
        info = soundfile.info(str(path))
        integer_file = info.subtype in _NATIVE_DTYPE and _NATIVE_DTYPE[info.subtype].startswith("int")
        if native:
            read_dtype = _NATIVE_DTYPE.get(info.subtype, "float32")
        else:
            # libsndfile rounds float samples to integers without scaling them: read floats as floats
            read_dtype = dtype if integer_file or not dtype.startswith("int") else "float64"
        samples, rate = soundfile.read(str(path), dtype=read_dtype, always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, ValueError, OSError) as error:
        raise InputError(path, f"corrupt or not a readable audio file ({_one_line(error)})") from None
    validate_samples(samples, path, rate=int(rate), min_seconds=min_seconds, need_sound=need_sound, purpose=purpose)
    converted = not native and samples.dtype != np.dtype(dtype)
    warn_beyond_full_scale(samples, path, beyond_full_scale or ("clipped to ±1 by the conversion to 16-bit integers"
                                                               if converted else "kept as they are (not clipped)"))
    if converted:
        samples = quantize_int16(samples)  # a float file asked for as int16: x·32768, rounded and clipped
    return Audio(samples=samples, rate=int(rate), subtype=info.subtype, path=path)


def validate_samples(samples, path, *, rate, min_seconds=0.0, need_sound=True, purpose=None) -> None:
    """Raise :class:`InputError` for empty, non-finite, silent or too-short sample arrays."""
    if samples.shape[0] == 0:
        raise InputError(path, "contains no samples (zero length)")
    if samples.dtype.kind == "f" and not np.isfinite(samples).all():
        raise InputError(path, "contains NaN or infinite samples")
    if need_sound and not np.any(samples):
        raise InputError(path, "is all silence (every sample is zero); this step needs sound")
    seconds = samples.shape[0] / rate
    if seconds < min_seconds:
        who = f" for {purpose}" if purpose else ""
        raise InputError(
            path, f"is too short{who}: {samples.shape[0]} samples = {seconds:.3f} s at {rate} Hz, "
            f"at least {min_seconds:.3f} s needed"
        )


def warn_beyond_full_scale(samples, path, action: str) -> int:
    """Print one warning to stderr when float ``samples`` go beyond full scale (|x| > 1); return how many do.

    The warning names the file, the number of samples beyond ±1, the peak, and ``action``:
    what the work does with them (clips them, or keeps them as its source did).  Integer
    samples cannot be beyond full scale.
    """
    samples = np.asarray(samples)
    if samples.dtype.kind != "f":
        return 0
    count = int(np.count_nonzero(np.abs(samples) > 1.0))
    if count:
        peak = float(np.max(np.abs(samples)))
        print(f"warning: {path}: {count} of {samples.size} samples are beyond full scale ±1 (peak {peak:.4g}); "
              f"{action}", file=sys.stderr)
    return count


def list_audio_files(folder, *, order="sorted", max_files=None) -> list[Path]:
    """The audio files directly inside ``folder`` (or ``[folder]`` if it is one file).

    ``order="listdir"`` keeps the operating system's order, as the originals did
    (``os.listdir``); ``"sorted"`` sorts by name so runs are repeatable.
    """
    folder = Path(folder)
    if not folder.exists():
        raise InputError(folder, "file or folder not found")
    if folder.is_file():
        return [folder]
    names = os.listdir(folder)
    if order == "sorted":
        names = sorted(names)
    files = [folder / name for name in names
             if Path(name).suffix.lower() in AUDIO_EXTENSIONS and (folder / name).is_file()]
    if not files:
        raise InputError(folder, f"contains no audio files (accepted: {', '.join(AUDIO_EXTENSIONS)})")
    return files[:max_files] if max_files else files


def _one_line(error) -> str:
    return " ".join(str(error).split())


# ----------------------------------------------------------------------------- conversions


def int16_to_float(samples, scale=32767.0, dtype=np.float32) -> np.ndarray:
    """``samples.astype(dtype) / scale``: GRUV's and Sander & Harder's ``/32767.0`` by default.

    Applied to a float array, this reproduces GRUV's quirk of dividing float WAVs by 32767 too.
    """
    return np.asarray(samples).astype(dtype) / dtype(scale)


def left_channel(samples) -> np.ndarray:
    """Channel 0 of a (frames, channels) array, as a 1-D array (Sander & Harder, Sarroff & Casey)."""
    samples = np.asarray(samples)
    return samples[:, 0] if samples.ndim == 2 else samples


def mean_downmix(samples) -> np.ndarray:
    """The mean over channels of a (frames, channels) array (``sox … channels 1``, LAME ``-a``)."""
    samples = np.asarray(samples)
    if samples.ndim == 1:
        return samples
    if samples.shape[1] == 1:
        return samples[:, 0]
    return samples.mean(axis=1, dtype=np.float64 if samples.dtype.kind in "iu" else samples.dtype)


def resample(samples, rate_in: int, rate_out: int) -> np.ndarray:
    """Polyphase resampling along axis 0 (``scipy.signal.resample_poly``, its default Kaiser window)."""
    if rate_in == rate_out:
        return np.asarray(samples)
    divisor = math.gcd(int(rate_in), int(rate_out))
    return scipy.signal.resample_poly(samples, int(rate_out) // divisor, int(rate_in) // divisor, axis=0)


def decimate_causal(samples, factor: int) -> np.ndarray:
    """scipy 0.17's ``decimate(x, q)``: Chebyshev I (order 8, 0.05 dB, cutoff 0.8/q), causal ``lfilter``, keep every
    q-th sample from the first."""
    if factor == 1:
        return np.asarray(samples)
    return scipy.signal.decimate(samples, int(factor), n=8, ftype="iir", axis=0, zero_phase=False)


def quantize_int16(samples) -> np.ndarray:
    """Float ±1 → int16 by rounding and clipping: what a converter such as SoX writes as 16-bit PCM."""
    return np.clip(np.round(np.asarray(samples, dtype=np.float64) * 32768.0), -32768, 32767).astype(np.int16)


def float_to_int16(samples, *, scale=32767.0, overflow="clip") -> np.ndarray:
    """``samples * scale`` truncated toward zero to int16.

    Parameters
    ----------
    overflow : {"clip", "wrap"}
        ``"wrap"`` reproduces numpy's ``astype('int16')`` on x86-64 as the originals used it:
        out-of-range values wrap modulo 2^16 (1.2 → −26216).  ``"clip"`` saturates at
        −32768 / 32767.

    Raises
    ------
    ValueError
        If ``samples`` holds NaN or infinity (a diverged model): nothing sensible to write.
    """
    values = np.asarray(samples)
    if np.iscomplexobj(values):
        values = values.real
    scaled = np.trunc(values.astype(np.float64) * scale)
    if not np.isfinite(scaled).all():
        raise ValueError("cannot write NaN or infinite samples as int16")
    if overflow == "wrap":
        return (scaled.astype(np.int64) & 0xFFFF).astype(np.uint16).view(np.int16)
    if overflow == "clip":
        return np.clip(scaled, -32768, 32767).astype(np.int16)
    raise ValueError(f"overflow must be 'clip' or 'wrap', not {overflow!r}")


# ----------------------------------------------------------------------------- writing

_FORMATS = {".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG", ".aif": "AIFF", ".aiff": "AIFF"}


def write_wav(path, samples, rate: int, subtype=None) -> Path:
    """Write audio atomically (temporary file in the same folder, then rename).

    An int16 array is written as 16-bit PCM sample for sample; a float array as
    ``subtype`` (default ``PCM_16``, which libsndfile rounds and clips).
    """
    path = Path(path)
    samples = np.asarray(samples)
    if subtype is None:
        subtype = "PCM_16" if samples.dtype in (np.int16, np.float32, np.float64) else "PCM_32"
    container = _FORMATS.get(path.suffix.lower())
    if container is None:
        raise ValueError(f"{path}: cannot write {path.suffix!r} (accepted: {', '.join(_FORMATS)})")
    with atomic_path(path) as temporary:
        soundfile.write(str(temporary), samples, int(rate), subtype=subtype, format=container)
    return path
