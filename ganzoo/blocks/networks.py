"""Image-to-image networks by the names of pytorch-CycleGAN-and-pix2pix.

Generators: `unet_256`, `unet_128` (and `unet_<2^depth>` for any depth),
`resnet_9blocks`, `resnet_6blocks` (and `resnet_<n>blocks`), and ganzoo's
`hourglass_<2^depth>` (SegNet's max-pooling encoder-decoder, for max-unpooling).
Discriminators: `basic` (70x70 PatchGAN), `n_layers` (PatchGAN with `num_layers`
stride-2 layers), `pixel`.
Every network is fully convolutional and built for any height and width, so a model
trained on 256x256 crops translates larger images.
"""

import re

import keras

from ganzoo.blocks.hourglass import hourglass_generator
from ganzoo.blocks.patchgan import patch_discriminator, pixel_discriminator
from ganzoo.blocks.resnet import resnet_generator
from ganzoo.blocks.unet import unet_generator
from ganzoo.errors import InvalidArgumentError

GENERATORS = ("unet_256", "unet_128", "resnet_9blocks", "resnet_6blocks")
DISCRIMINATORS = ("basic", "n_layers", "pixel")


def parse_generator(name):
    """`"unet_256"` -> `("unet", 8)`; `"resnet_9blocks"` -> `("resnet", 9)`;
    `"hourglass_32"` -> `("hourglass", 5)`."""
    match = re.fullmatch(r"(unet|hourglass)_(\d+)|resnet_(\d+)blocks", str(name))
    if match and match[2]:
        size = int(match[2])
        if size >= 2 and size & (size - 1) == 0:
            return match[1], size.bit_length() - 1
    elif match:
        return "resnet", int(match[3])
    raise InvalidArgumentError(
        f"Unknown generator {name!r}. Choose one of {list(GENERATORS)}, or "
        "`unet_<size>` or `hourglass_<size>` with size a power of 2 (depth log2(size)), "
        "or `resnet_<n>blocks`."
    )


def size_multiple(generator):
    """Height and width the generator takes must be multiples of this number (and at
    least 8 for a ResNet, whose reflection padding needs 2 pixels at H/4)."""
    kind, n = parse_generator(generator)
    return 4 if kind == "resnet" else 2**n


def smallest_size(generator):
    """The smallest height and width the generator takes."""
    kind, _ = parse_generator(generator)
    return max(size_multiple(generator), 8 if kind == "resnet" else 1)


def generator_network(
    generator,
    input_channels,
    output_channels,
    filters=64,
    norm="batch",
    init="normal",
    dropout=False,
    image_size=(None, None),
    name="generator",
    upsampling="transposed",
    output_activation="tanh",
):
    """A `keras.Model` `(batch, H, W, input_channels)` -> `(batch, H, W, output_channels)`,
    inputs and outputs in [-1, 1]. See `unet_generator`, `resnet_generator` and
    `hourglass_generator`; `upsampling` is the up-block's (`ganzoo.blocks.up_block`),
    "unpool" for hourglasses only. `output_activation="none"` gives logits instead of
    images in [-1, 1].

    `image_size` fixes H and W in the graph (for static shapes); by default any size
    that `size_multiple` allows is taken.
    """
    kind, n = parse_generator(generator)
    images = keras.Input((*image_size, input_channels), name="images")
    network = {"unet": unet_generator, "resnet": resnet_generator}.get(kind)
    if network:
        outputs = network(
            images, output_channels, n, filters, norm, init, dropout, upsampling,
            output_activation=output_activation,
        )  # fmt: skip
    else:
        outputs = hourglass_generator(
            images, output_channels, n, filters, norm, init, upsampling, output_activation
        )
    return keras.Model(images, outputs, name=name)


def discriminator_network(
    discriminator,
    input_channels,
    filters=64,
    num_layers=3,
    norm="batch",
    init="normal",
    image_size=(None, None),
    name="discriminator",
):
    """A `keras.Model` `(batch, H, W, input_channels)` -> a map of scores `(batch, h, w, 1)`.

    `discriminator`: `"basic"` (num_layers 3), `"n_layers"` or `"pixel"`. `image_size`
    as for `generator_network`.
    """
    images = keras.Input((*image_size, input_channels), name="images")
    if discriminator == "basic":
        scores = patch_discriminator(images, filters, 3, norm, init)
    elif discriminator == "n_layers":
        scores = patch_discriminator(images, filters, num_layers, norm, init)
    elif discriminator == "pixel":
        scores = pixel_discriminator(images, filters, norm, init)
    else:
        raise InvalidArgumentError(
            f"Unknown discriminator {discriminator!r}. Choose one of {list(DISCRIMINATORS)}."
        )
    return keras.Model(images, scores, name=name)
