"""Data for ganzoo: offline data sets and tf.data pipelines."""

from ganzoo.data.mnist5k import load_mnist5k
from ganzoo.data.pipeline import image_batches

__all__ = ["image_batches", "load_mnist5k"]
