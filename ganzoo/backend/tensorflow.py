"""TensorFlow gradient plumbing: a tape for the shared generator forward, one
`tf.GradientTape` per phase; under a `tf.distribute` strategy, per replica.

Under `MirroredStrategy` / `MultiWorkerMirroredStrategy` Keras runs `train_step` once
per replica on its share of the global batch, and the optimizers sum the replicas'
gradients. So, as Keras' own step does, each phase's loss (a mean over the replica's
examples) is divided by the number of replicas before its gradient is taken: the sum is
then the gradient of the mean over the global batch. Each replica draws its own noise
(latents, dropout masks): the seed-generator states are offset by the replica's index
for the step. Batch normalization all-reduces its batch statistics in the step
(`global_batch_statistics`), so it normalizes with the global batch's, as one device
does, and every worker keeps the same moving statistics; a CycleGAN replica keeps its
own image pool of its own fakes.
"""

import contextlib
import json
import os

import tensorflow as tf

from ganzoo.backend import keras_ops
from ganzoo.backend.networks import call_network
from ganzoo.backend.optimizers import plain_adam
from ganzoo.backend.replicas import REPLICA_SEED_STRIDE, batch_norms, seed_generator_states
from ganzoo.errors import InvalidArgumentError


def replicas_in_sync():
    """The number of replicas of the strategy the step runs under (1 without one)."""
    return tf.distribute.get_strategy().num_replicas_in_sync


@contextlib.contextmanager
def replica_noise(model):
    """Offsets every seed generator by this replica's index, and back afterwards."""
    context = tf.distribute.get_replica_context()
    if replicas_in_sync() == 1 or context is None:
        yield
        return
    states = seed_generator_states(model)
    offsets = [
        tf.stack([tf.cast(context.replica_id_in_sync_group * REPLICA_SEED_STRIDE, s.dtype), 0])
        for s in states
    ]
    for state, offset in zip(states, offsets, strict=True):
        state.assign(state + offset)
    yield
    for state, offset in zip(states, offsets, strict=True):
        state.assign(state - offset)


def step_function(model, function):
    """Keras' train, test or predict function as it is (Keras compiles it)."""
    return function


def test_step(model, logs_of, data):
    """`logs_of(data)`: the losses of a held-out batch (`AdversarialModel.test_step`)."""
    return logs_of(data)


def train_step(model, phases, data):
    with replica_noise(model), global_batch_statistics(model):
        logs = run_phases(model, phases, data)
    model.update_averages()
    if tf.distribute.in_cross_replica_context() or not multi_worker():
        return logs
    # Keras averages the replicas' logs of several workers with `reduce(MEAN, axis=0)`,
    # which needs an axis: each replica's scalar as a vector of one.
    return {name: tf.reshape(value, [1]) for name, value in logs.items()}


def multi_worker():
    """Whether the step runs under a strategy that spans several workers."""
    strategy = tf.distribute.get_strategy()
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and bool(
        strategy.cluster_resolver.cluster_spec().as_dict()
    )


@contextlib.contextmanager
def global_batch_statistics(model):
    """Keras' `synchronized=True` on every batch norm of `model` while the step is
    traced under several replicas: each all-reduces its batch statistics. The layers'
    config, and so a saved model, keeps `synchronized=False` (loadable on every
    backend)."""
    if replicas_in_sync() == 1:
        yield
        return
    norms = [layer for layer in batch_norms(model) if not layer.synchronized]
    for layer in norms:
        layer.synchronized = True
    try:
        yield
    finally:
        for layer in norms:
            layer.synchronized = False


def run_phases(model, phases, data):
    scale = 1.0 / replicas_in_sync()  # the replicas' gradients are summed
    with tf.GradientTape() as forward_tape:
        shared = model.generator_forward(data)
    shared_list = tf.nest.flatten(shared)
    for phase in phases:
        variables = phase.variables
        for repeat in range(phase.repeats):
            with tf.GradientTape() as tape:
                tape.watch(shared_list)
                loss, logs = phase.loss(data, model.fakes_for(phase, data, shared, repeat))
                loss = phase.optimizer.scale_loss(loss) * scale  # mixed_float16's scale
            if phase.through_fakes:
                # The chain rule through the shared forward: dL/dW directly, plus
                # (dL/dfakes) back-propagated through the generator's tape.
                grads, fake_grads = tape.gradient(loss, (variables, shared_list))
                fake_grads = [
                    tf.zeros_like(f) if g is None else g
                    for f, g in zip(shared_list, fake_grads, strict=True)
                ]
                upstream = forward_tape.gradient(
                    shared_list, variables, output_gradients=fake_grads
                )
                grads = [add_gradients(a, b) for a, b in zip(grads, upstream, strict=True)]
            else:
                grads = tape.gradient(loss, variables)
            apply_gradients(phase.optimizer, grads, variables)
            model.update_trackers(logs)
    return model.tracker_results()


def apply_gradients(optimizer, grads, variables):
    """`optimizer.apply(grads, variables)`; a plain Keras Adam runs as TensorFlow's
    fused `ResourceApplyAdam` kernel, one op per weight, instead of Keras' chain of
    element-wise ops (a sixth of a CPU Pix2Pix step for its 44.6M weights).

    The same update: both take `lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)` as the step
    size and add epsilon to `sqrt(v)`. The slots are Keras' own (`_momentums`,
    `_velocities`), so saving and resuming are unchanged. Anything else (amsgrad,
    weight decay, clipping, EMA, other optimizers, several replicas) goes through
    `apply`.
    """
    if not plain_adam(optimizer) or any(g is None for g in grads) or replicas_in_sync() > 1:
        optimizer.apply(grads, variables)  # Keras sums the replicas' gradients
        return
    step = tf.cast(optimizer.iterations + 1, "float32")
    learning_rate = tf.cast(optimizer.learning_rate, "float32")
    index = optimizer._get_variable_index
    for variable, grad in zip(variables, grads, strict=True):
        i = index(variable)
        tf.raw_ops.ResourceApplyAdam(
            var=variable.value.handle,
            m=optimizer._momentums[i].value.handle,
            v=optimizer._velocities[i].value.handle,
            beta1_power=tf.pow(tf.constant(optimizer.beta_1, "float32"), step),
            beta2_power=tf.pow(tf.constant(optimizer.beta_2, "float32"), step),
            lr=learning_rate,
            beta1=tf.constant(optimizer.beta_1, "float32"),
            beta2=tf.constant(optimizer.beta_2, "float32"),
            epsilon=tf.constant(optimizer.epsilon, "float32"),
            grad=grad,
        )
    optimizer.iterations.assign_add(1)


def add_gradients(a, b):
    """a + b, where None stands for a zero gradient."""
    if a is None or b is None:
        return b if a is None else a
    return a + b


def input_gradients(fn, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        outputs = fn(x)
    return tape.gradient(outputs, x)


def channels_last_kernel(variable):
    """Nothing to do: TensorFlow picks its own memory layouts."""


def use_compilation_cache(folder):
    """Nothing to do: TensorFlow traces its functions in seconds and, without XLA
    (Keras' default on CPU), compiles nothing to keep."""


def connect_workers(addresses, index):
    """Makes this process worker `index` of the cluster of `addresses` (HOST:PORT of
    each worker's server, the chief's first) by setting TF_CONFIG, which
    `MultiWorkerMirroredStrategy` reads when `data_parallel` creates it. With
    `addresses` None, the TF_CONFIG already set (e.g. by a cluster manager) is used."""
    if addresses is None:
        if "TF_CONFIG" not in os.environ:
            raise InvalidArgumentError(
                "no cluster: pass the workers' addresses (ganzoo train --cluster "
                "HOST:PORT,HOST:PORT --worker-index I), or set TF_CONFIG."
            )
        return
    cluster = {"cluster": {"worker": list(addresses)}, "task": {"type": "worker", "index": index}}
    os.environ["TF_CONFIG"] = json.dumps(cluster)


def is_chief():
    """Whether this process writes the run's files: the chief of the TF_CONFIG cluster
    (its "chief" task, else worker 0, as TensorFlow decides), and any process outside
    a cluster."""
    resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    jobs = resolver.cluster_spec().as_dict()
    if not jobs:
        return True
    if "chief" in jobs:
        return resolver.task_type == "chief"
    return resolver.task_type == "worker" and resolver.task_id == 0


def data_parallel(count, workers=1):
    """A context in which a model built, compiled and fit trains data-parallel on
    `count` devices of each of `workers` workers.

    One worker: `tf.distribute.MirroredStrategy` over the first `count` GPUs, or,
    without GPUs, over `count` logical CPUs split from the first (possible only before
    TensorFlow has started its runtime). Several: `MultiWorkerMirroredStrategy` over
    the cluster of TF_CONFIG (`connect_workers`), each worker's GPUs or its CPU; it
    must be created before TensorFlow runs anything else.
    """
    if workers > 1:
        return multi_worker_strategy(count, workers).scope()
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        cpu = tf.config.list_physical_devices("CPU")[0]
        # Listing logical devices would start the runtime: read the configuration.
        if len(tf.config.get_logical_device_configuration(cpu) or [None]) < count:
            try:
                tf.config.set_logical_device_configuration(
                    cpu, [tf.config.LogicalDeviceConfiguration()] * count
                )
            except RuntimeError as error:
                raise InvalidArgumentError(
                    f"devices={count}: TensorFlow has no GPUs, and its CPU can no longer "
                    "be split into logical devices (its runtime has started). Ask for "
                    "the devices before TensorFlow runs anything."
                ) from error
    devices = tf.config.list_logical_devices("GPU" if gpus else "CPU")
    if count > len(devices):
        raise InvalidArgumentError(
            f"devices={count}, but TensorFlow sees {len(devices)}: "
            f"{', '.join(d.name for d in devices)}."
        )
    return tf.distribute.MirroredStrategy([d.name for d in devices[:count]]).scope()


def multi_worker_strategy(count, workers):
    """`MultiWorkerMirroredStrategy` for `workers` workers of `count` devices each."""
    if "TF_CONFIG" not in os.environ:
        raise InvalidArgumentError(
            f"workers={workers}, but this process is not in a cluster: pass --cluster "
            "and --worker-index to ganzoo train (or call ganzoo.backend.connect_workers), "
            "or set TF_CONFIG."
        )
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus and count > 1:
        raise InvalidArgumentError(
            f"devices={count} with workers={workers}: TensorFlow's multi-worker strategy "
            "trains on one CPU device per worker. Pass devices=1 (or use GPUs)."
        )
    try:
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
    except RuntimeError as error:
        raise InvalidArgumentError(
            "TensorFlow's multi-worker strategy must be created before TensorFlow runs "
            f"anything ({error}). Ask for the workers when the process starts."
        ) from error
    if strategy.num_replicas_in_sync != count * workers:
        raise InvalidArgumentError(
            f"workers={workers} with devices={count} make {count * workers} replicas, but "
            f"the cluster of TF_CONFIG has {strategy.num_replicas_in_sync}: "
            f"{os.environ['TF_CONFIG']}."
        )
    return strategy


def batch_norm(layer, inputs):
    """None: Keras' own batch norm, which XLA (and TensorFlow's grappler) fuse."""
    return None


group_norm = batch_norm  # None: Keras' own group norm


# Compiled steps call Keras' layers and operators once, while tracing.
run_network = call_network
conv = keras_ops.conv
conv_transpose = keras_ops.conv_transpose
pad = keras_ops.pad
dropout = keras_ops.dropout
random_integers = keras_ops.random_integers
random_normal = keras_ops.random_normal
random_uniform = keras_ops.random_uniform
