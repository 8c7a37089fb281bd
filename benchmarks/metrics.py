"""Reference points of the digit metrics, and the time each metric takes for 10k samples.

    python -m benchmarks metrics [--skip-inception]

Table 1, floor and reference points on the shipped digit classifier's logits (10-dim)
and penultimate features (1024-dim): 1,000
MNIST-5k test digits (100 per class) against 1,000 train digits (the floor a perfect
generator reaches at this sample size), the same test digits blurred (a 5-pixel cross
average), their pixels shuffled, and 1,000 samples of an untrained DCGAN.

Table 2, seconds on this CPU (active backend) for 10,000 samples against 10,000 real:
feature extraction (digit classifier; InceptionV3 at 299x299 timed on 200 images with
random weights and scaled to 10k), then each distance on 10-dim (digit logits) and
2048-dim (Inception-sized, random) features, and PSNR / SSIM on 10k 64x64x3 pairs.
"""

import argparse
import time

import keras
import numpy as np

import ganzoo
from benchmarks.tables import print_table
from ganzoo.data import load_mnist5k
from ganzoo.metrics import (
    digit_features,
    frechet_distance,
    inception_features,
    kernel_distance,
    precision_recall,
    psnr,
    reference_digits,
    ssim,
)


def reference_rows():
    digits = reference_digits(1000)
    test = digits.pop("test")
    untrained = ganzoo.DCGAN(seed=0).generate(1000, seed=0)
    others = (
        ("real train digits", digits["train"]),
        ("blurred test digits", digits["blurred"]),
        ("pixel-shuffled test digits", digits["pixel-shuffled"]),
        ("untrained DCGAN samples", untrained),
    )
    rows = []
    for layer in ("logits", "penultimate"):
        features = digit_features(layer)
        real = features(test)
        for name, images in others:
            other = features(images)
            kid, error = kernel_distance(real, other, block_size=250)
            precision, recall = precision_recall(real, other)
            fd = frechet_distance(real, other)
            rows.append((layer, name, fd, kid, error, precision, recall))
    return rows


def timed(function, *args):
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def timing_rows(skip_inception):
    rng = np.random.default_rng(0)
    digits = np.tile(load_mnist5k("all")[0], (2, 1, 1, 1))
    rows = [("digit classifier features (10k images)", timed(digit_features("logits"), digits))]
    if not skip_inception:
        inception = inception_features(weights=None)
        photos = rng.uniform(-1, 1, (200, 64, 64, 3)).astype("float32")
        inception(photos[:50])  # build and compile
        rows.append(("InceptionV3 features (200 images, x50)", 50 * timed(inception, photos)))
    for dim in (10, 2048):
        a, b = rng.normal(size=(10_000, dim)), rng.normal(size=(10_000, dim))
        rows += [
            (f"Frechet distance, {dim}-dim", timed(frechet_distance, a, b)),
            (f"KID (10 blocks of 1000), {dim}-dim", timed(kernel_distance, a, b)),
            (f"precision and recall (k=3), {dim}-dim", timed(precision_recall, a, b)),
        ]
    a = rng.uniform(-1, 1, (10_000, 64, 64, 3))
    b = np.clip(a + rng.normal(0, 0.1, a.shape), -1, 1)
    rows += [
        ("PSNR, 10k 64x64x3 pairs", timed(psnr, a, b)),
        ("SSIM, 10k 64x64x3 pairs", timed(ssim, a, b)),
    ]
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-inception", action="store_true")
    parser.add_argument("--skip-timing", action="store_true")
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(0)  # the untrained DCGAN's weights
    print_table(
        "Digit-classifier features of 1,000 MNIST-5k test digits against:",
        ["features", "images", "Frechet distance", "KID (4 blocks)", "precision", "recall"],
        (
            (layer, name, f"{fd:.3g}", f"{kid:.3g} +- {error:.2g}", f"{p:.3f}", f"{r:.3f}")
            for layer, name, fd, kid, error, p, r in reference_rows()
        ),
    )
    if args.skip_timing:
        return
    print_table(
        f"Seconds for 10,000 samples vs 10,000 real, {keras.backend.backend()} backend",
        ["metric", "seconds"],
        ((name, f"{seconds:.1f}") for name, seconds in timing_rows(args.skip_inception)),
    )


if __name__ == "__main__":
    main()
