"""Pix2Pix, CycleGAN, their networks and the image pool, under the active backend."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers import random_images, run_cross_backend_test, run_fit_test, run_saving_test

import ganzoo
from ganzoo import blocks
from ganzoo.training import ImagePool

TINY = {
    # unet_64 has six levels, so its fifth decoder level has dropout.
    "pix2pix": lambda **kw: ganzoo.Pix2Pix(
        **{
            "image_size": (64, 64),
            "input_channels": 1,
            "output_channels": 3,
            "generator": "unet_64",
            "generator_filters": 2,
            "discriminator_filters": 2,
            **kw,
        }
    ),
    "cyclegan": lambda **kw: ganzoo.CycleGAN(
        **{
            "image_size": (32, 32),
            "generator": "resnet_1blocks",
            "generator_filters": 2,
            "discriminator_filters": 2,
            "pool_size": 3,
            **kw,
        }
    ),
}


def pairs(model, num=4, batch_size=2, layout="pair"):
    """Random `(A, B)` batches (or `{"A", "B"}` dicts) of the model's shapes."""
    size = model.image_size
    a = random_images(num, (*size, model.input_channels), seed=1)
    b = random_images(num, (*size, model.output_channels), seed=2)
    if getattr(model, "direction", "AtoB") == "BtoA":
        a, b = b, a
    elements = (a, b) if layout == "pair" else {"A": a, "B": b}
    return tf.data.Dataset.from_tensor_slices(elements).batch(batch_size, drop_remainder=True)


# -- the reference's networks ------------------------------------------------------------


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


# -- the image pool --------------------------------------------------------------------


def query(pool, images, seed):
    return keras.ops.convert_to_numpy(pool.query(keras.ops.convert_to_tensor(images), seed))


def test_image_pool_fills_then_swaps_half():
    """Shrivastava et al.'s buffer as CycleGAN uses it: the first `pool_size` fakes are
    stored and returned as they are; then each new fake is returned unchanged with
    probability 1/2, or swapped for a stored one that it replaces."""
    pool, seed = ImagePool(4, (1, 1, 1)), keras.random.SeedGenerator(3)
    # A batch of 3 then one of 3: the first four images fill the pool in order.
    first = query(pool, np.arange(3, dtype="float32").reshape(3, 1, 1, 1), seed)
    np.testing.assert_array_equal(first.ravel(), [0, 1, 2])
    assert int(pool.count) == 3
    second = query(pool, np.arange(3, 6, dtype="float32").reshape(3, 1, 1, 1), seed)
    assert second.ravel()[0] == 3 and int(pool.count) == 4
    stored = {0.0, 1.0, 2.0, 3.0}
    assert set(keras.ops.convert_to_numpy(pool.images).ravel()) | set(second.ravel()[1:]) >= stored
    swaps, trials = 0, 120
    for n in range(6, 6 + trials):
        before = keras.ops.convert_to_numpy(pool.images).ravel().copy()
        out = query(pool, np.full((1, 1, 1, 1), n, "float32"), seed).item()
        after = keras.ops.convert_to_numpy(pool.images).ravel()
        if out == n:  # returned as it is; the pool is untouched
            np.testing.assert_array_equal(after, before)
        else:  # an old image came out, and the new one took its slot
            swaps += 1
            slot = int(np.flatnonzero(before == out)[0])
            assert after[slot] == n
            np.testing.assert_array_equal(np.delete(after, slot), np.delete(before, slot))
    # Binomial(120, 1/2): 60 +- 5.5; the bounds are 5 standard deviations.
    assert 33 <= swaps <= 87, swaps


def test_image_pool_size_zero_passes_through():
    pool = ImagePool(0, (2, 2, 1))
    x = random_images(2, (2, 2, 1))
    np.testing.assert_array_equal(query(pool, x, keras.random.SeedGenerator(0)), x)
    assert not pool.weights


# -- training ---------------------------------------------------------------------------


@pytest.mark.parametrize("family", sorted(TINY))
def test_fit(family):
    model = TINY[family](seed=1)
    run_fit_test(model, pairs(model), epochs=2)
    if family == "cyclegan":  # 2 epochs x 2 batches x 2 fakes filled the pools of 3
        assert int(model.pool_a.count) == int(model.pool_b.count) == 3


@pytest.mark.parametrize(
    ("family", "kwargs"),
    [
        (
            "pix2pix",
            {
                "direction": "BtoA",
                "generator": "resnet_2blocks",
                "discriminator": "pixel",
                "adversarial_loss": "lsgan",
                "norm": "instance",
                "init": "xavier",
            },
        ),
        (
            "cyclegan",
            {
                "generator": "unet_32",
                "discriminator": "n_layers",
                "discriminator_layers": 2,
                "adversarial_loss": "wgan-gp",
                "input_channels": 1,
                "identity_weight": 0.0,
                "dropout": True,
            },
        ),
    ],
    ids=["pix2pix-options", "cyclegan-options"],
)
def test_fit_options(family, kwargs):
    model = TINY[family](**kwargs)
    unmoved = ()
    if kwargs.get("adversarial_loss") == "wgan-gp":
        # mean(fake) - mean(real) does not depend on D's output bias (see test_models).
        unmoved = tuple(
            d.layers[-1].bias.path for d in (model.discriminator_a, model.discriminator_b)
        )
    schedule = ganzoo.schedules.learning_rate_schedule(
        "linear", 2e-4, steps_per_epoch=2, epochs=1, decay_epochs=1
    )
    run_fit_test(
        model,
        pairs(model, layout="domains" if family == "cyclegan" else "pair"),
        unmoved=unmoved,
        learning_rate=schedule,
    )


def test_saving_and_resume_pix2pix(tmp_path):
    model = TINY["pix2pix"](seed=3)
    run_saving_test(lambda: TINY["pix2pix"](seed=3), pairs(model), tmp_path)


def test_saving_and_resume_cyclegan(tmp_path):
    """The image pools are model state: saved, restored, and resume continues them."""
    model = TINY["cyclegan"](seed=3)
    run_saving_test(lambda: TINY["cyclegan"](seed=3), pairs(model), tmp_path)


def test_cross_backend_weights(tmp_path):
    run_cross_backend_test(TINY, pairs, tmp_path)


# -- inference --------------------------------------------------------------------------


def test_translate_any_size():
    model = TINY["pix2pix"]()
    x = random_images(3, (64, 128, 1))
    expected = keras.ops.convert_to_numpy(model.generator(x, training=False))
    np.testing.assert_allclose(model.translate(x, batch_size=2), expected, atol=1e-6)
    odd = model.translate(random_images(2, (50, 70, 1)))  # padded to 64x128, cropped back
    assert odd.shape == (2, 50, 70, 3) and np.abs(odd).max() <= 1
    assert model.translate(x[0]).shape == (64, 128, 3)
    with pytest.raises(ValueError, match=r"multiples of 64 \(e\.g\. 64x64\)"):
        model.translate(random_images(1, (50, 70, 1)), pad=False)
    with pytest.raises(ValueError, match=r"\(batch, height, width, 1\)"):
        model.translate(random_images(1, (64, 64, 3)))


def test_cyclegan_translates_both_ways():
    model = TINY["cyclegan"](input_channels=1, identity_weight=0)
    a = random_images(2, (32, 32, 1))
    b = model.translate(a)
    assert b.shape == (2, 32, 32, 3)
    assert model.translate(b, direction="BtoA").shape == (2, 32, 32, 1)
    with pytest.raises(ValueError, match="direction must be 'AtoB' or 'BtoA'"):
        model.translate(a, direction="AB")


# -- bad input: a clear error that names the problem and the fix ------------------------


def test_error_size_not_multiple_of_depth():
    with pytest.raises(ValueError, match=r"\(250, 250\).*multiples of 256 \(e\.g\. 256x256\)"):
        ganzoo.Pix2Pix(image_size=(250, 250))
    with pytest.raises(ValueError, match="multiples of 4"):
        ganzoo.CycleGAN(image_size=(30, 30), generator_filters=1, discriminator="pixel")


def test_error_image_too_small_for_patchgan():
    with pytest.raises(ValueError, match=r"at least 24x24.*discriminator_layers"):
        ganzoo.Pix2Pix(image_size=(16, 16), generator="unet_16")


def test_error_mismatched_channels():
    model = TINY["pix2pix"]()
    model.compile()
    bad = TINY["pix2pix"](input_channels=3)
    with pytest.raises(ValueError, match="built for 1-channel images in domain A; the data has 3"):
        model.fit(pairs(bad), verbose=0)
    with pytest.raises(ValueError, match="identity loss.*identity_weight=0"):
        ganzoo.CycleGAN(input_channels=1, output_channels=3)


def test_error_unpaired_data_to_pix2pix():
    model = TINY["pix2pix"]()
    model.compile()
    with pytest.raises(ValueError, match="aligned pairs.*two unpaired domains"):
        model.fit(pairs(model, layout="domains"), verbose=0)
    images = tf.data.Dataset.from_tensor_slices(random_images(4, (64, 64, 1))).batch(2)
    with pytest.raises(ValueError, match=r"\(A, B\) tuples"):
        model.fit(images, verbose=0)


def test_error_wrong_image_size_in_data():
    model = TINY["cyclegan"]()
    model.compile()
    with pytest.raises(ValueError, match=r"built for \(32, 32\) images.*image_size=\(64, 64\)"):
        model.fit(pairs(TINY["cyclegan"](image_size=(64, 64))), verbose=0)


def test_error_unknown_networks():
    with pytest.raises(ValueError, match="Unknown generator 'unet_100'"):
        ganzoo.Pix2Pix(generator="unet_100")
    with pytest.raises(ValueError, match="Unknown discriminator 'patch'"):
        ganzoo.Pix2Pix(discriminator="patch")
    with pytest.raises(ValueError, match="norm='instance' or 'none'"):
        ganzoo.CycleGAN(adversarial_loss="wgan-gp", norm="batch")
