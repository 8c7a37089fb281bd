"""Watching training: TensorBoard, the sample grids, history.csv, the results pages."""

import csv
import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers import TINY, open_in_browser, tiny, tiny_data
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from benchmarks.kill_resume import RECIPES, TRAIN
from ganzoo.callbacks import CSVHistory, Evaluate, SampleGrid
from ganzoo.cli import main
from ganzoo.images import image_grid, preview_images, to_uint8
from ganzoo.metrics.held_out import held_out_examples
from ganzoo.models import from_preset

pytestmark = pytest.mark.every_backend


def read_events(folder):
    """A TensorBoard run folder, read with TensorBoard's own reader: {tag: [(step,
    value)]}, scalars as floats and images as decoded uint8 arrays."""
    events = EventAccumulator(str(folder), size_guidance={"tensors": 0})
    events.Reload()
    read = {}
    for tag in events.Tags()["tensors"]:
        for event in events.Tensors(tag):
            value = tf.make_ndarray(event.tensor_proto)
            if value.dtype == object:  # an image summary: width, height, PNG
                value = tf.io.decode_png(value[2]).numpy()
            read.setdefault(tag, []).append((event.step, value))
    return read


def examples_of(model):
    """Fixed examples for a translator's grid (from its tiny data); None for generators."""
    if model.kind == "generator":
        return None
    batch = next(iter(tiny_data(model)))
    return tuple(np.asarray(x) for x in batch)


@pytest.mark.parametrize("family", sorted(TINY))
def test_tensorboard_logs_losses_rates_scores_and_grids(family, tmp_path):
    model = tiny(family)
    model.compile(learning_rate=keras.optimizers.schedules.ExponentialDecay(2e-4, 1, 0.5))
    scores = {"score": 0.5, "seed": 3, "num_images": 8, "data": "some set"}
    callbacks = [
        Evaluate(lambda m: scores),
        SampleGrid(
            tmp_path / "png", num_images=4, examples=examples_of(model), log_dir=tmp_path / "tb"
        ),
        keras.callbacks.TensorBoard(tmp_path / "tb"),
    ]
    model.fit(tiny_data(model), epochs=2, verbose=0, callbacks=callbacks)

    scalars = read_events(tmp_path / "tb" / "train")
    for name in [*model.tracked_metrics, "eval_score"]:  # the losses, D(x) and D(G(z))
        assert [step for step, _ in scalars[f"epoch_{name}"]] == [0, 1], name
    assert "epoch_eval_seed" not in scalars and "epoch_eval_num_images" not in scalars
    for role in ("d_optimizer", "g_optimizer"):
        rates = [float(value) for _, value in scalars[f"epoch_learning_rate_{role}"]]
        assert rates[1] < rates[0] < 2e-4  # the schedule, as each optimizer stepped it

    grids = read_events(tmp_path / "tb" / "samples")["samples"]
    assert [step for step, _ in grids] == [0, 1]
    expected = image_grid(*preview_images(model, examples_of(model), 4))
    if expected.ndim == 2:
        expected = expected[..., None]
    np.testing.assert_array_equal(grids[1][1], expected)  # the last epoch's, as it is now


@pytest.mark.parametrize("family", sorted(TINY))
def test_sample_grids_show_the_same_inputs_every_epoch(family, tmp_path):
    """The same noise (or held-out inputs) every epoch: the same weights draw the same
    grid, and a trained epoch changes it."""
    model = tiny(family)
    model.compile()
    grid = SampleGrid(tmp_path, num_images=4, examples=examples_of(model))
    grid.set_model(model)
    grid.on_epoch_end(0)
    grid.on_epoch_end(1)
    first, second = (tmp_path / f"epoch_00{i}.png" for i in (1, 2))
    assert first.read_bytes() == second.read_bytes()
    model.fit(tiny_data(model), epochs=1, verbose=0)
    grid.on_epoch_end(2)
    assert (tmp_path / "epoch_003.png").read_bytes() != first.read_bytes()


def test_history_csv_has_the_run_columns_and_no_epoch_twice(tmp_path):
    path = tmp_path / "history.csv"
    history = CSVHistory(path)
    history.on_epoch_end(0, {"d_loss": 1.0, "g_loss": 2.0})
    history.on_epoch_end(1, {"d_loss": 0.5, "g_loss": 1.5, "eval_kid": 0.25})
    history.on_epoch_end(1, {"d_loss": 0.75, "g_loss": 1.0})  # epoch 2 again, resumed
    with path.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == ["epoch", "d_loss", "eval_kid", "g_loss"]  # no val_ columns
    assert [(r["epoch"], r["d_loss"], r["eval_kid"]) for r in rows] == [
        ("1", "1.0", ""),
        ("2", "0.75", ""),
    ]


def tiny_run(name, out, *extra):
    """`ganzoo train` of a tiny shipped recipe (`benchmarks.kill_resume`) into `out`."""
    settings = [item for setting in RECIPES[name] + TRAIN for item in ("--set", setting)]
    assert main(["train", name, *settings, *extra, "--out", str(out)]) == 0
    return out


def check_page(page, tmp_path, least_images):
    images, broken, errors = open_in_browser(page, tmp_path / "screenshot.png")
    assert images >= least_images and broken == [] and errors == []
    assert (tmp_path / "screenshot.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    "name", ["dcgan_mnist5k", pytest.param("cyclegan_digits_typeset", marks=pytest.mark.slow)]
)
def test_a_run_writes_logs_curves_and_a_page_that_opens(name, tmp_path, capsys):
    run = tiny_run(name, tmp_path / "run")
    out = capsys.readouterr().out
    assert out.count("tensorboard --logdir") == 1 and f"{run / 'index.html'}" in out
    with (run / "history.csv").open(newline="") as file:
        columns = next(csv.reader(file))
    assert not [c for c in columns if c.startswith("val_")]
    assert [c for c in columns if c.startswith("eval_")]  # the held-out score curves
    scalars = read_events(run / "logs" / "train")
    assert [step for step, _ in scalars["epoch_d_loss"]] == [0, 1, 2]
    assert len(read_events(run / "logs" / "samples")["samples"]) == 3
    page = (run / "index.html").read_text()
    assert "curves.png" in page and "samples/epoch_003.png" in page and "holds" in page
    # grids, curves, the final samples, and a translator's held-out rows (8 x 4 images)
    check_page(run / "index.html", tmp_path, 5 if name.startswith("dcgan") else 5 + 32)

    (run / "index.html").unlink()
    assert main(["report", str(run)]) == 0  # on demand, from the run folder alone
    assert (run / "index.html").read_text() == page


def test_report_of_a_run_without_a_preset_and_of_no_run(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "recipe.json").write_text(json.dumps({"name": "x", "description": "a run"}))
    CSVHistory(run / "history.csv").on_epoch_end(0, {"d_loss": 1.0})
    assert main(["report", str(run)]) == 0
    assert "Training has not finished" in (run / "index.html").read_text()
    assert main(["report", str(tmp_path / "nothing")]) == 2
    assert "is not a training run" in capsys.readouterr().err
    (run / "history.csv").write_text("epoch,d_loss\n1,0.5\n2,oops\n")
    assert main(["report", str(run)]) == 2
    assert "column 'd_loss' holds 'oops', not a number" in capsys.readouterr().err


def test_sample_and_translate_write_pages_that_open(tmp_path):
    page = tmp_path / "pages" / "samples.html"
    grid = tmp_path / "samples.png"
    assert (
        main(["sample", "dcgan_mnist5k", "--n", "16", "--out", str(grid), "--html", str(page)]) == 0
    )
    check_page(page, tmp_path, 1)

    glyphs = tmp_path / "glyphs"
    glyphs.mkdir()
    inputs, _ = held_out_examples(from_preset("pix2pix_fonts"), "font_pairs", count=3)[:2]
    for i, glyph in enumerate(to_uint8(inputs)):
        Image.fromarray(glyph[..., 0]).save(glyphs / f"glyph_{i}.png")
    out = tmp_path / "translated"
    assert main(["translate", "pix2pix_fonts", str(glyphs), "--out", str(out), "--html"]) == 0
    check_page(out / "index.html", tmp_path, 2 * 3)  # each input beside its output


def test_progress_bars_show_on_long_work_and_not_within_quiet(monkeypatch, capsys):
    from ganzoo import progress

    assert list(progress.in_steps(range(3), "counting")) == [0, 1, 2]
    assert capsys.readouterr().out == ""  # quicker than SHOW_AFTER_SECONDS: no bar
    monkeypatch.setattr(progress, "SHOW_AFTER_SECONDS", 0.0)
    assert list(progress.in_steps(range(3), "counting", unit="image")) == [0, 1, 2]
    out = capsys.readouterr().out
    assert out.startswith("counting\n") and "3/3" in out and "/image" in out
    with progress.quiet():
        list(progress.in_steps(range(3), "counting"))
    assert capsys.readouterr().out == ""
