"""`ganzoo sample MODEL`: a PNG grid of a generator's samples (or of walks between
latents with `--interpolate`), and optionally a page of it."""

import pathlib

from ganzoo.cli.common import MODEL_HELP, at_least, class_ids, load_model, png_file, positive_number
from ganzoo.errors import InvalidArgumentError
from ganzoo.images import preview_images, save_image_grid
from ganzoo.latents import interpolation_latents
from ganzoo.pages import figure, table, write_page

NAME = "sample"
HELP = "write a grid of generated images"


def add_arguments(parser):
    parser.add_argument("model", help=MODEL_HELP)
    parser.add_argument(
        "--n",
        type=at_least(1),
        help="number of images (default 64), or rows with --interpolate (8)",
    )
    parser.add_argument(
        "--labels", type=class_ids, help="comma-separated class ids (conditional models)"
    )
    parser.add_argument(
        "--interpolate",
        type=at_least(2),
        metavar="STEPS",
        help="a grid of --n rows, each walking between two latents in STEPS images",
    )
    parser.add_argument(
        "--method", choices=("slerp", "lerp"), default="slerp", help="interpolation (default slerp)"
    )
    parser.add_argument(
        "--truncation",
        type=positive_number,
        help="redraw latent entries beyond +-T (truncation trick): typical, less varied",
    )
    parser.add_argument("--seed", type=at_least(0), default=0, help="the latents' seed (default 0)")
    parser.add_argument(
        "--out",
        type=png_file,
        default=pathlib.Path("samples.png"),
        help="PNG file (default samples.png in the working folder; replaced if it exists)",
    )
    parser.add_argument("--html", type=pathlib.Path, metavar="PAGE", help="also a page of it")


def run(args):
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
