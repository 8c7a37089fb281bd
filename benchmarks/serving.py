"""Inference latency of each shipped generator: Keras, the exported SavedModel, onnxruntime.

    KERAS_BACKEND=tensorflow python -m benchmarks serving [--repeats 30]
    KERAS_BACKEND=tensorflow python -m benchmarks serving --layers pix2pix_fonts
    KERAS_BACKEND=tensorflow python -m benchmarks serving --unet 256

For batch 1 and 16, the median wall time of one call after warm-up: the Keras generator
(`predict_on_batch`, on the active backend), the SavedModel's `serving_default` loaded
with `tf.saved_model.load`, and the ONNX model in onnxruntime (CPU). Inputs are latents
(and labels) for generators, images of the preset's size for translators. `--unet SIZE`
times the reference's full-size generator instead: an untrained Pix2Pix unet_SIZE
(54.4M weights for 256) on SIZE x SIZE x 3 images.
"""

import argparse
import functools
import pathlib
import tempfile

import keras
import numpy as np
import onnxruntime
import tensorflow as tf

from benchmarks.tables import median_ms, print_table
from ganzoo.models import Pix2Pix, from_preset
from ganzoo.presets import shipped_presets
from ganzoo.zoo.export import export


def serving_inputs(model, batch):
    """Named inputs of the exported signature, and the Keras generator's inputs."""
    rng = np.random.default_rng(0)
    network = model.generators()[0]  # what serving_default serves
    if model.kind != "generator":
        images = rng.uniform(-1, 1, (batch, *model.image_size, model.input_channels))
        images = images.astype("float32")
        return {"images": images}, network, images
    z = rng.standard_normal((batch, model.latent_dim)).astype("float32")
    if model.num_classes is None:
        return {"z": z}, network, z
    labels = rng.integers(0, model.num_classes, batch).astype("int32")
    one_hot = np.eye(model.num_classes, dtype="float32")[labels]
    return {"z": z, "labels": labels}, network, [z, one_hot]


def milliseconds_per_layer_class(network, inputs, repeats):
    """Layer class -> summed median time of its layers, each run alone on its inputs."""
    layers = [layer for layer in network.layers if not isinstance(layer, keras.layers.InputLayer)]
    listed = inputs if isinstance(inputs, list) else [inputs]
    values = dict(zip(map(id, network.inputs), listed, strict=True))
    outputs = keras.Model(network.input, [layer.output for layer in layers])(inputs)
    values.update(zip((id(layer.output) for layer in layers), outputs, strict=True))
    totals = {}
    for layer in layers:
        arguments = layer.input
        if isinstance(arguments, list):
            arguments = [values[id(tensor)] for tensor in arguments]
        else:
            arguments = values[id(arguments)]
        run = tf.function(functools.partial(layer, training=False))
        name = type(layer).__name__
        totals[name] = totals.get(name, 0.0) + median_ms(functools.partial(run, arguments), repeats)
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def print_layer_times(name, repeats):
    model = from_preset(name)
    _, network, inputs = serving_inputs(model, batch=16)
    times = milliseconds_per_layer_class(network, inputs, repeats)
    print_table(
        f"{name}'s generator on TensorFlow, batch 16: milliseconds per layer class",
        ["layer class", "ms"],
        ((layer_class, f"{ms:.2f}") for layer_class, ms in times.items()),
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--layers", metavar="PRESET", help="time each layer of its generator")
    parser.add_argument("--unet", type=int, metavar="SIZE", help="an untrained unet_SIZE Pix2Pix")
    args = parser.parse_args(argv)
    if args.layers:
        if keras.backend.backend() != "tensorflow":
            raise SystemExit("--layers times TensorFlow ops: run it with KERAS_BACKEND=tensorflow")
        return print_layer_times(args.layers, args.repeats)
    backend = keras.backend.backend()
    print_table(
        f"Keras on {backend}; milliseconds per call, median of {args.repeats}",
        ["preset", "batch", f"Keras ({backend})", "SavedModel", "onnxruntime"],
        serving_rows(args.repeats, args.unet),
    )


def serving_rows(repeats, unet=None):
    """One row per shipped preset (or the unet_SIZE Pix2Pix) and batch size: Keras,
    SavedModel and ONNX times."""
    if unet:
        model = Pix2Pix(image_size=(unet, unet), generator=f"unet_{unet}")
        models = {f"Pix2Pix unet_{unet}": model}
    else:
        models = {name: name for name in shipped_presets()}
    with tempfile.TemporaryDirectory() as folder:
        for index, (name, source) in enumerate(models.items()):
            model = from_preset(source) if isinstance(source, str) else source
            saved = export(source, pathlib.Path(folder) / str(index))
            onnx = export(source, pathlib.Path(folder) / f"{index}.onnx", format="onnx")
            signature = tf.saved_model.load(str(saved / "1")).signatures["serving_default"]
            session = onnxruntime.InferenceSession(str(onnx))
            for batch in (1, 16):
                named, network, keras_inputs = serving_inputs(model, batch)
                tensors = {k: tf.constant(v) for k, v in named.items()}
                calls = (
                    functools.partial(network.predict_on_batch, keras_inputs),
                    functools.partial(signature, **tensors),
                    functools.partial(session.run, None, named),
                )
                timings = [median_ms(call, repeats) for call in calls]
                yield (f"`{name}`", batch, *(f"{t:.2f}" for t in timings))


if __name__ == "__main__":
    main()
