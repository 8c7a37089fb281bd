"""Colours for class maps: one per class, for people to look at (NumPy only)."""

import numpy as np


def class_colours(masks, num_classes):
    """Class ids `(n, H, W)` as colour images `(n, H, W, 3)` in [-1, 1]: class 0 black,
    the others spread around the hue circle at full brightness."""
    hues = np.arange(num_classes - 1) / max(num_classes - 1, 1)
    rgb = np.stack([np.abs(((hues * 6 + shift) % 6) - 3) - 1 for shift in (0, 4, 2)], -1)
    palette = np.concatenate([np.full((1, 3), -1.0), 2 * np.clip(rgb, 0, 1) - 1])
    return palette[np.asarray(masks)].astype(np.float32)
