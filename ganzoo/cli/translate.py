"""`ganzoo translate MODEL IMAGES...`: each image (or every image of a folder)
through a Pix2Pix or CycleGAN generator, one PNG per input, at the input's own size."""

import os
import pathlib
import sys

from ganzoo.cli.common import MODEL_HELP, load_model
from ganzoo.data.image_files import conversions, image_paths, read_image, read_image_shapes
from ganzoo.errors import InvalidArgumentError
from ganzoo.files import make_folder
from ganzoo.images import from_uint8, save_image_grid
from ganzoo.pages import Markup, figure, table, write_page
from ganzoo.progress import in_steps

NAME = "translate"
HELP = "translate images with Pix2Pix or CycleGAN"


def add_arguments(parser):
    parser.add_argument("model", help=MODEL_HELP)
    parser.add_argument("images", nargs="+", type=pathlib.Path, help="image files or folders")
    parser.add_argument("--out", type=pathlib.Path, required=True, help="output folder")
    parser.add_argument(
        "--direction",
        choices=("AtoB", "BtoA"),
        default="AtoB",
        help="CycleGAN's direction (default AtoB)",
    )
    parser.add_argument(
        "--html", action="store_true", help="also OUT/index.html: each input beside its output"
    )


def run(args):
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
    # Pixels as the data pipelines decode them, each image at its own size: translate
    # pads it to a size the generator takes. Every file is decoded once first, as the
    # pipelines check theirs, so that a bad one is named before anything is written.
    channels = network.input_shape[-1]
    paths = image_paths(args.images)
    read_image_shapes(paths)
    note = conversions(paths, channels)
    if note:  # said once: the reference repo's --input_nc would not convert silently
        takes = f"{type(model).__name__} takes {channels} channel{'s' * (channels != 1)}"
        print(f"ganzoo: {note} ({takes})", file=sys.stderr)
    make_folder(args.out)
    rows = []
    pairs = list(zip(paths, output_names(paths), strict=True))
    for path, name in in_steps(pairs, f"translating {len(pairs)} images", unit="image"):
        image = from_uint8(read_image(path, channels))
        target = args.out / name
        make_folder(target.parent)
        save_image_grid(model.translate(image[None], **options), target, columns=1, scale=1)
        shown = max(128, image.shape[1])  # small images drawn larger, pixel for pixel
        cells = [Markup(figure(p, args.out, width=shown)) for p in (path, target)]
        rows.append([path.name, *cells])
    print(f"wrote {len(pairs)} image{'s' * (len(pairs) != 1)} into {args.out}")
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
