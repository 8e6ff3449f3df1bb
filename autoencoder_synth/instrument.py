"""The engine of Sarroff & Casey's instrument (``PlayStreaming``; README, "The equations"): pure DSP, one hop of audio
per block.

Each block: the control changes due are applied to the :class:`~autoencoder_synth.controls.ControlState`
(all of them, Q12/Q14), then one frame of the input (the file at the play position, or the
rolling line-in buffer) goes through :class:`~autoencoder_synth.synth.Resynthesiser`: |FFT| →
÷ max → encoders → × the per-unit multipliers at the innermost layer → decoders → × max →
the frame's phase (or the vocoder's) → Hann × 2/3 overlap-add → ``hop`` samples, clipped.
With processing off (the original's start state) the frame passes unprocessed: 2/3 of the
input with the rectangular analysis.  ``no input`` (the paper's announced mode, §4 of the
paper): no encoder; the innermost code is ``base × multipliers`` (``base`` = 1 by default,
so a fader sets a unit's activation directly), decoded every block, vocoder phase.

The same object serves the live player (``play.py``, in the audio callback) and the offline
render (:func:`render`), so the tests of one are tests of the other.
"""

from __future__ import annotations

import queue
import time
from array import array

import numpy as np

from autoencoder_synth.synth import NumpyAutoencoder, Resynthesiser


class Instrument:
    """Input + control state + model → one block of ``hop`` samples per :meth:`next_block`."""

    def __init__(self, network: NumpyAutoencoder, maxvec, state, signal=None, fft_size=2048, hop=1024, phase="original",
                 analysis="rect", seed=0, loop=False, line_in=False, base_code=None):
        no_input = signal is None and not line_in
        self.engine = Resynthesiser(network, maxvec, fft_size, hop, "vocoder" if no_input else phase, seed, analysis)
        self.network, self.state, self.loop, self.no_input = network, state, loop, no_input
        self.signal = None if signal is None else np.asarray(signal, dtype=np.float64)
        self.buffer = np.zeros(fft_size) if line_in else None  # the rolling line-in frame
        self.base = np.ones(network.code_size) if base_code is None else np.asarray(base_code, dtype=np.float64)
        self.position = 0  # the next frame's first sample in the file
        self.ended = False  # the input ran out (not looping)

    @property
    def hop(self) -> int:
        return self.engine.hop

    def handle(self, events) -> None:
        """React to the control state's events: Stop rewinds the file and empties the overlap-add."""
        if "rewind" in events:
            self.position = 0
            self.engine.overlap[:] = 0.0

    def feed(self, samples) -> None:
        """Line in: push ``hop`` new input samples into the rolling frame."""
        self.buffer = np.concatenate([self.buffer[len(samples):], np.asarray(samples, dtype=np.float64)])

    def next_block(self):
        """The next ``hop`` output samples; None once the input has ended (not looping) or Cycle quit."""
        if not self.state.running or self.ended:
            return None
        if not self.state.playing:  # paused: silence, the position held
            return np.zeros(self.hop)
        multipliers = self.state.multipliers()
        if self.no_input:
            return self.engine.process_code(self.base * multipliers)
        if self.buffer is not None:
            frame = self.buffer
        else:
            size = self.engine.fft_size
            # Q16: the original repeated a block and looped; we stop or loop
            if self.position + size > len(self.signal):
                if not self.loop or len(self.signal) < size:
                    self.ended = True
                    return None
                self.position = 0
            frame = self.signal[self.position:self.position + size]
            self.position += self.hop
        return self.engine.process(frame, multipliers, self.state.processing)

    def tail(self) -> np.ndarray:
        """What the overlap-add still holds after the last block."""
        return np.clip(self.engine.overlap, -1.0, 1.0)


class Session:
    """One live performance: the messages received (MIDI and OSC threads put them on ``pending``), the automation,
    and :meth:`step`, what the audio callback runs for each block.

    ``keep``: keep every message received (:attr:`recorded`, :attr:`log`) and leave room for the blocks played
    (:attr:`produced`, filled by the player's ``--record`` tap); off, a session's memory does not grow with the
    messages it receives (:attr:`compute`, 8 bytes a block, is the only thing that grows)."""

    def __init__(self, instrument: Instrument, automation: dict | None = None, period: float = np.inf,
                 keep: bool = True):
        self.instrument, self.automation, self.period, self.keep = instrument, automation or {}, period, keep
        self.pending: queue.SimpleQueue = queue.SimpleQueue()
        self.recorded: list[tuple[int, int, int, int]] = []  # (block, channel, control, value) of each MIDI CC received
        self.log: list[list] = []  # [block, "midi", type, channel, control, value] / [block, "osc", address, [values]]
        self.produced: list[np.ndarray] = []  # the blocks played, when the player records them
        self.compute = array("d")  # seconds each step took: messages applied and the block computed
        self.blocks = self.underruns = self.late = self.applied = self.messages = 0  # applied: automation events
        self.underrun_blocks: list[int] = []  # where the first 100 underruns were flagged

    def drain(self) -> None:
        """Apply every pending message, in order (the original handled the last MIDI event of each poll: Q12)."""
        state = self.instrument.state
        while True:
            try:
                item = self.pending.get_nowait()
            except queue.Empty:
                return
            self.messages += 1
            if item[0] == "midi":
                message = item[1]
                if self.keep:
                    kind = getattr(message, "type", None)
                    if kind == "control_change":
                        self.recorded.append((self.blocks, message.channel + 1, message.control, message.value))
                    self.log.append([self.blocks, "midi", kind, getattr(message, "channel", None),
                                     getattr(message, "control", None), getattr(message, "value", None)])
                self.instrument.handle(state.apply_message(message))
            else:
                if self.keep:
                    self.log.append([self.blocks, "osc", item[1], [_plain(value) for value in item[2]]])
                self.instrument.handle(state.apply_osc(item[1], *item[2]))

    def apply_due(self) -> None:
        """Every pending message, then the automation events due at this block."""
        self.drain()
        for event in self.automation.get(self.blocks, ()):
            self.instrument.handle(self.instrument.state.apply_cc(event.control, event.value, event.channel))
            self.applied += 1

    def step(self, outdata, underflow=False, indata=None, applied=False) -> bool:
        """Fill ``outdata`` (hop × 1) with the next block; False once the instrument has finished."""
        started = time.perf_counter()
        if underflow:
            self.underruns += 1
            if len(self.underrun_blocks) < 100:
                self.underrun_blocks.append(self.blocks)
        if not applied:
            self.apply_due()
        if indata is not None:
            self.instrument.feed(indata[:, 0])
        block = self.instrument.next_block()
        self.blocks += 1
        if block is None:
            outdata.fill(0)
            return False
        outdata[:, 0] = block
        took = time.perf_counter() - started
        self.compute.append(took)
        self.late += took > self.period
        return True


def _plain(value):
    """An OSC argument as JSON can hold it."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return repr(value)


def render(instrument: Instrument, events_by_frame: dict, max_blocks=None) -> tuple[np.ndarray, dict]:
    """Offline: the live session's steps with the automation as the only input, until the input ends (then the overlap
    tail is appended), Cycle quits, Stop with no later event, or ``max_blocks``.  Returns (samples, summary)."""
    if max_blocks is None and (instrument.no_input or instrument.loop or instrument.buffer is not None):
        raise ValueError("an endless input (no input, loop, line in) needs max_blocks")
    session, blocks, last = Session(instrument, events_by_frame), [], max(events_by_frame, default=-1)
    buffer = np.zeros((instrument.hop, 1))
    while max_blocks is None or len(blocks) < max_blocks:
        session.apply_due()
        if max_blocks is None and not instrument.state.playing and len(blocks) >= last:
            break  # stopped or paused for good: no event left to press Play
        if not session.step(buffer, applied=True):
            break
        blocks.append(buffer[:, 0].copy())
    if instrument.ended:
        blocks.append(instrument.tail())
    state = instrument.state
    summary = {"blocks": len(blocks), "events": sum(map(len, events_by_frame.values())),
               "events_applied": session.applied,
               "ignored": state.ignored, "ended_by": "input end" if instrument.ended else "cycle" if not state.running
               else "stop" if not state.playing else "length"}
    return (np.concatenate(blocks) if blocks else np.zeros(0)), summary


def simulate_live(session: Session, blocks: int, period: float, before_block=None) -> dict:
    """Play ``blocks`` blocks at the real block rate without an audio device: block k may start at k ``period``
    seconds (the loop sleeps until then) and is late when it is not done by k + 1 (a sound card's callback deadline);
    ``before_block(k)``, if given, runs first (e.g. a control change queued on ``session.pending``).  Returns the
    blocks played, the late ones, and the median and 99th-percentile compute time of a block in ms."""
    out, late = np.zeros((session.instrument.hop, 1)), 0
    start = time.perf_counter()
    for block in range(blocks):
        wait = start + block * period - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        if before_block is not None:
            before_block(block)
        if not session.step(out):
            break
        late += time.perf_counter() > start + (block + 1) * period
    compute = np.asarray(session.compute) * 1000.0
    return {"blocks": session.blocks, "late_blocks": late, "period_ms": period * 1000.0,
            "median_block_ms": float(np.median(compute)) if len(compute) else None,
            "p99_block_ms": float(np.percentile(compute, 99)) if len(compute) else None}
