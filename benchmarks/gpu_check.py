"""The GPU path in one command: every work's ``tiny`` preset end to end, fast against faithful, the cuDNN switches,
the ``gpu`` extra on a fresh venv and a CPU-against-GPU speed table.

    python benchmarks/gpu_check.py [--only cpu|gpu|both] [--quick] [--parts e2e agree cudnn speed install]
                                   [--works gruv ...] [--jobs N] [--install-timeout S] [--keep DIR] [--rehearse]

What it runs (each part in child processes: a CPU child has ``CUDA_VISIBLE_DEVICES=""``, a GPU child sees one GPU,
``CUDA_VISIBLE_DEVICES=0`` or the first one the caller named; this process never imports TensorFlow):

* **e2e** (GPU half only: ``make test`` runs the same on the CPU, ``tests/test_suite.py``): each work's ``tiny``
  preset as a user runs it, one process per script (``shared.suite.stages``: ``<work>.preprocess --preset tiny``,
  ``train``, ``generate --mode fast`` and any stage the work adds, then ``python -m shared.evaluate``), ``--jobs``
  works at once; pass/fail and wall time;
* **agree**: each work's faithful and fast generators (``gruv.sampling``, ``decay.sampling``,
  ``mdn_vocoder.sampling``, ``dreaming.sampling``, ``autoencoder_synth.synth``) on a small seeded model, on each
  device, against :data:`TOLERANCES`;
* **cudnn**: the cuDNN-eligible switches (GRUV and decay ``gate_activation="sigmoid"``, mdn_vocoder ``cell="keras"``):
  the same weights and batch on the CPU and on the GPU (``use_cudnn=True`` there: the layer must take the cuDNN
  kernel), outputs, the loss and the gradients of one training step compared, against :data:`CUDNN_TOLERANCES`;
* **speed**: per work, training steps/s and fast generation frames/s at the source's sizes (:data:`SPEED_CASES`),
  CPU against GPU; the CPU runs the same sizes with fewer steps;
* **install**: ``pip install -e '.[gpu]'`` into a fresh venv (a pip timeout, a time limit; without a network the
  row says "not possible here"), then ``tf.config.list_physical_devices('GPU')`` in it.

Without a GPU it says so in one line, runs the CPU half and exits 0.  The exit status is 1 when a check fails.
``--rehearse`` runs the GPU half's code with the GPU hidden, to check this script on a machine without one (its
numbers say nothing about a GPU).  The Markdown report is printed and written to ``benchmarks/out/gpu_check.md``.

TensorFlow's wheels may carry no kernels compiled for a new GPU (its build lists the compute capabilities): the
kernels are then compiled from PTX on first use, which can take many minutes once; the GPU children get a 4 GiB
CUDA cache (``CUDA_CACHE_MAXSIZE``) so that the cost is paid once, and the report gives the first operation's time.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import importlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from shared.rundir import quiet_tensorflow  # noqa: E402

quiet_tensorflow()  # a benchmark is a process start, as a script is

import numpy as np  # noqa: E402

from timing import write_table  # noqa: E402  (benchmarks/timing.py)

REPO = Path(__file__).resolve().parent.parent
WORKS = ("gruv", "mdn_vocoder", "dreaming", "decay", "autoencoder_synth")
PARTS = ("e2e", "agree", "cudnn", "speed", "install")

#: Largest max abs difference accepted between a work's faithful and fast generator on one device.  Only float32
#: rounding separates the two (the same weights, the same arithmetic in another order), TF32 is off in these runs.
TOLERANCES = {
    # tests/test_gruv.py's bound over 50 fed-back frames (1e-7 measured on the CPU, gruv/README.md)
    "gruv": 1e-5,
    # tests/test_decay.py's bound over 25 fed-back slices (≤ 1e-6 measured, decay/README.md)
    "decay": 1e-5,
    # tests/test_mdn_vocoder.py's bound: the draws go through exp(σ) and are fed back (7e-7 measured over 1000 steps)
    "mdn_vocoder": 1e-4,
    # tests/test_dreaming.py's bound on the dreams (0 to 6e-7 measured, dreaming/README.md)
    "dreaming": 1e-5,
    # render against render_fast: numpy float64 on the CPU whatever the device (tests/test_autoencoder_synth.py)
    "autoencoder_synth": 1e-9,
    # the Keras model (float32, on the device) against the numpy forward (float64) that generation runs
    "autoencoder_synth:keras": 1e-5,
}

#: GPU against CPU for the cuDNN-eligible switches, the same weights and batch.  TF32 is off, so both are float32;
#: cuDNN fuses the gate products and sums in another order, which moves results by float32 rounding (~1e-6 of
#: their scale, more for gradients summed over the batch and the time steps); the bounds leave a factor of about
#: 100 over that, and a kernel 0.1 % off fails them (tried: LSTM outputs × 1.001 on one side).  Each difference is
#: taken relative to the CPU's largest value, so that small outputs (the MDN head's) are held to the same account.
CUDNN_TOLERANCES = {
    "outputs": 1e-4,  # max abs difference of the forward outputs ÷ the largest output
    "loss": 1e-4,  # relative difference of one training step's loss
    "gradients": 1e-3,  # max abs difference of the gradients ÷ the largest gradient
}

#: (work, preset, what the size is): the source's sizes that the speed table runs, the preset of the work's config.py.
SPEED_CASES = (
    ("gruv", "gruv", "GRUV as shipped: 1 × LSTM(1024), 22,050 features, batch 5 × 40 frames"),
    ("gruv", "fiala-kicks", "Fiala's E2: 3 × LSTM(2048), 2048 features, batch 2 × 22 frames"),
    ("mdn_vocoder", "piano", "the blog's piano: 2 × LSTM(150), 5 mixtures, 40 values, batch 1 × 20 steps"),
    ("dreaming", "example1", "Audio Example 1: LSTM cell of 1024 on n = 100 rows (vector approach)"),
    ("decay", "run4", "run 4: LSTM(512), 49-sample slices, batch 10 × 300 slices"),
    ("autoencoder_synth", "ae1-256", "AE1-256: 1025 → 256 → 1025, batch 100"),
)
#: The quicker sizes of ``--quick``: each work's ``quick`` preset (autoencoder_synth: its ae1-16).
QUICK_CASES = (
    ("gruv", "quick", "the quick preset: 1 × LSTM(512), 2048 features, batch 5 × 16 frames"),
    ("mdn_vocoder", "quick", "the quick preset: 1 × LSTM(100), 1 mixture, 20 values, batch 10 × 10 steps"),
    ("dreaming", "quick", "the quick preset: LSTM cell of 256 on n = 16 rows (magnitude approach)"),
    ("decay", "quick", "the quick preset: LSTM(128), 49-sample slices, batch 10 × 300 slices"),
    ("autoencoder_synth", "ae1-16", "AE1-16: 1025 → 16 → 1025, batch 100"),
)

#: Timing of the speed table per device kind: at least ``steps`` timed calls after a warm-up, more until
#: ``seconds`` have passed (at most ``most`` calls), and the generation length.
TIMING = {
    "cpu": {"steps": 2, "seconds": 2.0, "most": 50, "frames": 40},
    "gpu": {"steps": 5, "seconds": 3.0, "most": 2000, "frames": 400},
}

NOT_RUN = "no GPU: not run"


# ============================================================================ child processes: one part each


def child_main(args) -> None:
    """Run one part in this process (its device is what CUDA_VISIBLE_DEVICES shows) and write its JSON result."""
    result = {}
    try:
        import tensorflow as tf

        if args.expect_gpu and not tf.config.list_physical_devices("GPU"):
            result = {"error": "no GPU visible in the child process"}
        else:
            if args.child in ("agree", "cudnn"):
                tf.config.experimental.enable_tensor_float_32_execution(False)  # float32 means float32 here
            result = {"probe": probe, "agree": agreement, "cudnn": cudnn_check, "speed": speed}[args.child](args)
    except Exception as error:  # noqa: BLE001  (reported in the table, the traceback in the child's log)
        traceback.print_exc()
        if type(error).__name__ == "ResourceExhaustedError":
            result = {"error": f"does not fit in memory ({first_line(error)[:80]})"}
        else:
            result = {"error": f"{type(error).__name__}: {first_line(error)}"}
    Path(args.result).write_text(json.dumps(result, indent=1))


def first_line(error) -> str:
    return (str(error).strip().splitlines() or [""])[0][:200]


def probe(args) -> dict:
    """The GPUs TensorFlow sees, its CUDA build, the machine line, and how long the first GPU operation takes."""
    import tensorflow as tf

    from timing import machine

    gpus = tf.config.list_physical_devices("GPU")
    details = [tf.config.experimental.get_device_details(gpu) for gpu in gpus]
    names = [detail.get("device_name", gpu.name) for gpu, detail in zip(gpus, details)]
    capability = details[0].get("compute_capability") if details else None
    build = tf.sysconfig.get_build_info()
    first_op = None
    if gpus:
        started = time.perf_counter()
        with tf.device("/GPU:0"):
            product = tf.matmul(tf.random.normal((512, 512)), tf.random.normal((512, 512)))
        float(tf.reduce_sum(product))
        first_op = time.perf_counter() - started
    return {"gpus": names, "capability": list(capability) if capability else None,
            "built_for": list(build.get("cuda_compute_capabilities", [])), "cuda": build.get("cuda_version"),
            "cudnn": build.get("cudnn_version"), "machine": machine(names[0] if names else None),
            "first_op_s": first_op}


def device_name() -> str:
    import tensorflow as tf

    return "GPU" if tf.config.list_physical_devices("GPU") else "CPU"


# ---------------------------------------------------------------------------- agree: fast == faithful


def agreement(args) -> dict:
    """Each work's faithful and fast generators on a small seeded model on this process's device."""
    rows = []
    for work in args.works:
        for case in AGREEMENT_CASES[work]:
            try:
                rows.append({"work": work, **case()})
            except Exception as error:  # noqa: BLE001
                traceback.print_exc()
                rows.append({"work": work, "generator": case.__name__, "error": f"{type(error).__name__}: "
                                                                                  f"{first_line(error)}"})
    return {"device": device_name(), "rows": rows}


def agree_gruv() -> dict:
    import keras

    from gruv.config import PRESETS, GruvConfig
    from gruv.model import build_model
    from gruv.sampling import FastGenerator, generate_faithful

    config = GruvConfig(**{**PRESETS["tiny"], "hidden_dims": 64, "num_recurrent_units": 2})
    keras.utils.set_random_seed(0)
    model = build_model(config)
    seed = np.random.default_rng(0).standard_normal((1, 8, config.feature_dims)).astype(np.float32)
    faithful = generate_faithful(model.predict_on_batch, seed, 51)
    fast = FastGenerator(model)(seed, 51)
    return {"generator": "generate_faithful / FastGenerator, 8 seed + 50 fed-back frames",
            "model": f"2 × LSTM(64), {config.feature_dims} features", "difference": max_difference(faithful, fast),
            "tolerance": TOLERANCES["gruv"]}


def agree_decay() -> dict:
    import keras

    from decay.config import PRESETS, DecayConfig
    from decay.model import build_model
    from decay.sampling import StepGenerator, generate_faithful

    config = DecayConfig(**{**PRESETS["tiny"], "hidden_units": 32, "lstm_layers": 2})
    keras.utils.set_random_seed(0)
    model = build_model(config, 20)
    prime = np.random.default_rng(0).standard_normal((5, 20)).astype(np.float32)
    faithful = generate_faithful(model.predict_on_batch, prime, 30)
    fast = StepGenerator(model)(prime, 30)
    return {"generator": "generate_faithful / StepGenerator, prime 5 → 30 slices",
            "model": "2 × LSTM(32), 20 samples",
            "difference": max_difference(faithful, fast), "tolerance": TOLERANCES["decay"]}


def agree_mdn(cell: str) -> dict:
    import keras

    from mdn_vocoder.config import PRESETS, MdnConfig
    from mdn_vocoder.model import build_model, zero_states
    from mdn_vocoder.sampling import FastSampler, priming_inputs, sample_faithful

    config = MdnConfig(**{**PRESETS["tiny"], "num_layers": 2, "mixtures": 3, "cell": cell})
    dimensions = 2 * config.components
    keras.utils.set_random_seed(0)
    model = build_model(config, dimensions)
    rng = np.random.default_rng(0)
    prime = priming_inputs(rng.standard_normal((4 * config.seq_length, dimensions)).astype(np.float32), config)
    noise = rng.standard_normal((40, dimensions)).astype(np.float32)
    states = zero_states(config, 1)
    faithful = sample_faithful(model, states, prime, noise, config)
    fast = FastSampler(model, config)(states, prime, noise)
    return {"generator": f"sample_faithful / FastSampler ({cell} cell), {len(prime)} priming + 40 drawn frames",
            "model": f"2 × LSTM({config.rnn_size}), 3 mixtures", "difference": max_difference(faithful, fast),
            "tolerance": TOLERANCES["mdn_vocoder"]}


def agree_dreaming(approach: str) -> dict:
    from dreaming.config import DreamingConfig
    from dreaming.features import layout
    from dreaming.model import build_network
    from dreaming.sampling import FastDreamer, dream_faithful, fast_rows

    config = DreamingConfig(approach=approach, seg_len=16, rows=4, weight_stddev=0.3, input_keep=1.0, seed=0)
    network = build_network(config)
    seed = np.random.default_rng(0).normal(0, 0.4, (config.rows, config.seg_len)).astype(np.float32)
    faithful = np.concatenate(dream_faithful(network, seed, 12, config)).reshape(-1)
    fast = FastDreamer(network, config, fast_rows(layout(config), approach))(seed[None], 12)[:, 0].reshape(-1)
    return {"generator": f"dream_faithful / FastDreamer ({approach}), 12 dream steps",
            "model": "LSTM cell of 16 on 4 rows", "difference": max_difference(faithful, fast),
            "tolerance": TOLERANCES["dreaming"]}


def autoencoder(hidden: int):
    import dataclasses

    import keras

    from autoencoder_synth.config import AutoencoderConfig
    from autoencoder_synth.model import build_model

    keras.utils.set_random_seed(0)
    return build_model(dataclasses.replace(AutoencoderConfig(), kind="ae1", hidden=hidden), 1025)


def agree_autoencoder_render() -> dict:
    from autoencoder_synth.synth import NumpyAutoencoder, Resynthesiser

    network = NumpyAutoencoder.from_model(autoencoder(64))
    rng = np.random.default_rng(0)
    engine = Resynthesiser(network, rng.uniform(0.01, 0.1, 1025), 2048, 1024, "original")
    signal = rng.uniform(-0.5, 0.5, 40 * 1024 + 2048)
    return {"generator": "Resynthesiser.render / render_fast (numpy), 41 frames", "model": "AE1-64",
            "difference": max_difference(engine.render(signal), engine.render_fast(signal)),
            "tolerance": TOLERANCES["autoencoder_synth"]}


def agree_autoencoder_keras() -> dict:
    from autoencoder_synth.synth import NumpyAutoencoder

    model = autoencoder(64)
    frames = np.random.default_rng(0).uniform(0, 1, (50, 1025)).astype(np.float32)
    keras_out = np.asarray(model(frames, training=False))
    numpy_out = NumpyAutoencoder.from_model(model)(frames.astype(np.float64))
    return {"generator": "the Keras model on this device / the numpy forward (float64), 50 frames",
            "model": "AE1-64", "difference": max_difference(keras_out, numpy_out),
            "tolerance": TOLERANCES["autoencoder_synth:keras"]}


def max_difference(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    return float(np.abs(a - b).max())


def _named(function, name, *arguments):
    def case():
        return function(*arguments)
    case.__name__ = name
    return case


AGREEMENT_CASES = {
    "gruv": [agree_gruv],
    "decay": [agree_decay],
    "mdn_vocoder": [_named(agree_mdn, "mdn char-rnn", "char-rnn"), _named(agree_mdn, "mdn keras", "keras")],
    "dreaming": [_named(agree_dreaming, f"dreaming {approach}", approach)
                 for approach in ("vector", "magnitude", "column", "transpose")],
    "autoencoder_synth": [agree_autoencoder_render, agree_autoencoder_keras],
}


# ---------------------------------------------------------------------------- cudnn: GPU against CPU


def cudnn_models():
    """(work, switch, model description, builder): each builder gives (model, loss of (model, x, y, training))."""
    import keras
    import tensorflow as tf

    def gruv():
        from gruv.config import GruvConfig
        from gruv.model import build_model

        config = GruvConfig(block_size=64, max_seq_len=16, hidden_dims=64, num_recurrent_units=2,
                            gate_activation="sigmoid")
        return build_model(config), mse, ((4, 16, config.feature_dims), (4, 16, config.feature_dims))

    def decay():
        from decay.config import DecayConfig
        from decay.model import build_model

        config = DecayConfig(hidden_units=64, lstm_layers=2, gate_activation="sigmoid")
        return build_model(config, 49), mse, ((4, 30, 49), (4, 30, 49))

    def mdn():
        from mdn_vocoder.config import MdnConfig
        from mdn_vocoder.mdn import negative_log_likelihood
        from mdn_vocoder.model import build_model

        config = MdnConfig(components=10, rnn_size=32, num_layers=2, mixtures=3, cell="keras")
        model = build_model(config, 20)
        layers = config.num_layers

        def loss(model, x, y, training):
            states = [tf.zeros((x.shape[0], config.rnn_size)) for _ in range(2 * layers)]
            outputs = model([x, *states], training=training)
            return tf.reduce_sum(negative_log_likelihood(y, outputs[0], config.mixtures, 20)), outputs[0]

        return model, loss, ((4, 20, 20), (4, 20, 20))

    def mse(model, x, y, training):
        output = model(x, training=training)
        return tf.reduce_mean(tf.square(output - y)), output

    keras.utils.set_random_seed(0)
    return (("gruv", 'gate_activation="sigmoid"', "2 × LSTM(64), 128 features, batch 4 × 16", gruv),
            ("decay", 'gate_activation="sigmoid"', "2 × LSTM(64), 49 samples, batch 4 × 30", decay),
            ("mdn_vocoder", 'cell="keras"', "2 × LSTM(32), 3 mixtures, batch 4 × 20", mdn))


def cudnn_check(args) -> dict:
    """On the CPU: build each model, save its weights, batch and results.  On the GPU: load them, force cuDNN, run."""
    import keras
    import tensorflow as tf

    rows = []
    reference = Path(args.scratch) / "cudnn"
    reference.mkdir(exist_ok=True)
    for work, switch, description, builder in cudnn_models():
        if work not in args.works:
            continue
        saved = reference / f"{work}.npz"
        try:
            model, loss_of, (x_shape, y_shape) = builder()
            if args.expect_gpu or args.rehearse_gpu:  # the GPU side: the CPU's weights and batch
                with np.load(saved) as data:
                    model.set_weights([data[f"weight_{i}"] for i in range(len(model.weights))])
                    x, y = data["x"], data["y"]
                lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
                for layer in lstms:
                    layer.use_cudnn = True if args.expect_gpu else "auto"  # True raises unless cuDNN takes it
            else:
                rng = np.random.default_rng(0)
                x = rng.standard_normal(x_shape).astype(np.float32)
                y = rng.standard_normal(y_shape).astype(np.float32) * 0.5
            forward = np.asarray(loss_of(model, tf.constant(x), tf.constant(y), False)[1])
            with tf.GradientTape() as tape:
                loss, _ = loss_of(model, tf.constant(x), tf.constant(y), True)
            gradients = tape.gradient(loss, model.trainable_variables)
            results = {"forward": forward, "loss": np.float64(loss),
                       **{f"gradient_{i}": np.asarray(g) for i, g in enumerate(gradients)}}
            if args.expect_gpu or args.rehearse_gpu:
                with np.load(saved) as data:
                    rows.append({"work": work, **compare_cudnn(data, results, len(gradients))})
            else:
                np.savez(saved, x=x, y=y, **{f"weight_{i}": w for i, w in enumerate(model.get_weights())}, **results)
                rows.append({"work": work, "saved": True})
        except Exception as error:  # noqa: BLE001
            traceback.print_exc()
            rows.append({"work": work, "error": f"{type(error).__name__}: {first_line(error)}"})
        rows[-1].update(switch=switch, model=description)
    return {"device": device_name(), "rows": rows}


def compare_cudnn(cpu, gpu, count: int) -> dict:
    largest = max(float(np.abs(cpu[f"gradient_{i}"]).max()) for i in range(count))
    gradient = max(max_difference(cpu[f"gradient_{i}"], gpu[f"gradient_{i}"]) for i in range(count))
    scale = max(float(np.abs(cpu["forward"]).max()), 1e-30)
    return {"outputs": max_difference(cpu["forward"], gpu["forward"]) / scale,
            "loss": abs(float(gpu["loss"]) - float(cpu["loss"])) / max(abs(float(cpu["loss"])), 1e-30),
            "gradients": gradient / max(largest, 1e-30)}


# ---------------------------------------------------------------------------- speed


def timed_rate(call, timing: dict, per_call: int = 1):
    """(calls per second × per_call, timed calls): one warm-up call, then ``timing``'s number of calls."""
    call()
    count, started = 0, time.perf_counter()
    while count < timing["steps"] or (time.perf_counter() - started < timing["seconds"] and count < timing["most"]):
        call()
        count += 1
    return count * per_call / (time.perf_counter() - started), count * per_call


def median_rate(call, frames: int, repeats: int = 3) -> float:
    """Frames per second of ``call`` (which makes ``frames`` frames): the median of ``repeats`` after a warm-up."""
    call()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return frames / statistics.median(times)


def speed_cases(args):
    return [case for case in (QUICK_CASES if args.quick else SPEED_CASES) if case[0] in args.works]


def speed(args) -> dict:
    """Training steps/s and fast generation frames/s of every case of the speed table, on this process's device.

    The result file is written again after each case, so that a child stopped by its time limit keeps the cases it
    finished.
    """
    import gc

    import keras

    kind = "gpu" if device_name() == "GPU" else "cpu"
    timing = {**TIMING[kind], "kind": kind}
    if args.quick:
        timing.update(seconds=timing["seconds"] / 2, frames=timing["frames"] // 2)
    result = {"device": device_name(), "cases": {}}
    for work, preset, _ in speed_cases(args):
        print(f"{work} {preset} ...", flush=True)
        keras.utils.set_random_seed(0)
        try:
            case = SPEED_FUNCTIONS[work](preset, timing)
        except Exception as error:  # noqa: BLE001
            traceback.print_exc()
            fits = type(error).__name__ != "ResourceExhaustedError"
            case = {"error": f"{type(error).__name__}: {first_line(error)}" if fits
                    else f"does not fit in memory ({first_line(error)[:80]})"}
        result["cases"][f"{work}:{preset}"] = case
        Path(args.result).write_text(json.dumps(result, indent=1))
        keras.backend.clear_session()
        gc.collect()
    return result


def speed_gruv(preset: str, timing: dict) -> dict:
    from gruv.config import PRESETS, GruvConfig
    from gruv.model import build_model, compile_model
    from gruv.sampling import FastGenerator

    config = GruvConfig(**PRESETS[preset])
    model = build_model(config)
    compile_model(model, config)
    steps = config.pad_to_blocks or config.max_seq_len
    rng = np.random.default_rng(0)
    x = rng.standard_normal((config.batch_size, steps, config.feature_dims)).astype(np.float32)
    y = rng.standard_normal(x.shape).astype(np.float32)
    train, trained = timed_rate(lambda: float(model.train_on_batch(x, y)), timing)
    generator, frames = FastGenerator(model), timing["frames"]
    generation = median_rate(lambda: generator(x[:1], frames + 1), frames)
    return {"parameters": model.count_params(), "train": train, "train_steps": trained, "generate": generation,
            "frames": frames, "frame": f"a block of {config.block_size} samples",
            "frame_s": config.block_size / config.sample_rate}


def speed_decay(preset: str, timing: dict) -> dict:
    from decay.config import PRESETS, DecayConfig
    from decay.features import block_layout, model_rate
    from decay.model import build_model, compile_model
    from decay.sampling import StepGenerator

    config = DecayConfig(**PRESETS[preset])
    _, rate = model_rate(44100, config.highest_freq)
    features, slices = block_layout(rate, config)
    model = build_model(config, features)
    compile_model(model, config)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((config.batch_size, slices, features)).astype(np.float32)
    y = rng.standard_normal(x.shape).astype(np.float32)
    train, trained = timed_rate(lambda: float(model.train_on_batch(x, y)), timing)
    generator = StepGenerator(model)
    generation = median_rate(lambda: generator(x[0, :config.prime], slices), slices - config.prime)
    return {"parameters": model.count_params(), "train": train, "train_steps": trained, "generate": generation,
            "frames": slices - config.prime, "frame": f"a slice of {features} samples",
            "frame_s": 1 / config.slices_per_second}


def speed_mdn(preset: str, timing: dict) -> dict:
    from mdn_vocoder.config import PRESETS, MdnConfig
    from mdn_vocoder.model import zero_states
    from mdn_vocoder.sampling import FastSampler, priming_inputs
    from mdn_vocoder.training import Trainer

    config = MdnConfig(**PRESETS[preset])
    dimensions = 2 * config.components
    trainer = Trainer(config, dimensions)
    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((config.batch_size, config.seq_length, dimensions)).astype(np.float32)
    targets = rng.standard_normal(inputs.shape).astype(np.float32)
    states = zero_states(config, config.batch_size)
    train, trained = timed_rate(lambda: float(trainer.step_with_sigma(inputs, targets, states)[0]), timing)
    frames = timing["frames"] * 5  # small frames: more of them
    sampler = FastSampler(trainer.model, config)
    prime = priming_inputs(inputs[0], config)
    noise = rng.standard_normal((frames, dimensions)).astype(np.float32)
    one = [state[:1] for state in zero_states(config, 1)]
    generation = median_rate(lambda: sampler(one, prime, noise), frames)
    hop = config.fft_size // 4
    return {"parameters": trainer.model.count_params(), "train": train, "train_steps": trained,
            "generate": generation, "frames": frames, "frame": f"a hop of {hop} samples",
            "frame_s": hop / config.sample_rate}


def speed_dreaming(preset: str, timing: dict) -> dict:
    import tensorflow as tf

    from dreaming.config import PRESETS, DreamingConfig
    from dreaming.features import iterations_per_epoch, layout
    from dreaming.sampling import FastDreamer, fast_rows
    from dreaming.training import Dreamer

    config = DreamingConfig(**{**PRESETS[preset], "input_keep": 1.0})
    cut = layout(config)
    rng = np.random.default_rng(0)
    data = (rng.standard_normal((2000, cut.length)) if cut.frames else rng.standard_normal(400000))
    data = data.astype(np.float32) * 0.1
    dreamer = Dreamer(config, cut, data, iterations_per_epoch(len(data), cut))
    zeros = np.zeros((cut.rows, cut.length), np.float32)
    rows = fast_rows(cut, config.approach)
    window = np.zeros((1, rows, cut.length), np.float32)
    block = 100 if timing["kind"] == "gpu" else 10  # iterations per compiled call

    def iterations():
        outputs = dreamer.block(tf.constant(0), tf.constant(block), zeros, zeros, window, window, window)
        return outputs[1].numpy()

    train, trained = timed_rate(iterations, timing, per_call=block)
    dreamer_fast, frames = FastDreamer(dreamer.network, config, rows), timing["frames"]
    seeds = rng.standard_normal((1, cut.rows, cut.length)).astype(np.float32) * 0.1
    generation = median_rate(lambda: dreamer_fast(seeds, frames), frames)
    per_step = cut.length if config.approach == "vector" else (config.hop if config.approach == "magnitude" else 1)
    return {"parameters": dreamer.network.count_params(), "train": train, "train_steps": trained,
            "generate": generation, "frames": frames, "frame": f"a dream step ({per_step} samples)",
            "frame_s": per_step / config.sample_rate, "note": "a training step includes its concurrent dream step"}


def speed_autoencoder(name: str, timing: dict) -> dict:
    import dataclasses

    from autoencoder_synth.config import AutoencoderConfig, model_settings
    from autoencoder_synth.model import build_model, compile_model
    from autoencoder_synth.synth import NumpyAutoencoder, Resynthesiser

    config = dataclasses.replace(AutoencoderConfig(), **model_settings(name))
    model = build_model(config, 1025)
    compile_model(model, config)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (config.batch_size, 1025)).astype(np.float32)
    train, trained = timed_rate(lambda: float(model.train_on_batch(x, x)), timing)
    engine = Resynthesiser(NumpyAutoencoder.from_model(model), np.ones(1025), config.fft_size, config.hop)
    frames = timing["frames"] * 10
    signal = rng.uniform(-0.5, 0.5, (frames - 1) * config.hop + config.fft_size)
    generation = median_rate(lambda: engine.render_fast(signal), frames)
    return {"parameters": model.count_params(), "train": train, "train_steps": trained, "generate": generation,
            "frames": frames, "frame": f"a hop of {config.hop} samples", "frame_s": config.hop / config.sample_rate,
            "note": "generation is numpy on the CPU whatever the device (as the instrument runs it)"}


SPEED_FUNCTIONS = {"gruv": speed_gruv, "decay": speed_decay, "mdn_vocoder": speed_mdn, "dreaming": speed_dreaming,
                   "autoencoder_synth": speed_autoencoder}


# ============================================================================ the parent: orchestration and report


class Devices:
    """The environments of the CPU and GPU children and how the report names them."""

    def __init__(self, rehearse: bool):
        self.rehearse = rehearse
        base = dict(os.environ)
        self.cpu = {**base, "CUDA_VISIBLE_DEVICES": ""}
        named = base.get("CUDA_VISIBLE_DEVICES", "").split(",")[0].strip()
        self.gpu_visible = named or "0"  # one GPU: the first the caller named, or GPU 0
        self.gpu = {**base, "CUDA_VISIBLE_DEVICES": self.gpu_visible, "TF_FORCE_GPU_ALLOW_GROWTH": "true",
                    "CUDA_CACHE_MAXSIZE": str(4 * 1024 ** 3)}
        if rehearse:
            self.gpu = self.cpu

    def env(self, device: str) -> dict:
        return self.gpu if device == "gpu" else self.cpu

    def label(self, device: str) -> str:
        if device == "gpu":
            return "CPU (rehearsing the GPU half)" if self.rehearse else "GPU"
        return "CPU"

    def flags(self, device: str) -> list[str]:
        if device != "gpu":
            return []
        return ["--rehearse-gpu"] if self.rehearse else ["--expect-gpu"]


def run_child(part: str, device: str, devices: Devices, scratch: Path, args, extra=(), name=None, env=None) -> dict:
    """This script in a child process for ``part`` on ``device``; its JSON result, or ``{"error": …}``.

    ``env``: the child's environment instead of the device's (the probe: the GPU's, even when rehearsing).
    """
    name = name or f"{part}_{device}"
    result, log = scratch / f"{name}.json", scratch / "logs" / f"{name}.log"
    flags = devices.flags(device) if env is None else []
    command = [sys.executable, str(Path(__file__).resolve()), "--child", part, "--result", str(result),
               "--scratch", str(scratch), "--works", *args.works, *flags, *extra]
    if args.quick:
        command.append("--quick")
    started = time.perf_counter()
    with open(log, "w") as output:
        try:
            status = subprocess.run(command, env=env or devices.env(device), cwd=REPO, stdout=output,
                                    stderr=subprocess.STDOUT, timeout=args.child_timeout).returncode
        except subprocess.TimeoutExpired:
            partial = json.loads(result.read_text()) if result.is_file() else {}
            return {"error": f"timed out after {args.child_timeout} s", "log": tail(log), "partial": partial}
    if result.is_file():
        answer = json.loads(result.read_text())
        answer["wall_s"] = time.perf_counter() - started
        if "error" in answer:
            answer["log"] = tail(log)
        return answer
    return {"error": f"the child exited with status {status} and no result", "log": tail(log)}


def tail(path: Path, lines: int = 12) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# ---------------------------------------------------------------------------- e2e


def end_to_end(device: str, devices: Devices, scratch: Path, args) -> list[dict]:
    """Each work's tiny preset, script by script, as a user runs them; ``args.jobs`` works at once."""
    from shared import corpora
    from shared.suite import stages

    plans, rows = [], []
    for work in args.works:
        corpus = importlib.import_module(f"{work}.config").PRESETS["tiny"]["corpus"]
        name = corpus.partition("/")[0]
        try:
            if not (scratch / "corpora" / name / "manifest.json").is_file():
                corpora.build(name, scratch / "corpora" / name)
        except Exception as error:  # noqa: BLE001  (the work fails; the others go on)
            rows.append({"work": work, "device": devices.label(device), "result": "fail",
                         "failed": f"building corpus {name}: {type(error).__name__}: {first_line(error)}"})
            continue
        run_dir = scratch / "runs" / device / work
        commands = [[f"{work}.{stage[0]}", *stage[1:]]
                    for stage in stages(work, "tiny", scratch / "corpora" / corpus, run_dir) if "faithful" not in stage]
        plans.append((work, run_dir, commands + [["shared.evaluate", str(run_dir)]]))

    def run(plan):
        work, run_dir, commands = plan
        log = scratch / "logs" / f"e2e_{device}_{work}.log"
        started, failed = time.perf_counter(), None
        with open(log, "w") as output:
            for command in commands:
                output.write(f"$ python -m {' '.join(command)}\n")
                output.flush()
                try:
                    status = subprocess.run([sys.executable, "-m", *command], env=devices.env(device), cwd=REPO,
                                            stdout=output, stderr=subprocess.STDOUT,
                                            timeout=args.stage_timeout).returncode
                except subprocess.TimeoutExpired:
                    status = f"timed out after {args.stage_timeout} s"
                if status != 0:
                    failed = f"{command[0]}: {'exit status ' if isinstance(status, int) else ''}{status}"
                    break
        wavs = sorted((run_dir / "generated").glob("*.wav"))
        if failed is None and not (wavs and (run_dir / "metrics.json").is_file()):
            failed = "no generated/*.wav or no metrics.json"
        row = {"work": work, "device": devices.label(device), "wall_s": time.perf_counter() - started,
               "stages": ", ".join(stage_label(command) for command in commands),
               "result": "pass" if failed is None else "fail", "outputs": len(wavs)}
        if failed:
            row.update(failed=failed, log=tail(log))
        print(f"[e2e {row['device']}] {work}: {row['result']} in {row['wall_s']:.0f} s", flush=True)
        return row

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        rows += list(pool.map(run, plans))
    return sorted(rows, key=lambda row: args.works.index(row["work"]))


def stage_label(command: list[str]) -> str:
    """``gruv.generate … --mode fast`` → ``generate --mode fast``; ``shared.evaluate RUN`` → ``evaluate``."""
    name = command[0].rpartition(".")[2]
    return f"{name} --mode fast" if "--mode" in command else name


# ---------------------------------------------------------------------------- install


def install_gpu_extra(devices: Devices, args) -> list[dict]:
    """``pip install -e '.[gpu]'`` in a fresh venv, then the GPUs TensorFlow lists there."""
    folder = Path(tempfile.mkdtemp(prefix="gpu_check_venv_"))
    rows = []
    try:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, capture_output=True, timeout=300)
        python = str(folder / "bin" / "python")
        pip = [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--timeout", "20",
               "--retries", "1", "-e", ".[gpu]"]
        quick_failing = {"PIP_TIMEOUT": "20", "PIP_RETRIES": "1"}  # also for pip's own build-isolation install
        try:
            done = subprocess.run(pip, cwd=REPO, env={**devices.env("gpu"), **quick_failing}, capture_output=True,
                                  text=True, timeout=args.install_timeout)
            if done.returncode != 0:
                rows.append({"step": "pip install -e '.[gpu]'", "result": f"not possible here: {pip_reason(done)}"})
        except subprocess.TimeoutExpired:
            rows.append({"step": "pip install -e '.[gpu]'",
                         "result": f"not possible here: pip did not finish within {args.install_timeout} s"})
        if rows:
            rows[-1]["wall_s"] = time.perf_counter() - started
            rows.append({"step": "tf.config.list_physical_devices('GPU')", "result": "not run (no install)"})
            return rows
        rows.append({"step": "pip install -e '.[gpu]'", "result": "pass", "wall_s": time.perf_counter() - started})
        started = time.perf_counter()
        listing = "import tensorflow as tf; print(len(tf.config.list_physical_devices('GPU')))"
        try:
            done = subprocess.run([python, "-c", listing], cwd=tempfile.gettempdir(), env=devices.env("gpu"),
                                  capture_output=True, text=True, timeout=args.child_timeout)
            count = done.stdout.strip().splitlines()[-1] if done.returncode == 0 and done.stdout.strip() else None
            if count is None:
                result = f"fail: exit status {done.returncode}: {(done.stderr.strip().splitlines() or [''])[-1][:200]}"
            elif devices.rehearse:
                result = f"{count} GPU listed (rehearsal: the GPU is hidden)"
            else:
                result = f"pass: {count} GPU listed" if count != "0" else "fail: no GPU listed"
        except subprocess.TimeoutExpired:
            result = f"fail: timed out after {args.child_timeout} s"
        rows.append({"step": "tf.config.list_physical_devices('GPU')", "result": result,
                     "wall_s": time.perf_counter() - started})
        return rows
    except (subprocess.SubprocessError, OSError) as error:
        return rows + [{"step": "python -m venv", "result": f"not possible here: {first_line(error)}"}]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def pip_reason(done) -> str:
    text = done.stdout + done.stderr
    offline = ("NewConnectionError", "Failed to establish a new connection", "Temporary failure in name resolution",
               "Network is unreachable", "ConnectTimeout", "Connection refused", "No route to host")
    errors = [line.strip() for line in text.splitlines() if line.strip().startswith("ERROR")]
    last = (errors or [line.strip() for line in text.splitlines() if line.strip()] or ["no output"])[-1][:200]
    if any(sign in text for sign in offline):
        return f"no network (pip could not reach a package index: {last})"
    return f"pip exit status {done.returncode}: {last}"


# ---------------------------------------------------------------------------- the report


def fmt(value, digits=1) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}" if abs(value) >= 1 else f"{value:.3g}"


def escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def report(state: dict, args) -> list[str]:
    probe_result = state["probe"]
    lines = ["# GPU check", "", f"Machine: {probe_result.get('machine', 'unknown')}.", "", state["gpu_line"], "",
             f"Halves run: {', '.join(state['halves']) or 'none'}; parts: {', '.join(args.parts)}; works: "
             f"{', '.join(args.works)}{'; --quick' if args.quick else ''}. Wall time: {state['wall_s']:.0f} s.", ""]
    failures = []
    if "e2e" in args.parts:
        lines += ["## `tiny` presets end to end", "",
                  "Each work's scripts as a user runs them, one process each, from `shared.suite.stages` "
                  "(`preprocess --preset tiny`, `train`, `generate --mode fast`, any stage the work adds), then "
                  f"`python -m shared.evaluate`; {args.jobs} work(s) at a time. The GPU half only: on the CPU, "
                  "`make test` runs the same (`tests/test_suite.py`).", "",
                  "| work | device | stages | result | wall time (s) |", "|---|---|---|---|---:|"]
        for row in state.get("e2e", []):
            result = row["result"] + (f": {row['failed']}" if row.get("failed") else "")
            lines.append(f"| {row['work']} | {row['device']} | {row.get('stages', '–')} | {escape(result)} | "
                         f"{fmt(row.get('wall_s'))} |")
            if row["result"] == "fail" and row.get("log"):
                failures.append((f"e2e {row['work']} on {row['device']}", row["log"]))
    if "agree" in args.parts:
        lines += ["", "## Fast against faithful generation", "",
                  "Each work's faithful and fast generators on one small seeded (untrained) model, on each device; "
                  "TF32 off, so float32 is float32. Tolerances: `TOLERANCES` in this script, with the reasons. "
                  "On a GPU, Keras runs `predict_on_batch` (GRUV's and decay's faithful loops) under XLA "
                  "(`jit_compile=\"auto\"`), compiled once per sequence length of the growing sequence.", "",
                  "| work | generators compared | model | device | max abs difference | tolerance | result |",
                  "|---|---|---|---|---:|---:|---|"]
        for row in state.get("agree", []):
            lines.append(f"| {row['work']} | {escape(row.get('generator', '–'))} | {row.get('model', '–')} | "
                         f"{row['device']} | {fmt(row.get('difference'))} | {fmt(row.get('tolerance'))} | "
                         f"{escape(row['result'])} |")
    if "cudnn" in args.parts:
        bounds = CUDNN_TOLERANCES
        lines += ["", "## cuDNN-eligible switches, GPU against CPU", "",
                  "The same weights and batch on both devices (saved by the CPU child, loaded by the GPU child); on "
                  "the GPU every LSTM layer has `use_cudnn=True`, which raises unless the cuDNN kernel takes it. "
                  "Compared: the forward outputs and the gradients of one training step (both relative to the CPU's "
                  "largest value) and that step's loss, TF32 off. Tolerances: `CUDNN_TOLERANCES` "
                  f"({bounds['outputs']:g} / {bounds['loss']:g} / {bounds['gradients']:g}).", "",
                  "| work | switch | model | device | outputs: max abs diff ÷ max abs | loss: rel. diff | "
                  "gradients: max abs diff ÷ max abs | result |", "|---|---|---|---|---:|---:|---:|---|"]
        for row in state.get("cudnn", []):
            lines.append(f"| {row['work']} | `{row.get('switch', '–')}` | {row.get('model', '–')} | "
                         f"{row.get('device', '–')} | {fmt(row.get('outputs'))} | {fmt(row.get('loss'))} | "
                         f"{fmt(row.get('gradients'))} | {escape(row['result'])} |")
    if "install" in args.parts:
        lines += ["", "## The `gpu` extra on a fresh venv", "",
                  f"A new venv, `pip install -e '.[gpu]'` (pip timeout 20 s, at most {args.install_timeout} s in all), "
                  "then TensorFlow's GPU list in that venv.", "",
                  "| step | result | wall time (s) |", "|---|---|---:|"]
        for row in state.get("install", []):
            lines.append(f"| `{row['step']}` | {escape(row['result'])} | {fmt(row.get('wall_s'))} |")
    if "speed" in args.parts:
        lines += ["", "## Speed, CPU against GPU", "",
                  "Untrained seeded models at the sizes named (the preset of the work's `config.py`). Training: the "
                  "work's own compiled step on random data, after a warm-up step, timed over at least "
                  f"{TIMING['cpu']['steps']} (CPU) or {TIMING['gpu']['steps']} (GPU) steps and "
                  f"{TIMING['cpu']['seconds']:g} / {TIMING['gpu']['seconds']:g} s{' (halved: --quick)' * args.quick}. "
                  "Generation: the fast generator, median of 3 runs after a warm-up one; real time = frames/s × the "
                  "audio of one frame. TensorFlow's defaults (TF32 on where the GPU has it).", "",
                  "| work | size (preset) | parameters | training steps/s, CPU | GPU | GPU ÷ CPU | "
                  "generation frames/s, CPU | GPU | GPU ÷ CPU | one frame | × real time, CPU / GPU | "
                  "steps timed, CPU / GPU | note |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---|"]
        for row in state.get("speed", []):
            cpu, gpu = row["cpu"], row["gpu"]
            notes = sorted({side["note"] for side in (cpu, gpu) if side.get("note")})
            lines.append(speed_line(row, cpu, gpu) + f" {'; '.join(notes) or '–'} |")
            for side, label in ((cpu, "CPU"), (gpu, "GPU")):
                if side.get("error") and not side["error"].startswith((NOT_RUN, "not run")):
                    failures.append((f"speed {row['work']} {row['preset']} on {label}", side.get("log", "")))
    for part, rows in (("agree", state.get("agree", [])), ("cudnn", state.get("cudnn", []))):
        for row in rows:
            if row.get("log"):
                failures.append((f"{part} {row['work']} on {row.get('device', '?')}", row["log"]))
    if failures:
        lines += ["", "## Logs of what failed (last lines)", ""]
        shown = set()
        for title, log in failures:
            if log in shown:
                continue
            shown.add(log)
            lines += [f"{title}:", "", "```", log or "(no output)", "```", ""]
    return lines


def speed_line(row, cpu, gpu) -> str:
    def cell(side, key):
        if side.get("error"):
            return escape(side["error"])
        return fmt(side.get(key))

    def ratio(key):
        if cpu.get("error") or gpu.get("error") or not cpu.get(key):
            return "–"
        return f"{gpu[key] / cpu[key]:.1f}×"

    def realtime(side):
        return "–" if side.get("error") else f"{side['generate'] * side['frame_s']:.3g}"

    known = cpu if not cpu.get("error") else gpu
    steps = " / ".join("–" if side.get("error") else f"{side['train_steps']}" for side in (cpu, gpu))
    return (f"| {row['work']} | {row['size']} ({row['preset']}) | {fmt(known.get('parameters'))} | "
            f"{cell(cpu, 'train')} | {cell(gpu, 'train')} | {ratio('train')} | {cell(cpu, 'generate')} | "
            f"{cell(gpu, 'generate')} | {ratio('generate')} | {known.get('frame', '–')} | "
            f"{realtime(cpu)} / {realtime(gpu)} | {steps} |")


# ---------------------------------------------------------------------------- main


def _judged(result: dict, label: str, verdict) -> list[dict]:
    """The child's rows, each with its device and ``verdict(row)`` (or the error it met) as its result."""
    if "error" in result:
        return [{"work": "(all)", "device": label, "result": f"fail: {result['error']}", "log": result.get("log")}]
    for row in result["rows"]:
        row["device"] = label
        row["result"] = f"fail: {row['error']}" if "error" in row else verdict(row)
    return result["rows"]


def judge_agreement(result: dict, label: str) -> list[dict]:
    return _judged(result, label, lambda row: "pass" if row["difference"] <= row["tolerance"] else "fail")


def judge_cudnn(result: dict, label: str) -> list[dict]:
    def verdict(row):
        over = [key for key, bound in CUDNN_TOLERANCES.items() if not row[key] <= bound]
        return "pass" if not over else f"fail: {', '.join(over)} over tolerance"

    return _judged(result, label, verdict)


def not_run_cudnn(works) -> list[dict]:
    return [{"work": work, "switch": switch, "device": "–", "result": NOT_RUN}
            for work, switch in (("gruv", 'gate_activation="sigmoid"'), ("decay", 'gate_activation="sigmoid"'),
                                 ("mdn_vocoder", 'cell="keras"')) if work in works]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("cpu", "gpu", "both"), default="both",
                        help="which half to run (default: both; without a GPU only the CPU half runs)")
    parser.add_argument("--quick", action="store_true",
                        help="speed table at each work's quick preset with half the timing, no fresh-venv install")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=None, help="the parts to run (default: all)")
    parser.add_argument("--works", nargs="+", choices=WORKS, default=list(WORKS))
    parser.add_argument("--jobs", type=int, default=None,
                        help="works run at once end to end (default: 1 below 8 CPU cores, else up to 5)")
    parser.add_argument("--install-timeout", type=int, default=300, help="seconds the pip install may take")
    parser.add_argument("--stage-timeout", type=int, default=600, help="seconds one end-to-end script may take")
    parser.add_argument("--child-timeout", type=int, default=600, help="seconds one measuring child may take")
    parser.add_argument("--keep", type=Path, default=None, help="keep the runs and logs in this folder")
    parser.add_argument("--rehearse", action="store_true",
                        help="run the GPU half's code with the GPU hidden (checks this script; no GPU numbers)")
    for hidden in ("--child", "--result", "--scratch"):
        parser.add_argument(hidden, default=None, help=argparse.SUPPRESS)
    for hidden in ("--expect-gpu", "--rehearse-gpu"):
        parser.add_argument(hidden, action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args)
        return 0
    if args.parts is None:
        args.parts = [part for part in PARTS if not (args.quick and part == "install")]
    if args.jobs is None:
        args.jobs = 1 if (os.cpu_count() or 1) < 8 else min(5, len(args.works))
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    scratch = (args.keep or Path(tempfile.mkdtemp(prefix="gpu_check_"))).resolve()
    (scratch / "logs").mkdir(exist_ok=True)
    started = time.perf_counter()
    devices = Devices(args.rehearse)
    try:
        state = check(args, devices, scratch)
    finally:
        if args.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)
    state["wall_s"] = time.perf_counter() - started
    path = write_table("gpu_check", report(state, args))
    failed = [row for part in ("e2e", "agree", "cudnn") for row in state.get(part, [])
              if str(row.get("result", "")).startswith("fail")]
    failed += [row for row in state.get("install", []) if row["result"].startswith("fail")]
    print(f"Written to {path.relative_to(REPO)} in {state['wall_s']:.0f} s; "
          f"{len(failed)} check(s) failed." if failed else
          f"Written to {path.relative_to(REPO)} in {state['wall_s']:.0f} s; no check failed.")
    return 1 if failed else 0


def check(args, devices: Devices, scratch: Path) -> dict:
    """Every selected part on every device the machine and ``--only`` allow; the rows of the report."""
    want_cpu, want_gpu = args.only in ("cpu", "both"), args.only in ("gpu", "both")
    probe_env = Devices(False).gpu if want_gpu else devices.cpu  # the real GPU environment, even when rehearsing
    probe_result = run_child("probe", "gpu" if want_gpu else "cpu", devices, scratch, args, env=probe_env)
    gpus = probe_result.get("gpus") or []
    has_gpu = bool(gpus) or args.rehearse
    if "error" in probe_result:
        gpu_line = f"No GPU: the probe failed ({probe_result['error']}), so only the CPU half runs."
    elif not want_gpu:
        gpu_line = "GPU half not asked for (--only cpu)."
    elif gpus:
        gpu_line = gpu_summary(probe_result, devices)
        if args.rehearse:
            gpu_line += " Rehearsal: the GPU half ran with the GPU hidden."
    else:
        rest = ("the GPU half is rehearsed on the CPU." if args.rehearse else
                "only the CPU half runs." if want_cpu else "nothing runs (--only gpu).")
        gpu_line = f"No GPU: TensorFlow lists none with CUDA_VISIBLE_DEVICES={devices.gpu_visible}, so {rest}"
    if want_gpu:
        print(gpu_line, flush=True)  # without a GPU: the one line that says so
    gpu_runs = want_gpu and ((has_gpu and "error" not in probe_result) or args.rehearse)
    halves = (["CPU"] if want_cpu else []) + (["GPU" + (" (rehearsed)" if args.rehearse else "")] if gpu_runs else [])
    state = {"probe": probe_result, "devices": devices, "gpu_line": gpu_line, "halves": halves}
    if "machine" not in probe_result:  # the probe failed: name the machine from a CPU child
        state["probe"] = {**probe_result, **run_child("probe", "cpu", devices, scratch, args, name="probe_cpu")}
    measured = (["cpu"] if want_cpu else []) + (["gpu"] if gpu_runs else [])

    if "e2e" in args.parts:  # the GPU half only: tests/test_suite.py runs the same on the CPU
        if gpu_runs:
            state["e2e"] = end_to_end("gpu", devices, scratch, args)
        else:
            state["e2e"] = [{"work": work, "device": "GPU", "result": NOT_RUN} for work in args.works]
    if "agree" in args.parts:
        rows = []
        for device in measured:
            label = devices.label(device)
            print(f"[agree] {label} ...", flush=True)
            rows += judge_agreement(run_child("agree", device, devices, scratch, args), label)
        if not gpu_runs:
            rows += [{"work": work, "device": "GPU", "result": NOT_RUN} for work in args.works]
        state["agree"] = rows
    if "cudnn" in args.parts:
        if gpu_runs:
            print("[cudnn] CPU reference, then the GPU ...", flush=True)
            reference = run_child("cudnn", "cpu", devices, scratch, args)
            if "error" in reference:
                state["cudnn"] = judge_cudnn(reference, "CPU")
            else:
                state["cudnn"] = judge_cudnn(run_child("cudnn", "gpu", devices, scratch, args), devices.label("gpu"))
        else:
            state["cudnn"] = not_run_cudnn(args.works)
    if "speed" in args.parts:
        results = {}
        for device in ("cpu", "gpu"):
            if device in measured:
                print(f"[speed] {devices.label(device)} ...", flush=True)
                results[device] = run_child("speed", device, devices, scratch, args)
        rows = []
        for work, preset, size in speed_cases(args):
            row = {"work": work, "preset": preset, "size": size}
            for device in ("cpu", "gpu"):
                found = results.get(device, {"error": NOT_RUN if device == "gpu" else "not run (--only gpu)"})
                cases = found.get("cases", found.get("partial", {}).get("cases", {}))
                row[device] = cases.get(f"{work}:{preset}") or {"error": found.get("error", "no result"),
                                                                "log": found.get("log")}
            rows.append(row)
        state["speed"] = rows
    if "install" in args.parts:
        if gpu_runs:
            print(f"[install] a fresh venv, pip install -e '.[gpu]' (at most {args.install_timeout} s) ...", flush=True)
            state["install"] = install_gpu_extra(devices, args)
        else:
            state["install"] = [{"step": "pip install -e '.[gpu]'", "result": NOT_RUN},
                                {"step": "tf.config.list_physical_devices('GPU')", "result": NOT_RUN}]
    return state


def gpu_summary(probe_result: dict, devices: Devices) -> str:
    capability = probe_result.get("capability")
    built = probe_result.get("built_for") or []
    line = (f"GPU: {probe_result['gpus'][0]} (CUDA_VISIBLE_DEVICES={devices.gpu_visible}"
            + (f", compute capability {capability[0]}.{capability[1]}" if capability else "")
            + f"); TensorFlow built with CUDA {probe_result.get('cuda')}, cuDNN {probe_result.get('cudnn')}")
    if capability and built and f"sm_{capability[0]}{capability[1]}" not in built:
        line += (f", kernels for {', '.join(built)}: none compiled for this GPU, so they are compiled from PTX on "
                 "first use (cached)")
    first = probe_result.get("first_op_s")
    return line + (f"; the first GPU operation took {first:.1f} s." if first is not None else ".")


if __name__ == "__main__":
    sys.exit(main())
