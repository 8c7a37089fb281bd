"""`ganzoo export MODEL`: the generator as a SavedModel for TensorFlow Serving, or
as an ONNX file."""

import pathlib

from ganzoo.cli.common import MODEL_HELP, at_least, load_model

NAME = "export"
HELP = "export the generator for serving"
# SavedModels, and ONNX from TensorFlow and JAX, are written on TensorFlow; ONNX from the
# torch backend with torch.onnx (ganzoo.zoo.export says so in one line where it must).
TENSORFLOW_IF_INSTALLED = True


def add_arguments(parser):
    parser.add_argument("model", help=MODEL_HELP)
    parser.add_argument(
        "--format",
        choices=("tf_saved_model", "onnx"),
        default="tf_saved_model",
        help="SavedModel for TF Serving (default), or ONNX",
    )
    parser.add_argument(
        "--out", type=pathlib.Path, required=True, help="folder (SavedModel) or .onnx file"
    )
    parser.add_argument("--uint8", action="store_true", help="uint8 images in and out")
    parser.add_argument(
        "--version", type=at_least(1), default=1, help="SavedModel version folder (default 1)"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    parser.add_argument(
        "--test-time-dropout",
        action="store_true",
        help="keep Pix2Pix's dropout and batch statistics, as the paper's test time",
    )


def run(args):
    from ganzoo.zoo.export import export  # local: imports Keras (start-up time)

    source = args.model if not str(args.model).endswith(".keras") else load_model(args.model)
    path = export(
        source,
        args.out,
        args.format,
        args.uint8,
        args.overwrite,
        args.version,
        args.test_time_dropout,
    )
    print(f"wrote {path / str(args.version) if args.format == 'tf_saved_model' else path}")
