"""Paired patches of the photographs shipped inside scikit-image (offline).

`load_photo_pairs(task=...)` cuts square patches from seven colour photographs and
pairs each with a degraded copy, for Pix2Pix:

    colorize           input: the patch's luma (1 channel)   target: the RGB patch
    super_resolution   input: the patch shrunk 4x and enlarged back (bicubic), RGB

The splits are disjoint by photograph: "test" is the coffee cup, never seen in training.
Licences (from skimage.data): astronaut (NASA, public domain), chelsea and coffee (CC0),
rocket (SpaceX, public domain), hubble_deep_field (NASA, public domain),
immunohistochemistry (no known copyright restrictions), retina (CC0).
"""

import numpy as np
from PIL import Image

from ganzoo.errors import InvalidArgumentError

TRAIN_PHOTOS = (
    "astronaut",
    "chelsea",
    "rocket",
    "hubble_deep_field",
    "immunohistochemistry",
    "retina",
)
TEST_PHOTOS = ("coffee",)
TASKS = ("colorize", "super_resolution")
SHRINK = 4  # the super-resolution factor


def photo(name, scale):
    """uint8 RGB photograph `name` of skimage.data, resized by `scale` (antialiased)."""
    import skimage.data  # local: slow to import; only the photo data sets need it

    image = Image.fromarray(getattr(skimage.data, name)()[..., :3])
    size = (round(image.width * scale), round(image.height * scale))
    return np.asarray(image.resize(size, Image.LANCZOS))


def degrade(patch, task):
    """The input of a task for a uint8 RGB patch, uint8."""
    image = Image.fromarray(patch)
    if task == "colorize":
        return np.asarray(image.convert("L"))[..., None]
    small = image.resize((image.width // SHRINK, image.height // SHRINK), Image.LANCZOS)
    return np.asarray(small.resize(image.size, Image.BICUBIC))


def load_photo_pairs(
    split="train", task="colorize", size=64, patches_per_photo=256, photo_scale=0.5, seed=0
):
    """Random patches of skimage's photographs with their degraded copies.

    Args:
        split: "train" (six photographs) or "test" (coffee).
        task: "colorize" or "super_resolution".
        size: patch side in pixels. Defaults to 64.
        patches_per_photo: Defaults to 256.
        photo_scale: the photographs are resized by this first, so a patch holds more
            of the scene. Defaults to 0.5.
        seed: patch positions; the same seed gives the same patches.

    Returns:
        inputs: float32 `(n, size, size, 1 or 3)` in [-1, 1]; targets: float32
        `(n, size, size, 3)` in [-1, 1]; n = photographs x patches_per_photo.
    """
    if task not in TASKS:
        raise InvalidArgumentError(f"Unknown task {task!r}. Use one of {TASKS}.")
    if split not in ("train", "test"):
        raise InvalidArgumentError(f"split must be 'train' or 'test'. Received: {split!r}.")
    rng = np.random.default_rng(seed)
    inputs, targets = [], []
    for name in TRAIN_PHOTOS if split == "train" else TEST_PHOTOS:
        image = photo(name, photo_scale)
        if min(image.shape[:2]) < size:
            raise InvalidArgumentError(
                f"The {name} photograph is {image.shape[0]}x{image.shape[1]} at "
                f"photo_scale={photo_scale}, smaller than size={size}. Raise photo_scale."
            )
        for _ in range(patches_per_photo):
            top = rng.integers(0, image.shape[0] - size + 1)
            left = rng.integers(0, image.shape[1] - size + 1)
            patch = image[top : top + size, left : left + size]
            inputs.append(degrade(patch, task))
            targets.append(patch)
    return tuple((np.stack(x) / 127.5 - 1.0).astype(np.float32) for x in (inputs, targets))
