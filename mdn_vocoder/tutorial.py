# %% [markdown]
# # Glover's MDN vocoder, step by step
#
# In December 2015 John Glover generated sound with a recurrent network that never sees a waveform. A **phase
# vocoder** first turns a held note into a short vector per frame: the magnitude and the exact frequency of each of
# the lowest FFT bins. An **LSTM** reads those vectors one frame at a time, and a **mixture density network** (MDN)
# on top of it says how likely each possible next vector is, as a mixture of Gaussians. To make new sound the
# network is fed its own draws, and the phase vocoder turns the drawn frames back into audio.
#
# This lesson runs every stage on a 440 Hz sine made here, in this order:
#
# 1. the phase vocoder: how it reads an exact frequency from a phase, and what its round trip gives back;
# 2. the training data: frames, interleaved vectors, deltas, normalisation, batches (with every shape);
# 3. a tiny network trained live for a few seconds;
# 4. the mixture the MDN predicts for one frame, against the value that really came next;
# 5. the shipped pretrained model (1000 epochs), and the variance knob `bias` at 1 and at 1e-5;
# 6. drift, and the blog's cure for it: periodic reset frames.
#
# The [README](README.md) explains each step with its equations ([The method](README.md#the-method)), lists where
# the original code behaves in ways one would not guess ([Quirks of the original](README.md#quirks-of-the-original))
# and compares the two sampling loops ([Faithful and fast](README.md#faithful-and-fast)). The cell below imports the
# project's modules and fixes every seed, so a rerun prints the same numbers.

# %%
import logging
from pathlib import Path

from shared.rundir import quiet_tensorflow

quiet_tensorflow()  # keep TensorFlow's start-up chatter out of the notebook
logging.getLogger("tensorflow").setLevel(logging.ERROR)  # and its notes on retracing the fast sampling loop

import dataclasses  # noqa: E402

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from IPython.display import Audio, display  # noqa: E402

from mdn_vocoder import features, mdn, phase_vocoder, sampling, training  # noqa: E402
from mdn_vocoder.config import PRESETS, MdnConfig  # noqa: E402
from mdn_vocoder.model import load_trained, zero_states  # noqa: E402
from mdn_vocoder.sampling import generate_output  # noqa: E402
from shared import audio, pretrained  # noqa: E402
from shared.rundir import load_config, resolve_config  # noqa: E402

keras.utils.set_random_seed(0)
workdir = Path("runs/tutorial")
workdir.mkdir(parents=True, exist_ok=True)

# %% [markdown]
# ## 1. The phase vocoder
#
# We start with the note the blog started with: a 440 Hz sine at 44.1 kHz. We write it to a WAV file and read it
# back the way the original did, which halves it ([Q1](README.md#q1): its loader divided 32-bit samples by 2^32).
# The settings come from the project's `tiny` preset, the blog's sine settings (FFT size 512, 10 bins kept) with a
# smaller network; we change only the network's size and length of training.

# %%
config = resolve_config(MdnConfig, PRESETS, "tiny", ["rnn_size=32", "mixtures=3", "max_epochs=40"])
sample_rate, fft_size, hop = config.sample_rate, config.fft_size, phase_vocoder.hop_size(config.fft_size)

seconds = np.arange(int(2.0 * sample_rate)) / sample_rate
sine_file = workdir / "sine_440.wav"
audio.write_wav(sine_file, 0.25 * np.sin(2 * np.pi * 440.0 * seconds), sample_rate)
signal, file_rate, channels = features.load_signal(sine_file, config)
print(f"signal: shape {signal.shape}, peak {np.abs(signal).max():.4f} (the file's peak 0.25, halved)")
print(f"FFT size N = {fft_size}, hop H = N/4 = {hop}, bin spacing sr/N = {sample_rate / fft_size:.4f} Hz")
display(Audio(signal, rate=sample_rate))

# %% [markdown]
# `analyse` cuts the signal into windowed frames of N samples, H apart, and returns, for every frame and every FFT
# bin, the magnitude and a frequency in Hz. The frequency is not the bin's centre: it comes from how far the bin's
# phase turned since the previous frame. A partial at 440 Hz turns the phase of its bins a little further per hop
# than the bin centre 5 × 86.13 = 430.66 Hz would; that extra angle, counted in turns per second, is the offset
# from the centre ([§1](README.md#s1)). Frame 0 has no previous frame, so it reads the bin centres exactly
# ([Q4](README.md#q4)).

# %%
analysed = phase_vocoder.analyse(signal, fft_size, sample_rate)
print(f"analysed frames: shape {analysed.shape} = (frames F, bins N/2 + 1, [magnitude, Hz])")
print(f"F = ceil(L/H) - N/H = {-(-len(signal) // hop)} - {fft_size // hop} = "
      f"{phase_vocoder.frame_count(len(signal), fft_size)}")

frame = analysed[100]
print(f"\n{'bin':>3} {'centre Hz':>10} {'magnitude':>10} {'read Hz':>9}")
for k in range(12):
    print(f"{k:>3} {k * sample_rate / fft_size:>10.2f} {frame[k, 0]:>10.4f} {frame[k, 1]:>9.2f}")

figure, (left, right) = plt.subplots(1, 2, figsize=(12, 3.5))
bins = np.arange(16)
left.bar(bins, frame[:16, 0])
left.set(xlabel="bin", ylabel="magnitude", title="frame 100: magnitude per bin")
right.plot(bins, bins * sample_rate / fft_size, "o--", color="grey", label="bin centre")
right.plot(bins, frame[:16, 1], "o", label="frequency read from the phase")
right.axhline(440, color="red", lw=0.8, label="true 440 Hz")
right.set(xlabel="bin", ylabel="Hz", title="frame 100: frequency per bin")
right.legend()
plt.show()

# %% [markdown]
# Bins 4 to 7 all lie under the sine's main lobe and all read 440 Hz, though their centres are 86 Hz apart. Bins
# further away read an alias (about 95.5 Hz for bins 1 to 3, 784.5 Hz for bins 8 and 9): a phase step is only known
# modulo one turn, so an offset larger than two bins folds back. The aliases do not matter for resynthesis, which
# only needs the phase to turn by the same amount. Bin 0 is always (0, 0) ([Q5](README.md#q5)).
#
# How exact is the estimate? For a few tones, here is the strongest bin, its centre, and the median frequency it
# reads over frames 1 onwards, next to the true frequency (errors in cents, 100 cents to a semitone).

# %%
print(f"{'true Hz':>8} {'peak bin':>8} {'centre Hz':>10} {'centre error':>13} {'read Hz':>9} {'read error':>11}")
for true_hz in (220.0, 331.3, 440.0, 517.9, 700.0):
    tone = 0.125 * np.sin(2 * np.pi * true_hz * np.arange(sample_rate // 2) / sample_rate)
    tone_frames = phase_vocoder.analyse(tone, fft_size, sample_rate)
    peak = int(np.argmax(tone_frames[1:, :, 0].mean(axis=0)))
    centre = peak * sample_rate / fft_size
    read = float(np.median(tone_frames[1:, peak, 1]))
    print(f"{true_hz:>8.1f} {peak:>8d} {centre:>10.2f} {1200 * np.log2(centre / true_hz):>+12.1f}c "
          f"{read:>9.3f} {1200 * np.log2(read / true_hz):>+10.4f}c")

# %% [markdown]
# The bin centre alone is off by up to half a bin: almost three semitones at 220 Hz, where bins are wide compared
# with the pitch. The phase reading is right to a small fraction of a cent.
#
# **The round trip.** The network will only ever see the first P = 10 bins (bin 0 included), so the vocoder acts as
# a low-pass filter at (P − 1)·sr/N = 775 Hz. `synthesise` turns frames back into sound: each bin becomes a sinusoid
# whose phase advances by the frequency it carries. The original starts every bin at phase zero, shifts each frame
# one sample and does not normalise the overlap of its windows ([Q6](README.md#q6)), so even the analysed frames
# come back at 0.466 of the input's amplitude, still at 440 Hz. We check both by analysing the result again.

# %%
components = config.components
kept = analysed[:, :components]
round_trip = phase_vocoder.synthesise(kept, fft_size, sample_rate, components)
print(f"kept frames {kept.shape} -> resynthesised {round_trip.shape} = (T*H + N,) = ({len(kept)}*{hop} + {fft_size},)")

middle = slice(len(signal) // 4, 3 * len(signal) // 4)
gain = np.sqrt(np.mean(round_trip[middle] ** 2) / np.mean(signal[middle] ** 2))
again = phase_vocoder.analyse(round_trip, fft_size, sample_rate)
print(f"round-trip gain {gain:.3f}; frequency of bin 5 read again: {np.median(again[1:, 5, 1]):.3f} Hz")

window = slice(20000, 20000 + 400)
plt.figure(figsize=(12, 3))
plt.plot(np.arange(400) / sample_rate * 1000, signal[window], label="input")
plt.plot(np.arange(400) / sample_rate * 1000, round_trip[window], label="analysis -> resynthesis")
plt.xlabel("ms")
plt.title("the vocoder's round trip: same pitch, 0.466 of the amplitude")
plt.legend()
plt.show()
print("the player normalises the loudness; listen for the pitch and the tone:")
display(Audio(round_trip, rate=sample_rate))


# %% [markdown]
# The same trick gives a pitch tracker we will use on every generated sound below: analyse the audio and, for each
# frame, take the frequency that the strongest of bins 1 to P − 1 reads.

# %%
def pitch_track(samples, config):
    """The frequency (Hz) read by the strongest kept bin of every frame of a sound."""
    frames = phase_vocoder.analyse(samples, config.fft_size, config.sample_rate)[:, 1:config.components]
    strongest = np.argmax(frames[..., 0], axis=1)
    return frames[np.arange(len(frames)), strongest, 1]


# %% [markdown]
# ## 2. The training data
#
# What `python -m mdn_vocoder.preprocess` writes to a run directory is made by `features.prepare`
# ([§2](README.md#s2)). Each frame of P bins becomes one vector interleaving magnitude and frequency,
# [a0, f0, a1, f1, …], so D = 2P = 20. The frames are cut to a whole number of batches of B streams × S steps
# (B = 10, S = 10 here). The network models the **change** from one frame to the next (the delta), normalised by one
# global standard deviation for all magnitudes and one for all frequencies. The last delta wraps round to the first
# frame ([Q8](README.md#q8)), so the deltas sum to zero and their means are exactly 0. `training.batches` then lays
# the sequence out as B contiguous streams, cut into chunks of S steps; the target of each step is the next step.

# %%
frames = kept  # (F, P, 2)
vectors = features.interleave(frames)
prepared = features.prepare(frames, config)
x, stats = prepared["x"], prepared["stats"]
training_frames = vectors[:prepared["kept"]]
inputs, targets = training.batches(x, config.batch_size, config.seq_length)

print(f"signal              {signal.shape}")
print(f"analysed frames     {analysed.shape}")
print(f"kept P = {components} bins     {frames.shape}")
print(f"interleaved vectors {vectors.shape}")
batch_count = prepared["kept"] // (config.batch_size * config.seq_length)
print(f"kept for training   {training_frames.shape} = (B*S*{batch_count}, D)")
print(f"normalised deltas x {x.shape}")
print(f"inputs, targets     {inputs.shape}, {targets.shape} = (batches, B, S, D)")
print(f"statistics: magnitude mean {stats['amp_mean']:.2g}, std {stats['amp_std']:.5f}; "
      f"frequency mean {stats['freq_mean']:.2g}, std {stats['freq_std']:.3f} Hz")
print(f"generation will start from frame {prepared['initial_index']}, the middle of the kept frames")
print("\nthe vector of frame 100, bins 4 to 6:", np.round(vectors[100, 8:14], 3))
deltas_by_hand = features.wrapped_deltas(training_frames)[:, 11] / stats["freq_std"]
print("x's bin 5 frequency delta equals (next frame - this frame) / std:", np.allclose(x[:, 11], deltas_by_hand))
magnitude = training_frames[:, 10]
print(f"bin 5 magnitude: {magnitude.mean():.4f}, largest change between frames {np.abs(np.diff(magnitude)).max():.4f}")

figure, (top, bottom) = plt.subplots(2, 1, figsize=(12, 5), sharex=True)
top.plot(frames[:, 5, 1], label="bin 5 frequency (Hz)")
top.plot(frames[:, 8, 1], label="bin 8 frequency (Hz, an alias)")
top.set(ylabel="Hz", title="what the vocoder reads, frame by frame")
top.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
bottom.plot(x[:, 10], lw=0.8, label="x: bin 5 magnitude delta (normalised)")
bottom.plot(x[:, 11], lw=0.8, label="x: bin 5 frequency delta (normalised)")
bottom.set(xlabel="frame", ylabel="std units", title="what the network reads: normalised deltas")
bottom.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
plt.tight_layout()
plt.show()

# %% [markdown]
# A steady sine gives nearly constant frames. The frequencies do not change at all, except at the two ends: frame 0
# reads the bin centres, so the step into frame 1 and the delta that wraps round from the last frame back to frame 0
# are the only non-zero frequency deltas. The magnitudes ripple by less than two parts in 10,000 as the sine's
# phase moves under the window from frame to frame; divided by their own tiny standard deviation, that ripple
# becomes the regular pattern in the lower plot, which the network has to learn.
#
# ## 3. A tiny network, trained live
#
# The network is char-rnn's LSTM (here one layer of 32 units instead of the blog's 100) and a linear layer whose
# K + 2KD outputs are read as the mixture's weights (through a softmax), its means, and the logarithms of its
# standard deviations ([§3](README.md#s3)). We use K = 3 components so that a mixture is visible below (the blog's
# sine used 1). `training.Trainer` holds the model, Torch's Adagrad and one compiled training step. The step sums
# the negative log-likelihood (NLL) of each next delta over the B streams and S steps, updates the weights, and
# returns the LSTM state, which the loop hands to the next batch: the state is never reset ([§4](README.md#s4)). The
# loop below is the heart of `python -m mdn_vocoder.train`, without its checkpoints and log files. Forty epochs of
# six batches take seconds.

# %%
keras.utils.set_random_seed(config.seed)
units, mixtures, dimensions = config.rnn_size, config.mixtures, x.shape[1]
trainer = training.Trainer(config, dimensions)
model = trainer.model
expected = 4 * units * (dimensions + units + 2) + (units + 1) * mdn.output_size(mixtures, dimensions)
print(f"parameters: {model.count_params()} (4U(D + U + 2) + (U + 1)(K + 2KD) = {expected})")

states = zero_states(config, config.batch_size)  # (h, c), each (B, U)
frames_per_batch = config.batch_size * config.seq_length
nll_per_frame, mean_sigma = [], []
for epoch in range(config.max_epochs):
    losses, sigmas = [], []
    for batch in range(len(inputs)):
        loss, states, sigma_of_batch = trainer.step_with_sigma(inputs[batch], targets[batch], states)
        losses.append(float(loss) / frames_per_batch)
        sigmas.append(float(sigma_of_batch))
    nll_per_frame.append(np.mean(losses))
    mean_sigma.append(np.mean(sigmas))
print(f"NLL per frame: epoch 1 {nll_per_frame[0]:.2f}, epoch {config.max_epochs} {nll_per_frame[-1]:.2f}; "
      f"mean sigma {mean_sigma[0]:.3f} -> {mean_sigma[-1]:.3f}")

epochs = np.arange(1, config.max_epochs + 1)
figure, (left, right) = plt.subplots(1, 2, figsize=(12, 3.5))
left.plot(epochs, nll_per_frame)
left.set(xlabel="epoch", ylabel="NLL per frame", title="the loss falls as the network learns")
right.plot(epochs, mean_sigma, color="tab:orange")
right.set(xlabel="epoch", ylabel="mean sigma", title="and the mixture's sigma shrinks")
plt.show()

# %% [markdown]
# The NLL of a continuous density can go below zero: the pretrained model below ended its training at a median of
# about −105 per frame, because its Gaussians are very narrow. Ours is still far from that after a few seconds.
#
# ## 4. The mixture over one frame
#
# Feed the network the first 120 true deltas, from a zero state, and look at what it predicts at step 60 for step
# 61. `mdn.split` cuts the raw output into logits, means μ (D × K) and log σ; π is the softmax of the logits. We
# draw the mixture's density for two of the D dimensions (the magnitude and the frequency delta of bin 5) and mark
# the value that really came next.

# %%
steps, step = 120, 60
raw = model([x[None, :steps].astype(np.float32), *zero_states(config, 1)])[0]
logits, means, log_sigma = (np.asarray(part)[0, step] for part in mdn.split(raw, mixtures, dimensions))
weights = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
sigma = np.exp(log_sigma) + mdn.SIGMA_EPSILON
print(f"raw output {tuple(raw.shape)}; at step {step}: pi {tuple(weights.shape)}, mu and sigma {means.shape}")
print("pi =", np.round(weights, 3))


def gaussian(values, mean, deviation):
    return np.exp(-0.5 * ((values - mean) / deviation) ** 2) / (np.sqrt(2 * np.pi) * deviation)


figure, axes = plt.subplots(1, 2, figsize=(12, 4.5))
for axis, dimension, label in zip(axes, (10, 11), ("bin 5 magnitude delta", "bin 5 frequency delta")):
    grid = np.linspace(-3, 3, 600)
    for c in range(mixtures):
        axis.plot(grid, weights[c] * gaussian(grid, means[dimension, c], sigma[dimension, c]), "--",
                  label=f"component {c}: pi {weights[c]:.2f}, mu {means[dimension, c]:+.2f}, "
                        f"sigma {sigma[dimension, c]:.2f}")
    mixture = sum(weights[c] * gaussian(grid, means[dimension, c], sigma[dimension, c]) for c in range(mixtures))
    axis.plot(grid, mixture, color="black", label="mixture")
    axis.axvline(x[step + 1, dimension], color="red", label="the actual next value")
    axis.set(xlabel="normalised delta", title=label)
    axis.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
plt.tight_layout()
plt.show()

# %% [markdown]
# The loss is the negative log of this mixture's density at the true next vector, all D dimensions at once (each
# component is a Gaussian with a diagonal covariance). Computed by hand with numpy, it agrees with the project's
# `mdn.negative_log_likelihood`:

# %%
target = x[step + 1]
log_normal = (-0.5 * np.sum(((target[:, None] - means) / sigma) ** 2, axis=0) - np.sum(np.log(sigma), axis=0)
              - 0.5 * dimensions * np.log(2 * np.pi))
by_hand = -np.log(np.sum(weights * np.exp(log_normal)))
from_library = np.asarray(mdn.negative_log_likelihood(x[None, 1:steps + 1].astype(np.float32), raw, mixtures,
                                                      dimensions))[0, step]
print(f"NLL at step {step}: by hand {by_hand:.4f}, mdn.negative_log_likelihood {from_library:.4f}")

# %% [markdown]
# ## 5. The pretrained model, and the variance knob
#
# Training the blog's settings for 1000 epochs takes about nine minutes on two cores, so the project ships a model
# trained that way. It is the blog's first sine experiment, which modelled the frames themselves, not their deltas
# ([Q10](README.md#q10)); one Gaussian per step (K = 1). `shared.pretrained.resolve` copies it under `runs/` and
# returns its run directory.

# %%
pretrained_run = pretrained.resolve("mdn_vocoder", "sine")
about = pretrained.about("mdn_vocoder", "sine")
print(about["what"])
print("trained with:\n  " + "\n  ".join(about["trained"]["commands"]))
pretrained_config = load_config(pretrained_run, MdnConfig)[0]
print("representation:", pretrained_config.representation, "| mixtures:", pretrained_config.mixtures)

# %% [markdown]
# **How sampling reads σ.** At each step the sampler takes the component with the largest weight (never a
# random one, [Q17](README.md#q17)) and draws μ + √(bias·σ)·ε with ε standard normal ([§5](README.md#s5)). It treats
# σ as a *variance*, though training used it as a *standard deviation* ([Q18](README.md#q18)). The pretrained model's σ
# is tiny (below 1e-3 in normalised units), so at bias 1 the draws are √σ wide, dozens of times wider than what it
# learnt: the blog's "too much variance". The blog's fix, `bias = 1e-5`, makes them √(1e-5·σ) wide, several times
# narrower than σ. Below, 4000 draws of `mdn.sample` at one step, for the frequency of bin 5.

# %%
pretrained_model, _ = load_trained(pretrained_run)
pretrained_x = np.load(pretrained_run / "data" / "x.npy").astype(np.float32)
pretrained_raw = pretrained_model([pretrained_x[None, :steps], *zero_states(pretrained_config, 1)])[0][:, step]
_, pretrained_means, pretrained_log_sigma = mdn.split(pretrained_raw, 1, dimensions)  # K = 1: (1, D, 1) each
mu_one, sigma_one = float(pretrained_means[0, 11, 0]), float(np.exp(pretrained_log_sigma[0, 11, 0]))
frequency_std = float(np.load(pretrained_run / "data" / "stats.npz")["freq_std"])
print(f"pretrained, step {step}, bin 5 frequency: mu {mu_one:.4f}, sigma {sigma_one:.2e} "
      f"(x {frequency_std:.1f} Hz = {sigma_one * frequency_std:.3f} Hz); actual next value "
      f"{pretrained_x[step + 1, 11]:.4f}")

noise = np.random.default_rng(0).standard_normal((4000, dimensions)).astype(np.float32)
repeated = np.repeat(np.asarray(pretrained_raw), len(noise), axis=0)
figure, axes = plt.subplots(1, 2, figsize=(12, 3.5))
for axis, bias in zip(axes, (1.0, 1e-5)):
    draws = np.asarray(mdn.sample(repeated, noise, 1, dimensions, bias=bias))[:, 11]
    print(f"bias {bias:g}: std of the draws {draws.std():.2e} = {draws.std() / sigma_one:.3g} sigma; "
          f"sqrt(bias*sigma) = {np.sqrt(bias * sigma_one):.2e}")
    axis.hist(draws, bins=60, alpha=0.6, label=f"draws at bias {bias:g}")
    axis.axvspan(mu_one - sigma_one, mu_one + sigma_one, color="black", alpha=0.25, label="learnt mu ± sigma")
    axis.axvline(pretrained_x[step + 1, 11], color="red", label="actual next value")
    axis.set(xlabel="normalised frequency of bin 5", ylabel="draws", title=f"bias {bias:g}")
    axis.legend(fontsize=7, loc="upper left")
plt.show()

# %% [markdown]
# Now the full sound. `generate_output` primes the network with training steps, samples 400 frames (1.2 s) in the
# compiled fast loop, resynthesises them and writes a WAV file with a JSON summary. We generate at bias 1 and at
# 1e-5, listen, and track the pitch of each. The summary also gives the spread of successive frames, generated and
# in the training data.

# %%
generated = {}
for bias in (1.0, 1e-5):
    settings = dataclasses.replace(pretrained_config, length=400, bias=bias)
    result = generate_output(pretrained_run, settings, mode="fast", progress=False, out_dir=workdir / "pretrained",
                             name=f"bias{bias:g}")
    generated[bias] = audio.read_audio(workdir / "pretrained" / result["wav"]).samples[:, 0]
    print(f"bias {bias:g}: wrote {result['wav']}, {generated[bias].shape} samples; frame-to-frame std "
          f"{result['generated']['frequency_step_std_hz']:.3f} Hz "
          f"(training frames {result['training']['frequency_step_std_hz']:.3f} Hz)")
    display(Audio(generated[bias], rate=sample_rate))

plt.figure(figsize=(12, 3.5))
for bias, sound in generated.items():
    plt.plot(pitch_track(sound, pretrained_config), label=f"bias {bias:g}")
plt.axhline(440, color="grey", lw=0.8, ls="--")
plt.xlabel("frame")
plt.ylabel("Hz")
plt.title("pretrained model: pitch over time")
plt.legend()
plt.show()

# %% [markdown]
# At bias 1 the pitch jitters by several hertz from frame to frame, ten times more than in the training frames; at
# 1e-5 it settles on 440 Hz and stays there. (Frame 0 of any analysis reads a bin centre, 430.7 Hz; over the first
# few dozen frames the network is probably still recovering from the zero vector it is given as its first input.)
# For comparison, the training frames themselves through the same resynthesis, the best this vocoder can do (first
# 2 s):

# %%
best = audio.read_audio(workdir / "pretrained" / "analysis_resynthesis.wav").samples[:, 0]
display(Audio(best[:2 * sample_rate], rate=sample_rate))

# %% [markdown]
# ## 6. Drift, and periodic resets
#
# With deltas, the generated frames are a running sum of drawn changes, started from the middle training frame.
# Any small bias in the drawn changes adds up, so the pitch wanders: a random walk. The blog's remedy was to replace
# the running frame, several times a second, by a frame taken from the middle of the training data
# ([Q9](README.md#q9)); here `reset_every = 86` frames, four times a second. Resets act on that running sum only,
# so on the pretrained model, which predicts whole frames, they change nothing:

# %%
with_resets = dataclasses.replace(pretrained_config, length=400, bias=1.0, reset_every=86)
generate_output(pretrained_run, with_resets, mode="fast", progress=False, out_dir=workdir / "pretrained",
                name="bias1_resets")
same = np.array_equal(audio.read_audio(workdir / "pretrained" / "bias1_resets.wav").samples[:, 0], generated[1.0])
print("absolute frames, resets every 86 frames: identical to no resets?", same)

# %% [markdown]
# Our live model from section 3 does model deltas, and after a few seconds of training its drawn changes are far
# from perfect, so it drifts quickly. `generate_output` reads a run directory, which we did not write, so here are
# its steps from `sampling`'s pieces ([§5](README.md#s5)): start from stream 0's state at the end of training,
# prime with 10·S + 1 training steps, feed a zero vector, then feed each draw back as the next input, 600 times
# (1.7 s) at bias 1e-5. The same draws are then summed twice from the middle training frame, once plainly and once
# with a reset every 86 frames, and resynthesised.

# %%
live_settings = dataclasses.replace(config, length=600, bias=1e-5)
prime = sampling.priming_inputs(x, live_settings)
live_noise = np.random.default_rng(live_settings.sample_seed).standard_normal((600, dimensions)).astype(np.float32)
drawn = sampling.FastSampler(model, live_settings)([state[:1] for state in states], prime, live_noise)
print(f"priming inputs {prime.shape}, noise {live_noise.shape} -> drawn normalised deltas {drawn.shape}")

start = {**stats, "initial_frame": prepared["initial_frame"]}
live_sounds = {}
for reset_every in (0, 86):
    settings = dataclasses.replace(live_settings, reset_every=reset_every)
    summed = sampling.integrate(drawn, start, settings, training_frames, np.random.default_rng(1))
    live_sounds[reset_every] = phase_vocoder.synthesise(features.deinterleave(summed), fft_size, sample_rate,
                                                        components)
    label = f"resets every {reset_every} frames" if reset_every else "no resets"
    spread = sampling.frame_spread(summed, reset_every)["frequency_step_std_hz"]
    print(f"{label}: summed frames {summed.shape} -> sound {live_sounds[reset_every].shape}; "
          f"frame-to-frame std {spread:.3f} Hz")
    display(Audio(live_sounds[reset_every], rate=sample_rate))

plt.figure(figsize=(12, 3.5))
for reset_every, sound in live_sounds.items():
    track = pitch_track(sound, config)
    label = f"resets every {reset_every} frames" if reset_every else "no resets"
    plt.plot(track, label=f"{label}: median {np.median(track):.1f} Hz")
for reset_frame in range(86, 600, 86):
    plt.axvline(reset_frame, color="grey", lw=0.5, ls=":")
plt.axhline(440, color="grey", lw=0.8, ls="--")
plt.xlabel("frame")
plt.ylabel("Hz")
plt.title("live delta model at bias 1e-5: the running sum drifts; resets pull it back")
plt.legend()
plt.show()

# %% [markdown]
# Without resets the pitch slides away from 440 Hz and the partials beat against each other; with resets it is
# pulled back every 86 frames (dotted lines) and drifts only a little in between. The same happens with the
# full-scale delta models: the README's
# [results](README.md#where-we-agree-with-the-blog-and-where-we-do-not-one-training-seed) measure the fully
# trained delta sine wandering over two octaves without resets and within 80 cents with them.
#
# ## Where to go next
#
# - Read [The method](README.md#the-method) for the equations of every stage, the
#   [shapes along the way](README.md#the-shapes-along-the-way-the-blogs-sine-preset-sine) at full size, and the
#   [Quirks of the original](README.md#quirks-of-the-original) and
#   [Deviations and decisions](README.md#deviations-and-decisions).
# - Run the real experiments ([How to run](README.md#how-to-run)):
#
#   ```
#   python -m mdn_vocoder.generate --run sine --length 3000 --bias 1e-5 --mode fast   # the pretrained model
#   python -m shared.experiments mdn_vocoder --list                                   # what each experiment trains
#   python -m shared.experiments mdn_vocoder sine-absolute sine-absolute-reduced sine-reduced --seeds 1 2 3
#   python -m shared.experiments mdn_vocoder clarinet clarinet-resets clarinet-resets-reduced --seeds 1 2 3
#   python -m shared.findings mdn_vocoder                                             # judge the blog's claims
#   ```
#
# - See what the blog's claims came to in [Findings, re-checked over seeds](README.md#findings-re-checked-over-seeds)
#   and [Results of one training seed](README.md#results-of-one-training-seed), and how fast each sampling loop is in
#   [Faithful and fast](README.md#faithful-and-fast).
