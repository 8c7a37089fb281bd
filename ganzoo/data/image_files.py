"""Image files without TensorFlow: finding them, reading their headers, and decoding
them with Pillow into the uint8 pixels the folder pipelines' TensorFlow decoder gives
(`data.folders.decode`: RGB, or its luma for one channel), so that `ganzoo translate`
and the pipelines read a file alike.
"""

import concurrent.futures
import contextlib
import os
import pathlib

import numpy as np
from PIL import Image

from ganzoo.errors import InvalidArgumentError, MissingFileError

# tf.image.rgb_to_grayscale's weights (ITU-R BT.601 luma).
LUMA = np.array([0.2989, 0.5870, 0.1140], np.float32)

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
GRAY_MODES = ("1", "L", "LA", "I", "I;16", "F")


def image_files(folder):
    """Sorted paths of the images under `folder` (recursive).

    Raises:
        FileNotFoundError: `folder` does not exist.
        ValueError: it holds no image files.
    """
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        what = "image file" if folder.suffix.lower() in IMAGE_EXTENSIONS else "image folder"
        raise MissingFileError(f"No {what} at {str(folder)!r}: check the path.")
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    images = [p for p in files if p.suffix.lower() in IMAGE_EXTENSIONS]
    if not images:
        others = sorted({p.suffix for p in files})
        found = f" (found only {others} files)" if others else " (it is empty)"
        raise InvalidArgumentError(
            f"No images in {str(folder)!r}{found}. ganzoo reads {IMAGE_EXTENSIONS}."
        )
    return images


@contextlib.contextmanager
def opened_image(path):
    """`PIL.Image.open(path)` whose failures, opening or decoding inside the block,
    become one line that names the file.

    Raises:
        ValueError: naming the file when it cannot be read as an image.
    """
    try:
        with Image.open(path) as image:
            yield image
    except (OSError, SyntaxError, ValueError) as error:
        raise InvalidArgumentError(
            f"Cannot read {str(path)!r} as an image ({error}). Replace or remove the file."
        ) from None


def read_image_shape(path, decode=True):
    """`(height, width, channels)` of an image file; the whole file is decoded unless
    `decode=False` (then only its header is read)."""
    with opened_image(path) as image:
        if decode:
            image.load()
        width, height = image.size
        return height, width, 1 if image.mode in GRAY_MODES else 3


def conversions(paths, channels):
    """What loading the images at `paths` with `channels` channels changes, as a phrase
    ("converted 2 of 5 images: 2 grayscale to RGB"); None when nothing. Reads headers only."""

    def mode(path):
        with opened_image(path) as image:
            return image.mode

    modes = [mode(p) for p in paths]
    if channels == 3:
        changes = [(sum(m in GRAY_MODES for m in modes), "grayscale to RGB")]
    else:
        changes = [(sum(m not in GRAY_MODES for m in modes), "colour to grayscale (luma)")]
    changes.append((sum("A" in m for m in modes), "with transparency, dropped"))
    said = [f"{count} {what}" for count, what in changes if count]
    converted = sum((m in GRAY_MODES) == (channels == 3) or "A" in m for m in modes)
    return f"converted {converted} of {len(modes)} images: {'; '.join(said)}" if said else None


def read_image_shapes(paths, decode=True):
    """`read_image_shape` of every file, on a thread pool (the decoders release the GIL)."""
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count()) as pool:
        return list(pool.map(lambda p: read_image_shape(p, decode), paths))


def image_paths(sources):
    """The image files of `sources` (a file or folder, or a list of both), folders
    searched recursively, each folder's files in path order."""
    sources = sources if isinstance(sources, (list, tuple)) else [sources]
    return [p for s in map(pathlib.Path, sources) for p in ([s] if s.is_file() else image_files(s))]


def read_image(path, channels):
    """uint8 `(height, width, channels)` pixels of an image file, as the folder
    pipelines decode it (RGB: the first frame of a GIF, transparency dropped, 16 bits
    per sample cut to their high byte, JPEGs with the accurate integer DCT), then its
    luma (rounded) for `channels=1`; a file that cannot be read is named
    (`opened_image`)."""
    with opened_image(path) as image:
        if image.mode.startswith("I;16"):  # 16-bit grayscale: the high byte
            image = Image.fromarray((np.asarray(image, np.uint16) >> 8).astype(np.uint8))
        pixels = np.asarray(image.convert("RGB"))
    if channels == 3:
        return pixels
    return np.round(pixels.astype(np.float32) @ LUMA).astype(np.uint8)[..., None]
