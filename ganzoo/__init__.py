"""ganzoo: generative adversarial networks for Keras 3, on TensorFlow, JAX or PyTorch."""

from ganzoo import losses, schedules
from ganzoo.export import export
from ganzoo.models import DCGAN, GAN, ConditionalGAN, CycleGAN, Pix2Pix
from ganzoo.presets import from_preset, save_preset
from ganzoo.recipes import load_recipe

__version__ = "0.1.0"

__all__ = [
    "DCGAN",
    "GAN",
    "ConditionalGAN",
    "CycleGAN",
    "Pix2Pix",
    "export",
    "from_preset",
    "load_recipe",
    "losses",
    "save_preset",
    "schedules",
]
