"""Data for ganzoo: tf.data pipelines from arrays, folders and tfds, and offline data sets.

Every loader returns a `tf.data.Dataset` that feeds `fit` on every backend: images
float32 in [-1, 1], batched with the last partial batch dropped, shuffled, augmented and
prefetched, deterministic for a seed.

    single images (GAN, DCGAN, cGAN)  image_batches, tfds_images, image_folder (inference)
    pairs (A, B) (Pix2Pix)            paired_batches, paired_folder
    unpaired {"A", "B"} (CycleGAN)    unpaired_batches, unpaired_folder, tfds_unpaired
    (image, class map) (UNet)         image_batches(images, masks)

Offline data (installs with the package): load_mnist5k, load_font_pairs,
load_typeset_digits, load_photo_pairs, load_digit_scenes (segmentation).
"""

from ganzoo.data.folders import image_folder, paired_folder, unpaired_folder
from ganzoo.data.glyphs import load_font_pairs, load_typeset_digits
from ganzoo.data.mnist5k import load_mnist5k
from ganzoo.data.photos import load_photo_pairs
from ganzoo.data.pipeline import image_batches, paired_batches, unpaired_batches
from ganzoo.data.preprocess import Preprocess
from ganzoo.data.scenes import SCENE_CLASSES, load_digit_scenes
from ganzoo.data.tfds_sources import tfds_images, tfds_unpaired

__all__ = [
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
