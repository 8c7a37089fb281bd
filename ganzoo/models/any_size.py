"""Running an image-to-image network on images of any size (a mixin of the models).

A fully convolutional generator takes heights and widths that are multiples of its
`size_multiple` (2^depth for a U-Net or an hourglass, 4 for a ResNet), at least its
`smallest_size`; other sizes are reflect-padded up and the outputs cropped back.
"""

import keras
import numpy as np

from ganzoo.arguments import as_array, as_count, check_range
from ganzoo.errors import InvalidArgumentError
from ganzoo.progress import in_steps


class AnySize:
    """`check_size` and `translate_with` for a model with `generator_name`,
    `size_multiple` and `smallest_size` (`ganzoo.blocks.size_multiple`,
    `smallest_size`)."""

    def check_size(self, size, what):
        """Raises unless `size` (height, width) is a size the generator takes."""
        m, smallest = self.size_multiple, self.smallest_size
        if all(s is not None and s % m == 0 and s >= smallest for s in size):
            return
        nearest = [max(smallest, round(s / m) * m) if s else smallest for s in size]
        raise InvalidArgumentError(
            f"{what} {tuple(size)} does not fit generator {self.generator_name!r}: height "
            f"and width must be multiples of {m}"
            + (f", at least {smallest}" if smallest > m else "")
            + f" (e.g. {nearest[0]}x{nearest[1]}). Crop or resize the images, or pick a "
            "generator with fewer levels."
        )

    def translate_with(self, network, images, channels, batch_size=8, pad=True, training=False):
        """Runs `network` on images of any size, padding to the size it needs.

        In inference mode the network runs as Keras' compiled predict function, in
        full batches: on JAX the first call for an image size compiles it (under a
        second for unet_256 here), later calls of that size reuse it.

        Args:
            images: array `(batch, H, W, C)` or one image `(H, W, C)`, in [-1, 1].
            channels: the channels the network takes.
            batch_size: images per call. Defaults to 8.
            pad: if H or W is not a multiple of `size_multiple`, reflect-pad the images
                up to one and crop the outputs back (True, the default), or raise.
            training: run batch norm on batch statistics and keep dropout on, as the
                reference's `test.py` does without `--eval`. Defaults to False.

        Returns:
            float32 NumPy array, the same height and width as `images`.
        """
        images = np.asarray(images) if isinstance(images, (list, tuple)) else images
        if getattr(images, "dtype", None) == np.uint8:  # 0..255 would pass as [-1, 1]
            raise InvalidArgumentError(
                "translate takes float images in [-1, 1]; received uint8 (0-255): pass "
                "images / 127.5 - 1."
            )
        single = np.ndim(images) == 3
        images = as_array(images[None] if single else images, "images", (4,), least=0)
        if images.shape[-1] != channels or min(images.shape[1:3]) < 1:
            raise InvalidArgumentError(
                f"translate takes images of shape (batch, height, width, {channels}) or "
                f"(height, width, {channels}) in [-1, 1]. Received shape "
                f"{images.shape[1:] if single else images.shape}."
            )
        check_range(images, "images")
        batch_size = as_count(batch_size, "batch_size")
        height, width = images.shape[1:3]
        if not len(images):  # an empty batch: nothing to run
            return np.zeros((0, height, width, network.output_shape[-1]), np.float32)
        m = self.size_multiple
        padded = tuple(max(self.smallest_size, -(-s // m) * m) for s in (height, width))
        if padded != (height, width):
            if not pad:
                self.check_size((height, width), "Image size")
            extra = [(0, 0), (0, padded[0] - height), (0, padded[1] - width), (0, 0)]
            images = np.pad(images, extra, mode="reflect" if min(height, width) > 1 else "edge")
        count, batch_size = len(images), min(batch_size, len(images))
        if not training:
            # Every call takes a full batch (the last one padded with copies of the last
            # image): one compiled function per image size on JAX and TensorFlow.
            extra = [(0, -count % batch_size), (0, 0), (0, 0), (0, 0)]
            images = np.pad(images, extra, mode="edge")

        def run(batch):
            if training:  # batch statistics (of these images only) and dropout
                return keras.ops.convert_to_numpy(network(batch, training=True))
            return network.predict_on_batch(batch)

        outputs = np.concatenate(
            [
                run(images[i : i + batch_size])
                for i in in_steps(range(0, count, batch_size), f"translating {count} images")
            ]
        )[:count, :height, :width]
        return outputs[0] if single else outputs
