"""What each discriminator stabiliser does for the DCGAN on MNIST-5k, at equal training time.

    python -m benchmarks stabilizers [--seconds 75] [--variants baseline ema ...]

Each variant is `benchmarks/dcgan_mnist5k_plain.toml` (the paper's DCGAN 28x28, 32
filters, batch 64, Adam 2e-4, seed 0, no stabiliser) with one change, trained for the
same wall-clock budget (`fit` stops at the first step after it), one after the other
in this process (`benchmarks.sweep.train_and_score`), then scored by
`ganzoo.metrics.held_out_scores` on the 1,000 MNIST-5k test digits (1,000 samples,
the digit classifier's logits; the Frechet distance of real train digits to them, the
floor, is ~0.9). The budget, not the step count, is equal: a stabiliser that makes a
step dearer (R1's second backward pass) trains fewer steps. One seed, one run per
variant: differences of a few FD points are within run-to-run noise.
"""

import argparse
import pathlib

from benchmarks.sweep import train_and_score
from benchmarks.tables import print_table

PLAIN_RECIPE = str(pathlib.Path(__file__).with_name("dcgan_mnist5k_plain.toml"))
# Variant -> recipe overrides. R1 and spectral norm take D without batch norm (R1
# needs per-sample gradients; the paper's SN-GAN has no batch norm in D).
VARIANTS = {
    "baseline": {},
    "label_smoothing": {"model.label_smoothing": 0.1},
    "instance_noise": {"model.instance_noise": 0.1, "model.instance_noise_steps": 1000},
    "diff_augment": {"model.diff_augment": "color,translation,cutout"},
    "r1": {"model.r1_weight": 1.0, "model.discriminator_norm": "none"},
    "spectral_norm": {"model.spectral_norm": True, "model.discriminator_norm": "none"},
    "ttur": {"train.discriminator_learning_rate": 4e-4, "train.learning_rate": 1e-4},
    "ema": {"model.ema_decay": 0.999},
}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks stabilizers")
    parser.add_argument("--seconds", type=float, default=75.0)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    args = parser.parse_args(argv)

    def rows():
        for name in args.variants:
            steps, elapsed, scores = train_and_score(
                PLAIN_RECIPE, VARIANTS[name], args.seconds, split="test"
            )
            yield (
                name,
                ", ".join(f"{k.split('.')[-1]}={v}" for k, v in VARIANTS[name].items()) or "-",
                steps,
                f"{elapsed:.0f}",
                f"{scores['frechet_distance']:.2f}",
                f"{scores['precision']:.3f}",
                f"{scores['recall']:.3f}",
            )

    import keras  # local: the benchmark list starts no backend

    print_table(
        f"DCGAN on MNIST-5k, {args.seconds:g} s of training per variant (backend: "
        f"{keras.backend.backend()}); held-out scores on the 1,000 test digits",
        ["variant", "settings", "steps", "seconds", "frechet_distance", "precision", "recall"],
        rows(),
    )
