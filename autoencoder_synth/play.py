"""Play a trained autoencoder as Sarroff & Casey's instrument: live (MIDI, OSC, audio out) or rendered offline.

Audio streams through the model one hop per block while the innermost hidden units are
scaled from a Korg nanoKONTROL2 (faders: gain, knobs: scale, M/R: mute/reset a unit,
Track ◀▶: bank of 8, Rew/FF: original ↔ resynthesised, Play, Stop, Record: reset all, Set:
all to 0, Cycle: quit; facts §4.2), from OSC messages, or from a recorded automation file.

    python -m autoencoder_synth.play --model runs/ae/frames/ae1-256 --input song.wav          # live
    python -m autoencoder_synth.play --model … --input song.wav --midi-port nanoKONTROL2 --vocoder
    python -m autoencoder_synth.play --model … --no-input                                     # the hidden layer fired at audio rate
    python -m autoencoder_synth.play --model … --input song.wav --automation moves.jsonl --render out.wav   # offline
    python -m autoencoder_synth.play --list-ports

Live: every pending MIDI / OSC message is applied before each block (the original handled
the last MIDI event of each poll: Q12); the block is computed in the sounddevice callback
(blocksize = hop, mono, the model's rate); underruns and late blocks are counted and
printed on exit.  mido/rtmidi, sounddevice and python-osc are imported only when used: the
offline render needs none of them.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import threading
import time
from pathlib import Path

import numpy as np

from autoencoder_synth.automation import Event, events_by_frame, read_automation, write_automation
from autoencoder_synth.config import AutoencoderConfig
from autoencoder_synth.controls import NANOKONTROL2, ControlState, load_control_map
from autoencoder_synth.instrument import Instrument, Session, load_network, render
from autoencoder_synth.synth import analysis_hop
from shared import audio
from shared.rundir import InputError, cli_main, load_config, write_json

VIRTUAL_PORT = "autoencoder_synth"


def midi_input_names() -> list[str]:
    import mido

    return mido.get_input_names()


def list_ports() -> None:
    try:
        names = midi_input_names()
        print("MIDI inputs:" + "".join(f"\n  {name}" for name in names) if names else "MIDI inputs: none")
    except Exception as error:  # no ALSA sequencer, rtmidi missing …
        print(f"MIDI inputs: unavailable ({type(error).__name__}: {error})")
    try:
        import sounddevice

        outputs = [device for device in sounddevice.query_devices() if device["max_output_channels"] > 0]
        print("Audio outputs:" + "".join(f"\n  {device['index']}: {device['name']}" for device in outputs)
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
    state = ControlState(network.code_size, control_map, set_mode=args.set_mode)
    state.processing = args.processing
    signal, input_path = None, None
    if not args.no_input and not args.line_in:
        from autoencoder_synth.generate import default_input
        from autoencoder_synth.preprocess import load_song

        input_path = args.input or default_input(run_dir)
        signal = load_song(input_path, config)
        if len(signal) < config.fft_size:
            raise InputError(input_path, f"shorter than one frame of {config.fft_size} samples")
    hop = analysis_hop(args.analysis, config.fft_size, config.hop) if args.hop is None else args.hop
    if not 1 <= hop <= config.fft_size:
        raise InputError("--hop", f"{hop} is not a hop of 1–{config.fft_size} samples")
    instrument = Instrument(network, np.load(run_dir / "data" / "maxvec.npy"), state, signal, config.fft_size, hop,
                            "vocoder" if args.vocoder else "original", args.analysis, args.seed, args.loop, args.line_in)
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
                   automation=None if args.automation is None else str(args.automation), seconds=len(samples) / config.sample_rate,
                   phase="vocoder" if args.vocoder or args.no_input else "original", analysis=args.analysis,
                   hop=instrument.hop)
    if input_path is not None:  # what shared.evaluate compares the render with
        summary["evaluation"] = {"reference": str(input_path), "reference_label": "the input, played through the instrument"}
    write_json(out.with_suffix(".json"), summary)
    print(f"wrote {out} ({summary['seconds']:.1f} s, {summary['blocks']} blocks, {summary['events_applied']} of "
          f"{summary['events']} control changes applied, ended by {summary['ended_by']})")


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
            text = ("\x1b[?25l" if self.last is None else "") + "\x1b[H" + "".join(f"{line}\x1b[K\n" for line in lines) + "\x1b[J"
        else:
            text = "\n".join(lines) + "\n\n"
        self.stream.write(text)
        self.stream.flush()
        self.last = lines

    def close(self) -> None:
        if self.tty:
            self.stream.write("\x1b[?25h")
            self.stream.flush()


def open_midi(args, pending):
    """The MIDI input (port chosen by name substring, or a virtual port), its messages put on ``pending``."""
    if args.midi_port is None and not args.virtual:
        try:
            names = midi_input_names()
        except Exception:
            return None
        if not names:
            return None
        args.midi_port = names[0]  # the default input: the first port
    import mido

    callback = lambda message: pending.put(("midi", message))  # noqa: E731
    if args.virtual:
        return mido.open_input(VIRTUAL_PORT, virtual=True, callback=callback)
    names = [name for name in midi_input_names() if args.midi_port.lower() in name.lower()]
    if not names:
        raise InputError("--midi-port", f"no MIDI input matches {args.midi_port!r} (see --list-ports)")
    return mido.open_input(names[0], callback=callback)


def open_osc(port: int, pending):
    from pythonosc.dispatcher import Dispatcher
    from pythonosc.osc_server import ThreadingOSCUDPServer

    dispatcher = Dispatcher()
    dispatcher.set_default_handler(lambda address, *values: pending.put(("osc", address, values)))
    server = ThreadingOSCUDPServer(("127.0.0.1", port), dispatcher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def play_live(args) -> None:
    try:
        import sounddevice
    except (ImportError, OSError) as error:
        raise InputError("audio output", f"live audio is unavailable ({error}); install the realtime extra and "
                         "PortAudio, or render offline with --automation … --render out.wav") from None
    instrument, config, input_path = build(args)
    state = instrument.state
    automation = events_by_frame(read_automation(args.automation, config.sample_rate, instrument.hop)) if args.automation else {}
    session = Session(instrument, automation, instrument.hop / config.sample_rate)
    midi = open_midi(args, session.pending)
    osc = open_osc(args.osc_port, session.pending) if args.osc_port else None
    finished = threading.Event()

    def step(outdata, status, indata=None):
        if not session.step(outdata, status.output_underflow, indata):
            raise sounddevice.CallbackStop

    display = StatusDisplay()
    source = "no input" if args.no_input else "line in" if args.line_in else str(input_path)
    settings = dict(samplerate=config.sample_rate, blocksize=instrument.hop, channels=1, dtype="float64", finished_callback=finished.set)
    try:
        if args.line_in:  # the input block arrives with the output request: a duplex stream
            stream = sounddevice.Stream(callback=lambda indata, outdata, frames, when, status: step(outdata, status, indata),
                                        **settings)
        else:
            stream = sounddevice.OutputStream(callback=lambda outdata, frames, when, status: step(outdata, status), **settings)
        with stream:
            while not finished.wait(0.1):
                display.show([f"autoencoder_synth.play — {args.model} — {source}", *state.status_lines(),
                              f"blocks {session.blocks}  underruns {session.underruns}  late {session.late}  "
                              "(Cycle or Ctrl-C quits)"])
    except KeyboardInterrupt:
        pass
    except sounddevice.PortAudioError as error:
        raise InputError("audio output", str(error)) from None
    finally:
        display.close()
        if midi is not None:
            midi.close()
        if osc is not None:
            osc.shutdown()
    print(f"played {session.blocks} blocks; underruns {session.underruns}, late blocks {session.late}, "
          f"ignored messages {state.ignored}")
    if args.record_automation:
        write_automation(args.record_automation, [Event(*row) for row in session.recorded])
        print(f"wrote {args.record_automation} ({len(session.recorded)} control changes)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autoencoder_synth.play", description=__doc__.split("\n\n")[0])
    parser.add_argument("--list-ports", action="store_true", help="list MIDI inputs and audio outputs, then exit")
    parser.add_argument("--model", type=Path, help="a trained model folder, <run>/<model> (e.g. runs/ae/frames/ae1-256)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--input", type=Path, help="the audio to stream (default: the run's song with most test frames)")
    source.add_argument("--no-input", action="store_true", help="no audio in: decode base × multipliers every block")
    source.add_argument("--line-in", action="store_true", help="live: stream the default audio input")
    parser.add_argument("--vocoder", action="store_true", help="synthetic phase (bin-centre advance from a random start)")
    parser.add_argument("--analysis", choices=("rect", "hann"), default="rect",
                        help="analysis window and hop: rect at the features' hop (1024; the training features', default) "
                             "or hann at hop N/4 = 512 (the paper-era interface: unity overlap-add gain)")
    parser.add_argument("--hop", type=int, help="override the analysis mode's hop (samples per block)")
    parser.add_argument("--processing", action="store_true",
                        help="start resynthesised (the original starts with the original audio; Rew/FF toggle)")
    parser.add_argument("--set-mode", choices=("zero", "toggle"), default="zero",
                        help="Set: every unit to 0 (the paper) or toggle each unit's mute (the later code)")
    parser.add_argument("--loop", action="store_true", help="loop the input (the original did; default: stop at its end)")
    parser.add_argument("--seed", type=int, default=0, help="the vocoder's random initial phases")
    parser.add_argument("--midi-port", help="live MIDI input: a substring of the port name (default: the first port)")
    parser.add_argument("--virtual", action="store_true", help=f"open a virtual MIDI input named {VIRTUAL_PORT!r} (ALSA)")
    parser.add_argument("--channel", type=int, help="MIDI channel 1–16 of the controller (default: the map's, 1)")
    parser.add_argument("--control-map", type=Path, help="another controller's CC map (JSON; see the README)")
    parser.add_argument("--osc-port", type=int, help="also listen for OSC on this UDP port (127.0.0.1)")
    parser.add_argument("--automation", type=Path, help="recorded control changes (JSON lines) applied at their times")
    parser.add_argument("--render", type=Path, help="offline: write the output to this WAV instead of playing it")
    parser.add_argument("--seconds", type=float, help="length of an offline render (required with --no-input or --loop)")
    parser.add_argument("--record-automation", type=Path, help="live: write the received control changes to this file")
    args = parser.parse_args(argv)
    if args.list_ports:
        list_ports()
        return
    if args.model is None:
        raise InputError("--model", "name a trained model folder, e.g. runs/ae/frames/ae1-256")
    if args.render:
        render_offline(args)
    else:
        play_live(args)


if __name__ == "__main__":
    cli_main(main)
