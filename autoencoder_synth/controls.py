"""The control layer of Sarroff & Casey's real-time instrument: pure state, no I/O.

The 2014 interface (autoencoder_synth/README.md, "The instrument") multiplies each unit of the
innermost layer by ``gain × scale × mute`` and drives those numbers from a KORG
nanoKONTROL2: eight strips (fader, knob, S/M/R buttons) show a bank of eight units, and the
transport buttons switch between the original and the resynthesised audio, play, stop, reset
and quit (README, "Controls").  This module holds that state and what each control does to it,
with no I/O, so that every control can be tested alone:

* :class:`ControlMap` — a declarative CC → action table; :data:`NANOKONTROL2` is the factory
  map (README, "Controls"), :func:`load_control_map` reads another controller's from JSON.
* :class:`ControlState` — the per-unit arrays, the bank and the transport flags; it applies
  MIDI control changes (:meth:`~ControlState.apply_cc`, :meth:`~ControlState.apply_message`
  for mido-like messages) and OSC messages (:meth:`~ControlState.apply_osc`), and returns
  events the audio engine reacts to (``"rewind"``, ``"shutdown"``).

Deviations from the original (README, "Deviations from the 2014 interface"): every message is applied,
not only the last of each poll (Q12, Q14); status/channel are filtered (Q12); controls of a
strip beyond the last unit are ignored instead of crashing (Q15); Set zeroes every unit as
the paper says, the later code's toggle is ``set_mode="toggle"`` (Q13).  Nothing here imports
a MIDI, OSC or audio library.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np

from shared.rundir import InputError

STRIPS = 8  # a nanoKONTROL2 bank: eight strips show eight units (Track ◀ / ▶ move the view)
MAX_VALUE = 127  # 7-bit MIDI data; buttons send 127 on press, 0 on release

#: Actions that take a strip index 0–7 within the current bank (unit = 8·bank + strip).
STRIP_ACTIONS = ("fader", "knob", "solo", "mute", "reset")
#: Actions of the transport and marker buttons (no strip).
GLOBAL_ACTIONS = ("play", "stop", "rewind", "fast_forward", "record", "cycle",
                  "track_prev", "track_next", "set", "marker_prev", "marker_next")
ACTIONS = STRIP_ACTIONS + GLOBAL_ACTIONS

# What each action does, for control_table (what the 2014 code did on each control).
_DESCRIPTIONS = {
    "fader": "gain of unit 8·bank+{strip} = value/127 (0–1)",
    "knob": "scale of unit 8·bank+{strip} = 2·value/127 (0–2)",
    "solo": "nothing (unused in the original)",
    "mute": "toggle the mute of unit 8·bank+{strip}",
    "reset": "reset unit 8·bank+{strip} (gain = scale = 1, unmuted)",
    "play": "play / pause",
    "stop": "stop and rewind",
    "rewind": "switch between original and resynthesised audio",
    "fast_forward": "switch between original and resynthesised audio",
    "record": "reset every unit (identity)",
    "cycle": "quit",
    "track_prev": "previous bank of 8 units (wraps)",
    "track_next": "next bank of 8 units (wraps)",
    "set": "every unit's output to 0 (paper; --set-mode toggle: toggle each unit's mute)",
    "marker_prev": "nothing (unused in the original)",
    "marker_next": "nothing (unused in the original)",
}
_LABELS = {"fader": "Fader", "knob": "Knob", "solo": "S", "mute": "M", "reset": "R", "play": "Play ▶",
           "stop": "Stop ■", "rewind": "Rewind ◀◀", "fast_forward": "Fast-forward ▶▶", "record": "Record ●",
           "cycle": "Cycle", "track_prev": "Track ◀", "track_next": "Track ▶", "set": "Marker Set",
           "marker_prev": "Marker ◀", "marker_next": "Marker ▶"}


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _control_problem(control, action, strip) -> str | None:
    """What is wrong with one map entry, or None."""
    if not _is_int(control) or not 0 <= control <= MAX_VALUE:
        return f"CC {control!r} is not a control number 0–127"
    if action not in ACTIONS:
        return f"CC {control}: unknown action {action!r}; accepted: {', '.join(ACTIONS)}"
    if action in STRIP_ACTIONS:
        if strip is None:
            return f"CC {control}: {action!r} needs a strip 0–7, e.g. \"{action} 0\""
        if not _is_int(strip) or not 0 <= strip < STRIPS:
            return f"CC {control}: strip {strip!r} is not 0–7"
    elif strip is not None:
        return f"CC {control}: {action!r} is a global action and takes no strip"
    return None


def _channel_problem(channel) -> str | None:
    if channel is not None and (not _is_int(channel) or not 1 <= channel <= 16):
        return f"channel {channel!r} is not a MIDI channel 1–16 (or null for any)"
    return None


@dataclasses.dataclass(frozen=True)
class ControlMap:
    """A controller's CC → action table.

    Parameters
    ----------
    name : str
        The controller, for messages and the README.
    channel : int or None
        MIDI channel 1–16 as the user sees it; None accepts every channel.
    controls : dict[int, tuple[str, int | None]]
        CC number → (action, strip 0–7 for :data:`STRIP_ACTIONS`, None for the others).
    port : str or None
        Part of the name the controller's MIDI port shows up under (case ignored): the live
        player opens the first input whose name contains it when no ``--midi-port`` is given.
    """

    name: str
    channel: int | None
    controls: dict
    port: str | None = None

    def __post_init__(self):
        problem = _channel_problem(self.channel) or next(
            (p for cc, (action, strip) in self.controls.items() if (p := _control_problem(cc, action, strip))), None)
        if problem is None and self.port is not None and (not isinstance(self.port, str) or not self.port.strip()):
            problem = f"port {self.port!r} is not a non-empty string"
        if problem:
            raise ValueError(f"control map {self.name!r}: {problem}")


def _nanokontrol2() -> ControlMap:
    """The factory "CC mode" map, MIDI channel 1 (README, "Controls")."""
    controls = {}
    for first, action in ((0, "fader"), (16, "knob"), (32, "solo"), (48, "mute"), (64, "reset")):
        controls.update({first + strip: (action, strip) for strip in range(STRIPS)})
    controls.update({41: ("play", None), 42: ("stop", None), 43: ("rewind", None), 44: ("fast_forward", None),
                     45: ("record", None), 46: ("cycle", None), 58: ("track_prev", None), 59: ("track_next", None),
                     60: ("set", None), 61: ("marker_prev", None), 62: ("marker_next", None)})
    return ControlMap("KORG nanoKONTROL2 (factory CC map)", 1, controls, port="nanoKONTROL2")


#: The factory CC map of the controller the paper used (README, "Controls").
NANOKONTROL2 = _nanokontrol2()


def load_control_map(path) -> ControlMap:
    """Read another controller's map from JSON.

    The file: ``{"name": "...", "channel": 1 or null, "port": "...", "controls": {"7": "fader 0", "41": "play", ...}}``
    — CC numbers (0–127) as keys, ``"<action>"`` or ``"<action> <strip 0–7>"`` as values.
    ``name`` defaults to the file's stem, ``channel`` to 1 (as the factory map); ``port`` (optional)
    is part of the controller's MIDI port name, which the live player then opens by default.

    Raises
    ------
    InputError
        Naming the file and what is wrong with it (unreadable, not JSON, unknown key or action,
        CC, strip or channel out of range, a strip missing or superfluous).
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(path, f"cannot read the control map ({getattr(error, 'strerror', None) or error})") from None
    except json.JSONDecodeError as error:
        raise InputError(path, f"not JSON: {error}") from None
    if not isinstance(data, dict):
        raise InputError(path, 'a control map is a JSON object {"name": …, "channel": …, "controls": {…}}')
    unknown = sorted(set(data) - {"name", "channel", "port", "controls"})
    if unknown:
        raise InputError(path, f"unknown key {unknown[0]!r}; accepted: name, channel, port, controls")
    name, channel, table = data.get("name", path.stem), data.get("channel", 1), data.get("controls")
    port = data.get("port")
    if not isinstance(name, str):
        raise InputError(path, '"name" must be a string')
    if port is not None and (not isinstance(port, str) or not port.strip()):
        raise InputError(path, '"port" must be a non-empty string (part of the MIDI port name) or absent')
    if problem := _channel_problem(channel):
        raise InputError(path, problem)
    if not isinstance(table, dict) or not table:
        raise InputError(path, '"controls" must be a non-empty object, e.g. {"0": "fader 0", "41": "play"}')
    controls = {}
    for key, text in table.items():
        if not (key.isascii() and key.isdigit()):
            raise InputError(path, f"CC {key!r} is not a control number 0–127")
        words = text.split() if isinstance(text, str) else []
        if not 1 <= len(words) <= 2:
            raise InputError(path, f'CC {key}: {text!r} is not "<action>" or "<action> <strip 0–7>"')
        strip = words[1] if len(words) == 2 else None
        if strip is not None:
            strip = int(strip) if strip.isascii() and strip.lstrip("-").isdigit() else strip
        if problem := _control_problem(int(key), words[0], strip):
            raise InputError(path, problem)
        controls[int(key)] = (words[0], strip)
    return ControlMap(name, channel, controls, port)


def control_table(control_map: ControlMap = NANOKONTROL2) -> list[tuple[int, str, str]]:
    """(CC, control label, what it does) rows, sorted by CC, for the README."""
    rows = []
    for cc in sorted(control_map.controls):
        action, strip = control_map.controls[cc]
        label = _LABELS[action] if strip is None else f"{_LABELS[action]}, strip {strip}"
        rows.append((cc, label, _DESCRIPTIONS[action].format(strip=strip)))
    return rows


#: A button's OSC arguments: none, or one number (TouchOSC and Open Stage Control send 1 on press, 0 on release).
BUTTON_ARGUMENTS = "none, or a number: > 0 presses"

#: The OSC addresses :meth:`ControlState.apply_osc` understands: (address, arguments, action).
OSC_ADDRESSES = [
    ("/unit/<i>/gain", "float 0–1", "gain of unit i (as its fader)"),
    ("/unit/<i>/scale", "float 0–2", "scale of unit i (as its knob)"),
    ("/unit/<i>/mute", "0 or 1", "1 mutes unit i, 0 unmutes it"),
    ("/unit/<i>/reset", BUTTON_ARGUMENTS, "reset unit i (as its R button)"),
    ("/units/reset", BUTTON_ARGUMENTS, "reset every unit (as Record)"),
    ("/units/zero", BUTTON_ARGUMENTS, "every unit's output to 0 (as Set, paper semantics)"),
    ("/bank", "int 0–(banks−1)", "show that bank of 8 units"),
    ("/bank/next", BUTTON_ARGUMENTS, "next bank (as Track ▶)"),
    ("/bank/prev", BUTTON_ARGUMENTS, "previous bank (as Track ◀)"),
    ("/transport/play", BUTTON_ARGUMENTS, "play / pause (as Play)"),
    ("/transport/stop", BUTTON_ARGUMENTS, "stop and rewind (as Stop)"),
    ("/transport/processing", "0 or 1", "0: original audio, 1: resynthesised"),
    ("/transport/toggle", BUTTON_ARGUMENTS, "switch original / resynthesised (as Rewind, Fast-forward)"),
    ("/transport/quit", BUTTON_ARGUMENTS, "quit (as Cycle)"),
]


class ControlState:
    """The instrument's controls: per-unit gain, scale and mute, the bank and the transport.

    Parameters
    ----------
    units : int
        Size of the innermost layer (the engine reports it; banks = ceil(units/8)).
    control_map : ControlMap
        The controller's CC map (default :data:`NANOKONTROL2`).
    set_mode : {"zero", "toggle"}
        Set button: ``"zero"`` sets every unit's output to 0 as the paper says; ``"toggle"``
        toggles each unit's mute as the later code did (Q13).

    Attributes
    ----------
    gain, scale, mute : numpy.ndarray (float64, ``units``)
        All 1 at start: the identity.  ``mute`` is 1 (sounding) or 0 (muted).
    bank, bank_count : int
        The bank of 8 units the strips control, and ceil(units/8).
    processing : bool
        False at start: the original starts with the original audio; Rewind/FF toggle it.
    playing : bool
        True at start — a deviation: the original waited for Play, but an offline render plays
        from its first block; Play toggles it, Stop clears it.
    running : bool
        True until Cycle (quit).
    ignored : int
        Messages ignored: values or CCs outside 0–127, CCs not in the map, another channel,
        non-CC MIDI messages, unknown or malformed OSC.  A live stream never raises on them.
    """

    def __init__(self, units: int, control_map: ControlMap = NANOKONTROL2, set_mode: str = "zero"):
        if not _is_int(units) or units < 1:
            raise ValueError(f"units must be a positive integer, not {units!r}")
        if set_mode not in ("zero", "toggle"):
            raise ValueError(f"set_mode must be 'zero' or 'toggle', not {set_mode!r}")
        self.units, self.control_map, self.set_mode = int(units), control_map, set_mode
        self.gain, self.scale, self.mute = np.ones(self.units), np.ones(self.units), np.ones(self.units)
        self.bank, self.bank_count = 0, math.ceil(self.units / STRIPS)
        self.processing, self.playing, self.running = False, True, True
        self.ignored = 0

    def multipliers(self) -> np.ndarray:
        """gain · scale · mute, a new array in [0, 2]: what multiplies the innermost code (README, equations)."""
        return self.gain * self.scale * self.mute

    # ------------------------------------------------------------------ MIDI

    def apply_cc(self, control, value, channel=None) -> list[str]:
        """Apply one control change; return the events it caused ([] if nothing changed).

        Parameters
        ----------
        control, value : int
            CC number and value, 0–127.
        channel : int or None
            1-based MIDI channel; a message on another channel than the map's is ignored
            (Q12: the original ignored the status byte).  None: unknown, accepted.

        Returns
        -------
        list of str
            Some of ``"units"`` (a multiplier input changed), ``"bank"``, ``"processing"``,
            ``"play"``, ``"pause"``, ``"stop"``, ``"rewind"`` (the engine rewinds the input),
            ``"shutdown"`` (the engine stops).
        """
        if not (_is_int(control) and _is_int(value) and 0 <= control <= MAX_VALUE and 0 <= value <= MAX_VALUE) \
                or control not in self.control_map.controls \
                or (channel is not None and self.control_map.channel not in (None, channel)):
            self.ignored += 1
            return []
        action, strip = self.control_map.controls[control]
        if strip is not None:
            unit = STRIPS * self.bank + strip
            if unit >= self.units:  # Q15: the original indexed past the last unit and crashed
                return []
            if action == "fader":  # gain = value/127 ∈ [0, 1]
                return self._set_unit(unit, gain=value / MAX_VALUE)
            if action == "knob":  # scale = 2·value/127 ∈ [0, 2]
                return self._set_unit(unit, scale=2.0 * value / MAX_VALUE)
        if value != MAX_VALUE:  # buttons are momentary and act on press (value 127)
            return []
        if action == "mute":
            return self._set_unit(unit, mute=1.0 - self.mute[unit])
        if action == "reset":
            return self._set_unit(unit, gain=1.0, scale=1.0, mute=1.0)
        if action == "set" and self.set_mode == "toggle":  # Q13: the code after 2014-07-03
            return self._change_units(lambda: np.subtract(1.0, self.mute, out=self.mute))
        return self._global(action)

    def apply_message(self, message) -> list[str]:
        """Apply a mido-like message (``type``, 0-based ``channel``, ``control``, ``value``).

        Only ``control_change`` acts; anything else is counted in :attr:`ignored`.  Call it for
        every pending message, in order (the original handled only the last one per poll: Q12, Q14).
        """
        if getattr(message, "type", None) != "control_change":
            self.ignored += 1
            return []
        channel = getattr(message, "channel", None)
        if not _is_int(channel) or not 0 <= channel <= 15:
            self.ignored += 1
            return []
        return self.apply_cc(getattr(message, "control", None), getattr(message, "value", None), channel + 1)

    # ------------------------------------------------------------------ OSC

    def apply_osc(self, address: str, *args) -> list[str]:
        """Apply one OSC message (see :data:`OSC_ADDRESSES`); return events as :meth:`apply_cc`.

        Unit indices are absolute (not bank-relative).  Values are clamped to their range.
        Buttons (the addresses without a value of their own) act with no argument or with one
        number > 0, the press TouchOSC and Open Stage Control send; one number ≤ 0 (their
        release) does nothing and is not counted.  Unknown addresses, unit or bank indices out
        of range and wrong arguments are counted in :attr:`ignored`, never raised.
        """
        parts = address.split("/")[1:] if isinstance(address, str) and address.startswith("/") else []
        numbers = [float(a) for a in args if isinstance(a, (int, float, np.integer, np.floating)) and math.isfinite(a)]
        if len(numbers) != len(args):
            numbers = None  # a string, NaN or infinity among the arguments
        events = None
        if len(parts) == 3 and parts[0] == "unit" and parts[1].isascii() and parts[1].isdigit() \
                and int(parts[1]) < self.units and numbers is not None:
            events = self._osc_unit(int(parts[1]), parts[2], numbers)
        elif "/".join(parts) in _OSC_GLOBALS and _is_button(numbers):
            events = self._global(_OSC_GLOBALS["/".join(parts)]) if _pressed(numbers) else []
        elif parts == ["bank"] and numbers and len(numbers) == 1 and numbers[0].is_integer() \
                and 0 <= numbers[0] < self.bank_count:
            events = self._set_bank(int(numbers[0]))
        elif parts == ["transport", "processing"] and numbers and len(numbers) == 1:
            events = self._set_processing(numbers[0] >= 0.5)
        if events is None:
            self.ignored += 1
            return []
        return events

    def _osc_unit(self, unit: int, what: str, numbers: list[float]) -> list[str] | None:
        if what == "reset" and _is_button(numbers):
            return self._set_unit(unit, gain=1.0, scale=1.0, mute=1.0) if _pressed(numbers) else []
        if len(numbers) != 1:
            return None
        if what == "gain":
            return self._set_unit(unit, gain=min(max(numbers[0], 0.0), 1.0))
        if what == "scale":
            return self._set_unit(unit, scale=min(max(numbers[0], 0.0), 2.0))
        if what == "mute":
            return self._set_unit(unit, mute=0.0 if numbers[0] >= 0.5 else 1.0)
        return None

    # ------------------------------------------------------------------ actions

    def _change_units(self, change) -> list[str]:
        """Run ``change()`` on the unit arrays; ["units"] if any value changed."""
        before = (self.gain.copy(), self.scale.copy(), self.mute.copy())
        change()
        changed = any(not np.array_equal(a, b) for a, b in zip(before, (self.gain, self.scale, self.mute)))
        return ["units"] if changed else []

    def _set_unit(self, unit, gain=None, scale=None, mute=None) -> list[str]:
        old = (self.gain[unit], self.scale[unit], self.mute[unit])
        new = tuple(o if n is None else n for o, n in zip(old, (gain, scale, mute)))
        self.gain[unit], self.scale[unit], self.mute[unit] = new
        return ["units"] if new != old else []

    def _set_bank(self, bank: int) -> list[str]:
        changed, self.bank = bank != self.bank, bank
        return ["bank"] if changed else []

    def _set_processing(self, processing: bool) -> list[str]:
        changed, self.processing = processing != self.processing, processing
        return ["processing"] if changed else []

    def _reset_all(self) -> None:
        for array in (self.gain, self.scale, self.mute):
            array[:] = 1.0

    def _zero_all(self) -> None:  # Q13, paper era: reset_all then mute_all fired together
        self._reset_all()
        self.mute[:] = 0.0

    def _global(self, action: str) -> list[str]:
        """The transport and marker buttons on press (README, "Controls")."""
        if action == "record":
            return self._change_units(self._reset_all)
        if action == "set":
            return self._change_units(self._zero_all)
        if action in ("rewind", "fast_forward"):
            return self._set_processing(not self.processing)
        if action in ("track_prev", "track_next"):
            return self._set_bank((self.bank + (1 if action == "track_next" else -1)) % self.bank_count)
        if action == "play":
            self.playing = not self.playing
            return ["play" if self.playing else "pause"]
        if action == "stop":  # the paper: Stop "stops the audio and rewinds"
            self.playing = False
            return ["stop", "rewind"]
        if action == "cycle":
            changed, self.running = self.running, False
            return ["shutdown"] if changed else []
        return []  # S buttons, Marker ◀ ▶: unused in the original

    # ------------------------------------------------------------------ display

    def status_lines(self) -> list[str]:
        """The paper's info window as text (the paper's Fig. 3): the bank's units, the track."""
        first = STRIPS * self.bank
        last = min(first + STRIPS, self.units)
        lines = [f"Bank {self.bank + 1} of {self.bank_count} (units {first}–{last - 1} of {self.units})",
                 "Unit   Gain  Scale  Adj. value"]
        for unit in range(first, last):
            lines.append(f"{unit:4d}  {self.gain[unit]:5.3f}  {self.scale[unit]:5.3f}  "
                         f"{self.gain[unit] * self.scale[unit] * self.mute[unit]:10.3f}"
                         + ("  M" if self.mute[unit] == 0 else ""))
        lines.append(f"Track: {'Resynthesized' if self.processing else 'Original'}")
        multipliers = self.multipliers()
        transport = "quit" if not self.running else "playing" if self.playing else "paused"
        lines.append(f"{transport}; {int(np.sum(self.mute == 0))} muted, {int(np.sum(multipliers != 1))} of "
                     f"{self.units} units changed, mean multiplier {multipliers.mean():.3f}; {self.ignored} ignored")
        return lines


def _is_button(numbers) -> bool:
    """A button's OSC arguments: none or one number."""
    return numbers is not None and len(numbers) <= 1


def _pressed(numbers) -> bool:
    """No argument, or one > 0: a press (0 or less: a release)."""
    return not numbers or numbers[0] > 0


# OSC button addresses → the button they stand for.
_OSC_GLOBALS = {"units/reset": "record", "units/zero": "set", "bank/next": "track_next", "bank/prev": "track_prev",
                "transport/play": "play", "transport/stop": "stop", "transport/toggle": "rewind",
                "transport/quit": "cycle"}
