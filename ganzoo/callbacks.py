"""Keras callbacks for GAN training: sample grids, scores, history, checkpoints."""

import csv
import json
import pathlib
import signal
import threading
import time

import keras
import numpy as np

from ganzoo.arguments import as_count, as_number
from ganzoo.errors import TrainingDivergedError
from ganzoo.files import recover, require_space, written_whole
from ganzoo.images import image_grid, preview_images, save_image_grid
from ganzoo.interrupts import in_gc_callback, raise_if_interrupted
from ganzoo.optional import import_tensorflow
from ganzoo.presets import weights_file_bytes
from ganzoo.progress import quiet


class SampleGrid(keras.callbacks.Callback):
    """Writes a grid of samples after every epoch (keras-io's GANMonitor), as a PNG and
    optionally as a TensorBoard image.

    The latents (and labels), or the translated examples, are the same every epoch,
    so the grids show one set of samples evolving: a generator's samples, or a
    translator's held-out inputs / outputs / targets, one example per column. See
    `ganzoo.images.preview_images`.

    Args:
        folder: where `epoch_001.png`, ... are written.
        num_images: Defaults to 64.
        labels: class ids for conditional models. Defaults to
            `arange(num_images) % num_classes` (for 10 classes and 100 images, a
            10x10 grid with one class per column).
        seed: latent seed. Defaults to 0.
        examples: held-out `(a, b)` arrays for Pix2Pix and CycleGAN.
        log_dir: a TensorBoard log folder (as `keras.callbacks.TensorBoard`'s): the
            grid is also written to its `samples/` run, as image "samples" at step
            `epoch` (0-based, the step of TensorBoard's `epoch_*` scalars). Defaults
            to None (PNG files only).
    """

    def __init__(self, folder, num_images=64, labels=None, seed=0, examples=None, log_dir=None):
        super().__init__()
        self.folder = pathlib.Path(folder)
        self.num_images = num_images
        self.labels = labels
        self.seed = seed
        self.examples = examples
        self.log_dir = None if log_dir is None else pathlib.Path(log_dir)
        self.writer = None

    def on_epoch_end(self, epoch, logs=None):
        images, columns = preview_images(
            self.model, self.examples, self.num_images, self.labels, self.seed
        )
        save_image_grid(images, self.folder / f"epoch_{epoch + 1:03d}.png", columns)
        if self.log_dir is not None:
            grid = image_grid(images, columns)
            grid = grid[None, ..., None] if grid.ndim == 2 else grid[None]
            tf = import_tensorflow("TensorBoard's sample images")
            if self.writer is None:
                self.writer = tf.summary.create_file_writer(str(self.log_dir / "samples"))
            with self.writer.as_default():
                tf.summary.image("samples", grid, step=epoch)
            self.writer.flush()

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


class CSVHistory(keras.callbacks.Callback):
    """Writes the logs of every epoch to a CSV file: `epoch` (1-based), then each name
    the run has logged, sorted; an epoch without a value (an `Evaluate` that ran every
    few epochs) leaves its cell empty.

    Unlike `keras.callbacks.CSVLogger`, it adds no `val_*` columns a run does not
    have, and rewrites the whole file atomically each epoch: rows already in the file
    are kept, except those of the epoch being written and later ones (a resumed run
    trained them again).
    """

    def __init__(self, path):
        super().__init__()
        self.path = pathlib.Path(path)

    def on_epoch_end(self, epoch, logs=None):
        rows = first_epochs(self.rows(), epoch)
        rows.append({"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()}})
        self.write(rows)

    def keep_epochs(self, epochs):
        """Drops the rows after the first `epochs` (a resumed run's checkpoint holds
        that many; later rows come from a run killed before its next checkpoint)."""
        rows = self.rows()
        kept = first_epochs(rows, epochs)
        if len(kept) != len(rows):
            self.write(kept)

    def rows(self):
        """The file's rows, as dicts of strings; none when there is no file."""
        recover(self.path)
        if not self.path.exists():
            return []
        with self.path.open(newline="") as file:
            return list(csv.DictReader(file))

    def write(self, rows):
        names = sorted({name for row in rows for name in row} - {"epoch"})
        with written_whole(self.path) as staging, staging.open("w", newline="") as file:
            table = csv.DictWriter(file, ["epoch", *names], restval="")
            table.writeheader()
            table.writerows(rows)


def first_epochs(rows, epochs):
    """The history rows of epochs 1 to `epochs`."""
    return [row for row in rows if int(row["epoch"]) <= epochs]


class StepCounter(keras.callbacks.Callback):
    """Knows the position in training: `epoch` (0-based) and `step` (steps finished in
    it). A resumed run that starts within an epoch sets `first_step` before `fit`."""

    epoch = step = 0
    first_step = 0  # the step the first epoch of this fit starts after

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.step = epoch, self.first_step
        self.first_step = 0

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1


class Checkpoint(StepCounter):
    """Saves the whole training state after every epoch (and every `every_steps` steps
    within one); `fit` resumes from it.

    The state is every weight of the model: the networks, both optimizers (moments and
    step counts, so the learning-rate schedule too), the random-number state and the
    image pools. A save writes the weights file, then atomically replaces `state.json`,
    which names it and the position (`{"epoch": e, "weights": ...}` after epoch e, or
    with `"step": s` after step s of epoch e + 1), and only then deletes the previous
    file: a run killed at any moment resumes from its last complete checkpoint. Weights
    that are not all finite are never saved (`TrainingDivergedError`).

    At the start of `fit`, the last checkpoint in `folder` is loaded and training
    continues at the epoch after it (as `keras.callbacks.BackupAndRestore` does); a
    checkpoint taken within an epoch restarts that epoch. `ganzoo train` resumes within
    the epoch, at the step after the checkpoint, with the data stream positioned there
    (`ganzoo.zoo.run.train`), and passes `restore=False`.

    Args:
        folder: the checkpoint folder.
        every_steps: also save after every this many steps within an epoch. Defaults
            to None (at the end of each epoch only).
        every_minutes: also save within an epoch once this many minutes have passed
            since the last save. Defaults to None.
        restore: load the last checkpoint at the start of `fit`. Defaults to True.
    """

    def __init__(self, folder, every_steps=None, restore=True, every_minutes=None):
        super().__init__()
        self.folder = pathlib.Path(folder)
        self.state = self.folder / "state.json"
        self.every_steps = None if every_steps is None else as_count(every_steps, "every_steps")
        self.every_seconds = (
            None
            if every_minutes is None
            else 60 * as_number(every_minutes, "every_minutes", least=0, exclusive=True)
        )
        self.last_save = time.monotonic()
        self.restore_on_train_begin = restore

    def position(self):
        """`(epoch, step)` of the last checkpoint: epochs finished, then steps of the next
        one; `(0, 0)` when there is none."""
        recover(self.state)
        if not self.state.exists():
            return 0, 0
        state = json.loads(self.state.read_text())
        return state["epoch"], state.get("step", 0)

    def restore(self, model):
        """Loads the last checkpoint into `model`; returns its `(epoch, step)`."""
        epoch, step = self.position()
        if (epoch, step) != (0, 0):
            state = json.loads(self.state.read_text())
            model.load_weights(self.folder / state["weights"])
        return epoch, step

    def on_train_begin(self, logs=None):
        if self.restore_on_train_begin:
            epoch, _ = self.restore(self.model)
            if epoch:
                self.model._initial_epoch = epoch  # what BackupAndRestore sets

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        due = self.every_steps and self.step % self.every_steps == 0
        late = self.every_seconds and time.monotonic() - self.last_save >= self.every_seconds
        if due or late:
            self.save(self.epoch, self.step)

    def on_epoch_end(self, epoch, logs=None):
        self.save(epoch + 1, 0)

    def save(self, epoch, step):
        """Writes the model's state as the checkpoint at `(epoch, step)`."""
        check_finite_weights(self.model, epoch, step)
        name = f"epoch_{epoch:04d}" + (f"_step_{step:06d}" if step else "") + ".weights.h5"
        state = {"epoch": epoch, **({"step": step} if step else {}), "weights": name}
        weights = self.folder / name
        # Room for the new file beside the last one, which is deleted only afterwards.
        last = [p.stat().st_size for p in self.folder.glob("epoch_*.weights.h5")]
        require_space(self.folder, max([weights_file_bytes(self.model.variables), *last]))
        with written_whole(weights) as staging:
            self.model.save_weights(staging)
        with written_whole(self.state) as staging:
            staging.write_text(json.dumps(state))
        for old in self.folder.glob("epoch_*.weights.h5"):
            if old.name != name:
                old.unlink()
        self.last_save = time.monotonic()


def check_finite_weights(model, epoch, step):
    """Raises TrainingDivergedError naming the first weight that is NaN or infinite."""
    for variable in model.weights:
        if variable.dtype.startswith("float"):
            values = keras.ops.convert_to_numpy(variable.value)
            if not np.isfinite(values).all():
                raise TrainingDivergedError(
                    f"weight {variable.path} is not finite at epoch {epoch + 1}, step {step}; "
                    "the last checkpoint was kept. Lower the learning rate, or see the "
                    "stabilisers in the README."
                )


class StopOnNonFinite(StepCounter):
    """Stops training at the first NaN or infinite loss, before anything saves it.

    Put it before `Checkpoint` in the callbacks: it raises `TrainingDivergedError`
    naming the loss, the epoch and the step, so the checkpoint on disk stays the last
    finite one. (Keras' `TerminateOnNaN` ends the epoch normally, and so lets a
    checkpoint save the NaN weights.)
    """

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        for name, value in (logs or {}).items():
            value = float(keras.ops.convert_to_numpy(value))
            if not np.isfinite(value):
                raise TrainingDivergedError(
                    f"{name} is {value} at epoch {self.epoch + 1}, step {self.step}: training "
                    "stopped, and the last checkpoint (before it) was kept. Lower the "
                    "learning rate or check the data, then run again."
                )


class StopOnInterrupt(keras.callbacks.Callback):
    """Ctrl-C during `fit` stops it at the end of the running step, with a
    `KeyboardInterrupt` raised from the training loop.

    Python raises a Ctrl-C wherever the main thread is, and an exception raised inside a
    garbage-collection callback (JAX runs one) is printed and dropped, so the run would
    go on. While `fit` runs, this callback's handler only notes the key; a second Ctrl-C
    interrupts at once. Signal handlers belong to the main thread: elsewhere it does
    nothing.
    """

    pressed = False
    previous = None

    def on_train_begin(self, logs=None):
        raise_if_interrupted()  # a Ctrl-C before fit that library code swallowed
        self.pressed = False
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self.press)

    def press(self, signum, frame):
        if self.pressed and not in_gc_callback(frame):  # there it would be printed, dropped
            raise KeyboardInterrupt
        self.pressed = True

    def on_train_batch_end(self, batch, logs=None):
        if self.pressed:
            self.restore_handler()
            raise KeyboardInterrupt

    def on_train_end(self, logs=None):
        self.restore_handler()

    def restore_handler(self):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            self.previous = None


class Evaluate(keras.callbacks.Callback):
    """Runs `evaluate(model)` every `every` epochs and logs its scores.

    The scores go into the epoch's logs under `prefix + name`, so the callbacks after
    it in the list (`History`, the progress bar, `CSVHistory`, TensorBoard) see them:
    put it before them. Only scores are logged: entries that are not numbers (the
    feature extractor's name, an error that could not be computed) and the settings of
    the evaluation (`seed`, `num_*`) are left out.

    Args:
        evaluate: `model -> dict`, e.g.
            `lambda m: sample_scores(m, real, digit_features(), num_samples=500)`.
        every: epochs between evaluations; the last epoch of `fit` is always
            evaluated. Defaults to 1.
        prefix: prepended to each name. Defaults to "eval_".
    """

    def __init__(self, evaluate, every=1, prefix="eval_"):
        super().__init__()
        self.evaluate = evaluate
        self.every = every
        self.prefix = prefix

    def on_epoch_end(self, epoch, logs=None):
        last = epoch + 1 == self.params.get("epochs")
        if logs is None or ((epoch + 1) % self.every and not last):
            return
        with quiet():  # fit's progress bar is on the line
            scores = self.evaluate(self.model)
        for name, value in scores.items():
            setting = name == "seed" or name.startswith("num_")
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not setting:
                logs[self.prefix + name] = float(value)
