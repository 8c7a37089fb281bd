"""CycleGAN: unpaired image-to-image translation (Zhu, Park, Isola & Efros, 2017).

Two generators, G: A -> B and F: B -> A, and two discriminators, D_B (real B vs G(a))
and D_A (real A vs F(b)), learn from two unaligned image sets. The generators minimise

    L_GAN(G, D_B) + L_GAN(F, D_A)
    + lambda_A * E ||F(G(a)) - a||_1 + lambda_B * E ||G(F(b)) - b||_1      (cycle)
    + lambda_id * (lambda_B * E ||G(b) - b||_1 + lambda_A * E ||F(a) - a||_1)  (identity)

with lambda_A = lambda_B = 10 and lambda_id = 0.5: translating there and back must
return the input, and a generator given an image of its output domain should leave
it alone (which keeps colours). The adversarial terms are least squares (Mao et al.,
2017). Each discriminator trains on a history of 50 generated images (`ImagePool`).
Each train step translates both batches once, takes one step of both generators (one
optimizer), then one of both discriminators (another) on those translations, detached.
"""

import keras
from keras import ops

from ganzoo.arguments import as_count, as_number
from ganzoo.errors import InvalidArgumentError
from ganzoo.models.translation import TranslationBase
from ganzoo.training import ImagePool


@keras.saving.register_keras_serializable(package="ganzoo")
class CycleGAN(TranslationBase):
    """CycleGAN: ResNet generators A -> B and B -> A, a PatchGAN per domain.

    Reference: Zhu, Park, Isola & Efros, "Unpaired Image-to-Image Translation using
    Cycle-Consistent Adversarial Networks", ICCV 2017. Defaults are those of the
    reference implementation's cycle_gan model (see `ganzoo.models.translation` for
    the flags). Its `netG_A`, `netG_B`, `netD_A`, `netD_B` are `generator_ab`,
    `generator_ba`, `discriminator_b` and `discriminator_a` here: each discriminator
    is named after the domain it judges.

    Train with `fit` on a `tf.data.Dataset` of `(A, B)` batches, or `{"A": ..., "B": ...}`
    batches, of unrelated images in [-1, 1] (e.g. `tf.data.Dataset.zip((a, b))`).

    Args:
        image_size: `(height, width)` of training images. Defaults to `(256, 256)`.
        input_channels: channels of domain A. Defaults to 3.
        output_channels: channels of domain B. Defaults to 3.
        generator: Defaults to `"resnet_9blocks"` (see `Pix2Pix` for the choices).
        discriminator: Defaults to `"basic"`.
        discriminator_layers: for `"n_layers"`. Defaults to 3.
        generator_filters: ngf. Defaults to 64.
        discriminator_filters: ndf. Defaults to 64.
        norm: Defaults to `"instance"`.
        init: Defaults to `"normal"` (N(0, 0.02)).
        dropout: Defaults to False.
        adversarial_loss: Defaults to `"lsgan"` (least squares).
        cycle_weight_a: lambda_A, weight of ||F(G(a)) - a||_1. Defaults to 10.
        cycle_weight_b: lambda_B, weight of ||G(F(b)) - b||_1. Defaults to 10.
        identity_weight: lambda_id, relative to the cycle weights; needs
            `input_channels == output_channels` when > 0. Defaults to 0.5.
        pool_size: generated images kept for each discriminator. Defaults to 50.
        gradient_penalty_weight: lambda for `"wgan-gp"`. Defaults to 10.
        upsampling: the generator's up-blocks, `"transposed"` (default),
            `"resize_conv"`, or `"unpool"` with `hourglass_<size>` (`TranslationModel`).
        seed: Defaults to None.
    """

    kind = "cycle_translator"
    tracked_metrics = (
        "d_loss",
        "d_a",
        "d_b",
        "g_loss",
        "g_gan_ab",
        "g_gan_ba",
        "cycle_a",
        "cycle_b",
        "identity_a",
        "identity_b",
    )

    counts_from_zero = ("pool_size",)  # 0: no image pool

    def __init__(
        self,
        image_size=(256, 256),
        input_channels=3,
        output_channels=3,
        generator="resnet_9blocks",
        discriminator="basic",
        discriminator_layers=3,
        generator_filters=64,
        discriminator_filters=64,
        norm="instance",
        init="normal",
        dropout=False,
        adversarial_loss="lsgan",
        cycle_weight_a=10.0,
        cycle_weight_b=10.0,
        identity_weight=0.5,
        pool_size=50,
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
        self.cycle_weight_a = as_number(cycle_weight_a, "cycle_weight_a", least=0)
        self.cycle_weight_b = as_number(cycle_weight_b, "cycle_weight_b", least=0)
        self.identity_weight = as_number(identity_weight, "identity_weight", least=0)
        self.pool_size = as_count(pool_size, "pool_size", least=0)
        if self.identity_weight > 0 and self.input_channels != self.output_channels:
            raise InvalidArgumentError(
                "The identity loss feeds B images to G: A -> B, so it needs as many "
                f"channels in A as in B; received {input_channels} and {output_channels}. "
                "Set identity_weight=0, or convert one domain's images."
            )
        self.generator_ab = self.build_generator(input_channels, output_channels, "generator_ab")
        self.generator_ba = self.build_generator(output_channels, input_channels, "generator_ba")
        self.discriminator_a = self.build_discriminator(input_channels, "discriminator_a")
        self.discriminator_b = self.build_discriminator(output_channels, "discriminator_b")
        self.pool_a = ImagePool(pool_size, (*self.image_size, input_channels), name="pool_a")
        self.pool_b = ImagePool(pool_size, (*self.image_size, output_channels), name="pool_b")
        self.build_averages()

    def call(self, images, training=False):
        """G (its average with `ema_decay`): images of A `(batch, H, W,
        input_channels)` -> B, in [-1, 1]."""
        return self.generators()[0](images, training=training)

    def trained_generators(self):
        """G (A -> B), then F (B -> A)."""
        return (self.generator_ab, self.generator_ba)

    # -- the game -------------------------------------------------------------------

    def optimized_networks(self):
        return {
            "g_optimizer": (self.generator_ab, self.generator_ba),
            "d_optimizer": (self.discriminator_a, self.discriminator_b),
        }

    def phases(self):
        return [
            self.phase("g_optimizer", self.generator_loss),
            self.phase("d_optimizer", self.discriminator_loss),
        ]

    def unpack(self, data):
        """A batch -> `(a, b)`: from an `(A, B)` tuple or an `{"A", "B"}` dict."""
        if isinstance(data, dict):
            return data["A"], data["B"]
        return data

    def generator_forward(self, data):
        """(G_AB(a), G_BA(b)): the fakes both phases of the step use."""
        a, b = self.unpack(data)
        return self.run_network(self.generator_ab, a), self.run_network(self.generator_ba, b)

    def generator_loss(self, data, fakes):
        a, b = self.unpack(data)
        fake_b, fake_a = fakes
        gan_ab = self.objective.generator_loss(self.discriminate(self.discriminator_b, fake_b))
        gan_ba = self.objective.generator_loss(self.discriminate(self.discriminator_a, fake_a))
        cycle_a = ops.mean(ops.abs(self.run_network(self.generator_ba, fake_b) - a))
        cycle_b = ops.mean(ops.abs(self.run_network(self.generator_ab, fake_a) - b))
        loss = gan_ab + gan_ba + self.cycle_weight_a * cycle_a + self.cycle_weight_b * cycle_b
        identity_a = identity_b = ops.zeros(())
        if self.identity_weight > 0:
            identity_a = ops.mean(ops.abs(self.run_network(self.generator_ba, a) - a))
            identity_b = ops.mean(ops.abs(self.run_network(self.generator_ab, b) - b))
            loss = loss + self.identity_weight * (
                self.cycle_weight_a * identity_a + self.cycle_weight_b * identity_b
            )
        return loss, {
            "g_loss": loss,
            "g_gan_ab": gan_ab,
            "g_gan_ba": gan_ba,
            "cycle_a": cycle_a,
            "cycle_b": cycle_b,
            "identity_a": identity_a,
            "identity_b": identity_b,
        }

    def discriminator_loss(self, data, fakes):
        a, b = self.unpack(data)
        fake_b, fake_a = fakes
        if self.networks_training:  # a held-out batch (test_step) leaves the pools alone
            fake_b = self.pool_b.query(fake_b, self.seed_generator)
            fake_a = self.pool_a.query(fake_a, self.seed_generator)
        losses = {}
        for domain, discriminator, real, fake in (
            ("d_a", self.discriminator_a, a, fake_a),
            ("d_b", self.discriminator_b, b, fake_b),
        ):
            losses[domain], _ = self.discriminator_objective(
                lambda x, d=discriminator: self.discriminate(d, x), real, fake
            )
        loss = losses["d_a"] + losses["d_b"]
        return loss, {"d_loss": loss, **losses}

    # -- data -----------------------------------------------------------------------

    def check_data(self, shape_a, shape_b, layout):
        self.check_images(shape_a, self.input_channels, "A")
        self.check_images(shape_b, self.output_channels, "B")

    def translate(self, images, direction="AtoB", batch_size=8, pad=True, training=False):
        """G(images) for `"AtoB"`, F(images) for `"BtoA"`; any size (see `translate_with`).

        Returns:
            float32 array of the other domain's images, in [-1, 1].
        """
        if direction == "AtoB":
            network, channels = self.generators()[0], self.input_channels
        elif direction == "BtoA":
            network, channels = self.generators()[1], self.output_channels
        else:
            raise InvalidArgumentError(
                f"direction must be 'AtoB' or 'BtoA'. Received: {direction!r}."
            )
        return self.translate_with(network, images, channels, batch_size, pad, training)

    def get_config(self):
        return {
            **super().get_config(),
            "cycle_weight_a": self.cycle_weight_a,
            "cycle_weight_b": self.cycle_weight_b,
            "identity_weight": self.identity_weight,
            "pool_size": self.pool_size,
        }
