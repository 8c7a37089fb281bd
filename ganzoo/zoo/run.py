"""A recipe's training run: build its model and data, train with `fit`, score the model
against its untrained twin, and write the preset.

    preset = train(load_recipe("dcgan_mnist5k"), "runs/dcgan")
"""

import concurrent.futures
import contextlib
import json
import tempfile
import time

import keras
import numpy as np

from ganzoo import backend
from ganzoo.callbacks import (
    Checkpoint,
    CSVHistory,
    Evaluate,
    SampleGrid,
    StopOnInterrupt,
    StopOnNonFinite,
)
from ganzoo.data.arrays import ArrayBatches
from ganzoo.data.sources import SOURCES
from ganzoo.errors import GanzooError, WorkersLostError
from ganzoo.files import make_folder, written_whole
from ganzoo.images import preview_images, save_image_grid
from ganzoo.metrics.held_out import (
    held_out_examples,
    held_out_scores,
    improvement,
    real_data_scores,
)
from ganzoo.models import FAMILIES
from ganzoo.optional import tensorflow_imports
from ganzoo.presets import save_preset
from ganzoo.schedules import learning_rate_schedule
from ganzoo.zoo.recipes import RecipeError, recipe_from_dict
from ganzoo.zoo.report import write_report


def check_same_run(recipe, path, trained):
    """Writes the resolved recipe into a run folder, or checks it against the one there.

    Only a run that has `trained` (a checkpoint) is checked: a folder whose run failed
    before its first checkpoint (a bad value, a missing file) takes the new recipe. A run
    may be continued for more epochs (`--epochs`) when its learning rate does not
    depend on the number of epochs (`lr_policy` "constant", or "linear" with no decay
    epochs), and on another number of devices (`[distribution]`); any other difference
    would mix two recipes in one run.
    """
    text = json.dumps(recipe.to_dict(), indent=2) + "\n"
    resolved = json.loads(text)
    if path.exists() and trained:
        # Resolved again: keys a later ganzoo added take their defaults.
        before = recipe_from_dict(json.loads(path.read_text()), str(path)).to_dict()
        before = {**json.loads(json.dumps(before)), "distribution": resolved["distribution"]}
        more_epochs = {**before, "train": {**before["train"], "epochs": recipe.train.epochs}}
        if before != resolved and more_epochs != resolved:
            raise RecipeError(
                f"{path.parent} holds a run of a different recipe ({path}); resuming it with "
                "this one would mix the two. Give another --out, or delete the folder."
            )
        options = recipe.train
        fixed_rate = options.lr_policy == "constant" or (
            options.lr_policy == "linear" and options.decay_epochs == 0
        )
        if before != resolved and not fixed_rate:
            raise RecipeError(
                f"{path.parent} was trained for {before['train']['epochs']} epochs with a "
                f"learning rate ({options.lr_policy!r}, decay_epochs {options.decay_epochs}) "
                f"that depends on the number of epochs; continuing to {options.epochs} would "
                "change its schedule. Give another --out to train the longer recipe from the "
                "start."
            )
    with written_whole(path) as staging:
        staging.write_text(text)


def build_model(recipe):
    """The recipe's model, freshly initialised (seeded by `[train] seed`)."""
    keras.utils.set_random_seed(recipe.train.seed)
    config = {k: v for k, v in recipe.model.items() if k != "class"}
    return FAMILIES[recipe.model["class"]](**config)


def compile_model(recipe, model, steps_per_epoch):
    """Compiles `model` with the recipe's learning rates under its `lr_policy` (D's own
    with `discriminator_learning_rate`, TTUR); a supervised UNet compiles its own loss,
    metrics and Adam at `learning_rate`."""
    options = recipe.train

    def schedule(rate):
        return learning_rate_schedule(
            options.lr_policy,
            rate,
            steps_per_epoch,
            epochs=options.epochs - options.decay_epochs,
            decay_epochs=options.decay_epochs,
        )

    rates = {"learning_rate": schedule(options.learning_rate)}
    if options.discriminator_learning_rate:
        rates["discriminator_learning_rate"] = schedule(options.discriminator_learning_rate)
    model.compile(**rates)


def build_data(recipe, model):
    """The recipe's training `tf.data.Dataset` (or, without TensorFlow, `ArrayBatches`),
    at the size and with the labels `model` takes."""
    source = SOURCES[recipe.data["source"]]
    options = {k: v for k, v in recipe.data.items() if k not in ("source", "batch_size")}
    labels = model.kind == "generator" and model.num_classes is not None
    return source(
        recipe.data.get("batch_size", 1), recipe.train.seed, model.image_size, labels, **options
    )


def claim_result(options, scores, untrained, floor=None):
    """The recipe's claim, checked: the trained model beats its untrained twin by
    `better_by`, and (with `within_floor`) is within that factor of the real-data
    `floor` scores."""
    metric = options.metric
    factor = improvement(metric, scores[metric], untrained[metric])
    claim = {
        "metric": metric,
        "trained": scores[metric],
        "untrained": untrained[metric],
        "better_by": factor,
        "claimed_better_by": options.better_by,
        "holds": factor >= options.better_by,
    }
    if options.within_floor is not None:
        within = 1 / improvement(metric, scores[metric], floor[metric])
        claim.update(
            floor=floor[metric],
            within_floor=within,
            claimed_within_floor=options.within_floor,
            holds=claim["holds"] and within <= options.within_floor,
        )
    return claim


def floor_scores(options, model, seed):
    """The real-data scores of the recipe's claim (`real_data_scores`), None without
    `within_floor`."""
    if options.within_floor is None:
        return None
    return real_data_scores(model, options.data, options.num_samples, seed)


def float32_twin(recipe, model, twin=None):
    """A float32 build of the recipe (`twin`, if one was built before) holding `model`'s
    weights."""
    if twin is None:
        with dtype_policy("float32"):
            twin = build_model(recipe)
    twin.set_weights(model.get_weights())
    return twin


def in_float32(recipe, model):
    """`model` itself under the float32 policy; else its `float32_twin` (a preset is
    float32, and scored as users load it)."""
    return model if model.dtype_policy.name == "float32" else float32_twin(recipe, model)


def on_this_worker(fn):
    """`fn()` in a thread of its own: outside the calling thread's device context (a
    `tf.distribute` strategy's scope and Keras' distribution are per thread), so what
    it computes runs on this worker alone, not as one of the programs that every
    worker of a multi-worker run must run together."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(fn).result()


class InView(keras.callbacks.Callback):
    """Runs `callback`'s epoch ends (and train end) on `in_view(fn)`'s model instead of
    the one `fit` trains: a float32 copy of it on the chief of a multi-worker run."""

    def __init__(self, callback, in_view):
        super().__init__()
        self.callback = callback
        self.in_view = in_view

    def on_epoch_end(self, epoch, logs=None):
        def run(model):
            self.callback.set_model(model)
            self.callback.set_params(self.params)
            self.callback.on_epoch_end(epoch, logs)

        self.in_view(run)

    def on_train_end(self, logs=None):
        self.callback.on_train_end(logs)


def rescore_preset(model):
    """Scores a loaded preset again, with the recipe stored in its metadata.

    Returns:
        `(recipe, scores, untrained, claim)`: the checked recipe, the preset's held-out
        scores now, its untrained twin's (the recipe and seed, built and not trained),
        and the recipe's claim between the two (`claim_result`).
    """
    metadata = model.preset_metadata
    recipe = recipe_from_dict(metadata["recipe"], f"{metadata['name']} metadata")
    options = recipe.eval
    scores = held_out_scores(model, options.data, options.num_samples, recipe.train.seed)
    twin = build_model(recipe)
    untrained = held_out_scores(twin, options.data, options.num_samples, recipe.train.seed)
    floor = floor_scores(options, model, recipe.train.seed)
    return recipe, scores, untrained, claim_result(options, scores, untrained, floor)


def preview_examples(recipe, model):
    """Fixed `(a, b)` examples for a translator's sample grids: 8 held-out ones, or
    without `[eval]` the first training batch. None for generators."""
    if model.kind == "generator":
        return None
    if recipe.eval:
        return held_out_examples(model, recipe.eval.data, count=8)
    data = build_data(recipe, model)
    batch = data[0] if isinstance(data, ArrayBatches) else next(iter(data.take(1)))
    a, b = (batch["A"], batch["B"]) if isinstance(batch, dict) else batch
    return np.asarray(a), np.asarray(b)


def train(recipe, out, verbose="auto"):
    """Trains a recipe with `fit` and writes its preset.

    `out` receives:

        recipe.json            the resolved recipe
        checkpoint/            the training state after each epoch (and every
                               `[train] checkpoint_every_steps` steps); running the same
                               recipe into the same `out` again resumes from it exactly
        samples/epoch_NNN.png  a preview after each epoch (`preview_images`)
        history.csv            the logs of every epoch, with the held-out scores
                               (`eval_*`) every `[eval] every_epochs` epochs
        logs/                  TensorBoard: the same scalars, each optimizer's learning
                               rate and the previews (tensorboard --logdir OUT/logs)
        preset/                the trained model as a preset, with its held-out scores,
                               its untrained twin's and the recipe's claim, checked
        samples.png            the preview of the trained model
        index.html, curves.png the run's report (`ganzoo.zoo.report.write_report`)

    The batches are one stream, the data set repeated with a new shuffle each pass,
    fixed by `[train] seed`; a resumed run skips the batches the checkpoint had
    trained on and continues at the next one, so a run killed at any moment and run
    again ends with the weights an uninterrupted run ends with.

    With `[distribution] devices` or `workers` above 1 the model is built, compiled
    and trained data-parallel on that many devices (`ganzoo.backend.data_parallel`);
    under `[train] precision`'s dtype policy (mixed precision). With several workers
    (each process connected by `ganzoo.backend.connect_workers`), each runs this with
    the same recipe and `out`; the chief (worker 0) writes the files, scoring and
    drawing on a float32 copy of the model on its own (`on_this_worker`), and every
    worker resumes from the chief's checkpoint (a folder they share).

    Returns:
        the preset folder; None on the workers other than the chief.

    Raises:
        TrainingDivergedError: a loss or weight became NaN or infinite (the last
            finite checkpoint is kept; no preset is written).
        KeyboardInterrupt: Ctrl-C, with the position of the last checkpoint.
    """
    spread = recipe.distribution
    with (
        backend.data_parallel(spread.devices, spread.workers)
        if spread.devices * spread.workers > 1
        else contextlib.nullcontext(),
        dtype_policy(recipe.train.precision),
    ):
        return train_here(recipe, out, verbose)


def check_not_past(position, epochs, out):
    """Refuses to rerun a run folder whose checkpoint is past `epochs`: training
    nothing and rewriting its preset would label the longer run's weights with the
    shorter recipe."""
    epoch, step = position
    if epoch > epochs or (epoch == epochs and step):
        at = f"{epoch} epochs" + (f" and {step} steps" if step else "")
        raise RecipeError(
            f"{out} has trained {at} already, more than the {epochs} asked (--epochs / "
            f"train.epochs): nothing was changed. Pass at least {epoch + bool(step)} epochs "
            "to continue it, or another --out to train the shorter recipe."
        )


def interrupted_message(checkpoint):
    """What a Ctrl-C during `train` leaves behind, in one sentence."""
    if not checkpoint.state.exists():
        return (
            "interrupted before the first checkpoint; nothing was saved: run the same "
            "command to start again."
        )
    epoch, step = checkpoint.position()
    return (
        f"interrupted; the last checkpoint (after epoch {epoch}, step {step}) is intact: "
        "run the same command to resume."
    )


@contextlib.contextmanager
def dtype_policy(name):
    """Keras' global dtype policy set to `name` (models built now compute in it), and
    back to the previous one afterwards."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def train_here(recipe, out, verbose):
    """`train` in the current device context."""
    out = make_folder(out)
    chief = backend.is_chief()
    options = recipe.train
    checkpoint = Checkpoint(
        out / "checkpoint",
        options.checkpoint_every_steps,
        restore=False,
        every_minutes=options.checkpoint_every_minutes,
    )
    check_not_past(checkpoint.position(), options.epochs, out)
    if chief:
        check_same_run(recipe, out / "recipe.json", checkpoint.state.exists())
    model = build_model(recipe)
    dataset = build_data(recipe, model)
    steps = options.steps_per_epoch or (
        dataset.steps if isinstance(dataset, ArrayBatches) else int(dataset.cardinality())
    )
    if steps < 1:
        raise RecipeError(
            f"the {recipe.data['source']!r} data has no known length; set "
            "train.steps_per_epoch (e.g. --set train.steps_per_epoch=1000)."
        )
    compile_model(recipe, model, steps)
    apart, copies = recipe.distribution.workers > 1, []

    def in_view(fn):
        """`fn(model)` for scoring and drawing: the model in float32; when several
        workers train it, a float32 copy on this worker alone (`on_this_worker`)."""
        if not apart:
            return fn(in_float32(recipe, model))

        def on_copy():
            copies[:] = [float32_twin(recipe, model, *copies)]
            return fn(copies[0])

        return on_this_worker(on_copy)

    evaluation, untrained, examples = recipe.eval, None, None
    if evaluation and chief:
        # The untrained twin is this model before fit: the recipe's seeded initial weights.
        untrained = in_view(
            lambda m: held_out_scores(m, evaluation.data, evaluation.num_samples, options.seed)
        )
    if chief:
        examples = preview_examples(recipe, model)

    epoch, step = checkpoint.restore(model)
    if chief:  # rows of epochs after the checkpoint were trained by a run killed since
        CSVHistory(out / "history.csv").keep_epochs(epoch)
    if (epoch, step) != (0, 0):
        at = f"epoch {epoch + 1}" + (f", step {step + 1}" if step else "")
        print(f"ganzoo: resuming from {at} (checkpoint {checkpoint.state})")
    stop = StopOnNonFinite()
    interrupt = StopOnInterrupt()
    # Every worker saves at the same steps (reading some variables is a collective
    # operation of all workers); the chief's checkpoint is the run's, the others' copies
    # go to a scratch folder.
    scratch = None if chief else tempfile.TemporaryDirectory(prefix="ganzoo_worker_")
    saving = checkpoint if chief else Checkpoint(scratch.name, options.checkpoint_every_steps)
    callbacks = [
        interrupt,  # Ctrl-C ends the run between steps
        stop,  # before Checkpoint: a NaN step is never saved
    ]
    logs = out / "logs" if tensorflow_imports() else None  # TensorBoard's writers are TF's
    if chief:
        if logs is None:
            print("ganzoo: no TensorBoard logs (they need TensorFlow, which does not import here)")
        else:
            print(f"ganzoo: to watch training: tensorboard --logdir {logs}")
        viewers = [
            *held_out_curves(evaluation, options),  # before the loggers, which log its scores
            SampleGrid(
                out / "samples",
                num_images=100,
                seed=options.seed,
                examples=examples,
                log_dir=logs,
            ),
        ]
        callbacks += [
            *([InView(viewer, in_view) for viewer in viewers] if apart else viewers),
            # Before the checkpoint: a kill between the two leaves the row of an epoch the
            # checkpoint lacks, which the resumed run trains again and rewrites
            # (`keep_epochs` above); after it, a kill there would lose the row.
            CSVHistory(out / "history.csv"),
            *([] if logs is None else [keras.callbacks.TensorBoard(logs, write_graph=False)]),
        ]
    callbacks.append(saving)

    unused = [dataset]  # built above and never iterated: the first fit's

    def batches_after(position):
        """The stream of batches, epoch after epoch (reshuffled each pass, fixed by the
        seed), after its first `position`. A data set no pass has been drawn from, for
        each `fit`: a tf.data shuffle draws each new pass of one data set object from a
        shared seed state. (`ArrayBatches` draws each batch from its position alone.)"""
        data = unused.pop() if unused else build_data(recipe, model)
        if isinstance(data, ArrayBatches):
            return data.after(position)
        return data.repeat().skip(position)

    start = time.perf_counter()
    try:
        if step:  # finish the interrupted epoch, then the others
            saving.first_step = stop.first_step = step
            model.fit(
                batches_after(epoch * steps + step),
                initial_epoch=epoch,
                epochs=epoch + 1,
                steps_per_epoch=steps - step,
                callbacks=callbacks,
                verbose=verbose,
                shuffle=False,  # the stream's own order (its seed), resumable
            )
            epoch += 1
        if epoch < options.epochs:
            model.fit(
                batches_after(epoch * steps),
                initial_epoch=epoch,
                epochs=options.epochs,
                steps_per_epoch=steps,
                callbacks=callbacks,
                verbose=verbose,
                shuffle=False,  # the stream's own order (its seed), resumable
            )
    except KeyboardInterrupt:
        raise KeyboardInterrupt(interrupted_message(checkpoint)) from None
    except Exception as error:
        if not apart or isinstance(error, GanzooError):
            raise
        # A worker that dies fails the others' next collective operation, with the
        # backend's own error (TensorFlow: "Collective ops is aborted by: Socket closed").
        epoch, step = checkpoint.position()
        raise WorkersLostError(
            f"the workers lost each other (one stopped or was cut off: "
            f"{type(error).__name__}); the last checkpoint (after epoch {epoch}, step "
            f"{step}) is intact: start every worker again with the same command to resume."
        ) from error
    finally:
        interrupt.restore_handler()  # when fit ended by an exception
        if scratch is not None:
            scratch.cleanup()
    if not chief:
        return None
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

    def write_results(model):  # in float32: what the preset holds, and users load
        if evaluation:
            scores = held_out_scores(model, evaluation.data, evaluation.num_samples, options.seed)
            metadata.update(
                scores=scores,
                untrained_scores=untrained,
                claim=claim_result(
                    evaluation, scores, untrained, floor_scores(evaluation, model, options.seed)
                ),
            )
        preset = save_preset(model, out / "preset", metadata, overwrite=True)
        images, columns = preview_images(model, examples, num_images=100, seed=options.seed)
        save_image_grid(images, out / "samples.png", columns)
        print(f"ganzoo: wrote the report {write_report(out, model, examples)}")
        return preset

    return in_view(write_results)


def held_out_curves(evaluation, options):
    """The `Evaluate` callback of a run's score curves: the held-out scores every
    `[eval] every_epochs` epochs; none without `[eval]` or with `every_epochs = 0`."""
    if evaluation is None:
        return []
    every = evaluation.every_epochs
    every = max(1, options.epochs // 10) if every is None else every
    if not every:
        return []

    def scores(model):
        return held_out_scores(model, evaluation.data, evaluation.num_samples, options.seed)

    return [Evaluate(scores, every=every)]
