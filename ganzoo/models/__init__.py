from ganzoo.models.dcgan import DCGAN, ConditionalGAN
from ganzoo.models.gan import GAN, GANBase

__all__ = ["DCGAN", "GAN", "ConditionalGAN", "GANBase"]
