"""Presets on the model hubs: upload, then load back, with the real huggingface_hub and
kagglehub clients talking to hubs served on 127.0.0.1 (tests/hub_servers.py)."""

import contextlib
import time

import numpy as np
import pytest
from helpers import flipped, tiny
from hub_servers import HuggingFaceHub, KaggleHub

import ganzoo
from ganzoo.presets import PresetError, save_preset

pytestmark = pytest.mark.one_backend

pytest.importorskip("huggingface_hub")
pytest.importorskip("kagglehub")


@pytest.fixture(scope="module")
def preset(tmp_path_factory):
    model = tiny("dcgan", seed=1)
    metadata = {"description": "tiny DCGAN", "recipe": {"data": {"source": "mnist5k"}}}
    return save_preset(model, tmp_path_factory.mktemp("hub") / "tiny", metadata)


@contextlib.contextmanager
def hugging_face(monkeypatch, tmp_path):  # tmp_path: the signature kaggle() needs
    with HuggingFaceHub() as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)  # read when huggingface_hub is imported
        import huggingface_hub.constants

        monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", hub.endpoint)
        monkeypatch.setenv("HF_TOKEN", "hf_test_token")
        yield hub


@contextlib.contextmanager
def kaggle(monkeypatch, tmp_path):
    monkeypatch.setenv("KAGGLE_USERNAME", "tester")
    monkeypatch.setenv("KAGGLE_KEY", "test-key")
    monkeypatch.setenv("KAGGLEHUB_CACHE", str(tmp_path / "kagglehub"))
    # kagglesdk's local endpoints: http://localhost (LOCALHOST) or :7777 (TEST); CI runs
    # the backends side by side, so both may be taken for a moment by another run's hub.
    for attempt in range(120):
        try:
            hub = KaggleHub(port=(80, 7777)[attempt % 2])
            break
        except OSError:
            time.sleep(0.5)
    else:
        raise OSError("ports 80 and 7777 stayed busy for a minute: no local Kaggle hub")
    monkeypatch.setenv("KAGGLE_API_ENVIRONMENT", "LOCALHOST" if attempt % 2 == 0 else "TEST")
    with hub:
        yield hub


def same_generator(a, b):
    np.testing.assert_allclose(a.generate(4, seed=0), b.generate(4, seed=0), atol=1e-6)


@pytest.mark.parametrize(
    "hub, handle",
    [(hugging_face, "hf://tester/tiny-dcgan"), (kaggle, "kaggle://tester/tiny-dcgan/keras/v1")],
    ids=["hf", "kaggle"],
)
def test_a_preset_goes_to_a_hub_and_comes_back_checked(preset, hub, handle, monkeypatch, tmp_path):
    with hub(monkeypatch, tmp_path) as server:
        assert ganzoo.upload_preset(handle, preset) == handle
        uploaded = server.stored()[0]
        assert {
            "config.json",
            "model.weights.h5",
            "metadata.json",
            "README.md",
            "sample.png",
        } <= set(uploaded)
        card = uploaded["README.md"].decode()
        assert f'ganzoo.DCGAN.from_preset("{handle}")' in card
        assert "CC BY-SA 3.0" in card  # the licence of mnist5k, the training data
        assert uploaded["sample.png"].startswith(b"\x89PNG")

        loaded = ganzoo.DCGAN.from_preset(handle, cache_dir=tmp_path / "cache")
        same_generator(loaded, ganzoo.from_preset(preset))
        with pytest.raises(PresetError, match="holds a DCGAN, not a CycleGAN"):
            ganzoo.CycleGAN.from_preset(handle, cache_dir=tmp_path / "cache")

        # A file altered on the hub is refused, whatever the hub said about it.
        for files in server.stored():
            files["model.weights.h5"] = flipped(files["model.weights.h5"])
        with pytest.raises(PresetError, match="model.weights.h5 fails its checksum"):
            ganzoo.from_preset(handle, cache_dir=tmp_path / "fresh_cache")
    # The hub is gone: the copy downloaded before is used.
    same_generator(ganzoo.from_preset(handle, cache_dir=tmp_path / "cache"), loaded)


def test_an_unreachable_hub_that_was_never_reached_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KAGGLE_API_ENVIRONMENT", "TEST")  # nothing listens on :7777
    monkeypatch.setenv("KAGGLEHUB_CACHE", str(tmp_path / "kagglehub"))
    with pytest.raises(PresetError, match="cannot download kaggle://nobody/x/keras/y"):
        ganzoo.from_preset("kaggle://nobody/x/keras/y", cache_dir=tmp_path / "cache")


def test_uploading_needs_a_hub_handle_and_a_whole_preset(preset, tmp_path):
    with pytest.raises(PresetError, match="give hf://owner/name"):
        ganzoo.upload_preset("https://example.com/x", preset)
    with pytest.raises(PresetError, match="metadata.json is missing"):
        ganzoo.upload_preset("hf://tester/x", tmp_path)
