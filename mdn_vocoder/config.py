"""Glover's settings, with the source's defaults, and one preset per experiment of the blog.

Defaults are those of ``johnglover/sound-rnn`` (HEAD ``7d63960``; ``train.lua`` and
``sample.lua`` options) where the blog gives none; each field says where its value comes
from (``mdn_vocoder/README.md``, "The method" §1–§5).  The blog's three experiments (sine, clarinet,
piano) are presets; the README's "Quirks of the original" (Q1–Q18) says how each quirk is handled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from shared.rundir import AT_LEAST_ONE, AT_LEAST_ZERO, POSITIVE, SEED, Limit


@dataclass(frozen=True)
class MdnConfig:
    preset: str = "defaults"
    # the file a preset was written for ("corpus/file" of shared.corpora); None = the user's own
    corpus: Optional[str] = None

    # --- audio and phase vocoder (README, "The method" §1)
    sample_rate: int = 44100  # -sample_rate: the file's own rate was ignored (train.lua:21); we check it (see resample)
    resample: bool = False  # ours: resample a file at another rate to sample_rate (the original read it as if it were)
    # stereo: "left" (ours, a deviation) reads the left channel; "interleaved" is what the original's pva did with a
    # stereo file: x:resize(ceil(L/H)·H) of the (L, 2) tensor = the interleaved samples L0, R0, L1, …
    # (README, quirk Q3)
    stereo: Literal["left", "interleaved"] = "left"
    fft_size: int = 512  # -fft_size; the hop is always fft_size/4 (data.lua:31)
    components: int = 40  # -num_partials: bins kept per frame, **counting the DC bin** (README, quirk Q5)
    # deltas are hard-wired in the code; absolute = the blog's first sine run
    representation: Literal["deltas", "absolute"] = "deltas"
    # ours: the last fraction of the frames kept out of training to measure NLL (off: the original had no split)
    heldout_fraction: float = 0.0

    # --- model (README, "The method" §3)
    rnn_size: int = 100  # -rnn_size
    num_layers: int = 1  # -num_layers
    mixtures: int = 20  # -mdn_components
    # char-rnn: two biases, gates i f o g (exact); keras: stock LSTM (cuDNN-eligible)
    cell: Literal["char-rnn", "keras"] = "char-rnn"
    init_range: float = 0.08  # model.lua:94: every parameter U(−0.08, 0.08), then the i2h forget bias = 1

    # --- training (README, "The method" §2, §4)
    batch_size: int = 1  # -batch_size: B contiguous streams
    seq_length: int = 30  # -seq_length: S, the truncated-BPTT length
    learning_rate: float = 1e-3  # optim.adagrad learningRate
    decay_rate: float = 0.97  # lr × 0.97 …
    decay_every: int = 10000  # … every 10,000 iterations (the 2015 behaviour; HEAD's -multisave bug skipped it)
    grad_clip: float = 5.0  # element-wise clamp of the gradient (train.lua:120)
    max_epochs: int = 1000  # -max_epochs; one batch per iteration, num_batches per epoch
    save_every: int = 100  # -save_every: iterations between checkpoints
    seed: int = 123  # -seed (train.lua:33)
    # True replicates the original's bug (a) (README, quirk Q14): for B > 1 row b is trained on stream 0's target t+b
    target_stride_bug: bool = False

    # --- sampling (README, "The method" §5)
    length: int = 1000  # -length: frames to generate
    bias: float = 1.0  # -bias: the "sample variance scalar"; 1e-5 for the blog's "reduced variance"
    sample_seed: int = 123  # sample.lua -seed
    # faithful: draw with std sqrt(bias·σ) (σ read as a variance); corrected: sqrt(bias)·σ
    spread: Literal["faithful", "corrected"] = "faithful"
    reset_every: int = 0  # frames between reset frames (the blog's trick, never in the code); 0 = off

    #: The values each numeric setting accepts (``shared.rundir.check_settings``: every ``--set`` and ``config.json``).
    LIMITS = {
        "sample_rate": AT_LEAST_ONE, "fft_size": Limit(4), "components": AT_LEAST_ONE,
        "heldout_fraction": Limit(0, 0.9),
        "rnn_size": AT_LEAST_ONE, "num_layers": AT_LEAST_ONE, "mixtures": AT_LEAST_ONE, "init_range": POSITIVE,
        "batch_size": AT_LEAST_ONE, "seq_length": AT_LEAST_ONE, "learning_rate": POSITIVE,
        "decay_rate": Limit(0, 1, low_open=True),
        "decay_every": AT_LEAST_ONE, "grad_clip": POSITIVE, "max_epochs": AT_LEAST_ONE, "save_every": AT_LEAST_ONE,
        "seed": SEED,
        "length": AT_LEAST_ONE, "bias": POSITIVE, "sample_seed": SEED, "reset_every": AT_LEAST_ZERO,
    }

    def problems(self):
        """Settings that depend on each other: ``(setting, what is accepted)``."""
        if self.fft_size % 4:
            yield "fft_size", f"{self.fft_size} is not accepted (accepted: a multiple of 4, the hop being fft_size/4)"
        if self.components > self.fft_size // 2 + 1:
            yield "components", (f"{self.components} is not accepted (accepted: 1 to fft_size/2 + 1 = "
                                 f"{self.fft_size // 2 + 1} bins, counting the DC bin)")


#: A few resets per second, as the blog says, at hop 128 and 44100 Hz: every 86 frames = 4 per second (our choice).
RESETS_PER_SECOND = 4
_SINE = {"corpus": "mdn_notes_synth/Sine.440.wav", "fft_size": 512, "components": 10, "rnn_size": 100, "num_layers": 1,
         "seq_length": 10, "mixtures": 1, "batch_size": 10}
_CLARINET = {"corpus": "mdn_notes/Clarinet.mf.A4.wav", "fft_size": 512, "components": 20, "rnn_size": 100,
             "num_layers": 2, "seq_length": 20, "mixtures": 3, "batch_size": 1}
_RESET_FRAMES = round(44100 / (RESETS_PER_SECOND * 128))

PRESETS: dict[str, dict] = {
    "defaults": {},  # train.lua's own defaults: N 512, 40 components, 1 × 100, S 30, 20 mixtures, B 1
    # The blog's sine: FFT 512, hop 128, 10 components, 1 × 100 LSTM, sequence 10, 1 mixture; B 10 as in the Readme.
    # The original's own file is ~/.cache/audio-repro/reference/mdn_vocoder/sine_440.wav; the corpus file is the same
    # tone.
    "sine": {**_SINE},
    # The blog's first sine run modelled absolute frames, not deltas (no commit has that mode).
    "sine-absolute": {**_SINE, "representation": "absolute"},
    # The blog's clarinet: 512, 20 components, 2 × 100, sequence 20, 3 mixtures; batch not stated (default 1).
    "clarinet": {**_CLARINET},
    # … with a reset frame a few times per second (blog; the period is ours) …
    "clarinet-resets": {**_CLARINET, "reset_every": _RESET_FRAMES},
    # … and with the variance reduced as well.
    "clarinet-resets-reduced": {**_CLARINET, "reset_every": _RESET_FRAMES, "bias": 1e-5},
    # The blog's piano: FFT 2048 (hop 512), 20 components (cutoff 409 Hz), 2 × 150, sequence 20, 5 mixtures.
    # The blog does not name the note: C4 keeps its fundamental inside the 409 Hz cutoff (an A4 would not).
    "piano": {"corpus": "mdn_notes/Piano.mf.C4.wav", "fft_size": 2048, "components": 20, "rnn_size": 150,
              "num_layers": 2, "seq_length": 20, "mixtures": 5, "batch_size": 1},
    # The main job of `make reproduce`: the sine experiment on the synthetic tone, 60 epochs, deltas, reduced variance.
    "quick": {**_SINE, "max_epochs": 60, "bias": 1e-5, "length": 1000},
    # Tests: seconds.
    "tiny": {**_SINE, "corpus": "mdn_notes_synth/Sine.440.wav", "rnn_size": 16, "max_epochs": 2, "length": 60,
             "save_every": 20},
}

#: What the blog says of each experiment's output (it gives no numbers); shown beside ours in the report.
def _blog(pitch, drift):
    return {"mdn_vocoder:pitch_error_cents": pitch, "mdn_vocoder:pitch_drift_cents": drift}


BLOG_RESULTS: dict[str, dict[str, str]] = {
    "sine-absolute": _blog("'a vague sense of pitch at least'", "'too much variance'; with 1e-5: 'much cleaner'"),
    "sine": _blog("'still sounds reasonably close to the original'",
                  "'a tendency for the centre frequency to drift slightly'"),
    "clarinet": _blog("(no statement)", "'the drift in the frequencies … is much more evident'"),
    "clarinet-resets": _blog("(no statement)", "resets: 'something more like this' (less drift)"),
    "clarinet-resets-reduced": _blog("(no statement)", "resets and reduced variance: 'much improved'"),
    "piano": _blog("'far removed from the original sound'", "(no statement)"),
}
