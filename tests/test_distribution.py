"""Data-parallel training on several devices: JAX's `DataParallel` and TensorFlow's
`MirroredStrategy` on two virtual CPU devices, torch's refusal, and the recipe's
`[distribution]` table."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import pytest

from ganzoo.errors import InvalidArgumentError
from ganzoo.zoo.recipes import RecipeError, load_recipe

BACKEND = keras.backend.backend()

# Runs in a fresh process (the devices must exist before the backend starts): trains
# each family's tiny model 2 steps with SGD on 1 device and, from the same weights on
# the same global batches, on 2; prints the largest weight difference per family.
COMPARE = textwrap.dedent(
    """
    import json, sys
    import keras, numpy as np
    sys.path.insert(0, sys.argv[1])
    from helpers import tiny, tiny_data
    from ganzoo import backend

    # Deterministic generators where a replica's own noise or batch statistics would
    # differ from one device's (TensorFlow replicas draw their own noise and normalize
    # their own half-batch; JAX runs the global batch as one program).
    DETERMINISTIC = {"pix2pix": {"norm": "instance", "dropout": False},
                     "cyclegan": {"pool_size": 0}}
    backend.data_parallel(2)  # makes the devices (TF: before its runtime starts)
    results = {}
    for family in sys.argv[2:]:
        def trained(model):
            model.compile(d_optimizer=keras.optimizers.SGD(0.05),
                          g_optimizer=keras.optimizers.SGD(0.05))
            model.fit(tiny_data(model).take(2), epochs=1, verbose=0)
            return [keras.ops.convert_to_numpy(v) for v in model.trainable_variables]
        options = {"seed": 1, **DETERMINISTIC.get(family, {})}
        single = tiny(family, **options)
        weights = single.get_weights()
        with backend.data_parallel(2):
            parallel = tiny(family, **options)
            parallel.set_weights(weights)
            after = trained(parallel)
        before = trained(single)
        results[family] = max(float(np.abs(a - b).max()) for a, b in zip(before, after))
    print(json.dumps(results))
    """
)


def run_on_two_devices(script, *args):
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    tests = os.path.dirname(__file__)
    run = subprocess.run(
        [sys.executable, "-c", script, tests, *args], capture_output=True, text=True, env=env
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(BACKEND != "jax", reason="JAX's DataParallel")
def test_jax_data_parallel_matches_one_device():
    """On JAX the two-device step is the one-device step split by XLA: every family,
    noise and batch norm included, ends with the same weights within round-off."""
    differences = run_on_two_devices(COMPARE, "gan", "dcgan", "cgan", "pix2pix", "cyclegan")
    assert max(differences.values()) < 1e-4, differences


@pytest.mark.skipif(BACKEND != "tensorflow", reason="TensorFlow's MirroredStrategy")
def test_tensorflow_mirrored_strategy_matches_one_device():
    """On TensorFlow each replica takes half the batch and the replicas' gradients are
    summed: with the losses divided by the number of replicas, translators with a
    deterministic generator end with one device's weights within round-off. (One family
    per process: two MirroredStrategy objects in one process share collective keys.)"""
    for family in ("pix2pix", "cyclegan"):
        differences = run_on_two_devices(COMPARE, family)
        assert differences[family] < 1e-4, differences


REPLICA_NOISE = textwrap.dedent(
    """
    import json, sys
    import numpy as np, tensorflow as tf
    sys.path.insert(0, sys.argv[1])
    from helpers import tiny, tiny_data
    from ganzoo import backend
    from ganzoo.backend.tensorflow import replica_noise

    with backend.data_parallel(2):
        model = tiny("dcgan")
        model.compile()

    @tf.function
    def draw():
        def replica():
            with replica_noise(model):
                return model.generate_batch(4, None)
        return model.distribute_strategy.run(replica)

    first, second = [np.asarray(x) for x in draw().values]
    history = model.fit(tiny_data(model), epochs=2, verbose=0).history
    print(json.dumps({
        "replicas_differ": bool(np.abs(first - second).max() > 1e-3),
        "finite": bool(np.all(np.isfinite(history["g_loss"]))),
    }))
    """
)


@pytest.mark.skipif(BACKEND != "tensorflow", reason="TensorFlow's MirroredStrategy")
def test_tensorflow_replicas_draw_their_own_noise():
    """A replica's latents differ from the other's (one seed state would give both the
    same noise), and a DCGAN trains on two replicas."""
    result = run_on_two_devices(REPLICA_NOISE)
    assert result["replicas_differ"] and result["finite"], result


@pytest.mark.skipif(BACKEND != "torch", reason="the torch backend's refusal")
def test_torch_refuses_several_devices():
    from ganzoo import backend

    with pytest.raises(InvalidArgumentError, match="torch backend trains on one device.*jax"):
        backend.data_parallel(2)


def test_recipe_distribution_table(tmp_path):
    """`[distribution] devices` (or `--devices`) is checked with the recipe: at least 1,
    and the global batch splits evenly between the devices."""
    recipe = load_recipe("dcgan_mnist5k", {"distribution.devices": 2})
    assert recipe.distribution.devices == 2
    assert recipe.to_dict()["distribution"] == {"devices": 2}
    assert load_recipe("dcgan_mnist5k").distribution.devices == 1
    with pytest.raises(RecipeError, match=r"batch_size \(63\).*multiple of 2"):
        load_recipe("dcgan_mnist5k", {"distribution.devices": 2, "data.batch_size": 63})
    with pytest.raises(RecipeError, match="devices"):
        load_recipe("dcgan_mnist5k", {"distribution.devices": 0})
    with pytest.raises(RecipeError, match="gpus"):
        load_recipe("dcgan_mnist5k", {"distribution.gpus": 2})


@pytest.mark.slow
@pytest.mark.skipif(BACKEND == "torch", reason="the torch backend refuses (above)")
def test_ganzoo_train_on_two_devices(tmp_path):
    """`ganzoo train --devices 2` splits the CPU, trains data-parallel, writes the
    preset, and resumes the finished run on one device (more epochs)."""
    command = [sys.executable, "-m", "ganzoo.cli", "train", "dcgan_mnist5k", "--out",
               str(tmp_path), "--set", "train.steps_per_epoch=3", "--set",
               "eval.num_samples=100", "--set", "eval.every_epochs=0"]  # fmt: skip
    env = {**os.environ, "KERAS_BACKEND": BACKEND}
    two = subprocess.run([*command, "--epochs", "1", "--devices", "2"], env=env,
                         capture_output=True, text=True)  # fmt: skip
    assert two.returncode in (0, 1), two.stderr[-2000:]  # 1: a 3-step run misses the claim
    recipe = json.loads((tmp_path / "recipe.json").read_text())
    assert recipe["distribution"] == {"devices": 2}
    one = subprocess.run([*command, "--epochs", "2"], env=env, capture_output=True, text=True)
    assert one.returncode in (0, 1), one.stderr[-2000:]
    assert "resuming from epoch 2" in one.stdout
    assert (tmp_path / "preset" / "metadata.json").exists()
