"""The files ganzoo ships: its recipes and its presets, found in the installed package.

In the repository they are the top-level folders `zoo_configs/` and `pretrained/`; the
build installs them as the packages `ganzoo.zoo_configs` and `ganzoo.pretrained`
(`package-dir` in pyproject.toml), so a wheel, an editable install and a checkout all
find them here, whatever the working directory.
"""

import importlib.resources
import os
import pathlib


def _folder(package):
    return pathlib.Path(str(importlib.resources.files(package)))


def recipes_dir():
    """The folder of the shipped recipes (`NAME.toml`)."""
    return _folder("ganzoo.zoo_configs")


def presets_dir():
    """The folder of the shipped presets (`NAME/`) and the digit classifier's weights."""
    return _folder("ganzoo.pretrained")


def keras_cache(cache_dir=None):
    """Where downloads go, as `keras.utils.get_file` puts them: `cache_dir`, else
    KERAS_HOME, else ~/.keras."""
    return pathlib.Path(cache_dir or os.environ.get("KERAS_HOME") or pathlib.Path.home() / ".keras")
