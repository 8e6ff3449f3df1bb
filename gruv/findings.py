"""Fiala's headline findings (blog "Deep Learning and Sound ~ 02", experiments E1–E5) and GRUV's, each with its
verdict rule (``shared.findings``).

Thresholds come from the blog's own numbers where it gives them (the MSE stops of E2 and E3), else from the
criteria's pass levels (``shared.criteria``: envelope r 0.8, +6 dB above 1 kHz, onset F 0.5, tail +3 dB, loop 0.99).
Every experiment is its preset in ``gruv/config.py`` run over training seeds 1–3 (``--set seed=k`` at preprocess);
the value of a criterion is the one of the run's generated output (``python -m shared.evaluate RUN``), scored only
over the frames the model made from its own output.  On 2 CPU cores the presets' 3 × LSTM(2048) do not fit: the
runs use every LSTM and the hidden Dense at 512 (``--set hidden_dims=512``; gruv/README.md, "Findings and their
rules").

``EXPERIMENTS`` says how each experiment's runs are made (``python -m shared.experiments gruv``): a preset trained
once per seed at width 512, then one fast-mode ``generate`` call per output, each named with ``--name`` (E1's
vowels model read at output index first and last; E4's raw amen model generated with and without de-normalising,
E5 being that second output, as its note says).  The variants (``runs_of``) train nothing: they measure another
output of the same seed's model.  The single-example corpora (one vowel recording, one amen break: one training step
per epoch) keep a resumable checkpoint every 100 epochs instead of every epoch, which changes no number.  The
``gruv`` preset names no corpus (GRUV ran on its user's own music), so the grid refuses its runs until a preset
names a real-music corpus; ``python -m shared.experiments gruv`` with no experiment named therefore stops there.
"""

from __future__ import annotations

from pathlib import Path

from shared.findings import Experiment, Finding, Rule, check

_SMALL = "2 CPU cores: --set hidden_dims=512 (the blog's 2048 does not fit)"

FINDINGS = check([
    Finding("E1-first-index-repeats",
            "Reading the network's first output instead of its last makes generation repeat one frame without any "
            "evolution.",
            "blog, experiment E1 (four sung vowels)", "gruv:loop", Rule("in", levels=("fail",)), "fiala-vowels",
            note="the preset reads output index 'first' (the blog's pitfall), on the synthetic vowels corpus; loop "
                 f"fails when the normalised autocorrelation at a lag of 1 s or more exceeds 0.99; {_SMALL}"),
    Finding("E1-last-index-evolves",
            "Reading the last output instead removes the repeated frame.",
            "blog, experiment E1 (the cause it names)", "gruv:loop", Rule("in", levels=("pass",)), "fiala-vowels-last",
            note="the fiala-vowels run generated with --output-index last: python -m gruv.generate --run RUN "
                 f"--output-index last; {_SMALL}"),
    Finding("E2-loss",
            "The 808 kicks, zero-padded to M frames, train until the MSE on z-scored data is below about 0.15.",
            "blog, experiment E2", "gruv:mse", Rule("<=", threshold=0.15, partly=0.225), "fiala-kicks",
            note="the run's last training MSE (predicting the mean gives 1); partly within 1.5× the blog's stop; "
                 f"{_SMALL}; at width 512 gruv/README.md saw a plateau at 0.26 after 60 epochs"),
    Finding("E2-kick-envelope",
            "The generated output has an envelope very much like a kick drum's.",
            "blog, experiment E2", "gruv:envelope_corr", Rule(">=", threshold=0.8, partly=0.5), "fiala-kicks",
            note=f"Pearson r of the RMS envelopes against the seed's own kick over the generated frames; {_SMALL}"),
    Finding("E2-hf-noise",
            "The generated kicks carry far more high-frequency noise than the originals.",
            "blog, experiment E2", "gruv:noise_db", Rule(">", threshold=6.0, partly=0.0), "fiala-kicks",
            note="energy share above 1 kHz minus the original's, in dB: above the criterion's +6 dB tolerance is 'too "
                 f"much', any excess is partly; {_SMALL}"),
    Finding("E2-rising-tail",
            "Generated past the padded length M, the output grows a slowly rising tail that settles or oscillates.",
            "blog, experiment E2", "gruv:tail_growth_db", Rule(">", threshold=3.0, partly=0.0), "fiala-kicks",
            note="RMS of the output's last 10 % minus the first 10 % past the trained length, dB (the preset "
                 f"generates 30 frames, 8 past M = 22); {_SMALL}"),
    Finding("E3-loss",
            "The FFT amen break trains all the way down to an MSE of about 0.05.",
            "blog, experiment E3", "gruv:mse", Rule("<=", threshold=0.075, partly=0.1), "fiala-amen-fft",
            note=f"the run's last training MSE; reproduced within 1.5× of 0.05, partly within 2×; {_SMALL}; "
                 "gruv/README.md reached 0.46 after 2000 epochs at width 512"),
    Finding("E3-looping",
            "After the seed hit the FFT amen model produces chaotic noise that keeps repeating itself.",
            "blog, experiment E3", "gruv:loop", Rule(">=", threshold=0.9, partly=0.5), "fiala-amen-fft",
            note="the loop criterion's value, the highest normalised autocorrelation at a lag of 1 s or more: ≥ 0.9 "
                 f"repeats, ≥ 0.5 is clearly periodic (partly); {_SMALL}"),
    Finding("E3-noise",
            "The FFT amen output is noise rather than the break's hits.",
            "blog, experiment E3", "gruv:noise_db", Rule(">", threshold=6.0, partly=0.0), "fiala-amen-fft",
            note=f"energy share above 1 kHz minus the original break's, dB, over the generated part; {_SMALL}"),
    Finding("E4-peaks-line-up",
            "Trained on the raw amen and de-normalised, the output is interrupted but its peaks line up with the "
            "break's hits.",
            "blog, experiment E4", "gruv:onset_f", Rule(">=", threshold=0.5, partly=0.3), "fiala-amen-raw",
            note=f"spectral-flux onsets matched within ±50 ms against the break, over the generated part; {_SMALL}"),
    Finding("E5-amen-break",
            "Without adding the mean and variance back, the raw model actually generates an amen break.",
            "blog, experiment E5", "gruv:onset_f", Rule(">=", threshold=0.5, partly=0.3), "fiala-amen-raw-nodenorm",
            note="the same training as fiala-amen-raw (same seed), generated with --no-denormalize; onset F against "
                 f"the break over the generated part; {_SMALL}"),
    Finding("E5-better-than-E4",
            "Leaving the output un-normalised gives a more amen-like result than de-normalising it.",
            "blog, experiments E4 and E5", "gruv:onset_f", Rule(">", baseline="fiala-amen-raw", factor=1.0),
            "fiala-amen-raw-nodenorm",
            note=f"onset F of the same seed's model generated both ways; {_SMALL}"),
    Finding("E5-returns",
            "The generated break dissolves into the tail and periodically comes back.",
            "blog, experiment E5", "gruv:loop", Rule(">=", threshold=0.5, partly=0.3), "fiala-amen-raw-nodenorm",
            note="the loop criterion's value (highest normalised autocorrelation at a lag of 1 s or more) as the "
                 f"measure of a pattern that returns; {_SMALL}"),
    Finding("GRUV-noisy",
            "Audio generated by the GRUV method itself is noisy.",
            "blog, introduction (on GRUV as shipped)", "gruv:noise_db", Rule(">", threshold=6.0, partly=0.0), "gruv",
            note="GRUV's own configuration (11025-sample blocks, LSTM 1024) on a real-music corpus: python -m "
                 "gruv.preprocess --preset gruv --input corpora/mma_grooves/blues --run RUN; the full size (53,574,178 "
                 "parameters) is GPU-sized: on 2 CPU cores run a stated smaller width and give the full-size command"),
], "gruv")

_WIDTH = "hidden_dims=512"  # _SMALL's width
_SPARSE_CHECKPOINTS = "checkpoint_every=100"  # one training step per epoch: checkpoint every 100th (no number changes)


def _outputs(*calls: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """One fast-mode generate call per ``(name, *arguments)``, its output named ``generated/<name>.wav``."""
    return tuple((*arguments, "--name", name) for name, *arguments in calls)


#: How each experiment's runs are made (``python -m shared.experiments gruv``).  Every trained experiment is its
#: preset at width 512; each generate call's output is named, and ``outputs`` picks the one a finding measures.
EXPERIMENTS = {
    "fiala-vowels": Experiment("fiala-vowels", overrides=(_WIDTH, _SPARSE_CHECKPOINTS),
                               generate=_outputs(("first_index", "--output-index", "first"),
                                                 ("last_index", "--output-index", "last")),
                               outputs="first_index", audio="last_index"),  # first_index is one frame repeated
    "fiala-vowels-last": Experiment(runs_of="fiala-vowels", outputs="last_index"),
    "fiala-kicks": Experiment("fiala-kicks", overrides=(_WIDTH,), generate=_outputs(("kick",)), outputs="kick"),
    "fiala-amen-fft": Experiment("fiala-amen-fft", overrides=(_WIDTH, _SPARSE_CHECKPOINTS),
                                 generate=_outputs(("amen_fft",)), outputs="amen_fft"),
    "fiala-amen-raw": Experiment("fiala-amen-raw", overrides=(_WIDTH, _SPARSE_CHECKPOINTS),
                                 generate=_outputs(("denorm", "--denormalize"), ("nodenorm", "--no-denormalize")),
                                 outputs="denorm"),
    "fiala-amen-raw-nodenorm": Experiment(runs_of="fiala-amen-raw", outputs="nodenorm"),
    # GRUV as shipped at width 512; its 49 frames are 12.25 s, of which the evidence keeps the first 10 s.
    # GRUV's preset names no corpus (the user's own music): one genre folder of the real-music corpus
    "gruv": Experiment("gruv", overrides=(_WIDTH,), generate=_outputs(("gruv",)), outputs="gruv",
                       corpus="mma_grooves/blues"),
}


def figures(out: Path, reference: Path | None) -> list[Path]:
    """The waveform and spectrogram of every committed output (``<experiment>_<output>.png`` in ``out``; the lowest
    committed seed of each experiment): Fiala's E1–E5 and GRUV's.  [] while none is committed; ``reference`` is not
    needed (the blog published no audio)."""
    from shared.figures import output_figures
    from shared.findings import results_dir

    return output_figures(results_dir("gruv"), out, "gruv")
