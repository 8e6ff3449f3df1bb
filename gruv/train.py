"""GRUV's training (``train.py``; README, "The equations"): MSE, RMSprop(1e-3, ρ 0.9, ε 1e-6), batch 5, 50 epochs.

The examples are shuffled every epoch (Keras 0.1's ``fit`` default); the optimiser state
carries over the whole run, as it did over GRUV's two 25-epoch ``fit`` calls.  Resumable:
``keras.callbacks.BackupAndRestore`` keeps the state in ``checkpoints/`` after every epoch,
so re-running the command after a kill continues where it stopped.  The loss of every
epoch goes to ``loss.csv``; the trained network to ``model.keras``.  The network is in
``gruv/model.py``, the target-loss callback in ``gruv/training.py``.  With ``--tensorboard``,
``<run>/logs/`` gets the loss, the learning rate and, at every checkpoint, a short fast-mode
generation from the run's seed as audio and spectrogram (``shared/monitor.py``).

    python -m gruv.train --run runs/gruv/mine [--tensorboard]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from gruv.config import GruvConfig
from shared.rundir import (
    InputError, add_common_arguments, apply_overrides, atomic_path, cli_main, load_config, read_losses,
    resumable_callbacks, set_seed,
)
from shared.rundir import check_checkpoints, check_output_folder, check_run_data  # bad-input guards
from shared.monitor import check_logs, fit_callbacks, log_folder


def load_training_data(run_dir):
    """``data/x.npy`` and ``data/y.npy`` of a preprocessed run, as float32."""
    data = Path(run_dir) / "data"
    for name in ("x.npy", "y.npy", "stats.npz"):
        if not (data / name).is_file():
            raise InputError(data / name, "missing: run `python -m gruv.preprocess` for this run first")
    return np.load(data / "x.npy").astype(np.float32), np.load(data / "y.npy").astype(np.float32)


def train(run_dir, config: GruvConfig, *, verbose=1, tensorboard=False):
    """Train (or resume) the run's model; returns the list of per-epoch losses.  ``tensorboard``: log to
    ``<run>/logs/``."""
    from gruv.model import build_model, compile_model
    from gruv.training import StopBelowLoss, monitor_sampler

    run_dir = Path(run_dir)
    x, y = load_training_data(run_dir)

    set_seed(config.seed)
    model = build_model(config)
    compile_model(model, config)
    callbacks = resumable_callbacks(run_dir, _checkpoint_frequency(config, len(x)))
    if config.target_loss is not None:
        callbacks.append(StopBelowLoss(config.target_loss))
    if tensorboard:
        callbacks += fit_callbacks(log_folder(run_dir), monitor_sampler(run_dir, config, x), config.checkpoint_every)
    model.fit(
        x, y, batch_size=config.batch_size, epochs=config.epochs, shuffle=config.shuffle,
        callbacks=callbacks, verbose=verbose,
    )
    with atomic_path(run_dir / "model.keras") as temporary:
        model.save(temporary)
    return read_losses(run_dir)


def _checkpoint_frequency(config: GruvConfig, examples: int):
    """BackupAndRestore's ``save_freq``: "epoch", or a number of batches for every n-th epoch."""
    if config.checkpoint_every <= 1:
        return "epoch"
    return config.checkpoint_every * -(-examples // config.batch_size)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gruv.train", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--tensorboard", action="store_true",
                        help="log the loss, learning rate and a short sample at each checkpoint to RUN/logs/")
    args = parser.parse_args(argv)
    config = apply_overrides(load_config(args.run, GruvConfig)[0], args.overrides)
    check_run_data(args.run, ["data/x.npy", "data/y.npy", "data/stats.npz"], "gruv.preprocess")
    check_checkpoints(args.run / "checkpoints")
    check_output_folder(args.run, "--run")
    if args.tensorboard:
        check_logs(log_folder(args.run))
    losses = train(args.run, config, tensorboard=args.tensorboard)
    print(f"trained {len(losses)} epochs: loss {losses[0]:.4f} -> {losses[-1]:.4f}; "
          f"wrote {Path(args.run) / 'model.keras'}")


if __name__ == "__main__":
    cli_main(main)
