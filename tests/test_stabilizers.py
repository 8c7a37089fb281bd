"""The discriminator's stabilisers: label smoothing, R1, instance noise, DiffAugment,
and two learning rates (TTUR) from a recipe; each does what its paper says, and every
family trains, saves and resumes with all of them on."""

import keras
import numpy as np
import pytest
from helpers import random_images, run_fit_test, run_saving_test, tiny, tiny_data
from keras import ops

from ganzoo.augment import cutout, diff_augment, parse_policy, translation
from ganzoo.blocks import Conv2D
from ganzoo.blocks.spectral import spectrally_normalized, spectrally_normalized_kernel
from ganzoo.errors import InvalidArgumentError
from ganzoo.losses import get_objective, r1_penalty
from ganzoo.zoo.recipes import RecipeError, load_recipe

pytestmark = pytest.mark.every_backend

ALL_ON = {
    "label_smoothing": 0.1,
    "r1_weight": 1.0,
    "instance_noise": 0.1,
    "instance_noise_steps": 3,
    "diff_augment": "color,translation,cutout",
    "spectral_norm": True,
    "ema_decay": 0.9,
}


def test_label_smoothing_is_the_loss_with_target_one_minus_alpha():
    real, fake = np.array([[0.3], [-1.2]], "float32"), np.array([[0.5], [2.0]], "float32")
    alpha = 0.1

    def softplus(x):
        return np.log1p(np.exp(x))

    expected = np.mean((1 - alpha) * softplus(-real) + alpha * softplus(real))
    expected += np.mean(softplus(fake))
    loss = get_objective("non-saturating").smoothed_discriminator_loss(real, fake, smoothing=alpha)
    np.testing.assert_allclose(float(loss), expected, rtol=1e-5)
    squares = get_objective("lsgan").smoothed_discriminator_loss(real, fake, smoothing=alpha)
    expected = 0.5 * (np.mean((real - 0.9) ** 2) + np.mean(fake**2))
    np.testing.assert_allclose(float(squares), expected, rtol=1e-5)
    assert get_objective("hinge").smoothed_discriminator_loss is None
    with pytest.raises(InvalidArgumentError, match="'hinge' has none"):
        tiny("dcgan", adversarial_loss="hinge", label_smoothing=0.1).compile()
    with pytest.raises(InvalidArgumentError, match=r"label_smoothing must be in \[0, 0.5\)"):
        tiny("dcgan", label_smoothing=0.5)
    with pytest.raises(InvalidArgumentError, match="r1_weight.*discriminator_norm='layer'"):
        tiny("dcgan", r1_weight=1.0)


def test_r1_matches_its_closed_form_on_a_linear_critic():
    """D(x) = <w, x>: grad_x D = w for every sample, so R1 = ||w||^2 / 2."""
    rng = np.random.default_rng(0)
    w = rng.normal(size=(1, 4, 4, 2)).astype("float32")
    real = rng.normal(size=(3, 4, 4, 2)).astype("float32")
    weights = ops.convert_to_tensor(w)
    penalty = r1_penalty(
        lambda x: ops.sum(x * weights, axis=(1, 2, 3)), ops.convert_to_tensor(real)
    )
    np.testing.assert_allclose(float(penalty), 0.5 * np.sum(w**2), rtol=1e-5)


@pytest.mark.parametrize("layer", ["conv", "dense"])
def test_spectral_norm_makes_the_largest_singular_value_one(layer):
    """After power iteration over training calls, the kernel a spectrally normalised
    layer uses has largest singular value 1 (the plain kernel's is far from it)."""
    if layer == "conv":
        network = keras.Sequential([keras.Input((8, 8, 3)), Conv2D(16, 3, padding="same")])
        inputs = np.ones((1, 8, 8, 3), "float32")
    else:
        network = keras.Sequential([keras.Input((12,)), keras.layers.Dense(5)])
        inputs = np.ones((1, 12), "float32")
    normalized = spectrally_normalized(network)
    sn = normalized.layers[0]
    assert type(sn).__name__.startswith("Spectral")
    sn.kernel.assign(ops.convert_to_numpy(sn.kernel) * 7.0)
    for _ in range(30):
        normalized(inputs, training=True)
    kernel = ops.convert_to_numpy(
        spectrally_normalized_kernel(sn.kernel, sn.singular_vector, training=False)
    )
    plain = np.linalg.svd(ops.convert_to_numpy(sn.kernel).reshape(-1, kernel.shape[-1]))[1][0]
    largest = np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]
    assert plain > 2.0 and largest == pytest.approx(1.0, rel=1e-3)


def test_diff_augment_transforms():
    ones = ops.ones((64, 16, 16, 3))
    seed = keras.random.SeedGenerator(0)
    cut = ops.convert_to_numpy(cutout(ones, seed))
    zeros = (cut == 0).all(axis=-1).sum(axis=(1, 2))
    assert zeros.max() == 64 and zeros.min() >= 16 and len(np.unique(zeros)) > 1  # 8x8, clipped
    image = np.zeros((1, 16, 16, 1), "float32")
    image[0, 8, 8, 0] = 1.0  # one bright pixel: it moves by at most 2 (16 / 8) per axis
    moved = ops.convert_to_numpy(translation(ops.convert_to_tensor(np.repeat(image, 64, 0)), seed))
    positions = np.argwhere(moved[..., 0] == 1.0)
    assert len(positions) == 64 and np.abs(positions[:, 1:] - 8).max() == 2
    augmented = diff_augment(ones, parse_policy("color,translation,cutout"), seed)
    assert augmented.shape == ones.shape
    with pytest.raises(InvalidArgumentError, match="color, translation, cutout"):
        parse_policy("colour")


class Recorder(keras.layers.Layer):
    """A stand-in discriminator that records the images it is given."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def call(self, images, training=False):
        self.seen.append(ops.convert_to_numpy(images))
        return ops.mean(images, axis=(1, 2, 3))


def test_diff_augment_and_instance_noise_reach_real_and_fake_alike():
    """D's loss (real and fake) and G's loss both see the augmented images; instance
    noise's deviation falls linearly to 0 over `instance_noise_steps`."""
    model = tiny("dcgan", diff_augment="cutout")
    model.discriminator = Recorder()
    real = ones = np.ones((8, *model.image_shape), "float32")
    model.discriminator_loss(real, ones)
    model.generator_loss(real, ones)
    assert len(model.discriminator.seen) == 3  # real, fake, G's fake
    for images in model.discriminator.seen:
        assert ((images == 0).all(axis=-1).sum(axis=(1, 2)) > 0).all()  # a cutout in each

    model = tiny("dcgan", instance_noise=0.5, instance_noise_steps=10)
    model.compile()
    deviations = []
    for step in (0, 5, 10, 20):
        model.optimizer["d_optimizer"].iterations.assign(step)
        model.discriminator = Recorder()
        model.discriminator_loss(np.zeros((64, *model.image_shape), "float32"), real)
        deviations.append(float(np.std(model.discriminator.seen[0])))
    np.testing.assert_allclose(deviations, [0.5, 0.25, 0.0, 0.0], atol=0.01)


# R1 is per sample: discriminators without batch norm (as for WGAN-GP).
PER_SAMPLE_NORM = {
    "dcgan": {"discriminator_norm": "layer"},
    "cgan": {"discriminator_norm": "layer"},
    "pix2pix": {"norm": "instance"},
}


@pytest.mark.parametrize(  # the translators with every stabiliser: 10-25 s each, slow
    "family",
    [
        "gan",
        "dcgan",
        "cgan",
        # Pix2Pix's step with R1 and DiffAugment runs 3x slower compiled without XLA's
        # optimisations (.ci/run: the JAX lanes' long_run part)
        pytest.param("pix2pix", marks=[pytest.mark.slow, pytest.mark.long_run]),
        pytest.param("cyclegan", marks=pytest.mark.slow),
    ],
)
def test_every_family_trains_saves_and_resumes_with_every_stabiliser(family, tmp_path):
    options = {**ALL_ON, **PER_SAMPLE_NORM.get(family, {})}
    model = tiny(family, **options)
    assert {k: model.get_config()[k] for k in ALL_ON} == ALL_ON
    run_fit_test(model, tiny_data(model))
    run_saving_test(lambda: tiny(family, seed=3, **options), tiny_data(model), tmp_path)


def test_two_learning_rates_from_a_recipe():
    """`[train] discriminator_learning_rate` gives D its own rate (TTUR); stabilisers
    are `[model]` keys."""
    from ganzoo.zoo.run import build_model, compile_model

    recipe = load_recipe(
        "dcgan_mnist5k",
        {
            "train.discriminator_learning_rate": 4e-4,
            "train.learning_rate": 1e-4,
            "model.label_smoothing": 0.1,
        },
    )
    model = build_model(recipe)
    compile_model(recipe, model, steps_per_epoch=10)
    rates = {k: float(o.learning_rate) for k, o in model.optimizer.members().items()}
    assert rates == pytest.approx({"d_optimizer": 4e-4, "g_optimizer": 1e-4})
    assert model.label_smoothing == 0.1
    with pytest.raises(RecipeError, match="discriminator_learning_rate"):
        load_recipe("dcgan_mnist5k", {"train.discriminator_learning_rate": 0.0})
    with pytest.raises(RecipeError, match="a UNet has no discriminator"):
        load_recipe("unet_digit_scenes", {"train.discriminator_learning_rate": 4e-4})
    model = tiny("dcgan")
    model.compile(learning_rate=1e-4, discriminator_learning_rate=3e-4)
    rates = {k: float(o.learning_rate) for k, o in model.optimizer.members().items()}
    assert rates == pytest.approx({"d_optimizer": 3e-4, "g_optimizer": 1e-4})


class WeightsAfterEachStep(keras.callbacks.Callback):
    """The weights of the model's last trained generator, before and after each step
    (read through `self.model`, which brings JAX's state back into the variables)."""

    def __init__(self, model):
        super().__init__()
        self.steps = [self.weights_of(model)]

    @staticmethod
    def weights_of(model):
        return [np.array(w) for w in model.trained_generators()[-1].get_weights()]

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append(self.weights_of(self.model))


@pytest.mark.parametrize("family", ["dcgan", "cyclegan"])
def test_generator_average_is_the_average_it_claims(family):
    """With `ema_decay=d` the average after step t is d_t * avg_(t-1) + (1 - d_t) * w_t,
    d_t = min(d, (1 + t) / (10 + t)) (warmed up), from avg_0 = w_0, for every weight
    (batch-norm statistics included); it, not the trained generator, samples and
    translates."""
    decay = 0.3  # the warm-up's 2/11 ... 5/14 cross it at step 3 of 4
    model = tiny(family, ema_decay=decay)
    trained, average = model.trained_generators(), model.averaged_generators
    assert len(average) == len(trained) and model.generators() == tuple(average)
    record = WeightsAfterEachStep(model)
    model.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
    model.fit(tiny_data(model), epochs=2, verbose=0, callbacks=[record])
    expected = record.steps[0]
    for t, step in enumerate(record.steps[1:], start=1):
        d = min(decay, (1 + t) / (10 + t))
        expected = [d * e + (1 - d) * w for e, w in zip(expected, step, strict=True)]
    for e, a in zip(expected, average[-1].get_weights(), strict=True):
        np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-6)
    assert not np.allclose(average[-1].get_weights()[0], trained[-1].get_weights()[0])
    if model.kind == "generator":
        z = np.random.default_rng(0).standard_normal((4, model.latent_dim), dtype=np.float32)
        outputs, inputs = model.generate(4, seed=0), z
    else:
        inputs = random_images(4, (*model.image_size, model.input_channels))
        outputs = model.translate(inputs)

    def of(network):
        return ops.convert_to_numpy(network(inputs, training=False))

    np.testing.assert_allclose(outputs, of(average[0]), atol=1e-5)
    assert not np.allclose(outputs, of(trained[0]), atol=1e-4)
