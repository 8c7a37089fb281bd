"""Convolution blocks: conv -> norm -> activation, and the up-sampling twin (transposed
convolution, resize-convolution or max-unpooling).

Padding follows PyTorch where the reference networks are PyTorch models: an integer
`padding=p` pads p pixels on every side (zeros, or a reflection of the image), so a
4x4 stride-2 conv with p=1 and a 3x3 stride-1 conv with p=1 give the reference's
output sizes and pixel alignment at any input size. `"same"` is Keras' padding.
"""

import keras
from keras import layers, ops

from ganzoo import backend
from ganzoo.blocks.layers import activation, kernel_initializer, normalization, seeded_dropout
from ganzoo.errors import InvalidArgumentError

PADDING_MODES = ("zero", "reflect")
UPSAMPLING = ("transposed", "resize_conv", "unpool")


@keras.saving.register_keras_serializable(package="ganzoo")
class Conv2D(layers.Conv2D):
    """`keras.layers.Conv2D` (same weights, outputs and gradients) whose convolution is
    the backend's fastest form: on torch, channels-last memory without layout copies,
    the bias added by the convolution's kernel (`ganzoo.backend.conv`). 2D,
    channels_last, no dilation or groups."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if max(self.dilation_rate) != 1 or self.groups != 1:
            raise InvalidArgumentError(
                "Conv2D supports neither dilation nor groups. "
                f"Received: dilation_rate={self.dilation_rate}, groups={self.groups}."
            )
        check_channels_last(self.data_format)

    def build(self, input_shape):
        super().build(input_shape)
        backend.channels_last_kernel(self.kernel)

    def call(self, inputs):
        outputs = backend.conv(inputs, self.kernel, self.strides, self.padding, self.bias)
        return outputs if self.activation is None else self.activation(outputs)


def check_channels_last(data_format):
    if data_format != "channels_last":
        raise InvalidArgumentError(
            "ganzoo's networks are channels_last (weights stay portable across "
            f"backends). Received: data_format={data_format!r}."
        )


@keras.saving.register_keras_serializable(package="ganzoo")
class ConvTranspose2D(layers.Conv2DTranspose):
    """`keras.layers.Conv2DTranspose` whose JAX backward pass is ~5x faster on CPU.

    Same weights, forward pass and gradients as the Keras layer (so weights load into
    either); on JAX the kernel gradient is computed in the form TensorFlow uses
    (see `ganzoo.backend.jax.conv_transpose`). Dilation and `output_padding` are not
    used by ganzoo's networks and are rejected.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.output_padding is not None or max(self.dilation_rate) != 1:
            raise InvalidArgumentError(
                "ConvTranspose2D supports neither output_padding nor dilation. "
                f"Received: output_padding={self.output_padding}, "
                f"dilation_rate={self.dilation_rate}."
            )
        check_channels_last(self.data_format)

    def build(self, input_shape):
        super().build(input_shape)
        backend.channels_last_kernel(self.kernel)

    def call(self, inputs):
        outputs = backend.conv_transpose(inputs, self.kernel, self.strides, self.padding, self.bias)
        return outputs if self.activation is None else self.activation(outputs)


@keras.saving.register_keras_serializable(package="ganzoo")
class ReflectionPadding2D(layers.Layer):
    """Pads height and width by `padding` pixels per side with their mirror image
    (the edge pixel is not repeated), as PyTorch's `nn.ReflectionPad2d`."""

    def __init__(self, padding, **kwargs):
        super().__init__(**kwargs)
        self.padding = int(padding)

    def call(self, x):
        return padded(x, (self.padding,) * 2, (self.padding,) * 2, "reflect")

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        p = 2 * self.padding
        return (b, None if h is None else h + p, None if w is None else w + p, c)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


@keras.saving.register_keras_serializable(package="ganzoo")
class ZeroPadding2D(layers.ZeroPadding2D):
    """`keras.layers.ZeroPadding2D` (its arguments, config and name), padding NHWC
    images with the backend's pad (`padded`)."""

    def call(self, x):
        if self.data_format != "channels_last":
            return super().call(x)
        return padded(x, *self.padding, "constant")


def padded(x, rows, columns, mode):
    """NHWC `x` with `rows` (top, bottom) and `columns` (left, right) added: `mode`
    "constant" (zeros) or "reflect" (`ganzoo.backend.pad`)."""
    return backend.pad(x, [(0, 0), tuple(rows), tuple(columns), (0, 0)], mode)


def pad2d(x, padding, mode="zero"):
    """Pads `padding` pixels on each side of height and width: `"zero"` or `"reflect"`."""
    if mode not in PADDING_MODES:
        raise InvalidArgumentError(
            f"Unknown padding mode {mode!r}. Choose one of {list(PADDING_MODES)}."
        )
    if not padding:
        return x
    if mode == "reflect":
        return ReflectionPadding2D(padding)(x)
    return ZeroPadding2D(padding)(x)


def conv_block(
    x,
    filters,
    kernel_size=4,
    strides=2,
    padding="same",
    padding_mode="zero",
    norm="batch",
    act="leaky_relu",
    init="normal",
    use_bias=None,
):
    """Conv -> norm -> activation. The defaults halve height and width (DCGAN's D).

    Args:
        x: tensor `(batch, H, W, C)`.
        filters: output channels.
        kernel_size: Defaults to 4.
        strides: Defaults to 2.
        padding: `"same"` (Keras) or an int p: p pixels on each side, as PyTorch.
        padding_mode: `"zero"` or `"reflect"` (for an int `padding`).
        norm: see `normalization`. Defaults to `"batch"`.
        act: see `activation`. Defaults to `"leaky_relu"` (slope 0.2).
        init: see `kernel_initializer`. Defaults to `"normal"`.
        use_bias: Defaults to True unless `norm` is `"batch"` (its shift is the bias).

    Returns:
        tensor `(batch, H', W', filters)`: `ceil(H / strides)` for `"same"`,
        `floor((H + 2p - kernel_size) / strides) + 1` for an int p.
    """
    if use_bias is None:
        use_bias = norm != "batch"
    if padding != "same":
        x = pad2d(x, padding, padding_mode)
    x = Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding="same" if padding == "same" else "valid",
        use_bias=use_bias,
        kernel_initializer=kernel_initializer(init),
    )(x)
    return norm_and_activation(x, norm, act)


def norm_and_activation(x, norm, act, dropout=0.0):
    """norm -> dropout -> activation, leaving out the ones that are `"none"` / 0."""
    if norm != "none":
        x = normalization(norm)(x)
    if dropout:
        x = seeded_dropout(dropout)(x)
    return x if act == "none" else activation(act)(x)


@keras.saving.register_keras_serializable(package="ganzoo")
class MaxPoolingWithArgmax2D(layers.Layer):
    """2x2 stride-2 max pooling that also says where each maximum was (SegNet).

    `(batch, H, W, C)` (H, W even) -> `(pooled, positions)`, both `(batch, H/2, W/2, C)`:
    the maxima, and int32 positions in [0, 4) within each 2x2 window (row * 2 +
    column; the first on ties), for `MaxUnpooling2D`.
    """

    def call(self, x):
        windows = to_windows(x)
        return ops.max(windows, axis=-1), ops.cast(ops.argmax(windows, axis=-1), "int32")

    def compute_output_spec(self, x):
        b, h, w, c = x.shape
        shape = (b, None if h is None else h // 2, None if w is None else w // 2, c)
        return keras.KerasTensor(shape, x.dtype), keras.KerasTensor(shape, "int32")


@keras.saving.register_keras_serializable(package="ganzoo")
class MaxUnpooling2D(layers.Layer):
    """Max-unpooling (SegNet): `[x, positions]` `(batch, h, w, C)` each -> `(batch, 2h,
    2w, C)` with each value of x at the position its matching `MaxPoolingWithArgmax2D`
    recorded in its 2x2 window, and zeros elsewhere."""

    def call(self, inputs):
        x, positions = inputs
        placed = ops.one_hot(positions, 4, dtype=x.dtype) * ops.expand_dims(x, -1)
        return from_windows(placed)

    def compute_output_shape(self, input_shapes):
        b, h, w, c = input_shapes[0]
        return (b, None if h is None else 2 * h, None if w is None else 2 * w, c)


def to_windows(x):
    """`(batch, H, W, C)` -> `(batch, H/2, W/2, C, 4)`: the 2x2 windows, row-major."""
    shape = ops.shape(x)
    h, w, c = shape[1] // 2, shape[2] // 2, shape[3]
    x = ops.reshape(x, (-1, h, 2, w, 2, c))
    return ops.reshape(ops.transpose(x, (0, 1, 3, 5, 2, 4)), (-1, h, w, c, 4))


def from_windows(windows):
    """The inverse of `to_windows`: `(batch, h, w, C, 4)` -> `(batch, 2h, 2w, C)`."""
    shape = ops.shape(windows)
    h, w, c = shape[1], shape[2], shape[3]
    x = ops.transpose(ops.reshape(windows, (-1, h, w, c, 2, 2)), (0, 1, 4, 2, 5, 3))
    return ops.reshape(x, (-1, 2 * h, 2 * w, c))


def check_upsampling(upsampling, unpool=False):
    """`upsampling` is one of `UPSAMPLING` (and not "unpool" unless the network
    max-pools, `unpool`)."""
    if upsampling not in UPSAMPLING:
        raise InvalidArgumentError(
            f"upsampling must be one of {UPSAMPLING}. Received: {upsampling!r}."
        )
    if upsampling == "unpool" and not unpool:
        raise InvalidArgumentError(
            "upsampling 'unpool' places values where a matching max-pooling found them, "
            "and this network down-samples by strided convolutions (or not at all). Use "
            "'transposed' or 'resize_conv', or an hourglass generator (`hourglass_<size>`), "
            "which max-pools."
        )
    return upsampling


def up_block(
    x,
    filters,
    kernel_size=4,
    padding="same",
    norm="batch",
    act="relu",
    init="normal",
    dropout=0.0,
    use_bias=None,
    upsampling="transposed",
    positions=None,
):
    """Doubles H and W, then norm -> dropout -> activation.

    Up-sampling (`UPSAMPLING`):
    - "transposed": a stride-2 transposed convolution (DCGAN, pix2pix, CycleGAN).
    - "resize_conv": nearest-neighbour 2x resize, then a 3x3 stride-1 convolution
      (Odena et al., 2016): every output pixel sees the same kernel taps, so no
      checkerboard artefacts.
    - "unpool": max-unpooling to the `positions` of the matching
      `MaxPoolingWithArgmax2D` (SegNet), then a 3x3 stride-1 convolution; x has the
      pooled tensor's channels.

    Args:
        x: tensor `(batch, H, W, C)`.
        filters: output channels.
        kernel_size: of the transposed convolution. Defaults to 4.
        padding: of the transposed convolution: `"same"` (Keras) or an int p:
            PyTorch's `ConvTranspose2d` padding p, with the `output_padding` that makes
            the output exactly `2H x 2W` (the reference's 4x4 p=1, and 3x3 p=1
            output_padding=1 of its ResNet).
        norm: see `normalization`. Defaults to `"batch"`.
        act: see `activation`. Defaults to `"relu"`.
        init: see `kernel_initializer`. Defaults to `"normal"`.
        dropout: rate, applied in training only. Defaults to 0.
        use_bias: Defaults to True unless `norm` is `"batch"`.
        upsampling: Defaults to `"transposed"`.
        positions: the pooling positions, for `"unpool"` only.

    Returns:
        tensor `(batch, 2H, 2W, filters)`.
    """
    check_upsampling(upsampling, unpool=True)
    if (upsampling == "unpool") != (positions is not None):
        raise InvalidArgumentError(
            "up_block takes the pooling positions with upsampling 'unpool', and only then. "
            f"Received: upsampling={upsampling!r}, positions={positions!r}."
        )
    if use_bias is None:
        use_bias = norm != "batch"
    if upsampling != "transposed":
        if upsampling == "unpool":
            x = MaxUnpooling2D()([x, positions])
        else:
            x = layers.UpSampling2D(2, interpolation="nearest")(x)
        x = Conv2D(
            filters,
            3,
            padding="same",
            use_bias=use_bias,
            kernel_initializer=kernel_initializer(init),
        )(x)
        return norm_and_activation(x, norm, act, dropout)
    x = ConvTranspose2D(
        filters,
        kernel_size,
        strides=2,
        padding="same" if padding == "same" else "valid",
        use_bias=use_bias,
        kernel_initializer=kernel_initializer(init),
    )(x)
    if padding != "same":
        # A valid transposed conv gives 2H + (kernel_size - 2) rows; PyTorch drops
        # `padding` rows at the top and the rest at the bottom.
        extra = kernel_size - 2
        if not 0 <= padding <= extra:
            raise InvalidArgumentError(
                f"padding must be in [0, kernel_size - 2] = [0, {extra}] for a 2x "
                f"transposed convolution. Received: padding={padding}."
            )
        x = layers.Cropping2D(((padding, extra - padding), (padding, extra - padding)))(x)
    return norm_and_activation(x, norm, act, dropout)
