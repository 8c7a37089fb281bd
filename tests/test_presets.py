"""Presets: written atomically, loaded on any backend, refused when damaged, downloaded once."""

import json
import pathlib
import shutil

import numpy as np
import pytest
from helpers import (
    flipped,
    probe_inputs,
    probe_outputs,
    tiny,
)

import ganzoo
from ganzoo.models import from_preset
from ganzoo.presets import PresetError, cache_key, save_preset, verify_preset

pytestmark = pytest.mark.every_backend


@pytest.mark.parametrize("family", ["cgan", "pix2pix", "cyclegan"])
def test_a_preset_round_trips(tmp_path, family):
    model = tiny(family, seed=1)
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
    return save_preset(tiny("cgan", seed=1), tmp_path_factory.mktemp("presets") / "tiny")


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
