"""The command line: the README's main job on a tiny budget, and its errors."""

import json
import subprocess
import sys

import keras
from PIL import Image

import ganzoo as ganzoo_models
from ganzoo.cli import main


def ganzoo(*args):
    return subprocess.run(
        [sys.executable, "-m", "ganzoo.cli", "--backend", keras.backend.backend(), *args],
        capture_output=True,
        text=True,
    )


def test_train_then_sample(tmp_path):
    out = tmp_path / "run"
    result = ganzoo(
        "train",
        "--model",
        "cgan",
        "--epochs",
        "1",
        "--filters",
        "4",
        "--batch-size",
        "500",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads((out / "options.json").read_text())["backend"] == keras.backend.backend()
    assert len(json.loads((out / "history.json").read_text())["g_loss"]) == 1
    assert Image.open(out / "samples.png").size == (2 * 289, 2 * 289)  # 10x10 tiles of 28+1
    result = ganzoo(
        "sample",
        str(out / "model.keras"),
        "--n",
        "4",
        "--labels",
        "7",
        "--out",
        str(tmp_path / "sevens.png"),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "sevens.png").exists()
    result = ganzoo("eval", str(out / "model.keras"), "--n", "200", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    scores = json.loads(result.stdout.strip().splitlines()[-1])
    assert scores["data"] == "mnist5k (test split)" and scores["num_generated"] == 200
    assert scores["features"] == "digit_classifier logits" and 0 <= scores["label_accuracy"] <= 1


def test_eval_translation_model(tmp_path, capsys):
    model = ganzoo_models.Pix2Pix(
        image_size=(32, 32),
        input_channels=1,
        output_channels=1,
        generator="unet_32",
        generator_filters=2,
        discriminator_filters=2,
    )
    model.save(tmp_path / "pix2pix.keras")
    assert main(["eval", str(tmp_path / "pix2pix.keras")]) == 0
    printed = capsys.readouterr().out
    assert "font_pairs (test split)" in printed and "ssim" in printed
    assert main(["eval", str(tmp_path / "pix2pix.keras"), "--data", "mnist5k"]) == 2
    assert "does not suit a pix2pix model" in capsys.readouterr().err


def test_errors_are_one_line(tmp_path):
    result = ganzoo("sample", str(tmp_path / "missing.keras"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("ganzoo: error: no model file")
    assert "Traceback" not in result.stderr
