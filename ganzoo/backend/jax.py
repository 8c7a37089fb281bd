"""JAX gradient plumbing: the stateful loss code runs in a `keras.StatelessScope`.

Keras' JAX trainer hands `train_step` the whole model state as arrays and expects the
new state back. Each phase's loss runs inside a `StatelessScope` that maps every model
variable to its current value, `jax.value_and_grad` differentiates it with respect to
the phase network's weights, and the phase optimizer's `stateless_apply` updates them.
Whatever the loss code assigns (batch-norm statistics, seed-generator state) and the
metric trackers are read back from the scope and threaded forward. The generator
forward shared by the phases runs once under `jax.vjp`; the generator phase adds its
pullback of d(loss)/d(fakes) to the gradient it takes directly.
"""

import functools
import os

import jax
import keras
from keras import StatelessScope, ops

from ganzoo.backend import keras_ops
from ganzoo.backend.networks import call_network
from ganzoo.errors import InvalidArgumentError


def train_step(model, phases, state, data):
    trainable, non_trainable, optimizer_values, metric_values = state
    variables = (
        model.trainable_variables
        + model.non_trainable_variables
        + model.optimizer.variables
        + model.metrics_variables
    )
    values = {
        id(v): value
        for v, value in zip(
            variables,
            [*trainable, *non_trainable, *optimizer_values, *metric_values],
            strict=True,
        )
    }

    def run_in_scope(fn, overrides, read_back):
        """Runs `fn()` with every variable set from `values` (then `overrides`)."""
        mapping = {**values, **overrides}
        with StatelessScope(state_mapping=[(v, mapping[id(v)]) for v in variables]) as s:
            outputs = fn()
        return outputs, {id(v): s.get_current_value(v) for v in read_back}

    def with_weights(fn, weights, weight_values):
        """`fn()` in the scope with `weights` set to `weight_values`; returns its output
        and what it assigned to the non-trainable variables."""
        overrides = {id(v): x for v, x in zip(weights, weight_values, strict=True)}
        return run_in_scope(fn, overrides, model.non_trainable_variables)

    # The generator forward, once per step: `shared` and the pullback that carries the
    # generator phase's d(loss)/d(fakes) back to the generator's weights.
    generator_weights = next(p.variables for p in phases if p.through_fakes)
    shared, pull_back, assigned = jax.vjp(
        lambda weight_values: with_weights(
            lambda: model.generator_forward(data), generator_weights, weight_values
        ),
        [values[id(v)] for v in generator_weights],
        has_aux=True,
    )
    values.update(assigned)

    for phase in phases:
        weights = phase.variables
        slots = phase.optimizer.variables

        for repeat in range(phase.repeats):

            def loss_fn(weight_values, shared, phase=phase, weights=weights, repeat=repeat):
                def scaled_loss():
                    loss, logs = phase.loss(data, model.fakes_for(phase, data, shared, repeat))
                    return phase.optimizer.scale_loss(loss), logs  # mixed_float16's scale

                (loss, logs), assigned = with_weights(scaled_loss, weights, weight_values)
                return loss, (logs, assigned)

            weight_values = [values[id(v)] for v in weights]
            if phase.through_fakes:
                (_, (logs, assigned)), (grads, fake_grads) = jax.value_and_grad(
                    loss_fn, argnums=(0, 1), has_aux=True
                )(weight_values, shared)
                (upstream,) = pull_back(fake_grads)
                grads = [a + b for a, b in zip(grads, upstream, strict=True)]
            else:
                (_, (logs, assigned)), grads = jax.value_and_grad(loss_fn, has_aux=True)(
                    weight_values, shared
                )
            values.update(assigned)
            new_weights, new_slots = phase.optimizer.stateless_apply(
                [values[id(v)] for v in slots], grads, weight_values
            )
            values.update(zip(map(id, weights), new_weights, strict=True))
            values.update(zip(map(id, slots), new_slots, strict=True))
            _, updated = run_in_scope(
                lambda logs=logs: model.update_trackers(logs), {}, model.metrics_variables
            )
            values.update(updated)

    _, averaged = run_in_scope(model.update_averages, {}, model.non_trainable_variables)
    values.update(averaged)
    logs, _ = run_in_scope(model.tracker_results, {}, [])
    new_state = tuple(
        [values[id(v)] for v in group]
        for group in (
            model.trainable_variables,
            model.non_trainable_variables,
            model.optimizer.variables,
            model.metrics_variables,
        )
    )
    return logs, new_state


def step_function(model, function):
    """Keras' train, test or predict function as it is (Keras compiles it)."""
    return function


def test_step(model, logs_of, state, data):
    """`logs_of(data)` (the losses of a held-out batch, `AdversarialModel.test_step`)
    with the model's state threaded as Keras' JAX trainer expects: `state` is
    `(trainable, non_trainable, metrics)` values; returns `(logs, new state)`."""
    trainable, non_trainable, metric_values = state
    variables = model.trainable_variables + model.non_trainable_variables + model.metrics_variables
    values = [*trainable, *non_trainable, *metric_values]
    with StatelessScope(state_mapping=list(zip(variables, values, strict=True))) as scope:
        logs = logs_of(data)
    new_state = tuple(
        [scope.get_current_value(v) for v in group]
        for group in (model.non_trainable_variables, model.metrics_variables)
    )
    return logs, (trainable, *new_state)


def input_gradients(fn, x):
    return jax.grad(lambda x: ops.sum(fn(x)))(x)


# "custom" (the default): the fast kernel gradient below; "xla": JAX's own gradient of
# `keras.ops.conv_transpose`, for comparing the two (benchmarks/step_time.py).
CONV_TRANSPOSE_GRADIENT = os.environ.get("GANZOO_JAX_CONV_TRANSPOSE_GRADIENT", "custom")
if CONV_TRANSPOSE_GRADIENT not in ("custom", "xla"):
    raise InvalidArgumentError(
        "GANZOO_JAX_CONV_TRANSPOSE_GRADIENT must be 'custom' or 'xla'. "
        f"Received: {CONV_TRANSPOSE_GRADIENT!r}."
    )


def conv_transpose(x, kernel, strides, padding, bias=None):
    if CONV_TRANSPOSE_GRADIENT == "xla":
        return keras_ops.conv_transpose(x, kernel, strides, padding, bias)
    outputs = _conv_transpose_with_fast_grad(tuple(strides), padding)(
        ops.convert_to_tensor(x), ops.convert_to_tensor(kernel)
    )
    return keras_ops.plus_bias(outputs, bias)


@functools.cache
def _conv_transpose_with_fast_grad(strides, padding):
    """`ops.conv_transpose` with the kernel gradient in TensorFlow's fast form.

    A transposed convolution y = T_K(x) is the adjoint of a strided convolution C_K,
    so <dy, T_K(x)> = <C_K(dy), x>. Hence dx = C_K(dy), and dK is the kernel gradient
    of C_K at input dy with output cotangent x: a convolution whose "kernel" is the
    small x, which XLA's CPU backend runs on its fast library path. JAX's default
    dK uses the large dy as the kernel, which XLA lowers to an element-wise loop
    (~130-280 ms instead of ~15-50 ms for DCGAN-MNIST's first up-convolution).
    Same math: forward, dx and dK agree to float32 round-off
    (`tests/test_blocks.py::test_jax_conv_transpose_gradient`). Forward-mode
    differentiation (`jax.jvp`) through this op is not supported.
    """

    def forward(x, kernel):
        # Keras' `conv_transpose` as one lhs-dilated convolution that reads the
        # (kh, kw, out, in) kernel where it is ("HWOI"): no per-call transpose of it.
        pads = [
            transpose_padding(k, s, padding) for k, s in zip(kernel.shape[:2], strides, strict=True)
        ]
        return jax.lax.conv_general_dilated(
            x,
            kernel[::-1, ::-1],
            window_strides=(1, 1),
            padding=pads,
            lhs_dilation=strides,
            dimension_numbers=("NHWC", "HWOI", "NHWC"),
        )

    @jax.custom_vjp
    def conv_transpose(x, kernel):
        return forward(x, kernel)

    def conv_transpose_fwd(x, kernel):
        return forward(x, kernel), (x, kernel)

    def conv_transpose_bwd(residuals, dy):
        x, kernel = residuals

        def strided_conv(kernel, y):
            return jax.linear_transpose(lambda x: forward(x, kernel), x)(y)[0]

        dx = strided_conv(kernel, dy)
        _, kernel_vjp = jax.vjp(lambda kernel: strided_conv(kernel, dy), kernel)
        return dx, kernel_vjp(x)[0]

    conv_transpose.defvjp(conv_transpose_fwd, conv_transpose_bwd)
    return conv_transpose


def transpose_padding(kernel_size, stride, padding):
    """The (left, right) padding of the dilated input that gives Keras' `conv_transpose`
    output size and alignment for `padding` "same" or "valid" (no output padding)."""
    if padding == "valid":
        return kernel_size - 1, kernel_size - 1 + max(kernel_size, stride) - kernel_size
    total = stride + kernel_size - 2
    left = min(total // 2 + total % 2, kernel_size - 1)
    return left, total - left


def channels_last_kernel(variable):
    """Nothing to do: XLA picks its own memory layouts."""


def use_compilation_cache(folder):
    """Keeps XLA's compiled programs in `folder` (JAX's persistent compilation cache),
    so a new process skips the compilation a previous one did for the same model,
    shapes and JAX version: `fit`'s train step, `translate`'s and `generate`'s
    predict functions. A cache JAX already has (JAX_COMPILATION_CACHE_DIR) is kept."""
    if jax.config.jax_compilation_cache_dir is None:
        jax.config.update("jax_compilation_cache_dir", str(folder))


def connect_workers(addresses, index):
    """Makes this process number `index` of the `len(addresses)` processes of a
    multi-host run (`keras.distribution.initialize`: `jax.distributed` with the first
    address, HOST:PORT, as its coordinator). With `addresses` None, Keras reads
    KERAS_DISTRIBUTION_JOB_ADDRESSES, _NUM_PROCESSES and _PROCESS_ID (or the cluster's
    own environment, e.g. on Cloud TPU). Call it before JAX computes anything."""
    try:
        if addresses is None:
            keras.distribution.initialize()
        else:
            keras.distribution.initialize(",".join(addresses), len(addresses), index)
    except RuntimeError as error:
        raise InvalidArgumentError(
            f"could not join the workers {addresses} as number {index}: {error}. Connect "
            "the workers before JAX computes anything."
        ) from error


def is_chief():
    """Whether this process writes the run's files: process 0."""
    return jax.process_index() == 0


def data_parallel(count, workers=1):
    """A context in which a model built, compiled and fit trains data-parallel on
    `count` devices of each of `workers` processes: `keras.distribution.DataParallel`.
    The train step stays one program over the global batch (XLA's SPMD partitioner
    splits it), so the noise, the batch-norm statistics and a CycleGAN's image pool are
    those of the global batch, exactly as on one device. Each process reads its share
    of every global batch (Keras shards the `tf.data` pipeline by process)."""
    if workers != jax.process_count():
        raise InvalidArgumentError(
            f"workers={workers}, but this process is one of {jax.process_count()}: "
            "connect the workers first (ganzoo train --cluster HOST:PORT,HOST:PORT "
            "--worker-index I, or ganzoo.backend.connect_workers)."
        )
    local = jax.local_devices()
    if count > len(local):
        raise InvalidArgumentError(
            f"devices={count}, but JAX sees {len(local)} here: "
            f"{', '.join(map(str, local))}. On a CPU, start Python with XLA_FLAGS="
            f"--xla_force_host_platform_device_count={count} to split it (the ganzoo "
            "command does this for --devices)."
        )
    devices = [
        device
        for process in range(workers)
        for device in [d for d in jax.devices() if d.process_index == process][:count]
    ]
    return keras.distribution.DataParallel(devices=devices).scope()


def batch_norm(layer, inputs):
    """None: Keras' own batch norm, which XLA (and TensorFlow's grappler) fuse."""
    return None


group_norm = batch_norm  # None: Keras' own group norm


# Compiled steps call Keras' layers and operators once, while tracing.
run_network = call_network
conv = keras_ops.conv
pad = keras_ops.pad
dropout = keras_ops.dropout
random_integers = keras_ops.random_integers
random_normal = keras_ops.random_normal
random_uniform = keras_ops.random_uniform
