"""Shared network blocks. Every ganzoo network is assembled from these."""

from ganzoo.blocks.conv import (
    Conv2D,
    ConvTranspose2D,
    ReflectionPadding2D,
    conv_block,
    pad2d,
    up_block,
)
from ganzoo.blocks.dcgan import dcgan_discriminator, dcgan_generator, upsampling_plan
from ganzoo.blocks.layers import LabelMaps, activation, kernel_initializer, normalization
from ganzoo.blocks.mlp import mlp_discriminator, mlp_generator
from ganzoo.blocks.networks import (
    discriminator_network,
    generator_network,
    parse_generator,
    size_multiple,
    smallest_size,
)
from ganzoo.blocks.patchgan import patch_discriminator, pixel_discriminator
from ganzoo.blocks.resnet import residual_block, resnet_generator
from ganzoo.blocks.unet import unet_generator

__all__ = [
    "Conv2D",
    "ConvTranspose2D",
    "LabelMaps",
    "ReflectionPadding2D",
    "activation",
    "conv_block",
    "dcgan_discriminator",
    "dcgan_generator",
    "discriminator_network",
    "generator_network",
    "kernel_initializer",
    "mlp_discriminator",
    "mlp_generator",
    "normalization",
    "pad2d",
    "parse_generator",
    "patch_discriminator",
    "pixel_discriminator",
    "residual_block",
    "resnet_generator",
    "size_multiple",
    "smallest_size",
    "unet_generator",
    "up_block",
    "upsampling_plan",
]
