"""Data for ganzoo: tf.data pipelines from arrays, folders and tfds, and offline data sets.

Every loader returns a `tf.data.Dataset` that feeds `fit` on every backend: images
float32 in [-1, 1], batched with the last partial batch dropped, shuffled, augmented and
prefetched, deterministic for a seed (TensorFlow is imported for these only).

    single images (GAN, DCGAN, cGAN)  image_batches, tfds_images, image_folder (inference)
    pairs (A, B) (Pix2Pix)            paired_batches, paired_folder
    unpaired {"A", "B"} (CycleGAN)    unpaired_batches, unpaired_folder, tfds_unpaired
    (image, class map) (UNet)         image_batches(images, masks)

Offline data (installs with the package): load_mnist5k, load_font_pairs,
load_typeset_digits, load_photo_pairs, load_digit_scenes (segmentation). Without
TensorFlow (JAX or torch): ArrayBatches, a `keras.utils.PyDataset` of in-memory arrays
in the same layouts, deterministic and resumable.
"""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what the names are, for readers and the API reference; loaded below
    from ganzoo.data.arrays import ArrayBatches
    from ganzoo.data.folders import image_folder, paired_folder, unpaired_folder
    from ganzoo.data.glyphs import load_font_pairs, load_typeset_digits
    from ganzoo.data.mnist5k import load_mnist5k
    from ganzoo.data.photos import load_photo_pairs
    from ganzoo.data.pipeline import image_batches, paired_batches, unpaired_batches
    from ganzoo.data.preprocess import Preprocess
    from ganzoo.data.scenes import SCENE_CLASSES, load_digit_scenes
    from ganzoo.data.tfds_sources import tfds_images, tfds_unpaired

# name -> module: loaded on first use, so that the offline loaders (NumPy) run without
# TensorFlow, which the pipelines import (ganzoo.optional).
_API = {
    "ArrayBatches": "ganzoo.data.arrays",
    "SCENE_CLASSES": "ganzoo.data.scenes",
    "Preprocess": "ganzoo.data.preprocess",
    "image_batches": "ganzoo.data.pipeline",
    "image_folder": "ganzoo.data.folders",
    "load_digit_scenes": "ganzoo.data.scenes",
    "load_font_pairs": "ganzoo.data.glyphs",
    "load_mnist5k": "ganzoo.data.mnist5k",
    "load_photo_pairs": "ganzoo.data.photos",
    "load_typeset_digits": "ganzoo.data.glyphs",
    "paired_batches": "ganzoo.data.pipeline",
    "paired_folder": "ganzoo.data.folders",
    "tfds_images": "ganzoo.data.tfds_sources",
    "tfds_unpaired": "ganzoo.data.tfds_sources",
    "unpaired_batches": "ganzoo.data.pipeline",
    "unpaired_folder": "ganzoo.data.folders",
}

__all__ = [
    "ArrayBatches",
    "SCENE_CLASSES",
    "Preprocess",
    "image_batches",
    "image_folder",
    "load_digit_scenes",
    "load_font_pairs",
    "load_mnist5k",
    "load_photo_pairs",
    "load_typeset_digits",
    "paired_batches",
    "paired_folder",
    "tfds_images",
    "tfds_unpaired",
    "unpaired_batches",
    "unpaired_folder",
]


def __getattr__(name):
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
    else:  # a module of the package, e.g. ganzoo.data.glyphs
        try:
            value = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value  # looked up once
    return value


def __dir__():
    return sorted(__all__)
