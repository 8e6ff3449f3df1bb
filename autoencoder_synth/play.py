"""Play a trained autoencoder as Sarroff & Casey's instrument: live (MIDI, OSC, audio out) or rendered offline.

Audio streams through the model one hop per block while the innermost hidden units are
scaled from a Korg nanoKONTROL2 (faders: gain, knobs: scale, M/R: mute/reset a unit,
Track ◀▶: bank of 8, Rew/FF: original ↔ resynthesised, Play, Stop, Record: reset all, Set:
all to 0, Cycle: quit; README, "Controls"), from OSC messages, or from a recorded automation file.

    python -m autoencoder_synth.play --model runs/ae/frames/ae1-256 --input song.wav          # live
    python -m autoencoder_synth.play --model … --input song.wav --midi-port nanoKONTROL2 --vocoder
    python -m autoencoder_synth.play --model … --no-input    # the hidden layer fired at audio rate
    python -m autoencoder_synth.play --model … --input song.wav --automation moves.jsonl --render out.wav   # offline
    python -m autoencoder_synth.play --list-ports
    python -m autoencoder_synth.play --model … --no-input --simulate-live --seconds 60 [--numbers]  # real-time check
    python -m autoencoder_synth.play --model … --input song.wav --device JACK --midi-api jack --osc-port 9000 \
        --seconds 10 --record take.wav                                                           # under JACK, recorded

Live: every pending MIDI / OSC message is applied before each block (the original handled
the last MIDI event of each poll: Q12); the block is computed in the sounddevice callback
(blocksize = hop, mono, 32-bit float, the model's rate); underruns (the status flags
PortAudio hands the callback: JACK's xruns) and late blocks are counted and printed on exit.
Without ``--midi-port`` the input whose name contains the control map's port name is opened
(``nanoKONTROL2``), else the first that is not a "Through" port; the status names it or
says "no MIDI input".  ``--record take.wav`` keeps the blocks the callback produced and
writes them at exit with ``take.json`` (the summary, the final control state and every
message with the block it was applied before); ``--report run.json`` writes the summary
alone (the callback's compute times included).  mido/rtmidi, sounddevice and python-osc are
imported only when used: the offline render needs none of them.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from autoencoder_synth.automation import Event, events_by_frame, read_automation, write_automation
from autoencoder_synth.config import AutoencoderConfig
from autoencoder_synth.controls import NANOKONTROL2, ControlState, load_control_map
from autoencoder_synth.instrument import Instrument, Session, render, simulate_live
from autoencoder_synth.features import default_input, load_song
from autoencoder_synth.synth import analysis_hop, load_maxvec, load_network
from shared import audio, pretrained
from shared.rundir import InputError, add_model_numbers, cli_main, load_config, write_json

VIRTUAL_PORT = "autoencoder_synth"
#: ``--midi-api`` → python-rtmidi's API, through mido's rtmidi backend (default: mido's, i.e. ALSA on Linux).
MIDI_APIS = {"alsa": "LINUX_ALSA", "jack": "UNIX_JACK"}
#: A warning printed (one line, stderr) when OSC listens on every interface.
LAN_WARNING = ("warning: OSC listens on {host}:{port}: any machine that can reach this one on the network can play "
               "the instrument")


def midi_backend(api=None):
    """mido's rtmidi backend for ``--midi-api`` (None: mido's default backend, ``$MIDO_BACKEND`` honoured)."""
    import mido

    return mido if api is None else mido.Backend(f"mido.backends.rtmidi/{MIDI_APIS[api]}", load=True)


def midi_input_names(api=None) -> list[str]:
    return midi_backend(api).get_input_names()


def default_midi_port(names, control_map=NANOKONTROL2) -> str | None:
    """The MIDI input opened when none is named: the first whose name contains the control map's ``port`` (case
    ignored), else the first that is not a "Through" port (ALSA's "Midi Through" echoes, it is no controller);
    None when there is none."""
    if control_map.port:
        for name in names:
            if control_map.port.lower() in name.lower():
                return name
    return next((name for name in names if "through" not in name.lower()), None)


def list_ports(api=None) -> None:
    try:
        names = midi_input_names(api)
        print("MIDI inputs:" + "".join(f"\n  {name}" for name in names) if names else "MIDI inputs: none")
    except Exception as error:  # no ALSA sequencer, rtmidi missing …
        print(f"MIDI inputs: unavailable ({type(error).__name__}: {error})")
    try:
        import sounddevice

        outputs = [device for device in sounddevice.query_devices() if device["max_output_channels"] > 0]
        apis = [api["name"] for api in sounddevice.query_hostapis()]
        print("Audio outputs (--device):"
              + "".join(f"\n  {device['index']}: {device['name']}, {apis[device['hostapi']]}" for device in outputs)
              if outputs else "Audio outputs: none")
    except Exception as error:  # PortAudio missing
        print(f"Audio outputs: unavailable ({type(error).__name__}: {error})")


def build(args):
    """(instrument, config, input path or None) from the command line."""
    network, run_dir = load_network(args.model)
    config, _ = load_config(run_dir, AutoencoderConfig)
    control_map = load_control_map(args.control_map) if args.control_map else NANOKONTROL2
    if args.channel is not None:
        if not 1 <= args.channel <= 16:
            raise InputError("--channel", f"{args.channel} is not a MIDI channel 1–16")
        control_map = dataclasses.replace(control_map, channel=args.channel)
    args.control_map_loaded = control_map
    state = ControlState(network.code_size, control_map, set_mode=args.set_mode)
    state.processing = args.processing
    signal, input_path = None, None
    if not args.no_input and not args.line_in:
        input_path = args.input or default_input(run_dir)
        signal = load_song(input_path, config)
        if len(signal) < config.fft_size:
            raise InputError(input_path, f"shorter than one frame of {config.fft_size} samples")
    hop = analysis_hop(args.analysis, config.fft_size, config.hop) if args.hop is None else args.hop
    if not 1 <= hop <= config.fft_size:
        raise InputError("--hop", f"{hop} is not a hop of 1–{config.fft_size} samples")
    maxvec = load_maxvec(run_dir, config.fft_size // 2 + 1)
    if network.layers[0][0].shape[0] != len(maxvec):
        raise InputError(args.model, f"the model takes {network.layers[0][0].shape[0]} bins, its run's frames have "
                                     f"{len(maxvec)}: the model folder must sit in the run it was trained on")
    instrument = Instrument(network, maxvec, state, signal, config.fft_size, hop,
                            "vocoder" if args.vocoder else "original", args.analysis, args.seed, args.loop,
                            args.line_in)
    return instrument, config, input_path


def render_offline(args) -> None:
    if args.line_in:
        raise InputError("--line-in", "a live option: an offline render reads --input")
    instrument, config, input_path = build(args)
    events = read_automation(args.automation, config.sample_rate, instrument.hop) if args.automation else []
    max_blocks = None if args.seconds is None else int(np.ceil(args.seconds * config.sample_rate / instrument.hop))
    if max_blocks is None and (args.no_input or args.loop):
        raise InputError("--seconds", "an offline render with --no-input or --loop needs a length in seconds")
    samples, summary = render(instrument, events_by_frame(events), max_blocks)
    out = Path(args.render)
    audio.write_wav(out, audio.float_to_int16(samples, scale=32767.0, overflow="clip"), config.sample_rate)
    summary.update(wav=out.name, model=str(args.model), input=None if input_path is None else str(input_path),
                   automation=None if args.automation is None else str(args.automation),
                   seconds=len(samples) / config.sample_rate,
                   phase="vocoder" if args.vocoder or args.no_input else "original", analysis=args.analysis,
                   hop=instrument.hop)
    if input_path is not None:  # what shared.evaluate compares the render with
        summary["evaluation"] = {"reference": str(input_path),
                                 "reference_label": "the input, played through the instrument"}
    write_json(out.with_suffix(".json"), summary)
    print(f"wrote {out} ({summary['seconds']:.1f} s, {summary['blocks']} blocks, {summary['events_applied']} of "
          f"{summary['events']} control changes applied, ended by {summary['ended_by']})")


def simulate(args) -> None:
    """``--simulate-live``: the live block loop at the real block rate for ``--seconds``, without an audio device
    (:func:`autoencoder_synth.instrument.simulate_live`); late blocks counted against each block's deadline.
    ``--numbers`` adds the result to the model's entry of its run's ``run_numbers.json`` (the real-time finding)."""
    from autoencoder_synth.model import model_folder

    if args.seconds is None:
        raise InputError("--seconds", "--simulate-live plays for a length in seconds")
    if args.line_in:
        raise InputError("--line-in", "a live option: --simulate-live reads --input or plays --no-input")
    instrument, config, input_path = build(args)
    events = read_automation(args.automation, config.sample_rate, instrument.hop) if args.automation else []
    period = instrument.hop / config.sample_rate
    session = Session(instrument, events_by_frame(events), period, keep=False)
    summary = simulate_live(session, int(np.ceil(args.seconds / period)), period)
    summary.update(model=str(args.model), input=None if input_path is None else str(input_path), hop=instrument.hop,
                   rate=config.sample_rate, seconds=args.seconds)
    print(f"simulated live run: {summary['blocks']} blocks of {summary['period_ms']:.1f} ms, {summary['late_blocks']} "
          f"late; compute per block median {summary['median_block_ms']:.2f} ms, 99th percentile "
          f"{summary['p99_block_ms']:.2f} ms")
    if args.report:
        write_json(args.report, summary)
    if args.numbers:
        folder = model_folder(args.model)
        add_model_numbers(folder.parent, folder.name, {key: summary[key] for key in (
            "late_blocks", "median_block_ms", "p99_block_ms", "period_ms")} | {"simulated_blocks": summary["blocks"]})


class StatusDisplay:
    """The paper's info window as terminal text, redrawn in place (no clearing, so no flicker) when it changes;
    not on a terminal, printed at most once a second."""

    def __init__(self, stream=sys.stdout):
        self.stream, self.tty, self.last, self.shown = stream, stream.isatty(), None, -np.inf

    def show(self, lines: list[str]) -> None:
        if lines == self.last or (not self.tty and time.monotonic() - self.shown < 1.0):
            return
        self.shown = time.monotonic()
        if self.tty:  # cursor home, each line overwritten and cleared to its end, the rest of the screen cleared
            text = (("\x1b[?25l" if self.last is None else "") + "\x1b[H"
                    + "".join(f"{line}\x1b[K\n" for line in lines) + "\x1b[J")
        else:
            text = "\n".join(lines) + "\n\n"
        self.stream.write(text)
        self.stream.flush()
        self.last = lines

    def close(self) -> None:
        if self.tty:
            self.stream.write("\x1b[?25h")
            self.stream.flush()


def open_midi(args, pending, control_map=NANOKONTROL2):
    """(the MIDI input, its name) with its messages put on ``pending``; (None, None) when there is none to open.

    ``--virtual``: a virtual input named :data:`VIRTUAL_PORT`; ``--midi-port``: the first input whose name contains
    it (none: an error); neither: :func:`default_midi_port`."""
    def callback(message):
        pending.put(("midi", message))

    api = getattr(args, "midi_api", None)
    try:
        backend = midi_backend(api)
        if args.virtual:
            return backend.open_input(VIRTUAL_PORT, virtual=True, callback=callback), f"{VIRTUAL_PORT} (virtual)"
        names = midi_input_names(api)
    except Exception as error:  # no ALSA sequencer, no JACK server, rtmidi missing …
        if args.virtual or args.midi_port is not None:
            raise InputError("--virtual" if args.virtual else "--midi-port",
                             f"MIDI is unavailable ({type(error).__name__}: {error})") from None
        return None, None
    if args.midi_port is None:
        name = default_midi_port(names, control_map)
        if name is None:
            return None, None
    else:
        matches = [name for name in names if args.midi_port.lower() in name.lower()]
        if not matches:
            raise InputError("--midi-port", f"no MIDI input matches {args.midi_port!r}; inputs: "
                             f"{', '.join(map(repr, names)) or 'none'} (see --list-ports)")
        name = matches[0]
    try:
        return backend.open_input(name, callback=callback), name
    except Exception as error:
        raise InputError("--midi-port", f"cannot open the MIDI input {name!r} ({error})") from None


def open_osc(port: int, pending, host: str = "127.0.0.1"):
    """A UDP OSC server on ``host:port`` (port 0: any free port) in a daemon thread; every message put on
    ``pending``."""
    from pythonosc.dispatcher import Dispatcher
    from pythonosc.osc_server import ThreadingOSCUDPServer

    dispatcher = Dispatcher()
    dispatcher.set_default_handler(lambda address, *values: pending.put(("osc", address, values)))
    try:
        server = ThreadingOSCUDPServer((host, port), dispatcher)
    except (OSError, OverflowError) as error:
        raise InputError("--osc-port", f"cannot listen for OSC on {host}:{port} "
                         f"({getattr(error, 'strerror', None) or error})") from None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def writable_output(option: str, path, suffix: str | None = None) -> Path:
    """Check, before anything runs, that ``path`` can be written at the end: its folder exists and takes a file."""
    path = Path(path)
    if suffix is not None and path.suffix.lower() != suffix:
        raise InputError(path, f"{option} writes a {suffix} file: give a path ending in {suffix}")
    if path.is_dir():
        raise InputError(path, f"{option} names a file to write, not a folder")
    folder = path.parent
    if not folder.is_dir():
        raise InputError(path, f"{option}: the folder {folder} does not exist")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise InputError(path, f"{option}: cannot write in the folder {folder} ({error.strerror or error})") from None
    return path


def compute_summary(seconds, period: float) -> dict:
    """Median, 99th percentile and maximum of the callback's compute times, in ms and as % of the block period."""
    times = np.asarray(seconds, dtype=np.float64)
    if not len(times):
        return {"blocks_timed": 0}
    median, p99, peak = np.median(times), np.percentile(times, 99), times.max()
    return {"blocks_timed": len(times), "median_ms": 1000 * median, "p99_ms": 1000 * p99, "max_ms": 1000 * peak,
            "period_ms": 1000 * period, "p99_percent_of_period": 100 * p99 / period}


def state_summary(state: ControlState) -> dict:
    return {"gain": state.gain.tolist(), "scale": state.scale.tolist(), "mute": state.mute.tolist(), "bank": state.bank,
            "processing": state.processing, "playing": state.playing, "running": state.running,
            "ignored": state.ignored}


def play_live(args) -> None:
    try:
        import sounddevice
    except (ImportError, OSError) as error:
        raise InputError("audio output", f"live audio is unavailable ({error}); install the realtime extra and "
                         "PortAudio, or render offline with --automation … --render out.wav") from None
    instrument, config, input_path = build(args)
    state = instrument.state
    automation = (events_by_frame(read_automation(args.automation, config.sample_rate, instrument.hop))
                  if args.automation else {})
    period = instrument.hop / config.sample_rate
    session = Session(instrument, automation, period, keep=bool(args.record or args.record_automation))
    max_blocks = None if args.seconds is None else math.ceil(args.seconds * config.sample_rate / instrument.hop)
    midi, midi_name = open_midi(args, session.pending, args.control_map_loaded)
    osc = None
    try:
        if args.osc_port is not None:
            osc = open_osc(args.osc_port, session.pending, args.osc_host)
            if args.osc_host in ("0.0.0.0", "::", ""):
                print(LAN_WARNING.format(host=args.osc_host, port=args.osc_port), file=sys.stderr, flush=True)
        play_stream(args, sounddevice, session, config, input_path, max_blocks, midi_name, osc)
    finally:
        if midi is not None:
            midi.close()
        if osc is not None:
            osc.shutdown()
            osc.server_close()
    summary = {"model": str(args.model), "input": None if input_path is None else str(input_path),
               "device": args.device, "sample_rate": config.sample_rate, "hop": instrument.hop,
               "blocks": session.blocks, "underruns": session.underruns, "underrun_blocks": session.underrun_blocks,
               "late": session.late,
               "ignored": state.ignored, "messages": session.messages, "midi_input": midi_name,
               "osc": None if osc is None else f"{args.osc_host}:{args.osc_port}",
               "compute": compute_summary(session.compute, period), "state": state_summary(state)}
    compute = summary["compute"]
    print(f"played {session.blocks} blocks; underruns {session.underruns}, late blocks {session.late}, "
          f"ignored messages {state.ignored}; callback compute p99 "
          f"{compute.get('p99_ms', 0.0):.2f} ms of a {1000 * period:.1f} ms block")
    if args.record:
        produced = np.concatenate(session.produced) if session.produced else np.zeros(0, np.float32)
        audio.write_wav(args.record, produced.astype(np.float32), config.sample_rate, subtype="FLOAT")
        write_json(Path(args.record).with_suffix(".json"),
                   {**summary, "wav": Path(args.record).name, "seconds": len(produced) / config.sample_rate,
                    "log": session.log})
        print(f"wrote {args.record} ({len(produced) / config.sample_rate:.2f} s) and its .json")
    if args.report:
        write_json(args.report, summary)
    if args.record_automation:
        write_automation(args.record_automation, [Event(*row) for row in session.recorded])
        print(f"wrote {args.record_automation} ({len(session.recorded)} control changes)")


def play_stream(args, sounddevice, session, config, input_path, max_blocks, midi_name, osc) -> None:
    """Open the audio stream and run it until the input ends, Cycle, ``--seconds`` or Ctrl-C."""
    state, instrument = session.instrument.state, session.instrument
    finished = threading.Event()
    tap = session.produced if args.record else None

    def step(outdata, status, indata=None):
        if max_blocks is not None and session.blocks >= max_blocks:
            outdata.fill(0)
            raise sounddevice.CallbackStop
        underflow = status.output_underflow or (indata is not None and status.input_overflow)
        playing = session.step(outdata, underflow, indata)
        if not playing:
            raise sounddevice.CallbackStop
        if tap is not None:
            tap.append(outdata[:, 0].copy())

    display = StatusDisplay()
    source = "no input" if args.no_input else "line in" if args.line_in else str(input_path)
    controls = (f"MIDI: {midi_name}" if midi_name else "MIDI: no MIDI input") + "; OSC: " + (
        f"{osc.server_address[0]}:{osc.server_address[1]}" if osc is not None else "off")
    # 32-bit float: PortAudio has no 64-bit sample format ("Invalid output sample format")
    settings = dict(samplerate=config.sample_rate, blocksize=instrument.hop, channels=1, dtype="float32",
                    device=args.device, finished_callback=finished.set)
    try:
        if args.line_in:  # the input block arrives with the output request: a duplex stream
            stream = sounddevice.Stream(
                callback=lambda indata, outdata, frames, when, status: step(outdata, status, indata), **settings)
        else:
            stream = sounddevice.OutputStream(callback=lambda outdata, frames, when, status: step(outdata, status),
                                              **settings)
        with stream:
            while not finished.wait(0.1):
                display.show([f"autoencoder_synth.play — {args.model} — {source}", controls, *state.status_lines(),
                              f"blocks {session.blocks}  underruns {session.underruns}  late {session.late}  "
                              "(Cycle or Ctrl-C quits)"])
    except KeyboardInterrupt:
        pass
    except sounddevice.PortAudioError as error:
        raise InputError("audio output", str(error)) from None
    except ValueError as error:  # sounddevice: no such device, or a setting the device refuses
        raise InputError("--device" if args.device is not None else "audio output", str(error)) from None
    finally:
        display.close()


class _Parser(argparse.ArgumentParser):
    """argparse whose errors are the project's one-line :class:`InputError` (exit 2), naming the option."""

    def error(self, message):
        option, _, problem = message.partition(": ")
        if option.startswith("argument "):
            raise InputError(option.removeprefix("argument ").split("/")[0], f"{problem} (see --help)")
        raise InputError("command line", f"{message} (see --help)")


def parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m autoencoder_synth.play", description=__doc__.split("\n\n")[0])
    parser.add_argument("--list-ports", action="store_true", help="list MIDI inputs and audio outputs, then exit")
    parser.add_argument("--model", type=Path,
                        help="a trained model folder, <run>/<model> (e.g. runs/ae/frames/ae1-256), or a "
                             "pretrained model's name (python -m shared.pretrained lists them)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--input", type=Path,
                        help="the audio to stream (default: the run's song with most test frames)")
    source.add_argument("--no-input", action="store_true", help="no audio in: decode base × multipliers every block")
    source.add_argument("--line-in", action="store_true", help="live: stream the default audio input")
    parser.add_argument("--vocoder", action="store_true",
                        help="synthetic phase (bin-centre advance from a random start)")
    parser.add_argument("--analysis", choices=("rect", "hann"), default="rect",
                        help="analysis window and hop: rect at the features' hop (1024; the training features', "
                             "default) or hann at hop N/4 = 512 (the paper-era interface: unity overlap-add gain)")
    parser.add_argument("--hop", type=int, help="override the analysis mode's hop (samples per block)")
    parser.add_argument("--processing", action="store_true",
                        help="start resynthesised (the original starts with the original audio; Rew/FF toggle)")
    parser.add_argument("--set-mode", choices=("zero", "toggle"), default="zero",
                        help="Set: every unit to 0 (the paper) or toggle each unit's mute (the later code)")
    parser.add_argument("--loop", action="store_true",
                        help="loop the input (the original did; default: stop at its end)")
    parser.add_argument("--seed", type=int, default=0, help="the vocoder's random initial phases (≥ 0)")
    parser.add_argument("--midi-port", help="live MIDI input: a substring of the port name (default: the port whose "
                                            "name contains the control map's device, nanoKONTROL2, else the first "
                                            "that is not a 'Through' port)")
    parser.add_argument("--midi-api", choices=sorted(MIDI_APIS),
                        help="MIDI through ALSA's sequencer or JACK (default: mido's, ALSA on Linux)")
    parser.add_argument("--virtual", action="store_true",
                        help=f"open a virtual MIDI input named {VIRTUAL_PORT!r} (ALSA, or JACK with --midi-api jack)")
    parser.add_argument("--channel", type=int, help="MIDI channel 1–16 of the controller (default: the map's, 1)")
    parser.add_argument("--control-map", type=Path, help="another controller's CC map (JSON; see the README)")
    parser.add_argument("--osc-port", type=int, help="also listen for OSC on this UDP port (1–65535)")
    parser.add_argument("--osc-host", default="127.0.0.1",
                        help="the address OSC listens on (default 127.0.0.1, this machine only; 0.0.0.0: every "
                             "interface, so a phone or tablet on the network can play it)")
    parser.add_argument("--device", help="live: the audio device, a number or part of its name and host API, e.g. "
                                         "JACK (default: PortAudio's; see --list-ports)")
    parser.add_argument("--automation", type=Path, help="recorded control changes (JSON lines) applied at their times")
    parser.add_argument("--render", type=Path, help="offline: write the output to this WAV instead of playing it")
    parser.add_argument("--simulate-live", action="store_true",
                        help="time the live loop at the real block rate for --seconds without an audio device, "
                             "counting late blocks (with --report: the figures as JSON)")
    parser.add_argument("--numbers", action="store_true",
                        help="--simulate-live: add the late blocks and block times to the run's run_numbers.json")
    parser.add_argument("--seconds", type=float,
                        help="length of an offline render (required with --no-input or --loop) "
                             "or of a live run (default: until the input ends, Cycle or Ctrl-C)")
    parser.add_argument("--record", type=Path,
                        help="live: write the blocks played to this WAV (32-bit float) at exit, "
                             "with a .json beside it: the summary, the final state, every message")
    parser.add_argument("--report", type=Path, help="live: write the summary (underruns, late blocks, the callback's "
                                                    "compute times, the final state) to this JSON file at exit")
    parser.add_argument("--record-automation", type=Path, help="live: write the received control changes to this file")
    return parser


def check_arguments(args) -> None:
    """The values argparse cannot check, and every output's folder, before anything is loaded or played."""
    if args.seconds is not None and not (math.isfinite(args.seconds) and args.seconds > 0):
        raise InputError("--seconds", f"{args.seconds:g} is not a length in seconds > 0")
    if args.seed < 0:
        raise InputError("--seed", f"{args.seed} is not a seed ≥ 0")
    if args.osc_port is not None and not 1 <= args.osc_port <= 65535:
        raise InputError("--osc-port", f"{args.osc_port} is not a UDP port 1–65535")
    live_only = [name for name in ("record", "report", "record_automation", "device")
                 if getattr(args, name) is not None]
    if args.render and live_only:
        raise InputError(f"--{live_only[0].replace('_', '-')}",
                         "a live option: an offline --render writes its own .json")
    if args.simulate_live and (args.render or [name for name in live_only if name != "report"]):
        raise InputError("--simulate-live", "times the live loop without an audio device: not with --render, "
                                            "--record, --record-automation or --device")
    if args.numbers and not args.simulate_live:
        raise InputError("--numbers", "records what --simulate-live measures: give --simulate-live")
    outputs = [("--render", args.render, ".wav"), ("--record", args.record, ".wav"), ("--report", args.report, None),
               ("--record-automation", args.record_automation, None)]
    for option, path, suffix in outputs:
        if path is not None:
            writable_output(option, path, suffix)


def main(argv=None) -> None:
    args = parser().parse_args(argv)
    if args.list_ports:
        list_ports(args.midi_api)
        return
    if args.model is None:
        raise InputError("--model", "name a trained model folder, e.g. runs/ae/frames/ae1-256")
    args.model = pretrained.resolve("autoencoder_synth", args.model, "--model")
    check_arguments(args)
    if args.render:
        render_offline(args)
    elif args.simulate_live:
        simulate(args)
    else:
        play_live(args)


if __name__ == "__main__":
    cli_main(main)
