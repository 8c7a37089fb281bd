from ganzoo.models.cyclegan import CycleGAN
from ganzoo.models.dcgan import DCGAN, ConditionalGAN
from ganzoo.models.gan import GAN, GANBase
from ganzoo.models.pix2pix import Pix2Pix
from ganzoo.models.translation import TranslationBase

__all__ = ["DCGAN", "GAN", "ConditionalGAN", "CycleGAN", "GANBase", "Pix2Pix", "TranslationBase"]
