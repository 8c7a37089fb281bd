"""Differentiable augmentation of the discriminator's inputs (Zhao et al., 2020).

DiffAugment: every image the discriminator sees, real or generated, in its loss and in
the generator's, goes through the same random, differentiable transforms, so that D
cannot memorise a small training set and G's gradients pass through the transform.
Each transform draws its parameters per sample:

    color         brightness + U(-0.5, 0.5); saturation x U(0, 2) (around the pixel's
                  channel mean); contrast x U(0.5, 1.5) (around the image's mean)
    translation   a shift of up to 1/8 of the height and width, zeros shifted in
    cutout        a zeroed square of half the height and width, anywhere (partly off
                  the image)

Reference: Zhao, Liu, Lin, Zhu & Han, "Differentiable Augmentation for Data-Efficient
GAN Training", NeurIPS 2020.
"""

from keras import ops

from ganzoo import backend
from ganzoo.errors import InvalidArgumentError

TRANSFORMS = ("color", "translation", "cutout")


def parse_policy(policy):
    """`"color,translation"` -> `("color", "translation")`; "" or None -> `()`."""
    if policy is None or policy == "":
        return ()
    names = tuple(name.strip() for name in str(policy).split(","))
    unknown = [name for name in names if name not in TRANSFORMS]
    if unknown or len(set(names)) != len(names):
        raise InvalidArgumentError(
            f"diff_augment must be comma-separated names from {', '.join(TRANSFORMS)}, "
            f"each once (e.g. 'color,translation,cutout'). Received: {policy!r}."
        )
    return names


def diff_augment(images, policy, seed):
    """`images` `(batch, H, W, C)` through the transforms of `policy` (a tuple from
    `parse_policy`), with parameters drawn from `seed` (a `keras.random.SeedGenerator`).
    Differentiable with respect to `images`; values may leave [-1, 1]."""
    images = ops.convert_to_tensor(images)
    for name in policy:
        images = {"color": color, "translation": translation, "cutout": cutout}[name](images, seed)
    return images


def per_sample(images, seed, low=0.0, high=1.0):
    """U(low, high) of shape `(batch, 1, 1, 1)`, in the images' dtype."""
    batch = ops.shape(images)[0]
    draws = backend.random_uniform((batch, 1, 1, 1), seed, low, high)
    return ops.cast(draws, images.dtype)


def color(images, seed):
    images = images + per_sample(images, seed, -0.5, 0.5)
    mean = ops.mean(images, axis=-1, keepdims=True)
    images = (images - mean) * per_sample(images, seed, 0.0, 2.0) + mean
    mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
    return (images - mean) * per_sample(images, seed, 0.5, 1.5) + mean


def random_offsets(batch, low, high, seed):
    """Integers in [low, high) of shape `(batch, 1)`."""
    draws = backend.random_uniform((batch, 1), seed, float(low), float(high))
    return ops.cast(ops.floor(draws), "int32")


def translation(images, seed, ratio=0.125):
    batch = ops.shape(images)[0]
    height, width = images.shape[1], images.shape[2]
    shifted = images
    for axis, size in ((1, height), (2, width)):
        reach = int(size * ratio + 0.5)
        shift = random_offsets(batch, -reach, reach + 1, seed)
        padding = [(0, 0)] * 4
        padding[axis] = (reach, reach)  # the zeros shifted in
        padded = ops.pad(shifted, padding)
        rows = ops.arange(size)[None, :] + shift + reach  # (batch, size): row i + shift
        shape = [batch, 1, 1, 1]
        shape[axis] = size
        rows = ops.reshape(rows, shape)
        target = list(ops.shape(padded))
        target[axis] = size
        shifted = ops.take_along_axis(padded, ops.broadcast_to(rows, target), axis=axis)
    return shifted


def cutout(images, seed, ratio=0.5):
    batch = ops.shape(images)[0]
    height, width = images.shape[1], images.shape[2]
    keep = None
    for axis, size in ((1, height), (2, width)):
        side = int(size * ratio + 0.5)
        start = random_offsets(batch, 0, size + (1 - side % 2), seed) - side // 2
        position = ops.arange(size)[None, :]
        inside = ops.logical_and(position >= start, position < start + side)  # (batch, size)
        shape = [batch, 1, 1, 1]
        shape[axis] = size
        inside = ops.reshape(inside, shape)
        keep = inside if keep is None else ops.logical_and(keep, inside)
    return images * ops.cast(ops.logical_not(keep), images.dtype)
