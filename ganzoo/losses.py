"""Adversarial objectives and reconstruction terms, as pure `keras.ops` functions.

Every discriminator here outputs unbounded scores ("logits"), one per sample or per
patch. Each objective is a pair: the discriminator's loss on the scores of real and
generated samples, and the generator's loss on the scores of generated ones. Means
are taken over every axis, so patch discriminators need no special case.

| name             | discriminator minimises                 | generator minimises  |
|------------------|-----------------------------------------|----------------------|
| `minimax`        | -log D(x) - log(1 - D(G(z)))            | log(1 - D(G(z)))     |
| `non-saturating` | same as minimax                         | -log D(G(z))         |
| `least-squares`  | (D(x) - 1)^2 / 2 + D(G(z))^2 / 2        | (D(G(z)) - 1)^2      |
| `wgan-gp`        | D(G(z)) - D(x) + lambda * GP            | -D(G(z))             |
| `hinge`          | max(0, 1 - D(x)) + max(0, 1 + D(G(z)))  | -D(G(z))             |

D(.) is sigmoid(score) for the first two; the raw score for the others.

Stabilisers of the discriminator's loss (`discriminator_objective`): one-sided label
smoothing (Salimans et al. 2016: the real samples' target is 1 - alpha, for the
objectives with a target, the cross-entropy and least-squares ones) and the R1 penalty
(Mescheder et al. 2018: gamma / 2 * E ||grad_x D(x)||^2 on real samples).
References: Goodfellow et al. 2014 (minimax, non-saturating); Mao et al. 2017
(least squares); Gulrajani et al. 2017 (Wasserstein with gradient penalty);
Lim & Ye 2017, Miyato et al. 2018 (hinge). The pytorch-CycleGAN-and-pix2pix names
`vanilla`, `lsgan` and `wgangp` are accepted as aliases.
"""

import dataclasses
import functools
from collections.abc import Callable

import numpy as np
from keras import ops

from ganzoo import backend
from ganzoo.errors import InvalidArgumentError


def _sigmoid_cross_entropy_real(scores):
    """-log sigmoid(s), stable for any s."""
    return ops.mean(ops.softplus(-scores))


def _sigmoid_cross_entropy_fake(scores):
    """-log(1 - sigmoid(s)), stable for any s."""
    return ops.mean(ops.softplus(scores))


def cross_entropy_discriminator_loss(real_scores, fake_scores):
    """-log D(x) - log(1 - D(G(z))) on logits: D's side of the minimax and
    non-saturating games (Goodfellow et al., 2014). Scalar, the batch mean."""
    return _sigmoid_cross_entropy_real(real_scores) + _sigmoid_cross_entropy_fake(fake_scores)


def minimax_generator_loss(fake_scores):
    """log(1 - D(G(z))): the original, saturating objective."""
    return -_sigmoid_cross_entropy_fake(fake_scores)


def non_saturating_generator_loss(fake_scores):
    """-log D(G(z)): same fixed point, strong gradients early in training."""
    return _sigmoid_cross_entropy_real(fake_scores)


def smoothed_cross_entropy_discriminator_loss(real_scores, fake_scores, smoothing):
    """Cross-entropy with target 1 - smoothing for the real samples."""
    real = (1.0 - smoothing) * _sigmoid_cross_entropy_real(real_scores)
    real = real + smoothing * _sigmoid_cross_entropy_fake(real_scores)
    return real + _sigmoid_cross_entropy_fake(fake_scores)


def least_squares_discriminator_loss(real_scores, fake_scores, smoothing=0.0):
    """(D(x) - (1 - smoothing))^2 / 2 + D(G(z))^2 / 2."""
    real = ops.mean(ops.square(real_scores - (1.0 - smoothing)))
    return 0.5 * (real + ops.mean(ops.square(fake_scores)))


def least_squares_generator_loss(fake_scores):
    """(D(G(z)) - 1)^2: LSGAN's generator (Mao et al., 2017). Scalar, the batch mean."""
    return ops.mean(ops.square(fake_scores - 1.0))


def wasserstein_discriminator_loss(real_scores, fake_scores):
    """D(G(z)) - D(x): the WGAN critic (Arjovsky et al., 2017; with the gradient penalty
    of Gulrajani et al., 2017, `gradient_penalty`). Scalar, the batch means."""
    return ops.mean(fake_scores) - ops.mean(real_scores)


def hinge_discriminator_loss(real_scores, fake_scores):
    """max(0, 1 - D(x)) + max(0, 1 + D(G(z))): the hinge loss of SN-GAN and SAGAN
    (Miyato et al., 2018). Scalar, the batch means."""
    return ops.mean(ops.relu(1.0 - real_scores)) + ops.mean(ops.relu(1.0 + fake_scores))


def critic_generator_loss(fake_scores):
    """-D(G(z)), for the Wasserstein and hinge objectives."""
    return -ops.mean(fake_scores)


@dataclasses.dataclass(frozen=True)
class Objective:
    """An adversarial objective.

    Attributes:
        name: canonical name.
        discriminator_loss: `(real_scores, fake_scores) -> scalar`.
        generator_loss: `fake_scores -> scalar`.
        gradient_penalty: whether the discriminator loss adds a gradient penalty.
        probabilistic: whether sigmoid(score) is D's probability that a sample is
            real (then `d_real` / `d_fake` report probabilities, else raw scores).
        smoothed_discriminator_loss: `(real_scores, fake_scores, smoothing) -> scalar`,
            the loss with target 1 - smoothing for real samples; None for the
            objectives without targets (Wasserstein, hinge).
    """

    name: str
    discriminator_loss: Callable
    generator_loss: Callable
    gradient_penalty: bool = False
    probabilistic: bool = False
    smoothed_discriminator_loss: Callable | None = None

    def discriminator_output(self, scores):
        """Mean D(.) for logging, in float32: a probability or a raw score."""
        scores = ops.cast(scores, "float32")
        return ops.mean(ops.sigmoid(scores) if self.probabilistic else scores)


def in_float32(loss):
    """`loss` of scores cast to float32 first: under a mixed-precision policy the
    discriminator's scores arrive in bfloat16 or float16, and the losses and their
    logs are computed in float32."""

    if loss is None:
        return None

    @functools.wraps(loss)
    def float32_loss(*scores, **options):
        return loss(*(ops.cast(s, "float32") for s in scores), **options)

    return float32_loss


OBJECTIVES = {
    o.name: dataclasses.replace(
        o,
        discriminator_loss=in_float32(o.discriminator_loss),
        generator_loss=in_float32(o.generator_loss),
        smoothed_discriminator_loss=in_float32(o.smoothed_discriminator_loss),
    )
    for o in (
        Objective(
            "minimax",
            cross_entropy_discriminator_loss,
            minimax_generator_loss,
            probabilistic=True,
            smoothed_discriminator_loss=smoothed_cross_entropy_discriminator_loss,
        ),
        Objective(
            "non-saturating",
            cross_entropy_discriminator_loss,
            non_saturating_generator_loss,
            probabilistic=True,
            smoothed_discriminator_loss=smoothed_cross_entropy_discriminator_loss,
        ),
        Objective(
            "least-squares",
            least_squares_discriminator_loss,
            least_squares_generator_loss,
            smoothed_discriminator_loss=least_squares_discriminator_loss,
        ),
        Objective(
            "wgan-gp",
            wasserstein_discriminator_loss,
            critic_generator_loss,
            gradient_penalty=True,
        ),
        Objective("hinge", hinge_discriminator_loss, critic_generator_loss),
    )
}
ALIASES = {"vanilla": "non-saturating", "lsgan": "least-squares", "wgangp": "wgan-gp"}


def get_objective(name):
    """Returns the `Objective` called `name` (or one of its aliases)."""
    canonical = ALIASES.get(name, name) if isinstance(name, str) else None
    if canonical not in OBJECTIVES:
        raise InvalidArgumentError(
            f"Unknown adversarial loss {name!r}. Choose one of "
            f"{sorted(OBJECTIVES)} (aliases: {sorted(ALIASES)})."
        )
    return OBJECTIVES[canonical]


def gradient_penalty(critic, real, fake, seed):
    """Gulrajani et al.'s penalty E[(||grad_x D(x_hat)||_2 - 1)^2].

    x_hat = eps * real + (1 - eps) * fake with eps ~ U[0, 1] per sample.

    Args:
        critic: callable, batch of samples -> scores.
        real, fake: tensors of one shape `(batch, ...)`.
        seed: a `keras.random.SeedGenerator`.

    Returns:
        Scalar tensor.
    """
    batch = ops.shape(real)[0]
    eps = backend.random_uniform((batch,) + (1,) * (len(real.shape) - 1), seed)
    interpolated = eps * real + (1.0 - eps) * fake
    grads = backend.input_gradients(critic, interpolated)
    norms = ops.sqrt(ops.sum(ops.square(grads), axis=tuple(range(1, len(real.shape)))) + 1e-12)
    return ops.mean(ops.square(norms - 1.0))


def r1_penalty(critic, real):
    """Mescheder et al.'s R1: E[||grad_x D(x)||^2] / 2 over real samples (times gamma
    in the loss). For a linear critic D(x) = <w, x> it is ||w||^2 / 2.

    Args:
        critic: callable, batch of samples -> scores.
        real: tensor `(batch, ...)`.

    Returns:
        Scalar tensor.
    """
    grads = backend.input_gradients(critic, real)
    return 0.5 * ops.mean(ops.sum(ops.square(grads), axis=tuple(range(1, len(real.shape)))))


def discriminator_objective(
    objective, discriminate, real, fake, seed, penalty_weight, label_smoothing=0.0, r1_weight=0.0
):
    """The discriminator's loss on a real and a generated batch, penalties included.

    Args:
        objective: an `Objective`.
        discriminate: callable, batch of D inputs -> scores (D in training mode).
        real, fake: D inputs of one shape; `fake` already cut from G's graph.
        seed: `keras.random.SeedGenerator` for the penalty's interpolation.
        penalty_weight: lambda of the gradient penalty, if the objective has one.
        label_smoothing: alpha of one-sided label smoothing (the objective must have
            `smoothed_discriminator_loss`). Defaults to 0.
        r1_weight: gamma of the R1 penalty on the real inputs. Defaults to 0.

    Returns:
        `(loss, logs)`, logs `{"d_loss", "d_real", "d_fake"}` with the mean D(.) on
        real and generated inputs (see `Objective.discriminator_output`).
    """
    real_scores, fake_scores = discriminate(real), discriminate(fake)
    if label_smoothing:
        loss = objective.smoothed_discriminator_loss(
            real_scores, fake_scores, smoothing=label_smoothing
        )
    else:
        loss = objective.discriminator_loss(real_scores, fake_scores)
    if objective.gradient_penalty:
        loss = loss + penalty_weight * gradient_penalty(discriminate, real, fake, seed)
    if r1_weight:
        loss = loss + r1_weight * r1_penalty(discriminate, real)
    return loss, {
        "d_loss": loss,
        "d_real": objective.discriminator_output(real_scores),
        "d_fake": objective.discriminator_output(fake_scores),
    }


# -- image quality as training metrics ---------------------------------------------------
# Per image, in keras.ops, for images in [-1, 1]; `ganzoo.metrics.image_quality` computes
# the same scores in NumPy for evaluation (and takes these constants).
DATA_RANGE = 2.0  # [-1, 1]
SSIM_SIGMA = 1.5  # Wang et al. 2004: 11x11 Gaussian window, sigma 1.5
SSIM_TRUNCATE = 3.5  # 3.5 sigma each side: the 11-pixel window
SSIM_K1, SSIM_K2 = 0.01, 0.03


def psnr(targets, images):
    """PSNR in dB per image, 10 log10(range^2 / MSE): `(batch,)`."""
    error = ops.mean(ops.square(targets - images), axis=(1, 2, 3))
    return 10.0 * ops.log10(DATA_RANGE**2 / ops.maximum(error, 1e-10))


def ssim_radius():
    """Half the side of SSIM's Gaussian window (5 pixels): the border SSIM leaves out."""
    return int(SSIM_TRUNCATE * SSIM_SIGMA + 0.5)


def ssim(targets, images):
    """SSIM per image `(batch,)`: Gaussian window (sigma 1.5) per channel, averaged over
    the pixels a whole window covers (a 5-pixel border left out, as
    `ganzoo.metrics.ssim`), then over channels."""
    radius = ssim_radius()
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / SSIM_SIGMA) ** 2)
    window = np.outer(taps, taps) / taps.sum() ** 2
    channels = images.shape[-1]
    kernel = ops.convert_to_tensor(np.tile(window[:, :, None, None], (1, 1, channels, 1)))

    def blur(x):
        return ops.depthwise_conv(x, ops.cast(kernel, x.dtype), 1, "valid")

    mean_x, mean_y = blur(images), blur(targets)
    var_x = blur(images * images) - mean_x**2
    var_y = blur(targets * targets) - mean_y**2
    cov = blur(images * targets) - mean_x * mean_y
    c1, c2 = (SSIM_K1 * DATA_RANGE) ** 2, (SSIM_K2 * DATA_RANGE) ** 2
    ssim_map = ((2 * mean_x * mean_y + c1) * (2 * cov + c2)) / (
        (mean_x**2 + mean_y**2 + c1) * (var_x + var_y + c2)
    )
    return ops.mean(ssim_map, axis=(1, 2, 3))
