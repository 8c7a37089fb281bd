"""What Pix2Pix and CycleGAN share: their networks' options, data checks, `translate`.

The options are those of pytorch-CycleGAN-and-pix2pix, under descriptive names:

| argument                | reference flag    |
|-------------------------|-------------------|
| `generator`             | `--netG`          |
| `discriminator`         | `--netD`          |
| `discriminator_layers`  | `--n_layers_D`    |
| `generator_filters`     | `--ngf`           |
| `discriminator_filters` | `--ndf`           |
| `norm`                  | `--norm`          |
| `init`                  | `--init_type` (gain 0.02, `--init_gain`'s default) |
| `dropout`               | not `--no_dropout` |
| `adversarial_loss`      | `--gan_mode`      |
| `image_size`            | `--crop_size`     |
| `input_channels`, `output_channels` | `--input_nc`, `--output_nc` |
"""

import keras
import numpy as np
import tensorflow as tf

from ganzoo.arguments import as_array, as_count, as_counts, as_number, check_range
from ganzoo.blocks import (
    check_upsampling,
    discriminator_network,
    generator_network,
    parse_generator,
    size_multiple,
    smallest_size,
)
from ganzoo.errors import InvalidArgumentError
from ganzoo.losses import get_objective
from ganzoo.progress import in_steps
from ganzoo.training import AdversarialModel


class TranslationBase(AdversarialModel):
    """Image-to-image translation between domain A and domain B.

    Args:
        image_size: `(height, width)` of the training images; multiples of the
            generator's `size_multiple` (2^depth for a U-Net, 4 for a ResNet).
        input_channels, output_channels: channels of A and of B.
        generator: see `ganzoo.blocks.networks`.
        discriminator: `"basic"`, `"n_layers"` or `"pixel"`.
        discriminator_layers: stride-2 layers of an `"n_layers"` discriminator.
        generator_filters, discriminator_filters: ngf and ndf.
        norm: `"batch"`, `"instance"` or `"none"`, in every network.
        init: `"normal"`, `"xavier"`, `"kaiming"` or `"orthogonal"`.
        dropout: Boolean, the generators' dropout.
        adversarial_loss: an objective of `ganzoo.losses`.
        gradient_penalty_weight: lambda of `"wgan-gp"`'s penalty.
        upsampling: the generators' up-blocks (`ganzoo.blocks.up_block`):
            `"transposed"` (the reference's, default), `"resize_conv"`, or `"unpool"`
            with an `hourglass_<size>` generator.
        seed: seeds the model's random draws (image pool, penalty).
    """

    def __init__(
        self,
        image_size,
        input_channels,
        output_channels,
        generator,
        discriminator,
        discriminator_layers,
        generator_filters,
        discriminator_filters,
        norm,
        init,
        dropout,
        adversarial_loss,
        gradient_penalty_weight,
        upsampling="transposed",
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        self.upsampling = upsampling
        self.image_size = as_counts(image_size, "image_size (height, width)", 2)
        self.input_channels = as_count(input_channels, "input_channels")
        self.output_channels = as_count(output_channels, "output_channels")
        self.generator_name = generator
        self.discriminator_name = discriminator
        self.discriminator_layers = as_count(discriminator_layers, "discriminator_layers")
        self.generator_filters = as_count(generator_filters, "generator_filters")
        self.discriminator_filters = as_count(discriminator_filters, "discriminator_filters")
        self.norm = norm
        self.init = init
        self.dropout = bool(dropout)
        self.adversarial_loss = adversarial_loss
        self.objective = get_objective(adversarial_loss)
        self.gradient_penalty_weight = as_number(
            gradient_penalty_weight, "gradient_penalty_weight", least=0
        )
        check_upsampling(upsampling, unpool=parse_generator(generator)[0] == "hourglass")
        self.size_multiple = size_multiple(generator)
        self.smallest_size = smallest_size(generator)
        self.check_size(self.image_size, "image_size")
        if discriminator in ("basic", "n_layers"):
            layers = 3 if discriminator == "basic" else self.discriminator_layers
            smallest = 3 * 2**layers
            if min(self.image_size) < smallest:
                raise InvalidArgumentError(
                    f"A PatchGAN with {layers} stride-2 layers needs images of at least "
                    f"{smallest}x{smallest}; image_size is {self.image_size}. Use "
                    "discriminator='n_layers' with fewer discriminator_layers, or 'pixel'."
                )
        if (self.objective.gradient_penalty or self.r1_weight) and norm == "batch":
            raise InvalidArgumentError(
                "A gradient penalty (adversarial_loss='wgan-gp', r1_weight) is taken per "
                "sample, and batch norm mixes the samples of a batch. With one use "
                "norm='instance' or 'none'."
            )

    def build_generator(self, input_channels, output_channels, name):
        return generator_network(
            self.generator_name,
            input_channels,
            output_channels,
            self.generator_filters,
            self.norm,
            self.init,
            self.dropout,
            name=name,
            upsampling=self.upsampling,
        )

    def build_discriminator(self, input_channels, name):
        return self.discriminator_network(
            discriminator_network(
                self.discriminator_name,
                input_channels,
                self.discriminator_filters,
                self.discriminator_layers,
                self.norm,
                self.init,
                name=name,
            )
        )

    # -- data checks ----------------------------------------------------------------

    def check_size(self, size, what):
        """Raises unless `size` (height, width) is a size the generator takes."""
        m, smallest = self.size_multiple, self.smallest_size
        if all(s is not None and s % m == 0 and s >= smallest for s in size):
            return
        nearest = [max(smallest, round(s / m) * m) if s else smallest for s in size]
        raise InvalidArgumentError(
            f"{what} {tuple(size)} does not fit generator {self.generator_name!r}: height "
            f"and width must be multiples of {m}"
            + (f", at least {smallest}" if smallest > m else "")
            + f" (e.g. {nearest[0]}x{nearest[1]}). Crop or resize the images, or pick a "
            "generator with fewer levels."
        )

    def check_images(self, shape, channels, domain):
        """Raises unless a batch shape `(H, W, C)` matches `image_size` and `channels`."""
        shape = tuple(shape)
        if len(shape) != 3:
            raise InvalidArgumentError(
                f"Images of domain {domain} must be batches of shape (batch, height, "
                f"width, channels). Received per-image shape {shape}."
            )
        if shape[-1] != channels:
            raise InvalidArgumentError(
                f"{type(self).__name__} was built for {channels}-channel images in domain "
                f"{domain}; the data has {shape[-1]} channels. Convert the images, or build "
                f"the model with the data's channel counts (input_channels, output_channels)."
            )
        if shape[:2] != self.image_size:
            raise InvalidArgumentError(
                f"{type(self).__name__} was built for {self.image_size} images "
                f"(image_size); domain {domain} has {shape[:2]}. Crop or resize the data, or "
                f"build the model with image_size={shape[:2]}."
            )

    def element_shapes(self, x):
        """Per-image shapes of the two domains in a dataset of `(A, B)` batches.

        Returns `(shape_a, shape_b, layout)` with layout `"pair"` (a 2-tuple) or
        `"domains"` (a dict with keys `"A"` and `"B"`, ganzoo's unpaired loaders).
        Raises on anything else.
        """
        spec = x.element_spec
        if isinstance(spec, dict) and set(spec) == {"A", "B"}:
            return tuple(spec["A"].shape[1:]), tuple(spec["B"].shape[1:]), "domains"
        if isinstance(spec, (tuple, list)) and len(spec) == 2:
            return tuple(spec[0].shape[1:]), tuple(spec[1].shape[1:]), "pair"
        raise InvalidArgumentError(
            f"{type(self).__name__} trains on batches of two image domains: a dataset of "
            f"(A, B) tuples or of {{'A': ..., 'B': ...}} dicts. Received elements {spec}."
        )

    def fit(self, x=None, *args, **kwargs):
        if not isinstance(x, tf.data.Dataset):
            raise InvalidArgumentError(
                f"{type(self).__name__}.fit takes a tf.data.Dataset of (A, B) batches "
                f"(see ganzoo.data). Received {type(x).__name__}."
            )
        self.check_data(*self.element_shapes(x))
        return super().fit(x, *args, **kwargs)

    # -- inference ------------------------------------------------------------------

    def translate_with(self, network, images, channels, batch_size=8, pad=True, training=False):
        """Runs `network` on images of any size, padding to the size it needs.

        In inference mode the network runs as Keras' compiled predict function, in
        full batches: on JAX the first call for an image size compiles it (under a
        second for unet_256 here), later calls of that size reuse it.

        Args:
            images: array `(batch, H, W, C)` or one image `(H, W, C)`, in [-1, 1].
            channels: the channels the network takes.
            batch_size: images per call. Defaults to 8.
            pad: if H or W is not a multiple of `size_multiple`, reflect-pad the images
                up to one and crop the outputs back (True, the default), or raise.
            training: run batch norm on batch statistics and keep dropout on, as the
                reference's `test.py` does without `--eval`. Defaults to False.

        Returns:
            float32 NumPy array, the same height and width as `images`.
        """
        images = np.asarray(images) if isinstance(images, (list, tuple)) else images
        single = np.ndim(images) == 3
        images = as_array(images[None] if single else images, "images", (4,), least=0)
        if images.shape[-1] != channels or min(images.shape[1:3]) < 1:
            raise InvalidArgumentError(
                f"translate takes images of shape (batch, height, width, {channels}) or "
                f"(height, width, {channels}) in [-1, 1]. Received shape "
                f"{images.shape[1:] if single else images.shape}."
            )
        check_range(images, "images")
        batch_size = as_count(batch_size, "batch_size")
        height, width = images.shape[1:3]
        if not len(images):  # an empty batch: nothing to run
            return np.zeros((0, height, width, network.output_shape[-1]), np.float32)
        m = self.size_multiple
        padded = tuple(max(self.smallest_size, -(-s // m) * m) for s in (height, width))
        if padded != (height, width):
            if not pad:
                self.check_size((height, width), "Image size")
            extra = [(0, 0), (0, padded[0] - height), (0, padded[1] - width), (0, 0)]
            images = np.pad(images, extra, mode="reflect" if min(height, width) > 1 else "edge")
        count, batch_size = len(images), min(batch_size, len(images))
        if not training:
            # Every call takes a full batch (the last one padded with copies of the last
            # image): one compiled function per image size on JAX and TensorFlow.
            extra = [(0, -count % batch_size), (0, 0), (0, 0), (0, 0)]
            images = np.pad(images, extra, mode="edge")

        def run(batch):
            if training:  # batch statistics (of these images only) and dropout
                return keras.ops.convert_to_numpy(network(batch, training=True))
            return network.predict_on_batch(batch)

        outputs = np.concatenate(
            [
                run(images[i : i + batch_size])
                for i in in_steps(range(0, count, batch_size), f"translating {count} images")
            ]
        )[:count, :height, :width]
        return outputs[0] if single else outputs

    def get_config(self):
        return {
            **super().get_config(),
            "image_size": self.image_size,
            "input_channels": self.input_channels,
            "output_channels": self.output_channels,
            "generator": self.generator_name,
            "discriminator": self.discriminator_name,
            "discriminator_layers": self.discriminator_layers,
            "generator_filters": self.generator_filters,
            "discriminator_filters": self.discriminator_filters,
            "norm": self.norm,
            "init": self.init,
            "dropout": self.dropout,
            "adversarial_loss": self.adversarial_loss,
            "gradient_penalty_weight": self.gradient_penalty_weight,
            "upsampling": self.upsampling,
        }
