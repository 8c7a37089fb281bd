"""Spectral normalisation of a discriminator (Miyato et al., 2018).

Every convolution and dense layer of the network divides its kernel W by an estimate
of W's largest singular value sigma(W), so that each layer, and the network, is
1-Lipschitz up to its activations. sigma comes from one step of power iteration per
training call from a persistent vector u (a non-trainable weight):

    v = normalize(u W^T),  u = normalize(v W),  sigma = v W u^T

with W reshaped to `(inputs, outputs)`; u and v are constants for the gradient, which
flows through sigma as in the paper. Inference uses the stored u without updating it.

    discriminator = spectrally_normalized(discriminator)
"""

import keras
from keras import ops

from ganzoo import backend
from ganzoo.backend import keras_ops
from ganzoo.blocks.conv import Conv2D


def normalized(x):
    return x / (ops.sqrt(ops.sum(ops.square(x))) + 1e-12)


def spectrally_normalized_kernel(kernel, vector, training):
    """`kernel / sigma(kernel)`, sigma from one power iteration from `vector` (u,
    `(1, outputs)`), which is updated in training."""
    matrix = ops.reshape(kernel, (-1, kernel.shape[-1]))
    u = ops.cast(vector.value, matrix.dtype)
    v = ops.stop_gradient(normalized(ops.matmul(u, ops.transpose(matrix))))
    u = ops.stop_gradient(normalized(ops.matmul(v, matrix)))
    if training:
        vector.assign(ops.cast(u, vector.dtype))
    sigma = ops.sum(ops.matmul(v, matrix) * u)
    return kernel / sigma


class SpectrallyNormalized:
    """The spectral normalisation of a layer with a `kernel` of `(..., outputs)`, a
    `bias` and an `activation`; the layer class supplies `linear(inputs, kernel, bias)`
    (bias None where the layer has none).

    Saves every variable, u included, as a plain `Layer` saves its own: Keras' `Dense`
    and convolutions save their kernel and bias only (for their quantized forms)."""

    def build(self, input_shape):
        super().build(input_shape)
        self.singular_vector = self.add_weight(
            shape=(1, self.kernel.shape[-1]),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
            trainable=False,
            name="singular_vector",
        )

    def call(self, inputs, training=False):
        kernel = spectrally_normalized_kernel(self.kernel, self.singular_vector, training)
        outputs = self.linear(inputs, kernel, self.bias)
        return outputs if self.activation is None else self.activation(outputs)

    def save_own_variables(self, store):
        keras.layers.Layer.save_own_variables(self, store)

    def load_own_variables(self, store):
        keras.layers.Layer.load_own_variables(self, store)


@keras.saving.register_keras_serializable(package="ganzoo")
class SpectralConv2D(SpectrallyNormalized, Conv2D):
    """ganzoo's `Conv2D` with a spectrally normalised kernel."""

    def linear(self, inputs, kernel, bias):
        return backend.conv(inputs, kernel, self.strides, self.padding, bias)


@keras.saving.register_keras_serializable(package="ganzoo")
class SpectralDense(SpectrallyNormalized, keras.layers.Dense):
    """`keras.layers.Dense` with a spectrally normalised kernel."""

    def linear(self, inputs, kernel, bias):
        return keras_ops.plus_bias(ops.matmul(inputs, kernel), bias)


def spectrally_normalized(network):
    """A copy of the functional `network` (new weights, same architecture) in which
    every `Conv2D` and `Dense` layer is spectrally normalised."""

    def replace(layer):
        for plain, spectral in ((Conv2D, SpectralConv2D), (keras.layers.Dense, SpectralDense)):
            if type(layer) is plain:
                return spectral.from_config(layer.get_config())
        return layer.__class__.from_config(layer.get_config())

    return keras.models.clone_model(network, clone_function=replace)
