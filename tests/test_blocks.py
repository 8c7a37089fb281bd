"""Shared blocks: shapes, the DCGAN size rule, and the fast transposed convolution."""

import keras
import numpy as np
import pytest
from helpers import random_images

import ganzoo
from ganzoo import blocks

pytestmark = pytest.mark.every_backend


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


CONVOLUTIONS = [
    (blocks.Conv2D, keras.layers.Conv2D, 4, 2, "same", 16),  # symmetric "same"
    (blocks.Conv2D, keras.layers.Conv2D, 4, 2, "same", 15),  # one side more
    (blocks.Conv2D, keras.layers.Conv2D, 3, 1, "same", 9),
    (blocks.Conv2D, keras.layers.Conv2D, 4, 2, "valid", 18),
    (blocks.Conv2D, keras.layers.Conv2D, 7, 1, "valid", 12),
    (blocks.Conv2D, keras.layers.Conv2D, 1, 1, "valid", 8),
    (blocks.ConvTranspose2D, keras.layers.Conv2DTranspose, 4, 2, "valid", 8),
    (blocks.ConvTranspose2D, keras.layers.Conv2DTranspose, 3, 2, "valid", 7),
    (blocks.ConvTranspose2D, keras.layers.Conv2DTranspose, 4, 2, "same", 5),
    (blocks.ConvTranspose2D, keras.layers.Conv2DTranspose, 5, 1, "same", 6),
    (blocks.ConvTranspose2D, keras.layers.Conv2DTranspose, 3, 2, "same", 6),  # one side more
    (blocks.ConvTranspose2D, keras.layers.Conv2DTranspose, 1, 2, "valid", 4),  # k < s
]


@pytest.mark.parametrize(
    ("ours", "keras_layer", "kernel_size", "strides", "padding", "size"), CONVOLUTIONS
)
def test_convolutions_match_keras_layers(ours, keras_layer, kernel_size, strides, padding, size):
    """Same weights, same outputs (and on torch, where ganzoo convolves channels-last
    memory itself and adds the bias in the convolution, the same gradients, and kernels
    stored channels-last). < 1 s each."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, size, size + 1, 3)).astype("float32")
    layer = ours(4, kernel_size, strides=strides, padding=padding)
    reference = keras_layer(4, kernel_size, strides=strides, padding=padding)
    reference.build(x.shape)
    reference.bias.assign(rng.normal(size=4))  # not Keras' zeros: a bias that shows
    layer.build(x.shape)
    layer.set_weights(reference.get_weights())
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer(x)), keras.ops.convert_to_numpy(reference(x)), atol=1e-5
    )
    if keras.backend.backend() == "torch":
        import torch

        weight = layer.kernel.value.permute(3, 2, 0, 1)
        assert weight.is_contiguous(memory_format=torch.channels_last)
        grads = []
        for net in (layer, reference):
            inputs = torch.tensor(x, requires_grad=True)
            net(inputs).square().sum().backward()
            grads.append((inputs.grad, net.kernel.value.grad, net.bias.value.grad))
        for a, b in zip(*grads, strict=True):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-5)


NORMALIZATIONS = [
    ("BatchNormalization", {"momentum": 0.9, "epsilon": 1e-5}, (4, 5, 6, 3)),
    ("BatchNormalization", {"momentum": 0.9, "epsilon": 1e-5}, (3, 7)),
    ("BatchNormalization", {"center": False, "scale": False}, (2, 3, 3, 2)),
    ("GroupNormalization", {"groups": -1, "center": False, "scale": False}, (2, 5, 6, 3)),
    ("GroupNormalization", {"groups": 2, "epsilon": 1e-5}, (2, 5, 6, 4)),
]


@pytest.mark.parametrize(("name", "kwargs", "shape"), NORMALIZATIONS)
def test_normalizations_match_keras_layers(name, kwargs, shape):
    """ganzoo's BatchNormalization and GroupNormalization (on torch one fused kernel
    each way) give Keras' outputs, moving statistics after three training calls and
    inference outputs; on torch the same gradients of the inputs and weights too.
    Cost: < 1 s."""
    rng = np.random.default_rng(0)
    batches = [(3 + 2 * rng.normal(size=shape)).astype("float32") for _ in range(3)]
    layer = getattr(blocks, name)(**kwargs)
    reference = getattr(keras.layers, name)(**kwargs)
    for net in (layer, reference):
        net.build(shape)
    weights = [np.abs(rng.normal(size=w.shape)).astype("float32") for w in reference.get_weights()]
    for net in (layer, reference):
        net.set_weights(weights)
    for x in batches:
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(layer(x, training=True)),
            keras.ops.convert_to_numpy(reference(x, training=True)),
            rtol=1e-5,
            atol=1e-5,
        )
    for a, b in zip(layer.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer(batches[0])),
        keras.ops.convert_to_numpy(reference(batches[0])),
        rtol=1e-5,
        atol=1e-5,
    )
    if keras.backend.backend() == "torch":
        import torch

        fused = getattr(ganzoo.backend, "batch_norm" if "Batch" in name else "group_norm")
        assert fused(layer, torch.tensor(batches[0])) is not None
        grads = []
        for net in (layer, reference):
            inputs = torch.tensor(batches[0], requires_grad=True)
            (net(inputs, training=True) ** 3).sum().backward()
            grads.append([inputs.grad] + [v.value.grad for v in net.trainable_variables])
        for a, b in zip(*grads, strict=True):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-4)


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
        (4, 1, 2, "valid"),
        (5, 2, 3, "same"),
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


def trainable_count(network):
    return sum(int(np.prod(v.shape)) for v in network.trainable_variables)


@pytest.mark.parametrize(
    ("make", "published"),
    [
        # Parameter counts printed by pytorch-CycleGAN-and-pix2pix (in millions).
        (lambda: blocks.generator_network("unet_256", 3, 3, norm="batch"), 54.414),
        (lambda: blocks.generator_network("resnet_9blocks", 3, 3, norm="instance"), 11.378),
        (lambda: blocks.discriminator_network("basic", 6, norm="batch"), 2.769),
        (lambda: blocks.discriminator_network("basic", 3, norm="instance"), 2.765),
    ],
    ids=["unet_256", "resnet_9blocks", "pix2pix_basic_D", "cyclegan_basic_D"],
)
def test_reference_parameter_counts(make, published):
    assert round(trainable_count(make()) / 1e6, 3) == published


@pytest.mark.parametrize(
    ("name", "layers", "size", "expected"),
    [
        ("basic", 3, 256, 30),
        ("n_layers", 1, 64, 30),
        ("n_layers", 4, 256, 14),
        ("pixel", 3, 20, 20),
    ],
)
def test_patch_discriminator_map(name, layers, size, expected):
    d = blocks.discriminator_network(name, 2, filters=2, num_layers=layers)
    assert d.compute_output_shape((1, size, size, 2)) == (1, expected, expected, 1)
    scores = d(np.zeros((1, size, size, 2), "float32"))
    assert tuple(scores.shape) == (1, expected, expected, 1)


@pytest.mark.parametrize("generator", ["unet_16", "unet_128", "resnet_6blocks", "resnet_0blocks"])
def test_generators_keep_size_and_range(generator):
    g = blocks.generator_network(generator, 3, 2, filters=2)
    size = 128 if generator == "unet_128" else 16
    y = keras.ops.convert_to_numpy(g(random_images(2, (size, 2 * size, 3))))
    assert y.shape == (2, size, 2 * size, 2)
    assert np.abs(y).max() <= 1


def test_unet_dropout_levels():
    """Dropout in decoder levels 5 .. depth-1: three for unet_256, none below depth 6."""
    for name, count in (("unet_256", 3), ("unet_128", 2), ("unet_32", 0)):
        g = blocks.generator_network(name, 3, 3, filters=1, dropout=True)
        assert sum(isinstance(layer, keras.layers.Dropout) for layer in g.layers) == count, name


def test_reflection_padding_mirrors_without_edge():
    x = np.arange(4, dtype="float32").reshape(1, 1, 4, 1).repeat(4, axis=1)
    y = keras.ops.convert_to_numpy(blocks.ReflectionPadding2D(2)(x))
    np.testing.assert_array_equal(y[0, 2, :, 0], [2, 1, 0, 1, 2, 3, 2, 1])


def test_zero_padding_is_keras_zero_padding():
    """ganzoo's ZeroPadding2D (the backend's pad, no `keras.ops.pad` operation object
    per call) pads as Keras' layer, round-trips its config and is named as it is, so
    weight files keep their paths."""
    x = random_images(2, (3, 4, 2))
    for padding in (1, ((1, 2), (3, 0))):
        ours, keras_layer = blocks.ZeroPadding2D(padding), keras.layers.ZeroPadding2D(padding)
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(ours(x)), keras.ops.convert_to_numpy(keras_layer(x))
        )
        assert blocks.ZeroPadding2D.from_config(ours.get_config()).padding == ours.padding
    assert ours.name.startswith("zero_padding2d")


def test_pytorch_transposed_padding_alignment():
    """up_block(kernel 3, padding 1) is PyTorch's ConvTranspose2d(3, 2, 1, output_padding=1):
    output pixel o collects input i through kernel tap o - 2i + 1."""
    inputs = keras.Input((3, 3, 1))
    outputs = blocks.up_block(inputs, 1, kernel_size=3, padding=1, norm="none", act="none")
    model = keras.Model(inputs, outputs)
    conv = next(layer for layer in model.layers if isinstance(layer, blocks.ConvTranspose2D))
    kernel = np.zeros((3, 3, 1, 1), "float32")
    kernel[0, 0] = 1.0  # tap (0, 0) only
    conv.kernel.assign(kernel)
    x = np.zeros((1, 3, 3, 1), "float32")
    x[0, 1, 1] = 1.0
    y = keras.ops.convert_to_numpy(model(x))[0, :, :, 0]
    assert y.shape == (6, 6)
    expected = np.zeros((6, 6))
    expected[1, 1] = 1.0  # o = 2 * 1 - 1 + 0
    np.testing.assert_array_equal(y, expected)
