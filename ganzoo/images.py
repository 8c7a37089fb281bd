"""Image grids for people to look at."""

import math
import pathlib

import numpy as np
from PIL import Image

from ganzoo.colours import class_colours
from ganzoo.errors import InvalidArgumentError
from ganzoo.files import written_whole


def to_uint8(images):
    """Images in [-1, 1] as uint8 pixels in [0, 255], rounded to the nearest."""
    return np.clip((np.asarray(images) + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)


def from_uint8(pixels):
    """uint8 pixels in [0, 255] as float32 images in [-1, 1], as the data pipelines map
    them (`ganzoo.data.preprocess.to_unit_range`)."""
    return np.asarray(pixels).astype(np.float32) * np.float32(2.0 / 255.0) - np.float32(1.0)


def image_grid(images, columns=None):
    """Tiles images `(n, height, width, channels)` in [-1, 1] into one uint8 picture.

    Returns:
        uint8 array `(rows * height, columns * width)` for one channel, else
        `(rows * height, columns * width, channels)`; a 1-pixel gap between tiles.
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise InvalidArgumentError(
            "image_grid takes images of shape (n, height, width, 1 or 3). "
            f"Received: {images.shape}."
        )
    n, h, w, c = images.shape
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    grid = np.zeros((rows * (h + 1) - 1, columns * (w + 1) - 1, c), np.uint8)
    for i, image in enumerate(to_uint8(images)):
        r, col = divmod(i, columns)
        grid[r * (h + 1) : r * (h + 1) + h, col * (w + 1) : col * (w + 1) + w] = image
    return grid[..., 0] if c == 1 else grid


def save_image_grid(images, path, columns=None, scale=2):
    """Writes `image_grid(images, columns)` as a PNG, each pixel `scale` x `scale`."""
    grid = Image.fromarray(image_grid(images, columns))
    grid = grid.resize((grid.width * scale, grid.height * scale), Image.NEAREST)
    with written_whole(path) as staging:
        grid.save(staging)
    return pathlib.Path(path)


def preview_images(model, examples=None, num_images=64, labels=None, seed=0, truncation=None):
    """Images that show what a model does, and the number of grid columns for them.

    Args:
        model: a ganzoo model.
        examples: for Pix2Pix and CycleGAN, held-out `(a, b, ...)` arrays (as from
            `ganzoo.metrics.held_out_examples`); unused by generators.
        num_images: samples of a generator, or examples of a translator.
        labels: class ids for a conditional generator. Defaults to one class per
            column.
        seed: the latents' seed.
        truncation: a generator's truncation threshold (`ganzoo.latents.draw_latents`).

    Returns:
        `(images, columns)`: a generator's samples; or, one example per column, rows
        a / G(a) / b for Pix2Pix and a / G(a) / b / F(b) for CycleGAN (gray rows are
        tiled to RGB when another row is in colour); for a segmentation UNet, image /
        predicted classes / true classes (`class_colours`).
    """
    if model.kind == "generator":
        columns = None
        if model.num_classes is not None:
            columns = model.num_classes
            if labels is None:
                labels = [i % model.num_classes for i in range(num_images)]
        return model.generate(num_images, labels, seed, truncation=truncation), columns
    a, b = (np.asarray(x[:num_images]) for x in examples[:2])
    if model.kind == "segmenter":
        rows = [np.repeat(a, 3 // a.shape[-1], axis=-1), model.translate(a)]
        return np.concatenate([*rows, class_colours(b, model.num_classes)]), len(a)
    if model.kind == "translator" and model.direction == "BtoA":  # Pix2Pix learning B -> A
        a, b = b, a
    rows = [a, model.translate(a), b]
    if model.kind == "cycle_translator":
        rows.append(model.translate(b, direction="BtoA"))
    channels = max(row.shape[-1] for row in rows)
    rows = [np.repeat(row, channels // row.shape[-1], axis=-1) for row in rows]
    return np.concatenate(rows), len(a)
