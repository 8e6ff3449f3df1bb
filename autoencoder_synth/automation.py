"""Automation files: recorded control changes, read by the same code path as live MIDI.

The instrument's hardware-free path (autoencoder_synth/README.md, "The instrument", automation
files): a performance on the controller is a list of control changes at
block times; the offline render applies them to the same
:class:`~autoencoder_synth.controls.ControlState` (via ``apply_cc``) and the same engine as a
live session, so a file renders the same WAV every time.

The format is JSON lines, one control change per line::

    # a comment; blank lines are skipped too
    {"time": 1.5, "control": 0, "value": 64}             # seconds from the start
    {"frame": 40, "control": 44, "value": 127, "channel": 1}   # or a block (hop) index

``channel`` is 1-based as the user sees it (default 1, the nanoKONTROL2's factory channel).
A time in seconds takes effect at block ``floor(time · rate / hop)``: the control changes due
at a block are applied before that block is computed, as the original applied what arrived
before each audio block (README, quirk Q14).
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

from shared.rundir import InputError, atomic_path

_KEYS = ("time", "frame", "channel", "control", "value")
# float round-off: a time a hair below a block boundary (e.g. 3·1024/22050 s) still lands on it
_ROUND_OFF = 1e-9


@dataclasses.dataclass(frozen=True)
class Event:
    """One control change due at block ``frame`` (``channel`` 1–16, ``control`` and ``value`` 0–127)."""

    frame: int
    channel: int
    control: int
    value: int


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_line(text: str, rate: float, hop: int) -> Event:
    """One line → Event; raises ValueError with what is wrong."""
    try:
        item = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg}, column {error.colno})") from None
    if not isinstance(item, dict):
        raise ValueError('a line is a JSON object, e.g. {"time": 1.5, "control": 0, "value": 64}')
    unknown = [key for key in item if key not in _KEYS]
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}; accepted: {', '.join(_KEYS)}")
    if ("time" in item) == ("frame" in item):
        raise ValueError('give exactly one of "time" (seconds) and "frame" (block index)')
    if "time" in item:
        time = item["time"]
        if isinstance(time, bool) or not isinstance(time, (int, float)) or not math.isfinite(time) or time < 0:
            raise ValueError(f'"time" {time!r} is not a number of seconds ≥ 0')
        frame = math.floor(time * rate / hop + _ROUND_OFF)
    else:
        frame = item["frame"]
        if not _is_int(frame) or frame < 0:
            raise ValueError(f'"frame" {frame!r} is not an integer ≥ 0')
    for key in ("control", "value"):
        if key not in item:
            raise ValueError(f'no "{key}"')
        if not _is_int(item[key]) or not 0 <= item[key] <= 127:
            raise ValueError(f'"{key}" {item[key]!r} is not an integer 0–127')
    channel = item.get("channel", 1)
    if not _is_int(channel) or not 1 <= channel <= 16:
        raise ValueError(f'"channel" {channel!r} is not a MIDI channel 1–16')
    return Event(frame, channel, item["control"], item["value"])


def read_automation(path, rate: float, hop: int) -> list[Event]:
    """Read an automation file; return its events sorted by frame (equal frames keep file order).

    Parameters
    ----------
    path : str or Path
        The JSON-lines file (format in the module docstring).
    rate : float
        Sample rate (Hz), to convert ``"time"`` to blocks: frame = floor(time · rate / hop).
    hop : int
        Samples per block.

    Raises
    ------
    InputError
        ``"<file>: line N: what is wrong"`` for the first bad line, before anything is rendered.
    """
    if rate <= 0 or hop <= 0:
        raise ValueError(f"rate and hop must be positive, not {rate!r}, {hop!r}")
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(path, "cannot read the automation file "
                               f"({getattr(error, 'strerror', None) or error})") from None
    events = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            events.append(_parse_line(text, rate, hop))
        except ValueError as error:
            raise InputError(path, f"line {number}: {error}") from None
    return sorted(events, key=lambda event: event.frame)  # sorted() is stable


def write_automation(path, events, comment: str | None = None) -> None:
    """Write ``events`` in the frame form (a live session recorded for replay), atomically.

    ``comment``, if given, goes first, each of its lines prefixed with ``# ``.
    """
    lines = [f"# {line}".rstrip() for line in comment.splitlines()] if comment else []
    lines += [json.dumps({"frame": int(event.frame), "channel": int(event.channel), "control": int(event.control),
                          "value": int(event.value)}) for event in events]
    with atomic_path(path) as temporary:
        temporary.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def events_by_frame(events) -> dict[int, list[Event]]:
    """frame → the events due at that block, in their order (the engine applies them all before the block)."""
    grouped: dict[int, list[Event]] = {}
    for event in events:
        grouped.setdefault(event.frame, []).append(event)
    return grouped
