"""Shared blocks: shapes, the DCGAN size rule, and the fast transposed convolution."""

import keras
import numpy as np
import pytest

from ganzoo import blocks


@pytest.mark.parametrize(
    ("size", "plan"),
    [
        ((28, 28), ((7, 7), 2)),
        ((32, 32), ((4, 4), 3)),
        ((64, 64), ((4, 4), 4)),
        ((48, 96), ((3, 6), 4)),
        ((16, 16), ((4, 4), 2)),
    ],
)
def test_upsampling_plan(size, plan):
    assert blocks.upsampling_plan(*size) == plan


@pytest.mark.parametrize("size", [(30, 30), (27, 27), (9, 9), (4, 4)])
def test_upsampling_plan_rejects(size):
    with pytest.raises(ValueError, match=f"Received: {size[0]}x{size[1]}"):
        blocks.upsampling_plan(*size)


def test_dcgan_stacks_follow_radford():
    z = keras.Input((100,))
    generator = keras.Model(z, blocks.dcgan_generator(z, (64, 64, 3), filters=128))
    shapes = [
        layer.output.shape
        for layer in generator.layers
        if isinstance(layer, blocks.ConvTranspose2D)
    ]
    # 4x4x1024 -> 8x8x512 -> 16x16x256 -> 32x32x128 -> 64x64x3, as in the paper's Fig. 1
    assert shapes == [
        (None, 8, 8, 512),
        (None, 16, 16, 256),
        (None, 32, 32, 128),
        (None, 64, 64, 3),
    ]
    x = keras.Input((64, 64, 3))
    discriminator = keras.Model(x, blocks.dcgan_discriminator(x, filters=128))
    assert discriminator.output_shape == (None, 1)
    assert not any(isinstance(layer, keras.layers.MaxPooling2D) for layer in discriminator.layers)


@pytest.mark.parametrize("kind", ["batch", "instance", "layer", "none"])
def test_normalization(kind):
    x = np.random.default_rng(0).normal(3.0, 2.0, (2, 4, 4, 3)).astype("float32")
    y = keras.ops.convert_to_numpy(blocks.normalization(kind)(x, training=True))
    if kind == "none":
        np.testing.assert_array_equal(y, x)
    elif kind == "instance":
        np.testing.assert_allclose(y.mean(axis=(1, 2)), 0, atol=1e-4)
        np.testing.assert_allclose(y.std(axis=(1, 2)), 1, atol=1e-2)
    elif kind == "batch":
        np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0, atol=1e-4)


def test_conv_transpose_matches_keras_layer():
    x = np.random.default_rng(0).normal(size=(2, 5, 5, 3)).astype("float32")
    ours = blocks.ConvTranspose2D(4, 4, strides=2, padding="same")
    reference = keras.layers.Conv2DTranspose(4, 4, strides=2, padding="same")
    reference.build(x.shape)
    ours.build(x.shape)
    ours.set_weights(reference.get_weights())
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(ours(x)), keras.ops.convert_to_numpy(reference(x)), atol=1e-6
    )


@pytest.mark.skipif(keras.backend.backend() != "jax", reason="the custom gradient is JAX's")
@pytest.mark.parametrize(
    ("size", "kernel_size", "strides", "padding"),
    [
        (7, 4, 2, "same"),
        (6, 3, 2, "valid"),
        (5, 5, 2, "same"),
        (5, 4, 1, "same"),
        (4, 3, 3, "same"),
        (4, 2, 2, "valid"),
    ],
)
def test_jax_conv_transpose_gradient(size, kernel_size, strides, padding):
    import jax
    import jax.numpy as jnp

    from ganzoo.backend.jax import conv_transpose

    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(3, size, size, 6)), jnp.float32)
    kernel = jnp.asarray(rng.normal(size=(kernel_size, kernel_size, 5, 6)), jnp.float32)

    def default(x, k):
        return keras.ops.conv_transpose(x, k, strides=strides, padding=padding)

    def fast(x, k):
        return conv_transpose(x, k, (strides, strides), padding)

    def loss(fn):
        return jax.grad(lambda x, k: jnp.sum(jnp.sin(fn(x, k))), argnums=(0, 1))

    np.testing.assert_allclose(fast(x, kernel), default(x, kernel), atol=1e-5)
    for ours, reference in zip(loss(fast)(x, kernel), loss(default)(x, kernel), strict=True):
        np.testing.assert_allclose(ours, reference, rtol=1e-4, atol=1e-4)
