"""The up-block's three up-samplings: shapes, checkerboards, max-unpooling's positions,
and each in a model that trains, saves and reloads, on this backend."""

import keras
import numpy as np
import pytest
from helpers import random_images, run_fit_test, run_saving_test, tiny, tiny_data

from ganzoo import blocks

pytestmark = pytest.mark.every_backend


def up_network(upsampling, channels=4, size=8):
    """One up-block, no norm or activation, with random (seeded) weights."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((size, size, channels))
    outputs = blocks.up_block(inputs, 3, norm="none", act="none", upsampling=upsampling,
                              init="kaiming")  # fmt: skip
    return keras.Model(inputs, outputs)


@pytest.mark.parametrize("upsampling", ["transposed", "resize_conv"])
@pytest.mark.parametrize("size", [(4, 6), (7, 7)])
def test_an_up_block_doubles_height_and_width(upsampling, size):
    inputs = keras.Input((*size, 2))
    outputs = blocks.up_block(inputs, 5, upsampling=upsampling)
    assert tuple(outputs.shape) == (None, 2 * size[0], 2 * size[1], 5)


def test_resize_conv_has_no_checkerboard_where_the_transposed_conv_has_one():
    constant = np.ones((1, 8, 8, 4), "float32")
    inside = (0, slice(2, -2), slice(2, -2))  # away from the border's zero padding
    resized = keras.ops.convert_to_numpy(up_network("resize_conv")(constant))[inside]
    np.testing.assert_allclose(resized - resized[0, 0], 0, atol=1e-5)  # constant per channel
    transposed = keras.ops.convert_to_numpy(up_network("transposed")(constant))[inside]
    parities = [transposed[i::2, j::2] for i in (0, 1) for j in (0, 1)]
    for parity in parities:  # each of the four phases is constant ...
        np.testing.assert_allclose(parity - parity[0, 0], 0, atol=1e-5)
    spread = np.ptp([p[0, 0] for p in parities], axis=0)  # ... and they differ: a checkerboard
    assert spread.min() > 1e-2, spread


def test_unpool_puts_each_value_at_its_pooling_argmax():
    x = random_images(2, (6, 8, 3))
    pooled, positions = blocks.MaxPoolingWithArgmax2D()(x)
    pooled, positions = keras.ops.convert_to_numpy(pooled), keras.ops.convert_to_numpy(positions)
    windows = x.reshape(2, 3, 2, 4, 2, 3).transpose(0, 1, 3, 5, 2, 4).reshape(2, 3, 4, 3, 4)
    np.testing.assert_array_equal(pooled, windows.max(-1))
    np.testing.assert_array_equal(positions, windows.argmax(-1))
    unpooled = keras.ops.convert_to_numpy(blocks.MaxUnpooling2D()([pooled, positions]))
    assert unpooled.shape == x.shape
    is_max = unpooled != 0
    np.testing.assert_array_equal(unpooled[is_max], x[is_max])  # the maxima, where they were
    assert is_max.sum() == pooled.size  # one per window, zeros elsewhere
    for b, i, j, c in np.ndindex(pooled.shape):
        row, column = divmod(positions[b, i, j, c], 2)
        assert unpooled[b, 2 * i + row, 2 * j + column, c] == pooled[b, i, j, c]


def test_unpool_needs_a_max_pooling_network():
    with pytest.raises(ValueError, match="'unpool' places values where a matching max-pooling"):
        tiny("dcgan", upsampling="unpool")
    with pytest.raises(ValueError, match="an hourglass generator"):
        tiny("pix2pix", upsampling="unpool")
    with pytest.raises(ValueError, match=r"upsampling must be one of .*Received: 'bilinear'"):
        tiny("cyclegan", upsampling="bilinear")
    with pytest.raises(ValueError, match="takes the pooling positions with upsampling 'unpool'"):
        blocks.up_block(keras.Input((4, 4, 2)), 2, upsampling="unpool")


MODELS = {
    "dcgan_resize_conv": ("dcgan", {"upsampling": "resize_conv"}),
    "pix2pix_unet_resize_conv": ("pix2pix", {"upsampling": "resize_conv"}),
    "cyclegan_resnet_resize_conv": ("cyclegan", {"upsampling": "resize_conv"}),
    "pix2pix_hourglass_unpool": ("pix2pix", {"generator": "hourglass_64", "upsampling": "unpool"}),
}


@pytest.mark.parametrize(  # the translators' ~10 s each: slow
    "name",
    [n if n.startswith("dcgan") else pytest.param(n, marks=pytest.mark.slow) for n in MODELS],
)
def test_each_upsampling_trains_saves_and_reloads(name, tmp_path):
    family, options = MODELS[name]
    model = tiny(family, **options)
    run_fit_test(model, tiny_data(model))
    run_saving_test(lambda: tiny(family, seed=0, **options), tiny_data(model), tmp_path)


@pytest.mark.parametrize("generator", ["hourglass_16", "hourglass_32"])
@pytest.mark.parametrize("upsampling", ["unpool", "resize_conv", "transposed"])
def test_hourglass_generators_keep_size_and_range(generator, upsampling):
    g = blocks.generator_network(generator, 3, 2, filters=2, upsampling=upsampling)
    y = keras.ops.convert_to_numpy(g(random_images(2, (32, 64, 3))))
    assert y.shape == (2, 32, 64, 2) and np.abs(y).max() <= 1
