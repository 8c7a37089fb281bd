"""Measuring GANs: distances on features, paired image quality, and model scores."""

from ganzoo.metrics.digits import (
    class_probabilities,
    classifier_score,
    digit_classifier,
    load_digit_classifier,
    reference_digits,
)
from ganzoo.metrics.distances import frechet_distance, kernel_distance, precision_recall
from ganzoo.metrics.evaluate import (
    cycle_scores,
    label_accuracy,
    sample_scores,
    segmentation_scores,
    translation_scores,
)
from ganzoo.metrics.features import FeatureExtractor, digit_features, inception_features
from ganzoo.metrics.held_out import EVAL_DATA, held_out_examples, held_out_scores
from ganzoo.metrics.image_quality import mean_absolute_error, psnr, ssim

__all__ = [
    "EVAL_DATA",
    "held_out_examples",
    "held_out_scores",
    "FeatureExtractor",
    "class_probabilities",
    "classifier_score",
    "cycle_scores",
    "digit_classifier",
    "digit_features",
    "frechet_distance",
    "inception_features",
    "kernel_distance",
    "label_accuracy",
    "load_digit_classifier",
    "mean_absolute_error",
    "precision_recall",
    "psnr",
    "reference_digits",
    "sample_scores",
    "segmentation_scores",
    "ssim",
    "translation_scores",
]
