"""`ganzoo`: train and sample GANs from the command line.

    ganzoo train --model dcgan --data mnist5k --epochs 5 --out runs/dcgan
    ganzoo sample runs/dcgan/model.keras --n 64 --out grid.png
    ganzoo eval runs/dcgan/model.keras [--data mnist5k] [--n 1000] [--json]

`--backend` picks the Keras backend (it must be chosen before Keras is imported).
An interrupted `train` resumes from its last finished epoch when run again with the
same `--out`. Errors are one line on stderr and exit code 2.
"""

import argparse
import json
import os
import pathlib
import sys
import time

MODELS = ("gan", "dcgan", "cgan")
DATASETS = ("mnist5k",)
# Held-out data per model kind for `eval`; the first is the default.
EVAL_DATA = {
    "generator": ("mnist5k",),
    "pix2pix": ("font_pairs", "photo_colorize", "photo_super_resolution"),
    "cyclegan": ("digits_typeset",),
}


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="ganzoo", description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("tensorflow", "jax", "torch"))
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a model with fit()")
    train.add_argument("--model", choices=MODELS, default="dcgan")
    train.add_argument("--data", choices=DATASETS, default="mnist5k")
    train.add_argument("--epochs", type=int, default=5)
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--filters", type=int, default=64, help="DCGAN / cGAN width")
    train.add_argument("--loss", default="non-saturating", help="adversarial objective")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", type=pathlib.Path, default=pathlib.Path("runs/dcgan"))

    sample = commands.add_parser("sample", help="write a grid of generated images")
    sample.add_argument("model", type=pathlib.Path, help="a .keras file from train")
    sample.add_argument("--n", type=int, default=64)
    sample.add_argument("--labels", help="comma-separated class ids (conditional models)")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--out", type=pathlib.Path, default=pathlib.Path("samples.png"))

    evaluate = commands.add_parser("eval", help="score a model on held-out offline data")
    evaluate.add_argument("model", type=pathlib.Path, help="a .keras file")
    evaluate.add_argument(
        "--data",
        choices=sorted({d for names in EVAL_DATA.values() for d in names}),
        help="held-out data (default: mnist5k, font_pairs or digits_typeset by model)",
    )
    evaluate.add_argument("--n", type=int, default=1000, help="generated samples (GANs)")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    return parser.parse_args(argv)


def build_model(args, image_shape, num_classes):
    import ganzoo

    common = {"image_shape": image_shape, "adversarial_loss": args.loss, "seed": args.seed}
    if args.model == "gan":
        return ganzoo.GAN(**common)
    if args.model == "dcgan":
        return ganzoo.DCGAN(filters=args.filters, **common)
    return ganzoo.ConditionalGAN(num_classes=num_classes, filters=args.filters, **common)


def train(args):
    import keras

    from ganzoo.callbacks import SampleGrid
    from ganzoo.data import image_batches, load_mnist5k
    from ganzoo.images import save_image_grid

    keras.utils.set_random_seed(args.seed)
    images, labels = load_mnist5k("train")
    model = build_model(args, images.shape[1:], num_classes=10)
    model.compile()
    args.out.mkdir(parents=True, exist_ok=True)
    options = {**vars(args), "out": str(args.out), "backend": keras.backend.backend()}
    (args.out / "options.json").write_text(json.dumps(options, indent=2))
    dataset = image_batches(
        images, labels if model.num_classes else None, args.batch_size, seed=args.seed
    )
    start = time.perf_counter()
    history = model.fit(
        dataset,
        epochs=args.epochs,
        callbacks=[
            keras.callbacks.BackupAndRestore(str(args.out / "backup")),
            SampleGrid(args.out / "samples", num_images=100, seed=args.seed),
        ],
        verbose=2,
    )
    seconds = time.perf_counter() - start
    model.save(args.out / "model.keras")
    (args.out / "history.json").write_text(json.dumps(history.history, indent=2))
    labels = [i % 10 for i in range(100)] if model.num_classes else None
    grid = save_image_grid(
        model.generate(100, labels=labels, seed=args.seed), args.out / "samples.png"
    )
    print(
        f"trained {args.epochs} epochs in {seconds:.0f} s on {keras.backend.backend()}; "
        f"wrote {args.out / 'model.keras'} and {grid}"
    )


def load_model(path):
    import keras

    import ganzoo  # noqa: F401  (registers the model classes for loading)

    if not path.exists():
        raise FileNotFoundError(
            f"no model file at {path}; give the .keras file that `ganzoo train` wrote"
        )
    return keras.saving.load_model(path)


def sample(args):
    from ganzoo.images import save_image_grid

    model = load_model(args.model)
    labels = None
    if args.labels is not None:
        labels = [int(i) for i in args.labels.split(",")]
        if len(labels) == 1:
            labels = labels * args.n
        if len(labels) != args.n:
            raise ValueError(
                f"--labels gives {len(labels)} ids for --n {args.n} images; "
                "give one id or one per image"
            )
    elif model.num_classes is not None:
        labels = [i % model.num_classes for i in range(args.n)]
    path = save_image_grid(model.generate(args.n, labels=labels, seed=args.seed), args.out)
    print(f"wrote {path}")


def evaluate(args):
    import keras

    import ganzoo
    from ganzoo import data, metrics

    model = load_model(args.model)
    kind = {ganzoo.Pix2Pix: "pix2pix", ganzoo.CycleGAN: "cyclegan"}.get(type(model), "generator")
    name = args.data or EVAL_DATA[kind][0]
    if name not in EVAL_DATA[kind]:
        raise ValueError(
            f"--data {name} does not suit a {kind} model; use one of {EVAL_DATA[kind]}"
        )
    classifier = metrics.digit_features("logits")
    if kind == "generator":
        real, _ = data.load_mnist5k("test")
        scores = metrics.sample_scores(
            model,
            real,
            classifier,
            args.n,
            classifier=classifier,
            block_size=min(1000, args.n // 4),
            seed=args.seed,
        )
    elif kind == "pix2pix":
        if name == "font_pairs":
            inputs, targets, _ = data.load_font_pairs("test", size=model.image_size[0])
        else:
            task = name.removeprefix("photo_")
            inputs, targets = data.load_photo_pairs("test", task, size=model.image_size[0])
        scores = metrics.translation_scores(model, inputs, targets)
    else:
        digits, labels = data.load_mnist5k("test")
        typeset, _ = data.load_typeset_digits("test")
        scores = metrics.cycle_scores(
            model, digits[: len(typeset)], typeset, classifier, labels[: len(typeset)]
        )
    scores = {
        "model": str(args.model),
        "data": f"{name} (test split)",
        "backend": keras.backend.backend(),
        **scores,
    }
    if args.json:
        print(json.dumps(scores))
    else:
        width = max(map(len, scores))
        for key, value in scores.items():
            shown = f"{value:.4f}" if isinstance(value, float) else value
            print(f"{key:<{width}}  {shown}")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.backend and args.backend != os.environ.get("KERAS_BACKEND"):
        # Keras reads KERAS_BACKEND once, when `ganzoo` (and so Keras) is imported.
        env = {**os.environ, "KERAS_BACKEND": args.backend}
        os.execve(sys.executable, [sys.executable, "-m", "ganzoo.cli", *argv], env)
    try:
        {"train": train, "sample": sample, "eval": evaluate}[args.command](args)
    except (ValueError, FileNotFoundError) as error:
        print(f"ganzoo: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
