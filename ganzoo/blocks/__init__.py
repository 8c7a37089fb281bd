"""Shared network blocks. Every ganzoo network is assembled from these."""

from ganzoo.blocks.conv import (
    UPSAMPLING,
    Conv2D,
    ConvTranspose2D,
    MaxPoolingWithArgmax2D,
    MaxUnpooling2D,
    ReflectionPadding2D,
    ZeroPadding2D,
    check_upsampling,
    conv_block,
    pad2d,
    up_block,
)
from ganzoo.blocks.dcgan import dcgan_discriminator, dcgan_generator, upsampling_plan
from ganzoo.blocks.hourglass import hourglass_generator
from ganzoo.blocks.layers import (
    BatchNormalization,
    Dropout,
    GroupNormalization,
    LabelMaps,
    activation,
    kernel_initializer,
    normalization,
)
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
    "BatchNormalization",
    "Dropout",
    "GroupNormalization",
    "UPSAMPLING",
    "Conv2D",
    "ConvTranspose2D",
    "LabelMaps",
    "MaxPoolingWithArgmax2D",
    "MaxUnpooling2D",
    "ReflectionPadding2D",
    "ZeroPadding2D",
    "activation",
    "check_upsampling",
    "conv_block",
    "dcgan_discriminator",
    "dcgan_generator",
    "discriminator_network",
    "generator_network",
    "hourglass_generator",
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
