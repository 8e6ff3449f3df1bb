"""Sarroff & Casey's features (bregman's STFT as ``deepAE.py`` used it; see the README): songs in, |FFT| frames out.

What both the data stage (``preprocess``) and the resynthesis path (``synth``, ``generate``, ``play``) read a song
with: the left channel as 16-bit samples / 32768 at the features' rate (:func:`load_song`), cut into **rectangular**
frames of N samples every H, the first at sample 0 and the trailing partial hop dropped
(:func:`rectangular_frames`), and the magnitude of rfft(frame)/N, N/2 + 1 bins (:func:`magnitude_frames`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from autoencoder_synth.config import AutoencoderConfig
from shared import audio
from shared.rundir import InputError, read_json


def load_song(path, config: AutoencoderConfig) -> np.ndarray:
    """The left channel as int16 / 32768 (bregman's WavOpen), at ``config.sample_rate`` (another rate is resampled,
    with a notice on stderr, unless ``resample`` is false)."""
    read = audio.read_audio(path, dtype="int16", purpose="a song")
    signal = audio.left_channel(read.samples).astype(np.float64) / 32768.0  # faithful: left channel, /32768
    if read.rate != config.sample_rate:
        if not config.resample:
            raise InputError(path, f"sample rate {read.rate} Hz, but the features are at {config.sample_rate} Hz "
                             "(resample=false)")
        print(f"notice: {path}: resampled from {read.rate} Hz to {config.sample_rate} Hz", file=sys.stderr)
        signal = audio.resample(signal, read.rate, config.sample_rate)
    return signal


def frame_count(length: int, fft_size: int, hop: int) -> int:
    """Frames of a signal: the first at 0, one per hop while a whole frame fits."""
    return 0 if length < fft_size else (length - fft_size) // hop + 1


def rectangular_frames(signal: np.ndarray, fft_size: int, hop: int) -> np.ndarray:
    """The rectangular frames of a signal, (frames, N): at 0, H, 2H, … while a whole frame fits."""
    count = frame_count(len(signal), fft_size, hop)
    return signal[np.arange(count)[:, None] * hop + np.arange(fft_size)]


def magnitude_frames(signal: np.ndarray, fft_size: int = 2048, hop: int = 1024) -> np.ndarray:
    """|rfft(frame)| / N of rectangular frames: (frames, N/2 + 1), float32."""
    frames = rectangular_frames(signal, fft_size, hop)
    return (np.abs(np.fft.rfft(frames, axis=1)) / fft_size).astype(np.float32)


def default_input(run_dir: Path) -> Path:
    """The run's song with the most test-split frames (a held-out song when the split is by song)."""
    inputs = read_json(run_dir / "config.json").get("inputs") or []
    index_path = run_dir / "data" / "index.npz"
    if not inputs or not index_path.is_file():
        raise InputError(run_dir, "no songs recorded for this run: pass --input")
    with np.load(index_path) as index:
        return Path(inputs[int(np.bincount(index["test_song"]).argmax())])
