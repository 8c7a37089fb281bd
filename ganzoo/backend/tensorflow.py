"""TensorFlow gradient plumbing: a tape for the shared generator forward, one
`tf.GradientTape` per phase."""

import tensorflow as tf
from keras import ops

from ganzoo.backend.optimizers import plain_adam


def train_step(model, phases, data):
    with tf.GradientTape() as forward_tape:
        shared = model.generator_forward(data)
    shared_list = tf.nest.flatten(shared)
    for phase in phases:
        variables = phase.variables
        for repeat in range(phase.repeats):
            with tf.GradientTape() as tape:
                tape.watch(shared_list)
                loss, logs = phase.loss(data, model.fakes_for(phase, data, shared, repeat))
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
    weight decay, clipping, EMA, other optimizers) goes through `apply`.
    """
    if not plain_adam(optimizer) or any(g is None for g in grads):
        optimizer.apply(grads, variables)
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


conv_transpose = ops.conv_transpose

conv = ops.conv


def channels_last_kernel(variable):
    """Nothing to do: TensorFlow picks its own memory layouts."""


def use_compilation_cache(folder):
    """Nothing to do: TensorFlow traces its functions in seconds and, without XLA
    (Keras' default on CPU), compiles nothing to keep."""
