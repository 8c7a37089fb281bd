"""What each discriminator stabiliser does for the DCGAN on MNIST-5k, at equal training time.

    python -m benchmarks stabilizers [--seconds 75] [--variants baseline ema ...]

Each variant is the `dcgan_mnist5k` recipe (DCGAN 28x28, 32 filters, batch 64, Adam
2e-4, seed 0) with one change, trained for the same wall-clock budget (`fit` stops at
the first step after it), one after the other in this process, then scored by
`ganzoo.metrics.held_out_scores` on the 1,000 MNIST-5k test digits (1,000 samples,
the digit classifier's logits; the Frechet distance of real train digits to them, the
floor, is ~0.9). The budget, not the step count, is equal: a stabiliser that makes a
step dearer (R1's second backward pass) trains fewer steps. One seed, one run per
variant: differences of a few FD points are within run-to-run noise.
"""

import argparse
import time

from benchmarks.tables import print_table

# Variant -> recipe overrides. R1 and spectral norm take D without batch norm (R1
# needs per-sample gradients; the paper's SN-GAN has no batch norm in D).
VARIANTS = {
    "baseline": {},
    "label_smoothing": {"model.label_smoothing": 0.1},
    "instance_noise": {"model.instance_noise": 0.1, "model.instance_noise_steps": 1000},
    "diff_augment": {"model.diff_augment": "color,translation,cutout"},
    "r1": {"model.r1_weight": 1.0, "model.discriminator_norm": "none"},
    "spectral_norm": {"model.spectral_norm": True, "model.discriminator_norm": "none"},
    "ttur": {"train.discriminator_learning_rate": 4e-4, "train.learning_rate": 1e-4},
    "ema": {"model.ema_decay": 0.999},
}


def train_and_score(overrides, seconds):
    """`(steps, seconds, scores)` of the recipe with `overrides` trained for `seconds`."""
    import keras  # local: the benchmark list starts no backend

    from ganzoo.metrics import held_out_scores
    from ganzoo.zoo.recipes import load_recipe
    from ganzoo.zoo.run import build_data, build_model, compile_model

    recipe = load_recipe("dcgan_mnist5k", overrides)
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
    return budget.steps, elapsed, held_out_scores(model, "mnist5k", 1000, seed=0)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks stabilizers")
    parser.add_argument("--seconds", type=float, default=75.0)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    args = parser.parse_args(argv)

    def rows():
        for name in args.variants:
            steps, elapsed, scores = train_and_score(VARIANTS[name], args.seconds)
            yield (
                name,
                ", ".join(f"{k.split('.')[-1]}={v}" for k, v in VARIANTS[name].items()) or "-",
                steps,
                f"{elapsed:.0f}",
                f"{scores['frechet_distance']:.2f}",
                f"{scores['precision']:.3f}",
                f"{scores['recall']:.3f}",
            )

    import keras  # local: the benchmark list starts no backend

    print_table(
        f"DCGAN on MNIST-5k, {args.seconds:g} s of training per variant (backend: "
        f"{keras.backend.backend()}); held-out scores on the 1,000 test digits",
        ["variant", "settings", "steps", "seconds", "frechet_distance", "precision", "recall"],
        rows(),
    )
