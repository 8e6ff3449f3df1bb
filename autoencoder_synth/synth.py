"""Sarroff & Casey's resynthesis path (``autocontrol.py`` PlayStreaming at HEAD; README, "The equations"):
audio → model → audio.

Frame by frame, at hop H: a rectangular frame of N samples (as the features were made, Q11),
F = rfft(frame)/N, the magnitude |F| normalised by the stored max vector, the encoders, the
innermost code × per-unit multipliers, the decoders, × the max vector; the phase of the
original frame (or, ``phase="vocoder"``, a phase accumulating the bin-centre advance 2π·H·k/N
from a seeded random start); x = N·irfft(X·e^{iφ}), × a periodic Hann × 2/3, overlap-added
at H and clipped to [−1, 1].  Unprocessed, the rectangular analysis and the Hann synthesis
at 50 % overlap give a constant gain of 2/3 (the original's).

The forward pass runs on the model's weights in numpy (:class:`NumpyAutoencoder`), not
through ``model.predict``: the same code serves the offline ``generate`` and the real-time
instrument, one frame per audio block.  Negative decoder outputs are not clipped (Q10).
"""

from __future__ import annotations

import numpy as np

from pathlib import Path

from autoencoder_synth.features import rectangular_frames
from shared.rundir import InputError

_ACTIVATIONS = {"sigmoid": lambda value: 1.0 / (1.0 + np.exp(-value)), "linear": lambda value: value}


class NumpyAutoencoder:
    """The encoders and decoders of an :class:`~autoencoder_synth.model.Autoencoder` or a composed one, as numpy."""

    def __init__(self, layers):
        self.layers = layers  # [(W, hb, vb, W′, decoder activation)], outermost first

    @classmethod
    def from_model(cls, model) -> "NumpyAutoencoder":
        parts = [model.first, model.second] if hasattr(model, "first") else [model]
        layers = []
        for part in parts:
            kernel = np.asarray(part.kernel, dtype=np.float64)
            prime = kernel.T if part.kernel_prime is None else np.asarray(part.kernel_prime, dtype=np.float64)
            layers.append((kernel, np.asarray(part.hidden_bias, np.float64), np.asarray(part.visible_bias, np.float64),
                           prime, part.decoder))
        return cls(layers)

    @property
    def code_size(self) -> int:
        return self.layers[-1][0].shape[1]

    def encode(self, x):
        for kernel, hidden_bias, _, _, _ in self.layers:
            x = _ACTIVATIONS["sigmoid"](x @ kernel + hidden_bias)
        return x

    def decode(self, code):
        for _, _, visible_bias, prime, activation in reversed(self.layers):
            code = _ACTIVATIONS[activation](code @ prime + visible_bias)
        return code

    def __call__(self, x, multipliers=None):
        code = self.encode(x)
        return self.decode(code if multipliers is None else code * multipliers)


def hann(fft_size: int) -> np.ndarray:
    """The periodic Hann window."""
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(fft_size) / fft_size)


def synthesis_window(fft_size: int) -> np.ndarray:
    """Periodic Hann × 2/3 (the original's synthesis window)."""
    return hann(fft_size) * (2.0 / 3.0)


def analysis_hop(analysis: str, fft_size: int = 2048, feature_hop: int = 1024) -> int:
    """The hop an analysis mode runs at: ``rect`` at the features' hop (HEAD's interface: rect × Hann·2/3 at 50 %
    overlap, a constant gain of 2/3); ``hann`` at N/4 (the paper-era interface, hop 512 for N = 2048: Hann × Hann·2/3
    at 75 % overlap sums to exactly 1).  Hann at hop N/2 would be the later "flubby" mode, a gain rippling 1/3–2/3."""
    if analysis == "rect":
        return feature_hop
    if analysis == "hann":
        return fft_size // 4
    raise ValueError(f"analysis {analysis!r}: accepted rect, hann")


class Resynthesiser:
    """Streaming analysis → model → overlap-add, one hop of output per frame (``process``).

    ``analysis="hann"`` windows the analysis frames with a periodic Hann (the paper-era
    interface, a mismatch with the training features, Q11): at hop N/4 the Hann × Hann × 2/3
    overlap-add then sums to exactly 1.
    """

    def __init__(self, network: NumpyAutoencoder | None, maxvec, fft_size=2048, hop=1024, phase="original", seed=0,
                 analysis="rect"):
        self.network, self.maxvec = network, np.asarray(maxvec, dtype=np.float64)
        self.fft_size, self.hop, self.phase_mode = fft_size, hop, phase
        self.window = synthesis_window(fft_size)
        self.analysis = None if analysis == "rect" else hann(fft_size)
        bins = fft_size // 2 + 1
        self.advance = 2 * np.pi * hop * np.arange(bins) / fft_size
        self.phase = np.random.default_rng(seed).uniform(-np.pi, np.pi, bins)  # the vocoder's random start
        self.overlap = np.zeros(fft_size - hop)
        self.magnitude = None  # the last frame's magnitude, after the model

    def spectrum(self, frames):
        """|F| and angle(F) of F = rfft(frame · analysis window) / N, for one frame or a stack."""
        spectra = np.fft.rfft(frames if self.analysis is None else frames * self.analysis, axis=-1) / self.fft_size
        return np.abs(spectra), np.angle(spectra)

    def process(self, frame, multipliers=None, processing=True) -> np.ndarray:
        """One frame of ``fft_size`` samples → ``hop`` output samples."""
        magnitude, phase = self.spectrum(np.asarray(frame, dtype=np.float64))
        if processing and self.network is not None:
            magnitude = self.network(magnitude / self.maxvec, multipliers) * self.maxvec  # faithful (Q10): no clipping
        return self.overlap_add(magnitude, phase)

    def process_code(self, code) -> np.ndarray:
        """No input: the innermost code decoded (× max), vocoder phase, overlap-added → ``hop`` samples."""
        return self.overlap_add(self.network.decode(np.asarray(code, dtype=np.float64)) * self.maxvec, None)

    def overlap_add(self, magnitude, phase) -> np.ndarray:
        """N·irfft(|X|·e^{iφ}) × the synthesis window, overlap-added at the hop, clipped (φ = None: the
        vocoder's)."""
        self.magnitude = magnitude
        if self.phase_mode == "vocoder" or phase is None:
            self.phase = np.angle(np.exp(1j * (self.phase + self.advance)))
            phase = self.phase
        samples = self.fft_size * np.fft.irfft(magnitude * np.exp(1j * phase), self.fft_size) * self.window
        out = samples[:self.hop].copy()
        out[: len(self.overlap)] += self.overlap[: self.hop]
        self.overlap = np.concatenate([self.overlap[self.hop:], np.zeros(self.hop)]) + samples[self.hop:]
        return np.clip(out, -1.0, 1.0)

    def frames(self, signal) -> np.ndarray:
        """The rectangular frames of a signal: at 0, H, 2H, … while a whole frame fits."""
        return rectangular_frames(np.asarray(signal, dtype=np.float64), self.fft_size, self.hop)

    def render(self, signal, multipliers=None, processing=True) -> np.ndarray:
        """Faithful: a whole signal streamed frame by frame through :meth:`process`, plus the overlap tail."""
        blocks = [self.process(frame, multipliers, processing) for frame in self.frames(signal)]
        return np.concatenate(blocks + [np.clip(self.overlap, -1.0, 1.0)]) if blocks else np.zeros(0)

    def render_fast(self, signal, multipliers=None, processing=True) -> np.ndarray:
        """Fast: :meth:`render` with every frame at once (one batched FFT, forward pass and overlap-add).

        Equal to the streaming render because every output sample is complete (all its frames
        added) when the stream emits and clips it.  Starts from this object's vocoder phase and
        leaves its state untouched.
        """
        frames = self.frames(signal)
        if not len(frames):
            return np.zeros(0)
        magnitude, phase = self.spectrum(frames)
        if processing and self.network is not None:
            magnitude = self.network(magnitude / self.maxvec, multipliers) * self.maxvec
        if self.phase_mode == "vocoder":
            phase = self.phase + np.arange(1, len(frames) + 1)[:, None] * self.advance
        pieces = self.fft_size * np.fft.irfft(magnitude * np.exp(1j * phase), self.fft_size, axis=1) * self.window
        out = np.zeros(len(frames) * self.hop + self.fft_size)
        for offset in range(0, self.fft_size, self.hop):  # ⌈N/H⌉ strided adds instead of one add per frame
            part = pieces[:, offset:offset + self.hop]
            out[offset:offset + len(frames) * self.hop].reshape(len(frames), self.hop)[:, :part.shape[1]] += part
        return np.clip(out[:(len(frames) - 1) * self.hop + self.fft_size], -1.0, 1.0)


def load_network(run_or_model_dir) -> tuple[NumpyAutoencoder, Path]:
    """The numpy forward of a trained model and its run folder: ``<run>/<model>``, or a run (its ``model`` setting).

    An ``ae2-<HL1>-<HL2>`` is played stacked under the run's ``ae1-<HL1>`` (the paper's AE2 learns AE1's codes).
    The run must hold its ``data/maxvec.npy`` (the resynthesis multiplies by it).
    """
    from autoencoder_synth.model import load_trained, model_folder  # Keras: only when a model is loaded

    model_dir = model_folder(run_or_model_dir)
    if not (model_dir / "model.keras").is_file():
        raise InputError(model_dir, "not a trained model folder (no model.keras): give <run>/<model>, e.g. "
                                    "runs/ae/frames/ae1-256")
    run_dir = model_dir.parent
    if not (run_dir / "data" / "maxvec.npy").is_file():
        raise InputError(run_dir, "no data/maxvec.npy beside the model: the model folder must sit in its "
                                  "preprocessed run")
    try:
        network = NumpyAutoencoder.from_model(load_trained(model_dir))
        if model_dir.name.startswith("ae2-"):
            first = NumpyAutoencoder.from_model(load_trained(run_dir / f"ae1-{model_dir.name.split('-')[1]}"))
            network = NumpyAutoencoder(first.layers + network.layers)
    except InputError:
        raise
    except Exception as error:  # a corrupt file, another work's model: whatever Keras or the weights' shapes raise
        reason = (str(error).strip().splitlines() or [""])[0][:200]
        raise InputError(model_dir / "model.keras",
                         f"not a trained autoencoder_synth model ({type(error).__name__}: {reason}); "
                         "train one with python -m autoencoder_synth.train") from None
    return network, run_dir


def load_maxvec(run_dir, size: int) -> np.ndarray:
    """``<run>/data/maxvec.npy``, checked against the model's input size."""
    path = Path(run_dir) / "data" / "maxvec.npy"
    try:
        maxvec = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise InputError(path, f"not a numpy array file ({error})") from None
    if maxvec.shape != (size,) or not np.all(np.isfinite(maxvec)):
        raise InputError(path, f"expected {size} finite maxima (one per bin), found shape {maxvec.shape}: "
                               "rerun python -m autoencoder_synth.preprocess")
    return maxvec
