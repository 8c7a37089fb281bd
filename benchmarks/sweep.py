"""Choosing a preset's settings: recipe variants trained for equal time, scored on validation.

    python -m benchmarks sweep dcgan_mnist5k --seconds 240 \\
        --variant recipe \\
        --variant sn_ema model.spectral_norm=true model.discriminator_norm=none \\
                         model.ema_decay=0.999

Each `--variant NAME [KEY=VALUE ...]` is the recipe with those `--set` overrides. Every
variant trains on its offline source's "train_without_validation" split
(`data.hold_out_validation=true`) for the same wall-clock budget (`fit` stops at the
first step after it), one after the other in this process, and is scored by
`ganzoo.metrics.held_out_scores` on the "validation" split (`ganzoo.data.splits`): the
test split that presets report is never looked at while choosing. The budget, not the
step count, is equal: a dearer step trains fewer steps. One seed per variant.
"""

import argparse
import time

from benchmarks.tables import print_table


def train_and_score(recipe_name, overrides, seconds, split="validation"):
    """`(steps, seconds, scores)` of the recipe with `overrides` trained for `seconds`,
    scored on the held-out `split` (on "validation" it trains without that split)."""
    import keras  # local: the benchmark list starts no backend

    from ganzoo.metrics import held_out_scores
    from ganzoo.zoo.recipes import load_recipe
    from ganzoo.zoo.run import build_data, build_model, compile_model

    if split == "validation":
        overrides = {**overrides, "data.hold_out_validation": True}
    recipe = load_recipe(recipe_name, overrides)
    model = build_model(recipe)
    data = build_data(recipe, model)
    compile_model(recipe, model, int(data.cardinality()))

    class Budget(keras.callbacks.Callback):
        steps = 0

        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            self.steps += 1
            if time.perf_counter() - self.start >= seconds:
                self.model.stop_training = True

    budget = Budget()
    model.fit(data.repeat(), steps_per_epoch=int(data.cardinality()), epochs=10_000,
              callbacks=[budget], verbose=0)  # fmt: skip
    elapsed = time.perf_counter() - budget.start
    evaluation = recipe.eval
    scores = held_out_scores(model, evaluation.data, evaluation.num_samples, 0, split)
    return budget.steps, elapsed, scores


def main(argv=None):
    from ganzoo.zoo.recipes import parse_override

    parser = argparse.ArgumentParser(prog="python -m benchmarks sweep")
    parser.add_argument("recipe", help="a recipe name of zoo_configs/ or a .toml file")
    parser.add_argument("--seconds", type=float, default=240.0)
    parser.add_argument(
        "--variant",
        nargs="+",
        action="append",
        required=True,
        metavar="NAME [KEY=VALUE",
        help="a variant's name and its recipe overrides (repeatable)",
    )
    args = parser.parse_args(argv)
    variants = {name: dict(map(parse_override, sets)) for name, *sets in args.variant}

    import keras  # local: the benchmark list starts no backend

    from ganzoo.metrics.held_out import SCORES

    columns = None
    rows = []
    for name, overrides in variants.items():
        steps, elapsed, scores = train_and_score(args.recipe, overrides, args.seconds)
        columns = columns or [
            s for names in SCORES.values() for s in names if scores.get(s) is not None
        ]
        settings = ", ".join(f"{k}={v}" for k, v in overrides.items()) or "-"
        rows.append([name, settings, steps, f"{elapsed:.0f}"])
        rows[-1] += [f"{scores[c]:.4g}" for c in columns]
        print(f"{name}: {steps} steps, {dict(zip(columns, rows[-1][4:], strict=True))}", flush=True)
    print_table(
        f"{args.recipe}: {args.seconds:g} s of training per variant (backend: "
        f"{keras.backend.backend()}); scores on the validation split",
        ["variant", "settings", "steps", "seconds", *columns],
        rows,
    )
