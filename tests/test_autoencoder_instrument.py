"""autoencoder_synth's instrument (play.py, instrument.py): the engine through the offline path and in-memory messages.

As autoencoder_synth/README.md ("The equations") says: unprocessed output = input × the
overlap-add level of the windows; Set → the decoder's answer to a zero code; Record → identity;
no input → the decoded multipliers; every pending message applied; an automation file renders
byte-identical WAVs; bad automation files are refused before anything is written; the live
virtual MIDI port where an ALSA sequencer exists.  The player live under a real audio server
(JACK): tests/test_live_instrument.py.
"""

import os
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile

from autoencoder_synth.automation import Event, events_by_frame
from autoencoder_synth.controls import ControlState
from autoencoder_synth.instrument import Instrument, Session, render
from autoencoder_synth.synth import NumpyAutoencoder
from test_autoencoder_synth import run_script

UNITS = 12


def network(seed=0, units=UNITS):
    rng = np.random.default_rng(seed)
    kernel = rng.uniform(-0.025, 0.025, (1025, units))
    return NumpyAutoencoder([(kernel, rng.normal(0, 0.5, units), rng.normal(0.1, 0.05, 1025), kernel.T, "linear")])


def instrument(signal=None, processing=False, **options):
    state = ControlState(UNITS)
    state.processing = processing
    return Instrument(network(), np.full(1025, 0.02), state, signal, **options)


def noise(seconds=1.0, seed=1):
    return np.random.default_rng(seed).uniform(-0.5, 0.5, int(seconds * 22050))


def cc(frame, control, value=127):
    return Event(frame=frame, channel=1, control=control, value=value)


def test_unprocessed_output_is_the_input_times_the_overlap_add_level():
    signal = noise()
    out, summary = render(instrument(signal), {})
    assert summary["ended_by"] == "input end" and len(out) == (len(signal) - 2048) // 1024 * 1024 + 2048
    # rect × Hann·2/3, hop N/2
    np.testing.assert_allclose(out[1024:-1024], signal[1024:len(out) - 1024] * 2 / 3, atol=1e-12)
    out, _ = render(instrument(signal, analysis="hann", hop=512), {})  # the paper-era interface's unity-gain mode
    np.testing.assert_allclose(out[1536:-1536], signal[1536:len(out) - 1536], atol=1e-12)


def test_set_gives_the_decoders_answer_to_a_zero_code_and_record_restores_identity():
    signal = noise()
    player = instrument(signal)
    session, out = Session(player, events_by_frame([cc(0, 44), cc(3, 60)])), np.zeros((1024, 1))  # FF: processing on
    for _ in range(4):
        session.step(out)
    expected = network().decode(np.zeros(UNITS)) * 0.02
    np.testing.assert_allclose(player.engine.magnitude, expected, atol=1e-12)
    assert player.state.multipliers().max() == 0
    moved = [cc(0, 44), cc(0, 0, 10), cc(0, 17, 100), cc(0, 50), cc(0, 59), cc(0, 3, 0)]
    plain, _ = render(instrument(signal), events_by_frame([cc(0, 44)]))
    restored, _ = render(instrument(signal), events_by_frame(moved + [cc(5, 45)]))  # Record at block 5
    changed, _ = render(instrument(signal), events_by_frame(moved))
    assert np.abs(changed - plain)[:5 * 1024].max() > 1e-3
    np.testing.assert_array_equal(restored[6 * 1024:], plain[6 * 1024:])  # block 5 still holds frame 4's overlap


def test_no_input_decodes_the_multipliers_with_vocoder_phases():
    player = instrument(None)
    session, out = Session(player, events_by_frame([cc(0, 0, 0), cc(0, 16, 127)])), np.zeros((1024, 1))
    session.step(out)
    multipliers = np.ones(UNITS)
    multipliers[0] = 0.0
    np.testing.assert_allclose(player.engine.magnitude, network().decode(multipliers) * 0.02, atol=1e-12)
    with pytest.raises(ValueError):
        render(instrument(None), {})  # endless without a length
    out, summary = render(instrument(None), {}, max_blocks=10)
    assert len(out) == 10 * 1024 and summary["ended_by"] == "length" and np.abs(out).max() > 0


def test_every_pending_message_is_applied_in_order():
    player = instrument(noise())
    session, out = Session(player), np.zeros((1024, 1))
    for control, value in ((0, 127), (1, 0), (0, 64)):  # three moves between two blocks (the original kept the last)
        session.pending.put(("midi", SimpleNamespace(type="control_change", channel=0, control=control, value=value)))
    session.pending.put(("osc", "/unit/5/scale", (0.5,)))
    session.pending.put(("midi", SimpleNamespace(type="note_on", channel=0, note=60, velocity=100)))
    session.step(out)
    assert player.state.gain[0] == pytest.approx(64 / 127) and player.state.gain[1] == 0
    assert player.state.scale[5] == pytest.approx(0.5)
    assert session.recorded == [(0, 1, 0, 127), (0, 1, 1, 0), (0, 1, 0, 64)]


def test_stop_and_cycle_end_an_offline_render():
    _, summary = render(instrument(noise()), events_by_frame([cc(4, 42)]))
    assert summary["ended_by"] == "stop" and summary["blocks"] == 4
    out, summary = render(instrument(noise()), events_by_frame([cc(4, 42), cc(6, 41)]))  # Stop rewinds; Play resumes
    assert summary["ended_by"] == "input end" and summary["blocks"] > 20
    assert not out[4 * 1024:6 * 1024].any()  # stopped: silence
    np.testing.assert_array_equal(out[6 * 1024:8 * 1024], out[:2 * 1024])  # from the start again, the overlap cleared
    _, summary = render(instrument(noise()), events_by_frame([cc(3, 46), cc(50, 0)]))
    assert summary["ended_by"] == "cycle" and summary["blocks"] == 3 and summary["events_applied"] == 1


@pytest.fixture(scope="module")
def trained_run(autoencoder_tiny_run):
    return autoencoder_tiny_run


def test_automation_renders_byte_identical_wavs_and_bad_files_are_refused(trained_run, tmp_path):
    run, folder = trained_run
    moves = Path(__file__).resolve().parents[1] / "autoencoder_synth" / "examples" / "moves.jsonl"
    wavs = []
    for attempt in range(2):
        wavs.append(tmp_path / f"out{attempt}.wav")
        result = run_script("autoencoder_synth.play", "--model", run / "ae2-16-4", "--input", folder / "song1.wav",
                            "--automation", moves, "--render", wavs[-1], "--vocoder")
        assert result.returncode == 0, result.stderr
    assert wavs[0].read_bytes() == wavs[1].read_bytes()
    samples, rate = soundfile.read(wavs[0])
    assert rate == 22050 and np.abs(samples).max() > 0.01
    result = run_script("autoencoder_synth.play", "--model", run, "--no-input", "--seconds", "1",
                        "--render", tmp_path / "n.wav")
    assert result.returncode == 0, result.stderr
    assert soundfile.info(tmp_path / "n.wav").frames == 22 * 1024  # ceil(1 s / hop) blocks
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"time": 0.5, "control": 0, "value": 64}\n{"time": 1.0, "control": 200, "value": 64}\n')
    result = run_script("autoencoder_synth.play", "--model", run / "ae1-16", "--input", folder / "song1.wav",
                        "--automation", bad, "--render", tmp_path / "bad.wav")
    assert result.returncode == 2 and "bad.jsonl" in result.stderr and "line 2" in result.stderr
    assert not (tmp_path / "bad.wav").exists()
    result = run_script("autoencoder_synth.play", "--model", run / "ae1-99", "--render", tmp_path / "x.wav")
    assert result.returncode == 2 and "ae1-99" in result.stderr


def test_list_ports_and_live_play_without_audio_report_clearly(trained_run):
    run, _ = trained_run
    result = run_script("autoencoder_synth.play", "--list-ports")
    assert result.returncode == 0 and "MIDI inputs" in result.stdout and "Audio outputs" in result.stdout, result.stderr
    if "Audio outputs: none" not in result.stdout and "Audio outputs: unavailable" not in result.stdout:
        pytest.skip("this machine has an audio output: a live run would play")
    result = run_script("autoencoder_synth.play", "--model", run)
    assert (result.returncode == 2
            and result.stderr.strip().splitlines()[-1].startswith("error: audio output")), result.stderr


def test_live_virtual_midi_port(trained_run):
    if not os.path.exists("/dev/snd/seq"):
        pytest.skip("no ALSA sequencer (/dev/snd/seq): a virtual MIDI port cannot be opened here")
    mido = pytest.importorskip("mido")
    pytest.importorskip("rtmidi")
    from autoencoder_synth.play import VIRTUAL_PORT, open_midi

    session = Session(instrument(noise()))
    port, name = open_midi(SimpleNamespace(midi_port=None, virtual=True), session.pending)
    assert VIRTUAL_PORT in name
    try:
        with mido.open_output(next(name for name in mido.get_output_names() if VIRTUAL_PORT in name)) as out:
            out.send(mido.Message("control_change", channel=0, control=0, value=0))
        deadline = time.time() + 2
        while session.pending.empty() and time.time() < deadline:
            time.sleep(0.01)
        session.step(np.zeros((1024, 1)))
        assert session.instrument.state.gain[0] == 0
    finally:
        port.close()


def test_live_osc_messages_reach_the_session():
    pytest.importorskip("pythonosc")
    from pythonosc.udp_client import SimpleUDPClient

    from autoencoder_synth.play import open_osc

    session = Session(instrument(noise()))
    server = open_osc(0, session.pending)  # port 0: any free port
    try:
        client = SimpleUDPClient("127.0.0.1", server.server_address[1])
        client.send_message("/unit/3/gain", 0.25)
        client.send_message("/transport/processing", 1)
        deadline = time.time() + 2
        while session.pending.qsize() < 2 and time.time() < deadline:
            time.sleep(0.01)
        session.step(np.zeros((1024, 1)))
        assert session.instrument.state.gain[3] == pytest.approx(0.25) and session.instrument.state.processing
    finally:
        server.shutdown()


def test_status_display_redraws_in_place_on_a_terminal():
    import io

    from autoencoder_synth.play import StatusDisplay

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    display, state = StatusDisplay(screen), ControlState(UNITS)
    display.show(state.status_lines())
    display.show(state.status_lines())  # unchanged: nothing written
    state.apply_cc(0, 0)
    display.show(state.status_lines())
    display.close()
    text = screen.getvalue()
    assert text.count("\x1b[H") == 2 and "\x1b[2J" not in text  # cursor home, never a cleared screen (no flicker)
    assert "Bank 1 of 2" in text and "0.000" in text and text.endswith("\x1b[?25h")
