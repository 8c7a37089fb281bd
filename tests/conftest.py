import os
import pathlib
import sys
import tempfile

# The repository's root, for the benchmarks some slow tests share (`pytest` puts only
# tests/ on the path; `python -m pytest` puts the working folder too).
sys.path.insert(0, str(pathlib.Path(__file__).parents[1]))

# On JAX every new model compiles its steps, and the tests build the same tiny models
# again and again (and in subprocesses): one compilation cache for the run cuts the JAX
# job by about a quarter. Set before Keras imports JAX; subprocesses inherit it.
os.environ.setdefault(
    "JAX_COMPILATION_CACHE_DIR", os.path.join(tempfile.gettempdir(), "ganzoo-jax-cache")
)
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.2")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "-1")

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _seeded():
    keras.utils.set_random_seed(0)
