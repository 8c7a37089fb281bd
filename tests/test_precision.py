"""Mixed precision: every family trains under "mixed_bfloat16" and "mixed_float16" on
each backend, with float32 weights, generator outputs and losses."""

import keras
import numpy as np
import pytest
from helpers import TINY, tiny, tiny_data

from ganzoo.zoo.recipes import RecipeError, load_recipe

pytestmark = pytest.mark.every_backend


@pytest.fixture
def policy(request):
    keras.config.set_dtype_policy(request.param)
    yield request.param
    keras.config.set_dtype_policy("float32")


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"], indirect=True)
@pytest.mark.parametrize("family", sorted(TINY))
def test_every_family_trains_in_mixed_precision(family, policy):
    model = tiny(family, seed=2)
    model.compile()
    history = model.fit(tiny_data(model), epochs=2, verbose=0).history
    for name in model.tracked_metrics:
        assert np.all(np.isfinite(history[name])), (name, history[name])
    compute = policy.removeprefix("mixed_")
    assert model.generators()[0].layers[2].compute_dtype == compute
    floating = {v.dtype for v in model.weights if v.dtype != "int32"}  # not pool counts
    assert floating == {"float32"}  # weights stay float32
    outputs = model.generators()[0].outputs[0]
    assert outputs.dtype == "float32"  # the tanh output layer computes in float32
    loss_scaled = [
        isinstance(o, keras.optimizers.LossScaleOptimizer)
        for o in model.optimizer.members().values()
    ]
    assert loss_scaled == [policy == "mixed_float16"] * 2


def test_recipe_precision_is_checked():
    assert load_recipe("dcgan_mnist5k").train.precision == "float32"
    assert load_recipe("dcgan_mnist5k", {"train.precision": "mixed_bfloat16"}).train.precision
    with pytest.raises(RecipeError, match="precision must be one of float32, mixed_bfloat16"):
        load_recipe("dcgan_mnist5k", {"train.precision": "bfloat16"})
