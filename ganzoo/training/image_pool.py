"""The history of generated images that CycleGAN's discriminators train on.

Shrivastava et al. (2017), as used by Zhu et al. (2017): the discriminator is updated
with images from a buffer of the last `pool_size` generated images rather than only
the newest, which reduces model oscillation. For each generated image of a batch, in
order: while the pool has fewer than `pool_size` images, the image is stored and
returned; afterwards, with probability 1/2 it is returned as it is, else a random
stored image is returned in its place and the new one is stored in that slot.
"""

import keras
from keras import ops

from ganzoo import backend
from ganzoo.errors import InvalidArgumentError


@keras.saving.register_keras_serializable(package="ganzoo")
class ImagePool(keras.layers.Layer):
    """A buffer of generated images kept in model state (saved, restored, jit-safe).

    The images and their count are non-trainable variables, so they are saved in
    `.keras` and checkpoint files and threaded through JAX's stateless train step.

    Args:
        pool_size: images kept; 0 disables the pool (`query` returns its input).
        image_shape: `(height, width, channels)` of the images.
    """

    def __init__(self, pool_size, image_shape, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = int(pool_size)
        self.image_shape = tuple(int(s) for s in image_shape)
        if self.pool_size:
            self.images = self.add_weight(
                shape=(self.pool_size, *self.image_shape),
                initializer="zeros",
                trainable=False,
                name="images",
            )
            self.count = self.add_weight(
                shape=(), initializer="zeros", dtype="int32", trainable=False, name="count"
            )
        self.built = True

    def query(self, images, seed_generator):
        """Returns a batch for the discriminator and updates the pool.

        Args:
            images: tensor `(batch, *image_shape)` of newly generated images.
            seed_generator: `keras.random.SeedGenerator` for the swap decisions.

        Returns:
            tensor of the same shape: each image, or the stored image it replaced.
        """
        if not self.pool_size:
            return images
        if tuple(images.shape[1:]) != self.image_shape:
            raise InvalidArgumentError(
                f"The image pool holds images of shape {self.image_shape}; received a "
                f"batch of shape {tuple(images.shape)}. Train on images of the size "
                "the model was built for (image_size)."
            )
        batch = ops.shape(images)[0]
        swap = backend.random_uniform((batch,), seed_generator) > 0.5
        slots = backend.random_integers((batch,), 0, self.pool_size, seed_generator)
        pool_slots, batch_rows = ops.arange(self.pool_size), ops.arange(batch)

        def per_image(mask):  # (n,) -> (n, 1, 1, 1), to broadcast over images
            return ops.reshape(mask, (-1,) + (1,) * len(self.image_shape))

        # Masked writes (no slice updates at an index, no Python numbers through
        # Keras' operators: on torch each would be a copy from the host).
        def one_image(i, state):
            count, pool, returned = state
            image = returned[i]
            filling = count < self.pool_size
            replace = ops.logical_or(filling, swap[i])
            slot = ops.where(filling, count, slots[i])
            stored = ops.take(pool, slot, axis=0)
            written = ops.logical_and(ops.equal(pool_slots, slot), replace)
            pool = ops.where(per_image(written), image[None], pool)
            out = ops.where(ops.logical_and(replace, ops.logical_not(filling)), stored, image)
            returned = ops.where(per_image(batch_rows == i), out[None], returned)
            return count + ops.cast(filling, count.dtype), pool, returned

        count, pool, returned = ops.fori_loop(
            0, batch, one_image, (self.count.value, self.images.value, images)
        )
        self.count.assign(count)
        self.images.assign(pool)
        return returned

    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "image_shape": self.image_shape,
        }
