"""Recipes, presets and checkpoints: checked on load, written atomically, refused when damaged."""

import json
import pathlib
import shutil
import tarfile

import keras
import numpy as np
import pytest
from helpers import (
    batches,
    flipped,
    probe_inputs,
    probe_outputs,
    random_images,
    tiny_cyclegan,
    tiny_pix2pix,
)
from PIL import Image

import ganzoo
from ganzoo.callbacks import Checkpoint
from ganzoo.data.sources import download_pix2pix
from ganzoo.models import from_preset
from ganzoo.presets import PresetError, cache_key, save_preset, verify_preset
from ganzoo.resources import recipes_dir
from ganzoo.zoo import recipes, run
from ganzoo.zoo.recipes import RecipeError, load_recipe

RECIPES = sorted(recipes_dir().glob("*.toml"))
TINY_RECIPE = """
description = "tiny DCGAN"
[model]
class = "DCGAN"
filters = 4
[data]
source = "mnist5k"
batch_size = 32
[train]
epochs = 1
"""


def write_recipe(tmp_path, text):
    path = tmp_path / "recipe.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.stem)
def test_every_recipe_in_zoo_configs_is_valid(path):
    recipe = load_recipe(path.stem)
    assert recipe.name == path.stem and recipe.description
    assert recipe.model["class"] in recipes.model_families()


@pytest.mark.parametrize(
    "table, line, message",
    [
        ("[model]", "filtres = 8", "unknown key 'filtres'. Did you mean 'filters'?"),
        ("[model]", 'latent_dim = "8"', "'latent_dim' must be int; received '8'"),
        ("[data]", "batch_sise = 8", "[data] (source 'mnist5k'): unknown key 'batch_sise'"),
        ("[train]", "epoch = 3", "[train]: unknown key 'epoch'. Did you mean 'epochs'?"),
        ("[train]", "learning_rate = true", "'learning_rate' must be float"),
    ],
)
def test_a_recipe_typo_is_refused_naming_the_key(tmp_path, table, line, message):
    text = TINY_RECIPE.replace(f"{table}\n", f"{table}\n{line}\n")
    with pytest.raises(RecipeError) as error:
        load_recipe(write_recipe(tmp_path, text))
    assert message in str(error.value)
    assert str(tmp_path / "recipe.toml") in str(error.value)


def test_recipe_errors_name_what_is_missing_or_unknown(tmp_path):
    cases = {
        TINY_RECIPE + "[evaluation]\n": "unknown key 'evaluation'. Did you mean 'eval'?",
        TINY_RECIPE.replace('class = "DCGAN"', 'class = "DCGan"'): "'class' must be one of",
        TINY_RECIPE.replace('"mnist5k"', '"mnist"'): "unknown source 'mnist'",
        TINY_RECIPE.replace('source = "mnist5k"', 'source = "tfds"'): "missing key 'name'",
        TINY_RECIPE.replace("epochs = 1", ""): "[train]: missing key 'epochs'",
        TINY_RECIPE + '[eval]\ndata = "mnist5k"\nmetric = "fid"\nbetter_by = 2.0\n': (
            "'mnist5k' gives no score 'fid'. It gives: frechet_distance, kid"
        ),
    }
    for text, message in cases.items():
        with pytest.raises(RecipeError) as error:
            load_recipe(write_recipe(tmp_path, text))
        assert message in str(error.value), (message, str(error.value))
    with pytest.raises(RecipeError, match="no recipe named 'dcgan_mnist'"):
        load_recipe("dcgan_mnist")


def test_overrides_are_checked_like_the_file(tmp_path):
    path = write_recipe(tmp_path, TINY_RECIPE)
    recipe = load_recipe(path, {"train.epochs": 3, "model.filters": 2})
    assert recipe.train.epochs == 3 and recipe.model["filters"] == 2
    assert recipes.parse_override("data.batch_size=16") == ("data.batch_size", 16)
    assert recipes.parse_override("model.norm=instance") == ("model.norm", "instance")
    with pytest.raises(RecipeError, match="unknown key 'filter'"):
        load_recipe(path, {"model.filter": 2})


def tiny_models():
    return {
        "dcgan": lambda: ganzoo.ConditionalGAN(filters=2, seed=1),
        "pix2pix": lambda: tiny_pix2pix(seed=1),
        "cyclegan": lambda: tiny_cyclegan(seed=1),
    }


@pytest.mark.parametrize("kind", tiny_models())
def test_a_preset_round_trips(tmp_path, kind):
    model = tiny_models()[kind]()
    folder = save_preset(model, tmp_path / "tiny", {"description": "tiny"})
    assert sorted(p.name for p in folder.iterdir()) == [
        "config.json",
        "metadata.json",
        "model.weights.h5",
    ]
    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata["class_name"] == type(model).__name__ and metadata["description"] == "tiny"
    assert metadata["parameters"]["total"] == sum(
        int(np.prod(w.shape)) for w in model.trainable_weights
    )
    restored = from_preset(folder)
    assert type(restored) is type(model) and restored.get_config() == model.get_config()
    inputs = probe_inputs(model)
    np.testing.assert_allclose(probe_outputs(restored, inputs), probe_outputs(model, inputs))
    assert restored.preset_metadata == metadata
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save_preset(model, folder)


@pytest.fixture(scope="module")
def tiny_preset(tmp_path_factory):
    return save_preset(tiny_models()["dcgan"](), tmp_path_factory.mktemp("presets") / "tiny")


def damaged_copy(tiny_preset, tmp_path, damage):
    folder = pathlib.Path(shutil.copytree(tiny_preset, tmp_path / "damaged"))
    damage(folder)
    return folder


def flip_a_byte(path):
    path.write_bytes(flipped(path.read_bytes()))


def truncate(path):
    path.write_bytes(path.read_bytes()[:-100])


@pytest.mark.parametrize(
    "damage, message",
    [
        (
            lambda f: flip_a_byte(f / "model.weights.h5"),
            "model.weights.h5 fails its checksum: it is altered",
        ),
        (
            lambda f: truncate(f / "model.weights.h5"),
            "model.weights.h5 fails its checksum: it is truncated",
        ),
        (lambda f: (f / "config.json").write_text("{}"), "config.json fails its checksum"),
        (lambda f: (f / "model.weights.h5").unlink(), "model.weights.h5 is missing"),
        (lambda f: (f / "metadata.json").unlink(), "metadata.json is missing"),
        (lambda f: truncate(f / "metadata.json"), "metadata.json is not valid JSON"),
    ],
    ids=["altered", "truncated", "config", "missing-weights", "missing-metadata", "bad-json"],
)
def test_a_damaged_preset_is_refused_naming_the_file(tiny_preset, tmp_path, damage, message):
    folder = damaged_copy(tiny_preset, tmp_path, damage)
    with pytest.raises(PresetError) as error:
        from_preset(folder)
    assert message in str(error.value)
    assert "again" in str(error.value)  # says what to do


def test_a_preset_downloads_once_with_its_hash_checked(tiny_preset, tmp_path):
    cache = tmp_path / "cache"
    model = from_preset(tiny_preset.as_uri(), cache_dir=cache)
    cached = cache / "ganzoo_presets" / cache_key(tiny_preset.as_uri())
    assert (
        verify_preset(cached)["files"]
        == json.loads((tiny_preset / "metadata.json").read_text())["files"]
    )
    assert model.get_config() == from_preset(tiny_preset).get_config()
    # A server whose weights do not match the metadata it serves is refused.
    served = damaged_copy(tiny_preset, tmp_path, lambda f: flip_a_byte(f / "model.weights.h5"))
    with pytest.raises(ValueError, match="orrupted|hash"):
        from_preset(served.as_uri(), cache_dir=tmp_path / "cache2")


def test_unknown_preset_names_the_shipped_ones():
    with pytest.raises(PresetError, match="not one of the shipped presets"):
        from_preset("dcgan_celeba_4096")


def test_checkpoint_resumes_exactly_where_it_stopped(tmp_path):
    images = random_images(16, (28, 28, 1))

    def run(epochs, folder):
        keras.utils.set_random_seed(0)
        model = ganzoo.DCGAN(filters=2, seed=0)
        model.compile()
        model.fit(batches(images), epochs=epochs, callbacks=[Checkpoint(folder)], verbose=0)
        return model

    straight = run(3, tmp_path / "straight")
    run(1, tmp_path / "interrupted")  # stopped after one epoch
    state = json.loads((tmp_path / "interrupted" / "state.json").read_text())
    assert state == {"epoch": 1, "weights": "epoch_0001.weights.h5"}
    resumed = run(3, tmp_path / "interrupted")  # a new process builds the model, resumes
    assert int(resumed.optimizer.optimizers["g_optimizer"].iterations) == 3 * 2
    inputs = probe_inputs(straight)
    np.testing.assert_allclose(
        probe_outputs(resumed, inputs), probe_outputs(straight, inputs), atol=1e-5
    )
    assert sorted(p.name for p in (tmp_path / "interrupted").iterdir()) == [
        "epoch_0003.weights.h5",
        "state.json",
    ]


def test_pix2pix_download_unpacks_and_checks_the_hash(tmp_path):
    source = tmp_path / "server" / "facades"
    (source / "train").mkdir(parents=True)
    pair = np.zeros((8, 16, 3), np.uint8)
    Image.fromarray(pair).save(source / "train" / "1.jpg")
    archive = tmp_path / "server" / "facades.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source, arcname="facades")
    url = (tmp_path / "server").as_uri() + "/{name}.tar.gz"
    digest = ganzoo.presets.sha256(archive)
    folder = download_pix2pix("facades", digest, tmp_path / "cache", url=url)
    assert (folder / "train" / "1.jpg").is_file()
    with pytest.raises(ValueError, match="orrupted|hash"):
        download_pix2pix("facades", "0" * 64, tmp_path / "cache2", url=url)
    with pytest.raises(ValueError, match="Unknown pix2pix data set 'facade'"):
        download_pix2pix("facade")


def side_by_side_archive(server, name, count=2, size=36):
    """A pix2pix-style archive: NAME/train/i.jpg, each A | B side by side."""
    folder = server / name / "train"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        pair = rng.integers(0, 256, (size, 2 * size, 3), dtype=np.uint8)
        Image.fromarray(pair).save(folder / f"{i}.jpg")
    with tarfile.open(server / f"{name}.tar.gz", "w:gz") as tar:
        tar.add(server / name, arcname=name)


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


def test_a_family_refuses_another_familys_preset_naming_both():
    with pytest.raises(PresetError, match="dcgan_mnist5k holds a DCGAN, not a Pix2Pix"):
        ganzoo.Pix2Pix.from_preset("dcgan_mnist5k")
    conditional = ganzoo.DCGAN.from_preset("cgan_mnist5k")  # a ConditionalGAN is a DCGAN
    assert type(conditional) is ganzoo.ConditionalGAN


def test_load_weights_false_builds_the_architecture_only(tiny_preset, tmp_path):
    trained = ganzoo.ConditionalGAN.from_preset(tiny_preset)
    fresh = ganzoo.ConditionalGAN.from_preset(tiny_preset, load_weights=False)
    assert fresh.get_config() == trained.get_config()
    assert not np.allclose(fresh.generator.get_weights()[0], trained.generator.get_weights()[0])
    again = trained.save_to_preset(tmp_path / "again")
    assert verify_preset(again)["class_name"] == "ConditionalGAN"


def test_a_url_preset_loads_offline_from_its_cache(tiny_preset, tmp_path):
    served = pathlib.Path(shutil.copytree(tiny_preset, tmp_path / "server" / "tiny"))
    url = served.as_uri()
    online = from_preset(url, cache_dir=tmp_path / "cache")
    assert cache_key(url) != cache_key(url.replace("server", "mirror"))  # per whole URL
    shutil.rmtree(served)  # the server is gone
    offline = from_preset(url, cache_dir=tmp_path / "cache")
    np.testing.assert_allclose(
        offline.generate(2, labels=[1, 2], seed=0), online.generate(2, labels=[1, 2], seed=0)
    )
    with pytest.raises(PresetError, match="never downloaded before"):
        from_preset(url, cache_dir=tmp_path / "empty_cache")
