"""Sarroff & Casey's training (``template_orig.yaml`` with pylearn2 2014; facts §2b, §3).

SGD lr 0.005, momentum 0.5, batch 100, the training frames reshuffled every epoch, the loss
Σ over the features of (x − x̂)² averaged over the batch.  The stopping rule is pylearn2's:
the validation objective is computed **before the first epoch** and after every epoch; from
epoch 1 on, an epoch resets the patience of 5 only if it beats 0.999 × the best so far
(MonitorBased); ``Or(MonitorBased, EpochCounter(250))`` goes on while either criterion wants
to, and the counter only counts the epochs on which the patience has already run out, so
training ends after 250 such epochs (at least 255 in all) and has no fixed length
(:class:`StoppingRule`; ``stopping=either`` for the earlier reading "patience or 250 epochs";
``max_epochs`` is our safety cap, none by default).  The best-validation weights are kept (the
untrained model is a candidate).  For a denoising model the validation objective is taken
**with** the corruption, as pylearn2's monitor did (Q4); the clean value is logged beside it.

* ``ae1-…``: on the normalised frames;
* ``ae2-<HL1>-<HL2>``: on the **clean** codes of the trained ``ae1-<HL1>`` of the same run;
* ``deep-<HL1>-<HL2>``: ``ae1-<HL1>`` and ``ae2-<HL1>-<HL2>`` composed and fine-tuned on the frames.

    python -m autoencoder_synth.train --run runs/ae/frames --preset ae1-256

Without ``--preset`` it trains the run's ``model`` setting (``ae1-256``; ``ae1-16`` for the ``tiny`` data).

Writes ``<run>/<model>/model.keras``, ``loss.csv`` (per epoch, epoch 0 = before training) and
``result.json`` (the best validation error, noisy and clean, and the test error).

Resumable: after every epoch that training goes on from, the whole training state is in
``<run>/<model>/checkpoints/last.npz``; re-running the same command after a kill goes on from
there to the same weights and files as an uninterrupted run (``tests/test_kill_resume.py``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np

from autoencoder_synth.config import AutoencoderConfig, model_settings
from shared.rundir import (
    InputError, add_common_arguments, apply_overrides, atomic_path, cli_main, load_config, save_npz, set_seed, write_csv,
    write_json,
)
from shared.rundir import check_checkpoints, check_output_folder, check_run_data, load_keras_model  # bad-input guards
from shared.rundir import remove_partial_files

LOG_FIELDS = ("epoch", "loss", "valid", "valid_clean")
UNCAPPED = 10**9  # fit's epoch count when max_epochs is None: only the stopping rule ends training


def objective(model, x: np.ndarray, y: np.ndarray, noise_std=0.0, rng=None, batch_size=100) -> float:
    """Mean over examples of Σ_features (y − model(x))², with x + N(0, std²) when ``noise_std`` > 0 (pylearn2's monitor)."""
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


def pylearn2_stopping(valid_x, valid_y, config: AutoencoderConfig, log_path: Path, checkpoint_path: Path | None = None):
    """The stopping rule (:class:`StoppingRule`), MonitorBasedSaveBest and the ``max_epochs`` cap as one Keras callback.

    With ``checkpoint_path``, every epoch after which training goes on leaves the whole training
    state there (:meth:`checkpoint`): the weights with the noise layer's seed state, the
    optimizer's variables, the log, the best weights, the stopping rule's counters and the
    monitor's noise generator; :meth:`restore` puts it back and returns the epoch to go on from.
    """
    import keras

    class Pylearn2Stopping(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.rng = np.random.default_rng(config.noise_seed)
            self.rule = StoppingRule(config.patience, config.prop_decrease, config.epoch_counter, config.stopping)
            self.rows, self.best, self.best_epoch, self.best_weights, self.stopped_by = [], np.inf, 0, None, None

        def measure(self, epoch, loss):
            noisy = objective(self.model, valid_x, valid_y, config.noise_std, self.rng)
            clean = objective(self.model, valid_x, valid_y) if config.noise_std > 0 else noisy
            self.rows.append({"epoch": epoch, "loss": loss, "valid": noisy, "valid_clean": clean})
            write_csv(log_path, LOG_FIELDS, self.rows)
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
            elif config.max_epochs is not None and epoch + 1 >= config.max_epochs:  # ours: the safety cap
                self.model.stop_training, self.stopped_by = True, "max_epochs"
            elif checkpoint_path is not None:
                self.checkpoint(self.model, epoch + 1)

        def checkpoint(self, model, epochs_done: int) -> None:
            """Write the training state after ``epochs_done`` epochs to ``checkpoint_path`` (one file, atomically)."""
            rule = self.rule
            save_npz(checkpoint_path, epochs_done=epochs_done,
                     **{f"variable_{i}": np.asarray(v) for i, v in enumerate(model.variables)},
                     **{f"optimizer_{i}": np.asarray(v) for i, v in enumerate(model.optimizer.variables)},
                     **{f"best_{i}": w for i, w in enumerate(self.best_weights or [])},
                     rows=np.array([[row[field] for field in LOG_FIELDS] for row in self.rows], np.float64),
                     best=self.best, best_epoch=self.best_epoch, rule=np.array([rule.best, rule.countdown, rule.counted]),
                     rng=np.frombuffer(json.dumps(self.rng.bit_generator.state).encode(), dtype=np.uint8))

        def restore(self, model) -> int:
            """Put back the state :meth:`checkpoint` wrote; returns the number of epochs it holds."""
            try:
                with np.load(checkpoint_path) as saved:
                    for i, variable in enumerate(model.variables):
                        variable.assign(saved[f"variable_{i}"])
                    for i, variable in enumerate(model.optimizer.variables):
                        variable.assign(saved[f"optimizer_{i}"])
                    best = [saved[f"best_{i}"] for i in range(len(model.weights)) if f"best_{i}" in saved]
                    self.best_weights = best or None
                    self.rows = [{"epoch": int(row[0]), **dict(zip(LOG_FIELDS[1:], row[1:]))} for row in saved["rows"].tolist()]
                    self.best, self.best_epoch = float(saved["best"]), int(saved["best_epoch"])
                    self.rule.best, countdown, counted = saved["rule"].tolist()
                    self.rule.countdown, self.rule.counted = int(countdown), int(counted)
                    self.rng.bit_generator.state = json.loads(saved["rng"].tobytes().decode())
                    return int(saved["epochs_done"])
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
                raise InputError(checkpoint_path, f"not a checkpoint of this model ({error}): delete it to train from "
                                 "the start") from None

        def on_train_end(self, logs=None):
            if self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    return Pylearn2Stopping()


def load_split(run_dir: Path, name: str) -> np.ndarray:
    path = run_dir / "data" / f"{name}.npy"
    if not path.is_file():
        raise InputError(path, "missing: run `python -m autoencoder_synth.preprocess` for this run first")
    return np.load(path)


def load_trained(path: Path):
    import autoencoder_synth.model  # registers the models and the loss

    if not (path / "model.keras").is_file():
        raise InputError(path / "model.keras", f"missing: train {path.name} first (python -m autoencoder_synth.train)")
    return load_keras_model(path / "model.keras", "autoencoder_synth.train",
                            kind=(autoencoder_synth.model.Autoencoder, autoencoder_synth.model.ComposedAutoencoder))


def training_sets(run_dir: Path, config: AutoencoderConfig):
    """(model to train, {split: (x, y)}) for the model kind: frames, or AE1's clean codes for AE2."""
    from autoencoder_synth.model import build_model

    splits = {name: load_split(run_dir, name) for name in ("train", "valid", "test")}
    set_seed(config.seed)
    model = build_model(config, splits["train"].shape[1])
    if config.kind == "ae2":
        first = load_trained(run_dir / f"ae1-{config.hidden}")
        codes = {name: np.asarray(first.encode(x)).astype(np.float32) for name, x in splits.items()}
        return model, {name: (value, value) for name, value in codes.items()}
    if config.kind == "deep":
        first = load_trained(run_dir / f"ae1-{config.hidden}")
        second = load_trained(run_dir / f"ae2-{config.hidden}-{config.hidden2}")
        model.first.set_weights(first.get_weights()[: len(model.first.weights)])
        model.second.set_weights(second.get_weights()[: len(model.second.weights)])
    return model, {name: (value, value) for name, value in splits.items()}


def train(run_dir, config: AutoencoderConfig, name: str, verbose=0) -> dict:
    """Train one model into ``<run_dir>/<name>/``; returns its result."""
    from autoencoder_synth.model import compile_model

    run_dir = Path(run_dir)
    out = run_dir / name
    model, sets = training_sets(run_dir, config)
    compile_model(model, config)
    checkpoint = out / "checkpoints" / "last.npz"  # resumable: re-running the command after a kill goes on from here
    stopping = pylearn2_stopping(*sets["valid"], config, out / "loss.csv", checkpoint)
    out.mkdir(parents=True, exist_ok=True)
    remove_partial_files(out, checkpoint.parent)  # what a kill cut short
    initial_epoch = 0
    if checkpoint.is_file():
        model.optimizer.build(model.trainable_variables)
        initial_epoch = stopping.restore(model)
        if verbose:
            print(f"{name}: resuming after epoch {initial_epoch}")
    epochs = UNCAPPED if config.max_epochs is None else config.max_epochs  # the callback ends training
    model.fit(*sets["train"], batch_size=config.batch_size, epochs=epochs, initial_epoch=initial_epoch, shuffle=True,
              callbacks=[stopping], verbose=verbose)
    with atomic_path(out / "model.keras") as temporary:
        model.save(temporary)
    rng = np.random.default_rng(config.noise_seed + 1)
    result = {
        "model": name, "kind": config.kind, "hidden": config.hidden, "hidden2": config.hidden2, "noise_std": config.noise_std,
        "epochs": len(stopping.rows) - 1, "best_epoch": stopping.best_epoch,
        "stopped_by": stopping.stopped_by or "max_epochs", "stopping": config.stopping,
        "valid": stopping.best, "valid_clean": objective(model, *sets["valid"]),
        "test": objective(model, *sets["test"], config.noise_std, rng), "test_clean": objective(model, *sets["test"]),
        "features": int(sets["train"][0].shape[1]),
    }
    if config.kind == "ae2":  # Q18 / T6: the stacked pair's error on the input frames too
        from autoencoder_synth.model import ComposedAutoencoder

        stack = ComposedAutoencoder(hidden=config.hidden, hidden2=config.hidden2, tied=config.tied)
        stack(np.zeros((1, load_split(run_dir, "valid").shape[1]), np.float32))
        stack.first.set_weights(load_trained(run_dir / f"ae1-{config.hidden}").get_weights()[: len(stack.first.weights)])
        stack.second.set_weights(model.get_weights()[: len(stack.second.weights)])
        frames = load_split(run_dir, "valid")
        result["valid_input_space"] = objective(stack, frames, frames)
    write_json(out / "result.json", result)
    shutil.rmtree(checkpoint.parent, ignore_errors=True)  # only now: a kill before result.json resumes from the last one
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autoencoder_synth.train", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, preset=True)
    args = parser.parse_args(argv)
    config = load_config(args.run, AutoencoderConfig)[0]
    args.preset = args.preset or config.model
    try:
        settings = model_settings(args.preset)
    except ValueError as error:
        raise InputError("--preset", str(error)) from None
    config = apply_overrides(dataclasses.replace(config, **settings), args.overrides)
    check_run_data(args.run, ["data/train.npy", "data/valid.npy", "data/test.npy"], "autoencoder_synth.preprocess")
    check_checkpoints(args.run / args.preset / "checkpoints")
    check_output_folder(args.run / args.preset, "--run")
    result = train(args.run, config, args.preset, verbose=1)
    print(f"{args.preset}: best validation error {result['valid']:.4f} (clean {result['valid_clean']:.4f}) at epoch "
          f"{result['best_epoch']} of {result['epochs']}; test {result['test']:.4f}; wrote {Path(args.run) / args.preset}")


if __name__ == "__main__":
    cli_main(main)
