"""Feature extractors for the distances: a shipped digit classifier, or InceptionV3.

A `FeatureExtractor` maps images `(n, height, width, channels)` to features `(n, dim)`
(float64 NumPy). It states its name and its resizing, which every score reports.

- `digit_features("logits" | "penultimate")`: ganzoo's digit classifier
  (`pretrained/digit_classifier`, 95.3% on MNIST-5k test), as TF-GAN scores MNIST on
  its classifier's logits (10-dim) or the layer before (1024-dim). 28x28x1 images.
- `inception_features()`: InceptionV3 pool features (2048-dim), ImageNet weights from
  `keras.applications` (downloaded once into the Keras cache); images are resized to
  299x299 (bilinear) and grayscale is repeated to RGB, as the FID code does.
"""

import dataclasses
import warnings

import keras
import numpy as np

from ganzoo.arguments import as_array, check_range
from ganzoo.errors import InvalidArgumentError
from ganzoo.metrics.digits import load_digit_classifier
from ganzoo.progress import in_steps


def checked_unit_range(images, value_range=(-1.0, 1.0)):
    """Images as float32 in [-1, 1], from the range they are declared in.

    Args:
        images: array `(n, height, width, channels)`.
        value_range: (-1, 1) (ganzoo's generators) or (0, 255) (uint8 photos).

    Raises:
        ValueError: when values fall outside the declared range (naming what they look
            like). A (-1, 1) batch with no negative value warns: it looks like [0, 1].
    """
    if tuple(value_range) not in ((-1.0, 1.0), (0.0, 255.0)):
        raise InvalidArgumentError(
            f"value_range must be (-1, 1) or (0, 255). Received {value_range}."
        )
    images = as_array(images, "images", 4)
    smallest = float(images.min())
    check_range(
        images, "images", value_range, " They look like [0, 255]: pass value_range=(0, 255)."
    )
    if value_range == (0.0, 255.0):
        return images / 127.5 - 1.0
    if smallest >= 0 and images.size > 1000:
        warnings.warn(
            "Images declared in [-1, 1] have no negative value: if they are in [0, 1], "
            "scale them with x * 2 - 1 first.",
            stacklevel=3,
        )
    return np.clip(images, -1.0, 1.0)


@dataclasses.dataclass
class FeatureExtractor:
    """`network` on images resized to `image_shape`; called on images in [-1, 1].

    Attributes:
        name: what the features are ("digit_classifier logits").
        network: Keras model, `(batch, *image_shape)` in [-1, 1] -> `(batch, dim)`.
        image_shape: `(height, width, channels)` the network takes.
        batch_size: images per forward pass.
    """

    name: str
    network: keras.Model
    image_shape: tuple
    batch_size: int = 250

    @property
    def resize(self):
        """How images are brought to the network's input, for reports."""
        height, width, channels = self.image_shape
        return f"bilinear to {height}x{width}, {channels} channel(s)"

    def __call__(self, images, value_range=(-1.0, 1.0)):
        images = checked_unit_range(images, value_range)
        height, width, channels = self.image_shape
        if images.shape[-1] != channels:
            if images.shape[-1] == 1 and channels == 3:
                images = np.repeat(images, 3, axis=-1)
            elif images.shape[-1] == 3 and channels == 1:
                images = images @ np.array([[0.299], [0.587], [0.114]], np.float32)
        features = []
        starts = range(0, len(images), self.batch_size)
        label = f"{self.name}: features of {len(images)} images"
        for start in in_steps(starts, label):
            batch = images[start : start + self.batch_size]
            if batch.shape[1:3] != (height, width):
                batch = keras.ops.image.resize(batch, (height, width), "bilinear")
            features.append(keras.ops.convert_to_numpy(self.network(batch, training=False)))
        return np.concatenate(features).astype(np.float64)


def digit_features(layer="logits"):
    """The shipped digit classifier's logits (10-dim) or penultimate features (1024-dim)."""
    if layer not in ("logits", "penultimate"):
        raise InvalidArgumentError(f"layer must be 'logits' or 'penultimate'. Received {layer!r}.")
    classifier = load_digit_classifier()
    if layer == "penultimate":
        classifier = keras.Model(classifier.inputs, classifier.layers[-2].output)
    return FeatureExtractor(f"digit_classifier {layer}", classifier, (28, 28, 1))


def inception_features(weights="imagenet"):
    """InceptionV3 average-pool features (2048-dim) on 299x299 RGB.

    Args:
        weights: "imagenet" (downloaded once by keras.applications), a path to a
            weights file, or None (random weights: for tests, not for scores).
    """
    try:
        network = keras.applications.InceptionV3(
            include_top=False, pooling="avg", weights=weights, input_shape=(299, 299, 3)
        )
    except Exception as error:  # the download fails without a network
        raise RuntimeError(
            f"Could not load InceptionV3 weights ({error}). They download from the "
            "network into ~/.keras/models once; on a machine without one, copy the file "
            "there or pass weights=PATH, or use digit_features() for digits."
        ) from error
    return FeatureExtractor(
        f"InceptionV3 pool ({weights or 'random'} weights)", network, (299, 299, 3), batch_size=50
    )
