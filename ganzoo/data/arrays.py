"""Batches of in-memory arrays without TensorFlow: the offline sets' stream where
`tf.data` cannot be imported (JAX or torch installed without TensorFlow).

`ArrayBatches` is a `keras.utils.PyDataset` of one epoch's batches, which `fit` takes on
JAX and torch; `after(position)` is the endless stream from a position on, epoch after
epoch. Every batch is a function of the seed and its position alone (the order of an
epoch is a permutation drawn from `(seed, domain, pass)`, a crop's offsets from `(seed,
position)`), so a resumed run draws the batches the interrupted one would have. The
order is not the tf.data pipelines' (a run without TensorFlow is its own run, as
deterministic); the layouts are theirs:

    images                  batches of images
    (images, labels)        rows of both, in one order (also Pix2Pix's `(A, B)` pairs)
    {"A": a, "B": b}        two unpaired domains, each in its own order, reshuffled
                            whenever it runs out; an epoch has max(len(a), len(b)) pairs
"""

import keras
import numpy as np

from ganzoo.arguments import as_count
from ganzoo.errors import InvalidArgumentError


class ArrayBatches(keras.utils.PyDataset):
    """One epoch of batches of `elements` (see the module's layouts), the last partial
    batch dropped.

    Args:
        elements: an array, a tuple of arrays of equal length, or `{"A": a, "B": b}`.
        batch_size: rows per batch.
        seed: the seed of the order and the crops. Defaults to 0.
        shuffle: a new order every pass. Defaults to True.
        crop: crop every image array to `crop x crop` at a random offset per element,
            the same for every array of a row (a pair stays aligned), or None.
        start: None for one epoch's batches; a position for the endless stream after
            that many batches (`after`).
    """

    def __init__(self, elements, batch_size, *, seed=0, shuffle=True, crop=None, start=None):
        super().__init__()
        self.elements, self.seed, self.shuffle, self.crop = elements, seed, shuffle, crop
        self.batch_size = as_count(batch_size, "batch_size")
        self.domains = elements if isinstance(elements, dict) else {None: elements}
        self.lengths = {
            name: len(keras.tree.flatten(part)[0]) for name, part in self.domains.items()
        }
        self.pairs = max(self.lengths.values())  # per epoch
        if self.pairs < self.batch_size:
            raise InvalidArgumentError(
                f"batch_size={self.batch_size} is larger than the {self.pairs} images, so "
                "every batch would be dropped. Use a smaller batch_size."
            )
        self.start = start  # None: one epoch; a position: the endless stream from there

    @property
    def steps(self):
        """Batches per epoch."""
        return self.pairs // self.batch_size

    @property
    def num_batches(self):
        return self.steps if self.start is None else None

    def after(self, position):
        """The endless stream of batches after the first `position` (epoch after epoch)."""
        return ArrayBatches(
            self.elements,
            self.batch_size,
            seed=self.seed,
            shuffle=self.shuffle,
            crop=self.crop,
            start=position,
        )

    def __getitem__(self, index):
        position = index + (self.start or 0)
        epoch, first = divmod(position, self.steps)
        stream = epoch * self.pairs + first * self.batch_size + np.arange(self.batch_size)
        batch = {name: self.rows(name, part, stream) for name, part in self.domains.items()}
        return batch[None] if None in batch else batch

    def rows(self, domain, part, stream):
        """The rows of one domain at stream indices `stream` (one batch)."""
        length = self.lengths[domain]
        passes, within = np.divmod(stream, length)
        rows = np.empty_like(stream)
        for each in np.unique(passes):
            order = np.arange(length)
            if self.shuffle:
                key = [self.seed, 0 if domain in (None, "A") else 1, int(each)]
                order = np.random.default_rng(key).permutation(length)
            rows[passes == each] = order[within[passes == each]]
        batch = keras.tree.map_structure(lambda array: np.asarray(array[rows]), part)
        if self.crop is None:
            return batch
        return keras.tree.map_structure(lambda x: self.cropped(x, stream), batch)

    def cropped(self, images, stream):
        """`crop x crop` windows of `(batch, height, width, channels)` images, at the
        offsets of the elements `stream` (drawn from the seed and the element alone)."""
        height, width = images.shape[1:3]
        windows = []
        for image, element in zip(images, stream, strict=True):
            rng = np.random.default_rng([self.seed, 2, int(element)])
            top = rng.integers(0, height - self.crop + 1)
            left = rng.integers(0, width - self.crop + 1)
            windows.append(image[top : top + self.crop, left : left + self.crop])
        return np.stack(windows)
