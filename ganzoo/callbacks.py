"""Keras callbacks for GAN training: sample grids, scores, checkpoints."""

import json
import pathlib

import keras

from ganzoo.files import written_whole
from ganzoo.images import preview_images, save_image_grid


class SampleGrid(keras.callbacks.Callback):
    """Writes a grid of samples after every epoch (keras-io's GANMonitor).

    The latents (and labels), or the translated examples, are the same every epoch,
    so the grids show one set of samples evolving. See `ganzoo.images.preview_images`.

    Args:
        folder: where `epoch_001.png`, ... are written.
        num_images: Defaults to 64.
        labels: class ids for conditional models. Defaults to
            `arange(num_images) % num_classes` (for 10 classes and 100 images, a
            10x10 grid with one class per column).
        seed: latent seed. Defaults to 0.
        examples: held-out `(a, b)` arrays for Pix2Pix and CycleGAN.
    """

    def __init__(self, folder, num_images=64, labels=None, seed=0, examples=None):
        super().__init__()
        self.folder = pathlib.Path(folder)
        self.num_images = num_images
        self.labels = labels
        self.seed = seed
        self.examples = examples

    def on_epoch_end(self, epoch, logs=None):
        images, columns = preview_images(
            self.model, self.examples, self.num_images, self.labels, self.seed
        )
        save_image_grid(images, self.folder / f"epoch_{epoch + 1:03d}.png", columns)


class Checkpoint(keras.callbacks.Callback):
    """Saves the whole training state after every epoch; `fit` resumes from it.

    The state is every weight of the model: the networks, both optimizers (moments and
    step counts, so the learning-rate schedule too), the random-number state and the
    image pools. At the start of `fit`, the last checkpoint in `folder` is loaded and
    training continues at the epoch after it (as `keras.callbacks.BackupAndRestore`
    does). A save writes `epoch_NNNN.weights.h5`, then atomically replaces
    `state.json`, which names it, and only then deletes the previous file: a run
    killed at any moment resumes from its last complete checkpoint.

    Args:
        folder: the checkpoint folder.
    """

    def __init__(self, folder):
        super().__init__()
        self.folder = pathlib.Path(folder)
        self.state = self.folder / "state.json"

    def on_train_begin(self, logs=None):
        if not self.state.exists():
            return
        state = json.loads(self.state.read_text())
        self.model.load_weights(self.folder / state["weights"])
        self.model._initial_epoch = state["epoch"]  # what BackupAndRestore sets

    def on_epoch_end(self, epoch, logs=None):
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"epoch_{epoch + 1:04d}.weights.h5"
        with written_whole(self.folder / name) as staging:
            self.model.save_weights(staging)
        with written_whole(self.state) as staging:
            staging.write_text(json.dumps({"epoch": epoch + 1, "weights": name}))
        for old in self.folder.glob("epoch_*.weights.h5"):
            if old.name != name:
                old.unlink()


class Evaluate(keras.callbacks.Callback):
    """Runs `evaluate(model)` every `every` epochs and logs its numbers.

    The numbers go into the epoch's logs (so `History`, the progress bar, CSVLogger
    and TensorBoard see them) under `prefix + name`; entries that are not numbers
    (such as the feature extractor's name) are left out.

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
        for name, value in self.evaluate(self.model).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                logs[self.prefix + name] = float(value)
