"""Train-step time per model per backend on this machine, printed as a table.

    python benchmarks/step_time.py                       # GAN, DCGAN, cGAN: MNIST, batch 64
    python benchmarks/step_time.py --suite translation   # Pix2Pix, CycleGAN: 128 px, batch 1

Each backend runs in its own process. A step is one `fit` batch: every phase of the
model once (D then G; CycleGAN: both generators, then both discriminators). The time
is the median over `--steps` batches after `--warmup` batches (compilation). The
column "jax, Keras conv_transpose" swaps ganzoo's transposed convolution for
`keras.ops.conv_transpose` with JAX's default gradient, to show what the custom
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

RUNS = (
    ("tensorflow", "tensorflow", False),
    ("jax", "jax", False),
    ("jax, Keras conv_transpose", "jax", True),
    ("torch", "torch", False),
)
SUITES = {
    "mnist": {"models": ("gan", "dcgan", "cgan"), "batch_size": 64, "steps": 20, "warmup": 5},
    "translation": {"models": ("pix2pix", "cyclegan"), "batch_size": 1, "steps": 10, "warmup": 3},
}
TRANSLATION = {
    "pix2pix": {"generator": "unet_128", "norm": "batch"},
    "cyclegan": {"generator": "resnet_6blocks", "norm": "instance"},
}
SIZE = 128

WORKER = r"""
import json, sys, time
import keras, numpy as np, tensorflow as tf
import ganzoo
from ganzoo import backend

suite, steps, warmup, batch_size, keras_conv_transpose, size, options = json.loads(sys.argv[1])
if keras_conv_transpose:
    backend.conv_transpose = lambda x, k, strides, padding: keras.ops.conv_transpose(
        x, k, strides=strides, padding=padding)


class StepTimes(keras.callbacks.Callback):
    def on_train_batch_begin(self, batch, logs=None):
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        float(logs["g_loss"])  # wait for the step (JAX dispatches asynchronously)
        self.times.append(time.perf_counter() - self.start)


rng = np.random.default_rng(0)
n = (steps + warmup) * batch_size
if suite == "mnist":
    images = rng.uniform(-1, 1, (n, 28, 28, 1)).astype("float32")
    labels = rng.integers(0, 10, n).astype("int32")
    models = {"gan": (ganzoo.GAN(), images), "dcgan": (ganzoo.DCGAN(), images),
              "cgan": (ganzoo.ConditionalGAN(), (images, labels))}
else:
    pairs = tuple(rng.uniform(-1, 1, (n, size, size, 3)).astype("float32") for _ in "AB")
    models = {
        "pix2pix": (ganzoo.Pix2Pix(image_size=(size, size), **options["pix2pix"]), pairs),
        "cyclegan": (ganzoo.CycleGAN(image_size=(size, size), **options["cyclegan"]), pairs),
    }
result = {}
for name, (model, data) in models.items():
    model.compile()
    dataset = tf.data.Dataset.from_tensor_slices(data).batch(batch_size).cache()
    timer = StepTimes()
    timer.times = []
    model.fit(dataset, epochs=1, verbose=0, callbacks=[timer])
    result[name] = 1000 * float(np.median(timer.times[warmup:]))
print(json.dumps(result))
"""


def translation_step_gflop():
    """Analytic GFLOP per train step of the translation suite's models, batch 1."""
    from flops import step_flops  # benchmarks/ is on sys.path: it holds this script

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suite", choices=sorted(SUITES), default="mnist")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--warmup", type=int)
    parser.add_argument("--batch-size", type=int)
    args = parser.parse_args()
    suite = SUITES[args.suite]
    steps = args.steps or suite["steps"]
    warmup = args.warmup or suite["warmup"]
    batch_size = args.batch_size or suite["batch_size"]
    columns = {}
    for label, backend, keras_conv_transpose in RUNS:
        config = json.dumps(
            [args.suite, steps, warmup, batch_size, keras_conv_transpose, SIZE, TRANSLATION]
        )
        out = subprocess.run(
            [sys.executable, "-c", WORKER, config],
            env={**os.environ, "KERAS_BACKEND": backend},
            capture_output=True,
            text=True,
        )
        if out.returncode:
            sys.exit(f"{label} failed:\n{out.stderr[-3000:]}")
        columns[label] = json.loads(out.stdout.strip().splitlines()[-1])
    shape = "28x28x1" if args.suite == "mnist" else f"{SIZE}x{SIZE}x3"
    print(
        f"Train step, ms (median of {steps} after {warmup} warm-up), batch {batch_size}, "
        f"{shape}, {os.cpu_count()} CPU cores"
    )
    print("| model | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for model in suite["models"]:
        cells = " | ".join(f"{columns[c][model]:.0f}" for c in columns)
        print(f"| {model} | {cells} |")
    if args.suite == "translation":
        from flops import matmul_gflops

        peak = matmul_gflops()
        gflop = translation_step_gflop()
        print(
            f"\nAnalytic GFLOP per step (batch {batch_size}) and GFLOP/s reached; NumPy "
            f"float32 matmul here: {peak:.0f} GFLOP/s (= 100%)"
        )
        print("| model | GFLOP/step | " + " | ".join(columns) + " |")
        print("|---" * (len(columns) + 2) + "|")
        for model in suite["models"]:
            total = gflop[model] * batch_size
            rates = [total / columns[c][model] * 1000 for c in columns]
            cells = " | ".join(f"{rate:.0f} ({100 * rate / peak:.0f}%)" for rate in rates)
            print(f"| {model} | {total:.1f} | {cells} |")


if __name__ == "__main__":
    main()
