"""Checks on the training data a model is given, run before `fit` compiles anything."""

import numpy as np

from ganzoo.arguments import as_array, first_batch, is_data_loader, is_py_dataset, is_tf_dataset
from ganzoo.errors import InvalidArgumentError


def batch_shapes(x, y=None):
    """Shapes of (images, labels or None) per element of a dataset or array input.

    Args:
        x: `tf.data.Dataset`, `keras.utils.PyDataset` or torch `DataLoader` of images
            or (images, labels) batches (the first batch of the last two is read), or
            an array of images (NumPy, or a backend tensor); None (fit's validation
            pass) returns `(None, None)`; anything else that is no array raises
            InvalidTypeError.
        y: labels array when `x` is an array.

    Returns:
        `(image_shape, label_shape)` without the batch axis; label_shape is None when
        there are no labels.
    """
    if x is None:
        return None, None  # fit's validation pass
    if is_tf_dataset(x):
        shape_of, batch = (lambda spec, name: tuple(spec.shape)), x.element_spec
    elif is_py_dataset(x) or is_data_loader(x):
        shape_of, batch = array_shape, first_batch(x)
    else:
        images = array_shape(x, "x (the images)")
        return images[1:], None if y is None else array_shape(y, "y (the labels)")[1:]
    if isinstance(batch, (tuple, list)):
        images, labels = batch[0], batch[1] if len(batch) > 1 else None
    else:
        images, labels = batch, None
    return (
        shape_of(images, "the images of the first batch")[1:],
        None if labels is None else shape_of(labels, "the labels of the first batch")[1:],
    )


def array_shape(value, name):
    """The shape of an array argument (NumPy, a list, or a backend tensor), after
    checking that it is a numeric array of at least one sample (NumPy's and lists'
    values finite too)."""
    if not hasattr(value, "shape") or isinstance(value, np.ndarray):
        value = as_array(value, name, (1, 2, 3, 4, 5), dtype=None)
    shape = tuple(value.shape)
    if not shape or not shape[0]:
        raise InvalidArgumentError(
            f"{name} must be a batch of at least one sample. Received shape {shape}."
        )
    return shape


def check_has_pixels(shape, name):
    """Raises unless a per-image shape `(height, width, channels)` holds a pixel: an
    image of no rows, columns or channels (an empty crop, a channel slice gone wrong)
    is named as such rather than as a size to build the model for."""
    if any(size == 0 for size in shape):
        raise InvalidArgumentError(
            f"{name} hold no pixels: per-image shape {tuple(shape)}. Every image needs "
            "a height, a width and a channel count of at least 1; check how the images "
            "were loaded or sliced."
        )


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

    import tensorflow as tf  # local: only a tf.data pipeline gets here

    def check(images, labels, *rest):
        if labels.shape.rank == 1 or labels.shape[-1] == 1:
            ids = tf.cast(tf.reshape(labels, (-1,)), tf.int64)
            message = f"labels must be class ids in [0, {num_classes})"
            tf.debugging.assert_non_negative(ids, message=message)
            tf.debugging.assert_less(ids, tf.constant(num_classes, tf.int64), message=message)
        return (images, labels, *rest)

    return dataset.map(check)
