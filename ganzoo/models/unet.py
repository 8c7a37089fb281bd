"""A supervised image-to-image network (Ronneberger et al., 2015): semantic segmentation
or paired regression, on the generators' blocks, trained with plain `fit`.

    segmentation   x (H, W, C) -> class scores (H, W, num_classes); per-pixel softmax
                   cross-entropy (optionally weighted per class); pixel accuracy and
                   mean IoU
    regression     x (H, W, C) -> y (H, W, output_channels) in [-1, 1] (tanh); L1 or L2;
                   PSNR and SSIM (colourisation, super-resolution)

No adversary: the network is one of `ganzoo.blocks.generator_network`'s (`unet_<size>`,
`hourglass_<size>` for max-unpooling, `resnet_<n>blocks`), with logits out for
segmentation.
"""

import keras
import numpy as np
from keras import ops

from ganzoo.arguments import as_array, as_count, as_counts
from ganzoo.blocks import (
    check_upsampling,
    generator_network,
    parse_generator,
    size_multiple,
    smallest_size,
)
from ganzoo.colours import class_colours
from ganzoo.errors import InvalidArgumentError
from ganzoo.losses import psnr, ssim
from ganzoo.models.any_size import AnySize
from ganzoo.presets import PresetModel

TASKS = ("segmentation", "regression")
REGRESSION_LOSSES = ("l1", "l2")


@keras.saving.register_keras_serializable(package="ganzoo")
class PixelCrossEntropy(keras.losses.Loss):
    """Softmax cross-entropy of class scores `(batch, H, W, classes)` against class ids
    `(batch, H, W)`, per pixel, each pixel weighted by its true class's weight."""

    def __init__(self, class_weights=None, name="pixel_cross_entropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.class_weights = None if class_weights is None else [float(w) for w in class_weights]

    def call(self, y_true, y_pred):
        ids = ops.cast(y_true, "int32")
        loss = keras.losses.sparse_categorical_crossentropy(ids, y_pred, from_logits=True)
        if self.class_weights is not None:
            loss = loss * ops.take(ops.convert_to_tensor(self.class_weights), ids)
        return loss

    def get_config(self):
        return {**super().get_config(), "class_weights": self.class_weights}


@keras.saving.register_keras_serializable(package="ganzoo")
class MeanIoU(keras.metrics.MeanIoU):
    """`keras.metrics.MeanIoU` of class scores `(batch, H, W, classes)` against class ids
    `(batch, H, W)`, its confusion matrix counted as one product of one-hot tables
    (`truth^T @ prediction`). Keras counts it with `ops.scatter`, which the torch backend
    runs as a Python loop over pixels: 90% of a torch UNet step on a CPU, a host read per
    pixel on a GPU."""

    def __init__(self, num_classes, name="mean_iou", **kwargs):
        super().__init__(num_classes, sparse_y_pred=False, name=name, **kwargs)

    def update_state(self, y_true, y_pred, sample_weight=None):
        truth = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        predicted = ops.reshape(ops.argmax(y_pred, axis=-1), (-1,))
        weight = 1 if sample_weight is None else sample_weight  # cast as Keras casts it
        weight = ops.cast(ops.cast(weight, self.dtype), "float32")
        weight = ops.broadcast_to(ops.reshape(weight, (-1,)), truth.shape)
        known = ops.logical_and(truth >= 0, truth < self.num_classes)  # others count nowhere
        weight = ops.where(known, weight, 0.0)
        truth = ops.where(known, truth, 0)
        # In float32: GPUs multiply no integers.
        truth = ops.one_hot(truth, self.num_classes) * weight[:, None]
        counts = ops.matmul(ops.transpose(truth), ops.one_hot(predicted, self.num_classes))
        self.total_cm.assign(self.total_cm + ops.cast(ops.round(counts), self.dtype))

    def get_config(self):
        config = super().get_config()
        return {k: config[k] for k in ("num_classes", "name", "dtype")}


@keras.saving.register_keras_serializable(package="ganzoo")
class UNet(AnySize, PresetModel, keras.Model):
    """A U-Net (or another generator network) trained with a supervised loss.

    Args:
        task: `"segmentation"` (default) or `"regression"`.
        num_classes: classes of a segmentation (scores out). Defaults to None.
        output_channels: channels of a regression's output. Defaults to None.
        image_size: `(height, width)` of the training images (multiples of the
            network's `size_multiple`; any such size is taken afterwards).
        input_channels: Defaults to 3.
        network: a generator name of `ganzoo.blocks.networks`. Defaults to `"unet_256"`.
        filters: channels of the first level. Defaults to 64.
        norm: `"batch"`, `"instance"` or `"none"`. Defaults to `"batch"`.
        init: see `kernel_initializer`. Defaults to `"normal"`.
        dropout: the U-Net's inner dropout. Defaults to False.
        upsampling: the decoder's (`ganzoo.blocks.up_block`). Defaults to `"transposed"`.
        class_weights: segmentation: a weight per class for the loss (e.g. more for
            rare classes). Defaults to None (all 1).
        regression_loss: `"l1"` (default) or `"l2"`.
    """

    def __init__(
        self,
        task="segmentation",
        num_classes=None,
        output_channels=None,
        image_size=(256, 256),
        input_channels=3,
        network="unet_256",
        filters=64,
        norm="batch",
        init="normal",
        dropout=False,
        upsampling="transposed",
        class_weights=None,
        regression_loss="l1",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if task not in TASKS:
            raise InvalidArgumentError(f"task must be one of {TASKS}. Received: {task!r}.")
        segmenting = task == "segmentation"
        wanted, unwanted = ("num_classes", "output_channels")[:: 1 if segmenting else -1]
        given = {"num_classes": num_classes, "output_channels": output_channels}
        if given[wanted] is None or given[unwanted] is not None:
            raise InvalidArgumentError(
                f"a {task} UNet takes {wanted} (and no {unwanted}). Received: "
                f"num_classes={num_classes!r}, output_channels={output_channels!r}."
            )
        self.task = task
        self.num_classes = None if num_classes is None else as_count(num_classes, "num_classes", 2)
        self.output_channels = (
            None if output_channels is None else as_count(output_channels, "output_channels")
        )
        self.image_size = as_counts(image_size, "image_size (height, width)", 2)
        self.input_channels = as_count(input_channels, "input_channels")
        self.network_name = self.generator_name = network
        self.filters = as_count(filters, "filters")
        self.norm, self.init, self.dropout = norm, init, bool(dropout)
        self.upsampling = check_upsampling(
            upsampling, unpool=parse_generator(network)[0] == "hourglass"
        )
        self.size_multiple = size_multiple(network)
        self.smallest_size = smallest_size(network)
        self.check_size(self.image_size, "image_size")
        if class_weights is not None:
            class_weights = as_array(class_weights, "class_weights", 1).tolist()
            if not segmenting or len(class_weights) != self.num_classes:
                raise InvalidArgumentError(
                    f"class_weights are for segmentation, one per class ({num_classes}). "
                    f"Received {len(class_weights)} for task {task!r}."
                )
        self.class_weights = class_weights
        if regression_loss not in REGRESSION_LOSSES:
            raise InvalidArgumentError(
                f"regression_loss must be one of {REGRESSION_LOSSES}. "
                f"Received: {regression_loss!r}."
            )
        self.regression_loss = regression_loss
        self.network = generator_network(
            network,
            self.input_channels,
            self.num_classes or self.output_channels,
            self.filters,
            norm,
            init,
            self.dropout,
            name="network",
            upsampling=self.upsampling,
            output_activation="none" if segmenting else "tanh",
        )
        self.build((None, None, None, self.input_channels))

    @property
    def kind(self):
        """`"segmenter"` or `"regressor"`: what `ganzoo eval` and the CLI do with it."""
        return "segmenter" if self.task == "segmentation" else "regressor"

    def call(self, images, training=False):
        """images `(batch, H, W, input_channels)` in [-1, 1] -> class scores (logits)
        `(batch, H, W, num_classes)`, or images `(batch, H, W, output_channels)`."""
        return self.network(images, training=training)

    def compile(self, optimizer=None, loss=None, metrics=None, learning_rate=1e-3, **kwargs):
        """Adam(`learning_rate`) by default, the task's loss and metrics: pixel
        cross-entropy (with `class_weights`), pixel accuracy and mean IoU; or L1 / L2,
        PSNR and SSIM (`ganzoo.losses.psnr`, `ssim`)."""
        if self.task == "segmentation":
            loss = loss or PixelCrossEntropy(self.class_weights)
            metrics = metrics or [
                keras.metrics.SparseCategoricalAccuracy(name="pixel_accuracy"),
                MeanIoU(self.num_classes),
            ]
        else:
            loss = loss or ("mean_absolute_error" if self.regression_loss == "l1" else "mse")
            metrics = metrics or [
                keras.metrics.MeanMetricWrapper(psnr, name="psnr"),
                keras.metrics.MeanMetricWrapper(ssim, name="ssim"),
            ]
        super().compile(
            optimizer=optimizer or keras.optimizers.Adam(learning_rate), loss=loss,
            metrics=metrics, **kwargs,
        )  # fmt: skip

    def get_compile_config(self):
        """The optimizer's config (the loss and metrics are the task's); None before
        `compile`."""
        return {"optimizer": keras.optimizers.serialize(self.optimizer)} if self.compiled else None

    def compile_from_config(self, config):
        optimizer = keras.optimizers.deserialize(config["optimizer"])
        self.compile(optimizer=optimizer)
        optimizer.build(self.trainable_variables)  # so that a saved state loads into it

    def predict_maps(self, images, batch_size=32):
        """Class ids `(n, H, W)` int32 (segmentation) or images `(n, H, W, C)` in
        [-1, 1] (regression), in inference mode, from images `(n, H, W, C)` in
        [-1, 1] of any size (`translate_with` pads and crops back)."""
        outputs = self.translate_with(self.network, images, self.input_channels, batch_size)
        return outputs.argmax(-1).astype(np.int32) if self.task == "segmentation" else outputs

    def translate(self, images, batch_size=32):
        """`predict_maps` as images in [-1, 1]: class maps in colour (`class_colours`)
        for segmentation. Takes one image `(H, W, C)` or a batch `(n, H, W, C)`."""
        single = np.ndim(images) == 3
        maps = self.predict_maps(np.asarray(images)[None] if single else images, batch_size)
        if self.task == "segmentation":
            maps = class_colours(maps, self.num_classes)
        return maps[0] if single else maps

    def generators(self):
        """The network that serves (exported, drawn): `(network,)`."""
        return (self.network,)

    def get_config(self):
        return {
            **super().get_config(),
            "task": self.task,
            "num_classes": self.num_classes,
            "output_channels": self.output_channels,
            "image_size": self.image_size,
            "input_channels": self.input_channels,
            "network": self.network_name,
            "filters": self.filters,
            "norm": self.norm,
            "init": self.init,
            "dropout": self.dropout,
            "upsampling": self.upsampling,
            "class_weights": self.class_weights,
            "regression_loss": self.regression_loss,
        }
