"""Training data by name, for recipes: `[data] source = "..."` and its options.

Each source is `source(batch_size, seed, image_size, labels, **options)` -> the
training `tf.data.Dataset` in the layout `fit` takes (the offline sets: where TensorFlow
does not import, an `ArrayBatches` stream of the same layout, `in_memory`). The four
positional arguments are given by the training run, from the recipe and the model it
built: the batch size, the seed, the `(height, width)` the images must have (crops),
and whether the model wants class labels. The options are keyword arguments with
annotated types; recipes are checked against them. `SOURCES` names them as recipes do.

    offline (install with the package)    mnist5k, font_pairs, photo_pairs, digits_typeset,
                                          digit_scenes
    downloaded                            tfds, tfds_cycle_gan, pix2pix
    your files                            paired_folder, unpaired_folder
"""

import pathlib

import keras
import numpy as np

from ganzoo.arguments import as_count
from ganzoo.data.arrays import ArrayBatches
from ganzoo.data.download import reachable_or_raise
from ganzoo.data.glyphs import load_font_pairs, load_typeset_digits
from ganzoo.data.mnist5k import load_mnist5k
from ganzoo.data.photos import load_photo_pairs
from ganzoo.data.scenes import load_digit_scenes
from ganzoo.errors import InvalidArgumentError, MissingFileError
from ganzoo.optional import tensorflow_imports
from ganzoo.resources import keras_cache

PIX2PIX_URL = "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/{name}.tar.gz"
PIX2PIX_NAMES = ("facades", "cityscapes", "maps", "edges2shoes", "edges2handbags", "night2day")


def in_memory(layout, elements, batch_size, seed, crop=None):
    """Training batches of in-memory arrays: the tf.data pipeline where TensorFlow
    imports, else `ArrayBatches` (same layout, its own order; `ganzoo.data.arrays`).

    Args:
        layout: "images" (`elements` an array, or `(images, labels)`), "pairs" (`(A,
            B)`) or "domains" (`{"A": a, "B": b}`, unpaired).
        crop: crop pairs to `crop x crop` at a random offset (the same for A and B).
    """
    if not tensorflow_imports():
        return ArrayBatches(elements, batch_size, seed=seed, crop=crop)
    from ganzoo.data import pipeline  # local: imports TensorFlow
    from ganzoo.data.preprocess import Preprocess  # local: imports TensorFlow

    if layout == "domains":
        return pipeline.unpaired_batches(elements["A"], elements["B"], batch_size, seed=seed)
    if layout == "pairs":
        preprocess = None if crop is None else Preprocess("crop", crop_size=crop, flip=False)
        return pipeline.paired_batches(*elements, preprocess, batch_size=batch_size, seed=seed)
    images, labels = elements if isinstance(elements, tuple) else (elements, None)
    return pipeline.image_batches(images, labels, batch_size, seed=seed)


def crop_preprocess(image_size, preprocess, load_size, flip):
    """The reference's preprocessing, cropping to `image_size`."""
    from ganzoo.data.preprocess import Preprocess  # local: imports TensorFlow

    height, width = image_size
    if height != width and preprocess != "none":
        raise InvalidArgumentError(
            f"preprocess {preprocess!r} crops squares, and image_size is {tuple(image_size)}. "
            "Use preprocess 'none' with images of that size, or a square image_size."
        )
    return Preprocess(preprocess, load_size=load_size, crop_size=height, flip=flip)


def training_split(hold_out_validation):
    """The split an offline source trains on: "train", or "train_without_validation"
    while settings are chosen on the "validation" split (`ganzoo.data.splits`)."""
    return "train_without_validation" if hold_out_validation else "train"


def mnist5k_source(batch_size, seed, image_size, labels, *, hold_out_validation: bool = False):
    """The 4,000 MNIST-5k training digits (with labels for conditional models); 3,000
    with `hold_out_validation`."""
    images, classes = load_mnist5k(training_split(hold_out_validation))
    return in_memory("images", (images, classes) if labels else images, batch_size, seed)


def font_pairs_source(
    batch_size,
    seed,
    image_size,
    labels,
    *,
    source: str = "DejaVuSans",
    target: str = "DejaVuSerif-BoldItalic",
    hold_out_validation: bool = False,
    shift: int = 0,
):
    """Glyph pairs source font -> target font (`load_font_pairs`), at `image_size`.

    `shift` > 0 moves each pair by a random offset of up to `shift` pixels each way (both
    glyphs alike: the pair padded with white paper, then the reference's random "crop").
    """
    split = training_split(hold_out_validation)
    inputs, targets, _ = load_font_pairs(split, image_size[0], source, target)
    crop = None
    if as_count(shift, "shift", least=0):
        margin = ((0, 0), (shift, shift), (shift, shift), (0, 0))
        inputs, targets = (np.pad(x, margin, constant_values=1.0) for x in (inputs, targets))
        crop = image_size[0]
    return in_memory("pairs", (inputs, targets), batch_size, seed, crop)


def photo_pairs_source(
    batch_size, seed, image_size, labels, *, task: str = "colorize", patches_per_photo: int = 256
):
    """Photograph patches for "colorize" or "super_resolution" (`load_photo_pairs`)."""
    inputs, targets = load_photo_pairs(
        "train", task, image_size[0], patches_per_photo=patches_per_photo
    )
    return in_memory("pairs", (inputs, targets), batch_size, seed)


def digits_typeset_source(
    batch_size, seed, image_size, labels, *, variants: int = 8, hold_out_validation: bool = False
):
    """Unpaired A = MNIST-5k handwritten digits, B = typeset digits, 28x28."""
    split = training_split(hold_out_validation)
    digits, _ = load_mnist5k(split)
    typeset, _ = load_typeset_digits(split, variants=variants, seed=seed)
    return in_memory("domains", {"A": digits, "B": typeset}, batch_size, seed)


def digit_scenes_source(batch_size, seed, image_size, labels, *, hold_out_validation: bool = False):
    """(scene, per-pixel classes) batches for segmentation (`load_digit_scenes`), at
    `image_size`; the scenes are fixed (drawn with seed 0), the order follows `seed`."""
    images, masks = load_digit_scenes(training_split(hold_out_validation), image_size[0])
    return in_memory("images", (images, masks), batch_size, seed)


def tfds_source(batch_size, seed, image_size, labels, *, name: str, data_dir: str | None = None):
    """A tfds image set (`tfds_images`) at `image_size`; labels for conditional models."""
    from ganzoo.data.tfds_sources import tfds_images  # local: imports TensorFlow

    return tfds_images(
        name,
        "train",
        image_size=image_size[0],
        labels=labels,
        batch_size=batch_size,
        seed=seed,
        data_dir=data_dir,
    )


def tfds_cycle_gan_source(
    batch_size,
    seed,
    image_size,
    labels,
    *,
    name: str,
    preprocess: str = "resize_and_crop",
    load_size: int = 286,
    flip: bool = True,
    data_dir: str | None = None,
):
    """A tfds `cycle_gan/<name>` set, trainA / trainB (`tfds_unpaired`)."""
    from ganzoo.data.tfds_sources import tfds_unpaired  # local: imports TensorFlow

    return tfds_unpaired(
        name,
        "train",
        preprocess=crop_preprocess(image_size, preprocess, load_size, flip),
        batch_size=batch_size,
        seed=seed,
        data_dir=data_dir,
    )


def download_pix2pix(name, sha256=None, cache_dir=None, url=None):
    """Downloads and unpacks a pix2pix data set once; returns its folder (train/, val/, ...).

    Args:
        name: one of `PIX2PIX_NAMES`.
        sha256: the archive's hash; a download that does not match is refused. The
            hosts publish none, so the recipes leave it None: pin the hash printed by
            `sha256sum ~/.keras/datasets/NAME.tar.gz` after your first download.
        cache_dir: Defaults to Keras' (~/.keras).
        url: the archive's address, with `{name}`. Defaults to `PIX2PIX_URL`.
    """
    url = url or PIX2PIX_URL
    if name not in PIX2PIX_NAMES:
        raise InvalidArgumentError(
            f"Unknown pix2pix data set {name!r}. Choose one of {PIX2PIX_NAMES}."
        )
    if cache_dir is not None:
        pathlib.Path(cache_dir).mkdir(parents=True, exist_ok=True)  # else Keras uses /tmp
    archive = keras_cache(cache_dir) / "datasets" / f"{name}.tar.gz"
    if not archive.exists():
        reachable_or_raise([url.format(name=name)], name, archive)
    path = keras.utils.get_file(
        f"{name}.tar.gz",
        url.format(name=name),
        file_hash=sha256,
        hash_algorithm="sha256",
        extract=True,
        cache_dir=cache_dir,
    )
    path = pathlib.Path(path)  # the archive's folder, or the folder it was extracted to
    for folder in (path / name, path.parent / name, path):
        if (folder / "train").is_dir():
            return folder
    raise MissingFileError(f"{url.format(name=name)} unpacked to {path} with no train/ in it.")


def pix2pix_source(
    batch_size,
    seed,
    image_size,
    labels,
    *,
    name: str,
    preprocess: str = "resize_and_crop",
    load_size: int = 286,
    flip: bool = True,
    sha256: str | None = None,
    cache_dir: str | None = None,
):
    """A pix2pix data set (facades, maps, edges2shoes, ...): side-by-side A|B files."""
    folder = download_pix2pix(name, sha256, cache_dir)
    return paired_folder_source(
        batch_size,
        seed,
        image_size,
        labels,
        path=str(folder / "train"),
        preprocess=preprocess,
        load_size=load_size,
        flip=flip,
    )


def paired_folder_source(
    batch_size,
    seed,
    image_size,
    labels,
    *,
    path: str,
    preprocess: str = "resize_and_crop",
    load_size: int = 286,
    flip: bool = True,
):
    """Your pairs: side-by-side A|B files, or A/ and B/ (`ganzoo.data.paired_folder`)."""
    from ganzoo.data.folders import paired_folder  # local: imports TensorFlow

    return paired_folder(
        path,
        preprocess=crop_preprocess(image_size, preprocess, load_size, flip),
        batch_size=batch_size,
        seed=seed,
    )


def unpaired_folder_source(
    batch_size,
    seed,
    image_size,
    labels,
    *,
    path: str,
    preprocess: str = "resize_and_crop",
    load_size: int = 286,
    flip: bool = True,
):
    """Your unpaired domains: `path/trainA`, `path/trainB` (`ganzoo.data.unpaired_folder`)."""
    from ganzoo.data.folders import unpaired_folder  # local: imports TensorFlow

    return unpaired_folder(
        path,
        "train",
        preprocess=crop_preprocess(image_size, preprocess, load_size, flip),
        batch_size=batch_size,
        seed=seed,
    )


SOURCES = {
    "mnist5k": mnist5k_source,
    "font_pairs": font_pairs_source,
    "photo_pairs": photo_pairs_source,
    "digits_typeset": digits_typeset_source,
    "digit_scenes": digit_scenes_source,
    "tfds": tfds_source,
    "tfds_cycle_gan": tfds_cycle_gan_source,
    "pix2pix": pix2pix_source,
    "paired_folder": paired_folder_source,
    "unpaired_folder": unpaired_folder_source,
}
