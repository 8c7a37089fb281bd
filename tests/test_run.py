"""Training runs: a recipe trains with fit and writes its preset, on real sources."""

import json
import signal
import subprocess
import time

import keras
import numpy as np
import pytest
from helpers import batches, random_images, side_by_side_archive

from benchmarks.kill_resume import RECIPES, TRAIN, kill_and_resume, train_command
from ganzoo.callbacks import StopOnNonFinite
from ganzoo.cli import main
from ganzoo.models import from_preset
from ganzoo.zoo import run
from ganzoo.zoo.recipes import load_recipe, parse_override

pytestmark = pytest.mark.every_backend

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


def trained_weights(name, out, stops=(), monkeypatch=None, precision="float32", capsys=None):
    """Trains a tiny recipe of `benchmarks.kill_resume` into `out` (under `precision`);
    with `stops`, Ctrl-C after each of those (global) steps in turn, running the same
    command again after each, then to the end. Returns the preset's weights and, with
    `capsys`, the "resuming" lines each rerun printed."""
    overrides = dict(parse_override(text) for text in RECIPES[name] + TRAIN)
    recipe = load_recipe(name, {**overrides, "train.precision": precision})
    steps_per_epoch = recipe.train.steps_per_epoch
    said = []

    def train(interrupt_after=None):
        if capsys is not None:
            capsys.readouterr()
        if interrupt_after is None:
            preset = run.train(recipe, out, verbose=0)
        else:
            steps = []
            check = StopOnNonFinite.on_train_batch_end

            def interrupted(self, batch, logs=None):
                check(self, batch, logs)
                steps.append(batch)
                if len(steps) == interrupt_after:
                    raise KeyboardInterrupt

            with monkeypatch.context() as patch:
                patch.setattr(StopOnNonFinite, "on_train_batch_end", interrupted)
                said_again = "run the same command to (resume|start again)"  # no checkpoint
                with pytest.raises(KeyboardInterrupt, match=said_again):
                    run.train(recipe, out, verbose=0)
            preset = None
        if capsys is not None:
            said.append(
                [line for line in capsys.readouterr().out.splitlines() if "resuming" in line]
            )
        return preset

    for stop in stops:
        state = out / "checkpoint" / "state.json"
        position = json.loads(state.read_text()) if state.exists() else {"epoch": 0}
        done = position["epoch"] * steps_per_epoch + position.get("step", 0)
        train(interrupt_after=stop - done)
    weights = from_preset(train()).get_weights()
    return weights, said[1:]


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) for n in ("dcgan_mnist5k", "cyclegan_digits_typeset")],
)  # ~10 s for the DCGAN: a recipe run straight, and stopped and rerun four times
def test_an_interrupted_run_resumes_to_the_same_weights(name, tmp_path, monkeypatch, capsys):
    """Shuffled data, checkpoints within and between epochs: a run stopped after any
    step and run again ends with the weights of the uninterrupted run, bit for bit, and
    says once where it resumes. 4 steps an epoch, a checkpoint every 3: one run stopped
    in turn before any checkpoint, at an epoch's last step, after a mid-epoch
    checkpoint and in the last epoch, each rerun resuming from where the stop left it
    (a resume that was not exact anywhere would show in the final weights)."""
    straight, _ = trained_weights(name, tmp_path / "straight")
    resumes = {2: None, 4: "epoch 1, step 4 (", 7: "epoch 2 (", 10: "epoch 3 ("}
    resumed, said = trained_weights(name, tmp_path / "stopped", resumes, monkeypatch, capsys=capsys)
    for (stop, where), lines in zip(resumes.items(), said, strict=True):
        if where is None:
            assert lines == [], (stop, lines)
        else:
            assert len(lines) == 1 and f"ganzoo: resuming from {where}checkpoint " in lines[0]
    for a, b in zip(straight, resumed, strict=True):
        np.testing.assert_array_equal(a, b, err_msg=f"{name}, stopped after {list(resumes)}")


@pytest.mark.parametrize(
    "precision",
    [pytest.param(p, marks=pytest.mark.slow) for p in ("mixed_bfloat16", "mixed_float16")],
)  # ~15 s each: a recipe run straight, and stopped and rerun twice
def test_a_mixed_precision_run_resumes_to_the_same_weights(precision, tmp_path, monkeypatch):
    """Under a mixed-precision policy (float16: with its loss scales, saved with the
    optimizers) a run stopped at an epoch's last step (it resumes from a mid-epoch
    checkpoint) and again in the next epoch ends with the uninterrupted run's weights,
    bit for bit; the preset is float32."""
    straight, _ = trained_weights("dcgan_mnist5k", tmp_path / "straight", precision=precision)
    assert {w.dtype for w in straight} == {np.dtype("float32")}
    resumed, _ = trained_weights(
        "dcgan_mnist5k", tmp_path / "stopped", (4, 7), monkeypatch, precision
    )
    for a, b in zip(straight, resumed, strict=True):
        np.testing.assert_array_equal(a, b, err_msg=f"{precision}, stopped after 4 and 7")
    assert keras.config.dtype_policy().name == "float32"  # the run put the policy back


# Each recipe on one backend: what a kill at a random moment can break is how files are
# written (ganzoo.files, the same on every backend); resuming to the same weights after
# a stop is tested on every backend above.
KILLED_ON = {"cyclegan_digits_typeset": "torch", "dcgan_mnist5k": "jax"}


@pytest.mark.slow
@pytest.mark.one_backend  # the runs choose their backend; ~45 s each
@pytest.mark.parametrize(("name", "backend"), sorted(KILLED_ON.items()))
def test_sigkills_at_random_moments_resume_to_the_same_weights(name, backend, tmp_path):
    """`ganzoo train` killed with SIGKILL at random moments (start-up, steps, checkpoint
    writes, scoring, the preset) and run again ends bit-identical to an uninterrupted
    run. `python -m benchmarks kill_resume` runs many more, on any backend."""
    assert set(KILLED_ON) == set(RECIPES)
    landed, same, _ = kill_and_resume(name, backend, 4, 1, tmp_path)
    assert landed >= 1 and same, (name, backend, landed)


def test_a_nan_loss_stops_the_run_and_keeps_the_last_finite_checkpoint(
    tmp_path, monkeypatch, capsys
):
    """Three clean batches, then batches holding a NaN: with 2 steps an epoch and a
    checkpoint every step, the NaN comes at epoch 2, step 2, after the checkpoint of
    epoch 2, step 1."""
    images = random_images(80, (28, 28, 1))
    images[16 * 3 :] = np.nan

    def nan_after_three_batches(batch_size, seed, image_size, labels):
        return batches(images, batch_size=16)

    monkeypatch.setitem(run.SOURCES, "mnist5k", nan_after_three_batches)
    out = tmp_path / "run"
    settings = [
        "model.filters=2",
        "train.steps_per_epoch=2",
        "train.epochs=3",
        "train.checkpoint_every_steps=1",
    ]
    argv = ["train", "dcgan_mnist5k", *(f"--set={s}" for s in settings), "--out", str(out)]
    assert main(argv) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "is nan at epoch 2, step 2" in error, error
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    assert (state["epoch"], state["step"]) == (1, 1)
    model = run.build_model(load_recipe("dcgan_mnist5k", dict(map(parse_override, settings))))
    model.load_weights(out / "checkpoint" / state["weights"])
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert not (out / "preset").exists()


@pytest.mark.slow
def test_ctrl_c_exits_130_with_one_line_and_the_checkpoint_intact(tmp_path):
    out = tmp_path / "run"
    command = train_command("dcgan_mnist5k", out) + ["--set", "train.epochs=200"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    state = out / "checkpoint" / "state.json"
    deadline = time.monotonic() + 300
    while not state.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr[-2000:]
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("ganzoo: interrupted; the last checkpoint (after epoch")
    assert "Traceback" not in stderr
    saved = json.loads(state.read_text())
    assert (out / "checkpoint" / saved["weights"]).is_file()


def test_only_a_trained_run_folder_keeps_its_recipe(tmp_path):
    """A folder whose run failed before its first checkpoint (say, a bad value) takes
    the corrected recipe; a trained one refuses another recipe, and still resumes the
    recipe.json of an older ganzoo that lacks the keys added since."""
    path = tmp_path / "recipe.json"
    first = load_recipe("dcgan_mnist5k", {"model.filters": 16})
    fixed = load_recipe("dcgan_mnist5k")
    run.check_same_run(first, path, trained=False)
    run.check_same_run(fixed, path, trained=False)
    assert json.loads(path.read_text())["model"]["filters"] == 32
    with pytest.raises(run.RecipeError, match="holds a run of a different recipe"):
        run.check_same_run(first, path, trained=True)
    older = json.loads(path.read_text())
    del older["train"]["discriminator_learning_rate"], older["distribution"]["workers"]
    path.write_text(json.dumps(older))
    run.check_same_run(fixed, path, trained=True)
