"""Writes tests/data/pretrained_outputs.npz: each shipped preset's reference outputs,
computed on TensorFlow; test_pretrained checks every backend against them.

    KERAS_BACKEND=tensorflow python tests/data/make_pretrained_outputs.py
"""

import pathlib
import sys

import keras
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from helpers import preset_reference_outputs  # noqa: E402

from ganzoo.models import from_preset  # noqa: E402
from ganzoo.presets import shipped_presets  # noqa: E402

if keras.backend.backend() != "tensorflow":
    sys.exit("run with KERAS_BACKEND=tensorflow: the references are TensorFlow's outputs")
outputs = {name: preset_reference_outputs(from_preset(name)) for name in shipped_presets()}
path = pathlib.Path(__file__).with_name("pretrained_outputs.npz")
np.savez_compressed(path, **outputs)
print(f"wrote {path}: " + ", ".join(f"{k} {v.shape}" for k, v in outputs.items()))
