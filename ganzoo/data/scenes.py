"""Digit scenes: MNIST-5k digits in colour on textured backgrounds, labelled per pixel.

A small offline semantic-segmentation set (image-to-image: an RGB image to a map of
class ids) made from the shipped digits, so it installs with the package. Each scene
is `size` x `size`: a smooth random colour texture (a sum of random gratings and a
little noise), with two digits of its split pasted at random places in random bright
colours (the second over the first). A pixel's class is 0 for background and
1 + the digit where a digit's ink covers more than half of it.
"""

import numpy as np

from ganzoo.arguments import as_count
from ganzoo.data.mnist5k import NUM_CLASSES, load_mnist5k

SCENE_CLASSES = ("background", *(str(d) for d in range(NUM_CLASSES)))
DIGITS_PER_SCENE = 2


def texture(rng, size):
    """A smooth random colour field `(size, size, 3)` in about [-1, 0.4]: three random
    gratings per channel, plus noise."""
    rows, cols = np.mgrid[0:size, 0:size] / size
    field = np.zeros((size, size, 3), np.float32)
    for channel in range(3):
        for _ in range(3):
            fy, fx = rng.uniform(-4, 4, 2)
            phase, amplitude = rng.uniform(0, 2 * np.pi), rng.uniform(0.1, 0.3)
            field[..., channel] += amplitude * np.sin(2 * np.pi * (fy * rows + fx * cols) + phase)
    field += rng.normal(0, 0.05, field.shape) + rng.uniform(-0.7, 0.0, 3)
    return np.clip(field, -1.0, 0.4)


def load_digit_scenes(split="train", size=48, seed=0):
    """Scenes of two digits on a texture, and their per-pixel classes.

    One scene per digit of the MNIST-5k `split` ("train", "test", "validation", ...;
    `ganzoo.data.splits`): that digit, and another of the same split, so the digits
    of test scenes are test digits. Deterministic for `seed`.

    Args:
        split: a split of `load_mnist5k`.
        size: height and width, at least 28. Defaults to 48.
        seed: the placement, colour and texture draws.

    Returns:
        images: float32 `(n, size, size, 3)` in [-1, 1].
        masks: int32 `(n, size, size)` class ids in [0, 11): 0 background, 1 + digit.
    """
    size = as_count(size, "size", least=28)
    digits, labels = load_mnist5k(split)
    rng = np.random.default_rng(seed)
    ink = (digits[..., 0] + 1.0) / 2.0  # (n, 28, 28) in [0, 1]
    images = np.empty((len(digits), size, size, 3), np.float32)
    masks = np.zeros((len(digits), size, size), np.int32)
    for i in range(len(digits)):
        scene = texture(rng, size)
        for d in (i, rng.integers(len(digits))):
            top, left = rng.integers(0, size - 28 + 1, 2)
            colour = rng.uniform(0.2, 1.0, 3) * rng.permutation([1.0, 1.0, 0.6])
            window = (slice(top, top + 28), slice(left, left + 28))
            alpha = ink[d][..., None]
            scene[window] = (1 - alpha) * scene[window] + alpha * colour
            masks[i][window][ink[d] > 0.5] = labels[d] + 1
        images[i] = scene
    return images, masks
