"""Training runs: a recipe trains with fit and writes its preset, on real sources."""

import pytest
from helpers import (
    side_by_side_archive,
)

from ganzoo.models import from_preset
from ganzoo.zoo import run
from ganzoo.zoo.recipes import load_recipe

TINY_TRANSLATOR = {
    "model.image_size": [32, 32],
    "model.generator_filters": 2,
    "model.discriminator_filters": 2,
    "data.load_size": 36,
    "data.batch_size": 2,
    "train.decay_epochs": 1,
}


@pytest.mark.parametrize(
    "name, overrides",
    [
        ("dcgan_celeba64", {"model.filters": 2, "data.batch_size": 4}),
        ("cgan_mnist", {"model.filters": 2, "data.batch_size": 4, "eval.num_samples": 40}),
        ("pix2pix_facades", {**TINY_TRANSLATOR, "model.generator": "unet_32"}),
        ("cyclegan_horse2zebra", {**TINY_TRANSLATOR, "model.generator": "resnet_1blocks"}),
    ],
)
def test_a_paper_recipe_trains_on_mock_downloads(tmp_path, monkeypatch, name, overrides):
    """Each kind of downloaded source, on tfds' mock data or a served archive."""
    import tensorflow_datasets as tfds

    from ganzoo.data import sources

    side_by_side_archive(tmp_path / "server", "facades")
    monkeypatch.setattr(sources, "PIX2PIX_URL", (tmp_path / "server").as_uri() + "/{name}.tar.gz")
    overrides = {**overrides, "train.epochs": 1, "train.steps_per_epoch": 1}
    if name.startswith("pix2pix"):
        overrides["data.cache_dir"] = str(tmp_path / "cache")
    recipe = load_recipe(name, overrides)
    with tfds.testing.mock_data(num_examples=8):
        preset = run.train(recipe, tmp_path / "run", verbose=0)
    assert type(from_preset(preset)).__name__ == recipe.model["class"]
    assert (tmp_path / "run" / "samples.png").exists()
    assert (tmp_path / "run" / "history.csv").read_text().count("\n") == 2
