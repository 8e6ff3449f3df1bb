"""TensorBoard logs of a training run (``train --tensorboard``): scalars, a short sample as audio, its spectrogram.

I/O only; what a sample is and which numbers matter is each work's business.  A run's logs go to ``<run>/logs/``
(autoencoder_synth: ``<run>/logs/<model>/``), in two TensorBoard runs:

* ``train/``: the loss and the learning rate.  Works that train with ``model.fit`` get them from
  ``keras.callbacks.TensorBoard`` (Keras 3.15 writes ``epoch_<name>`` for every entry of the epoch's logs plus
  ``epoch_learning_rate``, at step = the epoch index from 0, and nothing per batch with ``update_freq="epoch"``);
  the works with their own loops write them with :func:`write_scalars` (mdn_vocoder the same ``epoch_`` tags at
  step = epoch from 1, and ``batch_loss`` per iteration; dreaming ``loss`` and ``learning_rate`` at each dream,
  step = iteration).
* ``monitor/``: each work's own numbers (held-out NLL, the MDN's σ, the validation error …) and, at each checkpoint,
  ``sample`` (a mono clip of at most :data:`MAX_SECONDS`, as an audio summary) and ``sample_spectrogram`` (its
  spectrogram, a PNG of :data:`SPECTROGRAM_PIXELS`, as an image summary).

Watch with ``tensorboard --logdir runs/``.  Nothing here imports TensorFlow or matplotlib until a log is opened, so a
script that imports this module starts as fast as before.
"""

from __future__ import annotations

import importlib.util
import io
import math
from pathlib import Path

import numpy as np

from shared.rundir import InputError, check_output_folder

#: The longest sample logged, in seconds: longer waveforms are cut to their first MAX_SECONDS.
MAX_SECONDS = 2.0
#: The spectrogram image's size, (width, height) in pixels.
SPECTROGRAM_PIXELS = (480, 240)
_DPI = 80
#: The two TensorBoard runs of a log folder.
TRAIN, MONITOR = "train", "monitor"


def check_logs(folder, option: str = "--tensorboard") -> Path:
    """Raise :class:`InputError` naming ``option`` when a package the logs need is not installed or ``folder``
    cannot be written (before any work is done; nothing is imported)."""
    missing = [name for name in ("tensorboard", "matplotlib") if importlib.util.find_spec(name) is None]
    if missing:
        raise InputError(option, f"needs the package {' and '.join(missing)}, which is not installed "
                                 "(accepted: install the monitor extra, pip install -e '.[monitor]')")
    return check_output_folder(folder, option)


def log_folder(run_dir, model_name: str | None = None) -> Path:
    """``<run>/logs``, or ``<run>/logs/<model_name>`` for a run directory that holds several models."""
    folder = Path(run_dir) / "logs"
    return folder / model_name if model_name else folder


def open_writer(folder):
    """A ``tf.summary`` file writer on ``folder`` (created if needed)."""
    import tensorflow as tf

    Path(folder).mkdir(parents=True, exist_ok=True)
    return tf.summary.create_file_writer(str(folder))


def write_scalars(writer, step: int, values: dict) -> None:
    """One scalar per ``name: value`` at ``step`` (a value of None is left out)."""
    import tensorflow as tf

    with writer.as_default():
        for name, value in values.items():
            if value is not None:
                tf.summary.scalar(name, float(value), step=int(step))


def clip_for_log(waveform, rate: int, seconds: float = MAX_SECONDS) -> np.ndarray:
    """A mono float waveform as logged: float32, NaN and ±inf made 0, clipped to [−1, 1], at most ``seconds``."""
    signal = np.asarray(waveform, dtype=np.float64).reshape(-1)[: max(1, int(seconds * rate))]
    signal = np.nan_to_num(signal, nan=0.0, posinf=0.0, neginf=0.0)
    return np.clip(signal, -1.0, 1.0).astype(np.float32)


def spectrogram_png(waveform, rate: int, dynamic_range_db: float = 80.0) -> bytes:
    """The log-magnitude spectrogram of a mono waveform as PNG bytes of :data:`SPECTROGRAM_PIXELS` (matplotlib, Agg).

    A Hann window of about 23 ms (a power of two, at most the signal's length), hop half the window, in dB re the
    loudest bin, ``dynamic_range_db`` below it shown; time in s, frequency in Hz.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    signal = np.asarray(waveform, dtype=np.float64).reshape(-1)
    size = max(2, min(2 ** max(1, round(math.log2(max(rate * 0.023, 2)))), len(signal)))
    hop = max(1, size // 2)
    count = 1 + max(0, len(signal) - size) // hop
    padded = np.pad(signal, (0, max(0, size - len(signal))))
    frames = padded[np.arange(count)[:, None] * hop + np.arange(size)] * np.hanning(size + 2)[1:-1]
    decibels = 20 * np.log10(np.abs(np.fft.rfft(frames, axis=1)).T + 1e-12)
    loudest = float(decibels.max())
    width, height = SPECTROGRAM_PIXELS
    figure = Figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.imshow(decibels, origin="lower", aspect="auto", cmap="magma", interpolation="nearest",
                vmin=loudest - dynamic_range_db, vmax=loudest, extent=(0, len(signal) / rate, 0, rate / 2))
    axes.set_xlabel("time (s)", fontsize=8)
    axes.set_ylabel("Hz", fontsize=8)
    axes.tick_params(labelsize=7)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI)
    return buffer.getvalue()


def write_sample(writer, step: int, waveform, rate: int, name: str = "sample") -> None:
    """``name`` (an audio summary of the clipped waveform at ``rate``) and ``name_spectrogram`` (an image) at
    ``step``; the writer is flushed, so that a running TensorBoard shows them at once."""
    import tensorflow as tf

    signal = clip_for_log(waveform, rate)
    image = tf.image.decode_png(spectrogram_png(signal, rate), channels=3)
    with writer.as_default():
        tf.summary.audio(name, signal[None, :, None], sample_rate=int(rate), step=int(step), max_outputs=1,
                         encoding="wav")
        tf.summary.image(f"{name}_spectrogram", image[None], step=int(step), max_outputs=1)
    writer.flush()


def fit_callbacks(folder, sample=None, every: int = 1, numbers=None) -> list:
    """Keras callbacks that log a ``model.fit`` run into ``folder`` (see the module's description).

    Parameters
    ----------
    folder : path
        The log folder: ``keras.callbacks.TensorBoard`` writes ``train/``, the second callback ``monitor/``.
    sample : callable, optional
        ``sample(model) -> (waveform, rate)``: called after every ``every``-th epoch (the epochs the work checkpoints)
        and after the last one, logged by :func:`write_sample` at that epoch's index.
    numbers : callable, optional
        ``numbers(epoch, logs) -> {name: value}``: the work's own numbers, logged after every epoch.  List the
        callbacks that compute them before these.
    """
    import keras

    folder = Path(folder)

    class MonitorCallback(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.writer, self.last_epoch, self.sampled = None, None, None

        def on_train_begin(self, logs=None):
            self.writer = open_writer(folder / MONITOR)

        def on_epoch_end(self, epoch, logs=None):
            self.last_epoch = epoch
            if numbers is not None:
                write_scalars(self.writer, epoch, numbers(epoch, logs or {}))
            if sample is not None and (epoch + 1) % every == 0:
                self.log_sample(epoch)

        def log_sample(self, epoch):
            waveform, rate = sample(self.model)
            write_sample(self.writer, epoch, waveform, rate)
            self.sampled = epoch

        def on_train_end(self, logs=None):
            if sample is not None and self.last_epoch is not None and self.sampled != self.last_epoch:
                self.log_sample(self.last_epoch)  # the final epoch, off the checkpoint grid (or stopped early)
            self.writer.flush()
            self.writer.close()

    # Keras writes <folder>/train (and <folder>/validation for val_ entries); no graph, nothing per batch
    board = keras.callbacks.TensorBoard(log_dir=str(folder), write_graph=False, update_freq="epoch")
    return [board, MonitorCallback()]
