"""The ResNet generator of CycleGAN (Zhu et al., 2017; Johnson et al., 2016).

    c7s1-ngf, d(2 ngf), d(4 ngf), R(4 ngf) x num_blocks, u(2 ngf), u(ngf), c7s1-C, tanh

c7s1-k: reflection pad 3, 7x7 conv, norm, ReLU. d-k: 3x3 stride-2 conv, norm, ReLU.
R-k: two 3x3 convs with reflection padding, x + F(x). u-k: 3x3 stride-2 transposed
conv, norm, ReLU. Two downsamplings: H and W must be multiples of 4.
"""

from keras import layers

from ganzoo.blocks.conv import check_upsampling, conv_block, up_block
from ganzoo.blocks.layers import seeded_dropout


def residual_block(x, norm="instance", init="normal", dropout=False, padding_mode="reflect"):
    """x + F(x), F = pad, conv3x3, norm, ReLU, [dropout 0.5], pad, conv3x3, norm.

    Args:
        x: tensor `(batch, H, W, C)`; the output has the same shape.
        norm, init: see `normalization`, `kernel_initializer`.
        dropout: Boolean. Defaults to False.
        padding_mode: `"reflect"` (the reference's default) or `"zero"`.
    """
    channels = x.shape[-1]
    options = {"kernel_size": 3, "strides": 1, "padding": 1, "padding_mode": padding_mode}
    h = conv_block(x, channels, norm=norm, act="relu", init=init, **options)
    if dropout:
        h = seeded_dropout(0.5)(h)
    h = conv_block(h, channels, norm=norm, act="none", init=init, **options)
    return layers.Add()([x, h])


def resnet_generator(
    images,
    output_channels,
    num_blocks,
    filters=64,
    norm="instance",
    init="normal",
    dropout=False,
    upsampling="transposed",
    padding_mode="reflect",
    output_activation="tanh",
):
    """images -> translated images through `num_blocks` residual blocks at H/4.

    Args:
        images: tensor `(batch, H, W, C)` in [-1, 1], H and W multiples of 4.
        output_channels: channels of the output.
        num_blocks: residual blocks (`resnet_9blocks` for 256 px, `resnet_6blocks`
            for 128 px in the paper).
        filters: channels of the first conv (the reference's `ngf`). Defaults to 64.
        norm: see `normalization`. Defaults to `"instance"`.
        init: see `kernel_initializer`. Defaults to `"normal"`.
        dropout: Boolean, dropout 0.5 inside each residual block. Defaults to False.
        upsampling: the decoder's, `"transposed"` (default) or `"resize_conv"`
            (`up_block`).
        padding_mode: padding of the residual blocks. Defaults to `"reflect"`.
        output_activation: Defaults to `"tanh"`; `"none"` gives logits.

    Returns:
        tensor `(batch, H, W, output_channels)` in [-1, 1].
    """
    check_upsampling(upsampling)
    stem = {"kernel_size": 7, "strides": 1, "padding": 3, "padding_mode": "reflect"}
    x = conv_block(images, filters, norm=norm, act="relu", init=init, **stem)
    for level in (1, 2):
        x = conv_block(
            x, filters * 2**level, kernel_size=3, padding=1, norm=norm, act="relu", init=init
        )
    for _ in range(num_blocks):
        x = residual_block(x, norm=norm, init=init, dropout=dropout, padding_mode=padding_mode)
    for level in (1, 0):
        x = up_block(
            x, filters * 2**level, 3, padding=1, norm=norm, init=init, upsampling=upsampling
        )
    return conv_block(
        x, output_channels, norm="none", act=output_activation, init=init, use_bias=True, **stem
    )
