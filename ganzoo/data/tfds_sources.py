"""TensorFlow Datasets sources by name, with the preprocessing of the reference papers.

    tfds_images("mnist" | "fashion_mnist" | "cifar10" | "celeb_a", split, ...)
        image batches (and class ids, or a CelebA attribute as 0/1) for GAN, DCGAN, cGAN
    tfds_unpaired("cycle_gan/horse2zebra", split="train", ...)
        {"A": a, "B": b} batches from the trainA / trainB (testA / testB) splits

These call `tfds.load`, which downloads and prepares the data the first time (into
`data_dir`, by default ~/tensorflow_datasets). The tests run them on
`tfds.testing.mock_data`.
"""

from ganzoo.data.download import reachable_or_raise
from ganzoo.data.pipeline import (
    batched,
    element_stream,
    single_image_augment,
    unpaired_streams,
)
from ganzoo.data.preprocess import TRAINING, centre_crop, to_unit_range
from ganzoo.errors import InvalidArgumentError
from ganzoo.optional import import_tensorflow

tf = import_tensorflow("tfds data sets")

CLASS_SOURCES = ("mnist", "fashion_mnist", "cifar10")
IMAGE_SOURCES = (*CLASS_SOURCES, "celeb_a")
CYCLE_GAN_NAMES = (
    "apple2orange",
    "summer2winter_yosemite",
    "horse2zebra",
    "monet2photo",
    "cezanne2photo",
    "ukiyoe2photo",
    "vangogh2photo",
    "maps",
    "cityscapes",
    "facades",
    "iphone2dslr_flower",
)
SHUFFLE_BUFFER = 10_000  # records are decoded images; files are shuffled too


def load_split(name, split, data_dir, download, seed):
    """`tfds.load` with shuffled files, deterministic for `seed`; offline, a data set that
    is not prepared yet fails in seconds with a `DownloadError` (not tfds' retries)."""
    import tensorflow_datasets as tfds  # local: slow to import; only tfds sources need it

    builder = tfds.builder(name, data_dir=data_dir)
    # tfds.testing.mock_data replaces download_and_prepare: the data is mocked, not fetched.
    mocked = "mock" in tfds.core.DatasetBuilder.download_and_prepare.__qualname__
    if download and not mocked and not builder.is_prepared():
        reachable_or_raise(builder.url_infos or (), name, builder.data_dir)
    return tfds.load(
        name,
        split=split,
        data_dir=data_dir,
        download=download,
        shuffle_files=True,
        read_config=tfds.ReadConfig(shuffle_seed=seed),
    )


def tfds_images(
    name,
    split="train",
    *,
    image_size=None,
    labels=False,
    batch_size=64,
    shuffle=True,
    seed=0,
    cache=False,
    data_dir=None,
    download=True,
):
    """Batches of a tfds image data set in [-1, 1], for GAN, DCGAN and ConditionalGAN.

    Args:
        name: "mnist", "fashion_mnist", "cifar10" or "celeb_a".
        split: a tfds split ("train", "test", "train[:90%]", ...). Defaults to "train".
        image_size: resize to this square size (bilinear, antialiased); CelebA's
            218x178 faces are centre-cropped to a square first (as the DCGAN papers
            do: Resize + CenterCrop). Defaults to the native size; 64 for celeb_a.
        labels: True for class ids (mnist, fashion_mnist, cifar10); for celeb_a the
            name of a binary attribute ("Male", "Smiling", ...) as ids 0/1. Batches
            are then `(images, labels)`. Defaults to False.
        batch_size, shuffle, seed, cache: see `pipeline.element_stream`.
        data_dir, download: passed to `tfds.load`.

    Returns:
        `tf.data.Dataset` of float32 `(batch, size, size, channels)` in [-1, 1]
        (and int32 `(batch,)` labels).
    """
    if name not in IMAGE_SOURCES:
        hint = " Use tfds_unpaired for cycle_gan data sets." if name.startswith("cycle_gan") else ""
        raise InvalidArgumentError(
            f"Unknown tfds image source {name!r}. Use one of {IMAGE_SOURCES}.{hint}"
        )
    if name == "celeb_a":
        image_size = image_size or 64
        if labels is True:
            raise InvalidArgumentError(
                "celeb_a has attributes, not classes: pass labels='Male' (or another "
                "attribute name) for 0/1 labels."
            )
    elif labels not in (True, False):
        raise InvalidArgumentError(
            f"{name} has class labels: pass labels=True or False, not {labels!r}."
        )
    records = load_split(name, split, data_dir, download, seed)
    if isinstance(labels, str):
        attributes = records.element_spec["attributes"]
        if labels not in attributes:
            raise InvalidArgumentError(
                f"celeb_a has no attribute {labels!r}. Use one of {sorted(attributes)}."
            )

    def load(record):
        image = tf.cast(record["image"], tf.float32)
        if name == "celeb_a":
            image = centre_crop(image, tf.reduce_min(tf.shape(image)[:2]))
        if image_size is not None:
            image = tf.image.resize(image, (image_size, image_size), antialias=True)
        image = to_unit_range(tf.clip_by_value(image, 0.0, 255.0))
        if labels is False:
            return image
        label = record["attributes"][labels] if name == "celeb_a" else record["label"]
        return image, tf.cast(label, tf.int32)

    stream = element_stream(
        records, load, shuffle=shuffle, seed=seed, cache=cache, shuffle_buffer=SHUFFLE_BUFFER
    )
    return batched(stream, batch_size)


def tfds_unpaired(
    name,
    split="train",
    *,
    preprocess=TRAINING,
    batch_size=1,
    shuffle=True,
    seed=0,
    cache=False,
    training=True,
    data_dir=None,
    download=True,
):
    """`{"A": a, "B": b}` batches of a tfds `cycle_gan/<name>` data set, for CycleGAN.

    Args:
        name: "cycle_gan/horse2zebra" (or another of `CYCLE_GAN_NAMES`).
        split: "train" (trainA, trainB) or "test" (testA, testB).
        preprocess: a `Preprocess` per domain; defaults to the reference's
            resize_and_crop 286 -> 256 with flip.
        training: random crops and flips; False gives centre crops, no flip.
        Other arguments: see `tfds_images`.

    Returns:
        `tf.data.Dataset` of dicts of float32 `(batch, crop, crop, 3)` in [-1, 1]; an
        epoch has max(len(A), len(B)) pairs.
    """
    family, _, dataset_name = name.partition("/")
    if family != "cycle_gan" or dataset_name not in CYCLE_GAN_NAMES:
        raise InvalidArgumentError(
            f"Unknown unpaired tfds source {name!r}. Use 'cycle_gan/<name>' with a name "
            f"in {CYCLE_GAN_NAMES}."
        )
    if split not in ("train", "test"):
        raise InvalidArgumentError(f"split must be 'train' or 'test'. Received: {split!r}.")
    streams, sizes = {}, []
    for i, domain in enumerate("AB"):
        records = load_split(name, f"{split}{domain}", data_dir, download, seed)
        sizes.append(int(records.cardinality()))
        streams[domain] = element_stream(
            records,
            lambda record: record["image"],
            single_image_augment(preprocess, training),
            shuffle=shuffle,
            seed=2 * seed + i,
            cache=cache,
            repeat=True,
            shuffle_buffer=SHUFFLE_BUFFER,
        )
    return unpaired_streams(streams, max(sizes), batch_size)
