"""Scores on the offline held-out sets, by name: what `ganzoo eval` and the presets report.

generators (GAN, DCGAN, cGAN)   "mnist5k": the 1,000 test digits, digit-logit features
Pix2Pix                         "font_pairs", "photo_colorize", "photo_super_resolution"
CycleGAN                        "digits_typeset": MNIST-5k test digits <-> typeset digits
UNet (segmentation)             "digit_scenes": scenes of test digits, per-pixel classes
"""

import numpy as np

from ganzoo.data import (
    load_digit_scenes,
    load_font_pairs,
    load_mnist5k,
    load_photo_pairs,
    load_typeset_digits,
)
from ganzoo.errors import InvalidArgumentError
from ganzoo.metrics.evaluate import (
    cycle_scores,
    sample_scores,
    segmentation_scores,
    translation_scores,
)
from ganzoo.metrics.features import digit_features

# Held-out data per model kind (`AdversarialModel.kind`); the first is the default.
EVAL_DATA = {
    "generator": ("mnist5k",),
    "translator": ("font_pairs", "photo_colorize", "photo_super_resolution"),
    "cycle_translator": ("digits_typeset",),
    "segmenter": ("digit_scenes",),
}
# The scores each kind reports (the others are settings and counts).
SCORES = {
    "generator": ("frechet_distance", "kid", "precision", "recall", "label_accuracy"),
    "translator": ("l1", "psnr", "ssim"),
    "cycle_translator": tuple(
        f"{domain}_cycle_{score}" for domain in "ab" for score in ("l1", "psnr", "ssim")
    )
    + ("label_preservation",),
    "segmenter": ("pixel_accuracy", "mean_iou"),
}
LOWER_IS_BETTER = ("frechet_distance", "kid", "l1")  # a score ending in one of these


def check_eval_data(model, name=None):
    """The held-out set's name for `model` (its default when `name` is None)."""
    suited = EVAL_DATA[model.kind]
    name = name or suited[0]
    if name not in suited:
        raise InvalidArgumentError(
            f"held-out data {name!r} does not suit a {type(model).__name__.lower()} model "
            f"(a {model.kind}); use one of {suited}."
        )
    return name


def held_out_examples(model, name=None, count=None, split="test"):
    """The held-out set's `split` at the model's size: `(inputs, targets[, labels])`.

    Generators: `(real images, None)`; Pix2Pix: `(inputs, targets)`; CycleGAN:
    `(domain A, domain B, labels of A)`, as many of each as the typeset digits (400 in
    "test"), the digits taking the classes in turn. `count` keeps the first of each.
    `split` is "test" (what presets report) or "validation" (to choose settings by;
    the offline sets but the photographs have one, `ganzoo.data.splits`).
    """
    name = check_eval_data(model, name)
    if split not in ("test", "validation"):
        raise InvalidArgumentError(
            f"split must be 'test' or 'validation' for held-out scores. Received: {split!r}."
        )
    if name == "mnist5k":
        examples = (load_mnist5k(split)[0], None)
    elif name == "digit_scenes":
        examples = load_digit_scenes(split, size=model.image_size[0])
    elif name == "font_pairs":
        examples = load_font_pairs(split, size=model.image_size[0])[:2]
    elif name.startswith("photo_"):
        task = name.removeprefix("photo_")
        examples = load_photo_pairs(split, task, size=model.image_size[0])
    else:
        digits, labels = load_mnist5k(split)
        typeset, typeset_labels = load_typeset_digits(split)
        order = classes_in_turn(labels)
        digits, labels = digits[order], labels[order]
        typeset = typeset[classes_in_turn(typeset_labels)]
        count = min(count or len(typeset), len(typeset))  # as many of each
        examples = (digits, typeset, labels)
    check_channels(model, name, examples)
    return tuple(None if x is None else x[:count] for x in examples)


def check_channels(model, name, examples):
    """Refuses a held-out set whose images have other channels than `model` takes."""
    if model.kind == "generator":
        wanted = (model.image_shape[-1],)
    elif model.kind == "segmenter":
        wanted = (model.input_channels,)
    else:
        wanted = (model.input_channels, model.output_channels)
    found = tuple(x.shape[-1] for x in examples[: len(wanted)])
    if found != wanted:
        raise InvalidArgumentError(
            f"the held-out set {name!r} has images of {' and '.join(map(str, found))} "
            f"channels, and this {type(model).__name__} takes {' and '.join(map(str, wanted))}: "
            "score it on your own images (ganzoo.metrics.translation_scores, cycle_scores "
            "or sample_scores)."
        )


def classes_in_turn(labels):
    """An order of the examples that takes the classes in turn (0, 1, ..., 9, 0, 1, ...),
    so that the first n of a class-sorted split hold every class."""
    labels = np.asarray(labels)
    rank = np.zeros(len(labels), int)
    for value in np.unique(labels):
        rank[labels == value] = np.arange((labels == value).sum())
    return np.lexsort((labels, rank))


class RealDigits:
    """Stands in for a generator that draws real MNIST-5k digits from a split other than
    the scored one: its sample scores are the floor a perfect generator reaches."""

    kind = "generator"
    image_shape = (28, 28, 1)

    def __init__(self, split, num_classes=None):
        self.images, self.classes = load_mnist5k(split)
        self.num_classes = num_classes

    def generate(self, num_samples, labels=None, seed=0):
        """`num_samples` different digits, drawn with `seed`; of class `labels[i]` each."""
        order = np.random.default_rng(seed).permutation(len(self.images))
        if labels is None:
            return self.images[order[:num_samples]]
        labels = np.asarray(labels)
        picked = np.empty(len(labels), int)
        for value in np.unique(labels):
            of_class = order[self.classes[order] == value]
            picked[labels == value] = of_class[: (labels == value).sum()]
        return self.images[picked]


def real_data_scores(model, name=None, num_samples=1000, seed=0, split="test"):
    """The floor of `held_out_scores(model, name, ...)` for generators: the same scores
    with real digits in place of samples, drawn from the training split (the "train"
    digits for the "test" split, "train_without_validation" for "validation")."""
    name = check_eval_data(model, name)
    if model.kind != "generator":
        raise InvalidArgumentError(
            f"real-data scores (the floor) are for generators; a {type(model).__name__} "
            "is a translator, whose floor is a perfect score."
        )
    training = "train" if split == "test" else "train_without_validation"
    return held_out_scores(RealDigits(training, model.num_classes), name, num_samples, seed, split)


def held_out_scores(model, name=None, num_samples=1000, seed=0, split="test"):
    """The scores of `ganzoo eval`: `sample_scores`, `translation_scores` or `cycle_scores`
    on the named held-out set's `split` ("test" or "validation"), with the digit
    classifier's logits as features. Generators are scored on `num_samples` samples;
    translators and segmenters on the split's first `num_samples` examples (every
    shipped set holds at most 1,000: all of it by default)."""
    name = check_eval_data(model, name)
    classifier = digit_features("logits")
    if model.kind == "generator":
        real, _ = held_out_examples(model, name, split=split)
        scores = sample_scores(
            model,
            real,
            classifier,
            num_samples,
            classifier=classifier,
            block_size=min(1000, num_samples // 4),
            seed=seed,
        )
        return {"data": f"{name} ({split} split)", **scores}
    examples = held_out_examples(model, name, num_samples, split)
    if model.kind == "translator":
        scores = translation_scores(model, *examples)
    elif model.kind == "segmenter":
        scores = segmentation_scores(model, *examples)
    else:
        scores = cycle_scores(model, *examples[:2], classifier, examples[2])
    return {"data": f"{name} ({split} split)", **scores}


def improvement(metric, trained, untrained):
    """How many times better `trained` is than `untrained` on `metric` (>1: better); a
    score of 0 where it divides (an accuracy of 0 before training) gives infinity, or 1
    when both are 0."""
    lower = metric.endswith(LOWER_IS_BETTER)
    better, worse = (untrained, trained) if lower else (trained, untrained)
    if worse == 0:
        return 1.0 if better == 0 else float("inf")
    ratio = better / worse
    return float(ratio) if np.isfinite(ratio) else float("inf")
