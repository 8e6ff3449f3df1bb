# %% [markdown]
# # Learning the decay of a sound signal: a hands-on lesson
#
# Sander and Harder (2016) asked a simple question of a recurrent network: if it hears the first third of a
# second of a plucked note, can it carry on the note the way a string would, at the same pitch, fading out,
# without adding hiss? Their network reads raw waveform, cut into short consecutive pieces (*time slices*), and
# learns one thing only: given the slices so far, predict the next one.
#
# In this lesson we rebuild that pipeline step by step with this project's own functions, on synthetic plucked
# notes made here and now:
#
# 1. read a note, bring it down to a low sample rate and cut it into slices;
# 2. normalise every note with **one global mean and standard deviation**, and check that the way back is exact;
# 3. train a tiny LSTM for a few seconds and watch its loss fall;
# 4. **prime** it with the first slices of a note and let it continue on its own output;
# 5. compare the original's **growing-sequence loop** with the **stateful loop**: same slices, very different cost;
# 6. turn slices back into sound, then do the same with the full-size model of the paper's best run.
#
# The whole method, with every equation and every quirk of the authors' code, is in the work's
# [README](README.md#the-method). This notebook writes only under `runs/tutorial/` (and `runs/pretrained/`).

# %%
import dataclasses
import time
from pathlib import Path

from shared.rundir import quiet_tensorflow

quiet_tensorflow()  # keep TensorFlow's start-up messages out of the notebook

import keras  # noqa: E402
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Audio, display

from decay import features, sampling
from decay.config import DecayConfig
from decay.model import build_model, compile_model, load_trained
from shared import audio, corpora, pretrained
from shared.rundir import load_config

keras.utils.set_random_seed(1)
workspace = Path("runs/tutorial")

# %% [markdown]
# ## 1. Some plucked notes
#
# The paper trained on single guitar notes from the University of Iowa's instrument samples. We stand in for them
# with the project's synthetic `plucked` corpus: 27 single notes (A3 to A5, three dynamics), 6 s each at 44.1 kHz,
# each a sum of decaying partials in which the higher partials die faster, as on a real string. Building it takes
# a few seconds. We keep nine notes, three pitches at three loudnesses, so that the lesson trains quickly, and
# sort them by name as the pipeline does ([Q10](README.md#q10)).

# %%
corpus_folder = workspace / "corpus"
corpora.build("plucked", corpus_folder)
note_files = sorted(corpus_folder / f"Plucked.{dynamic}.{pitch}.wav"
                    for dynamic in ("pp", "mf", "ff") for pitch in ("A3", "A4", "A5"))
print(f"{len(note_files)} notes:", ", ".join(path.stem for path in note_files))

recording = audio.read_audio(corpus_folder / "Plucked.mf.A4.wav", dtype="int16")
print("one recording:", recording.samples.shape, recording.samples.dtype, f"at {recording.rate} Hz")

# %%
seconds = np.arange(len(recording.samples)) / recording.rate
plt.figure(figsize=(10, 2.5))
plt.plot(seconds, recording.samples[:, 0], linewidth=0.3)
plt.xlabel("seconds")
plt.ylabel("int16 sample")
plt.title("Plucked.mf.A4: an attack, then a long fade")
plt.show()
display(Audio(recording.samples[: 3 * recording.rate, 0], rate=recording.rate))

# %% [markdown]
# ## 2. From a recording to slices
#
# The settings live in `decay.config.DecayConfig`, whose defaults are the paper's best run (run 4: 60 slices per
# second, one LSTM of 512 units, a prime of 20 slices, 180 epochs). We shrink it to lesson size: 2 s notes
# instead of 5, 32 units instead of 512, 40 epochs at a batch of 3. We also raise the learning rate from the
# paper's 1e-3 to 5e-3 so that a few seconds of training show something; everything else is the paper's.
#
# First the rates ([README, the equations](README.md#the-equations); quirk [Q1](README.md#q1)). The guitar's
# highest note sets the model's sample rate: the recording is decimated by
# $q = \lfloor 44100 / (2 \cdot 1400) \rfloor = 15$, to 2940 Hz, with a *causal* low-pass filter as scipy did in
# 2016 ([Q2](README.md#q2)). A slice is then $\lfloor 2940 / 60 \rfloor = 49$ samples, and a 2 s note is 120
# slices.

# %%
config = dataclasses.replace(DecayConfig(), clip_seconds=2, hidden_units=32, epochs=40, batch_size=3,
                             learning_rate=5e-3)
decimation, model_rate = features.model_rate(recording.rate, config.highest_freq)
slice_size, slices_per_note = features.block_layout(model_rate, config)
print(f"decimation factor q = {decimation}, model rate = {model_rate} Hz")
print(f"F = {slice_size} samples per slice, T = {slices_per_note} slices per note")

signal, file_rate = features.load_note(corpus_folder / "Plucked.mf.A4.wav", config)
print(f"left channel / 32767, decimated: {recording.samples.shape} at {file_rate} Hz -> {signal.shape} "
      f"at {model_rate} Hz")

# %% [markdown]
# Cutting into slices is a reshape: slice $t$ holds samples $tF$ to $tF + F - 1$. The last slice is padded with
# zeros, and the note is padded with silent slices up to $T$, or cut there (here: cut, the notes are longer than
# 2 s). Each column of the picture below is one slice; the note fades from left to right.

# %%
note_slices = features.note_blocks(signal, slice_size, slices_per_note)
print("one note as slices:", note_slices.shape, "(T, F)")
assert np.array_equal(note_slices[3], signal[3 * slice_size: 4 * slice_size])  # slice 3 is samples 147 to 195

plt.figure(figsize=(10, 3))
plt.imshow(note_slices.T, aspect="auto", cmap="coolwarm", vmin=-0.5, vmax=0.5)
plt.xlabel("slice t (1/60 s each)")
plt.ylabel("sample j in the slice")
plt.title("Plucked.mf.A4 at 2940 Hz, one column per slice")
plt.colorbar(label="sample value")
plt.show()

# %% [markdown]
# Stacking the nine notes gives the training inputs $X$, of shape $(N, T, F)$. The targets $Y$ are the same notes
# shifted by one slice: the target of slice $t$ is slice $t+1$, and the target of the last slice is silence
# ([Q7](README.md#q7)).

# %%
x = np.stack([features.note_blocks(features.load_note(path, config)[0], slice_size, slices_per_note)
              for path in note_files])
y = features.shifted_targets(x)
print("X:", x.shape, " Y:", y.shape, "(N notes, T slices, F samples)")
print("Y[t] is X[t+1]:", np.array_equal(y[:, :-1], x[:, 1:]), "| the last target is silent:", not y[:, -1].any())

# %% [markdown]
# ## 3. One global normalisation, and the way back
#
# The network learns from standardised values: $\tilde X = (X - \mu)/\sigma$ with **one** mean $\mu$ and **one**
# population standard deviation $\sigma$ over every sample of every note, the zero padding included
# ([Q5](README.md#q5), [Q6](README.md#q6)). The same $\mu, \sigma$ scale the targets. Because the statistics are
# shared, a quiet note stays quiet after normalisation: the network sees the real differences in loudness
# between notes. (The authors' final script passed per-note statistics, which would give every note a standard
# deviation of 1; the published results used the global ones.) The command `python -m decay.preprocess` does
# exactly the steps of this and the last section for a folder of notes, and saves $\tilde X$ and $\tilde Y$ (as
# float32) with $\mu$ and $\sigma$ in a run directory.

# %%
mean, std = features.statistics(x, config)
x_normalised = (x - mean) / std
y_normalised = (y - mean) / std
print(f"global mean mu = {float(mean):.3e}, global std sigma = {float(std):.5f}")
print(f"the silent last target becomes -mu/sigma = {float(-mean / std):.3e} in normalised units (not 0)")
print("normalised X:", x_normalised.shape, f"mean {x_normalised.mean():.1e}, std {x_normalised.std():.3f}")

names = [path.stem.replace("Plucked.", "") for path in note_files]
plt.figure(figsize=(10, 2.5))
plt.bar(names, x_normalised.std(axis=(1, 2)), label="global statistics (the paper)")
plt.axhline(1.0, color="black", linestyle="--", label="per-note statistics would give every note 1")
plt.ylabel("std of the normalised note")
plt.legend()
plt.title("After one global normalisation the notes keep their relative loudness")
plt.show()

# %% [markdown]
# **The round trip.** Generated slices come out in normalised units and have to go back to audio. Undoing the
# normalisation, $\tilde x \sigma + \mu$, returns the slices we started from, and their 16-bit samples are the same
# to the last bit. The authors' code, though, undid it in another order, $(\tilde x + \mu)\,\sigma$
# ([Q12](README.md#q12)), which adds the constant $\mu(\sigma - 1)$ to every sample. This project keeps their order
# by default (`denormalisation="faithful"`) and offers the right one as `"corrected"`. Let us measure both on the
# whole data set, through `decay.features.denormalise`, the function generation uses.

# %%
back = x_normalised * std + mean
print(f"slices -> normalised -> back, in float64: largest error {np.abs(back - x).max():.1e}")

own_samples = audio.float_to_int16(x, scale=32767.0).reshape(-1)  # the slices' own 16-bit samples
corrected = features.denormalise(x_normalised, mean, std, order="corrected")
faithful = features.denormalise(x_normalised, mean, std, order="faithful")
print(f"int16, corrected order: {np.count_nonzero(corrected != own_samples)} of {corrected.size} samples differ")
assert np.array_equal(corrected, own_samples)  # exact, to the last bit

offset = float(mean * (std - 1))
measured = ((x_normalised + mean) * std - x).reshape(-1)
print(f"faithful order: predicted offset mu(sigma-1) = {offset:.3e} = {offset * 32767:.4f} LSB; "
      f"measured {measured.min():.3e} to {measured.max():.3e}")
assert np.allclose(measured, offset, rtol=0, atol=1e-15)  # one constant for every sample
difference = faithful.astype(int) - own_samples
print(f"int16, faithful order: {np.count_nonzero(difference)} samples differ, by {difference.min()} to "
      f"{difference.max()} LSB (truncation turns the small offset into 0 or 1 LSB)")

# %% [markdown]
# With our synthetic notes the offset is a fraction of one least significant bit; with the authors' guitar
# statistics it is about 2 LSB ([README, back to audio](README.md#the-equations)). Small, but it is why this
# project's round trip of the authors' notes matches their published files only in their order.
#
# ## 4. The network and a few seconds of training
#
# Model 1 of the paper: a Dense layer applied to every slice, an LSTM, and a Dense layer back to one slice:
# $(\text{batch}, T, F) \to (\text{batch}, T, H) \to (\text{batch}, T, H) \to (\text{batch}, T, F)$. The LSTM has
# Keras 1's gates (Theano's hard sigmoid) and initialisation. The time axis is left open (`None`): the same network
# reads a 20-slice prime or a 300-slice note. Its size is $(F+1)H + 4H(2H+1) + (H+1)F$ parameters.

# %%
keras.utils.set_random_seed(config.seed)
tiny_model = build_model(config, slice_size)
tiny_model.summary()
units = config.hidden_units
formula = (slice_size + 1) * units + 4 * units * (2 * units + 1) + (units + 1) * slice_size
print(f"parameters: Keras counts {tiny_model.count_params()}, the formula gives {formula}")
print("a batch of 2 notes:", x_normalised[:2].shape, "->", tiny_model(x_normalised[:2].astype(np.float32)).shape)

# %% [markdown]
# Training is Keras 1's `fit` with the paper's loss and optimiser: the mean squared error between each predicted
# slice and the next real one, RMSprop with Keras 1's update (`compile_model`), the notes reshuffled every epoch,
# nothing held out. Nine notes at a batch of 3 make three updates per epoch. (`python -m decay.train` does the same
# on a run directory, resumably.) It takes a few seconds.

# %%
compile_model(tiny_model, config)
started = time.perf_counter()
history = tiny_model.fit(x_normalised.astype(np.float32), y_normalised.astype(np.float32),
                         batch_size=config.batch_size, epochs=config.epochs, shuffle=config.shuffle, verbose=0)
losses = history.history["loss"]
print(f"{len(losses)} epochs in {time.perf_counter() - started:.0f} s: loss {losses[0]:.3f} -> {losses[-1]:.3f}")

plt.figure(figsize=(7, 3))
plt.plot(np.arange(1, len(losses) + 1), losses, marker=".")
plt.xlabel("epoch")
plt.ylabel("training MSE (normalised units)")
plt.title("The tiny network learns to predict the next slice")
plt.show()

# %% [markdown]
# ## 5. Priming: the note's first slices, then the network's own
#
# To continue a note, the network is given its first $P$ normalised slices, the *prime* (20 slices, a third of a
# second). Its output after the last prime slice is its guess of slice $P$; that guess is appended, and from then on
# the network reads its own output: any error it makes it will hear again at the next step.
#
# The original code did this in the most direct way: it ran the network on the **whole growing sequence** for
# every new slice and kept only the last output ([Q11](README.md#q11)). Here are its first three steps by hand,
# with the shapes.

# %%
note_name = "Plucked.mf.A4"
slices = x_normalised[[path.stem for path in note_files].index(note_name)].astype(np.float32)
prime = slices[: config.prime]
print(f"{note_name}: {slices.shape} normalised slices; prime: {prime.shape}")

sequence = prime[None]  # a batch of one note: (1, P, F)
for step in range(3):
    outputs = tiny_model.predict_on_batch(sequence)  # one prediction after every slice read: (1, length, F)
    next_slice = outputs[:, -1]  # only the last one is new
    sequence = np.concatenate([sequence, next_slice[:, None]], axis=1)
    print(f"step {step}: read {outputs.shape[1]} slices, output {outputs.shape}, sequence now {sequence.shape}")

# %% [markdown]
# `decay.sampling.generate_faithful` is that loop, run until the sequence has $T$ slices. Its first $P$ rows are the
# prime itself, untouched; the rest is the network's.

# %%
continuation = sampling.generate_faithful(tiny_model.predict_on_batch, prime, len(slices))
print("generated:", continuation.shape, "| first P rows are the prime:",
      np.array_equal(continuation[: config.prime], prime),
      "| the first three steps as above:", np.allclose(continuation[: config.prime + 3], sequence[0], atol=1e-6))

time_axis = np.arange(slices.size) / model_rate
prime_end = config.prime / config.slices_per_second
figure, axes = plt.subplots(2, 1, figsize=(10, 4), sharex=True, sharey=True)
axes[0].plot(time_axis, slices.reshape(-1), linewidth=0.4)
axes[0].set_title(f"{note_name}: the note itself (normalised)")
axes[1].plot(time_axis, continuation.reshape(-1), linewidth=0.4, color="tab:orange")
axes[1].set_title("the prime, then the tiny network's continuation")
for axis in axes:
    axis.axvspan(0, prime_end, color="grey", alpha=0.2)
axes[1].set_xlabel("seconds (shaded: the prime)")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 6. Faithful and fast: the same slices, another cost
#
# Re-running the whole sequence for each new slice costs $O(T^2)$: growing 20 slices to $T$ runs the network on
# $20 + 21 + \dots + (T-1)$ slices. But the network is causal: its output at slice $k$ depends only on slices
# $0 \dots k$. So the LSTM's state after slice $k$ is all that the next step needs, and carrying it forward gives
# the same slices in $O(T)$. `decay.sampling.StepGenerator` does that in one traced TensorFlow function over the
# trained model's own layers (`python -m decay.generate --mode fast`). See
# [README, faithful and fast](README.md#faithful-and-fast).
#
# We time both on the tiny network, each once to warm up (the first call traces the graph), then the best of three.

# %%
stateful = sampling.StepGenerator(tiny_model)


def best_time(function, repeats=3):
    """The fastest of ``repeats`` calls of ``function()``, in seconds, and its result."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def faithful_loop():
    return sampling.generate_faithful(tiny_model.predict_on_batch, prime, len(slices))


def stateful_loop():
    return stateful(prime, len(slices))


faithful_loop(), stateful_loop()  # warm up both
faithful_seconds, faithful_slices = best_time(faithful_loop)
fast_seconds, fast_slices = best_time(stateful_loop)
steps_faithful = sum(range(config.prime, len(slices)))
print(f"slice steps: growing sequence {steps_faithful}, stateful {len(slices) - 1}")
largest_difference = np.abs(faithful_slices - fast_slices).max()
print(f"largest difference between the two outputs: {largest_difference:.2e} (normalised units)")
assert largest_difference < 1e-5  # the tolerance of the project's test of the two loops
print(f"growing sequence: {faithful_seconds:.3f} s; stateful: {fast_seconds:.4f} s; "
      f"the stateful loop is {faithful_seconds / fast_seconds:.0f} times faster here")

# %% [markdown]
# The speed-up measured above depends on the machine and on the size of the network; at the paper's size (a prime
# of 20 slices grown to 300, 512 units) `python benchmarks/decay_generation.py` measures it. The two outputs agree
# to float32 rounding or better (the project's test allows 1e-5), which is why the project's runs use the fast
# loop while the faithful one stays the default of `python -m decay.generate`.
#
# ## 7. Back to sound
#
# The way back is the preprocessing run backwards: the slices laid end to end, denormalised in the authors' order
# and truncated to 16 bits (`features.denormalise`), then FFT-resampled from 2940 Hz to 44.1 kHz and truncated
# again (`features.to_output_rate`, [Q13](README.md#q13)). `python -m decay.generate` does this for the prime plus
# continuation (`<note>_gen.wav`), for the continuation alone (`<note>_gen_wp.wav`), and for the note's own slices
# (`<note>.wav`, "the original" that the continuation is compared with).

# %%
def to_audio(normalised_slices, mean, std, config, model_rate):
    """(T, F) normalised slices -> int16 samples at the output rate, as the generate script writes them."""
    samples = features.denormalise(normalised_slices, mean, std, config.denormalisation)  # int16 at the model rate
    return features.to_output_rate(samples, model_rate, config.output_rate)


def level_db(samples, slices_in_note):
    """The RMS level of each slice-long frame of int16 ``samples``, in dB relative to full scale."""
    frames = audio.int16_to_float(samples).astype(np.float64).reshape(slices_in_note, -1)
    return 20 * np.log10(np.sqrt(np.mean(frames ** 2, axis=1)) + 1e-6)


original = to_audio(slices, mean, std, config, model_rate)
generated = to_audio(fast_slices, mean, std, config, model_rate)
print(f"{fast_slices.shape} slices -> {fast_slices.size} samples at {model_rate} Hz -> {generated.shape} "
      f"{generated.dtype} at {config.output_rate} Hz")

slice_seconds = np.arange(len(slices)) / config.slices_per_second
plt.figure(figsize=(8, 3))
plt.plot(slice_seconds, level_db(original, len(slices)), label="the note")
plt.plot(slice_seconds, level_db(generated, len(slices)), label="prime + tiny network")
plt.axvline(prime_end, color="grey", linestyle="--", label="end of the prime")
plt.xlabel("seconds")
plt.ylabel("level per slice (dBFS)")
plt.legend()
plt.title("Does the continuation decay? (a 32-unit network after 40 epochs)")
plt.show()
print("the note, then prime + continuation:")
display(Audio(audio.int16_to_float(original), rate=config.output_rate, normalize=False))
display(Audio(audio.int16_to_float(generated), rate=config.output_rate, normalize=False))

# %% [markdown]
# Compare the two curves: a network this small, trained for seconds, is far from knowing how a string fades.
# Next, the same steps with the network trained at the paper's size.
#
# ## 8. The full-scale model: run 4 on the paper's guitar notes
#
# The project ships a model of run 4 (512 units, 5 s notes of 300 slices, a prime of 20) trained on the guitar
# notes of the authors' repository; what it is and how it was trained are printed below.
# `shared.pretrained.resolve` copies it to `runs/pretrained/decay/run4/` and returns that run directory: its
# settings, its trained `model.keras`, and its normalised notes with their $\mu$ and $\sigma$.
# `decay.sampling.note_slices` reads a note of the run back, and the steps above do the rest. On these CPUs the
# growing-sequence loop would need about $\sum_{k=20}^{299} k \approx 44{,}700$ slice steps per note, so we use the
# stateful loop, which we have just seen give the same slices.

# %%
about_run4 = pretrained.about("decay", "run4")
print(about_run4["what"])
print("trained with:")
for command in about_run4["trained"]["commands"]:
    print("   ", command)
run4_dir = pretrained.resolve("decay", "run4")
run4_config, run4_document = load_config(run4_dir, DecayConfig)
run4_model = load_trained(run4_dir)
print(f"{run4_config.hidden_units} units, {run4_config.slices_per_second} slices/s, prime {run4_config.prime}; "
      f"training notes X: {tuple(run4_document['shapes']['x'])}; {run4_model.count_params():,} parameters")

# %%
run4_notes = list(run4_config.notes) or (run4_document["notes"]["heldout"] + run4_document["notes"]["train"])[:2]
run4_rate = run4_document["model_rate"]
run4_stateful = sampling.StepGenerator(run4_model)
run4_audio = {}
started = time.perf_counter()
for name in run4_notes:
    note, note_mean, note_std = sampling.note_slices(run4_dir, run4_document, name)
    continued = run4_stateful(note[: run4_config.prime], len(note))
    run4_audio[name] = (to_audio(note, note_mean, note_std, run4_config, run4_rate),
                        to_audio(continued, note_mean, note_std, run4_config, run4_rate))
    print(f"{name}: {note.shape} slices, prime {note[: run4_config.prime].shape} -> {continued.shape}")
print(f"continued {len(run4_notes)} notes in {time.perf_counter() - started:.1f} s")

# %%
run4_slices = run4_document["shapes"]["x"][1]
run4_prime_end = run4_config.prime / run4_config.slices_per_second
times = np.arange(run4_slices) / run4_config.slices_per_second
figure, axes = plt.subplots(len(run4_notes), 3, figsize=(15, 3.5 * len(run4_notes)), squeeze=False)
for row, (name, (note_audio, continued_audio)) in enumerate(run4_audio.items()):
    axes[row, 0].plot(times, level_db(note_audio, run4_slices), label="the note")
    axes[row, 0].plot(times, level_db(continued_audio, run4_slices), label="prime + run 4")
    axes[row, 0].axvline(run4_prime_end, color="grey", linestyle="--", label="end of the prime")
    axes[row, 0].set_title(name)
    axes[row, 0].set_ylabel("level per slice (dBFS)")
    axes[row, 0].legend()
    images = []
    for column, (clip, title) in enumerate([(note_audio, "the note"), (continued_audio, "prime + run 4")], start=1):
        with np.errstate(divide="ignore"):  # a frame of digital silence has no level in dB
            *_, image = axes[row, column].specgram(audio.int16_to_float(clip), NFFT=4096,
                                                   Fs=run4_config.output_rate, noverlap=3072, cmap="magma")
        images.append(image)
        axes[row, column].set_ylim(0, run4_rate / 2)  # nothing above the model's Nyquist frequency
        axes[row, column].set_title(f"{title}: spectrogram")
        axes[row, column].set_ylabel("Hz")
    images[1].set_clim(*images[0].get_clim())  # one colour scale for the pair: quieter is darker
for axis in axes[-1]:
    axis.set_xlabel("seconds")
plt.tight_layout()
plt.show()

first_note = run4_notes[0]
print(f"{first_note}: the note, then prime + run 4's continuation")
for clip in run4_audio[first_note]:
    display(Audio(audio.int16_to_float(clip[: 5 * run4_config.output_rate]), rate=run4_config.output_rate,
                  normalize=False))

# %% [markdown]
# The paper found run 4's continuations to keep the pitch and to decay, more slowly than the originals. How this
# project judges pitch, decay and noise, and what its own runs measure over three training seeds, is in the README.
#
# ## Where to go next
#
# - The method in full: [the idea, the data step by step, the equations](README.md#the-method), and every
#   [quirk of the original](README.md#quirks-of-the-original) with what this project does about it.
# - [Faithful and fast](README.md#faithful-and-fast), and `python benchmarks/decay_generation.py` for the two loops
#   at the paper's size.
# - [How a continuation is judged](README.md#how-a-continuation-is-judged): the three requirements as measures.
# - The real experiments, over training seeds (`--list` prints every experiment and its jobs):
#
#   ```
#   python -m shared.experiments decay run4 --seeds 1 2 3
#   python -m shared.findings decay
#   ```
#
#   or one run by hand, as in [How to run](README.md#how-to-run): `python -m decay.preprocess --preset run4 ...`,
#   `python -m decay.train`, `python -m decay.generate --mode fast`, `python -m decay.analyse`.
# - What the runs found against the paper's claims:
#   [Findings, re-checked over seeds](README.md#findings-re-checked-over-seeds).
