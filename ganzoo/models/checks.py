"""Checks on the training data a model is given, run before `fit` compiles anything."""

import numpy as np
import tensorflow as tf

from ganzoo.errors import InvalidArgumentError


def batch_shapes(x, y=None):
    """Shapes of (images, labels or None) per element of a dataset or array input.

    Args:
        x: `tf.data.Dataset` of images or (images, labels) batches, or an array of
            images; anything else returns `(None, None)` (not checked).
        y: labels array when `x` is an array.

    Returns:
        `(image_shape, label_shape)` without the batch axis; label_shape is None when
        there are no labels.
    """
    if isinstance(x, tf.data.Dataset):
        spec = x.element_spec
        if isinstance(spec, (tuple, list)):
            images, labels = spec[0], spec[1] if len(spec) > 1 else None
        else:
            images, labels = spec, None
        return (
            tuple(images.shape[1:]),
            None if labels is None else tuple(labels.shape[1:]),
        )
    if isinstance(x, np.ndarray):
        return tuple(x.shape[1:]), None if y is None else tuple(np.shape(y)[1:])
    return None, None


def check_class_ids(labels, num_classes, count=None):
    """`labels` as integer class ids in [0, num_classes), or InvalidArgumentError.

    With `count`, one id (for all) or `count` of them; the result has `count`.
    """
    labels = np.asarray(labels)
    if count is not None and labels.ndim == 0:
        labels = np.full(count, labels)
    if count is not None and labels.ndim == 1 and len(labels) != count:
        raise InvalidArgumentError(
            f"labels gives {len(labels)} class ids for {count} images; give one id for all "
            f"or one per image."
        )
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise InvalidArgumentError(
            f"Labels must be a 1-D array of integer class ids. Received shape "
            f"{labels.shape} and dtype {labels.dtype}."
        )
    bad = labels[(labels < 0) | (labels >= num_classes)]
    if bad.size:
        raise InvalidArgumentError(
            f"Labels must be class ids in [0, {num_classes}). Received "
            f"{sorted(set(bad.tolist()))[:5]}. Check num_classes or the labels."
        )
    return labels


def with_class_id_check(dataset, num_classes):
    """`dataset` of (images, labels) batches that fails on ids outside [0, num_classes).

    The assertion runs in the tf.data pipeline, so it holds on every Keras backend
    (a traced JAX step cannot raise on values).
    """

    def check(images, labels, *rest):
        if labels.shape.rank == 1 or labels.shape[-1] == 1:
            ids = tf.cast(tf.reshape(labels, (-1,)), tf.int64)
            message = f"labels must be class ids in [0, {num_classes})"
            tf.debugging.assert_non_negative(ids, message=message)
            tf.debugging.assert_less(ids, tf.constant(num_classes, tf.int64), message=message)
        return (images, labels, *rest)

    return dataset.map(check)
