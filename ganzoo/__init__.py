"""ganzoo: generative adversarial networks for Keras 3, on TensorFlow, JAX or PyTorch.

    import ganzoo
    model = ganzoo.DCGAN.from_preset("dcgan_mnist5k")   # or ganzoo.from_preset(...)
    ganzoo.metrics, ganzoo.data, ganzoo.callbacks, ganzoo.schedules, ganzoo.losses

Everything is loaded on first use, so `import ganzoo` (and `ganzoo --help`) does not
start TensorFlow, JAX or torch until a model, data set or metric is asked for. Keras
finds ganzoo's classes in `.keras` files once they are registered: by any use of a
model class, by `import ganzoo.models`, or by `import ganzoo` after `import keras`.
"""

import importlib
import os
import sys

from ganzoo.version import __version__

# TensorFlow's C++ error-level lines that are no error of the user's (grappler's
# "remapper failed" on gradient-penalty graphs, "failed call to cuInit" on a machine
# without CUDA): off unless the user set a level. The "I0000" lines TensorFlow prints
# while it imports come before any setting applies (the CLI keeps them off its stderr).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# name -> (module, attribute); attribute None for the module itself
_API = {
    "DCGAN": ("ganzoo.models", "DCGAN"),
    "GAN": ("ganzoo.models", "GAN"),
    "ConditionalGAN": ("ganzoo.models", "ConditionalGAN"),
    "CycleGAN": ("ganzoo.models", "CycleGAN"),
    "Pix2Pix": ("ganzoo.models", "Pix2Pix"),
    "UNet": ("ganzoo.models", "UNet"),
    "from_preset": ("ganzoo.models", "from_preset"),
    "save_preset": ("ganzoo.presets", "save_preset"),
    "upload_preset": ("ganzoo.zoo.hub", "upload_preset"),
    "load_recipe": ("ganzoo.zoo.recipes", "load_recipe"),
    "export": ("ganzoo.zoo.export", "export"),
    "callbacks": ("ganzoo.callbacks", None),
    "data": ("ganzoo.data", None),
    "losses": ("ganzoo.losses", None),
    "metrics": ("ganzoo.metrics", None),
    "schedules": ("ganzoo.schedules", None),
}

__all__ = ["__version__", *_API]


def __getattr__(name):
    if name not in _API:
        raise AttributeError(f"module 'ganzoo' has no attribute {name!r}")
    module, attribute = _API[name]
    value = importlib.import_module(module)
    value = value if attribute is None else getattr(value, attribute)
    globals()[name] = value  # looked up once
    return value


def __dir__():
    return sorted(__all__)


if "keras" in sys.modules:  # Keras (and its backend) is loaded already: register for free
    importlib.import_module("ganzoo.models")
