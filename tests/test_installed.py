"""The product as a user gets it: the wheel, installed (not editable) into a fresh virtual
environment in a folder outside the checkout, run from there.

Slow (a few minutes, most of it pip installing TensorFlow from its cache), and run once,
on TensorFlow: the installed package is the same for every backend.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

REPO = pathlib.Path(__file__).resolve().parents[1]
CONSTRAINTS = REPO / ".ci" / "constraints.txt"

pytestmark = [
    pytest.mark.one_backend,
    pytest.mark.slow,
]


def run(command, cwd, env=None, timeout=600):
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{command} exited {result.returncode}:\n{result.stderr}"
    return result


def source_copy(folder):
    """The checkout's files as git sees them (no build/ left over from another build)."""
    listed = run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], REPO)
    for name in listed.stdout.splitlines():
        if (REPO / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def user(tmp_path_factory):
    """(bin folder of the fresh venv, the user's working folder, their environment)."""
    root = tmp_path_factory.mktemp("user")
    assert REPO not in root.parents
    wheels, source = root / "wheels", source_copy(root / "source")
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", source, "-w", wheels], root)
    (wheel,) = wheels.glob("ganzoo-*.whl")
    print(f"\nwheel: {wheel.name}, {wheel.stat().st_size / 1e6:.1f} MB")
    assert wheel.stat().st_size < 50e6  # 43.4 MB: the presets hold G and its moving average
    run([sys.executable, "-m", "venv", root / "venv"], root)
    bin = root / "venv" / "bin"
    start = time.perf_counter()
    run([bin / "pip", "install", "-q", "-c", CONSTRAINTS, wheel], root)
    print(f"fresh venv install from the wheel: {time.perf_counter() - start:.0f} s")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(KERAS_BACKEND="tensorflow", KERAS_HOME=str(root / "keras_home"))
    env["PATH"] = f"{bin}{os.pathsep}{env['PATH']}"
    work = root / "work"
    work.mkdir()
    return bin, work, env


def ganzoo(user, *args):
    bin, work, env = user
    return run([bin / "ganzoo", *args], work, env)


def test_the_package_is_the_installed_one(user):
    bin, work, env = user
    where = run([bin / "python", "-c", "import ganzoo; print(ganzoo.__file__)"], work, env)
    assert str(bin.parent) in where.stdout and str(REPO) not in where.stdout


def test_help_and_list_answer_without_a_backend(user):
    assert "train" in ganzoo(user, "--help").stdout
    listing = ganzoo(user, "list").stdout
    assert "dcgan_mnist5k" in listing and "pix2pix_maps" in listing  # presets and recipes


def test_sample_eval_train_and_export_work_from_the_wheel(user):
    _, work, _ = user
    ganzoo(user, "sample", "dcgan_mnist5k", "--out", "grid.png")
    assert (work / "grid.png").stat().st_size > 0
    scores = json.loads(ganzoo(user, "eval", "cgan_mnist5k", "--json").stdout)
    assert scores["label_accuracy"] > 0.9
    ganzoo(
        user,
        "train",
        "dcgan_mnist5k",
        "--epochs",
        "1",
        "--set",
        "train.steps_per_epoch=2",
        "--set",
        "eval.better_by=0.5",  # two steps make no claim good; a failed claim exits 1
        "--set",
        "eval.within_floor=1e9",
        "--out",
        "run",
    )
    assert (work / "run" / "preset" / "metadata.json").is_file()
    ganzoo(user, "export", "gan_mnist5k", "--out", "serving")
    assert (work / "serving" / "1" / "saved_model.pb").is_file()


def test_the_python_api_works_from_the_wheel(user):
    bin, work, env = user
    script = (
        "import ganzoo\n"
        "from ganzoo import metrics\n"
        "model = ganzoo.DCGAN.from_preset('dcgan_mnist5k')\n"
        "recipe = ganzoo.load_recipe('pix2pix_maps')\n"
        "features = metrics.digit_features()(model.generate(8, seed=0))\n"
        "print(type(model).__name__, recipe.name, tuple(features.shape))\n"
    )
    output = run([bin / "python", "-c", script], work, env).stdout
    assert "DCGAN pix2pix_maps (8, 10)" in output


def test_a_tfds_source_imports_and_fails_fast_without_network(user):
    bin, work, env = user
    script = (
        "import time\n"
        "from ganzoo.data import tfds_images\n"
        "from ganzoo.data.download import DownloadError\n"
        "start = time.perf_counter()\n"
        "try:\n"
        "    tfds_images('mnist', data_dir='tfds', batch_size=8)\n"
        "    print('downloaded')\n"  # a machine with network
        "except DownloadError as error:\n"
        "    print(f'offline in {time.perf_counter() - start:.0f} s:', error)\n"
    )
    output = run([bin / "python", "-c", script], work, env).stdout
    assert "downloaded" in output or "cannot download the mnist data set" in output
    if "offline" in output:
        assert float(output.split("offline in ")[1].split(" s")[0]) < 30


def test_the_readme_first_command_shows_digits_in_minutes(user):
    """The README's first command, after its install, from the wheel: it exits 0 within
    minutes (about two on 2 CPU cores; the limit leaves room for slower machines) and
    writes samples that are not flat, its report page and a preset whose claim holds.
    Cost: ~2 minutes."""
    _, work, env = user
    readme = (REPO / "README.md").read_text()
    first = next(line for line in readme.splitlines() if line.startswith("python3 -m venv"))
    command = first.split("&& ganzoo ", 1)[1].split()
    start = time.perf_counter()
    ganzoo(user, *command)
    seconds = time.perf_counter() - start
    print(f"the README's first command: {seconds:.0f} s")
    assert seconds < 6 * 60
    out = work / command[command.index("--out") + 1]
    samples = np.asarray(Image.open(out / "samples.png").convert("L"), np.float32) / 255
    assert samples.std() > 0.2  # ink on paper, not a grey square (~0.3 for digits)
    assert (out / "index.html").is_file()
    assert json.loads((out / "preset" / "metadata.json").read_text())["claim"]["holds"]
