"""`ganzoo train RECIPE`: trains a recipe with `fit` into a run folder (checkpoints,
history, TensorBoard logs, samples, the report) and writes its preset; run again with the
same `--out`, it resumes. Exit status 1 when a full run's preset misses its claim."""

import json
import os
import pathlib

from ganzoo.cli.common import addresses, at_least
from ganzoo.errors import InvalidArgumentError
from ganzoo.zoo.recipes import load_recipe, parse_override

NAME = "train"
CLAIM_FAILED = 1  # the exit status when a full run's preset misses its recipe's claim
# The flags that set a recipe key (as --set TABLE.KEY=VALUE would), applied after --set.
RECIPE_FLAGS = {
    "epochs": "train.epochs",
    "steps_per_epoch": "train.steps_per_epoch",
    "batch_size": "data.batch_size",
    "checkpoint_every": "train.checkpoint_every_steps",
    "checkpoint_minutes": "train.checkpoint_every_minutes",
    "devices": "distribution.devices",
}
HELP = "train a recipe with fit() and write its preset"
# tf.data for the downloaded and folder sources, TensorBoard logs; the offline sets
# train without TensorFlow on JAX and torch.
TENSORFLOW_IF_INSTALLED = True


def add_arguments(parser):
    parser.add_argument("recipe", help="a recipe name (`ganzoo list`) or a .toml file")
    parser.add_argument("--epochs", type=at_least(1), help="override [train] epochs")
    parser.add_argument(
        "--steps-per-epoch",
        type=at_least(1),
        metavar="STEPS",
        help="override [train] steps_per_epoch (default: the recipe's, else one pass of the data)",
    )
    parser.add_argument(
        "--batch-size", type=at_least(1), metavar="N", help="override [data] batch_size"
    )
    parser.add_argument(
        "--checkpoint-every",
        type=at_least(1),
        metavar="STEPS",
        help="also checkpoint every STEPS steps within an epoch ([train] checkpoint_every_steps)",
    )
    parser.add_argument(
        "--checkpoint-minutes",
        type=float,
        metavar="MINUTES",
        help="also checkpoint within an epoch every MINUTES ([train] checkpoint_every_minutes)",
    )
    parser.add_argument(
        "--devices",
        type=at_least(1),
        metavar="N",
        help="train data-parallel on N devices ([distribution] devices; JAX or TensorFlow; "
        "on torch one process per device: torchrun --nproc_per_node N)",
    )
    parser.add_argument(
        "--cluster",
        type=addresses,
        metavar="HOST:PORT,...",
        help="train with several workers, one process each, the same command on each with "
        "its --worker-index ([distribution] workers); the chief's address first",
    )
    parser.add_argument(
        "--worker-index",
        type=at_least(0),
        metavar="I",
        help="this process's place in --cluster (0: the chief, which writes the files)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="TABLE.KEY=VALUE",
        help="override a recipe key, e.g. --set data.batch_size=16 (repeatable)",
    )
    parser.add_argument("--out", type=pathlib.Path, help="run folder (default runs/RECIPE)")
    parser.add_argument("--dry-run", action="store_true", help="print the resolved recipe")


def launched_by_torchrun():
    """Whether torchrun started this process as one of several, on the torch backend
    (its environment names the cluster: `torch.distributed`'s env://)."""
    return (
        os.environ.get("KERAS_BACKEND") == "torch"
        and "TORCHELASTIC_RUN_ID" in os.environ
        and int(os.environ.get("WORLD_SIZE", "1")) > 1
    )


def run(args):
    from ganzoo.zoo.run import train as train_recipe  # local: imports Keras (start-up time)

    overrides = dict(parse_override(text) for text in args.set)
    for flag, key in RECIPE_FLAGS.items():
        if getattr(args, flag) is not None:
            overrides[key] = getattr(args, flag)
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
    elif launched_by_torchrun():
        overrides["distribution.workers"] = int(os.environ["WORLD_SIZE"])
        args.worker_index = int(os.environ["RANK"])
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
