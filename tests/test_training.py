"""The training machinery: the image pool (the optimizer group and the per-backend step
are checked through every family in test_models)."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from helpers import SHAPE, TINY, random_images, tiny, tiny_data, weights_of

import ganzoo
from ganzoo import backend
from ganzoo.training import ImagePool

pytestmark = pytest.mark.every_backend


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


@pytest.mark.skipif(keras.backend.backend() == "jax", reason="XLA fuses Keras' Adam itself")
def test_fused_adam_is_keras_adam():
    """ganzoo's TF and torch steps run a plain Keras Adam as the framework's fused
    kernel (`ResourceApplyAdam`, `torch._fused_adam_`): the same weights and slots
    within float32 round-off, with a schedule, over 20 steps."""
    if keras.backend.backend() == "torch":
        import torch

        from ganzoo.backend.torch import (
            apply_gradients,
            channels_last_kernel,
            is_channels_last_kernel,
        )

        def updater(optimizer, variables, fused):
            def update(grads):
                with torch.no_grad():
                    if fused:
                        apply_gradients(optimizer, grads, variables)
                    else:
                        optimizer.apply(grads, variables)

            return update
    else:
        import tensorflow as tf

        from ganzoo.backend.tensorflow import apply_gradients

        def updater(optimizer, variables, fused):
            @tf.function
            def update(grads):
                if fused:
                    apply_gradients(optimizer, grads, variables)
                else:
                    optimizer.apply(grads, variables)

            return update

    shapes = [(4, 4, 3, 8), (4, 4, 3, 8), (8,), (100, 50)]
    schedule = keras.optimizers.schedules.ExponentialDecay(2e-3, 1, 0.9)
    runs = []
    for fused in (False, True):
        rng = np.random.default_rng(0)
        variables = [keras.Variable(rng.standard_normal(s).astype("float32")) for s in shapes]
        if keras.backend.backend() == "torch":
            channels_last_kernel(variables[0])  # as blocks.Conv2D stores its kernel
        optimizer = keras.optimizers.Adam(schedule, beta_1=0.5)
        optimizer.build(variables)
        update = updater(optimizer, variables, fused)
        for step in range(20):
            grads = [
                keras.ops.convert_to_tensor(
                    np.random.default_rng(step * 7 + i).standard_normal(s).astype("float32")
                )
                for i, s in enumerate(shapes)
            ]
            update(grads)
        runs.append(
            (optimizer, [keras.ops.convert_to_numpy(v) for v in optimizer.variables + variables])
        )
    (keras_adam, expected), (fused_adam, got) = runs
    if keras.backend.backend() == "torch":
        assert is_channels_last_kernel(variables[0].value)  # updated in place, in its layout
    assert int(keras_adam.iterations) == int(fused_adam.iterations) == 20
    for a, b in zip(expected, got, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=2e-6)


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="the torch step's fused update")
def test_the_torch_loss_scaled_fused_adam_is_keras_loss_scale_optimizer():
    """mixed_float16's `LossScaleOptimizer` around a plain Adam, as ganzoo's torch step
    runs it (`torch._fused_adam_` given the loss scale and whether a gradient is not
    finite, the scale updated on the device) and as Keras does: the same weights,
    slots, step counts and loss scales over 12 steps of scaled gradients, with a
    non-finite gradient at steps 4 (inf) and 8 (NaN) and the scale doubling after every
    3 finite steps in a row. Cost: ~0.2 s."""
    import torch

    from ganzoo.backend.torch import apply_gradients

    shapes = [(4, 4, 3, 8), (8,), (100, 50)]
    runs = []
    for fused in (False, True):
        rng = np.random.default_rng(0)
        variables = [keras.Variable(rng.standard_normal(s).astype("float32")) for s in shapes]
        adam = keras.optimizers.Adam(2e-3, beta_1=0.5)
        optimizer = keras.optimizers.LossScaleOptimizer(adam, dynamic_growth_steps=3)
        optimizer.build(variables)
        for step in range(12):
            scale = float(optimizer.dynamic_scale)
            grads = [
                np.random.default_rng(step * 7 + i).standard_normal(s).astype("float32") * scale
                for i, s in enumerate(shapes)
            ]
            grads[1][2] = {4: np.inf, 8: np.nan}.get(step, grads[1][2])
            grads = [torch.as_tensor(g) for g in grads]
            with torch.no_grad():
                if fused:
                    apply_gradients(optimizer, grads, variables)
                else:
                    optimizer.apply(grads, variables)
        runs.append([keras.ops.convert_to_numpy(v) for v in optimizer.variables + variables])
        runs[-1].append(np.array([int(adam.iterations), float(optimizer.dynamic_scale)]))
    expected, got = runs
    assert expected[-1].tolist() == [10, 2.0**15 * 2 * 2 / 2 / 2 * 2]
    for a, b in zip(expected, got, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=2e-6)


class Recomputing:
    """A mixin whose generator loss recomputes the fakes instead of using the step's
    shared forward (what ganzoo's step did before it shared it)."""

    def generator_loss(self, data, fakes):
        return super().generator_loss(data, self.generator_forward(data))


@pytest.mark.parametrize("family", ["pix2pix", "cyclegan"])
def test_shared_generator_forward_gives_the_recomputed_step(family):
    """One generator forward per step, shared by the phases (TF: its own tape; JAX:
    `jax.vjp`; torch: autograd): for a deterministic generator (instance norm, no
    dropout), the generator phase's gradient through the shared fakes equals that of
    a loss that recomputes them, so two steps of `fit` give the same weights. Pix2Pix
    runs D then G; CycleGAN G then D (on the fakes from before the G update)."""
    options = {"norm": "instance", "dropout": False, "seed": 5}
    shared = tiny(family, **options)
    cls = type(shared)
    recomputing = type(f"Recomputing{cls.__name__}", (Recomputing, cls), {})(
        **TINY[family][1], **options
    )
    recomputing.set_weights(shared.get_weights())
    data = tiny_data(shared)
    for model in (shared, recomputing):
        model.compile()
        model.fit(data, epochs=1, verbose=0)
    for a, b in zip(
        weights_of(shared.generators()), weights_of(recomputing.generators()), strict=True
    ):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    moved = [
        np.abs(a - b).max()
        for a, b in zip(
            weights_of(shared.generators()),
            weights_of(tiny(family, **options).generators()),
            strict=True,
        )
    ]
    assert max(moved) > 1e-3  # they trained


@pytest.mark.skipif(keras.backend.backend() != "jax", reason="JAX's compilation cache")
def test_compilation_cache_keeps_compiled_programs(tmp_path):
    """`use_compilation_cache` (which the CLI calls) makes JAX write compiled programs
    to the folder, and leaves a cache the user chose with JAX_COMPILATION_CACHE_DIR."""
    script = (
        "import sys, jax, keras\n"
        "from ganzoo import backend\n"
        "backend.use_compilation_cache(sys.argv[1])\n"
        "jax.config.update('jax_persistent_cache_min_compile_time_secs', 0)\n"
        "jax.jit(lambda x: keras.ops.tanh(x) * 3)(keras.ops.ones((7, 5))).block_until_ready()\n"
    )
    chosen, ours = tmp_path / "chosen", tmp_path / "ours"
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)  # conftest's, for the test session
    subprocess.run([sys.executable, "-c", script, str(ours)], check=True, env=env)
    assert any(ours.iterdir())
    env["JAX_COMPILATION_CACHE_DIR"] = str(chosen)
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "unused")], check=True, env=env)
    assert any(chosen.iterdir()) and not (tmp_path / "unused").exists()


# Every family, the stabilisers that draw random numbers or keep running state inside
# the step (DiffAugment, instance noise, R1, the generator average, WGAN-GP), and mixed
# precision (float16's loss scaling): (family, constructor options, dtype policy).
DEVICE_CASES = {
    **{family: (family, {}, "float32") for family in TINY},
    "dcgan+stabilisers": (
        "dcgan",
        {
            "diff_augment": "color,translation,cutout",
            "instance_noise": 0.1,
            "r1_weight": 1.0,
            "discriminator_norm": "layer",
            "ema_decay": 0.99,
            "label_smoothing": 0.1,
        },
        "float32",
    ),
    "gan+wgan-gp": ("gan", {"adversarial_loss": "wgan-gp"}, "float32"),
    "pix2pix+mixed_float16": ("pix2pix", {}, "mixed_float16"),
    "cyclegan+mixed_bfloat16": ("cyclegan", {}, "mixed_bfloat16"),
}


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="the torch step's device use")
@pytest.mark.parametrize("case", sorted(DEVICE_CASES))
def test_the_torch_step_makes_its_tensors_on_the_weights_device_and_never_waits_for_it(case):
    """What a GPU would catch, on the CPU. A tensor the step makes without naming its
    weights' device lands on torch's default device, here "meta" (as it would land on
    the CPU beside CUDA weights), and fails. A read back to the host (`item`, `float`,
    `int`, `bool`, `__index__`) and a tensor made from host data (`torch.as_tensor`,
    `torch.tensor` of a Python number or array: on a GPU a blocking copy) fail too: on
    a GPU each makes the host wait for the device. Cost: ~1 s per case (9 cases)."""
    import torch

    family, options, policy = DEVICE_CASES[case]
    keras.config.set_dtype_policy(policy)
    try:
        model = tiny(family, seed=0, **options)
        model.compile()
    finally:
        keras.config.set_dtype_policy("float32")
    batch = keras.tree.map_structure(torch.as_tensor, next(tiny_data(model).as_numpy_iterator()))
    model.train_step(batch)  # builds the optimizer slots outside the checks
    reads = {
        name: getattr(torch.Tensor, name)
        for name in ("item", "__float__", "__int__", "__bool__", "__index__")
    }
    makers = {name: getattr(torch, name) for name in ("as_tensor", "tensor")}

    def refused_read(name):
        def read(self, *args, **kwargs):
            raise AssertionError(f"a host read, Tensor.{name}, inside the train step")

        return read

    def refused_copy(name):
        def make(data, *args, **kwargs):
            if not isinstance(data, torch.Tensor):
                raise AssertionError(f"torch.{name} of host data {data!r} inside the train step")
            return makers[name](data, *args, **kwargs)

        return make

    try:
        torch.set_default_device("meta")
        for name in reads:
            setattr(torch.Tensor, name, refused_read(name))
        for name in makers:
            setattr(torch, name, refused_copy(name))
        logs = model.train_step(batch)
    finally:
        for name, read in reads.items():
            setattr(torch.Tensor, name, read)
        for name, make in makers.items():
            setattr(torch, name, make)
        torch.set_default_device(None)
    assert all(np.isfinite(keras.ops.convert_to_numpy(v)) for v in logs.values())


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="ganzoo's own torch draws")
def test_the_torch_draws_are_uniform_independent_and_replayable():
    """ganzoo's counter-based draws on the device (`ganzoo.backend.torch.random_bits`)
    against what Keras' draws promise: uniform, normal and integer distributions, no
    correlation between neighbouring numbers, successive draws, or the replicas' seeds
    (a stride apart), the same numbers from the same state, the counter advanced once
    a draw; dropout keeps 1 - rate and scales by 1 / (1 - rate). The bounds are ~5
    standard errors of 200,000 draws. Cost: ~1 s."""
    import torch

    from ganzoo.backend.replicas import REPLICA_SEED_STRIDE
    from ganzoo.blocks import Dropout

    n = 200_000
    tolerance = 5 / np.sqrt(n)

    def uniform(seed):
        return keras.ops.convert_to_numpy(backend.random_uniform((n,), seed))

    seed = keras.random.SeedGenerator(7)
    u, following = uniform(seed), uniform(seed)
    assert 0 <= u.min() and u.max() < 1
    counts, _ = np.histogram(u, bins=100, range=(0, 1))
    assert ((counts - n / 100) ** 2 / (n / 100)).sum() < 99 + 5 * np.sqrt(2 * 99)  # chi^2, 99 dof
    assert abs(np.corrcoef(u, following)[0, 1]) < tolerance
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < tolerance
    replica = uniform(keras.random.SeedGenerator(7 + REPLICA_SEED_STRIDE))
    assert abs(np.corrcoef(u, replica)[0, 1]) < tolerance
    assert keras.ops.convert_to_numpy(seed.state.value).tolist() == [7, 2]
    np.testing.assert_array_equal(uniform(keras.random.SeedGenerator(7)), u)

    z = keras.ops.convert_to_numpy(backend.random_normal((n,), seed))
    assert abs(z.mean()) < tolerance and abs(z.std() - 1) < tolerance
    assert abs(((z - z.mean()) ** 4).mean() / z.var() ** 2 - 3) < 5 * np.sqrt(24 / n)  # kurtosis
    ints = keras.ops.convert_to_numpy(backend.random_integers((n,), 2, 5, seed))
    assert ints.dtype == np.int32 and set(np.unique(ints)) == {2, 3, 4}
    np.testing.assert_allclose(np.bincount(ints - 2) / n, 1 / 3, atol=tolerance)

    dropped = keras.ops.convert_to_numpy(Dropout(0.25, seed=3)(torch.ones((n,)), training=True))
    assert set(np.unique(dropped)) == {0.0, np.float32(1 / 0.75)}
    assert abs((dropped > 0).mean() - 0.75) < tolerance


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="the torch step's gradients")
@pytest.mark.parametrize("family", sorted(TINY))
def test_the_torch_step_computes_each_phases_gradients_only_and_keeps_none(family):
    """Each phase's backward pass computes the gradients of that phase's weights, once
    per repeat, and no others (the generator's pass computes none for the
    discriminator's weights: on a GPU, kernels for nothing), and the step leaves no
    `.grad` behind to hold memory between steps. Cost: ~1 s per family."""
    import collections

    import torch

    model = tiny(family, seed=0)
    model.compile()
    batch = keras.tree.map_structure(torch.as_tensor, next(tiny_data(model).as_numpy_iterator()))
    model.train_step(batch)  # builds the optimizer slots
    computed = collections.Counter()
    hooks = [
        v.value.register_hook(lambda grad, v=v: computed.update([v.path]))
        for v in model.trainable_variables
    ]
    try:
        model.train_step(batch)
    finally:
        for hook in hooks:
            hook.remove()
    expected = collections.Counter()
    for phase in model.phases():
        expected.update({v.path: phase.repeats for v in phase.variables})
    assert computed == expected
    assert [v.path for v in model.variables if v.value.grad is not None] == []


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="only the eager torch step")
@pytest.mark.parametrize("family", sorted(TINY))
def test_the_torch_step_runs_its_networks_through_the_layers_call_as_keras_does(
    family, monkeypatch
):
    """The eager torch step runs each network straight through its layers' `call`
    (`ganzoo.backend.networks.LayerGraph`), skipping Keras' `__call__`: every network
    of every family takes that path, and training (dropout, batch statistics, the image
    pool) and evaluating give the same weights and losses, bit for bit, as Keras' layer
    calls. Cost: ~1 s per family."""
    from ganzoo.backend import networks

    graphs_run, run = [], networks.LayerGraph.run

    def counted(graph, *args):
        graphs_run.append(graph)
        return run(graph, *args)

    def trained(run_network):
        with monkeypatch.context() as patch:
            patch.setattr(ganzoo.backend, "run_network", run_network)
            patch.setattr(networks.LayerGraph, "run", counted)
            keras.utils.set_random_seed(0)
            model = tiny(family, seed=0)
            model.compile()
            history = model.fit(tiny_data(model), epochs=2, verbose=0).history
            held_out = model.evaluate(tiny_data(model), verbose=0, return_dict=True)
        trained = [n for group in model.optimized_networks().values() for n in group]
        return history, held_out, weights_of(trained), len(trained)

    history, held_out, weights, count = trained(ganzoo.backend.run_network)
    assert len({id(graph) for graph in graphs_run}) == count
    keras_history, keras_held_out, keras_weights, _ = trained(networks.call_network)
    assert history == keras_history and held_out == keras_held_out
    for ours, theirs in zip(weights, keras_weights, strict=True):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="only the eager torch step")
def test_a_network_that_needs_keras_call_runs_through_it():
    """Where Keras' `__call__` does more than call `call` (mixed precision casts and
    autocasts, inputs of another dtype or rank, dict inputs, nested models), the torch
    step's networks run through it, with Keras' results. Cost: < 1 s."""
    import torch

    from ganzoo.backend.networks import LayerGraph
    from ganzoo.backend.torch import run_network

    network = tiny("dcgan", seed=0).discriminator
    graph = LayerGraph.of(network)
    images = torch.as_tensor(random_images(2, SHAPE))
    expected = network(images, training=False)
    assert graph is not None and graph.takes([images])
    torch.testing.assert_close(graph.run([images], False), expected, rtol=0, atol=0)
    assert not graph.takes([images.double()]) and not graph.takes([images[0]])
    assert not graph.takes([images.numpy()])
    float64 = run_network(network, images.double(), training=False)  # Keras casts it
    by_name = run_network(network, {network.inputs[0].name: images}, training=False)
    for outputs in (float64, by_name):
        torch.testing.assert_close(outputs, expected, rtol=0, atol=0)
    nested = keras.Sequential([keras.Input(SHAPE), network])
    assert LayerGraph.of(nested) is None
    keras.mixed_precision.set_dtype_policy("mixed_bfloat16")
    try:
        mixed = tiny("dcgan", seed=0).discriminator
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    assert LayerGraph.of(mixed) is None


@pytest.mark.slow  # ~20 s a family on torch (torch.compile), less elsewhere
@pytest.mark.parametrize("family", sorted(TINY))
def test_compiled_steps_train_every_family_as_the_eager_ones(family):
    """`compile(jit_compile=True)`: XLA on TensorFlow (what Keras picks on a GPU), XLA on
    JAX, `torch.compile` on torch. Two epochs give the eager step's losses within float
    tolerance. On TensorFlow random draws differ under XLA (its stateless random ops
    pick another algorithm there): the latents of the generators, CycleGAN's image-pool
    swaps in its discriminator phase; there the translators' generator losses, which
    draw nothing of those, are compared number for number, and every family must
    train. On torch each family compiles as in a fresh process (Dynamo's caches
    emptied): frames compiled for an earlier family hid a failure there."""
    if keras.backend.backend() == "torch":
        import torch  # local: the torch lane's own module

        torch._dynamo.reset()
    losses = {}
    for jit_compile in (False, True):
        keras.utils.set_random_seed(0)
        model = tiny(family, seed=0)
        model.compile(jit_compile=jit_compile)
        history = model.fit(tiny_data(model), epochs=2, verbose=0).history
        losses[jit_compile] = np.array([history["d_loss"], history["g_loss"]])
    assert np.isfinite(losses[True]).all()
    compared = slice(None)
    if keras.backend.backend() == "tensorflow":
        if TINY[family][0].kind == "generator":
            return
        compared = slice(1, 2)  # g_loss
    np.testing.assert_allclose(losses[True][compared], losses[False][compared], rtol=2e-4)
