"""The preprocessing of pytorch-CycleGAN-and-pix2pix (`data/base_dataset.py`), in tf.image.

`--preprocess` modes, as the reference names them:

    resize_and_crop       resize to load_size x load_size, random crop_size crop (default)
    crop                  random crop_size crop of the image as it is
    scale_width           resize to width load_size (height keeps the aspect ratio,
                          at least crop_size), no crop
    scale_width_and_crop  scale_width, then a random crop_size crop
    none                  only round height and width to multiples of 4 (resize)

then a random horizontal flip (`--no_flip` is `flip=False`) and the scaling of
[0, 255] to [-1, 1]. Paired images go through one call with A and B stacked on the
channel axis, so one crop and one flip apply to both and they stay aligned pixel for
pixel. Randomness is stateless: the same seed gives the same crop and flip on every run.
With `training=False` the crop is centred and there is no flip (evaluation is
deterministic; the reference crops at random at test time too, but its test recipes
load at crop_size, where the crop is the whole image).

Keras' own augmentation layers (`keras.layers.RandomFlip`, `RandomCrop`,
`RandomRotation`, `RandomContrast`, ...: they replace what keras-cv offered) serve as
a preprocessing too (`AugmentationLayers`): each layer draws one transformation per
element from the element's stateless seed and applies it to A and B alike.
"""

import dataclasses

import keras

from ganzoo.arguments import as_count
from ganzoo.errors import InvalidArgumentError, InvalidTypeError
from ganzoo.optional import import_tensorflow

tf = import_tensorflow("tf.data pipelines")

MODES = ("resize_and_crop", "crop", "scale_width", "scale_width_and_crop", "none")
SIZE_BASE = 4  # the reference's __make_power_2 base for preprocess "none"


@dataclasses.dataclass(frozen=True)
class Preprocess:
    """A preprocessing recipe: `Preprocess("resize_and_crop", load_size=286, crop_size=256)`.

    Args:
        mode: one of `MODES`. Defaults to "resize_and_crop".
        load_size: the size images are resized to (the width for scale_width).
            Defaults to 286.
        crop_size: the size of the square crop. Defaults to 256.
        flip: random horizontal flip when training. Defaults to True; use False for
            data whose meaning changes in a mirror (glyphs, digits).
    """

    mode: str = "resize_and_crop"
    load_size: int = 286
    crop_size: int = 256
    flip: bool = True

    def __post_init__(self):
        as_count(self.load_size, "load_size")
        as_count(self.crop_size, "crop_size")
        if not isinstance(self.flip, bool):
            raise InvalidTypeError(f"flip must be True or False. Received: {self.flip!r}.")
        if self.mode not in MODES:
            raise InvalidArgumentError(
                f"Unknown preprocess mode {self.mode!r}. Use one of {MODES}."
            )
        if self.crops and self.resizes and self.load_size < self.crop_size:
            raise InvalidArgumentError(
                f"load_size={self.load_size} is smaller than crop_size={self.crop_size}; "
                "the crop must fit in the loaded image. Use load_size >= crop_size."
            )

    @property
    def crops(self):
        return self.mode in ("resize_and_crop", "crop", "scale_width_and_crop")

    @property
    def resizes(self):
        return self.mode != "crop"

    def resized_size(self, height, width):
        """(height, width) after the resize and before the crop, as Python ints."""
        if self.mode == "resize_and_crop":
            return self.load_size, self.load_size
        if self.mode.startswith("scale_width"):
            return max(int(self.load_size * height / width), self.crop_size), self.load_size
        if self.mode == "none":
            return (
                max(SIZE_BASE, round(height / SIZE_BASE) * SIZE_BASE),
                max(SIZE_BASE, round(width / SIZE_BASE) * SIZE_BASE),
            )
        return height, width

    def output_size(self, height, width):
        """(height, width) of the preprocessed image of a `height x width` input.

        Raises ValueError when the crop does not fit.
        """
        height, width = self.resized_size(height, width)
        if not self.crops:
            return height, width
        if min(height, width) < self.crop_size:
            raise InvalidArgumentError(
                f"A {height}x{width} image (after {self.mode!r} resizing) is smaller than "
                f"crop_size={self.crop_size}. Use a smaller crop_size, or "
                "preprocess='resize_and_crop' with load_size >= crop_size."
            )
        return self.crop_size, self.crop_size

    def __call__(self, images, seed, training=True, value_range=(0.0, 255.0)):
        """Resizes, crops and flips one image (or A and B stacked on the channel axis).

        Args:
            images: `(height, width, channels)` tensor with values in `value_range`.
            seed: int32/int64 tensor of shape (2,) for the stateless random ops.
            training: random crop and flip when True; centre crop, no flip otherwise.
            value_range: (low, high) of the input; resized values are clipped to it
                (bicubic interpolation overshoots). Defaults to (0, 255).

        Returns:
            float32 `(out_height, out_width, channels)` in `value_range`.
        """
        images = tf.cast(images, tf.float32)
        crop_seed, flip_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
        if self.resizes:
            shape = tf.shape(images)
            height, width = self._resized_size_tensor(shape[0], shape[1])
            resized = tf.image.resize(images, (height, width), "bicubic", antialias=True)
            images = tf.clip_by_value(resized, *value_range)
        if self.crops:
            size = (self.crop_size, self.crop_size, images.shape[-1])
            if training:
                images = tf.image.stateless_random_crop(images, size, crop_seed)
            else:
                images = centre_crop(images, self.crop_size)
        if self.flip and training:
            images = tf.image.stateless_random_flip_left_right(images, flip_seed)
        return images

    def _resized_size_tensor(self, height, width):
        """`resized_size` for the tensor sizes of a decoded image."""
        if self.mode == "resize_and_crop":
            return self.load_size, self.load_size
        if self.mode.startswith("scale_width"):
            scaled = tf.cast(self.load_size * height / width, tf.int32)
            return tf.maximum(scaled, self.crop_size), self.load_size
        return tuple(
            tf.maximum(SIZE_BASE, tf.cast(tf.round(n / SIZE_BASE), tf.int32) * SIZE_BASE)
            for n in (height, width)
        )


TRAINING = Preprocess()  # the reference's training default: 286 -> random 256 crop, flip
INFERENCE = Preprocess("none", flip=False)  # sizes rounded to multiples of 4, no flip


def centre_crop(images, size):
    """The centred `size` x `size` crop of `(height, width, channels)` images."""
    shape = tf.shape(images)
    top, left = (shape[0] - size) // 2, (shape[1] - size) // 2
    return images[top : top + size, left : left + size]


def to_unit_range(images, value_range=(0.0, 255.0)):
    """Maps `value_range` linearly onto [-1, 1] (the reference's Normalize(0.5, 0.5))."""
    low, high = value_range
    return tf.cast(images, tf.float32) * (2.0 / (high - low)) - (2.0 * low / (high - low) + 1.0)


class ElementSeed(keras.random.SeedGenerator):
    """The seeds of one element's random draws in a tf.data map: the n-th draw is the
    element's stateless seed folded with n, so a Keras layer's draws depend on the
    element's seed alone (the same on every run and after a resume) and not on a
    shared state that parallel map calls would race on."""

    def __init__(self, seed):  # no state variable: nothing is carried between elements
        self.seed, self.draws = seed, 0

    def next(self, ordered=True):
        self.draws += 1
        return tf.random.experimental.stateless_fold_in(self.seed, self.draws)


class AugmentationLayers:
    """Keras image augmentation layers as a pipeline's preprocessing.

    `AugmentationLayers([keras.layers.RandomCrop(256, 256), keras.layers.RandomFlip()])`;
    the loaders take the layers (one, a list, or a `keras.Sequential`) as `preprocess`.
    Each layer sees images in [0, 255] (Keras' default `value_range`), one element at
    a time; with `training=False` the layers do what they do at inference (RandomCrop
    crops the centre, the others pass the image through).
    """

    def __init__(self, layers):
        layers = list(layers.layers if isinstance(layers, keras.Sequential) else layers)
        for layer in layers:
            if not hasattr(layer, "get_random_transformation"):
                raise InvalidTypeError(
                    "preprocess takes a ganzoo.data.Preprocess or Keras image augmentation "
                    "layers (keras.layers.RandomFlip, RandomCrop, ...: layers with "
                    f"get_random_transformation). Received {layer!r}."
                )
        self.layers = layers

    def output_size(self, height, width):
        """(height, width) of the augmented image of a `height x width` input."""
        shape = (1, height, width, 1)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return tuple(shape[1:3])

    def __call__(self, images, seed, training=True, value_range=(0.0, 255.0)):
        """One image `(height, width, channels)` in `value_range`, augmented, in
        `value_range`; `seed` as `Preprocess`'s."""
        (images,) = self.transform([images], seed, training, value_range)
        return images

    def transform(self, images, seed, training=True, value_range=(0.0, 255.0)):
        """Each layer's one random transformation applied to every image in the list
        `images` (A and B of a pair: the same crop, flip, rotation or contrast)."""
        low, high = value_range
        images = [(tf.cast(x, tf.float32)[None] - low) * (255.0 / (high - low)) for x in images]
        seeds = ElementSeed(seed)
        for layer in self.layers:
            layer.backend.set_backend("tensorflow")  # as Keras' layers do inside tf.data
            try:
                transformation = layer.get_random_transformation(images[0], training, seeds)
                images = [layer.transform_images(x, transformation, training) for x in images]
            finally:
                layer.backend.reset()
        return [tf.clip_by_value(x[0] * ((high - low) / 255.0) + low, low, high) for x in images]


def as_preprocess(preprocess):
    """A loader's `preprocess` argument: None, a `Preprocess`, or Keras augmentation
    layers (one, a list or a `keras.Sequential`) as `AugmentationLayers`."""
    if preprocess is None or isinstance(preprocess, (Preprocess, AugmentationLayers)):
        return preprocess
    if isinstance(preprocess, keras.layers.Layer) and not isinstance(preprocess, keras.Sequential):
        preprocess = [preprocess]
    if isinstance(preprocess, (list, tuple, keras.Sequential)):
        return AugmentationLayers(preprocess)
    raise InvalidTypeError(
        "preprocess takes a ganzoo.data.Preprocess, Keras image augmentation layers "
        f"(keras.layers.RandomFlip(), ...) or None. Received {preprocess!r}."
    )


def preprocess_paired(preprocess, a, b, seed, training=True, value_range=(0.0, 255.0)):
    """`preprocess` applied once to A and B stacked (Keras layers: each layer's one
    transformation to both), so both get the same crop and flip.

    Returns:
        `(a, b)` float32 in [-1, 1], each with its own channel count.
    """
    if isinstance(preprocess, AugmentationLayers):
        a, b = preprocess.transform([a, b], seed, training, value_range)
        return to_unit_range(a, value_range), to_unit_range(b, value_range)
    channels_a = a.shape[-1]
    both = preprocess(
        tf.concat([tf.cast(a, tf.float32), tf.cast(b, tf.float32)], -1), seed, training, value_range
    )
    return to_unit_range(both[..., :channels_a], value_range), to_unit_range(
        both[..., channels_a:], value_range
    )
