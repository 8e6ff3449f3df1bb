"""Sarroff & Casey's training loop pieces (pylearn2 2014; README, "The stopping rule"), used by ``train`` and its tests.

* :func:`objective`: pylearn2's monitored objective, Σ over the features of (y − model(x))², the mean over examples,
  with the input corrupted for a denoising model (Q4);
* :class:`StoppingRule`: ``Or(MonitorBased, EpochCounter)`` as pure logic (Q8);
* :class:`Pylearn2Stopping`: the rule, MonitorBasedSaveBest and the ``max_epochs`` cap as one Keras callback, which also
  checkpoints and restores the whole training state (``train`` resumes through it);
* :func:`monitor_sampler`: the short resynthesis ``train --tensorboard`` logs after every epoch.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import keras
import numpy as np

from autoencoder_synth.config import AutoencoderConfig
from autoencoder_synth.features import frame_count
from autoencoder_synth.synth import NumpyAutoencoder, Resynthesiser
from shared.rundir import InputError, save_npz, write_csv

LOG_FIELDS = ("epoch", "loss", "valid", "valid_clean")


def objective(model, x: np.ndarray, y: np.ndarray, noise_std=0.0, rng=None, batch_size=100) -> float:
    """Mean over examples of Σ_features (y − model(x))², with x + N(0, std²) when ``noise_std`` > 0 (pylearn2's
    monitor)."""
    total = 0.0
    for start in range(0, len(x), batch_size):
        batch = x[start:start + batch_size]
        if noise_std > 0:
            batch = batch + rng.normal(0.0, noise_std, batch.shape).astype(np.float32)
        output = np.asarray(model(batch, training=False))
        total += float(np.sum(np.square(y[start:start + batch_size] - output)))
    return total / len(x)


class StoppingRule:
    """pylearn2's ``Or(MonitorBased(prop_decrease, N), EpochCounter(epoch_counter))`` (faithful), as pure logic.

    Consulted once after every epoch with the validation objective (never before epoch 1).

    * MonitorBased: ``best`` starts at +inf; the countdown is reset to N when the value beats
      (1 − prop_decrease)·best, else it falls by one; best ← min(best, value); it wants to go
      on while the countdown is > 0.
    * EpochCounter: counts the calls it receives and wants to go on while that count is below
      ``epoch_counter``.
    * ``rule="pylearn2"`` (faithful, Q8): ``Or`` = ``any`` over the criteria in order, which
      goes on while **either** wants to and short-circuits, so the counter only advances on
      epochs where MonitorBased already wants to stop: training needs ``epoch_counter`` such
      epochs (at least N + ``epoch_counter`` epochs in all) and has no fixed length.
      ``rule="either"``: the earlier reading, stop as soon as MonitorBased wants to stop or
      at ``epoch_counter`` epochs.

    ``keep_going(value)`` returns whether training continues.
    """

    def __init__(self, patience=5, prop_decrease=0.001, epoch_counter=250, rule="pylearn2"):
        if rule not in ("pylearn2", "either"):
            raise ValueError(f"stopping rule {rule!r}: accepted pylearn2, either")
        self.patience, self.prop_decrease, self.epoch_counter, self.rule = patience, prop_decrease, epoch_counter, rule
        self.best, self.countdown, self.counted = np.inf, patience, 0

    def monitor_based(self, value) -> bool:
        self.countdown = self.patience if value < (1 - self.prop_decrease) * self.best else self.countdown - 1
        if value < self.best:  # any decrease (a NaN never is one)
            self.best = value
        return self.countdown > 0

    def epoch_counter_call(self) -> bool:
        self.counted += 1
        return self.counted < self.epoch_counter

    def keep_going(self, value) -> bool:
        if self.rule == "pylearn2":  # faithful (Q8): any() over [MonitorBased, EpochCounter], short-circuited
            return self.monitor_based(value) or self.epoch_counter_call()
        monitor = self.monitor_based(value)  # the earlier reading: EpochCounter counts every epoch
        counter = self.epoch_counter_call()
        return monitor and counter


class Pylearn2Stopping(keras.callbacks.Callback):
    """The stopping rule (:class:`StoppingRule`), MonitorBasedSaveBest and the ``max_epochs`` cap as one Keras callback.

    With ``checkpoint_path``, every epoch after which training goes on leaves the whole training
    state there (:meth:`checkpoint`): the weights with the noise layer's seed state, the
    optimizer's variables, the log, the best weights, the stopping rule's counters and the
    monitor's noise generator; :meth:`restore` puts it back and returns the epoch to go on from.
    """

    def __init__(self, valid_x, valid_y, config: AutoencoderConfig, log_path: Path,
                 checkpoint_path: Path | None = None):
        super().__init__()
        self.valid_x, self.valid_y, self.config = valid_x, valid_y, config
        self.log_path, self.checkpoint_path = log_path, checkpoint_path
        self.rng = np.random.default_rng(config.noise_seed)
        self.rule = StoppingRule(config.patience, config.prop_decrease, config.epoch_counter, config.stopping)
        self.rows, self.best, self.best_epoch, self.best_weights, self.stopped_by = [], np.inf, 0, None, None

    def measure(self, epoch, loss):
        noisy = objective(self.model, self.valid_x, self.valid_y, self.config.noise_std, self.rng)
        clean = objective(self.model, self.valid_x, self.valid_y) if self.config.noise_std > 0 else noisy
        self.rows.append({"epoch": epoch, "loss": loss, "valid": noisy, "valid_clean": clean})
        write_csv(self.log_path, LOG_FIELDS, self.rows)
        if noisy < self.best:  # MonitorBasedSaveBest: any new minimum, the untrained model included
            self.best, self.best_weights, self.best_epoch = noisy, self.model.get_weights(), epoch
        return noisy

    def on_train_begin(self, logs=None):
        if not self.rows:  # (a resumed run has its epoch 0 already)
            self.measure(0, float("nan"))  # monitored before epoch 1; the stopping rule is not consulted

    def on_epoch_end(self, epoch, logs=None):
        value = self.measure(epoch + 1, float((logs or {}).get("loss", np.nan)))
        if not self.rule.keep_going(value):
            self.model.stop_training, self.stopped_by = True, "stopping rule"
        elif self.config.max_epochs is not None and epoch + 1 >= self.config.max_epochs:  # ours: the safety cap
            self.model.stop_training, self.stopped_by = True, "max_epochs"
        elif self.checkpoint_path is not None:
            self.checkpoint(self.model, epoch + 1)

    def checkpoint(self, model, epochs_done: int) -> None:
        """Write the training state after ``epochs_done`` epochs to ``checkpoint_path`` (one file, atomically)."""
        rule = self.rule
        save_npz(self.checkpoint_path, epochs_done=epochs_done,
                 **{f"variable_{i}": np.asarray(v) for i, v in enumerate(model.variables)},
                 **{f"optimizer_{i}": np.asarray(v) for i, v in enumerate(model.optimizer.variables)},
                 **{f"best_{i}": w for i, w in enumerate(self.best_weights or [])},
                 rows=np.array([[row[field] for field in LOG_FIELDS] for row in self.rows], np.float64),
                 best=self.best, best_epoch=self.best_epoch, rule=np.array([rule.best, rule.countdown, rule.counted]),
                 rng=np.frombuffer(json.dumps(self.rng.bit_generator.state).encode(), dtype=np.uint8))

    def restore(self, model) -> int:
        """Put back the state :meth:`checkpoint` wrote; returns the number of epochs it holds."""
        try:
            with np.load(self.checkpoint_path) as saved:
                for i, variable in enumerate(model.variables):
                    variable.assign(saved[f"variable_{i}"])
                for i, variable in enumerate(model.optimizer.variables):
                    variable.assign(saved[f"optimizer_{i}"])
                best = [saved[f"best_{i}"] for i in range(len(model.weights)) if f"best_{i}" in saved]
                self.best_weights = best or None
                self.rows = [{"epoch": int(row[0]), **dict(zip(LOG_FIELDS[1:], row[1:]))}
                             for row in saved["rows"].tolist()]
                self.best, self.best_epoch = float(saved["best"]), int(saved["best_epoch"])
                self.rule.best, countdown, counted = saved["rule"].tolist()
                self.rule.countdown, self.rule.counted = int(countdown), int(counted)
                self.rng.bit_generator.state = json.loads(saved["rng"].tobytes().decode())
                return int(saved["epochs_done"])
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
            raise InputError(self.checkpoint_path, f"not a checkpoint of this model ({error}): delete it to train from "
                             "the start") from None

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


def monitor_sampler(run_dir, config: AutoencoderConfig, seconds: float = 2.0):
    """``sample(model) -> (waveform, rate)`` for ``train --tensorboard``: validation frames resynthesised.

    The validation frames in song and time order (``data/index.npz``), as many as ``seconds`` of
    audio hold, through the model being trained (an ``ae2`` under the run's trained ``ae1-<HL1>``,
    as ``generate`` plays it), × the max vector, with the phase vocoder's phase from seed 0 (the
    frames keep no phase) and the synthesis window overlap-added: :mod:`autoencoder_synth.synth`.
    """
    from autoencoder_synth.model import load_trained

    data = Path(run_dir) / "data"
    with np.load(data / "index.npz") as index:
        order = np.lexsort((index["valid_frame"], index["valid_song"]))
    count = max(1, frame_count(int(seconds * config.sample_rate), config.fft_size, config.hop))
    frames = np.load(data / "valid.npy")[order[:count]].astype(np.float64)
    maxvec = np.load(data / "maxvec.npy")
    under = NumpyAutoencoder.from_model(load_trained(Path(run_dir) / f"ae1-{config.hidden}")).layers \
        if config.kind == "ae2" else []

    def sample(model):
        network = NumpyAutoencoder(under + NumpyAutoencoder.from_model(model).layers)
        engine = Resynthesiser(None, maxvec, config.fft_size, config.hop, phase="vocoder", seed=0)
        blocks = [engine.overlap_add(magnitude, None) for magnitude in network(frames) * engine.maxvec]
        return np.concatenate(blocks + [np.clip(engine.overlap, -1.0, 1.0)]), config.sample_rate

    return sample
