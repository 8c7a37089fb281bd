"""What a careless user does, through the command line and the Python API: each gets
a one-line answer (exit status 2) and nothing already written is lost or mislabelled."""

import gc
import json
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
from helpers import random_images, tiny
from PIL import Image
from test_files import small_disk

from benchmarks.kill_resume import RECIPES, train_command
from ganzoo.callbacks import CSVHistory
from ganzoo.cli import main
from ganzoo.data import image_batches
from ganzoo.data.image_files import conversions
from ganzoo.errors import GanzooError
from ganzoo.interrupts import catch_interrupts, interrupted, raise_if_interrupted
from ganzoo.metrics import kernel_distance
from ganzoo.models import from_preset
from ganzoo.presets import save_preset
from ganzoo.zoo.recipes import load_recipe

pytestmark = pytest.mark.every_backend

# A DCGAN run of two epochs of two steps, scored on 16 samples.
QUICK_RUN = [
    *RECIPES["dcgan_mnist5k"],
    "train.epochs=2",
    "train.steps_per_epoch=2",
    "eval.num_samples=16",
    "eval.better_by=0.01",
]


def one_line_error(capsys, *fragments):
    """The command's stderr ends in one `ganzoo: error:` line holding every fragment."""
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("ganzoo: error:"), error
    for fragment in fragments:
        assert fragment in error, error
    return error


def write_image(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(array, np.uint8)).save(path)
    return path


def test_translate_keeps_inputs_that_share_a_name_apart_and_says_what_it_converts(tmp_path, capsys):
    """Two inputs named x.png in two folders give two outputs (their folders kept) and
    two rows on the page; a grayscale input to an RGB model is converted, and said so.
    A file that cannot be read is named before anything is written; a folder that
    cannot be written is one WriteError line (cost: ~2 s)."""
    preset = save_preset(tiny("pix2pix", input_channels=3), tmp_path / "preset")
    first = write_image(tmp_path / "in" / "a" / "x.png", np.full((64, 64), 30))
    second = write_image(tmp_path / "in" / "b" / "x.png", np.full((64, 64, 3), 200))
    out = tmp_path / "out"
    assert (
        main(["translate", str(preset), str(first), str(second), "--out", str(out), "--html"]) == 0
    )
    printed = capsys.readouterr()
    assert "converted 1 of 2 images: 1 grayscale to RGB" in printed.err
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.png")) == ["a/x.png", "b/x.png"]
    page = (out / "index.html").read_text()
    assert 'src="a/x.png"' in page and 'src="b/x.png"' in page
    broken = tmp_path / "y.png"
    broken.write_bytes(b"\x89PNG not really")  # after a good file: named before any write
    assert main(["translate", str(preset), str(first), str(broken), "--out", str(out / "2")]) == 2
    one_line_error(capsys, "Cannot read", "y.png")
    assert not (out / "2").exists()
    transparent = write_image(tmp_path / "rgba.png", np.full((64, 64, 4), 90))
    assert conversions([transparent, first], 1) == (
        "converted 1 of 2 images: 1 colour to grayscale (luma); 1 with transparency, dropped"
    )
    with small_disk(tmp_path, 1 << 20) as disk:
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        assert main(["translate", str(preset), str(first), "--out", str(disk / "out")]) == 2
        one_line_error(capsys, "cannot write", "read-only")
        assert main(["train", "gan_mnist5k", "--out", str(disk / "run")]) == 2
        one_line_error(capsys, "cannot write", "read-only")


def test_sample_refuses_bad_labels_outputs_and_counts_in_one_line(tmp_path, capsys):
    """Cost: ~3 s (loads two presets)."""
    with pytest.raises(SystemExit) as exit:
        main(["sample", "cgan_mnist5k", "--labels", "a"])
    assert exit.value.code == 2 and "comma-separated class ids" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["sample", "dcgan_mnist5k", "--out", str(tmp_path) + "/"])
    assert "must be a .png file to write" in capsys.readouterr().err
    assert main(["sample", "dcgan_mnist5k", "--n", "1000000000"]) == 2
    one_line_error(capsys, "1,000,000,000 images", "GiB", "ask for fewer")
    assert main(["eval", "dcgan_mnist5k", "--n", "1000000000"]) == 2
    one_line_error(capsys, "GiB", "ask for fewer")
    assert main(["translate", "pix2pix_fonts", str(tmp_path / "nofile.png"), "--out", "o"]) == 2
    one_line_error(capsys, "No image file at", "nofile.png")
    start = time.perf_counter()
    out = tmp_path / "tiny.png"
    assert (
        main(["sample", "dcgan_mnist5k", "--truncation", "1e-300", "--n", "4", "--out", str(out)])
        == 0
    )
    assert time.perf_counter() - start < 60 and out.exists()


@pytest.mark.one_backend
def test_an_unknown_backend_name_is_one_line(tmp_path):
    """Cost: ~1 s (no backend starts)."""
    env = {**os.environ, "KERAS_BACKEND": "pytorch"}
    result = subprocess.run(
        [sys.executable, "-m", "ganzoo.cli", "sample", "dcgan_mnist5k"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "ganzoo: error: KERAS_BACKEND='pytorch' is not a Keras backend ganzoo runs on; set it "
        "to one of tensorflow, jax, torch, or pass --backend."
    )


def test_a_kill_between_history_and_checkpoint_loses_no_row_and_fewer_epochs_change_nothing(
    tmp_path, monkeypatch, capsys
):
    """A kill after an epoch's history row and before its checkpoint: the resumed run
    trains that epoch again and history.csv has each epoch once. Run again with fewer
    epochs than it trained, the run folder is refused and its preset left as it was.
    Cost: ~10 s (two short runs)."""
    out = tmp_path / "run"
    argv = ["train", "dcgan_mnist5k", *(f"--set={s}" for s in QUICK_RUN), "--out", str(out)]
    written = CSVHistory.on_epoch_end

    def killed_after_the_second_row(self, epoch, logs=None):
        written(self, epoch, logs)
        if epoch == 1:
            raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(CSVHistory, "on_epoch_end", killed_after_the_second_row)
        assert main(argv) == 130
    assert "after epoch 1, step 0) is intact" in capsys.readouterr().err
    assert main(argv) == 0
    capsys.readouterr()
    with (out / "history.csv").open() as file:
        assert [line.split(",")[0] for line in file][1:] == ["1", "2"]
    metadata = (out / "preset" / "metadata.json").read_bytes()
    assert main([*argv, "--epochs", "1"]) == 2
    one_line_error(capsys, "has trained 2 epochs already", "Pass at least 2 epochs")
    assert (out / "preset" / "metadata.json").read_bytes() == metadata
    assert json.loads((out / "recipe.json").read_text())["train"]["epochs"] == 2


def test_a_preset_holds_the_models_random_state_whatever_the_global_one(tmp_path):
    """`save_preset` of one model in processes whose global random state differs (a
    resumed run's has advanced differently) writes the same random-number state, the
    model's own. Cost: ~2 s."""
    model = tiny("pix2pix", seed=0)  # dropout: seed generators of its own
    states = []
    for seed in (1, 2):
        keras.utils.set_random_seed(seed)
        preset = from_preset(save_preset(model, tmp_path / str(seed)))
        states.append([keras.ops.convert_to_numpy(v) for v in preset.seed_states()])
    expected = [keras.ops.convert_to_numpy(v) for v in model.seed_states()]
    for saved in states:
        for a, b in zip(saved, expected, strict=True):
            np.testing.assert_array_equal(a, b)


def test_held_out_batches_are_scored_without_an_update(capsys):
    """`test_on_batch` and `evaluate` log the training losses on held-out batches and
    change no variable (weights, batch-norm statistics, image pools, optimizer);
    `train_on_batch` takes arrays as `fit` does. Cost: ~8 s (five families; 16 on JAX)."""
    for family in ("gan", "dcgan", "cgan", "pix2pix", "cyclegan"):
        model = tiny(family, seed=0)
        model.compile()
        if model.kind == "generator":
            x = random_images(8, model.image_shape)
            y = np.arange(8, dtype="int32") % 3 if model.num_classes else None
        else:
            x = random_images(2, (*model.image_size, model.input_channels), seed=1)
            y = random_images(2, (*model.image_size, model.output_channels), seed=2)
        trained = model.train_on_batch(x, y, return_dict=True)
        before = [np.array(keras.ops.convert_to_numpy(v)) for v in model.variables]
        slots = [np.array(keras.ops.convert_to_numpy(v)) for v in model.optimizer.variables]
        held_out = model.test_on_batch(x, y, return_dict=True)
        # evaluate runs the same test_step in Keras' loop: for two families (compile time)
        again = family in ("gan", "pix2pix")
        evaluated = (
            model.evaluate(x, y, batch_size=len(x), verbose=0, return_dict=True)
            if again
            else model.test_on_batch(x, y, return_dict=True)
        )
        assert set(held_out) == set(trained) == set(evaluated), family
        assert all(np.isfinite(float(v)) for v in held_out.values()), (family, held_out)
        # The same batch scores the same, but for new noise: a GAN draws new latents.
        same = ["d_real"] if model.kind == "generator" else sorted(held_out)
        np.testing.assert_allclose(
            [float(held_out[k]) for k in same],
            [float(evaluated[k]) for k in same],
            rtol=1e-4,
            atol=1e-5,
            err_msg=family,
        )
        after = [keras.ops.convert_to_numpy(v) for v in model.variables]
        for a, b, v in zip(before, after, model.variables, strict=True):
            if "seed_generator" not in v.path:  # new noise is drawn, as Keras' evaluate does
                np.testing.assert_array_equal(a, b, err_msg=f"{family}: {v.path}")
        for a, v in zip(slots, model.optimizer.variables, strict=True):
            np.testing.assert_array_equal(a, keras.ops.convert_to_numpy(v), err_msg=family)


@pytest.mark.one_backend
def test_values_that_used_to_slip_through_are_refused_by_name():
    """Cost: < 1 s."""
    features = np.random.default_rng(0).normal(size=(8, 4))
    with pytest.raises(GanzooError, match="block_size must be an integer"):
        kernel_distance(features, features, block_size=2.5)
    with pytest.raises(GanzooError, match=r"unknown source \[\]"):
        load_recipe("cgan_mnist5k", {"data.source": []})
    with pytest.raises(GanzooError, match="filters must be at least 1; received 0"):
        load_recipe("cgan_mnist5k", {"model.filters": 0})
    assert load_recipe("cyclegan_digits_typeset", {"model.pool_size": 0}).model["pool_size"] == 0
    with pytest.raises(GanzooError, match="labels must be integer class ids; received dtype float"):
        image_batches(random_images(4, (4, 4, 1)), np.array([0.0, 1.0, 2.0, 3.0]))


def test_translate_refuses_uint8_images():
    """0-255 images would pass as if they were in [-1, 1]. Cost: < 1 s."""
    model = tiny("pix2pix")
    with pytest.raises(GanzooError, match="received uint8"):
        model.translate(np.zeros((64, 64, 1), np.uint8))


@pytest.mark.one_backend
def test_a_ctrl_c_in_a_gc_callback_is_raised_at_the_next_safe_point():
    """Python prints an exception raised inside a garbage-collection callback (JAX runs
    one, in TensorFlow's processes too) as ignored, with its traceback, and drops it:
    there the press is only noted, and raised at the next safe point; elsewhere at
    once. (Seen in CI: a Ctrl-C while `ganzoo train` built its model.) Cost: < 1 s."""
    outcomes = []

    def callback(phase, info):
        if phase == "start" and not outcomes:
            try:
                signal.raise_signal(signal.SIGINT)
                outcomes.append("noted")
            except KeyboardInterrupt:
                outcomes.append("raised inside the callback")

    previous = signal.getsignal(signal.SIGINT)
    gc.callbacks.append(callback)
    try:
        catch_interrupts()
        gc.collect()
        assert outcomes == ["noted"] and interrupted()
        with pytest.raises(KeyboardInterrupt):
            raise_if_interrupted()
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    finally:
        gc.callbacks.remove(callback)
        catch_interrupts()  # forgets the presses made here: later runs would stop at once
        signal.signal(signal.SIGINT, previous)


@pytest.mark.one_backend
def test_a_ctrl_c_while_the_commands_import_exits_130_in_one_line(monkeypatch, capsys):
    """`python -m ganzoo.cli` imports the package before `main` runs; the commands'
    modules (NumPy and more: a quarter of a second, longer on a loaded machine) import
    inside `main`, after its Ctrl-C handler is in place, so a press there ends the
    command with exit 130 and one line, not a traceback from the middle of an import
    (seen in CI: a press 0.3 s after start, while `logging` imported). Cost: < 1 s."""
    import ganzoo.cli

    command_modules = ganzoo.cli.command_modules

    def pressed_while_importing():
        signal.raise_signal(signal.SIGINT)
        return command_modules()

    previous = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(ganzoo.cli, "command_modules", pressed_while_importing)
    try:
        assert main(["list"]) == 130
    finally:
        catch_interrupts()  # forgets the press made here
        signal.signal(signal.SIGINT, previous)
    assert capsys.readouterr().err == "ganzoo: interrupted\n"


@pytest.mark.slow
def test_ctrl_c_at_any_moment_of_start_up_exits_130_saying_what_is_left(tmp_path):
    """SIGINT while the backend imports, while the model builds, and while it trains:
    each exits 130 with one line, which says whether a checkpoint exists. Cost: ~40 s."""
    for delay in (0.3, 1.0, 1.5, 2.0, 2.5, 3.0, 6.0):
        out = tmp_path / f"after_{delay}"
        command = train_command("dcgan_mnist5k", out) + ["--set", "train.epochs=200"]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 130, (delay, stderr[-2000:])
        last = stderr.strip().splitlines()[-1]
        assert "Traceback" not in stderr, (delay, stderr[-2000:])
        if (out / "checkpoint" / "state.json").exists():
            assert last.startswith("ganzoo: interrupted; the last checkpoint (after epoch"), last
        else:
            assert last in (
                "ganzoo: interrupted",
                "ganzoo: interrupted before the first checkpoint; nothing was saved: run the "
                "same command to start again.",
            ), (delay, last)
