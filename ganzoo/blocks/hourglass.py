"""An hourglass encoder-decoder without skip connections (SegNet; Badrinarayanan et
al., 2017): max-pooling down, and up again by the up-block's `upsampling`.

    e_k = maxpool(ReLU(norm(conv3x3(e_{k-1}))))       k = 1 .. depth  (e_0 = x)
    d_k = ReLU(norm(up(d_{k+1})))                     k = depth .. 2  (d_{depth+1} = e_depth)
    y = tanh(up(d_2))

Level k has `filters * min(2^(k-1), 8)` channels, as the U-Net. With upsampling
"unpool", `up` at level k puts each value where encoder level k's max-pooling found
its maximum (the pooling positions, not the features, cross the hourglass).
"""

from keras import layers

from ganzoo.blocks.conv import MaxPoolingWithArgmax2D, check_upsampling, conv_block, up_block
from ganzoo.blocks.unet import unet_channels
from ganzoo.errors import InvalidArgumentError


def hourglass_generator(
    images,
    output_channels,
    depth,
    filters=64,
    norm="batch",
    init="normal",
    upsampling="unpool",
    output_activation="tanh",
):
    """images -> images through an hourglass of `depth` 2x2 max-poolings and back.

    Args:
        images: tensor `(batch, H, W, C)` in [-1, 1]; H and W multiples of `2^depth`.
        output_channels: channels of the output.
        depth: number of poolings (>= 1).
        filters: channels of the first level. Defaults to 64.
        norm: see `normalization`. Defaults to `"batch"`.
        init: see `kernel_initializer`. Defaults to `"normal"`.
        upsampling: `"unpool"` (default), `"resize_conv"` or `"transposed"` (`up_block`).
        output_activation: Defaults to `"tanh"`; `"none"` gives logits.

    Returns:
        tensor `(batch, H, W, output_channels)` in [-1, 1].
    """
    if depth < 1:
        raise InvalidArgumentError(f"An hourglass needs depth >= 1. Received: depth={depth}.")
    check_upsampling(upsampling, unpool=True)
    x, positions = images, []
    for level in range(1, depth + 1):
        x = conv_block(x, unet_channels(level, filters), 3, 1, norm=norm, act="relu", init=init)
        if upsampling == "unpool":
            x, where = MaxPoolingWithArgmax2D()(x)
            positions.append(where)
        else:
            x = layers.MaxPooling2D(2)(x)
    for level in range(depth, 0, -1):
        last = level == 1
        x = up_block(
            x,
            output_channels if last else unet_channels(level - 1, filters),
            norm="none" if last else norm,
            act=output_activation if last else "relu",
            init=init,
            use_bias=True if last else None,
            upsampling=upsampling,
            positions=positions.pop() if positions else None,
        )
    return x
