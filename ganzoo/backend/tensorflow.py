"""TensorFlow gradient plumbing: one `tf.GradientTape` per phase."""

import tensorflow as tf
from keras import ops


def train_step(model, data):
    for phase in model.phases():
        variables = phase.variables
        for _ in range(phase.repeats):
            with tf.GradientTape() as tape:
                loss, logs = phase.loss(data)
            grads = tape.gradient(loss, variables)
            phase.optimizer.apply(grads, variables)
            model.update_trackers(logs)
    return model.tracker_results()


def input_gradients(fn, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        outputs = fn(x)
    return tape.gradient(outputs, x)


conv_transpose = ops.conv_transpose

conv = ops.conv


def channels_last_kernel(variable):
    """Nothing to do: TensorFlow picks its own memory layouts."""
