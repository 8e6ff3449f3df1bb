# %% [markdown]
# # GRUV: an LSTM that continues raw audio, and two ways to get it wrong
#
# GRUV (Nayebi and Vitelli, 2015) cuts music into short blocks, turns each block into a vector of numbers, and
# trains an LSTM to predict the next block from the ones before it. To make new audio it feeds the network its
# own predictions, one block at a time. Jakub Fiala rebuilt the same scheme a few months later with 2048-sample
# frames and three stacked LSTMs, tried it on vowels, 808 kicks and the amen break, and wrote down what went wrong.
# Two of his lessons are the subject of this notebook:
#
# * **E1, the first-index pitfall.** A sequence model returns one output per input step. Reading the *first* of
#   them instead of the *last* during generation makes the loop repeat one frame forever.
# * **E4 against E5, de-normalisation.** The network works on z-scored numbers. Fiala found that his raw-sample
#   amen model sounded better when he did *not* add the mean and standard deviation back. We look at what that
#   choice does to a drum loop.
#
# Everything runs on a drum loop synthesised here, with a network small enough to train in seconds:
#
# 1. a synthetic amen-style drum loop;
# 2. the data, stage by stage, with every array's shape;
# 3. the network;
# 4. training it live;
# 5. the generation loop;
# 6. E1: the first output against the last;
# 7. E4 against E5: with and without de-normalising;
# 8. how to make the full-size runs.
#
# The [README](README.md) explains the method with its equations ([The method in brief](README.md#the-method-in-brief)),
# every oddity of the original code ([Quirks of the original](README.md#quirks-of-the-original)) and the two
# generation loops ([Faithful vs fast](README.md#faithful-vs-fast)). The first cell imports the project's modules and
# fixes every seed, so a rerun prints the same numbers.

# %%
import logging
import time
from pathlib import Path

from shared.rundir import quiet_tensorflow

quiet_tensorflow()  # keep TensorFlow's start-up messages out of the notebook
logging.getLogger("tensorflow").setLevel(logging.ERROR)  # and its notes on retracing for longer sequences

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from IPython.display import Audio, display  # noqa: E402

import gruv  # noqa: E402
from gruv import features, sampling  # noqa: E402
from gruv.config import PRESETS, GruvConfig  # noqa: E402
from gruv.model import build_model, compile_model  # noqa: E402
from shared import audio, criteria, metrics  # noqa: E402
from shared.rundir import resolve_config  # noqa: E402

keras.utils.set_random_seed(1)
workdir = Path("runs/tutorial")
workdir.mkdir(parents=True, exist_ok=True)

# %% [markdown]
# ## The settings
#
# We start from the preset of Fiala's raw amen experiment, `fiala-amen-raw` (E4): raw samples as features
# (`domain="time"`), the whole file as one training example, the first frames kept, one seed frame. Its network
# (three LSTMs of width 2048) is far too big to train on a CPU during a lesson, so we shrink it, with the same
# `key=value` strings the scripts accept after `--set`:
#
# * 22,050 Hz instead of 44,100, and frames of 1024 samples: the same 46 ms per frame as Fiala's 2048 at 44.1 kHz;
# * 30 frames kept instead of 60 (one bar of our loop, about 1.4 s);
# * one LSTM of width 128 instead of three of 2048;
# * a learning rate of 3e-3 instead of the preset's 1e-3 (Keras 0.1's RMSprop default), so that a few hundred
#   epochs are enough;
# * 89 generation steps, which with the seed frame give 90 frames (4.18 s): as long as the three bars of the loop.

# %%
changes = ["sample_rate=22050", "block_size=1024", "max_blocks=30", "hidden_dims=128", "num_recurrent_units=1",
           "learning_rate=3e-3", "epochs=300", "generate_steps=89"]
config = resolve_config(GruvConfig, PRESETS, "fiala-amen-raw", changes)
preset = resolve_config(GruvConfig, PRESETS, "fiala-amen-raw")
fields = ["sample_rate", "block_size", "domain", "chunking", "max_blocks", "hidden_dims", "num_recurrent_units",
          "batch_size", "learning_rate", "epochs", "target_loss", "seed_frames", "generate_steps", "denormalize",
          "int16_overflow"]
pd.DataFrame({"fiala-amen-raw": [getattr(preset, name) for name in fields],
              "this lesson": [getattr(config, name) for name in fields]}, index=fields)

# %% [markdown]
# ## 1. An amen-style drum loop
#
# The amen break is a four-bar drum solo; we make a one-bar pattern in its spirit from three synthetic sounds: a
# kick (a sine sweeping down from 140 Hz to 50 Hz), a snare (a noise burst over a 190 Hz tone) and a closed hi-hat
# (a very short burst of high-passed noise). The bar has 16 steps, and its length is exactly 30 frames of 1024
# samples, so that the frames we train on hold one whole bar. The loop is that bar played three times.

# %%
rate, frame_length = config.sample_rate, config.block_size
bar_length = config.max_blocks * frame_length
step_length = bar_length // 16
generator = np.random.default_rng(1)


def decay(count, seconds):
    return np.exp(-np.arange(count) / rate / seconds)


def kick(count):
    frequency = 50.0 + 90.0 * decay(count, 0.03)
    return np.sin(2 * np.pi * np.cumsum(frequency) / rate) * decay(count, 0.12)


def snare(count):
    tone = np.sin(2 * np.pi * 190.0 * np.arange(count) / rate)
    return 0.6 * generator.standard_normal(count) * decay(count, 0.05) + 0.5 * tone * decay(count, 0.04)


def hihat(count):
    return 0.3 * np.diff(generator.standard_normal(count + 1)) * decay(count, 0.012)


pattern = {  # (step, loudness) of every hit in the bar
    kick: [(0, 1.0), (2, 1.0), (10, 1.0), (11, 0.8)],
    snare: [(4, 1.0), (7, 0.4), (9, 0.5), (12, 1.0), (15, 0.4)],
    hihat: [(step, 1.0) for step in range(0, 16, 2)],
}
bar = np.zeros(bar_length)
for sound, hits in pattern.items():
    for step, loudness in hits:
        start = step * step_length
        bar[start:] += loudness * sound(bar_length - start)  # each hit rings until the bar ends
bar = 0.8 * bar / np.abs(bar).max()
loop = np.tile(bar, 3).astype(np.float32)
print(f"one bar: {bar_length} samples = {config.max_blocks} frames of {frame_length} = {bar_length / rate:.3f} s, "
      f"16 steps of {step_length / rate * 1000:.1f} ms ({60 / (4 * step_length / rate):.0f} beats per minute)")
print(f"the loop: shape {loop.shape}, {len(loop) / rate:.2f} s, dtype {loop.dtype}")

# %%
seconds = np.arange(len(loop)) / rate
figure, axis = plt.subplots(figsize=(11, 2.6))
axis.plot(seconds, loop, linewidth=0.5)
for border in range(0, len(loop) + 1, frame_length):
    axis.axvline(border / rate, color="grey", linewidth=0.3, alpha=0.4)
axis.axvspan(0, bar_length / rate, color="tab:orange", alpha=0.12, label="the 30 frames we train on")
axis.set(xlabel="time (s)", ylabel="sample", title="The drum loop; grey lines are frame borders (1024 samples)")
axis.legend(loc="upper right")
plt.show()
display(Audio(loop, rate=rate))

# %% [markdown]
# ## 2. From audio to training arrays
#
# GRUV's preprocessing is a chain of small numpy functions in `gruv/features.py`; we call them one at a time. First
# the signal is cut into frames without a window and without overlap (the last frame would be zero-padded), and
# Fiala's E4 keeps only the first frames.

# %%
frames_all = features.blocks_of(loop, config.block_size)
frames_kept = frames_all[: config.max_blocks]
print(f"blocks_of:   {loop.shape} -> {frames_all.shape}")
print(f"max_blocks:  {frames_all.shape} -> {frames_kept.shape}")

# %% [markdown]
# Each frame then becomes a feature vector. GRUV used the real and imaginary parts of the full FFT (`fft`: twice as
# many numbers as samples, half of them redundant, [Q2](README.md#q2)); Fiala used half the bins (`fft-half`) or
# the raw samples (`time`, our choice here). The full FFT and the raw samples describe a frame exactly: the inverse
# gives the samples back. Fiala's half layout drops the Nyquist bin (our reading of his "output size N/2", see
# [Deviations and decisions](README.md#deviations-and-decisions)), so it loses a little.

# %%
for domain in ("fft", "fft-half", "time"):
    vectors = features.blocks_to_features(frames_kept, domain)
    back = np.real(features.features_to_blocks(vectors, domain))
    print(f"{domain:>8}: features {vectors.shape}, largest round-trip error {np.abs(back - frames_kept).max():.1e}")

# %% [markdown]
# The training pair: the inputs `x` are the frames' features, the targets `y` the same rows shifted up by one, so
# that at every step the target is the frame that comes next. After the last frame GRUV puts an all-zero target:
# the network is taught that silence follows the bar.

# %%
x_raw, y_raw = features.training_example(frames_kept, config.domain)
print(f"x {x_raw.shape}, y {y_raw.shape}")
print("y[k] is x[k + 1] for every k but the last:", np.array_equal(y_raw[:-1], x_raw[1:]))
print("the last target is all zeros:", not y_raw[-1].any())

# %% [markdown]
# GRUV itself cut long songs into non-overlapping 40-step examples, strictly while `start + 40 < frames`
# ([Q8](README.md#q8)); Fiala used each file whole (`chunking="whole-file"`), so our loop gives one example. For
# comparison, GRUV's rule with 8-step examples on all 90 frames of the loop:

# %%
x_all, y_all = features.training_example(frames_all, config.domain)
chunks_x, chunks_y = features.chunk_gruv(x_all, y_all, 8)
print(f"GRUV's chunking, 8 steps: {len(frames_all)} frames -> {len(chunks_x)} examples of shape {chunks_x[0].shape} "
      f"(floor((90 - 1) / 8) = {(len(frames_all) - 1) // 8})")

# %% [markdown]
# Last, every feature is z-scored with its own mean and standard deviation, computed over all examples and steps;
# the targets use the inputs' statistics. With raw samples as features, "every feature" means every *position in
# the frame*: sample 0 of a frame has one mean and one standard deviation, sample 1 another, and so on.
# `preprocess_signals` runs the whole chain; we check that it gives what the steps above give.

# %%
x, y, mean, std, counts = features.preprocess_signals([loop], config)
x_by_hand, y_by_hand, _, _ = features.normalise(x_raw[None], y_raw[None], config.std_floor)
print("same as the steps by hand:", np.allclose(x, x_by_hand) and np.allclose(y, y_by_hand))
x, y = x.astype(np.float32), y.astype(np.float32)  # the network trains in float32, as Theano did

stages = [
    ("the loop", loop.shape, "samples, float32 in [-1, 1]"),
    ("blocks_of", frames_all.shape, "frames of 1024 samples"),
    ("max_blocks", frames_kept.shape, "the first 30 frames (one bar)"),
    ("features (time)", x_raw.shape, "one vector per frame"),
    ("targets", y_raw.shape, "the next frame's vector; zeros after the last"),
    ("one example", x.shape, "(examples, steps, features)"),
    ("mean, std", mean.shape, "one per position in the frame"),
]
pd.DataFrame(stages, columns=["stage", "shape", "what it holds"]).set_index("stage")

# %%
figure, axes = plt.subplots(1, 3, figsize=(13, 3))
axes[0].plot(x_raw[4], linewidth=0.7)
axes[0].set(title="frame 4 as samples (inside a kick)", xlabel="position in the frame")
axes[1].plot(x[0, 4], linewidth=0.7, color="tab:green")
axes[1].set(title="frame 4 z-scored: what the network sees", xlabel="position in the frame")
axes[2].plot(std, label="standard deviation")
axes[2].plot(mean, label="mean")
axes[2].set(title="the statistics, one per position", xlabel="position in the frame")
axes[2].legend()
plt.tight_layout()
plt.show()
print(f"std over positions: from {std.min():.3f} to {std.max():.3f}; |mean| at most {np.abs(mean).max():.4f}")

# %% [markdown]
# ## 3. The network
#
# A dense layer maps each 1024-number frame to `hidden_dims` numbers, LSTMs carry the past, and a second dense
# layer maps back to a full frame, at every step (`return_sequences=True`): the output has the same shape as the
# input, one predicted next frame per step. The gates use Theano's hard sigmoid and the weights start as in the
# Keras of 2015 ([The equations](README.md#the-equations)). Its parameter count follows from the sizes:
# $(DH + H) + 4(H \cdot H + H \cdot H + H) + (HD + D)$ for one LSTM.

# %%
keras.utils.set_random_seed(config.seed)
model = build_model(config)
compile_model(model, config)
model.summary()
dims, hidden = config.feature_dims, config.hidden_dims
print("by the formula:", (dims * hidden + hidden) + 4 * (2 * hidden * hidden + hidden) + (hidden * dims + dims))
print("output for the training example:", model.predict_on_batch(x).shape)

# %% [markdown]
# ## 4. Training it live
#
# The loss is the mean squared error on z-scored targets, so always predicting the mean scores about 1. Fiala calls
# his raw amen model only "well-trained"; the preset stops once the loss is below `target_loss` (0.01) or at the
# epoch cap, as `gruv.training.StopBelowLoss` does inside `python -m gruv.train`. With a single example an epoch is
# a single batch, so we call `train_on_batch` once per epoch: the same update as `fit`, without its fixed cost per
# epoch.

# %%
keras.utils.set_random_seed(config.seed)
losses = []
started = time.perf_counter()
for epoch in range(config.epochs):
    losses.append(float(model.train_on_batch(x, y)))
    if losses[-1] < config.target_loss:
        break
print(f"{len(losses)} epochs in {time.perf_counter() - started:.1f} s: loss {losses[0]:.3f} -> {losses[-1]:.4f}")

# %%
figure, axis = plt.subplots(figsize=(7, 3))
axis.semilogy(np.arange(1, len(losses) + 1), losses)
axis.axhline(1.0, color="grey", linestyle="--", linewidth=0.8, label="predicting the mean")
axis.set(xlabel="epoch", ylabel="MSE (z-scored)", title="The loss falls as the network learns the bar")
axis.legend()
plt.show()

# %% [markdown]
# ## 5. The generation loop
#
# Fiala's seed is one frame: the first frame of the training example, shape (1, 1, 1024). Generation runs the
# network on the sequence so far, takes one of its outputs as the next frame, appends it, and runs the whole,
# longer sequence again. In the notation of the README, call $j$ gives $P_j = F(S_j)$, one row per step of
# $S_j$, and GRUV keeps its **last** row, the prediction after the newest frame. The first call keeps all its
# rows (here just one), so 89 calls give 89 frames; with the seed frame in front, as Fiala's outputs began, 90.
#
# `generate_faithful` is GRUV's loop, with `output_index` choosing the row. We run it twice on the same model.

# %%
seed, seed_example = sampling.choose_seed(x, config)
started = time.perf_counter()
frames_last = sampling.generate_faithful(model.predict_on_batch, seed, config.generate_steps, output_index="last")
frames_first = sampling.generate_faithful(model.predict_on_batch, seed, config.generate_steps, output_index="first")
print(f"both in {time.perf_counter() - started:.1f} s")
frames_last = np.concatenate([seed[0], frames_last])  # include_seed_in_output: the seed frame comes first
frames_first = np.concatenate([seed[0], frames_first])
print(f"seed {seed.shape} (example {seed_example}), frames: last {frames_last.shape}, first {frames_first.shape}")

# %% [markdown]
# ## 6. E1: the first output, read by mistake
#
# In his first experiment Fiala kept output 0 of every call where GRUV keeps the last one. The first row of every call
# is the network's answer to the sequence's first frame alone: an LSTM only looks backwards, and the first frame
# is the seed, which never changes. So every call appends the same frame. Below, each generated frame is compared
# with the one before it.

# %%
change_last = np.linalg.norm(np.diff(frames_last, axis=0), axis=1)
change_first = np.linalg.norm(np.diff(frames_first, axis=0), axis=1)
print("first index: frames 2 onwards all equal to frame 2:", np.array_equal(frames_first[2:], np.repeat(
    frames_first[2:3], len(frames_first) - 2, axis=0)))
print(f"largest change between neighbouring frames from frame 2 on: first {change_first[2:].max():.3g}, "
      f"last {change_last[2:].max():.3g}")

figure, axes = plt.subplots(1, 3, figsize=(14, 3.4))
limit = np.percentile(np.abs(frames_last), 99)
for axis, frames, name in ((axes[0], frames_first, "first"), (axes[1], frames_last, "last")):
    axis.imshow(frames.T, aspect="auto", origin="lower", cmap="RdBu_r", vmin=-limit, vmax=limit)
    axis.set(title=f"output index {name}: the frames", xlabel="frame", ylabel="position in the frame")
axes[2].plot(np.arange(1, len(frames_first)), change_first, label="first index")
axes[2].plot(np.arange(1, len(frames_last)), change_last, label="last index")
axes[2].set(title="how much each frame differs from the one before", xlabel="frame", ylabel="distance (z-scored)")
axes[2].legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# Listen: with the first index, after the seed and the first prediction the same 46 ms frame repeats, a buzz at
# 22050 / 1024 ≈ 21.5 Hz. With the last index the output moves on. The project measures this with its "loop"
# criterion: the highest normalised autocorrelation at a lag of 1 s or more, which fails above 0.99 (1 means the
# signal repeats exactly). We measure it over the generated frames, from frame 2 on, and over the whole output:
# the seed frame at the start, a loud kick, is unlike the repeated frame and pulls the second number down.

# %%
def as_float(samples):
    """int16 samples as floats within [-1, 1] (the player needs that range when it is not normalising)."""
    return audio.int16_to_float(samples, scale=32768.0)


sound_first = as_float(sampling.frames_to_audio(frames_first, config, mean, std))
sound_last = as_float(sampling.frames_to_audio(frames_last, config, mean, std))
generated = slice(2 * frame_length, None)  # from frame 2 on: what the loop made from its own output
for name, sound in (("first index (E1's pitfall)", sound_first), ("last index (the fix)", sound_last)):
    value, lag = metrics.max_normalised_autocorrelation(sound[generated], rate)
    whole, _ = metrics.max_normalised_autocorrelation(sound, rate)
    print(f"{name}: loop correlation {value:.3f} over the generated frames (at a lag of {lag:.2f} s), "
          f"{whole:.3f} over the whole output")
    display(Audio(sound, rate=rate, normalize=False))

# %% [markdown]
# ## 7. E4 against E5: de-normalising or not
#
# The network's frames are z-scored. GRUV always turns them back with `frame * std + mean` before writing audio
# ([Q10](README.md#q10), [Q16](README.md#q16)); for his raw amen Fiala also tried leaving that out (E5), and liked
# it better. `frames_to_audio` does the de-normalisation only when it is given the statistics, which is what
# `python -m gruv.generate --no-denormalize` switches off. We take the frames generated with the last index and
# write them both ways.
#
# Without de-normalising, each sample stays in units of its own position's standard deviation. Here those lie
# between about 0.06 and 0.2 (the plot in section 2) while the mean is nearly zero, so the E5 output is the E4
# output multiplied by 1/std, between about 5 and 18: much louder, by a gain that differs from position to position
# and repeats every frame. The `fiala-*` presets clip at full scale when writing (GRUV's own writer wrapped round,
# [Q4](README.md#q4)), so the loud parts flatten.

# %%
e4 = as_float(sampling.frames_to_audio(frames_last, config, mean, std))  # de-normalised (GRUV, E4)
e5 = as_float(sampling.frames_to_audio(frames_last, config))  # left z-scored (Fiala's E5)
reference = loop[: len(e4)]
print(f"E4 and E5: {e4.shape} samples each, the loop they continue: {reference.shape}")


def levels(sound):
    return {"RMS (dBFS)": 20 * np.log10(np.sqrt(np.mean(sound.astype(np.float64) ** 2))),
            "peak": np.abs(sound).max(), "clipped (%)": 100 * np.mean(np.abs(sound) >= 0.999)}


pd.DataFrame({"the loop": levels(reference), "E4: de-normalised": levels(e4), "E5: not": levels(e5)}).round(3)

# %% [markdown]
# Do the hits line up with the loop's? The project's judge for GRUV outputs, `shared.criteria.gruv_criteria`,
# compares an output with the original it continues: onsets matched within ±50 ms (onset F, from 0 to 1), the
# correlation of the loudness envelopes, and more, each with the verdict of its rule (see
# the repository's `shared/README.md`). It leaves out the first two frames, the seed itself and the one-step
# prediction of a real frame: those are not generation. `trained_seconds` marks where the 30 trained frames end,
# after which the model is on its own.

# %%
def judge(sound):
    rows = criteria.gruv_criteria(sound, rate, reference, rate, run_numbers={"final_loss": losses[-1]},
                                  trained_seconds=bar_length / rate,
                                  teacher_forced_seconds=2 * frame_length / rate)
    return {row["name"]: f"{row['value']:.3f} ({row['verdict']})" for row in rows if row["verdict"]}


pd.DataFrame({"E4: de-normalised": judge(e4), "E5: not": judge(e5)})

# %%
figure, axes = plt.subplots(3, 1, figsize=(11, 6.5), sharex=True)
time_axis = np.arange(len(reference)) / rate
for axis, sound, name in ((axes[0], reference, "the loop"), (axes[1], e4, "E4: de-normalised"),
                          (axes[2], e5, "E5: left z-scored (clipped at full scale)")):
    axis.plot(time_axis, sound, linewidth=0.4)
    axis.vlines(metrics.onset_times(sound, rate), -1, 1, color="tab:red", linewidth=0.8, label="detected onsets")
    axis.axvspan(0, bar_length / rate, color="tab:orange", alpha=0.1)
    axis.set(ylim=(-1.05, 1.05), title=name)
axes[0].legend(loc="upper right")
axes[2].set(xlabel="time (s)")
plt.tight_layout()
plt.show()

# %% [markdown]
# The shaded part is the bar the network was trained on; after it, the network continues beyond anything it saw
# (its training target after the bar was silence). The red lines are the onsets the judge matches against the
# loop's.
#
# E5 is E4 with the de-normalisation undone: `(E4 - mean) / std`, position by position. The gain `1 / std` is not
# one number but a pattern over the 1024 positions of a frame, the same in every frame:

# %%
figure, axis = plt.subplots(figsize=(9, 2.6))
axis.plot(1 / std, linewidth=0.7, color="tab:purple")
axis.set(xlabel="position in the frame", ylabel="1 / std", title="the gain E5 applies, relative to E4, every frame")
plt.show()
louder = levels(e5)["RMS (dBFS)"] - levels(e4)["RMS (dBFS)"]
print(f"gain from {1 / std.max():.1f} to {1 / std.min():.1f}; E5 is {louder:.1f} dB louder than E4 in RMS "
      "(after clipping)")

# %% [markdown]
# Listen to both, then the loop again. The players do not rescale, so you hear the difference in level too.

# %%
for name, sound in (("E4: de-normalised", e4), ("E5: not de-normalised", e5), ("the loop", reference)):
    print(name)
    display(Audio(sound, rate=rate, normalize=False))
for name, sound in (("loop", reference), ("e1_first_index", sound_first), ("e4_denormalised", e4),
                    ("e5_not_denormalised", e5)):
    audio.write_wav(workdir / f"{name}.wav", sound, rate)
print("written:", ", ".join(sorted(path.name for path in workdir.glob("*.wav"))), "in", workdir)

# %% [markdown]
# Both outputs come from the same frames, so a hit is at the same time in both; what differs is the level, the
# clipping and the per-position gain, and through them what the onset detector picks out (compare the onset F
# above). Whether that makes E5 "more amen-like", as Fiala heard it, is what the
# finding `E5-better-than-E4` tests on full-size runs of the real amen break (the README's
# [Findings and their rules](README.md#findings-and-their-rules)). The README notes that Fiala's remark about
# "vector × scalar" processing hints that his statistics may have been a single mean and standard deviation for
# the whole signal: then leaving them out would change only the level (and add a constant offset), not the shape
# within a frame.

# %% [markdown]
# ## 8. The full-size runs
#
# GRUV ships no pretrained model: its networks are too large for the repository's size budget. The experiments
# behind Fiala's findings are declared in `gruv/findings.py` and run over three training seeds each, at width 512
# (a CPU cannot train the blog's 2048 in a reasonable time); their evidence is committed under
# `gruv/results/<experiment>/seed<k>/`. None has been committed yet. To make it, for example for the kicks (E2) and
# for the raw amen (E4 and E5 come from the same model):
#
# ```
# python -m shared.experiments gruv fiala-kicks --seeds 1 2 3
# python -m shared.experiments gruv fiala-amen-raw --seeds 1 2 3
# python -m shared.findings gruv
# ```
#
# The next cell plays the start of whatever evidence has been committed since this was written.

# %%
evidence = sorted((Path(gruv.__file__).parent / "results").glob("*/seed1/generated/*.flac"))
if not evidence:
    print("no committed evidence yet: run python -m shared.experiments gruv fiala-kicks --seeds 1 2 3")
for path in evidence[:4]:
    recording = audio.read_audio(path)
    print(path.parent.parent.parent.name, path.name)
    display(Audio(recording.samples[: 5 * recording.rate, 0], rate=recording.rate))

# %% [markdown]
# ## Where to go next
#
# * The README's [The method in brief](README.md#the-method-in-brief): the same stages at GRUV's own sizes
#   (11,025-sample blocks, 22,050 FFT features, 53,574,178 parameters) and the equations behind them.
# * [Quirks of the original](README.md#quirks-of-the-original): 21 places where GRUV's code does something
#   surprising, among them the untrained weights its generation script loaded ([Q12](README.md#q12)) and the
#   teacher-forced start of every output ([Q15](README.md#q15)).
# * [Faithful vs fast](README.md#faithful-vs-fast): the same frames as `generate_faithful` from a stateful loop
#   that costs O(n) instead of O(n²) (`python -m gruv.generate --mode fast`).
# * [How to run](README.md#how-to-run): the scripts on your own music, e.g.
#   `python -m gruv.preprocess --preset fiala-amen-raw --input corpora/amen --run runs/gruv/e4`, then
#   `python -m gruv.train --run runs/gruv/e4` and `python -m gruv.generate --run runs/gruv/e4 --no-denormalize`
#   (or `--output-index first` for E1).
# * The experiments: `python -m shared.experiments gruv EXPERIMENT --seeds 1 2 3` with `fiala-vowels` (E1),
#   `fiala-kicks` (E2), `fiala-amen-fft` (E3), `fiala-amen-raw` (E4, E5) or `gruv`; then `python -m shared.findings
#   gruv` and the README's [Findings, re-checked over seeds](README.md#findings-re-checked-over-seeds).
