"""Keras callbacks for GAN training."""

import pathlib

import keras

from ganzoo.images import save_image_grid


class SampleGrid(keras.callbacks.Callback):
    """Writes a grid of generated samples after every epoch (keras-io's GANMonitor).

    The latents (and labels) are the same every epoch, so the grids show one set of
    samples evolving.

    Args:
        folder: where `epoch_001.png`, ... are written.
        num_images: Defaults to 64.
        labels: class ids for conditional models. Defaults to
            `arange(num_images) % num_classes` (for 10 classes and 100 images, a
            10x10 grid with one class per column).
        seed: latent seed. Defaults to 0.
    """

    def __init__(self, folder, num_images=64, labels=None, seed=0):
        super().__init__()
        self.folder = pathlib.Path(folder)
        self.num_images = num_images
        self.labels = labels
        self.seed = seed

    def on_epoch_end(self, epoch, logs=None):
        labels = self.labels
        if labels is None and self.model.num_classes is not None:
            labels = [i % self.model.num_classes for i in range(self.num_images)]
        images = self.model.generate(self.num_images, labels=labels, seed=self.seed)
        save_image_grid(images, self.folder / f"epoch_{epoch + 1:03d}.png")


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
