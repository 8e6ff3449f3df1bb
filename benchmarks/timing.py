"""What every benchmark here shares: a description of the machine, and a median wall time."""

from __future__ import annotations

import os
import platform
import statistics
import time
from pathlib import Path


def machine(gpu: str | None = None) -> str:
    """CPU model, core count, the GPU used (``gpu``: its name; None: "no GPU used") and library versions, for the
    table's heading."""
    import keras
    import tensorflow as tf

    from shared.evidence import cpu_model

    cpu = cpu_model()
    used = "no GPU used" if gpu is None else f"GPU used: {gpu}"
    return (f"{cpu}, {os.cpu_count()} cores, {used}; Python {platform.python_version()}, "
            f"TensorFlow {tf.__version__}, Keras {keras.__version__}")


def timed(function, repeats: int):
    """(median wall time in s over ``repeats`` calls, the last call's result)."""
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def write_table(name: str, lines: list[str]) -> Path:
    """Print a benchmark's Markdown table and write it to ``benchmarks/out/<name>.md``."""
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    out = Path(__file__).resolve().parent / "out" / f"{name}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)
    return out
