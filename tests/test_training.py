"""The training machinery: the image pool (the optimizer group and the per-backend step
are checked through every family in test_models)."""

import keras
import numpy as np
from helpers import random_images

from ganzoo.training import ImagePool


def query(pool, images, seed):
    return keras.ops.convert_to_numpy(pool.query(keras.ops.convert_to_tensor(images), seed))


def test_image_pool_fills_then_swaps_half():
    """Shrivastava et al.'s buffer as CycleGAN uses it: the first `pool_size` fakes are
    stored and returned as they are; then each new fake is returned unchanged with
    probability 1/2, or swapped for a stored one that it replaces."""
    pool, seed = ImagePool(4, (1, 1, 1)), keras.random.SeedGenerator(3)
    # A batch of 3 then one of 3: the first four images fill the pool in order.
    first = query(pool, np.arange(3, dtype="float32").reshape(3, 1, 1, 1), seed)
    np.testing.assert_array_equal(first.ravel(), [0, 1, 2])
    assert int(pool.count) == 3
    second = query(pool, np.arange(3, 6, dtype="float32").reshape(3, 1, 1, 1), seed)
    assert second.ravel()[0] == 3 and int(pool.count) == 4
    stored = {0.0, 1.0, 2.0, 3.0}
    assert set(keras.ops.convert_to_numpy(pool.images).ravel()) | set(second.ravel()[1:]) >= stored
    swaps, trials = 0, 120
    for n in range(6, 6 + trials):
        before = keras.ops.convert_to_numpy(pool.images).ravel().copy()
        out = query(pool, np.full((1, 1, 1, 1), n, "float32"), seed).item()
        after = keras.ops.convert_to_numpy(pool.images).ravel()
        if out == n:  # returned as it is; the pool is untouched
            np.testing.assert_array_equal(after, before)
        else:  # an old image came out, and the new one took its slot
            swaps += 1
            slot = int(np.flatnonzero(before == out)[0])
            assert after[slot] == n
            np.testing.assert_array_equal(np.delete(after, slot), np.delete(before, slot))
    # Binomial(120, 1/2): 60 +- 5.5; the bounds are 5 standard deviations.
    assert 33 <= swaps <= 87, swaps


def test_image_pool_size_zero_passes_through():
    pool = ImagePool(0, (2, 2, 1))
    x = random_images(2, (2, 2, 1))
    np.testing.assert_array_equal(query(pool, x, keras.random.SeedGenerator(0)), x)
    assert not pool.weights
