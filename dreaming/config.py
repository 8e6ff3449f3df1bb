"""Pfalz, Berdahl & Allison's settings, with the paper-era code's defaults, and one preset per Audio Example.

Defaults are the GUI's and the paper-era drivers' (``apfalz/audio_lstm`` 005591b;
``dreaming/README.md``, 'Sources' and 'The method'): 11025 Hz, n = 100 rows, L = 1024, Adam at 1e-4, 20
epochs, one sample of cursor advance per iteration.  Each field says where its value comes
from; the quirk ids Q1–Q18 are explained in ``dreaming/README.md``, 'Quirks of the original'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from shared.rundir import AT_LEAST_ONE, AT_LEAST_ZERO, POSITIVE, SEED, Limit

APPROACHES = ("vector", "magnitude", "transpose", "column")


@dataclass(frozen=True)
class DreamingConfig:
    preset: str = "example1"
    # the file a preset was written for ("corpus/file" of shared.corpora); None = the user's own
    corpus: Optional[str] = None

    # --- data (README, 'The data flow and its shapes')
    approach: Literal["vector", "magnitude", "transpose", "column"] = "vector"
    sample_rate: int = 11025  # every file of the paper is 11025 Hz
    resample: bool = False  # ours: convert a file at another rate (the original assumed 11025 Hz)
    max_seconds: Optional[float] = None  # ours: train on the first seconds only (CPU-sized runs); None = the whole file
    seg_len: int = 1024  # L: the vector length = the LSTM units = (magnitude) the window and the number of bins
    rows: int = 100  # n = num_unrollings: the rows of the batch matrix (not time steps, Q1)
    row_stride: Optional[int] = None  # Δi = int_cursor_inc; None = L (contiguous rows)
    cursor_advance: int = 1  # Δe = ext_cursor_inc: 1 sample (1 frame for magnitude) per iteration
    # o; None = the approach's: vector L, column L, transpose n·L (Q3), magnitude 1 frame
    label_offset: Optional[int] = None
    hop: int = 256  # magnitude: hop_size (Ex 5-9: 1024/512/256/128/56); the window is seg_len

    # --- model (README, 'The equations': the network)
    # σ of the TruncatedNormal head init; None = 1e-6, or 0.1 for transpose (model0:15)
    weight_stddev: Optional[float] = None
    input_keep: float = 1.0  # DropoutWrapper input_keep_prob; 0.5 where the original used dropout (magnitude, column)
    dropout_in_dreams: bool = True  # one graph: the dropout stays active when dreaming (Q2)

    # --- training (README, 'The equations': the loss and the update)
    learning_rate: float = 1e-4  # Adam(lr, 0.9, 0.999, 1e-8)
    epochs: int = 20
    # ours: stop after this many iterations in all (CPU-sized runs); None = epochs × per epoch
    max_iterations: Optional[int] = None
    jit_compile: bool = False  # XLA for the fast loop: measured slower on CPU (L 128: 3×) and equal at L 1024; for GPUs
    seed: int = 0  # the original seeded nothing; we seed initialisation, dropout, seeds and the vocoder's phases

    # --- dreaming (README, 'The equations': the dream step with the FIFO seed)
    dream_length: int = 1000  # steps per saved dream: vectors, frames or samples
    seed_modes: tuple[str, ...] = ("same", "random", "advance")  # cycled, one per new seed (sf:915)
    carry_dream_state: bool = True  # paper era: the dream state is not reset between dreams (Q5)
    # paper §3.3: one dream step after every update, or paused dreams
    sampling: Literal["concurrent", "sequential"] = "concurrent"
    audio_freq: int = 10000  # sequential: iterations between paused dreams (GUI)
    sequential_length: int = 400  # sequential: steps per paused dream (GUI seq_dream_len)
    dream_seconds: float = 10.0  # ours: the length of a dream from `generate` (its --seconds default)

    # --- vocoder (README, 'The equations': the oscillator-bank vocoder; magnitude only)
    peaks: bool = True  # local-maximum peak picking, the only masking the code applied (Q7)
    # the paper's threshold masking τ on normalised magnitudes: 0 = off, as the code (no value published)
    threshold: float = 0.0

    #: The values each numeric setting accepts (``shared.rundir.check_settings``: every ``--set`` and ``config.json``).
    LIMITS = {
        "sample_rate": AT_LEAST_ONE, "max_seconds": POSITIVE, "seg_len": AT_LEAST_ONE, "rows": AT_LEAST_ONE,
        "row_stride": AT_LEAST_ONE, "cursor_advance": AT_LEAST_ONE, "label_offset": AT_LEAST_ZERO, "hop": AT_LEAST_ONE,
        "weight_stddev": POSITIVE, "input_keep": Limit(0, 1, low_open=True), "learning_rate": POSITIVE,
        "epochs": AT_LEAST_ONE,
        "max_iterations": AT_LEAST_ONE, "seed": SEED, "dream_length": AT_LEAST_ONE,
        "seed_modes": Limit(choices=("same", "random", "advance"), nonempty=True), "audio_freq": AT_LEAST_ONE,
        "sequential_length": AT_LEAST_ONE, "dream_seconds": POSITIVE, "threshold": AT_LEAST_ZERO,
    }


#: Table 1 of the paper, one preset per Audio Example (README, 'How to run': the table of presets).
def _vector(length, dream_length=1000):
    return {"approach": "vector", "seg_len": length, "dream_length": dream_length}


def _magnitude(hop, dream_length=1000):
    return {"approach": "magnitude", "seg_len": 1024, "hop": hop, "input_keep": 0.5, "dream_length": dream_length}


PRESETS: dict[str, dict] = {
    "example1": _vector(1024),
    "example2": _vector(512),
    "example3": _vector(256),
    "example4": _vector(128, 4000),
    "example5": _magnitude(1024),
    "example6": _magnitude(512),
    "example7": _magnitude(256),
    "example8": _magnitude(128),
    "example9": _magnitude(56, 4000),
    # Transpose: L 1024 (default, a decision), o = n·L (Q3), σ 0.1; a dream of 5 s.
    "example10": {"approach": "transpose", "seg_len": 1024, "dream_length": 5 * 11025},
    # Column: L 1024, dropout (keep 0.5), o = L; a dream of 30 s (fcd0:77).
    "example11": {"approach": "column", "seg_len": 1024, "input_keep": 0.5, "dream_length": 30 * 11025},
    # The main job of `make reproduce`: Example 7's magnitude approach, CPU-sized, on the synthetic guitar melody.
    "quick": {**_magnitude(256, 200), "corpus": "guitar_melody/melody.wav", "seg_len": 256, "rows": 16, "epochs": 1,
              "max_iterations": 1200},
    # Tests: seconds.
    "tiny": {**_vector(32, 20), "corpus": "guitar_melody/melody.wav", "rows": 4, "max_seconds": 1.0, "epochs": 1,
             "max_iterations": 60, "dream_seconds": 1.0},
}
#: Each example also under a descriptive name (``example7-magnitude-hop256``: the README lists both).
_NAMES = {1: "vector-1024", 2: "vector-512", 3: "vector-256", 4: "vector-128", 5: "magnitude-hop1024",
          6: "magnitude-hop512", 7: "magnitude-hop256", 8: "magnitude-hop128", 9: "magnitude-hop56", 10: "transpose",
          11: "column"}
PRESETS.update({f"example{number}-{name}": PRESETS[f"example{number}"] for number, name in _NAMES.items()})
