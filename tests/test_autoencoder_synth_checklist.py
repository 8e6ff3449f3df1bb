"""autoencoder_synth/: one test (or more) per item of the README's checklist, each against an independent computation.

Every expected value here is computed in the test itself from the 2014 code's description
(bregman's STFT framing, numpy's legacy seed-9778 permutation, pylearn2's autoencoder forward,
MeanSquaredReconstructionError, Momentum update and Or(MonitorBased, EpochCounter) stopping,
the PlayStreaming overlap-add) or written as a literal from the source, never by a second
call into the module under test.  Shapes are tiny so the module runs in seconds.  The tests that need no Keras
(items 1–3 and 12–14) come first, so that the mutation check, which stops at the first failure, is quick.
"""

import dataclasses
import json
import numpy as np
import pytest
import soundfile

from autoencoder_synth import features, preprocess
from autoencoder_synth import train as ae_train
from autoencoder_synth import training as ae_training
from autoencoder_synth.config import TABLE_1, TABLE_2, TABLE_3, AutoencoderConfig, model_settings
from autoencoder_synth.model import load_trained
from autoencoder_synth.synth import NumpyAutoencoder, Resynthesiser

RATE, N, HOP = 22050, 2048, 1024  # the paper's rate, FFT size and the features' hop (literals from the source)


def sigmoid(value):
    return 1.0 / (1.0 + np.exp(-value))


def pylearn2_autoencoder(x, W, hb, vb, decoder="linear", W_prime=None):
    """pylearn2's Autoencoder.reconstruct: act_dec(act_enc(x·W + hb)·W′ + vb), W′ = Wᵀ when tied."""
    h = sigmoid(x @ W + hb)
    z = h @ (W.T if W_prime is None else W_prime) + vb
    return sigmoid(z) if decoder == "sigmoid" else z


def periodic_hann(size):
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(size) / size)


def write_stereo_songs(folder, seconds=(0.5, 0.6, 0.45)):
    """Stereo int16 songs whose left and right channels differ; returns the left channels as int16."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    lefts = []
    for index, length in enumerate(seconds):
        count = int(length * RATE)
        t = np.arange(count) / RATE
        left = (0.2 + 0.2 * index) * np.sin(2 * np.pi * (300 + 170 * index) * t) + 0.05 * rng.standard_normal(count)
        right = 0.4 * np.sin(2 * np.pi * 2500 * t) * (1 + index)
        pcm = np.clip(np.round(np.stack([left, right], axis=1) * 32767), -32768, 32767).astype(np.int16)
        soundfile.write(folder / f"song{index}.wav", pcm, RATE, subtype="PCM_16")
        lefts.append(pcm[:, 0])
    return lefts


def bregman_frames(samples):
    """bregman's 2014 STFT: a wfft buffer shifted by hop, emitted once full, no window, |rfft|/N; partial hop
    dropped."""
    frames, start = [], 0
    while start + N <= len(samples):
        frames.append(np.abs(np.fft.rfft(samples[start:start + N])) / N)
        start += HOP
    return np.array(frames)


@pytest.fixture(scope="module")
def frames_run(tmp_path_factory):
    """A run preprocessed with the default settings, only the split sizes shrunk; and the expected frames."""
    root = tmp_path_factory.mktemp("frames")
    lefts = write_stereo_songs(root / "songs")
    config = dataclasses.replace(AutoencoderConfig(), train_frames=14, valid_frames=5, test_frames=5)
    preprocess.preprocess(root / "songs", root / "run", config, progress=False)
    pooled = np.concatenate([bregman_frames(left.astype(np.float64) / 32768.0) for left in lefts])
    return root / "run", pooled


# ---------------------------------------------------------------------------------------------- 1. features


def test_item01_source_feature_settings():
    config = AutoencoderConfig()
    assert (config.sample_rate, config.fft_size, config.hop) == (22050, 2048, 1024)


def test_item01_left_channel_over_32768(tmp_path):
    lefts = write_stereo_songs(tmp_path)
    signal = features.load_song(tmp_path / "song1.wav", AutoencoderConfig())
    np.testing.assert_array_equal(signal, lefts[1].astype(np.float64) / 32768.0)  # WavOpen: channel 0, /32768


def test_item01_rectangular_frames_at_hop_1024_magnitude_over_n():
    samples = np.random.default_rng(3).uniform(-0.5, 0.5, N + 5 * HOP + 700)
    expected = bregman_frames(samples)
    assert expected.shape == (6, 1025)
    np.testing.assert_allclose(features.magnitude_frames(samples), expected, rtol=1e-5, atol=1e-9)


def test_item01_pipeline_frames_are_bregmans(frames_run):
    run, pooled = frames_run
    maxvec = np.load(run / "data" / "maxvec.npy")
    train = np.load(run / "data" / "train.npy")
    # frames per song: (len − 2048) // 1024 + 1
    assert train.dtype == np.float32 and train.shape == (14, 1025) and len(pooled) == 9 + 11 + 8
    np.random.seed(9778)
    order = np.random.permutation(len(pooled))
    np.testing.assert_allclose(train * maxvec, pooled[order[:14]], rtol=1e-5, atol=1e-9)


# ---------------------------------------------------------------------------------------------- 2. data split


def test_item02_source_split_settings():
    config = AutoencoderConfig()
    assert (config.train_frames, config.valid_frames, config.test_frames) == (50000, 10000, 10000)
    assert config.split_seed == 9778 and config.split == "frame"


def test_item02_frame_level_split_is_numpys_seed_9778_permutation(frames_run):
    run, pooled = frames_run
    np.random.seed(9778)  # deepAE.py: np.random.seed(9778); np.random.permutation over all pooled frames
    order = np.random.permutation(len(pooled))
    with np.load(run / "data" / "index.npz") as index:
        songs = np.repeat([0, 1, 2], [9, 11, 8])
        positions = np.concatenate([np.arange(9), np.arange(11), np.arange(8)])
        for name, rows in (("train", order[:14]), ("valid", order[14:19]), ("test", order[19:24])):
            np.testing.assert_array_equal(index[f"{name}_song"], songs[rows])
            np.testing.assert_array_equal(index[f"{name}_frame"], positions[rows])
    assert len(set(songs[order[:14]]) & set(songs[order[14:19]])) > 0  # frame level: a song in train and valid


# ---------------------------------------------------------------------------------------------- 3. normalisation


def test_item03_per_bin_max_of_the_training_frames(frames_run):
    run, pooled = frames_run
    assert AutoencoderConfig().normalisation == "per-bin"
    np.random.seed(9778)
    order = np.random.permutation(len(pooled))
    train_max = pooled[order[:14]].max(axis=0)
    assert not np.allclose(train_max, pooled.max(axis=0), rtol=1e-3)  # the test can tell train from all frames
    maxvec = np.load(run / "data" / "maxvec.npy")
    np.testing.assert_allclose(maxvec, np.maximum(train_max, 1e-12), rtol=1e-6)
    for name, rows in (("train", order[:14]), ("valid", order[14:19]), ("test", order[19:24])):
        np.testing.assert_allclose(np.load(run / "data" / f"{name}.npy"), pooled[rows] / train_max, rtol=1e-5)
    assert np.load(run / "data" / "train.npy").max(axis=0).max() == pytest.approx(1.0, abs=1e-6)


def test_item03_global_max_option(tmp_path):
    lefts = write_stereo_songs(tmp_path / "songs")
    config = dataclasses.replace(AutoencoderConfig(), train_frames=14, valid_frames=5, test_frames=5,
                                 normalisation="global")
    preprocess.preprocess(tmp_path / "songs", tmp_path / "run", config, progress=False)
    pooled = np.concatenate([bregman_frames(left / 32768.0) for left in lefts])
    np.random.seed(9778)
    train_max = pooled[np.random.permutation(len(pooled))[:14]].max()
    np.testing.assert_allclose(np.load(tmp_path / "run" / "data" / "maxvec.npy"), np.full(1025, train_max), rtol=1e-6)


def small_network(seed=0, hidden=6, decoder="linear", negative=False):
    rng = np.random.default_rng(seed)
    W = rng.uniform(-0.05, 0.05, (1025, hidden))
    hb, vb = rng.normal(0, 0.5, hidden), rng.normal(-0.3 if negative else 0.1, 0.2, 1025)
    return (W, hb, vb), NumpyAutoencoder([(W, hb, vb, W.T, decoder)])


def test_item03_synthesis_divides_then_multiplies_by_the_max_vector():
    (W, hb, vb), network = small_network()
    maxvec = np.random.default_rng(1).uniform(0.01, 0.2, 1025)
    frame = np.random.default_rng(2).uniform(-0.3, 0.3, N)
    engine = Resynthesiser(network, maxvec)
    engine.process(frame, processing=True)
    expected = pylearn2_autoencoder(np.abs(np.fft.rfft(frame)) / N / maxvec, W, hb, vb) * maxvec
    np.testing.assert_allclose(engine.magnitude, expected, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------------------------- the source's numbers
# (items 4–10; no Keras needed, so a changed setting fails within seconds)


def test_item04_table_1_grid_and_values():
    assert sorted(TABLE_1) == [8, 16, 64, 256, 512, 1024, 1500, 2048, 2500, 3500]
    assert TABLE_1 == {
        8: {0.0: 0.0440}, 16: {0.0: 0.0414}, 64: {0.0: 0.0276}, 256: {0.0: 0.0187},
        512: {0.0: 0.0198, 0.10: 0.0664, 0.25: 0.0854, 0.50: 0.0921},
        1024: {0.0: 0.0352, 0.10: 0.0711, 0.25: 0.0927, 0.50: 0.0980},
        1500: {0.0: 0.0371, 0.01: 0.0360, 0.02: 0.0405, 0.05: 0.0547},
        2048: {0.0: 0.0983, 0.10: 0.1798, 0.25: 0.2114, 0.50: 0.0972},
        2500: {0.0: 0.0951, 0.01: 0.0951, 0.02: 0.0951, 0.05: 0.0951},
        3500: {0.0: 0.0951, 0.01: 0.0951, 0.02: 0.0951, 0.05: 0.0951},
    }
    from autoencoder_synth import sweep

    cells = sweep.cells(1)[0]
    assert len(cells) == 28 and "ae1-512-noise0.5" in cells and "ae1-1500-noise0.01" in cells
    assert model_settings("ae1-512-noise0.1") == {"kind": "ae1", "hidden": 512, "noise_std": 0.1}


def test_item05_table_2_values():
    assert TABLE_2 == {
        (256, 8): {0.0: 0.0184, 0.10: 0.0184, 0.25: 0.0184}, (256, 16): {0.0: 0.0184, 0.10: 0.0184, 0.25: 0.0184},
        (256, 32): {0.0: 0.0184, 0.10: 0.0184, 0.25: 0.0184}, (1500, 8): {0.0: 0.0485, 0.10: 0.0484, 0.25: 0.0482},
        (1500, 16): {0.0: 0.0509, 0.10: 0.0506, 0.25: 0.0504}, (1500, 32): {0.0: 0.0521, 0.10: 0.0540, 0.25: 0.0562},
    }


def test_item06_deep_has_no_corruption_and_table_3():
    with pytest.raises(ValueError):
        model_settings("deep-256-8-noise0.1")
    assert TABLE_3 == {(256, 8): {"valid": 0.0723, "test": 0.1006}, (1500, 8): {"valid": 0.0953, "test": 0.1333}}


def test_item07_source_weight_settings():
    config = AutoencoderConfig()
    assert config.tied is True and config.irange == 0.05 and config.seed == 1978 and config.noise_seed == 2001


def test_item09_source_optimizer_settings():
    config = AutoencoderConfig()
    assert (config.learning_rate, config.momentum, config.batch_size) == (0.005, 0.5, 100)


def test_item10_source_stopping_settings():
    config = AutoencoderConfig()
    assert (config.patience, config.prop_decrease, config.epoch_counter) == (5, 0.001, 250)
    assert config.stopping == "pylearn2" and config.max_epochs is None  # no cap: pylearn2 had none


# ---------------------------------------------------------------------------------------------- 12. interface


def test_item12_controls_scale_the_innermost_post_sigmoid_code():
    """Fader value/127 × knob 2·value/127 × mute on unit 8·bank + strip; the product multiplies the innermost
    activations (the factory map and every control are also held by tests/test_autoencoder_controls.py)."""
    from autoencoder_synth.controls import ControlState

    state = ControlState(20)
    assert not state.processing and state.set_mode == "zero"  # starts with the original audio; Set zeroes (paper)
    state.apply_cc(59, 127)  # Track ▶: bank 1
    state.apply_cc(3, 64)  # fader of strip 3 → unit 11
    state.apply_cc(19, 100)  # knob of strip 3
    state.apply_cc(49, 127)  # M of strip 1 → unit 9 muted
    expected = np.ones(20)
    expected[11], expected[9] = (64 / 127) * (2 * 100 / 127), 0.0
    np.testing.assert_allclose(state.multipliers(), expected, rtol=1e-12)
    state.apply_cc(60, 127)  # Set: every unit to 0
    assert not state.multipliers().any()
    state.apply_cc(45, 127)  # Record: identity
    np.testing.assert_array_equal(state.multipliers(), np.ones(20))
    rng = np.random.default_rng(14)
    W1, W2 = rng.uniform(-0.05, 0.05, (1025, 12)), rng.uniform(-0.5, 0.5, (12, 4))
    hb1, vb1, hb2, vb2 = rng.normal(0, 0.3, 12), rng.normal(0, 0.1, 1025), rng.normal(0, 0.3, 4), rng.normal(0, 0.3, 12)
    network = NumpyAutoencoder([(W1, hb1, vb1, W1.T, "linear"), (W2, hb2, vb2, W2.T, "sigmoid")])
    x, multipliers = rng.uniform(0, 1, (3, 1025)), np.array([0.0, 0.5, 1.7, 1.0])
    code = sigmoid(sigmoid(x @ W1 + hb1) @ W2 + hb2) * multipliers
    np.testing.assert_allclose(network(x, multipliers), sigmoid(code @ W2.T + vb2) @ W1.T + vb1, rtol=1e-12)


# ---------------------------------------------------------------------------------------------- 13. resynthesis


def playstreaming(frames, process, hop=HOP, first_processed=0):
    """PlayStreaming.process_frame + play_frame, transcribed: F = rfft(frame)/N, the magnitude processed (from frame
    ``first_processed`` on), the phase kept, x = real(N·irfft), x·Hann·2/3, out = x[:hop] + ola[:hop], ola shifted
    and accumulated, clipped to [−1, 1]."""
    ola, out = np.zeros(N), []
    window = periodic_hann(N) * 2.0 / 3.0
    for index, frame in enumerate(frames):
        spectrum = np.fft.rfft(frame) / N
        magnitude = process(np.abs(spectrum)) if index >= first_processed else np.abs(spectrum)
        x = np.real(N * np.fft.irfft(magnitude * np.exp(1j * np.angle(spectrum)), N)) * window
        block = x[:hop] + ola[:hop]
        ola = np.concatenate([ola[hop:], np.zeros(hop)])
        ola[: N - hop] += x[hop:]
        out.append(np.clip(block, -1.0, 1.0))
    return np.concatenate(out)


def test_item13_resynthesis_is_playstreamings_path():
    (W, hb, vb), network = small_network(negative=True)
    maxvec = np.random.default_rng(15).uniform(0.05, 0.4, 1025)
    signal = np.random.default_rng(16).uniform(-0.9, 0.9, N + 6 * HOP)
    engine = Resynthesiser(network, maxvec)
    frames = engine.frames(signal)
    assert np.any(pylearn2_autoencoder(np.abs(np.fft.rfft(frames)) / N / maxvec, W, hb, vb) < 0)  # Q10 exercised
    ours = np.concatenate([engine.process(frame) for frame in frames])
    expected = playstreaming(frames, lambda magnitude: pylearn2_autoencoder(magnitude / maxvec, W, hb, vb) * maxvec)
    assert np.abs(expected).max() == 1.0  # the clip is exercised
    np.testing.assert_allclose(ours, expected, atol=1e-9)


def test_item13_unprocessed_overlap_add_gains_are_the_closed_forms():
    """rect × Hann·2/3 at hop N/2: Σ = 2/3; Hann × Hann·2/3 at hop N/4: (2/3)·Σ hann² = (2/3)·1.5 = 1."""
    signal = np.random.default_rng(17).uniform(-0.4, 0.4, 8 * N)
    out = Resynthesiser(None, np.ones(1025)).render(signal, processing=False)
    np.testing.assert_allclose(out[N:6 * N], signal[N:6 * N] * 2 / 3, atol=1e-12)
    engine = Resynthesiser(None, np.ones(1025), hop=512, analysis="hann")
    out = engine.render(signal, processing=False)
    np.testing.assert_allclose(out[N:6 * N], signal[N:6 * N], atol=1e-12)


def test_item13_vocoder_phase_accumulates_the_bin_advance():
    engine = Resynthesiser(None, np.ones(1025), phase="vocoder", seed=3)
    start = engine.phase.copy()
    phases = []
    for _ in range(3):
        engine.process(np.random.default_rng(18).uniform(-0.1, 0.1, N))
        phases.append(engine.phase.copy())
    advance = 2 * np.pi * HOP * np.arange(1025) / N
    for k, phase in enumerate(phases, start=1):  # φ_k = wrap(φ_0 + k·2π·hop·bin/N)
        np.testing.assert_allclose(np.exp(1j * phase), np.exp(1j * (start + k * advance)), atol=1e-9)


@pytest.fixture()
def fake_model_run(tmp_path, monkeypatch):
    """A run folder with a small numpy network standing in for a trained model (play and generate load it)."""
    from autoencoder_synth import generate, play
    from shared.rundir import save_npy, write_config

    (W, hb, vb), network = small_network(seed=19)
    run = tmp_path / "run"
    save_npy(run / "data" / "maxvec.npy", np.full(1025, 0.05, np.float32))
    write_config(run, AutoencoderConfig())
    (run / "ae1-6").mkdir(parents=True)
    monkeypatch.setattr(play, "load_network", lambda path: (network, run))
    monkeypatch.setattr(generate, "load_network", lambda path: (network, run))
    song = tmp_path / "song.wav"
    pcm = np.round(np.random.default_rng(20).uniform(-0.5, 0.5, N + 20 * HOP) * 32767).astype(np.int16)
    soundfile.write(song, pcm, RATE, subtype="PCM_16")
    return run, song, pcm, (W, hb, vb)


def test_item13_generate_writes_int16_of_the_clipped_output_times_32767(fake_model_run):
    from autoencoder_synth import generate

    run, song, pcm, (W, hb, vb) = fake_model_run
    generate.generate(run, "ae1-6", song)
    written, rate = soundfile.read(run / "generated" / "ae1-6_song.wav", dtype="int16")
    signal = pcm / 32768.0
    frames = signal[np.arange((len(signal) - N) // HOP + 1)[:, None] * HOP + np.arange(N)]
    streamed = playstreaming(frames, lambda m: pylearn2_autoencoder(m / 0.05, W, hb, vb) * 0.05)
    assert rate == 22050 and len(written) == len(streamed) + N - HOP
    differences = written[: len(streamed)].astype(int) - np.trunc(streamed * 32767)
    assert np.abs(differences).max() <= 1 and np.mean(differences != 0) < 0.002  # float round-off moves a few by 1


def test_item13_play_hann_analysis_runs_at_hop_512_with_unity_gain(fake_model_run, tmp_path):
    """The paper-era interface (``--analysis hann``): Hann analysis at hop 512, so an unprocessed song comes back
    at gain 1; Hann at hop 1024 (``--hop 1024``) is the later "flubby" mode: gain 0.5 + cos(4πn/N)/6, 1/3…2/3."""
    from autoencoder_synth import play

    run, song, pcm, _ = fake_model_run
    signal = pcm / 32768.0
    play.main(["--model", str(run / "ae1-6"), "--input", str(song), "--analysis", "hann",
               "--render", str(tmp_path / "h.wav")])
    out, _ = soundfile.read(tmp_path / "h.wav", dtype="int16")
    assert json.loads((tmp_path / "h.json").read_text())["hop"] == 512
    middle = slice(N, len(signal) - N)
    assert np.abs(out[middle] - np.trunc(signal[middle] * 32767)).max() <= 1  # unity gain (±1 LSB of float rounding)
    play.main(["--model", str(run / "ae1-6"), "--input", str(song), "--analysis", "hann", "--hop", "1024",
               "--render", str(tmp_path / "f.wav")])
    out, _ = soundfile.read(tmp_path / "f.wav", dtype="int16")
    n = np.arange(len(signal))
    gain = 0.5 + np.cos(4 * np.pi * n / N) / 6  # (2/3)·(hann²(n) + hann²(n + N/2)) at 50 % overlap
    assert gain[middle].min() == pytest.approx(1 / 3) and gain[middle].max() == pytest.approx(2 / 3)
    assert np.abs(out[middle] - np.trunc(signal[middle] * gain[middle] * 32767)).max() <= 1
    play.main(["--model", str(run / "ae1-6"), "--input", str(song), "--render", str(tmp_path / "r.wav")])
    out, _ = soundfile.read(tmp_path / "r.wav", dtype="int16")
    assert json.loads((tmp_path / "r.json").read_text())["hop"] == 1024
    assert np.abs(out[middle] - np.trunc(signal[middle] * 2 / 3 * 32767)).max() <= 1  # rect: constant 2/3


# ---------------------------------------------------------------------------------------------- 14. offline render


def test_item14_automation_renders_offline_through_the_same_engine(fake_model_run, tmp_path):
    """Fast-forward (processing on) at t = 2.7 blocks acts from block ⌊2.7⌋ = 2, before that block; the render
    follows PlayStreaming's path (bypass before, the model after) and is identical on every run."""
    from autoencoder_synth import play

    run, song, pcm, (W, hb, vb) = fake_model_run
    moves = tmp_path / "moves.jsonl"
    moves.write_text(json.dumps({"time": 2.7 * HOP / RATE, "control": 44, "value": 127}) + "\n")
    outputs = []
    for attempt in range(2):
        path = tmp_path / f"out{attempt}.wav"
        play.main(["--model", str(run / "ae1-6"), "--input", str(song), "--automation", str(moves),
                   "--render", str(path), "--vocoder"])
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]
    play.main(["--model", str(run / "ae1-6"), "--input", str(song), "--automation", str(moves), "--render",
               str(tmp_path / "o.wav")])
    out, _ = soundfile.read(tmp_path / "o.wav", dtype="int16")
    signal = pcm / 32768.0
    frames = signal[np.arange((len(signal) - N) // HOP + 1)[:, None] * HOP + np.arange(N)]
    streamed = playstreaming(frames, lambda m: pylearn2_autoencoder(m / 0.05, W, hb, vb) * 0.05, first_processed=2)
    differences = out[: len(streamed)].astype(int) - np.trunc(streamed * 32767)
    assert np.abs(differences).max() <= 1 and np.mean(differences != 0) < 0.002  # float round-off moves a few by 1
    bypass = playstreaming(frames, lambda m: m)
    assert np.abs(streamed[2 * HOP:3 * HOP] - bypass[2 * HOP:3 * HOP]).max() > 1e-3  # block 2 is the model's


# ---------------------------------------------------------------------------------------------- models


def build(**settings):
    from autoencoder_synth.model import build_model

    visible = settings.pop("visible", 1025)
    return build_model(dataclasses.replace(AutoencoderConfig(), **settings), visible)


def weights_of(autoencoder):
    return (np.asarray(autoencoder.kernel, np.float64), np.asarray(autoencoder.hidden_bias, np.float64),
            np.asarray(autoencoder.visible_bias, np.float64))


def randomise(model, seed):
    """Every weight of a Keras model replaced by random values (so a copied weight is recognisable)."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 0.05, w.shape).astype(np.float32) for w in model.get_weights()])


# ---------------------------------------------------------------------------------------------- 4. AE1


def test_item04_ae1_is_sigmoid_encoder_linear_decoder():
    model = build(hidden=8)
    randomise(model, 4)
    x = np.random.default_rng(0).uniform(0, 1, (5, 1025)).astype(np.float32)
    expected = pylearn2_autoencoder(x.astype(np.float64), *weights_of(model), decoder="linear")
    assert expected.min() < 0  # the linear output is not squashed
    np.testing.assert_allclose(np.asarray(model(x)), expected, rtol=1e-4, atol=1e-5)


def test_item04_gaussian_corruption_in_training_seeded_2001():
    import keras

    model = build(hidden=8, noise_std=0.25)
    x = np.random.default_rng(0).uniform(0, 1, (4, 1025)).astype(np.float32)
    clean = pylearn2_autoencoder(x.astype(np.float64), *weights_of(model))
    np.testing.assert_allclose(np.asarray(model(x)), clean, rtol=1e-4, atol=1e-5)  # no corruption outside training
    # pylearn2's corruptor seed 2001
    noise = np.asarray(keras.layers.GaussianNoise(0.25, seed=2001)(x, training=True)) - x
    assert noise.std() == pytest.approx(0.25, rel=0.05)
    expected = pylearn2_autoencoder((x + noise).astype(np.float64), *weights_of(model))
    np.testing.assert_allclose(np.asarray(model(x, training=True)), expected, rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------------------------------------- 5. AE2


def test_item05_ae2_is_sigmoid_sigmoid():
    model = build(kind="ae2", hidden=16, hidden2=4)
    randomise(model, 5)
    codes = np.random.default_rng(0).uniform(0, 1, (5, 16)).astype(np.float32)
    expected = pylearn2_autoencoder(codes.astype(np.float64), *weights_of(model), decoder="sigmoid")
    np.testing.assert_allclose(np.asarray(model(codes)), expected, rtol=1e-5, atol=1e-6)


def saved_run(root, frames=250):
    """A run folder with random normalised frames and an untrained-but-randomised ae1-16 and ae2-16-4 saved in it."""
    from autoencoder_synth.model import build_model
    from shared.rundir import save_npy, write_config

    rng = np.random.default_rng(11)
    config = dataclasses.replace(AutoencoderConfig(), train_frames=frames, valid_frames=100, test_frames=100)
    for name, count in (("train", frames), ("valid", 100), ("test", 100)):
        save_npy(root / "data" / f"{name}.npy", rng.uniform(0, 1, (count, 1025)).astype(np.float32))
    save_npy(root / "data" / "maxvec.npy", np.ones(1025, np.float32))
    write_config(root, config)
    models = {}
    for name, settings, seed in (("ae1-16", dict(hidden=16), 21),
                                 ("ae2-16-4", dict(kind="ae2", hidden=16, hidden2=4), 22)):
        model = build_model(dataclasses.replace(config, **settings))
        randomise(model, seed)
        (root / name).mkdir(parents=True, exist_ok=True)
        model.save(root / name / "model.keras")
        models[name] = model
    return config, models


def test_item05_ae2_learns_the_clean_codes_of_ae1(tmp_path):
    config, models = saved_run(tmp_path)
    ae2 = dataclasses.replace(config, **model_settings("ae2-16-4-noise0.25"))
    model, sets = ae_train.training_sets(tmp_path, ae2)
    W, hb, _ = weights_of(models["ae1-16"])
    for name in ("train", "valid", "test"):
        x, y = sets[name]
        clean = sigmoid(np.load(tmp_path / "data" / f"{name}.npy").astype(np.float64) @ W + hb)  # TransformerDataset
        np.testing.assert_allclose(x, clean, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(x, y)  # target = the same clean codes
    assert model.noise is not None and model.hidden == 4


# ---------------------------------------------------------------------------------------------- 6. deep composed


def test_item06_deep_starts_from_ae1_and_ae2_and_trains_every_weight(tmp_path):
    from autoencoder_synth.model import compile_model

    config, models = saved_run(tmp_path)
    deep = dataclasses.replace(config, **model_settings("deep-16-4"))
    model, sets = ae_train.training_sets(tmp_path, deep)
    for part, name in ((model.first, "ae1-16"), (model.second, "ae2-16-4")):
        for ours, theirs in zip(weights_of(part), weights_of(models[name])):
            np.testing.assert_array_equal(ours, theirs)
    x = sets["train"][0][:5].astype(np.float64)
    (W1, hb1, vb1), (W2, hb2, vb2) = weights_of(model.first), weights_of(model.second)
    code = sigmoid(sigmoid(x @ W1 + hb1) @ W2 + hb2)  # DeepComposedAutoencoder: enc1 → enc2 → dec2 → dec1
    expected = sigmoid(code @ W2.T + vb2) @ W1.T + vb1
    np.testing.assert_allclose(np.asarray(model(x.astype(np.float32), training=True)), expected, rtol=1e-4, atol=1e-5)
    before = [w.copy() for w in model.get_weights()]
    compile_model(model, deep)
    model.fit(*sets["train"], batch_size=100, epochs=1, shuffle=False, verbose=0)
    assert all(np.abs(a - b).max() > 0 for a, b in zip(before, model.get_weights()))  # all weights fine-tuned


# ---------------------------------------------------------------------------------------------- 7. weights


def test_item07_tied_weights_zero_biases_uniform_irange_005():
    model = build(hidden=64)
    assert model.count_params() == 1025 * 64 + 64 + 1025  # one W (W′ = Wᵀ), two biases
    W, hb, vb = weights_of(model)
    assert not hb.any() and not vb.any()
    # pylearn2: W = (0.5 − U[0, 1))·irange → U(−0.025, 0.025): bounds, spread and centre of 65,600 draws
    assert W.min() >= -0.025 and W.max() <= 0.025 and W.min() < -0.024 and W.max() > 0.024
    assert abs(W.mean()) < 5e-4 and W.std() == pytest.approx(0.05 / np.sqrt(12), rel=0.02)
    x = np.random.default_rng(0).uniform(0, 1, (3, 1025)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(model(x)), sigmoid(x @ W) @ W.T, rtol=1e-4, atol=1e-6)
    untied = build(hidden=8, tied=False)
    assert untied.count_params() == 2 * 1025 * 8 + 8 + 1025


# ---------------------------------------------------------------------------------------------- 8. loss


def test_item08_loss_is_the_per_frame_sum_averaged_over_the_batch():
    from autoencoder_synth.model import compile_model, reconstruction_error

    rng = np.random.default_rng(8)
    x, y = rng.uniform(0, 1, (7, 1025)).astype(np.float32), rng.uniform(0, 1, (7, 1025)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(reconstruction_error(x, y)), ((x - y) ** 2).sum(axis=1), rtol=1e-5)
    model = build(hidden=8)
    compile_model(model, AutoencoderConfig())
    expected = ((x - pylearn2_autoencoder(x.astype(np.float64), *weights_of(model))) ** 2).sum(axis=1).mean()
    assert model.evaluate(x, x, batch_size=7, verbose=0) == pytest.approx(expected, rel=1e-4)


# ---------------------------------------------------------------------------------------------- 9. optimizer


def momentum_sgd(x_batches, W, hb, vb, epochs_of_batches, lr=0.005, momentum=0.5):
    """pylearn2's SGD + Momentum on a tied linear-output autoencoder with MeanSquaredReconstructionError, in numpy:
    inc ← momentum·inc − lr·grad; θ ← θ + inc, one step per batch (the gradient written out by hand)."""
    params = [W.copy(), hb.copy(), vb.copy()]
    increments = [np.zeros_like(p) for p in params]
    for batch in epochs_of_batches(x_batches):
        W, hb, vb = params
        h = sigmoid(batch @ W + hb)
        z = h @ W.T + vb
        dz = 2 * (z - batch) / len(batch)  # d/dz of mean over the batch of Σ_features (z − x)²
        dh = dz @ W * h * (1 - h)
        grads = [dz.T @ h + batch.T @ dh, dh.sum(axis=0), dz.sum(axis=0)]
        increments = [momentum * inc - lr * g for inc, g in zip(increments, grads)]
        params = [p + inc for p, inc in zip(params, increments)]
    return params


def test_item09_compiled_optimizer_is_plain_sgd_in_float32():
    config = AutoencoderConfig()
    from autoencoder_synth.model import compile_model

    model = build(hidden=4, visible=6)
    compile_model(model, config)
    optimizer = model.optimizer
    assert type(optimizer).__name__ == "SGD" and not optimizer.nesterov
    assert all(weight.dtype == "float32" for weight in model.weights)  # Theano's floatX float32
    assert float(optimizer.learning_rate) == pytest.approx(0.005) and optimizer.momentum == pytest.approx(0.5)


def tiny_training_run(root, train_rows, valid_rows, **settings):
    from shared.rundir import save_npy, write_config

    config = dataclasses.replace(AutoencoderConfig(), train_frames=len(train_rows), valid_frames=len(valid_rows),
                                 test_frames=len(valid_rows), **settings)
    for name, rows in (("train", train_rows), ("valid", valid_rows), ("test", valid_rows)):
        save_npy(root / "data" / f"{name}.npy", np.asarray(rows, np.float32))
    write_config(root, config)
    return config


def test_item09_train_is_pylearn2_momentum_sgd_in_batches_of_100(tmp_path):
    """250 identical frames: every batch has the same gradient whatever the shuffle, so the weights after two epochs
    are fixed by lr, momentum and the number of batches per epoch (⌈250/100⌉ = 3)."""
    rng = np.random.default_rng(9)
    row = rng.uniform(0, 1, 6)
    config = tiny_training_run(tmp_path, np.tile(row, (250, 1)), np.tile(row, (10, 1)), hidden=3, max_epochs=2)
    initial = ae_train.training_sets(tmp_path, dataclasses.replace(config, kind="ae1"))[0]
    W0, hb0, vb0 = weights_of(initial)
    result = ae_train.train(tmp_path, config, "ae1-3")
    assert result["epochs"] == 2 and result["best_epoch"] == 2
    model = load_trained(tmp_path / "ae1-3")
    expected = momentum_sgd(np.tile(row, (100, 1)), W0, hb0, vb0, lambda batch: [batch] * 6)
    for ours, theirs in zip(weights_of(model), expected):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-7)


def test_load_trained_takes_a_model_folder_a_run_or_a_keras_file(tmp_path):
    from autoencoder_synth.synth import load_network
    from shared.rundir import InputError, save_npy, write_config

    rows = np.random.default_rng(11).uniform(0, 1, (20, 6))
    config = tiny_training_run(tmp_path, rows, rows[:10], hidden=3, max_epochs=1)
    write_config(tmp_path, dataclasses.replace(config, model="ae1-3"))
    save_npy(tmp_path / "data" / "maxvec.npy", np.ones(6, np.float32))
    ae_train.train(tmp_path, config, "ae1-3")
    expected = weights_of(load_trained(tmp_path / "ae1-3"))
    for where in (tmp_path, tmp_path / "ae1-3" / "model.keras"):  # the run (its model setting), the file
        for ours, theirs in zip(weights_of(load_trained(where)), expected):
            np.testing.assert_array_equal(ours, theirs)
    network, run = load_network(tmp_path)  # the numpy engine finds the same model and its run
    np.testing.assert_array_equal(network.layers[0][0], expected[0])
    assert run == tmp_path
    with pytest.raises(InputError, match="missing: train ae1-9 first"):
        load_trained(tmp_path / "ae1-9")


def test_item09_frames_are_reshuffled_every_epoch(tmp_path):
    """200 different frames: in the stored order (batches [0:100], [100:200]) the weights would be one exact
    sequence; reshuffled, they are not."""
    rows = np.random.default_rng(10).uniform(0, 1, (200, 6))
    config = tiny_training_run(tmp_path, rows, rows[:10], hidden=3, max_epochs=1)
    initial = ae_train.training_sets(tmp_path, dataclasses.replace(config, kind="ae1"))[0]
    W0, hb0, vb0 = weights_of(initial)
    ae_train.train(tmp_path, config, "ae1-3")
    model = load_trained(tmp_path / "ae1-3")
    in_order = momentum_sgd(rows, W0, hb0, vb0, lambda x: [x[:100], x[100:]])
    assert np.abs(weights_of(model)[0] - in_order[0]).max() > 1e-6


# ---------------------------------------------------------------------------------------------- 10. stopping


def pylearn2_or_stopping(curve, prop_decrease=0.001, N=5, max_epochs=250):
    """Transcription of pylearn2 (2014): Train monitors before epoch 1 (curve[0]) and consults the criterion after
    every epoch; Or.continue_learning = any(generator) over [MonitorBased, EpochCounter].  Returns the epoch training
    stops after, or None if it is still going at the end of the curve."""
    best, countdown, epochs_done = np.inf, N, 0
    for epoch in range(1, len(curve)):
        v = curve[epoch]
        if v < (1.0 - prop_decrease) * best:  # MonitorBased.continue_learning
            countdown = N
        else:
            countdown = countdown - 1
        if v < best:
            best = v
        if countdown > 0:
            continue  # any() stops at the first True: EpochCounter is not called
        epochs_done += 1  # EpochCounter.continue_learning
        if epochs_done < max_epochs:
            continue
        return epoch
    return None


def drive(curve, config, tmp_path, monkeypatch):
    """Run the training callback on a scripted validation curve (curve[0]: before epoch 1); the epoch it stops after."""
    import keras

    values = iter(curve)
    monkeypatch.setattr(ae_training, "objective", lambda *args, **kwargs: next(values))
    callback = ae_training.Pylearn2Stopping(None, None, config, tmp_path / "loss.csv")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    callback.set_model(model)
    callback.on_train_begin()
    for epoch in range(len(curve) - 1):
        callback.on_epoch_end(epoch, {"loss": 1.0})
        if getattr(model, "stop_training", False):
            return epoch + 1, callback
    return None, callback


CURVES = {
    "improves forever": [100.0 * 0.99 ** k for k in range(301)],
    "plateaus at epoch 3": [50.0, 10.0, 9.0, 8.0] + [8.0] * 300,
    "improves in bursts": [50.0] + [40.0 * 0.9 ** (k // 7) if k % 7 == 0 else 40.0 * 0.9 ** (k // 7) * 0.9995
                                    for k in range(1, 400)],
    "tiny gains only": [10.0, 9.0] + [9.0 - 1e-4 * k for k in range(1, 300)],
    "worse than the untrained model": [1.0] + [2.0 - 1e-4 * k for k in range(300)],
}


@pytest.mark.parametrize("name", sorted(CURVES))
def test_item10_stopping_rule_is_pylearn2s_or(name, tmp_path, monkeypatch):
    curve = CURVES[name]
    config = AutoencoderConfig()
    expected = pylearn2_or_stopping(curve)
    stopped, callback = drive(curve, config, tmp_path, monkeypatch)
    assert stopped == expected
    assert expected is None or expected >= 255
    assert callback.best == min(curve[: (stopped or len(curve) - 1) + 1])  # MonitorBasedSaveBest, epoch 0 included


def test_item10_the_stopping_rule_ends_fit_without_a_cap(tmp_path, monkeypatch):
    """End to end through ``train``: validation flat from epoch 1 → MonitorBased says stop from epoch 6 on, and the
    EpochCounter needs ``epoch_counter`` of those epochs (255 epochs with the source's 250): fit runs exactly that."""
    rows = np.random.default_rng(12).uniform(0, 1, (20, 4))
    config = tiny_training_run(tmp_path, rows, rows[:5], hidden=2, epoch_counter=4)  # 250 → 4: a short fit
    curve = [5.0] + [4.0] * 40
    calls = iter(curve)
    monkeypatch.setattr(ae_training, "objective", lambda *args, **kwargs: next(calls, 4.0))
    result = ae_train.train(tmp_path, config, "ae1-2")
    assert result["epochs"] == pylearn2_or_stopping(curve, max_epochs=4) == 5 + 4
    assert result["stopped_by"] == "stopping rule" and result["best_epoch"] == 1


def test_item10_max_epochs_is_a_cap_and_either_is_the_old_reading(tmp_path, monkeypatch):
    curve = CURVES["plateaus at epoch 3"]
    stopped, _ = drive(curve, dataclasses.replace(AutoencoderConfig(), max_epochs=10), tmp_path, monkeypatch)
    assert stopped == 10  # the cap, before the rule's 258
    stopped, _ = drive(curve, dataclasses.replace(AutoencoderConfig(), stopping="either"), tmp_path, monkeypatch)
    assert stopped == 8  # 3 + 5 epochs without a 0.1 % gain
    stopped, _ = drive(CURVES["improves forever"], dataclasses.replace(AutoencoderConfig(), stopping="either"),
                       tmp_path, monkeypatch)
    assert stopped == 250


def test_item10_best_validation_weights_are_kept_untrained_included(tmp_path, monkeypatch):
    curve = [1.0, 3.0, 2.0, 2.5] + [2.4] * 300  # the untrained model is never beaten
    stopped, callback = drive(curve, dataclasses.replace(AutoencoderConfig(), max_epochs=6), tmp_path, monkeypatch)
    assert stopped == 6 and callback.best_epoch == 0
    initial = [w.copy() for w in callback.best_weights]
    callback.model.set_weights([w + 1 for w in initial])
    callback.on_train_end()
    for ours, theirs in zip(callback.model.get_weights(), initial):
        np.testing.assert_array_equal(ours, theirs)
    curve = [5.0, 4.0, 3.0, 3.5] + [3.6] * 20
    _, callback = drive(curve, dataclasses.replace(AutoencoderConfig(), max_epochs=6), tmp_path, monkeypatch)
    assert callback.best_epoch == 2 and callback.best == 3.0


# ---------------------------------------------------------------------------------------------- 11. reporting


def test_item11_validation_objective_is_noisy_for_a_dae_and_in_the_sum_convention(tmp_path):
    rows = np.random.default_rng(13).uniform(0, 0.05, (230, 1025)).astype(np.float32)
    config = dataclasses.replace(AutoencoderConfig(), hidden=4, noise_std=0.25)
    model = build(hidden=4, noise_std=0.25)
    randomise(model, 13)
    callback = ae_training.Pylearn2Stopping(rows, rows, config, tmp_path / "loss.csv")
    callback.set_model(model)
    callback.on_train_begin()
    W, hb, vb = weights_of(model)
    rng = np.random.default_rng(2001)  # the monitor's corruption: x + N(0, 0.25²), drawn per batch of 100
    noisy = sum(((rows[i:i + 100] - pylearn2_autoencoder(rows[i:i + 100] + rng.normal(0, 0.25, rows[i:i + 100].shape)
                                                           .astype(np.float32), W, hb, vb)) ** 2).sum()
                for i in range(0, 230, 100)) / 230
    clean = ((rows - pylearn2_autoencoder(rows.astype(np.float64), W, hb, vb)) ** 2).sum(axis=1).mean()
    row = callback.rows[0]
    assert row["valid"] == pytest.approx(noisy, rel=1e-4) and row["valid_clean"] == pytest.approx(clean, rel=1e-4)
    assert row["valid"] > row["valid_clean"] * 1.01  # the corruption matters here


def test_item11_stacked_ae2_reports_its_error_on_the_input_frames(tmp_path):
    config, models = saved_run(tmp_path)
    result = ae_train.train(tmp_path, dataclasses.replace(config, max_epochs=1, **model_settings("ae2-16-4")),
                            "ae2-16-4")
    ae2 = load_trained(tmp_path / "ae2-16-4")
    (W1, hb1, vb1), (W2, hb2, vb2) = weights_of(models["ae1-16"]), weights_of(ae2)
    frames = np.load(tmp_path / "data" / "valid.npy").astype(np.float64)
    stack = sigmoid(sigmoid(sigmoid(frames @ W1 + hb1) @ W2 + hb2) @ W2.T + vb2) @ W1.T + vb1
    expected = ((frames - stack) ** 2).sum(axis=1).mean()
    assert result["valid_input_space"] == pytest.approx(expected, rel=1e-4)
    codes = sigmoid(frames @ W1 + hb1)
    code_error = ((codes - pylearn2_autoencoder(codes, W2, hb2, vb2, "sigmoid")) ** 2).sum(axis=1).mean()
    assert result["valid_clean"] == pytest.approx(code_error, rel=1e-4)  # Table 2's number: in the code space
