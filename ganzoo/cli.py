"""`ganzoo`: train recipes, and sample, translate, score, export and share presets.

    ganzoo train dcgan_mnist5k --out runs/dcgan       # a recipe of zoo_configs/, or a .toml
    ganzoo report runs/dcgan                           # curves and runs/dcgan/index.html
    ganzoo sample dcgan_mnist5k --n 64 --out grid.png [--html page.html]
    ganzoo translate pix2pix_fonts glyphs/ --out translated/ [--html]
    ganzoo eval cgan_mnist5k [--data mnist5k] [--n 1000] [--json]
    ganzoo export cgan_mnist5k --out serving/cgan [--format onnx] [--uint8] [--test-time-dropout]
    ganzoo import-torch horse2zebra.pth --family cyclegan --out presets/horse2zebra
    ganzoo upload runs/dcgan/preset hf://you/dcgan-mnist
    ganzoo list

`--backend` picks the Keras backend (before or after the command). `train` resumes
from its last checkpoint when run again with the same `--out`. Errors are one line on
stderr and exit status 2 (1: a trained preset misses its recipe's claim; 130: Ctrl-C).
Keras, and so TensorFlow, JAX or torch, is imported only once a command needs it, so
`--help`, `list` and argument errors answer at once.
"""

import argparse
import json
import os
import pathlib
import sys
import tempfile

from ganzoo.errors import GanzooError, InvalidArgumentError, MissingFileError
from ganzoo.files import make_folder

# Modules that import Keras are imported inside the commands that use them (start-up time:
# `--help`, `list` and argument errors start no backend). These import none.
from ganzoo.images import preview_images, save_image_grid
from ganzoo.interrupts import catch_interrupts, raise_if_interrupted
from ganzoo.latents import interpolation_latents
from ganzoo.pages import Markup, figure, table, write_page
from ganzoo.presets import shipped_presets
from ganzoo.progress import in_steps
from ganzoo.resources import keras_cache
from ganzoo.zoo.recipes import load_recipe, parse_override, recipe_from_dict, shipped_recipes

BACKENDS = ("tensorflow", "jax", "torch")  # jax and torch install with extras of their names
CLAIM_FAILED = 1  # exit status of `train` when the preset misses its recipe's claim


def start_backend(verbose):
    """Imports TensorFlow (for tf.data) and Keras with its backend, and keeps compiled
    programs in ~/.keras/ganzoo_compiled (JAX: a second run skips XLA's compilation
    of the same model and shapes). TensorFlow writes
    its start-up banner and a cuInit error on a machine without CUDA straight to file
    descriptor 2, before any logging setting applies: unless `verbose`, that goes to a
    scratch file, shown only if the import fails."""
    failure, saved = None, os.dup(2)
    with tempfile.TemporaryFile() as log:
        if not verbose:
            os.dup2(log.fileno(), 2)
        try:
            import tensorflow as tf  # local: the point of this function

            tf.config.list_physical_devices("GPU")  # the device probe that logs cuInit
            import keras  # noqa: F401  # local: as tensorflow
        except ImportError as error:
            failure = error
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        if failure is None:
            from ganzoo import backend  # local: imports Keras, as above

            backend.use_compilation_cache(keras_cache() / "ganzoo_compiled")
            return
        log.seek(0)
        sys.stderr.write(log.read().decode(errors="replace"))
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    hint = f' (pip install "ganzoo[{backend}]")' if backend != "tensorflow" else ""
    print(f"ganzoo: error: the {backend} backend cannot start: {failure}{hint}", file=sys.stderr)
    raise SystemExit(2)


def at_least(least):
    """An argparse type: an integer >= `least` (argparse turns the error into one line)."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer; received {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}; received {value}")
        return value

    return parse


def positive_number(text):
    """An argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number; received {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0; received {text}")
    return value


def class_ids(text):
    """An argparse type: comma-separated class ids (integers >= 0)."""
    parts = text.split(",")
    if not all(part.strip().isdigit() for part in parts):
        raise argparse.ArgumentTypeError(
            f"must be comma-separated class ids (integers from 0), e.g. 3 or 0,1,2; "
            f"received {text!r}"
        )
    return [int(part) for part in parts]


def png_file(text):
    """An argparse type: the path of a .png file to write (not a folder)."""
    path = pathlib.Path(text)
    folder = text.endswith(("/", os.sep)) or path.is_dir()
    if folder or path.suffix.lower() != ".png":
        example = path / "samples.png" if folder else path.with_suffix(".png")
        raise argparse.ArgumentTypeError(
            f"must be a .png file to write, e.g. {example}; received {text!r}"
        )
    return path


def addresses(text):
    """An argparse type: comma-separated HOST:PORT addresses, one per worker."""
    parts = text.split(",")
    for part in parts:
        host, _, port = part.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise argparse.ArgumentTypeError(
                f"must be HOST:PORT,HOST:PORT,... (one per worker, the chief's first); "
                f"received {part!r} in {text!r}"
            )
    if len(parts) < 2:
        raise argparse.ArgumentTypeError(f"names one worker ({text!r}); give every worker's")
    return parts


def parse_args(argv):
    return command_line().parse_args(argv)


def command_line():
    """The `ganzoo` argument parser, every command with its flags."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--backend",
        choices=BACKENDS,
        default=argparse.SUPPRESS,
        help="the Keras backend (default: KERAS_BACKEND, else tensorflow)",
    )
    common.add_argument(
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show TensorFlow's start-up and device logs",
    )
    parser = argparse.ArgumentParser(
        prog="ganzoo", description=__doc__.split("\n")[0], parents=[common]
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, help):
        return commands.add_parser(name, help=help, description=help, parents=[common])

    train = command("train", "train a recipe with fit() and write its preset")
    train.add_argument("recipe", help="a recipe name (`ganzoo list`) or a .toml file")
    train.add_argument("--epochs", type=at_least(1), help="override [train] epochs")
    train.add_argument(
        "--steps-per-epoch",
        type=at_least(1),
        metavar="STEPS",
        help="override [train] steps_per_epoch (default: the recipe's, else one pass of the data)",
    )
    train.add_argument(
        "--batch-size", type=at_least(1), metavar="N", help="override [data] batch_size"
    )
    train.add_argument(
        "--checkpoint-every",
        type=at_least(1),
        metavar="STEPS",
        help="also checkpoint every STEPS steps within an epoch ([train] checkpoint_every_steps)",
    )
    train.add_argument(
        "--checkpoint-minutes",
        type=float,
        metavar="MINUTES",
        help="also checkpoint within an epoch every MINUTES ([train] checkpoint_every_minutes)",
    )
    train.add_argument(
        "--devices",
        type=at_least(1),
        metavar="N",
        help="train data-parallel on N devices ([distribution] devices; JAX or TensorFlow)",
    )
    train.add_argument(
        "--cluster",
        type=addresses,
        metavar="HOST:PORT,...",
        help="train with several workers, one process each, the same command on each with "
        "its --worker-index ([distribution] workers); the chief's address first",
    )
    train.add_argument(
        "--worker-index",
        type=at_least(0),
        metavar="I",
        help="this process's place in --cluster (0: the chief, which writes the files)",
    )
    train.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="TABLE.KEY=VALUE",
        help="override a recipe key, e.g. --set data.batch_size=16 (repeatable)",
    )
    train.add_argument("--out", type=pathlib.Path, help="run folder (default runs/RECIPE)")
    train.add_argument("--dry-run", action="store_true", help="print the resolved recipe")

    model_help = "a preset (name, folder, URL, hf:// or kaggle:// handle) or a .keras file"
    sample = command("sample", "write a grid of generated images")
    sample.add_argument("model", help=model_help)
    sample.add_argument(
        "--n",
        type=at_least(1),
        help="number of images (default 64), or rows with --interpolate (8)",
    )
    sample.add_argument(
        "--labels", type=class_ids, help="comma-separated class ids (conditional models)"
    )
    sample.add_argument(
        "--interpolate",
        type=at_least(2),
        metavar="STEPS",
        help="a grid of --n rows, each walking between two latents in STEPS images",
    )
    sample.add_argument(
        "--method", choices=("slerp", "lerp"), default="slerp", help="interpolation (default slerp)"
    )
    sample.add_argument(
        "--truncation",
        type=positive_number,
        help="redraw latent entries beyond +-T (truncation trick): typical, less varied",
    )
    sample.add_argument("--seed", type=at_least(0), default=0, help="the latents' seed (default 0)")
    sample.add_argument(
        "--out",
        type=png_file,
        default=pathlib.Path("samples.png"),
        help="PNG file (default samples.png in the working folder; replaced if it exists)",
    )
    sample.add_argument("--html", type=pathlib.Path, metavar="PAGE", help="also a page of it")

    translate = command("translate", "translate images with Pix2Pix or CycleGAN")
    translate.add_argument("model", help=model_help)
    translate.add_argument("images", nargs="+", type=pathlib.Path, help="image files or folders")
    translate.add_argument("--out", type=pathlib.Path, required=True, help="output folder")
    translate.add_argument(
        "--direction",
        choices=("AtoB", "BtoA"),
        default="AtoB",
        help="CycleGAN's direction (default AtoB)",
    )
    translate.add_argument(
        "--html", action="store_true", help="also OUT/index.html: each input beside its output"
    )

    report = command("report", "draw a run's curves and write its results page, index.html")
    report.add_argument("run", type=pathlib.Path, help="the --out folder of `ganzoo train`")

    evaluate = command("eval", "score a model on held-out offline data")
    evaluate.add_argument("model", help=model_help)
    evaluate.add_argument(
        "--data",
        help="held-out set (default: mnist5k for generators, font_pairs for Pix2Pix, "
        "digits_typeset for CycleGAN; a set that does not suit the model lists those that do)",
    )
    evaluate.add_argument(
        "--split",
        choices=("test", "validation"),
        default="test",
        help="test (default; what presets report) or validation (to choose settings by)",
    )
    evaluate.add_argument(
        "--n", type=at_least(8), default=1000, help="generated samples (GANs; default 1000)"
    )
    evaluate.add_argument(
        "--seed", type=at_least(0), default=0, help="the latents' seed (default 0)"
    )
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")

    exporting = command("export", "export the generator for serving")
    exporting.add_argument("model", help=model_help)
    exporting.add_argument(
        "--format",
        choices=("tf_saved_model", "onnx"),
        default="tf_saved_model",
        help="SavedModel for TF Serving (default), or ONNX",
    )
    exporting.add_argument(
        "--out", type=pathlib.Path, required=True, help="folder (SavedModel) or .onnx file"
    )
    exporting.add_argument("--uint8", action="store_true", help="uint8 images in and out")
    exporting.add_argument(
        "--version", type=at_least(1), default=1, help="SavedModel version folder (default 1)"
    )
    exporting.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    exporting.add_argument(
        "--test-time-dropout",
        action="store_true",
        help="keep Pix2Pix's dropout and batch statistics, as the paper's test time",
    )

    imports = command(
        "import-torch",
        "write a preset from a pytorch-CycleGAN-and-pix2pix generator (.pth; needs torch)",
    )
    imports.add_argument("checkpoint", type=pathlib.Path, help="the generator's state dict")
    imports.add_argument(
        "--family",
        choices=("pix2pix", "cyclegan"),
        required=True,
        help="the reference's --model the checkpoint was trained with",
    )
    imports.add_argument(
        "--generator",
        help="the reference's --netG (default: unet_256 for pix2pix, resnet_9blocks for cyclegan)",
    )
    imports.add_argument(
        "--norm",
        choices=("batch", "instance"),
        help="the reference's --norm (default: the checkpoint's)",
    )
    imports.add_argument(
        "--b-to-a",
        type=pathlib.Path,
        metavar="CHECKPOINT",
        help="a CycleGAN's other generator (netG_B), when you have it",
    )
    imports.add_argument(
        "--image-size",
        type=at_least(1),
        default=256,
        metavar="PIXELS",
        help="the square images the preset is built for (the reference's --crop_size; "
        "default 256); translate pads other sizes",
    )
    imports.add_argument("--out", type=pathlib.Path, help="preset folder (default: next to it)")

    upload = command("upload", "push a preset folder to the Hugging Face Hub or Kaggle")
    upload.add_argument("folder", type=pathlib.Path, help="a preset folder")
    upload.add_argument("handle", help="hf://owner/name or kaggle://owner/model/keras/variant")
    upload.add_argument(
        "--licence",
        default="Apache 2.0",
        help="the weights' licence on Kaggle (default Apache 2.0)",
    )

    command("list", "the shipped presets with their scores, and the recipes")
    return parser


def train(args):
    from ganzoo.zoo.run import train as train_recipe  # local: imports Keras (start-up time)

    overrides = dict(parse_override(text) for text in args.set)
    if args.epochs is not None:
        overrides["train.epochs"] = args.epochs
    if args.steps_per_epoch is not None:
        overrides["train.steps_per_epoch"] = args.steps_per_epoch
    if args.batch_size is not None:
        overrides["data.batch_size"] = args.batch_size
    if args.checkpoint_every is not None:
        overrides["train.checkpoint_every_steps"] = args.checkpoint_every
    if args.checkpoint_minutes is not None:
        overrides["train.checkpoint_every_minutes"] = args.checkpoint_minutes
    if args.devices is not None:
        overrides["distribution.devices"] = args.devices
    if (args.cluster is None) != (args.worker_index is None):
        raise InvalidArgumentError(
            "--cluster and --worker-index go together: every worker runs the same command "
            "with the cluster's addresses and its own index."
        )
    if args.cluster is not None:
        if args.worker_index >= len(args.cluster):
            raise InvalidArgumentError(
                f"--worker-index {args.worker_index} is not in the --cluster of "
                f"{len(args.cluster)} workers; give 0 to {len(args.cluster) - 1}."
            )
        overrides["distribution.workers"] = len(args.cluster)
    recipe = load_recipe(args.recipe, overrides)
    if args.dry_run:
        print(json.dumps(recipe.to_dict(), indent=2))
        return
    out = args.out or pathlib.Path("runs") / recipe.name
    if recipe.distribution.workers > 1:
        from ganzoo import backend  # local: imports Keras

        backend.connect_workers(args.cluster, args.worker_index)
    preset = train_recipe(recipe, out)
    if preset is None:  # a worker other than the chief
        print(f"ganzoo: worker {args.worker_index} done; the chief wrote {out}")
        return
    metadata = json.loads((preset / "metadata.json").read_text())
    print(f"wrote {preset} and {out / 'samples.png'}")
    if "claim" in metadata:
        from ganzoo.zoo.report import claim_summary  # local: as train_recipe

        claim = metadata["claim"]
        print(claim_summary(claim))
        shorter = cut_short(recipe, load_recipe(args.recipe))
        if not claim["holds"] and shorter:
            print(
                f"ganzoo: the claim is the full recipe's; this run was cut short ({shorter}), "
                f"so missing it is expected. The full recipe: ganzoo train {args.recipe}"
            )
        elif not claim["holds"]:
            return CLAIM_FAILED


def cut_short(recipe, full):
    """How `recipe` trains less than the `full` recipe it came from ("2 of 100 epochs"),
    or "" when it does not."""
    cuts = []
    if recipe.train.epochs < full.train.epochs:
        cuts.append(f"{recipe.train.epochs} of {full.train.epochs} epochs")
    steps, full_steps = recipe.train.steps_per_epoch, full.train.steps_per_epoch
    if steps and (not full_steps or steps < full_steps):
        cuts.append(f"{steps} steps per epoch" + (f" of {full_steps}" if full_steps else ""))
    return ", ".join(cuts)


def load_model(name):
    """A `.keras` file, or a preset by name, folder, URL or hub handle."""
    import keras  # local: imports Keras (start-up time)

    from ganzoo.models import from_preset  # registers the classes for .keras files too

    if str(name).endswith(".keras"):
        if not pathlib.Path(name).is_file():
            raise MissingFileError(f"no model file at {name}")
        return keras.saving.load_model(name)
    return from_preset(name)


def sample(args):
    model = load_model(args.model)
    if model.kind != "generator":
        raise InvalidArgumentError(
            f"{args.model} is a {type(model).__name__}, which translates images: use "
            "`ganzoo translate`."
        )
    count = args.n or (8 if args.interpolate else 64)
    labels = None
    if args.labels is not None:
        if model.num_classes is None:
            raise InvalidArgumentError(f"{args.model} is not conditional; leave out --labels.")
        labels = list(args.labels)
        if len(labels) == 1:
            labels = labels * count
        if len(labels) != count:
            what = "rows" if args.interpolate else "images"
            raise InvalidArgumentError(
                f"--labels gives {len(labels)} ids for --n {count} {what}; "
                f"give one id or one per {what[:-1]}"
            )
    if args.interpolate:
        steps = args.interpolate
        latents = interpolation_latents(
            count, steps, model.latent_dim, args.seed, args.method, args.truncation
        )
        labels = None if labels is None else [i for i in labels for _ in range(steps)]
        images = model.generate_from_latents(latents, labels)
        columns = steps
    else:
        images, columns = preview_images(
            model, num_images=count, labels=labels, seed=args.seed, truncation=args.truncation
        )
    print(f"wrote {save_image_grid(images, args.out, columns)}")
    if args.html:
        settings = [("model", args.model), ("images", len(images)), ("seed", args.seed)]
        settings += [("labels", ",".join(map(str, args.labels)))] if args.labels else []
        if args.interpolate:
            settings += [("interpolation", f"{count} rows of {steps} ({args.method})")]
        settings += [("truncation", args.truncation)] if args.truncation else []
        sections = [
            ("Samples", figure(args.out, args.html.parent, args.out.name)),
            ("Settings", table(["", ""], settings)),
        ]
        print(f"wrote {write_page(args.html, f'Samples of {args.model}', sections)}")


def translate(args):
    from ganzoo.data import image_folder  # local: imports TensorFlow (start-up time)
    from ganzoo.data.folders import conversions

    model = load_model(args.model)
    if model.kind == "generator":
        raise InvalidArgumentError(
            f"{args.model} is a {type(model).__name__}, which generates images: use "
            "`ganzoo sample`."
        )
    reverse = args.direction == "BtoA"
    if reverse and model.kind != "cycle_translator":
        raise InvalidArgumentError("--direction BtoA needs a CycleGAN; Pix2Pix translates one way.")
    network = model.generators()[1 if reverse else 0]
    options = {"direction": args.direction} if model.kind == "cycle_translator" else {}
    # Read as the data loaders read (a bad file is named in a one-line error), each
    # image at its own size: translate pads it to a size the generator takes.
    channels = network.input_shape[-1]
    images, paths = image_folder(args.images, preprocess=None, channels=channels)
    note = conversions(paths, channels)
    if note:  # said once: the reference repo's --input_nc would not convert silently
        print(f"ganzoo: {note} ({type(model).__name__} takes {channels} channels)", file=sys.stderr)
    make_folder(args.out)
    rows = []
    pairs = list(zip(paths, output_names(paths), images, strict=True))
    for path, name, image in in_steps(pairs, f"translating {len(pairs)} images", unit="image"):
        target = args.out / name
        make_folder(target.parent)
        save_image_grid(model.translate(image.numpy(), **options), target, columns=1, scale=1)
        shown = max(128, image.shape[1])  # small images drawn larger, pixel for pixel
        cells = [Markup(figure(p, args.out, width=shown)) for p in (path, target)]
        rows.append([path.name, *cells])
    print(f"wrote {len(pairs)} images into {args.out}")
    if args.html:
        title = f"{args.model}, {args.direction}" if options else str(args.model)
        page = write_page(
            args.out / "index.html",
            title,
            [("Translations", table(["file", "input", "output"], rows))],
        )
        print(f"wrote {page}")


def output_names(paths):
    """A distinct PNG name for each input image: `STEM.png`; where two inputs share a
    stem, each keeps its path below the inputs' common folder (`a/x.png`, `b/x.png`)."""
    stems = [path.stem for path in paths]
    if len(set(stems)) == len(stems):
        return [f"{stem}.png" for stem in stems]
    resolved = [path.resolve() for path in paths]
    root = pathlib.Path(os.path.commonpath([path.parent for path in resolved]))
    return [str(path.relative_to(root).with_suffix(".png")) for path in resolved]


def report(args):
    from ganzoo.models import from_preset  # local: imports Keras (start-up time)
    from ganzoo.zoo.report import write_report
    from ganzoo.zoo.run import preview_examples

    run = args.run
    model = examples = None
    if (run / "preset" / "metadata.json").is_file() and (run / "recipe.json").is_file():
        model = from_preset(run / "preset")
        recipe = recipe_from_dict(json.loads((run / "recipe.json").read_text()), str(run))
        examples = preview_examples(recipe, model)
    print(f"wrote {write_report(run, model, examples)}")


def evaluate(args):
    import keras  # local: imports Keras (start-up time)

    from ganzoo.metrics.held_out import held_out_scores

    model = load_model(args.model)
    scores = held_out_scores(model, args.data, args.n, args.seed, args.split)
    scores = {"model": str(args.model), "backend": keras.backend.backend(), **scores}
    if args.json:
        print(json.dumps(scores))
    else:
        print_table(scores)


def export_model(args):
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


def print_table(entries):
    width = max(map(len, entries))
    for key, value in entries.items():
        shown = f"{value:.4f}" if isinstance(value, float) else value
        print(f"{key:<{width}}  {shown}")


def import_torch(args):
    from ganzoo.zoo.torch_checkpoints import import_torch as write_preset  # local: Keras

    preset = write_preset(
        args.checkpoint,
        args.family,
        args.generator,
        out=args.out,
        norm=args.norm,
        b_to_a=args.b_to_a,
        image_size=args.image_size,
    )
    print(f"wrote {preset} (ganzoo translate {preset} IMAGES --out FOLDER)")
    if args.family == "cyclegan" and args.b_to_a is None:
        print("its B -> A generator is not imported (keeps its initial weights): pass --b-to-a")


def upload(args):
    from ganzoo.zoo.hub import upload_preset  # local: imports Keras (start-up time)

    print(f"uploaded {args.folder} to {upload_preset(args.handle, args.folder, args.licence)}")


def list_presets(args):
    print("Presets (ganzoo sample / translate / eval / export NAME):")
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
    print("\nRecipes (ganzoo train NAME):")
    recipes = shipped_recipes()
    width = max(map(len, recipes))
    for name, description in recipes.items():
        print(f"{name:<{width}}  {description}")


COMMANDS = {
    "train": train,
    "report": report,
    "sample": sample,
    "translate": translate,
    "eval": evaluate,
    "export": export_model,
    "import-torch": import_torch,
    "upload": upload,
    "list": list_presets,
}


def main(argv=None):
    catch_interrupts()  # a Ctrl-C that a library swallows while starting still ends the run
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    backend = getattr(args, "backend", None)
    chosen = os.environ.get("KERAS_BACKEND")
    if not backend and chosen is not None and chosen not in BACKENDS:
        print(
            f"ganzoo: error: KERAS_BACKEND={chosen!r} is not a Keras backend ganzoo runs on; "
            f"set it to one of {', '.join(BACKENDS)}, or pass --backend.",
            file=sys.stderr,
        )
        return 2
    if backend and backend != os.environ.get("KERAS_BACKEND"):
        if "keras" in sys.modules:  # called in a process that has chosen its backend
            env = {**os.environ, "KERAS_BACKEND": backend}
            os.execve(sys.executable, [sys.executable, "-m", "ganzoo.cli", *argv], env)
        os.environ["KERAS_BACKEND"] = backend  # Keras reads it once, when imported
    devices = getattr(args, "devices", None)
    if devices and devices > 1:  # JAX splits a CPU into devices only if told before it starts
        flag = f"--xla_force_host_platform_device_count={devices}"
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {flag}".strip()
    try:
        if args.command != "list":
            start_backend(getattr(args, "verbose", False))
            raise_if_interrupted()
        return COMMANDS[args.command](args) or 0
    except (GanzooError, ValueError, TypeError, OSError, RuntimeError) as error:
        end_progress_line(args)
        message = " ".join(str(error).split()) or type(error).__name__  # one line
        print(f"ganzoo: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as interrupt:
        end_progress_line(args)
        print(f"ganzoo: {str(interrupt) or 'interrupted'}", file=sys.stderr)
        return 130


def end_progress_line(args):
    """Ends the line `fit`'s progress bar was redrawing, so a message starts a new one."""
    if args.command == "train":
        print(flush=True)


if __name__ == "__main__":
    sys.exit(main())
