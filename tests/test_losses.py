"""Objectives against NumPy, and the gradient penalty against its closed form."""

import keras
import numpy as np
import pytest

from ganzoo import losses

pytestmark = pytest.mark.every_backend


def softplus(x):
    return np.log1p(np.exp(x))


REAL = np.array([[2.0], [-1.0], [0.5]], "float32")
FAKE = np.array([[-3.0], [0.2], [1.5]], "float32")
EXPECTED = {  # (discriminator loss, generator loss) computed in NumPy
    "minimax": (softplus(-REAL).mean() + softplus(FAKE).mean(), -softplus(FAKE).mean()),
    "non-saturating": (softplus(-REAL).mean() + softplus(FAKE).mean(), softplus(-FAKE).mean()),
    "least-squares": (
        0.5 * (((REAL - 1) ** 2).mean() + (FAKE**2).mean()),
        ((FAKE - 1) ** 2).mean(),
    ),
    "wgan-gp": (FAKE.mean() - REAL.mean(), -FAKE.mean()),
    "hinge": (np.maximum(0, 1 - REAL).mean() + np.maximum(0, 1 + FAKE).mean(), -FAKE.mean()),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_objective_values(name):
    objective = losses.get_objective(name)
    d_loss = keras.ops.convert_to_numpy(objective.discriminator_loss(REAL, FAKE))
    g_loss = keras.ops.convert_to_numpy(objective.generator_loss(FAKE))
    np.testing.assert_allclose([d_loss, g_loss], EXPECTED[name], rtol=1e-5)


def test_cross_entropy_is_stable_for_large_scores():
    objective = losses.get_objective("non-saturating")
    big = np.array([[80.0], [-80.0]], "float32")
    value = keras.ops.convert_to_numpy(objective.discriminator_loss(big, -big))
    np.testing.assert_allclose(value, 80.0, rtol=1e-5)  # 2 x softplus(80) / 2, finite


def test_aliases_and_unknown_names():
    assert losses.get_objective("lsgan").name == "least-squares"
    assert losses.get_objective("vanilla").name == "non-saturating"
    assert losses.get_objective("wgangp").name == "wgan-gp"
    with pytest.raises(ValueError, match="Unknown adversarial loss 'gan'.*hinge"):
        losses.get_objective("gan")


def test_gradient_penalty_of_a_linear_critic():
    # D(x) = <w, x> has gradient w everywhere: penalty (||w|| - 1)^2 exactly.
    w = np.arange(1, 13, dtype="float32").reshape(1, 2, 2, 3) / 10

    def critic(x):
        return keras.ops.sum(x * keras.ops.convert_to_tensor(w), axis=(1, 2, 3))

    rng = np.random.default_rng(0)
    real, fake = (rng.normal(size=(4, 2, 2, 3)).astype("float32") for _ in range(2))
    penalty = losses.gradient_penalty(critic, real, fake, keras.random.SeedGenerator(1))
    expected = (np.linalg.norm(w) - 1) ** 2
    penalty = keras.ops.convert_to_numpy(keras.ops.stop_gradient(penalty))
    np.testing.assert_allclose(penalty, expected, rtol=1e-4)
