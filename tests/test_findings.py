"""Each work's headline findings and their verdict rules (``<work>/findings.py``, ``shared.findings``).

Fast, no training: every work's FINDINGS import and hold together (unique ids, one-sentence claims, at least 3
seeds, metrics that name criteria ``shared.criteria`` computes, "in" rules whose levels the criterion can give,
baselines and experiments that exist), the tables they copy agree with the sources' tables, and
``shared.findings.verdict`` gives the hand-computed verdicts.
"""

import importlib
import re
import subprocess
import sys

import numpy as np
import pytest

from shared import criteria, findings
from shared.findings import Finding, Rule, check, measured, verdict
from shared.rundir import InputError

WORKS = findings.WORKS
RATE = 11025

#: The verdicts a criterion can give: decay's graded ones by their id, else by the kind of the one it gave.
GRADES = {("decay", "decreasing"): tuple(criteria.DECAY_DECREASING_PASS),
          ("decay", "low_noise"): tuple(criteria.DECAY_NOISE_PASS)}
KINDS = [("pass", "fail"), ("low", "medium", "high")]


def possible_verdicts(work, criterion_id, given) -> tuple:
    if (work, criterion_id) in GRADES:
        return GRADES[work, criterion_id]
    return next(kind for kind in KINDS if given in kind)


@pytest.fixture(scope="module")
def computed():
    """{work: {criterion id: row}} from every work's criteria on a short decaying tone against its original, with a
    context that lets every criterion with a verdict give one (a tail past the trained length, a teacher-forced
    window, a block, a seed, run numbers)."""
    t = np.arange(int(1.5 * RATE)) / RATE
    original = 0.5 * np.exp(-3 * t) * np.sin(2 * np.pi * 440 * t)
    output = 0.9 * original + 1e-3 * np.random.default_rng(0).standard_normal(len(t))
    context = {"run_numbers": {"final_loss": 0.1, "heldout_nll": -5.0}, "trained_seconds": 0.5,
               "teacher_forced_seconds": 0.2, "block": 256, "seed": original[:2048], "seed_rate": RATE}
    rows = criteria.all_criteria(output, RATE, original, RATE, context=context)
    return {work: {row["id"]: row for row in work_rows} for work, work_rows in rows.items()}


def all_findings():
    return [(work, finding) for work in WORKS for finding in findings.findings_of(work)]


def presets(work):
    return importlib.import_module(f"{work}.config").PRESETS


def is_preset(work, name) -> bool:
    if name in presets(work):
        return True
    if work == "autoencoder_synth":  # the tables' cells are model presets: `train --preset ae1-512-noise0.1`
        from autoencoder_synth.config import model_settings

        try:
            model_settings(name)
            return True
        except ValueError:
            return False
    return False


# ------------------------------------------------------------------------------------------ the works' findings


@pytest.mark.parametrize("work", WORKS)
def test_findings_import_and_hold_together(work):
    module = importlib.import_module(f"{work}.findings")
    listed = module.FINDINGS
    assert listed and all(isinstance(finding, Finding) for finding in listed)
    ids = [finding.id for finding in listed]
    assert len(ids) == len(set(ids)), f"{work}: duplicate ids"
    for finding in listed:
        assert finding.seeds >= findings.MIN_SEEDS
        assert finding.claim.endswith(".") and len(re.findall(r"[.!?](?:\s|$)", finding.claim)) == 1, \
            f"{work}/{finding.id}: the claim must be one sentence"
        assert finding.source and finding.experiment and finding.note, f"{work}/{finding.id}"


def test_every_metric_names_a_criterion_the_criteria_compute(computed):
    for work, finding in all_findings():
        where = finding.criterion
        if where is None:
            assert finding.metric.startswith("run:") and len(finding.metric) > 4
            continue
        criterion_work, criterion_id, number = where
        rows = computed[criterion_work]
        assert criterion_id in rows, f"{work}/{finding.id}: {finding.metric} names no criterion of {criterion_work}"
        if number is not None:
            assert number in rows[criterion_id]["numbers"], f"{work}/{finding.id}: {finding.metric} names no number"
            assert finding.rule.op != "in", f"{work}/{finding.id}: a number is compared, not a verdict"


def test_every_in_rule_names_verdicts_its_criterion_gives(computed):
    for work, finding in all_findings():
        if finding.rule.op != "in":
            continue
        criterion_work, criterion_id, _ = finding.criterion
        given = computed[criterion_work][criterion_id]["verdict"]
        assert given is not None, f"{work}/{finding.id}: {finding.metric} gives no verdict"
        possible = possible_verdicts(criterion_work, criterion_id, given)
        assert given in possible and set(finding.rule.levels) <= set(possible), \
            f"{work}/{finding.id}: {finding.rule.levels} not in {possible}"


def test_measured_reads_each_finding_from_an_outputs_criteria(computed):
    as_stored = {work: list(rows.values()) for work, rows in computed.items()}
    for work, finding in all_findings():
        value = measured(finding, as_stored)
        if finding.criterion is None:
            assert value is None
        elif finding.rule.op == "in":
            assert isinstance(value, str)
        else:
            assert value is None or isinstance(value, (int, float, bool)), f"{work}/{finding.id}: {value!r}"


@pytest.mark.parametrize("work", WORKS)
def test_baselines_and_experiments_exist(work):
    listed = findings.findings_of(work)
    measured_here = {finding.experiment for finding in listed}
    for finding in listed:
        baseline = finding.rule.baseline
        if baseline is not None:
            assert baseline in measured_here or is_preset(work, baseline), f"{work}/{finding.id}: baseline {baseline}"
        if not is_preset(work, finding.experiment):  # a new experiment is declared, or says how it is made
            assert finding.experiment in findings.experiments_of(work) or "--" in finding.note, \
                f"{work}/{finding.id}: {finding.experiment} is no preset, not declared and has no command"


def test_dreaming_table_1_is_the_papers():
    from dreaming.findings import TABLE_1
    from shared.sources import TABLE_1 as SOURCES_TABLE_1

    assert {example: tuple(row[1:]) for example, row in TABLE_1.items()} == \
        {example: tuple(row[2:]) for example, row in SOURCES_TABLE_1.items()}
    rated = {finding.id: finding.rule.levels for finding in findings.findings_of("dreaming")
             if finding.id.startswith("T1-")}
    assert len(rated) == 33
    assert rated["T1-ex9-C3"] == ("low",) and rated["T1-ex4-C2"] == ("medium",) and rated["T1-ex5-C1"] == ("high",)


def test_decay_levels_agree_with_the_readings_of_the_published_runs():
    """Each run's pitch, decay and noise findings hold what the readings of the authors' continuation say, but for
    run 4's noise, where the paper's claim (little added noise) stands against the readings, as its note says."""
    from decay.findings import KEPT, LOST, NOISY
    from shared.sources import DECAY_READINGS

    listed = {finding.id: finding for finding in findings.findings_of("decay")}
    for (run, note), (pitch, decay, noise_low) in DECAY_READINGS.items():
        for requirement, reading in (("pitch", pitch), ("decay", decay), ("noise", noise_low)):
            # the run's finding on both notes, or the one on this note (run 1's pitch, run 3's decay)
            matching = [finding for name, finding in listed.items()
                        if name == f"run{run}-{requirement}"
                        or name.startswith(f"run{run}-{requirement}-") and note in finding.note]
            assert len(matching) == 1, f"run {run} {note}: {len(matching)} {requirement} findings"
            levels = matching[0].rule.levels
            if requirement == "pitch":
                assert levels == (KEPT if reading else LOST), (run, note)
            elif requirement == "decay":
                assert reading in levels, (run, note, levels)
            elif run != 4:
                assert (levels == NOISY) == (not reading), (run, note, levels)
    assert listed["run4-noise"].rule.levels != NOISY and "noisier" in listed["run4-noise"].note


# ------------------------------------------------------------------------------------------ the verdict rule


def finding(rule, seeds=3, experiment="e"):
    return Finding("x", "A claim.", "somewhere", "gruv:mse", rule, experiment, seeds=seeds)


def test_verdict_threshold_all_some_none_and_not_run():
    at_most = finding(Rule("<=", threshold=0.15))
    assert verdict(at_most, [0.1, 0.12, 0.15]) == "reproduced"  # the threshold itself meets "<="
    assert verdict(at_most, [0.1, 0.2, 0.3]) == "partly"
    assert verdict(at_most, [0.2, 0.3, 0.16]) == "not reproduced"
    assert verdict(at_most, []) == "not run"
    assert verdict(at_most, [0.1, None, 0.1]) == "partly"  # an unmeasured seed meets nothing
    assert verdict(finding(Rule("<", threshold=0.15)), [0.15, 0.15, 0.15]) == "not reproduced"


def test_verdict_partly_band():
    banded = finding(Rule("<=", threshold=0.075, partly=0.1))
    assert verdict(banded, [0.08, 0.09, 0.1]) == "partly"  # none meets 0.075, all meet 0.1
    assert verdict(banded, [0.08, 0.09, 0.11]) == "not reproduced"
    assert verdict(banded, [0.05, 0.06, 0.07]) == "reproduced"
    above = finding(Rule(">", threshold=6.0, partly=0.0))
    assert verdict(above, [1.0, 2.0, 5.0]) == "partly" and verdict(above, [1.0, -2.0, 5.0]) == "not reproduced"


def test_verdict_levels():
    none = finding(Rule("in", levels=("none",)))
    assert verdict(none, ["none"] * 3) == "reproduced"
    assert verdict(none, ["none", "weaker", "none"]) == "partly"
    assert verdict(none, ["weaker", "faster", None]) == "not reproduced"


def test_verdict_baseline_pairs_by_seed():
    halved = finding(Rule("<", baseline="b", factor=0.5))
    assert verdict(halved, [1.0, 4.0, 1.0], [3.0, 10.0, 3.0]) == "reproduced"  # 1 < 1.5, 4 < 5, 1 < 1.5
    assert verdict(halved, [1.0, 4.0, 1.0], [10.0, 3.0, 3.0]) == "partly"  # seed 2 against its own baseline: 4 ≥ 1.5
    assert verdict(halved, [2.0, 2.0, 2.0], [3.0, 3.0, 3.0]) == "not reproduced"
    assert verdict(halved, [1.0, 1.0, 1.0], [3.0, None, 3.0]) == "partly"  # no baseline value: not met
    with pytest.raises(ValueError, match="one baseline value per seed"):
        verdict(halved, [1.0, 1.0, 1.0], [3.0, 3.0])
    with pytest.raises(ValueError, match="one baseline value per seed"):
        verdict(halved, [1.0, 1.0, 1.0])
    loose = finding(Rule("<", baseline="b", factor=0.5, partly=1.0))  # partly: a looser factor
    assert verdict(loose, [2.0, 2.5, 2.9], [3.0, 3.0, 3.0]) == "partly"
    assert verdict(loose, [2.0, 2.5, 3.0], [3.0, 3.0, 3.0]) == "not reproduced"


def test_findings_and_rules_refuse_what_cannot_be_judged():
    with pytest.raises(ValueError, match="at least 3 seeds"):
        finding(Rule("<", threshold=1.0), seeds=2)
    with pytest.raises(ValueError, match="another experiment"):
        finding(Rule("<", baseline="e"), experiment="e")
    with pytest.raises(ValueError, match="unknown comparison"):
        Rule("~", threshold=1.0)
    with pytest.raises(ValueError, match="needs levels"):
        Rule("in")
    with pytest.raises(ValueError, match="exactly one"):
        Rule("<", threshold=1.0, baseline="b")
    with pytest.raises(ValueError, match="exactly one"):
        Rule("<")
    with pytest.raises(ValueError, match="neither"):
        Rule("in", levels=("pass",), partly=1.0)


def test_check_refuses_duplicates_and_badly_named_metrics():
    one = finding(Rule("<", threshold=1.0))
    with pytest.raises(ValueError, match="duplicate"):
        check([one, one], "gruv")
    for metric in ("mse", "criteria:mse", "gruv:", "gruv:.M1", "run:"):
        with pytest.raises(ValueError, match="must be"):
            check([Finding("x", "A claim.", "s", metric, Rule("<", threshold=1.0), "e")], "gruv")
    assert check([one], "gruv") == [one]


def test_measured_takes_the_verdict_the_value_or_a_number():
    rows = {"dreaming": [{"id": "C3", "value": "high", "verdict": "high", "numbers": {"M12": 0.5}}],
            "decay": [{"id": "decreasing", "value": -12.0, "verdict": "weaker", "numbers": {}}]}
    grade = Finding("x", "A claim.", "s", "decay:decreasing", Rule("in", levels=("weaker",)), "e")
    slope = Finding("x", "A claim.", "s", "decay:decreasing", Rule("<", threshold=-6.0), "e")
    number = Finding("x", "A claim.", "s", "dreaming:C3.M12", Rule(">=", threshold=0.5), "e")
    missing = Finding("x", "A claim.", "s", "gruv:mse", Rule("<", threshold=1.0), "e")
    run = Finding("x", "A claim.", "s", "run:final_loss", Rule("<", threshold=1.0), "e")
    assert [measured(item, rows) for item in (grade, slope, number, missing, run)] == ["weaker", -12.0, 0.5, None, None]


def test_the_findings_table_command(capsys):
    findings.main(["decay", "--rules"])
    printed = capsys.readouterr().out
    assert (printed.startswith("### decay") and "| run4-decay |" in printed
            and "verdict in {like the original, weaker}" in printed)
    with pytest.raises(InputError, match="accepted"):
        findings.main(["nope"])
    completed = subprocess.run([sys.executable, "-m", "shared.findings", "nope"], capture_output=True, text=True)
    assert completed.returncode == 2 and completed.stdout == ""
    assert completed.stderr.count("\n") == 1 and "nope" in completed.stderr and "Traceback" not in completed.stderr
