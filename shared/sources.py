"""The sources' own published outputs, scored exactly like ours, so the report shows them side by side.

    python -m shared.sources [--reference DIR] [--out runs/sources]

writes ``OUT/<work>/metrics.json`` for each work whose authors' outputs are in the reference
folder (the same schema as ``python -m shared.evaluate``; the WAV paths point into the
reference folder, which is read, never written):

* ``dreaming``: the paper's Audio Examples 1–11 (``paper_examples/``) against the training
  input ``input.mp3``, with the paper's Table 1 ratings beside ours;
* ``decay``: the authors' ``results/<run>/<note>_gen_wp.wav`` against ``<note>.wav`` after
  the prime (the prime P is ``len(<note>.wav) − len(<note>_gen_wp.wav)``), with the analysis
  band up to the model's Nyquist and the paper's verdict beside ours.

These are the calibration sets of ``tests/test_criteria.py``; ``shared/README.md`` gives the
agreement figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import soundfile

from shared import reference
from shared.evaluate import SCHEMA, score_output
from shared.rundir import InputError, cli_main, write_json
from shared.rundir import check_output_folder  # bad-input guards

#: The paper's Table 1: Audio Example → (file in paper_examples/, block for M3 (vector length or hop), C1, C2, C3).
TABLE_1 = {
    1: ("vector_1024.wav", 1024, "medium", "high", "high"),
    2: ("vector_512.wav", 512, "medium", "high", "high"),
    3: ("vector_256.wav", 256, "medium", "high", "high"),
    4: ("vector_128.wav", 128, "medium", "medium", "high"),
    5: ("fft_1024.mp3", 1024, "high", "medium", "high"),
    6: ("fft_512.wav", 512, "high", "medium", "high"),
    7: ("fft_256.wav", 256, "high", "high", "high"),
    8: ("fft_128.wav", 128, "high", "high", "medium"),
    9: ("fft_56.wav", 56, "medium", "high", "low"),
    10: ("transpose.wav", None, "medium", "high", "high"),
    11: ("column.wav", None, "medium", "high", "high"),
}

#: The paper's training input (74 s) in the dreaming reference folder: R of Table 1's calibration.
DREAMING_INPUT = "paper_examples/input.mp3"

#: The model's Nyquist per data set of the decay runs (guitar 2940 Hz, cello 11025 Hz, piano 8820 Hz models).
DECAY_BAND_HZ = {"guitar": 1470.0, "cello": 5512.5, "piano": 4410.0}

#: The paper's (and slides') verdict on each results/ run (decay/README.md, "Findings and their rules").
DECAY_VERDICTS = {
    1: "noise considerably higher, decay shorter (cello)",
    2: "no published remark (10 slices/s)",
    3: "no published remark (30 slices/s)",
    4: "best: decays slower than the original, similar fashion, not much added noise",
    5: "more units → too much freedom",
    6: "2 LSTM layers: little effect",
    7: "high noise, shortened decay (piano)",
    8: "tanh: a little worse than linear",
    9: "unseen primes: copies the same signal indefinitely",
}


#: The readings of each published continuation (by listening and by the spectra), the answers the decay criteria
#: are calibrated on: run → (pitch kept?, how it decays against the original, noise sufficiently low?), per note
#: where they differ.  Decay: "like the original" / "weaker" / "none" / "faster"; noise: False where the readings
#: find it noisier (flatness ≥ 20× the original's, or the paper says so), True for runs 5, 6 and 9 (flatness 8–10×,
#: tonal 0.97–0.99).
DECAY_READINGS = {
    (1, "sulA.D5"): (False, "weaker", False), (1, "sulC.Eb3"): (True, "weaker", False),
    (2, "sulB"): (False, "none", False), (2, "sulG"): (False, "none", False),
    (3, "sulB"): (True, "none", False), (3, "sulG"): (True, "like the original", False),
    (4, "sulB"): (True, "like the original", False), (4, "sulG"): (True, "like the original", False),
    (5, "sulB"): (True, "none", True), (5, "sulG"): (True, "none", True),
    (6, "sulB"): (True, "none", True), (6, "sulG"): (True, "none", True),
    (7, "Ab5"): (True, "faster", False),
    (8, "sulB"): (True, "like the original", False), (8, "sulG"): (True, "like the original", False),
    (9, "sulB"): (True, "none", True), (9, "sulG"): (True, "none", True),
}


def decay_reading(run: int, file_name: str):
    """The readings' (pitch kept, decay, noise low) for one ``_gen_wp`` file of a results run."""
    return next(value for (number, key), value in DECAY_READINGS.items() if number == run and key in file_name)


def decay_pairs(folder: Path):
    """(run, instrument, continuation, original, prime in samples) for every published ``_gen_wp.wav``, in run order."""
    for run_folder in sorted((folder / "results").iterdir(), key=lambda path: int(path.name.split(" ")[0])):
        run = int(run_folder.name.split(" ")[0])
        instrument = run_folder.name.split(" - ")[1].split("_")[0]
        for generated in sorted(run_folder.glob("*_gen_wp.wav")):
            original = generated.with_name(generated.name.replace("_gen_wp", ""))
            yield (run, instrument, generated, original,
                   soundfile.info(str(original)).frames - soundfile.info(str(generated)).frames)


def dreaming_document(folder: Path) -> dict:
    """Table 1's outputs scored against the training input."""
    examples, training = folder / "paper_examples", folder / DREAMING_INPUT
    outputs = []
    for number, (name, block, *ratings) in TABLE_1.items():
        _progress(f"dreaming Audio Example {number}")
        paper = {f"dreaming:C{k}": f"{rating} (Table 1, Ex {number})" for k, rating in enumerate(ratings, 1)}
        outputs.append(score_output(examples / name, training, block=block, name=f"Ex{number} {Path(name).stem}",
                                    reference_label="the training input (input.mp3)", source_numbers=paper))
    return _document("dreaming", "paper Audio Examples 1–11", folder, outputs)


def decay_document(folder: Path) -> dict:
    """The nine published runs' continuations scored against the originals after the prime."""
    outputs = []
    for run, instrument, generated, original, prime in decay_pairs(folder):
        _progress(f"decay run {run} {generated.name}")
        rate = soundfile.info(str(original)).samplerate
        outputs.append(score_output(
            generated, original, offset_s=prime / rate, band_hz=DECAY_BAND_HZ[instrument],
            name=f"run{run} {generated.stem}", reference_label=f"the original after the {prime / rate:.3f} s prime",
            source_numbers={"decay:decreasing": DECAY_VERDICTS[run]},
        ))
    return _document("decay", "authors' results/ runs 1–9", folder, outputs)


PUBLISHED = {"dreaming": dreaming_document, "decay": decay_document}


def _document(work, preset, folder, outputs) -> dict:
    return {"schema": SCHEMA, "work": work, "preset": preset, "run": f"published outputs ({folder.name})",
            "run_numbers": {}, "outputs": outputs}


def _progress(text: str) -> None:
    print(f"[sources] {text}", file=sys.stderr, flush=True)


def build(reference_root, out_root, works=tuple(PUBLISHED)) -> list[Path]:
    """Write ``out_root/<work>/metrics.json`` for each work in ``works``; returns the paths.

    ``reference_root``: a folder holding ``<work>/`` folders, or None for wherever
    :func:`shared.reference.locate` finds each work's files."""
    out_root = Path(out_root)
    written = []
    for work in works:
        folder = reference_folder(work, reference_root)
        if folder is None:
            raise InputError(reference_root or "--reference", f"reference files for {work} not found (fetch them with "
                             f"`{reference.fetch_command(work)}`, or set --reference or AUDIO_REPRO_REFERENCE)")
        path = out_root / work / "metrics.json"
        write_json(path, PUBLISHED[work](folder))
        written.append(path)
    return written


def reference_folder(work: str, reference_root=None):
    """``reference_root/<work>`` when a root is given (None if missing), else :func:`shared.reference.locate`."""
    if reference_root is None:
        return reference.locate(work)
    folder = Path(reference_root) / work
    return folder if folder.is_dir() else None


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.sources", description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, default=None, help="reference folder holding <work>/ folders "
                        "(default: where tests look, see python -m shared.reference list)")
    parser.add_argument("--out", type=Path, default=Path("runs/sources"))
    parser.add_argument("--works", nargs="+", default=list(PUBLISHED), choices=list(PUBLISHED))
    args = parser.parse_args(argv)
    check_output_folder(args.out, "--out")
    for path in build(args.reference, args.out, args.works):
        print(f"wrote {path}")


if __name__ == "__main__":
    cli_main(main)
