"""Sander & Harder's settings, with the source's defaults, and one preset per published run.

Defaults are the authors' (``frhrdr/generative_audio`` HEAD ``1cf7e68``; paper and slides,
2016) for their best run, results/4: guitar, 60 slices per second, one LSTM of 512 units,
linear dense layers, 180 epochs.  Every field says where its value comes from: the
authors' file and line, or a quirk id (Q1–Q22) of decay/README.md's table "Quirks of the
original", which says what the original did and what we do; "The method" there explains the steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from shared.rundir import AT_LEAST_ONE, AT_LEAST_ZERO, POSITIVE, SEED, Limit


@dataclass(frozen=True)
class DecayConfig:
    preset: str = "run4"
    # the corpus a preset was written for (shared.corpora; "name/folder" = one folder of it);
    # None = the user's own notes
    corpus: Optional[str] = None

    # --- preprocessing (decay/README.md, "The method": rates, slices, normalisation)
    # the paper's "maximum sampling frequency" (guitar); q = rate // (2·highest_freq) (Q1)
    highest_freq: int = 1400
    clip_seconds: int = 5  # guitar and piano 5 s, cello and flute 3 s
    slices_per_second: int = 60  # block size = sr // slices (Q1); results/4
    normalisation: Literal["global", "per-file"] = "global"  # global mean / population std over all blocks (Q5, Q6)
    std_floor: float = 1e-8  # pipeline.py:204-208 (Q5)
    # notes (file stems) kept out of training but preprocessed with its stats (run 9, Q18)
    hold_out: tuple[str, ...] = ()
    max_files: Optional[int] = None  # n_to_load (pipeline.py:126-132); None = every file

    # --- model (decay/README.md, "The method": model 1, model 2)
    architecture: Literal["lstm", "cnn-lstm"] = "lstm"  # '1' Dense→LSTM→Dense; '2' the CNN-LSTM (Q17)
    hidden_units: int = 512  # H (results/4)
    lstm_layers: int = 1  # n_rec_layers
    activation: Literal["linear", "tanh", "relu"] = "linear"  # of both dense layers of model 1 (lstm_utils.py:17,24)
    # Theano's clip(0.2x+0.5, 0, 1); sigmoid is a deviation
    gate_activation: Literal["hard_sigmoid", "sigmoid"] = "hard_sigmoid"
    conv_filters: tuple[int, ...] = (32,)  # model 2 at HEAD: one Conv1D(32, 41, tanh) per time slice (Q17)
    conv_lengths: tuple[int, ...] = (41,)
    conv_activation: Literal["tanh", "relu", "sigmoid", "linear"] = "tanh"
    conv_batchnorm_pool: bool = False  # the paper's variants: BatchNorm + MaxPool(2, valid) after each conv

    # --- training (decay/README.md, "The method": training)
    epochs: int = 180  # server_script.py:61; paper, slides p.21
    batch_size: int = 10  # paper and slides; the code's default was 5 (Q8, the "batch5" ablation)
    learning_rate: float = 1e-3  # Keras 1 RMSprop
    rho: float = 0.9
    epsilon: float = 1e-8  # Keras 1: p ← p − lr·g / (sqrt(a) + ε)
    optimizer: Literal["keras1", "keras3"] = "keras1"  # keras3: Keras 3's RMSprop, g / sqrt(a + ε) (a deviation)
    shuffle: bool = True  # Keras 1 fit default (Q9)
    checkpoint_every: int = 1  # epochs between resumable checkpoints (BackupAndRestore)
    seed: int = 1234  # the authors seeded nothing; we seed initialisation and shuffling

    # --- generation (decay/README.md, "The method": priming and generation, back to audio)
    # slices of the note given to the model (server_script.py:82); the actual primes were 9, 3, 3, 20 … (Q14)
    prime: int = 20
    notes: tuple[str, ...] = ()  # which notes to continue (file stems); () = the first two files, sorted (Q10)
    denormalisation: Literal["faithful", "corrected"] = "faithful"  # (g + mean)·std·32767 (Q12) or g·std + mean
    output_rate: int = 44100  # scipy.signal.resample back to 44.1 kHz (Q13)

    #: The values each numeric setting accepts (``shared.rundir.check_settings``: every ``--set`` and ``config.json``).
    LIMITS = {
        "highest_freq": AT_LEAST_ONE, "clip_seconds": AT_LEAST_ONE, "slices_per_second": AT_LEAST_ONE,
        "std_floor": POSITIVE, "max_files": AT_LEAST_ONE, "hidden_units": AT_LEAST_ONE, "lstm_layers": AT_LEAST_ONE,
        "conv_filters": Limit(1, nonempty=True), "conv_lengths": Limit(1, nonempty=True), "epochs": AT_LEAST_ONE,
        "batch_size": AT_LEAST_ONE, "learning_rate": POSITIVE, "rho": Limit(0, 1), "epsilon": AT_LEAST_ZERO,
        "checkpoint_every": AT_LEAST_ONE, "seed": SEED, "prime": AT_LEAST_ONE, "output_rate": AT_LEAST_ONE,
    }


# The runs' data are the authors' own (~/.cache/audio-repro/reference/decay/guitar_train, cello_pizz_train):
# no corpus to build.
_GUITAR = {"highest_freq": 1400, "clip_seconds": 5,
           "notes": ("Guitar.mf.sulB.C5Gb5", "Guitar.mf.sulG.C5Db5")}
_CELLO = {"highest_freq": 5000, "clip_seconds": 3, "slices_per_second": 60,
          "notes": ("Cello.pizz.ff.sulA.D5.stereo", "Cello.pizz.ff.sulC.Eb3.stereo")}

#: One preset per published run: runN wrote ~/.cache/audio-repro/reference/decay/results/N - …/.
PRESETS: dict[str, dict] = {
    # results/1: cello pizzicato, 90 files, 3 s, 60 slices/s, max freq 5000 (Q15) -> 11025 Hz, prime 9 (Q14).
    "run1": {**_CELLO, "prime": 9},
    # results/2: guitar, 10 slices/s (block 294), prime 3 = 0.3 s.
    "run2": {**_GUITAR, "slices_per_second": 10, "prime": 3},
    # results/3: guitar, 30 slices/s (block 98); labelled "20prime" but the files show 3 (Q14).
    "run3": {**_GUITAR, "slices_per_second": 30, "prime": 3},
    # results/4: the paper's best (Fig. 4): guitar, 60 slices/s (block 49), 512 units, prime 20.
    "run4": {**_GUITAR},
    # results/5: 1024 units.
    "run5": {**_GUITAR, "hidden_units": 1024},
    # results/6: two LSTM layers.
    "run6": {**_GUITAR, "lstm_layers": 2},
    # results/7: piano, 37 files, max freq 4200 -> 8820 Hz, 5 s.  The Iowa piano set is not available: this runs on
    # the soundfont-rendered notes of the real tier (corpora/gm_notes/piano), a different instrument recording.
    "run7": {"corpus": "gm_notes/piano", "highest_freq": 4200, "clip_seconds": 5, "notes": ()},
    # results/8: tanh dense layers.
    "run8": {**_GUITAR, "activation": "tanh"},
    # results/9: primes not in the training set (Fig. 5): the two notes are held out of training (Q18).
    "run9": {**_GUITAR, "hold_out": _GUITAR["notes"]},
    # The paper's other instruments, on soundfont-rendered notes (the Iowa flute set is not available either).
    "piano": {"corpus": "gm_notes/piano", "highest_freq": 4200, "clip_seconds": 5, "notes": ()},
    "flute": {"corpus": "gm_notes/flute", "highest_freq": 2000, "clip_seconds": 3, "notes": ()},
    # Model 2 as at HEAD: one TimeDistributed Conv1D(32, 41, tanh) per slice, no input Dense (Q17).
    "cnn-lstm": {**_GUITAR, "architecture": "cnn-lstm"},
    # The paper's CNN-LSTM variants: three convs with BatchNorm and MaxPool
    # (commit 88c6432's C(32,41)/C(16,17)/C(8,3), relu).
    "cnn-lstm-paper": {**_GUITAR, "architecture": "cnn-lstm", "conv_filters": (32, 16, 8), "conv_lengths": (41, 17, 3),
                       "conv_activation": "relu", "conv_batchnorm_pool": True},
    # The main job of `make reproduce`: run 4's pipeline on the synthetic plucked notes, small enough for 2 CPU cores.
    "quick": {"corpus": "plucked", "hidden_units": 128, "epochs": 60, "notes": ()},
    # Tests: seconds.
    "tiny": {"corpus": "plucked", "max_files": 3, "clip_seconds": 1, "slices_per_second": 30, "hidden_units": 16,
             "epochs": 3, "prime": 5, "notes": ()},
}

#: What the authors' own continuations measure by this work's criteria (our analysis of their results/ folder,
#: decay/README.md's table "Readings of the authors' continuations"): per run and note, the f0 (Hz),
#: the partial's decay slope (dB/s) and the tonal fraction.  The one place these numbers are typed:
#: tests/test_criteria.py measures the reference files again and checks them.
AUTHORS_OUTPUTS: dict[tuple[int, str], tuple[float, float, float]] = {
    (1, "sulA.D5"): (99.6, -2.34, 0.021), (1, "sulC.Eb3"): (143.9, -9.72, 0.62),
    (2, "sulB"): (289.6, -5.1, 0.14), (2, "sulG"): (289.6, -3.06, 0.057),
    (3, "sulB"): (517.2, -0.5, 0.93), (3, "sulG"): (517.1, -17.06, 0.93),
    (4, "sulB"): (517.5, -16.5, 0.95), (4, "sulG"): (517.6, -20.07, 0.97),
    (5, "sulB"): (517.3, 0.53, 0.99), (5, "sulG"): (517.3, 0.9, 0.99),
    (6, "sulB"): (517.3, 0.02, 0.97), (6, "sulG"): (517.3, -0.29, 0.97),
    (8, "sulB"): (517.4, -19.97, 0.96), (8, "sulG"): (517.5, -16.2, 0.96),
    (9, "sulB"): (517.5, 0.08, 0.98), (9, "sulG"): (517.5, 0.05, 0.98),
}


def _authors(f0, slope, tonal, run):
    return {"decay:same_frequencies": f"f0 {f0} Hz (authors' run {run})",
            "decay:decreasing": f"{slope} dB/s (authors' run {run})",
            "decay:low_noise": f"tonal {tonal} (authors' run {run})"}


def _note(run: int, key: str) -> str:
    return next(note for note in PRESETS[f"run{run}"]["notes"] if key in note)


#: The same numbers as the report shows them beside ours: preset → note → criterion → text.
AUTHORS_RESULTS: dict[str, dict[str, dict[str, str]]] = {
    f"run{run}": {_note(run, key): _authors(*numbers, run)
                  for (number, key), numbers in AUTHORS_OUTPUTS.items() if number == run}
    for run in sorted({run for run, _ in AUTHORS_OUTPUTS})
}
