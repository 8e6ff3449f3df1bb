"""Pfalz, Berdahl & Allison's headline findings (Table 1 and §4), each with its verdict rule (``shared.findings``).

Table 1 gives 33 ratings (Audio Examples 1–11 × C1–C3); each is a finding whose rule is the paper's rating, judged
by ``shared.criteria``'s C1–C3.  Every dream of a run is rated (``python -m dreaming.analyse``): a training seed's
value is the rating most of its dreams get (a tie between two ratings counts as no rating, which meets no rule),
with the distribution and the share of dreams rated as the paper rated them reported beside it.  The §4 findings
use numbers inside the criteria (``"dreaming:C1.M3"``: one of the criterion's numbers), with thresholds from the
criteria's own levels or from the paper's own Audio Examples scored the same way (``shared/results/calibration.json``),
or comparisons between examples trained with the same seed; a seed's value is then the median over its dreams.

Runs: the example presets of ``dreaming/config.py``, trained on ``limited_guitar.wav`` (an excerpt of the paper's
``input.mp3``) with seeds 1–3 (``--set seed=k`` at preprocess); C2 and C3 are measured against ``input.mp3``, the
reference the criteria were calibrated on, and Ex 10's M8 against the training audio (its M8 against the seed is
``M8_seed``).  On 2 CPU cores the vector examples train for a small fraction of the paper's 20 epochs
(``--set max_iterations=M``, dreaming/README.md, 'Run sizes on 2 CPU cores': 0.07 % for Ex 1, 0.63 % for Ex 4).

``EXPERIMENTS`` says how ``python -m shared.experiments dreaming`` makes these runs: one experiment per Audio
Example, its preset trained once per seed on ``limited_guitar.wav`` of the reference data (``reference``; ``python -m
shared.reference fetch dreaming``) by ``dreaming.train``'s faithful loop, which dreams while it trains.  Ex 1–4
stop at dreaming/README.md's iteration counts (3,000, 5,000, 10,000, 40,000); Ex 5–9 train the paper's 20 epochs;
Ex 10 and 11 run at L 128 (paper: 1024) for one dream each (55,125 and 330,750 iterations), as that table.  Each
measures its training dreams (``example<N>_*``, named ``<preset>_<next seed mode>_<iteration>``), not the default
post-training dream (``dream_training-start_*``); the audio of its last training dream is committed.  Two things
differ from the above so far: the grid scores every dream against its training audio (``limited_guitar.wav``), not
the whole ``input.mp3``, and ``shared.findings`` lets a tie between ratings meet a rule when every tied rating
does.
``example10-chosen-seed`` reads the outputs that ``dreaming.generate --seed-pitches A3,E4 --name chosen`` writes into
the example10 runs (``chosen_pitches_A3-E4_<steps>_fast``): a dream from a seed of two chosen pitches plucked
together, scored against that seed.
"""

from __future__ import annotations

from pathlib import Path

from shared.findings import Experiment, Finding, Rule, check

#: Table 1 (paper §4): example → (approach and size, C1, C2, C3); tests/test_findings.py checks it against
#: shared.sources.TABLE_1.
TABLE_1 = {
    1: ("vector approach, L 1024", "medium", "high", "high"),
    2: ("vector approach, L 512", "medium", "high", "high"),
    3: ("vector approach, L 256", "medium", "high", "high"),
    4: ("vector approach, L 128", "medium", "medium", "high"),
    5: ("magnitude approach, hop 1024", "high", "medium", "high"),
    6: ("magnitude approach, hop 512", "high", "medium", "high"),
    7: ("magnitude approach, hop 256", "high", "high", "high"),
    8: ("magnitude approach, hop 128", "high", "high", "medium"),
    9: ("magnitude approach, hop 56", "medium", "high", "low"),
    10: ("transpose approach", "medium", "high", "high"),
    11: ("column approach", "medium", "high", "high"),
}
CRITERIA = {"C1": "freedom from artefacts", "C2": "resemblance to the input", "C3": "not merely copying the input"}
_RATING = ("a training seed's value is the rating most of its dreams get (a tie counts as none); C2 and C3 against "
           "input.mp3")
_MEDIAN = "a training seed's value is the median over its dreams"


def _table_1() -> list[Finding]:
    findings = []
    for example, (setting, *ratings) in TABLE_1.items():
        for (criterion, meaning), rating in zip(CRITERIA.items(), ratings):
            findings.append(Finding(
                f"T1-ex{example}-{criterion}",
                f"Audio Example {example} ({setting}) rates {rating} on {criterion}, {meaning}.",
                f"Table 1, Audio Example {example}", f"dreaming:{criterion}", Rule("in", levels=(rating,)),
                f"example{example}",
                note=_RATING + ("; Ex 10's M8 against the training audio" if example == 10 else "")))
    return findings


FINDINGS = check(_table_1() + [
    Finding("vector-clearer-pitch",
            "Shortening the predicted vectors from 1024 to 128 samples brings out clearer pitch events.",
            "§4.1, Audio Examples 1–4", "dreaming:C1.M2", Rule("<", baseline="example1", factor=0.5, partly=1.0),
            "example4",
            note=f"spectral flatness M2 (lower = more tonal) of Ex 4 against Ex 1 of the same seed; the paper's own "
                 f"files give 0.0027 against 0.0094 (0.29×); {_MEDIAN}"),
    Finding("vector-edges-1024",
            "The vector approach's outputs carry windowing artefacts tied to the vector length (here 1024).",
            "§3.4 and §4.1, Audio Example 1", "dreaming:C1.M3", Rule(">", threshold=1.1, partly=1.05), "example1",
            note=f"M3, the mean |Δx| at multiples of L over the mean |Δx| (1 = none; C1's high level needs < 1.1; the "
                 f"paper's file: 1.92); {_MEDIAN}"),
    Finding("vector-edges-128",
            "The windowing artefacts stay at the vector length when it is short (128).",
            "§3.4 and §4.1, Audio Example 4", "dreaming:C1.M3", Rule(">", threshold=1.1, partly=1.05), "example4",
            note=f"M3 at L = 128 (the paper's file: 1.18); {_MEDIAN}"),
    Finding("magnitude-fewer-artefacts",
            "The magnitude-spectrum approach produces fewer artefacts than the vector approach.",
            "§3.4 and §4.2", "dreaming:C1.M1", Rule("<", baseline="example1", factor=1.0), "example5",
            note=f"M1, the high-frequency noise floor in dB (lower = cleaner), of Ex 5 (hop 1024) against Ex 1 "
                 f"(L 1024) of the same seed; the paper's files: −122.1 against −68.6 dB; {_MEDIAN}"),
    Finding("transpose-sustains-seed",
            "The transpose approach sustains all of the seed's pitches.",
            "§3.4 and §4.3, Audio Example 10", "dreaming:C2.M8_seed", Rule(">=", threshold=0.8, partly=0.6),
            "example10",
            note=f"chroma cosine between the dream and its seed (C2's high level for M8 is 0.8); {_MEDIAN}"),
    Finding("transpose-chosen-pitches",
            "A seed built from chosen pitches makes the transpose approach sound those pitches.",
            "§4.3 and §5.1", "dreaming:C2.M8_seed", Rule(">=", threshold=0.8, partly=0.6), "example10-chosen-seed",
            note="the example10 runs dreaming from a seed that holds only chosen pitches, A3 and E4 plucked together: "
                 "python -m dreaming.generate --run RUN --seed-pitches A3,E4 --name chosen; chroma cosine with that "
                 f"seed; {_MEDIAN}"),
    Finding("column-novel-sequences",
            "The column approach predicts sequences of notes that do not occur in the input.",
            "§4.4, Audio Example 11", "dreaming:C3.M12", Rule(">=", threshold=0.5, partly=0.25), "example11",
            note="M12, the share of the dream's pitch-class trigrams absent from input.mp3's (the paper's own Ex 11 "
                 f"file: 0.5); {_MEDIAN}; at 2 CPU cores with L 128 as dreaming/README.md (paper: 1024)"),
], "dreaming")

#: The paper-era input every example trains on: a file of the reference data (the first 30 s of input.mp3).
TRAINING_INPUT = "limited_guitar.wav"
#: The settings that fit each example to 2 CPU cores (dreaming/README.md, 'Run sizes'): the vector examples stop
#: early, the transpose and column examples run at L 128 for one dream each.  The others train the preset as it is.
SCALED = {
    1: ("max_iterations=3000",),
    2: ("max_iterations=5000",),
    3: ("max_iterations=10000",),
    4: ("max_iterations=40000",),
    10: ("seg_len=128", "max_iterations=55125"),
    11: ("seg_len=128", "max_iterations=330750"),
}
#: The iteration of each example's last training dream (dreams every dream_length iterations; Ex 5–9's 20 epochs
#: counted on limited_guitar.wav's 331,977 samples): the one dream per run whose audio is committed.
LAST_DREAM = {1: 3000, 2: 5000, 3: 10000, 4: 40000, 5: 4000, 6: 10000, 7: 23000, 8: 49000, 9: 116000, 10: 55125,
              11: 330750}

#: The seed of chosen pitches example10 dreams from (paper §5.1), besides its training dreams
CHOSEN_PITCHES = ("A3", "E4")

#: How each experiment's runs are made (``python -m shared.experiments dreaming``): every Audio Example trained once
#: per seed and measured on all its training dreams; the chosen-seed dreams are a generation variant of example10.
EXPERIMENTS = {
    **{f"example{example}": Experiment(f"example{example}", overrides=SCALED.get(example, ()),
                                       outputs=f"example{example}_*", audio=f"example{example}_*_{last}",
                                       reference=TRAINING_INPUT)
       for example, last in LAST_DREAM.items() if example != 10},
    "example10": Experiment("example10", overrides=SCALED.get(10, ()), outputs="example10_*",
                            audio=f"example10_*_{LAST_DREAM[10]}", reference=TRAINING_INPUT,
                            generate=(("--seed-pitches", ",".join(CHOSEN_PITCHES), "--name", "chosen"),)),
    "example10-chosen-seed": Experiment(runs_of="example10", outputs="chosen_*"),
}


def source_output(experiment: str, folder: Path) -> Path | None:
    """The paper's own Audio Example k for the experiment ``example<k>`` or a variant of it (``example10-chosen-seed``
    is still Ex 10's): Table 1's file under ``paper_examples/`` of the reference folder ``folder``; None when there
    is none or it is not there."""
    import re

    from shared.sources import TABLE_1 as PUBLISHED

    match = re.fullmatch(r"example(\d+)(-.+)?", experiment)
    if match is None or int(match.group(1)) not in PUBLISHED:
        return None
    path = folder / "paper_examples" / PUBLISHED[int(match.group(1))][0]
    return path if path.is_file() else None


def figures(out: Path, reference: Path | None) -> list[Path]:
    """Table 1 as a figure, ``table1_ratings.png`` in ``out``: the paper's ratings (:data:`TABLE_1`) beside ours, the
    rating most training seeds get in ``results/findings.json`` (``shared.figures.dreaming_table_1``).  The paper's
    side is Table 1 itself, so ``reference`` is not needed."""
    import json

    from shared.figures import dreaming_table_1
    from shared.findings import results_dir

    path = results_dir("dreaming") / "findings.json"
    entries = json.loads(path.read_text()) if path.is_file() else []
    return dreaming_table_1(out, TABLE_1, entries)
