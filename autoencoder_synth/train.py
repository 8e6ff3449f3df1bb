"""Sarroff & Casey's training (``template_orig.yaml`` with pylearn2 2014; README, "The method").

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

    python -m autoencoder_synth.train --run runs/ae/frames --preset ae1-256 [--tensorboard]

Without ``--preset`` it trains the run's ``model`` setting (``ae1-256``; ``ae1-16`` for the ``tiny`` data).

Writes ``<run>/<model>/model.keras``, ``loss.csv`` (per epoch, epoch 0 = before training) and
``result.json`` (the best validation error, noisy and clean, and the test error).

Resumable: after every epoch that training goes on from, the whole training state is in
``<run>/<model>/checkpoints/last.npz``; re-running the same command after a kill goes on from
there to the same weights and files as an uninterrupted run (``tests/test_kill_resume.py``).

With ``--tensorboard``, ``<run>/logs/<model>/`` gets the training loss, the learning rate, the
momentum, the validation error (noisy and clean) and, after every epoch, a short resynthesis of
validation frames through the model as audio and spectrogram (``shared/monitor.py``).
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
from pathlib import Path

import numpy as np

from autoencoder_synth.config import AutoencoderConfig, model_settings
from shared.rundir import (
    InputError, add_common_arguments, add_model_numbers, apply_overrides, atomic_path, cli_main, load_config,
    read_json, remove_partial_files, set_seed, write_json,
)
from shared.rundir import check_checkpoints, check_output_folder, check_run_data  # bad-input guards
from shared.monitor import check_logs, fit_callbacks, log_folder

UNCAPPED = 10**9  # fit's epoch count when max_epochs is None: only the stopping rule ends training


def record_numbers(run_dir: Path, result: dict) -> dict:
    """Add a trained model's numbers to the run's ``run_numbers.json`` (``{"models": {name: numbers}}``, read by
    ``shared.evaluate`` and the findings): its ``result.json`` plus ``test_over_valid`` and, for a deep model whose
    stack was trained in this run, ``finetuned_over_stack`` (its error ÷ the stack's before fine-tuning, both on the
    frames)."""
    numbers = {**result, "test_over_valid": result["test"] / result["valid"]}
    stack = run_dir / f"ae2-{result['hidden']}-{result['hidden2']}" / "result.json"
    if result["kind"] == "deep" and stack.is_file():
        numbers["finetuned_over_stack"] = result["valid"] / read_json(stack)["valid_input_space"]
    return add_model_numbers(run_dir, result["model"], numbers)


def load_split(run_dir: Path, name: str) -> np.ndarray:
    path = run_dir / "data" / f"{name}.npy"
    if not path.is_file():
        raise InputError(path, "missing: run `python -m autoencoder_synth.preprocess` for this run first")
    return np.load(path)


def training_sets(run_dir: Path, config: AutoencoderConfig):
    """(model to train, {split: (x, y)}) for the model kind: frames, or AE1's clean codes for AE2."""
    from autoencoder_synth.model import build_model, load_trained, set_stack_weights

    splits = {name: load_split(run_dir, name) for name in ("train", "valid", "test")}
    set_seed(config.seed)
    model = build_model(config, splits["train"].shape[1])
    if config.kind == "ae2":
        first = load_trained(run_dir / f"ae1-{config.hidden}")
        codes = {name: np.asarray(first.encode(x)).astype(np.float32) for name, x in splits.items()}
        return model, {name: (value, value) for name, value in codes.items()}
    if config.kind == "deep":
        set_stack_weights(model, load_trained(run_dir / f"ae1-{config.hidden}"),
                          load_trained(run_dir / f"ae2-{config.hidden}-{config.hidden2}"))
    return model, {name: (value, value) for name, value in splits.items()}


def train(run_dir, config: AutoencoderConfig, name: str, verbose=0, tensorboard=False) -> dict:
    """Train one model into ``<run_dir>/<name>/``; returns its result.  ``tensorboard``: log to
    ``<run_dir>/logs/<name>/``."""
    from autoencoder_synth.model import compile_model
    from autoencoder_synth.training import Pylearn2Stopping, monitor_sampler, objective

    run_dir = Path(run_dir)
    out = run_dir / name
    model, sets = training_sets(run_dir, config)
    compile_model(model, config)
    checkpoint = out / "checkpoints" / "last.npz"  # resumable: re-running the command after a kill goes on from here
    stopping = Pylearn2Stopping(*sets["valid"], config, out / "loss.csv", checkpoint)
    out.mkdir(parents=True, exist_ok=True)
    remove_partial_files(out, checkpoint.parent)  # what a kill cut short
    initial_epoch = 0
    if checkpoint.is_file():
        model.optimizer.build(model.trainable_variables)
        initial_epoch = stopping.restore(model)
        if verbose:
            print(f"{name}: resuming after epoch {initial_epoch}")
    epochs = UNCAPPED if config.max_epochs is None else config.max_epochs  # the callback ends training
    callbacks = [stopping]
    if tensorboard:  # the numbers of the epoch stopping.rows[-1] holds; every epoch is a checkpoint
        callbacks += fit_callbacks(log_folder(run_dir, name), monitor_sampler(run_dir, config), numbers=lambda *_: {
            "epoch_valid": stopping.rows[-1]["valid"], "epoch_valid_clean": stopping.rows[-1]["valid_clean"],
            "epoch_momentum": float(model.optimizer.momentum)})
    model.fit(*sets["train"], batch_size=config.batch_size, epochs=epochs, initial_epoch=initial_epoch, shuffle=True,
              callbacks=callbacks, verbose=verbose)
    with atomic_path(out / "model.keras") as temporary:
        model.save(temporary)
    rng = np.random.default_rng(config.noise_seed + 1)
    result = {
        "model": name, "kind": config.kind, "hidden": config.hidden, "hidden2": config.hidden2,
        "noise_std": config.noise_std,
        "epochs": len(stopping.rows) - 1, "best_epoch": stopping.best_epoch,
        "stopped_by": stopping.stopped_by or "max_epochs", "stopping": config.stopping,
        "valid": stopping.best, "valid_clean": objective(model, *sets["valid"]),
        "test": objective(model, *sets["test"], config.noise_std, rng), "test_clean": objective(model, *sets["test"]),
        "features": int(sets["train"][0].shape[1]),
    }
    if config.kind == "ae2":  # Q18 / T6: the stacked pair's error on the input frames too
        from autoencoder_synth.model import ComposedAutoencoder, load_trained, set_stack_weights

        frames = load_split(run_dir, "valid")
        stack = ComposedAutoencoder(frames.shape[1], config.hidden, config.hidden2, config.tied)
        set_stack_weights(stack, load_trained(run_dir / f"ae1-{config.hidden}"), model)
        result["valid_input_space"] = objective(stack, frames, frames)
    write_json(out / "result.json", result)
    record_numbers(run_dir, result)
    # only now: a kill before result.json resumes from the last one
    shutil.rmtree(checkpoint.parent, ignore_errors=True)
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autoencoder_synth.train", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, preset=True)
    parser.add_argument("--tensorboard", action="store_true",
                        help="log the losses, validation error, learning rate and momentum and a short resynthesis "
                             "after every epoch to RUN/logs/MODEL/")
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
    if args.tensorboard:
        check_logs(log_folder(args.run, args.preset))
    result = train(args.run, config, args.preset, verbose=1, tensorboard=args.tensorboard)
    print(f"{args.preset}: best validation error {result['valid']:.4f} (clean {result['valid_clean']:.4f}) at epoch "
          f"{result['best_epoch']} of {result['epochs']}; test {result['test']:.4f}; "
          f"wrote {Path(args.run) / args.preset}")


if __name__ == "__main__":
    cli_main(main)
