"""Pfalz, Berdahl & Allison's training with concurrent dreaming (paper §3.3; README, 'The method').

Every iteration: cut (X, Y) at the cursor, **one Adam update** with the training state fed in
and the new state kept (BPTT of length 1, the state never reset), then **one dream step** with
the just-updated weights on the current seed, the dream state carried, the seed moved on by
the FIFO (vector, magnitude: drop row 0, append the output's last row; column, transpose:
shift the flattened seed by one sample, the prediction in the last slot) and the appended
element kept.  Every ``dream_length`` steps the dream is written (``generated/``, vocoded
for the magnitude approach) and a new seed taken, cycling same → random → advance (the
start of the file, a random position, the training cursor); as in the original, which drew
the new seed before writing, the file is named after the NEXT seed's mode
(``<preset>_<next mode>_<iteration>.wav``; the ``.json`` also holds the dream's own
``seed_mode``).  ``sampling=sequential`` is the
paused scheme instead: every ``audio_freq`` iterations a dream of ``sequential_length`` steps
with training paused, each step from a zero state as the original's (Q13).

**faithful** (default) runs one compiled train step and one compiled dream step on all n rows
per iteration from Python, as the original ran one ``sess.run`` each.  **fast**
(``--mode fast``) runs the iterations in compiled loops (up to a saved dream, at most 2000 per
call) with the signal, seed and states on the device, and dreams on the last row only (the rows
do not interact in the vector, magnitude and column approaches (README, 'Where the recurrence
runs'), so the same output at 1/n of the cost; the transpose head mixes rows and keeps the whole seed).

    python -m dreaming.train --run runs/dreaming/ex7 [--mode fast] [--tensorboard]

The compiled steps are :class:`dreaming.training.Dreamer`'s, the FIFO and the dream audio
:mod:`dreaming.sampling`'s.  Resumable at dream boundaries (``checkpoints/last.npz``).
Writes ``loss.csv`` (the mean loss since the previous dream), ``model.keras``, ``state.npz``
(the final training state), the dreams with a ``.json`` each, and the audio under each
dream's seed in ``seeds/``.  With ``--tensorboard``, ``<run>/logs/`` gets the loss as ``loss.csv``
logs it, the learning rate and every dream (at most its first 2 s) as audio and spectrogram, at
step = iteration (``shared/monitor.py``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from dreaming.config import DreamingConfig
from dreaming.features import Layout, layout_of, seed_matrix, training_pair
from dreaming.sampling import advance_seed, dream_audio, fast_rows
from dreaming.training import Dreamer
from shared import audio, monitor
from shared.rundir import (
    InputError, add_common_arguments, apply_overrides, atomic_path, cli_main, load_config, save_npz, set_seed,
    write_csv, write_json,
)
from shared.rundir import check_checkpoints, check_output_folder, check_run_data  # bad-input guards
from shared.rundir import remove_partial_files

LOG_FIELDS = ("iteration", "epoch", "loss")
#: Iterations per call of the loop (and per progress-bar update): a long dream spans several compiled blocks.
PROGRESS_EVERY = 2000


def table_1_ratings(preset: str) -> dict:
    """The paper's Table 1 ratings of the Audio Example a preset reproduces (``example7…`` → Ex 7), for the report."""
    from shared.sources import TABLE_1

    number = preset[len("example"):].split("-")[0] if preset.startswith("example") else ""
    if not number.isdigit() or int(number) not in TABLE_1:
        return {}
    return {f"dreaming:C{k}": f"{rating} (Table 1, Ex {number})"
            for k, rating in enumerate(TABLE_1[int(number)][2:], 1)}


def load_data(run_dir, cut: Layout) -> np.ndarray:
    name = "spectrogram.npy" if cut.frames else "signal.npy"
    path = Path(run_dir) / "data" / name
    if not path.is_file():
        raise InputError(path, "missing: run `python -m dreaming.preprocess` for this run first")
    return np.load(path)


def seed_start(mode: str, count: int, cursor: int, rng) -> int:
    """``prep_seed``'s start: 'same' 0, 'random' U[0, iterations per epoch), 'advance' the training cursor."""
    if mode == "same":
        return 0
    if mode == "random":
        return int(rng.integers(0, count))
    if mode == "advance":
        return int(cursor)
    raise InputError("--set seed_modes", f"unknown seed mode {mode!r} (accepted: same, random, advance)")


def seed_audio(signal: np.ndarray, start: int, cut: Layout, config: DreamingConfig) -> np.ndarray:
    """The recording under a seed: n·L samples, or the samples its n frames cover."""
    if cut.frames:
        return signal[start * config.hop:start * config.hop + (cut.rows - 1) * config.hop + cut.length]
    return signal[start:start + cut.rows * cut.length]


class Run:
    """The loop state of one concurrent run: iteration, states, seed, dream buffer."""

    def __init__(self, run_dir: Path, config: DreamingConfig, document: dict, mode: str, progress: bool,
                 tensorboard: bool = False):
        self.run_dir, self.config, self.document, self.mode, self.progress = run_dir, config, document, mode, progress
        self.tensorboard, self.writers = tensorboard, None  # the writers (train, monitor): opened by run()
        self.sampled_at = None  # the iteration of the last dream logged
        self.cut = layout_of(document)
        self.data = load_data(run_dir, self.cut)
        self.signal = np.load(run_dir / "data" / "signal.npy")
        self.per_epoch = document["iterations_per_epoch"]
        total = config.epochs * self.per_epoch
        self.total = min(total, config.max_iterations) if config.max_iterations else total
        set_seed(config.seed)
        self.dreamer = Dreamer(config, self.cut, self.data, self.per_epoch)
        self.rng = np.random.default_rng(config.seed)
        self.rows = self.cut.rows if mode == "faithful" else fast_rows(self.cut, config.approach)
        zeros = np.zeros((self.cut.rows, self.cut.length), np.float32)
        self.h, self.c = zeros, zeros
        self.iteration, self.seed_index, self.rows_log, self.losses = 0, 0, [], []
        self.dream_h = self.dream_c = np.zeros((1, self.rows, self.cut.length), np.float32)
        self.new_seed()

    # ------------------------------------------------------------------ seeds and dreams

    def new_seed(self) -> None:
        modes = self.config.seed_modes
        self.seed_mode = modes[self.seed_index % len(modes)]
        cursor = (self.iteration % self.per_epoch) * self.cut.advance
        self.seed_start = seed_start(self.seed_mode, self.per_epoch, cursor, self.rng)
        self.seed = seed_matrix(self.data, self.seed_start, self.cut).astype(np.float32)
        self.window = self.seed[None, -self.rows:]  # the rows the fast dream reads, carried from block to block
        if not self.config.carry_dream_state:  # HEAD's behaviour; the paper era carried it over (Q5)
            self.dream_h = self.dream_c = np.zeros_like(self.dream_h)
        self.kept = []

    def next_seed_mode(self) -> str:
        """The mode of the seed drawn after the current dream (the cycle same → random → advance)."""
        return self.config.seed_modes[(self.seed_index + 1) % len(self.config.seed_modes)]

    def write_dream(self, kept: list, name_mode: str | None = None) -> Path:
        """Write a dream named ``<preset>_<name_mode>_<iteration>`` (default: the mode of its own seed)."""
        name_mode = name_mode or self.seed_mode
        name = f"{self.config.preset}_{name_mode}_{self.iteration}" + ("" if self.mode == "faithful" else "_fast")
        out_dir = self.run_dir / "generated"
        signal = dream_audio(kept, self.config, self.rng)
        self.log_dream(signal)
        path = audio.write_wav(out_dir / f"{name}.wav", signal.astype(np.float32), self.config.sample_rate,
                               subtype="FLOAT")
        seed_path = audio.write_wav(self.run_dir / "seeds" / f"{name}.wav",
                                    seed_audio(self.signal, self.seed_start, self.cut, self.config),
                                    self.config.sample_rate, subtype="FLOAT")
        block = self.config.hop if self.cut.frames else (self.cut.length if self.config.approach == "vector" else None)
        evaluation = {"reference": self.document["input"], "reference_label": "the training audio", "block": block,
                      "source_numbers": table_1_ratings(self.config.preset)}
        if self.config.approach == "transpose":
            evaluation["seed"] = str(seed_path)
        write_json(out_dir / f"{name}.json", {
            "wav": path.name, "mode": self.mode, "approach": self.config.approach, "iteration": self.iteration,
            "epoch": self.iteration / self.per_epoch, "seed_mode": self.seed_mode, "seed_start": self.seed_start,
            "named_after_seed_mode": name_mode,
            "steps": len(kept), "evaluation": evaluation})
        return path

    # ------------------------------------------------------------------ the loop

    def log_dream(self, signal) -> None:
        """With ``--tensorboard``: the dream as audio and spectrogram at this iteration."""
        if self.writers is not None:
            monitor.write_sample(self.writers[1], self.iteration, signal, self.config.sample_rate)
            self.sampled_at = self.iteration

    def run(self) -> list[dict]:
        remove_partial_files(*(self.run_dir / name for name in ("", "generated", "seeds", "checkpoints")))  # a kill's
        if self.tensorboard:
            folder = monitor.log_folder(self.run_dir)
            self.writers = monitor.open_writer(folder / monitor.TRAIN), monitor.open_writer(folder / monitor.MONITOR)
        self.restore()
        bar = tqdm(total=self.total, initial=self.iteration, desc="iterations", unit="it", disable=not self.progress,
                   mininterval=1.0)
        while self.iteration < self.total:
            if self.config.sampling == "sequential":
                steps = min(self.config.audio_freq - self.iteration % self.config.audio_freq,
                            self.total - self.iteration)
            else:
                steps = min(self.config.dream_length - len(self.kept), self.total - self.iteration)
            steps = min(steps, PROGRESS_EVERY)
            self.advance(steps)
            bar.update(steps)
            if self.config.sampling == "sequential" and self.iteration % self.config.audio_freq == 0:
                self.new_seed()
                self.write_dream(self.sequential_dream())
                self.finish_dream(draw=False)
            elif self.config.sampling == "concurrent" and len(self.kept) >= self.config.dream_length:
                # faithful: the original drew the next seed before writing, so a file carries the NEXT seed's mode
                self.write_dream(self.kept, name_mode=self.next_seed_mode())
                self.finish_dream()
        bar.close()
        self.log()
        if self.writers is not None:
            if self.kept and self.sampled_at != self.iteration:  # the dream cut short by the end, its own generator
                self.log_dream(dream_audio(self.kept, self.config, np.random.default_rng(self.config.seed)))
            for writer in self.writers:
                writer.close()
        self.save_final()
        return self.rows_log

    def advance(self, steps: int) -> None:
        if self.mode == "fast":
            self.advance_fast(steps)
            return
        dreaming = self.config.sampling == "concurrent"
        for _ in range(steps):
            cursor = (self.iteration % self.per_epoch) * self.cut.advance
            x, y = training_pair(self.data, cursor, self.cut)
            loss, self.h, self.c = self.dreamer.train_step(x, y, self.h, self.c)
            self.losses.append(float(loss))
            self.iteration += 1
            if dreaming:
                output, self.dream_h, self.dream_c = self.dreamer.dream_step(
                    self.seed[None], self.dream_h, self.dream_c)
                self.seed, element = advance_seed(self.seed, np.asarray(output)[0], self.config.approach)
                self.kept.append(element)

    def advance_fast(self, steps: int) -> None:
        import tensorflow as tf

        if self.config.sampling == "concurrent":
            kept, losses, self.h, self.c, self.window, self.dream_h, self.dream_c = self.dreamer.block(
                tf.constant(self.iteration), tf.constant(steps), self.h, self.c, self.window, self.dream_h,
                self.dream_c)
            self.kept += list(np.asarray(kept)[:, 0])
        else:  # the sequential scheme dreams only at its pauses: the block trains without a dream step
            _, losses, self.h, self.c, _, _, _ = self.dreamer.block(
                tf.constant(self.iteration), tf.constant(steps), self.h, self.c, self.window, self.dream_h,
                self.dream_c, dream=False)
        self.losses += [float(value) for value in np.asarray(losses)]
        self.iteration += steps

    def sequential_dream(self) -> list:
        """The paused scheme: ``sequential_length`` steps from the seed, each from a zero state (Q13's bug)."""
        seed, kept = self.seed, []
        zeros = np.zeros((1, self.cut.rows, self.cut.length), np.float32)
        for _ in range(self.config.sequential_length):
            output, _, _ = self.dreamer.dream_step(seed[None], zeros, zeros)
            seed, element = advance_seed(seed, np.asarray(output)[0], self.config.approach)
            kept.append(element)
        return kept

    def finish_dream(self, draw=True) -> None:
        """Log, move to the next seed mode (drawing the concurrent scheme's next seed now), checkpoint."""
        self.log()
        self.seed_index += 1
        if draw:
            self.new_seed()
        self.checkpoint()

    def log(self) -> None:
        if not self.losses:
            return
        self.rows_log.append({"iteration": self.iteration, "epoch": self.iteration / self.per_epoch,
                              "loss": float(np.mean(self.losses))})
        self.losses = []
        write_csv(self.run_dir / "loss.csv", LOG_FIELDS, self.rows_log)
        if self.writers is not None:
            monitor.write_scalars(self.writers[0], self.iteration, {
                "loss": self.rows_log[-1]["loss"], "learning_rate": float(self.dreamer.optimizer.learning_rate)})

    # ------------------------------------------------------------------ checkpoints

    def variables(self) -> list:
        return list(self.dreamer.network.variables) + list(self.dreamer.optimizer.variables)

    def checkpoint(self) -> None:
        """Taken at a dream boundary, right after the new seed was drawn: nothing half-dreamt to keep."""
        if self.iteration >= self.total:
            return
        save_npz(self.run_dir / "checkpoints" / "last.npz",
                 **{f"variable_{i}": np.asarray(v) for i, v in enumerate(self.variables())},
                 h=np.asarray(self.h), c=np.asarray(self.c), dream_h=np.asarray(self.dream_h),
                 dream_c=np.asarray(self.dream_c), seed=self.seed, seed_start=self.seed_start,
                 iteration=self.iteration, seed_index=self.seed_index,
                 log=np.array([[row[field] for field in LOG_FIELDS] for row in self.rows_log]).reshape(-1, 3),
                 rng=np.frombuffer(json.dumps(self.rng.bit_generator.state).encode(), dtype=np.uint8))

    def restore(self) -> None:
        path = self.run_dir / "checkpoints" / "last.npz"
        if not path.is_file():
            return
        with np.load(path) as saved:
            for i, variable in enumerate(self.variables()):
                variable.assign(saved[f"variable_{i}"])
            self.h, self.c, self.dream_h, self.dream_c = (saved[key] for key in ("h", "c", "dream_h", "dream_c"))
            self.seed, self.seed_start = saved["seed"], int(saved["seed_start"])
            self.iteration, self.seed_index = int(saved["iteration"]), int(saved["seed_index"])
            self.rows_log = [{"iteration": int(iteration), "epoch": epoch, "loss": loss}
                             for iteration, epoch, loss in saved["log"].tolist()]  # as logged: the iteration an int
            self.rng.bit_generator.state = json.loads(saved["rng"].tobytes().decode())
        self.seed_mode = self.config.seed_modes[self.seed_index % len(self.config.seed_modes)]
        self.window = self.seed[None, -self.rows:]
        self.kept, self.losses = [], []
        if self.progress:
            print(f"resuming from iteration {self.iteration} of {self.total}")

    def save_final(self) -> None:
        with atomic_path(self.run_dir / "model.keras") as temporary:
            self.dreamer.network.save(temporary)
        save_npz(self.run_dir / "state.npz", h=np.asarray(self.h), c=np.asarray(self.c))
        shutil.rmtree(self.run_dir / "checkpoints", ignore_errors=True)  # with any temporary file a kill left there


def train(run_dir, config: DreamingConfig, mode="faithful", progress=True, tensorboard=False) -> list[dict]:
    """Train (or resume) with concurrent dreaming; returns the loss log rows.  ``tensorboard``: log to
    ``<run>/logs/``."""
    run_dir = Path(run_dir)
    _, document = load_config(run_dir, DreamingConfig)
    started = time.perf_counter()
    rows = Run(run_dir, config, document, mode, progress, tensorboard).run()
    write_json(run_dir / "run_numbers.json", {"iterations": rows[-1]["iteration"] if rows else 0,
                                               "final_loss": rows[-1]["loss"] if rows else None, "mode": mode,
                                               "seconds": time.perf_counter() - started})
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dreaming.train", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--mode", choices=("faithful", "fast"), default="faithful")
    parser.add_argument("--tensorboard", action="store_true",
                        help="log the loss, learning rate and every dream to RUN/logs/")
    args = parser.parse_args(argv)
    config = apply_overrides(load_config(args.run, DreamingConfig)[0], args.overrides)
    check_run_data(args.run, ["data/signal.npy"], "dreaming.preprocess")
    check_checkpoints(args.run / "checkpoints")
    check_output_folder(args.run, "--run")
    if args.tensorboard:
        monitor.check_logs(monitor.log_folder(args.run))
    rows = train(args.run, config, args.mode, tensorboard=args.tensorboard)
    dreams = sorted((Path(args.run) / "generated").glob("*.wav"))
    loss = rows[-1]["loss"] if rows else float("nan")
    print(f"trained {rows[-1]['iteration'] if rows else 0} iterations, loss {loss:.4g}; "
          f"{len(dreams)} dreams in {Path(args.run) / 'generated'}; wrote {Path(args.run) / 'model.keras'}")


if __name__ == "__main__":
    cli_main(main)
