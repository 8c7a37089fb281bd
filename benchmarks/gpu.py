"""ganzoo's train step on a GPU, on each installed backend, beside the plain PyTorch loop
moved to the same GPU.

    python -m benchmarks gpu [--models pix2pix cyclegan dcgan] [--precisions float32 mixed_bfloat16]
                             [--steps 20] [--device gpu|cpu]

The plain loop is `benchmarks.versus_pytorch`'s (the reference repo's networks and
`optimize_parameters`, PyTorch's DCGAN example), built under
`torch.set_default_device("cuda")`, under `torch.autocast(dtype=bfloat16)` for
mixed_bfloat16. ganzoo's step is `train_on_batch` on arrays (no tf.data: it runs where
TensorFlow is not installed), under Keras' dtype policy. Each (column, model, batch,
precision) runs in a process of its own: it builds the model, warms up 3 steps
(compilation), then times `--steps` steps, each waited for (the plain loop reads its
loss, ganzoo returns its logs), and reports the median and its device's peak memory.

Rows: Pix2Pix (unet_128, 128 px) and CycleGAN (resnet_6blocks, 128 px) at batch 1, the
papers' batch, and Pix2Pix at 16; DCGAN (64 px) at 64 and at 512, a throughput batch.
A column whose framework is not installed, or sees no GPU, is skipped and said so.
`--device cpu` runs the same on the CPU (a check of the benchmark itself).
"""

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

from benchmarks.tables import print_table
from benchmarks.versus_pytorch import MODELS, ganzoo_model, plain_pytorch

ROWS = [("pix2pix", 1), ("pix2pix", 16), ("cyclegan", 1), ("dcgan", 64), ("dcgan", 512)]
COLUMNS = {"plain PyTorch": "torch", "ganzoo jax": "jax", "ganzoo torch": "torch",
           "ganzoo tensorflow": "tensorflow"}  # fmt: skip
PRECISIONS = ("float32", "mixed_bfloat16")


def devices_seen(framework, device):
    """A reason to skip `framework` ("not installed", "sees no GPU"), or None."""
    if importlib.util.find_spec(framework) is None:
        return "not installed"
    if device == "cpu":
        return None
    probe = {
        "torch": "import torch; print(torch.cuda.is_available())",
        "jax": "import jax; print(any(d.platform == 'gpu' for d in jax.devices()))",
        "tensorflow": "import tensorflow as t; print(bool(t.config.list_physical_devices('GPU')))",
    }[framework]
    seen = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    return None if seen.stdout.strip().endswith("True") else "sees no GPU"


def peak_memory_mb(framework):
    """The device's peak memory in this process, MB; None on a CPU."""
    if framework == "torch":
        import torch

        return torch.cuda.max_memory_allocated() / 2**20 if torch.cuda.is_available() else None
    if framework == "jax":
        import jax

        stats = jax.devices()[0].memory_stats()
        return stats["peak_bytes_in_use"] / 2**20 if stats else None
    import tensorflow as tf

    if not tf.config.list_physical_devices("GPU"):
        return None
    return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20


def plain_step(name, batch, precision, device):
    """The plain loop's step on `device`, in bfloat16 autocast for mixed_bfloat16."""
    import torch

    where = "cuda" if device == "gpu" else "cpu"
    torch.set_default_device(where)
    step = plain_pytorch(name, batch)
    if precision == "float32":
        return step

    def mixed():
        with torch.autocast(where, dtype=torch.bfloat16):
            return step()

    return mixed


def ganzoo_step(name, batch, precision):
    """ganzoo's `train_on_batch` on random arrays of `name`'s shape."""
    import keras
    import numpy as np

    keras.config.set_dtype_policy(precision)
    model = ganzoo_model(name)
    model.compile()
    rng = np.random.default_rng(0)
    shape = (batch, *MODELS[name]["shape"])
    images = [rng.uniform(-1, 1, shape).astype("float32") for _ in range(2)]
    if name == "dcgan":
        return lambda: model.train_on_batch(images[0])
    return lambda: model.train_on_batch(*images)


def worker(column, name, batch, precision, steps, device):
    """Prints `{"ms": median step, "peak_mb": device peak}` as JSON."""
    if column == "plain PyTorch":
        step = plain_step(name, batch, precision, device)
    else:
        step = ganzoo_step(name, batch, precision)
    for _ in range(3):  # warm-up: compilation, cuDNN's algorithm search, the allocator
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()  # waited for: the loss (plain) or the logs (ganzoo) are read back
        times.append(time.perf_counter() - start)
    median = 1000 * statistics.median(times)
    print(json.dumps({"ms": median, "peak_mb": peak_memory_mb(COLUMNS[column])}))


def measure(column, name, batch, precision, steps, device):
    """Runs one worker process; `(ms, peak MB)`, or the error's last line."""
    framework = COLUMNS[column]
    env = {**os.environ, "KERAS_BACKEND": framework}
    if device == "cpu":
        env.update(CUDA_VISIBLE_DEVICES="", JAX_PLATFORMS="cpu")
    arguments = [column, name, str(batch), precision, str(steps), device]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.gpu", "--worker", *arguments],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        return lines[-1][:120]
    reply = json.loads(done.stdout.strip().splitlines()[-1])
    return reply["ms"], reply["peak_mb"]


def versions():
    """The GPU, driver and library versions, from what is installed."""
    said = []
    for module in ("torch", "jax", "tensorflow", "keras"):
        if importlib.util.find_spec(module) is not None:
            found = subprocess.run(
                [sys.executable, "-c", f"import {module}; print({module}.__version__)"],
                capture_output=True,
                text=True,
            )
            said.append(f"{module} {found.stdout.strip() or '?'}")
    if shutil.which("nvidia-smi"):
        query = ["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"]
        gpu = subprocess.run(query, capture_output=True, text=True)
        if gpu.returncode == 0:
            said.insert(0, gpu.stdout.strip().splitlines()[0].replace(",", ", driver"))
    return ", ".join(said)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks gpu")
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS), default=sorted(MODELS))
    parser.add_argument("--precisions", nargs="+", choices=PRECISIONS, default=list(PRECISIONS))
    parser.add_argument("--steps", type=int, default=20, help="timed steps per process")
    parser.add_argument("--device", choices=("gpu", "cpu"), default="gpu")
    parser.add_argument("--worker", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        column, name, batch, precision, steps, device = args.worker
        return worker(column, name, int(batch), precision, int(steps), device)

    skipped = {c: devices_seen(f, args.device) for c, f in COLUMNS.items()}
    columns = [c for c in COLUMNS if skipped[c] is None]
    for column in COLUMNS:
        if skipped[column]:
            print(f"skipped {column}: {COLUMNS[column]} {skipped[column]}")
    if "plain PyTorch" not in columns:
        print("nothing to compare with: the plain PyTorch loop needs torch on the device")
        return

    def rows():
        for precision in args.precisions:
            for name, batch in ROWS:
                if name not in args.models:
                    continue
                cells = {c: measure(c, name, batch, precision, args.steps, args.device)
                         for c in columns}  # fmt: skip
                base = cells["plain PyTorch"]
                row = [name, batch, precision]
                for column in columns:
                    cell = cells[column]
                    if isinstance(cell, str):
                        row.append(f"failed: {cell}")
                        continue
                    ms, peak = cell
                    ratio = f" ({ms / base[0]:.2f}x)" if not isinstance(base, str) else ""
                    memory = f", {peak:,.0f} MB" if peak is not None else ""
                    row.append(f"{ms:.1f} ms{ratio}{memory}")
                yield row

    print_table(
        f"ms per train step (median of {args.steps} after 3 warm-up steps; ratio to the plain "
        f"loop; the device's peak memory), one process per cell, on the {args.device}: "
        f"{versions()}; {time.strftime('%Y-%m-%d')}",
        ["model", "batch", "precision", *columns],
        rows(),
    )


if __name__ == "__main__":
    main()
