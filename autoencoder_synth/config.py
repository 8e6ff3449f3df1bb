"""Sarroff & Casey's settings (ICMC|SMC 2014), with the paper-era code's defaults.

Two levels, as the commands of the issue have them: the **data** settings (``preprocess``:
the |FFT| frames, the 50k/10k/10k split, the normalisation) and the **model** settings
(``train --preset ae1-256``: sizes, noise, optimizer, stopping rule).  Every field says where
its value comes from: ``autoencoder_synth/README.md`` ("The method") and its quirk ids Q1–Q18.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional

from shared.rundir import AT_LEAST_ONE, AT_LEAST_ZERO, POSITIVE, SEED, Limit


@dataclass(frozen=True)
class AutoencoderConfig:
    preset: str = "paper"
    corpus: Optional[str] = None  # the corpus a preset was written for (shared.corpora); None = the user's own songs

    # --- features and data (README, "The data flow and the shape at each step")
    sample_rate: int = 22050  # the paper's rate; the original assumed it (no resampling)
    # ours: convert a file at another rate, with a notice (the original assumed 22,050 Hz); false: refuse it
    resample: bool = True
    fft_size: int = 2048  # rectangular 2048-point frames → 1025 bins (Q11: the training front end had no window)
    hop: int = 1024  # Q9: the hop of the paper's data is not recorded; 1024 in every surviving config
    train_frames: int = 50000
    valid_frames: int = 10000
    test_frames: int = 10000
    split: Literal["frame", "song"] = "frame"  # faithful: frames of one song may fall in every split (Q2); song: ours
    split_seed: int = 9778  # numpy permutation seed (deepAE.py)
    normalisation: Literal["per-bin", "global"] = "per-bin"  # Q1: per-bin max fit on the training frames, or one max

    # --- model (README, "The equations")
    # the model ``train`` trains and ``generate`` plays when none is named (the paper's best AE1)
    model: str = "ae1-256"
    kind: Literal["ae1", "ae2", "deep"] = "ae1"  # shallow AE; AE2 on AE1's codes; the composed deep AE, fine-tuned
    hidden: int = 256  # HL1
    hidden2: int = 8  # HL2 (ae2, deep)
    noise_std: float = 0.0  # gaussian input corruption (Table 1, 2); none in fine-tuning (Q5)
    tied: bool = True  # W′ = Wᵀ (icmc default; Q6)
    irange: float = 0.05  # weights U(−irange/2, irange/2), biases 0 (Q7)

    # --- training (README, "The equations" and "The stopping rule")
    learning_rate: float = 0.005
    momentum: float = 0.5
    batch_size: int = 100
    patience: int = 5  # MonitorBased N
    prop_decrease: float = 0.001  # MonitorBased: an epoch counts only if valid < (1 − 0.001)·best
    epoch_counter: int = 250  # EpochCounter(250) of template_orig.yaml, combined with MonitorBased by Or (Q8)
    stopping: Literal["pylearn2", "either"] = "pylearn2"  # pylearn2: Or = go on while either criterion wants to, the
    # counter advancing only on epochs MonitorBased would stop (≥ 255 epochs, no cap); either: the earlier reading,
    # stop when MonitorBased says so or after epoch_counter epochs
    max_epochs: Optional[int] = None  # ours: a safety cap on the epochs whatever the rule says; None = none (pylearn2)
    seed: int = 1978  # model and SGD rng [1978, 9, 7]
    noise_seed: int = 2001  # the corruptor's default seed

    #: The values each numeric setting accepts (``shared.rundir.check_settings``: every ``--set`` and ``config.json``).
    LIMITS = {
        "sample_rate": AT_LEAST_ONE, "fft_size": Limit(2), "hop": AT_LEAST_ONE, "train_frames": AT_LEAST_ONE,
        "valid_frames": AT_LEAST_ONE, "test_frames": AT_LEAST_ONE, "split_seed": SEED, "hidden": AT_LEAST_ONE,
        "hidden2": AT_LEAST_ONE, "noise_std": AT_LEAST_ZERO, "irange": POSITIVE, "learning_rate": POSITIVE,
        "momentum": Limit(0, 1), "batch_size": AT_LEAST_ONE, "patience": AT_LEAST_ONE, "prop_decrease": Limit(0, 1),
        "epoch_counter": AT_LEAST_ONE, "max_epochs": AT_LEAST_ONE, "seed": SEED, "noise_seed": SEED,
    }


#: Data presets (``preprocess --preset``): the paper's 70,000 frames, and CPU-sized ones.
PRESETS: dict[str, dict] = {
    "paper": {"corpus": "mma_grooves"},
    "quick": {"corpus": "tones_noises", "train_frames": 5000, "valid_frames": 1000, "test_frames": 1000,
              "max_epochs": 30},
    "tiny": {"corpus": "tones_noises", "train_frames": 300, "valid_frames": 100, "test_frames": 100, "model": "ae1-16",
             "max_epochs": 3},
}

#: A short recorded performance shipped with the instrument (``play --automation``); ``make reproduce`` renders it.
EXAMPLE_AUTOMATION = Path(__file__).resolve().parent / "examples" / "moves.jsonl"


def suite_stages(run_dir: Path) -> list[list[str]]:
    """What ``shared.suite`` runs after the common stages: the instrument, rendered offline from the example
    automation."""
    return [["play", "--model", str(run_dir), "--automation", str(EXAMPLE_AUTOMATION),
             "--render", str(run_dir / "generated" / "instrument_moves.wav")]]


_MODEL = re.compile(r"^(?P<kind>ae1|ae2|deep)-(?P<hidden>\d+)(?:-(?P<hidden2>\d+))?(?:-noise(?P<noise>[0-9.]+))?$")


def model_settings(name: str) -> dict:
    """The settings of a model preset name: ``ae1-256``, ``ae1-512-noise0.1``, ``ae2-256-8``, ``ae2-1500-16-noise0.25``,
    ``deep-256-8`` (the cells of Tables 1–3).  Raises ValueError for another form."""
    match = _MODEL.match(name)
    if not match or (match["kind"] != "ae1") != bool(match["hidden2"]) or (match["kind"] == "deep" and match["noise"]):
        raise ValueError(f"{name!r} is not a model name (accepted: ae1-<HL1>[-noise<std>], "
                         "ae2-<HL1>-<HL2>[-noise<std>], deep-<HL1>-<HL2>)")
    settings = {"kind": match["kind"], "hidden": int(match["hidden"]), "noise_std": float(match["noise"] or 0.0)}
    if match["hidden2"]:
        settings["hidden2"] = int(match["hidden2"])
    return settings


#: The paper's Tables 1–3, as printed: best validation error, the sum over bins of the squared error per frame.
TABLE_1 = {  # HL1 → {noise std: error}
    8: {0.0: 0.0440}, 16: {0.0: 0.0414}, 64: {0.0: 0.0276}, 256: {0.0: 0.0187},
    512: {0.0: 0.0198, 0.10: 0.0664, 0.25: 0.0854, 0.50: 0.0921},
    1024: {0.0: 0.0352, 0.10: 0.0711, 0.25: 0.0927, 0.50: 0.0980},
    1500: {0.0: 0.0371, 0.01: 0.0360, 0.02: 0.0405, 0.05: 0.0547},
    2048: {0.0: 0.0983, 0.10: 0.1798, 0.25: 0.2114, 0.50: 0.0972},
    2500: {0.0: 0.0951, 0.01: 0.0951, 0.02: 0.0951, 0.05: 0.0951},
    3500: {0.0: 0.0951, 0.01: 0.0951, 0.02: 0.0951, 0.05: 0.0951},
}
TABLE_2 = {  # (HL1, HL2) → {noise std: error}
    (256, 8): {0.0: 0.0184, 0.10: 0.0184, 0.25: 0.0184}, (256, 16): {0.0: 0.0184, 0.10: 0.0184, 0.25: 0.0184},
    (256, 32): {0.0: 0.0184, 0.10: 0.0184, 0.25: 0.0184}, (1500, 8): {0.0: 0.0485, 0.10: 0.0484, 0.25: 0.0482},
    (1500, 16): {0.0: 0.0509, 0.10: 0.0506, 0.25: 0.0504}, (1500, 32): {0.0: 0.0521, 0.10: 0.0540, 0.25: 0.0562},
}
TABLE_3 = {(256, 8): {"valid": 0.0723, "test": 0.1006}, (1500, 8): {"valid": 0.0953, "test": 0.1333}}
