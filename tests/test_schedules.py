"""The reference's learning-rate policies as Keras schedules."""

import json

import keras
import numpy as np
import pytest

from ganzoo.schedules import LinearDecay, learning_rate_schedule

pytestmark = pytest.mark.every_backend


def rates(schedule, steps):
    return np.array([float(keras.ops.convert_to_numpy(schedule(s))) for s in steps])


def test_linear_constant_then_decay_to_zero():
    # 3 epochs at lr, then 2 of linear decay, 10 steps per epoch.
    schedule = learning_rate_schedule("linear", 1.0, steps_per_epoch=10, epochs=3, decay_epochs=2)
    np.testing.assert_allclose(
        rates(schedule, [0, 15, 30, 35, 40, 45, 50, 80]),
        [1, 1, 1, 0.75, 0.5, 0.25, 0, 0],
        atol=1e-6,
    )
    # No decay epochs: the reference's rule keeps the rate (a recipe's --set decay_epochs=0).
    assert learning_rate_schedule("linear", 3e-4, 10, epochs=3, decay_epochs=0) == 3e-4


def test_step_and_cosine():
    step = learning_rate_schedule("step", 1.0, steps_per_epoch=10, step_epochs=2)
    np.testing.assert_allclose(rates(step, [0, 19, 20, 40]), [1, 1, 0.1, 0.01], rtol=1e-5)
    cosine = learning_rate_schedule("cosine", 1.0, steps_per_epoch=10, epochs=4)
    np.testing.assert_allclose(rates(cosine, [0, 20, 40]), [1, 0.5, 0], atol=1e-6)
    assert learning_rate_schedule("constant", 3e-4) == 3e-4


def test_schedule_serialises_inside_an_optimizer():
    schedule = LinearDecay(2e-4, constant_steps=100, decay_steps=50)
    config = keras.optimizers.serialize(keras.optimizers.Adam(schedule, beta_1=0.5))
    assert config["config"]["learning_rate"]["registered_name"] == "ganzoo>LinearDecay"
    twin = keras.optimizers.deserialize(json.loads(json.dumps(config)))
    assert json.loads(json.dumps(keras.optimizers.serialize(twin))) == json.loads(
        json.dumps(config)
    )
    twin.iterations.assign(125)
    np.testing.assert_allclose(float(keras.ops.convert_to_numpy(twin.learning_rate)), 1e-4)


def test_errors():
    with pytest.raises(ValueError, match="give steps_per_epoch"):
        learning_rate_schedule("linear", 2e-4)
    with pytest.raises(ValueError, match="Unknown lr_policy 'plateau'"):
        learning_rate_schedule("plateau", 2e-4, steps_per_epoch=1)
    with pytest.raises(ValueError, match="decay_steps > 0"):
        LinearDecay(1.0, 10, 0)
