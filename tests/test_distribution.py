"""Data-parallel training on several devices and workers: JAX's `DataParallel` and
TensorFlow's `MirroredStrategy` on two virtual CPU devices, two workers on loopback
(`MultiWorkerMirroredStrategy`; `jax.distributed`; `torch.distributed` with gloo), a
lost worker, and the recipe's `[distribution]` table."""

import json
import os
import socket
import subprocess
import sys
import textwrap

import keras
import pytest

from ganzoo.errors import InvalidArgumentError
from ganzoo.zoo.recipes import RecipeError, load_recipe

pytestmark = pytest.mark.every_backend

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

    # Deterministic generators where a replica's own noise would differ from one
    # device's (TensorFlow replicas draw their own noise; JAX runs the global batch as
    # one program). Batch norm stays: both normalize with the global batch's statistics.
    # The tiny CycleGAN goes without instance norm: on its 2-channel 2x2 to 8x8 maps the
    # variance is near 0 and amplifies summation-order round-off (CI measured 3e-4 and
    # 6e-3 on TensorFlow, 1e-6 when run alone); without it both runs are bit-identical.
    DETERMINISTIC = {"pix2pix": {"dropout": False},
                     "cyclegan": {"pool_size": 0, "norm": "none"}}
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
    # Two host devices; XLA compiles without LLVM's optimisations: the tiny steps' time
    # is compiling them (JAX: 32 -> 18 s alone), and both sides of a comparison compile alike.
    flags = "--xla_force_host_platform_device_count=2 --xla_backend_optimization_level=0"
    env = {**os.environ, "XLA_FLAGS": flags}
    tests = os.path.dirname(__file__)
    run = subprocess.run(
        [sys.executable, "-c", script, tests, *args], capture_output=True, text=True, env=env
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # ~40 s: XLA compiles the step for 1 and for 4 devices
@pytest.mark.skipif(BACKEND != "jax", reason="JAX's DataParallel")
def test_jax_data_parallel_matches_one_device():
    """On JAX the two-device step is the one-device step split by XLA: every family,
    noise and batch norm included, ends with the same weights within round-off."""
    differences = run_on_two_devices(COMPARE, "gan", "dcgan", "cgan", "pix2pix", "cyclegan")
    assert max(differences.values()) < 1e-4, differences


@pytest.mark.slow  # ~17 s: the step traced for one device and for a strategy
@pytest.mark.skipif(BACKEND != "tensorflow", reason="TensorFlow's MirroredStrategy")
def test_tensorflow_mirrored_strategy_matches_one_device():
    """On TensorFlow each replica takes half the batch and the replicas' gradients are
    summed: with the losses divided by the number of replicas and batch statistics
    all-reduced, translators with a deterministic generator (batch norm included) end
    with one device's weights within round-off. (One family
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


@pytest.mark.skipif(BACKEND != "torch", reason="torch.distributed")
def test_torch_takes_one_device_per_process_and_says_how_to_connect(monkeypatch):
    """Cost: < 1 s."""
    from ganzoo import backend

    with pytest.raises(InvalidArgumentError, match="one device per process.*torchrun"):
        backend.data_parallel(2)
    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(InvalidArgumentError, match="no cluster: RANK, WORLD_SIZE.*torchrun"):
        backend.connect_workers(None, None)


def test_several_workers_need_a_cluster(monkeypatch):
    """Asking for two workers in a process that joined no cluster is a clear error,
    not a run on one worker."""
    from ganzoo import backend

    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(InvalidArgumentError, match="workers=2.*(not in a cluster|one of 1)"):
        backend.data_parallel(1, workers=2)


def free_ports(count):
    """`count` TCP ports free on 127.0.0.1 now."""
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def start_workers(command, count=2, stdout=subprocess.PIPE):
    """Starts `command + [index]` as `count` processes at once, on this lane's backend."""
    env = {**os.environ, "KERAS_BACKEND": BACKEND}
    env.pop("TF_CONFIG", None)
    return [
        subprocess.Popen(
            [*command, str(index)], env=env, stdout=stdout, stderr=subprocess.PIPE, text=True
        )
        for index in range(count)
    ]


def run_workers(command, count=2, timeout=600):
    """Runs `command + [index]` as `count` processes at once; their completed runs."""
    workers = start_workers(command, count)
    try:
        outputs = [worker.communicate(timeout=timeout) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    return [(w.returncode, out, err) for w, (out, err) in zip(workers, outputs, strict=True)]


# One worker of a two-worker DCGAN run on loopback: trains 3 steps of the tiny DCGAN
# (global batch 8, 4 per worker) and prints a digest of its weights.
WORKER = textwrap.dedent(
    """
    import hashlib, json, sys
    tests, addresses, index = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3])
    import keras, numpy as np
    sys.path.insert(0, tests)
    from helpers import tiny, tiny_data
    from ganzoo import backend

    backend.connect_workers(addresses, index)
    with backend.data_parallel(1, workers=2):
        model = tiny("dcgan", seed=1)
        before = model.get_weights()
        model.compile()
        history = model.fit(tiny_data(model).take(3), epochs=1, verbose=0).history
    after = model.get_weights()
    print(json.dumps({
        "chief": bool(backend.is_chief()),
        "digest": hashlib.sha256(b"".join(w.tobytes() for w in after)).hexdigest(),
        "moved": max(float(np.abs(a - b).max()) for a, b in zip(after, before)),
        "finite": bool(np.isfinite(history["g_loss"]).all()),
    }))
    """
)


@pytest.mark.slow
def test_two_workers_on_loopback_end_with_the_same_weights():
    """Two processes on this machine, joined on 127.0.0.1 (TensorFlow:
    `MultiWorkerMirroredStrategy` from TF_CONFIG; JAX: `jax.distributed`, Gloo
    collectives on CPU; torch: `torch.distributed`, gloo), train a DCGAN together: both
    end with the same weights, bit for bit, which training moved; worker 0 is the
    chief."""
    addresses = ",".join(f"127.0.0.1:{port}" for port in free_ports(2))
    tests = os.path.dirname(__file__)
    runs = run_workers([sys.executable, "-c", WORKER, tests, addresses])
    for returncode, _, stderr in runs:
        assert returncode == 0, stderr[-3000:]
    results = [json.loads(out.strip().splitlines()[-1]) for _, out, _ in runs]
    assert [r["chief"] for r in results] == [True, False]
    assert results[0]["digest"] == results[1]["digest"], results
    assert all(r["moved"] > 1e-4 and r["finite"] for r in results), results


# One torch process of a two-process run (addresses) or the one-process reference
# ("single"): trains the tiny Pix2Pix (batch norm, no dropout: deterministic) and DCGAN
# 2 steps with SGD on the same global batches; saves the weights to OUT/LABEL.npz.
TORCH_REPLICA = textwrap.dedent(
    """
    import sys
    tests, out, where, index = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    import keras, numpy as np
    sys.path.insert(0, tests)
    from helpers import tiny, tiny_data
    from ganzoo import backend

    weights = {}
    if where != "single":
        backend.connect_workers(where.split(","), index)
        from ganzoo.backend.torch import replica_noise  # each replica's own stream

        model = tiny("dcgan", seed=1)
        with replica_noise(model, 2):
            weights["noise"] = keras.ops.convert_to_numpy(
                keras.random.normal((8,), seed=model.seed_generator))
        weights["state"] = keras.ops.convert_to_numpy(model.seed_generator.state)
    for family, options in (("pix2pix", {"dropout": False}), ("dcgan", {})):
        keras.utils.set_random_seed(1)
        model = tiny(family, seed=1, **options)
        model.compile(d_optimizer=keras.optimizers.SGD(0.05),
                      g_optimizer=keras.optimizers.SGD(0.05))
        model.fit(tiny_data(model).take(2), epochs=1, verbose=0)
        weights.update({f"{family}_{i}": w for i, w in enumerate(model.get_weights())})
    np.savez(f"{out}/{where if where == 'single' else index}.npz", **weights)
    """
)


@pytest.mark.slow
@pytest.mark.skipif(BACKEND != "torch", reason="torch.distributed")
def test_torch_processes_end_alike_and_as_one_process_on_the_global_batch(tmp_path):
    """Two gloo processes on loopback draw their own noise from one seed state, and
    end bit-identical (the first process's initial weights, averaged gradients); the
    Pix2Pix (batch norm over the global batch) ends with the weights of one process
    trained on the same global batches, within round-off. The DCGAN's replicas draw
    their own latents, so only the replicas are compared. Cost: ~15 s."""
    import numpy as np

    addresses = ",".join(f"127.0.0.1:{port}" for port in free_ports(2))
    tests = os.path.dirname(__file__)
    script = [sys.executable, "-c", TORCH_REPLICA, tests, str(tmp_path)]
    single = subprocess.Popen([*script, "single", "0"], stderr=subprocess.PIPE, text=True)
    for returncode, _, stderr in run_workers([*script, addresses]):
        assert returncode == 0, stderr[-3000:]
    assert single.wait(timeout=600) == 0, single.stderr.read()[-3000:]
    replicas = [np.load(tmp_path / f"{i}.npz") for i in (0, 1)]
    alone = np.load(tmp_path / "single.npz")
    assert not np.array_equal(replicas[0]["noise"], replicas[1]["noise"])  # its own noise
    for key in set(replicas[0].files) - {"noise"}:  # the same state after, the same weights
        np.testing.assert_array_equal(replicas[0][key], replicas[1][key], err_msg=key)
        if key.startswith("pix2pix"):
            np.testing.assert_allclose(replicas[0][key], alone[key], atol=1e-5, err_msg=key)


@pytest.mark.slow
@pytest.mark.skipif(BACKEND != "torch", reason="torch.distributed's lost-peer error")
def test_a_lost_worker_ends_the_other_in_one_line_and_the_checkpoint_loads(tmp_path):
    """SIGKILL of worker 1 after the first checkpoint: the chief exits 2 within a
    minute, saying the checkpoint is intact and how to resume; the checkpoint loads.
    Cost: ~20 s."""
    import signal
    import time

    import numpy as np

    from ganzoo.zoo import run
    from ganzoo.zoo.recipes import parse_override

    addresses = ",".join(f"127.0.0.1:{port}" for port in free_ports(2))
    settings = ["train.steps_per_epoch=2", "train.epochs=500", "eval.every_epochs=0",
                "eval.num_samples=100"]  # fmt: skip
    command = [sys.executable, "-m", "ganzoo.cli", "train", "dcgan_mnist5k", "--out",
               str(tmp_path), *(f"--set={s}" for s in settings), "--cluster", addresses,
               "--worker-index"]  # fmt: skip
    workers = start_workers(command, stdout=subprocess.DEVNULL)
    try:
        state = tmp_path / "checkpoint" / "state.json"
        deadline = time.monotonic() + 300
        while not state.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert state.exists(), workers[0].stderr.read()[-2000:] if workers[0].poll() else ""
        workers[1].send_signal(signal.SIGKILL)
        killed = time.monotonic()
        _, stderr = workers[0].communicate(timeout=120)
        assert time.monotonic() - killed < 60
    finally:
        for worker in workers:
            worker.kill()
    assert workers[0].returncode == 2, stderr[-3000:]
    assert "Traceback" not in stderr, stderr[-3000:]
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("ganzoo: error: the workers lost each other"), last
    assert "is intact: start every worker again with the same command to resume" in last
    position = json.loads(state.read_text())
    recipe = load_recipe("dcgan_mnist5k", dict(map(parse_override, settings)))
    model = run.build_model(recipe)
    model.load_weights(tmp_path / "checkpoint" / position["weights"])
    assert all(np.isfinite(w).all() for w in model.get_weights())


@pytest.mark.slow
def test_ganzoo_train_on_two_workers_then_resume_on_one(tmp_path):
    """`ganzoo train --cluster A,B --worker-index I` on two processes: the chief writes
    the run (recipe, checkpoint, history, preset), the other worker writes nothing of
    it; the run then resumes on one worker for another epoch."""
    addresses = ",".join(f"127.0.0.1:{port}" for port in free_ports(2))
    command = [sys.executable, "-m", "ganzoo.cli", "train", "dcgan_mnist5k", "--out",
               str(tmp_path), "--set", "train.steps_per_epoch=3", "--set",
               "eval.num_samples=100", "--set", "eval.every_epochs=1"]  # fmt: skip
    runs = run_workers([*command, "--epochs", "1", "--cluster", addresses, "--worker-index"])
    for returncode, _, stderr in runs:
        assert returncode in (0, 1), stderr[-3000:]  # 1: a 3-step run misses the claim
    assert "worker 1 done; the chief wrote" in runs[1][1]
    assert "wrote" in runs[0][1] and (tmp_path / "preset" / "metadata.json").exists()
    assert json.loads((tmp_path / "recipe.json").read_text())["distribution"]["workers"] == 2
    assert "eval_frechet_distance" in (tmp_path / "history.csv").read_text()
    assert len(list((tmp_path / "checkpoint").glob("*.weights.h5"))) == 1
    env = {**os.environ, "KERAS_BACKEND": BACKEND}
    one = subprocess.run([*command, "--epochs", "2"], env=env, capture_output=True, text=True)
    assert one.returncode in (0, 1), one.stderr[-2000:]
    assert "resuming from epoch 2" in one.stdout


def test_recipe_distribution_table(tmp_path):
    """`[distribution] devices` and `workers` (or `--devices`, `--cluster`) are checked
    with the recipe: at least 1, the global batch splits evenly between all devices,
    and several workers checkpoint by steps, not by their own clocks."""
    recipe = load_recipe("dcgan_mnist5k", {"distribution.devices": 2})
    assert recipe.distribution.devices == 2
    assert recipe.to_dict()["distribution"] == {"devices": 2, "workers": 1}
    with pytest.raises(RecipeError, match=r"batch_size \(30\).*devices 2 x workers 2.*of 4"):
        load_recipe(
            "dcgan_mnist5k",
            {"distribution.devices": 2, "distribution.workers": 2, "data.batch_size": 30},
        )
    with pytest.raises(RecipeError, match="checkpoint_every_minutes with 2 workers"):
        load_recipe(
            "dcgan_mnist5k",
            {"distribution.workers": 2, "train.checkpoint_every_minutes": 5.0},
        )
    assert load_recipe("dcgan_mnist5k").distribution.devices == 1
    with pytest.raises(RecipeError, match=r"batch_size \(63\).*multiple of 2"):
        load_recipe("dcgan_mnist5k", {"distribution.devices": 2, "data.batch_size": 63})
    with pytest.raises(RecipeError, match="devices"):
        load_recipe("dcgan_mnist5k", {"distribution.devices": 0})
    with pytest.raises(RecipeError, match="gpus"):
        load_recipe("dcgan_mnist5k", {"distribution.gpus": 2})


@pytest.mark.slow
@pytest.mark.skipif(BACKEND == "torch", reason="one device per process (torchrun)")
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
    assert recipe["distribution"] == {"devices": 2, "workers": 1}
    one = subprocess.run([*command, "--epochs", "2"], env=env, capture_output=True, text=True)
    assert one.returncode in (0, 1), one.stderr[-2000:]
    assert "resuming from epoch 2" in one.stdout
    assert (tmp_path / "preset" / "metadata.json").exists()
