from ganzoo.models.cyclegan import CycleGAN
from ganzoo.models.dcgan import DCGAN, ConditionalGAN
from ganzoo.models.gan import GAN, GANBase
from ganzoo.models.pix2pix import Pix2Pix
from ganzoo.models.translation import TranslationBase
from ganzoo.models.unet import UNet
from ganzoo.presets import PresetModel

# The five GAN families and the supervised UNet, by class name, as recipes name them
# (`[model] class`).
FAMILIES = {
    family.__name__: family for family in (GAN, DCGAN, ConditionalGAN, Pix2Pix, CycleGAN, UNet)
}

# Whatever model a preset holds (`ganzoo.from_preset`); `DCGAN.from_preset` and the
# other families' refuse a preset of another family.
from_preset = PresetModel.from_preset

__all__ = [
    "DCGAN",
    "GAN",
    "ConditionalGAN",
    "CycleGAN",
    "FAMILIES",
    "GANBase",
    "Pix2Pix",
    "TranslationBase",
    "UNet",
    "from_preset",
]
