"""autoencoder_synth.controls and .automation: the instrument's control layer, without hardware.

Every control of the nanoKONTROL2 factory map does what autoencoder_synth/README.md
("Controls") says; banks wrap and strips past the last unit are ignored (Q15); Set zeroes (Q13) or
toggles; channel filtering and every message applied (Q12); mido-like messages; OSC; control
maps and automation files read from disk, and each kind of bad file refused with its name.
"""

import json
import math
import types

import numpy as np
import pytest

from autoencoder_synth.automation import Event, events_by_frame, read_automation, write_automation
from autoencoder_synth.controls import (NANOKONTROL2, OSC_ADDRESSES, ControlMap, ControlState, control_table,
                                        load_control_map)
from shared.rundir import InputError

# the factory CC map (README, "Controls"), written out independently of the module's construction of the map
FACTORY_MAP = {
    **{cc: ("fader", cc) for cc in range(0, 8)}, **{cc: ("knob", cc - 16) for cc in range(16, 24)},
    **{cc: ("solo", cc - 32) for cc in range(32, 40)}, **{cc: ("mute", cc - 48) for cc in range(48, 56)},
    **{cc: ("reset", cc - 64) for cc in range(64, 72)},
    41: ("play", None), 42: ("stop", None), 43: ("rewind", None), 44: ("fast_forward", None), 45: ("record", None),
    46: ("cycle", None), 58: ("track_prev", None), 59: ("track_next", None), 60: ("set", None),
    61: ("marker_prev", None), 62: ("marker_next", None),
}


def snapshot(state):
    return (state.gain.copy(), state.scale.copy(), state.mute.copy(), state.bank, state.processing, state.playing,
            state.running)


def moved_state(units=20):
    """Bank 1 (units 8–15) with units 8–15 and 3 moved away from the identity."""
    state = ControlState(units)
    state.bank = 1
    state.gain[8:16], state.scale[8:16], state.mute[3] = 0.25, 1.5, 0.0
    return state


def test_nanokontrol2_is_the_factory_map():
    assert NANOKONTROL2.channel == 1
    assert NANOKONTROL2.controls == FACTORY_MAP


@pytest.mark.parametrize("cc", sorted(FACTORY_MAP))
def test_each_control_does_what_the_readme_says(cc):
    action, strip = NANOKONTROL2.controls[cc]
    state = moved_state()
    before = snapshot(state)
    gain, scale, mute, bank, processing, playing, running = before
    if strip is not None:
        unit = 8 + strip  # bank 1
    value = 64 if action in ("fader", "knob") else 127
    events = state.apply_cc(cc, value, 1)
    if action == "fader":
        gain[unit] = 64 / 127
    elif action == "knob":
        scale[unit] = 2 * 64 / 127
    elif action == "mute":
        mute[unit] = 0.0
    elif action == "reset":
        gain[unit] = scale[unit] = mute[unit] = 1.0
    elif action == "record":
        gain[:] = scale[:] = mute[:] = 1.0
    elif action == "set":
        gain[:] = scale[:] = 1.0
        mute[:] = 0.0
    elif action in ("rewind", "fast_forward"):
        processing = True
    elif action == "play":
        playing = False
    elif action == "stop":
        playing = False
    elif action == "cycle":
        running = False
    elif action == "track_prev":
        bank = 0
    elif action == "track_next":
        bank = 2
    else:
        assert action in ("solo", "marker_prev", "marker_next")
    after = snapshot(state)
    for expected, got in zip((gain, scale, mute, bank, processing, playing, running), after):
        np.testing.assert_array_equal(got, expected)
    expected_events = {"fader": ["units"], "knob": ["units"], "mute": ["units"], "reset": ["units"],
                       "record": ["units"], "set": ["units"], "rewind": ["processing"], "fast_forward": ["processing"],
                       "play": ["pause"], "stop": ["stop", "rewind"], "cycle": ["shutdown"], "track_prev": ["bank"],
                       "track_next": ["bank"]}.get(action, [])
    assert events == expected_events
    assert state.ignored == 0


@pytest.mark.parametrize("cc", sorted(cc for cc, (action, _) in FACTORY_MAP.items() if action not in ("fader", "knob")))
def test_buttons_act_on_press_only(cc):
    state = moved_state()
    before = snapshot(state)
    for value in (0, 1, 126):  # release, and anything but 127
        assert state.apply_cc(cc, value, 1) == []
    for expected, got in zip(before, snapshot(state)):
        np.testing.assert_array_equal(got, expected)
    assert state.ignored == 0


def test_fader_and_knob_ranges_are_exactly_0_1_and_0_2():
    state = ControlState(8)
    for value, gain, scale in ((0, 0.0, 0.0), (64, 64 / 127, 128 / 127), (127, 1.0, 2.0)):
        state.apply_cc(2, value)
        state.apply_cc(18, value)
        assert state.gain[2] == gain and state.scale[2] == scale
        assert state.multipliers()[2] == pytest.approx(gain * scale)
    assert state.multipliers().max() == 2.0 and state.multipliers().min() == 1.0
    state.apply_cc(2, 0)
    assert state.multipliers().min() == 0.0


def test_multipliers_start_at_identity_and_are_a_new_array():
    state = ControlState(20)
    assert state.bank_count == 3 and state.bank == 0
    assert not state.processing and state.playing and state.running
    multipliers = state.multipliers()
    np.testing.assert_array_equal(multipliers, np.ones(20))
    multipliers[:] = 0
    np.testing.assert_array_equal(state.multipliers(), np.ones(20))


def test_banks_wrap_both_ways_and_strips_past_the_last_unit_are_ignored():
    state = ControlState(20)  # 3 banks: 0–7, 8–15, 16–19
    assert state.apply_cc(58, 127) == ["bank"] and state.bank == 2  # Track ◀ from bank 0 wraps to the last
    assert state.apply_cc(59, 127) == ["bank"] and state.bank == 0  # Track ▶ from the last wraps to 0
    state.apply_cc(59, 127), state.apply_cc(59, 127)
    assert state.bank == 2
    assert state.apply_cc(4, 0) == [] and state.apply_cc(5, 0) == []  # units 20, 21 ≥ 20 (Q15): ignored, no crash
    assert state.apply_cc(21, 0) == [] and state.apply_cc(53, 127) == [] and state.apply_cc(69, 127) == []
    np.testing.assert_array_equal(state.multipliers(), np.ones(20))
    assert state.apply_cc(3, 0) == ["units"] and state.gain[19] == 0.0  # unit 19 exists
    assert state.ignored == 0
    single = ControlState(5)
    assert single.bank_count == 1 and single.apply_cc(59, 127) == [] and single.bank == 0


def test_set_zeroes_every_unit_and_the_toggle_mode_toggles_each_mute():
    state = moved_state()
    state.apply_cc(60, 127)
    np.testing.assert_array_equal(state.multipliers(), np.zeros(20))
    state.apply_cc(45, 127)  # Record undoes it
    np.testing.assert_array_equal(state.multipliers(), np.ones(20))

    toggle = ControlState(20, set_mode="toggle")
    toggle.gain[4], toggle.mute[3] = 0.5, 0.0
    assert toggle.apply_cc(60, 127) == ["units"]
    expected_mute = np.zeros(20)
    expected_mute[3] = 1.0
    np.testing.assert_array_equal(toggle.mute, expected_mute)
    assert toggle.gain[4] == 0.5  # gains and scales untouched
    toggle.apply_cc(60, 127)
    assert toggle.mute[3] == 0.0 and toggle.mute.sum() == 19
    with pytest.raises(ValueError):
        ControlState(20, set_mode="flip")


def test_record_after_arbitrary_moves_restores_identity():
    rng = np.random.default_rng(4)
    state = ControlState(37)
    for _ in range(300):
        state.apply_cc(int(rng.choice(sorted(set(FACTORY_MAP) - {46}))), int(rng.choice([0, 127, rng.integers(128)])))
    assert state.apply_cc(45, 127) in (["units"], [])
    np.testing.assert_array_equal(state.multipliers(), np.ones(37))
    np.testing.assert_array_equal(state.gain, 1.0)
    np.testing.assert_array_equal(state.scale, 1.0)


def test_mute_and_reset_act_on_one_unit():
    state = ControlState(16)
    state.apply_cc(59, 127)  # bank 1
    state.apply_cc(50, 127)  # M strip 2 → unit 10
    assert state.mute[10] == 0.0 and state.mute.sum() == 15
    state.apply_cc(50, 127)
    assert state.mute[10] == 1.0
    state.apply_cc(2, 10), state.apply_cc(18, 100), state.apply_cc(50, 127), state.apply_cc(3, 10)
    assert state.apply_cc(66, 127) == ["units"]  # R strip 2 → unit 10 only
    assert (state.gain[10], state.scale[10], state.mute[10]) == (1.0, 1.0, 1.0)
    assert state.gain[11] == 10 / 127
    assert state.apply_cc(66, 127) == []  # nothing left to change


def test_transport():
    state = ControlState(8)
    assert state.apply_cc(43, 127) == ["processing"] and state.processing
    assert state.apply_cc(44, 127) == ["processing"] and not state.processing
    assert state.apply_cc(41, 127) == ["pause"] and not state.playing
    assert state.apply_cc(41, 127) == ["play"] and state.playing
    assert state.apply_cc(42, 127) == ["stop", "rewind"] and not state.playing
    assert state.apply_cc(41, 127) == ["play"] and state.playing
    assert state.apply_cc(46, 127) == ["shutdown"] and not state.running
    assert state.apply_cc(46, 127) == []


def test_channel_filtering():
    on_two = ControlMap("ch2", 2, dict(NANOKONTROL2.controls))
    state = ControlState(8, on_two)
    assert state.apply_cc(0, 0, channel=1) == [] and state.gain[0] == 1.0 and state.ignored == 1
    assert state.apply_cc(0, 0, channel=2) == ["units"] and state.gain[0] == 0.0
    assert state.apply_cc(1, 0) == ["units"]  # channel unknown: accepted
    any_channel = ControlState(8, ControlMap("any", None, dict(NANOKONTROL2.controls)))
    for channel in (1, 5, 16):
        any_channel.apply_cc(channel % 8, 0, channel=channel)  # fader of strip channel mod 8
        assert any_channel.gain[channel % 8] == 0.0
    assert any_channel.ignored == 0
    with pytest.raises(ValueError):
        ControlMap("bad", 17, {})
    with pytest.raises(ValueError):
        ControlMap("bad", 1, {0: ("fader", 8)})


def test_mido_like_messages_are_all_applied_in_order():
    state = ControlState(8)
    messages = [types.SimpleNamespace(type="control_change", channel=0, control=0, value=value)
                for value in (10, 20, 30)]
    messages.insert(1, types.SimpleNamespace(type="note_on", channel=0, note=60, velocity=100))
    messages.append(types.SimpleNamespace(type="control_change", channel=1, control=1, value=0))  # MIDI channel 2
    messages.append(types.SimpleNamespace(type="clock"))
    events = [state.apply_message(message) for message in messages]
    assert events == [["units"], [], ["units"], ["units"], [], []]
    assert state.gain[0] == 30 / 127 and state.gain[1] == 1.0
    assert state.ignored == 3  # note_on, the other channel, clock


def test_bad_values_and_unknown_controls_are_counted_never_raised():
    state = ControlState(8)
    for control, value in ((0, 128), (0, -1), (200, 5), (-3, 5), (7, 64.0), (None, 1), ("0", 1), (0, True),
                           (100, 127), (63, 127)):  # 100, 63: not in the map
        assert state.apply_cc(control, value) == []
    assert state.apply_message(types.SimpleNamespace(type="control_change", channel=0, control=0, value=300)) == []
    assert state.apply_message(types.SimpleNamespace(type="control_change", channel=None, control=0, value=3)) == []
    assert state.apply_message(object()) == []
    assert state.ignored == 13
    np.testing.assert_array_equal(state.multipliers(), np.ones(8))


def test_osc_addresses():
    state = ControlState(20)
    assert state.apply_osc("/unit/19/gain", 0.5) == ["units"] and state.gain[19] == 0.5
    assert state.apply_osc("/unit/19/gain", 3) == ["units"] and state.gain[19] == 1.0  # clamped
    assert state.apply_osc("/unit/0/gain", -1.0) == ["units"] and state.gain[0] == 0.0
    assert state.apply_osc("/unit/2/scale", 5.0) == ["units"] and state.scale[2] == 2.0
    assert state.apply_osc("/unit/2/scale", 0.25) == ["units"] and state.scale[2] == 0.25
    assert state.apply_osc("/unit/4/mute", 1) == ["units"] and state.mute[4] == 0.0
    assert state.apply_osc("/unit/4/mute", 1) == []
    assert state.apply_osc("/unit/4/mute", 0) == ["units"] and state.mute[4] == 1.0
    assert state.apply_osc("/unit/2/reset") == ["units"] and state.scale[2] == 1.0 and state.gain[0] == 0.0
    assert state.apply_osc("/units/reset") == ["units"]
    np.testing.assert_array_equal(state.multipliers(), np.ones(20))
    toggling = ControlState(20, set_mode="toggle")  # /units/zero is the paper's Set whatever the button does
    toggling.mute[0] = 0.0
    assert toggling.apply_osc("/units/zero") == ["units"]
    np.testing.assert_array_equal(toggling.multipliers(), np.zeros(20))
    assert state.apply_osc("/bank", 2) == ["bank"] and state.bank == 2
    assert state.apply_osc("/bank/next") == ["bank"] and state.bank == 0
    assert state.apply_osc("/bank/prev") == ["bank"] and state.bank == 2
    assert state.apply_osc("/transport/processing", 1) == ["processing"] and state.processing
    assert state.apply_osc("/transport/processing", 1) == []
    assert state.apply_osc("/transport/toggle") == ["processing"] and not state.processing
    assert state.apply_osc("/transport/play") == ["pause"] and not state.playing
    assert state.apply_osc("/transport/play") == ["play"] and state.playing
    assert state.apply_osc("/transport/stop") == ["stop", "rewind"] and not state.playing
    assert state.apply_osc("/transport/quit") == ["shutdown"] and not state.running
    assert state.ignored == 0
    bad = [("/unit/20/gain", 0.5), ("/unit/-1/gain", 0.5), ("/unit/x/gain", 0.5), ("/unit/1/gain",),
           ("/unit/1/gain", "0.5"), ("/unit/1/gain", math.nan), ("/unit/1/gain", 0.1, 0.2), ("/unit/1/pan", 0.5),
           ("/unit/1/reset", 1, 1), ("/bank", 3), ("/bank", 1.5), ("/bank",), ("/nothing",), ("unit/1/gain", 0.5),
           ("/transport/processing",), ("/units/zero", "on"), ("/transport/play", math.inf), ("/bank/next", 1, 0),
           (None,), ("",)]
    for message in bad:
        assert state.apply_osc(*message) == []
    assert state.ignored == len(bad)
    documented = {row[0].replace("<i>", "0") for row in OSC_ADDRESSES}
    assert documented == {"/unit/0/gain", "/unit/0/scale", "/unit/0/mute", "/unit/0/reset", "/units/reset",
                          "/units/zero", "/bank", "/bank/next", "/bank/prev", "/transport/play", "/transport/stop",
                          "/transport/processing", "/transport/toggle", "/transport/quit"}


@pytest.mark.parametrize("address, flag", [("/transport/play", "playing"), ("/transport/toggle", "processing"),
                                           ("/transport/quit", "running"), ("/bank/next", "bank"),
                                           ("/units/zero", "zeroed"), ("/unit/3/reset", "unit3")])
def test_osc_buttons_press_on_any_positive_value_and_release_on_zero(address, flag):
    """TouchOSC and Open Stage Control send a button's value: 1 (or 1.0, True) on press, 0 on release."""
    def value_of(state):
        return {"playing": state.playing, "processing": state.processing, "running": state.running,
                "bank": state.bank, "zeroed": state.multipliers().max() == 0, "unit3": state.gain[3]}[flag]

    for press in ((), (1.0,), (1,), (True,), (0.25,), (127,)):
        state = ControlState(20)
        state.gain[3] = 0.5
        before = value_of(state)
        assert state.apply_osc(address, *press) != [] and value_of(state) != before, press
        assert state.ignored == 0
    for release in ((0,), (0.0,), (False,), (-1.0,)):
        state = ControlState(20)
        state.gain[3] = 0.5
        before = value_of(state)
        assert state.apply_osc(address, *release) == [] and value_of(state) == before, release
        assert state.ignored == 0  # a release is not a malformed message


def test_status_lines_show_the_bank_the_units_and_the_track():
    state = ControlState(20)
    state.apply_cc(58, 127)  # bank 2: units 16–19
    state.apply_cc(1, 0)  # unit 17 gain 0
    state.apply_cc(50, 127)  # M → unit 18 muted
    state.apply_cc(19, 127)  # unit 19 scale 2
    lines = state.status_lines()
    assert lines[0].startswith("Bank 3 of 3")
    rows = {int(line.split()[0]): line.split() for line in lines if line.split()[0].isdigit()}
    assert sorted(rows) == [16, 17, 18, 19]
    assert rows[17][1:4] == ["0.000", "1.000", "0.000"] and rows[18][-1] == "M" and rows[19][3] == "2.000"
    assert "Track: Original" in lines
    state.apply_cc(44, 127)
    assert "Track: Resynthesized" in state.status_lines()
    assert all("\x1b" not in line for line in lines)


def test_control_table_lists_every_control_of_a_map():
    rows = control_table(NANOKONTROL2)
    assert [row[0] for row in rows] == sorted(FACTORY_MAP)
    assert dict((cc, label) for cc, label, _ in rows)[45] == "Record ●"
    assert "2·value/127" in dict((cc, text) for cc, _, text in rows)[16]


# ----------------------------------------------------------------------------- control map files


def write(path, content):
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_a_loaded_map_remaps_controls(tmp_path):
    path = write(tmp_path / "mine.json", {"name": "mine", "channel": None,
                                          "controls": {"7": "fader 0", "10": "knob 0", "20": "mute 1", "41": "play",
                                                       "90": "set", "91": "track_next"}})
    control_map = load_control_map(path)
    assert control_map.name == "mine" and control_map.channel is None
    state = ControlState(16, control_map)
    assert state.apply_cc(0, 0, channel=3) == [] and state.ignored == 1  # CC 0 is no longer a fader
    state.apply_cc(7, 0, channel=3), state.apply_cc(10, 127, channel=9), state.apply_cc(20, 127)
    assert (state.gain[0], state.scale[0], state.mute[1]) == (0.0, 2.0, 0.0)
    state.apply_cc(91, 127)
    state.apply_cc(7, 127)
    assert state.bank == 1 and state.gain[8] == 1.0
    state.apply_cc(90, 127)
    assert state.multipliers().max() == 0.0
    default = load_control_map(write(tmp_path / "short.json", {"controls": {"1": "cycle"}}))
    assert default.name == "short" and default.channel == 1


@pytest.mark.parametrize("content, problem", [
    ("{not json", "not JSON"),
    ([1, 2], "JSON object"),
    ({"controls": {"7": "fader 0"}, "colour": "red"}, "unknown key"),
    ({"controls": {}}, "non-empty"),
    ({"controls": {"7": "wobble 0"}}, "unknown action"),
    ({"controls": {"7": "fader 8"}}, "strip 8"),
    ({"controls": {"7": "fader -1"}}, "strip -1"),
    ({"controls": {"7": "fader x"}}, "strip 'x'"),
    ({"controls": {"7": "fader"}}, "needs a strip"),
    ({"controls": {"41": "play 2"}}, "takes no strip"),
    ({"controls": {"128": "play"}}, "CC 128"),
    ({"controls": {"-1": "play"}}, "CC '-1'"),
    ({"controls": {"7": 3}}, "<action>"),
    ({"channel": 17, "controls": {"7": "play"}}, "channel 17"),
    ({"channel": 0, "controls": {"7": "play"}}, "channel 0"),
    ({"name": 5, "controls": {"7": "play"}}, '"name"'),
])
def test_each_kind_of_bad_map_file_names_the_file(tmp_path, content, problem):
    path = write(tmp_path / "bad_map.json", content)
    with pytest.raises(InputError) as caught:
        load_control_map(path)
    assert caught.value.path == str(path) and problem in caught.value.problem


def test_an_unreadable_map_file_names_the_file(tmp_path):
    with pytest.raises(InputError, match="missing.json"):
        load_control_map(tmp_path / "missing.json")
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="binary.json"):
        load_control_map(tmp_path / "binary.json")


# ----------------------------------------------------------------------------- automation files


def test_automation_seconds_become_the_frame_they_take_effect_at(tmp_path):
    path = write(tmp_path / "a.jsonl", "\n".join([
        "# a comment",
        '{"time": 1.0, "control": 0, "value": 64}',  # 22050/1024 = 21.53… → 21
        "",
        '   ',
        '{"time": 0, "control": 44, "value": 127, "channel": 3}',
        '{"time": 0.13931972789115646, "control": 1, "value": 2}',  # 3·1024/22050 s, a hair below in floats
        '{"frame": 21, "control": 16, "value": 5}',
        '  # an indented comment',
        '{"time": 0.98, "control": 2, "value": 7}',  # 21.10… → 21
    ]))
    events = read_automation(path, 22050, 1024)
    assert events == [Event(0, 3, 44, 127), Event(3, 1, 1, 2), Event(21, 1, 0, 64), Event(21, 1, 16, 5),
                      Event(21, 1, 2, 7)]  # equal frames keep file order
    assert events_by_frame(events) == {0: [events[0]], 3: [events[1]], 21: events[2:]}
    assert read_automation(write(tmp_path / "b.jsonl", '{"time": 1.0, "control": 0, "value": 1}'), 44100, 512) \
        == [Event(86, 1, 0, 1)]  # floor(86.13…)
    assert read_automation(write(tmp_path / "empty.jsonl", "# nothing\n"), 22050, 1024) == []


def test_automation_sort_is_stable():
    events = [Event(5, 1, 0, value) for value in range(5)] + [Event(2, 1, 1, 9)] + [Event(5, 1, 2, 0)]
    grouped = events_by_frame(sorted(events, key=lambda event: event.frame))
    assert [event.value for event in grouped[5]] == [0, 1, 2, 3, 4, 0] and list(grouped) == [2, 5]


@pytest.mark.parametrize("line, problem", [
    ("{bad", "not JSON"),
    ("[1, 2]", "JSON object"),
    ('{"control": 0, "value": 1}', "exactly one"),
    ('{"time": 1, "frame": 2, "control": 0, "value": 1}', "exactly one"),
    ('{"time": -0.5, "control": 0, "value": 1}', '"time" -0.5'),
    ('{"time": "1", "control": 0, "value": 1}', '"time"'),
    ('{"time": NaN, "control": 0, "value": 1}', '"time"'),
    ('{"frame": -1, "control": 0, "value": 1}', '"frame" -1'),
    ('{"frame": 1.5, "control": 0, "value": 1}', '"frame" 1.5'),
    ('{"frame": 1, "value": 1}', 'no "control"'),
    ('{"frame": 1, "control": 0}', 'no "value"'),
    ('{"frame": 1, "control": 128, "value": 1}', '"control" 128'),
    ('{"frame": 1, "control": 0, "value": -1}', '"value" -1'),
    ('{"frame": 1, "control": 0, "value": 1.0}', '"value" 1.0'),
    ('{"frame": 1, "control": true, "value": 1}', '"control" True'),
    ('{"frame": 1, "control": 0, "value": 1, "channel": 0}', '"channel" 0'),
    ('{"frame": 1, "control": 0, "value": 1, "channel": 17}', '"channel" 17'),
    ('{"frame": 1, "control": 0, "value": 1, "velocity": 3}', "unknown key 'velocity'"),
])
def test_each_kind_of_bad_automation_line_names_the_file_and_line(tmp_path, line, problem):
    path = write(tmp_path / "moves.jsonl", "# header\n\n" + '{"frame": 0, "control": 0, "value": 1}\n' + line + "\n")
    with pytest.raises(InputError) as caught:
        read_automation(path, 22050, 1024)
    assert caught.value.path == str(path)
    assert caught.value.problem.startswith("line 4: ") and problem in caught.value.problem


def test_an_unreadable_automation_file_names_the_file(tmp_path):
    with pytest.raises(InputError, match="nowhere.jsonl"):
        read_automation(tmp_path / "nowhere.jsonl", 22050, 1024)


def test_automation_write_read_round_trip(tmp_path):
    events = [Event(0, 1, 44, 127), Event(0, 1, 44, 0), Event(7, 16, 0, 0), Event(7, 2, 127, 127),
              Event(300, 1, 59, 127)]
    path = tmp_path / "recorded.jsonl"
    write_automation(path, events, comment="recorded live\nsecond line")
    text = path.read_text()
    assert text.startswith("# recorded live\n# second line\n") and '"time"' not in text
    assert read_automation(path, 22050, 1024) == events
    assert read_automation(path, 8000, 64) == events  # the frame form does not depend on rate and hop
    assert [p.name for p in tmp_path.iterdir()] == ["recorded.jsonl"]  # no temporary left behind
