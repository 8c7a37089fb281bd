"""GAN, DCGAN and ConditionalGAN on tiny shapes, under the active Keras backend."""

import numpy as np
import pytest
from helpers import (
    batches,
    random_images,
    run_cross_backend_test,
    run_fit_test,
    run_saving_test,
)

import ganzoo

SHAPE = (16, 16, 1)
TINY = {
    "gan": lambda **kw: ganzoo.GAN(
        image_shape=SHAPE, latent_dim=8, generator_units=(16,), discriminator_units=(16,), **kw
    ),
    "dcgan": lambda **kw: ganzoo.DCGAN(image_shape=SHAPE, latent_dim=8, filters=4, **kw),
    "cgan": lambda **kw: ganzoo.ConditionalGAN(
        num_classes=3, image_shape=SHAPE, latent_dim=8, filters=4, **kw
    ),
}


def data_for(model, num=16, batch_size=8, shape=SHAPE):
    images = random_images(num, shape)
    if model.num_classes is None:
        return batches(images, batch_size=batch_size)
    labels = np.arange(num, dtype="int32") % model.num_classes
    return batches(images, labels, batch_size=batch_size)


@pytest.mark.parametrize("family", sorted(TINY))
def test_fit(family):
    model = TINY[family](seed=1)
    run_fit_test(model, data_for(model), epochs=2)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"adversarial_loss": "minimax"},
        {"adversarial_loss": "lsgan"},
        {"adversarial_loss": "hinge", "discriminator_steps": 2},
        {"adversarial_loss": "wgan-gp", "discriminator_norm": "layer", "discriminator_steps": 2},
        {"generator_norm": "instance", "init": "xavier"},
    ],
    ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items()),
)
def test_fit_options(kwargs):
    model = TINY["dcgan"](**kwargs)
    unmoved = ()
    if kwargs.get("adversarial_loss") in ("hinge", "wgan-gp"):
        # D's output bias gets zero gradient: mean(fake) - mean(real) does not depend
        # on it, and while every score is inside the hinge margin (|s| < 1, as at the
        # start) the hinge terms of the real and fake halves cancel on it too.
        unmoved = (model.discriminator.layers[-1].bias.path,)
    history = run_fit_test(model, data_for(model), unmoved=unmoved)
    if kwargs.get("adversarial_loss") == "wgan-gp":  # the penalty term is positive
        assert (
            history.history["d_loss"][0]
            > history.history["d_fake"][0] - history.history["d_real"][0]
        )


def test_fit_on_arrays_with_labels():
    model = TINY["cgan"]()
    model.compile()
    images = random_images(16, SHAPE)
    model.fit(images, np.arange(16) % 3, batch_size=8, epochs=1, verbose=0)
    assert int(model.optimizer.iterations) == 2


def test_unconditional_ignores_labels():
    model = TINY["dcgan"]()
    run_fit_test(model, batches(random_images(16, SHAPE), np.zeros(16, "int32")))


@pytest.mark.parametrize("family", sorted(TINY))
def test_saving_and_resume(family, tmp_path):
    model = TINY[family](seed=3)
    run_saving_test(lambda: TINY[family](seed=3), data_for(model), tmp_path)


def test_cross_backend_weights(tmp_path):
    run_cross_backend_test(TINY, data_for, tmp_path)


@pytest.mark.parametrize("family", sorted(TINY))
def test_generate(family):
    model = TINY[family]()
    labels = None if model.num_classes is None else [0, 1, 2, 0]
    images = model.generate(4, labels=labels, seed=7)
    assert images.shape == (4, *SHAPE) and images.dtype == np.float32
    assert images.min() >= -1 and images.max() <= 1
    np.testing.assert_array_equal(images, model.generate(4, labels=labels, seed=7))
    assert not np.array_equal(images, model.generate(4, labels=labels, seed=8))


@pytest.mark.parametrize(
    ("image_shape", "expected"),
    [((28, 28, 1), (28, 28, 1)), ((32, 32, 3), (32, 32, 3)), ((24, 48, 2), (24, 48, 2))],
)
def test_dcgan_sizes_and_channels(image_shape, expected):
    model = ganzoo.DCGAN(image_shape=image_shape, latent_dim=4, filters=2)
    assert model.generate(2, seed=0).shape == (2, *expected)
    assert model.discriminator.output_shape == (None, 1)


# -- bad input: a clear error that names the problem and the fix ------------------------


def test_error_size_dcgan_cannot_produce():
    with pytest.raises(ValueError, match=r"Received: 30x30.*e\.g\. 28x28"):
        ganzoo.DCGAN(image_shape=(30, 30, 1))


def test_error_data_of_wrong_size():
    model = TINY["dcgan"]()
    model.compile()
    with pytest.raises(ValueError, match=r"built for images of shape \(16, 16, 1\).*\(8, 8, 1\)"):
        model.fit(batches(random_images(16, (8, 8, 1))), verbose=0)


def test_error_wrong_channel_count():
    model = TINY["dcgan"]()
    model.compile()
    with pytest.raises(ValueError, match="built for 1-channel images; the data has 3 channels"):
        model.fit(batches(random_images(16, (16, 16, 3))), verbose=0)


def test_error_missing_labels():
    model = TINY["cgan"]()
    model.compile()
    with pytest.raises(ValueError, match=r"needs \(images, labels\) batches"):
        model.fit(batches(random_images(16, SHAPE)), verbose=0)


def test_error_labels_out_of_range_arrays():
    model = TINY["cgan"]()
    model.compile()
    with pytest.raises(ValueError, match=r"class ids in \[0, 3\). Received \[5\]"):
        model.fit(random_images(16, SHAPE), np.full(16, 5), batch_size=8, verbose=0)


def test_error_labels_out_of_range_dataset():
    model = TINY["cgan"]()
    model.compile()
    labels = np.full(16, 3, "int32")
    with pytest.raises(Exception, match=r"labels must be class ids in \[0, 3\)"):
        model.fit(batches(random_images(16, SHAPE), labels), verbose=0)


def test_error_generate_labels():
    with pytest.raises(ValueError, match="conditional: pass labels"):
        TINY["cgan"]().generate(2)
    with pytest.raises(ValueError, match=r"class ids in \[0, 3\)"):
        TINY["cgan"]().generate(2, labels=[0, 3])
    with pytest.raises(ValueError, match="unconditional; it takes no labels"):
        TINY["dcgan"]().generate(2, labels=[0, 1])


def test_error_options():
    with pytest.raises(ValueError, match="Unknown adversarial loss 'wgan'"):
        TINY["dcgan"](adversarial_loss="wgan")
    with pytest.raises(ValueError, match="discriminator_norm='layer' or 'none'"):
        TINY["dcgan"](adversarial_loss="wgan-gp")
    with pytest.raises(ValueError, match="Unknown norm 'group'"):
        TINY["dcgan"](generator_norm="group")
    with pytest.raises(ValueError, match="are the same object"):
        import keras

        shared = keras.optimizers.Adam()
        TINY["dcgan"]().compile(d_optimizer=shared, g_optimizer=shared)
