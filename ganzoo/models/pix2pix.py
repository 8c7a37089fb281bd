"""Pix2Pix: image-to-image translation with a conditional GAN (Isola et al., 2017).

From paired examples (x, y), x in domain A and y in domain B, a generator G learns
y ~ G(x) (noise comes from dropout only). A discriminator D sees the input together
with an output, (x, y) or (x, G(x)), and scores each 70x70 patch. G minimises

    L_cGAN(G, D) + lambda_L1 * E ||y - G(x)||_1,     lambda_L1 = 100,

the adversarial term for sharp, realistic texture and the L1 term for the low
frequencies. Optionally (not in the paper) `+ lambda_SSIM * E [1 - SSIM(y, G(x))]`, the
mixed loss of Zhao et al. 2017 ("Loss Functions for Image Restoration with Neural
Networks"), which weighs local structure where L1 weighs every pixel alike.
D minimises the objective's discriminator loss on (x, y) as real and (x, G(x)) as fake.
Each train step computes G(x) once, takes one D step on it (detached), then one G step
through the updated D.
"""

import keras
from keras import ops

from ganzoo.arguments import as_number
from ganzoo.errors import InvalidArgumentError
from ganzoo.losses import ssim, ssim_radius
from ganzoo.models.translation import TranslationBase

DIRECTIONS = ("AtoB", "BtoA")


@keras.saving.register_keras_serializable(package="ganzoo")
class Pix2Pix(TranslationBase):
    """Pix2Pix: a U-Net generator and a PatchGAN on (input, output) pairs.

    Reference: Isola, Zhu, Zhou & Efros, "Image-to-Image Translation with Conditional
    Adversarial Networks", CVPR 2017. Defaults are those of the reference
    implementation's pix2pix model (see `ganzoo.models.translation` for the flags).

    Train with `fit` on a `tf.data.Dataset` of `(A, B)` batches of aligned images in
    [-1, 1]; `direction="BtoA"` learns B -> A from the same data.

    Args:
        image_size: `(height, width)` of training images. Defaults to `(256, 256)`.
        input_channels: channels of the source images (A for `"AtoB"`). Defaults to 3.
        output_channels: channels of the target images. Defaults to 3.
        direction: `"AtoB"` or `"BtoA"`. Defaults to `"AtoB"`.
        generator: `"unet_256"`, `"unet_128"`, `"unet_<2^depth>"`, `"resnet_9blocks"`,
            `"resnet_6blocks"`, `"resnet_<n>blocks"`. Defaults to `"unet_256"`.
        discriminator: `"basic"` (70x70), `"n_layers"`, `"pixel"`. Defaults to `"basic"`.
        discriminator_layers: for `"n_layers"`. Defaults to 3.
        generator_filters: ngf. Defaults to 64.
        discriminator_filters: ndf. Defaults to 64.
        norm: Defaults to `"batch"`.
        init: Defaults to `"normal"` (N(0, 0.02)).
        dropout: dropout 0.5 in the U-Net's inner decoder levels. Defaults to True.
        adversarial_loss: Defaults to `"vanilla"` (cross-entropy, non-saturating G).
        l1_weight: lambda_L1. Defaults to 100.
        ssim_weight: lambda_SSIM, the weight of 1 - SSIM (`ganzoo.losses.ssim`: Gaussian
            window, sigma 1.5; needs images larger than 10 pixels a side). Defaults to 0.
        gradient_penalty_weight: lambda for `"wgan-gp"`. Defaults to 10.
        upsampling: the generator's up-blocks, `"transposed"` (default),
            `"resize_conv"`, or `"unpool"` with `hourglass_<size>` (`TranslationModel`).
        seed: Defaults to None.
    """

    kind = "translator"
    tracked_metrics = ("d_loss", "d_real", "d_fake", "g_loss", "g_gan", "g_l1")

    def __init__(
        self,
        image_size=(256, 256),
        input_channels=3,
        output_channels=3,
        direction="AtoB",
        generator="unet_256",
        discriminator="basic",
        discriminator_layers=3,
        generator_filters=64,
        discriminator_filters=64,
        norm="batch",
        init="normal",
        dropout=True,
        adversarial_loss="vanilla",
        l1_weight=100.0,
        ssim_weight=0.0,
        gradient_penalty_weight=10.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(
            image_size=image_size,
            input_channels=input_channels,
            output_channels=output_channels,
            generator=generator,
            discriminator=discriminator,
            discriminator_layers=discriminator_layers,
            generator_filters=generator_filters,
            discriminator_filters=discriminator_filters,
            norm=norm,
            init=init,
            dropout=dropout,
            adversarial_loss=adversarial_loss,
            gradient_penalty_weight=gradient_penalty_weight,
            seed=seed,
            **kwargs,
        )
        if direction not in DIRECTIONS:
            raise InvalidArgumentError(
                f"direction must be one of {DIRECTIONS}. Received: {direction!r}."
            )
        self.direction = direction
        self.l1_weight = as_number(l1_weight, "l1_weight", least=0)
        self.ssim_weight = as_number(ssim_weight, "ssim_weight", least=0)
        if self.ssim_weight and min(self.image_size) <= 2 * ssim_radius():
            raise InvalidArgumentError(
                f"ssim_weight needs images larger than {2 * ssim_radius()} pixels a side; "
                f"image_size is {tuple(self.image_size)}. Use ssim_weight=0."
            )
        if self.ssim_weight:
            self.trackers["g_ssim"] = keras.metrics.Mean(name="g_ssim")
        self.generator = self.build_generator(input_channels, output_channels, "generator")
        self.discriminator = self.build_discriminator(
            input_channels + output_channels, "discriminator"
        )
        self.build_averages()

    def call(self, images, training=False):
        """G: source images `(batch, H, W, input_channels)` -> targets, in [-1, 1]."""
        return self.generators()[0](images, training=training)

    def trained_generators(self):
        return (self.generator,)

    # -- the game -------------------------------------------------------------------

    def unpack(self, data):
        """An `(A, B)` batch -> `(source, target)` for the model's direction."""
        a, b = data
        return (a, b) if self.direction == "AtoB" else (b, a)

    def generator_forward(self, data):
        source, _ = self.unpack(data)
        return self.run_network(self.generator, source)

    def discriminator_loss(self, data, output):
        source, target = self.unpack(data)
        return self.discriminator_objective(
            lambda pairs: self.discriminate(self.discriminator, pairs),
            ops.concatenate([source, target], axis=-1),
            ops.concatenate([source, output], axis=-1),
        )

    def generator_loss(self, data, output):
        source, target = self.unpack(data)
        scores = self.discriminate(self.discriminator, ops.concatenate([source, output], axis=-1))
        adversarial = self.objective.generator_loss(scores)
        l1 = ops.mean(ops.abs(target - output))
        loss = adversarial + self.l1_weight * l1
        logs = {"g_gan": adversarial, "g_l1": l1}
        if self.ssim_weight:
            logs["g_ssim"] = ops.mean(ssim(target, output))
            loss = loss + self.ssim_weight * (1.0 - logs["g_ssim"])
        return loss, {"g_loss": loss, **logs}

    # -- data -----------------------------------------------------------------------

    def check_data(self, shape_a, shape_b, layout):
        if layout == "domains":
            raise InvalidArgumentError(
                "Pix2Pix learns from aligned pairs, but the data is two unpaired domains "
                "(a dict with keys 'A' and 'B'). Use a paired source, e.g. "
                "ganzoo.data's paired folders (A|B images), or train a CycleGAN."
            )
        (source, source_name), (target, target_name) = self.unpack(((shape_a, "A"), (shape_b, "B")))
        self.check_images(source, self.input_channels, source_name)
        self.check_images(target, self.output_channels, target_name)

    def translate(self, images, batch_size=8, pad=True, training=False):
        """G(images): source images -> targets; any size (see `translate_with`).

        Returns:
            float32 array `(batch, H, W, output_channels)` in [-1, 1].
        """
        return self.translate_with(
            self.generators()[0], images, self.input_channels, batch_size, pad, training
        )

    def get_config(self):
        return {
            **super().get_config(),
            "direction": self.direction,
            "l1_weight": self.l1_weight,
            "ssim_weight": self.ssim_weight,
        }
