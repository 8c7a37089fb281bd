"""The backend functions in Keras' own operators: what the TensorFlow and JAX steps
run (they are traced once, so Keras' work at each call is paid once), and what the
torch step falls back to where its own forms do not apply."""

import keras
from keras import ops


def conv(x, kernel, strides, padding, bias=None):
    """`keras.ops.conv` of NHWC `x` and an HWIO `kernel`, plus `bias` (one value per
    output channel) where given: a `keras.layers.Conv2D`'s outputs before activation."""
    return plus_bias(ops.conv(x, kernel, strides=strides, padding=padding), bias)


def conv_transpose(x, kernel, strides, padding, bias=None):
    """`keras.ops.conv_transpose` of NHWC `x` and a `(kh, kw, out, in)` `kernel`, plus
    `bias` where given."""
    return plus_bias(ops.conv_transpose(x, kernel, strides=strides, padding=padding), bias)


def plus_bias(outputs, bias):
    """`outputs + bias` (broadcast over all but the channel axis), or `outputs`."""
    return outputs if bias is None else outputs + bias


def pad(x, pad_width, mode):
    """`keras.ops.pad(x, pad_width, mode=mode)`."""
    return ops.pad(x, pad_width, mode=mode)


def random_uniform(shape, seed, minval=0.0, maxval=1.0, dtype=None):
    """`keras.random.uniform`: U(minval, maxval) of `shape` from the
    `keras.random.SeedGenerator` `seed` (whose state advances)."""
    return keras.random.uniform(shape, minval, maxval, dtype=dtype, seed=seed)


def random_normal(shape, seed, dtype=None):
    """`keras.random.normal`: N(0, 1) of `shape` from the seed generator `seed`."""
    return keras.random.normal(shape, dtype=dtype, seed=seed)


def random_integers(shape, minval, maxval, seed):
    """`keras.random.randint`: int32 in [minval, maxval) from the seed generator `seed`."""
    return keras.random.randint(shape, minval, maxval, seed=seed)


def dropout(layer, inputs):
    """None: Keras' `Dropout` runs (its draws are traced into the compiled step)."""
