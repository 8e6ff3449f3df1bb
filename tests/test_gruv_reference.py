"""GRUV's numpy pipeline against the original code's own outputs (tests/reference/gruv/).

Tolerances from that folder's README: exact for everything but the FFT and inverse FFT,
which use rtol = 1e-9, atol = 1e-9·max|x|; int16 arrays exactly.  No TensorFlow here.
"""

import dataclasses

import numpy as np
import pytest
import soundfile

from conftest import reference_dir
from gruv.config import GruvConfig
from gruv.features import (
    blocks_of, blocks_to_features, features_to_blocks, load_audio, preprocess_signals, read_wav_as_np, training_example,
)
from gruv.sampling import choose_seed, frames_to_audio, generate_faithful
from shared import audio


@pytest.fixture(scope="module")
def ref():
    folder = reference_dir("gruv")
    return lambda name: np.load(folder / name)


def assert_fft_close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=1e-9 * np.abs(expected).max())


def _config(**changes):
    return dataclasses.replace(GruvConfig(), **changes)


def test_read_and_scale(ref, tmp_path):
    sine = ref("sine_read.npz")
    soundfile.write(tmp_path / "i16.wav", sine["pcm_int16"], 44100, subtype="PCM_16")
    soundfile.write(tmp_path / "f32.wav", sine["pcm_float32"], 44100, subtype="FLOAT")
    np.testing.assert_array_equal(read_wav_as_np(tmp_path / "i16.wav"), sine["read_int16_wav"])
    # the /32767 quirk (Q5)
    np.testing.assert_array_equal(read_wav_as_np(tmp_path / "f32.wav"), sine["read_float32_wav"])
    # the pipeline's converter path leaves a 16-bit mono 44.1 kHz file exactly as GRUV read it
    np.testing.assert_array_equal(load_audio(tmp_path / "i16.wav", GruvConfig()), sine["read_int16_wav"])


def test_blocks_fft_inverse_and_int16_write(ref):
    signal = ref("sine_read.npz")["read_int16_wav"]
    expected = ref("sine_blocks_fft.npz")
    blocks = blocks_of(signal, 2048)
    np.testing.assert_array_equal(blocks, expected["blocks"])
    features = blocks_to_features(blocks, "fft")
    assert_fft_close(features, expected["fft_blocks"])
    assert np.all(features[:, 2048] == 0) and np.all(features[:, 3072] == 0)
    inverse = features_to_blocks(expected["fft_blocks"], "fft")
    assert_fft_close(inverse, expected["ifft_blocks"])
    written = audio.float_to_int16(expected["ifft_blocks"].reshape(-1), overflow="wrap")
    np.testing.assert_array_equal(written, expected["roundtrip_written_int16"])


def test_xy_shift(ref):
    signal = ref("sine_read.npz")["read_int16_wav"]
    expected = ref("sine_training_example.npz")
    blocks = blocks_of(signal, 2048)
    x_time, y_time = training_example(blocks, "time")
    np.testing.assert_array_equal(x_time, expected["X_time"])
    np.testing.assert_array_equal(y_time, expected["Y_time"])
    _, y_fft = training_example(blocks, "fft")
    assert_fft_close(y_fft, expected["Y_fft"])


@pytest.mark.parametrize(
    "name, domain, max_seq_len",
    [("sine_nptensor_time.npz", "time", 5), ("sine_nptensor_fft_1s.npz", "fft", 5),
     ("sine_nptensor_fft.npz", "fft", 2)],
)
def test_chunking_and_normalisation(ref, name, domain, max_seq_len):
    expected = ref(name)
    pcm = expected["pcm_int16"] if "pcm_int16" in expected else ref("sine_read.npz")["pcm_int16"]
    signal = audio.int16_to_float(pcm)
    config = _config(block_size=2048, max_seq_len=max_seq_len, domain=domain)
    x, y, mean, std, counts = preprocess_signals([signal], config)
    assert x.shape == expected["x"].shape and counts == [len(expected["x"])]
    close = np.testing.assert_array_equal if domain == "time" else assert_fft_close
    for ours, theirs in ((x, "x"), (y, "y"), (mean, "mean"), (std, "var")):
        close(ours, expected[theirs])
    if domain == "fft":
        assert std[2048] == 1e-8 and std[3072] == 1e-8  # the floor (Q11)


def test_defaults_need_more_than_ten_seconds(ref):
    signal = ref("sine_read.npz")["read_int16_wav"]
    x, *_ , counts = preprocess_signals([signal], GruvConfig())
    assert x is None and counts == [0]  # the original produced (0, 40, 22050) and NaN stats; we stop with an error (Q9)


class FakeModel:
    """The reference README's deterministic causal model: 0.5·x + 0.5·x[t−1] + 0.01·(t+1)."""

    def __init__(self):
        self.lengths = []

    def predict(self, x):
        self.lengths.append(x.shape[1])
        previous = np.concatenate([np.zeros_like(x[:, :1]), x[:, :-1]], axis=1)
        return 0.5 * x + 0.5 * previous + 0.01 * (np.arange(x.shape[1])[None, :, None] + 1)


def test_generation_loop_with_fake_model(ref):
    expected = ref("generation_fake_model.npz")
    config = _config(seed=int(expected["np_random_seed"]), block_size=3, domain="fft")
    seed, index = choose_seed(expected["training_data"], config)
    assert index == int(expected["rand_idx"])
    np.testing.assert_array_equal(seed, expected["seed"])

    fake = FakeModel()
    frames = generate_faithful(fake.predict, seed, steps=3)
    assert fake.lengths == list(expected["predict_input_lengths"])  # the context grows, never windowed
    np.testing.assert_array_equal(frames, expected["output_no_denorm"])
    mean, std = expected["data_mean"], expected["data_std_saved_as_var"]
    np.testing.assert_array_equal(frames * std + mean, expected["output_denorm"])
    np.testing.assert_array_equal(frames_to_audio(frames, config, mean, std), expected["written_int16"])


def test_output_index_first_repeats_one_frame():
    """The blog's E1 pitfall: feeding back output 0 repeats one frame forever."""
    seed = np.random.default_rng(0).normal(size=(1, 4, 6))
    frames = generate_faithful(FakeModel().predict, seed, steps=6, output_index="first")
    assert np.all(frames[4:] == frames[0])
