"""`ganzoo report RUN`: a run folder's curves and results page (index.html)."""

import json
import pathlib

from ganzoo.zoo.recipes import recipe_from_dict

NAME = "report"
HELP = "draw a run's curves and write its results page, index.html"


def add_arguments(parser):
    parser.add_argument("run", type=pathlib.Path, help="the --out folder of `ganzoo train`")


def run(args):
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
