"""PatchGAN discriminators of pix2pix and CycleGAN (Isola et al., 2017).

A fully convolutional D that scores every N x N patch of its input as real or fake,
so it models high-frequency structure and leaves low frequencies to the L1 term.
With `num_layers=3` (`basic`) each score sees a 70x70 receptive field, and a 256x256
input gives a 30x30 map of scores.

    C64 (no norm) - C128 - C256 [stride 2] - C512 [stride 1] - conv to 1 [stride 1]

Ck: 4x4 conv with padding 1, norm, LeakyReLU(0.2); channels double per layer up to
8 x filters.
"""

from ganzoo.blocks.conv import Conv2D, conv_block
from ganzoo.blocks.layers import kernel_initializer


def patch_discriminator(images, filters=64, num_layers=3, norm="batch", init="normal"):
    """images -> a map of patch scores (unbounded logits).

    Args:
        images: tensor `(batch, H, W, C)`; pix2pix concatenates input and output.
        filters: channels of the first layer (the reference's `ndf`). Defaults to 64.
        num_layers: stride-2 layers (the reference's `n_layers_D`); receptive field
            16, 34, 70, 142, 286 for 1..5. Defaults to 3.
        norm: see `normalization`. Defaults to `"batch"`.
        init: see `kernel_initializer`. Defaults to `"normal"`.

    Returns:
        tensor `(batch, H / 2^num_layers - 2, W / 2^num_layers - 2, 1)`.
    """
    use_bias = norm != "batch"
    x = conv_block(images, filters, padding=1, norm="none", init=init, use_bias=True)
    for n in range(1, num_layers + 1):
        x = conv_block(
            x,
            filters * min(2**n, 8),
            strides=2 if n < num_layers else 1,
            padding=1,
            norm=norm,
            init=init,
            use_bias=use_bias,
        )
    return conv_block(x, 1, strides=1, padding=1, norm="none", act="none", init=init)


def pixel_discriminator(images, filters=64, norm="batch", init="normal"):
    """images -> one score per pixel (the reference's `pixel`, a 1x1 PatchGAN).

    Returns:
        tensor `(batch, H, W, 1)`.
    """
    use_bias = norm != "batch"
    x = conv_block(images, filters, 1, 1, norm="none", init=init, use_bias=True)
    x = conv_block(x, 2 * filters, 1, 1, norm=norm, init=init, use_bias=use_bias)
    return Conv2D(1, 1, use_bias=use_bias, kernel_initializer=kernel_initializer(init))(x)
