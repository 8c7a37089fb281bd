"""DCGAN: the GAN game with deep convolutional networks (Radford et al., 2016)."""

import keras

from ganzoo.arguments import as_count
from ganzoo.blocks import check_upsampling, dcgan_discriminator, dcgan_generator
from ganzoo.errors import InvalidArgumentError
from ganzoo.models.gan import GANBase


@keras.saving.register_keras_serializable(package="ganzoo")
class DCGAN(GANBase):
    """Deep convolutional GAN.

    G: z -> Dense -> reshape to a `base x base` grid -> transposed-conv up-blocks
    (BN, ReLU) -> tanh image. D: strided-conv down-blocks (LeakyReLU 0.2, BN after the
    first) -> one score. Any size `base x 2^k` per side (base 3..8): 28 = 7x4 for
    MNIST, 64 = 4x16 for CelebA; any channel count.

    Reference: Radford, Metz & Chintala, "Unsupervised Representation Learning with
    Deep Convolutional Generative Adversarial Networks", ICLR 2016.

    Args:
        image_shape: `(height, width, channels)`, values in [-1, 1].
            Defaults to `(28, 28, 1)`.
        latent_dim: size of z ~ N(0, I). Defaults to 100.
        filters: G's last hidden channels and D's first (ngf = ndf); they double per
            level. Defaults to 64.
        generator_norm: `"batch"`, `"instance"`, `"layer"` or `"none"`.
            Defaults to `"batch"`.
        discriminator_norm: as `generator_norm`; must not be `"batch"` with
            `"wgan-gp"`. Defaults to `"batch"`.
        init: `"normal"` (N(0, 0.02)), `"xavier"`, `"kaiming"` or `"orthogonal"`.
            Defaults to `"normal"`.
        upsampling: G's up-blocks: `"transposed"` (the paper's transposed
            convolutions, default) or `"resize_conv"` (nearest resize, then 3x3
            convolution: no checkerboard artefacts; `ganzoo.blocks.up_block`).
        num_classes: None, or the number of classes to condition on (see
            `ConditionalGAN`). Defaults to None.
        adversarial_loss: objective in `ganzoo.losses`. Defaults to `"non-saturating"`.
        discriminator_steps: k. Defaults to 1.
        gradient_penalty_weight: lambda for `"wgan-gp"`. Defaults to 10.
        seed: Defaults to None.
    """

    def __init__(
        self,
        image_shape=(28, 28, 1),
        latent_dim=100,
        filters=64,
        generator_norm="batch",
        discriminator_norm="batch",
        init="normal",
        upsampling="transposed",
        num_classes=None,
        adversarial_loss="non-saturating",
        discriminator_steps=1,
        gradient_penalty_weight=10.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(
            image_shape,
            latent_dim,
            num_classes,
            adversarial_loss,
            discriminator_steps,
            gradient_penalty_weight,
            seed=seed,
            **kwargs,
        )
        if (self.objective.gradient_penalty or self.r1_weight) and discriminator_norm == "batch":
            raise InvalidArgumentError(
                "A gradient penalty (adversarial_loss='wgan-gp', r1_weight) is taken per "
                "sample, and batch norm mixes the samples of a batch (Gulrajani et al., "
                "2017, sec. 4). With one use discriminator_norm='layer' or 'none'."
            )
        self.filters = as_count(filters, "filters")
        self.generator_norm = generator_norm
        self.discriminator_norm = discriminator_norm
        self.init = init
        self.upsampling = check_upsampling(upsampling)
        inputs, h = self.generator_inputs()
        images = dcgan_generator(
            h, self.image_shape, self.filters, generator_norm, init, self.upsampling
        )
        self.generator = keras.Model(inputs, images, name="generator")
        inputs, h = self.discriminator_inputs()
        scores = dcgan_discriminator(h, self.filters, discriminator_norm, init)
        self.discriminator = self.discriminator_network(
            keras.Model(inputs, scores, name="discriminator")
        )
        self.build_averages()

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "generator_norm": self.generator_norm,
            "discriminator_norm": self.discriminator_norm,
            "init": self.init,
            "upsampling": self.upsampling,
        }


@keras.saving.register_keras_serializable(package="ganzoo")
class ConditionalGAN(DCGAN):
    """Conditional DCGAN: G(z, y) and D(x, y) for class labels y.

    G takes the one-hot label concatenated to z; D takes the image with one constant
    map per class concatenated to its channels (1 on the map of the label), as in
    Mirza & Osindero's conditioning, with DCGAN's networks. Train on
    `(images, labels)` batches, labels as class ids or one-hot; sample with
    `generate(n, labels=...)`.

    Reference: Mirza & Osindero, "Conditional Generative Adversarial Nets", 2014.

    Args:
        num_classes: number of classes. Defaults to 10.
        **kwargs: every `DCGAN` argument, with the same defaults.
    """

    def __init__(self, num_classes=10, **kwargs):
        if num_classes is None:
            raise InvalidArgumentError(
                "ConditionalGAN needs num_classes (e.g. 10 for digits); for an "
                "unconditional model use DCGAN."
            )
        super().__init__(num_classes=num_classes, **kwargs)
