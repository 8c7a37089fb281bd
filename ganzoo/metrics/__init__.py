from ganzoo.metrics.digits import (
    class_probabilities,
    classifier_score,
    digit_classifier,
    load_digit_classifier,
)

__all__ = [
    "class_probabilities",
    "classifier_score",
    "digit_classifier",
    "load_digit_classifier",
]
