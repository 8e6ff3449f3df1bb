"""Headline findings and the rules that turn measurements into verdicts.

Each work lists its source's headline findings in ``<work>/findings.py`` as :class:`Finding`
objects: the claim in one sentence, where the source makes it, what is measured (a criterion
of :mod:`shared.criteria` or a run's own number), the runs and seeds it needs, and a
:class:`Rule`.  The rules are fixed before the runs that test them; :func:`verdict` is the
only thing that turns the measured values into *reproduced*, *partly* or *not reproduced*:

* every seed meets the rule → ``reproduced``;
* some seeds meet it, or the rule's ``partly`` condition holds for all of them → ``partly``;
* no seed meets it → ``not reproduced``;
* nothing measured → ``not run``.

A rule is a per-seed test of one measured value: a comparison with a number (``"<="`` 0.15),
membership in a set of verdicts (``"in"`` {"none"}), or a comparison with the same seed's
value in another experiment (``"<"`` against ``baseline``, times ``factor``).

What is measured (``Finding.metric``):

* ``"<work>:<criterion id>"``: a criterion of :func:`shared.criteria.all_criteria` for that
  work: its ``value``, or its graded ``verdict`` for an ``"in"`` rule;
* ``"<work>:<criterion id>.<number>"``: one of the criterion's ``numbers`` (e.g.
  ``"dreaming:C3.M12"``, ``"dreaming:C1.M3"``);
* ``"run:<name>"``: a run's own number (``shared.evaluate.run_numbers``: ``final_loss``,
  ``heldout_nll``, …, or a per-model ``result.json`` value the finding's note names).

:func:`measured` reads the value from one output's criteria.  ``python -m shared.findings
[WORK …]`` judges each finding from the committed evidence (``<work>/results/<experiment>/seed<k>/``, made by
``python -m shared.experiments``) and writes ``<work>/results/findings.json``, the README's findings table and the
scorecard; ``--rules`` prints the findings and rules as tables.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import importlib
import json
import operator
from pathlib import Path

VERDICTS = ("reproduced", "partly", "not reproduced", "not run")
MIN_SEEDS = 3
WORKS = ("gruv", "mdn_vocoder", "dreaming", "decay", "autoencoder_synth")
REPO_ROOT = Path(__file__).resolve().parent.parent

_OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq}


@dataclasses.dataclass(frozen=True)
class Rule:
    """A per-seed test: ``value <op> threshold``, ``value in levels``, or ``value <op> factor × baseline value``.

    ``partly`` (optional) is a looser bound: when no seed meets the rule but every seed meets
    ``value <op> partly`` (a threshold rule) or ``value <op> partly × baseline value`` (a
    baseline rule: a looser factor), the verdict is ``partly``.
    """

    op: str
    threshold: float | None = None
    levels: tuple = ()
    baseline: str | None = None
    factor: float = 1.0
    partly: float | None = None

    def __post_init__(self):
        if self.op not in (*_OPERATORS, "in"):
            raise ValueError(f"unknown comparison {self.op!r}: use one of {sorted(_OPERATORS)} or 'in'")
        if self.op == "in" and not self.levels:
            raise ValueError("an 'in' rule needs levels")
        if self.op == "in" and (self.partly is not None or self.baseline is not None):
            raise ValueError("an 'in' rule takes neither a partly bound nor a baseline")
        if self.op != "in" and (self.threshold is None) == (self.baseline is None):
            raise ValueError("a comparison needs exactly one of threshold and baseline")

    def met(self, value, baseline_value=None, bound=None) -> bool:
        """Whether one seed's ``value`` meets the rule (with ``bound`` in place of the threshold, or of the factor
        for a baseline rule: how :func:`verdict` tests ``partly``)."""
        if value is None:
            return False
        if self.op == "in":
            return value in self.levels
        if self.baseline is not None:
            if baseline_value is None:
                return False
            other = (self.factor if bound is None else bound) * baseline_value
        else:
            other = self.threshold if bound is None else bound
        return _OPERATORS[self.op](value, other)

    def text(self) -> str:
        if self.op == "in":
            return "verdict in {" + ", ".join(map(str, self.levels)) + "}"
        if self.baseline is not None:
            loose = f" (partly: {self.op} {self.partly:g} × {self.baseline})" if self.partly is not None else ""
            return f"value {self.op} {self.factor:g} × {self.baseline} (same seed){loose}"
        return f"value {self.op} {self.threshold:g}" + (f" (partly: {self.op} {self.partly:g})"
                                                         if self.partly is not None else "")


@dataclasses.dataclass(frozen=True)
class Finding:
    """One headline finding of a source and the rule that judges it."""

    id: str
    claim: str  # the source's claim, one sentence
    source: str  # section / figure / table / blog post
    metric: str  # "<work>:<criterion id>[.<number>]" (its value, its verdict for an 'in' rule, or one of its numbers)
    #              or "run:<number>" (the run's own numbers)
    rule: Rule
    experiment: str  # the preset / experiment whose runs measure it
    seeds: int = MIN_SEEDS
    note: str = ""  # scale, what cannot be run here, how the measurement is taken

    def __post_init__(self):
        if self.seeds < MIN_SEEDS:
            raise ValueError(f"{self.id}: a finding needs at least {MIN_SEEDS} seeds")
        if self.rule.baseline is not None and self.rule.baseline == self.experiment:
            raise ValueError(f"{self.id}: the baseline must be another experiment")

    @property
    def criterion(self) -> tuple[str, str, str | None] | None:
        """``(work, criterion id, number or None)`` for a criterion metric; None for a run number."""
        kind, _, name = self.metric.partition(":")
        if kind == "run":
            return None
        criterion_id, _, number = name.partition(".")
        return kind, criterion_id, number or None


def verdict(finding: Finding, values: list, baseline_values: list | None = None) -> str:
    """The verdict on ``finding`` from one measured value per seed (and, for a baseline rule, the same seeds' baseline
    values, in the same order)."""
    if not values:
        return "not run"
    rule = finding.rule
    if rule.baseline is not None and (baseline_values is None or len(baseline_values) != len(values)):
        raise ValueError(f"{finding.id}: needs one baseline value per seed ({rule.baseline})")
    pairs = list(zip(values, baseline_values or [None] * len(values)))
    met = [rule.met(value, other) for value, other in pairs]
    if all(met):
        return "reproduced"
    if any(met) or (rule.partly is not None and all(rule.met(value, other, rule.partly) for value, other in pairs)):
        return "partly"
    return "not reproduced"


def measured(finding: Finding, criteria: dict):
    """The value ``finding`` judges, from one output's criteria ``{work: [criterion, …]}`` (``metrics.json``'s
    ``"criteria"``, or :func:`shared.criteria.all_criteria`'s result): the criterion's verdict for an ``"in"`` rule,
    else its value, or the named number.  None for a run number (read those from the run) or a missing criterion."""
    where = finding.criterion
    if where is None:
        return None
    work, criterion_id, number = where
    row = next((row for row in criteria.get(work, []) if row["id"] == criterion_id), None)
    if row is None:
        return None
    if number is not None:
        return row["numbers"].get(number)
    return row["verdict"] if finding.rule.op == "in" else row["value"]


def check(findings: list[Finding], work: str) -> list[Finding]:
    """Validate a work's list: unique ids, metrics named ``<work>:<criterion>[.<number>]`` or ``run:<name>``;
    returns it."""
    ids = [finding.id for finding in findings]
    duplicates = sorted({name for name in ids if ids.count(name) > 1})
    if duplicates:
        raise ValueError(f"{work}: duplicate finding ids {duplicates}")
    for finding in findings:
        kind, _, name = finding.metric.partition(":")
        if kind not in ("run", *WORKS) or not name or (kind != "run" and name.startswith(".")):
            raise ValueError(f"{work}/{finding.id}: metric {finding.metric!r} must be '<work>:<criterion>[.<number>]' "
                             "or 'run:<number>'")
    return findings


def findings_of(work: str) -> list[Finding]:
    """``<work>/findings.py``'s FINDINGS."""
    return importlib.import_module(f"{work}.findings").FINDINGS


@dataclasses.dataclass(frozen=True)
class Experiment:
    """How an experiment's runs are made, and which of their outputs it measures.

    Either a ``preset`` trained once per seed (``--set seed=k`` and ``overrides`` at preprocess), whose ``generate``
    entries are the extra arguments of its fast-mode ``generate`` calls (none: the work's default generation), or
    ``runs_of``, another experiment whose trained runs it measures, through other outputs (a generation variant: the
    same model sampled at a lower variance, read at another output index …).  ``outputs`` is a glob over the names
    of the generated outputs (``metrics.json``) it measures; with several, a seed's value is their median (numbers)
    or the verdict most of them get.  ``audio`` (a trained experiment's): a glob over the outputs whose audio is
    committed (all outputs are scored; the audio of a few is kept, within the repository's budget).  ``reference``:
    the input is this folder of the work's reference data (``shared.reference``: the source's own audio, such as
    decay's guitar notes) instead of the preset's corpus."""

    preset: str | None = None
    overrides: tuple[str, ...] = ()
    generate: tuple[tuple[str, ...], ...] = ()
    runs_of: str | None = None
    outputs: str = "*"
    audio: str = "*"
    reference: str | None = None
    train: tuple[str, ...] = ()  # extra arguments of train (``("--mode", "fast")`` where fast is tested equal)
    corpus: str | None = None  # a corpus of shared.corpora in place of the preset's (``"mma_grooves/blues"``)
    models: tuple[str, ...] = ()  # a run that trains several models (autoencoder_synth's cells), in this order
    model: str | None = None  # a variant measuring one model of such a run: its numbers in run_numbers["models"]
    stages: tuple[tuple[str, ...], ...] = ()  # more `python -m` commands after generation ("{run}": the run folder)

    def __post_init__(self):
        if (self.preset is None) == (self.runs_of is None):
            raise ValueError("an experiment is either a preset to train or the runs_of another experiment")
        if self.runs_of is not None and (self.overrides or self.generate or self.reference or self.train
                                         or self.corpus or self.models or self.stages):
            raise ValueError("a variant (runs_of) trains nothing: its outputs come from the other's generate calls")


def experiments_of(work: str) -> dict[str, Experiment]:
    """``<work>/findings.py``'s EXPERIMENTS (empty where the work has none yet)."""
    return getattr(importlib.import_module(f"{work}.findings"), "EXPERIMENTS", {})


def trained_experiment(work: str, name: str) -> str:
    """The experiment whose trained runs ``name`` measures (itself, or the one its ``runs_of`` names)."""
    experiment = experiments_of(work)[name]
    return name if experiment.runs_of is None else experiment.runs_of


def results_dir(work: str) -> Path:
    return REPO_ROOT / work / "results"


def seed_folders(work: str, experiment: str) -> dict[int, Path]:
    """``{seed: results/<trained experiment>/seed<k>}`` for every committed seed of an experiment."""
    folder = results_dir(work) / trained_experiment(work, experiment)
    found = {}
    for path in sorted(folder.glob("seed*")):
        if path.name[4:].isdigit() and (path / "metrics.json").is_file():
            found[int(path.name[4:])] = path
    return found


def seed_value(finding: Finding, experiment: Experiment, metrics: dict):
    """One trained seed's value of ``finding`` from its ``metrics.json``: a run number, or the criterion over the
    outputs ``experiment.outputs`` selects: their median, or for an ``"in"`` rule the verdict most of them get.  A tie
    between verdicts counts only when every tied verdict meets the rule (then the first of them); otherwise it is
    ``"tie"``, which meets no rule.  None when nothing was measured."""
    import fnmatch
    import statistics

    if finding.criterion is None:
        numbers = metrics.get("run_numbers", {})
        if experiment.model is not None:
            numbers = numbers.get("models", {}).get(experiment.model, {})
        return numbers.get(finding.metric.partition(":")[2])
    values = [measured(finding, output["criteria"]) for output in metrics["outputs"]
              if fnmatch.fnmatchcase(output["name"], experiment.outputs)]
    values = [value for value in values if value is not None]
    if not values:
        return None
    if finding.rule.op == "in" or isinstance(values[0], str):
        most = max(map(values.count, values))
        tied = list(dict.fromkeys(value for value in values if values.count(value) == most))
        return tied[0] if len(tied) == 1 or all(finding.rule.met(value) for value in tied) else "tie"
    return float(statistics.median(values))


def measure(work: str, finding: Finding, experiment_name: str | None = None) -> dict[int, object]:
    """``{seed: value}`` of ``finding`` over the committed seeds of its experiment (or of ``experiment_name``)."""
    name = experiment_name or finding.experiment
    experiment = experiments_of(work)[name]
    values = {}
    for seed, folder in seed_folders(work, name).items():
        value = seed_value(finding, experiment, _read_json(folder / "metrics.json"))
        if value is not None:
            values[seed] = value
    return values


def judge(work: str, finding: Finding) -> dict:
    """The finding's entry of ``results/findings.json`` (the issue's schema), from the committed evidence."""
    experiments = experiments_of(work)
    values = measure(work, finding) if finding.experiment in experiments else {}
    baseline = {}
    if finding.rule.baseline is not None and finding.rule.baseline in experiments:
        baseline = measure(work, finding, finding.rule.baseline)
    seeds = sorted(seed for seed in values if finding.rule.baseline is None or seed in baseline)
    numeric = [values[seed] for seed in seeds if isinstance(values[seed], (int, float))]
    entry = {"id": finding.id, "claim": finding.claim, "source": finding.source, "rule": finding.rule.text(),
             "measured": {"metric": finding.metric, "seeds": seeds, "values": [values[seed] for seed in seeds]}}
    if numeric and len(numeric) == len(seeds):
        entry["measured"].update(mean=round(float(sum(numeric) / len(numeric)), 6), min=min(numeric),
                                 max=max(numeric))
    if baseline:
        entry["measured"]["baseline"] = {"experiment": finding.rule.baseline,
                                         "values": [baseline[seed] for seed in seeds]}
    if len(seeds) < finding.seeds:
        entry["verdict"] = "not run"
        entry["why"] = _not_run_why(work, finding, len(seeds))
        entry["evidence"] = []
        return entry
    entry["verdict"] = verdict(finding, [values[seed] for seed in seeds],
                               [baseline[seed] for seed in seeds] if finding.rule.baseline else None)
    entry["why"] = finding.note
    names = [finding.experiment] + ([finding.rule.baseline] if finding.rule.baseline else [])
    entry["evidence"] = sorted({str((seed_folders(work, name)[seed] / "metrics.json").relative_to(results_dir(work)))
                                for name in names for seed in seeds})
    return entry


def _not_run_why(work: str, finding: Finding, have: int) -> str:
    """What a finding still needs: its seeds, the command, the time the paper-scale table gives and the time its
    experiment's committed seeds took."""
    experiments = experiments_of(work)
    if finding.experiment not in experiments:
        return f"no experiment declared for it yet (<work>/findings.py EXPERIMENTS); {finding.note}"
    trained = trained_experiment(work, finding.experiment)
    names = " ".join(dict.fromkeys([trained] + ([trained_experiment(work, finding.rule.baseline)]
                                                if finding.rule.baseline in experiments else [])))
    command = f"python -m shared.experiments {work} {names} --seeds 1 2 3"
    # the paper-scale table times a preset as the source ran it: it does not apply to a run made smaller by --set
    hours = None if experiments[trained].overrides else _paper_scale_hours(work, experiments[trained].preset)
    time = f"; about {hours:.2g} h of training per seed on 2 cores (shared/results/paper_scale.json)" if hours else ""
    taken = [_read_json(folder / "run.json").get("wall_seconds") for folder in seed_folders(work, trained).values()]
    taken = sorted(seconds for seconds in taken if seconds)
    if taken:  # what the seeds already made took, start to end (their run.json)
        time += f"; {trained}'s committed seeds took {taken[len(taken) // 2] / 3600:.2g} h each (median, run.json)"
    return f"{have} of {finding.seeds} seeds committed; needs {command}{time}"


def _paper_scale_hours(work: str, preset: str) -> float | None:
    rows = _read_json(REPO_ROOT / "shared" / "results" / "paper_scale.json").get("experiments", [])
    return next((row.get("hours") for row in rows if row.get("work") == work and row.get("preset") == preset), None)


@functools.lru_cache(maxsize=None)
def _read_json(path: Path) -> dict:
    """A committed JSON file, read once per process (every finding of an experiment reads the same metrics.json);
    {} when it is not there."""
    return json.loads(path.read_text()) if path.is_file() else {}


def score(work: str) -> list[dict]:
    """Every finding of a work judged from its committed evidence: the content of ``results/findings.json``."""
    return [judge(work, finding) for finding in findings_of(work)]


def _number(value) -> str:
    if isinstance(value, str):
        return value
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


def measured_text(entry: dict) -> str:
    measured_ = entry["measured"]
    if not measured_["seeds"]:
        return "–"
    if "mean" in measured_:
        return (f"{_number(measured_['mean'])} [{_number(measured_['min'])}, {_number(measured_['max'])}] "
                f"(n = {len(measured_['seeds'])})")
    return ", ".join(_number(value) for value in measured_["values"]) + f" (n = {len(measured_['seeds'])})"


def results_table(work: str, entries: list[dict]) -> str:
    """The README's findings table: claim, measurement (mean [min, max] over seeds), verdict, why."""
    lines = ["| finding | the source's claim | measured: mean [min, max] over training seeds | verdict | why |",
             "|---|---|---|---|---|"]
    for entry in entries:
        cells = (f"`{entry['id']}`", entry["claim"], f"`{entry['measured']['metric']}` {measured_text(entry)}",
                 f"**{entry['verdict']}**", entry["why"])
        lines.append("| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |")
    counts = {name: sum(entry["verdict"] == name for entry in entries) for name in VERDICTS}
    lines += ["", "Verdicts: " + ", ".join(f"{count} {name}" for name, count in counts.items()) + "."]
    return "\n".join(lines) + "\n"


README_START = "<!-- findings: generated by python -m shared.findings from results/; do not edit -->"
README_END = "<!-- end of findings -->"
README_SECTION = "## Findings, re-checked over seeds"


def readme_with_table(text: str, table_text: str) -> str:
    """``text`` (a README) with the part between the markers replaced by ``table_text``; a README without the
    markers gets the section appended."""
    block = f"{README_START}\n\n{table_text}\n{README_END}"
    if README_START in text and README_END in text:
        before, rest = text.split(README_START, 1)
        return before + block + rest.split(README_END, 1)[1]
    return text.rstrip("\n") + (f"\n\n{README_SECTION}\n\nEach of the source's headline findings, its verdict rule "
                                 "(`findings.py`) and what the committed runs under `results/` measure. "
                                 "Regenerate with `python -m shared.findings`.\n\n") + block + "\n"


def scorecard(scored: dict[str, list[dict]]) -> str:
    """Counts of verdicts per work, as a Markdown table."""
    lines = ["| work | " + " | ".join(VERDICTS) + " |", "|---" * (len(VERDICTS) + 1) + "|"]
    for work, entries in scored.items():
        lines.append(f"| {work} | " + " | ".join(str(sum(entry["verdict"] == name for entry in entries))
                                                  for name in VERDICTS) + " |")
    return "\n".join(lines) + "\n"


def outputs(works) -> dict[Path, str]:
    """Every file ``python -m shared.findings`` writes, with its content: each work's ``results/findings.json`` and
    README, and ``shared/results/scorecard.md``."""
    scored = {work: score(work) for work in works}
    files = {}
    for work, entries in scored.items():
        files[results_dir(work) / "findings.json"] = json.dumps(entries, indent=2, ensure_ascii=False) + "\n"
        readme = REPO_ROOT / work / "README.md"
        files[readme] = readme_with_table(readme.read_text(), results_table(work, entries))
    if set(works) == set(WORKS):
        files[REPO_ROOT / "shared" / "results" / "scorecard.md"] = (
            "# Scorecard: the sources' headline findings, re-checked\n\nGenerated by `python -m shared.findings` "
            "from each work's committed `results/`.\n\n" + scorecard(scored))
    return files


def table(work: str) -> str:
    """A work's findings as a Markdown table: id, claim, source, metric, rule, experiment, seeds, note."""
    lines = [f"### {work}", "", "| id | claim | source | metric | rule | experiment | seeds | note |",
             "|---|---|---|---|---|---|---|---|"]
    for finding in findings_of(work):
        cells = (finding.id, finding.claim, finding.source, f"`{finding.metric}`", finding.rule.text(),
                 f"`{finding.experiment}`", str(finding.seeds), finding.note)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    from shared.rundir import InputError

    parser = argparse.ArgumentParser(
        prog="python -m shared.findings",
        description="Judge each work's headline findings from its committed results/: write results/findings.json, "
                    "the README's findings table and shared/results/scorecard.md, then redraw "
                    "each work's figures (<work>/results/figures/).")
    parser.add_argument("works", nargs="*", metavar="WORK", help=f"one or more of {', '.join(WORKS)} (default: all)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 naming every file that differs from what the evidence gives")
    parser.add_argument("--rules", action="store_true", help="only print the findings and their rules as tables")
    parser.add_argument("--no-figures", action="store_true",
                        help="do not redraw the figures (each work's findings.figures, into <work>/results/figures/)")
    args = parser.parse_args(argv)
    for work in args.works:
        if work not in WORKS:
            raise InputError(work, f"not a work (accepted: {', '.join(WORKS)})")
    works = args.works or list(WORKS)
    if args.rules:
        print("\n".join(table(work) for work in works), end="")
        return
    stale = []
    for path, text in outputs(works).items():
        if path.is_file() and path.read_text() == text:
            continue
        stale.append(path.relative_to(REPO_ROOT))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if args.check and stale:
        raise SystemExit("not what the committed evidence gives (run python -m shared.findings): "
                         + ", ".join(map(str, stale)))
    print("\n".join(f"wrote {path}" for path in stale) or "every file is up to date")
    if not (args.check or args.no_figures):
        from shared import reference

        for work in works:
            module, folder = importlib.import_module(f"{work}.findings"), reference.locate(work)
            if folder is None and hasattr(module, "source_output"):  # its figures draw the source's outputs too
                print(f"{work}: figures kept as committed (redrawing them needs {reference.fetch_command(work)})")
                continue
            for path in module.figures(results_dir(work) / "figures", folder) if hasattr(module, "figures") else []:
                print(f"wrote {Path(path).relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    from shared.rundir import cli_main

    cli_main(main)
