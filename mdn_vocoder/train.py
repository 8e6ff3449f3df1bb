"""Glover's training loop (``train.lua``): truncated BPTT over B contiguous streams, Adagrad, the MDN loss.

The normalised sequence x (F, D) is cut into B contiguous streams, each split into chunks of
S steps; iteration j trains on chunk j mod (F/(B·S)) of every stream (in order, no shuffle),
with targets y[t] = x[t+1] (wrapping at the end of the whole sequence).  The LSTM state is
carried from one iteration to the next, across epochs too, and never reset (README §2).  The
loss is the per-sample NLL **summed** over the B streams and S steps (README §3); Adagrad
(Torch's form) at lr 1e-3 × 0.97 every 10,000 iterations, the gradient clamped element-wise
to ±5, 1000 epochs, seed 123 (README §4).  No validation split; with ``heldout_fraction`` > 0
the mean NLL per frame of the held-out tail is measured after every epoch (ours).

    python -m mdn_vocoder.train --run runs/mdn/sine [--tensorboard]

Resumable: every ``save_every`` iterations the weights, the optimizer's accumulators, the
carried state and the loss log go to ``checkpoints/last.npz``; re-running the command
continues from there.  Writes ``loss.csv`` (per epoch: the summed loss per iteration, the NLL
per frame, its median over the epoch's iterations, the held-out NLL, the learning rate; the
mean is dominated by the one chunk holding the wrap-around delta, README quirk Q8),
``model.keras``, ``state.npz`` (the final carried state, which sampling starts from) and
``run_numbers.json``.  The stream layout and the compiled step are in
:mod:`mdn_vocoder.training`.

With ``--tensorboard``, ``<run>/logs/`` gets the loss of every iteration and of every epoch, the
NLL per frame, the held-out NLL, the learning rate, the mixture's mean σ and, at every
checkpoint and at the end, a short sample resynthesised (``shared/monitor.py``).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
from tqdm import tqdm

from mdn_vocoder.config import MdnConfig
from mdn_vocoder.training import MonitorSampler, Trainer, batches
from shared import monitor
from shared.rundir import (
    InputError, add_common_arguments, apply_overrides, atomic_path, cli_main, load_config, save_npz, set_seed,
    write_csv, write_json,
)
from shared.rundir import check_checkpoints, check_output_folder, check_run_data  # bad-input guards
from shared.rundir import remove_partial_files

#: loss.csv's columns; ``mean_sigma``: the epoch's mean of each iteration's mean σ of the mixture (the blog's "σ
#: decreases between batches", ``run_numbers.json``'s ``sigma_last_over_first``)
LOG_FIELDS = ("epoch", "iteration", "loss", "nll_per_frame", "median_nll_per_frame", "heldout_nll", "learning_rate",
              "mean_sigma")


def load_sequence(run_dir, name="x.npy") -> np.ndarray:
    path = Path(run_dir) / "data" / name
    if not path.is_file():
        raise InputError(path, "missing: run `python -m mdn_vocoder.preprocess` for this run first")
    return np.load(path)


def heldout_nll(trainer: Trainer, heldout: np.ndarray) -> float:
    """Mean NLL per frame of the held-out deltas: one stream from a zero state, the first S (warm-up) unscored."""
    from mdn_vocoder.model import zero_states

    inputs, targets = heldout[None, :-1].astype(np.float32), heldout[None, 1:].astype(np.float32)
    nll, _ = trainer.evaluate(inputs, targets, zero_states(trainer.config, 1))
    return float(np.mean(np.asarray(nll)[0, trainer.config.seq_length:]))


class TrainingLog:
    """What ``--tensorboard`` writes (``shared.monitor``): ``train/`` the loss of every iteration (``batch_loss``, step
    = iteration) and the epoch's numbers as in ``loss.csv`` (``epoch_…``, step = epoch from 1); ``monitor/`` the mean
    σ of the mixture (per iteration and the epoch's mean), the held-out NLL per frame, and the samples (step =
    iteration)."""

    def __init__(self, run_dir, config: MdnConfig):
        folder = monitor.log_folder(run_dir)
        self.writers = monitor.open_writer(folder / monitor.TRAIN), monitor.open_writer(folder / monitor.MONITOR)
        self.sampler = MonitorSampler(run_dir, config)

    def iteration(self, iteration: int, loss: float, sigma: float) -> None:
        monitor.write_scalars(self.writers[0], iteration, {"batch_loss": loss})
        monitor.write_scalars(self.writers[1], iteration, {"batch_sigma": sigma})

    def epoch(self, row: dict) -> None:
        monitor.write_scalars(self.writers[0], row["epoch"], {f"epoch_{name}": row[name] for name in (
            "loss", "nll_per_frame", "median_nll_per_frame", "learning_rate")})
        heldout = row["heldout_nll"] if np.isfinite(row["heldout_nll"]) else None
        monitor.write_scalars(self.writers[1], row["epoch"], {"epoch_sigma": row["mean_sigma"],
                                                              "epoch_heldout_nll": heldout})

    def sample(self, iteration: int, model, states) -> None:
        monitor.write_sample(self.writers[1], iteration, *self.sampler(model, states))

    def close(self) -> None:
        for writer in self.writers:
            writer.close()


def sigma_numbers(rows) -> dict:
    """The mean σ of the first and the last epoch, and their ratio (the blog: σ falls as training goes on)."""
    first, last = (rows[0].get("mean_sigma"), rows[-1].get("mean_sigma")) if rows else (None, None)
    if first is None or last is None:  # none trained, or resumed from a checkpoint written before the column
        return {}
    return {"sigma_first_epoch": first, "sigma_last_epoch": last, "sigma_last_over_first": last / first}


def train(run_dir, config: MdnConfig, *, progress=True, tensorboard=False) -> list[dict]:
    """Train (or resume) the run's model; returns the per-epoch log rows.  ``tensorboard``: log to ``<run>/logs/``
    (:class:`TrainingLog`)."""
    from mdn_vocoder.model import zero_states

    run_dir = Path(run_dir)
    x = load_sequence(run_dir)
    heldout = load_sequence(run_dir, "heldout_x.npy") if (run_dir / "data" / "heldout_x.npy").is_file() else None
    if len(x) % (config.batch_size * config.seq_length):
        raise InputError(run_dir / "data" / "x.npy", f"{len(x)} frames are not a multiple of batch_size × "
                         f"seq_length = {config.batch_size * config.seq_length}: preprocess again after changing them")
    inputs, targets = batches(x, config.batch_size, config.seq_length, config.target_stride_bug)
    set_seed(config.seed)
    trainer = Trainer(config, x.shape[1])
    per_epoch, total = len(inputs), config.max_epochs * len(inputs)
    states, rows, iteration, epoch_losses, epoch_sigmas = zero_states(config, config.batch_size), [], 0, [], []
    saved_path = run_dir / "checkpoints" / "last.npz"
    remove_partial_files(run_dir, saved_path.parent)  # what a kill cut short
    if saved_path.is_file():
        with np.load(saved_path) as saved:
            trainer.restore(saved)
            iteration = int(saved["iteration"])
            states = [saved[f"state_{i}"] for i in range(len(states))]
            epoch_losses = list(saved["epoch_losses"])
            epoch_sigmas = list(saved["epoch_sigmas"]) if "epoch_sigmas" in saved else []
            rows = [{**dict(zip(LOG_FIELDS, row)), "epoch": int(row[0]), "iteration": int(row[1])}
                    for row in saved["rows"].tolist()]  # as logged: ints
        if progress:
            print(f"resuming from iteration {iteration} of {total}")
    log = TrainingLog(run_dir, config) if tensorboard else None
    bar = tqdm(total=total, initial=iteration, desc="iterations", unit="it", disable=not progress, mininterval=1.0)
    while iteration < total:
        loss, states, sigma = trainer.step_with_sigma(inputs[iteration % per_epoch], targets[iteration % per_epoch],
                                                      states)
        if log is not None:
            log.iteration(iteration + 1, float(loss), float(sigma))
        epoch_losses.append(float(loss))
        epoch_sigmas.append(float(sigma))
        iteration += 1
        bar.update(1)
        if iteration % per_epoch == 0:
            loss = float(np.mean(epoch_losses))
            rows.append({"epoch": iteration // per_epoch, "iteration": iteration, "loss": loss,
                         "nll_per_frame": loss / (config.batch_size * config.seq_length),
                         "median_nll_per_frame":
                             float(np.median(epoch_losses)) / (config.batch_size * config.seq_length),
                         "heldout_nll": heldout_nll(trainer, heldout) if heldout is not None else float("nan"),
                         "learning_rate": trainer.learning_rate(), "mean_sigma": float(np.mean(epoch_sigmas))})
            epoch_losses, epoch_sigmas = [], []
            bar.set_postfix(loss=f"{loss:.4g}", refresh=False)
            write_csv(run_dir / "loss.csv", LOG_FIELDS, rows)
            if log is not None:
                log.epoch(rows[-1])
        if log is not None and (iteration % config.save_every == 0 or iteration == total):
            log.sample(iteration, trainer.model, states)
        if iteration % config.save_every == 0 and iteration < total:
            logged = np.array([[row[field] for field in LOG_FIELDS] for row in rows], dtype=np.float64)
            save_npz(saved_path, **trainer.checkpoint(), iteration=iteration, epoch_losses=np.array(epoch_losses),
                     epoch_sigmas=np.array(epoch_sigmas),
                     rows=logged.reshape(-1, len(LOG_FIELDS)),
                     **{f"state_{i}": np.asarray(state) for i, state in enumerate(states)})
    bar.close()
    if log is not None:
        log.close()
    with atomic_path(run_dir / "model.keras") as temporary:
        trainer.model.save(temporary)
    save_npz(run_dir / "state.npz", **{f"state_{i}": np.asarray(state) for i, state in enumerate(states)})
    final = rows[-1] if rows else {}
    heldout_numbers = {"heldout_nll": final["heldout_nll"]} if heldout is not None else {}
    write_json(run_dir / "run_numbers.json", {"iterations": iteration, "final_loss": final.get("loss"),
                                               "nll_per_frame": final.get("nll_per_frame"),
                                               "median_nll_per_frame": final.get("median_nll_per_frame"),
                                               **heldout_numbers, **sigma_numbers(rows)})
    shutil.rmtree(saved_path.parent, ignore_errors=True)  # the checkpoint, and any temporary file a kill left there
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mdn_vocoder.train", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--tensorboard", action="store_true",
                        help="log the losses, held-out NLL, the mixture's σ, learning rate and a short sample at "
                             "each checkpoint to RUN/logs/")
    args = parser.parse_args(argv)
    config = apply_overrides(load_config(args.run, MdnConfig)[0], args.overrides)
    check_run_data(args.run, ["data/x.npy"], "mdn_vocoder.preprocess")
    check_checkpoints(args.run / "checkpoints")
    check_output_folder(args.run, "--run")
    if args.tensorboard:
        monitor.check_logs(monitor.log_folder(args.run))
    rows = train(args.run, config, tensorboard=args.tensorboard)
    print(f"trained {len(rows)} epochs: loss per iteration {rows[0]['loss']:.4g} -> {rows[-1]['loss']:.4g}; "
          f"wrote {Path(args.run) / 'model.keras'}")


if __name__ == "__main__":
    cli_main(main)
