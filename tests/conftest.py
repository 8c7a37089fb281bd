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


# Where each test runs. CI runs the quick and the slow lane under each backend; a test
# whose outcome does not depend on the backend (parsing, files, packaging, static
# checks, NumPy-only code, TensorFlow-only export) or that launches every backend itself
# runs in one lane only, the TensorFlow one (plain `pytest`). Every test module states
# its default in `pytestmark`, `pytest.mark.every_backend` or `pytest.mark.one_backend`,
# and a test may state the other for itself; a module that states neither stops the
# collection, so a new test module cannot land in the wrong lanes by omission.
def pytest_xdist_auto_num_workers(config):
    """`-n auto` (pyproject.toml's addopts): the whole suite (`pytest`, `pytest -m slow`)
    runs in one worker per core; named files or tests run in this process, where a
    worker per core would start TensorFlow each for a few tests. CI runs each lane with
    `-n 0` (its lanes run two at a time)."""
    if config.args_source == pytest.Config.ArgsSource.ARGS:
        return 0
    return len(os.sched_getaffinity(0))


LANES = ("every_backend", "one_backend")
HOME_BACKEND = "tensorflow"


def lane_of(item):
    """The closest lane mark of a test (its own, else its module's), or None."""
    return next((m.name for m in item.iter_markers() if m.name in LANES), None)


def pytest_collection_modifyitems(config, items):
    unmarked = sorted({item.path.name for item in items if lane_of(item) is None})
    if unmarked:
        raise pytest.UsageError(
            f"{', '.join(unmarked)}: set pytestmark = pytest.mark.every_backend (the test "
            "exercises backend code) or pytest.mark.one_backend (it does not, or it runs "
            "every backend itself): tests/conftest.py says why."
        )
    if keras.backend.backend() == HOME_BACKEND:
        return
    elsewhere = [item for item in items if lane_of(item) == "one_backend"]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if lane_of(item) != "one_backend"]
