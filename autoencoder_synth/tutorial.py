# %% [markdown]
# # An autoencoder you can play: Sarroff & Casey (2014), step by step
#
# Sarroff and Casey trained autoencoders on the magnitude spectra of music, then turned the trained network into an
# instrument: a song streams through it frame by frame while a MIDI controller scales the units of its narrowest
# hidden layer, and the altered spectra are turned back into sound. This lesson walks through that pipeline with this
# project's code, on a small synthetic corpus made right here, so that every step runs in seconds on a laptop CPU:
#
# 1. make four short synthetic "songs";
# 2. cut them into frames and take |FFT|/N of each (the features);
# 3. pool, split and normalise the frames (the data);
# 4. build the tied-weight autoencoder and look at its denoising corruption;
# 5. train a tiny one live and watch its loss fall;
# 6. turn frames back into audio;
# 7. play the bottleneck units as an instrument: scale and mute them, then sweep faders from an automation file;
# 8. load the committed full-scale model `ae1-256` and hear what it does.
#
# The README explains the method in full ([The method](README.md#the-method)); the lesson links to its sections as
# it goes. Everything is written under `runs/tutorial/` in the folder the notebook runs in.

# %%
import dataclasses
import json
from pathlib import Path

from shared.rundir import quiet_tensorflow

quiet_tensorflow()  # before Keras is imported: TensorFlow's start-up messages off, as the scripts have them

import keras
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Audio, display

from autoencoder_synth import features, model, play, preprocess, synth, train, training
from autoencoder_synth.automation import events_by_frame, read_automation
from autoencoder_synth.config import EXAMPLE_AUTOMATION, AutoencoderConfig, model_settings
from autoencoder_synth.controls import ControlState
from autoencoder_synth.instrument import Instrument, render
from shared import audio, pretrained

keras.utils.set_random_seed(1978)  # numpy's, Python's and Keras' generators: a rerun shows the same numbers
random = np.random.default_rng(0)

RATE, FFT_SIZE, HOP = 22050, 2048, 1024  # the paper's sample rate, frame length N and hop H
folder = Path("runs/tutorial")
(folder / "songs").mkdir(parents=True, exist_ok=True)


def spectrogram_axes(axis, signal, title, markers=()):
    """The |FFT|/N frames of a signal in dB (re its loudest bin), time across, frequency up; dashed lines at
    ``markers`` (seconds)."""
    magnitudes = features.magnitude_frames(signal, FFT_SIZE, HOP)
    decibels = 20 * np.log10(np.maximum(magnitudes, 1e-9) / max(magnitudes.max(), 1e-9))
    seconds = len(signal) / RATE
    axis.imshow(decibels.T, origin="lower", aspect="auto", vmin=-80, vmax=0, cmap="magma",
                extent=[0, len(magnitudes) * HOP / RATE, 0, RATE / 2000])
    for marker in markers:
        axis.axvline(marker, color="white", linestyle="--", linewidth=0.8)
    axis.set(title=title, xlabel="seconds", ylabel="kHz", xlim=(0, seconds))


# %% [markdown]
# ## 1. A synthetic corpus
#
# The paper used about 8,000 songs in ten genres. We make four 11-second "songs" with numpy instead, each with a
# texture of its own: major chords of harmonic tones, a bass line with noisy hi-hats, inharmonic bells, and a gliding
# tone over soft noise. Each is peak-normalised to 0.8 and written as a 16-bit WAV at 22,050 Hz.

# %%
SECONDS = 11.0
length = int(SECONDS * RATE)


def envelope(samples, attack=0.01, decay=0.3):
    time = np.arange(samples) / RATE
    return np.minimum(time / attack, 1.0) * np.exp(-time / decay)


def harmonic_tone(frequency, seconds, harmonics=6, decay=0.35):
    time = np.arange(int(seconds * RATE)) / RATE
    tone = sum(np.sin(2 * np.pi * harmonic * frequency * time) / harmonic for harmonic in range(1, harmonics + 1))
    return tone * envelope(len(time), decay=decay)


def add_at(song, start_seconds, sound):
    start = int(start_seconds * RATE)
    end = min(len(song), start + len(sound))
    song[start:end] += sound[: end - start]


def midi_hz(note):
    return 440.0 * 2 ** ((note - 69) / 12)


def chords():
    song = np.zeros(length)
    for step, start in enumerate(np.arange(0, SECONDS, 0.5)):
        root = [57, 53, 60, 55][step % 4]  # A, F, C, G
        for interval in (0, 4, 7):
            add_at(song, start, harmonic_tone(midi_hz(root + interval), 0.5))
    return song


def bass_and_hats():
    song = np.zeros(length)
    for step, start in enumerate(np.arange(0, SECONDS, 0.25)):
        add_at(song, start, harmonic_tone(midi_hz([33, 33, 40, 38, 36, 36, 43, 41][step % 8]), 0.25, 2, 0.15))
        hat_samples = int(0.08 * RATE)
        hat = np.diff(random.normal(0, 1, hat_samples + 1)) * envelope(hat_samples, 0.001, 0.02)
        add_at(song, start + 0.125, 0.3 * hat)
    return song


def bells():
    song = np.zeros(length)
    time = np.arange(int(1.5 * RATE)) / RATE
    for start in np.arange(0, SECONDS, 0.6) + random.uniform(0, 0.2, len(np.arange(0, SECONDS, 0.6))):
        base = midi_hz(random.integers(64, 88))
        partials = sum(np.sin(2 * np.pi * ratio * base * time) * np.exp(-time * (1 + ratio)) / ratio
                       for ratio in (1.0, 2.76, 5.40, 8.93))
        add_at(song, start, partials * np.minimum(time / 0.002, 1.0))
    return song


def glide_over_noise():
    time = np.arange(length) / RATE
    phase = 2 * np.pi * np.cumsum(110 * 8 ** ((time % 2.75) / 2.75)) / RATE  # 110 → 880 Hz every 2.75 s
    glide = sum(np.sin(harmonic * phase) / harmonic for harmonic in range(1, 9))
    return glide + 0.3 * np.convolve(random.normal(0, 1, length), np.ones(8) / 8, mode="same")


songs = {"chords": chords(), "bass_and_hats": bass_and_hats(), "bells": bells(), "glide": glide_over_noise()}
for name, song in songs.items():
    songs[name] = 0.8 * song / np.abs(song).max()
    audio.write_wav(folder / "songs" / f"{name}.wav", songs[name], RATE)
    print(f"{name:14s} {songs[name].shape} samples, {len(songs[name]) / RATE:.1f} s")

# %% [markdown]
# One second of each, one after the other:

# %%
display(Audio(np.concatenate([song[:RATE] for song in songs.values()]), rate=RATE))

# %% [markdown]
# ## 2. The features: rectangular frames and |FFT|/N
#
# A song is read as the left channel of its 16-bit samples divided by 32768 (`features.load_song`), cut into frames
# of N = 2048 samples every H = 1024 with **no window** (the feature library of 2014 had it switched off,
# [Q11](README.md#q11)), and each frame becomes the magnitude of its real FFT divided by N: 1025 bins from 0 Hz to
# 11,025 Hz ([the shapes at each step](README.md#the-data-flow-and-the-shape-at-each-step)).

# %%
signal = features.load_song(folder / "songs" / "chords.wav", AutoencoderConfig())
frames = features.rectangular_frames(signal, FFT_SIZE, HOP)
magnitudes = features.magnitude_frames(signal, FFT_SIZE, HOP)
print("signal    ", signal.shape, "(S,)")
print("frames    ", frames.shape, "(F, N): F = (S - N) // H + 1 =", (len(signal) - FFT_SIZE) // HOP + 1)
print("magnitudes", magnitudes.shape, magnitudes.dtype, "(F, N/2 + 1)")

# %% [markdown]
# Dividing by N makes the numbers easy to read: a sine of amplitude a that fits a whole number of periods into the
# frame shows up in its bin as exactly a/2.

# %%
bin_index = 93  # a sine at the centre of bin 93: 93 · 22050 / 2048 ≈ 1001 Hz
test_sine = 0.5 * np.sin(2 * np.pi * bin_index * np.arange(4 * FFT_SIZE) / FFT_SIZE)
bin_93 = features.magnitude_frames(test_sine, FFT_SIZE, HOP)[:, bin_index]
print("bin 93 of every frame:", bin_93, "(a/2 = 0.25)")
assert np.allclose(bin_93, 0.25)  # the lesson checks its claims as it goes: a failed check stops it here

# %%
figure, axes = plt.subplots(1, 2, figsize=(12, 3.5))
spectrogram_axes(axes[0], songs["chords"], "chords: |FFT|/N frames, dB")
spectrogram_axes(axes[1], songs["bass_and_hats"], "bass_and_hats: |FFT|/N frames, dB")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 3. The data: pooled, split by frame, normalised per bin
#
# `preprocess.preprocess` frames every song of a folder, pools all the frames, permutes them with numpy's seed 9778
# and takes the first rows as the training, validation and test sets: a split **by frame**, so neighbouring,
# half-overlapping frames of one song land in all three ([Q2](README.md#q2)). The paper took 50,000 / 10,000 /
# 10,000 frames; our 44 seconds hold 940, so we take 640 / 120 / 120. Every split is then divided by the per-bin
# maximum of the training frames, the "max vector" ([Q1](README.md#q1)), which the resynthesis multiplies back.
#
# The model settings come from the name of a cell of the paper's tables: `ae1-32` is a shallow autoencoder with 32
# hidden units. We cap training at 40 epochs; pylearn2's real stopping rule would go on for at least 255
# ([the stopping rule](README.md#the-stopping-rule)).

# %%
run = folder / "run"
config = dataclasses.replace(AutoencoderConfig(), train_frames=640, valid_frames=120, test_frames=120,
                             model="ae1-32", max_epochs=40, **model_settings("ae1-32"))
summary = preprocess.preprocess(folder / "songs", run, config, progress=False)
print(summary)
data = {name: np.load(run / "data" / f"{name}.npy") for name in ("train", "valid", "test", "maxvec")}
for name, array in data.items():
    print(f"data/{name}.npy".ljust(18), array.shape, array.dtype, f"max {array.max():.3f}")

# %%
figure, axes = plt.subplots(1, 2, figsize=(12, 3.5))
frequencies = np.arange(FFT_SIZE // 2 + 1) * RATE / FFT_SIZE / 1000
axes[0].semilogy(frequencies, data["maxvec"])
axes[0].set(title="the max vector: each bin's largest training value", xlabel="kHz", ylabel="|FFT|/N")
axes[1].semilogy(frequencies, data["train"][0] * data["maxvec"], label="as measured")
axes[1].semilogy(frequencies, data["train"][0], label="÷ max vector (what the network sees)", alpha=0.8)
axes[1].set(title="one training frame", xlabel="kHz")
axes[1].legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# The quiet high bins are lifted to the scale of the loud low ones, so the loss weighs them as much.
#
# ## 4. The tied-weight autoencoder
#
# The shallow autoencoder (AE1) maps a frame x (1025 numbers) to a code h of HL1 sigmoid units and back with a
# **linear** decoder whose matrix is the encoder's, transposed ([Q6](README.md#q6), [the
# equations](README.md#the-equations)):
#
# h = σ(x W + b_h),  x̂ = h Wᵀ + b_v
#
# The weights start uniform in ±0.025 and the biases at 0 ([Q7](README.md#q7)). `model.build_model` makes it from
# the settings; we check its weights and recompute its output with numpy.

# %%
autoencoder = model.build_model(config)
for weight in autoencoder.weights:
    print(f"{weight.path:22s} {tuple(weight.shape)}")
hidden = config.hidden
print("parameters:", autoencoder.count_params(), "= 1025·HL1 + HL1 + 1025 =", 1025 * hidden + hidden + 1025)
largest_bias = max(float(np.abs(autoencoder.hidden_bias).max()), float(np.abs(autoencoder.visible_bias).max()))
print(f"W from {float(np.min(autoencoder.kernel)):.4f} to {float(np.max(autoencoder.kernel)):.4f}; "
      f"largest |bias| {largest_bias}")

# %%
batch = data["train"][:100]  # one batch of B = 100 normalised frames
weights = np.asarray(autoencoder.kernel)
code_by_hand = 1 / (1 + np.exp(-(batch @ weights + np.asarray(autoencoder.hidden_bias))))
output_by_hand = code_by_hand @ weights.T + np.asarray(autoencoder.visible_bias)
output = np.asarray(autoencoder(batch))
print("x", batch.shape, "→ h", code_by_hand.shape, "→ x̂", output.shape)
print("largest difference from the numpy transcription:", np.abs(output - output_by_hand).max())
assert np.allclose(output, output_by_hand, atol=1e-5)

# %% [markdown]
# The loss is the squared error **summed** over the 1025 bins and averaged over the frames of a batch, as pylearn2
# computed it ([Q3](README.md#q3)); Keras' `"mse"` would also divide by 1025.

# %%
loss = float(np.mean(model.reconstruction_error(batch, output)))
loss_by_hand = float(np.mean(np.sum((batch - output) ** 2, axis=1)))
print(f"summed loss {loss:.4f}; by hand {loss_by_hand:.4f}; "
      f"Keras' mse × 1025 {float(np.mean(keras.losses.mean_squared_error(batch, output))) * 1025:.4f}")
assert np.isclose(loss, loss_by_hand, rtol=1e-5)

# %% [markdown]
# ### The denoising corruption
#
# Some cells of the paper's Table 1 are *denoising* autoencoders: while training, gaussian noise of standard
# deviation s (`noise_std`) is added to the input, and the output is scored against the clean frame. The noise layer
# is active only when Keras calls the model with `training=True`, and is drawn afresh for every batch. pylearn2 also
# corrupted the validation frames when it measured the error that picks the best epoch ([Q4](README.md#q4)), and
# `training.objective` does the same when given the noise level; the deep models are fine-tuned without any noise
# ([Q5](README.md#q5)).

# %%
denoising = model.build_model(dataclasses.replace(config, **model_settings("ae1-32-noise0.1")))
corrupted = np.asarray(denoising.noise(batch, training=True))
print(f"x {batch.shape} → x + ε {corrupted.shape}; ε has mean {np.mean(corrupted - batch):.4f} and standard "
      f"deviation {np.std(corrupted - batch):.4f} (s = 0.1)")
print("training=False is deterministic:",
      np.array_equal(np.asarray(denoising(batch, training=False)), np.asarray(denoising(batch, training=False))))
print("training=True draws new noise:  ",
      not np.array_equal(np.asarray(denoising(batch, training=True)), np.asarray(denoising(batch, training=True))))

# %%
plt.figure(figsize=(12, 3))
plt.plot(frequencies[:300], corrupted[0, :300], label="corrupted input x + ε", linewidth=0.7)
plt.plot(frequencies[:300], batch[0, :300], label="clean frame x (the target)")
plt.xlabel("kHz")
plt.title("a normalised frame and the copy a denoising autoencoder encodes (first 300 bins)")
plt.legend()
plt.show()

# %% [markdown]
# ## 5. Training a tiny model live
#
# `train.train` is what `python -m autoencoder_synth.train` runs: plain SGD with momentum 0.5 and learning rate
# 0.005, batches of 100 reshuffled every epoch, the validation error measured before the first epoch and after every
# one, and the weights of the best validation epoch kept. It writes `ae1-32/model.keras`, `loss.csv` (one row per
# epoch) and `result.json`. Forty epochs of `ae1-32` take a few seconds.

# %%
result = train.train(run, config, "ae1-32")
print(f"best validation error {result['valid']:.3f} at epoch {result['best_epoch']} of {result['epochs']}, "
      f"test {result['test']:.3f}; stopped by {result['stopped_by']}")
print(sorted(path.name for path in (run / "ae1-32").iterdir()))

# %%
log = np.genfromtxt(run / "ae1-32" / "loss.csv", delimiter=",", names=True)
plt.figure(figsize=(8, 3.5))
plt.plot(log["epoch"], log["loss"], label="training loss (mean over the epoch's batches)")
plt.plot(log["epoch"], log["valid"], label="validation error (picks the weights kept)")
plt.xlabel("epoch (0 = untrained)")
plt.ylabel("Σ over bins of the squared error")
plt.title("ae1-32 on 640 frames")
plt.legend()
plt.show()

# %% [markdown]
# The loss falls steadily but is far from converged: at the paper's learning rate a model needs hundreds of epochs
# of 500 batches. (A denoising cell trains the same way; `loss.csv` then holds its validation error with the noise,
# which picks the best epoch, and `valid_clean` beside it.)
#
# How long would pylearn2 have trained? Its rule `Or(MonitorBased(0.1 %, 5), EpochCounter(250))` goes on while
# *either* criterion wants to, and the counter only counts the epochs on which the patience has already run out
# ([Q8](README.md#q8)). `training.StoppingRule` is that rule as plain logic; fed a validation error that never
# improves, it stops only after epoch 255.

# %%
def epochs_until_stop(rule):
    epoch = 1
    while rule.keep_going(1.0):  # a validation error that never improves
        epoch += 1
    return epoch


print("pylearn2's Or stops after epoch", epochs_until_stop(training.StoppingRule()))
assert epochs_until_stop(training.StoppingRule()) == 5 + 250
print("the earlier reading, 'patience or 250 epochs', after epoch",
      epochs_until_stop(training.StoppingRule(rule="either")))

# %% [markdown]
# ## 6. Back to audio
#
# The resynthesis (`synth.Resynthesiser`) runs each frame through the trained weights in numpy: |FFT|/N ÷ max vector
# → encoder → decoder → × max vector, then puts back the frame's **original phase**, takes N · inverse FFT, multiplies
# by a periodic Hann window × 2/3 and overlap-adds at the hop. With no model in the path a signal comes back at 2/3 of
# its level ([Q11](README.md#q11)): rectangular frames and the Hann window at 50 % overlap add up to 2/3 everywhere.

# %%
network, _ = synth.load_network(run / "ae1-32")
maxvec = data["maxvec"]
five_seconds = songs["chords"][: 5 * RATE]
unprocessed = synth.Resynthesiser(None, maxvec).render(five_seconds)
inside = slice(FFT_SIZE, len(five_seconds) - FFT_SIZE)  # away from the first and last half frame
gain_error = np.abs(unprocessed[inside] - 2 / 3 * five_seconds[inside]).max()
print(f"no model: largest |output - 2/3 · input| = {gain_error:.1e}")
assert gain_error < 1e-9
resynthesised = synth.Resynthesiser(network, maxvec).render(five_seconds)
print("input", five_seconds.shape, "→ resynthesised", resynthesised.shape, "(one hop per frame + the tail)")

# %%
figure, axes = plt.subplots(1, 2, figsize=(12, 3.5))
spectrogram_axes(axes[0], five_seconds, "chords, the input")
spectrogram_axes(axes[1], resynthesised, "through ae1-32 (40 epochs), original phase")
plt.tight_layout()
plt.show()
display(Audio(resynthesised, rate=RATE))

# %% [markdown]
# The tiny model has seen 640 frames for 40 epochs: it keeps the lowest harmonics and adds a broad, noisy floor; the
# full-scale model at the end was trained far longer, on an hour of music.
#
# ## 7. The bottleneck units as an instrument
#
# This is the paper's idea. Once the network is trained, the code h can be changed before it is decoded: the
# instrument multiplies every unit of the innermost hidden layer by a number a_j = gain × scale × mute, where a
# fader sets the gain (value/127, 0 to 1), a knob the scale (2 · value/127, 0 to 2) and an M button toggles the
# mute. A KORG nanoKONTROL2 has eight strips, so its faders show a *bank* of eight units at a time; Track ◀ ▶ moves
# between banks ([the instrument](README.md#the-instrument-playpy), [controls](README.md#controls)).
#
# `controls.ControlState` holds that state and applies MIDI control changes (CC number, value) to it.

# %%
state = ControlState(network.code_size)
state.apply_cc(0, 64)  # fader of strip 1 → unit 0's gain 64/127
state.apply_cc(17, 127)  # knob of strip 2 → unit 1's scale 2
state.apply_cc(50, 127)  # M button of strip 3 → unit 2 muted
state.apply_cc(59, 127)  # Track ▶ → bank 2: the strips now show units 8–15
state.apply_cc(0, 0)  # fader of strip 1 → unit 8's gain 0
print("multipliers of units 0–9:", np.round(state.multipliers()[:10], 3))
print("by hand:                 ", np.round([64 / 127, 2, 0, 1, 1, 1, 1, 1, 0, 1], 3))
assert np.allclose(state.multipliers()[:10], [64 / 127, 2, 0, 1, 1, 1, 1, 1, 0, 1])
print("\n".join(state.status_lines()))

# %% [markdown]
# What does one unit "play"? The decoder is linear, so muting unit j removes exactly h_j times row j of Wᵀ, which is
# column j of the encoder's matrix W (the tied weights): each unit adds a fixed spectral shape, weighted by how
# strongly the frame excites it. We check that on a validation frame against the Keras model's own W.

# %%
trained = model.load_trained(run / "ae1-32")
encoder_weights = np.asarray(trained.kernel)  # W, (1025, 32)
frame = data["valid"][0].astype(np.float64)
code = network.encode(frame)
strongest = np.argsort(code)[::-1][:4]
for unit in strongest:
    multipliers = np.ones(network.code_size)
    multipliers[unit] = 0.0
    removed = network(frame, None) - network(frame, multipliers)
    print(f"unit {unit:2d}: h = {code[unit]:.3f}, |removed - h · W[:, {unit}]| ≤ "
          f"{np.abs(removed - code[unit] * encoder_weights[:, unit]).max():.1e}")
    assert np.allclose(removed, code[unit] * encoder_weights[:, unit], atol=1e-6)
starting_weights = np.asarray(autoencoder.kernel)  # section 4's untrained model: the same seed, the same start
print("correlation of the trained W with the W it started from:",
      round(float(np.corrcoef(encoder_weights.ravel(), starting_weights.ravel())[0, 1]), 2))

# %%
plt.figure(figsize=(12, 3.5))
for unit in strongest:
    plt.plot(frequencies, encoder_weights[:, unit] * maxvec, label=f"unit {unit}", linewidth=0.8)
plt.xlim(0, 4)
plt.xlabel("kHz (below 4)")
plt.ylabel("|FFT|/N per unit of h")
plt.title("what a fader scales: the shapes of the four units most active on one frame (× max vector)")
plt.legend()
plt.show()

# %% [markdown]
# After 40 epochs these shapes are still largely the small random weights they started from (the correlation above);
# the last section draws the same shapes for the full-scale model.
#
# ### A fader sweep, rendered offline
#
# The instrument can be played without any hardware: an *automation file* lists control changes as JSON lines,
# `{"time": seconds, "control": CC, "value": 0-127}`. An event at t seconds acts before block ⌊t · rate / hop⌋; the
# offline render (`instrument.render`, what `play --automation … --render` runs) applies them to the same control
# state and engine as a live session, so the file renders the same audio every time.
#
# Our performance on the chords: the original audio until 0.25 s (the instrument starts unprocessed), then
# Fast-forward switches to the model; from then on each bank of eight units is faded from 127 to 0 in 0.875 s, one
# bank per second (Track ▶ between banks), until every unit is silent at 4.1 s; Record resets them all at 4.5 s.

# %%
lines = ["# the chords through ae1-32: bank after bank of faders pulled down, then Record",
         json.dumps({"time": 0.25, "control": 44, "value": 127})]  # Fast-forward: the resynthesised audio
for bank in range(network.code_size // 8):
    start = 0.25 + bank
    if bank:
        lines.append(json.dumps({"time": start, "control": 59, "value": 127}))  # Track ▶: next bank
    for step in range(8):
        for strip in range(8):  # the faders are CC 0–7
            lines.append(json.dumps({"time": start + step / 8, "control": strip, "value": round(127 * (7 - step) / 7)}))
lines.append(json.dumps({"time": 4.5, "control": 45, "value": 127}))  # Record: every unit back to 1
sweep_file = folder / "fader_sweep.jsonl"
sweep_file.write_text("\n".join(lines) + "\n")
events = read_automation(sweep_file, RATE, HOP)
print(len(events), "control changes, e.g.", events[:2], "…", events[-1])

# %%
instrument = Instrument(network, maxvec, ControlState(network.code_size), signal=five_seconds)
swept, render_summary = render(instrument, events_by_frame(events))
print(render_summary, "→", swept.shape)

# the same events replayed on a fresh control state, block by block: what multiplied the code at each block
replay, due, mean_multiplier = ControlState(network.code_size), events_by_frame(events), []
for block in range(render_summary["blocks"]):
    for event in due.get(block, ()):
        replay.apply_cc(event.control, event.value, event.channel)
    mean_multiplier.append(replay.multipliers().mean() if replay.processing else np.nan)

# %%
figure, axes = plt.subplots(2, 1, figsize=(12, 5.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
spectrogram_axes(axes[0], swept, "the fader sweep through ae1-32", markers=[0.25, 1.25, 2.25, 3.25, 4.5])
axes[0].set_xlabel("")
block_seconds = np.arange(len(mean_multiplier)) * HOP / RATE
axes[1].step(block_seconds, mean_multiplier, where="post", color="C0")
axes[1].set(xlabel="seconds", ylim=(0, 1.1))
axes[1].set_ylabel("mean multiplier", color="C0")
level = axes[1].twinx()
level.plot(block_seconds, [20 * np.log10(np.sqrt(np.mean(swept[i * HOP:(i + 1) * HOP] ** 2)) + 1e-9)
                           for i in range(len(block_seconds))], color="C1")
level.set_ylabel("output level, dB", color="C1")
plt.tight_layout()
plt.show()
display(Audio(swept, rate=RATE))

# %% [markdown]
# With every fader down the code is all zeros and the decoder outputs only its bias b_v (× max vector): a steady
# tone that is the model's answer to silence, heard from 4.1 to 4.5 s, before Record brings the chords back.
#
# The project ships a longer performance, `autoencoder_synth/examples/moves.jsonl`
# (`config.EXAMPLE_AUTOMATION`): faders, knobs, a second bank, a mute, Set (every unit to 0), Record, Rewind and
# Fast-forward, and Cycle to end at 10 s. `play.main` renders it exactly as the command line would; we render it on
# a medley of our four songs (2.75 s of each) and mark each control change on the spectrogram.

# %%
print("".join(EXAMPLE_AUTOMATION.read_text().splitlines(keepends=True)[3:12]), "…")
medley = np.concatenate([song[: int(2.75 * RATE)] for song in songs.values()])
audio.write_wav(folder / "medley.wav", medley, RATE)
play.main(["--model", str(run / "ae1-32"), "--input", str(folder / "medley.wav"),
           "--automation", str(EXAMPLE_AUTOMATION), "--render", str(folder / "moves_ae1-32.wav")])
example_events = read_automation(EXAMPLE_AUTOMATION, RATE, HOP)
event_seconds = sorted({event.frame * HOP / RATE for event in example_events})
moves_small = audio.read_audio(folder / "moves_ae1-32.wav").samples[:, 0]

# %%
figure, axes = plt.subplots(2, 1, figsize=(12, 6), sharex=True)
spectrogram_axes(axes[0], medley[: len(moves_small)], "the medley (input)")
axes[0].set_xlabel("")
spectrogram_axes(axes[1], moves_small, "moves.jsonl through ae1-32 (dashed: control changes)", event_seconds)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 8. The full-scale model: `ae1-256`
#
# The paper's best shallow model has 256 hidden units (Table 1, [T1](README.md#the-papers-trends)). The project
# ships one trained on the `mma_grooves` corpus (genre accompaniment, 63 minutes). `shared.pretrained.resolve` copies
# it under `runs/pretrained/` and returns its run folder; `about` says how it was trained.

# %%
pretrained_run = pretrained.resolve("autoencoder_synth", "ae1-256", "--model")
about = pretrained.about("autoencoder_synth", "ae1-256")
print(about["what"])
print("trained with:\n  " + "\n  ".join(about["trained"]["commands"]))
network_256, _ = synth.load_network(pretrained_run)
maxvec_256 = synth.load_maxvec(pretrained_run, FFT_SIZE // 2 + 1)
print("run folder:", pretrained_run, "| innermost units:", network_256.code_size,
      "| banks of 8 on the controller:", network_256.code_size // 8)

# %% [markdown]
# Our chords through it (it never heard them: its max vector is that of its own corpus), beside the tiny model's:

# %%
resynthesised_256 = synth.Resynthesiser(network_256, maxvec_256).render(five_seconds)
figure, axes = plt.subplots(1, 3, figsize=(15, 3.5))
spectrogram_axes(axes[0], five_seconds, "chords, the input")
spectrogram_axes(axes[1], resynthesised, "ae1-32, 40 epochs here")
spectrogram_axes(axes[2], resynthesised_256, "ae1-256, pretrained")
plt.tight_layout()
plt.show()
display(Audio(resynthesised_256, rate=RATE))

# %% [markdown]
# The shipped performance through `ae1-256`, rendered by `play.main` with the model's name (the same as
# `python -m autoencoder_synth.play --model ae1-256 --input … --automation … --render …`). We listen to the five
# seconds from 0.5 s: the switch to the model at 1 s, unit 0 faded out from 2 s, three more units cut at 3 s, four
# doubled at 3.5 s and the move to the second bank at 4.5 s.

# %%
play.main(["--model", "ae1-256", "--input", str(folder / "medley.wav"), "--automation", str(EXAMPLE_AUTOMATION),
           "--render", str(folder / "moves_ae1-256.wav")])
moves_256 = audio.read_audio(folder / "moves_ae1-256.wav").samples[:, 0]
figure, axis = plt.subplots(figsize=(12, 3.5))
spectrogram_axes(axis, moves_256, "moves.jsonl through ae1-256 (dashed: control changes)", event_seconds)
plt.tight_layout()
plt.show()
display(Audio(moves_256[RATE // 2: RATE // 2 + 5 * RATE], rate=RATE))

# %% [markdown]
# Without an input (`--no-input`, the mode the paper announced) there is no encoder: the code is the multipliers
# themselves, so with every fader up the decoder hears all 256 units at 1 and the vocoder phase turns the result
# into a steady sound. A single fader then adds its unit's shape, decode(e_j) − decode(0) = W[:, j] (× max vector),
# the same shapes we drew for the tiny model.

# %%
play.main(["--model", "ae1-256", "--no-input", "--seconds", "3", "--render", str(folder / "no_input.wav")])
no_input = audio.read_audio(folder / "no_input.wav").samples[:, 0]
print(no_input.shape, json.loads((folder / "no_input.json").read_text())["ended_by"])
figure, axes = plt.subplots(1, 2, figsize=(14, 3.5))
axes[0].semilogy(frequencies, np.abs(network_256.decode(np.ones(network_256.code_size)) * maxvec_256))
axes[0].set(title="ae1-256 decoding a code of all ones (× max vector)", xlabel="kHz", ylabel="|FFT|/N")
silence = network_256.decode(np.zeros(network_256.code_size))
for unit in range(4):
    fader_up = np.zeros(network_256.code_size)
    fader_up[unit] = 1.0
    axes[1].plot(frequencies, (network_256.decode(fader_up) - silence) * maxvec_256, label=f"unit {unit}",
                 linewidth=0.8)
axes[1].set(title="what units 0–3 add at full gain (× max vector)", xlabel="kHz (below 4)", xlim=(0, 4))
axes[1].legend()
plt.tight_layout()
plt.show()
display(Audio(no_input, rate=RATE))

# %% [markdown]
# ## Where to go next
#
# - The README: [the method](README.md#the-method) (shapes and equations), [the stopping
#   rule](README.md#the-stopping-rule), [quirks of the original](README.md#quirks-of-the-original), [faithful and
#   fast](README.md#faithful-and-fast), [the instrument](README.md#the-instrument-playpy) and its
#   [controls](README.md#controls).
# - Play it live with a controller or OSC:
#   `python -m autoencoder_synth.play --model ae1-256 --input song.wav [--osc-port 9000]`.
# - The real data and a model of your own:
#   `python -m shared.corpora build mma_grooves --out corpora/mma_grooves`, then
#   `python -m autoencoder_synth.preprocess --preset paper --input corpora/mma_grooves --run runs/ae/frames` and
#   `python -m autoencoder_synth.train --run runs/ae/frames --preset ae1-256`.
# - The experiments behind the findings, over training seeds (`--list` shows the jobs):
#   `python -m shared.experiments autoencoder_synth table1-clean table1-noisy tables2-3 --seeds 1 2 3`, then
#   `python -m shared.findings autoencoder_synth`; the verdicts are in
#   [findings, re-checked over seeds](README.md#findings-re-checked-over-seeds).
