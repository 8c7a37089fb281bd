"""What the build puts in the wheel: every package, the recipes, presets and digits."""

import pathlib

import pytest

from ganzoo.data.download import DownloadError, reachable_or_raise
from ganzoo.resources import presets_dir, recipes_dir

pytestmark = pytest.mark.one_backend

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPO = pathlib.Path(__file__).resolve().parents[1]


def test_pyproject_lists_every_package_of_ganzoo():
    setup = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "ganzoo").rglob("__init__.py")
    }
    mapped = {f"ganzoo.{folder}" for folder in setup["package-dir"].values()}
    assert set(setup["packages"]) == found | mapped


def test_the_shipped_files_are_found_through_the_package():
    assert (recipes_dir() / "dcgan_mnist5k.toml").is_file()
    assert (presets_dir() / "digit_classifier" / "model.weights.h5").is_file()
    assert (presets_dir() / "dcgan_mnist5k" / "metadata.json").is_file()


def test_an_unreachable_download_host_fails_at_once_with_what_to_do(unused_port):
    with pytest.raises(DownloadError, match="cannot download the mnist data set") as error:
        reachable_or_raise([f"http://127.0.0.1:{unused_port}/mnist.gz"], "mnist", "/data/mnist")
    assert "/data/mnist" in str(error.value) and "mnist5k" in str(error.value)


@pytest.fixture
def unused_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
