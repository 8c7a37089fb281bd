"""`ganzoo upload FOLDER HANDLE`: a preset folder to the Hugging Face Hub or Kaggle."""

import pathlib

NAME = "upload"
HELP = "push a preset folder to the Hugging Face Hub or Kaggle"


def add_arguments(parser):
    parser.add_argument("folder", type=pathlib.Path, help="a preset folder")
    parser.add_argument("handle", help="hf://owner/name or kaggle://owner/model/keras/variant")
    parser.add_argument(
        "--licence",
        default="Apache 2.0",
        help="the weights' licence on Kaggle (default Apache 2.0)",
    )


def run(args):
    from ganzoo.zoo.hub import upload_preset  # local: imports Keras (start-up time)

    print(f"uploaded {args.folder} to {upload_preset(args.handle, args.folder, args.licence)}")
