"""Do the GANs learn? Digit-classifier scores after short runs on MNIST-5k.

    python -m benchmarks quality                      # active backend
    KERAS_BACKEND=jax python -m benchmarks quality --epochs 5

For DCGAN: the classifier score (exp E KL(p(y|x) || p(y)); 1 = unrecognisable or one
class, 10 = confident and balanced; real MNIST-5k test digits ~9) and the share of
samples classified with confidence > 0.9. For the conditional GAN: how often the
classifier sees the digit that was asked for (chance 0.1). 500 samples, seed 1.
"""

import argparse
import time

import keras
import numpy as np

import ganzoo
from benchmarks.tables import print_table
from ganzoo.data import image_batches, load_mnist5k
from ganzoo.metrics import class_probabilities, classifier_score, load_digit_classifier


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--filters", type=int, default=32)
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(0)
    classifier = load_digit_classifier()
    images, labels = load_mnist5k("train")
    asked = np.repeat(np.arange(10), 50)
    real = class_probabilities(classifier, load_mnist5k("test")[0])
    rows = [
        (
            "MNIST-5k test digits (reference)",
            "-",
            classifier_score(real),
            (real.max(1) > 0.9).mean(),
            "-",
        )
    ]
    for family in (ganzoo.DCGAN, ganzoo.ConditionalGAN):
        model = family(filters=args.filters, seed=0)
        model.compile()
        conditional = model.num_classes is not None
        for stage in ("untrained", "trained"):
            seconds = 0.0
            if stage == "trained":
                start = time.perf_counter()
                model.fit(
                    image_batches(images, labels if conditional else None, 64),
                    epochs=args.epochs,
                    verbose=0,
                )
                seconds = time.perf_counter() - start
            p = class_probabilities(
                classifier, model.generate(500, labels=asked if conditional else None, seed=1)
            )
            accuracy = f"{(p.argmax(1) == asked).mean():.3f}" if conditional else "-"
            steps = 0 if stage == "untrained" else args.epochs * (len(images) // 64)
            rows.append(
                (
                    f"{family.__name__}, {stage} ({steps} steps, {seconds:.0f} s)",
                    steps,
                    classifier_score(p),
                    (p.max(1) > 0.9).mean(),
                    accuracy,
                )
            )
    print_table(
        f"backend {keras.backend.backend()}, filters {args.filters}, batch 64",
        ["samples", "classifier score", "confident (>0.9)", "label accuracy"],
        ((name, f"{s:.2f}", f"{c:.2f}", accuracy) for name, _, s, c, accuracy in rows),
    )


if __name__ == "__main__":
    main()
