"""Train-step time of each up-sampling of the shared up-block, in a DCGAN and a U-Net.

    KERAS_BACKEND=jax python -m benchmarks upsampling [--steps 10]

On the active backend, one process: the median ms of a `fit` step (after 3 warm-up
steps) of a DCGAN (28x28x1, 32 filters, batch 64) with each generator up-sampling, and
of Pix2Pix at 64 px (batch 4, 32 filters, basic PatchGAN) with a U-Net (`unet_64`,
strided convolutions down) and an hourglass (`hourglass_64`, max-pooling down) each
up-sampling they take (`ganzoo.blocks.up_block`: transposed convolution,
resize-convolution, max-unpooling).
"""

import argparse

from benchmarks.step_time import fit_step_ms
from benchmarks.tables import print_table

WARMUP = 3
CASES = (  # (network, family, model options, batch size)
    ("DCGAN", "dcgan", {}, 64),
    ("U-Net", "pix2pix", {"generator": "unet_64"}, 4),
    ("hourglass", "pix2pix", {"generator": "hourglass_64"}, 4),
)


def build(family, options, upsampling, count, batch_size):
    """`(model, training arrays)` for `count` batches."""
    import numpy as np

    import ganzoo

    rng = np.random.default_rng(0)
    if family == "dcgan":
        model = ganzoo.DCGAN(filters=32, upsampling=upsampling)
        return model, rng.uniform(-1, 1, (count * batch_size, 28, 28, 1)).astype("float32")
    model = ganzoo.Pix2Pix(image_size=(64, 64), generator_filters=32, discriminator_filters=32,
                           upsampling=upsampling, **options)  # fmt: skip
    pairs = rng.uniform(-1, 1, (2, count * batch_size, 64, 64, 3)).astype("float32")
    return model, (pairs[0], pairs[1])


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks upsampling")
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args(argv)

    import keras

    rows = []
    for network, family, options, batch_size in CASES:
        modes = ("unpool", "resize_conv", "transposed") if network == "hourglass" else (
            "transposed", "resize_conv")  # fmt: skip
        times = {}
        for upsampling in modes:
            model, data = build(family, options, upsampling, args.steps + WARMUP, batch_size)
            times[upsampling] = fit_step_ms(model, data, batch_size, WARMUP)
        first = times[modes[0]]
        for upsampling, ms in times.items():
            rows.append([network, upsampling, batch_size, f"{ms:.0f}", f"{ms / first:.2f}"])
    print_table(
        f"ms per fit step by up-sampling (backend: {keras.backend.backend()})",
        ["network", "upsampling", "batch", "ms/step", "vs the network's first"],
        rows,
    )
