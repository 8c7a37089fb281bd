"""ganzoo: generative adversarial networks for Keras 3, on TensorFlow, JAX or PyTorch."""

from ganzoo import losses, schedules
from ganzoo.models import DCGAN, GAN, ConditionalGAN, CycleGAN, Pix2Pix

__version__ = "0.1.0"

__all__ = ["DCGAN", "GAN", "ConditionalGAN", "CycleGAN", "Pix2Pix", "losses", "schedules"]
