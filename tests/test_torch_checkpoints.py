"""Importing the reference's PyTorch generators: a preset whose generator gives the
reference network's outputs, on each Keras backend; other architectures refused."""

import subprocess
import sys

import numpy as np
import pytest

import ganzoo
from ganzoo.errors import InvalidArgumentError, MissingFileError, PresetError
from ganzoo.metrics import held_out_scores
from ganzoo.zoo.torch_checkpoints import import_torch

torch = pytest.importorskip("torch")  # reading a .pth needs PyTorch, on any backend

from reference_networks import ResnetGenerator, UnetGenerator, randomized  # noqa: E402

pytestmark = pytest.mark.one_backend


def unet(seed=0, output_nc=2):
    """The reference's pix2pix generator at test size: unet_32, ngf 4, batch norm."""
    return randomized(UnetGenerator(3, output_nc, num_downs=5, ngf=4, norm="batch"), seed)


def resnet(seed=0, input_nc=3, output_nc=1):
    """The reference's CycleGAN generator at test size: resnet_2blocks, instance norm."""
    network = ResnetGenerator(input_nc, output_nc, ngf=4, norm="instance", n_blocks=2)
    return randomized(network, seed)


def saved(network, path):
    torch.save(network.state_dict(), path)
    return path


def reference_outputs(network, images):
    with torch.no_grad():
        outputs = network(torch.from_numpy(images.transpose(0, 3, 1, 2)))
    return outputs.numpy().transpose(0, 2, 3, 1)


def images(channels, size=32, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (2, size, size, channels)).astype("float32")


def test_pix2pix_unet_with_batch_norm(tmp_path):
    """A U-Net with batch norm (random running statistics): eval-mode outputs equal."""
    network = unet()
    preset = import_torch(saved(network, tmp_path / "latest_net_G.pth"), "pix2pix", "unet_32",
                          out=tmp_path / "preset", image_size=32)  # fmt: skip
    model = ganzoo.from_preset(preset)
    x = images(3)
    np.testing.assert_allclose(model.translate(x), reference_outputs(network, x), atol=1e-4)
    assert model.norm == "batch" and model.output_channels == 2 and model.generator_filters == 4
    metadata = model.preset_metadata
    assert metadata["imported_from"]["checkpoint"] == "latest_net_G.pth"


def test_cyclegan_resnet_with_instance_norm_both_directions(tmp_path):
    """A ResNet generator with instance norm (reflection padding, output_padding=1
    transposed convolutions), and the other direction from a second checkpoint."""
    a_to_b, b_to_a = resnet(0, 3, 1), resnet(1, 1, 3)
    preset = import_torch(
        saved(a_to_b, tmp_path / "netG_A.pth"),
        "cyclegan",
        "resnet_2blocks",
        out=tmp_path / "preset",
        b_to_a=saved(b_to_a, tmp_path / "netG_B.pth"),
        image_size=32,
    )
    model = ganzoo.from_preset(preset)
    a, b = images(3), images(1, seed=1)
    np.testing.assert_allclose(model.translate(a), reference_outputs(a_to_b, a), atol=1e-4)
    np.testing.assert_allclose(
        model.translate(b, direction="BtoA"), reference_outputs(b_to_a, b), atol=1e-4
    )
    assert model.preset_metadata["imported_from"]["b_to_a_imported"] is True
    # The offline held-out digits are one-channel: scoring this model on them is refused.
    with pytest.raises(InvalidArgumentError, match="has images of 1 and 1 channels.*3 and 1"):
        held_out_scores(model)


def test_other_architectures_are_refused_by_name(tmp_path):
    resnet_file = saved(resnet(), tmp_path / "resnet.pth")
    unet_file = saved(unet(), tmp_path / "unet.pth")
    with pytest.raises(PresetError, match="not a unet_32 generator with instance norm: its conv"):
        import_torch(resnet_file, "pix2pix", "unet_32", out=tmp_path / "a", image_size=32)
    with pytest.raises(PresetError, match="not a resnet_3blocks generator"):
        import_torch(resnet_file, "cyclegan", "resnet_3blocks", out=tmp_path / "b")
    with pytest.raises(PresetError, match="trained with batch norm.*not norm='instance'"):
        import_torch(unet_file, "pix2pix", "unet_32", norm="instance", out=tmp_path / "c")
    with pytest.raises(MissingFileError, match="no checkpoint file"):
        import_torch(tmp_path / "missing.pth", "pix2pix")
    torch.save([1, 2], tmp_path / "list.pth")
    with pytest.raises(PresetError, match="not a state dict of tensors"):
        import_torch(tmp_path / "list.pth", "pix2pix")
    (tmp_path / "text.pth").write_text("not a checkpoint")
    with pytest.raises(PresetError, match="is not a PyTorch state dict"):
        import_torch(tmp_path / "text.pth", "pix2pix")
    assert not any((tmp_path / name).exists() for name in "abc")


@pytest.mark.slow  # ~10 s: a ganzoo command in a subprocess
def test_import_torch_command(tmp_path):
    """`ganzoo import-torch` writes the preset; `ganzoo translate` then runs it."""
    checkpoint = saved(resnet(), tmp_path / "horse2zebra.pth")
    command = [sys.executable, "-m", "ganzoo.cli", "import-torch", str(checkpoint), "--family",
               "cyclegan", "--generator", "resnet_2blocks", "--image-size", "32"]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / "horse2zebra" / "metadata.json").exists()
    assert "wrote" in run.stdout and "B -> A generator is not imported" in run.stdout
    again = subprocess.run(command, capture_output=True, text=True)
    assert again.returncode == 2 and "exists" in again.stderr.splitlines()[-1]
