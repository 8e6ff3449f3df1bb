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
[WORK …]`` prints each work's findings and rules as a table.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import operator

VERDICTS = ("reproduced", "partly", "not reproduced", "not run")
MIN_SEEDS = 3
WORKS = ("gruv", "mdn_vocoder", "dreaming", "decay", "autoencoder_synth")

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

    parser = argparse.ArgumentParser(prog="python -m shared.findings",
                                     description="Print each work's headline findings and the rules that judge them.")
    parser.add_argument("works", nargs="*", metavar="WORK", help=f"one or more of {', '.join(WORKS)} (default: all)")
    args = parser.parse_args(argv)
    for work in args.works:
        if work not in WORKS:
            raise InputError(work, f"not a work (accepted: {', '.join(WORKS)})")
    print("\n".join(table(work) for work in args.works or WORKS), end="")


if __name__ == "__main__":
    from shared.rundir import cli_main

    cli_main(main)
