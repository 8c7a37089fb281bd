"""Fully connected generator and discriminator (Goodfellow et al., 2014)."""

import numpy as np
from keras import layers

from ganzoo.blocks.layers import activation, normalization


def mlp_generator(latents, image_shape, units=(256, 512, 1024)):
    """z -> image with fully connected layers (Goodfellow et al., 2014).

    Dense -> batch norm -> LeakyReLU(0.2) per hidden layer, then Dense -> tanh.

    Returns:
        tensor `image_shape` with values in [-1, 1].
    """
    x = latents
    for width in units:
        x = activation("leaky_relu")(normalization("batch")(layers.Dense(width)(x)))
    x = layers.Dense(int(np.prod(image_shape)), activation="tanh", dtype="float32")(x)
    return layers.Reshape(tuple(image_shape), dtype="float32")(x)


def mlp_discriminator(images, units=(512, 256)):
    """image -> one score with fully connected layers and LeakyReLU(0.2).

    Returns:
        tensor `(batch, 1)` of unbounded scores (logits).
    """
    x = layers.Flatten()(images)
    for width in units:
        x = activation("leaky_relu")(layers.Dense(width)(x))
    return layers.Dense(1)(x)
