"""Folders of the user's own images, laid out as pytorch-CycleGAN-and-pix2pix expects.

    paired_folder("facades/train")         one file per pair, A | B side by side
                                            (how the pix2pix data sets are distributed)
    paired_folder("pairs")                  pairs/A/x.png with pairs/B/x.jpg, matched by name
    unpaired_folder("horse2zebra", "train") horse2zebra/trainA/*, horse2zebra/trainB/*
    image_folder("photos")                  the images of a folder (or files), in name order

Files are found recursively and sorted by path; .png, .jpg, .jpeg, .bmp and .gif are
read (as the tf.image decoders can), others are ignored. Every file is checked when the
data set is made (readable, and sizes that fit the preprocessing), so a bad file fails
at once with its name, not mid-epoch inside tf.data.
"""

import pathlib

from ganzoo.arguments import as_count
from ganzoo.data.image_files import image_files, image_paths, read_image_shapes
from ganzoo.data.pipeline import (
    batched,
    element_stream,
    single_image_augment,
    unpaired_streams,
)
from ganzoo.data.preprocess import (
    INFERENCE,
    TRAINING,
    as_preprocess,
    preprocess_paired,
    to_unit_range,
)
from ganzoo.errors import InvalidArgumentError
from ganzoo.optional import import_tensorflow

tf = import_tensorflow("Image folders")


def common_channels(shapes, channels):
    """`channels` if given, else 1 when every image is grayscale, else 3."""
    if channels is not None:
        if as_count(channels, "channels") not in (1, 3):
            raise InvalidArgumentError(f"channels must be 1 or 3. Received: {channels}.")
        return channels
    return 1 if all(c == 1 for _, _, c in shapes) else 3


def per_domain(channels):
    """`(channels_a, channels_b)` from one value or a pair."""
    return tuple(channels) if isinstance(channels, (tuple, list)) else (channels,) * 2


def checked_channels(paths, channels, preprocess, batch_size, check_files):
    """Inspects the files of one domain, checks their sizes against `preprocess`, and
    returns the channel count to load them with."""
    shapes = read_image_shapes(paths, check_files)
    channels = common_channels(shapes, channels)
    check_output_sizes(paths, [s[:2] for s in shapes], preprocess, batch_size)
    return channels


def check_output_sizes(paths, sizes, preprocess, batch_size):
    """Raises ValueError unless every image fits `preprocess` and, for batches of more
    than one, all come out the same size."""
    outputs = {}
    for path, (height, width) in zip(paths, sizes, strict=True):
        try:
            size = (height, width) if preprocess is None else preprocess.output_size(height, width)
        except ValueError as error:
            raise InvalidArgumentError(f"{path}: {error}") from None
        outputs.setdefault(size, path)
    if batch_size > 1 and len(outputs) > 1:
        (size_a, path_a), (size_b, path_b) = list(outputs.items())[:2]
        raise InvalidArgumentError(
            f"Images come out of preprocess {getattr(preprocess, 'mode', None)!r} at "
            "different sizes "
            f"({path_a}: {size_a}, {path_b}: {size_b}), so they cannot be batched. "
            "Give a Preprocess that resizes or crops to one size (such as "
            "Preprocess('resize_and_crop', load_size, crop_size)), or use batch_size=1."
        )


def decode(path, channels):
    """uint8 `(height, width, channels)` image of a file (RGB, or its luma for 1).
    JPEGs are decoded with libjpeg's accurate integer DCT, as Pillow (`read_image`)
    and the reference's PIL loader decode them (`decode_image` takes the fast one,
    up to 3 levels off)."""
    contents = tf.io.read_file(path)
    image = tf.cond(
        tf.io.is_jpeg(contents),
        lambda: tf.io.decode_jpeg(contents, channels=3, dct_method="INTEGER_ACCURATE"),
        lambda: tf.io.decode_image(contents, channels=3, expand_animations=False),
    )
    image = match_channels(image, channels)
    image.set_shape((None, None, channels))
    return image


def paired_folder(
    folder,
    *,
    preprocess=TRAINING,
    channels=None,
    batch_size=1,
    shuffle=True,
    seed=0,
    cache=False,
    training=True,
    check_files=True,
):
    """`(A, B)` batches for Pix2Pix from a folder of side-by-side pairs or of A/ and B/.

    Args:
        folder: either holds `A/` and `B/` (pairs matched by relative path without
            the extension) or image files each holding A (left half) | B (right half).
        preprocess: a `Preprocess`, applied to A and B together (the same resize, crop
            and flip), or Keras image augmentation layers (`keras.layers.RandomFlip()`,
            a list or a `keras.Sequential` of them: each layer's one random draw applies
            to A and B alike). Defaults to the reference's resize_and_crop 286 -> 256
            with flip.
        channels: 1 or 3, or `(channels_a, channels_b)`; None reads 1 for grayscale
            files and 3 otherwise. RGB is converted to grayscale and back as asked.
        batch_size: Defaults to 1, the pix2pix paper's.
        shuffle, seed, cache: see `pipeline.element_stream`.
        training: random crops and flips; False gives centre crops, no flip.
        check_files: decode every file once when the data set is made, so a corrupt
            file fails here with its name. False reads only the headers.

    Returns:
        `tf.data.Dataset` of `(a, b)`, float32 `(batch, crop, crop, channels)` in [-1, 1].
    """
    batch_size = as_count(batch_size, "batch_size")
    preprocess = as_preprocess(preprocess)
    folder = pathlib.Path(folder)
    if (folder / "A").is_dir() and (folder / "B").is_dir():
        paths_a, paths_b = matched_pairs(folder / "A", folder / "B")
        shapes_a = read_image_shapes(paths_a, check_files)
        shapes_b = read_image_shapes(paths_b, check_files)
        for pa, pb, sa, sb in zip(paths_a, paths_b, shapes_a, shapes_b, strict=True):
            if sa[:2] != sb[:2]:
                raise InvalidArgumentError(
                    f"Paired images differ in size: {pa} is {sa[0]}x{sa[1]}, {pb} is "
                    f"{sb[0]}x{sb[1]}. Resize one to match the other."
                )
        keys = (paths_a, paths_b)
        sizes = [s[:2] for s in shapes_a]
    else:
        paths = image_files(folder)
        shapes_a = shapes_b = read_image_shapes(paths, check_files)
        keys = (paths,)
        sizes = [(h, w // 2) for h, w, _ in shapes_a]
    channels_a, channels_b = per_domain(channels)
    channels_a = common_channels(shapes_a, channels_a)
    channels_b = common_channels(shapes_b, channels_b)
    check_output_sizes(keys[0], sizes, preprocess, batch_size)

    def load(*files):
        if len(files) == 2:
            return decode(files[0], channels_a), decode(files[1], channels_b)
        both = decode(files[0], max(channels_a, channels_b))
        half = tf.shape(both)[1] // 2
        return (
            match_channels(both[:, :half], channels_a),
            match_channels(both[:, half : 2 * half], channels_b),
        )

    def augment(pair, seed):
        return preprocess_paired(preprocess, *pair, seed, training)

    keys = tf.data.Dataset.from_tensor_slices(tuple([str(p) for p in k] for k in keys))
    stream = element_stream(keys, load, augment, shuffle=shuffle, seed=seed, cache=cache)
    return batched(stream, batch_size)


def match_channels(image, channels):
    """A 3-channel uint8 image as `channels` (1: luma) channels."""
    if channels == 3:
        return image
    return tf.cast(tf.round(tf.image.rgb_to_grayscale(tf.cast(image, tf.float32))), tf.uint8)


def matched_pairs(folder_a, folder_b):
    """Paths in A/ and B/ paired by relative path without extension.

    Raises:
        ValueError: naming files that have no partner.
    """

    def by_name(folder):
        return {p.relative_to(folder).with_suffix("").as_posix(): p for p in image_files(folder)}

    files_a, files_b = by_name(folder_a), by_name(folder_b)
    only_a, only_b = sorted(files_a.keys() - files_b), sorted(files_b.keys() - files_a)
    if only_a or only_b:
        raise InvalidArgumentError(
            f"Pairs are matched by file name, and {len(only_a)} images in {folder_a} "
            f"(e.g. {only_a[:3]}) and {len(only_b)} in {folder_b} (e.g. {only_b[:3]}) "
            "have no partner. Rename or remove them."
        )
    names = sorted(files_a)
    return [files_a[n] for n in names], [files_b[n] for n in names]


def domain_stream(
    paths, preprocess, channels, *, batch_size, seed, shuffle, cache, training, check_files
):
    """The repeated, augmented stream of one domain's images in [-1, 1]."""
    channels = checked_channels(paths, channels, preprocess, batch_size, check_files)

    keys = tf.data.Dataset.from_tensor_slices([str(p) for p in paths])
    return element_stream(
        keys,
        lambda path: decode(path, channels),
        single_image_augment(preprocess, training),
        shuffle=shuffle,
        seed=seed,
        cache=cache,
        repeat=True,
    )


def unpaired_folder(
    folder,
    split="train",
    *,
    preprocess=TRAINING,
    channels=None,
    batch_size=1,
    shuffle=True,
    seed=0,
    cache=False,
    training=True,
    check_files=True,
):
    """`{"A": a, "B": b}` batches for CycleGAN from `folder/{split}A` and `folder/{split}B`.

    An epoch has max(len(A), len(B)) pairs (the reference's unaligned data set); each
    domain is shuffled and augmented on its own. Arguments as `paired_folder`;
    `channels` may be one value or `(channels_a, channels_b)`.

    Returns:
        `tf.data.Dataset` of dicts of float32 `(batch, crop, crop, channels)` in [-1, 1].
    """
    batch_size = as_count(batch_size, "batch_size")
    preprocess = as_preprocess(preprocess)
    folder = pathlib.Path(folder)
    channels = per_domain(channels)
    paths = {d: image_files(folder / f"{split}{d}") for d in "AB"}
    streams = {
        domain: domain_stream(
            paths[domain],
            preprocess,
            channels[i],
            batch_size=batch_size,
            seed=2 * seed + i,
            shuffle=shuffle,
            cache=cache,
            training=training,
            check_files=check_files,
        )
        for i, domain in enumerate("AB")
    }
    return unpaired_streams(streams, max(map(len, paths.values())), batch_size)


def image_folder(
    folder,
    *,
    preprocess=INFERENCE,
    channels=None,
    batch_size=1,
    check_files=True,
):
    """The images of a folder for inference, in path order, with their paths.

    Args:
        folder: a folder (its images, recursively), an image file, or a list of both.
        preprocess: a `Preprocess` (or Keras augmentation layers) run with
            `training=False` (centre crops, no flip), or None to keep every image at
            its own size. Defaults to `INFERENCE`.
        channels: 1 or 3. Defaults to 1 when every image is grayscale, else 3.
        batch_size: Defaults to 1 (images of different sizes need 1).
        check_files: decode every file first, so that a bad one is named before any
            graph runs. Defaults to True.

    Returns:
        `(dataset, paths)`: batches of float32 `(batch, height, width, channels)` in
        [-1, 1], not shuffled, the last batch kept; `paths[i]` is image i's file.
    """
    batch_size = as_count(batch_size, "batch_size")
    preprocess = as_preprocess(preprocess)
    paths = image_paths(folder)
    channels = checked_channels(paths, channels, preprocess, batch_size, check_files)
    unseeded = None if preprocess is None else single_image_augment(preprocess, training=False)

    def load(path):
        image = decode(path, channels)
        if unseeded is None:
            return to_unit_range(tf.cast(image, tf.float32))
        return unseeded(image, tf.zeros(2, tf.int64))

    keys = tf.data.Dataset.from_tensor_slices([str(p) for p in paths])
    stream = element_stream(keys, load, shuffle=False)
    return batched(stream, batch_size, drop_remainder=False), paths
