"""Sander & Harder's training (``learn_decay/train_func.py``; README, "The method"): MSE, RMSprop, 180 epochs, batch 10.

Keras 1 ``fit`` with its defaults: the notes shuffled every epoch, no validation split, no
regularisation.  Resumable: re-running the command after a kill continues from the last
checkpoint in ``checkpoints/``.  Writes ``loss.csv`` (loss per epoch; the authors' ODS
sheet lists the final one, e.g. ≈ 0.042 for run 4) and ``model.keras``.  The networks and
Keras 1's RMSprop are in ``decay/model.py``.  With ``--tensorboard``, ``<run>/logs/`` gets the
loss, the learning rate and, at every checkpoint, a short stateful continuation of a note as
audio and spectrogram (``shared/monitor.py``).

    python -m decay.train --run runs/decay/run4 [--tensorboard]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from decay.config import DecayConfig
from shared import audio
from shared.rundir import (
    InputError, add_common_arguments, apply_overrides, atomic_path, cli_main, load_config, read_losses,
    resumable_callbacks, set_seed,
)
from shared.rundir import check_checkpoints, check_output_folder, check_run_data  # bad-input guards
from shared.monitor import check_logs, fit_callbacks, log_folder


def load_training_data(run_dir) -> tuple[np.ndarray, np.ndarray]:
    """``data/x.npy`` and ``data/y.npy`` of a preprocessed run (normalised, float32)."""
    data = Path(run_dir) / "data"
    for name in ("x.npy", "y.npy"):
        if not (data / name).is_file():
            raise InputError(data / name, "missing: run `python -m decay.preprocess` for this run first")
    return np.load(data / "x.npy"), np.load(data / "y.npy")


def monitor_sampler(run_dir, config: DecayConfig, seconds: float = 2.0):
    """``sample(model) -> (waveform, rate)`` for ``--tensorboard``: the first note ``generate`` would continue,
    primed with ``prime`` slices and continued by :class:`decay.sampling.StepGenerator` to at most ``seconds`` (the
    whole note if shorter), de-normalised as ``denormalisation`` says and resampled to ``output_rate`` as
    ``generate`` writes it (a browser may not play the model rate), as floats."""
    from decay.features import denormalise, to_output_rate
    from decay.sampling import StepGenerator, note_slices

    _, document = load_config(run_dir, DecayConfig)
    rate, block = document["model_rate"], document["block_size"]
    name = (list(config.notes) or document["notes"]["heldout"] + document["notes"]["train"])[0]
    slices, mean, std = note_slices(run_dir, document, name)
    prime = slices[:min(config.prime, len(slices) - 1)]
    length = min(len(slices), max(len(prime) + 1, int(seconds * rate) // block))
    step = None

    def sample(model):
        nonlocal step
        step = step or StepGenerator(model)  # one trace; the weights are read at every call
        samples = denormalise(step(prime, length), mean, std, config.denormalisation)
        return audio.int16_to_float(to_output_rate(samples, rate, config.output_rate)), config.output_rate

    return sample


def train(run_dir, config: DecayConfig, *, verbose=1, tensorboard=False) -> list[float]:
    """Train (or resume) the run's model; returns the per-epoch losses.  ``tensorboard``: log to
    ``<run>/logs/``."""
    from decay.model import build_model, compile_model

    run_dir = Path(run_dir)
    x, y = load_training_data(run_dir)
    set_seed(config.seed)
    model = build_model(config, x.shape[-1])
    compile_model(model, config)
    batches = -(-len(x) // config.batch_size)
    save_freq = "epoch" if config.checkpoint_every <= 1 else config.checkpoint_every * batches
    callbacks = resumable_callbacks(run_dir, save_freq)
    if tensorboard:
        callbacks += fit_callbacks(log_folder(run_dir), monitor_sampler(run_dir, config), config.checkpoint_every)
    model.fit(x, y, batch_size=config.batch_size, epochs=config.epochs, shuffle=config.shuffle,
              callbacks=callbacks, verbose=verbose)
    with atomic_path(run_dir / "model.keras") as temporary:
        model.save(temporary)
    return read_losses(run_dir)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m decay.train", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--tensorboard", action="store_true",
                        help="log the loss, learning rate and a short sample at each checkpoint to RUN/logs/")
    args = parser.parse_args(argv)
    config = apply_overrides(load_config(args.run, DecayConfig)[0], args.overrides)
    check_run_data(args.run, ["data/x.npy", "data/y.npy", "data/stats.npz"], "decay.preprocess")
    check_checkpoints(args.run / "checkpoints")
    check_output_folder(args.run, "--run")
    if args.tensorboard:
        check_logs(log_folder(args.run))
    losses = train(args.run, config, tensorboard=args.tensorboard)
    print(f"trained {len(losses)} epochs: loss {losses[0]:.4f} -> {losses[-1]:.4f}; "
          f"wrote {Path(args.run) / 'model.keras'}")


if __name__ == "__main__":
    cli_main(main)
