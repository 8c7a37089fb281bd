"""JAX gradient plumbing: the stateful loss code runs in a `keras.StatelessScope`.

Keras' JAX trainer hands `train_step` the whole model state as arrays and expects the
new state back. Each phase's loss runs inside a `StatelessScope` that maps every model
variable to its current value, `jax.value_and_grad` differentiates it with respect to
the phase network's weights, and the phase optimizer's `stateless_apply` updates them.
Whatever the loss code assigns (batch-norm statistics, seed-generator state) and the
metric trackers are read back from the scope and threaded forward.
"""

import functools
import os

import jax
from keras import StatelessScope, ops

from ganzoo.errors import InvalidArgumentError


def train_step(model, state, data):
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

    for phase in model.phases():
        weights = phase.variables
        slots = phase.optimizer.variables

        def loss_fn(weight_values, phase=phase, weights=weights):
            overrides = {id(v): x for v, x in zip(weights, weight_values, strict=True)}
            (loss, logs), assigned = run_in_scope(
                lambda: phase.loss(data), overrides, model.non_trainable_variables
            )
            return loss, (logs, assigned)

        for _ in range(phase.repeats):
            weight_values = [values[id(v)] for v in weights]
            (_, (logs, assigned)), grads = jax.value_and_grad(loss_fn, has_aux=True)(weight_values)
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


def conv_transpose(x, kernel, strides, padding):
    if CONV_TRANSPOSE_GRADIENT == "xla":
        return ops.conv_transpose(x, kernel, strides=strides, padding=padding)
    return _conv_transpose_with_fast_grad(tuple(strides), padding)(
        ops.convert_to_tensor(x), ops.convert_to_tensor(kernel)
    )


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
        return ops.conv_transpose(x, kernel, strides=strides, padding=padding)

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


conv = ops.conv


def channels_last_kernel(variable):
    """Nothing to do: XLA picks its own memory layouts."""
