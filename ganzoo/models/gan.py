"""The GAN game (Goodfellow et al., 2014), written once for every image GAN here.

    min_G max_D  E_x[log D(x)] + E_z[log(1 - D(G(z)))]

played by alternating gradient steps: k steps of the discriminator D on real images x
and generated images G(z), z ~ N(0, I), then one step of the generator G. The loss
pair is a constructor argument (`ganzoo.losses`: minimax, non-saturating,
least-squares, wgan-gp, hinge). With `num_classes`, both players also see a label y
(Mirza & Osindero, 2014): G(z, y) takes the one-hot label next to z, and D(x, y) takes
one constant map per class next to the image's channels.
"""

import math

import keras
import numpy as np
from keras import layers, ops

from ganzoo import backend
from ganzoo.arguments import (
    as_array,
    as_count,
    as_counts,
    as_number,
    first_batch,
    is_tf_dataset,
    require_memory,
)
from ganzoo.blocks import LabelMaps, mlp_discriminator, mlp_generator
from ganzoo.errors import InvalidArgumentError
from ganzoo.latents import draw_latents
from ganzoo.losses import get_objective
from ganzoo.models.checks import (
    batch_shapes,
    check_class_ids,
    check_has_pixels,
    with_class_id_check,
)
from ganzoo.progress import in_steps
from ganzoo.training import AdversarialModel


class GANBase(AdversarialModel):
    """A generator G and a discriminator D trained with an adversarial objective.

    Subclasses build `self.generator` (inputs from `generator_inputs()`, output
    `image_shape` in [-1, 1]) and `self.discriminator` (inputs from
    `discriminator_inputs()`, output `(batch, 1)` scores).

    Args:
        image_shape: `(height, width, channels)` of the images, values in [-1, 1].
        latent_dim: size of z ~ N(0, I).
        num_classes: None for an unconditional model, else the number of classes.
        adversarial_loss: name of the objective in `ganzoo.losses`.
        discriminator_steps: k, discriminator steps per generator step.
        gradient_penalty_weight: lambda of the `"wgan-gp"` penalty.
        seed: seeds the latents drawn in training.
    """

    kind = "generator"
    tracked_metrics = ("d_loss", "d_real", "d_fake", "g_loss")

    def __init__(
        self,
        image_shape,
        latent_dim,
        num_classes,
        adversarial_loss,
        discriminator_steps,
        gradient_penalty_weight,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        self.image_shape = as_counts(image_shape, "image_shape (height, width, channels)", 3)
        self.latent_dim = as_count(latent_dim, "latent_dim")
        self.num_classes = None if num_classes is None else as_count(num_classes, "num_classes", 2)
        self.adversarial_loss = adversarial_loss
        self.objective = get_objective(adversarial_loss)
        self.discriminator_steps = as_count(discriminator_steps, "discriminator_steps")
        self.gradient_penalty_weight = as_number(
            gradient_penalty_weight, "gradient_penalty_weight", least=0
        )

    # -- networks -------------------------------------------------------------------

    def generator_inputs(self):
        """G's `keras.Input`s and the tensor its stack starts from: z or [z, y]."""
        z = keras.Input((self.latent_dim,), name="z")
        if self.num_classes is None:
            return z, z
        labels = keras.Input((self.num_classes,), name="labels")
        return [z, labels], layers.Concatenate()([z, labels])

    def discriminator_inputs(self):
        """D's `keras.Input`s and its stack's input: x, or x with label maps."""
        images = keras.Input(self.image_shape, name="images")
        if self.num_classes is None:
            return images, images
        labels = keras.Input((self.num_classes,), name="labels")
        maps = LabelMaps(*self.image_shape[:2])(labels)
        return [images, labels], layers.Concatenate()([images, maps])

    def call(self, inputs, training=False):
        """The generator (its average with `ema_decay`): z `(batch, latent_dim)` (and
        one-hot labels) -> images."""
        return self.generators()[0](inputs, training=training)

    @property
    def image_size(self):
        """`(height, width)` of the images."""
        return self.image_shape[:2]

    def trained_generators(self):
        return (self.generator,)

    # -- the game -------------------------------------------------------------------

    def generator_forward(self, data):
        real, labels = self.unpack(data)
        return self.generate_batch(ops.shape(real)[0], labels)

    def discriminator_loss(self, data, fake):
        real, labels = self.unpack(data)
        return self.discriminator_objective(
            lambda images: self.discriminate(self.discriminator, images, *self.conditions(labels)),
            real,
            fake,
        )

    def generator_loss(self, data, fake):
        _, labels = self.unpack(data)
        scores = self.discriminate(self.discriminator, fake, *self.conditions(labels))
        loss = self.objective.generator_loss(scores)
        return loss, {"g_loss": loss}

    def generate_batch(self, batch_size, labels):
        """G(z, y) in training mode, z ~ N(0, I) from the model's seed generator."""
        z = backend.random_normal((batch_size, self.latent_dim), self.seed_generator)
        return self.run_network(self.generator, self.conditioned(z, labels))

    def conditioned(self, x, labels):
        return x if labels is None else [x, labels]

    def conditions(self, labels):
        """What D takes besides the images: `(labels,)`, or `()` unconditionally."""
        return () if labels is None else (labels,)

    def unpack(self, data):
        """A batch -> (images, one-hot labels or None).

        Accepts `images`, `(images,)` or `(images, labels)`; labels are class ids
        `(batch,)` or one-hot `(batch, num_classes)`, and are ignored by
        unconditional models (so `as_supervised` tfds datasets work as they are).
        """
        if isinstance(data, (tuple, list)):
            images, labels = data[0], data[1] if len(data) > 1 else None
        else:
            images, labels = data, None
        if self.num_classes is None:
            return images, None
        if labels.shape[-1] == self.num_classes and len(labels.shape) == 2:
            return images, ops.cast(labels, "float32")
        ids = ops.cast(ops.reshape(labels, (-1, 1)), "int32")
        # one_hot: Keras' own copies a constant from the host on torch at every call
        return images, ops.cast(ops.equal(ids, ops.arange(self.num_classes)), "float32")

    # -- data checks ----------------------------------------------------------------

    def checked_data(self, x, y=None):
        """`x` once checked against the model (`fit`, `evaluate`, `train_on_batch`,
        `test_on_batch`): a `tf.data.Dataset` of image batches, or of `(images, labels)`
        batches for conditional models; arrays (`x` images, `y` labels); or a
        `keras.utils.PyDataset` or torch `DataLoader` of the same batches (Keras reads
        those). Images are `(batch, *image_shape)` floats in [-1, 1]."""
        image_shape, label_shape = batch_shapes(x, y)
        if image_shape is not None:
            self.check_image_shape(image_shape)
        if self.num_classes is not None and image_shape is not None:
            if label_shape is None:
                raise InvalidArgumentError(
                    f"{type(self).__name__} is conditional (num_classes="
                    f"{self.num_classes}) and needs (images, labels) batches, but the "
                    "data has images only. Give a dataset of (images, labels) pairs, "
                    "or x=images, y=labels."
                )
            if label_shape not in ((), (1,), (self.num_classes,)):
                raise InvalidArgumentError(
                    f"Labels must be class ids of shape (batch,) or one-hot of shape "
                    f"(batch, {self.num_classes}). Received per-sample shape {label_shape}."
                )
            if y is not None:
                check_class_ids(np.reshape(y, (-1,)), self.num_classes)
            elif label_shape != (self.num_classes,) and is_tf_dataset(x):
                x = with_class_id_check(x, self.num_classes)
            elif label_shape != (self.num_classes,):  # a PyDataset or DataLoader
                check_class_ids(np.reshape(np.asarray(first_batch(x)[1]), (-1,)), self.num_classes)
        return x

    def check_image_shape(self, shape):
        shape = tuple(shape)
        if shape == self.image_shape:
            return
        check_has_pixels(shape, "The images")
        name = type(self).__name__
        if shape[:2] == self.image_shape[:2] and len(shape) == 3:
            raise InvalidArgumentError(
                f"{name} was built for {self.image_shape[-1]}-channel images; the "
                f"data has {shape[-1]} channels (shape {shape}). Convert the images "
                f"or build the model with image_shape={shape}."
            )
        raise InvalidArgumentError(
            f"{name} was built for images of shape {self.image_shape}; the data has "
            f"shape {shape}. Resize the data or build the model with "
            f"image_shape={shape}."
        )

    # -- inference ------------------------------------------------------------------

    def generate(self, num_images, labels=None, seed=None, batch_size=256, truncation=None):
        """Samples images from the generator in inference mode.

        Args:
            num_images: how many images.
            labels: class ids `(num_images,)` (conditional models only), or one
                int for all.
            seed: Integer or None. The latents come from NumPy's PCG64 with this
                seed, so a seed gives the same images on every backend.
            batch_size: images per generator call. Defaults to 256.
            truncation: optional threshold of the truncation trick
                (`ganzoo.latents.draw_latents`): more typical, less varied images.

        Returns:
            float32 NumPy array `(num_images, height, width, channels)` in [-1, 1].
        """
        num_images = as_count(num_images, "num_images", least=0)
        self.check_fits_in_memory(num_images)
        latents = draw_latents(num_images, self.latent_dim, seed, truncation)
        if self.num_classes is not None and labels is not None:
            labels = check_class_ids(labels, self.num_classes, num_images)
        return self.generate_from_latents(latents, labels, batch_size)

    def check_fits_in_memory(self, num_images):
        """Refuses, in one line, a number of images whose float32 array would not fit in
        this machine's memory (rather than failing to allocate it)."""
        size = 4 * num_images * math.prod(self.image_shape)
        require_memory(size, f"{num_images:,} images of shape {self.image_shape}")

    def generate_from_latents(self, latents, labels=None, batch_size=256):
        """The generator's images of given latents (`ganzoo.latents`), in inference mode.

        Args:
            latents: `(n, latent_dim)` floats.
            labels: conditional models only: class ids `(n,)` (or one int for all), or
                `(n, num_classes)` label vectors (one-hot, or blends of them, as
                `ganzoo.latents.interpolate` makes).
            batch_size: images per generator call. Defaults to 256.

        Returns:
            float32 NumPy array `(n, height, width, channels)` in [-1, 1].
        """
        latents = as_array(latents, "latents", 2, least=0)
        num_images = len(latents)
        self.check_fits_in_memory(num_images)
        if latents.shape[1] != self.latent_dim:
            raise InvalidArgumentError(
                f"latents must be (n, latent_dim={self.latent_dim}). Received shape "
                f"{latents.shape}."
            )
        batch_size = as_count(batch_size, "batch_size")
        if self.num_classes is None:
            if labels is not None:
                raise InvalidArgumentError(
                    f"This {type(self).__name__} is unconditional; it takes no labels."
                )
            inputs = latents
        else:
            inputs = [latents, self.label_vectors(labels, num_images)]
        if num_images == 0:  # no generator call: an empty batch
            return np.zeros((0, *self.image_shape), np.float32)

        def batch(i):
            if isinstance(inputs, list):
                return [x[i : i + batch_size] for x in inputs]
            return inputs[i : i + batch_size]

        starts = range(0, num_images, batch_size)
        batches = (
            self.generators()[0].predict_on_batch(batch(i))
            for i in in_steps(starts, f"generating {num_images} images")
        )
        return np.concatenate(list(batches))

    def label_vectors(self, labels, num_images):
        """`(num_images, num_classes)` float32 label vectors from class ids or vectors."""
        if labels is None:
            raise InvalidArgumentError(
                f"This {type(self).__name__} is conditional: pass labels, class ids "
                f"in [0, {self.num_classes})."
            )
        if np.ndim(labels) == 2:
            vectors = as_array(labels, "labels", 2, least=0)
            if vectors.shape != (num_images, self.num_classes):
                raise InvalidArgumentError(
                    f"label vectors must be (n={num_images}, num_classes={self.num_classes}). "
                    f"Received shape {vectors.shape}."
                )
            return vectors
        ids = check_class_ids(labels, self.num_classes, num_images)
        return np.eye(self.num_classes, dtype=np.float32)[ids]

    def get_config(self):
        return {
            **super().get_config(),
            "image_shape": self.image_shape,
            "latent_dim": self.latent_dim,
            "num_classes": self.num_classes,
            "adversarial_loss": self.adversarial_loss,
            "discriminator_steps": self.discriminator_steps,
            "gradient_penalty_weight": self.gradient_penalty_weight,
        }


@keras.saving.register_keras_serializable(package="ganzoo")
class GAN(GANBase):
    """The original GAN: fully connected generator and discriminator.

    Reference: Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.

    Args:
        image_shape: `(height, width, channels)`, values in [-1, 1].
            Defaults to `(28, 28, 1)`.
        latent_dim: size of z ~ N(0, I). Defaults to 100.
        generator_units: hidden widths of G. Defaults to `(256, 512, 1024)`.
        discriminator_units: hidden widths of D. Defaults to `(512, 256)`.
        num_classes: None (unconditional) or the number of classes for Mirza &
            Osindero's conditional MLP GAN. Defaults to None.
        adversarial_loss: Defaults to `"non-saturating"` (Goodfellow's practical
            choice); `"minimax"` is the saturating objective of the paper's Eq. 1.
        discriminator_steps: k. Defaults to 1.
        gradient_penalty_weight: lambda for `"wgan-gp"`. Defaults to 10.
        seed: Defaults to None.
    """

    def __init__(
        self,
        image_shape=(28, 28, 1),
        latent_dim=100,
        generator_units=(256, 512, 1024),
        discriminator_units=(512, 256),
        num_classes=None,
        adversarial_loss="non-saturating",
        discriminator_steps=1,
        gradient_penalty_weight=10.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(
            image_shape,
            latent_dim,
            num_classes,
            adversarial_loss,
            discriminator_steps,
            gradient_penalty_weight,
            seed=seed,
            **kwargs,
        )
        self.generator_units = as_counts(generator_units, "generator_units")
        self.discriminator_units = as_counts(discriminator_units, "discriminator_units")
        inputs, h = self.generator_inputs()
        self.generator = keras.Model(
            inputs, mlp_generator(h, self.image_shape, self.generator_units), name="generator"
        )
        inputs, h = self.discriminator_inputs()
        scores = mlp_discriminator(h, self.discriminator_units)
        self.discriminator = self.discriminator_network(
            keras.Model(inputs, scores, name="discriminator")
        )
        self.build_averages()

    def get_config(self):
        return {
            **super().get_config(),
            "generator_units": self.generator_units,
            "discriminator_units": self.discriminator_units,
        }
