"""The command line: the README's main job on a tiny budget, and its errors."""

import json
import subprocess
import sys

import keras
from PIL import Image


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


def test_errors_are_one_line(tmp_path):
    result = ganzoo("sample", str(tmp_path / "missing.keras"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("ganzoo: error: no model file")
    assert "Traceback" not in result.stderr
