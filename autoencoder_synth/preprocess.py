"""Sarroff & Casey's data (``deepAE.py`` at f71ac4b, bregman's STFT; README, "The method"): |FFT| frames of many songs.

Each song: the **left channel**, 16-bit samples / 32768, at 22,050 Hz; **rectangular** frames
of 2048 samples every 1024 (the first at sample 0, the trailing partial hop dropped); the
magnitude of rfft(frame)/2048 → 1025 bins.  All frames of all songs are pooled, permuted
with numpy seed 9778, and the first 50,000 / 10,000 / 10,000 become train / valid / test
(**frame-level**, as the paper: frames of one song fall in every split, Q2; ``split=song``
assigns whole songs instead).  Each split is divided by the per-bin max of the training
frames (Q1; ``normalisation=global``: one max).

    python -m autoencoder_synth.preprocess --preset paper --input my_songs/ --run runs/ae/frames

Writes ``data/{train,valid,test}.npy`` (float32, normalised), ``data/maxvec.npy`` and
``data/index.npz`` (the song and frame of every row), and ``config.json``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from tqdm import tqdm

from autoencoder_synth.config import PRESETS, AutoencoderConfig
from autoencoder_synth.features import load_song, magnitude_frames
from shared import audio
from shared.rundir import InputError, add_common_arguments, cli_main, resolve_config, save_npy, save_npz, write_config
from shared.rundir import check_output_folder  # bad-input guards

SPLITS = ("train", "valid", "test")


def split_indices(song_of_frame: np.ndarray, config: AutoencoderConfig) -> dict[str, np.ndarray]:
    """Row indices of train / valid / test into the pooled frames (seed 9778)."""
    wanted = (config.train_frames, config.valid_frames, config.test_frames)
    rng = np.random.RandomState(config.split_seed)  # the original's np.random.seed(9778); np.random.permutation
    if config.split == "frame":
        order = rng.permutation(len(song_of_frame))
        bounds = np.cumsum((0,) + wanted)
        return {name: order[bounds[i]:bounds[i + 1]] for i, name in enumerate(SPLITS)}
    songs = rng.permutation(int(song_of_frame.max()) + 1)  # song level: whole songs into each split, in turn
    out, position = {}, 0
    for name, count in zip(SPLITS, wanted):
        chosen = []
        while len(chosen) < count and position < len(songs):
            frames = np.flatnonzero(song_of_frame == songs[position])
            chosen.extend(rng.permutation(frames).tolist())
            position += 1
        out[name] = np.array(chosen[:count], dtype=np.int64)
    return out


def preprocess(input_path, run_dir, config: AutoencoderConfig, progress=True) -> dict:
    """Frame every song under ``input_path`` (recursively), split, normalise and write the run's data."""
    input_path, run_dir = Path(input_path), Path(run_dir)
    if input_path.is_dir():
        files = sorted(path for path in input_path.rglob("*") if path.suffix.lower() in audio.AUDIO_EXTENSIONS)
    else:
        files = [input_path]
    if not files:
        raise InputError(input_path, f"no audio files found (accepted: {', '.join(audio.AUDIO_EXTENSIONS)})")
    pooled, songs, positions = [], [], []
    for number, path in enumerate(tqdm(files, desc="songs", disable=not progress, unit="file")):
        frames = magnitude_frames(load_song(path, config), config.fft_size, config.hop)
        pooled.append(frames)
        songs.append(np.full(len(frames), number))
        positions.append(np.arange(len(frames)))
    frames, song_of_frame, position = np.concatenate(pooled), np.concatenate(songs), np.concatenate(positions)
    needed = config.train_frames + config.valid_frames + config.test_frames
    if len(frames) < needed:
        raise InputError(input_path, f"{len(frames)} frames in {len(files)} files, fewer than the {needed} the splits "
                         f"need ({config.train_frames}/{config.valid_frames}/{config.test_frames}); add audio or --set "
                         "train_frames=… valid_frames=… test_frames=…")
    indices = split_indices(song_of_frame, config)
    if config.split == "song" and min(len(rows) for rows in indices.values()) < 1:
        raise InputError(input_path, "too few songs for a song-level split into train, valid and test")
    train = frames[indices["train"]]
    maxvec = train.max(axis=0) if config.normalisation == "per-bin" else np.full(train.shape[1], train.max())
    maxvec = np.maximum(maxvec, 1e-12).astype(np.float32)  # guard bins that are silent in every training frame
    data = run_dir / "data"
    for name in SPLITS:
        save_npy(data / f"{name}.npy", frames[indices[name]] / maxvec)
    save_npy(data / "maxvec.npy", maxvec)
    save_npz(data / "index.npz", **{f"{name}_song": song_of_frame[indices[name]] for name in SPLITS},
             **{f"{name}_frame": position[indices[name]] for name in SPLITS})
    summary = {"files": len(files), "pooled_frames": len(frames),
               "sizes": {name: len(indices[name]) for name in SPLITS}}
    write_config(run_dir, config, inputs=[str(path) for path in files], **summary)
    return summary


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autoencoder_synth.preprocess",
                                     description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, preset=True)
    parser.add_argument("--input", required=True, type=Path,
                        help="a folder of songs (searched recursively) or one file")
    args = parser.parse_args(argv)
    config = resolve_config(AutoencoderConfig, PRESETS, args.preset, args.overrides)
    check_output_folder(args.run, "--run")
    summary = preprocess(args.input, args.run, config)
    sizes = summary["sizes"]
    print(f"{summary['pooled_frames']} frames from {summary['files']} files → train {sizes['train']}, valid "
          f"{sizes['valid']}, test {sizes['test']}; wrote {args.run / 'data'}")


if __name__ == "__main__":
    cli_main(main)
