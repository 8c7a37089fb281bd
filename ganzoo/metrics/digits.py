"""A small digit classifier: the judge of digit generators (as TF-GAN's MNIST score).

Trained on MNIST-5k's train split by `python -m ganzoo.metrics.digits`, which writes
`pretrained/digit_classifier/model.weights.h5`; the weights load on every backend.
"""

import keras
import numpy as np
from keras import layers

from ganzoo.data import load_mnist5k
from ganzoo.errors import MissingFileError
from ganzoo.resources import presets_dir

WEIGHTS = "digit_classifier/model.weights.h5"  # in the presets folder


def digit_classifier():
    """CNN `(batch, 28, 28, 1)` images in [-1, 1] -> `(batch, 10)` class logits."""
    images = keras.Input((28, 28, 1), name="images")
    x = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(images)
    x = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    return keras.Model(images, layers.Dense(10)(x), name="digit_classifier")


def load_digit_classifier():
    """The shipped classifier (test accuracy in `pretrained/digit_classifier/`)."""
    weights = presets_dir() / WEIGHTS
    if not weights.exists():
        raise MissingFileError(
            f"No digit classifier weights at {weights}: the installation is incomplete. "
            "Reinstall ganzoo, or run `python -m ganzoo.metrics.digits` to train them."
        )
    model = digit_classifier()
    model.load_weights(weights)
    return model


def class_probabilities(classifier, images, batch_size=500):
    """Softmax class probabilities `(n, 10)` for images `(n, 28, 28, 1)` in [-1, 1]."""
    logits = classifier.predict(images, batch_size=batch_size, verbose=0)
    return keras.ops.convert_to_numpy(keras.ops.softmax(logits))


def classifier_score(probabilities):
    """exp(E_x KL(p(y|x) || p(y))): 1 for unrecognisable or single-class samples,
    up to 10 for confident, class-balanced digits (Salimans et al.'s Inception
    Score, with the digit classifier in place of Inception)."""
    marginal = probabilities.mean(axis=0, keepdims=True)
    kl = (probabilities * (np.log(probabilities + 1e-12) - np.log(marginal + 1e-12))).sum(1)
    return float(np.exp(kl.mean()))


def reference_digits(count=1000, seed=0):
    """The real and degraded digits that give the metrics' floor and reference points.

    Returns:
        dict of float32 `(count, 28, 28, 1)` arrays in [-1, 1], every class equally
        (MNIST-5k's splits are sorted by class, so they are taken at a stride):
        "test" and "train" digits, "blurred" (the test digits averaged over a 5-pixel
        cross) and "pixel-shuffled" (each test digit's pixels permuted, with `seed`).
    """
    test, train = (load_mnist5k(split)[0] for split in ("test", "train"))
    test, train = test[:: len(test) // count][:count], train[:: len(train) // count][:count]
    shifts = [(1, 1), (-1, 1), (1, 2), (-1, 2)]
    blurred = (test + sum(np.roll(test, shift, axis) for shift, axis in shifts)) / 5
    flat = test.reshape(len(test), -1)
    positions = np.tile(np.arange(flat.shape[1]), (count, 1))
    order = np.random.default_rng(seed).permuted(positions, axis=1)
    shuffled = np.take_along_axis(flat, order, 1).reshape(test.shape)
    return {"test": test, "train": train, "blurred": blurred, "pixel-shuffled": shuffled}


def train_digit_classifier(epochs=8, seed=0):
    from ganzoo.data import image_batches  # local: tf.data, which imports TensorFlow

    keras.utils.set_random_seed(seed)
    model = digit_classifier()
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(
        image_batches(*load_mnist5k("train"), batch_size=64, seed=seed),
        epochs=epochs,
        verbose=2,
    )
    _, accuracy = model.evaluate(*load_mnist5k("test"), verbose=0)
    inference_only = digit_classifier()  # the same weights, without optimizer state
    inference_only.set_weights(model.get_weights())
    return inference_only, accuracy


if __name__ == "__main__":
    model, accuracy = train_digit_classifier()
    weights = presets_dir() / WEIGHTS
    weights.parent.mkdir(parents=True, exist_ok=True)
    model.save_weights(weights)
    print(f"digit classifier: MNIST-5k test accuracy {accuracy:.4f}; wrote {weights}")
