"""`ganzoo`: train recipes, and sample, translate and score presets, from the command line.

    ganzoo train dcgan_mnist5k --out runs/dcgan       # a recipe of zoo_configs/, or a .toml
    ganzoo sample dcgan_mnist5k --n 64 --out grid.png  # a preset, its folder, or a .keras file
    ganzoo translate pix2pix_fonts glyphs/ --out translated/
    ganzoo eval cgan_mnist5k [--data mnist5k] [--n 1000] [--json]
    ganzoo export cgan_mnist5k --out serving/cgan [--format onnx] [--uint8] [--test-time-dropout]
    ganzoo list

`--backend` picks the Keras backend (it must be chosen before Keras is imported).
`train` resumes from its last finished epoch when run again with the same `--out`.
Errors are one line on stderr and exit code 2.
"""

import argparse
import json
import os
import pathlib
import sys

from ganzoo.metrics.held_out import EVAL_DATA
from ganzoo.presets import PresetError
from ganzoo.recipes import RecipeError, load_recipe, parse_override


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="ganzoo", description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("tensorflow", "jax", "torch"))
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a recipe with fit() and write its preset")
    train.add_argument("recipe", help="a recipe name in zoo_configs/ or a .toml file")
    train.add_argument("--epochs", type=int, help="override [train] epochs")
    train.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="TABLE.KEY=VALUE",
        help="override a recipe key, e.g. --set data.batch_size=16 (repeatable)",
    )
    train.add_argument("--out", type=pathlib.Path, help="run folder (default runs/RECIPE)")
    train.add_argument("--dry-run", action="store_true", help="print the resolved recipe")

    sample = commands.add_parser("sample", help="write a grid of generated images")
    sample.add_argument("model", help="a preset (name, folder or URL) or a .keras file")
    sample.add_argument("--n", type=int, default=64)
    sample.add_argument("--labels", help="comma-separated class ids (conditional models)")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--out", type=pathlib.Path, default=pathlib.Path("samples.png"))

    translate = commands.add_parser("translate", help="translate images with Pix2Pix or CycleGAN")
    translate.add_argument("model", help="a preset (name, folder or URL) or a .keras file")
    translate.add_argument("images", nargs="+", type=pathlib.Path, help="image files or folders")
    translate.add_argument("--out", type=pathlib.Path, required=True, help="output folder")
    translate.add_argument(
        "--direction", choices=("AtoB", "BtoA"), default="AtoB", help="CycleGAN's direction"
    )

    evaluate = commands.add_parser("eval", help="score a model on held-out offline data")
    evaluate.add_argument("model", help="a preset (name, folder or URL) or a .keras file")
    evaluate.add_argument(
        "--data",
        choices=sorted({d for names in EVAL_DATA.values() for d in names}),
        help="held-out data (default: mnist5k, font_pairs or digits_typeset by model)",
    )
    evaluate.add_argument("--n", type=int, default=1000, help="generated samples (GANs)")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")

    exporting = commands.add_parser("export", help="export the generator for serving")
    exporting.add_argument("model", help="a preset (name, folder or URL) or a .keras file")
    exporting.add_argument("--format", choices=("tf_saved_model", "onnx"), default="tf_saved_model")
    exporting.add_argument(
        "--out", type=pathlib.Path, required=True, help="folder (SavedModel) or .onnx file"
    )
    exporting.add_argument("--uint8", action="store_true", help="uint8 images in and out")
    exporting.add_argument("--version", type=int, default=1, help="SavedModel version folder")
    exporting.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    exporting.add_argument(
        "--test-time-dropout",
        action="store_true",
        help="keep Pix2Pix's dropout and batch statistics, as the paper's test time",
    )

    commands.add_parser("list", help="the shipped presets, their recipes and scores")
    return parser.parse_args(argv)


def train(args):
    from ganzoo import recipes

    overrides = dict(parse_override(text) for text in args.set)
    if args.epochs is not None:
        overrides["train.epochs"] = args.epochs
    recipe = load_recipe(args.recipe, overrides)
    if args.dry_run:
        print(json.dumps(recipe.to_dict(), indent=2))
        return
    out = args.out or pathlib.Path("runs") / recipe.name
    preset = recipes.train(recipe, out)
    metadata = json.loads((preset / "metadata.json").read_text())
    print(f"wrote {preset} and {out / 'samples.png'}")
    if "claim" in metadata:
        claim = metadata["claim"]
        verdict = "holds" if claim["holds"] else "DOES NOT HOLD"
        print(
            f"{claim['metric']}: {claim['trained']:.4g} trained vs {claim['untrained']:.4g} "
            f"untrained, {claim['better_by']:.3g}x better (claimed {claim['claimed_better_by']}x: "
            f"{verdict})"
        )


def load_model(name):
    """A `.keras` file, or a preset by name, folder or URL."""
    import keras

    from ganzoo.presets import from_preset

    if str(name).endswith(".keras"):
        if not pathlib.Path(name).is_file():
            raise FileNotFoundError(f"no model file at {name}")
        return keras.saving.load_model(name)
    return from_preset(name)


def sample(args):
    from ganzoo.images import preview_images, save_image_grid

    model = load_model(args.model)
    if not hasattr(model, "generate"):
        raise ValueError(
            f"{args.model} is a {type(model).__name__}, which translates images: use "
            "`ganzoo translate`."
        )
    labels = None
    if args.labels is not None:
        if model.num_classes is None:
            raise ValueError(f"{args.model} is not conditional; leave out --labels.")
        labels = [int(i) for i in args.labels.split(",")]
        if len(labels) == 1:
            labels = labels * args.n
        if len(labels) != args.n:
            raise ValueError(
                f"--labels gives {len(labels)} ids for --n {args.n} images; "
                "give one id or one per image"
            )
    images, columns = preview_images(model, num_images=args.n, labels=labels, seed=args.seed)
    print(f"wrote {save_image_grid(images, args.out, columns)}")


def image_paths(sources):
    """The image files named, and those under the folders named (`image_files`)."""
    from ganzoo.data.folders import image_files

    paths = []
    for source in sources:
        paths += [source] if source.is_file() else image_files(source)
    return paths


def translate(args):
    import numpy as np
    from PIL import Image

    from ganzoo.data import folders
    from ganzoo.data.preprocess import to_unit_range
    from ganzoo.images import to_uint8

    model = load_model(args.model)
    if not hasattr(model, "translate"):
        raise ValueError(
            f"{args.model} is a {type(model).__name__}, which generates images: use "
            "`ganzoo sample`."
        )
    reverse = args.direction == "BtoA"
    if reverse and not hasattr(model, "generator_ba"):
        raise ValueError("--direction BtoA needs a CycleGAN; Pix2Pix translates one way.")
    channels = model.output_channels if reverse else model.input_channels
    options = {"direction": args.direction} if hasattr(model, "generator_ba") else {}
    args.out.mkdir(parents=True, exist_ok=True)
    for path in image_paths(args.images):
        folders.inspect(path)  # an unreadable file is named in a one-line error
        image = to_unit_range(folders.decode(str(path), channels))  # as the data loaders
        output = to_uint8(model.translate(np.asarray(image), **options))
        target = args.out / f"{path.stem}.png"
        Image.fromarray(output[..., 0] if output.shape[-1] == 1 else output).save(target)
        print(f"{path} -> {target}")


def evaluate(args):
    import keras

    from ganzoo.metrics.held_out import held_out_scores

    model = load_model(args.model)
    scores = held_out_scores(model, args.data, args.n, args.seed)
    scores = {"model": str(args.model), "backend": keras.backend.backend(), **scores}
    if args.json:
        print(json.dumps(scores))
    else:
        print_table(scores)


def export_model(args):
    from ganzoo.export import export

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


def print_table(entries):
    width = max(map(len, entries))
    for key, value in entries.items():
        shown = f"{value:.4f}" if isinstance(value, float) else value
        print(f"{key:<{width}}  {shown}")


def list_presets(args):
    from ganzoo.presets import shipped_presets

    for name, folder in shipped_presets().items():
        metadata = json.loads((folder / "metadata.json").read_text())
        print(f"{name}  ({metadata['class_name']}, {metadata['parameters']['total']:,} parameters)")
        print(f"    {metadata.get('description', '')}")
        claim = metadata.get("claim")
        if claim:
            print(
                f"    {claim['metric']} {claim['trained']:.4g} on {metadata['scores']['data']} "
                f"(untrained: {claim['untrained']:.4g})"
            )


COMMANDS = {
    "train": train,
    "sample": sample,
    "translate": translate,
    "eval": evaluate,
    "export": export_model,
    "list": list_presets,
}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.backend and args.backend != os.environ.get("KERAS_BACKEND"):
        # Keras reads KERAS_BACKEND once, when `ganzoo` (and so Keras) is imported.
        env = {**os.environ, "KERAS_BACKEND": args.backend}
        os.execve(sys.executable, [sys.executable, "-m", "ganzoo.cli", *argv], env)
    try:
        COMMANDS[args.command](args)
    except (
        ValueError,
        FileNotFoundError,
        FileExistsError,
        RuntimeError,
        RecipeError,
        PresetError,
    ) as error:
        print(f"ganzoo: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
