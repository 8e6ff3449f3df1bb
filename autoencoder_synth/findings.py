"""Sarroff & Casey's headline findings (ICMC|SMC 2014: Tables 1–3, Figure 2, the real-time interface), each with
its verdict rule (``shared.findings``).

Our corpus is not the paper's, so the errors are in other units (autoencoder_synth/README.md, "Results"): the
tables' findings are the trends T1–T6 (autoencoder_synth/README.md, "The paper's trends"), each a comparison between
two cells of the tables trained with the same seed, with the paper's own ratio beside the rule.  An experiment is a
cell, the model preset of ``python -m autoencoder_synth.train --run RUN --preset <cell>`` (``ae1-256``,
``ae1-512-noise0.1``, ``ae2-1500-8``, ``deep-256-8``: ``autoencoder_synth.sweep`` trains whole tables), on the
``paper`` data preset (``corpora/mma_grooves``, the paper's 50k/10k/10k frame split) under the pylearn2 stopping rule
(``stopping=pylearn2``, the default), with model seeds 1–3 (``--set seed=k``; the frame split is the same for all).
``run:valid`` is the cell's best validation error in its ``result.json`` (with the input noise for a denoising cell,
as pylearn2's monitor computed it), ``run:test`` its test error.  What the full protocol costs on 2 CPU cores is in
the top README, "Paper-scale times" (``benchmarks/autoencoder_synth_speed.py`` times each model).

``EXPERIMENTS``: three runs per seed train the cells (one grid stage per cell, in dependency order; each cell's
numbers land in the run's ``run_numbers.json``), at a cap of ``CAP_EPOCHS`` epochs, the pylearn2 rule otherwise:
``table1-clean`` the noise-free column of Table 1, ``table1-noisy`` the denoising cells the trends compare, and
``tables2-3`` the second autoencoders and the composed models with their first autoencoders, plus the resynthesis
through ``deep-256-8`` (Figure 2).  Every cell is a variant of its run, named as the cell.
"""

from __future__ import annotations

from pathlib import Path

from autoencoder_synth.config import TABLE_1
from shared.findings import Experiment, Finding, Rule, check

#: the epochs each cell may train in the committed runs (the full pylearn2 protocol is out of reach on 2 cores)
CAP_EPOCHS = 10
_SAME_SEED = f"run:valid of both cells, same model seed, at most {CAP_EPOCHS} epochs"

FINDINGS = check([
    Finding("T1-falls-to-256",
            "Without noise the shallow autoencoder's error falls as its hidden layer widens from 8 to 256 units.",
            "§3.3, Table 1 (noise-free column)", "run:valid", Rule("<", baseline="ae1-8", factor=0.75, partly=1.0),
            "ae1-256",
            note=f"{_SAME_SEED}; the paper: 0.0187 against 0.0440 (0.43×)"),
    Finding("T1-rises-at-512",
            "The noise-free error is lowest at 256 units and higher at 512.",
            "§3.3, Table 1", "run:valid", Rule(">", baseline="ae1-256", factor=1.0), "ae1-512",
            note=f"{_SAME_SEED}; the paper: 0.0198 against 0.0187 (1.06×)"),
    Finding("T1-rises-at-1024",
            "At 1024 units the noise-free error is clearly above the 256-unit minimum.",
            "§3.3, Table 1", "run:valid", Rule(">", baseline="ae1-256", factor=1.5, partly=1.0), "ae1-1024",
            note=f"{_SAME_SEED}; the paper: 0.0352 against 0.0187 (1.88×)"),
    Finding("T1-collapse-2048",
            "From 2048 units on the error jumps to several times that of the 1024-unit model.",
            "§3.3, Table 1", "run:valid", Rule(">", baseline="ae1-1024", factor=2.0, partly=1.0), "ae1-2048",
            note=f"{_SAME_SEED}; the paper: 0.0983 against 0.0352 (2.8×)"),
    Finding("T2-denoising-worsens-512",
            "Training the 512-unit autoencoder with input noise of std 0.1 worsens its validation error.",
            "§3.3, Table 1", "run:valid", Rule(">", baseline="ae1-512", factor=1.5, partly=1.0), "ae1-512-noise0.1",
            note=f"{_SAME_SEED}, the noisy cell's error with its input noise; the paper: 0.0664 against 0.0198 "
                 "(3.4×)"),
    Finding("T2-denoising-worsens-1024",
            "Training the 1024-unit autoencoder with input noise of std 0.1 worsens its validation error.",
            "§3.3, Table 1", "run:valid", Rule(">", baseline="ae1-1024", factor=1.5, partly=1.0), "ae1-1024-noise0.1",
            note=f"{_SAME_SEED}, the noisy cell's error with its input noise; the paper: 0.0711 against 0.0352 "
                 "(2.0×)"),
    Finding("T2-slight-noise-helps-1500",
            "For 1500 units only the smallest noise (std 0.01) lowers the error, slightly.",
            "§3.3, Table 1", "run:valid", Rule("<", baseline="ae1-1500", factor=1.0), "ae1-1500-noise0.01",
            note=f"{_SAME_SEED}; the paper: 0.0360 against 0.0371 (0.97×): a small change, so every seed must "
                 "show it"),
    Finding("T3-widest-stall",
            "The widest model (3500 units) gives the same error whatever the input noise.",
            "§3.3, Table 1 (identical cells; a stalled training is our reading)", "run:valid",
            Rule("<=", baseline="ae1-3500", factor=1.01, partly=1.05), "ae1-3500-noise0.05",
            note=f"{_SAME_SEED}: within 1 % (partly 5 %) of the noise-free cell; the paper: 0.0951 in every cell"),
    Finding("T4-ae2-grows-with-HL2",
            "On the 1500-unit codes the second autoencoder's error grows with its width from 8 to 32 units.",
            "§3.3, Table 2", "run:valid", Rule(">", baseline="ae2-1500-8", factor=1.0), "ae2-1500-32",
            note=f"{_SAME_SEED} (the error on the codes); the paper: 0.0521 against 0.0485 (1.07×)"),
    Finding("T4-ae2-flat-on-256",
            "On the 256-unit codes the second autoencoder's error is the same for 8, 16 and 32 units.",
            "§3.3, Table 2", "run:valid", Rule("<=", baseline="ae2-256-8", factor=1.01, partly=1.05), "ae2-256-32",
            note=f"{_SAME_SEED}: within 1 % (partly 5 %); the paper: 0.0184 for all three"),
    Finding("T4-ae2-noise-no-effect",
            "Input noise hardly changes the second autoencoder's error.",
            "§3.3, Table 2", "run:valid", Rule("<=", baseline="ae2-1500-8", factor=1.05, partly=1.15),
            "ae2-1500-8-noise0.25",
            note=f"{_SAME_SEED}: within 5 % (partly 15 %); the paper: 0.0482 against 0.0485"),
    Finding("T5-deep-worse-than-shallow",
            "The fine-tuned deep autoencoder with an 8-unit bottleneck reconstructs far worse than the best shallow "
            "one.",
            "§3.3, Table 3 against Table 1", "run:valid", Rule(">", baseline="ae1-256", factor=2.0, partly=1.0),
            "deep-256-8",
            note=f"{_SAME_SEED}; the paper: 0.0723 against 0.0187 (3.9×)"),
    Finding("T5-256-8-better",
            "The 256-8 deep autoencoder beats the 1500-8 one.",
            "§3.3, Table 3", "run:valid", Rule("<", baseline="deep-1500-8", factor=1.0), "deep-256-8",
            note=f"{_SAME_SEED}; the paper: 0.0723 against 0.0953 (0.76×)"),
    Finding("T5-test-above-valid",
            "The deep autoencoders' test error is about 1.4 times their validation error.",
            "§3.3, Table 3", "run:test_over_valid", Rule(">=", threshold=1.2, partly=1.05), "deep-256-8",
            note="result.json's test ÷ valid of the cell; the paper: 0.1006 / 0.0723 = 1.39 (a frame-level split "
                 "makes the two sets alike, autoencoder_synth/README.md)"),
    Finding("T6-fine-tuned-worse-than-stack",
            "The fine-tuned deep autoencoders perform worse than the stacked autoencoders of Table 2 they were built "
            "from.",
            "§3.3, Tables 2 and 3", "run:finetuned_over_stack", Rule(">", threshold=1.0), "deep-256-8",
            note="deep-256-8's valid ÷ ae2-256-8's valid_input_space (the stack before fine-tuning, scored on the "
                 "frames as Table 3 is), same model seed: the paper compared Table 2's error on the codes with Table "
                 "3's on the frames, two different spaces; this compares them in one"),
    Finding("figure2-loses-high-frequencies",
            "Resynthesised through a 256-8-256 autoencoder trained without noise, a song loses much of its detail "
            "above the first few frequency bins.",
            "§3.3, Figure 2", "gruv:noise_db", Rule("<", threshold=-3.0, partly=0.0), "resynthesis-deep-256-8",
            note="the energy share above 1 kHz of the resynthesis minus the song's, dB (a loss is negative): python -m "
                 "autoencoder_synth.generate --run RUN --model deep-256-8, scored against the song by python -m "
                 "shared.evaluate RUN; Figure 2 drawn beside it"),
    Finding("real-time",
            "The autoencoder synthesiser runs in real time.",
            "§1 and §4 (the real-time interface)", "run:late_blocks", Rule("<=", threshold=0.0), "instrument-ae1-256",
            note="late blocks in a 60-s simulated live run (the live loop at the real block rate, hop 1024 at "
                 "22,050 Hz, no audio device) of each seed's trained ae1-256: python -m autoencoder_synth.play --model "
                 "RUN/ae1-256 --no-input --simulate-live --seconds 60 --numbers (run_numbers.json also keeps the "
                 "99th-percentile block time)"),
], "autoencoder_synth")

_CLEAN = tuple(f"ae1-{hidden}" for hidden in TABLE_1)
_NOISY = ("ae1-512-noise0.1", "ae1-1024-noise0.1", "ae1-1500-noise0.01", "ae1-3500-noise0.05")
_STACKS = ("ae1-256", "ae1-1500", "ae2-256-8", "ae2-256-32", "ae2-1500-8", "ae2-1500-32", "ae2-1500-8-noise0.25",
           "deep-256-8", "deep-1500-8")  # each after the cells it is built from
#: the real-time check of each seed's ae1-256: a minute of the live loop at the real block rate, late blocks counted
_REAL_TIME = ("autoencoder_synth.play", "--model", "{run}/ae1-256", "--no-input", "--simulate-live", "--seconds", "60",
              "--numbers")
_RUNS = {
    "table1-clean": Experiment("paper", (f"max_epochs={CAP_EPOCHS}",), models=_CLEAN, audio="ae1-256_*",
                               stages=(_REAL_TIME,)),
    # the run's own model (generation and the instrument's render) is one of its cells
    "table1-noisy": Experiment("paper", (f"max_epochs={CAP_EPOCHS}", "model=ae1-1500-noise0.01"), models=_NOISY,
                               audio="none"),
    "tables2-3": Experiment("paper", (f"max_epochs={CAP_EPOCHS}",), models=_STACKS,
                            generate=(("--model", "deep-256-8"),), audio="deep-256-8_*"),
}
EXPERIMENTS = {
    **_RUNS,
    **{cell: Experiment(runs_of=run, model=cell) for run, experiment in _RUNS.items()
       for cell in experiment.models if cell not in ("ae1-256", "ae1-1500") or run == "table1-clean"},
    "resynthesis-deep-256-8": Experiment(runs_of="tables2-3", outputs="deep-256-8_*"),
    "instrument-ae1-256": Experiment(runs_of="table1-clean", model="ae1-256"),
}


def figures(out: Path, reference: Path | None) -> list[Path]:
    """The paper's Figure 2, ``figure2_deep-256-8.png`` in ``out``: the song and its resynthesis through the
    256-8-256 autoencoder trained without noise (experiment ``tables2-3``), from the committed
    ``deep-256-8_*.flac`` and the song its summary names when ``corpora/`` holds it
    (``shared.figures.autoencoder_figure_2``); [] until that output is committed.  ``reference`` is not needed."""
    from shared.figures import autoencoder_figure_2
    from shared.findings import results_dir

    return autoencoder_figure_2(results_dir("autoencoder_synth"), out, "tables2-3", "deep-256-8")
