"""The training machinery: the image pool (the optimizer group and the per-backend step
are checked through every family in test_models)."""

import keras
import numpy as np
import pytest
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


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="torch's fused Adam")
def test_torch_fused_adam_is_keras_adam():
    """ganzoo's torch step runs a plain Keras Adam as PyTorch's fused kernel: the same
    weights and slots within float32 round-off, with a schedule, over 20 steps."""
    import torch

    from ganzoo.backend.torch import apply_gradients, channels_last_kernel, is_channels_last_kernel

    shapes = [(4, 4, 3, 8), (4, 4, 3, 8), (8,), (100, 50)]
    schedule = keras.optimizers.schedules.ExponentialDecay(2e-3, 1, 0.9)
    runs = []
    for update in ("keras", "fused"):
        rng = np.random.default_rng(0)
        variables = [keras.Variable(rng.standard_normal(s).astype("float32")) for s in shapes]
        channels_last_kernel(variables[0])  # as blocks.Conv2D stores its kernel
        optimizer = keras.optimizers.Adam(schedule, beta_1=0.5)
        optimizer.build(variables)
        for step in range(20):
            grads = [
                torch.tensor(
                    np.random.default_rng(step * 7 + i).standard_normal(s), dtype=torch.float32
                )
                for i, s in enumerate(shapes)
            ]
            with torch.no_grad():
                if update == "keras":
                    optimizer.apply(grads, variables)
                else:
                    apply_gradients(optimizer, grads, variables)
        runs.append(
            (optimizer, [keras.ops.convert_to_numpy(v) for v in optimizer.variables + variables])
        )
    (keras_adam, expected), (fused_adam, got) = runs
    assert is_channels_last_kernel(variables[0].value)  # updated in place, in its layout
    assert int(keras_adam.iterations) == int(fused_adam.iterations) == 20
    for a, b in zip(expected, got, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=2e-6)
