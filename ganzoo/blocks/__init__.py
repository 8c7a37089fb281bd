"""Shared network blocks. Every ganzoo network is assembled from these."""

from ganzoo.blocks.conv import ConvTranspose2D, down_block, up_block
from ganzoo.blocks.dcgan import dcgan_discriminator, dcgan_generator, upsampling_plan
from ganzoo.blocks.layers import LabelMaps, activation, kernel_initializer, normalization
from ganzoo.blocks.mlp import mlp_discriminator, mlp_generator

__all__ = [
    "ConvTranspose2D",
    "LabelMaps",
    "activation",
    "dcgan_discriminator",
    "dcgan_generator",
    "down_block",
    "kernel_initializer",
    "mlp_discriminator",
    "mlp_generator",
    "normalization",
    "up_block",
    "upsampling_plan",
]
