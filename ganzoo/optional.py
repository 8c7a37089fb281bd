"""TensorFlow where only some features need it.

On the JAX and torch backends ganzoo imports TensorFlow only for what is made of it:
`tf.data` pipelines (`ganzoo.data`'s loaders, the recipes' downloaded and folder
sources), SavedModel export and TensorBoard logs. Models, presets, `generate`,
`translate`, the metrics and `ganzoo train` on the offline sets (`ArrayBatches`) run
without it, in an environment where it is not installed or not built for the GPU.
"""

import functools
import importlib

from ganzoo.errors import GanzooError


def import_tensorflow(purpose):
    """Returns the `tensorflow` module, or raises `GanzooError` in one line saying that
    `purpose` (e.g. "tf.data pipelines") needs it and how to install it."""
    try:
        return importlib.import_module("tensorflow")
    except ImportError as error:
        raise GanzooError(
            f"{purpose} need TensorFlow, which does not import here ({error}): "
            "pip install tensorflow, or on JAX and torch use what runs without it (models, "
            "presets, generate, translate, metrics, ganzoo train on the offline sets)."
        ) from None


@functools.cache
def tensorflow_imports():
    """Whether `tensorflow` imports here (asked once a process)."""
    try:
        importlib.import_module("tensorflow")
    except ImportError:
        return False
    return True
