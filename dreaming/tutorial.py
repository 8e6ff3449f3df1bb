# %% [markdown]
# # Dreaming sequences of audio with an LSTM, step by step
#
# Pfalz, Berdahl and Allison (2018) train an LSTM on a single recording and, while it trains, let it *dream*:
# after every update the network is shown a short piece of audio (a seed), its prediction is appended to that
# seed, and the oldest part drops out. The appended predictions are the dream.
#
# This lesson rebuilds the method with this project's code, one idea per cell. After the recording (section 1):
#
# * section 2: how the recording becomes an **[n, L] matrix whose rows are a batch**, and the pair (input, label)
#   of one training iteration;
# * section 3: **where the recurrence runs**: not down the rows but across training iterations, which is why a
#   dream only needs the last row;
# * section 4: a tiny model trained live, dreaming while it trains, its loss falling;
# * section 5: the **FIFO seed**: one dream step, the matrix before and after, the dream state carried;
# * section 6: the **oscillator-bank vocoder** that turns magnitude frames back into sound;
# * section 7: the committed model of the paper's Audio Example 4, dreaming from a seed of two chosen pitches.
#
# Everything here is explained at more length in [the work's README](README.md), especially
# [The method](README.md#the-method) (with its paragraph "Where the recurrence runs" under
# [The idea](README.md#the-idea)) and [the quirks of the original](README.md#quirks-of-the-original). All files go
# under the current folder.

# %%
import math
from pathlib import Path

from shared.rundir import quiet_tensorflow

quiet_tensorflow()  # keep TensorFlow's start-up messages out of the notebook

import keras  # noqa: E402
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Audio, display

from dreaming import features, model, sampling, vocoder
from dreaming.config import APPROACHES, PRESETS, DreamingConfig
from dreaming.training import Dreamer
from shared import audio, corpora, metrics, pretrained
from shared.rundir import load_config, resolve_config

keras.utils.set_random_seed(0)  # Python's, numpy's and TensorFlow's generators: a rerun shows the same numbers
RATE = 11025  # every file of the paper is at 11025 Hz

# %% [markdown]
# ## 1. The recording
#
# The paper trains on 30 s of guitar. We use the project's synthetic stand-in, `guitar_melody`: a fingerpicked
# arpeggio over C–G–Am–F at 11025 Hz, built here in a few seconds.

# %%
manifest = corpora.build("guitar_melody", Path("corpora/guitar_melody"))
melody_path = Path("corpora/guitar_melody/melody.wav")
print(manifest["description"])

whole_melody = audio.read_audio(melody_path).samples[:, 0]
print("the whole melody:", whole_melody.shape, f"= {len(whole_melody) / RATE:.1f} s at {RATE} Hz")
display(Audio(whole_melody[: 5 * RATE], rate=RATE))

# %% [markdown]
# The settings live in one dataclass, `DreamingConfig`, with one preset per Audio Example of the paper. We start
# from the preset the tests use, `tiny` (vector approach, L = 32 samples per row, n = 4 rows), and change a few
# settings the way `--set key=value` does on the command line: a short piece of the melody (0.15 s), a learning
# rate ten times the paper's 1e-4 so that something is learnt in seconds, and six epochs.

# %%
config = resolve_config(DreamingConfig, PRESETS, "tiny", ["max_seconds=0.15", "learning_rate=1e-3", "epochs=6"])
signal = features.load_signal(melody_path, config)  # mono float32 in [-1, 1], the first max_seconds only
print(f"approach {config.approach}: L = seg_len = {config.seg_len}, n = rows = {config.rows}")
print("signal:", signal.shape, signal.dtype)

# %% [markdown]
# ## 2. The [n, L] matrix and the training pair
#
# At iteration t a cursor c_t points into the signal. The input X_t is n rows of L consecutive samples each, the
# rows Δi = L apart, so they lie side by side. In the vector approach the label Y_t is the same cut moved on by
# o = L samples: each row's label is "the next L samples", which is also the next row's input. After the update
# the cursor moves on by Δe = 1 sample.
#
# `features.layout` resolves these numbers for an approach; `features.training_pair` cuts the pair.

# %%
cut = features.layout(config)
print(cut)
print("offsets of the input's elements from the cursor:", features.input_indices(cut).shape)
print("  first sample of each row:", features.input_indices(cut)[:, 0], " label rows start at:",
      features.label_indices(cut)[:, 0])

inputs, labels = features.training_pair(signal, 0, cut)
print("X_0:", inputs.shape, " Y_0:", labels.shape)
print("the label of row i is the input of row i + 1:", np.array_equal(labels[:-1], inputs[1:]))

next_inputs, _ = features.training_pair(signal, 1, cut)
print("one iteration later every row has moved one sample:", np.array_equal(next_inputs[:, :-1], inputs[:, 1:]))

# %% [markdown]
# Here is the same cut drawn on the signal: the input rows coloured, and the label rows under them, one row (L
# samples) further on. On the right, X_0 and Y_0 as matrices: the rows of Y_0 are the rows of X_0 moved up by one.

# %%
colours = plt.cm.viridis(np.linspace(0.1, 0.9, cut.rows + 1))
span = cut.label_span()
figure, (left, middle, right) = plt.subplots(1, 3, figsize=(14, 3.2), gridspec_kw={"width_ratios": [2.2, 1, 1]})
left.plot(np.arange(span), signal[:span], color="0.7", linewidth=1)
for row in range(cut.rows):
    where = features.input_indices(cut)[row]
    left.plot(where, inputs[row], color=colours[row], linewidth=2, label=f"X row {row}")
    left.plot(features.label_indices(cut)[row], labels[row] - 0.5, color=colours[row + 1], linewidth=2)
left.set(title="rows cut from the signal (labels drawn 0.5 lower)", xlabel="sample", ylabel="amplitude")
left.legend(fontsize=7, ncol=2)
for axis, matrix, name in ((middle, inputs, "X_0 (input)"), (right, labels, "Y_0 (label)")):
    axis.imshow(matrix, aspect="auto", cmap="RdBu_r", vmin=-0.6, vmax=0.6)
    axis.set(title=f"{name}: {matrix.shape}", xlabel="j (sample in the row)", ylabel="i (row)",
             yticks=range(cut.rows))
plt.tight_layout()
plt.show()

# %% [markdown]
# The paper's four approaches cut their inputs alike but ask for different labels: the vector approach the next
# vector of every row, the column approach only the sample after each row, the transpose approach the one sample
# after the whole matrix, and the magnitude approach the next spectrum frames (its rows are frames of a
# spectrogram, not samples).

# %%
print(f"{'approach':<10} {'row stride':>10} {'label offset o':>15} {'label shape':>12}")
for approach in APPROACHES:
    other = features.layout(resolve_config(DreamingConfig, PRESETS, "tiny", [f"approach={approach}"]))
    unit = "frames" if other.frames else "samples"
    print(f"{approach:<10} {other.stride:>10} {other.offset:>8} {unit:<7}"
          f" {str((other.label_rows, other.label_width)):>11}")

# %% [markdown]
# ## 3. Where the recurrence runs
#
# An LSTM fed a matrix looks as if it reads the rows one after the other, as time steps. It does not. The
# original code runs **one** step of the LSTM cell per training iteration on all n rows at once: the rows are a
# *batch*, n independent copies of the same cell, each with its own row of the state (h, c). The state that
# iteration t returns is fed in at iteration t + 1, when every row has moved one sample on. Time, for the LSTM,
# is the sequence of iterations ([Q1](README.md#q1)).
#
# The left panel shows the reading the matrix suggests; the right one what the code does.

# %%
iterations_drawn = 5
figure, (as_time, as_batch) = plt.subplots(1, 2, figsize=(12, 3.6), gridspec_kw={"width_ratios": [1, 2.6]})
for row in range(cut.rows):
    as_time.scatter([0], [row], s=900, marker="s", color=colours[row])
    as_time.text(0, row, f"row {row}", ha="center", va="center", fontsize=8, color="white")
    if row < cut.rows - 1:
        as_time.annotate("", xy=(0, row + 0.7), xytext=(0, row + 0.3), arrowprops={"arrowstyle": "->"})
as_time.set(title="NOT what happens:\nrows as time steps", xlim=(-1, 1), ylim=(cut.rows - 0.5, -0.5),
            xticks=[], ylabel="row i", yticks=range(cut.rows))
for iteration in range(iterations_drawn):
    for row in range(cut.rows):
        last = row == cut.rows - 1
        as_batch.scatter([iteration], [row], s=900, marker="s", color=colours[row], edgecolor="red" if last else None,
                         linewidth=2.5)
        as_batch.text(iteration, row, f"X{iteration}[{row}]", ha="center", va="center", fontsize=7, color="white")
        if iteration < iterations_drawn - 1:
            as_batch.annotate("", xy=(iteration + 0.75, row), xytext=(iteration + 0.25, row),
                              arrowprops={"arrowstyle": "->", "color": "red" if last else "black"})
as_batch.set(title="what the code does: rows are a batch, the state (h, c) of each row is carried to the next "
                   "iteration\n(red: the last row, the only one a dream keeps)",
             xlim=(-0.6, iterations_drawn - 0.4), ylim=(cut.rows - 0.5, -0.5), xlabel="training iteration t",
             ylabel="row i", xticks=range(iterations_drawn), yticks=range(cut.rows))
plt.tight_layout()
plt.show()

# %% [markdown]
# Two experiments check this on the network itself (`dreaming.model.build_network`, here untrained). The network
# takes a batch of matrices (B, n, L) and a state of the same shape, and returns the output and the new state.
#
# **The rows do not interact.** Replace every row of X but the last by noise: if the rows were time steps, the
# last row's result would change. It does not change at all.

# %%
network = model.build_network(config)
zeros = np.zeros((1, cut.rows, cut.length), np.float32)
output, hidden, cell = network(inputs[None], zeros, zeros, dropout=False)
print("input (B, n, L):", inputs[None].shape, " output:", tuple(output.shape), " h:", tuple(hidden.shape),
      " c:", tuple(cell.shape))

noisy = inputs.copy()
noisy[:-1] = np.random.default_rng(0).normal(0, 0.3, noisy[:-1].shape)
_, hidden_noisy, _ = network(noisy[None], zeros, zeros, dropout=False)
change = np.abs(np.asarray(hidden_noisy) - np.asarray(hidden))[0].max(axis=1)
for row in range(cut.rows):
    print(f"row {row}: largest change of h = {change[row]:.3g}")

# %% [markdown]
# **The memory comes from earlier iterations.** Step through iterations 0–4 carrying the state, as training
# does, and compare the state at iteration 4 with what the same input gives from a zero state: the difference
# is the network's memory of where the cursor has been.

# %%
state_h, state_c = zeros, zeros
for cursor in range(iterations_drawn):
    moved_inputs, _ = features.training_pair(signal, cursor, cut)
    _, state_h, state_c = network(moved_inputs[None], state_h, state_c, dropout=False)
_, fresh_h, _ = network(moved_inputs[None], zeros, zeros, dropout=False)
print("h at iteration 4, carried state vs zero state: largest difference per row",
      np.abs(np.asarray(state_h) - np.asarray(fresh_h))[0].max(axis=1).round(4))

# %% [markdown]
# So row i's output depends only on row i of the input and row i of the state. A dream keeps only the
# prediction of the last row, so only the seed's last row and the last row of the dream state matter; the other
# n − 1 rows are computed and thrown away. The project's `--mode fast` therefore dreams on the last row alone.
# (The transpose approach is the exception: its head mixes the rows into one sample.)
#
# ## 4. Training a tiny model live, and dreaming while it trains
#
# The authors trained and dreamt at the same time ("concurrently"): after every single Adam update, one dream step
# with the weights just updated. `dreaming.training.Dreamer` holds the network, the optimizer and the compiled
# steps. Its `block` runs many iterations in one compiled loop; each iteration
#
# * cuts (X, Y) at the cursor and makes **one update** of the mean squared error, with the training state fed in
#   and the new state kept (the recurrence across iterations of section 3);
# * then makes **one dream step** on the seed's last row, with a separate dream state, and moves the FIFO on
#   (section 5 takes this step apart).
#
# This is the loop `python -m dreaming.train --mode fast` runs, without the run folder, checkpoints and files
# around it. An epoch has one iteration per cursor position at which the input and its label both fit.

# %%
per_epoch = features.iterations_per_epoch(len(signal), cut)
print(f"{len(signal)} samples; a pair spans {max(cut.input_span(), cut.label_span())} of them:"
      f" {per_epoch} iterations per epoch")
dreamer = Dreamer(config, cut, signal, per_epoch)
print(f"the network has {dreamer.network.count_params():,} parameters (8L² + 4L for the LSTM, L² + L for the head)")

# %% [markdown]
# Six epochs. As the original takes a new seed after every `dream_length` steps, we take one at the start of each
# epoch (the start of the signal; the fast loop only reads its last row), so that each epoch leaves one dream of
# as many vectors as it has iterations. The dream state is carried from one dream to the next, as in the paper-era
# code ([Q5](README.md#q5)).

# %%
train_h = train_c = np.zeros((cut.rows, cut.length), np.float32)  # the training state: one row per matrix row
dream_h = dream_c = np.zeros((1, 1, cut.length), np.float32)  # the dream state: (dreams, rows read, L)
iteration_losses, epoch_dreams = [], []
for epoch in range(config.epochs):
    seed_rows = features.seed_matrix(signal, 0, cut)[None, -1:]  # a new seed, its last row only
    kept, losses, train_h, train_c, _, dream_h, dream_c = dreamer.block(
        np.int32(epoch * per_epoch), np.int32(per_epoch), train_h, train_c, seed_rows, dream_h, dream_c)
    iteration_losses.append(np.asarray(losses))
    epoch_dreams.append(sampling.dream_audio(list(np.asarray(kept)[:, 0]), config, rng=None))
    print(f"epoch {epoch + 1}: {len(losses)} updates and dream steps, mean loss {np.mean(losses):.3g};"
          f" kept {np.asarray(kept).shape} -> a dream of {epoch_dreams[-1].shape}")

# %% [markdown]
# The loss of each iteration depends on where the cursor is (a quiet stretch is easy to predict, an attack is
# not), so it repeats a pattern every epoch; its mean per epoch falls.

# %%
all_losses = np.concatenate(iteration_losses)
epoch_means = [losses.mean() for losses in iteration_losses]
figure, axis = plt.subplots(figsize=(9, 3.2))
axis.semilogy(np.arange(1, len(all_losses) + 1) / per_epoch, all_losses, color="0.75", linewidth=0.5,
              label="each iteration")
axis.semilogy(np.arange(1, config.epochs + 1), epoch_means, "o-", label="mean of the epoch (plotted at its end)")
axis.set(title="training loss (mean squared error)", xlabel="epoch", ylabel="loss")
axis.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# The last epoch's dream: each of its steps came from a network one update better trained than the step before.

# %%
last_dream = epoch_dreams[-1]
print("the last dream:", last_dream.shape, f"= {len(last_dream) / RATE:.2f} s")
figure, axis = plt.subplots(figsize=(12, 2.6))
axis.plot(np.arange(len(last_dream)) / RATE, last_dream, linewidth=0.5)
axis.set(title="the dream of the last epoch (concurrent dreaming)", xlabel="seconds", ylabel="amplitude")
plt.tight_layout()
plt.show()
display(Audio(last_dream[: 5 * RATE], rate=RATE))

# %% [markdown]
# ## 5. The FIFO seed and one dream step
#
# A dream starts from a seed shaped like an input: n contiguous rows of L samples. Each step, the network
# predicts; the seed's oldest row drops out at the top and the prediction's last row is appended at the bottom
# (first in, first out). That appended row is what the dream keeps. The column and transpose approaches, which
# predict one sample, shift the *flattened* seed by one sample instead. `sampling.shift_in` does both; on a
# small numbered matrix the difference is easy to see.

# %%
numbered = np.arange(12, dtype=np.float32).reshape(1, 3, 4)  # one seed (B = 1) of 3 rows of 4
vector_prediction = np.full((1, 3, 4), -1.0, np.float32)  # the network's output, one vector per row
column_prediction = np.full((1, 3, 1), -1.0, np.float32)  # one sample per row
for approach, prediction in (("vector", vector_prediction), ("column", column_prediction)):
    moved, kept = sampling.shift_in(numbered, prediction, approach)
    print(f"{approach}: kept {kept[0]}, the seed after the step:\n{moved[0]}")

# %% [markdown]
# Now the real thing: the tiny network just trained, a seed cut from the start of the signal
# (`features.seed_matrix`), and one dream step from a zero dream state, on all n rows as the original did.

# %%
trained = dreamer.network
seed = features.seed_matrix(signal, 0, cut)
dream_h = dream_c = zeros
prediction, dream_h, dream_c = trained(seed[None], dream_h, dream_c, dropout=False)
after, kept_vector = sampling.advance_seed(seed, np.asarray(prediction)[0], config.approach)
print("seed before:", seed.shape, " prediction:", tuple(prediction.shape), " seed after:", after.shape,
      " kept:", kept_vector.shape)
print("rows 1..n-1 moved up by one:", np.array_equal(after[:-1], seed[1:]),
      "| new last row = the prediction's last row:", np.allclose(after[-1], np.asarray(prediction)[0, -1]))

figure, axes = plt.subplots(1, 2, figsize=(11, 2.8))
for axis, matrix, name in ((axes[0], seed, "seed before the step"), (axes[1], after, "seed after one step")):
    axis.imshow(matrix, aspect="auto", cmap="RdBu_r", vmin=-0.6, vmax=0.6)
    axis.set(title=name, xlabel="j (sample in the row)", ylabel="i (row)", yticks=range(cut.rows))
axes[1].add_patch(plt.Rectangle((-0.5, cut.rows - 1.5), cut.length, 1, fill=False, edgecolor="black", linewidth=2))
axes[1].text(cut.length / 2, cut.rows - 1, "the prediction, appended", ha="center", va="center")
plt.tight_layout()
plt.show()

# %% [markdown]
# The dream state (h, c) is carried from one step to the next, just as the training state is carried from one
# iteration to the next: the second step from the carried state differs from the same step from a zero state.

# %%
second, _, _ = trained(after[None], dream_h, dream_c, dropout=False)
second_from_zero, _, _ = trained(after[None], zeros, zeros, dropout=False)
print("step 2, carried vs zero dream state: largest difference of the kept row",
      f"{np.abs(np.asarray(second) - np.asarray(second_from_zero))[0, -1].max():.3g}")

# %% [markdown]
# Finally, a whole dream twice: `sampling.dream_faithful` steps all n rows from Python, `sampling.FastDreamer`
# runs one compiled loop on the seed's **last row only**. Since rows do not interact, the two dreams agree, to
# float rounding at most (dropout plays no part here: this preset's `input_keep` is 1, nothing is dropped).

# %%
steps = 200
faithful_dream = np.concatenate(sampling.dream_faithful(trained, seed, steps, config))
fast_dream = sampling.FastDreamer(trained, config, rows=1)(seed[None], steps)[:, 0].reshape(-1)
print("faithful:", faithful_dream.shape, " fast:", fast_dream.shape,
      f" largest difference: {np.abs(faithful_dream - fast_dream).max():.2g}")

# %% [markdown]
# ## 6. The magnitude approach and its oscillator-bank vocoder
#
# In the magnitude approach the rows are frames of a magnitude spectrogram (a Blackman window of L samples,
# zero-padded to 2L, the first L bins, all divided by one global maximum), and the network predicts the next
# frames. There is no phase, so the dreamt frames are turned into sound by a bank of oscillators: keep only the
# local peaks of each frame, give every bin a sine at its centre frequency with a random phase, let its amplitude
# follow the frames linearly from hop to hop, add them up and divide by the (signed) maximum
# ([the equations](README.md#the-equations), [Q7](README.md#q7), [Q8](README.md#q8)).
#
# We run the vocoder on the analysis frames of two seconds of the melody, with the window and hop of the
# `quick` preset.

# %%
magnitude_config = resolve_config(DreamingConfig, PRESETS, "quick", [])
two_seconds = whole_melody[: 2 * RATE]
frames, peak = features.magnitude_frames(two_seconds, magnitude_config)
peaks = vocoder.pick_peaks(frames)
resynthesis = vocoder.synthesise(frames, magnitude_config.hop, RATE, magnitude_config.seg_len,
                                 rng=np.random.default_rng(0))
window, hop = magnitude_config.seg_len, magnitude_config.hop
print(f"window {window}, hop {hop}: frames {frames.shape} (frames, bins), global max {peak:.3g}")
print(f"bins are {vocoder.bin_frequencies(window, RATE)[1]:.2f} Hz apart;"
      f" peak picking keeps {np.count_nonzero(peaks, axis=1).mean():.1f} of {window} bins per frame on average")
print(f"resynthesis: {resynthesis.shape} = (frames + 1) x hop = {(len(frames) + 1) * hop} samples;"
      f" max {resynthesis.max():.3f}, min {resynthesis.min():.3f}")

# %%
def show_spectrogram(axis, magnitudes, frame_hop, title, top_hz=2500):
    """Draw magnitude frames (frames, bins) in dB below their maximum; bin k lies at k·fs/(2·bins) Hz."""
    decibels = 20 * np.log10(magnitudes.T / magnitudes.max() + 1e-4)
    axis.imshow(decibels, origin="lower", aspect="auto", vmin=-60, vmax=0, cmap="magma",
                extent=(0, len(magnitudes) * frame_hop / RATE, 0, RATE / 2))
    axis.set(title=title, xlabel="seconds", ylabel="Hz", ylim=(0, top_hz))


figure, axes = plt.subplots(1, 3, figsize=(15, 3.4))
show_spectrogram(axes[0], frames, hop, "the melody's magnitude frames (dB)")
show_spectrogram(axes[1], peaks, hop, "after peak picking: the oscillators' amplitudes")
show_spectrogram(axes[2], vocoder.magnitude_spectrogram(resynthesis, window, hop), hop,
                 "the oscillator bank's output, analysed again")
plt.tight_layout()
plt.show()
print("the melody, then its resynthesis from magnitudes alone:")
display(Audio(two_seconds, rate=RATE), Audio(resynthesis, rate=RATE))

# %% [markdown]
# ## 7. The full-scale model: Audio Example 4
#
# The project ships a model trained on the paper's guitar: the vector approach with L = 128 and n = 100, Audio
# Example 4. `pretrained.resolve` copies it under `runs/pretrained/` and returns its run folder, with the settings
# it was trained with (`config.json`).

# %%
example_run = pretrained.resolve("dreaming", "example4")
about = pretrained.about("dreaming", "example4")
print(about["what"])
print("trained with:")
for command in about["trained"]["commands"]:
    print("   ", command)
example_config, example_document = load_config(example_run, DreamingConfig)
example_cut = features.layout_of(example_document)
example_network = model.load_trained(example_run)
print(example_cut)
print(f"{example_network.count_params():,} parameters")

# %% [markdown]
# It ships without its training audio, so it dreams from a seed we choose: two plucked notes, A3 and E4, sounded
# together (the paper's §5.1 idea of a seed holding only the pitches one wants). On the command line that is
# `python -m dreaming.generate --run example4 --seed-pitches A3,E4 --seconds 3 --mode fast`; here are the
# functions behind it, one by one: the seed audio (`features.chosen_pitch_seed`, which `generate.pitch_seed_file`
# writes to `seeds/`), its first n·L samples as the seed matrix, as many steps as 3 s need, the compiled fast
# dream on the last row, and the kept vectors joined into audio.

# %%
chosen_seed = features.chosen_pitch_seed(["A3", "E4"], 2.0, RATE)
seed_matrix = features.seed_matrix(chosen_seed, 0, example_cut)
steps = math.ceil(3 * RATE / example_cut.length)
rows_read = sampling.fast_rows(example_cut, example_config.approach)
kept = sampling.FastDreamer(example_network, example_config, rows_read)(seed_matrix[None], steps)
chosen_dream = sampling.dream_audio(list(kept[:, 0]), example_config, rng=None)
print("seed audio:", chosen_seed.shape, " seed matrix:", seed_matrix.shape, f" rows the dream reads: {rows_read}")
print(f"{steps} steps: kept {kept.shape} (steps, dreams, L) -> dream {chosen_dream.shape}"
      f" = {len(chosen_dream) / RATE:.2f} s")
print(f"of the {seed_matrix.size} seed samples, the dream reads only the last row's {example_cut.length}"
      f" ({1000 * example_cut.length / RATE:.0f} ms)")

# %%
seed_span = seed_matrix.size / RATE  # the seed matrix covers the first n·L samples of the seed audio
last_row = (seed_matrix.size - example_cut.length) / RATE
figure, axes = plt.subplots(2, 2, figsize=(14, 6), sharex="col")
axes[0, 0].plot(np.arange(len(chosen_seed)) / RATE, chosen_seed, linewidth=0.4)
axes[0, 0].axvspan(0, seed_span, color="C2", alpha=0.15, label="the seed matrix (n·L samples)")
axes[0, 0].axvspan(last_row, seed_span, color="red", alpha=0.6, label="its last row: all the dream reads")
axes[0, 0].set(title="the seed: A3 + E4 plucked together", ylabel="amplitude")
axes[0, 0].legend(fontsize=8)
axes[0, 1].plot(np.arange(len(chosen_dream)) / RATE, chosen_dream, linewidth=0.4, color="C1")
axes[0, 1].set(title="the dream of example4", ylabel="amplitude")
for axis, samples, name in ((axes[1, 0], chosen_seed, "the seed"), (axes[1, 1], chosen_dream, "the dream")):
    show_spectrogram(axis, vocoder.magnitude_spectrogram(samples, 1024, 128), 128, f"{name} (dB)")
    for note, placement in (("A3", "top"), ("E4", "bottom")):
        axis.axhline(features.note_frequency(note), color="white", linestyle=":", linewidth=1)
        axis.text(0.02, features.note_frequency(note), note, color="white", va=placement)
plt.tight_layout()
plt.show()

display(Audio(chosen_seed, rate=RATE), Audio(chosen_dream, rate=RATE))

# %% [markdown]
# Listen to both and compare the spectrograms (the seed's two notes are dotted). A vector-approach dream is a
# chain of L-sample vectors, each predicted from the one before, and wherever one vector meets the next the
# waveform may jump. The README rates dreams with measurable stand-ins for the paper's three criteria (defined in
# the repository's `shared/README.md`); one of them, M3, looks for exactly these jumps: the mean step
# |x[t+1] − x[t]| across the vector edges divided by the mean step anywhere. 1 means the edges leave no trace; the
# criteria count more than 1.1 as clicks. Here it is for the seed, the full-scale dream, and the tiny model's
# dream from section 4 (whose vectors are only 32 samples long).

# %%
vector_length = example_network.units
print(f"M3 at L = {vector_length}: the seed {metrics.block_edge_ratio(chosen_seed, vector_length):.2f},"
      f" the example4 dream {metrics.block_edge_ratio(chosen_dream, vector_length):.2f}")
print(f"M3 at L = {cut.length}: the tiny model's last dream {metrics.block_edge_ratio(last_dream, cut.length):.2f}")

# %% [markdown]
# The README's results and findings report these measures for every Audio Example over several training seeds,
# beside the paper's own ratings.
#
# ## Where to go next
#
# * The README: [The method](README.md#the-method) with every shape and equation,
#   [Quirks of the original](README.md#quirks-of-the-original) (18 of them), [Faithful and
#   fast](README.md#faithful-and-fast), [Run sizes on 2 CPU cores](README.md#run-sizes-on-2-cpu-cores).
# * The same steps from the command line, with a run folder, checkpoints and a dream file every `dream_length`
#   steps: the `quick` preset (the magnitude approach at a size a CPU trains quickly) on this lesson's melody,
#
#   ```
#   python -m shared.corpora build guitar_melody --out corpora/guitar_melody
#   python -m dreaming.preprocess --preset quick --input corpora/guitar_melody/melody.wav --run runs/dreaming/quick
#   python -m dreaming.train --run runs/dreaming/quick --mode fast
#   python -m dreaming.generate --run example4 --seed-pitches C4,G4 --seconds 5 --mode fast
#   ```
#
#   and the paper's own guitar with `python -m shared.reference fetch dreaming` and a preset `example1` …
#   `example11` ([How to run](README.md#how-to-run)).
# * The experiments behind the findings, each over three training seeds:
#   `python -m shared.experiments dreaming example4 --seeds 1 2 3` (or any of `example1` … `example11`), then
#   `python -m shared.findings dreaming` to judge them.
# * What they found: [Findings, re-checked over seeds](README.md#findings-re-checked-over-seeds) and
#   [Results](README.md#results).
