"""tf.data pipelines that feed `fit` on every backend."""

import tensorflow as tf


def image_batches(images, labels=None, batch_size=64, shuffle=True, seed=0):
    """Shuffled, batched, prefetched `tf.data.Dataset` of images (and labels).

    Args:
        images: array `(n, height, width, channels)`, float32 in [-1, 1].
        labels: optional array `(n,)` of class ids; batches are then
            `(images, labels)`.
        batch_size: Defaults to 64. The last partial batch is dropped, so every
            training step sees the same batch shape (one compilation on JAX / XLA).
        shuffle: reshuffle every epoch. Defaults to True.
        seed: shuffle seed; the same seed gives the same order. Defaults to 0.
    """
    if len(images) < batch_size:
        raise ValueError(
            f"batch_size={batch_size} is larger than the {len(images)} images, so "
            "every batch would be dropped. Use a smaller batch_size."
        )
    elements = images if labels is None else (images, labels)
    dataset = tf.data.Dataset.from_tensor_slices(elements)
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
