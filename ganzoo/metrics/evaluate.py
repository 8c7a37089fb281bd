"""Scores of a model, with the settings they were measured under.

- `sample_scores(model, real_images, features)`: a generator (GAN, DCGAN, cGAN) against
  real images: Frechet distance, KID with its standard error, precision and recall, and
  for conditional models the label accuracy of a classifier on the samples.
- `translation_scores(model, inputs, targets)`: Pix2Pix against held-out targets: L1,
  PSNR, SSIM.
- `cycle_scores(model, images_a, images_b)`: CycleGAN's reconstructions F(G(a)) vs a
  and G(F(b)) vs b, and, given a classifier and labels of A, how often G(a) keeps a's
  label (the "FCN score" idea of both papers).

Every result is a flat dict of numbers and settings (features, resize, sample counts),
so it prints, logs and goes into a preset's metadata as it is.
"""

import numpy as np

from ganzoo.arguments import as_count
from ganzoo.metrics.distances import frechet_distance, kernel_distance, precision_recall
from ganzoo.metrics.image_quality import mean_absolute_error, psnr, ssim


def balanced_labels(num, num_classes):
    """Class ids 0, 1, ..., num_classes - 1, 0, 1, ... (`num` of them)."""
    return np.arange(num) % num_classes


def sample_scores(
    model, real_images, features, num_samples=1000, classifier=None, k=3, block_size=1000, seed=0
):
    """Distances between `num_samples` generated images and `real_images`.

    Args:
        model: a GAN, DCGAN or ConditionalGAN (anything with `generate(n, labels, seed)`).
        real_images: array in [-1, 1], e.g. a held-out split.
        features: a `FeatureExtractor` (`digit_features()`, `inception_features()`).
        num_samples: generated images; conditional models get balanced labels.
        classifier: for conditional models, a `FeatureExtractor` giving class logits
            (`digit_features("logits")`): the share of samples classified as the label
            they were generated for is "label_accuracy".
        k: neighbourhood size of precision and recall. Defaults to 3.
        block_size: KID block size (see `kernel_distance`).
        seed: the latents' seed.
    """
    num_samples = as_count(num_samples, "num_samples", least=2)
    k, block_size = as_count(k, "k"), as_count(block_size, "block_size", least=2)
    labels = None
    if model.num_classes is not None:
        labels = balanced_labels(num_samples, model.num_classes)
    samples = model.generate(num_samples, labels=labels, seed=seed)
    fake, real = features(samples), features(real_images)
    kid, kid_error = kernel_distance(real, fake, block_size)
    if kid_error is None:
        kid_error = (
            f"not computed: {num_samples} generated and {len(real)} real images make one "
            f"KID block of up to {block_size}, and a standard error needs two; pass "
            f"num_samples and real images of at least {2 * block_size}, or a smaller "
            "block_size"
        )
    precision, recall = precision_recall(real, fake, k)
    scores = {
        "frechet_distance": frechet_distance(real, fake),
        "kid": kid,
        "kid_error": kid_error,
        "precision": precision,
        "recall": recall,
        "features": features.name,
        "resize": features.resize,
        "num_generated": num_samples,
        "num_real": len(real_images),
        "seed": seed,
    }
    if labels is not None and classifier is not None:
        scores["label_accuracy"] = label_accuracy(classifier, samples, labels)
    return scores


def label_accuracy(classifier, images, labels):
    """Share of `images` whose classifier logits' argmax is `labels`."""
    predicted = classifier(images).argmax(axis=1)
    return float((predicted == np.asarray(labels)).mean())


def paired_scores(images, targets, prefix=""):
    return {
        f"{prefix}l1": mean_absolute_error(images, targets),
        f"{prefix}psnr": psnr(images, targets),
        f"{prefix}ssim": ssim(images, targets),
    }


def translation_scores(model, inputs, targets, batch_size=16):
    """L1, PSNR (dB) and SSIM of `model.translate(inputs)` against `targets` ([-1, 1])."""
    outputs = model.translate(inputs, batch_size=batch_size)
    return {**paired_scores(outputs, targets), "num_images": len(inputs)}


def segmentation_scores(model, images, masks, batch_size=32):
    """Pixel accuracy and mean IoU of `model.predict_maps(images)` against class ids
    `masks` `(n, H, W)`. IoU is per class, TP / (TP + FP + FN); the mean is over the
    classes that occur in the truth or the prediction (as `keras.metrics.MeanIoU`)."""
    predicted = model.predict_maps(images, batch_size)
    classes = model.num_classes
    truth = np.asarray(masks, np.int64).ravel()
    pairs = truth * classes + predicted.ravel()
    confusion = np.bincount(pairs, minlength=classes * classes).reshape(classes, classes)
    hits = np.diag(confusion)
    union = confusion.sum(0) + confusion.sum(1) - hits
    return {
        "pixel_accuracy": float(hits.sum() / confusion.sum()),
        "mean_iou": float((hits[union > 0] / union[union > 0]).mean()),
        "num_images": len(predicted),
    }


def cycle_scores(model, images_a, images_b, classifier=None, labels_a=None, batch_size=16):
    """Cycle reconstructions scored as `translation_scores`, and label preservation.

    Returns:
        `a_cycle_l1`, `a_cycle_psnr`, `a_cycle_ssim` for F(G(a)) vs a; `b_cycle_*` for
        G(F(b)) vs b; with `classifier` and `labels_a`, `label_preservation`: the share
        of G(a) the classifier labels as a was labelled.
    """
    fake_b = model.translate(images_a, "AtoB", batch_size=batch_size)
    fake_a = model.translate(images_b, "BtoA", batch_size=batch_size)
    scores = {
        **paired_scores(
            model.translate(fake_b, "BtoA", batch_size=batch_size), images_a, "a_cycle_"
        ),
        **paired_scores(
            model.translate(fake_a, "AtoB", batch_size=batch_size), images_b, "b_cycle_"
        ),
        "num_images": min(len(images_a), len(images_b)),
    }
    if classifier is not None and labels_a is not None:
        scores["label_preservation"] = label_accuracy(classifier, fake_b, labels_a)
    return scores
