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

from ganzoo.arguments import (
    as_count,
    as_counts,
    as_number,
    first_batch,
    is_data_loader,
    is_py_dataset,
    is_tf_dataset,
)
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
from ganzoo.models.any_size import AnySize
from ganzoo.models.checks import array_shape, check_has_pixels
from ganzoo.training import AdversarialModel


class TranslationBase(AnySize, AdversarialModel):
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

    def check_images(self, shape, channels, domain):
        """Raises unless a batch shape `(H, W, C)` matches `image_size` and `channels`."""
        shape = tuple(shape)
        if len(shape) != 3:
            raise InvalidArgumentError(
                f"Images of domain {domain} must be batches of shape (batch, height, "
                f"width, channels). Received per-image shape {shape}."
            )
        check_has_pixels(shape, f"The images of domain {domain}")
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

    def element_shapes(self, x, y=None):
        """Per-image shapes of the two domains in what `fit` is given.

        `x` is a `tf.data.Dataset`, a `keras.utils.PyDataset` or a
        `torch.utils.data.DataLoader` of `(A, B)` or `{"A": ..., "B": ...}` batches (the
        first batch is read to check it), or arrays: `x=A, y=B`, or `x={"A": A, "B": B}`.
        Returns `(shape_a, shape_b, layout)` with layout `"pair"` (a 2-tuple) or
        `"domains"` (a dict with keys `"A"` and `"B"`, ganzoo's unpaired loaders).
        Raises on anything else.
        """
        shape_of = array_shape
        if is_tf_dataset(x):
            batch, shape_of = x.element_spec, lambda spec, name: tuple(spec.shape)
        elif y is not None:
            batch = (x, y)
        elif isinstance(x, dict):
            batch = x
        elif is_py_dataset(x) or is_data_loader(x):
            batch = first_batch(x)
        else:
            batch = None
        if isinstance(batch, dict) and set(batch) == {"A", "B"}:
            a, b = shape_of(batch["A"], "images A"), shape_of(batch["B"], "images B")
            return a[1:], b[1:], "domains"
        if isinstance(batch, (tuple, list)) and len(batch) == 2:
            a, b = shape_of(batch[0], "images A (x)"), shape_of(batch[1], "images B (y)")
            return a[1:], b[1:], "pair"
        raise InvalidArgumentError(
            f"{type(self).__name__} trains on batches of two image domains: (A, B) tuples "
            "or {'A': ..., 'B': ...} dicts, from a tf.data.Dataset, a keras.utils.PyDataset "
            "or a torch DataLoader, or arrays x=A, y=B. Received "
            f"{type(x).__name__}" + ("" if batch is None else f" of {batch!r:.200}") + "."
        )

    def checked_data(self, x, y=None):
        if x is not None:  # None: fit's validation pass, checked before
            self.check_data(*self.element_shapes(x, y))
        return x

    # -- inference ------------------------------------------------------------------

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
