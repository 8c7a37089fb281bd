"""The command line: a recipe trained on a tiny budget, then sampled, scored, listed; errors."""

import argparse
import json
import subprocess
import sys

import keras
import numpy as np
import pytest
from PIL import Image

import ganzoo as ganzoo_models
from ganzoo.cli import command_line, main, parse_args

pytestmark = pytest.mark.every_backend


def ganzoo(*args):
    return subprocess.run(
        [sys.executable, "-m", "ganzoo.cli", "--backend", keras.backend.backend(), *args],
        capture_output=True,
        text=True,
    )


def test_train_a_recipe_then_sample_and_eval_its_preset(tmp_path, capsys):
    out = tmp_path / "run"
    result = ganzoo(
        "train",
        "cgan_mnist5k",
        "--epochs",
        "1",
        "--set",
        "train.steps_per_epoch=2",
        "--set",
        "model.filters=4",
        "--set",
        "eval.num_samples=100",
        "--set",
        "eval.better_by=0.5",  # two steps make no claim good; a failed claim exits 1
        "--set",
        "eval.within_floor=1e9",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "label_accuracy:" in result.stdout and "untrained" in result.stdout
    metadata = json.loads((out / "preset" / "metadata.json").read_text())
    assert metadata["training"]["backend"] == keras.backend.backend()
    assert metadata["recipe"]["train"]["steps_per_epoch"] == 2
    assert metadata["scores"]["num_generated"] == 100
    assert set(metadata["claim"]) >= {"trained", "untrained", "better_by", "holds"}
    assert (out / "history.csv").read_text().count("\n") == 2  # header and one epoch
    assert Image.open(out / "samples.png").size == (2 * 289, 2 * 289)  # 10x10 tiles of 28+1
    assert (out / "samples" / "epoch_001.png").exists()
    assert json.loads((out / "checkpoint" / "state.json").read_text())["epoch"] == 1

    # In this process: the preset written by the other one loads on this backend.
    sevens = tmp_path / "sevens.png"
    assert (
        main(["sample", str(out / "preset"), "--n", "4", "--labels", "7", "--out", str(sevens)])
        == 0
    )
    assert sevens.exists()
    capsys.readouterr()
    assert main(["eval", str(out / "preset"), "--n", "100", "--json"]) == 0
    scores = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for key in ("frechet_distance", "kid", "label_accuracy"):
        assert np.isclose(scores[key], metadata["scores"][key], rtol=1e-3), key
    assert main(["eval", str(out / "preset"), "--n", "100", "--split", "validation", "--json"]) == 0
    validation = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert validation["data"] == "mnist5k (validation split)"
    assert validation["frechet_distance"] != scores["frechet_distance"]


def test_translate_and_eval_a_translation_preset(tmp_path, capsys):
    model = ganzoo_models.Pix2Pix(
        image_size=(32, 32),
        input_channels=1,
        output_channels=3,
        generator="unet_32",
        generator_filters=2,
        discriminator_filters=2,
    )
    ganzoo_models.save_preset(model, tmp_path / "preset")
    images = tmp_path / "images"
    images.mkdir()
    Image.fromarray(np.full((20, 36, 3), 200, np.uint8)).save(images / "a.png")
    Image.fromarray(np.zeros((32, 32), np.uint8)).save(images / "b.jpg")
    assert (
        main(["translate", str(tmp_path / "preset"), str(images), "--out", str(tmp_path / "out")])
        == 0
    )
    assert Image.open(tmp_path / "out" / "a.png").size == (36, 20)  # any size, padded
    assert Image.open(tmp_path / "out" / "b.png").mode == "RGB"
    assert (
        main(
            [
                "translate",
                str(tmp_path / "preset"),
                str(images),
                "--direction",
                "BtoA",
                "--out",
                str(tmp_path / "out"),
            ]
        )
        == 2
    )
    assert "Pix2Pix translates one way" in capsys.readouterr().err
    assert main(["sample", str(tmp_path / "preset")]) == 2
    assert "use `ganzoo translate`" in capsys.readouterr().err

    model.save(tmp_path / "pix2pix.keras")
    assert main(["eval", str(tmp_path / "pix2pix.keras"), "--data", "photo_colorize"]) == 0
    printed = capsys.readouterr().out
    assert "photo_colorize (test split)" in printed and "ssim" in printed
    assert main(["eval", str(tmp_path / "pix2pix.keras"), "--data", "mnist5k"]) == 2
    assert "does not suit a pix2pix model" in capsys.readouterr().err


@pytest.mark.one_backend
def test_list_and_dry_run(capsys):
    assert main(["list"]) == 0
    printed = capsys.readouterr().out
    for name in ganzoo_models.presets.shipped_presets():
        assert name in printed
    assert (
        main(["train", "gan_mnist5k", "--dry-run", "--epochs", "2", "--set", "data.batch_size=8"])
        == 0
    )
    resolved = json.loads(capsys.readouterr().out)
    assert resolved["train"]["epochs"] == 2 and resolved["data"]["batch_size"] == 8


def test_errors_are_one_line(tmp_path, capsys):
    (tmp_path / "typo.toml").write_text(
        'description = "x"\n[model]\nclass = "DCGAN"\nfilter = 8\n'
        '[data]\nsource = "mnist5k"\n[train]\nepochs = 1\n'
    )
    result = ganzoo("train", str(tmp_path / "typo.toml"))  # as a user runs it
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        f"ganzoo: error: {tmp_path / 'typo.toml'} [model] (DCGAN): unknown key 'filter'. "
        "Did you mean 'filters'? Known keys: adversarial_loss, diff_augment, "
        "discriminator_norm, discriminator_steps, ema_decay, filters, generator_norm, "
        "gradient_penalty_weight, image_shape, init, instance_noise, instance_noise_steps, "
        "label_smoothing, latent_dim, num_classes, r1_weight, seed, spectral_norm, "
        "upsampling."
    )
    assert "Traceback" not in result.stderr
    for args, message in [
        (["sample", str(tmp_path / "missing.keras")], "no model file"),
        (["sample", "no_such_preset"], "no preset 'no_such_preset'"),
        (["train", "dcgan_mnist5k", "--set", "train.epochs"], "write table.key=value"),
        (["train", "pix2pix_facades", "--epochs", "2"], "decay_epochs (100) is more than"),
        (["train", "dcgan_mnist5k", "--worker-index", "0"], "--cluster and --worker-index go"),
        (
            ["train", "dcgan_mnist5k", "--cluster", "127.0.0.1:1,127.0.0.1:2"]
            + ["--worker-index", "2"],
            "--worker-index 2 is not in the --cluster of 2 workers",
        ),
    ]:
        assert main(args) == 2, args
        error = capsys.readouterr().err.strip()
        assert error.startswith("ganzoo: error:") and "\n" not in error and message in error


@pytest.mark.one_backend
def test_help_list_and_argument_errors_start_no_backend():
    script = (
        "import sys\n"
        "from ganzoo.cli import main\n"
        "for argv in (['--help'], ['list'], ['train']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = {'tensorflow', 'keras', 'jax', 'torch'} & set(sys.modules)\n"
        "print('imported:', sorted(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "imported: []" in result.stdout, result.stdout + result.stderr
    assert "cgan_mnist5k" in result.stdout and "pix2pix_maps" in result.stdout  # list


@pytest.mark.one_backend
def test_cluster_addresses_are_checked(capsys):
    assert parse_args(["train", "x", "--cluster", "10.0.0.1:1234,host:99"]).cluster == [
        "10.0.0.1:1234",
        "host:99",
    ]
    for text, message in [
        ("10.0.0.1:1234", "names one worker"),
        ("10.0.0.1:1234,host", "received 'host'"),
        ("10.0.0.1:99999,a:1", "HOST:PORT"),
    ]:
        with pytest.raises(SystemExit):
            parse_args(["train", "x", "--cluster", text])
        assert message in capsys.readouterr().err


@pytest.mark.one_backend
def test_backend_is_taken_before_or_after_the_command():
    assert parse_args(["train", "gan_mnist5k", "--backend", "jax"]).backend == "jax"
    assert parse_args(["--backend", "torch", "sample", "gan_mnist5k"]).backend == "torch"
    assert not hasattr(parse_args(["list"]), "backend")


@pytest.mark.one_backend
def test_every_argument_of_every_command_has_help_with_its_default():
    commands = command_line()._subparsers._group_actions[0].choices
    for name, command in commands.items():
        for action in command._actions:
            where = f"ganzoo {name} {'/'.join(action.option_strings) or action.dest}"
            assert action.help, f"{where} has no help"
            if action.default not in (None, argparse.SUPPRESS, False, [], "==SUPPRESS=="):
                assert "default" in action.help, f"{where}: its help does not say the default"
