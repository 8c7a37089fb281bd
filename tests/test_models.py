"""The five model families on tiny shapes (tests/helpers.py: TINY), under the active
Keras backend: each family goes through the shared checks, then its own options,
inference and errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers import (
    SHAPE,
    TINY,
    batches,
    random_images,
    run_cross_backend_test,
    run_fit_test,
    run_saving_test,
    tiny,
    tiny_data,
)

import ganzoo

pytestmark = pytest.mark.every_backend

FAMILIES = sorted(TINY)
GENERATORS = [family for family in FAMILIES if TINY[family][0].kind == "generator"]


@pytest.mark.parametrize("family", FAMILIES)
def test_fit(family):
    model = tiny(family, seed=1)
    run_fit_test(model, tiny_data(model), epochs=2)
    if family == "cyclegan":  # 2 epochs x 2 batches x 2 fakes filled the pools of 3
        assert int(model.pool_a.count) == int(model.pool_b.count) == 3


@pytest.mark.parametrize("family", FAMILIES)
def test_saving_and_resume(family, tmp_path):
    """CycleGAN's image pools are model state too: saved, restored, and continued."""
    model = tiny(family, seed=3)
    run_saving_test(lambda: tiny(family, seed=3), tiny_data(model), tmp_path)


@pytest.mark.slow  # ~40 s, in one lane: it runs every backend itself
@pytest.mark.one_backend
def test_cross_backend_weights(tmp_path):
    """Weights saved on any backend load on each of the two others."""
    run_cross_backend_test(FAMILIES, tmp_path)


# -- generators: GAN, DCGAN, ConditionalGAN ----------------------------------------------


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
def test_generator_fit_options(kwargs):
    model = tiny("dcgan", **kwargs)
    unmoved = ()
    if kwargs.get("adversarial_loss") in ("hinge", "wgan-gp"):
        # D's output bias gets zero gradient: mean(fake) - mean(real) does not depend
        # on it, and while every score is inside the hinge margin (|s| < 1, as at the
        # start) the hinge terms of the real and fake halves cancel on it too.
        unmoved = (model.discriminator.layers[-1].bias.path,)
    history = run_fit_test(model, tiny_data(model), unmoved=unmoved)
    if kwargs.get("adversarial_loss") == "wgan-gp":  # the penalty term is positive
        assert (
            history.history["d_loss"][0]
            > history.history["d_fake"][0] - history.history["d_real"][0]
        )


def test_fit_on_arrays_with_labels():
    model = tiny("cgan")
    model.compile()
    images = random_images(16, SHAPE)
    model.fit(images, np.arange(16) % 3, batch_size=8, epochs=1, verbose=0)
    assert int(model.optimizer.iterations) == 2


def test_unconditional_ignores_labels():
    model = tiny("dcgan")
    run_fit_test(model, batches(random_images(16, SHAPE), np.zeros(16, "int32")))


@pytest.mark.parametrize("family", GENERATORS)
def test_generate(family):
    model = tiny(family)
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


def test_error_size_dcgan_cannot_produce():
    with pytest.raises(ValueError, match=r"Received: 30x30.*e\.g\. 28x28"):
        ganzoo.DCGAN(image_shape=(30, 30, 1))


def test_error_data_of_wrong_size():
    model = tiny("dcgan")
    model.compile()
    with pytest.raises(ValueError, match=r"built for images of shape \(16, 16, 1\).*\(8, 8, 1\)"):
        model.fit(batches(random_images(16, (8, 8, 1))), verbose=0)


def test_error_wrong_channel_count():
    model = tiny("dcgan")
    model.compile()
    with pytest.raises(ValueError, match="built for 1-channel images; the data has 3 channels"):
        model.fit(batches(random_images(16, (16, 16, 3))), verbose=0)


def test_error_images_without_pixels():
    # ~1 s: a batch of no channels (or rows) is named as empty, not as a shape to build for.
    dcgan, pix2pix = tiny("dcgan"), tiny("pix2pix")
    dcgan.compile()
    pix2pix.compile()
    with pytest.raises(
        ValueError, match=r"The images hold no pixels: per-image shape \(16, 16, 0\)"
    ):
        dcgan.train_on_batch(np.zeros((4, 16, 16, 0), "float32"))
    empty, full = np.zeros((2, 0, 64, 1), "float32"), np.zeros((2, 64, 64, 1), "float32")
    with pytest.raises(ValueError, match=r"images of domain A hold no pixels: .*\(0, 64, 1\)"):
        pix2pix.train_on_batch(empty, full)


def test_error_missing_labels():
    model = tiny("cgan")
    model.compile()
    with pytest.raises(ValueError, match=r"needs \(images, labels\) batches"):
        model.fit(batches(random_images(16, SHAPE)), verbose=0)


def test_error_labels_out_of_range_arrays():
    model = tiny("cgan")
    model.compile()
    with pytest.raises(ValueError, match=r"class ids in \[0, 3\). Received \[5\]"):
        model.fit(random_images(16, SHAPE), np.full(16, 5), batch_size=8, verbose=0)


def test_error_labels_out_of_range_dataset():
    model = tiny("cgan")
    model.compile()
    labels = np.full(16, 3, "int32")
    with pytest.raises(Exception, match=r"labels must be class ids in \[0, 3\)"):
        model.fit(batches(random_images(16, SHAPE), labels), verbose=0)


def test_error_generate_labels():
    with pytest.raises(ValueError, match="conditional: pass labels"):
        tiny("cgan").generate(2)
    with pytest.raises(ValueError, match=r"class ids in \[0, 3\)"):
        tiny("cgan").generate(2, labels=[0, 3])
    with pytest.raises(ValueError, match="unconditional; it takes no labels"):
        tiny("dcgan").generate(2, labels=[0, 1])


def test_error_options():
    with pytest.raises(ValueError, match="Unknown adversarial loss 'wgan'"):
        tiny("dcgan", adversarial_loss="wgan")
    with pytest.raises(ValueError, match="discriminator_norm='layer' or 'none'"):
        tiny("dcgan", adversarial_loss="wgan-gp")
    with pytest.raises(ValueError, match="Unknown norm 'group'"):
        tiny("dcgan", generator_norm="group")
    with pytest.raises(ValueError, match="are the same object"):
        import keras

        shared = keras.optimizers.Adam()
        tiny("dcgan").compile(d_optimizer=shared, g_optimizer=shared)


# -- translators: Pix2Pix, CycleGAN -------------------------------------------------------


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
def test_translator_fit_options(family, kwargs):
    model = tiny(family, **kwargs)
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
        tiny_data(model, layout="domains" if family == "cyclegan" else "pair"),
        unmoved=unmoved,
        learning_rate=schedule,
    )


def test_pix2pix_ssim_term_is_one_minus_the_ssim_ganzoo_eval_reports():
    model = tiny("pix2pix", ssim_weight=3.0)
    source, target = (x.numpy() for x in next(iter(tiny_data(model))))
    output = model.generator.predict_on_batch(source)
    data = tuple(keras.ops.convert_to_tensor(x) for x in (source, target))
    _, logs = model.generator_loss(data, keras.ops.convert_to_tensor(output))
    expected = ganzoo.metrics.ssim(output, target)
    logs = {name: float(value) for name, value in logs.items()}
    np.testing.assert_allclose(logs["g_ssim"], expected, atol=1e-5)
    np.testing.assert_allclose(
        logs["g_loss"], logs["g_gan"] + 100 * logs["g_l1"] + 3 * (1 - expected), rtol=1e-5
    )
    assert tiny("pix2pix").get_config()["ssim_weight"] == 0
    run_fit_test(model, tiny_data(model))
    with pytest.raises(ValueError, match="ssim_weight needs images larger than 10 pixels"):
        tiny("pix2pix", image_size=(8, 8), generator="unet_8", discriminator="pixel",
             ssim_weight=1.0)  # fmt: skip


# -- inference --------------------------------------------------------------------------


def test_translate_any_size():
    model = tiny("pix2pix")
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
    model = tiny("cyclegan", input_channels=1, identity_weight=0)
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
    model = tiny("pix2pix")
    model.compile()
    bad = tiny("pix2pix", input_channels=3)
    with pytest.raises(ValueError, match="built for 1-channel images in domain A; the data has 3"):
        model.fit(tiny_data(bad), verbose=0)
    with pytest.raises(ValueError, match="identity loss.*identity_weight=0"):
        ganzoo.CycleGAN(input_channels=1, output_channels=3)


def test_error_unpaired_data_to_pix2pix():
    model = tiny("pix2pix")
    model.compile()
    with pytest.raises(ValueError, match="aligned pairs.*two unpaired domains"):
        model.fit(tiny_data(model, layout="domains"), verbose=0)
    images = tf.data.Dataset.from_tensor_slices(random_images(4, (64, 64, 1))).batch(2)
    with pytest.raises(ValueError, match=r"\(A, B\) tuples"):
        model.fit(images, verbose=0)


def test_error_wrong_image_size_in_data():
    model = tiny("cyclegan")
    model.compile()
    with pytest.raises(ValueError, match=r"built for \(32, 32\) images.*image_size=\(64, 64\)"):
        model.fit(tiny_data(tiny("cyclegan", image_size=(64, 64))), verbose=0)


def test_error_unknown_networks():
    with pytest.raises(ValueError, match="Unknown generator 'unet_100'"):
        ganzoo.Pix2Pix(generator="unet_100")
    with pytest.raises(ValueError, match="Unknown discriminator 'patch'"):
        ganzoo.Pix2Pix(discriminator="patch")
    with pytest.raises(ValueError, match="norm='instance' or 'none'"):
        ganzoo.CycleGAN(adversarial_loss="wgan-gp", norm="batch")


def py_dataset(columns):
    """A `keras.utils.PyDataset` of `columns`' rows (a tuple of arrays) in two batches,
    in order: each batch the tuple of the columns' rows, or the one column's rows."""
    elements = columns if len(columns) > 1 else columns[0]
    return ganzoo.data.ArrayBatches(elements, len(columns[0]) // 2, shuffle=False)


def data_loader(columns, domains):
    """A torch `DataLoader` of `columns`' rows in two batches: `{"A", "B"}` dicts of two
    unpaired `domains`, else the batches of a `TensorDataset`."""
    import torch

    batch_size = len(columns[0]) // 2
    if domains:
        pairs = [{"A": a, "B": b} for a, b in zip(*columns, strict=True)]
        return torch.utils.data.DataLoader(pairs, batch_size=batch_size)
    tensors = torch.utils.data.TensorDataset(*map(torch.from_numpy, columns))
    return torch.utils.data.DataLoader(tensors, batch_size=batch_size)


@pytest.mark.parametrize("family", FAMILIES)
def test_fit_takes_a_py_dataset_and_a_torch_data_loader(family):
    """Keras' other data: a `PyDataset` of `(A, B)`, `(images, labels)` or image batches,
    and a torch `DataLoader` of a `TensorDataset` (CycleGAN: of `{"A", "B"}` dicts), train every
    family on every backend, one optimizer step per batch; the data checks apply to
    both. Cost: ~2 s a family (JAX: ~5 s)."""
    model = tiny(family, seed=0)
    model.compile()
    rows = list(tiny_data(model).unbatch().as_numpy_iterator())  # two batches' worth
    if isinstance(rows[0], tuple):
        columns = tuple(np.stack(column) for column in zip(*rows, strict=True))
    else:
        columns = (np.stack(rows),)
    for data in (py_dataset(columns), data_loader(columns, family == "cyclegan")):
        model.fit(data, epochs=1, verbose=0)
    for optimizer in model.optimizer.members().values():
        assert int(optimizer.iterations) == 2 * 2 * model.phases()[0].repeats, family
    wrong = {"channel": (columns[0][..., 1:],) + columns[1:]}
    if family == "cgan":
        wrong["class ids"] = (columns[0], columns[1] + 3)
    for match, bad in wrong.items():
        for data in (py_dataset(bad), data_loader(bad, family == "cyclegan")):
            with pytest.raises(ganzoo.errors.InvalidArgumentError, match=match):
                model.fit(data, epochs=1, verbose=0)
