"""autoencoder_synth.play live, under a real audio server: a private JACK server with its dummy driver.

Each live test starts ``play`` as its own process (PortAudio discovers JACK when it initialises, so
the player must start after the server) on a small trained model, with ``--device JACK`` and a
``--record`` tap (the blocks the callback produced, written at exit with a .json: the summary, the
final control state and every message with the block it was applied before).  Controls come from
other processes: ``oscsend`` (Debian's liblo-tools, a client we did not write) and a MIDI client on
python-rtmidi (ALSA's sequencer where ``/dev/snd/seq`` exists, JACK MIDI where it does not).

What is checked: blocks produced with 0 underruns (PortAudio's status flags, JACK's xruns) and
jackd reporting none; the take is not silent; before any message it equals the input × 2/3 (the
documented gain of the unprocessed path, rect analysis at hop N/2); after the messages, the take
equals the engine driven offline by the same messages at the blocks the log gives, and differs
from what it would have been without them (each message audible), and the final state is the
messages'.  Also play's own bad command lines: one line, exit 2, nothing written.

Skips naming the Debian package when jackd (jackd2) or oscsend (liblo-tools) is missing; under
CI=true it fails instead (conftest.require_system).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile

from conftest import REPO_ROOT, require_system
from jack_server import JackServer, JackUnavailable

RATE, HOP = 22050, 1024
GAIN = 2 / 3  # unprocessed: rect analysis × Hann·2/3 synthesis at hop N/2 (autoencoder_synth/README.md)
MIDI_API = "alsa" if os.path.exists("/dev/snd/seq") else "jack"
SECONDS = 6  # each take: about 1 s before the first message, 2–3 s of messages, the rest to spare on a busy machine


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def jack():
    """A private JACK server (dummy driver, the model's rate, one block per period); skip or, under CI, fail without."""
    require_system("jackd2", command="jackd")
    pytest.importorskip("sounddevice")
    server = JackServer(RATE, HOP)
    try:
        server.start()
    except JackUnavailable as error:
        if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(f"the JACK server did not start: {error}")
        pytest.skip(f"the JACK server did not start: {error}")
    yield server
    server.close()


@pytest.fixture(scope="module")
def trained(tmp_path_factory, autoencoder_tiny_run):
    """A tiny AE1 (16 units, 2 banks) trained for 2 epochs, and an 8-second input (the live takes must not run out)."""
    root = tmp_path_factory.mktemp("live")
    run, _ = autoencoder_tiny_run
    t = np.arange(8 * RATE) / RATE
    tone = 0.3 * np.sin(2 * np.pi * 330 * t) + 0.1 * np.sin(2 * np.pi * 1500 * t) * (t % 0.5 < 0.1)
    soundfile.write(root / "long.wav", tone, RATE, subtype="PCM_16")
    return run / "ae1-16", root / "long.wav"


# ----------------------------------------------------------------------------- helpers


class Player:
    """``python -m autoencoder_synth.play …`` in its own process; :meth:`wait_ready` returns once it plays."""

    def __init__(self, server: JackServer, *args):
        self.process = subprocess.Popen([sys.executable, "-m", "autoencoder_synth.play", *map(str, args)],
                                        cwd=REPO_ROOT, env=server.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
        self.stdout, self.stderr, self.ready = [], [], threading.Event()
        self.threads = [threading.Thread(target=self._read, args=(self.process.stdout, self.stdout), daemon=True),
                        threading.Thread(target=self._read, args=(self.process.stderr, self.stderr), daemon=True)]
        for thread in self.threads:
            thread.start()

    def _read(self, stream, lines):
        for line in stream:
            lines.append(line)
            if line.startswith("blocks "):  # the status display's last line: the stream runs
                self.ready.set()

    def wait_ready(self, timeout=60.0):
        deadline = time.monotonic() + timeout
        while not self.ready.wait(0.1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.finish(10)
                pytest.fail(f"play did not start (exit {self.process.returncode}):\n{''.join(self.stderr)[-3000:]}")

    def finish(self, timeout=60.0) -> str:
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for thread in self.threads:
            thread.join(5)
        return "".join(self.stdout)


def take(path):
    """(the recorded samples, the .json beside them)."""
    samples, rate = soundfile.read(path, dtype="float64")
    assert rate == RATE
    return samples, json.loads(Path(path).with_suffix(".json").read_text())


def replay(model, source, log, blocks, skip=()):
    """The engine driven offline with the logged messages applied before the blocks they were applied before live
    (``skip``: indices of log entries left out)."""
    from autoencoder_synth.instrument import Session
    from autoencoder_synth.play import build, parser

    instrument, _, _ = build(parser().parse_args(["--model", str(model), "--input", str(source)]))
    session, out, blocks_out = Session(instrument), np.zeros((HOP, 1)), []
    by_block = {}
    for index, entry in enumerate(log):
        if index not in skip:
            by_block.setdefault(entry[0], []).append(entry)
    for block in range(blocks):
        for entry in by_block.get(block, ()):
            if entry[1] == "midi":
                session.pending.put(("midi", SimpleNamespace(type=entry[2], channel=entry[3], control=entry[4],
                                                             value=entry[5])))
            else:
                session.pending.put(("osc", entry[2], tuple(entry[3])))
        session.step(out)
        blocks_out.append(out[:, 0].copy())
    return np.concatenate(blocks_out), instrument.state


def input_signal(source):
    samples, _ = soundfile.read(source, dtype="int16")
    return samples.astype(np.float64) / 32768.0


def check_take(samples, summary, blocks, server, xruns_before):
    """0 underruns (the callback's status flags, and jackd's log during the take), every block recorded, not silent."""
    assert summary["underruns"] == 0 and server.xruns() == xruns_before, (
        f"underruns at blocks {summary['underrun_blocks']}; jackd: {server.log[-1500:]}")
    assert summary["blocks"] == blocks and len(samples) == blocks * HOP
    assert np.abs(samples).max() > 0.1  # not silent: the input is a 0.3-amplitude tone, 2/3 of it unprocessed
    assert summary["compute"]["p99_percent_of_period"] < 100


def check_bypass(samples, source, first_message_block):
    """Before any message: processing off, the input × the documented gain (block 0 holds half a frame only)."""
    assert first_message_block >= 3, "the messages came too early to see the unprocessed output"
    signal = input_signal(source)
    end = first_message_block * HOP
    np.testing.assert_allclose(samples[HOP:end], signal[HOP:end] * GAIN, atol=1e-6)


# ----------------------------------------------------------------------------- live tests


def test_live_audio_and_osc_from_oscsend(jack, trained, tmp_path):
    """Bypass audio = input × 2/3, then oscsend: a button with a value (TouchOSC style), a unit's gain, a bank, Play as
    pause (value 1.0) and its release (0.0: nothing); OSC on 0.0.0.0 warns in one line; no MIDI input is named."""
    require_system("liblo-tools", command="oscsend")
    model, source = trained
    port, xruns = free_udp_port(), jack.xruns()
    player = Player(jack, "--model", model, "--input", source, "--device", "JACK", "--midi-api", MIDI_API,
                    "--osc-port", port, "--osc-host", "0.0.0.0", "--seconds", SECONDS,
                    "--record", tmp_path / "take.wav")
    player.wait_ready()
    messages = [("/transport/toggle", "f", "1.0"), ("/unit/0/gain", "f", "0.0"), ("/bank", "i", "1"),
                ("/transport/play", "f", "1.0"), ("/transport/play", "f", "0.0")]
    time.sleep(0.8)
    for address, types, value in messages:
        sent = subprocess.run(["oscsend", "localhost", str(port), address, types, value], capture_output=True,
                              text=True)
        assert sent.returncode == 0, sent.stderr
        time.sleep(0.35)
    stdout = player.finish()
    assert player.process.returncode == 0, "".join(player.stderr)[-3000:]
    assert "MIDI: no MIDI input; OSC: 0.0.0.0:" in stdout
    warnings = [line for line in player.stderr if line.startswith("warning: OSC listens on 0.0.0.0")]
    assert len(warnings) == 1 and "network" in warnings[0]
    samples, summary = take(tmp_path / "take.wav")
    blocks = int(np.ceil(SECONDS * RATE / HOP))
    check_take(samples, summary, blocks, jack, xruns)
    log = summary["log"]
    assert [(entry[1], entry[2], entry[3]) for entry in log] == [("osc", a, [float(v)]) for a, _, v in messages]
    assert [entry[0] for entry in log] == sorted(entry[0] for entry in log)
    state = summary["state"]
    assert state["processing"] and state["gain"][0] == 0.0 and state["bank"] == 1 and not state["playing"]
    assert state["ignored"] == 0  # the release (0.0) is not a malformed message
    check_bypass(samples, source, log[0][0])
    expected, _ = replay(model, source, log, blocks)
    np.testing.assert_allclose(samples, expected, atol=1e-6)  # each message where the log says, to float32 precision
    toggled, gained, paused = log[0][0], log[1][0], log[3][0]
    assert paused > gained > toggled
    assert np.sqrt(np.mean(samples[toggled * HOP:paused * HOP] ** 2)) > 1e-3  # the model's output is not silent
    assert np.abs(samples[toggled * HOP:gained * HOP]
                  - input_signal(source)[toggled * HOP:gained * HOP] * GAIN).max() > 0.01
    no_gain, _ = replay(model, source, log, blocks, skip={1})  # unit 0's gain audible
    assert np.abs(samples[gained * HOP:paused * HOP] - no_gain[gained * HOP:paused * HOP]).max() > 1e-4
    assert not samples[(paused + 1) * HOP:].any() and samples[(paused - 1) * HOP:paused * HOP].any()  # paused: silence


def test_live_midi_from_another_client_opens_the_controller_port_by_default(jack, trained, tmp_path):
    """A MIDI client shows a "Midi Through" port and a "nanoKONTROL2" port; play, given no --midi-port, opens the
    controller's, names it, and applies Fast-forward, Track ▶, a fader and an M button, each audible."""
    rtmidi = pytest.importorskip("rtmidi")
    model, source = trained
    api = {"alsa": rtmidi.API_LINUX_ALSA, "jack": rtmidi.API_UNIX_JACK}[MIDI_API]
    previous = os.environ.get("JACK_DEFAULT_SERVER")
    os.environ["JACK_DEFAULT_SERVER"] = jack.name  # the rtmidi client runs in this process
    through = controller = None
    xruns = jack.xruns()
    try:
        through = rtmidi.MidiOut(api, name="through")
        through.open_virtual_port("Midi Through Port-0")
        controller = rtmidi.MidiOut(api, name="korg")
        controller.open_virtual_port("nanoKONTROL2 MIDI 1")
        player = Player(jack, "--model", model, "--input", source, "--device", "JACK", "--midi-api", MIDI_API,
                        "--seconds", SECONDS, "--record", tmp_path / "take.wav")
        player.wait_ready()
        time.sleep(0.8)
        for control, value in ((44, 127), (44, 0), (59, 127), (59, 0), (0, 0), (49, 127), (49, 0), (41, 0)):
            controller.send_message([0xB0, control, value])  # channel 1; 0: the buttons' releases; 41 0: nothing
            time.sleep(0.3 if value else 0.05)
        stdout = player.finish()
    finally:
        for port in (through, controller):
            if port is not None:
                port.close_port()
        if previous is None:
            os.environ.pop("JACK_DEFAULT_SERVER", None)
        else:
            os.environ["JACK_DEFAULT_SERVER"] = previous
    assert player.process.returncode == 0, "".join(player.stderr)[-3000:]
    assert "MIDI: " in stdout and "nanoKONTROL2 MIDI 1" in stdout.split("MIDI: ")[1].splitlines()[0]
    samples, summary = take(tmp_path / "take.wav")
    blocks = int(np.ceil(SECONDS * RATE / HOP))
    check_take(samples, summary, blocks, jack, xruns)
    assert "nanoKONTROL2 MIDI 1" in summary["midi_input"]
    log = summary["log"]
    assert [tuple(entry[2:]) for entry in log] == [("control_change", 0, c, v) for c, v in
                                                   ((44, 127), (44, 0), (59, 127), (59, 0), (0, 0), (49, 127), (49, 0),
                                                    (41, 0))]
    state = summary["state"]
    assert state["processing"] and state["bank"] == 1 and state["gain"][8] == 0.0 and state["mute"][9] == 0.0
    assert state["playing"] and sum(g != 1 for g in state["gain"]) == 1 and sum(m == 0 for m in state["mute"]) == 1
    check_bypass(samples, source, log[0][0])
    expected, _ = replay(model, source, log, blocks)
    np.testing.assert_allclose(samples, expected, atol=1e-6)
    fast_forward, fader, mute = log[0][0], log[4][0], log[5][0]
    assert np.sqrt(np.mean(samples[fast_forward * HOP:] ** 2)) > 1e-3  # the model's output is not silent
    assert np.abs(samples[fast_forward * HOP:fader * HOP]
                  - input_signal(source)[fast_forward * HOP:fader * HOP] * GAIN).max() > 0.01
    for index, start in ((4, fader), (5, mute)):  # the fader (unit 8, bank 2) and the M button (unit 9) audible
        without, _ = replay(model, source, log, blocks, skip={index})
        assert np.abs(samples[start * HOP:] - without[start * HOP:]).max() > 1e-4, log[index]


def free_udp_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ----------------------------------------------------------------------------- without a server


def test_default_midi_port_prefers_the_controller_then_anything_but_through():
    from autoencoder_synth.controls import NANOKONTROL2, ControlMap
    from autoencoder_synth.play import default_midi_port

    through, korg, other = ("Midi Through:Midi Through Port-0 14:0", "nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0",
                            "Keystation 24:0")
    assert default_midi_port([through, other, korg], NANOKONTROL2) == korg  # the map's device, wherever it is
    assert default_midi_port([through, other], NANOKONTROL2) == other  # else the first that is not a Through port
    assert default_midi_port([through], NANOKONTROL2) is None and default_midi_port([], NANOKONTROL2) is None
    unnamed = ControlMap("mine", 1, {0: ("fader", 0)})
    assert default_midi_port([through, korg, other], unnamed) == korg


def test_osc_listens_on_localhost_by_default_and_a_button_value_presses():
    pytest.importorskip("pythonosc")
    from pythonosc.udp_client import SimpleUDPClient

    from autoencoder_synth.controls import ControlState
    from autoencoder_synth.instrument import Instrument, Session
    from autoencoder_synth.play import parser
    from test_autoencoder_instrument import network, noise

    assert parser().parse_args([]).osc_host == "127.0.0.1"
    from autoencoder_synth.play import open_osc

    session = Session(Instrument(network(), np.full(1025, 0.02), ControlState(12), noise()))
    server = open_osc(0, session.pending)
    try:
        assert server.server_address[0] == "127.0.0.1"
        client = SimpleUDPClient("127.0.0.1", server.server_address[1])
        client.send_message("/transport/play", 1.0)
        client.send_message("/bank/next", 1)
        deadline = time.time() + 2
        while session.pending.qsize() < 2 and time.time() < deadline:
            time.sleep(0.01)
        session.step(np.zeros((1024, 1)))
        assert not session.instrument.state.playing and session.instrument.state.bank == 1
    finally:
        server.shutdown()
        server.server_close()


# ----------------------------------------------------------------------------- bad command lines


def play_main(*argv):
    """Run play's main as the shell does (cli_main); (exit status, stderr lines)."""
    from autoencoder_synth import play
    from shared.rundir import cli_main

    try:
        cli_main(play.main, [str(arg) for arg in argv])
    except SystemExit as stop:
        return stop.code, None
    return 0, None


@pytest.fixture
def bad_cases(trained, tmp_path):
    """The other work's model, a corrupt model, a corrupt run configuration, read-only and missing folders."""
    import shutil

    model, source = trained
    run = model.parent
    corrupt = tmp_path / "corrupt"
    shutil.copytree(run, corrupt)
    (corrupt / "ae1-16" / "model.keras").write_bytes(b"PK\x03\x04 not a keras archive")
    foreign = tmp_path / "foreign"
    shutil.copytree(run, foreign)
    import keras

    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])  # another work's kind of model
    other.save(foreign / "ae1-16" / "model.keras")
    config = tmp_path / "badconfig"
    shutil.copytree(run, config)
    (config / "config.json").write_text("{not json")
    gruv = tmp_path / "gruv_run"
    gruv.mkdir()
    (gruv / "config.json").write_text(json.dumps({"settings": {"sequence_length": 40, "hidden_dims": 1024}}))
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    readonly.chmod(0o555)
    yield SimpleNamespace(model=model, source=source, corrupt=corrupt / "ae1-16", foreign=foreign / "ae1-16",
                          badconfig=config, gruv=gruv, readonly=readonly, tmp=tmp_path, root=os.geteuid() == 0)
    readonly.chmod(0o755)


def unwritable_folder(cases) -> Path:
    """A folder that takes no new file: mode 555, or, for root (whom modes do not stop), sysfs where it refuses."""
    if not cases.root:
        return cases.readonly
    import tempfile

    try:
        with tempfile.TemporaryFile(dir="/sys"):
            pass
    except OSError:
        return Path("/sys")
    pytest.skip("running as root with a writable /sys: no folder here refuses a new file")


BAD = {  # case → (argv builder, what the one line must name)
    "an unknown option (--set)": (lambda c: ["--model", c.model, "--set", "hop=5"], "--set"),
    "--hop not an integer": (lambda c: ["--model", c.model, "--hop", "big"], "--hop"),
    "--hop zero": (lambda c: ["--model", c.model, "--input", c.source, "--hop", "0", "--render", c.tmp / "o.wav"],
                   "--hop"),
    "--seconds negative": (lambda c: ["--model", c.model, "--seconds", "-2"], "--seconds"),
    "--seconds not a number": (lambda c: ["--model", c.model, "--seconds", "soon"], "--seconds"),
    "--seed negative": (lambda c: ["--model", c.model, "--seed", "-1"], "--seed"),
    "--channel 17": (lambda c: ["--model", c.model, "--input", c.source, "--channel", "17",
                                "--render", c.tmp / "o.wav"], "--channel"),
    "--osc-port out of range": (lambda c: ["--model", c.model, "--osc-port", "70000"], "--osc-port"),
    "--analysis unknown": (lambda c: ["--model", c.model, "--analysis", "kaiser"], "--analysis"),
    "no --model": (lambda c: ["--input", c.source], "--model"),
    "a missing model": (lambda c: ["--model", c.tmp / "nowhere" / "ae1-16", "--render", c.tmp / "o.wav"], "nowhere"),
    "a corrupt model.keras": (lambda c: ["--model", c.corrupt, "--input", c.source, "--render", c.tmp / "o.wav"],
                              "model.keras"),
    "another work's model": (lambda c: ["--model", c.foreign, "--input", c.source, "--render", c.tmp / "o.wav"],
                             "model.keras"),
    "a corrupt config.json": (lambda c: ["--model", c.badconfig, "--input", c.source, "--render", c.tmp / "o.wav"],
                              "config.json"),
    "another work's run": (lambda c: ["--model", c.gruv, "--no-input", "--seconds", "1", "--render", c.tmp / "o.wav"],
                           "config.json"),
    "--record into a missing folder": (lambda c: ["--model", c.model, "--record", c.tmp / "gone" / "take.wav"], "gone"),
    "--record not a .wav": (lambda c: ["--model", c.model, "--record", c.tmp / "take.mp3"], "take.mp3"),
    "--report into a missing folder": (lambda c: ["--model", c.model, "--report", c.tmp / "gone" / "r.json"], "gone"),
    "--render into a missing folder": (lambda c: ["--model", c.model, "--no-input", "--seconds", "1", "--render",
                                                  c.tmp / "gone" / "o.wav"], "gone"),
    "--record into a read-only folder": (lambda c: ["--model", c.model, "--record", unwritable_folder(c) / "take.wav"],
                                         "take.wav"),
    "--record with --render": (lambda c: ["--model", c.model, "--no-input", "--seconds", "1",
                                          "--render", c.tmp / "o.wav", "--record", c.tmp / "t.wav"], "--record"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_command_lines_give_one_line_and_exit_2(case, bad_cases, capsys):
    build, named = BAD[case]
    capsys.readouterr()
    status, _ = play_main(*build(bad_cases))
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith(("I0000", "WARNING: All log"))]
    assert status == 2, (case, err)
    assert len(lines) == 1 and lines[0].startswith("error: ") and named in lines[0], (case, err)
    assert "Traceback" not in err
    written = sorted(path.name for path in bad_cases.tmp.rglob("*") if path.suffix in (".wav", ".json")
                     and path.parent in (bad_cases.tmp, bad_cases.readonly))
    assert written == [], (case, written)  # nothing half-written
