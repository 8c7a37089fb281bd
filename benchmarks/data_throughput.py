"""Input-pipeline throughput against what a training step consumes, printed as a table.

    python -m benchmarks data_throughput [--files 200] [--epochs 3]

Pipelines:
- paired folder, 256 px: `--files` JPEG files of 256x512 (A | B side by side, as the
  pix2pix data sets are distributed; cut from scikit-image's photographs), the
  reference's resize_and_crop 286 -> 256 with flip, batch 1; without and with cache;
  and with a crop only (no resize), which isolates the cost of decoding.
- unpaired folder, 256 px: trainA/ and trainB/ of 256x256 JPEGs, the same preprocessing.
- MNIST-5k in memory: `image_batches`, batch 64.

Throughput is examples (an (A, B) pair, or an MNIST image) per second over `--epochs`
epochs after one warm-up epoch, the pipeline running alone on this machine's cores. A
training step's consumption is its batch size over its median step time (fit,
TensorFlow backend, median of 5 steps after 2 warm-up): Pix2Pix unet_256 + basic
PatchGAN at 256 px for the folders (CycleGAN's 256 px step is slower still, so it
consumes less), DCGAN for MNIST.
The ratio (pipeline / consumption) says how far the data is from being the bottleneck.
"""

import argparse
import os
import pathlib
import tempfile
import time

import numpy as np
from PIL import Image

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402

import ganzoo  # noqa: E402
from benchmarks.tables import print_table
from ganzoo.data import (  # noqa: E402
    Preprocess,
    image_batches,
    load_mnist5k,
    paired_folder,
    unpaired_folder,
)
from ganzoo.data.photos import TRAIN_PHOTOS, photo  # noqa: E402


def write_folders(root, files, seed=0):
    """`files` 256x512 A|B JPEGs in root/pairs and 256x256 ones in root/trainA, trainB."""
    rng = np.random.default_rng(seed)
    photos = [photo(name, 1.0) for name in TRAIN_PHOTOS]
    for folder in ("pairs", "trainA", "trainB"):
        (root / folder).mkdir(parents=True)
    for i in range(files):
        patches = []
        for _ in range(2):
            image = photos[rng.integers(len(photos))]
            top = rng.integers(image.shape[0] - 255)
            left = rng.integers(image.shape[1] - 255)
            patches.append(image[top : top + 256, left : left + 256])
        Image.fromarray(np.concatenate(patches, 1)).save(root / "pairs" / f"{i}.jpg", quality=90)
        for domain, patch in zip("AB", patches, strict=True):
            Image.fromarray(patch).save(root / f"train{domain}" / f"{i}.jpg", quality=90)


def images_per_second(dataset, epochs):
    """Images per second over `epochs` full passes, after one warm-up pass."""
    for _ in dataset:
        pass
    count, start = 0, time.perf_counter()
    for _ in range(epochs):
        for batch in dataset:
            first = batch["A"] if isinstance(batch, dict) else batch[0]
            count += int(first.shape[0])
    return count / (time.perf_counter() - start)


class StepTimes(keras.callbacks.Callback):
    def on_train_batch_begin(self, batch, logs=None):
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(time.perf_counter() - self.start)


def consumed_per_second(model, dataset, steps=5, warmup=2):
    """Examples per second one training step takes in: batch size / median step time."""
    model.compile()
    timer = StepTimes()
    timer.times = []
    model.fit(dataset.take(steps + warmup), verbose=0, callbacks=[timer])
    batch_size = int(next(iter(dataset))[0].shape[0])
    return batch_size / float(np.median(timer.times[warmup:]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        write_folders(root, args.files)
        paired = paired_folder(root / "pairs")
        pix2pix_rate = consumed_per_second(ganzoo.Pix2Pix(), paired)
        images, _ = load_mnist5k("train")
        mnist = image_batches(images, batch_size=64)
        dcgan_rate = consumed_per_second(ganzoo.DCGAN(), mnist)
        rows = [
            ("paired folder 256 px, JPEG, batch 1", paired, "pix2pix", pix2pix_rate),
            (
                "paired folder 256 px, cache=True",
                paired_folder(root / "pairs", cache=True),
                "pix2pix",
                pix2pix_rate,
            ),
            (
                "paired folder 256 px, preprocess crop (no resize)",
                paired_folder(root / "pairs", preprocess=Preprocess("crop")),
                "pix2pix",
                pix2pix_rate,
            ),
            (
                "unpaired folder 256 px, JPEG, batch 1",
                unpaired_folder(root),
                "pix2pix",
                pix2pix_rate,
            ),
            ("MNIST-5k in memory, batch 64", mnist, "dcgan", dcgan_rate),
        ]
        print_table(
            f"Examples/s, pipeline alone ({args.epochs} epochs after 1 warm-up; {args.files} "
            f"files) vs one training step's consumption (TF backend); {os.cpu_count()} CPU "
            "cores",
            ["pipeline", "pipeline, examples/s", "a train step consumes (model)", "ratio"],
            (
                (name, f"{t:.0f}", f"{rate:.2f} ({model})", f"{t / rate:.0f}x")
                for name, dataset, model, rate in rows
                for t in [images_per_second(dataset, args.epochs)]
            ),
        )


if __name__ == "__main__":
    main()
