"""A recipe's training run: build its model and data, train with `fit`, score the model
against its untrained twin, and write the preset.

    preset = train(load_recipe("dcgan_mnist5k"), "runs/dcgan")
"""

import json
import pathlib
import time

import keras
import numpy as np

from ganzoo.callbacks import Checkpoint, SampleGrid
from ganzoo.data.sources import SOURCES
from ganzoo.files import written_whole
from ganzoo.images import preview_images, save_image_grid
from ganzoo.metrics.held_out import held_out_examples, held_out_scores, improvement
from ganzoo.models import FAMILIES
from ganzoo.presets import save_preset
from ganzoo.schedules import learning_rate_schedule
from ganzoo.zoo.recipes import RecipeError, check_recipe


def build_model(recipe):
    """The recipe's model, freshly initialised (seeded by `[train] seed`)."""
    keras.utils.set_random_seed(recipe.train.seed)
    config = {k: v for k, v in recipe.model.items() if k != "class"}
    return FAMILIES[recipe.model["class"]](**config)


def build_data(recipe, model):
    """The recipe's training `tf.data.Dataset`, at the size and with the labels `model`
    takes."""
    source = SOURCES[recipe.data["source"]]
    options = {k: v for k, v in recipe.data.items() if k not in ("source", "batch_size")}
    labels = model.kind == "generator" and model.num_classes is not None
    return source(
        recipe.data.get("batch_size", 1), recipe.train.seed, model.image_size, labels, **options
    )


def claim_result(options, scores, untrained):
    """The recipe's claim, checked: the trained model beats its untrained twin."""
    factor = improvement(options.metric, scores[options.metric], untrained[options.metric])
    return {
        "metric": options.metric,
        "trained": scores[options.metric],
        "untrained": untrained[options.metric],
        "better_by": factor,
        "claimed_better_by": options.better_by,
        "holds": factor >= options.better_by,
    }


def rescore_preset(model):
    """Scores a loaded preset again, with the recipe stored in its metadata.

    Returns:
        `(recipe, scores, untrained, claim)`: the checked recipe, the preset's held-out
        scores now, its untrained twin's (the recipe and seed, built and not trained),
        and the recipe's claim between the two (`claim_result`).
    """
    metadata = model.preset_metadata
    table = {k: v for k, v in metadata["recipe"].items() if k != "name"}
    recipe = check_recipe(table, metadata["name"], f"{metadata['name']} metadata")
    options = recipe.eval
    scores = held_out_scores(model, options.data, options.num_samples, recipe.train.seed)
    twin = build_model(recipe)
    untrained = held_out_scores(twin, options.data, options.num_samples, recipe.train.seed)
    return recipe, scores, untrained, claim_result(options, scores, untrained)


def preview_examples(recipe, model, dataset):
    """Fixed `(a, b)` examples for a translator's sample grids: 8 held-out ones, or
    without `[eval]` the first training batch. None for generators."""
    if model.kind == "generator":
        return None
    if recipe.eval:
        return held_out_examples(model, recipe.eval.data, count=8)
    batch = next(iter(dataset.take(1)))
    a, b = (batch["A"], batch["B"]) if isinstance(batch, dict) else batch
    return np.asarray(a), np.asarray(b)


def train(recipe, out, verbose="auto"):
    """Trains a recipe with `fit` and writes its preset.

    `out` receives:

        recipe.json            the resolved recipe
        checkpoint/            the training state after each epoch; running the same
                               recipe into the same `out` again resumes from it
        samples/epoch_NNN.png  a preview after each epoch (`preview_images`)
        history.csv            the logs of every epoch
        preset/                the trained model as a preset, with its held-out scores,
                               its untrained twin's and the recipe's claim, checked
        samples.png            the preview of the trained model

    Returns:
        the preset folder.
    """
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    resolved = json.dumps(recipe.to_dict(), indent=2) + "\n"
    previous = out / "recipe.json"
    if previous.exists() and previous.read_text() != resolved:
        raise RecipeError(
            f"{out} holds a run of a different recipe ({previous}); resuming it with this "
            "one would mix the two. Give another --out, or delete the folder."
        )
    with written_whole(previous) as staging:
        staging.write_text(resolved)

    options = recipe.train
    model = build_model(recipe)
    dataset = build_data(recipe, model)
    steps = options.steps_per_epoch
    if steps:
        dataset = dataset.repeat()  # each epoch takes the next `steps` batches
    else:
        steps = int(dataset.cardinality())
        if steps < 1:
            raise RecipeError(
                f"the {recipe.data['source']!r} data has no known length; set "
                "train.steps_per_epoch (e.g. --set train.steps_per_epoch=1000)."
            )
    model.compile(
        learning_rate=learning_rate_schedule(
            options.lr_policy,
            options.learning_rate,
            steps,
            epochs=options.epochs - options.decay_epochs,
            decay_epochs=options.decay_epochs,
        )
    )
    evaluation, untrained = recipe.eval, None
    if evaluation:
        # The untrained twin is this model before fit: the recipe's seeded initial weights.
        untrained = held_out_scores(model, evaluation.data, evaluation.num_samples, options.seed)
    examples = preview_examples(recipe, model, dataset)

    start = time.perf_counter()
    model.fit(
        dataset,
        epochs=options.epochs,
        steps_per_epoch=steps,
        callbacks=[
            Checkpoint(out / "checkpoint"),
            SampleGrid(out / "samples", num_images=100, seed=options.seed, examples=examples),
            keras.callbacks.CSVLogger(str(out / "history.csv"), append=True),
        ],
        verbose=verbose,
    )
    metadata = {
        "name": recipe.name,
        "description": recipe.description,
        "recipe": recipe.to_dict(),
        "training": {
            "backend": keras.backend.backend(),
            "epochs": options.epochs,
            "steps_per_epoch": steps,
            "seconds_this_run": round(time.perf_counter() - start, 1),
        },
    }
    if evaluation:
        scores = held_out_scores(model, evaluation.data, evaluation.num_samples, options.seed)
        metadata.update(
            scores=scores,
            untrained_scores=untrained,
            claim=claim_result(evaluation, scores, untrained),
        )
    preset = save_preset(model, out / "preset", metadata, overwrite=True)
    images, columns = preview_images(model, examples, num_images=100, seed=options.seed)
    save_image_grid(images, out / "samples.png", columns)
    return preset
