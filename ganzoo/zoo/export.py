"""Generator export: a SavedModel for TensorFlow Serving, and ONNX.

Only the generator is exported, in inference mode (batch norm on its moving
statistics, no dropout); the discriminators and the training state stay behind.
`test_time_dropout=True` keeps Pix2Pix's dropout as the paper runs it at test time
(with batch norm on each request's own statistics, as the reference's `test.py` does
without `--eval`), drawing new dropout masks on every call.

    ganzoo.export("cgan_mnist5k", "serving/cgan")              # serving/cgan/1/
    ganzoo.export(pix2pix, "serving/fonts", uint8=True)        # images as uint8 in and out
    ganzoo.export("pix2pix_fonts", "fonts.onnx", format="onnx")

Signatures (`serving_default`; CycleGAN adds `b_to_a`), batch dimension dynamic:

    GAN, DCGAN            z float32 (batch, latent_dim)            -> images
    ConditionalGAN        z, and labels int32 (batch,) class ids   -> images
    Pix2Pix, CycleGAN     images (batch, height, width, channels)  -> translated

`images` and `translated` are float32 in [-1, 1], or with `uint8=True` uint8 in
[0, 255] (the scaling runs inside the graph). Translators take any height and width
the generator can (multiples of 2^depth for a U-Net, of 4 for a ResNet).

Where it runs: a SavedModel is written on the TensorFlow backend; a model from another
backend goes through its preset (config and weights) into a TensorFlow-backend process,
since a JAX model exports as XLA calls tied to the TF version, and a torch model needs
torch_xla. ONNX is written on the TensorFlow backend (tf2onnx) or on the torch backend
(torch.onnx, no TensorFlow needed); a JAX model's goes through TensorFlow as its
SavedModel does.
"""

import collections
import functools
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import warnings

import keras

from ganzoo.errors import ExistingFileError, GanzooError, InvalidArgumentError
from ganzoo.files import written_whole
from ganzoo.models import from_preset
from ganzoo.optional import import_tensorflow, tensorflow_imports
from ganzoo.presets import save_preset
from ganzoo.progress import in_steps

FORMATS = ("tf_saved_model", "onnx")
ONNX_OPSET = 17
USAGE_ERROR = 2  # the subprocess's exit code for a ValueError, raised again here
# The signature of each of a translator's `generators()`, in order: G, then CycleGAN's F.
TRANSLATOR_ENDPOINTS = ("serving_default", "b_to_a")
# One input of an endpoint: its shape has None where it is dynamic (the batch, and a
# translator's height and width); `example` is a valid size for each None.
Input = collections.namedtuple("Input", "name shape dtype example")
DIMENSIONS = ("batch", "height", "width")  # the names of an image's dynamic sizes in ONNX


def dropout_layers(network):
    return [layer for layer in network.layers if isinstance(layer, keras.layers.Dropout)]


def in_training_mode(network):
    """`network` as run at the pix2pix paper's test time, without touching its state.

    Batch norm uses the batch's statistics and dropout is on, with fresh random seeds
    on every call; the moving statistics and the seed variables are read, never
    written, so serving leaves the weights as they were.
    """
    tf = import_tensorflow("SavedModel exports")
    seeds = {id(layer.seed_generator.state) for layer in dropout_layers(network)}

    def fresh_seed(variable):
        seed = tf.random.uniform(variable.shape, maxval=2**31 - 1, dtype=tf.int32)
        return tf.cast(seed, variable.dtype)

    def call(images):
        state = [fresh_seed(v) if id(v) in seeds else v for v in network.non_trainable_variables]
        outputs, _ = network.stateless_call(
            network.trainable_variables, state, images, training=True
        )
        return outputs

    return call


def check_test_time_dropout(model):
    if not any(dropout_layers(network) for network in model.generators()):
        raise InvalidArgumentError(
            f"test_time_dropout keeps a translator's dropout, but this {type(model).__name__}'s "
            "generator has no dropout layer. Export it without test_time_dropout "
            "(--test-time-dropout)."
        )


def endpoints(model, uint8=False, test_time_dropout=False):
    """Name -> (function, inputs) for each endpoint: a function of backend tensors
    that returns a dict of outputs, and its `Input`s in order."""

    def to_unit(images):
        return keras.ops.cast(images, "float32") / 127.5 - 1.0 if uint8 else images

    def from_unit(images):
        if not uint8:
            return images
        return keras.ops.cast(
            keras.ops.clip(keras.ops.round((images + 1.0) * 127.5), 0, 255), "uint8"
        )

    image_dtype = "uint8" if uint8 else "float32"
    if test_time_dropout:
        check_test_time_dropout(model)
    if model.kind != "generator":

        def translator(network):
            if test_time_dropout:
                run = in_training_mode(network)
            else:
                run = functools.partial(network, training=False)

            def translate(images):
                if model.kind == "segmenter":  # class scores -> ids and probabilities
                    scores = run(to_unit(images))
                    # The first class at the maximum: Keras' float argmax on TensorFlow
                    # tells -0.0 by a bitcast, which ONNX has no operator for.
                    best = keras.ops.equal(scores, keras.ops.max(scores, -1, keepdims=True))
                    classes = keras.ops.argmax(keras.ops.cast(best, "int32"), axis=-1)
                    return {
                        "classes": keras.ops.cast(classes, "int32"),
                        "probabilities": keras.ops.softmax(scores),
                    }
                return {"translated": from_unit(run(to_unit(images)))}

            return translate

        found, networks = {}, model.generators()
        for name, network in zip(TRANSLATOR_ENDPOINTS[: len(networks)], networks, strict=True):
            channels = network.input_shape[-1]
            images = Input(
                "images",
                (None, None, None, channels),
                image_dtype,
                (2, *model.image_size, channels),
            )
            found[name] = (translator(network), [images])
        return found

    z = Input("z", (None, model.latent_dim), "float32", (2, model.latent_dim))
    generator = model.generators()[0]  # the moving average with ema_decay, as generate()
    if model.num_classes is None:

        def generate(z):
            return {"images": from_unit(generator(z, training=False))}

        return {"serving_default": (generate, [z])}

    def generate_conditional(z, labels):
        one_hot = keras.ops.one_hot(labels, model.num_classes)
        return {"images": from_unit(generator([z, one_hot], training=False))}

    labels = Input("labels", (None,), "int32", (2,))
    return {"serving_default": (generate_conditional, [z, labels])}


def tensor_specs(inputs):
    """`Input`s as TensorFlow's input signature."""
    tf = import_tensorflow("SavedModel and ONNX exports from TensorFlow")
    return [tf.TensorSpec(i.shape, i.dtype, name=i.name) for i in inputs]


def write_saved_model(model, folder, uint8, test_time_dropout):
    archive = keras.export.ExportArchive()
    archive.track(model)
    signatures = endpoints(model, uint8, test_time_dropout)
    stages = [
        functools.partial(
            archive.add_endpoint, name=name, fn=function, input_signature=tensor_specs(inputs)
        )
        for name, (function, inputs) in signatures.items()
    ]
    stages.append(functools.partial(archive.write_out, str(folder), verbose=False))
    label = f"exporting {', '.join(signatures)} of {model.name} as a SavedModel"
    for stage in in_steps(stages, label, unit="stage"):
        stage()


def write_onnx(model, path, uint8):
    """The first endpoint as an ONNX model: with torch.onnx on the torch backend, with
    tf2onnx on TensorFlow's."""
    function, inputs = endpoints(model, uint8)["serving_default"]
    if keras.backend.backend() == "torch":
        write_onnx_with_torch(model, function, inputs, path)
        return
    try:
        import tf2onnx  # local: an optional dependency (the `export` extra)
    except ModuleNotFoundError:
        raise GanzooError('The ONNX export needs tf2onnx: pip install "ganzoo[export]".') from None

    tf = import_tensorflow("ONNX exports from TensorFlow")
    specs = tensor_specs(inputs)
    tf2onnx.convert.from_function(
        tf.function(function, input_signature=specs),
        input_signature=specs,
        opset=ONNX_OPSET,
        output_path=str(path),
    )


def write_onnx_with_torch(model, function, inputs, path):
    """torch.onnx's TorchScript exporter: it traces `function` on `Input.example`
    tensors and keeps each input's None dimensions dynamic (the dynamo exporter would
    need onnxscript, and fixes shapes unless each is declared)."""
    import torch  # local: the torch backend's own exporter

    if importlib.util.find_spec("onnx") is None:  # torch.onnx writes with it
        raise GanzooError('The ONNX export needs onnx: pip install "ganzoo[export]".')

    class Endpoint(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.networks = torch.nn.ModuleList(model.generators())  # weights as initializers

        def forward(self, *tensors):
            return tuple(function(*tensors).values())

    examples = tuple(keras.ops.zeros(i.example, i.dtype) for i in inputs)
    names = list(function(*examples))
    # The dynamic sizes by name: the batch everywhere, a translator's height and width in
    # its images and in every output.
    dynamic = {
        i.name: {a: DIMENSIONS[a] for a, n in enumerate(i.shape) if n is None} for i in inputs
    }
    spatial = 1 if model.kind == "generator" else 3
    dynamic.update({name: dict(enumerate(DIMENSIONS[:spatial])) for name in names})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on Keras' Python-side shapes
        torch.onnx.export(
            Endpoint().eval(),
            examples,
            str(path),
            input_names=[i.name for i in inputs],
            output_names=names,
            dynamic_axes=dynamic,
            opset_version=ONNX_OPSET,
            dynamo=False,
        )


def export_preset(preset, path, format, uint8, test_time_dropout):
    """Builds the preset on this process's backend and writes the export at `path` (the
    .onnx file, or the SavedModel's version folder)."""
    model = from_preset(preset)
    if format == "onnx":
        write_onnx(model, path, uint8)
    else:
        write_saved_model(model, path, uint8, test_time_dropout)


def export(
    model_or_preset,
    path,
    format="tf_saved_model",
    uint8=False,
    overwrite=False,
    version=1,
    test_time_dropout=False,
):
    """Exports a model's generator(s) for serving.

    Args:
        model_or_preset: a ganzoo model (any backend), or a preset's name, folder or URL.
        path: for "tf_saved_model" a folder, written as `path/<version>/` (TF Serving's
            layout); for "onnx" the `.onnx` file.
        format: "tf_saved_model" or "onnx".
        uint8: images in and out as uint8 in [0, 255] instead of float32 in [-1, 1].
        overwrite: replace an existing `path` (all its versions). Defaults to False:
            a SavedModel of a new `version` is then added beside the versions there.
        version: the SavedModel's version folder. Defaults to 1.
        test_time_dropout: keep a translator's dropout, as the pix2pix paper does at
            test time: new masks on every call, and batch norm on the request's own
            statistics (the reference's `test.py` without `--eval`). SavedModel only.
            Defaults to False.

    Returns:
        `path`. It is written in a temporary place and renamed into place, so a failed
        export leaves nothing behind.
    """
    if format not in FORMATS:
        raise InvalidArgumentError(f"Unknown export format {format!r}. Choose one of {FORMATS}.")
    path = pathlib.Path(path)
    if format == "onnx" and path.suffix != ".onnx":
        raise InvalidArgumentError(
            f"An ONNX export is one file: give a path ending in .onnx, not {path}."
        )
    if format == "onnx" and test_time_dropout:
        raise InvalidArgumentError(
            "test_time_dropout needs per-call random seeds, which the ONNX export does not keep: "
            'export it with format="tf_saved_model".'
        )
    saved_model = format == "tf_saved_model"
    backend = keras.backend.backend()
    here = backend == "tensorflow" or (backend == "torch" and not saved_model)
    if not here and not tensorflow_imports():
        raise GanzooError(
            f"{'A SavedModel' if saved_model else 'An ONNX'} export from the {backend} "
            "backend runs on TensorFlow, which does not import here: pip install "
            'tensorflow (and "ganzoo[export]" for ONNX)'
            + (", or export ONNX under KERAS_BACKEND=torch." if backend == "jax" else ".")
        )
    # What is written whole: the file or folder, or a new version beside the others.
    unit = path
    if path.exists() and not overwrite:
        if not saved_model or (path / str(version)).exists() or not path.is_dir():
            raise ExistingFileError(
                f"{path / str(version) if saved_model else path} exists; pass overwrite=True "
                "(--overwrite) to replace it"
                + (
                    ", or give another version (TF Serving serves the highest)."
                    if saved_model
                    else "."
                )
            )
        unit = path / str(version)
    with written_whole(unit) as written, tempfile.TemporaryDirectory() as scratch:
        preset = model_or_preset
        if not isinstance(preset, (str, os.PathLike)):
            preset = save_preset(model_or_preset, pathlib.Path(scratch) / "preset")
        if saved_model and unit == path:
            written.mkdir()
            written = written / str(version)
        options = (str(preset), str(written), format, uint8, test_time_dropout)
        if here:
            export_preset(*options)
        else:
            command = [sys.executable, "-m", "ganzoo.zoo.export", json.dumps(options)]
            env = {**os.environ, "KERAS_BACKEND": "tensorflow"}
            # Its progress goes to stdout, as in this process; its errors are read.
            result = subprocess.run(command, env=env, stderr=subprocess.PIPE, text=True)
            if result.returncode == USAGE_ERROR:
                raise InvalidArgumentError(result.stderr.strip().splitlines()[-1])
            if result.returncode != 0:
                raise RuntimeError(
                    f"the TensorFlow export process failed:\n{result.stderr[-3000:]}"
                )
    return path


if __name__ == "__main__":  # the TensorFlow-backend half of `export` from another backend
    try:
        export_preset(*json.loads(sys.argv[1]))
    except ValueError as error:
        print(error, file=sys.stderr)
        sys.exit(USAGE_ERROR)
