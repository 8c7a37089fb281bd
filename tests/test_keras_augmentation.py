"""Keras' own image augmentation layers as the pipelines' preprocessing, under the
active Keras backend (the layers switch to TensorFlow inside tf.data)."""

import keras
import numpy as np
import pytest
from helpers import random_images, tiny

import ganzoo
from ganzoo.data import paired_batches
from ganzoo.errors import InvalidTypeError

pytestmark = pytest.mark.every_backend

LAYERS = [
    keras.layers.RandomCrop(12, 12, seed=1),
    keras.layers.RandomFlip("horizontal_and_vertical", seed=2),
    keras.layers.RandomRotation(0.25, seed=3),
    keras.layers.RandomContrast(0.5, seed=4),
]


def pairs(preprocess, seed=0):
    """The augmented pairs of 16 copies of one random 1-channel image A, with B = A in
    3 channels."""
    a = np.repeat(random_images(1, (16, 16, 1)), 16, 0)
    data = paired_batches(a, np.repeat(a, 3, -1), preprocess, batch_size=8, seed=seed)
    return [(x.numpy(), y.numpy()) for x, y in data]


@pytest.mark.parametrize(
    "preprocess", [LAYERS, keras.Sequential(LAYERS)], ids=["list", "sequential"]
)
def test_a_pair_gets_one_draw_of_each_keras_layer(preprocess):
    """Crop, flips, rotation and contrast drawn once per pair apply to A and B alike
    (B stays A in three channels), differ between elements (copies of one image) and
    between seeds, and are
    the same for the same seed (resumable). Cost: ~2 s."""
    augmented = pairs(preprocess)
    for a, b in augmented:
        assert a.shape == (8, 12, 12, 1) and b.shape == (8, 12, 12, 3)
        assert a.min() >= -1 and a.max() <= 1
        np.testing.assert_allclose(b, np.repeat(a, 3, -1), atol=1e-5)
    a = np.concatenate([a for a, _ in augmented])
    assert len({np.round(x, 4).tobytes() for x in a}) == 16
    for (a1, b1), (a2, b2) in zip(augmented, pairs(preprocess), strict=True):
        np.testing.assert_array_equal(a1, a2)
        np.testing.assert_array_equal(b1, b2)
    assert not np.allclose(a, np.concatenate([a for a, _ in pairs(preprocess, seed=1)]))


def test_augmented_pairs_train_a_pix2pix():
    """Cost: ~2 s (JAX: ~6 s)."""
    model = tiny("pix2pix", image_size=(64, 64))
    a = random_images(4, (72, 72, 1))
    b = random_images(4, (72, 72, 3), seed=1)
    crop_and_flip = [keras.layers.RandomCrop(64, 64), keras.layers.RandomFlip("horizontal")]
    model.compile()
    model.fit(paired_batches(a, b, crop_and_flip, batch_size=2), epochs=1, verbose=0)
    assert int(model.optimizer.iterations) == 2


def test_a_layer_that_is_no_augmentation_is_refused():
    with pytest.raises(InvalidTypeError, match="Dense"):
        paired_batches(
            random_images(2, (8, 8, 1)), random_images(2, (8, 8, 1)), [keras.layers.Dense(3)]
        )
    with pytest.raises(InvalidTypeError, match="preprocess takes"):
        ganzoo.data.paired_batches(random_images(2, (8, 8, 1)), random_images(2, (8, 8, 1)), "flip")
