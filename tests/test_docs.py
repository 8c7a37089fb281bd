"""The documentation site: it builds with warnings as errors (a broken link, a page
missing from the navigation, a bad docstring reference), every public name of the API
has its entry, and its pages open in headless Chromium with every image loaded and no
console error. The build reads the sources (griffe), so no backend starts."""

import importlib
import inspect
import pathlib
import re
import subprocess
import sys

import pytest
from helpers import open_in_browser

ROOT = pathlib.Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.one_backend

# The public API: ganzoo's top-level names and the public names of the modules it
# exposes (their `__all__`, or every function and class a module defines).
API_MODULES = (
    "ganzoo.data",
    "ganzoo.metrics",
    "ganzoo.losses",
    "ganzoo.callbacks",
    "ganzoo.schedules",
    "ganzoo.latents",
)
TOP_LEVEL = {  # ganzoo.NAME -> where the reference documents it
    "GAN": "ganzoo.models.GAN",
    "DCGAN": "ganzoo.models.DCGAN",
    "ConditionalGAN": "ganzoo.models.ConditionalGAN",
    "Pix2Pix": "ganzoo.models.Pix2Pix",
    "CycleGAN": "ganzoo.models.CycleGAN",
    "UNet": "ganzoo.models.UNet",
    "from_preset": "ganzoo.models.from_preset",
    "save_preset": "ganzoo.presets.save_preset",
    "upload_preset": "ganzoo.zoo.hub.upload_preset",
    "load_recipe": "ganzoo.zoo.recipes.load_recipe",
    "export": "ganzoo.zoo.export.export",
}


def public_names(module_name):
    module = importlib.import_module(module_name)
    if hasattr(module, "__all__"):
        names = module.__all__
    else:
        names = [
            name
            for name, value in vars(module).items()
            if not name.startswith("_")
            and (inspect.isfunction(value) or inspect.isclass(value))
            and value.__module__ == module_name
        ]
    return [f"{module_name}.{name}" for name in names if not name.isupper()]  # not constants


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": ""},
    )
    assert build.returncode == 0, build.stderr[-3000:]
    return folder


def test_the_site_builds_strictly_with_every_page(site):
    """Cost: ~5 s (the build)."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert len(pages) >= 30, pages
    for page in ("index.html", "guide/use.html", "api/models.html", "ARCHITECTURE.html"):
        assert page in pages
    notebooks = sorted((ROOT / "tutorials").glob("*.ipynb"))
    for notebook in notebooks:
        assert f"tutorials/{notebook.stem}.html" in pages


def test_every_public_name_has_its_entry_in_the_api_reference(site):
    """An entry is rendered only for a name with a docstring (`show_if_no_docstring:
    false`), so a public name without one fails here too."""
    import ganzoo

    assert set(TOP_LEVEL) | {"callbacks", "data", "losses", "metrics", "schedules"} == set(
        ganzoo.__all__
    ) - {"__version__"}
    anchors = set()
    for page in (site / "api").glob("*.html"):
        anchors |= set(re.findall(r'id="(ganzoo\.[\w.]+)"', page.read_text()))
    expected = list(TOP_LEVEL.values()) + [n for m in API_MODULES for n in public_names(m)]
    missing = [name for name in expected if name not in anchors]
    assert not missing, f"public names without an API entry: {missing}"


@pytest.mark.parametrize(
    "page", ["index.html", "api/models.html", "tutorials/01_first_gan.html", "guide/use.html"]
)
def test_pages_open_in_a_browser_without_errors(site, page, tmp_path):
    """Cost: ~2 s a page."""
    images, broken, errors = open_in_browser(site / page, tmp_path / "page.png")
    assert not broken and not errors, (broken, errors)
    if page in ("index.html", "tutorials/01_first_gan.html"):
        assert images >= 2  # samples on the home page, the notebook's figures
