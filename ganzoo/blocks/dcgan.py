"""The DCGAN generator and discriminator stacks (Radford, Metz & Chintala, 2016).

Guidelines of the paper: no pooling (strided convolutions in D, fractionally strided
ones in G), batch norm in both (not on G's output nor D's input), ReLU in G with a
tanh output, LeakyReLU(0.2) in D, no fully connected hidden layers.
"""

from keras import layers

from ganzoo.blocks.conv import check_upsampling, conv_block, up_block
from ganzoo.blocks.layers import activation, kernel_initializer, normalization
from ganzoo.errors import InvalidArgumentError

MAX_BASE_SIZE = 8


def upsampling_plan(height, width):
    """Splits an image size into a base grid and a number of 2x upsamplings.

    The generator starts from a `base_height x base_width` grid and doubles it
    `num_upsamplings` times: 28 = 7 x 2^2 (MNIST), 32 = 4 x 2^3, 64 = 4 x 2^4 (CelebA).
    Both sides are halved together while both stay even and at least 3 wide.

    Returns:
        `((base_height, base_width), num_upsamplings)`.

    Raises:
        ValueError: if the size is not base x 2^k with k >= 1 and base in 3..8.
    """
    base, steps = (height, width), 0
    while all(s % 2 == 0 and s // 2 >= 3 for s in base):
        base, steps = (base[0] // 2, base[1] // 2), steps + 1
    if steps == 0 or max(base) > MAX_BASE_SIZE:

        def nearest(s):
            return sorted(
                {b * 2**k for b in range(3, MAX_BASE_SIZE + 1) for k in range(1, 9)},
                key=lambda n: (abs(n - s), n),
            )[:2]

        raise InvalidArgumentError(
            "DCGAN generates images of size base x 2^k per side, with k >= 1 "
            f"doublings from a base grid of 3 to {MAX_BASE_SIZE} (28 = 7x4, 32 = 4x8, "
            f"64 = 4x16). Received: {height}x{width}. Resize the data to a size "
            f"that works, e.g. {nearest(height)[0]}x{nearest(width)[0]}."
        )
    return base, steps


def dcgan_generator(
    latents, image_shape, filters=64, norm="batch", init="normal", upsampling="transposed"
):
    """z -> image: project and reshape, then transposed-conv up-blocks to tanh.

    Args:
        latents: tensor `(batch, latent_dim)` (conditional models concatenate the
            one-hot label to z first).
        image_shape: `(height, width, channels)` of the output.
        filters: channels before the output layer; each earlier level has twice as
            many, so the base grid has `filters * 2^(k-1)`. Defaults to 64.
        norm: see `normalization`. Defaults to `"batch"`.
        init: see `kernel_initializer`. Defaults to `"normal"` (N(0, 0.02)).
        upsampling: `"transposed"` (default, the paper's) or `"resize_conv"`
            (`up_block`).

    Returns:
        tensor `image_shape` with values in [-1, 1].
    """
    check_upsampling(upsampling)
    (base_h, base_w), steps = upsampling_plan(*image_shape[:2])
    channels = filters * 2 ** (steps - 1)
    x = layers.Dense(
        base_h * base_w * channels,
        use_bias=norm != "batch",
        kernel_initializer=kernel_initializer(init),
    )(latents)
    x = layers.Reshape((base_h, base_w, channels))(x)
    x = activation("relu")(normalization(norm)(x))
    for level in range(steps - 1):
        x = up_block(x, channels // 2 ** (level + 1), norm=norm, init=init, upsampling=upsampling)
    return up_block(x, image_shape[-1], norm="none", act="tanh", init=init, upsampling=upsampling)


def dcgan_discriminator(images, filters=64, norm="batch", init="normal"):
    """image -> one real/fake score: strided-conv down-blocks, then a linear layer.

    Mirrors `dcgan_generator`: as many stride-2 blocks as the generator has
    upsamplings, channels `filters, 2*filters, ...`, no norm on the first block.

    Args:
        images: tensor `(batch, H, W, C)` (conditional models append label maps).
        filters: channels of the first block. Defaults to 64.
        norm: see `normalization`. Defaults to `"batch"`.
        init: see `kernel_initializer`. Defaults to `"normal"`.

    Returns:
        tensor `(batch, 1)` of unbounded scores (logits).
    """
    _, steps = upsampling_plan(*images.shape[1:3])
    x = conv_block(images, filters, norm="none", act="leaky_relu", init=init)
    for level in range(1, steps):
        x = conv_block(x, filters * 2**level, norm=norm, act="leaky_relu", init=init)
    x = layers.Flatten()(x)
    return layers.Dense(1, kernel_initializer=kernel_initializer(init))(x)
