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
