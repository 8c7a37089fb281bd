"""tf.data pipelines that feed `fit` on every backend.

Every loader in ganzoo.data ends here: elements are listed as cheap keys (file paths,
array rows), then

    keys -> [shuffle] -> load (parallel) -> [cache, shuffle] -> augment (parallel, seeded)
         -> batch -> prefetch

With `cache=True` the decoded elements are cached before the shuffle, so later epochs
skip decoding; augmentation always runs after the cache, so every epoch draws new crops
and flips. Shuffling, augmentation and parallel maps are deterministic for a seed.
"""

import numpy as np

from ganzoo.arguments import as_array, as_count, as_images, as_seed
from ganzoo.data.preprocess import as_preprocess, preprocess_paired, to_unit_range
from ganzoo.errors import InvalidArgumentError, InvalidTypeError
from ganzoo.optional import import_tensorflow

tf = import_tensorflow("tf.data pipelines")

AUTOTUNE = tf.data.AUTOTUNE


def element_stream(
    keys,
    load=None,
    augment=None,
    *,
    shuffle=True,
    seed=0,
    cache=False,
    repeat=False,
    shuffle_buffer=None,
):
    """Unbatched elements: `keys` loaded, shuffled, cached and augmented.

    Args:
        keys: `tf.data.Dataset` of finite, known cardinality.
        load: `key -> element` (decoding), or None when keys are the elements.
        augment: `(element, seed) -> element` with a stateless (2,) int64 seed, or None.
        shuffle: reshuffle every epoch. Defaults to True.
        seed: the seed of the shuffle and of the augmentation seeds. Defaults to 0.
        cache: False, True (in memory) or a file path prefix for an on-disk cache of
            the loaded elements. Defaults to False.
        repeat: repeat forever (for unpaired domains of different sizes).
        shuffle_buffer: elements in the shuffle buffer; defaults to all of them (a
            uniform shuffle). tfds sources, whose keys are decoded images, use less.
    """
    count = int(keys.cardinality())
    if count <= 0:
        raise InvalidArgumentError("The data set is empty or of unknown size; nothing to load.")
    buffer = min(count, shuffle_buffer or count)
    dataset = keys
    if shuffle and not cache:
        dataset = dataset.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    if load is not None:
        dataset = dataset.map(load, num_parallel_calls=AUTOTUNE, deterministic=True)
    if cache:
        dataset = dataset.cache("" if cache is True else str(cache))
        if shuffle:
            dataset = dataset.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    if augment is not None:
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
        dataset = tf.data.Dataset.zip(dataset, seeds).map(
            augment, num_parallel_calls=AUTOTUNE, deterministic=True
        )
    return dataset


def single_image_augment(preprocess, training=True, value_range=(0.0, 255.0)):
    """`(image, seed) -> image in [-1, 1]`: `preprocess` then the scaling, for one domain."""

    def augment(image, seed):
        return to_unit_range(preprocess(image, seed, training, value_range), value_range)

    return augment


def batched(dataset, batch_size, drop_remainder=True, count=None):
    """Batches and prefetches `dataset`.

    Args:
        batch_size: images per batch.
        drop_remainder: drop the last partial batch, so every training step sees the
            same batch shape (one compilation on JAX / XLA). Defaults to True.
        count: elements per epoch, for the error when there is not one full batch;
            defaults to the dataset's cardinality.
    """
    batch_size = as_count(batch_size, "batch_size")
    count = int(dataset.cardinality()) if count is None else count
    if drop_remainder and 0 < count < batch_size:
        raise InvalidArgumentError(
            f"batch_size={batch_size} is larger than the {count} images, so every batch "
            "would be dropped. Use a smaller batch_size."
        )
    return dataset.batch(
        batch_size,
        drop_remainder=drop_remainder,
        num_parallel_calls=AUTOTUNE,
        deterministic=True,
    ).prefetch(AUTOTUNE)


def image_batches(images, labels=None, batch_size=64, shuffle=True, seed=0, cache=False):
    """Shuffled, batched, prefetched `tf.data.Dataset` of images (and labels) in memory.

    Args:
        images: array `(n, height, width, channels)`, float32 in [-1, 1].
        labels: optional array `(n,)` of class ids (or `(n, height, width)` per-pixel
            class ids, for segmentation); batches are then `(images, labels)`.
        batch_size: Defaults to 64. The last partial batch is dropped.
        shuffle: reshuffle every epoch. Defaults to True.
        seed: shuffle seed; the same seed gives the same order. Defaults to 0.
        cache: see `element_stream` (arrays are in memory already; a path caches to
            disk). Defaults to False.
    """
    images = as_images(images)
    if labels is not None:
        labels = as_array(labels, "labels", (1, 2, 3), dtype=None, least=0)
        if not np.issubdtype(labels.dtype, np.integer):
            whole = np.array_equal(labels, np.round(labels))
            raise InvalidTypeError(
                f"labels must be integer class ids; received dtype {labels.dtype}"
                + (": pass labels.astype('int32')." if whole else " with fractions.")
            )
        if len(labels) != len(images):
            raise InvalidArgumentError(
                f"labels has {len(labels)} entries for {len(images)} images; give one "
                "class id per image."
            )
    elements = images if labels is None else (images, labels)
    keys = tf.data.Dataset.from_tensor_slices(elements)
    stream = element_stream(keys, shuffle=shuffle, seed=as_seed(seed), cache=cache)
    return batched(stream, batch_size)


def paired_batches(
    inputs, targets, preprocess=None, batch_size=1, shuffle=True, seed=0, cache=False, training=True
):
    """`(A, B)` batches for Pix2Pix from two aligned arrays in [-1, 1].

    Args:
        inputs, targets: arrays `(n, height, width, channels)`; row i of each is a pair.
        preprocess: optional `Preprocess` or Keras image augmentation layers
            (`keras.layers.RandomFlip()`, a list or a `keras.Sequential`), applied to A
            and B together (the same crop and flip). Defaults to None (the arrays as
            they are).
        batch_size: Defaults to 1, the pix2pix paper's.
    """
    inputs, targets = as_images(inputs, "inputs"), as_images(targets, "targets")
    if len(inputs) != len(targets):
        raise InvalidArgumentError(
            f"inputs and targets are pairs row by row; received {len(inputs)} inputs and "
            f"{len(targets)} targets."
        )
    keys = tf.data.Dataset.from_tensor_slices((inputs, targets))
    preprocess, augment = as_preprocess(preprocess), None
    if preprocess is not None:

        def augment(pair, seed):
            return preprocess_paired(preprocess, *pair, seed, training, (-1.0, 1.0))

    stream = element_stream(keys, augment=augment, shuffle=shuffle, seed=as_seed(seed), cache=cache)
    return batched(stream, batch_size)


def unpaired_streams(streams, count, batch_size, drop_remainder=True):
    """`{"A": a, "B": b}` batches from two repeated domain streams, `count` per epoch.

    The reference's unaligned data set has max(len(A), len(B)) elements per epoch
    and draws the other domain at random; here each domain is reshuffled whenever it
    runs out.
    """
    dataset = tf.data.Dataset.zip(streams).take(count)
    return batched(dataset, batch_size, drop_remainder, count)


def unpaired_batches(images_a, images_b, batch_size=1, shuffle=True, seed=0):
    """`{"A": a, "B": b}` batches for CycleGAN from two arrays in [-1, 1] of any sizes.

    An epoch has max(len(a), len(b)) pairs; each domain is shuffled on its own.
    """
    images_a, images_b = as_images(images_a, "images_a"), as_images(images_b, "images_b")
    seed = as_seed(seed) or 0
    streams = {
        domain: element_stream(
            tf.data.Dataset.from_tensor_slices(images),
            shuffle=shuffle,
            seed=2 * seed + i,
            repeat=True,
        )
        for i, (domain, images) in enumerate((("A", images_a), ("B", images_b)))
    }
    count = max(len(images_a), len(images_b))
    return unpaired_streams(streams, count, batch_size)
