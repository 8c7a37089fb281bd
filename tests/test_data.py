"""The offline MNIST-5k data and the tf.data pipeline."""

import numpy as np
import pytest

from ganzoo.data import image_batches, load_mnist5k


def test_mnist5k_splits():
    train, train_labels = load_mnist5k("train")
    test, test_labels = load_mnist5k("test")
    assert train.shape == (4000, 28, 28, 1) and test.shape == (1000, 28, 28, 1)
    assert train.dtype == np.float32 and train.min() == -1.0 and train.max() == 1.0
    assert np.bincount(test_labels).tolist() == [100] * 10
    assert np.bincount(train_labels).tolist() == [400] * 10
    all_images, _ = load_mnist5k("all")
    train_rows = {row.tobytes() for row in train}
    assert not any(row.tobytes() in train_rows for row in test)
    assert len(all_images) == 5000
    with pytest.raises(ValueError, match="split must be"):
        load_mnist5k("validation")


def test_image_batches_are_seeded_and_full():
    images, labels = load_mnist5k("test")
    first = [b[1].numpy() for b in image_batches(images, labels, 64, seed=3)]
    again = [b[1].numpy() for b in image_batches(images, labels, 64, seed=3)]
    assert len(first) == 1000 // 64 and all(len(b) == 64 for b in first)
    np.testing.assert_array_equal(np.concatenate(first), np.concatenate(again))
    with pytest.raises(ValueError, match="larger than the 1000 images"):
        image_batches(images, batch_size=2000)
