"""The U-Net generator of pix2pix (Isola et al., 2017; Ronneberger et al., 2015).

An encoder of `depth` 4x4 stride-2 convolutions halves the image down to
`H / 2^depth`; a decoder of as many 4x4 stride-2 transposed convolutions doubles it
back, and each decoder level sees the encoder features of its size ("skip
connections"), so low-level detail such as edges can bypass the bottleneck. As in the
reference implementation, activations come before each convolution:

    e_1 = conv(x)                                   (no norm)
    e_k = norm(conv(LeakyReLU_0.2(e_{k-1})))        k = 2 .. depth - 1
    e_depth = conv(LeakyReLU_0.2(e_{depth-1}))      (no norm: it is 1x1 at 256 px)
    d_depth = norm(convT(ReLU(e_depth)))
    d_k = dropout(norm(convT(ReLU([e_k, d_{k+1}]))))   k = depth - 1 .. 2
    y = tanh(convT(ReLU([e_1, d_2])))

Level k has `filters * min(2^(k-1), 8)` channels (64, 128, 256, 512, 512, ...), and
dropout 0.5 acts on the decoder levels 5 .. depth-1 that have 8 x filters on both
sides (three levels for unet_256), the noise source of pix2pix's generator.
"""

from keras import layers

from ganzoo.blocks.conv import check_upsampling, conv_block, up_block
from ganzoo.blocks.layers import activation
from ganzoo.errors import InvalidArgumentError


def unet_channels(level, filters):
    """Channels of encoder level `level` (1-based): filters * min(2^(level-1), 8)."""
    return filters * min(2 ** (level - 1), 8)


def unet_generator(
    images,
    output_channels,
    depth,
    filters=64,
    norm="batch",
    init="normal",
    dropout=True,
    upsampling="transposed",
    output_activation="tanh",
):
    """images -> translated images through a U-Net with `depth` levels.

    Args:
        images: tensor `(batch, H, W, C)` in [-1, 1]; H and W multiples of
            `2^depth` (`unet_256`: depth 8, `unet_128`: depth 7).
        output_channels: channels of the output.
        depth: number of stride-2 levels (>= 1).
        filters: channels of the first level (the reference's `ngf`). Defaults to 64.
        norm: see `normalization`. Defaults to `"batch"`.
        init: see `kernel_initializer`. Defaults to `"normal"`.
        dropout: Boolean, dropout 0.5 in the inner decoder levels. Defaults to True.
        upsampling: the decoder's, `"transposed"` (default) or `"resize_conv"`
            (`up_block`).
        output_activation: Defaults to `"tanh"` (images in [-1, 1]); `"none"` gives
            logits (a segmentation U-Net's class scores).

    Returns:
        tensor `(batch, H, W, output_channels)` in [-1, 1] (with tanh).
    """
    if depth < 1:
        raise InvalidArgumentError(f"A U-Net needs depth >= 1. Received: depth={depth}.")
    check_upsampling(upsampling)
    use_bias = norm != "batch"
    up_options = {"init": init, "upsampling": upsampling}

    def down(x, level):
        has_norm = 1 < level < depth
        if level > 1:
            x = activation("leaky_relu")(x)
        return conv_block(
            x,
            unet_channels(level, filters),
            norm=norm if has_norm else "none",
            act="none",
            init=init,
            use_bias=use_bias,
        )

    def up(x, level):
        x = activation("relu")(x)
        if level == 1:
            return up_block(
                x, output_channels, norm="none", act=output_activation, use_bias=True, **up_options
            )
        rate = 0.5 if dropout and 5 <= level < depth else 0.0
        channels = unet_channels(level - 1, filters)
        return up_block(
            x, channels, norm=norm, act="none", dropout=rate, use_bias=use_bias, **up_options
        )

    skips = []
    x = images
    for level in range(1, depth + 1):
        x = down(x, level)
        skips.append(x)
    x = skips.pop()
    for level in range(depth, 1, -1):
        x = layers.Concatenate()([skips.pop(), up(x, level)])
    return up(x, 1)
