"""Small building layers shared by every network: normalisation, activation, init."""

import random

import keras
from keras import layers

from ganzoo import backend
from ganzoo.errors import InvalidArgumentError

NORMS = ("batch", "instance", "layer", "none")
INITS = ("normal", "xavier", "kaiming", "orthogonal")
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "none")


def _check(kind, options, what):
    if kind not in options:
        raise InvalidArgumentError(f"Unknown {what} {kind!r}. Choose one of {list(options)}.")


def normalization(kind):
    """A normalisation layer over the channels of NHWC feature maps.

    Args:
        kind: `"batch"` (BatchNorm, PyTorch's momentum 0.1 and eps 1e-5),
            `"instance"` (per-sample, per-channel statistics, no affine terms, as
            pytorch-CycleGAN-and-pix2pix), `"layer"` (per-sample over all features;
            for gradient-penalty critics) or `"none"`.
    """
    _check(kind, NORMS, "norm")
    if kind == "batch":
        return BatchNormalization(momentum=0.9, epsilon=1e-5)
    if kind == "instance":
        return GroupNormalization(groups=-1, epsilon=1e-5, center=False, scale=False)
    if kind == "layer":
        return layers.LayerNormalization(axis=(-3, -2, -1), epsilon=1e-5)
    return layers.Identity()


@keras.saving.register_keras_serializable(package="ganzoo")
class BatchNormalization(layers.BatchNormalization):
    """`keras.layers.BatchNormalization` (same weights, outputs, moving statistics and
    gradients) whose training pass is the backend's fastest form: on torch one fused
    batch-norm kernel each way and an in-place update of the moving statistics
    (`ganzoo.backend.batch_norm`), where Keras runs a dozen elementwise operators."""

    def build(self, input_shape):
        super().build(input_shape)
        # A tuple, not the list Keras keeps (which its attribute tracking wraps): a
        # wrapped list breaks a torch.compile graph at every batch norm.
        self._reduction_axes = tuple(self._reduction_axes)

    def call(self, inputs, training=None, mask=None):
        if training and self.trainable and mask is None and not self.renorm:
            outputs = backend.batch_norm(self, inputs)
            if outputs is not None:
                return outputs
        return super().call(inputs, training=training, mask=mask)


@keras.saving.register_keras_serializable(package="ganzoo")
class GroupNormalization(layers.GroupNormalization):
    """`keras.layers.GroupNormalization` (same weights, outputs and gradients; with
    `groups=-1`, instance normalization) as one fused kernel each way on torch
    (`ganzoo.backend.group_norm`)."""

    def call(self, inputs):
        outputs = backend.group_norm(self, inputs)
        return super().call(inputs) if outputs is None else outputs


def activation(kind):
    """`"relu"`, `"leaky_relu"` (slope 0.2, as DCGAN's discriminator), `"tanh"`, `"none"`.

    tanh, the generators' output layer, computes in float32 under a mixed-precision
    policy: images leave a generator in float32."""
    _check(kind, ACTIVATIONS, "activation")
    if kind == "relu":
        return layers.ReLU()
    if kind == "leaky_relu":
        return layers.LeakyReLU(negative_slope=0.2)
    if kind == "tanh":
        return layers.Activation("tanh", dtype="float32")
    return layers.Identity()


@keras.saving.register_keras_serializable(package="ganzoo")
class Dropout(layers.Dropout):
    """`keras.layers.Dropout` (same masks' distribution, scaling and seed state) whose
    training pass is the backend's: on torch its mask drawn on the device, with no
    host round trip (`ganzoo.backend.dropout`)."""

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            outputs = backend.dropout(self, inputs)
            if outputs is not None:
                return outputs
        return super().call(inputs, training=training)


def seeded_dropout(rate):
    """`Dropout(rate)` with an explicit seed.

    An unseeded Dropout on the torch backend draws from torch's global random state,
    which no checkpoint holds; seeded, its random state is a variable of the layer, so
    a resumed run continues the same masks on every backend. The seed comes from
    Python's `random`, as Keras' own default seeds do (`keras.utils.set_random_seed`
    fixes it).
    """
    return Dropout(rate, seed=random.randint(1, 10**9))


def kernel_initializer(kind="normal", gain=0.02):
    """Weight initialisation of pytorch-CycleGAN-and-pix2pix's `init_weights`.

    Args:
        kind: `"normal"` (N(0, gain^2), DCGAN's), `"xavier"` (Glorot normal scaled by
            gain), `"kaiming"` (He normal, fan-in) or `"orthogonal"` (scaled by gain).
            Defaults to `"normal"`.
        gain: Float. Defaults to 0.02.
    """
    _check(kind, INITS, "init")
    if kind == "normal":
        return keras.initializers.RandomNormal(0.0, gain)
    if kind == "xavier":
        return keras.initializers.VarianceScaling(gain**2, "fan_avg", "untruncated_normal")
    if kind == "kaiming":
        return keras.initializers.VarianceScaling(2.0, "fan_in", "untruncated_normal")
    return keras.initializers.Orthogonal(gain)


@keras.saving.register_keras_serializable(package="ganzoo")
class LabelMaps(layers.Layer):
    """One-hot labels `(batch, classes)` -> constant maps `(batch, height, width, classes)`.

    The conditional discriminator's input of Mirza & Osindero (2014), for images: one
    channel per class, 1 where that class is asked for, concatenated to the image.
    """

    def __init__(self, height, width, **kwargs):
        super().__init__(**kwargs)
        self.height = height
        self.width = width

    def call(self, one_hot):
        maps = keras.ops.reshape(one_hot, (-1, 1, 1, one_hot.shape[-1]))
        return keras.ops.tile(maps, (1, self.height, self.width, 1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.height, self.width, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}
