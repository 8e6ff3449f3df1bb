"""GRUV's settings, with the source's defaults, and one preset per experiment.

Defaults are GRUV's (Nayebi & Vitelli 2015, ``MattVitelli/GRUV`` HEAD ``71998b1``); the
``fiala-*`` presets are J. Fiala's blog experiments E1–E5 ("Deep Learning and Sound ~ 02",
2015).  Every field's comment names the original file (and line) its value comes from; the quirk ids (Qn) are
explained in ``gruv/README.md``, "Quirks of the original".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from shared.rundir import AT_LEAST_ONE, AT_LEAST_ZERO, POSITIVE, SEED, Limit


@dataclass(frozen=True)
class GruvConfig:
    preset: str = "gruv"
    corpus: Optional[str] = None  # the corpus this preset was written for (shared.corpora); None = the user's own music

    # --- preprocessing (README, "The data, step by step, with shapes")
    sample_rate: int = 44100  # nn_config.py:3; every input is converted to it (GRUV's LAME/SoX step, Q6)
    block_size: int = 11025  # freq/4 samples per timestep (convert_directory.py:10, Q1)
    max_seq_len: int = 40  # round(44100*10/11025) timesteps per example (convert_directory.py:11)
    # fft: [Re|Im] of the full N-point FFT, 2N dims (Q2); fft-half: Fiala's N dims (README, Deviations);
    # time: raw blocks (useTimeDomain)
    domain: Literal["fft", "fft-half", "time"] = "fft"
    # gruv: non-overlapping L-step chunks, strict cur+L < total (Q8);
    # whole-file: one example per file (Fiala's kicks / amen)
    chunking: Literal["gruv", "whole-file"] = "gruv"
    # whole-file: zero-pad / cut every file to this many blocks (Fiala's "uniform length M"); None = the longest file
    pad_to_blocks: Optional[int] = None
    # keep only the first blocks of each file (E4: "trimmed the training data to 60 2048-long frames")
    max_blocks: Optional[int] = None
    max_files: Optional[int] = 20  # parse_files.py:112,120 (Q7)
    file_order: Literal["sorted", "listdir"] = "sorted"  # deviation (Q7): GRUV used os.listdir order
    std_floor: float = 1e-8  # parse_files.py:150 (Q11)

    # --- model (README, "The equations")
    hidden_dims: int = 1024  # nn_config.py:6 (Q19)
    num_recurrent_units: int = 1  # network_utils.py:5
    # Keras of July 2015 (Q17): glorot sqrt(6/..) and forget bias 1; "0.1.0": sqrt(2/..) and forget bias 0
    keras_semantics: Literal["0.1.2", "0.1.0"] = "0.1.2"
    # clip(0.2x+0.5,0,1); "sigmoid" is a deviation (cuDNN-eligible on a GPU)
    gate_activation: Literal["hard_sigmoid", "sigmoid"] = "hard_sigmoid"

    # --- training (README, "The equations")
    epochs: int = 50  # train.py:35-49: 2 x 25
    batch_size: int = 5  # train.py:37
    learning_rate: float = 1e-3  # Keras 0.1 RMSprop default
    rho: float = 0.9
    epsilon: float = 1e-6  # Keras 0.1 (Keras 3 default is 1e-7)
    shuffle: bool = True  # Keras 0.1 fit default
    # stop once the epoch's training MSE falls below this (Fiala: "until MSE < ~0.15")
    target_loss: Optional[float] = None
    # epochs between resumable checkpoints (BackupAndRestore); raise it for tiny, many-epoch runs
    checkpoint_every: int = 1
    seed: int = 1234  # GRUV seeded nothing; we seed initialisation, shuffling and the seed choice

    # --- generation (README, "The equations")
    generate_steps: int = 10  # generate.py:57 "max_seq_len"=10 predict calls -> 40 + 9 = 49 frames
    # None: the whole training example is the seed (GRUV, seed_len=1); Fiala: one seed frame
    seed_frames: Optional[int] = None
    seed_example: Optional[int] = None  # None: a random training example (seeded RNG; GRUV's was unseeded, Q14)
    include_seed_in_output: bool = False  # GRUV does not output the seed; Fiala's outputs start with the seed frame
    output_index: Literal["last", "first"] = "last"  # "first" is the blog's return_sequences pitfall (E1)
    denormalize: bool = True  # sequence_generator.py:26-28; False is the blog's amen finding (E5, Q16)
    int16_overflow: Literal["wrap", "clip"] = "wrap"  # astype('int16') wraps (Q4); "clip" saturates

    #: The values each numeric setting accepts (``shared.rundir.check_settings``: every ``--set`` and ``config.json``).
    LIMITS = {
        "sample_rate": AT_LEAST_ONE, "block_size": AT_LEAST_ONE, "max_seq_len": AT_LEAST_ONE,
        "pad_to_blocks": AT_LEAST_ONE, "max_blocks": AT_LEAST_ONE, "max_files": AT_LEAST_ONE, "std_floor": POSITIVE,
        "hidden_dims": AT_LEAST_ONE, "num_recurrent_units": AT_LEAST_ONE, "epochs": AT_LEAST_ONE,
        "batch_size": AT_LEAST_ONE, "learning_rate": POSITIVE, "rho": Limit(0, 1), "epsilon": AT_LEAST_ZERO,
        "target_loss": POSITIVE, "checkpoint_every": AT_LEAST_ONE, "seed": SEED, "generate_steps": AT_LEAST_ONE,
        "seed_frames": AT_LEAST_ONE, "seed_example": AT_LEAST_ZERO,
    }

    @property
    def feature_dims(self) -> int:
        """Features per timestep: 2N for GRUV's full FFT, N for Fiala's half FFT and raw time."""
        return 2 * self.block_size if self.domain == "fft" else self.block_size


# Fiala's setup (inferred from the blog and its code screenshot; README, "The method in brief"): frame 2048,
# N-dim features, TDD(2048) -> 3 x LSTM(2048) -> TDD(2048), batch 2, one seed frame.
_FIALA = dict(
    block_size=2048, domain="fft-half", chunking="whole-file", max_files=None, hidden_dims=2048,
    num_recurrent_units=3, batch_size=2, seed_frames=1, include_seed_in_output=True, int16_overflow="clip",
)

PRESETS: dict[str, dict] = {
    # GRUV as shipped: 11025-sample blocks, 40-step examples, 53,574,178 parameters.
    "gruv": {},
    # E1: one recording of four sung vowels at one pitch; overfit; the blog read output index 0.
    "fiala-vowels": {**_FIALA, "corpus": "vowels", "epochs": 200, "target_loss": 0.01, "output_index": "first",
                     "generate_steps": 120},
    # E2: ~250 808 kicks zero-padded to M = 22 frames, trained until MSE < ~0.15, generated a few frames past M.
    "fiala-kicks": {**_FIALA, "corpus": "kicks808_real", "pad_to_blocks": 22, "epochs": 200, "target_loss": 0.15,
                    "generate_steps": 30},
    # E3: the 120 bpm amen break, FFT features, "trained all the way down to mse ~= 0.05".
    "fiala-amen-fft": {**_FIALA, "corpus": "amen", "epochs": 400, "target_loss": 0.05, "generate_steps": 172},
    # E4: the amen trimmed to 60 frames x 2048 samples, raw time domain, de-normalised output.
    "fiala-amen-raw": {**_FIALA, "corpus": "amen", "domain": "time", "max_blocks": 60, "epochs": 400,
                       "target_loss": 0.01, "generate_steps": 120},
    # E5: E4 without adding the mean and std back ("actually generates an amen break").
    "fiala-amen-raw-nodenorm": {**_FIALA, "corpus": "amen", "domain": "time", "max_blocks": 60, "epochs": 400,
                                "target_loss": 0.01, "generate_steps": 120, "denormalize": False},
    # The main job of `make reproduce`: GRUV's pipeline at a size 2 CPU cores train in under 2 minutes (98 s measured).
    "quick": {"corpus": "amen_synth", "block_size": 1024, "max_seq_len": 16, "hidden_dims": 512, "epochs": 500,
              "generate_steps": 24},
    # Tests: seconds.
    "tiny": {"corpus": "sine", "block_size": 64, "max_seq_len": 8, "hidden_dims": 16, "epochs": 3,
             "max_blocks": 80, "generate_steps": 6},
}

#: What Fiala's blog reports for each experiment, keyed "<work>:<criterion id>" as shared.criteria names
#: them; shown beside our numbers in the report (gruv/README.md, "How to run").
BLOG_RESULTS: dict[str, dict[str, str]] = {
    "fiala-vowels": {"gruv:loop": "one vowel frame repeated, no evolution (E1, output index 0)"},
    "fiala-kicks": {"gruv:mse": "< ~0.15 (E2 stop)", "gruv:noise_db": "too much high-frequency noise (E2)",
                    "gruv:tail_growth_db": "slowly rising tail (E2)"},
    "fiala-amen-fft": {"gruv:mse": "≈ 0.05 (E3)", "gruv:loop": "chaotic repetitive noise that loops (E3)"},
    "fiala-amen-raw": {"gruv:mse": "\"well-trained\" (E4)", "gruv:onset_f": "peaks line up with the original's (E4)"},
    "fiala-amen-raw-nodenorm": {"gruv:onset_f": "\"actually generates an amen break\" (E5)",
                                "gruv:tail_growth_db": "dissolves into the tail, periodically returns (E5)"},
    "quick": {"gruv:onset_f": "peaks line up with the original's (E4, raw amen)"},
}
