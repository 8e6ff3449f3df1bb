"""Committed evidence (shared.evidence) and the findings judged from it (shared.findings: findings.json, the READMEs'
findings tables, the scorecard).

The scoring is checked on hand-made metrics.json files whose medians, majorities and verdicts are worked out here;
the repository's own committed tables are checked to be what its committed evidence gives.
"""

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile

from conftest import REPO_ROOT
from shared import evidence, findings
from shared.findings import Experiment, Finding, Rule


def test_portable_paths_keep_nothing_of_this_machine():
    roots = {"/home/u/clone": ".", "/home/u/clone/corpora": "corpora", "/scratch/run7": "RUN"}
    value = {"input": "/home/u/clone/corpora/sine/sine.wav", "run": "/scratch/run7", "model": "/scratch/run7/m.keras",
             "other": "/mnt/data/audio/take.wav", "relative": "corpora/x.wav", "number": 3,
             "command": "python -m gruv.train --run /scratch/run7 --input /home/u/clone/x.wav",
             "list": ["/home/u/clone", "plain words here"]}
    assert evidence.portable(value, roots) == {
        "input": "corpora/sine/sine.wav", "run": "RUN", "model": "RUN/m.keras", "other": "<outside>/audio/take.wav",
        "relative": "corpora/x.wav", "number": 3, "command": "python -m gruv.train --run RUN --input x.wav",
        "list": [".", "plain words here"]}


def fake_run(folder, seconds=12.5, rate=16000, status="done"):
    """A finished grid run as shared.grid leaves it, with absolute paths of a pretend machine."""
    (folder / "generated").mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name in ("out_seed1", "out_seed2"):
        soundfile.write(folder / "generated" / f"{name}.wav", rng.integers(-20000, 20000, int(seconds * rate),
                                                                           dtype=np.int16), rate, subtype="PCM_16")
        (folder / "generated" / f"{name}.json").write_text(json.dumps(
            {"evaluation": {"reference": f"{REPO_ROOT}/corpora/sine/sine.wav"}}))
    (folder / "config.json").write_text(json.dumps({"inputs": [{"file": f"{REPO_ROOT}/corpora/sine/sine.wav"}]}))
    (folder / "loss.csv").write_text("epoch,loss\n1,0.5\n")
    (folder / "metrics.json").write_text(json.dumps({"run": str(folder), "outputs": []}))
    (folder / "grid.json").write_text(json.dumps({
        "status": status, "job": {"work": "gruv", "preset": "tiny", "seed": 1}, "wall_seconds": 3.0,
        "stages": {name: {"command": f"python -m {module} --run {folder}", "seconds": 1.0, "node": "n"}
                   for name, module in (("evaluate", "shared.evaluate"), ("generate-fast", "gruv.generate"),
                                        ("preprocess", "gruv.preprocess"), ("train", "gruv.train"))}}))
    return folder


def test_collect_keeps_ten_seconds_of_the_chosen_outputs_losslessly_and_no_machine_path(tmp_path):
    run = fake_run(tmp_path / "run")
    dest = evidence.collect(run, tmp_path / "results" / "tiny" / "seed1", audio="*_seed1")
    assert sorted(path.name for path in (dest / "generated").iterdir()) == ["out_seed1.flac", "out_seed1.json",
                                                                            "out_seed2.json"]
    kept, rate = soundfile.read(dest / "generated" / "out_seed1.flac", dtype="int16")
    original, _ = soundfile.read(run / "generated" / "out_seed1.wav", dtype="int16")
    assert rate == 16000 and soundfile.info(dest / "generated" / "out_seed1.flac").subtype == "PCM_16"
    np.testing.assert_array_equal(kept, original[:10 * 16000])  # 16-bit FLAC is lossless; cut at 10 s
    for name in ("config.json", "metrics.json", "run.json", "loss.csv", "generated/out_seed2.json"):
        text = (dest / name).read_text()
        assert str(REPO_ROOT) not in text and str(tmp_path) not in text, name
    assert json.loads((dest / "config.json").read_text())["inputs"][0]["file"] == "corpora/sine/sine.wav"
    record = json.loads((dest / "run.json").read_text())
    assert record["commands"] == [f"python -m {module} --run RUN" for module in  # in the order they ran
                                  ("gruv.preprocess", "gruv.train", "gruv.generate", "shared.evaluate")]
    assert record["machine"]["cores"] >= 1
    assert not list(dest.parent.glob(".*partial"))
    with pytest.raises(ValueError, match="not a finished grid run"):
        evidence.collect(fake_run(tmp_path / "unfinished", status="running"), tmp_path / "results" / "x" / "seed1")
    assert not (tmp_path / "results" / "x").exists()


def metrics(outputs: dict, run_numbers=None) -> dict:
    """metrics.json with one gruv criterion per output: ``{name: (value, verdict)}``."""
    return {"run_numbers": run_numbers or {}, "outputs": [
        {"name": name, "criteria": {"gruv": [{"id": "loop", "value": value, "verdict": level, "numbers": {}}]}}
        for name, (value, level) in outputs.items()]}


@pytest.fixture
def fake_work(tmp_path, monkeypatch):
    """A pretend work's results/ in tmp_path, with two experiments and three findings."""
    experiments = {"base": Experiment("tiny", outputs="a_*"), "other": Experiment("tiny", outputs="a_*"),
                   "variant": Experiment(runs_of="base", outputs="b_*")}
    listed = [Finding("median", "c", "s", "gruv:loop", Rule("<=", threshold=0.5), "base"),
              Finding("majority", "c", "s", "gruv:loop", Rule("in", levels=("pass",)), "base"),
              Finding("paired", "c", "s", "gruv:loop", Rule("<", baseline="base", factor=0.5, partly=1.0), "variant"),
              Finding("run-number", "c", "s", "run:final_loss", Rule("<", threshold=1.0), "base"),
              Finding("missing", "c", "s", "gruv:loop", Rule("<", threshold=1.0), "other")]
    monkeypatch.setattr(findings, "experiments_of", lambda work: experiments)
    monkeypatch.setattr(findings, "findings_of", lambda work: listed)
    monkeypatch.setattr(findings, "results_dir", lambda work: tmp_path)
    # per seed: the a_* outputs' values, their verdicts, the b_* outputs' values
    seeds = {1: ([0.2, 0.9, 0.4], ["pass", "fail", "pass"], [0.1, 0.1]),
             2: ([0.6, 0.7, 0.1], ["fail", "fail", "pass"], [0.5, 0.3]),
             3: ([0.3, 0.3, 0.3], ["pass", "pass", "pass"], [0.1, 0.2])}
    for seed, (a, levels, b) in seeds.items():
        folder = tmp_path / "base" / f"seed{seed}"
        folder.mkdir(parents=True)
        outputs = {f"a_{i}": (value, level) for i, (value, level) in enumerate(zip(a, levels))}
        outputs.update({f"b_{i}": (value, "pass") for i, value in enumerate(b)})
        (folder / "metrics.json").write_text(json.dumps(metrics(outputs, {"final_loss": 0.5 * seed})))
    (tmp_path / "other" / "seed1").mkdir(parents=True)
    (tmp_path / "other" / "seed1" / "metrics.json").write_text(json.dumps(metrics({"a_0": (0.1, "pass")})))
    (tmp_path / "other" / "seed1" / "run.json").write_text(json.dumps({"wall_seconds": 5400}))
    return tmp_path


def test_findings_are_judged_per_training_seed_from_the_committed_metrics(fake_work):
    scored = {entry["id"]: entry for entry in findings.score("pretend")}
    median = scored["median"]["measured"]  # medians of the a_* outputs: 0.4, 0.6, 0.3
    assert median["seeds"] == [1, 2, 3] and median["values"] == [0.4, 0.6, 0.3]
    assert median["mean"] == pytest.approx(1.3 / 3) and (median["min"], median["max"]) == (0.3, 0.6)
    assert scored["median"]["verdict"] == "partly"  # seeds 1 and 3 meet <= 0.5, seed 2 does not
    assert scored["majority"]["measured"]["values"] == ["pass", "fail", "pass"]
    assert scored["majority"]["verdict"] == "partly"
    # the variant: medians of b_* (0.1, 0.4, 0.15) against half the same seed's base (0.2, 0.3, 0.15)
    paired = scored["paired"]
    assert paired["measured"]["values"] == [0.1, pytest.approx(0.4), pytest.approx(0.15)]
    assert paired["measured"]["baseline"] == {"experiment": "base", "values": [0.4, 0.6, 0.3]}
    assert paired["verdict"] == "partly"  # seed 1 meets 0.1 < 0.2; the others are only below 1× the baseline
    assert scored["run-number"]["measured"]["values"] == [0.5, 1.0, 1.5]
    assert scored["run-number"]["verdict"] == "partly"
    assert paired["evidence"] == ["base/seed1/metrics.json", "base/seed2/metrics.json", "base/seed3/metrics.json"]
    missing = scored["missing"]
    assert missing["verdict"] == "not run" and missing["evidence"] == []
    assert "1 of 3 seeds" in missing["why"] and "python -m shared.experiments pretend other --seeds 1 2 3" in \
        missing["why"]
    assert "other's committed seeds took 1.5 h each" in missing["why"]  # its seed's run.json: 5400 s


def test_the_readme_table_is_replaced_between_its_markers_only(fake_work):
    entries = findings.score("pretend")
    table = findings.results_table("pretend", entries)
    assert "| `median` | c | `gruv:loop` 0.433 [0.3, 0.6] (n = 3) | **partly** |" in table
    assert "Verdicts: 0 reproduced, 4 partly, 0 not reproduced, 1 not run." in table
    text = findings.readme_with_table("# Work\n\nIntro.\n", table)
    assert text.startswith("# Work\n\nIntro.\n\n## Findings") and table in text
    again = findings.readme_with_table(text.replace("Intro.", "Intro, edited.") + "\n## After\n", "new table\n")
    assert "Intro, edited." in again and again.endswith("## After\n") and table not in again
    assert again.count(findings.README_START) == 1


def test_the_committed_findings_tables_are_what_the_committed_evidence_gives():
    """python -m shared.findings --check: every findings.json, README findings table and the scorecard equal what
    the files under <work>/results/ give; a hand-edited number fails here."""
    completed = subprocess.run([sys.executable, "-m", "shared.findings", "--check"], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]


def test_results_stay_within_the_repository_budgets():
    audio = sum(evidence.audio_bytes(REPO_ROOT / work / "results") for work in findings.WORKS)
    assert audio <= evidence.MAX_AUDIO_BYTES
    for work in findings.WORKS:  # the pretrained models have their own budget, 25 MB together (test_pretrained)
        for path in (REPO_ROOT / work / "results").rglob("*"):
            if "pretrained" not in path.relative_to(REPO_ROOT / work / "results").parts:
                assert not path.is_file() or path.stat().st_size < evidence.MAX_FILE_BYTES, path


#: The experiments not declared yet, per work (their findings say so in findings.json: "not run")
UNDECLARED: dict[str, set] = {}


@pytest.mark.parametrize("work", findings.WORKS)
def test_every_finding_measures_a_declared_experiment(work):
    declared = findings.experiments_of(work)
    needed = {finding.experiment for finding in findings.findings_of(work)}
    needed |= {finding.rule.baseline for finding in findings.findings_of(work) if finding.rule.baseline}
    assert needed - set(declared) == UNDECLARED.get(work, set()), f"{work}: undeclared {needed - set(declared)}"
    presets = __import__(f"{work}.config", fromlist=["PRESETS"]).PRESETS
    for name, experiment in declared.items():
        if experiment.runs_of is None:  # a preset to train, on its corpus or on the source's own audio
            assert experiment.preset in presets, (name, experiment.preset)
            has_corpus = "corpus" in presets[experiment.preset] or experiment.corpus is not None
            assert (experiment.reference is None) == has_corpus, name
        else:
            assert declared[experiment.runs_of].runs_of is None, f"{name}: a variant of a variant"
            trained = declared[experiment.runs_of]
            assert experiment.model is None or experiment.model in trained.models, f"{name}: a model not trained"


def test_the_scorecard_leads_the_report_page_with_coloured_verdicts_and_committed_audio(fake_work, tmp_path,
                                                                                       monkeypatch):
    from shared import report

    monkeypatch.setattr(findings, "WORKS", ("gruv",))  # the pretend work's evidence, once
    (fake_work / "findings.json").write_text(json.dumps(findings.score("pretend")))
    flac = fake_work / "base" / "seed1" / "generated" / "a_0.flac"
    flac.parent.mkdir()
    tone = (0.5 * np.sin(np.arange(8000) / 5.0) * 32767).astype(np.int16)
    soundfile.write(flac, tone, 8000, subtype="PCM_16", format="FLAC")
    (fake_work / "base" / "seed1" / "run.json").write_text(json.dumps({"finished": "2026-12-01T10:00:00"}))
    section = report.scorecard_html(tmp_path / "page")
    assert section.startswith("<h2>Scorecard")
    assert '<td class="middle">partly</td>' in section and '<td class="">not run</td>' in section
    assert "0.433 [0.3, 0.6] (n = 3)" in section and "2026-12-01T10:00:00" in section
    played = sorted((tmp_path / "page" / "media").glob("evidence_*.wav"))
    assert [path.name for path in played] == ["evidence_gruv_base_seed1_a_0.wav"]  # one file, shared by findings
    assert np.array_equal(soundfile.read(played[0], dtype="int16")[0], tone)
    page = report.html_report([], [], "runs", section)
    assert page.index("Scorecard") < page.index("All outputs × all criteria")


def test_a_tie_between_verdicts_meets_a_rule_only_when_every_tied_verdict_does():
    strict = Finding("strict", "c", "s", "gruv:loop", Rule("in", levels=("pass",)), "base")
    loose = Finding("loose", "c", "s", "gruv:loop", Rule("in", levels=("pass", "fail")), "base")
    every = Experiment("tiny")
    tie = metrics({"a": (0.1, "fail"), "b": (0.2, "pass")})
    assert findings.seed_value(strict, every, tie) == "tie" and not strict.rule.met("tie")
    assert findings.seed_value(loose, every, tie) == "fail"  # both tied verdicts meet the rule: the first
    majority = metrics({"a": (0.1, "fail"), "b": (0.2, "pass"), "c": (0.3, "pass")})
    assert findings.seed_value(strict, every, majority) == "pass"


def test_experiments_become_one_grid_job_per_trained_experiment_and_seed():
    from shared.experiments import jobs_for
    from shared.rundir import InputError

    # two variants of the clarinet runs and the clarinet itself: the clarinet is trained once per seed
    jobs = jobs_for("mdn_vocoder", ["clarinet-resets", "clarinet-resets-reduced", "clarinet"], [1, 2])
    assert [(job.experiment, job.preset, job.seed) for job in jobs] == [("clarinet", "clarinet", 1),
                                                                         ("clarinet", "clarinet", 2)]
    calls = jobs[0].generate
    assert len(calls) == 15 and calls[5][-1] == "resets_bias1_seed1" and "--reset-every" in calls[5]
    assert jobs[0].folder("runs").as_posix() == "runs/mdn_vocoder/clarinet/seed1"
    with pytest.raises(InputError, match="declares no experiment 'nope'"):
        jobs_for("mdn_vocoder", ["nope"], [1])
    listed = subprocess.run([sys.executable, "-m", "shared.experiments", "gruv", "fiala-vowels-last", "--seeds", "1",
                             "--list"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and listed.stdout.startswith("gruv/fiala-vowels/seed1: preset fiala-vowels")
    assert "gruv/results/fiala-vowels/seed1" in listed.stdout and "--output-index last" in listed.stdout


def test_a_run_of_several_models_is_one_train_stage_each_and_its_variants_read_their_model(tmp_path):
    """autoencoder_synth's cells: one run trains them in order (each stage resumable on its own), and a variant reads
    its own model's numbers from the run's ``run_numbers.json`` (``{"models": {name: numbers}}``)."""
    from shared import grid

    job = grid.Job("autoencoder_synth", "tiny", 2, models=("ae1-16", "ae2-16-4", "deep-16-4"),
                   generate=(("--model", "deep-16-4"),),
                   stages=(("autoencoder_synth.play", "--model", "{run}/ae1-16"),))
    options = grid.Options(runs=tmp_path, corpora=tmp_path)
    stages = grid.stages(job, tmp_path / "run", tmp_path / "corpus", options)
    trains = [(key, arguments) for key, arguments in stages if arguments[0] == "autoencoder_synth.train"]
    assert [key for key, _ in trains] == ["train ae1-16", "train ae2-16-4", "train deep-16-4"]
    assert [arguments[arguments.index("--preset") + 1] for _, arguments in trains] == list(job.models)
    keys = [key for key, _ in stages]
    assert keys.index("train deep-16-4") < keys.index("generate --model deep-16-4") < keys.index("evaluate")
    extra = dict(stages)["autoencoder_synth.play --model {run}/ae1-16"]  # a further stage, the run folder filled in
    assert extra == ["autoencoder_synth.play", "--model", f"{tmp_path / 'run'}/ae1-16"]
    assert keys.index("autoencoder_synth.play --model {run}/ae1-16") == keys.index("evaluate") - 1
    assert "--set" in stages[0][1] and "seed=2" in stages[0][1]

    valid = Finding("valid", "c", "s", "run:valid", Rule("<", threshold=1.0), "deep")
    numbers = {"run_numbers": {"models": {"ae2-16-4": {"valid": 0.5}, "deep-16-4": {"valid": 0.25}}, "valid": 9.0}}
    assert findings.seed_value(valid, Experiment(runs_of="cells", model="deep-16-4"), numbers) == 0.25
    assert findings.seed_value(valid, Experiment(runs_of="cells", model="ae1-16"), numbers) is None  # not trained
    assert findings.seed_value(valid, Experiment("tiny"), numbers) == 9.0  # a run of one model: its own numbers
    with pytest.raises(ValueError, match="trains nothing"):
        Experiment(runs_of="cells", models=("ae1-16",))


def test_the_scorecard_plays_the_sources_own_output_beside_ours(fake_work, tmp_path, monkeypatch):
    """A work whose findings module has ``source_output`` gets the source's clip beside each finding's: the first
    10 s of the published file, written once, also where our evidence is missing; none without reference data."""
    import html
    import types

    from shared import reference, report

    monkeypatch.setattr(findings, "WORKS", ("gruv",))
    (fake_work / "findings.json").write_text(json.dumps(findings.score("pretend")))
    published = tmp_path / "reference" / "outputs" / "take one.wav"  # 12.5 s, of which 10 s are played
    published.parent.mkdir(parents=True)
    take = np.random.default_rng(1).integers(-20000, 20000, 100000, dtype=np.int16)
    soundfile.write(published, take, 8000, subtype="PCM_16")
    pretend = types.ModuleType("gruv.findings")  # the source published a take for base and other, none for variant
    pretend.source_output = lambda experiment, folder: (folder / "outputs" / "take one.wav"
                                                        if experiment in ("base", "other") else None)
    monkeypatch.setitem(sys.modules, "gruv.findings", pretend)
    monkeypatch.setattr(reference, "locate", lambda work: tmp_path / "reference" if work == "gruv" else None)
    section = report.scorecard_html(tmp_path / "page")
    rows = {row.split("</td>")[0]: row for row in section.split("<tr><td>")[1:]}
    label = html.escape("the source's own: outputs/take one.wav")  # as the page writes it
    assert [name for name, row in rows.items() if label in row] == ["median", "majority", "run-number", "missing"]
    assert f"<td>{report.MISSING}<div" in rows["missing"]  # ours is missing there: the mark, then the source's
    played = sorted((tmp_path / "page" / "media").glob("source_*.wav"))
    assert len(played) == 1  # one file, shared by the findings
    np.testing.assert_array_equal(soundfile.read(played[0], dtype="int16")[0], take[:80000])
    assert 'src="media/' + played[0].name + '"' in section

    monkeypatch.setattr(reference, "locate", lambda work: None)  # no reference data: no source clip
    assert html.escape("the source's own:") not in report.scorecard_html(tmp_path / "page2")
    assert not list((tmp_path / "page2").glob("media/source_*"))


def test_dreaming_and_decay_name_the_sources_own_output_of_an_experiment(tmp_path):
    import decay.findings
    import dreaming.findings

    examples = tmp_path / "dreaming" / "paper_examples"
    examples.mkdir(parents=True)
    for name in ("vector_1024.wav", "fft_1024.mp3", "transpose.wav"):  # Audio Examples 1, 5 and 10 of Table 1
        (examples / name).touch()
    named = {experiment: dreaming.findings.source_output(experiment, tmp_path / "dreaming")
             for experiment in ("example1", "example5", "example10", "example10-chosen-seed", "example2",
                                "example12", "other")}
    assert named == {"example1": examples / "vector_1024.wav", "example5": examples / "fft_1024.mp3",
                     "example10": examples / "transpose.wav", "example10-chosen-seed": examples / "transpose.wav",
                     "example2": None, "example12": None, "other": None}

    results = tmp_path / "decay" / "results"
    one = results / "1 - cello_pizz_train_90files_3sec_60res_5000maxf_m1_512hid_1lyrs_180ep_linearact_9prime"
    later = results / "21 - guitar_train_pretend"  # a run whose number starts with 2: not run 2's
    four = results / "4 - guitar_train_45files_5sec_60res_1400maxf_m1_512hid_1lyrs_180ep_linearact_20prime"
    for folder, notes in ((one, ("Cello.pizz.ff.sulC.Eb3.stereo", "Cello.pizz.ff.sulA.D5.stereo")),
                          (later, ("Guitar.mf.sulA.A4",)), (four, ("Guitar.mf.sulG.C5Db5", "Guitar.mf.sulB.C5Gb5"))):
        folder.mkdir(parents=True)
        for note in notes:
            for suffix in ("", "_gen", "_gen_wp"):
                (folder / f"{note}{suffix}.wav").touch()
    named = {experiment: decay.findings.source_output(experiment, tmp_path / "decay")
             for experiment in ("run1", "run1-Eb3", "run4", "run4-batch5", "run2", "cnn-lstm", "cnn-lstm-paper")}
    assert named == {"run1": one / "Cello.pizz.ff.sulA.D5.stereo_gen_wp.wav",
                     "run1-Eb3": one / "Cello.pizz.ff.sulC.Eb3.stereo_gen_wp.wav",
                     "run4": four / "Guitar.mf.sulB.C5Gb5_gen_wp.wav",
                     "run4-batch5": four / "Guitar.mf.sulB.C5Gb5_gen_wp.wav",
                     "run2": None, "cnn-lstm": None, "cnn-lstm-paper": None}
