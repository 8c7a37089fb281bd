"""Train-step time per model per backend on this machine, printed as a table.

    python benchmarks/step_time.py            # all backends, batch 64, MNIST shapes
    python benchmarks/step_time.py --steps 20 --batch-size 64

Each backend runs in its own process. A step is one `fit` batch: the discriminator
phase then the generator phase. The time is the median over `--steps` batches after
`--warmup` batches (compilation). The column "jax, Keras conv_transpose" swaps
ganzoo's transposed convolution for `keras.ops.conv_transpose` with JAX's default
gradient, to show what the custom gradient buys.
"""

import argparse
import json
import os
import subprocess
import sys

MODELS = ("gan", "dcgan", "cgan")
RUNS = (
    ("tensorflow", "tensorflow", False),
    ("jax", "jax", False),
    ("jax, Keras conv_transpose", "jax", True),
    ("torch", "torch", False),
)

WORKER = r"""
import json, sys, time
import keras, numpy as np, tensorflow as tf
import ganzoo
from ganzoo import backend

steps, warmup, batch_size, keras_conv_transpose = json.loads(sys.argv[1])
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
images = rng.uniform(-1, 1, ((steps + warmup) * batch_size, 28, 28, 1)).astype("float32")
labels = rng.integers(0, 10, len(images)).astype("int32")
result = {}
for name, model in (("gan", ganzoo.GAN()), ("dcgan", ganzoo.DCGAN()),
                    ("cgan", ganzoo.ConditionalGAN())):
    model.compile()
    data = (images, labels) if model.num_classes else images
    dataset = tf.data.Dataset.from_tensor_slices(data).batch(batch_size).cache()
    timer = StepTimes()
    timer.times = []
    model.fit(dataset, epochs=1, verbose=0, callbacks=[timer])
    result[name] = 1000 * float(np.median(timer.times[warmup:]))
print(json.dumps(result))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    columns = {}
    for label, backend, keras_conv_transpose in RUNS:
        config = json.dumps([args.steps, args.warmup, args.batch_size, keras_conv_transpose])
        out = subprocess.run(
            [sys.executable, "-c", WORKER, config],
            env={**os.environ, "KERAS_BACKEND": backend},
            capture_output=True,
            text=True,
        )
        if out.returncode:
            sys.exit(f"{label} failed:\n{out.stderr[-3000:]}")
        columns[label] = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"Train step, ms (median of {args.steps} after {args.warmup} warm-up), "
        f"batch {args.batch_size}, 28x28x1, default model sizes, {os.cpu_count()} CPU cores"
    )
    print("| model | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for model in MODELS:
        cells = " | ".join(f"{columns[c][model]:.0f}" for c in columns)
        print(f"| {model} | {cells} |")


if __name__ == "__main__":
    main()
