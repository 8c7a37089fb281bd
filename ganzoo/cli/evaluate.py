"""`ganzoo eval MODEL`: a model's scores on held-out offline data (the numbers
presets report), as a table or one JSON object."""

import json

from ganzoo.cli.common import MODEL_HELP, at_least, load_model, print_table

NAME = "eval"
HELP = "score a model on held-out offline data"


def add_arguments(parser):
    parser.add_argument("model", help=MODEL_HELP)
    parser.add_argument(
        "--data",
        help="held-out set (default: mnist5k for generators, font_pairs for Pix2Pix, "
        "digits_typeset for CycleGAN; a set that does not suit the model lists those that do)",
    )
    parser.add_argument(
        "--split",
        choices=("test", "validation"),
        default="test",
        help="test (default; what presets report) or validation (to choose settings by)",
    )
    parser.add_argument(
        "--n",
        type=at_least(8),
        default=1000,
        help="generated samples (GANs), or the first N held-out examples (default 1000)",
    )
    parser.add_argument("--seed", type=at_least(0), default=0, help="the latents' seed (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args):
    import keras  # local: imports Keras (start-up time)

    from ganzoo.metrics.held_out import held_out_scores

    model = load_model(args.model)
    scores = held_out_scores(model, args.data, args.n, args.seed, args.split)
    scores = {"model": str(args.model), "backend": keras.backend.backend(), **scores}
    if args.json:
        print(json.dumps(scores))
    else:
        print_table(scores)
