"""Real-time budget of Sarroff & Casey's instrument: per-block compute time, and late blocks in a simulated live run.

For AE1 with HL1 = 256, 1024 and 2048 and the composed 256-8 model (untrained seeded
weights: speed does not depend on training), the live callback's work for one block —
``instrument.Session.step``: drain the pending messages (one fader move queued per block, as
a player riding a fader), one frame through |FFT| → encoders → × multipliers → decoders →
inverse FFT → overlap-add — is timed:

* over ``--blocks`` blocks back to back: median and 99th percentile, as a share of the block
  period (hop 1024 at 22,050 Hz = 46.4 ms; the aim is a 99th percentile under 10 %);
* in a simulated real-time run of ``--seconds`` (60 by default): block k starts when the
  clock reaches k periods, and is late if it is not done by the next period (target 0).

Prints a Markdown table and writes it to ``benchmarks/out/autoencoder_instrument.md``.

    python benchmarks/autoencoder_instrument.py [--models ae1-256 ae1-1024 ae1-2048 deep-256-8] [--seconds 60]

``--live`` is the soak test of the real player: a private JACK server with the dummy driver
(``tests/jack_server.py``; hop 1024 at 22,050 Hz), ``python -m autoencoder_synth.play`` on a trained AE1
(``--live-model``, by default ae1-256 trained for one epoch on the tiny preset, in a temporary folder;
``--model DIR`` plays yours) resynthesising a looped input, for ``--seconds`` (600 by default), while
another process floods it with ``--rate`` MIDI control changes (faders and knobs, on a JACK MIDI or ALSA
port the player opens by default as the nanoKONTROL2) and as many OSC messages (unit gains and scales,
UDP) per second.  It reports the xruns (the underruns PortAudio flagged to the callback, and the xruns
jackd logged), the late blocks, the callback's compute time (median, p99, max; p99 as a share of the
block period), the messages sent and applied, and the player's resident memory (RSS) from 10 s in to
the end; the figures go to ``--out`` (JSON).  Goals: 0 xruns, p99 < 10 % of the period, RSS growth < 5 MB.

    nice -n 10 python benchmarks/autoencoder_instrument.py --live [--seconds 600] [--rate 300] \
        [--out autoencoder_synth/results/soak.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from shared.rundir import quiet_tensorflow  # noqa: E402

quiet_tensorflow()  # a benchmark is a process start, as a script is

import numpy as np  # noqa: E402

from autoencoder_synth.config import AutoencoderConfig, model_settings  # noqa: E402
from autoencoder_synth.controls import ControlState  # noqa: E402
from autoencoder_synth.instrument import Instrument, Session, simulate_live  # noqa: E402
from autoencoder_synth.model import build_model  # noqa: E402
from autoencoder_synth.synth import NumpyAutoencoder  # noqa: E402
from timing import machine, write_table  # noqa: E402  (benchmarks/timing.py)

MODELS = ("ae1-256", "ae1-1024", "ae1-2048", "deep-256-8")
RATE, HOP = 22050, 1024
PERIOD = HOP / RATE


def session_for(name: str, seconds: float) -> Session:
    config = dataclasses.replace(AutoencoderConfig(), **model_settings(name))
    network = NumpyAutoencoder.from_model(build_model(config, 1025))
    state = ControlState(network.code_size)
    state.processing = True
    signal = np.random.default_rng(0).uniform(-0.5, 0.5, int(seconds * RATE) + 4096)
    return Session(Instrument(network, np.full(1025, 0.05), state, signal, loop=True))


def fader_move(block: int):
    return SimpleNamespace(type="control_change", channel=0, control=block % 8, value=block % 128)


def block_times(session: Session, blocks: int) -> np.ndarray:
    out, times = np.zeros((HOP, 1)), []
    for block in range(blocks):
        session.pending.put(("midi", fader_move(block)))
        started = time.perf_counter()
        session.step(out)
        times.append(time.perf_counter() - started)
    return np.array(times)


def simulated_run(session: Session, seconds: float) -> tuple[int, int]:
    """(blocks, late blocks): block k may start at k periods and must be done by k + 1 (instrument.simulate_live),
    a fader moved before each."""
    count = int(seconds / PERIOD)
    done = simulate_live(session, count, PERIOD, lambda block: session.pending.put(("midi", fader_move(block))))
    return count, done["late_blocks"]


# ----------------------------------------------------------------------------- --live: the soak test under JACK

REPO = Path(__file__).resolve().parents[1]
MIDI_API = "alsa" if os.path.exists("/dev/snd/seq") else "jack"


def flood(osc_port: int, rate: float, seconds: float, midi_api: str) -> None:
    """The control flood (its own process): ``rate`` MIDI CCs and ``rate`` OSC messages a second for ``seconds``,
    after a line on stdin; prints "ready" once its MIDI port exists, and its counts (JSON) at the end."""
    import rtmidi
    from pythonosc.udp_client import SimpleUDPClient

    midi = rtmidi.MidiOut({"alsa": rtmidi.API_LINUX_ALSA, "jack": rtmidi.API_UNIX_JACK}[midi_api], name="flood")
    midi.open_virtual_port("nanoKONTROL2 flood")
    osc = SimpleUDPClient("127.0.0.1", osc_port)
    print("ready", flush=True)
    sys.stdin.readline()
    sent_midi = sent_osc = 0
    tick, start = 0.01, time.monotonic()
    while (elapsed := time.monotonic() - start) < seconds:
        due = int(elapsed * rate) + 1  # messages of each kind due by now
        while sent_midi < due:
            control = (0, 16)[sent_midi % 2] + (sent_midi // 2) % 8  # faders 0–7 and knobs 16–23 of the bank
            midi.send_message([0xB0, control, sent_midi % 128])
            sent_midi += 1
        while sent_osc < due:
            unit = sent_osc % 8
            osc.send_message(f"/unit/{unit}/{('gain', 'scale')[sent_osc % 2]}", (sent_osc % 100) / 100 + 0.5)
            sent_osc += 1
        time.sleep(tick)
    midi.close_port()
    print(json.dumps({"midi": sent_midi, "osc": sent_osc, "seconds": time.monotonic() - start}), flush=True)


def rss_kib(pid: int) -> tuple[int, int] | None:
    """(VmRSS, RssAnon) in KiB.  RssAnon (the heap) is what a leak grows; VmRSS also counts the mapped libraries'
    pages, which the kernel drops and reloads when other processes need the memory."""
    try:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                      if ":" in line)
        return int(fields["VmRSS"].split()[0]), int(fields["RssAnon"].split()[0])
    except (OSError, KeyError, ValueError):
        return None


def cpu_pressure() -> str | None:
    """The kernel's CPU pressure line ("some avg10=… avg60=… avg300=…": the share of time tasks waited for a
    CPU)."""
    try:
        return Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None


def trained_model(folder: Path, preset: str) -> tuple[Path, Path]:
    """(a trained model folder, a 20-second input): the tiny preset's frames, ``preset`` trained for one epoch."""
    import numpy as np
    import soundfile

    songs = folder / "songs"
    songs.mkdir(parents=True)
    t = np.arange(int(20 * RATE)) / RATE
    for index in range(3):
        tone = 0.3 * np.sin(2 * np.pi * (220 + 110 * index) * t) + 0.1 * np.sin(2 * np.pi * 1500 * t) * (t % 0.5 < 0.1)
        soundfile.write(songs / f"song{index}.wav", tone, RATE, subtype="PCM_16")
    run = folder / "run"
    for module, extra in (("autoencoder_synth.preprocess", ["--preset", "tiny", "--input", str(songs)]),
                          ("autoencoder_synth.train", ["--preset", preset, "--set", "max_epochs=1"])):
        subprocess.run([sys.executable, "-m", module, "--run", str(run), *extra], cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return run / preset, songs / "song1.wav"


def live(args) -> dict:
    sys.path.insert(0, str(REPO / "tests"))  # for tests/jack_server.py
    scratch = Path(tempfile.mkdtemp(prefix="soak-"))
    try:
        return _live(args, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _live(args, scratch: Path) -> dict:
    from jack_server import JackServer  # noqa: E402  (tests/jack_server.py)

    if args.model:
        model, source = Path(args.model), args.input
    else:
        model, source = trained_model(scratch, args.live_model)
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        osc_port = probe.getsockname()[1]
    with JackServer(RATE, HOP) as server:
        flooder = subprocess.Popen([sys.executable, __file__, "--flood", "--osc-port", str(osc_port), "--rate",
                                    str(args.rate), "--seconds", str(args.seconds), "--midi-api", MIDI_API],
                                   cwd=REPO, env=server.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert flooder.stdout.readline().strip() == "ready"
        report = scratch / "report.json"
        command = ["-m", "autoencoder_synth.play", "--model", str(model), "--loop", "--processing", "--device", "JACK",
                   "--midi-api", MIDI_API, "--osc-port", str(osc_port), "--seconds", str(args.seconds + 5),
                   "--report", str(report)] + ([] if source is None else ["--input", str(source)])
        player = subprocess.Popen([sys.executable, *command], cwd=REPO, env=server.env(), stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        ready, tail = threading.Event(), []

        def read():
            for line in player.stdout:
                tail[:] = (tail + [line])[-40:]
                if line.startswith("blocks "):
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(120):
            player.kill()
            raise RuntimeError("play did not start: " + "".join(tail))
        started, load_before, pressure_before = time.monotonic(), os.getloadavg(), cpu_pressure()
        flooder.stdin.write("go\n")
        flooder.stdin.flush()
        rss = []  # (seconds since the stream started, VmRSS KiB, RssAnon KiB)
        while player.poll() is None:
            value = rss_kib(player.pid)
            if value is not None:
                rss.append((time.monotonic() - started, *value))
            time.sleep(1.0)
        load_after, pressure_after = os.getloadavg(), cpu_pressure()
        sent = json.loads(flooder.stdout.readline())
        flooder.wait(30)
        jack_xruns = server.xruns()
    summary = json.loads(report.read_text())
    # from a minute in, to the end of the flood (before the player exits)
    settle = 60.0 if args.seconds >= 120 else 10.0
    settled = [sample for sample in rss if settle <= sample[0] <= args.seconds] or rss
    compute = summary["compute"]
    return {
        "command": "nice -n 10 python benchmarks/autoencoder_instrument.py --live " + " ".join(
            f"--{key} {value}" for key, value in (("seconds", f"{args.seconds:g}"), ("rate", f"{args.rate:g}"))),
        "machine": machine(), "model": args.model or f"{args.live_model} (tiny preset, 1 epoch)",
        "midi_api": MIDI_API, "seconds": args.seconds, "sample_rate": RATE, "hop": HOP,
        "block_period_ms": 1000 * PERIOD, "blocks": summary["blocks"],
        "xruns_callback": summary["underruns"], "xrun_blocks": summary["underrun_blocks"], "xruns_jackd": jack_xruns,
        "late_blocks": summary["late"],
        "compute_median_ms": compute["median_ms"], "compute_p99_ms": compute["p99_ms"],
        "compute_max_ms": compute["max_ms"],
        "compute_p99_percent_of_period": compute["p99_percent_of_period"],
        "messages_sent": {"midi": sent["midi"], "osc": sent["osc"]},
        "messages_per_second": (sent["midi"] + sent["osc"]) / sent["seconds"],
        "messages_applied": summary["messages"], "messages_lost": sent["midi"] + sent["osc"] - summary["messages"],
        "ignored": summary["ignored"],
        "load_average_1_5_15_min": {"start": [round(x, 2) for x in load_before],
                                    "end": [round(x, 2) for x in load_after]},
        "cpu_pressure": {"start": pressure_before, "end": pressure_after},
        "rss_from_s": settle, "rss_to_s": round(settled[-1][0]),
        "rss_kib_from": settled[0][1], "rss_kib_end": settled[-1][1],
        "rss_growth_mb": (settled[-1][1] - settled[0][1]) / 1024,
        "rss_anon_kib_from": settled[0][2], "rss_anon_kib_end": settled[-1][2],
        "rss_anon_kib_max": max(sample[2] for sample in settled),
        "rss_anon_growth_mb": (settled[-1][2] - settled[0][2]) / 1024,
        "rss_kib_every_30s": [[round(at), kib, anon] for index, (at, kib, anon) in enumerate(rss) if index % 30 == 0],
        "midi_input": summary["midi_input"],
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--blocks", type=int, default=2000, help="blocks timed back to back")
    parser.add_argument("--seconds", type=float, help="length of the simulated real-time run per model (default 60), "
                                                      "or of the --live soak (default 600)")
    parser.add_argument("--live", action="store_true", help="the soak test of the real player under JACK (see above)")
    parser.add_argument("--live-model", default="ae1-256", help="--live: the model preset trained for the soak")
    parser.add_argument("--model", help="--live: play this trained model folder instead")
    parser.add_argument("--input", help="--live: with --model, the input to loop (default: the run's)")
    parser.add_argument("--rate", type=float, default=300.0, help="--live: MIDI and OSC messages per second, each")
    parser.add_argument("--out", type=Path, help="--live: write the figures to this JSON file")
    parser.add_argument("--flood", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--osc-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--midi-api", default=MIDI_API, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.flood:
        flood(args.osc_port, args.rate, args.seconds, args.midi_api)
        return
    if args.live:
        args.seconds = 600.0 if args.seconds is None else args.seconds
        figures = live(args)  # its scratch folder (the trained model, the report) is removed on the way out
        text = json.dumps(figures, indent=1)
        print(text)
        if args.out:
            args.out.write_text(text + "\n")
        return
    args.seconds = 60.0 if args.seconds is None else args.seconds
    lines = [f"Machine: {machine()}.", "",
             f"One block = hop {HOP} at {RATE} Hz = {1000 * PERIOD:.1f} ms. Compute: `Session.step` over {args.blocks} "
             f"blocks back to back; simulated run: {args.seconds:g} s at the real block rate.", "",
             "| model | median (ms) | 99th percentile (ms) | median, % of period | 99th pct, % of period | "
             "simulated run: blocks | late blocks |", "|---|---|---|---|---|---|---|"]
    for name in args.models:
        session = session_for(name, max(args.seconds, args.blocks * PERIOD))
        block_times(session, 50)  # warm-up
        times = block_times(session, args.blocks)
        count, late = simulated_run(session, args.seconds)
        median, p99 = np.median(times), np.percentile(times, 99)
        lines.append(f"| {name} | {1000 * median:.2f} | {1000 * p99:.2f} | {100 * median / PERIOD:.2f} | "
                     f"{100 * p99 / PERIOD:.2f} | {count} | {late} |")
        print(lines[-1], flush=True)
    write_table("autoencoder_instrument", lines)


if __name__ == "__main__":
    main()
