"""Checks of the values that enter ganzoo's public functions, before any backend op
sees them. Each returns the value in the form the caller uses, or raises an
`InvalidArgumentError` / `InvalidTypeError` that names the argument, what was received
and what to pass.
"""

import math
import numbers
import os
import sys

import numpy as np

from ganzoo.errors import InvalidArgumentError, InvalidTypeError

UNIT_RANGE = (-1.0, 1.0)
RANGE_TOLERANCE = 1e-3  # of the range's width: float round-off at the ends


def as_count(value, name, least=1):
    """An integer >= `least` (NumPy integers too; not bools or floats)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidTypeError(f"{name} must be an integer. Received: {value!r}.")
    if value < least:
        raise InvalidArgumentError(f"{name} must be at least {least}. Received: {value}.")
    return int(value)


def as_counts(values, name, length=None, least=1):
    """A tuple of integers >= `least` (of `length` of them, if given): a shape, a size."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise InvalidTypeError(f"{name} must be a list of integers. Received: {values!r}.")
    values = tuple(values)
    if (length is not None and len(values) != length) or not values:
        raise InvalidArgumentError(
            f"{name} must be {length or 'one or more'} integers. Received: {values!r}."
        )
    return tuple(as_count(value, name, least) for value in values)


def as_flag(value, name):
    """True or False (NumPy booleans too; not 0, 1 or strings)."""
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidTypeError(f"{name} must be True or False. Received: {value!r}.")
    return bool(value)


def as_seed(value, name="seed"):
    """None, or an integer >= 0."""
    return None if value is None else as_count(value, name, least=0)


def as_number(value, name, least=None, exclusive=False):
    """A finite float, >= `least` (or > with `exclusive`)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidTypeError(f"{name} must be a number. Received: {value!r}.")
    value = float(value)
    if not math.isfinite(value):
        raise InvalidArgumentError(f"{name} must be finite. Received: {value}.")
    if least is not None and (value < least or (exclusive and value == least)):
        bound = "more than" if exclusive else "at least"
        raise InvalidArgumentError(f"{name} must be {bound} {least:g}. Received: {value:g}.")
    return value


def as_array(values, name, ndim, dtype=np.float32, least=1, rows="rows"):
    """A finite numeric array of `ndim` dimensions (an int or a tuple of them) and at least
    `least` rows (called `rows` in the message), as `dtype` (None: its own)."""
    try:
        array = np.asarray(values)
    except (ValueError, TypeError) as error:
        raise InvalidTypeError(f"{name} must be a numeric array. Received: {error}.") from None
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise InvalidTypeError(
            f"{name} must be a numeric array. Received dtype {array.dtype} (shape {array.shape})."
        )
    if np.issubdtype(array.dtype, np.complexfloating):
        raise InvalidTypeError(f"{name} must be real numbers. Received dtype {array.dtype}.")
    if array.ndim not in (ndim if isinstance(ndim, tuple) else (ndim,)):
        raise InvalidArgumentError(
            f"{name} must have {ndim} dimensions. Received shape {array.shape}."
        )
    if len(array) < least:
        raise InvalidArgumentError(
            f"{name} must hold at least {least} {rows}. Received shape {array.shape}."
        )
    array = array if dtype is None else array.astype(dtype)
    bad = ~np.isfinite(array)
    if bad.any():
        raise InvalidArgumentError(
            f"{name} holds {int(bad.sum())} NaN or infinite values (of {array.size}); "
            "give finite values."
        )
    return array


def as_images(
    images, name="images", channels=None, value_range=UNIT_RANGE, least=1, dtype=np.float32
):
    """Images `(n, height, width, channels)` as `dtype`, finite, within `value_range`
    (to float round-off), as ganzoo's models and metrics take them."""
    array = as_array(images, name, 4, dtype, least=least, rows="images")
    if array.shape[1] < 1 or array.shape[2] < 1 or array.shape[3] < 1:
        raise InvalidArgumentError(
            f"{name} must be (n, height, width, channels) with no empty axis. "
            f"Received shape {array.shape}."
        )
    if channels is not None and array.shape[-1] != channels:
        raise InvalidArgumentError(
            f"{name} must have {channels} channels: shape (n, height, width, {channels}). "
            f"Received shape {array.shape}."
        )
    check_range(array, name, value_range)
    return array


def check_range(array, name, value_range=UNIT_RANGE, hint=None):
    """Raises unless every value of `array` lies in `value_range` (to round-off).

    `hint` is said when the values look like [0, 255] pixels; by default, how to scale
    them to [-1, 1].
    """
    if not array.size:
        return
    low, high = value_range
    smallest, largest = float(array.min()), float(array.max())
    tolerance = RANGE_TOLERANCE * (high - low)
    if smallest < low - tolerance or largest > high + tolerance:
        pixels = largest > 2 and value_range == UNIT_RANGE
        advice = (hint or " They look like [0, 255] pixels: pass x / 127.5 - 1.") if pixels else ""
        raise InvalidArgumentError(
            f"{name} has values in [{smallest:.3g}, {largest:.3g}], outside the declared "
            f"value_range ({low:g}, {high:g}).{advice}"
        )


def physical_memory():
    """This machine's memory in bytes; None where the system does not say."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def require_memory(num_bytes, what):
    """Raises InvalidArgumentError when `what` needs more than this machine's memory,
    before anything allocates it (NumPy would end in `_ArrayMemoryError`)."""
    memory = physical_memory()
    if memory is not None and num_bytes > memory:
        raise InvalidArgumentError(
            f"{what} take {num_bytes / 2**30:,.1f} GiB, more than this machine's "
            f"{memory / 2**30:,.1f} GiB of memory: ask for fewer."
        )


def is_tf_dataset(x):
    """Whether `x` is a `tf.data.Dataset`, without importing TensorFlow (where it has not
    been imported, nothing is one)."""
    tf = sys.modules.get("tensorflow")
    return tf is not None and isinstance(x, tf.data.Dataset)


def is_py_dataset(x):
    """Whether `x` is a `keras.utils.PyDataset` (without importing Keras)."""
    keras = sys.modules.get("keras")
    return keras is not None and isinstance(x, keras.utils.PyDataset)


def is_data_loader(x):
    """Whether `x` is a torch `DataLoader` (without importing torch)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.utils.data.DataLoader)


def first_batch(x):
    """The first batch of a `keras.utils.PyDataset` or a torch `DataLoader`."""
    return x[0] if is_py_dataset(x) else next(iter(x))
