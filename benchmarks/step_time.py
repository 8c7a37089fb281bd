"""Train-step time per model per backend on this machine, printed as a table.

    python -m benchmarks step_time                       # GAN, DCGAN, cGAN: MNIST, batch 64
    python -m benchmarks step_time --suite translation   # Pix2Pix, CycleGAN: 128 px, batch 1

Each backend runs in its own process. A step is one `fit` batch: every phase of the
model once (D then G; CycleGAN: both generators, then both discriminators). The time
is the median over `--steps` batches after `--warmup` batches (compilation). The
column "jax, Keras conv_transpose" runs with GANZOO_JAX_CONV_TRANSPOSE_GRADIENT=xla
(`keras.ops.conv_transpose` with JAX's own gradient), to show what ganzoo's custom
gradient buys. The translation suite adds the analytic FLOPs of a step
(`benchmarks/flops.py`) and the rate each backend reaches, against NumPy's matmul rate.

Suites: `mnist`: GAN, DCGAN, ConditionalGAN at default sizes on 28x28x1.
`translation`: Pix2Pix (unet_128, basic PatchGAN, batch norm) and CycleGAN
(resnet_6blocks, basic PatchGAN, instance norm), as the references train at 128 px.
"""

import argparse
import json
import os
import subprocess
import sys
import time

from benchmarks.flops import matmul_gflops, step_flops
from benchmarks.tables import print_table

# Column -> (KERAS_BACKEND, GANZOO_JAX_CONV_TRANSPOSE_GRADIENT)
RUNS = {
    "tensorflow": ("tensorflow", "custom"),
    "jax": ("jax", "custom"),
    "jax, Keras conv_transpose": ("jax", "xla"),
    "torch": ("torch", "custom"),
}
SUITES = {
    "mnist": {"models": ("gan", "dcgan", "cgan"), "batch_size": 64, "steps": 20, "warmup": 5},
    "translation": {"models": ("pix2pix", "cyclegan"), "batch_size": 1, "steps": 10, "warmup": 3},
}
TRANSLATION = {
    "pix2pix": {"generator": "unet_128", "norm": "batch"},
    "cyclegan": {"generator": "resnet_6blocks", "norm": "instance"},
}
SIZE = 128


def suite_models(suite, batch_size, count):
    """Name -> (model, training arrays) of a suite, on the active backend."""
    import numpy as np

    import ganzoo

    rng = np.random.default_rng(0)
    n = count * batch_size
    if suite == "mnist":
        images = rng.uniform(-1, 1, (n, 28, 28, 1)).astype("float32")
        labels = rng.integers(0, 10, n).astype("int32")
        return {
            "gan": (ganzoo.GAN(), images),
            "dcgan": (ganzoo.DCGAN(), images),
            "cgan": (ganzoo.ConditionalGAN(), (images, labels)),
        }
    pairs = tuple(rng.uniform(-1, 1, (n, SIZE, SIZE, 3)).astype("float32") for _ in "AB")
    return {
        "pix2pix": (ganzoo.Pix2Pix(image_size=(SIZE, SIZE), **TRANSLATION["pix2pix"]), pairs),
        "cyclegan": (ganzoo.CycleGAN(image_size=(SIZE, SIZE), **TRANSLATION["cyclegan"]), pairs),
    }


def median_step_ms(suite, steps, warmup, batch_size):
    """Model -> median ms of a `fit` step on the active backend (the worker's job)."""
    return {
        name: fit_step_ms(model, data, batch_size, warmup)
        for name, (model, data) in suite_models(suite, batch_size, steps + warmup).items()
    }


def fit_step_ms(model, data, batch_size, warmup):
    """The median ms of a `fit` step of `model` (compiled with its defaults) over the
    batches of `data` (arrays) after the first `warmup` ones (compilation)."""
    import keras
    import numpy as np
    import tensorflow as tf

    class StepTimes(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times = []

        def on_train_batch_begin(self, batch, logs=None):
            self.start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            float(logs["g_loss"])  # wait for the step (JAX dispatches asynchronously)
            self.times.append(time.perf_counter() - self.start)

    model.compile()
    dataset = tf.data.Dataset.from_tensor_slices(data).batch(batch_size).cache()
    timer = StepTimes()
    model.fit(dataset, epochs=1, verbose=0, callbacks=[timer])
    return 1000 * float(np.median(timer.times[warmup:]))


def translation_step_gflop():
    """Analytic GFLOP per train step of the translation suite's models, batch 1."""
    from ganzoo.blocks import discriminator_network, generator_network

    size = (SIZE, SIZE)
    result = {}
    for name, options in TRANSLATION.items():
        generator = generator_network(
            options["generator"], 3, 3, norm=options["norm"], image_size=size
        )
        channels = 6 if name == "pix2pix" else 3
        discriminator = discriminator_network(
            "basic", channels, norm=options["norm"], image_size=size
        )
        result[name] = step_flops(name, generator, discriminator) / 1e9
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suite", choices=sorted(SUITES), default="mnist")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--warmup", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    suite = SUITES[args.suite]
    steps = args.steps or suite["steps"]
    warmup = args.warmup or suite["warmup"]
    batch_size = args.batch_size or suite["batch_size"]
    if args.worker:  # one backend, in its own process: print the times as JSON
        print(json.dumps(median_step_ms(args.suite, steps, warmup, batch_size)))
        return
    columns = {}
    for label, (backend, gradient) in RUNS.items():
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.step_time", "--worker", "--suite", args.suite]
            + ["--steps", str(steps), "--warmup", str(warmup), "--batch-size", str(batch_size)],
            env={
                **os.environ,
                "KERAS_BACKEND": backend,
                "GANZOO_JAX_CONV_TRANSPOSE_GRADIENT": gradient,
            },
            capture_output=True,
            text=True,
        )
        if out.returncode:
            sys.exit(f"{label} failed:\n{out.stderr[-3000:]}")
        columns[label] = json.loads(out.stdout.strip().splitlines()[-1])
    shape = "28x28x1" if args.suite == "mnist" else f"{SIZE}x{SIZE}x3"
    print_table(
        f"Train step, ms (median of {steps} after {warmup} warm-up), batch {batch_size}, "
        f"{shape}, {os.cpu_count()} CPU cores",
        ["model", *columns],
        ([model, *(f"{columns[c][model]:.0f}" for c in columns)] for model in suite["models"]),
    )
    if args.suite == "translation":
        peak = max(matmul_gflops(), matmul_gflops("keras"))
        gflop = translation_step_gflop()
        rows = []
        for model in suite["models"]:
            total = gflop[model] * batch_size
            rates = [total / columns[c][model] * 1000 for c in columns]
            rows.append(
                [model, f"{total:.1f}", *(f"{r:.0f} ({100 * r / peak:.0f}%)" for r in rates)]
            )
        print_table(
            f"Analytic GFLOP per step (batch {batch_size}) and GFLOP/s reached; NumPy "
            f"float32 matmul here: {peak:.0f} GFLOP/s (= 100%)",
            ["model", "GFLOP/step", *columns],
            rows,
        )


if __name__ == "__main__":
    main()
